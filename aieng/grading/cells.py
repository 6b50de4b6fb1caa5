"""Cell predicates in one place: what kind of nbgrader cell a notebook cell is.

nbgrader marks cells with ``metadata.nbgrader``: ``grade`` (scored),
``solution`` (the learner writes it), ``locked``, ``task``, ``grade_id``. An
automatic test is a scored code cell the learner does not write; an eval
check is such a test whose ``grade_id`` starts with ``eval-``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "grade_id",
    "hidden_region",
    "is_answer_cell",
    "is_test_cell",
    "nbgrader_meta",
    "normalise_source",
]

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"


def nbgrader_meta(cell: Any) -> dict:
    """The cell's nbgrader metadata, or ``{}`` (also when it is malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: Any) -> str | None:
    """The cell's ``grade_id`` when it has one."""
    value = nbgrader_meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_test_cell(cell: Any) -> bool:
    """An autograded test: a scored code cell that the learner does not write."""
    meta = nbgrader_meta(cell)
    return (
        cell.get("cell_type") == "code"
        and bool(meta.get("grade"))
        and not meta.get("solution")
        and grade_id(cell) is not None
    )


def is_answer_cell(cell: Any) -> bool:
    """A cell the learner writes (``solution``) or a task the grader scores by hand."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution") or meta.get("task")) and grade_id(cell) is not None


def normalise_source(source: Any) -> str:
    """Cell source as one string, line endings and trailing blanks normalised."""
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    text = str(source or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def hidden_region(source: str) -> list[str]:
    """The lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``."""
    lines, inside = [], False
    for line in normalise_source(source).split("\n"):
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines
