"""Handing feedback back: each graded learner's feedback HTML, made again on demand.

``aieng grade`` writes feedback as it grades, with hidden tests redacted.
``aieng feedback ASSIGNMENT`` makes it again from the autograded notebooks
(after a manual grade in formgrader, say), and ``--reveal-hidden`` shows the
hidden tests once the instructor decides to release them.
"""

from __future__ import annotations

from pathlib import Path

from aieng.errors import UserError
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config

__all__ = ["regenerate_feedback"]


def regenerate_feedback(
    assignment: str, *, reveal_hidden: bool = False, layout: CourseLayout | None = None
) -> list[Path]:
    """Feedback HTML for every learner autograded on ``assignment``; the files written."""
    layout = layout or CourseLayout.default()
    graded = sorted(
        path.parent.name
        for path in layout.autograded.glob(f"*/{assignment}")
        if (path / f"{assignment}.ipynb").is_file()
    )
    if not graded:
        raise UserError(f"nobody is autograded on {assignment}: run `aieng grade {assignment}`")
    config = course_config(layout)
    config.RedactHiddenTests.reveal = reveal_hidden
    api = course_api(config)
    written, failed = [], []
    for learner in graded:
        result = api.generate_feedback(assignment, learner, force=True)
        target = layout.feedback / learner / assignment / f"{assignment}.html"
        if result.get("success") and target.is_file():
            written.append(target)
        else:
            failed.append(learner)
    if failed:
        raise UserError(f"feedback could not be made for {', '.join(failed)}; see nbgrader's log")
    return written
