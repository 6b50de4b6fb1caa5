"""Reading grades out of nbgrader's gradebook, and merging gradebooks.

Grading workers each write their own SQLite gradebook (SQLite must not be
written by several processes at once). After each submission the worker
exports what autograde wrote (automatic scores, the needs-manual-grade flags,
automatic comments, timestamps) and the pipeline imports it into the course's
gradebook in one transaction, leaving manual grades there untouched, as
nbgrader's own autograde does on a regrade.
"""

from __future__ import annotations

import tempfile
import warnings
from datetime import datetime, timedelta

from nbgrader.api import MissingEntry
from sqlalchemy.exc import SAWarning

from aieng.errors import UserError
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config, open_gradebook
from aieng.grading.rules import AssignmentRule, CellResult

__all__ = [
    "cell_results",
    "ensure_assignment",
    "export_grades",
    "forget_submission",
    "import_grades",
    "submitted_learners",
]


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


def export_grades(db_url: str, assignment: str, learner: str) -> dict:
    """What autograde wrote for one submission, as plain data a pipe can carry.

    The worker reads it from its own gradebook right after grading, so the
    course gradebook is only ever written by the one process that imports it.
    """
    with open_gradebook(db_url) as gb:
        submitted = gb.find_submission(assignment, learner)
        student = submitted.student
        extension = submitted.extension
        return {
            "student": {
                "first_name": student.first_name,
                "last_name": student.last_name,
                "email": student.email,
            },
            "timestamp": submitted.timestamp.isoformat() if submitted.timestamp else None,
            "extension_s": extension.total_seconds() if extension else None,
            "notebooks": [
                {
                    "name": notebook.name,
                    "flagged": notebook.flagged,
                    "late_submission_penalty": notebook.late_submission_penalty,
                    "grades": [
                        [grade.name, grade.auto_score, grade.needs_manual_grade]
                        for grade in notebook.grades
                    ],
                    "comments": [[c.name, c.auto_comment] for c in notebook.comments],
                }
                for notebook in submitted.notebooks
            ],
        }


def import_grades(db_url: str, assignment: str, learner: str, grades: dict) -> None:
    """Write one submission's exported grades into the gradebook, in one transaction.

    Manual grades already there are kept, as nbgrader's own autograde keeps
    them on a regrade.
    """
    with open_gradebook(db_url) as dst, warnings.catch_warnings():
        # nbgrader's own autograde triggers the same harmless SQLAlchemy warning
        warnings.simplefilter("ignore", SAWarning)
        dst.update_or_create_student(learner, **grades["student"])
        stamp = grades["timestamp"]
        target = dst.update_or_create_submission(
            assignment, learner, timestamp=datetime.fromisoformat(stamp) if stamp else None
        )
        extension = grades["extension_s"]
        target.extension = timedelta(seconds=extension) if extension is not None else None
        for notebook in grades["notebooks"]:
            name = notebook["name"]
            other = dst.find_submission_notebook(name, assignment, learner)
            other.flagged = notebook["flagged"]
            other.late_submission_penalty = notebook["late_submission_penalty"]
            for grade_name, auto_score, needs_manual in notebook["grades"]:
                mine = dst.find_grade(grade_name, name, assignment, learner)
                mine.auto_score, mine.needs_manual_grade = auto_score, needs_manual
            for comment_name, auto_comment in notebook["comments"]:
                dst.find_comment(
                    comment_name, name, assignment, learner
                ).auto_comment = auto_comment
        dst.db.commit()


def forget_submission(db_url: str, assignment: str, learner: str) -> bool:
    """Remove a learner's graded submission, so that no older score outlives a
    resubmission that could not be graded. True if there was one."""
    with open_gradebook(db_url) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        try:
            gb.remove_submission(assignment, learner)
        except MissingEntry:
            return False
        return True
