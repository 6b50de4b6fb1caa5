"""The provider feature table, its environment overrides, and falling back once."""

from __future__ import annotations

import logging

import pytest

from aieng.errors import UserError
from aieng.llm import supports
from aieng.llm.features import FEATURES, fall_back


def test_the_table_is_generous_for_course_and_openai_and_conservative_for_compatible():
    for feature in FEATURES:
        assert supports(feature, "course") and supports(feature, "openai")
    assert not supports("json_schema", "compatible")
    assert not supports("tool_choice", "compatible")
    assert not supports("stream_usage", "compatible")
    assert supports("tools", "compatible")


def test_the_configured_provider_is_the_default(monkeypatch):
    assert supports("json_schema")
    monkeypatch.setenv("AIENG_PROVIDER", "compatible")
    assert not supports("json_schema")


def test_environment_overrides_the_table(monkeypatch):
    monkeypatch.setenv("AIENG_FEATURE_JSON_SCHEMA", "1")
    assert supports("json_schema", "compatible")
    monkeypatch.setenv("AIENG_FEATURE_JSON_SCHEMA", "0")
    assert not supports("json_schema", "course")
    monkeypatch.setenv("AIENG_FEATURE_JSON_SCHEMA", "maybe")
    with pytest.raises(UserError, match="AIENG_FEATURE_JSON_SCHEMA='maybe' is not a switch"):
        supports("json_schema", "course")


def test_unknown_names_are_user_errors():
    with pytest.raises(UserError, match="unknown feature 'vision'"):
        supports("vision", "course")
    with pytest.raises(UserError, match="unknown provider 'azure'"):
        supports("tools", "azure")


def test_a_fallback_lasts_for_the_process_and_warns_once(caplog):
    with caplog.at_level(logging.WARNING, logger="aieng.llm.features"):
        fall_back("tool_choice", "openai", instead="letting the model choose")
        fall_back("tool_choice", "openai", instead="letting the model choose")
    assert not supports("tool_choice", "openai")
    assert supports("tool_choice", "course")
    assert [r.getMessage() for r in caplog.records] == [
        "provider openai does not support tool_choice; falling back to letting the model choose"
    ]
