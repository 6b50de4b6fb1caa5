"""Grading records on disk: what ``aieng grade`` decided, for ``aieng progress``.

The gradebook holds scores; it has no place for "tampered" or "timed out".
One JSON file per assignment under ``.grading/results/`` keeps each learner's
latest outcome. Records are read back through pydantic, since the files sit
on disk where anything may have happened to them.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from aieng.grading.layout import CourseLayout
from aieng.grading.outcome import Outcome, Status
from aieng.grading.rules import CellResult

__all__ = ["AssignmentRecord", "Journal", "LearnerRecord", "load_records", "save_outcomes"]

logger = logging.getLogger(__name__)


class CellRecord(BaseModel):
    grade_id: str
    kind: str
    score: float
    max_score: float


class LearnerRecord(BaseModel):
    learner: str
    status: Status
    certified: bool
    cells: list[CellRecord] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    graded_at: datetime

    def outcome(self, assignment: str) -> Outcome:
        cells = tuple(CellResult(c.grade_id, c.kind, c.score, c.max_score) for c in self.cells)
        return Outcome(
            self.learner,
            assignment,
            self.status,
            cells,
            tuple(self.reasons),
            self.certified,
            self.seconds,
        )


class AssignmentRecord(BaseModel):
    assignment: str
    learners: dict[str, LearnerRecord] = Field(default_factory=dict)


def _path(layout: CourseLayout, assignment: str) -> Path:
    return layout.records / f"{assignment}.json"


def load_records(layout: CourseLayout) -> dict[str, AssignmentRecord]:
    """Every assignment's record; unreadable files are skipped with a warning."""
    records = {}
    if not layout.records.is_dir():
        return records
    for path in sorted(layout.records.glob("*.json")):
        try:
            record = AssignmentRecord.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError, ValueError) as error:
            logger.warning("skipping unreadable grading record %s: %s", path, error)
            continue
        records[record.assignment] = record
    return records


def save_outcomes(layout: CourseLayout, assignment: str, outcomes: list[Outcome]) -> Path:
    """Merge ``outcomes`` into the assignment's record (a regrade replaces a learner's entry)."""
    record = load_records(layout).get(assignment) or AssignmentRecord(assignment=assignment)
    now = datetime.now(UTC)
    for outcome in outcomes:
        record.learners[outcome.learner] = LearnerRecord(
            learner=outcome.learner,
            status=outcome.status,
            certified=outcome.certified,
            cells=[CellRecord(**vars(cell)) for cell in outcome.cells],
            reasons=list(outcome.reasons),
            seconds=round(outcome.seconds, 2),
            graded_at=now,
        )
    path = _path(layout, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(record.model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


class Journal:
    """What an unfinished ``aieng grade`` run already graded, one line per submission.

    Each finished submission is appended (and flushed to disk) right after its
    grades are in the gradebook. A run killed at any moment leaves the journal
    behind; the next run keeps the entries whose submission and tests are
    byte-for-byte the same and grades only the rest. A run that completes
    removes it, so a later run grades everything afresh.
    """

    def __init__(self, layout: CourseLayout, assignment: str) -> None:
        self.path = layout.grading / "journal" / f"{assignment}.jsonl"

    def load(self) -> dict[str, tuple[str, dict]]:
        """learner -> (digest, result data) of the entries that can be read."""
        entries: dict[str, tuple[str, dict]] = {}
        if not self.path.is_file():
            return entries
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                entries[entry["learner"]] = (entry["digest"], entry["result"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
        return entries

    def record(self, learner: str, digest: str, result: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"learner": learner, "digest": digest, "result": result})
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
