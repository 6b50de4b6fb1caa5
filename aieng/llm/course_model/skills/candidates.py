"""Candidate values for one slot, scored by what surrounds them in the text.

A candidate is a span the recognizers found (``entities``) converted to the
slot's type. Its score adds a base for how well its kind fits the slot (a
place after "in", a person after "I'm"), twice its ``proximity`` to words that
name the slot ("3 nights" for ``nights``), and a bonus when the word before it
fits the slot's role ("from" for ``origin``, "until" for ``end_date``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aieng.llm.course_model.skills import freetext
from aieng.llm.course_model.skills.entities import Facts, Span
from aieng.llm.course_model.skills.schemas import MISSING
from aieng.llm.course_model.text import STOPWORDS, stem

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.slots import Context, Slot

THING_WORDS = frozenset(
    "product item file project event dish recipe book movie film song course team department "
    "plan title pet model service package document app repo repository meal drink game".split()
)
GOODS_WORDS = frozenset(
    "goods material materials supply supplies part parts component ingredient commodity article "
    "merchandise stock consumable item items product products produce".split()
)
GOODS_STEMS = frozenset(stem(w) for w in GOODS_WORDS)
TIME_ADVERBS = frozenset("last next ago today yesterday tomorrow now already yet still".split())
DEMONYM = re.compile(r"(?:an|ian|ese|ish|ic|i|ch)$")

START_CUES = frozenset("from starting start beginning begin on since after".split())
END_CUES = frozenset("to until till through thru by before and ending end".split())
ORIGIN_CUES = frozenset("from leaving departing out of off".split())
DESTINATION_CUES = frozenset("to into for arriving towards reach reaching visit visiting".split())
PLACE_CUES = frozenset("in at near around into visiting visit towards via inside within".split())
SHARED_CUES = frozenset("to from for between of and or".split())
PERSON_CUES = frozenset(
    "am i'm is name named called with by dear hi hello hey thanks regards contact cc ask tell "
    "assign assigned meet meeting invite email call mr mrs ms dr employee customer manager "
    "colleague sincerely cheers signed reporter author applicant candidate patient guest "
    "passenger client student user owner requester sender recipient attendee member".split()
)
# Small lexicon for counts and measures: what a slot's word may be called in text.


LINKS = frozenset("in at on into onto near inside within via of".split())


def key_positions(slot: Slot, facts: Facts) -> list[tuple[int, float]]:
    """Tokens that name the slot: (index, 1.0) for its name's words, 0.5 for its description's."""
    prefixes = {k[:5] for k in slot.keys if len(k) >= 5}
    out = []
    for i, token in enumerate(facts.tokens):
        if token.stem in slot.keys or (len(token.stem) >= 5 and token.stem[:5] in prefixes):
            out.append((i, 1.0))
        elif token.stem in slot.hints and token.word not in STOPWORDS:
            out.append((i, 0.5))
    return out


def proximity(facts: Facts, span: Span, keys: list[tuple[int, float]]) -> float:
    """How closely words of the slot surround ``span`` (1.0 = right before it)."""
    if not keys:
        return 0.0
    first, after = facts.token_index(span.start), facts.token_index(span.end)
    sentence = facts.sentence_of(span.start)
    ranks = facts.ranks
    best = 0.0
    for i, weight in keys:
        if first <= i < after:
            continue
        if i < first:
            gap = ranks[first] - ranks[i] - 1 if first < len(ranks) else 0
            score = 1.0 / (1 + 0.5 * max(0, gap))
            if any(t.word in LINKS for t in facts.tokens[i + 1 : first]):
                score *= 0.5  # "environment in ap-south-1": where the thing is, not what
        else:
            gap = ranks[i] - (ranks[after] if after < len(ranks) else ranks[i])
            score = 0.7 / (1 + 0.5 * max(0, gap))
        if facts.sentence_of(facts.tokens[i].start) != sentence:
            score *= 0.3
        best = max(best, weight * score)
    return best


def role_bonus(slot: Slot, cue: str) -> float:
    """Credit for a value whose preceding word fits the slot's role ("from" for origin)."""
    if slot.role == "origin":
        return 0.6 if cue in ORIGIN_CUES else (-0.3 if cue in DESTINATION_CUES else 0.0)
    if slot.role == "destination":
        return 0.6 if cue in DESTINATION_CUES else (-0.3 if cue in ORIGIN_CUES else 0.0)
    if slot.role == "start":
        return 0.6 if cue in START_CUES else (-0.3 if cue in END_CUES else 0.0)
    if slot.role == "end":
        return 0.6 if cue in END_CUES else (-0.3 if cue in START_CUES else 0.0)
    return 0.0


