"""Build the handbook's PDF documents from the plain-text sources in ``pdf_sources/``.

Pure Python, no PDF library: the script lays the text out on A4 pages in the
standard Type1 fonts Helvetica and Helvetica-Bold (WinAnsiEncoding, so that
``£``, ``€`` and curly quotes survive) and writes minimal PDF 1.4 syntax by
hand: catalog, page tree, fonts, uncompressed content streams, document info,
cross-reference table and trailer. The output is byte-stable: no clock, no
random ids, fixed float formatting; dates come from each source's
``effective_date``, and the trailer ``/ID`` is a hash of the file's content.

A source file is a header of ``key: value`` lines (the handbook's front-matter
fields; ``access_groups`` comma-separated), a blank line, then the body:
``# `` and ``## `` lines are headings, ``- `` lines are bullets, other lines
are paragraphs (a blank line ends a paragraph). The fields go into the PDF
document info as ``/Title``, ``/Author`` (the owner) and the custom keys
``/FernhillId``, ``/FernhillOwner``, ``/FernhillDepartment``,
``/FernhillAccessGroups``, ``/FernhillEffectiveDate``, ``/FernhillVersion``
and ``/FernhillSupersedes``.

Usage::

    python datasets/scripts/make_pdfs.py              # writes datasets/handbook/<id>.pdf
    python datasets/scripts/make_pdfs.py --out /tmp/x  # somewhere else
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "pdf_sources"
DEFAULT_OUT = HERE.parent / "handbook"

FIELDS = (
    "id",
    "title",
    "owner",
    "department",
    "access_groups",
    "effective_date",
    "version",
    "supersedes",
)
INFO_KEYS = {
    "id": "FernhillId",
    "owner": "FernhillOwner",
    "department": "FernhillDepartment",
    "access_groups": "FernhillAccessGroups",
    "effective_date": "FernhillEffectiveDate",
    "version": "FernhillVersion",
    "supersedes": "FernhillSupersedes",
}
PRODUCER = "Fernhill handbook make_pdfs.py"

# A4 in points, margins and text styles: (font resource, size, leading, space before).
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
LEFT, RIGHT, TOP, BOTTOM = 72, 72, 770, 80
BULLET_INDENT = 14
STYLES = {
    "h1": ("F2", 17.0, 24.0, 6.0),
    "h2": ("F2", 12.5, 17.0, 10.0),
    "body": ("F1", 10.5, 14.5, 5.0),
    "bullet": ("F1", 10.5, 14.5, 2.0),
    "footer": ("F1", 8.0, 10.0, 0.0),
}

# Glyph widths (1/1000 em) of the standard Helvetica faces for the WinAnsi
# codes 32..126, from Adobe's Core 14 AFM files; a few codes above 127 follow.
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
_HELVETICA_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
    "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
    "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
    "556 556 500 389 280 389 584"
)
# WinAnsi code: (Helvetica, Helvetica-Bold) for the non-ASCII characters we allow.
_HIGH = {
    0x80: (556, 556),  # euro
    0x91: (222, 278),  # left single quote
    0x92: (222, 278),  # right single quote
    0x93: (333, 500),  # left double quote
    0x94: (333, 500),  # right double quote
    0x95: (350, 350),  # bullet
    0x96: (556, 556),  # en dash
    0x97: (1000, 1000),  # em dash
    0xA3: (556, 556),  # pound
    0xE9: (556, 556),  # e acute
}


def _width_table(spec: str, column: int) -> dict[int, int]:
    table = {32 + i: int(w) for i, w in enumerate(spec.split())}
    table.update({code: pair[column] for code, pair in _HIGH.items()})
    return table


WIDTHS = {"F1": _width_table(_HELVETICA, 0), "F2": _width_table(_HELVETICA_BOLD, 1)}
BASE_FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold"}


@dataclass(frozen=True)
class Source:
    """One PDF to build: its front-matter fields and its body blocks."""

    fields: dict[str, str]
    blocks: tuple[tuple[str, str], ...]  # (style, text)

    @property
    def doc_id(self) -> str:
        return self.fields["id"]


@dataclass(frozen=True)
class Line:
    style: str
    text: str
    x: float
    y: float


def read_source(path: Path) -> Source:
    """Parse a source file: ``key: value`` header, blank line, body blocks."""
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition("\n\n")
    fields: dict[str, str] = {}
    for raw in header.splitlines():
        key, sep, value = raw.partition(":")
        if not sep or key.strip() not in FIELDS:
            raise ValueError(f"{path.name}: bad header line {raw!r}")
        fields[key.strip()] = value.strip()
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise ValueError(f"{path.name}: missing header field(s) {', '.join(missing)}")
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("body", " ".join(paragraph)))
            paragraph.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(("# ", "## ", "- ")):
            flush()
            style = {"# ": "h1", "##": "h2", "- ": "bullet"}[line[:2]]
            blocks.append((style, line.split(" ", 1)[1].strip()))
        else:
            paragraph.append(line)
    flush()
    return Source(fields=fields, blocks=tuple(blocks))


def encode(text: str) -> bytes:
    """Text as WinAnsi bytes; refuses characters the standard fonts cannot show."""
    data = text.encode("cp1252")
    bad = sorted({chr(b) for b in data if b > 126 and b not in _HIGH})
    if bad:
        raise ValueError(f"characters without a glyph width: {''.join(bad)!r}")
    return data


def text_width(text: str, font: str, size: float) -> float:
    table = WIDTHS[font]
    return sum(table[b] for b in encode(text)) * size / 1000


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to ``width`` points; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def layout(source: Source) -> list[list[Line]]:
    """Place every line of the body on pages, top to bottom."""
    pages: list[list[Line]] = [[]]
    y = TOP
    full = PAGE_WIDTH - LEFT - RIGHT
    for style, text in source.blocks:
        font, size, leading, before = STYLES[style]
        indent = BULLET_INDENT if style == "bullet" else 0
        rows = wrap(text, font, size, full - indent)
        # Keep a heading with at least two lines of what follows.
        needed = leading * (len(rows) + (2 if style.startswith("h") else 0))
        if pages[-1] and y - before - min(needed, leading * 3) < BOTTOM:
            pages.append([])
            y = TOP
        elif pages[-1]:
            y -= before
        for i, row in enumerate(rows):
            if y - leading < BOTTOM:
                pages.append([])
                y = TOP
            y -= leading
            if style == "bullet" and i == 0:
                pages[-1].append(Line("bullet", "\u2022", LEFT + 2, y))
            pages[-1].append(Line(style, row, LEFT + indent, y))
    return pages


def pdf_string(text: str) -> bytes:
    """A PDF literal string for content streams: WinAnsi bytes, escaped."""
    out = bytearray(b"(")
    for b in encode(text):
        if b in b"()\\":
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b")")


def info_string(text: str) -> bytes:
    """A PDF text string for the document info: ASCII literal, or UTF-16BE hex with a BOM."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def fmt(value: float) -> bytes:
    return (f"{value:.2f}".rstrip("0").rstrip(".")).encode("ascii")


