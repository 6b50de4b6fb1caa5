"""``aieng grade`` over a batch of honest and hostile submissions (graded once)."""

from __future__ import annotations

import html
import re
import sys

import nbformat
import pytest

from aieng.errors import UserError
from aieng.grading.cells import hidden_region
from aieng.grading.course import learner_submission
from aieng.grading.nbconfig import open_gradebook
from aieng.grading.outcome import Status
from aieng.grading.pipeline import STEPS, check_order, grade, outcome_table
from aieng.grading.records import load_records
from aieng.grading.sandbox import bwrap_available, describe_protection

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

FIXTURE = "x0-fixture"


def test_every_submission_is_accounted_for(graded_batch):
    assert set(graded_batch.outcomes) == {
        "ada",
        "alterer",
        "blank",
        "broken",
        "constant",
        "deleter",
        "duplicator",
        "empty",
        "flooder",
        "hog",
        "late",
        "looper",
        "notebookless",
        "patcher",
        "quitter",
        "renamer",
        "snooper",
        "stripper",
        "stubborn",
    }


def test_reference_solution_gets_full_automatic_marks_and_certifies(graded_batch):
    ada = graded_batch.outcomes["ada"]
    assert ada.status is Status.GRADED
    assert ada.auto_max == 3 and ada.auto_score == 3
    assert ada.certified
    assert ada.count("test") == (1, 1) and ada.count("eval") == (1, 1)
    assert ada.manual_max == 2  # the memo waits for a human


def test_untouched_lab_gets_zero_automatic_points(graded_batch):
    blank = graded_batch.outcomes["blank"]
    assert blank.status is Status.GRADED
    assert blank.auto_score == 0 and blank.auto_max == 3
    assert not blank.certified
    assert any("not certified" in reason for reason in blank.reasons)


def test_hidden_tests_decide_what_visible_tests_miss(graded_batch):
    constant = graded_batch.outcomes["constant"]  # add() returns 3: visible test passes
    assert constant.auto_score == 0
    assert not constant.certified


@pytest.mark.parametrize(
    ("learner", "words"),
    [
        ("deleter", "test cell deleted"),
        ("alterer", "test cell source changed"),
        ("stripper", "lost its nbgrader metadata"),
        ("renamer", "renamed to 'test-mine'"),
    ],
)
def test_tampered_test_cells_are_reported_and_never_certify(graded_batch, learner, words):
    outcome = graded_batch.outcomes[learner]
    assert outcome.status is Status.TAMPERED
    assert any(words in reason for reason in outcome.reasons), outcome.reasons
    assert not outcome.certified


def test_altered_test_cell_is_graded_as_released(graded_batch):
    # the learner's "assert True" is replaced by the released test (and its hidden part)
    alterer = graded_batch.outcomes["alterer"]
    assert alterer.auto_score == 3


@pytest.mark.parametrize("learner", ["deleter", "stripper", "renamer"])
def test_missing_test_cells_are_restored_run_and_reported_in_feedback(graded_batch, learner):
    outcome = graded_batch.outcomes[learner]
    assert outcome.count("test") == (1, 1) and outcome.auto_score == 3  # the release's test ran
    path = graded_batch.layout.feedback / learner / FIXTURE / f"{FIXTURE}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    assert "Grading note" in text and "test-add" in text and "the release's test was run" in text


def test_duplicated_cells_are_graded_once_and_reported(graded_batch):
    duplicator = graded_batch.outcomes["duplicator"]
    assert duplicator.status is Status.GRADED and duplicator.certified
    assert duplicator.auto_score == 3
    assert len(duplicator.cells) == len(graded_batch.outcomes["ada"].cells)
    assert sum("share this grade_id" in reason for reason in duplicator.reasons) == 2


