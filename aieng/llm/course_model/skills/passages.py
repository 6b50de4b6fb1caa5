"""Finding passages labelled with ids in a prompt, whatever their shape.

Shapes read: ``[doc-1] text`` lines, ``(id: x) text`` lines, ``<doc id="x">...</doc>``
(and passage, source, chunk... tags), ``Source (id: x): text`` / ``Document 2: text``,
``id: x`` followed by text, JSON lists of ``{"id", "text"}`` objects, two or more
lines led by an id-like label (``P1: text``, ``kb-12 - text``), and markdown
``### x`` headings (only when nothing else is found).

Example:
    >>> [p.id for p in find_passages("[a] Cats purr.\\n[b] Dogs bark.\\n\\nWho purrs?")]
    ['a', 'b']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Passage:
    """One passage: its id as given, its text, and where it sits in the prompt."""

    id: str
    text: str
    start: int
    end: int


_TAG = re.compile(
    r"<(doc|document|passage|source|chunk|context|snippet|result|article|excerpt)\b([^>]*)>"
    r"(.*?)</\1\s*>",
    re.I | re.S,
)
_TAG_ID = re.compile(r"\b(?:id|doc_id|docid|name|key|ref|source)\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_STOP = r"(?=\n[ \t]*\n|\n[ \t]*(?:question|q|query|user question|task|answer)[ \t]*:|\Z)"
_BRACKET = re.compile(r"^[ \t]*(?:[-*][ \t]*)?\[([^\]\s][^\]\n]{0,39})\][ \t]*[:\-–—]?[ \t]*", re.M)
_PAREN_ID = re.compile(
    r"^[ \t]*(?:[-*][ \t]*)?\([ \t]*(?:id|doc|doc_id|source|ref|passage)[ \t]*[:=#][ \t]*"
    r"([^)\s][^)\n]{0,39}?)[ \t]*\)[ \t]*[:\-–—]?[ \t]*",
    re.I | re.M,
)
# "P1: text", "kb-12 - text", "faq_07: text", "3: text": an id-like label (letters and a
# number, or a bare number before a colon) at the start of two or more lines.
_LABELLED = re.compile(
    r"^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?((?!(?:q|question|step|part|item|line|page|chapter|"
    r"section|table|figure|fig|option|answer|a)\d*\b)[A-Za-z][A-Za-z_]{0,11}[-_#.]?\d+"
    r"[A-Za-z0-9_\-]*|\d{1,3})(?:\*\*)?(?:[ \t]*:|[ \t]+[-–—])[ \t]+(?=\S)",
    re.I | re.M,
)
# Line labels are common in notes too ("H1: revenue grew"): they are passages only when
# the message asks a question about them or speaks of sources.
_ASKED_ABOUT = re.compile(
    r"\?|\b(?:question|passages?|sources?|documents?|context|cite|citations?|according to)\b",
    re.I,
)
_NAMED = re.compile(
    r"^[ \t]*(?:\*\*)?(?:source|document|doc|passage|chunk|context|snippet|excerpt|reference|"
    r"article|result)[ \t]*(?:#|no\.)?[ \t]*(?:\([ \t]*(?:id[ \t]*[:=][ \t]*)?([^)\n]+?)[ \t]*\)"
    r"|\[[ \t]*(?:id[ \t]*[:=][ \t]*)?([^\]\n]+?)[ \t]*\]|([A-Za-z0-9][A-Za-z0-9_.\-]{0,30}))"
    r"(?:\*\*)?[ \t]*(?:[:\-–—]|\n)[ \t]*",
    re.I | re.M,
)
_ID_LINE = re.compile(
    r"^[ \t]*(?:id|doc_id|doc id|document id|source id|passage id)[ \t]*[:=][ \t]*"
    r"[\"']?([^\s|,;\"']+)[\"']?[ \t]*(?:[|,;][ \t]*)?",
    re.I | re.M,
)
_FIELD_PREFIX = re.compile(
    r"^[ \t]*(?:text|content|body|passage|title)[ \t]*[:=][ \t]*", re.I | re.M
)
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_QUESTION_LINE = re.compile(r"^[ \t]*(?:question|q|query|user question|task)[ \t]*:", re.I | re.M)
_TRAILING_ASK = re.compile(
    r"\n[ \t]*(?:(?:what|how|when|where|who|whom|which|why|can|could|does|do|is|are|was|were|"
    r"should|will|would|please|answer|based on|using|according to|tell me|explain|list|summari[sz]e)"
    r"\b|[^\n]*\?[ \t]*$)",
    re.I | re.M,
)
_ID_KEYS = ("id", "doc_id", "document_id", "source_id", "passage_id", "chunk_id", "source", "key")
_TEXT_KEYS = ("text", "content", "body", "passage", "chunk", "snippet", "page_content", "excerpt")


def _clean(text: str) -> str:
    return _FIELD_PREFIX.sub("", text).strip()


def _by_markers(text: str, markers: list[re.Match], group_id) -> list[Passage]:
    """Passages that run from each marker to the next marker, a blank line or a question."""
    out: list[Passage] = []
    for i, marker in enumerate(markers):
        limit = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        rest = text[marker.end() : limit]
        stop = re.search(_STOP, rest)
        body = rest[: stop.start()] if stop and stop.start() > 0 else rest
        if not body.strip() and stop:  # "Source (id: x):" with the text on the next lines
            nxt = re.search(_STOP, rest[stop.end() :].lstrip("\n"))
            body = rest[: stop.end() + (nxt.start() if nxt else len(rest))]
        if i == len(markers) - 1:
            tail = _TRAILING_ASK.search(body)
            if tail:
                body = body[: tail.start()]
        pid = group_id(marker)
        if pid and _clean(body):
            out.append(Passage(pid.strip(), _clean(body), marker.start(), marker.end() + len(body)))
    return out


def _json_passages(text: str) -> list[Passage]:
    decoder = json.JSONDecoder()
    out: list[Passage] = []
    for match in re.finditer(r"\[\s*\{", text):
        if out and match.start() < out[-1].end:
            continue
        try:
            value, end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if not isinstance(value, list):
            continue
        for item in value:
            if not isinstance(item, dict):
                continue
            pid = next((item[k] for k in _ID_KEYS if isinstance(item.get(k), (str, int))), None)
            body = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str)), None)
            if pid is not None and body:
                title = item.get("title")
                body = f"{title}. {body}" if isinstance(title, str) and title else body
                out.append(Passage(str(pid), body.strip(), match.start(), end))
    return out


@lru_cache(maxsize=1024)
def find_passages(text: str) -> tuple[Passage, ...]:
    """The id-labelled passages in ``text``, in order (empty if none)."""
    if not text:
        return ()
    found: list[Passage] = []
    for m in _TAG.finditer(text):
        pid = _TAG_ID.search(m.group(2))
        if pid and m.group(3).strip():
            found.append(Passage(pid.group(1), _clean(m.group(3)), m.start(), m.end()))
    if not found:
        found = _json_passages(text)
    if not found:
        found = _by_markers(text, list(_BRACKET.finditer(text)), lambda m: m.group(1))
    if not found:
        found = _by_markers(text, list(_PAREN_ID.finditer(text)), lambda m: m.group(1))
    if not found:
        found = _by_markers(
            text, list(_NAMED.finditer(text)), lambda m: m.group(1) or m.group(2) or m.group(3)
        )
    if not found:
        found = _by_markers(text, list(_ID_LINE.finditer(text)), lambda m: m.group(1))
    if not found:
        labelled = list(_LABELLED.finditer(text))
        if len(labelled) >= 2 and _ASKED_ABOUT.search(text):
            found = _by_markers(text, labelled, lambda m: m.group(1))
    if not found:
        headings = list(_HEADING.finditer(text))
        if headings:
            found = _heading_passages(text, headings)
    unique: dict[str, Passage] = {}
    for passage in found:
        unique.setdefault(passage.id, passage)
    return tuple(unique.values())


def _heading_passages(text: str, headings: list[re.Match]) -> list[Passage]:
    out: list[Passage] = []
    for i, heading in enumerate(headings):
        limit = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[heading.end() : limit]
        question = _QUESTION_LINE.search(body)
        if question:
            body = body[: question.start()]
        pid = heading.group(1).strip().strip("[]`*").strip()
        pid = re.sub(r"^(?:id|doc|source)\s*[:=]\s*", "", pid, flags=re.I)
        if pid and body.strip():
            out.append(Passage(pid, _clean(body), heading.start(), heading.end() + len(body)))
    return out


def outside(text: str, passages: tuple[Passage, ...]) -> str:
    """``text`` with the passages cut out (the instructions and the question)."""
    pieces: list[str] = []
    last = 0
    for passage in sorted(passages, key=lambda p: p.start):
        if passage.start >= last:
            pieces.append(text[last : passage.start])
            last = passage.end
    pieces.append(text[last:])
    return "\n".join(p for p in pieces if p.strip())
