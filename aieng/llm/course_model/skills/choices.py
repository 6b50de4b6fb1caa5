"""Slots that hold a choice or a list: enums and arrays (booleans are in ``booleans``).

An enum value is the one the text names next to the slot's words ("priority
high") and does not deny ("pause, not cancel"), else the one closest in
meaning: ``classify.rank_labels`` with the values' descriptions (from the
schema or the prompt: "billing: invoices, refunds; ...") plus everyday cues
(``meanings``). An array holds every value of its item kind (all emails), a
written list ("ingredients: flour, sugar and eggs"), or one object per line,
bullet, sentence, semicolon part or clause that fills its item schema.

Example:
    >>> from aieng.llm.course_model.skills.slots import fill_object
    >>> schema = {"type": "object", "properties": {"tags": {"type": "array",
    ...           "items": {"type": "string"}}}}
    >>> fill_object(schema, "Tags: travel, food and Lisbon").value
    {'tags': ['travel', 'food', 'Lisbon']}
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aieng.llm.course_model.skills.meanings import enum_cues
from aieng.llm.course_model.text import STOPWORDS, content_words, sentences, stem

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.entities import Facts
    from aieng.llm.course_model.skills.slots import Context, Slot

logger = logging.getLogger(__name__)

BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|[a-z][.)])\s+(?P<item>.+?)\s*$", re.M)
LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bor\b|&|\+)\s*", re.I)
ENUMERATION = re.compile(
    r"(?P<list>(?:[\w'’\"./-]+(?:\s+[\w'’\"./-]+){0,3}\s*,\s*)+[\w'’\"./-]+(?:\s+[\w'’\"./-]+){0,3}"
    r",?\s+(?:and|or|&)\s+[\w'’\"./-]+(?:\s+[\w'’\"./-]+){0,3})"
)
KEYWORD_WORDS = frozenset("keywords keyword tags tag topics labels themes".split())
SCALAR_ITEM_KINDS = frozenset(
    "email url phone postcode address currency date datetime time money percent number id "
    "pattern person place org language".split()
)


def _rank(
    text: str, labels: list[str], strong: bool, descriptions: dict[str, str] | None = None
) -> list[tuple[str, float]]:
    """``classify.rank_labels``, or a plain word-overlap ranking if it is missing."""
    try:
        from aieng.llm.course_model.skills.classify import rank_labels
    except ImportError:  # pragma: no cover - classify ships rank_labels
        from aieng.llm.course_model.text import overlap

        scores = [(label, overlap(label.replace("_", " "), text)) for label in labels]
        return sorted(scores, key=lambda pair: -pair[1])
    return rank_labels(text, labels, descriptions or None, strong=strong)


def _mentions(facts: Facts, label: str) -> list[int]:
    """Token indices where the label's words appear ("in_progress" ~ "in progress")."""
    parts = [stem(w) for w in re.split(r"[\s_\-/]+", label.lower()) if w]
    if not parts:
        return []
    tokens = facts.tokens
    return [
        i
        for i in facts.by_stem.get(parts[0], ())
        if i + len(parts) <= len(tokens)
        and all(tokens[i + j].stem == parts[j] for j in range(1, len(parts)))
    ]


def enum_mentions(slot: Slot, facts: Facts) -> list[tuple[int, int]]:
    """Where the text names one of the slot's enum values (so no other slot takes it)."""
    out = []
    for label in slot.schema.get("enum") or ():
        if isinstance(label, str) and len(label) >= 3:
            size = len([w for w in re.split(r"[\s_\-/]+", label) if w])
            for i in _mentions(facts, label):
                out.append((facts.tokens[i].start, facts.tokens[i + size - 1].end))
    return out