def test_hiding_error_display_does_not_fake_a_pass(graded_batch):
    patcher = graded_batch.outcomes["patcher"]  # add() returns 0, tracebacks patched away
    assert patcher.status is Status.GRADED
    assert patcher.auto_score == 0 and not patcher.certified


def test_huge_output_is_cut_with_a_note(graded_batch):
    flooder = graded_batch.outcomes["flooder"]
    assert flooder.status is Status.GRADED and flooder.certified
    graded = graded_batch.layout.autograded / "flooder" / FIXTURE / f"{FIXTURE}.ipynb"
    assert graded.stat().st_size < 2 * 1024**2
    assert "output cut by the grader" in graded.read_text(encoding="utf-8")
    feedback = graded_batch.layout.feedback / "flooder" / FIXTURE / f"{FIXTURE}.html"
    assert feedback.stat().st_size < 3 * 1024**2


def test_feedback_names_each_test_with_its_result_and_points(graded_batch):
    def results(learner):
        path = graded_batch.layout.feedback / learner / FIXTURE / f"{FIXTURE}.html"
        return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))

    ada, blank = results("ada"), results("blank")
    assert "Your results" in ada
    assert re.search(r"test-add\s+test\s+passed\s+2 / 2", ada), ada[:2000]
    assert re.search(r"eval-add-accuracy\s+eval\s+passed\s+1 / 1", ada)
    assert re.search(r"memo-design\s+written answer\s+to be graded by hand", ada)
    assert re.search(r"test-add\s+test\s+failed\s+0 / 2", blank)


def test_invalid_json_is_not_gradable_and_the_batch_goes_on(graded_batch):
    broken = graded_batch.outcomes["broken"]
    assert broken.status is Status.NOT_GRADABLE
    assert "not valid notebook JSON" in broken.reasons[0]
    notebookless = graded_batch.outcomes["notebookless"]
    assert notebookless.status is Status.NOT_GRADABLE
    assert "not a notebook" in notebookless.reasons[0]
    assert graded_batch.outcomes["ada"].certified  # graded in the same batch


def test_missing_notebook_is_not_gradable(graded_batch):
    empty = graded_batch.outcomes["empty"]
    assert empty.status is Status.NOT_GRADABLE
    assert "no notebook found" in empty.reasons[0]


def test_infinite_loop_is_timed_out_and_the_batch_goes_on(graded_batch):
    looper = graded_batch.outcomes["looper"]  # came in a zip
    assert looper.status is Status.TIMED_OUT
    assert any("ran past 4 s and was interrupted" in reason for reason in looper.reasons)
    assert looper.auto_score == 3  # add() was defined before the loop
    assert graded_batch.outcomes["ada"].certified


def test_interrupt_swallowing_loop_is_timed_out(graded_batch):
    stubborn = graded_batch.outcomes["stubborn"]
    assert stubborn.status is Status.TIMED_OUT
    assert "kept running after its timeout" in stubborn.reasons[0]
    assert not stubborn.certified


def test_kernel_that_exits_is_reported(graded_batch):
    quitter = graded_batch.outcomes["quitter"]
    assert quitter.status is Status.NOT_GRADABLE
    assert quitter.reasons[0].startswith("the kernel died while running the notebook")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux-only")
def test_memory_cap_turns_a_hog_into_memory_error(graded_batch):
    hog = graded_batch.outcomes["hog"]
    assert hog.status is Status.GRADED and hog.auto_score == 3
    graded = graded_batch.layout.autograded / "hog" / FIXTURE / f"{FIXTURE}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    errors = [o.ename for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert "MemoryError" in errors


def test_malformed_timestamp_is_ignored_with_a_note(graded_batch):
    late = graded_batch.outcomes["late"]
    assert late.status is Status.GRADED and late.certified
    assert any("timestamp.txt unreadable" in reason for reason in late.reasons)


@pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed or not usable")
def test_learner_code_cannot_read_answers_or_write_outside(graded_batch):
    if graded_batch.mode == "fallback":
        pytest.skip("without a sandbox only process limits apply (stated in the report)")
    graded = graded_batch.layout.autograded / "snooper" / FIXTURE / f"{FIXTURE}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    text = "".join(
        output.get("text", "") for cell in nb.cells for output in cell.get("outputs", [])
    )
    assert "LEAKED" not in text and "WROTE" not in text
    assert text.count("BLOCKED") >= 3
    assert not (graded_batch.layout.solutions / "pwned.txt").exists()


def test_feedback_never_shows_hidden_tests(graded_batch, hidden_sentinels):
    feedback = sorted(graded_batch.layout.feedback.glob(f"*/{FIXTURE}/{FIXTURE}.html"))
    assert len(feedback) >= 8
    solution = nbformat.read(graded_batch.layout.source_notebook(FIXTURE), as_version=4)
    hidden_lines = [line.strip() for cell in solution.cells for line in hidden_region(cell.source)]
    assert len(hidden_lines) == 6
    for path in feedback:
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
        for secret in (*hidden_sentinels, "BEGIN HIDDEN TESTS", *hidden_lines):
            assert secret not in text, f"{path.parent.parent.name}: {secret!r} leaked"


def test_feedback_keeps_the_messages_written_for_the_learner(graded_batch):
    path = graded_batch.layout.feedback / "constant" / FIXTURE / f"{FIXTURE}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    assert "eval accuracy 0.25 is below the bar 0.75" in text
    assert "add(-1, 1) should be 0" in text
    assert "assert add(1, 2) == 3" in text  # the visible test stays visible


def test_grades_are_merged_into_the_course_gradebook(graded_batch):
    with open_gradebook(graded_batch.layout.db_url) as gb:
        students = {s.student.id for s in gb.find_assignment(FIXTURE).submissions}
        ada = gb.find_submission(FIXTURE, "ada")
        assert ada.score == 3 and ada.max_score == 5
        assert str(ada.timestamp).startswith("2026-11-27 18:58:31")
    assert {"ada", "blank", "constant", "deleter", "looper"} <= students
    assert "broken" not in students


def test_records_keep_statuses_for_progress(graded_batch):
    record = load_records(graded_batch.layout)[FIXTURE]
    assert record.learners["deleter"].status is Status.TAMPERED
    assert record.learners["broken"].status is Status.NOT_GRADABLE
    assert record.learners["ada"].certified


def test_table_lists_every_learner_with_status(graded_batch):
    table = outcome_table(list(graded_batch.outcomes.values()))
    assert table.splitlines()[0].split() == ["learner", "score", "status", "certified", "reason"]
    for status in ("graded", "not gradable", "tampered", "timed out"):
        assert status in table
    assert "3/3" in table and "0/3" in table


def test_the_report_states_the_protection_in_force():
    assert "NO sandbox" in describe_protection("none")
    if bwrap_available():
        assert "bubblewrap sandbox" in describe_protection("auto")


def test_steps_are_in_an_order_that_satisfies_their_needs():
    check_order(STEPS)
    with pytest.raises(UserError, match="needs"):
        check_order(list(reversed(STEPS)))


def test_grading_without_a_sandbox_still_works(tmp_path, fixture_course, fixture_rule, copy_course):
    # where bubblewrap is missing, grading degrades to limits and a clean environment
    submissions = tmp_path / "in"
    submissions.mkdir()
    lab = nbformat.read(fixture_course.lab_notebook(FIXTURE), as_version=4)
    solution = nbformat.read(fixture_course.source_notebook(FIXTURE), as_version=4)
    nbformat.write(learner_submission(lab, solution), submissions / "solo.ipynb")
    layout = copy_course(tmp_path / "course")
    (solo,) = grade(
        FIXTURE, submissions, layout=layout, rule=fixture_rule, sandbox="none", show_progress=False
    )
    assert solo.status is Status.GRADED and solo.certified
