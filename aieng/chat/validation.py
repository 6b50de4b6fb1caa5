"""Checking chat input before it reaches a model or the database.

``ChatMessage`` is the trust boundary for one message: a role the API knows,
text that is not empty, not too long, and free of control characters and of
the bidirectional overrides that make text display differently from what it
says ("Trojan Source"). ``check_budget`` checks a whole conversation against a
model's context window, leaving room for the reply. Every rejection says what
to do about it.

Example:
    >>> ChatMessage(role="user", content="Where is my order ORD-104233?").content
    'Where is my order ORD-104233?'
    >>> check_message("user", "   ")  # raises UserError:
    ... # "the message is empty: type some text before sending (...)"
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StrictStr
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from aieng.errors import UserError

ROLES = ("system", "user", "assistant")
MAX_MESSAGE_CHARS = 8000
DEFAULT_REPLY_TOKENS = 1024
# Control characters a person types on purpose.
ALLOWED_CONTROLS = frozenset("\n\t")
# Bidirectional embeddings, overrides and isolates: they reorder how text is
# displayed, so what a reviewer reads is not what the model receives.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Context windows of well-known hosted models, for providers other than the
# course model (whose windows come from the catalog).
KNOWN_CONTEXT_WINDOWS = {
    "gpt-4.1": 1_047_576,
    "gpt-4.1-mini": 1_047_576,
    "gpt-4.1-nano": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
}
FALLBACK_CONTEXT_WINDOW = 8192

Role = Literal["system", "user", "assistant"]


def _normalize_newlines(value: Any) -> Any:
    """Windows line endings become plain newlines; a lone carriage return stays (and fails)."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def find_bad_character(text: str) -> tuple[int, str, str] | None:
    """The first forbidden character: (position, character, what it is), or None."""
    for position, char in enumerate(text):
        if char in ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return position, char, "control character"
        if char in BIDI_CONTROLS:
            return position, char, "bidirectional override character"
        if category == "Cs":
            return position, char, "lone surrogate"
    return None


_WHY = {
    "control character": "newlines and tabs are the only control characters allowed",
    "bidirectional override character": "it makes text display differently from what it says",
    "lone surrogate": "it is not valid Unicode text",
}


def _visible(char: str) -> bool:
    """Whether a character shows: not a space and not an invisible format mark (U+200B...)."""
    return not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc")


