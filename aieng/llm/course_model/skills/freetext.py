"""Free-text slots: the span of a message that a property like ``query`` or ``reason`` wants.

A search ``query`` is what follows "search for"/"about"; a ``reason`` what
follows "because"/"due to"; a ``message`` is what is quoted or follows
"saying"; a ``title`` is short; a ``summary`` or ``description`` is the
message's informative sentences. Also here: values written right after their
label ("Subject: Printer jammed"), which every string slot tries first.

Example:
    >>> topic("Can you search the handbook for the parental leave policy?")
    'parental leave policy'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aieng.llm.course_model.text import STOPWORDS, content_words, sentences

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.entities import Facts
    from aieng.llm.course_model.skills.slots import Slot

MODES = {
    "query": "query search keywords keyword term terms q prompt topic lookup phrase",
    "title": "title subject headline heading caption",
    "reason": "reason why cause purpose justification explanation motivation rationale",
    "message": "message body text content note notes comment comments reply instructions remarks "
    "greeting",
    "summary": "summary overview gist tldr abstract",
    "description": "description details detail context feedback review story narrative",
    "issue": "issue problem complaint symptom symptoms error bug defect",
    "question": "question inquiry ask",
}
_MODE_WORDS = {mode: frozenset(words.split()) for mode, words in MODES.items()}
ID_LIKE = frozenset("id ids number code ref".split())

LEAD = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear)\b[^,.!?\n]{0,30}[,!.]\s*)?(?:(?:ok(?:ay)?|so|and|also|now)[,\s]+)?"
    r"(?:(?:please|pls|kindly)\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"|i(?:'d|\s+would)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+"
    r"|help\s+me\s+(?:to\s+)?|let(?:'s|\s+us)\s+|i'm\s+looking\s+to\s+)?(?:(?:please|pls)\s+)?",
    re.I,
)
TRIGGER = re.compile(
    r"\b(?:search(?:ing)?(?:\s+for)?|look(?:ing)?\s+up|look(?:ing)?\s+for|lookup|find(?:ing)?"
    r"(?:\s+me)?|query|about|regarding|concerning|on|for|re|related\s+to)\b[:\s]+",
    re.I,
)
TAIL = re.compile(
    r"(?:[\s,]+(?:please|for me|thanks|thank you|thx|asap|if you can|if possible))+[\s.!?]*$"
    r"|[\s.!?;:,]+$",
    re.I,
)
REASONS = (
    (3, re.compile(r"\b(?:because(?:\s+of)?|due\s+to|owing\s+to|the\s+reason\s+is(?:\s+that)?"
                   r"|reason\s*[:=-])\s*(?P<r>[^.;!?\n]+)", re.I)),
    (2, re.compile(r"\b(?:since|as|so\s+that|in\s+order\s+to|so\s+i\s+can)\s+(?P<r>[^.;!?\n]+)",
                   re.I)),
    (1, re.compile(r"\bfor\s+(?P<r>(?:my|our|a|an|the|his|her|their)\s+[^.;!?\n]+)", re.I)),
)  # fmt: skip
SAYING = re.compile(
    r"\b(?:saying|that\s+says|to\s+say|with\s+the\s+(?:message|text|note)|telling\s+(?:him|her|them"
    r"|me|us)|tell\s+(?:him|her|them)|letting\s+(?:him|her|them)\s+know|let\s+(?:him|her|them)"
    r"\s+know)\s*(?:that\s+)?[:,]?\s*(?P<m>.+)",
    re.I | re.S,
)
GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening))\b[^.!?\n]{0,40}[,!.]?"
    r"|(?:thanks|thank\s+you|cheers|regards|best|sincerely|kind\s+regards)\b[^.!?\n]{0,40}[,!.]?)\s*$",
    re.I,
)
TITLED = re.compile(
    r"\b(?:titled|entitled|called|named|subject(?:\s+line)?)\s*[:\-]?\s*"
    r"(?P<t>\"[^\"\n]+\"|“[^”\n]+”|'[^'\n]+'(?!\w)|[^,.;:!?\n]+?)(?=\s+(?:with|on|at|for|from|to|by|and"
    r"|about|saying|says|that|which|telling|asking)\b"
    r"|[,.;!?\n]|$)",
    re.I,
)
PROBLEM = frozenset(
    "error bug crash broken fail failure issue problem glitch stop stopped not cannot can't "
    "won't doesn't missing wrong late damaged charged twice locked down slow".split()
)


def mode_of(words: tuple[str, ...], description: str) -> str | None:
    """Which free-text mode a property's name (or, failing that, description) asks for."""
    named = set(words)
    if named & ID_LIKE:
        return None
    for mode, vocabulary in _MODE_WORDS.items():
        if named & vocabulary:
            return mode
    if len(words) == 1 and len(words[0]) <= 2:
        desc = set(re.findall(r"[a-z]+", description))
        for mode, vocabulary in _MODE_WORDS.items():
            if desc & vocabulary:
                return mode
    return None


