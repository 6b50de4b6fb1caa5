"""Honest records across runs: resubmissions, a run killed with kill -9, handing back."""

from __future__ import annotations

import copy
import html
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from aieng.grading.course import learner_submission
from aieng.grading.handback import regenerate_feedback
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import open_gradebook
from aieng.grading.outcome import Outcome, Status
from aieng.grading.pipeline import grade, outcome_summary
from aieng.grading.records import Journal, load_records

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

FIXTURE = "x0-fixture"


@pytest.fixture
def course(tmp_path, copy_course) -> CourseLayout:
    """A fresh course holding the fixture assignment and its release."""
    return copy_course(tmp_path / "course")


def _reference(layout: CourseLayout) -> nbformat.NotebookNode:
    lab = nbformat.read(layout.lab_notebook(FIXTURE), as_version=4)
    solution = nbformat.read(layout.source_notebook(FIXTURE), as_version=4)
    return learner_submission(lab, solution)


def _grade(layout, submissions, rule):
    outcomes = grade(FIXTURE, submissions, layout=layout, rule=rule, show_progress=False)
    return {o.learner: o for o in outcomes}


def _feedback_text(layout: CourseLayout, learner: str) -> str:
    path = layout.feedback / learner / FIXTURE / f"{FIXTURE}.html"
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_an_ungradable_resubmission_keeps_no_older_score(tmp_path, course, fixture_rule):
    layout = course
    submissions = tmp_path / "in"
    submissions.mkdir()
    nbformat.write(_reference(layout), submissions / "ada.ipynb")
    assert _grade(layout, submissions, fixture_rule)["ada"].certified

    (submissions / "ada.ipynb").write_text('{"cells": [', encoding="utf-8")
    ada = _grade(layout, submissions, fixture_rule)["ada"]
    assert ada.status is Status.NOT_GRADABLE and not ada.cells and not ada.certified
    with open_gradebook(layout.db_url) as gb:
        assert [s.student.id for s in gb.find_assignment(FIXTURE).submissions] == []
    assert not (layout.autograded / "ada" / FIXTURE).exists()
    assert not (layout.feedback / "ada" / FIXTURE).exists()
    assert load_records(layout)[FIXTURE].learners["ada"].status is Status.NOT_GRADABLE


def test_feedback_reveals_hidden_tests_only_when_asked(
    tmp_path, course, fixture_rule, hidden_sentinels
):
    layout = course
    submissions = tmp_path / "in"
    submissions.mkdir()
    nbformat.write(_reference(layout), submissions / "ada.ipynb")
    _grade(layout, submissions, fixture_rule)
    assert not any(secret in _feedback_text(layout, "ada") for secret in hidden_sentinels)

    (written,) = regenerate_feedback(FIXTURE, reveal_hidden=True, layout=layout)
    assert written == layout.feedback / "ada" / FIXTURE / f"{FIXTURE}.html"
    assert any(secret in _feedback_text(layout, "ada") for secret in hidden_sentinels)

    regenerate_feedback(FIXTURE, layout=layout)
    assert not any(secret in _feedback_text(layout, "ada") for secret in hidden_sentinels)


KILLED_RUN = """
from pathlib import Path
from aieng.grading.layout import CourseLayout
from aieng.grading.pipeline import grade
from aieng.grading.rules import AssignmentRule

if __name__ == "__main__":
    rule = AssignmentRule({name!r}, "fixture", timeout_s=4, memory_mb=1024, submission_limit_s=90)
    grade({name!r}, Path({submissions!r}), layout=CourseLayout(Path({root!r})), rule=rule,
          show_progress=False)
"""


def test_a_run_killed_with_sigkill_resumes_without_losing_or_regrading(
    tmp_path, course, fixture_rule
):
    layout = course
    submissions = tmp_path / "in"
    submissions.mkdir()
    learners = [f"learner{n}" for n in range(5)]
    for learner in learners:
        nbformat.write(_reference(layout), submissions / f"{learner}.ipynb")
    script = textwrap.dedent(
        KILLED_RUN.format(name=FIXTURE, submissions=str(submissions), root=str(layout.root))
    )
    journal = Journal(layout, FIXTURE)
    run = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and run.poll() is None:
        if journal.path.is_file() and len(journal.load()) >= 2:
            break
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)  # what an instructor's kill -9 does: the main process only
    run.wait()
    finished = set(journal.load())
    assert 2 <= len(finished) < len(learners), "the run should die halfway"
    stamps = {
        learner: (layout.autograded / learner / FIXTURE / f"{FIXTURE}.ipynb").stat().st_mtime_ns
        for learner in finished
    }

    outcomes = _grade(layout, submissions, fixture_rule)
    assert set(outcomes) == set(learners)
    assert all(o.status is Status.GRADED and o.certified for o in outcomes.values())
    for learner in finished:  # kept, not graded again
        graded = layout.autograded / learner / FIXTURE / f"{FIXTURE}.ipynb"
        assert graded.stat().st_mtime_ns == stamps[learner]
    assert not journal.path.exists(), "a completed run leaves no journal"
    with open_gradebook(layout.db_url) as gb:
        graded_ids = [s.student.id for s in gb.find_assignment(FIXTURE).submissions]
    assert sorted(graded_ids) == learners
    assert sorted(load_records(layout)[FIXTURE].learners) == learners


def test_the_end_of_run_summary_counts_every_status():
    outcomes = [
        Outcome("a", FIXTURE, Status.GRADED, certified=True),
        Outcome("b", FIXTURE, Status.GRADED),
        Outcome("c", FIXTURE, Status.NOT_GRADABLE),
        Outcome("d", FIXTURE, Status.TAMPERED),
        Outcome("e", FIXTURE, Status.TIMED_OUT),
    ]
    assert outcome_summary(outcomes) == (
        "5 submissions: 2 graded, 1 not gradable, 1 tampered, 1 timed out; 1 certified"
    )


def test_parallel_grading_gives_the_scores_of_a_serial_run(
    tmp_path, fixture_course, fixture_rule, copy_course
):
    lab = nbformat.read(fixture_course.lab_notebook(FIXTURE), as_version=4)
    solution = nbformat.read(fixture_course.source_notebook(FIXTURE), as_version=4)
    submissions = tmp_path / "in"
    submissions.mkdir()
    nbformat.write(learner_submission(lab, solution), submissions / "ada.ipynb")
    nbformat.write(lab, submissions / "blank.ipynb")
    wrong = copy.deepcopy(learner_submission(lab, solution))
    for cell in wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer-add":
            cell.source = "def add(a, b):\n    return a - b\n"
    nbformat.write(wrong, submissions / "minus.ipynb")
    scores = {}
    for workers in (1, 2):
        layout = copy_course(tmp_path / f"course-{workers}")
        outcomes = grade(
            FIXTURE, submissions, workers=workers, layout=layout, rule=fixture_rule,
            show_progress=False,
        )  # fmt: skip
        scores[workers] = {o.learner: (o.status, o.cells, o.certified) for o in outcomes}
    assert scores[1] == scores[2]
    assert scores[1]["ada"][2] and not scores[1]["minus"][2]
