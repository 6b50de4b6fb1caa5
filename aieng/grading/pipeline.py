"""``aieng grade``: the instructor's batch grading over nbgrader.

An ordered list of small steps over one typed context, ``GradingRun``:

    CollectSubmissions  folders, .ipynb files, zips -> one Submission per learner
    InspectIntegrity    invalid JSON, deleted / altered / stripped / renamed test cells
    PrepareGradebook    the assignment's cells in the course gradebook
    Autograde           nbgrader autograde + generate_feedback, caged and timed,
                        in parallel workers with their own scratch course each;
                        each result goes into the course gradebook as it comes
                        (one writer, one transaction) and into a journal, so a
                        killed run resumes where it stopped
    DropStaleGrades     a submission that could not be graded keeps no older score
    DecideOutcomes      graded / not gradable / tampered / timed out, certified?
    SaveRecords         .grading/results/<assignment>.json for ``aieng progress``

Each step declares the context fields it needs and gives; ``check_order``
refuses a list whose steps come before what they need. A submission that
cannot be read, or that loops forever, is reported and the batch goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm import tqdm

from aieng.errors import UserError
from aieng.grading.gradebook import ensure_assignment, forget_submission, import_grades
from aieng.grading.integrity import IntegrityReport, inspect_notebook
from aieng.grading.layout import CourseLayout
from aieng.grading.outcome import Outcome, Status, render_table
from aieng.grading.pool import WorkerPool
from aieng.grading.records import Journal, save_outcomes
from aieng.grading.repair import gradable_notebook
from aieng.grading.rules import AssignmentRule, certified, rule_for
from aieng.grading.submissions import Submission, collect_submissions
from aieng.grading.worker import JobResult, SlotSpec

__all__ = ["GradingRun", "check_order", "grade", "outcome_summary", "outcome_table"]

logger = logging.getLogger(__name__)


@dataclass
class GradingRun:
    """The typed context the steps fill in, in order."""

    assignment: str
    rule: AssignmentRule
    layout: CourseLayout
    source: Path
    workers: int = 1
    sandbox: str | None = None
    show_progress: bool = True
    submissions: list[Submission] | None = None
    reports: dict[str, IntegrityReport] | None = None
    staged: dict[str, bytes] | None = None
    gradebook: bool | None = None
    results: dict[str, JobResult] | None = None
    resumed: int = 0
    dropped: tuple[str, ...] | None = None
    outcomes: list[Outcome] | None = None
    record: Path | None = None


class Step:
    """One pipeline step: reads ``needs`` from the context, fills ``gives``."""

    needs: tuple[str, ...] = ()
    gives: tuple[str, ...] = ()

    def run(self, run: GradingRun) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def check_order(steps: list[Step]) -> None:
    """Raise if a step needs a field that no earlier step gives."""
    given: set[str] = set()
    for step in steps:
        missing = [name for name in step.needs if name not in given]
        if missing:
            raise UserError(
                f"{type(step).__name__} needs {', '.join(missing)}, which no earlier step gives"
            )
        given.update(step.gives)


class CollectSubmissions(Step):
    gives = ("submissions",)

    def run(self, run: GradingRun) -> None:
        run.submissions = collect_submissions(run.source, run.assignment)


class InspectIntegrity(Step):
    needs = ("submissions",)
    gives = ("reports", "staged")

    def run(self, run: GradingRun) -> None:
        release_path = run.layout.lab_notebook(run.assignment)
        if not release_path.is_file():
            raise UserError(
                f"no release {release_path}: run `aieng release {run.assignment}` first"
            )
        release = nbformat.read(release_path, as_version=4)
        run.reports, run.staged = {}, {}
        for submission in run.submissions:
            if submission.data is None:
                continue
            report = inspect_notebook(submission.data, release)
            run.reports[submission.learner] = report
            if report.readable:
                notebook, _ = gradable_notebook(report, release)
                run.staged[submission.learner] = nbformat.writes(notebook).encode("utf-8")


class PrepareGradebook(Step):
    gives = ("gradebook",)

    def run(self, run: GradingRun) -> None:
        ensure_assignment(run.layout, run.assignment)
        run.gradebook = True


class Autograde(Step):
    needs = ("staged", "gradebook")
    gives = ("results",)

    def run(self, run: GradingRun) -> None:
        journal = Journal(run.layout, run.assignment)
        digests = {learner: _digest(run, data) for learner, data in run.staged.items()}
        run.results = {}
        for learner, (digest, data) in journal.load().items():
            if digests.get(learner) == digest:
                run.results[learner] = JobResult.from_json(data)
        run.resumed = len(run.results)
        if run.resumed:
            logger.warning("resuming: %d submission(s) kept from an interrupted run", run.resumed)
        learners = sorted(set(run.staged) - set(run.results))
        bar = tqdm(
            total=len(run.submissions),
            desc=f"grading {run.assignment}",
            unit="nb",
            disable=not run.show_progress,
            file=sys.stderr,
        )
        bar.update(len(run.submissions) - len(learners))  # nothing to run for those
        if not learners:
            bar.close()
            return
        scratch = run.layout.grading / "scratch"
        count = max(1, min(run.workers, len(learners)))
        tally: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="aieng-grade-") as tmp:
            specs = [self._slot(run, scratch / f"slot-{i}", i, tmp) for i in range(count)]
            pool = WorkerPool(specs, run.rule.submission_limit_s)

            def stage(index: int, learner: str) -> None:
                _stage(specs[index], learner, run)

            def done(result: JobResult) -> None:
                slot = CourseLayout(Path(specs[pool.assigned[result.learner]].root))
                _keep(run, slot, result)
                journal.record(result.learner, digests[result.learner], result.to_json())
                kind = "graded" if result.ok else "timed out" if result.stopped else "failed"
                tally[kind] = tally.get(kind, 0) + 1
                bar.update(1)
                bar.set_postfix_str(", ".join(f"{n} {k}" for k, n in sorted(tally.items())))

            try:
                run.results.update(pool.run(learners, stage, done))
            finally:
                bar.close()

    def _slot(self, run: GradingRun, root: Path, index: int, tmp: str) -> SlotSpec:
        if root.exists():
            shutil.rmtree(root)
        work = CourseLayout(root)
        work.grading.mkdir(parents=True)
        shutil.copyfile(run.layout.gradebook, work.gradebook)
        shutil.copytree(
            run.layout.solutions / run.assignment,
            work.solutions / run.assignment,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
        slot_tmp = Path(tmp) / f"slot-{index}"
        slot_tmp.mkdir()
        return SlotSpec(
            index,
            str(root),
            run.assignment,
            run.rule,
            run.sandbox,
            (str(run.layout.root),),
            str(slot_tmp),
        )


def _digest(run: GradingRun, staged: bytes) -> str:
    """Same submission, same tests, same limits: the same grade (what resuming relies on)."""
    digest = hashlib.sha256(staged)
    digest.update(run.layout.source_notebook(run.assignment).read_bytes())
    digest.update(repr(run.rule).encode())
    return digest.hexdigest()


def _keep(run: GradingRun, slot: CourseLayout, result: JobResult) -> None:
    """Put one finished submission into the course: grades, then its folders."""
    if not (result.ok and result.grades):
        return
    import_grades(run.layout.db_url, run.assignment, result.learner, result.grades)
    for folder in ("autograded", "feedback", "submitted"):
        source = getattr(slot, folder) / result.learner / run.assignment
        target = getattr(run.layout, folder) / result.learner / run.assignment
        if not source.is_dir() or target.resolve().is_relative_to(run.source.resolve()):
            continue  # never overwrite the learners' own submissions folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)


def _stage(spec: SlotSpec, learner: str, run: GradingRun) -> None:
    folder = spec.layout.submitted / learner / run.assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / f"{run.assignment}.ipynb").write_bytes(run.staged[learner])
    submission = next(s for s in run.submissions if s.learner == learner)
    if submission.timestamp:
        (folder / "timestamp.txt").write_text(submission.timestamp, encoding="utf-8")


class DropStaleGrades(Step):
    needs = ("submissions", "results")
    gives = ("dropped",)

    def run(self, run: GradingRun) -> None:
        """A learner whose new submission could not be graded loses the old grade:
        an old score shown against a new submission would be false."""
        dropped = []
        for submission in run.submissions:
            result = run.results.get(submission.learner)
            if result is not None and result.ok:
                continue
            learner = submission.learner
            if forget_submission(run.layout.db_url, run.assignment, learner):
                dropped.append(learner)
            for folder in ("autograded", "feedback"):
                stale = getattr(run.layout, folder) / learner / run.assignment
                if stale.is_dir():
                    shutil.rmtree(stale)
        run.dropped = tuple(dropped)


class DecideOutcomes(Step):
    needs = ("submissions", "reports", "results", "dropped")
    gives = ("outcomes",)

    def run(self, run: GradingRun) -> None:
        run.outcomes = [
            decide(run.rule, s, run.reports.get(s.learner), run.results.get(s.learner))
            for s in run.submissions
        ]


def decide(
    rule: AssignmentRule,
    submission: Submission,
    report: IntegrityReport | None,
    result: JobResult | None,
) -> Outcome:
    """The status, reasons and certification of one submission."""
    learner, name = submission.learner, rule.name
    notes = tuple(submission.notes)
    if submission.problem or report is None:
        reason = submission.problem or "no notebook to grade"
        return Outcome(learner, name, Status.NOT_GRADABLE, reasons=(reason, *notes))
    if not report.readable:
        return Outcome(learner, name, Status.NOT_GRADABLE, reasons=(str(report.issues[0]),))
    tampering = tuple(str(issue) for issue in report.issues if issue.tampering)
    damage = tuple(str(issue) for issue in report.issues if not issue.tampering)
    if result is None or not result.ok:
        reason = result.error if result else "not graded"
        status = Status.TIMED_OUT if result and result.stopped else Status.NOT_GRADABLE
        if tampering:
            status = Status.TAMPERED
        seconds = result.seconds if result else 0.0
        reasons = (*tampering, reason, *damage, *notes)
        return Outcome(learner, name, status, reasons=reasons, seconds=seconds)
    status = Status.GRADED
    reasons = list(tampering)
    if tampering:
        status = Status.TAMPERED
    if result.timed_out:
        status = Status.TIMED_OUT if status is Status.GRADED else status
        reasons += [
            f"{label} ran past {rule.timeout_s} s and was interrupted" for label in result.timed_out
        ]
    if result.error:
        reasons.append(result.error)
    ok = status in (Status.GRADED, Status.TIMED_OUT) and certified(rule, result.cells)
    outcome = Outcome(learner, name, status, result.cells, (), ok, result.seconds)
    if status in (Status.GRADED, Status.TIMED_OUT) and not ok:
        tests, evals = outcome.count("test"), outcome.count("eval")
        reasons.append(
            f"not certified: tests {tests[0]}/{tests[1]} passed, evals {evals[0]}/{evals[1]} "
            f"passed (needs all tests and {max(1, rule.min_evals_passed)} eval)"
        )
    reasons += [*damage, *notes]
    return Outcome(learner, name, status, result.cells, tuple(reasons), ok, result.seconds)


class SaveRecords(Step):
    needs = ("outcomes",)
    gives = ("record",)

    def run(self, run: GradingRun) -> None:
        run.record = save_outcomes(run.layout, run.assignment, run.outcomes)
        Journal(run.layout, run.assignment).clear()  # the run is complete


STEPS: list[Step] = [
    CollectSubmissions(),
    InspectIntegrity(),
    PrepareGradebook(),
    Autograde(),
    DropStaleGrades(),
    DecideOutcomes(),
    SaveRecords(),
]


def grade(
    assignment: str,
    submissions: Path | None = None,
    *,
    workers: int = 1,
    layout: CourseLayout | None = None,
    rule: AssignmentRule | None = None,
    sandbox: str | None = None,
    show_progress: bool = True,
) -> list[Outcome]:
    """Grade every submission of ``assignment`` and return one outcome per learner.

    Args:
        submissions: the folder of submissions (default ``.grading/submitted``).
        workers: parallel autograde processes.
        rule: limits for an assignment outside the ladder (tests, new labs).
        sandbox: ``"auto"``, ``"bwrap"`` or ``"none"`` (default: the config's).
    """
    layout = layout or CourseLayout.default()
    run = GradingRun(
        assignment=assignment,
        rule=rule or rule_for(assignment),
        layout=layout,
        source=Path(submissions) if submissions else layout.submitted,
        workers=max(1, int(workers)),
        sandbox=sandbox,
        show_progress=show_progress,
    )
    if not layout.source_notebook(assignment).is_file():
        raise UserError(f"no source notebook {layout.source_notebook(assignment)}")
    check_order(STEPS)
    with _exclusive(layout):
        for step in STEPS:
            started = time.monotonic()
            step.run(run)
            logger.info(
                "grading %s: %s took %.2f s",
                assignment,
                type(step).__name__,
                time.monotonic() - started,
            )
    return run.outcomes


@contextlib.contextmanager
def _exclusive(layout: CourseLayout) -> Iterator[None]:
    """One grading run per course at a time: they share scratch courses and the gradebook."""
    layout.grading.mkdir(parents=True, exist_ok=True)
    with (layout.grading / "grading.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"another `aieng grade` is running on {layout.root}: wait for it to finish"
            ) from None
        yield


def outcome_table(outcomes: list[Outcome]) -> str:
    """learner, score/max (automatic points), status, certified, reason."""
    rows = [
        [
            o.learner,
            o.score_text,
            str(o.status),
            "yes" if o.certified else "no",
            "; ".join(o.reasons) or "-",
        ]
        for o in outcomes
    ]
    return render_table(["learner", "score", "status", "certified", "reason"], rows, 90)


def outcome_summary(outcomes: list[Outcome]) -> str:
    """``"16 submissions: 9 graded, 4 not gradable, 2 tampered, 1 timed out; 5 certified"``."""
    counts = {status: sum(o.status is status for o in outcomes) for status in Status}
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    return f"{len(outcomes)} submissions: {parts}; {sum(o.certified for o in outcomes)} certified"
