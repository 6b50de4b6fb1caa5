"""Reading grades out of nbgrader's gradebook, and merging gradebooks.

Grading workers each write their own SQLite gradebook (SQLite must not be
written by several processes at once); once they are done, ``merge_grades``
copies what autograde wrote (automatic scores, the needs-manual-grade flags,
automatic comments, timestamps) into the course's gradebook, leaving manual
grades there untouched, as nbgrader's own autograde does on a regrade.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from aieng.errors import UserError
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config, open_gradebook
from aieng.grading.rules import AssignmentRule, CellResult

__all__ = ["cell_results", "ensure_assignment", "merge_grades", "submitted_learners"]


def ensure_assignment(layout: CourseLayout, assignment: str) -> None:
    """Record the assignment's current cells (tests, hidden tests, points) in the gradebook.

    ``labs/`` is committed, so a fresh clone has a release but no gradebook,
    and a solution edited since the last grading changes what autograde must
    restore. nbgrader's generate_assignment, pointed at a throwaway release
    folder, updates the gradebook and leaves ``labs/`` alone.
    """
    layout.grading.mkdir(parents=True, exist_ok=True)
    config = course_config(layout)
    with tempfile.TemporaryDirectory(prefix="aieng-release-") as scratch:
        config.CourseDirectory.release_directory = scratch
        result = course_api(config).generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise UserError(
            f"could not record {assignment} in the gradebook: {result.get('error') or ''}"
        )


def submitted_learners(db_url: str, assignment: str) -> list[str]:
    """Learners with a submission of ``assignment`` in the gradebook at ``db_url``."""
    with open_gradebook(db_url) as gb:
        try:
            return sorted(s.student.id for s in gb.find_assignment(assignment).submissions)
        except MissingEntry:
            return []


def cell_results(
    db_url: str, assignment: str, learner: str, rule: AssignmentRule
) -> tuple[CellResult, ...]:
    """The grade of every graded cell of a learner's submission (manual grades win)."""
    results = []
    with open_gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, learner)
        for notebook in submission.notebooks:
            solutions = {cell.name for cell in notebook.notebook.solution_cells}
            for grade in notebook.grades:
                cell = grade.cell
                if cell.cell_type == "code" and grade.name not in solutions:
                    kind = "eval" if rule.is_eval(grade.name) else "test"
                else:
                    kind = "manual"
                score = grade.manual_score if grade.manual_score is not None else grade.auto_score
                results.append(
                    CellResult(grade.name, kind, float(score or 0), float(cell.max_score or 0))
                )
    return tuple(results)


def merge_grades(source_db: Path, target_db_url: str, assignment: str, learners: Iterable[str]):
    """Copy the autograde results of ``learners`` from ``source_db`` into the target."""
    learners = list(learners)
    if not learners:
        return
    # Read the worker's gradebook from a copy: it is closed, but never lock it twice.
    with tempfile.TemporaryDirectory(prefix="aieng-merge-") as tmp:
        copy = Path(tmp) / "gradebook.db"
        shutil.copyfile(source_db, copy)
        with (
            open_gradebook(f"sqlite:///{copy}") as src,
            open_gradebook(target_db_url) as dst,
            warnings.catch_warnings(),
        ):
            # nbgrader's own autograde triggers the same harmless SQLAlchemy warning
            warnings.simplefilter("ignore", SAWarning)
            for learner in learners:
                _merge_one(src, dst, assignment, learner)


def _merge_one(src: Gradebook, dst: Gradebook, assignment: str, learner: str) -> None:
    submitted = src.find_submission(assignment, learner)
    student = submitted.student
    dst.update_or_create_student(
        learner, first_name=student.first_name, last_name=student.last_name, email=student.email
    )
    target = dst.update_or_create_submission(assignment, learner, timestamp=submitted.timestamp)
    target.extension = submitted.extension
    for notebook in submitted.notebooks:
        other = dst.find_submission_notebook(notebook.name, assignment, learner)
        other.flagged = notebook.flagged
        other.late_submission_penalty = notebook.late_submission_penalty
        for grade in notebook.grades:
            mine = dst.find_grade(grade.name, notebook.name, assignment, learner)
            mine.auto_score = grade.auto_score
            mine.needs_manual_grade = grade.needs_manual_grade
        for comment in notebook.comments:
            dst.find_comment(
                comment.name, notebook.name, assignment, learner
            ).auto_comment = comment.auto_comment
    dst.db.commit()
