"""Prompt contracts: answers under the rules a system prompt states.

``answer_under_rules`` runs before the stated scope, tools and extraction. It
judges the final user input (few-shot pairs before it and delimiters such as
``<input>...</input>`` left out) against ``rules.stated_rules`` and:

- with a ``json_schema`` that records the decision (an enum holding
  refuse/comply/escalate-like values, or a boolean such as ``refused``,
  ``allowed``, ``escalate``), fills the object: the decision, the reason (the
  enum label closest to the broken rule, "none"/null when nothing is broken,
  or a sentence), a reply in the customer's language (``replies``), the
  language code, redacted text (``redact``); extraction fills the rest;
- with a schema that only asks for redacted text, fills that;
- with no decision field, refuses a request that breaks a rule through the
  ``refusal`` field (as the stated scope does), and answers an escalation in
  plain text;
- a plain request to redact personal data gets the redacted text.

Example:
    A system prompt "Never give legal advice." with the schema
    ``{decision: enum[comply, refuse], reply: str}`` answers "Can I sue my
    landlord?" with ``{"decision": "refuse", "reply": "I'm sorry, but I can't
    help with legal advice. ..."}``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import orjson

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.protocol import Message
from aieng.llm.course_model.skills import redact as redaction
from aieng.llm.course_model.skills.clauses import body_of, stated_precedence
from aieng.llm.course_model.skills.facts import fact_sentence, relevant_fact
from aieng.llm.course_model.skills.language import detect_language, language_value
from aieng.llm.course_model.skills.replies import compose, reason_text
from aieng.llm.course_model.skills.rules import Rule, stated_rules
from aieng.llm.course_model.skills.verdict import Verdict, decide, reference_date
from aieng.llm.course_model.text import STOPWORDS, split_identifier, stem

logger = logging.getLogger(__name__)

DELIMITED = re.compile(
    r"<(?P<tag>[A-Za-z][\w-]{0,30})>\s*(?P<a>.*?)\s*</(?P=tag)>|```[\w-]*\n?(?P<b>.*?)```"
    r"|\"\"\"(?P<c>.*?)\"\"\"|'''(?P<d>.*?)'''|^#{3,}\s*$\n(?P<e>.*?)\n^#{3,}\s*$",
    re.S | re.M,
)
_CLASSES = {
    "refuse": "refuse refused refusal decline declined deny denied reject rejected block blocked "
    "disallow disallowed forbidden violation violates violated breach out_of_policy cannot no",
    "escalate": "escalate escalated escalation review manager human handoff hand approval "
    "refer transfer supervisor pending",
    "comply": "comply complied compliant allow allowed accept accepted approve approved answer "
    "respond proceed yes ok process processed grant granted fulfil fulfill help assist eligible "
    "permitted valid within in_policy in_scope on_topic safe go",
}
CLASS_STEMS = {k: frozenset(stem(w) for w in v.split()) for k, v in _CLASSES.items()}
NEGATION = frozenset("not no non dis un".split())
DECISION_NAMES = frozenset(
    "decision action verdict outcome status resolution disposition result route".split()
)
REASON_NAMES = frozenset(
    "reason reasons why rationale explanation justification cause violation violated rule "
    "rules policy refusal code".split()
)
REPLY_NAMES = frozenset("reply response respond message draft answer text body email".split())
LANGUAGE_NAMES = frozenset("language lang locale".split())
# A string field that holds the customer's own words, not a reply ("the customer's message",
# "the original email"); "in the customer's language" still describes a reply.
QUOTES_INPUT = re.compile(
    r"\b(?:customer|user|sender|client|caller)(?:'s|s'|’s)?\s+(?:own\s+|original\s+)?"
    r"(?:message|text|e-?mail|request|question|words|input|ticket)\b"
    r"|\b(?:original|incoming)\b|\binput\b(?!\s+language)",
    re.I,
)
NONE_LABELS = frozenset(
    "none n/a na null no nothing ok compliant not_applicable within_policy no_violation "
    "allowed in_policy no_issue".split()
)


def final_input(task: Task) -> str:
    """The user's final input: the newest user message, inside its delimiters if it has
    them ("<input>...</input>", triple quotes, a code fence)."""
    text = task.last_user
    found = DELIMITED.search(text)
    if found:
        inner = next((g for g in found.group("a", "b", "c", "d", "e") if g is not None), "")
        if inner.strip():
            return inner.strip()
    return text.strip()


def _decision_class(value: Any) -> str | None:
    """Which decision an enum value stands for ("refused" -> refuse, "not_allowed" -> refuse)."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None
    parts = split_identifier(value) or [value.lower()]
    stems_ = {stem(p) for p in parts}
    negated = bool(set(parts) & NEGATION) or value.lower().startswith(("dis", "un"))
    for name in ("escalate", "refuse", "comply"):
        if stems_ & CLASS_STEMS[name]:
            if name == "comply" and negated:
                return "refuse"
            return name
    return None


