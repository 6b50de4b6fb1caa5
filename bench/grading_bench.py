"""Grading figures: the course job, throughput against plain nbgrader, a hostile batch.

1. The same job as ``make course`` (execute each solution, release it, submit
   it as a learner would, autograde, certify): seconds per notebook and wall time.
2. Throughput on 40 honest submissions of p1-chat-api (30 finished labs, 10
   untouched): nbgrader's own autograde, one submission after another, against
   ``aieng grade --workers 2`` (sandboxed, resumable), in the same run, with
   the scores of both compared learner by learner.
3. The wall time of the grading tests' hostile batch (loops, a kernel that
   exits, a memory hog, tampering, 30 MiB of output ...), which its time
   limits should bound and nothing else.

Run with ``make bench`` or ``python bench/grading_bench.py [--quick]``.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from aieng.grading.course import certify_course, learner_submission
from aieng.grading.gradebook import cell_results, ensure_assignment
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config
from aieng.grading.outcome import Status
from aieng.grading.pipeline import grade, outcome_summary
from aieng.grading.rules import rule_for
from aieng.grading.sandbox import describe_protection
from aieng.settings import repo_root

ASSIGNMENT = "p1-chat-api"
NBGRADER_AUTOGRADE = [  # nbgrader 0.9.6's own autograde steps
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def course_job() -> None:
    summary = certify_course(out=io.StringIO())
    if not summary.rows:
        print("no assignment present in solutions/: nothing to grade")
        return
    print(f"{'assignment':24} {'certified':>9} {'autograde s':>12} {'total s':>9}")
    for row in summary.rows:
        graded = f"{row.outcome.seconds:.1f}" if row.outcome else "-"
        print(f"{row.assignment:24} {str(row.certified):>9} {graded:>12} {row.seconds:9.1f}")
    print(f"seconds per autograded notebook: {summary.seconds_per_notebook:.1f}")
    print(f"wall time of the course job (make course without setup): {summary.wall_s:.1f} s")


def _scratch_course(root: Path, assignment: str) -> CourseLayout:
    layout = CourseLayout(root)
    source = CourseLayout.default()
    shutil.copytree(source.solutions / assignment, layout.solutions / assignment)
    shutil.copytree(source.labs / assignment, layout.labs / assignment)
    return layout


def _submissions(layout: CourseLayout, assignment: str, count: int) -> dict[str, bytes]:
    lab = nbformat.read(layout.lab_notebook(assignment), as_version=4)
    solution = nbformat.read(layout.source_notebook(assignment), as_version=4)
    finished = nbformat.writes(learner_submission(lab, solution)).encode()
    untouched = nbformat.writes(lab).encode()
    return {f"learner{n:02d}": untouched if n % 4 == 3 else finished for n in range(count)}


def nbgrader_serial(root: Path, assignment: str, notebooks: dict[str, bytes]):
    """Plain ``nbgrader autograde`` then ``generate_feedback``, one learner after another.

    Returns (autograde seconds, feedback seconds, scores). Setting up the course
    (the gradebook, the API) is not timed, as an instructor has done it before.
    """
    layout = _scratch_course(root, assignment)
    ensure_assignment(layout, assignment)
    for learner, data in notebooks.items():
        folder = layout.submitted / learner / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_bytes(data)
    config = course_config(layout)
    config.Autograde.autograde_preprocessors = NBGRADER_AUTOGRADE
    config.Execute.timeout = rule_for(assignment).timeout_s
    api = course_api(config)
    started = time.monotonic()
    for learner in notebooks:
        api.autograde(assignment, learner, force=True)
    seconds = time.monotonic() - started
    started = time.monotonic()
    for learner in notebooks:
        api.generate_feedback(assignment, learner, force=True)
    feedback_s = time.monotonic() - started
    rule = rule_for(assignment)
    scores = {
        learner: sum(c.score for c in cell_results(layout.db_url, assignment, learner, rule)
                     if c.kind in ("test", "eval"))
        for learner in notebooks
    }  # fmt: skip
    return seconds, feedback_s, scores


def aieng_parallel(root: Path, assignment: str, notebooks: dict[str, bytes], workers: int):
    layout = _scratch_course(root, assignment)
    folder = root / "in"
    folder.mkdir()
    for learner, data in notebooks.items():
        (folder / f"{learner}.ipynb").write_bytes(data)
    started = time.monotonic()
    outcomes = grade(assignment, folder, workers=workers, layout=layout, show_progress=False)
    return time.monotonic() - started, {o.learner: o.auto_score for o in outcomes}


def throughput(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="aieng-bench-") as tmp:
        notebooks = _submissions(
            _scratch_course(Path(tmp) / "probe", ASSIGNMENT), ASSIGNMENT, count
        )
        serial_s, feedback_s, serial = nbgrader_serial(Path(tmp) / "serial", ASSIGNMENT, notebooks)
        parallel_s, parallel = aieng_parallel(Path(tmp) / "parallel", ASSIGNMENT, notebooks, 2)
    same = serial == parallel
    print(f"{count} honest submissions of {ASSIGNMENT} ({sum(v == 0 for v in serial.values())} "
          "untouched labs among them)")  # fmt: skip
    both_s = serial_s + feedback_s
    print(
        f"  nbgrader autograde, serial:              {serial_s:6.1f} s  ({serial_s / count:.2f} s/notebook)"
    )
    print(
        f"  nbgrader autograde + feedback, serial:   {both_s:6.1f} s  ({both_s / count:.2f} s/notebook)"
    )
    print(
        f"  aieng grade --workers 2 (with feedback): {parallel_s:6.1f} s  ({parallel_s / count:.2f} s/notebook)"
    )
    print(
        f"  speed-up: {both_s / parallel_s:.2f}x for the same work (autograde and feedback), "
        f"{serial_s / parallel_s:.2f}x against autograde alone; identical scores: {same}"
    )
    if not same:
        differing = sorted(k for k in serial if serial[k] != parallel.get(k))
        print(f"  scores differ for: {', '.join(differing)}")


def hostile_batch() -> None:
    conftest = repo_root() / "tests" / "grading" / "conftest.py"
    spec = importlib.util.spec_from_file_location("grading_fixtures", conftest)
    fixtures = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fixtures  # its dataclasses look their module up there
    spec.loader.exec_module(fixtures)
    with tempfile.TemporaryDirectory(prefix="aieng-bench-") as tmp:
        layout = fixtures.make_course(Path(tmp) / "course")
        lab = nbformat.read(layout.lab_notebook(fixtures.FIXTURE), as_version=4)
        solution = nbformat.read(layout.source_notebook(fixtures.FIXTURE), as_version=4)
        folder = Path(tmp) / "in"
        fixtures.build_submissions(folder, lab, solution, layout.solutions)
        rule = fixtures.FIXTURE_RULE
        started = time.monotonic()
        outcomes = grade(
            rule.name, folder, workers=2, layout=layout, rule=rule, show_progress=False
        )
        wall = time.monotonic() - started
    slow = sum(o.status is Status.TIMED_OUT for o in outcomes)
    print(f"hostile batch ({describe_protection()[:60]}...)")
    print(f"  {outcome_summary(outcomes)}")
    print(f"  wall time with 2 workers: {wall:.1f} s (cell limit {rule.timeout_s} s, "
          f"{slow} submissions hit it)")  # fmt: skip


def main(quick: bool = False) -> int:
    course_job()
    throughput(8 if quick else 40)
    hostile_batch()
    return 0


if __name__ == "__main__":
    sys.exit(main("--quick" in sys.argv))
