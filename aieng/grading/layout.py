"""Where the course keeps its assignments and grading state.

The course root is the repository: ``solutions/<a>/<a>.ipynb`` is an
assignment's source, ``labs/<a>/<a>.ipynb`` its release, and everything the
grading produces (submissions, autograded notebooks, feedback, the SQLite
gradebook, the exchange, reports) lives in the ignored ``.grading/`` folder.
Tests and ``make course`` use the same layout rooted in a scratch folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aieng.grading.rules import LADDER
from aieng.settings import repo_root

__all__ = ["COURSE_ID", "SECRET_DIRS", "CourseLayout"]

COURSE_ID = "ai-engineer-roadmap"
GRADING_DIR = ".grading"
# What learner code must not read while it is graded: answers, hidden tests,
# other learners' work, the gradebook, history.
SECRET_DIRS = ("solutions", GRADING_DIR, ".git", "autograder", "tests", ".aieng")


@dataclass(frozen=True)
class CourseLayout:
    """The folders of one course root (the repository, or a scratch course)."""

    root: Path

    @classmethod
    def default(cls) -> CourseLayout:
        """The course this package belongs to."""
        return cls(repo_root())

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def labs(self) -> Path:
        return self.root / "labs"

    @property
    def grading(self) -> Path:
        return self.root / GRADING_DIR

    @property
    def submitted(self) -> Path:
        return self.grading / "submitted"

    @property
    def autograded(self) -> Path:
        return self.grading / "autograded"

    @property
    def feedback(self) -> Path:
        return self.grading / "feedback"

    @property
    def exchange(self) -> Path:
        return self.grading / "exchange"

    @property
    def records(self) -> Path:
        return self.grading / "results"

    @property
    def reports(self) -> Path:
        return self.grading / "reports"

    @property
    def gradebook(self) -> Path:
        return self.grading / "gradebook.db"

    @property
    def config_file(self) -> Path:
        return self.root / "autograder" / "nbgrader_config.py"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    def source_notebook(self, assignment: str) -> Path:
        return self.solutions / assignment / f"{assignment}.ipynb"

    def lab_notebook(self, assignment: str) -> Path:
        return self.labs / assignment / f"{assignment}.ipynb"

    def assignments(self) -> list[str]:
        """Assignments with a source notebook: the ladder's first, in ladder order."""
        if not self.solutions.is_dir():
            return []
        present = {
            path.name
            for path in self.solutions.iterdir()
            if (path / f"{path.name}.ipynb").is_file()
        }
        ladder = [rule.name for rule in LADDER if rule.name in present]
        return ladder + sorted(present - set(ladder))
