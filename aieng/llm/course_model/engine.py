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

import random
from collections.abc import Callable
from dataclasses import dataclass, field

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


def respond(task: Task) -> Reply:
    """Run the skills in order; the first that applies answers."""
    for skill in skills():
        reply = skill(task)
        if reply is not None:
            return reply
    raise RuntimeError("the chat skill always answers")  # pragma: no cover
