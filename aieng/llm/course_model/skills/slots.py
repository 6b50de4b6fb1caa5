"""Slot filling: the value of each JSON-schema property, found in free text.

A property becomes a ``Slot``: what kind of value it wants (an email, a date,
a count, a city, a person, an id, free text...), read from its type, format,
pattern, name (``split_identifier``) and description. Candidate values come
from ``entities.analyse``; each is scored by how close it sits to words that
match the slot ("3 nights" for ``nights``, "order A-1042" for ``order_id``)
and by the word before it ("from Paris" for ``origin``). Sibling slots then
share the candidates greedily, best score first, so one value fills one slot.

Example:
    >>> schema = {"type": "object", "properties": {"city": {"type": "string"},
    ...           "nights": {"type": "integer"}}, "required": ["city", "nights"]}
    >>> fill_object(schema, "Book 3 nights in Lisbon").value
    {'city': 'Lisbon', 'nights': 3}
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from aieng.llm.course_model.skills import freetext, measures
from aieng.llm.course_model.skills.candidates import (
    THING_WORDS,
    Candidate,
    candidates,
    key_positions,
)
from aieng.llm.course_model.skills.entities import Facts, analyse
from aieng.llm.course_model.skills.schemas import MISSING, resolve, types_of
from aieng.llm.course_model.text import STOPWORDS, expand, split_identifier, stem

logger = logging.getLogger(__name__)


# Words that say what kind of value a property wants (matched against its name words).
KIND_WORDS = {
    "email": "email mail e-mail emails",
    "phone": "phone telephone tel mobile cell fax",
    "url": "url link website uri href homepage webpage urls links",
    "currency": "currency",
    "postcode": "zip zipcode postcode postal",
    "address": "address street",
    "language": "language lang locale",
    "person": "name customer employee person author assignee recipient contact attendee guest "
    "owner manager reporter passenger patient applicant candidate user requester sender driver "
    "student who client member traveler traveller participant speaker host organizer organiser "
    "buyer approver agent representative teacher doctor physician lead signer invitee colleague "
    "people attendees participants recipients names firstname lastname fullname claimant tenant "
    "landlord policyholder insured beneficiary witness player athlete coach volunteer nurse "
    "caller winner visitor interviewer interviewee referee lawyer attorney instructor trainee "
    "intern mentor pilot rider learner worker contractor technician engineer players",
    "org": "company organization organisation employer vendor supplier merchant business brand "
    "airline bank store shop firm carrier provider manufacturer publisher school university",
    "place": "city location place destination origin country region state venue where town "
    "airport area province county neighborhood neighbourhood cities locations destinations site "
    "facility campus premises",
    "nationality": "nationality citizenship citizen nation nationalities demonym",
}
KIND_WORDS = {kind: frozenset(words.split()) for kind, words in KIND_WORDS.items()}
ID_WORDS = frozenset("id ids number no num code ref reference sku isbn key uuid tracking".split())
MONEY_WORDS = frozenset(
    "amount price cost total budget salary fee balance refund payment charge spend value revenue "
    "income pay wage fare deposit tip subtotal tax money prices costs amounts rent rental "
    "premium deductible tuition donation bid salary_max wages fees".split()
)
PERCENT_WORDS = frozenset("percent percentage pct discount rate ratio share".split())
DATE_WORDS = frozenset(
    "date day deadline due birthday dob birthdate until since expiry expiration checkin "
    "checkout dates days".split()
)
DATETIME_WORDS = frozenset("datetime timestamp".split())
TIME_WORDS = frozenset("time hour".split())
START_WORDS = frozenset(
    "start begin from checkin check_in departure depart open first pickup".split()
)
END_WORDS = frozenset(
    "end until to finish return checkout check_out close last dropoff due".split()
)
ORIGIN_WORDS = frozenset("origin from source departure depart leaving base".split())
DESTINATION_WORDS = frozenset("destination to dest arrival arrive quote target".split())
SLOT_SYNONYMS = [
    "guest people person adult pax traveler traveller attendee visitor passenger participant "
    "seat diner",
    "serving serve portion people person",
    "quantity qty count unit piece item copy box pack x",
    "amount total sum price cost fee charge payment budget spend value balance",
    "night stay",
    "duration length long",
    "age old aged",
    "weight kg kilogram lb lbs pound gram",
    "distance km mile kilometer kilometre",
    "minute min mins",
    "hour hr hrs",
    "percent percentage pct discount",
    "start begin from checkin",
    "end finish until checkout",
    "child kid children kids",
    "room bedroom",
    "rating star score",
    "city town village municipality",
    "population people inhabitants residents",
    "square sq sqft",
    "foot feet ft",
    "bath bathroom baths bathrooms",
    "bed bedroom",
    "replica instance",
    "second sec secs",
    "hazardous hazmat dangerous flammable toxic corrosive explosive",
]
_SLOT_SYNONYMS: dict[str, frozenset[str]] = {}
for _group in SLOT_SYNONYMS:
    _members = frozenset(stem(w) for w in _group.split())
    for _member in _members:
        _SLOT_SYNONYMS[_member] = _SLOT_SYNONYMS.get(_member, frozenset()) | _members
OVERLAY_KINDS = frozenset(["currency"])  # values that share their words with another value
FANOUT_KINDS = frozenset("place person org id email url phone".split())
NAME_QUALIFIERS = frozenset(
    "name names first last full middle given family sur nick display legal maiden preferred "
    "real my your his her their".split()
)
GENERIC_CHILD = frozenset("name names id code number type value label title full".split())
UNIT_NAMES = frozenset(
    "per kg g mg lb lbs oz km m cm mm mi ft sec secs s ms min mins hour hours hr day days ha l ml "
    "usd eur gbp minute minutes second seconds".split()
)
CONFIDENCE_WORDS = frozenset("confidence certainty probability likelihood".split())
MIN_SCORE = 0.3
MAX_DEPTH = 6


@dataclass(frozen=True)
class Slot:
    """One property to fill, with what the text must show to fill it."""

    name: str
    schema: dict
    nullable: bool
    required: bool
    kind: str
    types: frozenset[str]
    words: tuple[str, ...]
    keys: frozenset[str]
    hints: frozenset[str]
    role: str


@dataclass(frozen=True)
class Filled:
    """An object filled from text.

    Attributes:
        value: The properties found (and defaults or nulls where allowed).
        missing: Required properties not found, dotted for nested ones.
        found: How many values came from the text.
        alternatives: For a required single-valued slot, further values that fit it
            just as well ("weather in Paris and Tokyo"), as ``(name, values)`` pairs.
    """

    value: dict
    missing: tuple[str, ...] = ()
    found: int = 0
    alternatives: tuple[tuple[str, tuple], ...] = ()


@dataclass(frozen=True)
class Context:
    """What every slot of one fill shares."""

    root: dict
    strong: bool
    today: dt.date | None
    notes: str = ""  # the instructions around the text (a system prompt): label descriptions


# ---------------------------------------------------------------- slots


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in re.findall(r"[A-Za-z]+", text.lower()) if w not in STOPWORDS)


def _with_synonyms(stems: frozenset[str]) -> frozenset[str]:
    out = set(expand(set(stems)))
    for s in stems:
        out |= _SLOT_SYNONYMS.get(s, frozenset())
    return frozenset(out)


def kind_of(words: tuple[str, ...], description: str, schema: dict, types: frozenset[str]) -> str:
    """What kind of value a property wants, from its type, format and words."""
    fmt = str(schema.get("format", "")).lower()
    named = set(words)
    desc = description.lower()
    if "enum" in schema or "const" in schema:
        return "enum"
    if "object" in types:
        return "object"
    if "array" in types:
        return "array"
    if "boolean" in types and not types & {"string", "number", "integer"}:
        return "boolean"
    by_format = {"email": "email", "idn-email": "email", "uri": "url", "url": "url",
                 "iri": "url", "uri-reference": "url", "date": "date", "date-time": "datetime",
                 "time": "time", "uuid": "id"}  # fmt: skip
    if fmt in by_format:
        return by_format[fmt]
    if schema.get("pattern") and "string" in types:
        return "pattern"
    if types & {"number", "integer"} and "string" not in types:
        if named & ID_WORDS and not named & {"number"} or named >= {"id"}:
            return "id"
        if (named & PERCENT_WORDS and not named & UNIT_NAMES) or "percent" in desc or "%" in desc:
            return "percent"
        if named & MONEY_WORDS:
            return "money"
        return "number"
    for kind in ("email", "phone", "url", "currency", "postcode"):
        if named & KIND_WORDS[kind]:
            return kind
    if named & DATETIME_WORDS or (named & TIME_WORDS and "date" in desc) or words[-1:] == ("at",):
        return "datetime"
    if named & DATE_WORDS or "yyyy-mm-dd" in desc or re.search(r"\bdate\b", desc):
        return "date"
    if named & TIME_WORDS:
        return "time"
    if named & ID_WORDS and not named & {"phone"}:
        return "id"
    if named & KIND_WORDS["address"]:
        return "address"
    if named & {"unit", "units", "uom"}:
        return "unit"
    if named & KIND_WORDS["language"]:
        return "language"
    if named & KIND_WORDS["org"]:
        return "org"
    if named & KIND_WORDS["nationality"]:
        return "nationality"
    if named & KIND_WORDS["place"] or named in ({"from"}, {"to"}):
        return "place"
    names_a_thing = named & {"name", "names"} and named - NAME_QUALIFIERS - KIND_WORDS["person"]
    if named & KIND_WORDS["person"] and not named & THING_WORDS and not names_a_thing:
        return "person"
    mode = freetext.mode_of(words, desc)
    if mode:
        return "text:" + mode
    if types & {"number", "integer"}:
        return "number"
    return "generic"


def _role(words: tuple[str, ...]) -> str:
    named = set(words) | {"_".join(words)}
    if named & ORIGIN_WORDS and not named & DESTINATION_WORDS:
        return "origin"
    if named & DESTINATION_WORDS and not named & ORIGIN_WORDS:
        return "destination"
    if named & START_WORDS:
        return "start"
    if named & END_WORDS:
        return "end"
    return ""


def make_slot(
    name: str, schema: dict, required: bool, root: dict, parent: tuple[str, ...] = ()
) -> Slot:
    """Describe one property as a slot; ``parent`` names the object holding it."""
    resolved, nullable = resolve(schema, root)
    types = types_of(resolved)
    words = tuple(split_identifier(name)) or (name.lower(),)
    description = " ".join(str(resolved.get(k, "")) for k in ("title", "description"))
    keys = _with_synonyms(
        frozenset(stem(w) for w in words if w not in STOPWORDS or len(words) == 1)
    )
    hints = _with_synonyms(_stems(description)) - keys
    kind = kind_of(words, description, resolved, types)
    if parent and set(words) <= GENERIC_CHILD:
        # "Claimant: Marco Ruiz" fills claimant.name: the parent's words name the value too
        keys |= _with_synonyms(frozenset(stem(w) for w in parent if w not in STOPWORDS))
        if kind in ("person", "generic", "id"):
            # vendor.name is an organisation's name, customer.name a person's
            kind = kind_of((*parent, *words), description, resolved, types)
    return Slot(name, resolved, nullable, required, kind, types, words, keys, hints, _role(words))


@lru_cache(maxsize=1024)
def _object_slots(key: bytes) -> tuple[Slot, ...]:
    schema, root, parent = orjson.loads(key)
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    return tuple(
        make_slot(name, sub, name in required, root, tuple(parent))
        for name, sub in properties.items()
        if isinstance(name, str)
    )


def object_slots(schema: dict, root: dict, parent: tuple[str, ...] = ()) -> tuple[Slot, ...]:
    """The slots of an object schema (cached per schema; key order kept: it orders output)."""
    return _object_slots(orjson.dumps([schema, root, list(parent)]))


# ---------------------------------------------------------------- filling


def fill_object(
    schema: dict,
    text: str,
    *,
    root: dict | None = None,
    strong: bool = False,
    today: dt.date | None = None,
    compact: bool = False,
    notes: str = "",
) -> Filled:
    """Fill an object schema's properties from ``text``.

    Args:
        schema: An object schema (``$ref``/``allOf``/``anyOf`` are resolved).
        text: The text to read.
        root: The schema holding ``$defs`` (defaults to ``schema``).
        strong: Match enum values by meaning too (embeddings), as course-large does.
        today: The conversation's date, for "tomorrow" and "next Friday".
        compact: Inside list items: leftover words may name the item.
        notes: Instructions around the text (a system prompt); labels they describe
            ("billing: invoices, refunds") help choose enum values.

    Returns:
        The values found, the required names still missing, and alternatives.
    """
    root = schema if root is None else root
    ctx = Context(root, strong, today, notes)
    schema, _ = resolve(schema, root)
    return _fill_object(schema, text, ctx, compact)


def _fill_object(
    schema: dict,
    text: str,
    ctx: Context,
    compact: bool = False,
    depth: int = 0,
    parent: tuple[str, ...] = (),
) -> Filled:
    if depth > MAX_DEPTH:  # a schema that nests itself: stop, coercion closes it
        return Filled({})
    facts = analyse(text, ctx.today)
    slots = object_slots(schema, ctx.root, parent)
    scalar_kinds = {"email", "url", "phone", "postcode", "address", "currency", "date",
                    "datetime", "time", "money", "percent", "number", "id", "pattern",
                    "person", "place", "org", "language", "generic", "unit",
                    "nationality"}  # fmt: skip
    absent = {s.name for s in slots if s.nullable and _stated_absent(s, text)}
    scalar = [s for s in slots if s.kind in scalar_kinds and s.name not in absent]
    from aieng.llm.course_model.skills.choices import enum_mentions

    named = [m for s in slots if s.kind == "enum" for m in enum_mentions(s, facts)]
    assigned, alternatives, claimed = _assign(scalar, facts, ctx, named)
    assigned.update(measures.dimensions(scalar, text))
    for slot in scalar:
        if slot.name not in assigned and slot.kind == "number":
            count = measures.companions(slot, text)
            if count is not None:
                assigned[slot.name] = count
    _last_numbers(scalar, facts, ctx, assigned, claimed, compact)
    if not compact:  # the document's shape: line items, totals, action items, a clock time
        from aieng.llm.course_model.skills.documents import readings

        assigned.update(readings(slots, text, facts, ctx, parent))
    values: dict[str, Any] = {}
    missing: list[str] = []
    found = 0
    for slot in slots:
        if slot.name in absent:
            value = MISSING
        elif slot.name in assigned:
            value = assigned[slot.name]
        else:
            value = _fill_special(slot, text, facts, ctx, claimed, compact, depth)
        if isinstance(value, Filled):
            missing += [f"{slot.name}.{m}" for m in value.missing]
            found += value.found
            value = value.value if value.found or slot.required else MISSING
        elif value is not MISSING and not (
            "const" in slot.schema or (slot.name not in assigned and _soft(slot, compact))
        ):
            found += 1
        if value is MISSING:
            if "default" in slot.schema:
                value = slot.schema["default"]
            elif slot.kind == "number" and set(slot.words) & CONFIDENCE_WORDS and found:
                value = _confidence(slot.schema)
            elif slot.nullable and slot.required:
                value = None
            elif slot.required:
                missing.append(slot.name)
                continue
            else:
                continue
        values[slot.name] = value
    return Filled(values, tuple(missing), found, tuple(alternatives.items()))


def _last_numbers(
    slots: list[Slot], facts: Facts, ctx: Context, assigned: dict, claimed: list, compact: bool
) -> None:
    """The one number left over fills the one number slot left empty ("Mehta shot 68 with 5
    birdies": 5 is the birdies, so 68 is the score); outside list items only for a slot that
    cannot be null."""
    empty = [
        s
        for s in slots
        if s.name not in assigned
        and s.kind == "number"
        and s.required
        and (compact or not s.nullable)
    ]
    if len(empty) != 1:
        return
    left = [
        c
        for c in candidates(empty[0], facts, ctx)
        if c.score >= 0.15 and not any(c.start < e and s < c.end for s, e in claimed)
    ]
    if len({c.value for c in left}) == 1:
        assigned[empty[0].name] = left[0].value
        claimed.append((left[0].start, left[0].end))


def _stated_absent(slot: Slot, text: str) -> bool:
    """Whether the text says the slot has no value: "no middle name", "fax: none"."""
    words = r"[\s_-]*".join(re.escape(w) for w in slot.words)
    pattern = (
        r"(?i)\b(?:no|without|not\s+(?:a|an|any)|n't\s+have\s+(?:a|an|any))\s+" + words + r"s?\b"
        r"|\b" + words + r"\s*[:=]\s*(?:none|n/?a|null|nil|-)(?!\w)"
    )
    return re.search(pattern, text) is not None


def _confidence(schema: dict) -> float | int:
    """How sure a filled answer is, on the scale its schema gives (0.8 of the way up)."""
    high = schema.get("maximum", schema.get("exclusiveMaximum", 1))
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    value = low + 0.8 * (high - low) if isinstance(high, int | float) and high > low else 0.8
    integer = "integer" in types_of(schema) and "number" not in types_of(schema)
    return round(value) if integer else round(value, 2)


def _soft(slot: Slot, compact: bool) -> bool:
    """Whether a value is a guess from leftover words rather than a recognised value."""
    return compact and (slot.kind.startswith("text:") or slot.kind in ("generic", "person", "org"))


def _fill_special(
    slot: Slot, text: str, facts: Facts, ctx: Context, claimed: list, compact: bool, depth: int
) -> Any:
    from aieng.llm.course_model.skills import booleans, choices

    if slot.kind == "enum":
        return choices.fill_enum(slot, text, facts, ctx)
    if slot.kind == "boolean":
        return booleans.fill_boolean(slot, facts, ctx.notes)
    if slot.kind == "object":
        filled = None
        for part in _object_parts(slot, facts):
            # "Incident report: ... Reported by Dr. Hana Kim (h.kim@...)": the mention that
            # holds the most of the object's fields
            trial = _fill_object(slot.schema, part, ctx, depth=depth + 1, parent=slot.words)
            if trial.found and (
                filled is None
                or (len(trial.missing), -trial.found) < (len(filled.missing), -filled.found)
            ):
                filled = trial
            if filled is not None and not filled.missing:
                break
        if filled is None or not filled.found:
            filled = _fill_object(slot.schema, text, ctx, depth=depth + 1, parent=slot.words)
        return filled
    if slot.kind == "array":
        return choices.fill_array(slot, text, facts, ctx, depth, claimed)
    if slot.kind.startswith("text:"):
        return freetext.fill_text(slot.kind[5:], slot, text, facts, claimed, compact)
    if compact and slot.kind in ("generic", "person", "org") and "string" in slot.types:
        rest = freetext.remainder(facts, claimed)
        if slot.kind != "generic" and not all(w[0].isupper() for w in rest.split()):
            return MISSING  # a name is capitalised: "Lindqvist had points" is no name
        return rest if rest and len(rest.split()) <= 6 else MISSING
    return MISSING


def _assign(
    slots: list[Slot], facts: Facts, ctx: Context, taken: list[tuple[int, int]]
) -> tuple[dict[str, Any], dict[str, tuple], list[tuple[int, int]]]:
    """Share candidates among sibling slots, best score first; ``taken`` are off limits."""
    families: dict[str, int] = {}
    for slot in slots:
        families[_family(slot.kind)] = families.get(_family(slot.kind), 0) + 1
    options: list[tuple[float, int, int, Candidate]] = []
    per_slot: dict[int, list[Candidate]] = {}
    kinds = frozenset(s.kind for s in slots)
    for index, slot in enumerate(slots):
        sole = 0.15 if families[_family(slot.kind)] == 1 else 0.0
        found = [
            Candidate(c.score + sole, c.start, c.end, c.value, c.cue)
            for c in candidates(slot, facts, ctx, kinds - {slot.kind})
        ]
        per_slot[index] = found
        options += [(-c.score, index, c.start, c) for c in found if c.score >= MIN_SCORE]
    options.sort(key=lambda o: (o[0], o[1], o[2]))
    assigned: dict[str, Any] = {}
    claimed: list[tuple[int, int]] = []
    winners: dict[int, Candidate] = {}
    for _, index, _, cand in options:
        slot = slots[index]
        overlay = slot.kind in OVERLAY_KINDS
        if slot.name in assigned or (not overlay and _overlaps(claimed, cand)):
            continue
        if any(start <= cand.start and cand.end <= end for start, end in taken):
            continue  # the words name an enum value another slot takes
        assigned[slot.name] = cand.value
        winners[index] = cand
        if not overlay:
            claimed.append((cand.start, cand.end))
    alternatives: dict[str, tuple] = {}
    for index, cand in winners.items():
        slot = slots[index]
        if slot.kind not in FANOUT_KINDS or not slot.required:
            continue
        extra = []
        for other in per_slot[index]:
            if (
                other.score >= 0.8 * cand.score
                and other.value != cand.value
                and other.value not in extra
                and not _overlaps(claimed, other)
            ):
                extra.append(other.value)
        if extra:
            alternatives[slot.name] = tuple(extra)
    return assigned, alternatives, claimed


def _family(kind: str) -> str:
    return {"datetime": "date"}.get(kind, kind)


def _overlaps(claimed: list[tuple[int, int]], cand: Candidate) -> bool:
    return any(cand.start < end and start < cand.end for start, end in claimed)


def narrow(slot: Slot, facts: Facts) -> str:
    """The part of the text about ``slot`` ("Ship to: ..." for ``shipping_address``)."""
    keys = [i for i, w in key_positions(slot, facts) if w >= 1.0]
    if not keys:
        return facts.text
    start = facts.tokens[keys[0]].start
    ends = [b for b in facts.bounds if b > start]
    return facts.text[start : ends[0] if ends else len(facts.text)]


SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


def _object_parts(slot: Slot, facts: Facts) -> list[str]:
    """The parts of the text about an object slot: from each mention of its name to the next
    boundary, then to the sentence end ("Contractor: X LLC, license no. EL-99812")."""
    out: list[str] = []
    text = facts.text
    for i, weight in key_positions(slot, facts)[:4]:
        if weight < 1.0:
            continue
        start = facts.tokens[i].start
        ends = [b for b in facts.bounds if b > start]
        stop = SENTENCE_END.search(text, ends[0] if ends else len(text))
        for part in (text[start : ends[0] if ends else len(text)],
                     text[start : stop.start() if stop else len(text)]):  # fmt: skip
            if part and part != text and part not in out:
                out.append(part)
    return out


def fill_value(
    schema: dict,
    text: str,
    name: str = "value",
    *,
    root: dict | None = None,
    strong: bool = False,
    today: dt.date | None = None,
    notes: str = "",
) -> Any:
    """One value for ``schema`` from ``text`` (``MISSING`` when the text holds none)."""
    wrapper = {"type": "object", "properties": {name: schema}, "required": [name]}
    filled = fill_object(wrapper, text, root=schema if root is None else root, strong=strong,
                         today=today, notes=notes)  # fmt: skip
    return filled.value.get(name, MISSING)
