"""``aieng check <assignment> [NOTEBOOK]``: the learner's self-check.

Runs the visible tests of the learner's notebook (on a copy, executed with
the course's Python, each cell within the lab's timeout), checks that no
test cell was deleted, altered or stripped of its nbgrader metadata, and
says plainly where the learner stands:

    visible 4/4 passed; hidden eval checks run at grading

Test cells are run as released, whatever the notebook holds, since that is
what grading will do. From a notebook cell:

    >>> from aieng.grading import check
    >>> check("p1-chat-api")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from aieng.errors import UserError
from aieng.grading.cells import grade_id, is_answer_cell, is_test_cell, normalise_source
from aieng.grading.execute import TIMEOUT_ENAME, cell_error, run_notebook
from aieng.grading.integrity import (
    Issue,
    NotebookUnreadable,
    inspect_notebook,
    read_notebook,
)
from aieng.grading.layout import CourseLayout
from aieng.grading.release import generate_release
from aieng.grading.rules import AssignmentRule, rule_for

__all__ = ["CheckReport", "TestResult", "check"]

logger = logging.getLogger(__name__)

ACTIVE_VARIABLE = "AIENG_CHECK_ACTIVE"  # set in the kernel that check() runs
STUBS = ("YOUR CODE HERE", "YOUR ANSWER HERE")  # nbgrader's placeholders in a released lab


@dataclass(frozen=True)
class TestResult:
    """One visible test of the notebook; ``message`` says why it failed."""

    grade_id: str
    passed: bool
    message: str = ""


@dataclass(frozen=True, repr=False)
class CheckReport:
    """What ``check`` found; ``str()`` is the full text, ``repr()`` the summary."""

    assignment: str
    notebook: Path
    results: tuple[TestResult, ...] = ()
    issues: tuple[Issue, ...] = ()
    todo: tuple[str, ...] = ()
    evals: tuple[str, ...] = ()  # eval checks: they run on hidden data at grading
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        """All visible tests pass and no test cell is damaged."""
        return self.total > 0 and self.passed == self.total and not self.issues

    @property
    def summary(self) -> str:
        parts = [f"visible {self.passed}/{self.total} passed"]
        if self.evals:
            parts.append("hidden eval checks run at grading")
        damaged = [issue for issue in self.issues if issue.kind != "invalid"]
        if damaged:
            parts.append(f"{len(damaged)} damaged cell{'s' if len(damaged) > 1 else ''}")
        if any(issue.kind == "invalid" for issue in self.issues):
            return f"the notebook cannot be read: {self.issues[0].detail}"
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<CheckReport {self.assignment}: {self.summary}>"

    def __str__(self) -> str:
        lines = [f"aieng check {self.assignment}: {self.notebook}"]
        for result in self.results:
            mark = "passed" if result.passed else "FAILED"
            detail = f": {result.message}" if result.message and not result.passed else ""
            lines.append(f"  {mark:7} {result.grade_id}{detail}")
        for issue in self.issues:
            if issue.kind != "invalid":
                lines.append(f"  DAMAGED {issue.grade_id}: {issue.detail}")
        lines.append(self.summary)
        if self.todo:
            lines.append(f"left to write: {', '.join(self.todo)}")
        if any(issue.tampering and issue.kind != "invalid" for issue in self.issues):
            lines.append(
                "damaged test cells are put back from the release and run at grading, but the "
                "damage is reported to your instructor and blocks certification: copy them "
                f"back from the released lab (labs/{self.assignment}/)"
            )
        if self.evals:
            lines.append(
                "certification needs every test passing and at least one eval check passing; "
                f"the eval checks ({', '.join(self.evals)}) run on hidden data at grading"
            )
        lines.extend(self.notes)
        return "\n".join(lines)


def _rule(assignment: str, layout: CourseLayout) -> AssignmentRule:
    try:
        return rule_for(assignment)
    except UserError:
        if (
            layout.lab_notebook(assignment).is_file()
            or layout.source_notebook(assignment).is_file()
        ):
            return AssignmentRule(assignment, assignment)
        raise


def _reference(
    assignment: str, layout: CourseLayout, notebook: Path
) -> tuple[NotebookNode | None, str]:
    """The release to compare with, and a note when it is not ``labs/`` itself."""
    lab = layout.lab_notebook(assignment)
    if lab.is_file() and lab.resolve() != notebook.resolve():
        return nbformat.read(lab, as_version=4), ""
    if layout.source_notebook(assignment).is_file():
        with tempfile.TemporaryDirectory(prefix="aieng-check-") as scratch:
            folder = generate_release(assignment, layout, Path(scratch))
            return nbformat.read(folder / f"{assignment}.ipynb", as_version=4), ""
    relative = lab.relative_to(layout.root).as_posix()
    try:
        shown = subprocess.run(
            ["git", "-C", str(layout.root), "show", f"HEAD:{relative}"],
            capture_output=True,
            timeout=20,
            check=True,
        ).stdout
        return read_notebook(shown), "compared with the lab as committed in git"
    except (OSError, subprocess.SubprocessError, NotebookUnreadable):
        return None, "no release to compare with: deleted test cells cannot be detected"


def _runnable_copy(nb: NotebookNode, reference: NotebookNode | None) -> NotebookNode:
    """The learner's notebook with each test cell as released."""
    runnable = copy.deepcopy(nb)
    if reference is None:
        return runnable
    released = {grade_id(c): c for c in reference.cells if is_test_cell(c)}
    for cell in runnable.cells:
        original = released.get(grade_id(cell))
        if original is not None:
            cell.cell_type, cell.source = "code", original.source
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return runnable


