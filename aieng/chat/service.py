"""The streaming chat service: a FastAPI app over a ``ConversationStore``.

    GET    /                               the chat page (static/index.html)
    GET    /api/health                     service name and the model it uses
    POST   /api/conversations              create one: {"title": optional}
    GET    /api/conversations              list them, most recent first
    GET    /api/conversations/{id}         one conversation with its messages
    PATCH  /api/conversations/{id}         rename: {"title": "..."}
    DELETE /api/conversations/{id}         delete it
    GET    /api/search?q=words             search messages and titles
    POST   /api/conversations/{id}/messages  {"content": "..."}: the reply as
                                           server-sent events (start, token...,
                                           done | error)
    POST   /api/triage                     {"message": "..."}: a ``Triage`` as JSON

Input breaking a rule answers 422 with ``{"detail": "<what to fix>"}``. The
reply is saved when the stream ends; if the client goes away mid-stream, the
text that had arrived is saved with status ``interrupted``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import anyio
import openai
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, StrictStr

from aieng.chat.store import DEFAULT_TITLE, ConversationNotFound, ConversationStore
from aieng.chat.triage import Triage, triage
from aieng.chat.validation import (
    DEFAULT_REPLY_TOKENS,
    ChatMessage,
    MessageText,
    check_budget,
    describe_errors,
)
from aieng.errors import ModelOutputError, ProviderError, RateLimited, UserError

logger = logging.getLogger(__name__)

SERVICE_NAME = "aieng-chat"
MAX_BODY_BYTES = 256 * 1024
TITLE_CHARS = 60


class NewConversation(BaseModel):
    """Body of POST /api/conversations."""

    model_config = ConfigDict(extra="forbid")
    title: StrictStr | None = None


class Rename(BaseModel):
    """Body of PATCH /api/conversations/{id}."""

    model_config = ConfigDict(extra="forbid")
    title: StrictStr


class NewMessage(BaseModel):
    """Body of POST /api/conversations/{id}/messages."""

    model_config = ConfigDict(extra="forbid")
    content: MessageText


class TriageRequest(BaseModel):
    """Body of POST /api/triage."""

    model_config = ConfigDict(extra="forbid")
    message: MessageText


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _title_from(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"


class EventStream(StreamingResponse):
    """A server-sent event stream whose generator is always closed, even on disconnect.

    Starlette stops reading the generator when the client goes away but leaves
    closing it to the garbage collector; closing it here runs its ``finally``
    (which saves the partial reply) at once.
    """

    media_type = "text/event-stream"

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.body_iterator.aclose()


def _close_quietly(stream: Any) -> None:
    # Closing from a side thread: a worker thread may still be blocked reading it.
    def close() -> None:
        try:
            stream.close()
        except Exception:  # noqa: BLE001 - the reply is already saved; nothing to report
            logger.debug("closing the model stream failed", exc_info=True)

    threading.Thread(target=close, daemon=True).start()


def _provider_problem(exc: Exception, model: str) -> str:
    if isinstance(exc, openai.RateLimitError):
        return f"{model} is rate-limited: wait a moment and send again"
    if isinstance(exc, openai.APIStatusError):
        return f"the model provider answered {exc.status_code}: {exc.message}"
    return f"the model provider failed ({type(exc).__name__}): try again"


def create_chat_app(
    store: ConversationStore,
    client: openai.OpenAI | None = None,
    model: str | None = None,
    reply_tokens: int = DEFAULT_REPLY_TOKENS,
) -> FastAPI:
    """The chat service as an ASGI app.

    Args:
        store: where conversations are saved.
        client: an ``openai.OpenAI``; ``aieng.llm.client()`` (made on first use) when None.
        model: the chat model; the provider's ``chat-small`` when None.
        reply_tokens: tokens kept free for each reply (also its ``max_tokens``).
    """
    app = FastAPI(title="aieng chat", docs_url=None, redoc_url=None)
    from aieng import llm as course_llm

    lock = threading.Lock()
    chosen: dict[str, Any] = {"client": client, "model": model or course_llm.model("chat-small")}

    def llm() -> tuple[openai.OpenAI, str]:
        with lock:  # the client (and perhaps the course model) starts on first use
            if chosen["client"] is None:
                chosen["client"] = course_llm.client()
            return chosen["client"], chosen["model"]

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            detail = (
                f"the request body is {int(declared)} bytes and the limit is {MAX_BODY_BYTES}: "
                "send a shorter message"
            )
            return JSONResponse({"detail": detail}, status_code=413)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_request: Request, exc: RequestValidationError):
        sentences = describe_errors(exc.errors())
        return JSONResponse({"detail": "; ".join(sentences), "errors": sentences}, 422)

    @app.exception_handler(ConversationNotFound)
    async def not_found(_request: Request, exc: ConversationNotFound):
        return JSONResponse({"detail": str(exc)}, 404)

    @app.exception_handler(UserError)
    async def user_error(_request: Request, exc: UserError):
        return JSONResponse({"detail": str(exc)}, 422)

    @app.exception_handler(RateLimited)
    async def rate_limited(_request: Request, exc: RateLimited):
        return JSONResponse({"detail": str(exc)}, 429)

    @app.exception_handler(ModelOutputError)
    @app.exception_handler(ProviderError)
    async def upstream(_request: Request, exc: Exception):
        return JSONResponse({"detail": str(exc)}, 502)

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return resources.files("aieng.chat").joinpath("static/index.html").read_text("utf-8")

    @app.get("/api/health")
    def health() -> dict:
        return {"service": SERVICE_NAME, "model": chosen["model"], "status": "ok"}

    @app.post("/api/conversations", status_code=201)
    def create(body: NewConversation | None = None) -> dict:
        return store.create(body.title if body else None).model_dump()

    @app.get("/api/conversations")
    def listing(limit: int = 100, offset: int = 0) -> list[dict]:
        return [c.model_dump(exclude={"messages"}) for c in store.list(limit, offset)]

    @app.get("/api/conversations/{conversation_id}")
    def read(conversation_id: str) -> dict:
        return store.load(conversation_id).model_dump()

    @app.patch("/api/conversations/{conversation_id}")
    def rename(conversation_id: str, body: Rename) -> dict:
        return store.rename(conversation_id, body.title).model_dump()

    @app.delete("/api/conversations/{conversation_id}", status_code=204)
    def delete(conversation_id: str) -> None:
        store.delete(conversation_id)

    @app.get("/api/search")
    def search(q: str, limit: int = 20) -> list[dict]:
        return [hit.model_dump() for hit in store.search(q, limit)]

    @app.post("/api/triage")
    def triage_message(body: TriageRequest) -> Triage:
        chat_client, chat_model = llm()
        return triage(body.message, client=chat_client, model=chat_model)

    @app.post("/api/conversations/{conversation_id}/messages")
    def send(conversation_id: str, body: NewMessage) -> EventStream:
        chat_client, chat_model = llm()
        conversation = store.load(conversation_id)
        history = [m.as_dict() for m in conversation.messages if m.content]
        question = ChatMessage(role="user", content=body.content)
        history.append(question.as_dict())
        check_budget(history, chat_model, reply_tokens)
        asked = store.append(conversation.id, "user", question.content)
        if conversation.title == DEFAULT_TITLE and not conversation.messages:
            store.rename(conversation.id, _title_from(question.content))
        start = _sse("start", {"message": asked.model_dump()})
        return EventStream(
            _relay(store, chat_client, chat_model, reply_tokens, conversation.id, history, start)
        )

    return app


async def _relay(
    store: ConversationStore,
    client: openai.OpenAI,
    model: str,
    reply_tokens: int,
    conversation_id: str,
    history: list[dict],
    start: bytes,
) -> AsyncIterator[bytes]:
    """Stream the model's reply as events; save it when done, or what arrived if cut off."""
    pieces: list[str] = []
    saved = False
    stream = None
    try:
        yield start
        stream = await anyio.to_thread.run_sync(
            lambda: client.chat.completions.create(
                model=model,
                messages=history,
                stream=True,
                stream_options={"include_usage": True},
                max_tokens=reply_tokens,
            )
        )
        chunks = iter(stream)
        usage = None
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, None, abandon_on_cancel=True)
            if chunk is None:
                break
            usage = chunk.usage or usage
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
                    yield _sse("token", {"text": choice.delta.content})
        reply = await anyio.to_thread.run_sync(
            lambda: store.append(conversation_id, "assistant", "".join(pieces), model=model)
        )
        saved = True
        usage_out = usage.model_dump() if usage is not None else None
        yield _sse("done", {"message": reply.model_dump(), "usage": usage_out})
    except openai.APIError as exc:
        logger.warning("chat reply failed: %s", exc)
        detail = _provider_problem(exc, model)
        if pieces:
            await anyio.to_thread.run_sync(
                lambda: store.append(
                    conversation_id, "assistant", "".join(pieces), "interrupted", model
                )
            )
        saved = True
        yield _sse("error", {"detail": detail})
    finally:
        if not saved and pieces:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    lambda: store.append(
                        conversation_id, "assistant", "".join(pieces), "interrupted", model
                    )
                )
            logger.info("client left mid-reply; saved %d pieces as interrupted", len(pieces))
        if stream is not None:
            _close_quietly(stream)


def serve_chat(
    host: str = "127.0.0.1",
    port: int = 8000,
    database: str | None = None,
    model: str | None = None,
) -> None:
    """Serve the chat page and API in the foreground until Ctrl-C."""
    import uvicorn

    from aieng.settings import state_dir

    path = database or str(state_dir() / "chat.sqlite3")
    with ConversationStore(path) as store:
        app = create_chat_app(store, model=model)
        print(f"chat on http://{host}:{port}/ (conversations in {path}; Ctrl-C to stop)")
        uvicorn.run(app, host=host, port=port, log_level="warning")