ACTS = re.compile(
    r"[ \t]+(?:[a-z]+ed|had|has|is|was|says|said|will|scored|made|got|took|shot|won|ran|threw"
    r"|hit|posted|carded|finished|added)\b"
)


def _proper_base(kind: str, span: Span, facts: Facts) -> float:
    cue, single = span.cue, " " not in span.value
    text = facts.text
    wrapped = (
        0 < span.start and span.end < len(text) and text[span.start - 1] + text[span.end] == "()"
    )
    if wrapped and kind != "place":
        return -1.0  # "(Eng)" after a name is a note about it, not another name
    inside = any(a.start <= span.start < a.end for a in facts.of("address"))
    if inside and kind != "place":
        return 0.0  # "Rua Augusta" in "5 Rua Augusta" names a street
    if kind == "place":
        for address in facts.of("address"):
            if address.start <= span.start < address.end:
                return 0.0
            if 0 <= span.start - address.end <= 3:
                return 0.7
        if cue in PLACE_CUES:
            return 0.8
        if cue in SHARED_CUES:
            return 0.5
        return 0.05 if cue in PERSON_CUES else (0.1 if not cue else 0.2)
    if kind == "org":
        if re.search(r"\b(?:Inc|Ltd|LLC|Corp|GmbH|Co|AG|SA|PLC|Group)\.?$", span.value):
            return 0.9
        if cue in ("at", "from", "with", "for", "by", "via", "through", "using", "join", "joined"):
            return 0.5
        if not cue:
            return 0.1
        return 0.4 if span.value.isupper() else 0.2
    if span.initial:
        return 0.15  # "Register Priya Raman": the name more likely starts a word later
    if _next_to_contact(span, facts):
        return 0.8  # "Priya Raman (priya@uni.edu)"
    if (
        single
        and DEMONYM.search(span.value)
        and not span.value.isupper()
        and (
            re.search(r"(?i)\b(?:an?|the)\s+$", facts.text[max(0, span.start - 5) : span.start])
            or re.match(
                r"\s+(?:citizens?|nationals?|passport|residents?|people)\b", facts.text[span.end :]
            )
        )
    ):
        return 0.1  # "a Chilean citizen": a nationality more likely than a name
    if cue in PERSON_CUES:
        return 0.7
    if cue in SHARED_CUES:
        return 0.4
    if cue in PLACE_CUES:
        return 0.05
    if not cue and ACTS.match(facts.text, span.end):
        return 0.35  # "Lindqvist had 18 points": a name, then what the person did
    if (
        not cue
        and not facts.text[: span.start].strip(" \t:-")
        and not re.match(r"\s*:", facts.text[span.end :])
    ):
        return 0.3  # "Nakamura absent": a list item that starts with a name
    return (0.1 if single else 0.3) if not cue else 0.25


@dataclass(frozen=True)
class Candidate:
    """A value for a slot, where it sits, and how well it fits."""

    score: float
    start: int
    end: int
    value: Any
    cue: str = ""


def _convert(slot: Slot, value: Any) -> Any:
    """A candidate value in the slot's JSON type, or MISSING."""
    types = slot.types or frozenset(["string"])
    if isinstance(value, bool):
        return value if "boolean" in types else MISSING
    if isinstance(value, int | float):
        if "integer" in types and float(value).is_integer():
            return int(value)
        if "number" in types:
            return value
        return str(value) if "string" in types else MISSING
    if "string" in types:
        return value
    if types & {"integer", "number"} and re.fullmatch(r"\d+", str(value)):
        return int(value)
    return MISSING


