"""The course map holds together: links resolve, status markers tell the truth.

Checked here, without running a notebook:

- every relative link in markdown (``.md`` files and the markdown cells of
  notebooks) under ``curriculum/``, ``labs/``, ``solutions/`` and in the
  top-level ``README.md`` points at a file or folder that exists (anchors
  stripped; ``http(s):``, ``mailto:`` and other schemes are not fetched);
- the phase table of ``curriculum/README.md`` gives every assignment of the
  ladder a status of exactly ``ready`` or ``coming``; a ``ready`` one has its
  lesson, source and lab notebooks, a ``coming`` one is linked from nowhere
  outside its own folders;
- every Mermaid block in the curriculum starts with a known diagram type and
  has balanced brackets and quotes; the orientation draws all three diagrams;
- the orientation notebooks are valid nbformat 4, saved without outputs.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from aieng.grading import LADDER
from aieng.settings import repo_root

ROOT = repo_root()
CURRICULUM = ROOT / "curriculum"
ORIENTATION = CURRICULUM / "00-orientation"
STATUSES = ("ready", "coming")
KNOWN_DIAGRAMS = {
    "flowchart",
    "graph",
    "sequenceDiagram",
    "stateDiagram",
    "stateDiagram-v2",
    "classDiagram",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "mindmap",
    "timeline",
    "quadrantChart",
    "gitGraph",
    "xychart-beta",
    "block-beta",
    "sankey-beta",
}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[ \t]*$", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1", re.S)  # not across paragraphs
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*(<[^>\n]+>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]+>|\S+)", re.M)
HTML_LINK = re.compile(r"<(?:a|img|source)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.I)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
MERMAID = re.compile(r"^ {0,3}```mermaid[ \t]*\n(.*?)^ {0,3}```[ \t]*$", re.S | re.M)


# --- the extractor -----------------------------------------------------------------


def markdown_texts(path: Path) -> list[str]:
    """The markdown of a file: the whole ``.md`` file, or each markdown cell of a notebook."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


def extract_links(text: str) -> list[str]:
    """Link targets in markdown, outside code: ``"see [a](b.md) and `[c](d)`" -> ["b.md"]``."""
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    targets = [
        match.group(1)
        for pattern in (INLINE_LINK, REFERENCE_LINK, HTML_LINK)
        for match in pattern.finditer(prose)
    ]
    return [target[1:-1] if target.startswith("<") else target for target in targets]


def local_target(source: Path, target: str) -> Path | None:
    """Where a relative link from ``source`` points, or None for URLs and bare anchors."""
    if SCHEME.match(target) or target.startswith("#"):
        return None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/"):
        return Path(path)  # absolute: reported as broken by the caller
    return (source.parent / path).resolve()


def broken_links(source: Path) -> list[str]:
    """The links of ``source`` that point at nothing, as ``"file: target"`` lines."""
    broken = []
    for text in markdown_texts(source):
        for target in extract_links(text):
            resolved = local_target(source, target)
            if resolved is None:
                continue
            if target.startswith("/"):
                broken.append(f"{source}: {target} (use a relative link)")
            elif not resolved.exists():
                broken.append(f"{source}: {target}")
    return broken


def scanned_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in ("curriculum", "labs", "solutions"):
        for pattern in ("*.md", "*.ipynb"):
            files += (ROOT / folder).rglob(pattern)
    return sorted(path for path in files if ".ipynb_checkpoints" not in path.parts)


# --- the status table --------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _plain(cell: str) -> str:
    cell = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)
    return cell.replace("*", "").replace("`", "").strip()


def statuses(readme: Path) -> dict[str, list[str]]:
    """``{assignment: [status, ...]}`` from every table of ``readme`` with a status column."""
    found: dict[str, list[str]] = {}
    names = {rule.name for rule in LADDER}
    column = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("|"):
            column = None
            continue
        cells = [_plain(cell) for cell in _cells(line)]
        if "status" in cells:
            column = cells.index("status")
            continue
        if column is None or column >= len(cells):
            continue
        name = next((cell for cell in cells if cell in names), None)
        if name:
            found.setdefault(name, []).append(cells[column])
    return found


def notebooks_of(name: str) -> list[Path]:
    return [
        ROOT / folder / name / f"{name}.ipynb" for folder in ("curriculum", "solutions", "labs")
    ]


# --- tests of the extractor itself -------------------------------------------------


