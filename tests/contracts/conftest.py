"""Clients for the contract tests: the course model on loopback, and a scripted fake model."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import openai
import pytest

from aieng.llm.features import reset_fallbacks

FAKE_URL = "http://fake-model.invalid/v1"


@pytest.fixture(autouse=True)
def _no_recorded_fallbacks():
    """A fallback recorded by one test (a fake 400) must not leak into the next."""
    reset_fallbacks()
    yield
    reset_fallbacks()


def completion(content: str | None, refusal: str | None = None) -> dict:
    """A chat completion body with one assistant message."""
    return {
        "id": "fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class FakeModel:
    """Answers each request by ``answer(body)``; keeps every request body in ``sent``.

    ``answer`` returns the reply text, a whole completion body (dict), or a
    ``(status, body)`` pair for an error.
    """

    def __init__(self, answer: Callable[[dict], str | dict | tuple[int, dict]]) -> None:
        self.answer = answer
        self.sent: list[dict] = []

    def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.sent.append(body)
        answer = self.answer(body)
        if isinstance(answer, tuple):
            return httpx.Response(answer[0], json=answer[1])
        if isinstance(answer, str):
            answer = completion(answer)
        return httpx.Response(200, json=answer)

    def client(self) -> openai.OpenAI:
        transport = httpx.MockTransport(self._handle)
        return openai.OpenAI(
            base_url=FAKE_URL,
            api_key="test",
            max_retries=0,
            http_client=httpx.Client(transport=transport),
        )


@pytest.fixture
def fake_model():
    """``fake_model(*answers)``: a ``FakeModel`` giving the answers in order, the last repeated.

    An answer may also be a callable of the request body.
    """

    def make(*answers) -> FakeModel:
        queue = list(answers)

        def answer(body: dict):
            item = queue.pop(0) if len(queue) > 1 else queue[0]
            return item(body) if callable(item) else item

        return FakeModel(answer)

    return make


@pytest.fixture
def body():
    """``body(content, refusal=None)``: a chat completion body."""
    return completion
