"""Quantities written as phrases: sizes, counted goods and companions.

Three readings that single values cannot give: "120 x 80 x 150 cm" fills
``length``, ``width`` and ``height`` in that order; "3 boxes of nitrile
gloves" names the goods counted ("nitrile gloves"); "I'll bring my partner"
counts one companion for a ``plus_ones`` slot.

Example:
    >>> from aieng.llm.course_model.skills.entities import analyse
    >>> [s.value for s in counted_goods(analyse("Reorder 10 boxes of pipette tips from VWR."))]
    ['pipette tips']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aieng.llm.course_model.skills.entities import Facts, Span
from aieng.llm.course_model.text import STOPWORDS

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.slots import Slot

_NUM = r"(\d+(?:\.\d+)?)"
_BY = r"\s*(?:x|×|\*|by)\s*"
_UNIT = r"(?:\s?(?!x\b|by\b)[a-z]{1,3}\b)?"
DIMENSIONS = re.compile(rf"(?<![\w.]){_NUM}{_UNIT}{_BY}{_NUM}{_UNIT}(?:{_BY}{_NUM})?", re.I)
SIDES = ("length", "width", "height", "depth")
SIDE_WORDS = {"long": "length", "len": "length", "wide": "width", "breadth": "width",
              "tall": "height", "high": "height", "deep": "depth", "thickness": "depth"}  # fmt: skip


def dimensions(slots: list[Slot], text: str) -> dict[str, int | float]:
    """Sizes written "A x B (x C)" for slots named length/width/height/depth, in that order."""
    sides: dict[str, Slot] = {}
    for slot in slots:
        if slot.kind not in ("number", "generic") or not slot.types & {"number", "integer"}:
            continue
        named = [SIDE_WORDS.get(w, w) for w in slot.words if SIDE_WORDS.get(w, w) in SIDES]
        if len(named) == 1 and named[0] not in sides:
            sides[named[0]] = slot
    if len(sides) < 2:
        return {}
    found = DIMENSIONS.search(text)
    if not found:
        return {}
    values = [float(v) for v in found.groups() if v is not None]
    ordered = [sides[side] for side in SIDES if side in sides]
    if len(values) < len(ordered) and len(values) < 3:
        ordered = ordered[: len(values)]
    out: dict[str, int | float] = {}
    for slot, value in zip(ordered, values, strict=False):
        integer = "integer" in slot.types or value.is_integer()
        out[slot.name] = int(value) if integer else value
    return out


# ---------------------------------------------------------------- counted goods

MEASURES = frozenset(
    """kg kgs g mg lb lbs oz l ml liter liters litre litres gallon gallons dozen box boxes pack
    packs packet packets case cases bottle bottles bag bags carton cartons pair pairs roll rolls
    sheet sheets unit units pcs pc piece pieces can cans jar jars tube tubes crate crates pallet
    pallets sack sacks tray trays set sets kit kits bundle bundles reel reels vial vials ream
    reams tin tins cup cups loaf loaves bunch bunches head heads container containers drum drums
    barrel barrels m cm mm meter meters metre metres ft feet yard yards x""".split()
)
_STOP_AFTER = frozenset(
    "at from for on in to with by per via into each and or but plus costing priced which that "
    "who was were is are will would should shall has have had last next ago this month months "
    "week weeks day days year years hour hours minute minutes second seconds times".split()
)


def counted_goods(facts: Facts) -> list[Span]:
    """The things a quantity counts: "3 boxes of nitrile gloves" -> "nitrile gloves"."""
    out: list[Span] = []
    text = facts.text
    names = facts.of("proper")
    for number in facts.of("number"):
        pos = number.end
        if not text[pos : pos + 1].isspace():
            continue  # "1.5-bath", "503s": a measure, not a count of goods
        if any(0 < number.start - p.end <= 2 and not text[p.end : number.start].strip()
               for p in names):  # fmt: skip
            continue  # "Kettle Pro 2": a model number
        words = list(re.finditer(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]", text[pos : pos + 120]))
        i = 0
        if i < len(words) and words[i].group(0).lower() in MEASURES:
            i += 1
        if i + 1 < len(words) and words[i].group(0).lower() == "of":
            i += 1
        elif i == 0 and i + 1 < len(words) and words[i + 1].group(0).lower() == "of":
            i += 2  # "5 jars of honey"
        phrase = []
        for word in words[i : i + 6]:
            low = word.group(0).lower()
            if not word.group(0)[0].isalpha() or low in _STOP_AFTER or low in MEASURES:
                break
            phrase.append(word)
            if len(phrase) == 4:
                break
        while phrase and phrase[-1].group(0).lower() in STOPWORDS:
            phrase.pop()
        if not phrase or phrase[0].group(0).lower() in STOPWORDS:
            continue
        start, end = pos + phrase[0].start(), pos + phrase[-1].end()
        value = text[start:end]
        out.append(Span("goods", value, start, end, value, cue=number.text))
    return out


REQUEST_VERB = re.compile(
    r"(?im)^[ \t]*(?:please[ \t]+)?(?:re)?(?:order|stock|buy|purchase|get|add|check|find|ship|send"
    r"|deliver|bring|return|pack|restock|pick[ \t]+up)[ \t]+(?:(?:some|more|a|an|the|of)[ \t]+)?"
)


def requested_goods(facts: Facts) -> list[Span]:
    """What a short request asks for: "Reorder hex keys." -> "hex keys"."""
    out = []
    text = facts.text
    for found in REQUEST_VERB.finditer(text):
        words = list(
            re.finditer(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]", text[found.end() : found.end() + 80])
        )
        phrase = []
        for word in words[:4]:
            low = word.group(0).lower()
            if not word.group(0)[0].isalpha() or low in _STOP_AFTER or low in STOPWORDS:
                break
            phrase.append(word)
        if phrase:
            start, end = found.end() + phrase[0].start(), found.end() + phrase[-1].end()
            out.append(Span("goods", text[start:end], start, end, text[start:end]))
    return out


# ---------------------------------------------------------------- companions

COMPANION_SLOT = frozenset(
    "plus guest guests companion companions additional extra accompany".split()
)
COMPANIONS = frozenset(
    """partner wife husband spouse friend friends colleague colleagues son daughter kid kids
    child children mother father mom mum dad sister brother boyfriend girlfriend fiance fiancee
    fiancé fiancée plus-one guest date parent parents""".split()
)
_PLURAL = frozenset("friends colleagues kids children parents".split())
BRING = re.compile(
    r"(?i)\b(?:bring(?:ing)?|with|accompanied\s+by|joined\s+by|coming\s+with|plus)\s+"
    r"(?:my|our|a|an|the|one)?\s*([\w-]+)(?-i:\s+[A-Z][a-z]+)?"
    r"(?:\s*(?:,|and|&|plus)\s+(?:my|our|a|an)?\s*([\w-]+))?"
)


def companions(slot: Slot, text: str) -> int | None:
    """How many people come along ("I'll bring my partner Jo" -> 1), for a plus-ones slot."""
    named = set(slot.words) | set(re.findall(r"[a-z]+", str(slot.schema.get("description", ""))))
    if not named & COMPANION_SLOT:
        return None
    count = 0
    for found in BRING.finditer(text):
        for word in (found.group(1), found.group(2)):
            if word and word.lower() in COMPANIONS:
                count += 2 if word.lower() in _PLURAL else 1
    if count:
        return count
    if re.search(r"(?i)\b(?:just\s+me|only\s+me|by\s+myself|alone|solo|no\s+(?:guests?|plus))\b",
                 text):  # fmt: skip
        return 0
    return None
