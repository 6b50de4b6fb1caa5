"""The notebook nbgrader grades: a submission with the release's tests put back.

Whatever a learner did to the test cells, the tests that count are the
release's. ``gradable_notebook`` takes the submission and its integrity
report and returns what the grader runs:

- a deleted test cell is put back where the release had it;
- a stripped or renamed test cell is replaced by the release's cell;
- an edited test cell is left for nbgrader's ``OverwriteCells``, which
  restores its source from the gradebook;
- of several cells sharing one ``grade_id`` one keeps the metadata (the test
  whose source is the release's, else the learner's last answer) and the
  others become plain cells, where nbgrader would fail the whole submission;
- scored cells the release does not have lose their nbgrader metadata.

What was repaired is written in a note cell at the top, so the learner's
feedback says it as plainly as the instructor's table.
"""

from __future__ import annotations

import copy

from nbformat.notebooknode import NotebookNode, from_dict

from aieng.grading.cells import grade_id, is_test_cell, normalise_source
from aieng.grading.integrity import IntegrityReport, find_moved

__all__ = ["NOTE_MARKER", "gradable_notebook"]

NOTE_MARKER = "aieng-grading-note"
RESTORED = {"deleted", "stripped", "renamed"}


def gradable_notebook(
    report: IntegrityReport, release: NotebookNode
) -> tuple[NotebookNode, list[str]]:
    """The submission to grade, and a sentence per repair made."""
    nb = copy.deepcopy(report.notebook)
    released = {grade_id(cell): cell for cell in release.cells if grade_id(cell)}
    notes = _deduplicate(nb, released)
    for issue in report.issues:
        original = released.get(issue.grade_id or "")
        if issue.kind in RESTORED and original is not None and is_test_cell(original):
            _restore(nb, release, original)
            notes.append(
                f"test cell {issue.grade_id!r}: {issue.detail}; the release's test was run"
            )
        elif issue.kind == "altered" and original is not None:
            notes.append(
                f"test cell {issue.grade_id!r}: {issue.detail}; the release's test was run"
            )
    for cell in nb.cells:
        if grade_id(cell) and grade_id(cell) not in released:
            del cell.metadata["nbgrader"]
    if notes:
        nb.cells.insert(0, _note_cell(notes))
    return nb, notes


def _deduplicate(nb: NotebookNode, released: dict[str, NotebookNode]) -> list[str]:
    by_id: dict[str, list[NotebookNode]] = {}
    for cell in nb.cells:
        if grade_id(cell):
            by_id.setdefault(grade_id(cell), []).append(cell)
    notes = []
    for gid, cells in by_id.items():
        if len(cells) < 2:
            continue
        original = released.get(gid)
        keep = cells[-1]
        if original is not None and is_test_cell(original):
            same = [
                c for c in cells if normalise_source(c.source) == normalise_source(original.source)
            ]
            keep = same[0] if same else cells[0]
        for cell in cells:
            if cell is not keep:
                del cell.metadata["nbgrader"]
        notes.append(f"{len(cells)} cells shared the grade_id {gid!r}: one was graded")
    return notes


def _restore(nb: NotebookNode, release: NotebookNode, original: NotebookNode) -> None:
    """Put the release's ``original`` back: over its moved copy, else in its place."""
    restored = copy.deepcopy(original)
    taken = {cell.get("id") for cell in nb.cells}
    if restored.get("id") in taken:
        restored["id"] = f"{restored.get('id') or 'cell'}-restored"[:64]
    moved = find_moved(original, nb, test=True)
    if moved is not None:
        nb.cells[_index(nb, moved)] = restored
        return
    position = 0
    for cell in release.cells:
        if cell is original:
            break
        anchor = _counterpart(nb, cell)
        if anchor is not None:
            position = _index(nb, anchor) + 1
    nb.cells.insert(position, restored)


def _counterpart(nb: NotebookNode, cell: NotebookNode) -> NotebookNode | None:
    gid, cell_id = grade_id(cell), cell.get("id")
    for candidate in nb.cells:
        if gid and grade_id(candidate) == gid:
            return candidate
        if not gid and cell_id and candidate.get("id") == cell_id:
            return candidate
    return None


def _index(nb: NotebookNode, cell: NotebookNode) -> int:
    return next(i for i, candidate in enumerate(nb.cells) if candidate is cell)


def _note_cell(notes: list[str]) -> NotebookNode:
    lines = ["**Grading note.** The grader repaired this notebook before running it:", ""]
    lines += [f"- {note}" for note in notes]
    return from_dict(
        {
            "cell_type": "markdown",
            "id": NOTE_MARKER,
            "metadata": {"tags": [NOTE_MARKER]},
            "source": "\n".join(lines),
        }
    )
