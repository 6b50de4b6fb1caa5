"""A fresh course model for each graded submission, reachable from the sandbox.

The course model keeps a seeded sequence for sampling, so a model shared by
several learners would make one learner's replies depend on another's
traffic. Each submission therefore gets its own model, served by the grading
worker in a thread (the app's modules are imported once, so it starts in
milliseconds):

- on a loopback port when kernels run without a sandbox;
- on a unix socket when kernels run in bubblewrap, which has no network:
  ``python -I .../bridge.py PORT SOCKET -- CMD...`` runs first inside the
  sandbox, listens on ``127.0.0.1:PORT`` there, forwards each connection to
  the socket (bound into the sandbox), and then becomes ``CMD``, the kernel.
  Learner code keeps using ``http://127.0.0.1:PORT`` unchanged. It runs as
  a script (standard library only), so it starts without importing nbgrader.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator

__all__ = ["SANDBOX_MODEL_PORT", "bridge_command", "course_model_served"]

SANDBOX_MODEL_PORT = 8765
START_TIMEOUT_S = 30


def bridge_command(socket_path: str, command: list[str]) -> list[str]:
    """``command`` preceded by the in-sandbox forwarder to ``socket_path``."""
    return [
        sys.executable,
        "-I",
        os.path.abspath(__file__),
        str(SANDBOX_MODEL_PORT),
        socket_path,
        "--",
        *command,
    ]


def _prompt_server(config):
    """A ``uvicorn.Server`` that stops at once: no fixed 0.1 s waits (0.2 s a submission).

    By the time a grading model stops, its kernel is dead and no connection is open,
    so there is nothing to wait for.
    """
    import uvicorn

    class PromptServer(uvicorn.Server):
        async def main_loop(self) -> None:
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 1) % 864000
                await asyncio.sleep(0.01)

        async def shutdown(self, sockets=None) -> None:
            for server in self.servers:
                server.close()
            for sock in sockets or []:
                sock.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()
            for server in self.servers:
                await server.wait_closed()

    return PromptServer(config)


@contextlib.contextmanager
def course_model_served(*, port: int = 0, socket_path: str = "") -> Iterator[None]:
    """Serve a fresh course model on ``socket_path`` (a unix socket) or ``port``."""
    import uvicorn

    from aieng.llm.course_model.app import create_app

    if socket_path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        config = uvicorn.Config(
            create_app(), uds=socket_path, log_level="warning", access_log=False, lifespan="off"
        )
    else:
        config = uvicorn.Config(
            create_app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    server = _prompt_server(config)
    server.install_signal_handlers = lambda: None  # not the main thread
    thread = threading.Thread(target=server.run, daemon=True, name="aieng-course-model")
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the grading course model did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


def _forward(listener: socket.socket, socket_path: str) -> None:
    async def handle(reader, writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(socket_path)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    async def main() -> None:
        server = await asyncio.start_server(handle, sock=listener)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def main(argv: list[str]) -> None:
    """``PORT SOCKET -- CMD...``: forward PORT to SOCKET in a child, exec CMD."""
    port, socket_path, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -I bridge.py PORT SOCKET -- CMD...")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(port)))
    listener.listen(64)
    if os.fork() == 0:  # the forwarder; it dies with the sandbox's PID namespace
        try:
            _forward(listener, socket_path)
        finally:
            os._exit(0)
    listener.close()
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
