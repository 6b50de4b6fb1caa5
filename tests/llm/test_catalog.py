"""Model aliases, prices and token counts."""

from __future__ import annotations

import pytest

from aieng.errors import ConfigurationError, UserError
from aieng.llm import cost_usd, count_message_tokens, count_tokens, encoding, resolve_model
from aieng.llm.catalog import aliases, course_models


def test_aliases_map_per_provider():
    assert resolve_model("chat-small", "course") == "course-mini"
    assert resolve_model("chat-large", "course") == "course-large"
    assert resolve_model("embed", "openai").startswith("text-embedding")
    assert resolve_model("some-real-model", "openai") == "some-real-model"


def test_alias_override_from_environment(monkeypatch):
    monkeypatch.setenv("AIENG_MODEL_CHAT_SMALL", "qwen2.5:7b")
    assert resolve_model("chat-small", "compatible") == "qwen2.5:7b"


def test_unknown_provider_is_a_user_error():
    with pytest.raises(UserError, match="unknown provider"):
        aliases("azure")


def test_course_models_differ_in_speed_context_and_quality():
    models = course_models()
    mini, large = models["course-mini"], models["course-large"]
    assert mini.context_window < large.context_window
    assert mini.latency_ms < large.latency_ms
    assert mini.quality != large.quality
    assert models["course-embed"].dimensions == 384


def test_cost_uses_list_prices():
    assert cost_usd("course-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert cost_usd("course-large", 0, 1_000_000) == pytest.approx(10.0)
    assert cost_usd("no-such-model", 1000, 1000) == 0.0


def test_token_counts_use_openai_encodings_offline():
    # The same ids as tiktoken: cl100k "Hello world" -> [9906, 1917].
    assert encoding("cl100k_base").encode("Hello world") == [9906, 1917]
    assert encoding("o200k_base").encode("Hello world") == [13225, 2375]
    assert count_tokens("Hello world") == 2


def test_message_tokens_include_framing():
    messages = [{"role": "user", "content": "Hello world"}]
    assert count_message_tokens(messages) == count_tokens("Hello world") + count_tokens("user") + 6


def test_provider_errors_name_the_missing_variable(monkeypatch):
    from aieng.llm import client

    monkeypatch.setenv("AIENG_PROVIDER", "openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        client()
    monkeypatch.setenv("AIENG_PROVIDER", "compatible")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_BASE_URL"):
        client()
    monkeypatch.setenv("AIENG_PROVIDER", "bogus")
    with pytest.raises(ConfigurationError, match="AIENG_PROVIDER"):
        client()
