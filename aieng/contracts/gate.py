"""A release gate over a suite report: pass at or above a threshold, fail below it.

Two metrics: ``pass_rate`` (share of rows whose every scored field is right)
and ``field_accuracy`` (the mean of the per-field accuracies, so each field
counts the same whatever the number of cases that score it).

Example:
    >>> gate(report, 0.9).passed        # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aieng.contracts.suite import SuiteReport
from aieng.errors import UserError

Metric = Literal["pass_rate", "field_accuracy"]
METRICS = ("pass_rate", "field_accuracy")
EPSILON = 1e-9  # 0.1 + 0.2 style float error must not fail a gate set at the exact value


@dataclass(frozen=True)
class GateResult:
    """Whether a report clears a gate, with the value measured and a one-line message."""

    passed: bool
    value: float
    threshold: float
    metric: str
    message: str

    def __bool__(self) -> bool:
        return self.passed


def metric_value(report: SuiteReport, metric: Metric = "pass_rate") -> float:
    """The report's ``pass_rate`` or mean ``field_accuracy`` (0.0 when nothing was scored)."""
    if metric == "pass_rate":
        return report.pass_rate
    if metric == "field_accuracy":
        accuracy = report.field_accuracy()
        return sum(accuracy.values()) / len(accuracy) if accuracy else 0.0
    raise UserError(f"unknown gate metric {metric!r}: choose one of {', '.join(METRICS)}")


def gate(report: SuiteReport, threshold: float, *, metric: Metric = "pass_rate") -> GateResult:
    """Pass when the report's ``metric`` is at or above ``threshold`` (in [0, 1]).

    Raises:
        UserError: a threshold outside [0, 1] or an unknown metric.
    """
    if not 0.0 <= threshold <= 1.0:
        raise UserError(f"a gate threshold is a share in [0, 1], not {threshold}")
    value = metric_value(report, metric)
    passed = value + EPSILON >= threshold
    verdict = "passed" if passed else "FAILED"
    relation = ">=" if passed else "<"
    message = (
        f"gate {verdict}: {report.contract}@{report.version} {metric} "
        f"{value:.3f} {relation} {threshold:.3f} over {len(report.rows)} rows"
    )
    return GateResult(passed, value, threshold, metric, message)
