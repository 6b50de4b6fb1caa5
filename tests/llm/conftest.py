"""The course model on loopback, once per session, and clients that talk to it."""

from __future__ import annotations

import httpx
import openai
import pytest

from aieng.llm.course_model import BackgroundServer


@pytest.fixture(scope="session")
def hardened_server():
    """A course model with the prompt-injection defense switched on."""
    with BackgroundServer(hardened=True) as server:
        yield server


@pytest.fixture
def client(course_server):
    """The official client, unchanged, with retries off so each status shows."""
    with openai.OpenAI(
        base_url=course_server.url + "/v1", api_key="course", max_retries=0, timeout=60
    ) as official:
        yield official


@pytest.fixture
def raw(course_server):
    """Plain httpx on the server's root URL, for byte-level checks."""
    with httpx.Client(base_url=course_server.url, timeout=60) as http:
        yield http