def content_stream(lines: list[Line], footer: str) -> bytes:
    parts = []
    for line in [*lines, Line("footer", footer, LEFT, BOTTOM - 30)]:
        font, size, _, _ = STYLES[line.style]
        parts.append(
            b"BT /%s %s Tf 1 0 0 1 %s %s Tm %s Tj ET"
            % (font.encode(), fmt(size), fmt(line.x), fmt(line.y), pdf_string(line.text))
        )
    return b"\n".join(parts) + b"\n"


def pdf_date(iso: str) -> str:
    return "D:" + iso.replace("-", "") + "000000Z"


def build_pdf(source: Source) -> bytes:
    """The complete PDF file for one source, as bytes."""
    fields = source.fields
    pages = layout(source)
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    fonts = {
        name: add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base.encode()
        )
        for name, base in BASE_FONTS.items()
    }
    info_pairs = [
        (b"Title", fields["title"]),
        (b"Author", fields["owner"]),
        (b"Subject", f"Fernhill Robotics handbook: {fields['department']}"),
        (b"Creator", "datasets/scripts/make_pdfs.py"),
        (b"Producer", PRODUCER),
        (b"CreationDate", pdf_date(fields["effective_date"])),
        (b"ModDate", pdf_date(fields["effective_date"])),
    ]
    info_pairs += [(INFO_KEYS[name].encode(), fields[name]) for name in INFO_KEYS]
    info = add(b"<< " + b" ".join(b"/%s %s" % (k, info_string(v)) for k, v in info_pairs) + b" >>")
    resources = b"<< /Font << %s >> >>" % b" ".join(
        b"/%s %d 0 R" % (name.encode(), num) for name, num in fonts.items()
    )
    kids = []
    for number, lines in enumerate(pages, start=1):
        footer = f"Fernhill Robotics | {fields['id']} | page {number} of {len(pages)}"
        stream = content_stream(lines, footer)
        contents = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources %s "
                b"/Contents %d 0 R >>" % (tree, PAGE_WIDTH, PAGE_HEIGHT, resources, contents)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = hashlib.md5(bytes(out)).hexdigest().upper().encode()
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        catalog,
        info,
        file_id,
        file_id,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def build_all(out_dir: Path, sources: Path = SOURCES) -> list[Path]:
    """Build every ``*.txt`` source in ``sources`` into ``out_dir/<id>.pdf``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(sources.glob("*.txt")):
        source = read_source(path)
        target = out_dir / f"{source.doc_id}.pdf"
        target.write_bytes(build_pdf(source))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument("--sources", type=Path, default=SOURCES, help="folder of *.txt sources")
    args = parser.parse_args(argv)
    written = build_all(args.out, args.sources)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    if not written:
        print(f"no *.txt sources in {args.sources}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