def _clean(text: str) -> str:
    text = LEAD.sub("", text.strip(), count=1)
    text = TAIL.sub("", text)
    return text.strip().strip("\"'“”").strip()


def informative(text: str) -> list[str]:
    """The sentences of ``text`` minus greetings, sign-offs and bare names."""
    out = []
    for sentence in sentences(text):
        for line in sentence.splitlines():
            line = line.strip()
            if line and not GREETING.match(line) and len(content_words(line)) >= 2:
                out.append(line)
    return out


def topic(sentence: str) -> str:
    """What a request is about: the words after "search for"/"about", else its content."""
    cleaned = _clean(sentence)
    found = TRIGGER.search(cleaned)
    if found and len(cleaned[: found.start()].split()) <= 6:
        rest = cleaned[found.end() :]
        again = re.search(r"\b(?:for|about|regarding|on)\s+", rest)
        if again and len(rest[: again.start()].split()) <= 4 and rest[again.end() :].strip():
            rest = rest[again.end() :]
        rest = re.sub(r"(?i)^(?:the|a|an|our|my|your|some)\s+", "", TAIL.sub("", rest).strip())
        if rest:
            return rest
    if cleaned.endswith("?") or re.match(r"(?i)(?:what|who|when|where|how|which|why)\b", cleaned):
        words = content_words(cleaned)
        if words:
            return " ".join(words)
    return TAIL.sub("", cleaned).strip()


def reason(text: str) -> str | None:
    """The stated reason: after "because", "due to", "since", "for my ..."."""
    best: tuple[int, int, str] | None = None
    for weight, pattern in REASONS:
        for found in pattern.finditer(text):
            value = TAIL.sub("", found.group("r")).strip()
            if len(value.split()) >= 1 and not re.match(r"[\d$€£]", value):
                if best is None or weight > best[0]:
                    best = (weight, found.start(), value)
                break
    return best[2] if best else None


def _quoted(facts: Facts) -> list[str]:
    return [s.value for s in facts.of("quoted")]


