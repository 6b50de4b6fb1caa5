"""``aieng check``: what the learner reads, from a terminal or a notebook cell."""

from __future__ import annotations

import copy

import nbformat
import pytest

from aieng.cli import main
from aieng.grading.check import check
from aieng.grading.course import learner_submission

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

FIXTURE = "x0-fixture"


def _write(nb, path):
    nbformat.write(nb, path)
    return path


def test_untouched_lab(fixture_course, tmp_path, capsys):
    path = _write(
        nbformat.read(fixture_course.lab_notebook(FIXTURE), as_version=4), tmp_path / "a.ipynb"
    )
    report = check(FIXTURE, path, layout=fixture_course)
    out = capsys.readouterr().out
    assert report.summary == "visible 0/1 passed; hidden eval checks run at grading"
    assert "FAILED  test-add: NotImplementedError" in out
    assert "left to write: answer-add, memo-design" in out
    assert not report.ok


def test_finished_lab(fixture_course, fixture_lab, fixture_solution, tmp_path, capsys):
    path = _write(learner_submission(fixture_lab, fixture_solution), tmp_path / "done.ipynb")
    report = check(FIXTURE, path, layout=fixture_course, verbose=False)
    assert report.summary == "visible 1/1 passed; hidden eval checks run at grading"
    assert report.ok and not report.todo
    assert "at least one eval check" in str(report)
    assert repr(report).startswith("<CheckReport x0-fixture: visible 1/1 passed")


def test_damaged_test_cells_are_named(fixture_course, fixture_lab, fixture_solution, tmp_path):
    nb = learner_submission(fixture_lab, fixture_solution)
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] != "test-add"]
    report = check(FIXTURE, _write(nb, tmp_path / "x.ipynb"), layout=fixture_course, verbose=False)
    text = str(report)
    assert report.summary == "visible 0/1 passed; hidden eval checks run at grading; 1 damaged cell"
    assert "DAMAGED test-add: test cell deleted" in text
    assert "copy them back from the released lab" in text
    assert not report.ok


def test_altered_test_runs_as_released(fixture_course, fixture_lab, tmp_path):
    nb = copy.deepcopy(fixture_lab)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade_id"] == "test-add":
            cell.source = "assert True"  # would pass; the released test does not
    report = check(FIXTURE, _write(nb, tmp_path / "x.ipynb"), layout=fixture_course, verbose=False)
    assert report.passed == 0
    assert [i.kind for i in report.issues] == ["altered"]


def test_the_lab_in_place_is_compared_with_a_fresh_release(fixture_course, capsys):
    # default NOTEBOOK: labs/<a>/<a>.ipynb, which is also the release; solutions/ stands in
    report = check(FIXTURE, layout=fixture_course, verbose=False)
    assert report.total == 1 and not report.issues


def test_cli_exit_status_and_unreadable_notebook(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{nope")
    assert main(["check", "p1-chat-api", str(broken)]) == 1
    assert "the notebook cannot be read: not valid notebook JSON" in capsys.readouterr().out
    assert main(["check", "p9-nothing", str(broken)]) == 2
    assert "not an assignment of the course" in capsys.readouterr().err


def test_check_from_a_notebook_cell(fixture_course, fixture_lab, fixture_solution, tmp_path):
    from aieng.grading.execute import run_notebook

    path = _write(learner_submission(fixture_lab, fixture_solution), tmp_path / "done.ipynb")
    code = (
        "from pathlib import Path\n"
        "from aieng.grading import check\n"
        "from aieng.grading.layout import CourseLayout\n"
        f"check({FIXTURE!r}, {str(path)!r}, layout=CourseLayout(Path({str(fixture_course.root)!r})))"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    result = run_notebook(nb, tmp_path, timeout=120)
    assert result.ok, result.errors
    outputs = result.notebook.cells[0].outputs
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "visible 1/1 passed; hidden eval checks run at grading" in printed
    shown = [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"]
    assert shown == [
        "<CheckReport x0-fixture: visible 1/1 passed; hidden eval checks run at grading>"
    ]


def test_grade_cli_names_unknown_assignments(capsys):
    assert main(["grade", "p1-chat-apy"]) == 2
    assert "Did you mean 'p1-chat-api'?" in capsys.readouterr().err