def test_extractor_finds_the_broken_link_and_only_it(tmp_path):
    (tmp_path / "good.md").write_text("# Good\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    page = tmp_path / "page.md"
    page.write_text(
        "Read [the good page](good.md#good) and [a missing one](missing.md).\n"
        "Also [a folder](folder/), [the web](https://example.com/x.md), "
        "[mail](mailto:a@b.c) and [an anchor](#top).\n"
        "`[not a link](nowhere.md)`\n\n```\n[neither](nowhere-either.md)\n```\n",
        encoding="utf-8",
    )
    assert extract_links(page.read_text(encoding="utf-8")) == [
        "good.md#good",
        "missing.md",
        "folder/",
        "https://example.com/x.md",
        "mailto:a@b.c",
        "#top",
    ]
    assert broken_links(page) == [f"{page}: missing.md"]


def test_notebook_links_resolve_from_the_notebooks_folder(tmp_path):
    (tmp_path / "lesson").mkdir()
    (tmp_path / "shared.md").write_text("shared\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("[shared](../shared.md) and [wrong](shared.md)"),
        nbformat.v4.new_code_cell("# [a comment](ignored.md) in code is not checked"),
    ]
    path = tmp_path / "lesson" / "lesson.ipynb"
    nbformat.write(notebook, path)
    assert broken_links(path) == [f"{path}: shared.md"]


def test_status_table_is_parsed(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "| phase | lesson | status |\n| --- | --- | --- |\n"
        "| **p1-chat-api** | [lesson](p1-chat-api/p1-chat-api.ipynb) | `ready` |\n"
        "| p2-prompt-contracts | coming | coming |\n\nNot a table: p3-rag ready\n",
        encoding="utf-8",
    )
    assert statuses(readme) == {"p1-chat-api": ["ready"], "p2-prompt-contracts": ["coming"]}


# --- the course itself -------------------------------------------------------------


@pytest.mark.parametrize("source", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(source):
    assert broken_links(source) == []


def test_every_assignment_has_one_status_and_ready_ones_exist():
    found = statuses(CURRICULUM / "README.md")
    for rule in LADDER:
        marks = set(found.get(rule.name, []))
        assert len(marks) == 1, (
            f"{rule.name}: expected one status in curriculum/README.md, got {marks or 'none'}"
        )
        (status,) = marks
        assert status in STATUSES, f"{rule.name}: status {status!r} is neither 'ready' nor 'coming'"
        if status == "ready":
            missing = [str(p.relative_to(ROOT)) for p in notebooks_of(rule.name) if not p.is_file()]
            assert not missing, f"{rule.name} is marked ready but lacks {missing}"


def test_no_coming_assignment_is_linked():
    coming = {
        name for name, marks in statuses(CURRICULUM / "README.md").items() if "coming" in marks
    }
    offending = []
    for source in scanned_files():
        parts = set(source.relative_to(ROOT).parts)
        for text in markdown_texts(source):
            for target in extract_links(text):
                resolved = local_target(source, target)
                if resolved is None:
                    continue
                hit = (coming & set(resolved.parts)) - parts  # a phase may link inside itself
                if hit:
                    offending.append(
                        f"{source.relative_to(ROOT)} links {target} ({', '.join(hit)} is coming)"
                    )
    assert offending == []


def _mermaid_blocks() -> list[tuple[str, str]]:
    blocks = []
    for source in sorted(CURRICULUM.rglob("*")):
        if source.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in source.parts:
            for text in markdown_texts(source):
                blocks += [
                    (str(source.relative_to(ROOT)), m.group(1)) for m in MERMAID.finditer(text)
                ]
    return blocks


def test_mermaid_blocks_start_with_a_known_diagram_and_balance():
    blocks = _mermaid_blocks()
    assert blocks, "the curriculum should draw its diagrams in ```mermaid blocks"
    for source, body in blocks:
        lines = [line.strip() for line in body.splitlines()]
        lines = [line for line in lines if line and not line.startswith("%%")]
        assert lines, f"{source}: empty mermaid block"
        kind = lines[0].split()[0]
        assert kind in KNOWN_DIAGRAMS, f"{source}: unknown diagram type {kind!r}"
        unquoted = re.sub(r'"[^"\n]*"', "", body)
        assert body.count('"') % 2 == 0, f"{source}: unbalanced quotes in {lines[0]!r} diagram"
        for opening, closing in ("[]", "()", "{}"):
            assert unquoted.count(opening) == unquoted.count(closing), (
                f"{source}: unbalanced {opening}{closing} in {lines[0]!r} diagram"
            )


def test_orientation_draws_the_three_diagrams():
    drawn = [body for source, body in _mermaid_blocks() if "00-orientation" in source]
    assert len(drawn) >= 3, (
        "the orientation draws the RAG chain, the agent loop and the eval funnel"
    )


@pytest.mark.parametrize("path", sorted(ORIENTATION.glob("*.ipynb")), ids=lambda p: p.name)
def test_orientation_notebooks_are_clean(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        assert cell.get("id"), f"{path.name}: a cell without an id"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: cell {cell.id} was saved with outputs"
            )