def fill_enum(slot: Slot, text: str, facts: Facts, ctx: Context) -> Any:
    """The enum value the text names near the slot's words, else the closest in meaning.

    A value named but negated ("pause (not cancel)", "rather than cancel") does not count;
    value descriptions in the schema or the prompt ("billing: invoices, refunds; ...") and
    everyday cues ("a burst pipe" for ``water``) tell the closest in meaning.
    """
    from aieng.llm.course_model.skills.candidates import key_positions, role_bonus
    from aieng.llm.course_model.skills.slots import MISSING

    if "const" in slot.schema:
        return slot.schema["const"]
    values = list(slot.schema.get("enum") or [])
    if not values:
        return MISSING
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    for span in facts.of("number"):
        if span.value in numbers:
            return span.value
    labels = [v for v in values if isinstance(v, str)]
    if not labels:
        return MISSING
    mentioned = sorted(
        [(i, label) for label in labels for i in _mentions(facts, label)]
        + [(facts.token_index(s.start), s.value) for s in facts.of("currency") if s.value in labels]
    )
    denied = {label for i, label in mentioned if _negated(facts, i)}
    mentioned = [(i, label) for i, label in mentioned if label not in denied]
    if mentioned and slot.role:
        cues = [facts.tokens[i - 1].word if i > 0 else "" for i, _ in mentioned]
        bonus = [role_bonus(slot, cue) + _amount_bonus(slot, cue) for cue in cues]
        picks = [m for m, b in zip(mentioned, bonus, strict=True) if b == max(bonus)]
        return (picks[0] if slot.role in ("origin", "start") else picks[-1])[1]
    keys = [i for i, _ in key_positions(slot, facts)]
    if mentioned and keys:
        near = [
            (min(abs(i - k) for k in keys), i, label)
            for i, label in mentioned
            if 0 < min(abs(i - k) for k in keys) <= 3
        ]
        if near:
            return min(near)[2]
    codes = [s.value for s in facts.of("currency") if s.value in labels]
    if codes:
        return codes[0]
    if len({label for _, label in mentioned}) == 1 and denied:
        return mentioned[0][1]  # "pause, not cancel": the one value left standing
    from aieng.llm.course_model.skills.definitions import defined_choice, named_value

    named = named_value(labels, mentioned)
    if named is not None:  # "our FleetOS tenant": a value that is a name, named in the text
        return named
    described = _descriptions(slot, labels, ctx.notes)
    chosen = defined_choice(slot, labels, text, ctx.notes, denied)
    if chosen is not None:  # labels defined by conditions: the one whose conditions are met
        return _sampled(chosen, slot, labels, text, described, ctx, denied, defined=True)
    ranked = rank_enum(text, labels, described, ctx.strong, denied)
    if ranked and ranked[0][1] > 0 and ctx.strong and slot.nullable:
        # a field that may be null is left null when only embeddings point at a value: with
        # no word of evidence a similar-sounding label is a guess ("Tug" for a job enquiry)
        lexical = rank_enum(text, labels, described, False, denied)
        if not lexical or lexical[0][1] <= 0.05:
            return MISSING
    if ranked and ranked[0][1] > 0:
        return _sampled(ranked[0][0], slot, labels, text, described, ctx, denied, ranked=ranked)
    return MISSING


CLOSE = 0.85  # a rival scoring under 85% of the best is not a close call


def _sampled(
    chosen: str,
    slot: Slot,
    labels: list[str],
    text: str,
    described: dict[str, str],
    ctx: Context,
    denied: set[str],
    ranked: list[tuple[str, float]] | None = None,
    defined: bool = False,
) -> str:
    """At temperature > 0 a close call may go to a rival (``engine.sample``): a label whose
    meaning scores near the chosen one's, or whose stated conditions the text meets too.
    Nothing is computed at temperature 0."""
    from aieng.llm.course_model.engine import sample, varied

    if not varied():
        return chosen
    ranked = ranked or rank_enum(text, labels, described, ctx.strong, denied)
    scores = dict(ranked)
    top = max(scores.get(chosen, 0.0), ranked[0][1] if ranked else 0.0)
    rivals: dict[str, float] = {}
    if top > 0.05:
        for label, score in ranked:
            if label != chosen and label not in denied and score > 0:
                rivals[label] = max(0.0, (score / top - CLOSE) / (1 - CLOSE))
    if defined:
        from aieng.llm.course_model.skills.conditions import conditions_met
        from aieng.llm.course_model.skills.definitions import read_definitions

        defs = read_definitions(labels, str(slot.schema.get("description", "")), ctx.notes,
                                slot.words)  # fmt: skip
        met = {lb: len(conditions_met(text, c)) for lb, c in defs.conditions.items()}
        own = met.get(chosen, 0)
        for label, count in met.items():
            if label != chosen and label not in denied and count:
                close = 0.5 * count / max(own, count)
                rivals[label] = max(rivals.get(label, 0.0), close)
        # the stated conditions decided: a rival by meaning alone is a weaker contender
        rivals = {lb: c if met.get(lb) else c * 0.3 for lb, c in rivals.items()}
    ordered = sorted(rivals.items(), key=lambda kv: (-kv[1], labels.index(kv[0])))
    return sample(chosen, [(label, c) for label, c in ordered[:2] if c > 0])


