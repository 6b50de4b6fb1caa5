"""Documents and corpus ingestion: any folder of md, html and pdf becomes ``Document`` values.

Ingestion runs each file through an ordered list of small steps (``STEPS``)
on a typed context. A file that cannot be used (too big, empty, unreadable,
missing or malformed front matter, a duplicate id) is skipped with a logged
warning and a reason in the ``IngestReport``; ingestion goes on.

Example:
    >>> report = load_corpus("datasets/handbook")
    >>> print(report.summary())          # doctest: +SKIP
    loaded 64 documents, skipped 2: 1 empty document, 1 malformed front matter
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from aieng.errors import UserError
from aieng.rag.loaders import LoadError, RawDocument, read_html, read_markdown, read_pdf

logger = logging.getLogger(__name__)

DEFAULT_GROUP = "all-staff"
FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


@dataclass(frozen=True)
class DocumentMetadata:
    """Provenance and policy of a document, carried by each of its chunks.

    ``access_groups`` are lower-case; ``supersedes`` holds ids of the older
    documents this one replaces; ``extra`` keeps the other front-matter fields.
    """

    access_groups: tuple[str, ...]
    effective_date: date | None = None
    version: str = ""
    supersedes: tuple[str, ...] = ()
    owner: str = ""
    department: str = ""
    source: str = ""
    format: str = ""
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Document:
    """One loaded document: id, title, plain text (headings as ``#`` lines) and metadata."""

    id: str
    title: str
    text: str
    metadata: DocumentMetadata


@dataclass(frozen=True)
class LoadOptions:
    """How strict ingestion is.

    Attributes:
        required: front-matter fields without which a document is skipped.
            ``access_groups`` is not required by default: a document without
            it gets ``default_groups`` and a warning.
        default_groups: groups given to a document whose front matter names none.
        require_front_matter: skip files with no front matter at all. When
            False, such files get an id from their path and a title from
            their first heading or file name.
        max_bytes: files larger than this are skipped without being read.
    """

    required: tuple[str, ...] = ("id", "title")
    default_groups: tuple[str, ...] = (DEFAULT_GROUP,)
    require_front_matter: bool = True
    max_bytes: int = 5_000_000


@dataclass(frozen=True)
class SkippedFile:
    """A file that ingestion left out, and why."""

    path: str
    reason: str
    kind: str


@dataclass(frozen=True)
class IngestReport:
    """What ``load_corpus`` loaded, what it skipped (with reasons) and its warnings."""

    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def skipped_by_kind(self) -> dict[str, int]:
        """How many files were skipped per kind of problem."""
        return dict(Counter(item.kind for item in self.skipped))

    def summary(self) -> str:
        """One line: how many documents were loaded and what was skipped."""
        line = f"loaded {len(self.documents)} documents, skipped {len(self.skipped)}"
        if self.skipped:
            line += ": " + ", ".join(f"{n} {kind}" for kind, n in self.skipped_by_kind.items())
        return line


class FrontMatter(BaseModel):
    """Front-matter fields as read from disk, validated (a trust boundary)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    title: str | None = None
    owner: str | None = None
    department: str | None = None
    access_groups: list[str] | None = None
    effective_date: date | None = None
    version: str | None = None
    supersedes: list[str] = []

    @field_validator("id", "title", "owner", "department", "version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str | None:
        if value is None or isinstance(value, (dict, list)):
            return value
        text = str(value).strip()
        return text or None

    @field_validator("access_groups", "supersedes", mode="before")
    @classmethod
    def _names(cls, value: Any) -> list[str] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip().strip("[]")
            value = re.split(r"[,;|]" if re.search(r"[,;|]", value) else r"\s+", value)
        if not isinstance(value, (list, tuple)):
            value = [value]
        names = [str(item).strip().strip("'\"").strip() for item in value if item is not None]
        return [name for name in names if name and name.lower() not in ("none", "null", "-")]

    @field_validator("effective_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str) and "T" in value:
            return datetime.fromisoformat(value.strip()).date()
        return value


class _Skip(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


@dataclass
class _Ingest:
    """The typed context one file carries through ``STEPS``."""

    path: Path
    source: str
    options: LoadOptions
    seen: dict[str, str]
    data: bytes = b""
    raw: RawDocument | None = None
    front: FrontMatter | None = None
    warnings: list[str] = field(default_factory=list)
    document: Document | None = None


def _check_size(ctx: _Ingest) -> None:
    size = ctx.path.stat().st_size
    if size > ctx.options.max_bytes:
        raise _Skip("huge file", f"{size:,} bytes is over the {ctx.options.max_bytes:,}-byte limit")


def _read_bytes(ctx: _Ingest) -> None:
    ctx.data = ctx.path.read_bytes()
    if not ctx.data.strip():
        raise _Skip("empty document", "the file is empty")


def _parse_format(ctx: _Ingest) -> None:
    kind = FORMATS[ctx.path.suffix.lower()]
    try:
        if kind == "pdf":
            ctx.raw = read_pdf(ctx.data)
        else:
            text = ctx.data.decode("utf-8-sig")
            ctx.raw = read_markdown(text) if kind == "md" else read_html(text)
    except UnicodeDecodeError as exc:
        raise _Skip("unreadable file", f"not UTF-8 text (byte {exc.start})") from exc
    except LoadError as exc:
        what = "unreadable PDF" if kind == "pdf" else "malformed front matter"
        raise _Skip(what, str(exc)) from exc


def _check_front_matter(ctx: _Ingest) -> None:
    raw, options = ctx.raw, ctx.options
    if not raw.has_front_matter and options.require_front_matter:
        raise _Skip("missing front matter", "no front matter (id, title, access_groups...)")
    try:
        ctx.front = FrontMatter.model_validate(raw.fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise _Skip("malformed front matter", f"field {where!r}: {problem['msg']}") from exc
    missing = [name for name in options.required if getattr(ctx.front, name, None) is None]
    if missing:
        raise _Skip("malformed front matter", f"missing required field(s) {', '.join(missing)}")
    if ctx.front.access_groups == []:
        raise _Skip("malformed front matter", "access_groups is present but empty")


def _check_text(ctx: _Ingest) -> None:
    if not re.search(r"\w", ctx.raw.text):
        raise _Skip("empty document", "no text after the front matter")


def _build_document(ctx: _Ingest) -> None:
    front, text = ctx.front, ctx.raw.text
    doc_id = front.id or re.sub(r"[^\w.-]+", "-", ctx.source.rsplit(".", 1)[0]).strip("-")
    if doc_id in ctx.seen:
        raise _Skip("duplicate id", f"id {doc_id!r} was already loaded from {ctx.seen[doc_id]}")
    groups = front.access_groups
    if groups is None:
        groups = list(ctx.options.default_groups)
        ctx.warnings.append(
            f"{ctx.source}: no access_groups, given the default {', '.join(groups)}"
        )
    heading = re.search(r"^#{1,6}\s+(.+)$", text, re.M)
    title = front.title or (heading.group(1).strip() if heading else ctx.path.stem)
    known = set(FrontMatter.model_fields)
    extra = tuple(
        sorted((k, str(v)) for k, v in (front.model_extra or {}).items() if k not in known)
    )
    metadata = DocumentMetadata(
        access_groups=tuple(dict.fromkeys(group.lower() for group in groups)),
        effective_date=front.effective_date,
        version=front.version or "",
        supersedes=tuple(front.supersedes),
        owner=front.owner or "",
        department=front.department or "",
        source=ctx.source,
        format=FORMATS[ctx.path.suffix.lower()],
        extra=extra,
    )
    ctx.document = Document(id=doc_id, title=title, text=text, metadata=metadata)
    ctx.seen[doc_id] = ctx.source


# The order matters: size before reading, parsing before front matter, the
# document is built last. tests/rag/test_documents.py pins it.
STEPS: tuple[Callable[[_Ingest], None], ...] = (
    _check_size,
    _read_bytes,
    _parse_format,
    _check_front_matter,
    _check_text,
    _build_document,
)


def load_document(path: str | Path, options: LoadOptions | None = None) -> Document:
    """Load one md, html or pdf file.

    Raises:
        UserError: the file is not usable; the message says why.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UserError(f"{path}: not a supported format ({', '.join(sorted(FORMATS))})")
    ctx = _Ingest(path=path, source=path.name, options=options or LoadOptions(), seen={})
    try:
        for step in STEPS:
            step(ctx)
    except _Skip as skip:
        raise UserError(f"{path}: {skip.kind}: {skip.reason}") from None
    for warning in ctx.warnings:
        logger.warning("%s", warning)
    return ctx.document


def load_corpus(folder: str | Path, options: LoadOptions | None = None) -> IngestReport:
    """Load every md, html and pdf file under ``folder`` (recursively, in path order).

    Hidden files and other formats are ignored. Unusable files are skipped with
    a warning and counted in the report.

    Raises:
        UserError: ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise UserError(f"{root} is not a folder: pass the folder that holds the documents")
    options = options or LoadOptions()
    seen: dict[str, str] = {}
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    warnings: list[str] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix.lower() not in FORMATS:
            continue
        ctx = _Ingest(path=path, source=relative.as_posix(), options=options, seen=seen)
        try:
            for step in STEPS:
                step(ctx)
        except _Skip as skip:
            logger.warning("skipped %s (%s): %s", ctx.source, skip.kind, skip.reason)
            skipped.append(SkippedFile(ctx.source, skip.reason, skip.kind))
            continue
        except OSError as exc:
            logger.warning("skipped %s (unreadable file): %s", ctx.source, exc)
            skipped.append(SkippedFile(ctx.source, str(exc), "unreadable file"))
            continue
        for warning in ctx.warnings:
            logger.warning("%s", warning)
        warnings.extend(ctx.warnings)
        documents.append(ctx.document)
    report = IngestReport(tuple(documents), tuple(skipped), tuple(warnings))
    logger.info("%s", report.summary())
    return report