def fill_text(mode: str, slot: Slot, text: str, facts: Facts, claimed: list, compact: bool) -> Any:
    """The value of a free-text slot, or ``MISSING``."""
    from aieng.llm.course_model.skills.slots import MISSING

    labelled = labelled_value(slot, text)
    if labelled is not None:
        return labelled[2]
    if compact:
        quoted = [q for q in facts.of("quoted") if not _overlaps_any(q, claimed)]
        if quoted and mode in ("title", "query", "message"):
            return quoted[0].value
        return remainder(facts, claimed) or MISSING
    if not slot.required or slot.nullable:
        return _stated(mode, text, facts)
    parts = informative(text) or [text.strip()]
    quoted = _quoted(facts)
    if mode == "query":
        if quoted:
            return quoted[0]
        return topic(_best(parts, slot)) or MISSING
    if mode == "title":
        titled = TITLED.search(text)
        if titled:
            return titled.group("t").strip().strip("\"'“”")
        if quoted:
            return quoted[0]
        first = parts[0]
        colon = first.find(":")
        if 0 < colon and len(first[:colon].split()) <= 6 and first[colon + 1 :].strip():
            first = first[colon + 1 :]
        title = TAIL.sub("", _clean(first))
        words = title.split()
        return (" ".join(words[:12]) if words else "") or MISSING
    if mode == "reason":
        return reason(text) or MISSING
    if mode == "message":
        said = SAYING.search(text)
        if said:
            return TAIL.sub("", said.group("m").strip()).strip().strip('"“”') or MISSING
        if quoted:
            return max(quoted, key=len)
        if len(parts) > 1 and _is_request(parts[0]):
            return " ".join(parts[1:])
        return gist(text, claimed) or MISSING
    if mode == "question":
        asked = [p for p in parts if p.endswith("?")]
        return _clean(asked[0]) + "?" if asked else _clean(parts[0]) or MISSING
    if mode == "issue":
        troubled = [p for p in parts if set(p.lower().replace(",", " ").split()) & PROBLEM]
        return (troubled[0] if troubled else parts[0]).strip() or MISSING
    if mode == "summary":
        return " ".join(parts[:2]).strip() or MISSING
    return " ".join(parts).strip() or MISSING


def _overlaps_any(span, claimed: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in claimed)


def _stated(mode: str, text: str, facts: Facts) -> Any:
    """An optional slot's value only where the text states it outright, else ``MISSING``."""
    from aieng.llm.course_model.skills.slots import MISSING

    if mode == "reason":
        return reason(text) or MISSING
    if mode == "message":
        said = SAYING.search(text)
        if said:
            return TAIL.sub("", said.group("m").strip()).strip().strip('"“”') or MISSING
    if mode == "title":
        titled = TITLED.search(text)
        if titled:
            return titled.group("t").strip().strip("\"'“”")
    return MISSING


ASK_LEAD = re.compile(
    r"(?i)^(?:(?:remind|tell|ask|let|get)\s+(?:me|us|him|her|them|everyone|the\s+team)\s+"
    r"(?:to|that|know(?:\s+that)?)|(?:note|remember|say|write|post)\s+(?:down\s+)?(?:that)?)\s*"
)
DANGLING = re.compile(
    r"(?i)(?:\s+(?:on|at|by|in|for|from|to|until|before|after|of|with|and))+\s*(?=$|[,.;!?])"
)


