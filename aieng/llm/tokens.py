"""Token counting with OpenAI's real encodings, offline.

``tiktoken`` downloads its BPE files at first use, which fails offline;
``bpe-openai`` ships ``o200k_base`` and ``cl100k_base`` with the same ids.

Example:
    >>> encoding("cl100k_base").encode("Hello world")
    [9906, 1917]
"""

from __future__ import annotations

from functools import cache

DEFAULT_ENCODING = "o200k_base"
# Every chat message costs a few tokens of framing on top of its content
# (OpenAI's published accounting for its chat formats).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


@cache
def encoding(name: str = DEFAULT_ENCODING):
    """The tiktoken-style encoding ``name`` (``o200k_base`` or ``cl100k_base``)."""
    import bpe_openai  # 0.45 s to load its tables: only when tokens are counted

    return bpe_openai.get_encoding(name)


def encoding_for(model: str):
    """The encoding a model uses: cl100k for GPT-3.5/4 era names, else o200k."""
    legacy = ("gpt-3.5", "gpt-4-", "gpt-4")
    if model.startswith(legacy) and not model.startswith(("gpt-4o", "gpt-4.1")):
        return encoding("cl100k_base")
    return encoding(DEFAULT_ENCODING)


def count_tokens(text: str, model: str = "course-mini") -> int:
    """Number of tokens in ``text`` for ``model``."""
    return len(encoding_for(model).encode_ordinary(text))


def count_message_tokens(messages: list[dict], model: str = "course-mini") -> int:
    """Prompt tokens of a chat request, framing included."""
    enc = encoding_for(model)
    total = TOKENS_PER_REPLY
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key in ("role", "content", "name"):
            value = message.get(key)
            if isinstance(value, str):
                total += len(enc.encode_ordinary(value))
            elif isinstance(value, list):  # content parts
                for part in value:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        total += len(enc.encode_ordinary(part["text"]))
        for call in message.get("tool_calls") or []:
            function = call.get("function", {}) if isinstance(call, dict) else {}
            total += len(enc.encode_ordinary(str(function.get("name", ""))))
            total += len(enc.encode_ordinary(str(function.get("arguments", ""))))
    return total