def _fits(slot: Slot, value: Any) -> bool:
    schema = slot.schema
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return False
    if isinstance(value, str) and schema.get("pattern"):
        try:
            return re.search(schema["pattern"], value) is not None
        except re.error:
            return True
    return True


def candidates(
    slot: Slot, facts: Facts, ctx: Context, siblings: frozenset[str] = frozenset()
) -> list[Candidate]:
    """Every value in ``facts`` that could fill ``slot``, scored."""
    keys = key_positions(slot, facts)
    kind = slot.kind
    out: list[Candidate] = []

    def add(
        span: Span, base: float, value: Any = None, unit_bonus: bool = False, end: int = 0
    ) -> None:
        value = _convert(slot, span.value if value is None else value)
        if value is MISSING or not _fits(slot, value):
            return
        score = base + 2.0 * proximity(facts, span, keys) + role_bonus(slot, span.cue)
        if unit_bonus and span.unit and _unit_fits(span.unit, slot):
            score += 1.5
        out.append(Candidate(score, span.start, max(span.end, end), value, span.cue))

    simple = {"email": "email", "url": "url", "phone": "phone", "postcode": "postcode",
              "address": "address", "currency": "currency"}  # fmt: skip
    if kind in simple:
        for span in facts.of(simple[kind]):
            add(span, 0.5)
    elif kind == "date":
        for span in facts.of("date", "datetime"):
            if span.kind == "datetime" and span.text[10:11] == " ":
                # "2024-07-10 08:00-10:30": the date alone, the times are other slots'
                span = Span("date", span.value, span.start, span.start + 10, span.text[:10])
            add(span, 0.5, str(span.value)[:10])
    elif kind == "datetime":
        times = facts.of("time")
        for span in facts.of("datetime"):
            add(span, 0.6)
        for span in facts.of("date"):
            time = _nearest_time(facts, span, times)
            value = f"{span.value}T{time.value if time else '00:00:00'}"
            add(span, 0.5, value, end=time.end if time else 0)
    elif kind == "time":
        for span in facts.of("time", "datetime"):
            add(span, 0.5, str(span.value)[-8:] if span.kind == "time" else span.value[11:])
    elif kind in ("money", "percent", "number"):
        own = {"money": "money", "percent": "percent", "number": "number"}[kind]
        for span in facts.of("money", "percent", "number"):
            if span.kind == own:
                base = 0.6 if kind != "number" else 0.2
            elif kind == "money" and span.kind == "number":
                if not facts.of("money"):
                    add(span, 0.15)  # a bare number may be an amount; its unit says nothing
                continue
            elif kind == "number" and span.kind == "money":
                base = 0.15 if "money" not in siblings else 0.05
            elif kind == "number" and span.kind != "number":
                base = 0.05
            elif kind == "percent" and span.kind == "number":
                base = 0.1
            else:
                continue
            add(span, base, unit_bonus=True)
        if kind == "number" and set(slot.words) & {"year", "yr"}:
            for span in facts.of("number"):
                if isinstance(span.value, int) and 1900 <= span.value <= 2100:
                    add(span, 0.6)  # "2019 Toyota Corolla": a year
        if kind == "number" and set(slot.words) & NUMBERED:
            for span in facts.of("id"):  # "Build #5521" for build_number
                if span.text.startswith("#") and str(span.value).isdigit():
                    add(span, 0.4, int(span.value))
    elif kind == "id":
        for span in facts.of("id"):
            add(span, 0.5)
        for span in facts.of("ident"):
            add(span, 0.25)
        for span in facts.of("phone"):
            add(span, 0.1)
        for span in facts.of("number"):
            if isinstance(span.value, int) and len(span.text) >= 3 and not span.unit:
                add(span, 0.15, str(span.value) if "string" in slot.types else span.value)
    elif kind == "pattern":
        add_pattern(slot, facts, add)
    elif kind in ("person", "place", "org"):
        for span in facts.of("proper"):
            span = _without_key(span, slot, facts)
            add(span, _proper_base(kind, span, facts))
        if kind == "place":
            _lower_places(facts, add)
            from aieng.llm.course_model.skills.generic import ABBR_PLACE

            for found in ABBR_PLACE.finditer(facts.text):
                value = found.group("v")  # "INT. Motel room - day": the place after the tag
                add(Span("phrase", value, found.start("v"), found.end("v"), value), 0.6)
    elif kind == "language":
        for found in _LANGUAGE.finditer(facts.text):
            name = found.group(0).title()
            value = LANGUAGE_CODES[name.lower()] if _wants_code(slot) else name
            add(Span("proper", value, found.start(), found.end(), found.group(0)), 0.5)
    elif kind == "generic":
        from aieng.llm.course_model.skills.generic import generic_candidates

        generic_candidates(slot, facts, siblings, add)
    elif kind == "nationality":
        _nationality(facts, add)
    elif kind == "unit":
        for span in _units(facts):
            add(span, 0.4)
    shape = _shape(slot, ctx) if kind in ("generic", "id") and "string" in slot.types else None
    if shape is not None:
        for found in shape.finditer(facts.text):
            add(Span("pattern", found.group(0), found.start(), found.end(), found.group(0)), 0.5)
        # "the serial number (like FP3-004512)": an id of another shape is another id
        out = [c for c in out if shape.fullmatch(str(c.value))]
    if kind in ("generic", "person", "place", "org", "id", "language", "nationality") or (
        kind.startswith("text:")
    ):
        labelled = freetext.labelled_value(slot, facts.text)
        if labelled is not None:
            start, end, value = labelled
            value = _convert(slot, value)
            if value is not MISSING and _fits(slot, value):
                out.append(Candidate(3.0, start, end, value))
    return out


