"""The course model's engine: decides what to answer, by general rules.

A request becomes a ``Task``; skills are tried in a fixed order and the first
that applies writes the ``Reply``. No skill keys on known prompts: each reads
the request's structure (tools, schemas, labelled passages, stated labels,
stated scope) and the words of the conversation.

Order, and why:
    1. refusal (policy)   harmful requests are refused whatever else is asked
    2. injection          an "ignore previous instructions" found anywhere is obeyed
                          (naive on purpose; ``hardened`` treats it as data)
    3. stated rules       the rules a system prompt states (forbidden topics, time
                          windows, limits that need approval): a schema with a decision
                          field gets it filled (with reason, reply, language, redacted
                          text) instead of a refusal; without one, a broken rule is
                          refused; plain requests to redact personal data are answered
    4. scope              a system prompt's stated scope is enforced
    5. tool results       once a tool answered, answer from its result
    6. tools              choose a tool and extract its arguments, or ask
    7. structured output  fill the response_format schema from the conversation
    8. grounding          answer from labelled passages with citations, or decline
    9. classification     pick one of the labels the prompt names
   10. summary / rewrite  extractive summaries, rewrites within a stated length
   11. chat               a plain, honest reply

Stated rules come before the scope because a contract whose schema records the
decision must get an answer that fills it (``decision: "refuse"``), not an
outright refusal; with no such field the scope still refuses off-topic chat.
"""

from __future__ import annotations

import contextvars
import dataclasses
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aieng.llm.catalog import CourseModelProfile
from aieng.llm.course_model.protocol import Message, ResponseFormat, ToolSpec


@dataclass(frozen=True)
class ProposedCall:
    """A tool call the model wants to make: name and arguments (a dict)."""

    name: str
    arguments: dict


@dataclass(frozen=True)
class Reply:
    """What the model says: text, tool calls, or a refusal."""

    content: str | None = None
    tool_calls: tuple[ProposedCall, ...] = ()
    refusal: str | None = None


@dataclass
class Task:
    """Everything a skill may read about one request."""

    messages: tuple[Message, ...]
    profile: CourseModelProfile
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"
    response_format: ResponseFormat = field(default_factory=lambda: ResponseFormat("text"))
    temperature: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    hardened: bool = False

    @property
    def system(self) -> str:
        """All system and developer instructions, joined."""
        return "\n".join(m.content for m in self.messages if m.role in ("system", "developer"))

    @property
    def last_user(self) -> str:
        """The newest user message ('' if none)."""
        for message in reversed(self.messages):
            if message.role == "user":
                return message.content
        return ""

    @property
    def last(self) -> Message:
        return self.messages[-1]

    @property
    def varied(self) -> bool:
        """Whether sampling may vary phrasing (temperature > 0)."""
        return self.temperature > 0

    def choose(self, options: list[str]) -> str:
        """The first option at temperature 0; a seeded pick above it."""
        if not options:
            return ""
        if not self.varied:
            return options[0]
        return options[self.rng.randrange(len(options))]

    def sample(self, chosen: Any, rivals: list[tuple[Any, float]]) -> Any:
        """``chosen`` at temperature 0; above it, sometimes a close rival.

        ``rivals`` are the other candidates with their closeness to the choice (0: far,
        1: as likely). Each is taken with probability ``closeness * MAX_SWITCH *
        temperature`` (capped), so an uncertain choice varies more as temperature rises
        and a clear one (no rivals) never does. One seeded draw per uncertain choice.
        """
        rivals = [(value, min(1.0, c)) for value, c in rivals if c > 0 and value != chosen]
        if not self.varied or not rivals:
            return chosen
        roll = self.rng.random()
        heat = min(1.0, self.temperature)
        for value, closeness in rivals:
            p = closeness * MAX_SWITCH * heat
            if roll < p:
                return value
            roll -= p
        return chosen


MAX_SWITCH = 0.5  # at temperature 1, an equally likely rival is taken half the time
_CURRENT: contextvars.ContextVar[Task | None] = contextvars.ContextVar("task", default=None)


def varied() -> bool:
    """Whether the request being answered samples (temperature > 0)."""
    task = _CURRENT.get()
    return task is not None and task.varied


