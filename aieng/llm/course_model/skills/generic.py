"""Candidates for string slots of no known kind: ``service``, ``branch``, ``item``, ``field``.

Such a slot takes what names a thing: a quoted title, a proper name, a
technical name ("payments-service", whose own word ``service`` counts most), the
goods a quantity counts ("3 boxes of nitrile gloves"), the word that qualifies
the slot's own word ("the main branch"), a short code after it ("zone C"), a
value everyone knows the slot takes ("prod" for ``environment``), a word after
the slot's role cue ("branch off develop"), or a time phrase for ``arrival``.
``add(span, base)`` (from ``candidates``) scores each by what surrounds it.

Example:
    >>> from aieng.llm.course_model.skills.slots import fill_object
    >>> schema = {"type": "object", "properties": {"branch": {"type": "string"},
    ...           "service": {"type": "string"}}}
    >>> fill_object(schema, "Deploy the main branch of the auth-service").value
    {'branch': 'main', 'service': 'auth-service'}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aieng.llm.course_model.skills.candidates import (
    ACTS,
    DESTINATION_CUES,
    END_CUES,
    GOODS_STEMS,
    GOODS_WORDS,
    ORIGIN_CUES,
    START_CUES,
    THING_WORDS,
    _after_name,
    _lower_places,
    _with_model_number,
    _without_key,
    key_positions,
)
from aieng.llm.course_model.skills.entities import Facts, Span
from aieng.llm.course_model.skills.measures import counted_goods, requested_goods
from aieng.llm.course_model.text import STOPWORDS, stem

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.slots import Slot

WHEN_WORDS = frozenset(
    "arrival arrive arriving departure depart leaving when eta pickup dropoff time timing "
    "availability available slot".split()
)
WHEN = re.compile(
    r"(?i)\b(?:(?:this|next|on|by)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|tomorrow|tonight|today|weekend)(?:\s+(?:morning|afternoon|evening|night|noon))?\b"
    r"(?:\s+(?:at|around|by)\s+\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?)?)?"
)
NAMED_CUES = frozenset("for on against about regarding named called with".split())


def generic_candidates(slot: Slot, facts: Facts, siblings: frozenset[str], add) -> None:
    """Candidates for a string slot of no known kind: names, ids, quoted text, phrases."""
    words = set(slot.words)
    thing = bool(words & THING_WORDS)
    named = bool(words & {"name", "names"})
    for span in facts.of("quoted", "proper", "id", "paren", "handle", "ident"):
        if span.kind == "proper" and " " in span.value:
            last = stem(span.value.split()[-1].lower())
            if last in slot.keys and not set(slot.words) & {"name", "names"}:
                # "Red Line: ..." for ``line``: a name ending in the slot's own word
                head = facts.text[span.end : span.end + 2].startswith(":")
                add(span, 0.9 if head else 0.5)
                continue
        span = _without_key(span, slot, facts)
        if span.kind == "proper" and thing:
            add(_with_model_number(span, facts), 0.35 if " " in span.value or span.cue else 0.25)
        elif span.kind == "proper" and named:
            # "party_name": whatever is named, most likely a multi-word proper name
            acts = ACTS.match(facts.text, span.end) is not None  # "Mehta shot 68"
            add(
                span,
                0.35 if " " in span.value or acts else (0.3 if span.cue in NAMED_CUES else 0.2),
            )
        elif span.kind == "paren":
            add(span, 0.3 if "person" in siblings and _after_name(span, facts) else 0.1)
        elif span.kind == "proper" and " " in span.value:
            add(span, 0.25)  # "The Ocean Futures grant": a name of something
        elif span.kind == "ident":
            # "payments-service" for ``service``: the slot's word inside the name counts most
            inside = {stem(p) for p in re.split(r"[-_./]", span.value)} & slot.keys
            add(span, 0.9 if inside else 0.35)
        elif span.kind == "quoted" and _after_word(span, facts) and " " not in span.value:
            add(span, 0.4)  # "Player 'ShadowFox99'": a quoted name right after what it names
        else:
            add(span, 0.2 if span.kind in ("quoted", "handle") else 0.1)
    if words & GOODS_WORDS or slot.keys & GOODS_STEMS:  # ingredients[].name too
        for span in counted_goods(facts):
            add(span, 0.5)
        for span in requested_goods(facts):
            add(span, 0.3)
    for span in _key_phrases(slot, facts):
        add(span, 0.3)
    if not named:
        for span in _modifiers(slot, facts):
            add(span, 0.45)
    for span in _codes_after_key(slot, facts):
        add(span, 0.5)
    known = _known_values(words)
    if known:
        for token in facts.tokens:
            if token.word in known:
                text = facts.text[token.start : token.end]
                add(Span("phrase", text, token.start, token.end, text), 0.5)
    if slot.role:
        for span in _after_role_cue(slot, facts):
            add(span, 0.3)
    if slot.role in ("start", "end") and not words & GOODS_WORDS:
        for span in _range_ends(facts, slot.role):
            add(span, 0.6)  # "08:00-10:30", "from 08:00 to 12:00" for start / end
    if words & WHEN_WORDS:
        for found in WHEN.finditer(facts.text):
            value = re.sub(r"(?i)^(?:on|by)\s+", "", found.group(0))
            add(Span("when", value, found.end() - len(value), found.end(), value), 0.6)
    if words & LOCATION_WORDS:
        for found in ABBR_PLACE.finditer(facts.text):
            value = found.group("v")  # "INT. Motel room - day": the place after the tag
            add(Span("phrase", value, found.start("v"), found.end("v"), value), 0.5)
        for found in SITE.finditer(facts.text):
            value = found.group("v")
            add(Span("phrase", value, found.start("v"), found.end("v"), value), 0.45)
    elif not words & GOODS_WORDS:
        for span in _quantity_of(facts, named or thing):
            add(span, 0.35)  # "350 mL of acetone": what the quantity measures
    if slot.required and not slot.nullable and not (thing or words & GOODS_WORDS):
        _lower_places(facts, add, 0.15)  # "in the north orchard" for ``field``
        for span in _noun_modifiers(facts):
            add(span, 0.2)  # "the kitchen lights" for ``room``


# Values everyone knows some kinds of thing take: "prod" is an environment, "navy" a colour.
KNOWN_VALUES = {
    "environment env stage deployment": "prod production staging stage dev development test "
    "testing qa uat sandbox preprod live",
    "branch": "main master develop trunk",
    "size": "xs small medium large xl xxl",
    "color colour": "red blue green yellow black white grey gray orange purple pink brown navy "
    "beige silver gold",
    "tier plan subscription": "free basic standard pro premium plus enterprise starter business",
    "level seniority": "beginner intermediate advanced expert junior senior principal",
    "platform os": "ios android windows macos linux web",
    "browser": "chrome firefox safari edge opera",
    "shift": "morning afternoon evening night day",
    "meal": "breakfast brunch lunch dinner",
}
_KNOWN = {w: frozenset(v.split()) for ks, v in KNOWN_VALUES.items() for w in ks.split()}


def _known_values(words: set[str]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for word in words:
        out |= _KNOWN.get(word, frozenset())
    return out


ROLE_CUES = {"origin": ORIGIN_CUES, "destination": DESTINATION_CUES, "start": START_CUES,
             "end": END_CUES}  # fmt: skip


CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,5}(?![\w-])")


def _codes_after_key(slot: Slot, facts: Facts) -> list[Span]:
    """A short code right after the slot's word: "zone C", "gate B12", "room 204"."""
    out = []
    for i, weight in key_positions(slot, facts):
        if weight < 1.0:
            continue
        end = facts.tokens[i].end
        found = re.compile(r"[ \t]*:?[ \t]*").match(facts.text, end)
        at = found.end() if found else end
        code = CODE.match(facts.text, at)
        if code and (code.group(0).isupper() or any(ch.isdigit() for ch in code.group(0))):
            out.append(Span("code", code.group(0), code.start(), code.end(), code.group(0)))
    return out