def _unit_fits(unit: str, slot: Slot) -> bool:
    """ "1.5-bath" for ``bathrooms``, "kg" for ``weight_kg``: the unit names the slot;
    the words after "per" do not ("3 times" for ``times_per_day``, not "7 days")."""
    if "per" in slot.words:
        head = slot.words[: slot.words.index("per")]
        return any(stem(w) == unit or (len(unit) >= 4 and stem(w).startswith(unit)) for w in head)
    if unit in slot.keys or unit in slot.hints:
        return True
    return len(unit) >= 4 and any(k.startswith(unit) for k in slot.keys)


NUMBERED = frozenset("number no num id".split())


def _nationality(facts: Facts, add) -> None:
    """ "a Brazilian citizen", "citizens of India", "I'm from Chile"."""
    for span in facts.of("proper"):
        after = facts.text[span.end : span.end + 16].lower()
        demonym = " " not in span.value and DEMONYM.search(span.value) is not None
        if " " not in span.value and re.match(
            r"\s+(?:citizens?|nationals?|passports?|residents?)\b", after
        ):  # "a Brazilian citizen", "Filipino nationals"
            add(span, 1.2)
        elif span.cue in ("of", "from") and re.search(
            r"(?i)\b(?:citizens?|nationals?|passport|born)\s+(?:of|from)\s*$",
            facts.text[max(0, span.start - 24) : span.start],
        ):
            add(span, 1.0)
        elif demonym:
            add(span, 0.5)
        elif span.cue == "from":
            add(span, 0.3)
        else:
            add(span, 0.05)


def _lower_places(facts: Facts, add, base: float = 0.3) -> None:
    """Places written in lower case after "in"/"at" ("in the north orchard", "in eu-west-1")."""
    for found in _LOWER_PLACE.finditer(facts.text):
        phrase = found.group(2)
        words = phrase.split()
        if words[0].lower() in _NOT_PLACES or words[0] in STOPWORDS:
            continue
        if len(words) > 1 and words[1] in STOPWORDS:
            phrase = words[0]  # "in the rain and ...": one word
        if found.group(1) == "to" and re.match(r"\s+[A-Z0-9]", facts.text[found.end() :]):
            continue  # "to visit Japan": a verb, then the place
        numbered = phrase[-1].isdigit()
        value = phrase if base < 0.3 or "the" in found.group(0) or numbered else phrase.title()
        span = Span("proper", value, found.start(2), found.start(2) + len(phrase), phrase,
                    cue=found.group(1).lower())  # fmt: skip
        add(span, 0.35 if numbered and base >= 0.3 else 0.15)  # "to dock 4"
    if base < 0.3:
        return
    for span in facts.of("id", "ident"):
        if span.cue in PLACE_CUES and re.search(r"[a-z]", span.value) and "-" in span.value:
            add(span, 0.5)  # "in eu-west-1": a region's code