def gist(text: str, claimed: list[tuple[int, int]]) -> str:
    """A one-line request minus the values other slots took and its lead-in.

    Example:
        >>> gist("Remind me to call mom on 2026-12-24 at 6pm", [(25, 42)])
        'call mom'
    """
    for start, end in sorted(claimed, reverse=True):
        if 0 <= start < end <= len(text):
            text = text[:start] + text[end:]
    text = ASK_LEAD.sub("", _clean(text), count=1)
    text = DANGLING.sub("", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ,;:.")


def _best(parts: list[str], slot: Slot) -> str:
    """The sentence that reads most like a request (a question or an imperative)."""
    for part in parts:
        if part.endswith("?") or _is_request(part):
            return part
    return parts[0]


REQUEST = re.compile(
    r"(?i)^\s*(?:please\s+|can\s+you|could\s+you|would\s+you|i\s+(?:want|need|would\s+like)"
    r"|i'd\s+like|help|find|search|look|get|show|send|book|create|check|tell|give|list|add|set"
    r"|schedule|cancel|update|delete|remove|email|call|draft|write|make|open|file|report|order)\b"
)


def _is_request(sentence: str) -> bool:
    return bool(REQUEST.match(sentence))


def remainder(facts: Facts, claimed: list[tuple[int, int]]) -> str:
    """The words of a short text left after the values other slots took ("Widget")."""
    text = facts.text
    for start, end in sorted(claimed, reverse=True):
        text = text[:start] + " " + text[end:]
    outside = re.sub(r"\([^()]*\)", " ", text)  # "M42 at 21:10 (mag 4.0)": the aside is no name
    words = re.findall(r"[A-Za-z][\w'’&.-]*|\d+[A-Za-z]+\w*", outside)
    if not words:
        words = re.findall(r"[A-Za-z][\w'’&.-]*|\d+[A-Za-z]+\w*", text)
    filler = STOPWORDS | {"x", "each", "per", "unit", "units", "pcs", "qty", "@", "plus", "price"}
    while words and words[0].lower() in filler:
        words.pop(0)
    while words and words[-1].lower() in filler:
        words.pop()
    return " ".join(words).strip(" .,")


def labelled_value(slot: Slot, text: str) -> tuple[int, int, str] | None:
    """A value written right after the slot's name: "Name: Jane Doe", "city is Paris"."""
    free = slot.kind.startswith("text:")
    finder = _label_pattern(slot.words, free)
    if finder is None:
        return None
    short = slot.kind in ("text:title", "text:query", "text:question")
    for found in finder.finditer(text):
        head = HEAD_NAME.search(text, 0, found.start())
        if (
            not free
            and head
            and found.group("sep").strip() == ":"
            and text[found.start() : found.start() + 1].isupper()
        ):
            # "Red Line: Harbor St closed" for ``line``: the head names it, not what follows
            end = found.start() + len(found.group(0).split(":")[0].rstrip())
            return head.start("n"), end, text[head.start("n") : end]
        raw = found.group("v").strip()
        quote = QUOTE_OPEN.match(raw)
        if quote:
            raw = quote.group("q")  # "Title: 'A Budget'. Speaker: ..." stops at the quote
        elif short:
            raw = SENTENCE_STOP.split(raw, maxsplit=1)[0]
        value = raw.strip().strip("\"'“”").strip()
        sep = found.group("sep").strip().lower()
        if ")" in value and "(" not in value.split(")")[0]:
            value = value.split(")")[0].strip()  # "(guild: Iron Wolves) was ...": the aside ends
        if not value:
            continue
        if (
            slot.kind in ("person", "place", "org")
            and sep not in (":", "=")
            and not value[0].isupper()
        ):
            continue
        if not free:
            value = re.split(r"\s+(?:and|but|because|so|or|with)\s+|\s*[,;]\s*|\s+\(", value)[0]
        if slot.kind in ("person", "place", "org"):
            value = " ".join(value.split()[:4])
        value = value.rstrip(" .")
        if value:
            return found.start("v"), found.start("v") + len(value), value
    return None


HEAD_NAME = re.compile(r"(?:^|\n)[ \t]*(?P<n>(?:[A-Z][\w'-]*[ \t]+){1,3})$")
QUOTE_OPEN = re.compile(r"[\"“'‘](?P<q>[^\"”’\n]{1,300}?)[\"”'’](?!\w)")
SENTENCE_STOP = re.compile(r"(?<=[^\s.]{2})[.!?](?=\s+[A-Z\"'“])")


@lru_cache(maxsize=2048)
def _label_pattern(words: tuple[str, ...], free: bool) -> re.Pattern | None:
    variants = []
    if words:
        variants.append(r"[\s_-]*".join(re.escape(w) for w in words))
    if len(words) > 1:
        variants += [
            re.escape(w)
            for w in words
            if len(w) >= 4 and w not in ID_LIKE and not re.search(r"(?:ed|ing)$", w)
        ]  # "failed: ..." is no label for ``failed_test``
    if not variants:
        return None
    seps = r"[:=]|-\s" if free else r"[:=]|-\s|\bis\b|\bwas\b|\bare\b|\bwill be\b|\bshould be\b"
    stop = r"[^\n]" if free else r"[^\n.;!?]"
    return re.compile(
        r"(?i)(?<![\w-])(?:" + "|".join(variants) + r")s?(?![\w-])\s*(?:\(s\))?\s*"
        r"(?P<sep>" + seps + r"|\bnamed\b|\bcalled\b|\btitled\b|(?=[\"“]))\s*"
        r"(?P<v>[\"“][^\"”\n]{1,300}[\"”]|'[^'\n]{1,300}'(?!\w)|" + stop + r"{1,300})"
    )
