"""Running the course model: in the foreground, in a thread, or on demand.

``ensure_running()`` is what ``aieng.llm.client()`` calls: it reuses a course
model that is already up (``AIENG_COURSE_MODEL_URL``, or the discovery file in
the state folder) so that one JupyterLab session shares one server across
notebooks, and otherwise starts one in a background process on a free
loopback port. That process stops itself after an idle spell, so no orphan
outlives the work.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from aieng.errors import ConfigurationError
from aieng.llm.course_model.build import build_id
from aieng.llm.course_model.faults import FaultSettings, parse_faults
from aieng.settings import state_dir

logger = logging.getLogger(__name__)

URL_VARIABLE = "AIENG_COURSE_MODEL_URL"
DISCOVERY_FILE = "course-model.json"
DEFAULT_IDLE_TIMEOUT_S = 1800
START_TIMEOUT_S = 120  # a loaded 2-core machine can take a while


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(url: str, timeout: float) -> dict | None:
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    if isinstance(body, dict) and body.get("service") == "aieng-course-model":
        return body
    return None


def is_course_model(url: str, timeout: float = 1.0, same_build: bool = False) -> bool:
    """Whether a course model answers at ``url`` (http://host:port).

    With ``same_build``, only one running this very code counts: a server
    started before the package changed is not reused.
    """
    body = _health(url, timeout)
    if body is None:
        return False
    return not same_build or body.get("build") == build_id()


def _uvicorn_config(app, host: str, port: int):
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    faults: str | None = None,
    hardened: bool = False,
    seed: int = 0,
    idle_timeout: float | None = None,
    discovery: bool = True,
) -> None:
    """Serve in the foreground until interrupted (or idle for ``idle_timeout`` s)."""
    import uvicorn

    from aieng.llm.course_model.app import create_app

    settings = parse_faults(faults or os.environ.get("AIENG_COURSE_FAULTS"))
    app = create_app(settings, hardened=hardened, seed=seed)
    server = uvicorn.Server(_uvicorn_config(app, host, port))
    url = f"http://{host}:{port}"
    if discovery:
        _write_discovery(url)
    if idle_timeout:

        def watch() -> None:
            while not server.should_exit:
                time.sleep(min(5.0, idle_timeout))
                if time.monotonic() - app.state.course.last_request > idle_timeout:
                    logger.info("course model idle for %ss; stopping", idle_timeout)
                    server.should_exit = True

        threading.Thread(target=watch, daemon=True).start()
    print(f"course model listening on {url}/v1 (Ctrl-C to stop)", flush=True)
    try:
        server.run()
    finally:
        if discovery:
            _clear_discovery(url)


class BackgroundServer:
    """A course model on a free loopback port in a daemon thread (tests, bench).

    >>> with BackgroundServer() as server:
    ...     base_url = server.url + "/v1"
    """

    def __init__(
        self, faults: FaultSettings | None = None, hardened: bool = False, seed: int = 0
    ) -> None:
        import uvicorn

        from aieng.llm.course_model.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(faults, hardened=hardened, seed=seed)
        self._server = uvicorn.Server(_uvicorn_config(self.app, "127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the course model did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _discovery_path() -> Path:
    return state_dir() / DISCOVERY_FILE


def _write_discovery(url: str) -> None:
    _discovery_path().write_text(json.dumps({"url": url, "pid": os.getpid()}))


def _clear_discovery(url: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        path = _discovery_path()
        if json.loads(path.read_text()).get("url") == url:
            path.unlink()


def _discovered_url() -> str | None:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(_discovery_path().read_text()).get("url")
    return None


def ensure_running() -> str:
    """The URL (without /v1) of a running course model, starting one if needed."""
    explicit = os.environ.get(URL_VARIABLE)
    if explicit:
        if not is_course_model(explicit, timeout=5):
            raise ConfigurationError(
                f"{URL_VARIABLE}={explicit} does not answer as a course model; "
                "start one with `aieng serve` or unset the variable"
            )
        return explicit.rstrip("/")
    lock_path = state_dir() / "course-model.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one notebook starts it, the others reuse it
        url = _discovered_url()
        if url and is_course_model(url, same_build=True):
            return url
        if url and is_course_model(url):
            _stop_stale()  # an older build of ours: replace it
        return _spawn()


def _stop_stale() -> None:
    with contextlib.suppress(OSError, ValueError, TypeError):
        pid = int(json.loads(_discovery_path().read_text())["pid"])
        os.kill(pid, signal.SIGTERM)
        logger.info("stopped course model pid %s: it runs an older build", pid)


def _spawn() -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = state_dir() / "course-model.log"
    command = [
        sys.executable,
        "-m",
        "aieng.llm.course_model",
        "--port",
        str(port),
        "--idle-timeout",
        str(DEFAULT_IDLE_TIMEOUT_S),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives the kernel; stops itself when idle
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(
                f"the course model exited at start (code {process.returncode}); see {log_path}"
            )
        if is_course_model(url, timeout=0.5, same_build=True):
            logger.info("started the course model at %s (pid %s)", url, process.pid)
            return url
        time.sleep(0.1)
    process.terminate()
    raise ConfigurationError(
        f"the course model did not start within {START_TIMEOUT_S}s; see {log_path}"
    )
