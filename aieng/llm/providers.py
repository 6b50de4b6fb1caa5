"""``client()``: an ``openai.OpenAI`` for the configured provider.

    AIENG_PROVIDER=course      (default) the offline course model, started on demand
    AIENG_PROVIDER=openai      OpenAI, with OPENAI_API_KEY
    AIENG_PROVIDER=compatible  any OpenAI-compatible server at OPENAI_BASE_URL
                               (Ollama, vLLM, llama.cpp); OPENAI_API_KEY if it wants one

The notebooks ask for model aliases (``model("chat-small")``) so that the same
code runs on every provider.
"""

from __future__ import annotations

import os

import openai

from aieng.errors import ConfigurationError
from aieng.llm.catalog import PROVIDERS, resolve_model

LOCAL_PLACEHOLDER_KEY = "not-needed"


def provider() -> str:
    """The configured provider's name."""
    name = os.environ.get("AIENG_PROVIDER", "course").strip().lower() or "course"
    if name not in PROVIDERS:
        raise ConfigurationError(
            f"AIENG_PROVIDER={name!r} is not a provider: set it to one of {', '.join(PROVIDERS)}"
        )
    return name


def model(alias: str) -> str:
    """The configured provider's model name for ``alias`` (e.g. ``"chat-small"``)."""
    return resolve_model(alias, provider())


def client(**kwargs) -> openai.OpenAI:
    """An ``openai.OpenAI`` client for the configured provider.

    Keyword arguments go to ``openai.OpenAI`` (``max_retries``, ``timeout``...).
    With the course provider, a course model already running is reused; if none
    is, one starts in the background on a free loopback port.
    """
    name = provider()
    if name == "openai":
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigurationError(
                "AIENG_PROVIDER=openai needs OPENAI_API_KEY: export OPENAI_API_KEY=sk-..."
            )
        return openai.OpenAI(api_key=key, base_url="https://api.openai.com/v1", **kwargs)
    if name == "compatible":
        base_url = os.environ.get("OPENAI_BASE_URL")
        if not base_url:
            raise ConfigurationError(
                "AIENG_PROVIDER=compatible needs OPENAI_BASE_URL, "
                "e.g. export OPENAI_BASE_URL=http://localhost:11434/v1"
            )
        key = os.environ.get("OPENAI_API_KEY") or LOCAL_PLACEHOLDER_KEY
        return openai.OpenAI(api_key=key, base_url=base_url, **kwargs)

    from aieng.llm.course_model.server import ensure_running

    return openai.OpenAI(api_key="course", base_url=ensure_running() + "/v1", **kwargs)
