"""The course model: an offline, deterministic, OpenAI-compatible server.

    >>> from aieng.llm.course_model import BackgroundServer
    >>> with BackgroundServer() as server:
    ...     client = openai.OpenAI(base_url=server.url + "/v1", api_key="course")

See ``engine`` for the rules it answers by, ``faults`` for fault injection,
and the ``hardened`` switch for the prompt-injection defense.
"""

from aieng.llm.course_model.faults import FaultSettings, parse_faults
from aieng.llm.course_model.server import BackgroundServer, ensure_running, serve


def create_app(*args, **kwargs):
    """The ASGI app (imported lazily: FastAPI is not needed to use the client)."""
    from aieng.llm.course_model.app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = [
    "BackgroundServer",
    "FaultSettings",
    "create_app",
    "ensure_running",
    "parse_faults",
    "serve",
]
