"""Is a learner's notebook still the lab it was released as?

nbgrader trusts the notebook it grades: a deleted test cell, or one stripped
of its nbgrader metadata, scores 0 silently while ``nbgrader validate`` says
"Success!", and a renamed ``grade_id`` fails the whole submission with a
misleading message. ``inspect_notebook`` compares a submission with the
release in ``labs/`` and names each problem:

- ``invalid``: not notebook JSON (or not a notebook at all);
- ``deleted``: a test cell of the release is gone;
- ``altered``: a test cell's source, type or nbgrader metadata changed;
- ``stripped``: a test cell is there but lost its nbgrader metadata;
- ``renamed``: a test cell is there under another ``grade_id``;
- ``added``: a scored cell the release does not have;
- ``duplicated``: several cells share one ``grade_id`` (a copied cell).

The first six are tampering; a duplicate is usually a copy-paste slip. The same checks on the learner's own answer cells
(``answer-deleted``, ...) are damage that only costs the learner points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import compute_checksum

from aieng.errors import UserError
from aieng.grading.cells import (
    grade_id,
    is_answer_cell,
    is_test_cell,
    nbgrader_meta,
    normalise_source,
)

__all__ = [
    "IntegrityReport",
    "Issue",
    "NotebookUnreadable",
    "find_moved",
    "inspect_notebook",
    "read_notebook",
]

MAX_NOTEBOOK_BYTES = 25 * 1024 * 1024
TAMPERING = {"invalid", "deleted", "altered", "stripped", "renamed", "added"}
COMPARED_METADATA = ("grade", "solution", "points", "task")


class NotebookUnreadable(UserError):
    """The file is not a notebook that Jupyter (or nbgrader) can open."""


@dataclass(frozen=True)
class Issue:
    """One problem found in a submission; ``kind`` is one of the module's kinds."""

    kind: str
    grade_id: str | None
    detail: str

    @property
    def tampering(self) -> bool:
        return self.kind in TAMPERING

    def __str__(self) -> str:
        return f"{self.grade_id}: {self.detail}" if self.grade_id else self.detail


@dataclass(frozen=True)
class IntegrityReport:
    """The verdict on one notebook; ``notebook`` is None when it could not be read."""

    notebook: NotebookNode | None
    issues: tuple[Issue, ...] = ()

    @property
    def readable(self) -> bool:
        return self.notebook is not None

    @property
    def tampered(self) -> bool:
        return any(issue.tampering for issue in self.issues)

    @property
    def damaged_cells(self) -> list[str]:
        return [issue.grade_id for issue in self.issues if issue.grade_id]


