"""Every real assignment in solutions/: the reference solution, submitted as a
learner would, autogrades to full automatic marks and certifies; the untouched
lab gets zero automatic points; feedback shows none of the hidden tests."""

from __future__ import annotations

import html
import re
from io import StringIO

import nbformat
import pytest

from aieng.grading.cells import hidden_region
from aieng.grading.course import learner_submission, run_course
from aieng.grading.execute import cell_error
from aieng.grading.layout import CourseLayout
from aieng.grading.pipeline import grade
from aieng.grading.release import generate_release

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

REPO = CourseLayout.default()
PRESENT = REPO.assignments()


@pytest.fixture(scope="module", params=PRESENT or [pytest.param("none", marks=pytest.mark.skip)])
def graded_assignment(request, tmp_path_factory):
    assignment = request.param
    layout = CourseLayout(tmp_path_factory.mktemp(f"{assignment}-course"))
    generate_release(assignment, REPO, layout.root)  # solutions/ and labs/ of a scratch course
    release = nbformat.read(layout.lab_notebook(assignment), as_version=4)
    solution = nbformat.read(layout.source_notebook(assignment), as_version=4)
    submissions = tmp_path_factory.mktemp(f"{assignment}-submissions")
    nbformat.write(learner_submission(release, solution), submissions / "reference.ipynb")
    nbformat.write(release, submissions / "untouched.ipynb")
    outcomes = grade(assignment, submissions, workers=2, layout=layout, show_progress=False)
    return assignment, layout, solution, {o.learner: o for o in outcomes}


def test_reference_solution_gets_full_automatic_marks(graded_assignment):
    assignment, _, _, outcomes = graded_assignment
    reference = outcomes["reference"]
    assert reference.auto_max > 0
    assert reference.auto_score == reference.auto_max, reference.reasons
    assert reference.certified, reference.reasons
    assert reference.count("eval")[1] >= 1, f"{assignment} has no eval check (eval-...)"


def test_every_cell_of_the_reference_runs_without_error(graded_assignment):
    # The solution notebook's whole run (try-it cells too), as graded: this is the
    # execution test of solutions/, so tests/test_notebooks.py runs only lessons.
    assignment, layout, _, _ = graded_assignment
    graded = layout.autograded / "reference" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    failed = [
        (index, cell_error(cell, where=True))
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and "raises-exception" not in cell.metadata.get("tags", [])
        and cell_error(cell)
    ]
    assert not failed, f"{assignment}: cells failed when graded: {failed[:3]}"


def test_untouched_lab_gets_zero_automatic_points(graded_assignment):
    _, _, _, outcomes = graded_assignment
    untouched = outcomes["untouched"]
    assert untouched.auto_score == 0, untouched.cells
    assert not untouched.certified


def test_feedback_shows_no_hidden_test_line(graded_assignment):
    assignment, layout, solution, _ = graded_assignment
    release = nbformat.read(layout.lab_notebook(assignment), as_version=4)
    visible = {line.strip() for cell in release.cells for line in cell.source.split("\n")}
    hidden = {line.strip() for c in solution.cells for line in hidden_region(c.source)}
    hidden = {line for line in hidden if len(line) > 15 and line not in visible}
    for learner in ("reference", "untouched"):
        path = layout.feedback / learner / assignment / f"{assignment}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{learner}'s feedback shows hidden lines: {leaked[:3]}"


def test_course_says_plainly_when_no_lab_exists(tmp_path):
    out = StringIO()
    assert run_course(CourseLayout(tmp_path), out=out) == 0
    assert "No lab exists yet" in out.getvalue()
    assert "Nothing to certify" in out.getvalue()