def _after_role_cue(slot: Slot, facts: Facts) -> list[Span]:
    """A plain word after the slot's role cue: "develop" in "branch off develop"."""
    out = []
    tokens = facts.tokens
    for i in range(1, len(tokens)):
        word, cue = tokens[i], tokens[i - 1].word
        if cue not in ROLE_CUES[slot.role] or word.word in STOPWORDS or not word.word.isalpha():
            continue
        if facts.text[tokens[i - 1].end : word.start].strip():
            continue
        if any(s.start <= word.start < s.end for s in facts.spans):
            continue  # a recognised value: its own candidate already
        text = facts.text[word.start : word.end]
        out.append(Span("phrase", text, word.start, word.end, text, cue=cue))
    return out


def _modifiers(slot: Slot, facts: Facts) -> list[Span]:
    """The word that names a thing of the slot's kind: "main" in "the main branch"."""
    out = []
    tokens = facts.tokens
    for i, weight in key_positions(slot, facts):
        if weight < 1.0 or i == 0:
            continue
        word = tokens[i - 1]
        if word.word in STOPWORDS or not word.word[0].isalpha() or word.stem in slot.keys:
            continue
        if facts.text[word.end : tokens[i].start].strip():
            continue  # "main, branch": not one phrase
        start = word.start
        for span in facts.of("ident", "id"):
            if span.start < word.end <= span.end:
                start = span.start  # "feature/login-redesign branch": the whole name
        text = facts.text[start : word.end]
        out.append(Span("phrase", text, start, word.end, text))
    return out