AMOUNT = re.compile(r"\d[\d,.]*|one|two|three|four|five|ten|hundred|thousand|a")


def _amount_bonus(slot: Slot, cue: str) -> float:
    """ "How many yen is one euro": the currency an amount is in is the one converted from."""
    if not AMOUNT.fullmatch(cue):
        return 0.0
    return 0.6 if slot.role in ("origin", "start") else -0.3


NEGATION_CUE = re.compile(
    r"(?i)(?:\b(?:not|no|never|don't|do\s+not|without|instead\s+of|rather\s+than|other\s+than"
    r"|except|n't)\s+(?:\w+\s+)?|\(\s*not\s+)$"
)


def _negated(facts: Facts, i: int) -> bool:
    """Whether the value named at token ``i`` is denied ("not cancel", "instead of cancel")."""
    start = facts.tokens[i].start
    before = facts.text[max(0, start - 24) : start]
    return NEGATION_CUE.search(before) is not None


def rank_enum(
    text: str,
    labels: list[str],
    descriptions: dict[str, str],
    strong: bool,
    denied: set[str] | frozenset[str] = frozenset(),
) -> list[tuple[str, float]]:
    """Enum values by meaning: ``rank_labels`` plus everyday cues, denied values last."""
    ranked = dict(_rank(text, labels, strong, descriptions))
    cues = enum_cues(text, labels, descriptions)
    scores = {
        label: ranked.get(label, 0.0) + cues.get(label, 0.0) - (9.0 if label in denied else 0.0)
        for label in labels
    }
    return sorted(scores.items(), key=lambda kv: (-kv[1], labels.index(kv[0])))


def _descriptions(slot: Slot, labels: list[str], notes: str) -> dict[str, str]:
    """What each value means, from the slot's description or the prompt ("billing: ...")."""
    own = str(slot.schema.get("description", ""))
    found = label_descriptions(own, labels) if own else {}
    if len(found) < 2 and notes:
        found = {**label_descriptions(notes, labels), **found}
    return found


SEGMENT = re.compile(r"[;\n]|(?<=\.)\s+(?=[A-Z])")
LABEL_HEAD = re.compile(
    r"(?<![\w])[\"'`*]*([A-Za-z][\w/ -]{0,40}?)[\"'`*]*\s*(?::|=>|->|=|–|—|\s-\s|\()\s*"
)


def _norm(label: str) -> str:
    return " ".join(re.split(r"[\s_-]+", label.lower())).strip()


def label_descriptions(text: str, labels: list[str]) -> dict[str, str]:
    """ "billing: invoices, refunds; technical: faults" -> {"billing": "invoices, refunds", ...}.

    Example:
        >>> label_descriptions("Kinds - fire: smoke, flames; water: leaks", ["fire", "water"])
        {'fire': 'smoke, flames', 'water': 'leaks'}
    """
    return dict(_label_descriptions(text, tuple(x for x in labels if isinstance(x, str))))


