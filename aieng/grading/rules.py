"""What each assignment of the ladder is allowed and what certifies it.

One table, read by ``autograder/nbgrader_config.py`` (per-lab ``Execute``
timeouts), by the grading pipeline (memory cap, time budget per submission)
and by the certification logic:

    an assignment is certified when every automatic test passes and at least
    one eval check passes.

Automatic tests are the autograded code cells whose ``grade_id`` starts with
``test-``; eval checks are the hidden quality bars in cells whose ``grade_id``
starts with ``eval-``; manually graded cells (the design memo) never block
certification.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from aieng.errors import UserError

__all__ = [
    "LADDER",
    "AssignmentRule",
    "CellResult",
    "certified",
    "rule_for",
    "timeouts",
]

DEFAULT_TIMEOUT_S = 60
EVAL_PREFIX = "eval-"


@dataclass(frozen=True)
class AssignmentRule:
    """Grading limits and the certification rule of one assignment.

    Attributes:
        name: the assignment's name, e.g. ``"p1-chat-api"``.
        title: what the learner builds, for reports.
        timeout_s: ``Execute.timeout``, seconds one cell may run when graded.
        memory_mb: address-space cap of the learner's kernel when graded.
        submission_limit_s: wall-clock cap of one whole autograde run.
        eval_prefix: ``grade_id`` prefix of the eval-check cells.
        min_evals_passed: eval checks that must pass to certify.
    """

    name: str
    title: str
    timeout_s: int = DEFAULT_TIMEOUT_S
    memory_mb: int = 4096
    submission_limit_s: int = 900
    eval_prefix: str = EVAL_PREFIX
    min_evals_passed: int = 1

    def is_eval(self, grade_id: str) -> bool:
        """Whether the cell ``grade_id`` holds an eval check (``"eval-recall"`` -> True)."""
        return grade_id.startswith(self.eval_prefix)


LADDER: tuple[AssignmentRule, ...] = (
    AssignmentRule("p1-chat-api", "streaming chat API", timeout_s=60),
    AssignmentRule("p2-prompt-contracts", "prompt contracts", timeout_s=90),
    AssignmentRule("p3-rag", "retrieval-augmented answers", timeout_s=180, memory_mb=8192),
    AssignmentRule("p4-tool-agent", "tool-using agent", timeout_s=120),
    AssignmentRule("p5-evals-guardrails", "evals and guardrails", timeout_s=180, memory_mb=8192),
    AssignmentRule("p6-production", "production operations", timeout_s=120),
    AssignmentRule("c1-knowledge-assistant", "knowledge assistant", timeout_s=240, memory_mb=8192),
    AssignmentRule("c2-support-copilot", "support copilot", timeout_s=240, memory_mb=8192),
    AssignmentRule("c3-data-analyst", "data analyst", timeout_s=240, memory_mb=8192),
    AssignmentRule("c4-code-review", "code review", timeout_s=240),
    AssignmentRule("c5-multimodal-intake", "multimodal intake", timeout_s=300, memory_mb=8192),
)

_BY_NAME = {rule.name: rule for rule in LADDER}


def rule_for(name: str) -> AssignmentRule:
    """The rule of a ladder assignment; a ``UserError`` naming the closest one otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UserError(
            f"{name!r} is not an assignment of the course.{hint} "
            f"The ladder is: {', '.join(_BY_NAME)}."
        ) from None


def timeouts() -> dict[str, int]:
    """Per-lab ``Execute.timeout`` in seconds, keyed by assignment name."""
    return {rule.name: rule.timeout_s for rule in LADDER}


@dataclass(frozen=True)
class CellResult:
    """The grade of one graded cell of a submission.

    ``kind`` is ``"test"`` (automatic test), ``"eval"`` (eval check) or
    ``"manual"`` (hand-graded, e.g. the memo).
    """

    grade_id: str
    kind: str
    score: float
    max_score: float

    @property
    def passed(self) -> bool:
        return self.max_score <= 0 or self.score >= self.max_score - 1e-9


def certified(rule: AssignmentRule, cells: Iterable[CellResult]) -> bool:
    """The certification rule: all automatic tests pass and enough eval checks pass.

    >>> rule = AssignmentRule("x", "x")
    >>> certified(rule, [CellResult("test-a", "test", 1, 1), CellResult("eval-b", "eval", 1, 1)])
    True
    """
    cells = list(cells)
    tests = [cell for cell in cells if cell.kind == "test"]
    evals = [cell for cell in cells if cell.kind == "eval"]
    evals_passed = sum(cell.passed for cell in evals)
    return all(cell.passed for cell in tests) and evals_passed >= max(1, rule.min_evals_passed)
