"""Yes/no slots: whether the text affirms what a boolean property names.

A boolean is true when the text mentions what it names ("pets allowed",
"open to relocation" for ``willing_to_relocate``, "(hazmat)" for ``hazardous``)
and false when the mention is negated or switched off in its clause ("no
parking", "turn off auto-renewal"). Everyday phrases answer slots that the text
never names ("Count me in" for ``attending``).

Example:
    >>> from aieng.llm.course_model.skills.slots import fill_object
    >>> schema = {"type": "object", "properties": {"autopay": {"type": "boolean"},
    ...           "paper_bills": {"type": "boolean"}}}
    >>> fill_object(schema, "Switch off paper bills but leave auto-pay on.").value
    {'autopay': True, 'paper_bills': False}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aieng.llm.course_model.skills.meanings import CONCEPT_STEMS
from aieng.llm.course_model.text import STOPWORDS, content_words, expand, stem

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.entities import Facts
    from aieng.llm.course_model.skills.slots import Slot

NEGATORS = frozenset(
    "no not never without don't dont doesn't didn't won't isn't aren't wasn't shouldn't "
    "cannot can't nor none skip exclude excluding decline n't neither nobody nothing".split()
)
URGENCY_WORDS = frozenset(
    "urgent urgency critical emergency asap priority escalate escalation".split()
)
BOOL_FILLER = frozenset(
    "is has have should needs need requires require wants want include includes with allow "
    "allows can enable enabled flag do does was are will use uses opt willing able ready "
    "eligible open interested likes prefers".split()
)


def fill_boolean(slot: Slot, facts: Facts, notes: str = "") -> Any:
    """True when the text mentions what the slot names, false when negated, else MISSING.

    Each word of the slot's name is looked for (its stem, a hyphenated part, a synonym):
    "open to relocation" fills ``willing_to_relocate``, "(hazmat)" fills ``hazardous``.
    Within the mention's clause, "no"/"not"/"turn off"/"disable" before it or "off"/"not"
    after it make it false; common phrases answer attendance ("count me in").
    """
    from aieng.llm.course_model.skills.conditions import conditional_boolean
    from aieng.llm.course_model.skills.slots import MISSING

    conditional = conditional_boolean(
        slot.words, str(slot.schema.get("description", "")), notes, facts.text
    )
    if conditional is not None:  # "true when legal threat, safety risk, ...": those conditions
        from aieng.llm.course_model.engine import sample, varied

        if not varied():
            return conditional
        from aieng.llm.course_model.skills.conditions import boolean_doubt

        doubt = boolean_doubt(
            slot.words, str(slot.schema.get("description", "")), notes, facts.text, conditional
        )
        return sample(conditional, [(not conditional, doubt)])
    switched = _switch_state(slot, facts.text)
    if switched is not None:
        return switched
    words = [w for w in slot.words if w not in STOPWORDS]
    meaningful = [w for w in words if w not in BOOL_FILLER]
    words = meaningful or words or content_words(str(slot.schema.get("description", "")))[:2]
    if not words:
        return MISSING
    stems = {stem(w) for w in words}
    if stems & {stem(w) for w in URGENCY_WORDS}:
        try:
            from aieng.llm.course_model.skills.classify import urgency
        except ImportError:  # pragma: no cover - classify ships urgency
            urgency = None
        if urgency is not None:
            return urgency(facts.text) >= 0.7
    for word in words:
        found = _mention(facts, stem(word))
        if found is not None:
            return _affirmed(facts, found)
    for word in words:
        related = (expand({stem(word)}) | slot.keys) - {stem(w) for w in BOOL_FILLER}
        for i, token in enumerate(facts.tokens):
            if token.stem in related or set(_parts(token.word)) & related:
                return _affirmed(facts, i)
    phrased = _phrase_answer(stems, facts.text)
    if phrased is not None:
        return phrased
    for word in words:  # "travelling with a service dog" has a pet
        cues = CONCEPT_STEMS.get(stem(word), frozenset())
        for i, token in enumerate(facts.tokens):
            if token.stem in cues:
                return _affirmed(facts, i)
    return MISSING


# A slot that holds a switch's state, and the verbs that set it: (slot words, on, off).
SWITCHES = (
    (
        frozenset("on enabled enable active activated powered power state status".split()),
        re.compile(
            r"(?i)\b(?:(?:turn|switch|power|put|flip)(?:\s+\w+){0,3}?\s+on|enable|activate"
            r"|(?:turn|switch|power)\s+on)\b"
        ),
        re.compile(
            r"(?i)\b(?:(?:turn|switch|power|shut|flip)(?:\s+\w+){0,3}?\s+(?:off|down)"
            r"|(?:turn|switch|power|shut)\s+(?:off|down)|disable|deactivate)\b"
        ),
    ),
    (
        frozenset("open opened".split()),
        re.compile(r"(?i)\b(?:open|unlock|raise)\b"),
        re.compile(r"(?i)\b(?:close|shut|lower)\b"),
    ),
    (
        frozenset("locked lock".split()),
        re.compile(r"(?i)\block\b"),
        re.compile(r"(?i)\bunlock\b"),
    ),
)


def _switch_state(slot: Slot, text: str) -> bool | None:
    """``on`` is false in "Turn off the kitchen lights": the verb sets the state."""
    for names, on, off in SWITCHES:
        if not set(slot.words) or not set(slot.words) <= names:
            continue
        said_off, said_on = off.search(text), on.search(text)
        if said_off and (not said_on or said_off.start() <= said_on.start()):
            return False
        if said_on:
            return True
    return None


def _parts(word: str) -> list[str]:
    return [stem(p) for p in re.split(r"[-_/]", word) if p] if re.search(r"[-_/]", word) else []


def _mention(facts: Facts, wanted: str) -> int | None:
    """The first token that is ``wanted`` (a stem), starts like it, or holds it as a part."""
    for i, token in enumerate(facts.tokens):
        if token.stem == wanted or wanted in _parts(token.word):
            return i
        if "-" in token.word and stem(token.word.replace("-", "")) == wanted:
            return i  # "auto-pay" for ``autopay``
        if len(wanted) >= 5 and token.stem[:5] == wanted[:5]:
            return i
        if 3 <= len(token.word) < len(wanted) and wanted.startswith(token.word):
            if facts.text[token.start : token.end].isupper():
                return i  # "INT." for ``interior``: a capitalised abbreviation
    return None


CLAUSE_BREAK = frozenset("but while although though however whereas yet except".split())
OFF_BEFORE = frozenset(
    "off disable disabled deactivate stop cancel remove exclude excluding drop opt-out "
    "unsubscribe turnoff".split()
)
OFF_AFTER = frozenset("off not no none disabled excluded unavailable n't never".split())


def _clause(facts: Facts, i: int) -> tuple[int, int]:
    """Token bounds of the clause around token ``i`` (split at punctuation and "but")."""
    tokens, text = facts.tokens, facts.text
    lo = i
    while lo > 0:
        prev = tokens[lo - 1]
        if prev.word in CLAUSE_BREAK or re.search(
            r"[,;.!?()\n:]", text[prev.end : tokens[lo].start]
        ):
            break
        lo -= 1
    hi = i + 1
    while hi < len(tokens):
        if tokens[hi].word in CLAUSE_BREAK or re.search(
            r"[,;.!?()\n]", text[tokens[hi - 1].end : tokens[hi].start]
        ):
            break
        hi += 1
    return lo, hi


def _affirmed(facts: Facts, i: int) -> bool:
    """Whether the mention at token ``i`` is affirmed (not negated or switched off)."""
    lo, hi = _clause(facts, i)
    tokens = facts.tokens
    before = [t.word for t in tokens[max(lo, i - 4) : i]]
    if set(before) & NEGATORS or any(w.endswith("n't") for w in before):
        return False
    if set(before[-3:]) & OFF_BEFORE:
        return False
    after = []
    for token in tokens[i + 1 : min(hi, i + 4)]:
        if token.word in ("and", "or"):
            break  # "switch on two-factor and turn off the newsletter"
        after.append(token.word)
    return not (set(after) & OFF_AFTER or any(w.endswith("n't") for w in after))


# Everyday phrases that answer a yes/no slot without naming it: (slot stems, yes, no).
BOOL_PHRASES = (
    (
        frozenset(
            stem(w)
            for w in "attend attending attendance come coming going join rsvp "
            "participate participating present confirmed".split()
        ),  # fmt: skip
        re.compile(
            r"(?i)\b(?:count\s+(?:me|us)\s+in|i(?:'ll|\s+will)\s+be\s+there|see\s+you"
            r"\s+there|(?:i'm|we're)\s+in\b|(?:will|can|i'll|we'll)\s+(?:attend|come|join"
            r"|make\s+it)|looking\s+forward|i'm\s+coming|we're\s+coming)"
        ),  # fmt: skip
        re.compile(
            r"(?i)\b(?:count\s+(?:me|us)\s+out|can(?:no|')t\s+(?:make\s+it|attend|come)"
            r"|won't\s+(?:make\s+it|be\s+able|attend|come)|unable\s+to\s+(?:attend|come)"
            r"|not\s+(?:coming|attending)|i'll\s+pass|(?:send|sending)\s+(?:my\s+)?regrets)"
        ),  # fmt: skip
    ),
)


def _phrase_answer(stems: set[str], text: str) -> bool | None:
    for concept, yes, no in BOOL_PHRASES:
        if stems & concept:
            if no.search(text):
                return False
            if yes.search(text):
                return True
    return None
