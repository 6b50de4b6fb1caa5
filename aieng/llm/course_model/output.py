"""From a skill's ``Reply`` to what goes on the wire.

Applies what the request asked of the output, in this order: strict schema
validity (always valid), sampling quirks of non-strict JSON (a code fence or a
trailing remark, sometimes, at temperature > 0), stop sequences, the token
budget. Counts completion tokens with the real tokenizer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import orjson

from aieng.llm.course_model.engine import ProposedCall, Reply, Task
from aieng.llm.course_model.protocol import ChatRequest
from aieng.llm.tokens import encoding_for

PIECE = re.compile(r"\s*\S+|\s+")
JSON_REMARKS = (
    "Let me know if you need anything else.",
    "I filled in every field I could find.",
    "Hope this helps!",
)


@dataclass(frozen=True)
class Choice:
    index: int
    content: str | None
    refusal: str | None
    calls: tuple[ProposedCall, ...]
    finish_reason: str
    completion_tokens: int

    def tool_calls(self, digest: str) -> list[dict]:
        out = []
        for position, call in enumerate(self.calls):
            call_id = (
                "call_"
                + hashlib.sha256(f"{digest}/{self.index}/{position}".encode()).hexdigest()[:24]
            )
            out.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {
                        "name": call.name,
                        "arguments": orjson.dumps(call.arguments).decode(),
                    },
                }
            )
        return out

    def message(self, digest: str) -> dict:
        message = {
            "role": "assistant",
            "content": self.content,
            "refusal": self.refusal,
            "annotations": [],
        }
        if self.calls:
            message["tool_calls"] = self.tool_calls(digest)
        return message

    def content_pieces(self) -> list[str]:
        return PIECE.findall(self.content) if self.content else []

    def refusal_pieces(self) -> list[str]:
        # With plain text output the refusal is also the content; stream it once.
        if not self.refusal or self.content == self.refusal:
            return []
        return PIECE.findall(self.refusal)


def split_json(text: str, size: int = 12) -> list[str]:
    """Argument JSON in fragments, as a streaming model emits it."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _strict_calls(reply: Reply, task: Task) -> tuple[ProposedCall, ...]:
    from aieng.llm.course_model.skills.extract import coerce_to_schema

    by_name = {t.name: t for t in task.tools}
    calls = []
    for call in reply.tool_calls:
        tool = by_name.get(call.name)
        if tool is not None and tool.strict:
            calls.append(ProposedCall(call.name, coerce_to_schema(call.arguments, tool.parameters)))
        else:
            calls.append(call)
    return tuple(calls)


def _strict_content(content: str, task: Task) -> str:
    from aieng.llm.course_model.skills.extract import coerce_to_schema

    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        value = None
    fixed = coerce_to_schema(value, task.response_format.schema or {})
    return orjson.dumps(fixed).decode()


def _sampling_quirks(content: str, task: Task) -> str:
    """At temperature > 0, non-strict JSON sometimes comes fenced or with a remark."""
    roll = task.rng.random()
    chance = min(0.6, 0.3 * task.temperature)
    if roll < chance / 2:
        return f"```json\n{content}\n```"
    if roll < chance:
        return f"{content}\n\n{task.choose(list(JSON_REMARKS))}"
    return content


def finalize(reply: Reply, chat: ChatRequest, task: Task, index: int) -> Choice:
    fmt = chat.response_format
    content, refusal = reply.content, reply.refusal
    if refusal is not None and fmt.type == "json_schema":
        content = None  # structured outputs put the refusal in its own field
    elif refusal is not None and content is None:
        content = refusal
    calls = _strict_calls(reply, task) if reply.tool_calls else ()
    looks_json = content is not None and content.lstrip()[:1] in ("{", "[")
    if content is not None and refusal is None and not calls:
        if fmt.type == "json_schema" and fmt.strict:
            content = _strict_content(content, task)
        elif looks_json and task.varied:
            content = _sampling_quirks(content, task)

    truncated = False
    enc = encoding_for(chat.model)
    if content is not None:
        for stop in chat.stop:
            cut = content.find(stop)
            if cut >= 0:
                content = content[:cut]
        if chat.max_tokens is not None:
            ids = enc.encode_ordinary(content)
            if len(ids) > chat.max_tokens:
                content = enc.decode(ids[: chat.max_tokens])
                truncated = True
    completion_tokens = len(enc.encode_ordinary(content or ""))
    if refusal is not None and content != refusal:
        completion_tokens += len(enc.encode_ordinary(refusal))
    for call in calls:
        completion_tokens += len(
            enc.encode_ordinary(call.name + orjson.dumps(call.arguments).decode())
        )
    if reply.tool_calls:
        finish = "tool_calls"
    else:
        finish = "length" if truncated else "stop"
    return Choice(index, content, refusal, calls, finish, completion_tokens)
