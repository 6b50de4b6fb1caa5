"""The course model's HTTP face: OpenAI's wire format on FastAPI.

``create_app()`` returns the ASGI app; tests reach it in-process with
``httpx.ASGITransport`` or over loopback with the official ``openai`` client.
Responses are built as bytes (orjson) without response models: the server
must answer in a few milliseconds.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import logging
import random
import threading
import time
from collections.abc import AsyncIterator

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from aieng import __version__
from aieng.llm.catalog import CourseModelProfile, aliases, course_models
from aieng.llm.course_model import output
from aieng.llm.course_model.build import build_id
from aieng.llm.course_model.engine import Task, respond
from aieng.llm.course_model.faults import FAULT_HEADER, FaultInjector, FaultSettings
from aieng.llm.course_model.protocol import (
    ChatRequest,
    InvalidRequest,
    parse_chat_request,
    parse_json,
)
from aieng.llm.tokens import count_message_tokens, count_tokens

logger = logging.getLogger(__name__)

# The course model's clock is frozen so that identical requests give identical
# bytes ("created" is part of the body).
FROZEN_CLOCK = 1767225600  # 2026-01-01T00:00:00Z
FINGERPRINT = "fp_course_" + __version__.replace(".", "")
HARDENED_HEADER = "x-course-hardened"
SERVICE_NAME = "aieng-course-model"
JSON = "application/json"
MAX_BODY_BYTES = 4 * 1024 * 1024


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=JSON, headers=headers)


def _error(exc: InvalidRequest, headers: dict | None = None) -> Response:
    return _json(exc.body(), exc.status, headers)


class CourseModelState:
    """Per-server settings and the seeded streams that make runs replayable."""

    def __init__(self, faults: FaultSettings | None = None, hardened: bool = False, seed: int = 0):
        self.faults = FaultInjector(faults)
        self.hardened = hardened
        self.models = course_models()
        self.aliases = aliases("course")
        self._sampling = random.Random(seed)
        self._lock = threading.Lock()
        self.last_request = time.monotonic()

    def profile(self, name: str) -> CourseModelProfile:
        real = self.aliases.get(name, name)
        if real not in self.models:
            raise InvalidRequest(
                f"The model '{name}' does not exist or you do not have access to it. "
                f"Available: {', '.join(sorted(self.models))}.",
                param="model",
                code="model_not_found",
                status=404,
            )
        return self.models[real]

    def sampling_seed(self, request: ChatRequest) -> int:
        """Seed of the variation: the request's ``seed``, else the server's sequence."""
        if request.seed is not None:
            return request.seed
        with self._lock:
            return self._sampling.randrange(2**32)


def _request_digest(body: bytes, salt: int) -> str:
    return hashlib.sha256(body + str(salt).encode()).hexdigest()[:29]


def create_app(
    faults: FaultSettings | None = None, hardened: bool = False, seed: int = 0
) -> FastAPI:
    """The course model as an ASGI app."""
    app = FastAPI(title="aieng course model", version=__version__, docs_url=None, redoc_url=None)
    state = CourseModelState(faults, hardened, seed)
    app.state.course = state

    @app.exception_handler(InvalidRequest)
    async def invalid(_request: Request, exc: InvalidRequest):
        return _error(exc)

    @app.get("/health")
    async def health():
        return _json(
            {"service": SERVICE_NAME, "version": __version__, "build": build_id(), "status": "ok"}
        )

    def _model_card(name: str) -> dict:
        return {"id": name, "object": "model", "created": FROZEN_CLOCK, "owned_by": "aieng-course"}

    @app.get("/v1/models")
    async def list_models():
        return _json({"object": "list", "data": [_model_card(n) for n in state.models]})

    @app.get("/v1/models/{name}")
    async def get_model(name: str):
        return _json(_model_card(state.profile(name).name))

    async def _apply_faults(request: Request) -> Response | None:
        state.last_request = time.monotonic()
        fault = state.faults.draw(request.headers.get(FAULT_HEADER))
        if fault.latency_s:
            await asyncio.sleep(fault.latency_s)
        if fault.status == 429:
            exc = InvalidRequest(
                "Rate limit reached for requests (course model fault injection). "
                f"Please try again in {fault.retry_after:g}s.",
                code="rate_limit_exceeded",
                status=429,
                kind="requests",
            )
            return _error(exc, {"retry-after": f"{fault.retry_after:g}"})
        if fault.status:
            exc = InvalidRequest(
                "The server had an error while processing your request (course model "
                "fault injection). Retry your request.",
                status=fault.status,
                kind="server_error",
            )
            return _error(exc, {"retry-after": f"{fault.retry_after:g}"})
        return None

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        try:
            faulted = await _apply_faults(request)
            if faulted is not None:
                return faulted
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                raise InvalidRequest(
                    f"The request body is {len(body)} bytes; the course model accepts at most "
                    f"{MAX_BODY_BYTES} bytes. Send fewer or shorter messages.",
                    param="messages",
                    code="request_too_large",
                )
            chat = parse_chat_request(parse_json(body))
            profile = state.profile(chat.model)
            if profile.kind != "chat":
                raise InvalidRequest(
                    f"'{chat.model}' is an embedding model; use a chat model.", param="model"
                )
            prompt_tokens = count_message_tokens(chat.raw_messages, profile.name)
            if chat.tools:  # tool definitions are part of the prompt too
                prompt_tokens += count_tokens(
                    orjson.dumps([t.parameters for t in chat.tools]).decode()
                    + " ".join(t.name + " " + t.description for t in chat.tools),
                    profile.name,
                )
            budget = chat.max_tokens or 0
            if prompt_tokens + budget > profile.context_window:
                raise InvalidRequest(
                    f"This model's maximum context length is {profile.context_window} tokens. "
                    f"However, you requested {prompt_tokens + budget} tokens "
                    f"({prompt_tokens} in the messages, {budget} in the completion). "
                    "Please reduce the length of the messages or completion.",
                    param="messages",
                    code="context_length_exceeded",
                )
            hardened = state.hardened or request.headers.get(HARDENED_HEADER, "") in (
                "1",
                "true",
                "yes",
            )
            seed = state.sampling_seed(chat) if chat.temperature > 0 else 0
        except InvalidRequest as exc:
            return _error(exc)

        if profile.quality == "basic":
            # Lexical rules answer in well under a millisecond: a thread hop costs more.
            choices = _compose(chat, profile, hardened, seed)
        else:  # may load and run the embedding model: keep the event loop free
            choices = await asyncio.to_thread(_compose, chat, profile, hardened, seed)
        digest = _request_digest(body, seed)
        completion_id = "chatcmpl-" + digest
        completion_tokens = sum(c.completion_tokens for c in choices)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        head = {
            "id": completion_id,
            "created": FROZEN_CLOCK,
            "model": profile.name,
            "system_fingerprint": FINGERPRINT,
        }
        if chat.stream:
            events = _stream_events(chat, profile, choices, head, usage, digest)
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        if profile.latency_ms or profile.ms_per_token:
            await asyncio.sleep(
                (profile.latency_ms + profile.ms_per_token * completion_tokens) / 1000
            )
        body_out = {
            **head,
            "object": "chat.completion",
            "choices": [
                {
                    "index": i,
                    "message": c.message(digest),
                    "logprobs": None,
                    "finish_reason": c.finish_reason,
                }
                for i, c in enumerate(choices)
            ],
            "usage": usage,
            "service_tier": "default",
        }
        return _json(body_out)

    @app.post("/v1/embeddings")
    async def embeddings(request: Request):
        try:
            faulted = await _apply_faults(request)
            if faulted is not None:
                return faulted
            data = parse_json(await request.body())
            profile = state.profile(str(data.get("model") or ""))
            if profile.kind != "embedding":
                raise InvalidRequest(
                    f"'{profile.name}' is a chat model; use an embedding model "
                    "such as 'course-embed'.",
                    param="model",
                )
            texts = _embedding_inputs(data)
            dims = data.get("dimensions")
            if dims is not None and dims != profile.dimensions:
                raise InvalidRequest(
                    f"'{profile.name}' makes {profile.dimensions}-dimensional vectors; "
                    f"'dimensions'={dims!r} is not supported.",
                    param="dimensions",
                )
            fmt = data.get("encoding_format", "float")
            if fmt not in ("float", "base64"):
                raise InvalidRequest(
                    "'encoding_format' must be 'float' or 'base64'.", param="encoding_format"
                )
        except InvalidRequest as exc:
            return _error(exc)

        from aieng.llm.embeddings import embed

        vectors = await asyncio.to_thread(embed, texts)
        data_out = []
        for i, vector in enumerate(vectors):
            if fmt == "base64":
                encoded = base64.b64encode(vector.astype("<f4").tobytes()).decode()
            else:
                encoded = [float(x) for x in vector]
            data_out.append({"object": "embedding", "index": i, "embedding": encoded})
        tokens = sum(count_tokens(t, profile.name) for t in texts)
        return _json(
            {
                "object": "list",
                "data": data_out,
                "model": profile.name,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    # Everything loaded so far lives as long as the server: move it out of the
    # collector's reach, or a full collection pauses a request every ~100 calls.
    gc.collect()
    gc.freeze()
    return app


def _embedding_inputs(data: dict) -> list[str]:
    raw = data.get("input")
    if raw is None:
        raise InvalidRequest("Missing required parameter: 'input'.", param="input")
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items:
        raise InvalidRequest("'input' must be a string or a non-empty array.", param="input")
    if len(items) > 2048:
        raise InvalidRequest("'input' may hold at most 2048 items.", param="input")
    texts = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            if not item:
                raise InvalidRequest(f"'input[{i}]' is empty.", param="input")
            texts.append(item)
        elif isinstance(item, list) and all(isinstance(t, int) for t in item):
            from aieng.llm.tokens import encoding

            if not all(0 <= t < encoding().n_vocab for t in item):
                raise InvalidRequest(f"'input[{i}]' holds an unknown token id.", param="input")
            try:
                texts.append(encoding().decode(item))
            except (KeyError, ValueError):
                raise InvalidRequest(
                    f"'input[{i}]' holds an unknown token id.", param="input"
                ) from None
        else:
            raise InvalidRequest(
                f"'input[{i}]' must be a string or an array of token ids.", param="input"
            )
    return texts


def _compose(
    chat: ChatRequest, profile: CourseModelProfile, hardened: bool, seed: int
) -> list[output.Choice]:
    choices = []
    for index in range(chat.n):
        task = Task(
            messages=chat.messages,
            profile=profile,
            tools=chat.tools,
            tool_choice=chat.tool_choice,
            response_format=chat.response_format,
            temperature=chat.temperature,
            rng=random.Random(seed * 1_000_003 + index),
            hardened=hardened,
        )
        reply = respond(task)
        choices.append(output.finalize(reply, chat, task, index))
    return choices


def _sse(data: dict) -> bytes:
    return b"data: " + orjson.dumps(data) + b"\n\n"


async def _stream_events(
    chat: ChatRequest,
    profile: CourseModelProfile,
    choices: list[output.Choice],
    head: dict,
    usage: dict,
    digest: str,
) -> AsyncIterator[bytes]:
    base = {**head, "object": "chat.completion.chunk"}
    extra = {"usage": None} if chat.include_usage else {}
    pace = profile.ms_per_token / 1000

    def chunk(index: int, delta: dict, finish: str | None = None) -> bytes:
        return _sse(
            {
                **base,
                "choices": [
                    {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
                **extra,
            }
        )

    if profile.latency_ms:
        await asyncio.sleep(profile.latency_ms / 1000)
    for index, choice in enumerate(choices):
        yield chunk(index, {"role": "assistant", "content": "", "refusal": None})
        for piece in choice.content_pieces():
            if pace:
                await asyncio.sleep(pace)
            yield chunk(index, {"content": piece})
        for piece in choice.refusal_pieces():
            if pace:
                await asyncio.sleep(pace)
            yield chunk(index, {"refusal": piece})
        for position, call in enumerate(choice.tool_calls(digest)):
            arguments = call["function"]["arguments"]
            first = {
                "index": position,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            yield chunk(index, {"tool_calls": [first]})
            for piece in output.split_json(arguments):
                if pace:
                    await asyncio.sleep(pace)
                yield chunk(
                    index, {"tool_calls": [{"index": position, "function": {"arguments": piece}}]}
                )
        yield chunk(index, {}, choice.finish_reason)
    if chat.include_usage:
        yield _sse({**base, "choices": [], "usage": usage})
    yield b"data: [DONE]\n\n"