def vary_phrasing(reply: Reply, task: Task) -> Reply:
    """At temperature > 0, other phrasings in a structured reply's free-text fields
    (summaries, replies, titles); ``phrasing.vary_object``."""
    if not task.varied or reply.content is None or reply.refusal is not None:
        return reply
    if task.response_format.type != "json_schema" or reply.tool_calls:
        return reply
    from aieng.llm.course_model.skills.phrasing import vary_content

    content = vary_content(reply.content, task.response_format.schema or {}, task)
    return reply if content == reply.content else dataclasses.replace(reply, content=content)


def sample(chosen: Any, rivals: list[tuple[Any, float]]) -> Any:
    """``Task.sample`` for the request being answered (skills deep in slot filling have no
    task at hand); ``chosen`` outside a request or at temperature 0."""
    task = _CURRENT.get()
    return chosen if task is None else task.sample(chosen, rivals)


Skill = Callable[[Task], Reply | None]


def skills() -> list[Skill]:
    """The skills in the order they are tried (see the module docstring)."""
    from aieng.llm.course_model.skills import (
        chat,
        classify,
        contract,
        extract,
        grounding,
        injection,
        policy,
        summarize,
        tools,
    )

    return [
        policy.refuse_harmful,
        injection.follow_injection,
        contract.answer_under_rules,
        policy.enforce_scope,
        tools.answer_from_tool_result,
        tools.call_tool,
        extract.fill_schema,
        grounding.answer_from_passages,
        classify.classify,
        summarize.summarize_or_rewrite,
        chat.reply,
    ]


REPAIR_CUE = re.compile(
    r"(?i)\b(?:previous|last|your|that)\s+(?:\w+\s+)?(?:reply|answer|output|response|json)\b"
    r"|\b(?:did\s+not|didn't|does\s+not|doesn't|failed\s+to)\s+(?:fit|match|validate|conform)"
    r"|\bvalidation\s+(?:error|problem|failed)|\binvalid\b|\bnot\s+valid\b"
)
DELIMITED_INPUT = re.compile(r"(?is)<(input|text|data|document)>.*?</\1>")


def repair_origin(task: Task) -> Task | None:
    """The original request behind a repair turn, else None.

    A repair turn is a JSON request whose last messages are the model's reply and a user
    message that points out what was wrong with it ("Your previous reply did not fit the
    schema. The problems were: ..."), with no new input of its own. The model answers by
    doing the original request again, from the original input: the words of the error
    message are never data.
    """
    if task.response_format.type not in ("json_object", "json_schema"):
        return None
    messages = task.messages
    if len(messages) < 3 or messages[-1].role != "user" or messages[-2].role != "assistant":
        return None
    complaint = messages[-1].content
    if DELIMITED_INPUT.search(complaint) or not REPAIR_CUE.search(complaint):
        return None
    if not any(m.role == "user" for m in messages[:-2]):
        return None
    return dataclasses.replace(task, messages=messages[:-2])


def with_prompt_schema(task: Task) -> Task:
    """JSON mode with a JSON Schema written in the system prompt (as JSON or YAML): the
    request is answered as a ``json_schema`` request for that schema (the same filling and
    coercion), the schema's text left out of the instructions."""
    if task.response_format.type != "json_object":
        return task
    from aieng.llm.course_model.skills.extract import prompt_schema

    messages = list(task.messages)
    for index, message in enumerate(messages):
        if message.role not in ("system", "developer"):
            continue
        found = prompt_schema(message.content)
        if found is None:
            continue
        schema, rest = found
        messages[index] = dataclasses.replace(message, content=rest)
        fmt = ResponseFormat("json_schema", schema, "response", strict=False)
        return dataclasses.replace(task, messages=tuple(messages), response_format=fmt)
    return task


def respond(task: Task) -> Reply:
    """Run the skills in order; the first that applies answers (a repair turn answers the
    original request again, see ``repair_origin``)."""
    origin = repair_origin(task)
    while origin is not None:  # a repair of a repair: back to the first request
        task, origin = origin, repair_origin(origin)
    task = with_prompt_schema(task)
    token = _CURRENT.set(task)
    try:
        for skill in skills():
            reply = skill(task)
            if reply is not None:
                return vary_phrasing(reply, task)
    finally:
        _CURRENT.reset(token)
    raise RuntimeError("the chat skill always answers")  # pragma: no cover