def check_text(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Apply the content rules to ``text``; return it unchanged when it passes.

    Raises:
        pydantic_core.PydanticCustomError: with a message saying what to fix.
    """
    if len(text) > max_chars:  # first: the other checks read every character
        raise PydanticCustomError(
            "message_too_long",
            "the message is {length} characters long and the limit is {limit}: "
            "shorten it or split it into several messages",
            {"length": len(text), "limit": max_chars},
        )
    bad = find_bad_character(text)
    if bad is not None:
        position, char, kind = bad
        raise PydanticCustomError(
            "message_control_character",
            "the message contains a {kind} (U+{code}) at position {position}: remove it ({why})",
            {"kind": kind, "code": f"{ord(char):04X}", "position": position, "why": _WHY[kind]},
        )
    if not any(_visible(char) for char in text):
        raise PydanticCustomError(
            "message_empty",
            "the message is empty: type some text before sending (spaces, newlines and "
            "invisible characters alone do not count)",
        )
    return text


MessageText = Annotated[StrictStr, BeforeValidator(_normalize_newlines), AfterValidator(check_text)]
"""A string that passes the content rules (use it in request bodies)."""


class ChatMessage(BaseModel):
    """One chat message, checked: ``role`` in system/user/assistant, ``content`` clean text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    content: MessageText

    def as_dict(self) -> dict[str, str]:
        """The message in the shape the chat completions API takes."""
        return {"role": self.role, "content": self.content}


_FRIENDLY = {
    "missing": "{field} is required: add it",
    "string_type": "{field} must be text (a string), not {kind}",
    "literal_error": "{field} must be one of: " + ", ".join(ROLES),
    "extra_forbidden": "{field} is not a field this accepts: remove it",
    "json_invalid": "the request body is not valid JSON: send a JSON object",
    "model_attributes_type": "the request body must be a JSON object",
    "dict_type": "the request body must be a JSON object",
}


def describe_errors(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Turn pydantic error records (``exc.errors()``) into sentences that say what to do."""
    sentences = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        field = ".".join(location) or "the request body"
        kind = error.get("type", "")
        if kind in _FRIENDLY:
            given = type(error.get("input")).__name__
            names = {"NoneType": "null", "int": "a number", "float": "a number", "list": "a list"}
            names |= {"dict": "an object", "bool": "true/false"}
            sentence = _FRIENDLY[kind].format(field=field, kind=names.get(given, given))
        else:
            sentence = f"{field}: {error.get('msg', 'is not valid')}"
        sentences.append(sentence)
    return sentences


def check_message(role: Any, content: Any) -> ChatMessage:
    """A checked ``ChatMessage``, or ``UserError`` with one sentence per problem.

    Example:
        >>> check_message("user", "Hello\\tthere").content
        'Hello\\tthere'
    """
    try:
        return ChatMessage(role=role, content=content)
    except PydanticValidationError as exc:
        raise UserError("; ".join(describe_errors(exc.errors()))) from None


@dataclass(frozen=True)
class TokenBudget:
    """How a conversation fits a model's context window."""

    model: str
    prompt_tokens: int
    reply_tokens: int
    context_window: int

    @property
    def remaining(self) -> int:
        """Tokens left after the prompt and the reply's reservation (negative: over)."""
        return self.context_window - self.prompt_tokens - self.reply_tokens

    @property
    def fits(self) -> bool:
        return self.remaining >= 0


def context_window(model: str) -> int:
    """The context window of ``model`` in tokens (a conservative default when unknown)."""
    from aieng.llm.catalog import course_models  # imported here: the tokenizer loads slowly

    profile = course_models().get(model)
    if profile is not None:
        return profile.context_window
    for name in sorted(KNOWN_CONTEXT_WINDOWS, key=len, reverse=True):
        if model == name or model.startswith(name + "-"):
            return KNOWN_CONTEXT_WINDOWS[name]
    return FALLBACK_CONTEXT_WINDOW


def token_budget(
    messages: Iterable[ChatMessage | Mapping[str, Any]],
    model: str,
    reply_tokens: int = DEFAULT_REPLY_TOKENS,
    window: int | None = None,
) -> TokenBudget:
    """Measure ``messages`` (framing included) against ``model``'s context window."""
    from aieng.llm.tokens import count_message_tokens

    payload = [m.as_dict() if isinstance(m, ChatMessage) else dict(m) for m in messages]
    return TokenBudget(
        model=model,
        prompt_tokens=count_message_tokens(payload, model),
        reply_tokens=reply_tokens,
        context_window=window or context_window(model),
    )


def check_budget(
    messages: Iterable[ChatMessage | Mapping[str, Any]],
    model: str,
    reply_tokens: int = DEFAULT_REPLY_TOKENS,
    window: int | None = None,
) -> TokenBudget:
    """The conversation's ``TokenBudget``; ``UserError`` when it leaves no room for the reply.

    Raises:
        UserError: the conversation plus ``reply_tokens`` exceeds the context window.
    """
    if reply_tokens < 1:
        raise UserError(f"reply_tokens must be at least 1, not {reply_tokens}")
    budget = token_budget(messages, model, reply_tokens, window)
    if not budget.fits:
        raise UserError(
            f"the conversation is {budget.prompt_tokens} tokens and {budget.reply_tokens} more "
            f"are kept for the reply, which exceeds {model}'s context window of "
            f"{budget.context_window} tokens by {-budget.remaining}: start a new conversation, "
            "shorten the message, or use a model with a larger window"
        )
    return budget