def _key_phrases(slot: Slot, facts: Facts) -> list[Span]:
    """The slot's own word with the words that qualify it: "spin class" for ``class_name``."""
    out = []
    tokens = facts.tokens
    values = [s for s in facts.spans if s.kind not in ("proper", "quoted", "paren", "currency")]
    for i, weight in key_positions(slot, facts):
        if weight < 1.0 or tokens[i].word in STOPWORDS:
            continue
        j = i
        while j > 0 and i - j < 2 and tokens[j - 1].word.isalpha() and tokens[j - 1].word.islower():
            word = tokens[j - 1]
            if word.word in STOPWORDS or word.stem in slot.keys:
                break
            if any(s.start < word.end and word.start < s.end for s in values):
                break  # "6pm spin class": the time is another value
            j -= 1
        if j < i:
            start, end = tokens[j].start, tokens[i].end
            text = facts.text[start:end]
            out.append(Span("phrase", text, start, end, text))
    return out


LOCATION_WORDS = frozenset(
    "room lab laboratory building site zone area floor office venue ward bay dock hall "
    "location station".split()
)
# "in Lab B-204", "at Dock 7": a named place with its code
SITE = re.compile(
    r"\b(?:in|at|inside|from)\s+(?:the\s+)?(?P<v>[A-Z][a-z]+\s+[A-Z0-9][\w-]*\d[\w-]*)"
)

ABBR_PLACE = re.compile(r"\b[A-Z]{2,4}\.[ \t]+(?P<v>[A-Z][\w'-]*(?:[ \t]+[a-z][\w'-]*){0,2})")

QUANTITY_OF = re.compile(
    r"(?i)\b\d+(?:[.,]\d+)?\s*(?:[a-z]{1,12}\s+){0,2}?of\s+(?:\d+(?:\.\d+)?\s*[a-z%]{1,3}\s+)?"
    r"((?:the\s+)?([a-z][\w-]*)(?:\s+([a-z][\w-]*))?)"
)


def _quantity_of(facts: Facts, short: bool) -> list[Span]:
    """What a quantity measures: "acetone" in "350 mL of acetone waste" (a name: one word)."""
    out = []
    for found in QUANTITY_OF.finditer(facts.text):
        first, second = found.group(2), found.group(3)
        if first.lower() in STOPWORDS:
            continue
        end = found.end(2)
        if second and second.lower() not in STOPWORDS and not short:
            end = found.end(3)
        text = facts.text[found.start(2) : end]
        out.append(Span("phrase", text, found.start(2), end, text))
    return out


DETERMINERS = frozenset("the my our your their this that".split())


def _noun_modifiers(facts: Facts) -> list[Span]:
    """The first of two plain nouns after a determiner: "kitchen" in "the kitchen lights"."""
    out = []
    tokens = facts.tokens
    for i in range(1, len(tokens) - 1):
        if tokens[i - 1].word not in DETERMINERS:
            continue
        word, head = tokens[i], tokens[i + 1]
        if not (word.word.isalpha() and head.word.isalpha()):
            continue
        if word.word in STOPWORDS or head.word in STOPWORDS:
            continue
        if facts.text[word.start : head.end] != facts.text[word.start : head.end].lower():
            continue
        if facts.text[word.end : head.start].strip():
            continue
        text = facts.text[word.start : word.end]
        out.append(Span("phrase", text, word.start, word.end, text))
    return out


def _after_word(span: Span, facts: Facts) -> bool:
    """Whether a span follows a word directly (no punctuation between them)."""
    before = facts.text[max(0, span.start - 30) : span.start]
    return re.search(r"[A-Za-z]\s+$", before) is not None


_CLOCK = r"\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?)?"
TIME_RANGE = re.compile(
    r"(?i)(?<![\d:])(?P<a>"
    + _CLOCK
    + r")\s*(?:-|–|to|until|till)\s*(?P<b>"
    + _CLOCK
    + r")(?![\d:])"
)


def _clock(text: str) -> str | None:
    """ "8:00" -> "08:00", "2 pm" -> "14:00"; None for a bare number."""
    found = re.fullmatch(r"(?i)(\d{1,2})(?::(\d\d))?\s*(?:([ap])\.?m\.?)?", text.strip())
    if not found or not (found.group(2) or found.group(3)):
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if found.group(3):
        hour = hour % 12 + (12 if found.group(3).lower() == "p" else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _range_ends(facts: Facts, role: str) -> list[Span]:
    """The start or the end of each time range in the text."""
    out = []
    group = "a" if role == "start" else "b"
    for found in TIME_RANGE.finditer(facts.text):
        first, second = _clock(found.group("a")), _clock(found.group("b"))
        if first is None or second is None:
            continue
        value = first if role == "start" else second
        out.append(Span("time", value, found.start(group), found.end(group), found.group(group)))
    return out