def _has_code(source) -> bool:
    lines = normalise_source(source).split("\n")
    return any(line.strip() and not line.strip().startswith("#") for line in lines)


def check(
    assignment: str,
    notebook: str | Path | None = None,
    *,
    layout: CourseLayout | None = None,
    verbose: bool = True,
) -> CheckReport:
    """Run the visible tests of ``notebook`` (default ``labs/<a>/<a>.ipynb``) and report.

    Prints the report (``verbose``) and returns it.
    """
    layout = layout or CourseLayout.default()
    rule = _rule(assignment, layout)
    path = Path(notebook) if notebook else layout.lab_notebook(assignment)
    if not path.is_file():
        raise UserError(f"no notebook at {path}: pass the path of your {assignment} notebook")
    if os.environ.get(ACTIVE_VARIABLE) or os.environ.get("NBGRADER_EXECUTION"):
        report = CheckReport(assignment, path, notes=("(skipped: already inside a check)",))
    else:
        report = _check(assignment, path, layout, rule)
    if verbose:
        print(report)
    return report


def _check(assignment: str, path: Path, layout: CourseLayout, rule: AssignmentRule) -> CheckReport:
    try:
        nb = read_notebook(path)
    except NotebookUnreadable as error:
        return CheckReport(assignment, path, issues=(Issue("invalid", None, str(error)),))
    reference, note = _reference(assignment, layout, path)
    integrity = inspect_notebook(nb, reference)
    run = run_notebook(
        _runnable_copy(nb, reference),
        path.parent,
        timeout=rule.timeout_s,
        env={ACTIVE_VARIABLE: "1"},
    )
    source = reference if reference is not None else nb
    tests = [c for c in source.cells if is_test_cell(c)]
    visible = [c for c in tests if not rule.is_eval(grade_id(c)) and _has_code(c.source)]
    evals = tuple(grade_id(c) for c in tests if rule.is_eval(grade_id(c)))
    executed = {grade_id(c): c for c in run.notebook.cells if grade_id(c)}
    deleted = {i.grade_id for i in integrity.issues if i.kind in ("deleted", "stripped", "renamed")}
    results, todo = [], []
    for cell in visible:
        gid = grade_id(cell)
        ran = executed.get(gid)
        if gid in deleted or ran is None:
            results.append(TestResult(gid, False, "missing from your notebook"))
            continue
        error = cell_error(ran, where=True)
        if error and error.startswith(TIMEOUT_ENAME):
            error = f"ran past {rule.timeout_s} s and was interrupted"
        results.append(TestResult(gid, error is None, error or ""))
    for cell in run.notebook.cells:
        if is_answer_cell(cell):
            error = cell_error(cell) or ""
            text = normalise_source(cell.source)
            if "NotImplementedError" in error or any(stub in text for stub in STUBS):
                todo.append(grade_id(cell))
    notes = (note,) if note else ()
    return CheckReport(
        assignment, path, tuple(results), integrity.issues, tuple(todo), evals, notes
    )
