"""Servers for the chat tests: the course model and the chat service, both on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aieng.chat import ConversationStore, create_chat_app


@dataclass
class LiveChat:
    """A chat service on a real uvicorn loopback server."""

    url: str
    store: ConversationStore
    path: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_app(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yield its base URL; stop it."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the chat service did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def make_chat(tmp_path, course_client):
    """Start a chat service: ``make_chat(model="course-large", reply_tokens=...)``."""
    started = []

    def make(model: str = "course-mini", **options) -> LiveChat:
        path = tmp_path / f"chat-{len(started)}.sqlite3"
        store = ConversationStore(path)
        app = create_chat_app(store, client=course_client, model=model, **options)
        serving = serve_app(app)
        url = next(serving)
        started.append((serving, store))
        return LiveChat(url=url, store=store, path=path)

    yield make
    for serving, store in started:
        serving.close()
        store.close()
