"""The input a structured-output request is about, and the worked examples before it.

A prompt contract sends instructions, a few worked examples (user/assistant
pairs whose answers are JSON for the same schema) and then the real input,
often wrapped in delimiters (``<input>...</input>``, triple quotes, a code
fence). Extraction must read the final input only: the example inputs are
there to show the answer's shape, not to be answered again.

Example:
    >>> unwrap('Extract the fields.\\n<input>\\nBook 2 rooms\\n</input>')
    'Book 2 rooms'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from aieng.llm.course_model.engine import Task

TAGGED = re.compile(
    r"(?:^|(?<=\n)|(?<=:)[ \t]*)[ \t]*<(?P<tag>[A-Za-z][\w-]{0,30})(?:\s[^<>\n]*)?>"
    r"(?P<body>.*?)</(?P=tag)\s*>(?=[ \t]*(?:\n|$))",
    re.S,
)
FENCED = re.compile(r"```[\w-]*[ \t]*\n(?P<body>.*?)\n?```", re.S)
QUOTED = re.compile(r"(?P<q>\"{3}|'{3})(?P<body>.*?)(?P=q)", re.S)
MARKER = re.compile(
    r"(?im)^[ \t]*(?:#{3,}|-{3,}|={3,})[ \t]*(?:(?:input|text|email|document)\b.*)?$"
)


@dataclass(frozen=True)
class Example:
    """One worked example: the input a user gave and the JSON answer shown for it."""

    text: str
    answer: dict


def unwrap(text: str) -> str:
    """The delimited part of a message (tags, triple quotes, a fence), else the message.

    Several delimited blocks are joined; a block whose content is itself a JSON schema
    or an instruction-sized line stays part of the whole.
    """
    for pattern in (TAGGED, QUOTED, FENCED):
        bodies = []
        for found in pattern.finditer(text):
            body = found.group("body") or ""
            if body.strip() and not _is_json(body):
                bodies.append(body.strip())
        if bodies:
            return "\n\n".join(bodies)
    parts = MARKER.split(text)
    if len(parts) >= 2 and parts[-1].strip() and len(parts[-1]) > len(parts[0]) / 2:
        return parts[-1].strip()
    return text


def _is_json(text: str) -> bool:
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return False
    try:
        orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return False
    return True


def answer_object(text: str) -> dict | None:
    """The JSON object an assistant message holds (bare or fenced), else None."""
    stripped = text.strip()
    fenced = FENCED.search(stripped)
    if fenced:
        stripped = fenced.group("body").strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def examples(task: Task) -> list[Example]:
    """The worked examples: each user message answered by an assistant's JSON object."""
    out = []
    messages = task.messages
    for i, message in enumerate(messages[:-1]):
        if message.role != "user" or messages[i + 1].role != "assistant":
            continue
        answer = answer_object(messages[i + 1].content)
        if answer is not None:
            out.append(Example(unwrap(message.content), answer))
    return out


def final_input(task: Task) -> str | None:
    """The last user message, unwrapped, when the conversation before it is worked
    examples (assistant turns that are JSON answers) or the message is delimited;
    None when the whole conversation is the input (a plain multi-turn chat)."""
    last = None
    for index in range(len(task.messages) - 1, -1, -1):
        if task.messages[index].role == "user":
            last = index
            break
    if last is None:
        return None
    if any(m.role == "tool" for m in task.messages[last:]):
        return None  # tool results after the request are input too
    text = task.messages[last].content
    unwrapped = unwrap(text)
    if examples(task) or unwrapped != text:
        return unwrapped
    return None
