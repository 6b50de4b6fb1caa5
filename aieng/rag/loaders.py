"""Format readers: markdown with YAML front matter, HTML with ``<meta>`` tags, PDF with info fields.

Each reader turns the raw bytes of one file into a ``RawDocument``: its text
and the front-matter fields it found, with names normalised (``AccessGroups``,
``fernhill:access-groups`` and ``/FernhillAccessGroups`` all become
``access_groups``). Deciding whether the document is usable is the job of
``documents``; a reader only raises ``LoadError`` when the file cannot be read.

Example:
    >>> raw = read_markdown("---\\nid: A-1\\ntitle: Hi\\n---\\n# Hi\\nBody.\\n")
    >>> raw.fields["id"], raw.text
    ('A-1', '# Hi\\nBody.')
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml

from aieng.errors import UserError

# The front-matter fields the course knows, in their canonical spelling.
STANDARD_FIELDS = (
    "id",
    "title",
    "owner",
    "department",
    "access_groups",
    "effective_date",
    "version",
    "supersedes",
)
# Other spellings met in the wild, after normalisation (lower case, letters and digits only).
_ALIASES = {
    "accessgroup": "access_groups",
    "groups": "access_groups",
    "access": "access_groups",
    "effective": "effective_date",
    "effectivedate": "effective_date",
    "date": "effective_date",
    "docid": "id",
    "documentid": "id",
    "author": "owner",
    "dept": "department",
    "replaces": "supersedes",
}
_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_BLANK_RUNS = re.compile(r"\n{3,}")


class LoadError(UserError):
    """A file could not be read as its format claims; the message says why."""


@dataclass(frozen=True)
class RawDocument:
    """What a reader found in one file: text, fields, and whether front matter was present."""

    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    has_front_matter: bool = False


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def normalise_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Map front-matter keys onto ``STANDARD_FIELDS``, case-insensitively, prefix or not.

    A key matches a standard field when, lower-cased and stripped of
    punctuation, it equals the field (``AccessGroups``), an alias of it
    (``groups``), or a common prefix plus the field (``FernhillAccessGroups``,
    ``dc.title``). The prefix is the one most keys share, so that a lone
    ``/DocumentId`` does not collide with ``/FernhillId``. Unknown keys are
    kept under their lower-cased names.

    Example:
        >>> normalise_fields({"/FernhillId": "X", "/FernhillAccessGroups": "a,b", "/Title": "T"})
        {'id': 'X', 'access_groups': 'a,b', 'title': 'T'}
    """
    standard = {_squash(name): name for name in STANDARD_FIELDS}
    squashed = {key: _squash(str(key)) for key in raw}
    prefixes: Counter[str] = Counter()
    for flat in squashed.values():
        for target in standard:
            if flat.endswith(target) and flat != target and flat not in _ALIASES:
                prefixes[flat[: -len(target)]] += 1
    prefix = prefixes.most_common(1)[0][0] if prefixes else ""
    result: dict[str, Any] = {}
    priority: dict[str, int] = {}  # exact name 3, prefixed name 2, alias 1
    for key, value in raw.items():
        flat = squashed[key]
        if flat in standard:
            name, rank = standard[flat], 3
        elif prefix and flat.startswith(prefix) and flat[len(prefix) :] in standard:
            name, rank = standard[flat[len(prefix) :]], 2
        elif flat in _ALIASES:
            name, rank = _ALIASES[flat], 1
        else:
            result.setdefault(str(key).lstrip("/").lower(), value)
            continue
        if rank > priority.get(name, 0):
            result[name], priority[name] = value, rank
    return result


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """``(fields, body)`` of a text that may open with a ``---`` YAML block.

    Returns ``(None, text)`` when there is no front matter. Raises
    ``LoadError`` when the block is there but is not a YAML mapping.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        if text.lstrip("\ufeff").startswith("---"):
            raise LoadError("front matter opens with '---' but never closes")
        return None, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise LoadError(f"front matter is not valid YAML{where}") from exc
    except (ValueError, TypeError) as exc:  # e.g. a date like 2024-13-45
        raise LoadError(f"front matter holds an invalid value: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LoadError(f"front matter must be a mapping of fields, got {type(data).__name__}")
    return data, text[match.end() :]


def read_markdown(text: str) -> RawDocument:
    """Read a markdown (or plain text) file: YAML front matter, then the body."""
    fields, body = split_front_matter(text)
    return RawDocument(
        text=_tidy(body),
        fields=normalise_fields(fields or {}),
        has_front_matter=fields is not None,
    )


class _HTMLText(HTMLParser):
    """Collects visible text, headings as ``#`` lines, and ``<meta>`` fields."""

    # Never content: code, styling and navigation bars (and the <head>, see _in_head).
    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav"})
    BLOCK = frozenset(
        "p div section article main header footer aside ul ol li table tr blockquote pre "
        "dl dt dd figure figcaption form fieldset details summary address hr br".split()
    )
    HEADINGS = {f"h{n}": n for n in range(1, 7)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self._skip_depth = 0
        self._in_head = False  # </head> is optional in HTML: <body> ends the head too
        self._in_title = False
        self._cell_open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            name = values.get("name") or values.get("property") or values.get("itemprop")
            if name and "content" in values:
                self.meta.setdefault(name, values["content"])
            return
        if tag == "title":
            self._in_title = True
        if tag in ("head", "body"):
            self._in_head = tag == "head"
        elif tag in self.SKIP:
            self._skip_depth += 1
        elif tag in self.HEADINGS:
            self.parts.append("\n\n" + "#" * self.HEADINGS[tag] + " ")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" | " if self._cell_open else "")
            self._cell_open = True
        elif tag in self.BLOCK:
            self.parts.append("\n\n" if tag not in ("br", "tr") else "\n")
            self._cell_open = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self._skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "head":
            self._in_head = False
        elif tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self.HEADINGS or (tag in self.BLOCK and tag != "br"):
            self.parts.append("" if tag == "tr" else "\n" if tag == "li" else "\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip_depth or self._in_head:
            return
        self.parts.append(re.sub(r"\s+", " ", data))


def read_html(text: str) -> RawDocument:
    """Read an HTML page: ``<meta name content>`` fields, visible text with headings as ``#`` lines.

    Scripts, styles, navigation bars and the ``<head>`` are dropped; ``<title>`` is the title
    when no ``title`` meta field is given. A page may also open with a YAML
    front-matter block, which is read the same way as in markdown.
    """
    fields, body = split_front_matter(text)
    parser = _HTMLText()
    try:
        parser.feed(body)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's own failures
        raise LoadError(f"HTML cannot be parsed: {exc}") from exc
    found = dict(parser.meta)
    if fields:
        found.update(fields)
    normalised = normalise_fields(found)
    known = any(name in normalised for name in STANDARD_FIELDS if name != "title")
    if parser.title.strip() and "title" not in normalised:
        normalised["title"] = " ".join(parser.title.split())
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return RawDocument(
        text=_tidy("\n".join(lines)),
        fields=normalised,
        has_front_matter=fields is not None or known,
    )


def read_pdf(data: bytes) -> RawDocument:
    """Read a PDF with pypdf: the page texts, and front matter from the document info.

    Info keys map onto the standard fields like any other front matter
    (``/Title``, ``/FernhillId``, ``/AccessGroups``...). When the info holds
    no ``id``, a YAML front-matter block at the start of the text is used.
    Raises ``LoadError`` for a file pypdf cannot open, or an encrypted one.
    """
    from pypdf import PdfReader  # imported on first use
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = dict(reader.metadata or {})
    except LoadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise LoadError(f"pypdf cannot read it: {type(exc).__name__}: {exc}") from exc
    text = "\n\n".join(page.strip() for page in pages)
    fields = normalise_fields({str(key): _pdf_value(value) for key, value in info.items()})
    has_front_matter = "id" in fields
    if not has_front_matter:
        embedded, body = split_front_matter(text.lstrip())
        if embedded is not None:
            fields.update(normalise_fields(embedded))
            text, has_front_matter = body, True
    return RawDocument(text=_tidy(text), fields=fields, has_front_matter=has_front_matter)


def _pdf_value(value: Any) -> Any:
    text = str(value).strip()
    match = re.fullmatch(r"D:(\d{4})(\d{2})(\d{2}).*", text)
    if match:  # a PDF date string: keep the calendar date
        return "-".join(match.groups())
    return text


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
