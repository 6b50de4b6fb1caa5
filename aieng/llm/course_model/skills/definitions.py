"""Label definitions a prompt writes for a field: "high = ...; medium = ...", "negative when ...".

A contract's rules define each value of a field by conditions, in several
shapes: ``label = conditions``, ``label: conditions``, ``label when/if
conditions``, a definition that runs over several ``;``-parts up to the next
label, ``label otherwise`` (the default), ``null when ...`` (when no value
applies) and a precedence such as "the highest level that applies". The
field's own description and the prompt's line for the field are both read: a
short description and a longer rule complement each other.

Example:
    >>> d = read_definitions(["low", "high"], "",
    ...     "- risk: the highest level that applies. high = fire; flood. low otherwise")
    >>> d.conditions["high"], d.default, d.highest_first
    ('fire; flood', 'low', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

HIGHEST = re.compile(
    r"(?i)\b(?:highest|most\s+severe|most\s+serious|most\s+urgent|worst|strongest)\b"
    r"[^.;\n]{0,30}\b(?:applies|apply|met|matches|fits|that\s+fits)\b"
)
HEAD_TAIL = (
    r"\s*(?:=|:|=>|->|\s[-–—]\s|\bwhen\b|\bif\b|\bonly\s+(?:when|if)\b|\bfor\b"
    r"|\botherwise\b)"
)
OTHERWISE = re.compile(r"(?i)\botherwise\b")


@dataclass(frozen=True)
class Definitions:
    """What each label means (conditions text), the default label and the precedence."""

    conditions: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    null_when: str = ""
    highest_first: bool = False


def field_lines(name_words: tuple[str, ...], notes: str) -> str:
    """The prompt's lines about the field ("- severity: ..."), else the whole prompt."""
    if not name_words:
        return notes
    name = r"[\s_-]*".join(re.escape(w) for w in name_words)
    head = re.compile(
        r"(?im)^[\s\-*•\d.)]*[`'\"*]*" + name + r"(?:s|es)?[`'\"*]*\s*(?::|=|\s[-–—]\s)"
    )
    lines = [line for line in notes.splitlines() if head.match(line)]
    return "\n".join(lines) if lines else notes


def _label_pattern(label: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s_-]+", label) if w]
    return r"[\s_-]*".join(words)


@lru_cache(maxsize=256)
def _parse(labels: tuple[str, ...], text: str) -> Definitions:
    if not text.strip():
        return Definitions()
    heads: list[tuple[int, int, str]] = []
    fallbacks: list[str] = []
    for label in labels:
        lab = _label_pattern(label)
        pattern = re.compile(
            r"(?i)(?:^|(?<=[\s;,.(\"'`*]))[\"'`*]*" + lab + r"[\"'`*]*(?=" + HEAD_TAIL + r")"
        )
        for found in pattern.finditer(text):
            before = text[max(0, found.start() - 3) : found.start()]
            line_start = text.rfind("\n", 0, found.start()) + 1
            lead = text[line_start : found.start()]
            # a head starts a line, a ;-part or a sentence, or follows "the field: "
            if re.search(r"(?:^|[;.:]\s*|\n[\s\-*•]*)$", before) or not lead.strip(" -*•"):
                tail = re.match(HEAD_TAIL, text[found.end() :])
                heads.append((found.start(), found.end() + (tail.end() if tail else 0), label))
                if tail and OTHERWISE.search(tail.group(0)):
                    fallbacks.append(label)
    heads.sort()
    conditions: dict[str, str] = {}
    for k, (_start, end, label) in enumerate(heads):
        if label in fallbacks:
            continue
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        newline = text.find("\n", end)
        if 0 <= newline < stop:
            stop = newline
        body = text[end:stop].strip(" .;,\t")
        if body and label not in conditions:
            conditions[label] = body
    default = fallbacks[0] if fallbacks else None
    for label in labels:
        lab = _label_pattern(label)
        if re.search(
            r"(?i)(?:\b"
            + lab
            + r"[\"'`*]*\s+otherwise\b|\botherwise[\s,:]+[\"'`*]*"
            + lab
            + r"\b)",
            text,
        ):
            default = label
    for label, body in list(conditions.items()):
        if OTHERWISE.match(body) or not body:
            del conditions[label]
            default = default or label
    null = re.search(r"(?i)\bnull\s+(?:when|if)\s+(?P<c>[^.\n]+)", text)
    return Definitions(
        conditions=conditions,
        default=default,
        null_when=null.group("c") if null else "",
        highest_first=HIGHEST.search(text) is not None,
    )


def read_definitions(
    labels: list[str], description: str, notes: str, name_words: tuple[str, ...] = ()
) -> Definitions:
    """The labels' definitions from the field's description and the prompt's rules.

    The description's definitions come first; the prompt's line for the field adds the
    labels the description leaves out and longer wording for the ones it has.
    """
    labels_t = tuple(x for x in labels if isinstance(x, str) and x.strip())
    own = _parse(labels_t, description or "")
    scoped = field_lines(name_words, notes or "") if name_words else (notes or "")
    ruled = _parse(labels_t, scoped) if scoped else Definitions()
    merged = dict(ruled.conditions)
    for label, body in own.conditions.items():
        merged[label] = body if label not in merged else merged[label] + "; " + body
    return Definitions(
        conditions={label: merged[label] for label in labels_t if label in merged},
        default=own.default or ruled.default,
        null_when=own.null_when or ruled.null_when,
        highest_first=own.highest_first or ruled.highest_first,
    )


def named_value(labels: list[str], mentioned: list[tuple[int, str]]) -> str | None:
    """The value the text names most, when the values are names ("FleetOS", "Tug") rather
    than common words ("billing", "high")."""
    if not mentioned or not all(any(c.isupper() for c in label) for label in labels):
        return None
    from aieng.llm.course_model.skills.signals import label_family

    if any(label_family(label) for label in labels):
        return None
    counts: dict[str, int] = {}
    for _, label in mentioned:
        counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda label: counts[label])


def defined_choice(
    slot: Any, labels: list[str], text: str, notes: str, denied: set[str]
) -> str | None:
    """The value whose stated conditions the text meets (``definitions``), the stated
    default ("neutral otherwise") when the others' conditions are all unmet."""
    from aieng.llm.course_model.skills.conditions import by_definition, conditions_met

    defs = read_definitions(labels, str(slot.schema.get("description", "")), notes, slot.words)
    if len(defs.conditions) < 2 and not (defs.conditions and defs.default):
        return None
    chosen = by_definition(text, defs.conditions, denied, defs.highest_first)
    if chosen is not None:
        return chosen
    if defs.default and not any(conditions_met(text, c) for c in defs.conditions.values()):
        return defs.default
    return None