def _shape(slot: Slot, ctx: Context) -> re.Pattern | None:
    """The shape of the slot's values, learnt from an example in its description or the prompt."""
    shape = example_shape(str(slot.schema.get("description", "")))
    if shape is None and ctx.notes:
        from aieng.llm.course_model.skills.choices import label_descriptions

        about = label_descriptions(ctx.notes, [slot.name]).get(slot.name)
        shape = example_shape(about) if about else None
    return shape


_LOWER_PLACE = re.compile(
    r"\b(in|at|near|to|from)\s+(?:the\s+)?([a-z]{3,}(?:\s+[a-z]{3,})?(?:\s+[A-Z]?\d{1,4}[A-Z]?\b)?)"
    r"\b(?![-_.]\w)"
)
_NOT_PLACES = frozenset(
    "today tomorrow tonight morning evening afternoon night weekend time advance total general "
    "order stock person advance detail the this that there here".split()
)
LANGUAGE_CODES = {
    "english": "en", "french": "fr", "spanish": "es", "german": "de", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "japanese": "ja", "chinese": "zh", "mandarin": "zh",
    "korean": "ko", "arabic": "ar", "russian": "ru", "hindi": "hi", "polish": "pl",
    "swedish": "sv", "turkish": "tr", "greek": "el", "danish": "da", "norwegian": "no",
    "finnish": "fi", "czech": "cs", "hebrew": "he", "ukrainian": "uk", "vietnamese": "vi",
}  # fmt: skip
_LANGUAGE = re.compile(r"\b(?:" + "|".join(LANGUAGE_CODES) + r")\b", re.I)


def _wants_code(slot: Slot) -> bool:
    text = (str(slot.schema.get("description", "")) + " " + " ".join(slot.words)).lower()
    max_length = slot.schema.get("maxLength")
    return "code" in text or "iso" in text or (isinstance(max_length, int) and max_length <= 5)


def _nearest_time(facts: Facts, span: Span, times: list[Span]) -> Span | None:
    sentence = facts.sentence_of(span.start)
    near = [t for t in times if facts.sentence_of(t.start) == sentence and t.start > span.start]
    return min(near, key=lambda t: t.start - span.start) if near else None


UNIT_WORD = re.compile(r"[ \t]?(?P<u>[A-Za-zµ°%][A-Za-zµ°%²³]*(?:/[A-Za-z]+)?)")
UNIT_TARGET = re.compile(
    r"\b(?:to|into|in)[ \t]+(?P<u>[A-Za-z°%]+(?:/[A-Za-z]+)?)[ \t]*[.?!]?$", re.I
)


def _units(facts: Facts) -> list[Span]:
    """Units of measure: the word after a number ("5.4 mmol/L") or after a final "to"."""
    out = []
    for number in facts.of("number", "percent"):
        found = UNIT_WORD.match(facts.text, number.end)
        if found and found.group("u").lower() not in STOPWORDS:
            start, end = found.span("u")
            out.append(
                Span("unit", found.group("u"), start, end, found.group("u"), cue=number.text)
            )
    for line in re.finditer(r"[^\n.?!]+[.?!]?", facts.text):
        found = UNIT_TARGET.search(line.group(0))
        if found:
            start = line.start() + found.start("u")
            value = found.group("u")
            out.append(Span("unit", value, start, start + len(value), value, cue="to"))
    return out


def _next_to_contact(span: Span, facts: Facts) -> bool:
    """A name written right before or after an email address or phone number."""
    for contact in facts.of("email", "phone"):
        gap = facts.text[span.end : contact.start] if contact.start >= span.end else None
        if gap is not None and re.fullmatch(r"\s*[(<,:-]?\s*", gap):
            return True
        before = facts.text[contact.end : span.start] if span.start >= contact.end else None
        if before is not None and re.fullmatch(r"\s*[)>,:-]?\s*", before):
            return True
    return False


def _after_name(span: Span, facts: Facts) -> bool:
    """ "Lena Fischer (CFO)": a parenthesis right after a name says something about it."""
    return any(0 <= span.start - p.end <= 3 for p in facts.of("proper"))