@dataclasses.dataclass
class Fields:
    """The properties of a schema that a contract fills, by role."""

    decision: list[tuple[str, dict]] = dataclasses.field(default_factory=list)
    reason: list[tuple[str, dict]] = dataclasses.field(default_factory=list)
    reply: list[tuple[str, dict]] = dataclasses.field(default_factory=list)
    language: list[tuple[str, dict]] = dataclasses.field(default_factory=list)
    redacted: list[tuple[str, dict]] = dataclasses.field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether the contract fills anything itself: a field merely named ``reason`` (the
        reason a customer gives for a return) does not make a request a decision."""
        return bool(self.decision or self.redacted or self.reply)


def _own_conditions(name: str, description: str, notes: str) -> bool:
    """Whether a boolean states when it is true ("true when the message threatens legal
    action ..."), in its description or on the prompt's line for it: those conditions, not
    the stated rules' verdict, decide it (``conditions.conditional_boolean``)."""
    from aieng.llm.course_model.skills.conditions import TRUE_WHEN

    if TRUE_WHEN.search(description):
        return True
    words = split_identifier(name)
    if not notes or not words:
        return False
    head = re.compile(r"(?i)\b" + r"[\s_-]*".join(re.escape(w) for w in words) + r"\b")
    return any(head.search(line) and TRUE_WHEN.search(line) for line in notes.splitlines())


def fields_of(schema: dict, notes: str = "") -> Fields:
    """The contract fields among an object schema's properties (``notes``: the system
    prompt, whose line for a boolean may state the boolean's own conditions)."""
    from aieng.llm.course_model.skills.schemas import resolve, types_of

    out = Fields()
    resolved, _ = resolve(schema, schema)
    for name, raw in (resolved.get("properties") or {}).items():
        sub, nullable = resolve(raw, schema)
        sub = {**sub, "_nullable": nullable}
        parts = set(split_identifier(name))
        description = str(sub.get("description", "")) + " " + str(sub.get("title", ""))
        types = types_of(sub)
        enum = [v for v in sub.get("enum") or () if isinstance(v, str)]
        classes = {_decision_class(v) for v in enum} - {None}
        if "string" in types and redaction.wants_redaction(name, description):
            out.redacted.append((name, sub))
        elif parts & LANGUAGE_NAMES or re.search(r"\bISO[ -]?639|language code", description):
            out.language.append((name, sub))
        elif enum and len(classes) >= 2 and not parts & REASON_NAMES - {"refusal"}:
            out.decision.append((name, sub))
        elif (
            "boolean" in types
            and _boolean_sense(name)
            and not _own_conditions(name, description, notes)
        ):
            out.decision.append((name, sub))
        elif "string" in types and not enum and parts & DECISION_NAMES and _options(description):
            out.decision.append((name, sub))
        elif parts & REASON_NAMES and ("string" in types or enum):
            out.reason.append((name, sub))
        elif (
            "string" in types and not enum and parts & REPLY_NAMES and sub.get("format") != "email"
        ):
            if not QUOTES_INPUT.search(description):
                out.reply.append((name, sub))
    return out


def _boolean_sense(name: str) -> tuple[str, bool] | None:
    """(decision class, polarity) a boolean's name stands for: refused -> (refuse, True),
    not_allowed -> (comply, False)."""
    parts = split_identifier(name)
    stems_ = {stem(p) for p in parts}
    negated = bool(set(parts) & NEGATION)
    for name_ in ("escalate", "refuse", "comply"):
        if stems_ & CLASS_STEMS[name_] - {"no", "yes", "ok", "go", "help", "answer", "valid"}:
            return name_, not negated
    if stems_ & {stem("scope"), stem("topic")} and stems_ & {"in", "on", "within"}:
        return "comply", not negated
    return None


def _options(description: str) -> list[str]:
    """Decision values a string field's description lists ("'comply' or 'refuse'")."""
    quoted = re.findall(r"[\"'`]([A-Za-z_]+)[\"'`]", description)
    listed = quoted or re.findall(
        r"\b([a-z_]+)\b(?=\s*(?:/|\bor\b|,|\|))|(?<=/|\|)\s*([a-z_]+)", description
    )
    flat = [x if isinstance(x, str) else next((y for y in x if y), "") for x in listed]
    return [o for o in flat if _decision_class(o)]


def _decision_value(decision: str, sub: dict, options: list[str] | None = None) -> Any:
    sense = _boolean_sense_of(sub)
    if sense is not None:
        cls, polarity = sense
        return (decision == cls) == polarity
    values = options or [v for v in sub.get("enum") or () if isinstance(v, str)]
    by_class: dict[str, str] = {}
    for value in values:
        by_class.setdefault(_decision_class(value) or "", value)
    fallback = {"escalate": ("escalate", "refuse"), "refuse": ("refuse", "escalate"),
                "comply": ("comply",)}[decision]  # fmt: skip
    for cls in fallback:
        if cls in by_class:
            return by_class[cls]
    return decision


def _boolean_sense_of(sub: dict) -> tuple[str, bool] | None:
    return sub.get("_sense")


def _reason_value(verdict: Verdict, sub: dict, strong: bool) -> Any:
    labels = [v for v in sub.get("enum") or () if isinstance(v, str)]
    if not labels:
        if verdict.decision == "comply" and sub.get("_nullable"):
            return None
        return reason_text(verdict)
    none = [v for v in labels if v.lower().replace(" ", "_") in NONE_LABELS]
    if verdict.decision == "comply" or verdict.rule is None:
        return None if sub.get("_nullable") and not none else (none[0] if none else labels[0])
    if verdict.rule.label in labels:
        return verdict.rule.label
    return best_label(verdict.rule, [v for v in labels if v not in none] or labels, strong)


def best_label(rule: Rule, labels: list[str], strong: bool = False) -> str:
    """The reason label whose words best match the broken rule ("refund_window", "legal")."""
    from aieng.llm.course_model.text import expand

    wanted = set(expand(set(rule.label_stems)))
    scores = []
    for label in labels:
        stems_ = {stem(w) for w in split_identifier(label) if w not in STOPWORDS}
        scores.append(
            len(stems_ & wanted) + 0.5 * len({s[:4] for s in stems_} & {w[:4] for w in wanted})
        )
    best = max(range(len(labels)), key=lambda i: (scores[i], -i))
    if scores[best] > 0:
        return labels[best]
    if strong:
        from aieng.llm.course_model.skills.classify import similarity

        sims = [similarity(label.replace("_", " "), rule.phrase) for label in labels]
        return labels[max(range(len(labels)), key=lambda i: sims[i])]
    other = [v for v in labels if re.search(r"other|policy|violation|misc", v, re.I)]
    return other[0] if other else labels[0]


def _scope_rule(task: Task, text: str) -> Rule | None:
    """The stated scope as a rule, when the request falls outside it."""
    from aieng.llm.course_model.skills import policy

    scope = policy.stated_scope(task.system)
    if scope is None:
        return None
    probe = dataclasses.replace(task, messages=(*task.messages[:-1], Message("user", text)))
    if policy._in_scope(probe, scope):
        return None
    return Rule("scope", "refuse", scope.phrase, scope.phrase, scope.stems)


def judge(task: Task, text: str | None = None) -> Verdict:
    """The verdict of the stated rules (and scope) on the final user input."""
    text = body_of(final_input(task) if text is None else text)
    rules = stated_rules(task.system)
    today = reference_date(task.system + "\n" + task.last_user)
    strong = task.profile.quality == "strong"
    ranks = stated_precedence(task.system)
    verdict = decide(rules, text, today, strong, ranks) if rules else Verdict()
    if verdict.decision == "comply":
        scope = _scope_rule(task, text)
        if scope is not None:
            return Verdict("refuse", scope)
    return verdict


def _without_examples(task: Task, text: str) -> Task:
    """The task with only the instructions and the final input (few-shot pairs dropped)."""
    kept = tuple(m for m in task.messages if m.role in ("system", "developer"))
    return dataclasses.replace(task, messages=(*kept, Message("user", text)))


def fill_contract(task: Task, schema: dict, fields: Fields, text: str) -> dict:
    """The schema filled: extraction for ordinary fields, the contract for its own."""
    from aieng.llm.course_model.skills.extract import coerce_to_schema, fill_schema

    base = fill_schema(_without_examples(task, text))
    value = orjson.loads(base.content) if base is not None and base.content else {}
    if not isinstance(value, dict):
        value = {}
    verdict = judge(task, text) if fields.decision or fields.reason or fields.reply else Verdict()
    language = detect_language(text)
    strong = task.profile.quality == "strong"
    for name, sub in fields.decision:
        sense = _boolean_sense(name) if "boolean" in str(sub.get("type")) else None
        options = _options(str(sub.get("description", ""))) if "enum" not in sub else None
        value[name] = _decision_value(verdict.decision, {**sub, "_sense": sense}, options)
    for name, sub in fields.reason:
        refusal_only = bool(set(split_identifier(name)) & {"refusal", "refuse", "rejection"})
        said = Verdict() if refusal_only and verdict.decision != "refuse" else verdict
        value[name] = _reason_value(said, sub, strong)
    for name, sub in fields.language:
        wants_name = (
            "name" in str(sub.get("description", "")).lower()
            and "code" not in str(sub.get("description", "")).lower()
        )
        value[name] = language_value(language, sub.get("enum"), wants_name)
    scope = verdict.rule.phrase if verdict.rule is not None and verdict.rule.kind == "scope" else ""
    fact = ""
    if fields.reply and verdict.decision == "comply" and verdict.within is None:
        fact = fact_sentence(relevant_fact(task.system, body_of(text), language == "en"), language)
    for name, _sub in fields.reply:
        value[name] = compose(verdict, text, language, scope, fact)
    for name, sub in fields.redacted:
        marks = redaction.placeholders(str(sub.get("description", "")))
        value[name] = redaction.redact(_redaction_source(text), marks)
    return coerce_to_schema(value, schema)


def _has_scope(task: Task) -> bool:
    from aieng.llm.course_model.skills.policy import stated_scope

    return stated_scope(task.system) is not None


def _redaction_source(text: str) -> str:
    return redaction.redaction_request(text) or text


def answer_under_rules(task: Task) -> Reply | None:
    """Fill a contract's decision, reason, reply and redaction fields, or refuse a request
    that breaks a stated rule when the answer has no field for the decision."""
    if task.last.role != "user":
        return None
    fmt = task.response_format
    text = final_input(task)
    if fmt.type == "json_schema" and fmt.schema:
        fields = fields_of(fmt.schema, task.system)
        ruled = bool(stated_rules(task.system)) and fields.any
        scoped = _has_scope(task) and bool(fields.decision)
        if fields.redacted or ruled or scoped:
            value = fill_contract(task, fmt.schema, fields, text)
            return Reply(content=orjson.dumps(value).decode())
    if not stated_rules(task.system):
        return _plain_redaction(task, text)
    verdict = judge_rules_only(task, text)
    if verdict.decision == "refuse":
        said = compose(verdict, text, detect_language(text))
        return Reply(content=said, refusal=said)
    if verdict.decision == "escalate" and fmt.type == "text" and not task.tools:
        return Reply(content=compose(verdict, text, detect_language(text)))
    return _plain_redaction(task, text)


def judge_rules_only(task: Task, text: str) -> Verdict:
    """The stated rules' verdict, without the scope (``policy.enforce_scope`` keeps that)."""
    today = reference_date(task.system + "\n" + task.last_user)
    strong = task.profile.quality == "strong"
    return decide(stated_rules(task.system), body_of(text), today, strong,
                  stated_precedence(task.system))  # fmt: skip


def _plain_redaction(task: Task, text: str) -> Reply | None:
    if task.response_format.type != "text" or task.tools:
        return None
    body = redaction.redaction_request(task.last_user)
    if body is None:
        return None
    inner = final_input(dataclasses.replace(task, messages=(Message("user", body),)))
    return Reply(content=redaction.redact(inner, redaction.placeholders(task.last_user)))