def read_notebook(source: bytes | str | Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> NotebookNode:
    """Parse and validate a notebook, or raise ``NotebookUnreadable`` saying why."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise NotebookUnreadable(
            f"the notebook is {len(data) / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB "
            "limit: clear its outputs and submit again"
        )
    if not data.strip():
        raise NotebookUnreadable("the file is empty, not a notebook")
    try:
        text = data.decode("utf-8-sig")
        raw = json.loads(text)
    except UnicodeDecodeError:
        raise NotebookUnreadable("the file is not text (UTF-8), so not a notebook") from None
    except json.JSONDecodeError as error:
        raise NotebookUnreadable(
            f"not valid notebook JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookUnreadable("valid JSON but not a notebook (no list of cells)")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        first = str(getattr(error, "message", error)).split("\n")[0][:200]
        raise NotebookUnreadable(f"not a valid notebook: {first}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise NotebookUnreadable(f"not a valid notebook: {error}") from None
    return nb


def inspect_notebook(
    submitted: NotebookNode | bytes | str | Path, release: NotebookNode | Path | None
) -> IntegrityReport:
    """Compare a submission with its release.

    Without a release only what the notebook proves about itself is checked:
    test cells whose source no longer matches their nbgrader checksum.
    """
    if not isinstance(submitted, NotebookNode):
        try:
            submitted = read_notebook(submitted)
        except NotebookUnreadable as error:
            return IntegrityReport(None, (Issue("invalid", None, str(error)),))
    if release is None:
        return IntegrityReport(submitted, tuple(_checksum_issues(submitted)))
    if isinstance(release, Path):
        release = nbformat.read(release, as_version=4)
    return IntegrityReport(submitted, tuple(_compare(submitted, release)))


def _checksum_issues(nb: NotebookNode) -> list[Issue]:
    issues = []
    for cell in nb.cells:
        stored = nbgrader_meta(cell).get("checksum")
        if is_test_cell(cell) and stored and compute_checksum(cell) != stored:
            issues.append(Issue("altered", grade_id(cell), "test cell changed since release"))
    return issues


def _compare(submitted: NotebookNode, release: NotebookNode) -> list[Issue]:
    issues: list[Issue] = []
    released = {grade_id(cell): cell for cell in release.cells if grade_id(cell)}
    by_id: dict[str, list[NotebookNode]] = {}
    for cell in submitted.cells:
        if grade_id(cell):
            by_id.setdefault(grade_id(cell), []).append(cell)
    explained: set[str] = set()
    for gid, cells in by_id.items():
        if len(cells) > 1:
            issues.append(
                Issue("duplicated", gid, f"{len(cells)} cells share this grade_id; one is graded")
            )
    for gid, original in released.items():
        test, answer = is_test_cell(original), is_answer_cell(original)
        if not (test or answer):
            continue
        prefix = "" if test else "answer-"
        if gid in by_id:
            if test:
                issues.extend(_altered(gid, original, by_id[gid][0]))
            elif by_id[gid][0].get("cell_type") != original.get("cell_type"):
                issues.append(Issue("answer-altered", gid, "answer cell changed type"))
            continue
        match = find_moved(original, submitted, test)
        if match is None:
            what = "test cell" if test else "answer cell"
            issues.append(Issue(f"{prefix}deleted", gid, f"{what} deleted"))
        elif grade_id(match) is None:
            issues.append(Issue(f"{prefix}stripped", gid, "cell lost its nbgrader metadata"))
        else:
            explained.add(grade_id(match))
            issues.append(
                Issue(f"{prefix}renamed", gid, f"grade_id renamed to {grade_id(match)!r}")
            )
    for gid, cells in by_id.items():
        if gid not in released and gid not in explained:
            scored = any(nbgrader_meta(cell).get("grade") for cell in cells)
            kind = "added" if scored else "answer-added"
            issues.append(Issue(kind, gid, "a graded cell the release does not have"))
    return issues


def _altered(gid: str, original: NotebookNode, cell: NotebookNode) -> list[Issue]:
    if cell.get("cell_type") != original.get("cell_type"):
        return [Issue("altered", gid, f"test cell turned into a {cell.get('cell_type')} cell")]
    if normalise_source(cell.get("source")) != normalise_source(original.get("source")):
        return [Issue("altered", gid, "test cell source changed")]
    before, after = nbgrader_meta(original), nbgrader_meta(cell)
    changed = [key for key in COMPARED_METADATA if before.get(key) != after.get(key)]
    if changed:
        return [Issue("altered", gid, f"nbgrader metadata changed ({', '.join(changed)})")]
    return []


def find_moved(original: NotebookNode, nb: NotebookNode, test: bool) -> NotebookNode | None:
    """The submission's cell that is ``original`` under another (or no) grade_id."""
    released_gid = grade_id(original)
    candidates = [cell for cell in nb.cells if grade_id(cell) != released_gid]
    cell_id = original.get("id")
    for cell in candidates:
        if cell_id and cell.get("id") == cell_id and cell.get("cell_type") == original.cell_type:
            return cell
    if test:
        source = normalise_source(original.get("source"))
        for cell in candidates:
            if cell.get("cell_type") == "code" and normalise_source(cell.get("source")) == source:
                return cell
    return None