@lru_cache(maxsize=512)
def _label_descriptions(text: str, labels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    wanted = {_norm(label): label for label in labels if label.strip()}
    out: dict[str, str] = {}
    for segment in SEGMENT.split(text):
        segment = segment.strip().lstrip("-•* ")
        for found in LABEL_HEAD.finditer(segment):
            head = _norm(found.group(1))
            for key, label in wanted.items():
                if label not in out and (head == key or head.endswith(" " + key)):
                    out[label] = segment[found.end() :].strip(" .")
    return tuple((label, out[label]) for label in labels if label in out)


def fill_array(
    slot: Slot,
    text: str,
    facts: Facts,
    ctx: Context,
    depth: int = 0,
    claimed: list[tuple[int, int]] | None = None,
) -> Any:
    """The list a slot wants, within its ``maxItems``; ``MISSING`` when empty."""
    from aieng.llm.course_model.skills.slots import MISSING, make_slot, resolve

    items_schema = slot.schema.get("items")
    if not isinstance(items_schema, dict):
        items_schema = {"type": "string"}
    resolved, _ = resolve(items_schema, ctx.root)
    item = make_slot(slot.name, resolved, True, ctx.root)
    item = _with_kind(item, slot)
    if item.kind == "enum":
        values = _enum_items(item, text, facts, ctx)
    elif item.kind == "object":
        singular = tuple(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in slot.words)
        for start, end in claimed or []:
            if 0 <= start < end <= len(text):  # values sibling slots took are not items'
                text = text[:start] + " " * (end - start) + text[end:]
        region = _labelled_region(slot, facts)
        values = []
        if region is not None and len(text) == len(facts.text):
            # "Targets: M42 at 21:10; M45 at 21:40": the items follow the label, nothing before
            values = _object_items(item.schema, text[region[0] : region[1]], ctx, depth, singular)
        if not values:
            values = _object_items(item.schema, text, ctx, depth, singular)
    elif item.kind in SCALAR_ITEM_KINDS:
        values = _scalar_items(item, facts, ctx, claimed or [], _labelled_region(slot, facts))
    else:
        values = _text_items(slot, text, facts)
    limit = slot.schema.get("maxItems")
    if isinstance(limit, int):
        values = values[:limit]
    return values if values else MISSING


def _with_kind(item: Slot, array: Slot) -> Slot:
    """Plural names ("emails", "attendees") tell the items' kind when their schema does not."""
    if item.kind not in ("generic",) and not item.kind.startswith("text:"):
        return item
    singular = tuple(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in array.words)
    from aieng.llm.course_model.skills.slots import kind_of

    kind = kind_of(singular, str(array.schema.get("description", "")), item.schema, item.types)
    if kind in SCALAR_ITEM_KINDS:
        return type(item)(**{**item.__dict__, "kind": kind, "words": singular})
    return item


def _enum_items(item: Slot, text: str, facts: Facts, ctx: Context) -> list:
    labels = [v for v in item.schema.get("enum", []) if isinstance(v, str)]
    mentioned = sorted((i, label) for label in labels for i in _mentions(facts, label)[:1])
    if mentioned:
        return list(dict.fromkeys(label for _, label in mentioned))
    ranked = _rank(text, labels, ctx.strong)
    return [ranked[0][0]] if ranked and ranked[0][1] > 0 else []


def _labelled_region(slot: Slot, facts: Facts) -> tuple[int, int] | None:
    """The line after the slot's name used as a label ("Cc: a@x.io, b@x.io")."""
    from aieng.llm.course_model.skills.candidates import key_positions

    for i, weight in key_positions(slot, facts):
        if weight < 1.0:
            continue
        after = facts.text[facts.tokens[i].end :]
        lead = re.match(r"[ \t]*(?:\(s\))?[ \t]*[:=]", after)
        if lead:
            start = facts.tokens[i].end + lead.end()
            stop = facts.text.find("\n", start)
            return start, len(facts.text) if stop < 0 else stop
    return None


def _scalar_items(
    item: Slot,
    facts: Facts,
    ctx: Context,
    claimed: list[tuple[int, int]],
    region: tuple[int, int] | None,
) -> list:
    from aieng.llm.course_model.skills.candidates import candidates

    threshold = 0.15 if item.kind in ("number", "money", "percent", "id") else 0.3
    if item.kind == "person":
        threshold = 0.2
    chosen: list = []
    found = candidates(item, facts, ctx)
    if region is not None and any(region[0] <= c.start < region[1] for c in found):
        found = [c for c in found if region[0] <= c.start < region[1]]
    taken = list(claimed)
    for cand in sorted(found, key=lambda c: (-c.score, c.start)):
        if cand.score < threshold or any(cand.start < e and s < cand.end for s, e in taken):
            continue
        taken.append((cand.start, cand.end))
        chosen.append(cand)
    values = []
    for cand in sorted(chosen, key=lambda c: c.start):
        if cand.value not in values:
            values.append(cand.value)
    return values


def _clean_item(item: str) -> str:
    item = item.strip().strip("\"'“”.!?:").strip()
    item = re.sub(r"(?i)^(?:and|or|also|plus|then)\s+", "", item)
    return item


def _text_items(slot: Slot, text: str, facts: Facts) -> list[str]:
    """A written list: after the slot's name, as bullets, quoted, or "a, b and c"."""
    from aieng.llm.course_model.skills.candidates import key_positions

    keys = [i for i, w in key_positions(slot, facts) if w >= 1.0]
    for i in keys:
        after = facts.text[facts.tokens[i].end :]
        lead = re.match(
            r"(?i)[ \t]*(?:\(s\))?[ \t]*(?::|\bare\b|\bis\b|\binclude\b|\bincluding\b|\blike\b"
            r"|\bsuch as\b|\bto\b|=)[ \t]*",
            after,
        )
        if not lead:
            continue
        rest = after[lead.end() :]
        if rest.startswith(("\n", "\r")):
            bullets = _leading_bullets(rest)
            if bullets:
                return bullets
        line = re.split(r"[\n.!?]", rest, maxsplit=1)[0]
        items = [_clean_item(p) for p in LIST_SPLIT.split(line)]
        items = [p for p in items if p and len(p.split()) <= 8]
        if items:
            return items
    bullets = [_clean_item(m.group("item")) for m in BULLET.finditer(text)]
    if len(bullets) >= 2:
        return [b for b in bullets if b]
    quoted = [s.value for s in facts.of("quoted")]
    if len(quoted) >= 2:
        return quoted
    best: tuple[float, list[str]] | None = None
    wanted = slot.keys | slot.hints
    for sentence in sentences(text):
        found = ENUMERATION.search(sentence)
        if not found:
            continue
        items = _coherent([_clean_item(p) for p in LIST_SPLIT.split(found.group("list")) if p])
        items = _trim_lead(items) if len(items) >= 2 else items
        items = [p for p in items if p]
        if len(items) < 2:
            continue
        words = [w for item in items for w in item.lower().split()]
        score = len({stem(w) for w in sentence.lower().split()} & wanted)
        score += 1.0 if len(words) / len(items) <= 2 else 0.0
        score -= 1.0 if set(words) & PRONOUNS else 0.0
        if best is None or score > best[0]:
            best = (score, items)
    if best is not None:
        return best[1]
    stated = _stated_traits(slot, text)
    if stated:
        return stated
    if set(slot.words) & KEYWORD_WORDS and slot.required and not slot.nullable:
        seen: list[str] = []
        for word in content_words(text):
            if len(word) >= 4 and word not in seen and not word.isdigit():
                seen.append(word)
        return seen[:5]
    return []


TRAITS = re.compile(r"(?i)\b(?:i'm|i am|we're|we are|he's|she's|they're|is|are)\s+(?P<t>[^.!?\n]+)")


def _stated_traits(slot: Slot, text: str) -> list[str]:
    """ "I'm vegetarian and allergic to peanuts" for ``dietary_restrictions``: what someone is,
    when a word of it is a cue of the slot's concept."""
    from aieng.llm.course_model.skills.meanings import CONCEPT_STEMS

    cues: frozenset[str] = frozenset()
    for word in slot.words:
        cues |= CONCEPT_STEMS.get(stem(word), frozenset())
    if not cues:
        return []
    for found in TRAITS.finditer(text):
        items = [_clean_item(p) for p in LIST_SPLIT.split(found.group("t"))]
        items = [p for p in items if p and len(p.split()) <= 5]
        if items and any(stem(w) in cues for p in items for w in p.lower().split()):
            return items
    return []


REQUEST_VERB = re.compile(
    r"(?i)^(?:please\s+)?(?:add|put|buy|get|order|pick\s+up|bring|include|send|list|remove|delete|"
    r"pack|grab|need|want)\s+(?:me\s+)?"
)
TRAILING = re.compile(
    r"(?i)\s+(?:required|needed|preferred|essential|desired|mandatory|optional|included|only"
    r"|welcome|a\s+plus|nice\s+to\s+have|too|as\s+well|please)$"
)
PRONOUNS = frozenset("i i'm i've me my we our you your he she they it is am are was".split())


def _leading_bullets(rest: str) -> list[str]:
    """The bullet lines right at the start of ``rest``, up to the first other line."""
    items = []
    for line in rest.strip("\r\n").splitlines():
        found = BULLET.match(line)
        if not found:
            break
        items.append(_clean_item(found.group("item")))
    return [i for i in items if i]


def _coherent(items: list[str]) -> list[str]:
    """Drop leading items unlike the last ones ("John Smith, 54, chest pain and nausea")."""
    items = [i for i in items if i]
    if len(items) < 3:
        return items

    def shape(item: str) -> str:
        if re.fullmatch(r"[\d\s.,/%-]+", item):
            return "number"
        return "name" if any(w[:1].isupper() for w in item.split()[1:] or item.split()) else "word"

    tail = shape(items[-1])
    while len(items) > 2 and shape(items[0]) != tail:
        items = items[1:]
    return items


def _trim_lead(items: list[str]) -> list[str]:
    """Cut the lead-in and the trailing words: "I ordered a lamp, ... two mugs for"."""
    items = [re.sub(r"(?i)(?:\s+(?:" + _STOP_ALT + r"))+$", "", i).strip() for i in items]
    last = re.split(r"(?i)\s+(?:to|for|from|into|onto|on|in|at|by|with|before|after)\s+", items[-1])
    items[-1] = TRAILING.sub("", last[0]) or last[0]
    items[0] = REQUEST_VERB.sub("", items[0], count=1) or items[0]
    widest = max((len(i.split()) for i in items[1:]), default=1)
    first = items[0].split()
    stops = [k for k, w in enumerate(first) if w.lower() in STOPWORDS]
    if len(first) > widest and stops and stops[-1] < len(first) - 1:
        first = first[stops[-1] + 1 :]
    items[0] = " ".join(first[-widest:] if len(first) > widest else first)
    return [re.sub(r"(?i)^(?:a|an|the|some|my|our|your)\s+", "", i) for i in items if i]


_STOP_ALT = "|".join(
    sorted((re.escape(w) for w in STOPWORDS if "'" not in w), key=len, reverse=True)
)


def segments(text: str) -> list[list[str]]:
    """Ways to cut a text into item-sized pieces, coarsest first."""
    levels: list[list[str]] = []
    bullets = [m.group("item") for m in BULLET.finditer(text)]
    if len(bullets) >= 2:
        levels.append(bullets)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= 2:
        levels.append(lines)
    parts = sentences(text)
    if len(parts) >= 2:
        levels.append(parts)
    pieces = [c.strip() for p in parts for c in p.split(";") if c.strip()]
    if len(pieces) > len(levels[-1] if levels else [text]):
        levels.append(pieces)
    clauses = [c.strip() for p in parts for c in re.split(r";|,\s*(?:and\s+)?|\s+and\s+", p)]
    clauses = [c for c in clauses if c]
    if len(clauses) >= 2:
        levels.append(clauses)
    return levels


PIECE_SPLIT = re.compile(r"\s*(?:;|,\s*(?:and\s+)?(?=\D)|\s+and\s+)\s*")


def _refined(
    schema: dict, piece: str, ctx: Context, depth: int, parent: tuple[str, ...] = ()
) -> list[dict]:
    """A piece that holds two whole items ("6.1 mmol/L and HbA1c 38 mmol/mol"), as both."""
    from aieng.llm.course_model.skills.slots import _fill_object

    parts = [p for p in PIECE_SPLIT.split(piece) if p.strip()]
    if len(parts) < 2:
        return []
    items = []
    for part in parts:
        filled = _fill_object(schema, part, ctx, compact=True, depth=depth + 1, parent=parent)
        if not filled.found or filled.missing:
            return []
        items.append(filled.value)
    return items


def _object_items(
    schema: dict, text: str, ctx: Context, depth: int, parent: tuple[str, ...] = ()
) -> list[dict]:
    """One object per piece of the text that fills the item schema; ``parent`` names the
    items ("ingredient"), so that an item's ``name`` is read as what it names."""
    from aieng.llm.course_model.skills.slots import _fill_object

    best: list[dict] = []
    for level in segments(text):
        items = []
        for piece in level:
            filled = _fill_object(schema, piece, ctx, compact=True, depth=depth + 1, parent=parent)
            if filled.found and not filled.missing:
                items += _refined(schema, piece, ctx, depth, parent) or [filled.value]
            elif filled.found >= 2:
                items.append(filled.value)
        if len(items) > len(best):
            best = items
        if len(best) >= 2:
            break  # the coarsest cut that yields a list is the list
    if not best:
        filled = _fill_object(schema, text, ctx, depth=depth + 1, parent=parent)
        if filled.found >= 2:
            best = [filled.value]
    unique: list[dict] = []
    for item in best:
        if item not in unique:
            unique.append(item)
    return unique
