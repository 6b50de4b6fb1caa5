"""Chunking: documents into retrievable pieces that remember where they came from.

Two strategies, both counted in tokens of ``aieng.llm.tokens.encoding()``:

- ``chunk_fixed``: windows of ``size`` tokens that overlap by ``overlap``;
  simple, blind to structure, a good baseline.
- ``chunk_by_headings``: one chunk per heading section when it fits, else the
  section is split recursively by paragraphs, then lines, then sentences,
  then tokens, and neighbouring pieces are packed back up to ``max_tokens``.

A chunk's id is ``<doc_id>#<n>``: the same document and settings give the same
ids on every run. Each chunk carries its provenance: document id and title,
heading path, character span in ``Document.text`` and the document's metadata.

Example:
    >>> chunks = chunk_by_headings(doc, max_tokens=200)
    >>> chunks[0].id, chunks[0].heading_path       # doctest: +SKIP
    ('IT-004#0', ('Password policy', 'Length'))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aieng.errors import UserError
from aieng.llm.tokens import encoding
from aieng.rag.documents import Document, DocumentMetadata

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
# Boundaries tried in turn when a piece is too big: paragraphs, lines, sentences.
_SEPARATORS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?;:])[\"')\]]?\s+"),
)


@dataclass(frozen=True)
class Chunk:
    """A piece of a document, with its provenance.

    ``text == document.text[start:end]``; ``heading_path`` lists the headings
    above the piece, outermost first.
    """

    id: str
    doc_id: str
    title: str
    text: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    metadata: DocumentMetadata

    @property
    def search_text(self) -> str:
        """What the indexes see: title and heading path, then the text."""
        path = [h for h in self.heading_path if h != self.title]
        header = " > ".join([self.title, *path])
        return f"{header}\n{self.text}"


def count_tokens(text: str) -> int:
    """Tokens in ``text`` with the course's default encoding."""
    return len(encoding().encode_ordinary(text))


def _headings(text: str) -> list[tuple[int, int, str]]:
    """``(position, level, heading)`` of every ``#`` heading line."""
    return [(m.start(), len(m.group(1)), m.group(2).strip()) for m in _HEADING.finditer(text)]


def _path_at(headings: list[tuple[int, int, str]], position: int) -> tuple[str, ...]:
    stack: list[tuple[int, str]] = []
    for start, level, title in headings:
        if start > position:
            break
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
    return tuple(title for _, title in stack)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _body_start(text: str, start: int, end: int) -> int | None:
    """Where the first line that is not a heading begins (None if all are headings)."""
    position = start
    for line in text[start:end].splitlines(keepends=True):
        if line.strip() and not _HEADING.fullmatch(line.rstrip("\n")):
            return position
        position += len(line)
    return None


def _make_chunks(
    doc: Document, spans: Iterable[tuple[int, int]], headings, drop_bare_headings: bool = False
) -> list[Chunk]:
    spans = [_trimmed(doc.text, start, end) for start, end in spans]
    spans = [(start, end) for start, end in spans if start < end]
    chunks = []
    for start, end in spans:
        body = _body_start(doc.text, start, end)
        if body is None and drop_bare_headings and len(spans) > 1:
            continue  # the next chunk's heading_path names these headings
        chunks.append(
            Chunk(
                id=f"{doc.id}#{len(chunks)}",
                doc_id=doc.id,
                title=doc.title,
                text=doc.text[start:end],
                heading_path=_path_at(headings, start if body is None else body),
                start=start,
                end=end,
                metadata=doc.metadata,
            )
        )
    return chunks


def _token_windows(text: str, start: int, end: int, size: int, overlap: int):
    """Character spans of ``size``-token windows over ``text[start:end]``, ``overlap`` shared."""
    enc = encoding()
    ids = enc.encode_ordinary(text[start:end])
    if not ids:
        return []
    _, offsets = enc.decode_with_offsets(ids)
    spans, step = [], size - overlap
    for first in range(0, len(ids), step):
        last = min(first + size, len(ids))
        stop = end if last >= len(ids) else start + offsets[last]
        spans.append((start + offsets[first], stop))
        if last >= len(ids):
            break
    return spans


def chunk_fixed(doc: Document, size: int = 200, overlap: int = 40) -> list[Chunk]:
    """Split ``doc`` into windows of ``size`` tokens, each sharing ``overlap`` with the last.

    Raises:
        UserError: ``size`` is not positive or ``overlap`` is not in ``[0, size)``.
    """
    if size <= 0 or not 0 <= overlap < size:
        raise UserError(f"need size > 0 and 0 <= overlap < size, got size={size} overlap={overlap}")
    spans = _token_windows(doc.text, 0, len(doc.text), size, overlap)
    return _make_chunks(doc, spans, _headings(doc.text))


def _split(text: str, start: int, end: int, limit: int, level: int) -> list[tuple[int, int]]:
    """Spans within ``[start, end)`` of at most ``limit`` tokens, cut at the coarsest boundary."""
    if count_tokens(text[start:end]) <= limit:
        return [(start, end)]
    if level >= len(_SEPARATORS):
        return _token_windows(text, start, end, limit, 0)
    pieces, cursor = [], start
    for match in _SEPARATORS[level].finditer(text, start, end):
        if match.start() > cursor:
            pieces.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        pieces.append((cursor, end))
    if len(pieces) <= 1:
        return _split(text, start, end, limit, level + 1)
    spans = [span for s, e in pieces for span in _split(text, s, e, limit, level + 1)]
    return _pack(text, spans, limit)


def _pack(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Merge neighbouring spans while the merged text stays within ``limit`` tokens."""
    packed: list[tuple[int, int]] = []
    for start, end in spans:
        if packed and count_tokens(text[packed[-1][0] : end]) <= limit:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed


def _sections(text: str, headings) -> list[tuple[int, int]]:
    """Spans from each heading to the next; a heading with no body joins the next section."""
    bounds = [0] + [pos for pos, _, _ in headings if pos > 0] + [len(text)]
    sections = []
    pending = None
    for start, end in zip(bounds, bounds[1:], strict=False):
        body = _HEADING.sub("", text[start:end], count=1) if text[start] == "#" else text[start:end]
        if pending is None:
            pending = start
        if body.strip() or end == len(text):
            sections.append((pending, end))
            pending = None
    return sections


def chunk_by_headings(doc: Document, max_tokens: int = 256) -> list[Chunk]:
    """Split ``doc`` at its headings, then recursively so that each chunk fits ``max_tokens``.

    Raises:
        UserError: ``max_tokens`` is too small to hold a sentence fragment (< 8).
    """
    if max_tokens < 8:
        raise UserError(f"max_tokens={max_tokens} is too small: use at least 8")
    if not doc.text:
        return []
    headings = _headings(doc.text)
    spans = []
    for start, end in _sections(doc.text, headings):
        spans.extend(_split(doc.text, start, end, max_tokens, 0))
    return _make_chunks(doc, spans, headings, drop_bare_headings=True)


Chunker = Callable[[Document], list[Chunk]]


def chunk_documents(
    documents: Iterable[Document], chunker: Chunker = chunk_by_headings
) -> list[Chunk]:
    """Chunk every document with ``chunker`` (e.g. ``functools.partial(chunk_fixed, size=128)``).

    Raises:
        UserError: two chunks share an id (two documents share an id).
    """
    chunks: list[Chunk] = []
    for doc in documents:
        chunks.extend(chunker(doc))
    ids = [chunk.id for chunk in chunks]
    if len(set(ids)) != len(ids):
        raise UserError("chunk ids collide: give every document a unique id")
    return chunks