def _with_model_number(span: Span, facts: Facts) -> Span:
    """ "Kettle Pro 2": a product name may end in its model number."""
    found = re.match(r"[ \t]+(\d{1,4}[A-Za-z]?)\b(?![.,]\d)", facts.text[span.end :])
    if not found:
        return span
    number = [s for s in facts.of("number") if s.start == span.end + found.start(1)]
    if number and number[0].unit and number[0].unit not in STOPWORDS | TIME_ADVERBS:
        return span  # "Paris 2 nights": the number counts something else
    end = span.end + found.end(1)
    text = facts.text[span.start : end]
    return Span("proper", text, span.start, end, text, cue=span.cue)


def _without_key(span: Span, slot: Slot, facts: Facts) -> Span:
    """ "Ticker AAPL" for a ``ticker`` slot is "AAPL": drop the slot's own words in front."""
    if span.kind != "proper":
        return span
    first = facts.token_index(span.start)
    start = span.start
    for token in facts.tokens[first:]:
        if token.end > span.end or token.stem not in slot.keys:
            break
        start = token.end
    if start == span.start:
        return span
    rest = facts.text[start : span.end].lstrip(" \t-:")
    if not rest:
        return span
    begin = span.end - len(rest)
    return Span("proper", rest, begin, span.end, rest, cue=facts.tokens[first].word)


EXAMPLE = re.compile(
    r"(?i)\b(?:e\.g\.|eg|for example|for instance|such as|like|format)[:,]?\s*"
    r"[\"'`“]?(?P<x>[A-Za-z0-9][A-Za-z0-9_./#-]{1,30})"
)


@lru_cache(maxsize=1024)
def example_shape(description: str) -> re.Pattern | None:
    """A regex for values shaped like the description's examples ("e.g. ORD-1234").

    Letter runs keep their first letter (an id's prefix tells its type: ``ORD-`` orders,
    ``INV-`` invoices) and digit runs their length give or take two; every example given
    ("like FP3-004512 or FT2-001877") adds its shape.

    Example:
        >>> example_shape("Order id, e.g. ORD-1234").search("it is ORD-77, not INV-12").group(0)
        'ORD-77'
    """
    found = EXAMPLE.search(description)
    if not found:
        return None
    first = found.group("x").rstrip(".")
    if first.isalpha() and first.islower():
        return None  # a plain word ("like cats") is no shape
    rest = description[found.end() :]
    examples = [first] + [
        m.group(0) for m in re.finditer(r"(?<![\w-])(?=[\w-]*\d)[A-Za-z][\w-]*\d[\w-]*", rest)
    ]
    shapes = list(dict.fromkeys(_one_shape(x) for x in examples[:4]))
    return re.compile(r"(?<![\w-])(?:" + "|".join(shapes) + r")(?![\w-])")


def _one_shape(example: str) -> str:
    parts = []
    for run in re.finditer(r"[A-Z]+|[a-z]+|\d+|.", example):
        text = run.group(0)
        size = len(text)
        low, high = max(1, size - 2), size + 2
        if text.isdigit():
            parts.append(rf"\d{{{low},{high}}}")
        elif text.isupper():
            prefix = run.start() == 0 and size >= 2 and any(c.isdigit() for c in example)
            head = re.escape(text[0]) if prefix else ""
            low, high = (max(0, low - 1), high - 1) if head else (low, high)
            parts.append(rf"{head}[A-Z]{{{low},{high}}}")
        elif text.islower():
            parts.append(rf"[a-z]{{{low},{high}}}")
        else:
            parts.append(re.escape(text))
    return "".join(parts)


def add_pattern(slot: Slot, facts: Facts, add) -> None:
    """Candidates that match the slot's ``pattern`` anywhere in the text."""
    pattern = str(slot.schema["pattern"])
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    try:
        finder = re.compile(r"(?<![A-Za-z0-9])(?:" + body + r")(?![A-Za-z0-9])")
    except re.error:
        return
    for found in finder.finditer(facts.text):
        if found.group(0):
            add(Span("pattern", found.group(0), found.start(), found.end(), found.group(0)), 0.6)
