"""Shared test isolation: no provider settings leak in, no real network goes out.

Every test runs with the provider variables removed, ``AIENG_HOME`` in a
temporary folder, and outgoing connections allowed only to loopback and unix
sockets (the course model runs on loopback).
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

SCRUBBED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "AIENG_PROVIDER",
    "AIENG_COURSE_MODEL_URL",
)


class NetworkBlocked(RuntimeError):
    """A test tried to reach a non-loopback address."""


def _scrub(mp: pytest.MonkeyPatch, home) -> None:
    for name in list(os.environ):
        if name in SCRUBBED or name.startswith("AIENG_MODEL_"):
            mp.delenv(name, raising=False)
    mp.setenv("AIENG_HOME", str(home))


def _is_loopback(host) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a host name other than localhost would need DNS
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _check(family, address) -> None:
    if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, str | bytes):
        return  # unix socket path
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback(host):
        raise NetworkBlocked(f"tests may not reach the network: connection to {address!r}")


@pytest.fixture(scope="session", autouse=True)
def _clean_session_environment(tmp_path_factory):
    """Session-scoped servers are built before function fixtures run: scrub for them too."""
    with pytest.MonkeyPatch.context() as mp:
        _scrub(mp, tmp_path_factory.mktemp("aieng-home"))
        yield


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No provider settings from the shell; state in a temporary AIENG_HOME."""
    _scrub(monkeypatch, tmp_path / "aieng-home")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Refuse any connection that is not loopback or a unix socket."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    create_connection = socket.create_connection

    def guarded_connect(self, address):
        _check(self.family, address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        _check(self.family, address)
        return connect_ex(self, address)

    def guarded_create_connection(address, *args, **kwargs):
        _check(None, address)
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)


@pytest.fixture(scope="session")
def course_server():
    """One course model on loopback for the session (its embedding model loads once)."""
    from aieng.llm.course_model import BackgroundServer

    with BackgroundServer() as server:
        yield server


@pytest.fixture
def course_client(course_server):
    """The official client on the course model, retries off."""
    import openai

    with openai.OpenAI(
        base_url=course_server.url + "/v1", api_key="course", max_retries=0, timeout=60
    ) as client:
        yield client
