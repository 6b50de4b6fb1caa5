"""The result of grading one submission, and how it reads in a table.

``Outcome`` is what the pipeline decides per learner: a status (graded, not
gradable, tampered, timed out), the grade of each graded cell, the reasons
behind the status, and whether the assignment is certified.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aieng.grading.rules import CellResult

__all__ = ["Outcome", "Status", "render_table"]


class Status(StrEnum):
    GRADED = "graded"
    NOT_GRADABLE = "not gradable"
    TAMPERED = "tampered"
    TIMED_OUT = "timed out"


@dataclass(frozen=True)
class Outcome:
    """One learner's graded submission of one assignment."""

    learner: str
    assignment: str
    status: Status
    cells: tuple[CellResult, ...] = ()
    reasons: tuple[str, ...] = ()
    certified: bool = False
    seconds: float = 0.0

    def _points(self, kinds: tuple[str, ...]) -> tuple[float, float]:
        chosen = [cell for cell in self.cells if cell.kind in kinds]
        return sum(c.score for c in chosen), sum(c.max_score for c in chosen)

    @property
    def auto_score(self) -> float:
        return self._points(("test", "eval"))[0]

    @property
    def auto_max(self) -> float:
        return self._points(("test", "eval"))[1]

    @property
    def manual_max(self) -> float:
        return self._points(("manual",))[1]

    def count(self, kind: str) -> tuple[int, int]:
        """(passed, total) cells of ``kind`` (``"test"`` or ``"eval"``)."""
        chosen = [cell for cell in self.cells if cell.kind == kind]
        return sum(cell.passed for cell in chosen), len(chosen)

    @property
    def score_text(self) -> str:
        if not self.cells:
            return "-"
        return f"{_number(self.auto_score)}/{_number(self.auto_max)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def render_table(headers: list[str], rows: list[list[str]], max_width: int = 70) -> str:
    """A plain-text table, the last column wrapped at ``max_width`` characters."""
    cut = [[cell if len(cell) <= max_width else cell[: max_width - 1] + "…" for cell in row]
           for row in rows]  # fmt: skip
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *cut, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cut:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return "\n".join(lines)
