"""Test doubles for labs and tests: clients that record or script the model.

They are product, not test scaffolding: lab notebooks use them to check a
learner's code without depending on what a model happens to say.

Example:
    >>> client = scripted_client("Paris [doc-1].")
    >>> client.chat.completions.create(model="x", messages=[]).choices[0].message.content
    'Paris [doc-1].'
"""

from __future__ import annotations

import json

import httpx
import openai

SCRIPTED_URL = "http://scripted.invalid/v1"


def recording_client(base: openai.OpenAI) -> tuple[openai.OpenAI, list[dict]]:
    """A client like ``base`` that also keeps the JSON body of every request it sends."""
    sent: list[dict] = []

    def record(request: httpx.Request) -> None:
        sent.append(json.loads(request.content))

    http = httpx.Client(event_hooks={"request": [record]})
    return openai.OpenAI(base_url=str(base.base_url), api_key=base.api_key, http_client=http), sent


def _completion(content: str) -> dict:
    return {
        "id": "scripted",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
    }


def sequence_client(*replies: str | dict | tuple[int, dict]) -> tuple[openai.OpenAI, list[dict]]:
    """A client that gives ``replies`` in order (the last one repeats) and keeps each request.

    A reply is the assistant's text, a whole completion body (dict), or a
    ``(status, body)`` pair for an error. Useful to show a repair: first a
    broken reply, then a valid one.

    Example:
        >>> client, sent = sequence_client("not json", '{"ok": true}')
    """
    if not replies:
        raise ValueError("give at least one reply")
    queue, sent = list(replies), []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, tuple):
            return httpx.Response(reply[0], json=reply[1])
        return httpx.Response(200, json=_completion(reply) if isinstance(reply, str) else reply)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = openai.OpenAI(base_url=SCRIPTED_URL, api_key="test", max_retries=0, http_client=http)
    return client, sent


def scripted_client(
    reply: str | None = None, *, status: int = 200, body: dict | None = None
) -> openai.OpenAI:
    """A client whose every request gets the same answer, with no model behind it.

    Args:
        reply: the assistant text of a chat completion to return.
        status: the HTTP status to answer with (e.g. 429 to test retries).
        body: the whole JSON body to answer with, instead of ``reply``.
    """
    if body is None:
        body = _completion(reply or "")
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return openai.OpenAI(
        base_url=SCRIPTED_URL,
        api_key="test",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
