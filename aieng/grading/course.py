"""``aieng course`` (``make course``): the whole ladder, offline, certified.

For every assignment present in ``solutions/`` (in ladder order):

1. execute the solution notebook offline (the course model answers);
2. release it into a scratch course (``.grading/course/``) with nbgrader;
3. submit it as a learner would: the released lab with the solution's
   answers written into the answer cells;
4. autograde it through the same pipeline as ``aieng grade``;

then print the certification table, the wall time and the seconds per
autograded notebook. The exit status is non-zero when a present assignment
does not certify.
"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import nbformat
from nbformat.notebooknode import NotebookNode

from aieng.errors import AiengError
from aieng.grading.cells import grade_id, is_answer_cell
from aieng.grading.execute import run_notebook
from aieng.grading.layout import CourseLayout
from aieng.grading.outcome import Outcome, render_table
from aieng.grading.pipeline import grade
from aieng.grading.release import generate_release, release_differences
from aieng.grading.rules import LADDER, rule_for

__all__ = ["CourseSummary", "certify_course", "learner_submission", "run_course"]

SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION")
MARK_SCHEME = ("=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ===")
LEARNER = "reference"


def _without_markers(source: str) -> str:
    """A solution cell as a learner would write it: no solution markers, no mark scheme."""
    lines, in_scheme = [], False
    for line in source.split("\n"):
        if MARK_SCHEME[0] in line:
            in_scheme = True
        elif MARK_SCHEME[1] in line:
            in_scheme = False
        elif not in_scheme and not any(marker in line for marker in SOLUTION_MARKERS):
            lines.append(line)
    return "\n".join(lines).strip("\n")


def learner_submission(release: NotebookNode, solution: NotebookNode) -> NotebookNode:
    """The released lab with the solution's answers in its answer cells."""
    answers = {grade_id(cell): cell for cell in solution.cells if is_answer_cell(cell)}
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        answer = answers.get(grade_id(cell))
        if is_answer_cell(cell) and answer is not None:
            cell.source = _without_markers(answer.source)
    return submission


@dataclass(frozen=True)
class CourseRow:
    assignment: str
    solution_errors: tuple[str, ...]
    outcome: Outcome | None
    labs_differences: tuple[str, ...]
    seconds: float
    problem: str = ""

    @property
    def certified(self) -> bool:
        return not self.solution_errors and self.outcome is not None and self.outcome.certified


