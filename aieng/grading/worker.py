"""A grading worker: one process, one scratch course, one gradebook.

The pipeline starts one worker per ``--workers`` slot (``spawn``, so no
state is shared). A worker owns a scratch course under
``.grading/scratch/slot-N/`` with its own copy of the gradebook, receives
learner ids over a pipe, runs nbgrader's autograde and generate_feedback for
each, and answers with a ``JobResult``. Its output (nbgrader's log, the
kernels') goes to ``worker.log`` in its scratch course, not the terminal.
If a submission outlives its time budget the pipeline kills the worker and
starts another on the same scratch course.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from aieng.grading.bridge import course_model_served
from aieng.grading.execute import timed_out_cells
from aieng.grading.gradebook import cell_results, export_grades
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config
from aieng.grading.rules import AssignmentRule, CellResult
from aieng.grading.sandbox import SandboxPolicy
from aieng.llm.course_model.server import free_port

__all__ = ["JobResult", "SlotSpec", "serve"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotSpec:
    """What a worker needs to know, picklable for ``spawn``."""

    index: int
    root: str
    assignment: str
    rule: AssignmentRule
    sandbox: str | None
    hide_from: tuple[str, ...]
    tmp: str  # short-lived files (kernel sockets); the pipeline removes it

    @property
    def layout(self) -> CourseLayout:
        return CourseLayout(Path(self.root))

    @property
    def log_path(self) -> Path:
        return Path(self.root) / "worker.log"


@dataclass(frozen=True)
class JobResult:
    """The worker's answer for one learner."""

    learner: str
    ok: bool
    error: str = ""
    cells: tuple[CellResult, ...] = ()
    timed_out: tuple[str, ...] = ()
    feedback: bool = False
    seconds: float = 0.0
    stopped: bool = False  # killed for running past the submission time limit
    grades: dict | None = None  # what autograde wrote, for the course gradebook

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "cells": [vars(cell) for cell in self.cells]}

    @classmethod
    def from_json(cls, data: dict) -> JobResult:
        cells = tuple(CellResult(**cell) for cell in data.get("cells", []))
        return cls(**{**data, "cells": cells, "timed_out": tuple(data.get("timed_out", []))})


def _redirect_output(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, force=True)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when ``aieng grade`` dies (even by kill -9),
    so that no orphan keeps grading into a scratch course the next run reuses."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def serve(spec: SlotSpec, conn) -> None:
    """The worker's main loop: grade each learner id received until ``None``."""
    _redirect_output(spec.log_path)
    _die_with_parent()
    os.environ["TMPDIR"] = tempfile.tempdir = spec.tmp  # a killed worker leaves nothing behind
    model = ModelSettings.for_worker(spec)
    config = course_config(
        spec.layout,
        rule=spec.rule,
        sandbox=spec.sandbox,
        hide_from=[CourseLayout(Path(root)) for root in spec.hide_from],
        course_model_url=model.url,
        course_model_socket=model.socket,
    )
    api = course_api(config)
    import aieng.llm.course_model.app  # noqa: F401  (loaded once, not in the first timing)

    conn.send("ready")
    while True:
        learner = conn.recv()
        if learner is None:
            break
        conn.send(grade_one(api, spec, learner, model))


@dataclass(frozen=True)
class ModelSettings:
    """Where this worker serves each submission's fresh course model."""

    port: int
    socket: str  # set when kernels are sandboxed (no network)

    @classmethod
    def for_worker(cls, spec: SlotSpec) -> ModelSettings:
        caged = SandboxPolicy(mode=spec.sandbox or "auto").use_bwrap
        folder = Path(spec.tmp) / "model"
        folder.mkdir(parents=True, exist_ok=True)
        return cls(free_port(), str(folder / "model.sock") if caged else "")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def grade_one(api, spec: SlotSpec, learner: str, model: ModelSettings) -> JobResult:
    """Autograde one staged submission and generate its feedback."""
    started = time.monotonic()
    assignment = spec.assignment
    with course_model_served(port=model.port, socket_path=model.socket):
        result = api.autograde(assignment, learner, force=True, create=True)
    if not result.get("success"):
        reason = _failure(result)
        stopped = reason == KNOWN_FAILURES[1][1]
        return JobResult(
            learner, False, reason, stopped=stopped, seconds=time.monotonic() - started
        )
    layout = spec.layout
    graded = layout.autograded / learner / assignment / f"{assignment}.ipynb"
    timed_out: tuple[str, ...] = ()
    if graded.is_file():
        nb = nbformat.read(graded, as_version=4)
        timed_out = tuple(_label(nb.cells[i], i) for i in timed_out_cells(nb))
    graded_at = time.monotonic()
    cells = cell_results(layout.db_url, assignment, learner, spec.rule)
    grades = export_grades(layout.db_url, assignment, learner)
    read_at = time.monotonic()
    feedback = api.generate_feedback(assignment, learner, force=True)
    logger.info(
        "timing %s: autograde %.2f s, gradebook reads %.2f s, feedback %.2f s",
        learner,
        graded_at - started,
        read_at - graded_at,
        time.monotonic() - read_at,
    )
    return JobResult(
        learner,
        True,
        "" if feedback.get("success") else "feedback failed: " + _failure(feedback),
        cells,
        timed_out,
        bool(feedback.get("success")),
        time.monotonic() - started,
        grades=grades,
    )


def _label(cell, index: int) -> str:
    gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
    return f"cell {index} ({gid})" if gid else f"cell {index}"


KNOWN_FAILURES = (
    (
        "DeadKernelError",
        "the kernel died while running the notebook (the code exited or crashed Python)",
    ),
    (
        "CellTimeoutError",
        "a cell kept running after its timeout was interrupted (does it catch "
        "KeyboardInterrupt?), so grading stopped",
    ),
    ("MissingEntry", "a graded cell is not in the gradebook (grade_id changed?)"),
)
EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit))(?::\s*(.*))?$")


def _failure(result: dict) -> str:
    """What went wrong, in a sentence, from nbgrader's log and traceback."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    for marker, message in KNOWN_FAILURES:
        if marker in text:
            return message
    found = [
        match
        for line in text.splitlines()
        if (match := EXCEPTION_LINE.match(line)) and "NbGraderException" not in match.group(1)
    ]
    if found:
        name, detail = found[-1].group(1).split(".")[-1], (found[-1].group(2) or "").strip()
        return f"nbgrader could not grade it: {name}: {detail}"[:300] if detail else name
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else "nbgrader failed without a message")[:300]
