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
        body = {
            "id": "scripted",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply or ""},
                }
            ],
        }
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return openai.OpenAI(
        base_url=SCRIPTED_URL,
        api_key="test",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