def _say(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


def _run_solution(layout: CourseLayout, assignment: str, timeout: int) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory(prefix="aieng-solution-") as work:
        folder = Path(work) / assignment
        shutil.copytree(layout.solutions / assignment, folder)
        result = run_notebook(folder / f"{assignment}.ipynb", folder, timeout=timeout)
    return tuple(f"cell {index}: {message}" for index, message in result.errors)


def _certify(layout: CourseLayout, assignment: str, out: TextIO, step: str) -> CourseRow:
    started = time.monotonic()
    rule = rule_for(assignment)
    _say(out, f"{step} {assignment}: executing the solution notebook offline ...")
    errors = _run_solution(layout, assignment, rule.timeout_s)
    for error in errors:
        _say(out, f"{step} {assignment}: the solution failed at {error}")
    scratch = CourseLayout(layout.grading / "course" / assignment)
    if scratch.root.exists():
        shutil.rmtree(scratch.root)
    scratch.root.mkdir(parents=True)
    _say(out, f"{step} {assignment}: releasing with nbgrader and submitting as a learner ...")
    released = generate_release(assignment, layout, scratch.root)
    differences = tuple(release_differences(released, layout.labs / assignment, layout.root))
    release = nbformat.read(released / f"{assignment}.ipynb", as_version=4)
    solution = nbformat.read(layout.source_notebook(assignment), as_version=4)
    folder = scratch.submitted / LEARNER / assignment
    folder.mkdir(parents=True)
    nbformat.write(learner_submission(release, solution), folder / f"{assignment}.ipynb")
    _say(out, f"{step} {assignment}: autograding ...")
    outcome = grade(assignment, layout=scratch, show_progress=False)[0]
    seconds = time.monotonic() - started
    verdict = "certified" if outcome.certified and not errors else "NOT certified"
    _say(out, f"{step} {assignment}: {verdict} ({outcome.score_text}, {seconds:.0f} s)")
    return CourseRow(assignment, errors, outcome, differences, seconds)


@dataclass(frozen=True)
class CourseSummary:
    """What a course run measured (``aieng bench`` reads it too)."""

    rows: tuple[CourseRow, ...]
    wall_s: float

    @property
    def seconds_per_notebook(self) -> float:
        graded = [row.outcome.seconds for row in self.rows if row.outcome is not None]
        return sum(graded) / len(graded) if graded else 0.0

    @property
    def failed(self) -> list[str]:
        return [row.assignment for row in self.rows if not row.certified]


def certify_course(layout: CourseLayout | None = None, out: TextIO | None = None) -> CourseSummary:
    """Run, release, submit, autograde and certify every present assignment."""
    layout = layout or CourseLayout.default()
    out = out or sys.stdout
    ladder = {rule.name for rule in LADDER}
    present = [name for name in layout.assignments() if name in ladder]
    started = time.monotonic()
    if present:
        _say(out, f"aieng course: {len(present)} assignment(s) present: {', '.join(present)}")
    rows = []
    for index, assignment in enumerate(present, 1):
        step = f"[{index}/{len(present)}]"
        try:
            rows.append(_certify(layout, assignment, out, step))
        except AiengError as error:
            _say(out, f"{step} {assignment}: could not be graded: {error}")
            rows.append(CourseRow(assignment, (), None, (), 0.0, str(error)))
    return CourseSummary(tuple(rows), time.monotonic() - started)


def run_course(layout: CourseLayout | None = None, out: TextIO | None = None) -> int:
    """``aieng course``: certify the ladder and print the table; 1 if any assignment fails."""
    layout = layout or CourseLayout.default()
    out = out or sys.stdout
    summary = certify_course(layout, out)
    if not summary.rows:
        _say(
            out,
            f"No lab exists yet: {layout.solutions} holds none of the ladder's assignments "
            f"({', '.join(rule.name for rule in LADDER)}). Nothing to certify.",
        )
        return 0
    _say(out, "\n" + _table(list(summary.rows)))
    for row in summary.rows:
        if row.labs_differences:
            _say(out, f"warning: labs/{row.assignment} is not what solutions/ generates:")
            for line in row.labs_differences[:5]:
                _say(out, f"  {line}")
            _say(out, "  run `aieng release` to regenerate labs/")
    _say(
        out,
        f"wall time {summary.wall_s:.1f} s; "
        f"{summary.seconds_per_notebook:.1f} s per autograded notebook",
    )
    if summary.failed:
        _say(out, f"not certified: {', '.join(summary.failed)}")
        return 1
    _say(out, f"all {len(summary.rows)} present assignment(s) certified")
    return 0


def _table(rows: list[CourseRow]) -> str:
    lines = []
    for row in rows:
        outcome = row.outcome
        tests = outcome.count("test") if outcome else (0, 0)
        evals = outcome.count("eval") if outcome else (0, 0)
        reason = row.problem or "; ".join(
            row.solution_errors[:1] + (outcome.reasons if outcome else ())
        )
        lines.append(
            [
                row.assignment,
                "ran" if not row.solution_errors else "errors",
                outcome.score_text if outcome else "-",
                f"{tests[0]}/{tests[1]}",
                f"{evals[0]}/{evals[1]}",
                "yes" if row.certified else "no",
                f"{row.seconds:.0f}",
                reason or "-",
            ]
        )
    headers = ["assignment", "solution", "score", "tests", "evals", "certified", "s", "reason"]
    return render_table(headers, lines)
