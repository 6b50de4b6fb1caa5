"""The parent side of the grading workers: scheduling, deadlines, restarts.

``WorkerPool.run`` hands learners to idle workers one at a time (so a slow
notebook does not hold up a queue behind it), stages each submission into
the worker's scratch course just before, and watches the clock: a
submission that runs past the time limit gets its worker killed (with its
kernel, which bubblewrap ties to it) and is reported as stopped, and a new
worker takes over the slot. A worker that dies is reported the same way.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from aieng.errors import AiengError
from aieng.grading.worker import JobResult, SlotSpec, serve

__all__ = ["WorkerPool"]

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 180


@dataclass
class _Slot:
    spec: SlotSpec
    process: multiprocessing.Process | None = None
    conn: object = None
    ready: bool = False
    learner: str | None = None
    deadline: float = 0.0
    job_started: float = 0.0
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """Workers over scratch courses; ``run`` grades a list of learners."""

    def __init__(self, specs: list[SlotSpec], limit_s: float) -> None:
        self.slots = [_Slot(spec) for spec in specs]
        self.limit_s = limit_s
        self.assigned: dict[str, int] = {}
        self._context = multiprocessing.get_context("spawn")

    def _start(self, slot: _Slot) -> None:
        parent, child = self._context.Pipe()
        slot.process = self._context.Process(
            target=serve, args=(slot.spec, child), name=f"aieng-grader-{slot.spec.index}"
        )
        slot.process.daemon = True
        slot.process.start()
        child.close()
        slot.conn, slot.ready, slot.learner, slot.started = parent, False, None, time.monotonic()

    def _stop(self, slot: _Slot) -> None:
        if slot.process is None:
            return
        if slot.process.is_alive():
            slot.process.terminate()
            slot.process.join(5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(5)
        with contextlib.suppress(OSError):
            slot.conn.close()
        slot.process, slot.ready = None, False

    def run(
        self,
        learners: list[str],
        stage: Callable[[int, str], None],
        done: Callable[[JobResult], None],
    ) -> dict[str, JobResult]:
        """Grade ``learners``; ``stage(slot, learner)`` prepares a submission before it
        is sent, ``done(result)`` is called as each finishes."""
        pending, results = deque(learners), {}
        live = self.slots[: max(1, min(len(self.slots), len(learners)))]
        try:
            for slot in live:
                self._start(slot)
            while pending or any(slot.learner for slot in live):
                self._dispatch(live, pending, stage)
                self._collect(live, results, done, bool(pending))
                self._enforce_deadlines(live, results, done, bool(pending))
            for slot in live:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        finally:
            for slot in live:
                if slot.process is not None:
                    slot.process.join(10)
                self._stop(slot)
        return results

    def _dispatch(self, live, pending, stage) -> None:
        for slot in live:
            if slot.ready and slot.learner is None and pending:
                learner = pending.popleft()
                stage(slot.spec.index, learner)
                self.assigned[learner] = slot.spec.index
                slot.conn.send(learner)
                slot.learner, slot.job_started = learner, time.monotonic()
                slot.deadline = slot.job_started + self.limit_s

    def _collect(self, live, results, done, more: bool) -> None:
        conns = [slot.conn for slot in live if slot.process is not None]
        deadlines = [slot.deadline for slot in live if slot.learner]
        timeout = max(0.05, min(deadlines) - time.monotonic()) if deadlines else 1.0
        for conn in wait(conns, timeout=min(timeout, 1.0)):
            slot = next(s for s in live if s.conn is conn)
            try:
                message = conn.recv()
            except (EOFError, OSError):
                if not slot.ready:
                    raise AiengError(
                        f"grading worker {slot.spec.index} failed to start; "
                        f"see {slot.spec.log_path}"
                    ) from None
                self._lost(slot, results, done, "the grading worker died (see its worker.log)")
                if more or slot.learner:
                    self._start(slot)
                continue
            if message == "ready":
                slot.ready = True
            elif isinstance(message, JobResult):
                results[message.learner] = message
                slot.learner = None
                done(message)
        for slot in live:
            if slot.process is not None and not slot.ready:
                if time.monotonic() - slot.started > STARTUP_TIMEOUT_S:
                    raise AiengError(
                        f"grading worker {slot.spec.index} did not start within "
                        f"{STARTUP_TIMEOUT_S} s; see {slot.spec.log_path}"
                    )

    def _enforce_deadlines(self, live, results, done, more: bool) -> None:
        now = time.monotonic()
        for slot in live:
            if slot.learner and now > slot.deadline:
                logger.warning("stopping %s after %ss", slot.learner, self.limit_s)
                self._stop(slot)
                self._lost(
                    slot,
                    results,
                    done,
                    f"grading ran past {self.limit_s:.0f} s and was stopped",
                    stopped=True,
                )
                if more:
                    self._start(slot)

    def _lost(self, slot, results, done, reason: str, stopped: bool = False) -> None:
        if slot.learner is None:
            self._stop(slot)
            return
        seconds = time.monotonic() - slot.job_started
        result = JobResult(slot.learner, False, reason, stopped=stopped, seconds=seconds)
        results[slot.learner] = result
        slot.learner = None
        self._stop(slot)
        done(result)
