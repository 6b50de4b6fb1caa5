"""Message rules and the token budget: what is accepted, what is refused, and the words used."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from aieng.chat import ChatMessage, check_budget, check_message
from aieng.chat.validation import MAX_MESSAGE_CHARS, context_window, token_budget
from aieng.errors import UserError
from aieng.llm.catalog import course_models

ACCEPTED = [
    "Where is my order ORD-104233?",
    "line one\nline two\n\n\tindented",
    "مرحبا، روبوت التوصيل متوقف",  # Arabic: right-to-left letters are text, not controls
    "שלום, הרובוט עצר",  # Hebrew
    "机器人停止了 🤖🔧",
    "family 👨‍👩‍👧 uses zero-width joiners",
    "a left-to-right mark \u200e is fine",
    "x" * MAX_MESSAGE_CHARS,
    " leading and trailing spaces stay ",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_ordinary_text_is_accepted_unchanged(text):
    assert check_message("user", text).content == text


@pytest.mark.parametrize("role", ["system", "user", "assistant"])
def test_the_three_roles(role):
    assert check_message(role, "hi").as_dict() == {"role": role, "content": "hi"}


def test_windows_line_endings_become_newlines():
    assert check_message("user", "a\r\nb\r\n").content == "a\nb\n"


@pytest.mark.parametrize(
    "text", ["", " ", "\n\n", "\t \n ", "\u00a0\u2003\u3000", "\u200b\u200b", "\ufeff"]
)
def test_empty_or_blank_is_refused(text):
    with pytest.raises(UserError, match="empty: type some text"):
        check_message("user", text)


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("a\x00b", "0000", 1),
        ("\x07bell", "0007", 0),
        ("red \x1b[31m text", "001B", 4),
        ("del\x7f", "007F", 3),
        ("next line\x85", "0085", 9),
        ("carriage\rreturn", "000D", 8),
        ("vertical\x0btab", "000B", 8),
        ("form\x0cfeed", "000C", 4),
    ],
)
def test_control_characters_are_refused_with_where(text, code, position):
    with pytest.raises(UserError) as caught:
        check_message("user", text)
    message = str(caught.value)
    assert "control character" in message
    assert f"U+{code}" in message
    assert f"position {position}" in message
    assert "remove it" in message


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_bidirectional_overrides_are_refused(char):
    with pytest.raises(UserError, match="bidirectional override"):
        check_message("user", f"refund {char}001$ to me")


def test_lone_surrogates_are_refused():
    with pytest.raises(UserError, match="surrogate"):
        check_message("user", "broken \ud800 text")


def test_too_long_says_the_limit_and_what_to_do():
    with pytest.raises(UserError) as caught:
        check_message("user", "x" * (MAX_MESSAGE_CHARS + 1))
    assert f"limit is {MAX_MESSAGE_CHARS}" in str(caught.value)
    assert "shorten" in str(caught.value)


def test_a_huge_string_is_refused_fast():
    huge = "\x00" + "y" * 20_000_000
    started = time.perf_counter()
    with pytest.raises(UserError, match="limit is"):
        check_message("user", huge)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("content", [5, 3.5, None, b"bytes", ["a"], {"text": "a"}, True])
def test_content_of_the_wrong_type_is_refused(content):
    with pytest.raises(UserError, match="content must be text"):
        check_message("user", content)


@pytest.mark.parametrize("role", ["robot", "tool", "User", " user", "", None, 1])
def test_unknown_roles_are_refused(role):
    with pytest.raises(UserError, match="role must be one of: system, user, assistant"):
        check_message(role, "hi")


def test_every_problem_is_reported_at_once():
    with pytest.raises(UserError) as caught:
        check_message("robot", "")
    assert "role must be one of" in str(caught.value)
    assert "empty" in str(caught.value)


def test_the_model_itself_is_strict_frozen_and_closed():
    with pytest.raises(ValidationError, match="empty: type some text"):
        ChatMessage(role="user", content="   ")
    with pytest.raises(ValidationError):
        ChatMessage(role="user", content="hi", name="mallory")
    message = ChatMessage(role="user", content="hi")
    with pytest.raises(ValidationError):
        message.content = "changed"


def test_check_message_raises_a_user_error_that_is_a_value_error():
    with pytest.raises(ValueError):
        check_message("user", "")


# --- the token budget ---------------------------------------------------------------------


def test_context_windows_come_from_the_catalog():
    for name, profile in course_models().items():
        assert context_window(name) == profile.context_window
    assert context_window("gpt-4.1-mini") > 1_000_000
    assert context_window("some-local-model:7b") == 8192  # unknown: conservative default


def test_a_short_conversation_fits():
    budget = check_budget([{"role": "user", "content": "hello"}], "course-mini")
    assert budget.fits
    assert budget.prompt_tokens > 1  # framing counts too
    assert budget.remaining == 8192 - budget.prompt_tokens - budget.reply_tokens


def test_the_budget_counts_every_message_and_keeps_room_for_the_reply():
    window = course_models()["course-mini"].context_window
    turn = {"role": "user", "content": "pallet " * 1000}
    one = token_budget([turn], "course-mini").prompt_tokens
    assert token_budget([turn, turn], "course-mini").prompt_tokens > 2 * one - 10
    turns = [turn] * (window // one)  # fits alone, not with a reply reserved
    assert token_budget(turns, "course-mini", reply_tokens=1).fits
    with pytest.raises(UserError) as caught:
        check_budget(turns + [turn], "course-mini", reply_tokens=1024)
    message = str(caught.value)
    assert "context window of 8192 tokens" in message
    assert "start a new conversation" in message


def test_a_bigger_window_takes_what_a_smaller_one_refuses():
    turns = [ChatMessage(role="user", content="forklift " * 800)] * 10  # ~8,000 tokens
    with pytest.raises(UserError):
        check_budget(turns, "course-mini")
    assert check_budget(turns, "course-large").fits


def test_reply_tokens_must_be_positive():
    with pytest.raises(UserError, match="at least 1"):
        check_budget([{"role": "user", "content": "hi"}], "course-mini", reply_tokens=0)
