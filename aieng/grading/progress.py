"""``aieng progress``: per learner and phase, certified or not.

Scores come from the gradebook (so hand grades and overrides made in
formgrader count); statuses (tampered, timed out, not gradable) come from
the records ``aieng grade`` keeps. Certified means: graded (or graded with a
timed-out cell), every automatic test passing and at least one eval check
passing. Three outputs:

- a text table, one row per learner, one column per phase;
- a CSV for the LMS (one row per learner and phase);
- an HTML report with a matplotlib chart, under ``.grading/reports/``.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass, replace
from pathlib import Path

from nbgrader.api import MissingEntry

from aieng.grading.gradebook import cell_results
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import open_gradebook
from aieng.grading.outcome import Outcome, Status, render_table
from aieng.grading.records import load_records
from aieng.grading.rules import LADDER, AssignmentRule, certified, rule_for

__all__ = ["ProgressReport", "collect_progress", "progress"]

CSV_FIELDS = [
    "learner",
    "assignment",
    "status",
    "certified",
    "score",
    "max_score",
    "tests_passed",
    "tests_total",
    "evals_passed",
    "evals_total",
    "reasons",
]
CERTIFIABLE = (Status.GRADED, Status.TIMED_OUT)


def _rule(name: str) -> AssignmentRule:
    try:
        return rule_for(name)
    except ValueError:
        return AssignmentRule(name, name)


def _order(names: set[str]) -> list[str]:
    ladder = [rule.name for rule in LADDER if rule.name in names]
    return ladder + sorted(names - set(ladder))


def collect_progress(layout: CourseLayout | None = None) -> list[Outcome]:
    """One outcome per learner and assignment that has a submission or a record."""
    layout = layout or CourseLayout.default()
    records = load_records(layout)
    found: dict[tuple[str, str], Outcome] = {}
    for name, record in records.items():
        for learner, entry in record.learners.items():
            found[(learner, name)] = entry.outcome(name)
    if layout.gradebook.is_file():
        with open_gradebook(layout.db_url) as gb:
            pairs = [(s.student.id, a.name) for a in gb.assignments for s in a.submissions]
        for learner, name in pairs:
            rule = _rule(name)
            try:
                cells = cell_results(layout.db_url, name, learner, rule)
            except MissingEntry:
                continue
            known = found.get((learner, name))
            status = known.status if known else Status.GRADED
            reasons = known.reasons if known else ()
            ok = status in CERTIFIABLE and certified(rule, cells)
            base = known or Outcome(learner, name, status)
            found[(learner, name)] = replace(base, cells=cells, reasons=reasons, certified=ok)
    return [found[key] for key in sorted(found)]


@dataclass(frozen=True)
class ProgressReport:
    """The progress of a class; ``str()`` is the text table."""

    outcomes: tuple[Outcome, ...]
    csv_path: Path | None = None
    html_path: Path | None = None

    @property
    def assignments(self) -> list[str]:
        return _order({o.assignment for o in self.outcomes})

    @property
    def learners(self) -> list[str]:
        return sorted({o.learner for o in self.outcomes})

    def cell(self, learner: str, assignment: str) -> Outcome | None:
        for outcome in self.outcomes:
            if outcome.learner == learner and outcome.assignment == assignment:
                return outcome
        return None

    def __str__(self) -> str:
        if not self.outcomes:
            return "No graded submissions yet: run `aieng grade <assignment>` first."
        names = self.assignments
        rows = []
        for learner in self.learners:
            row, done = [learner], 0
            for name in names:
                outcome = self.cell(learner, name)
                row.append(_mark(outcome))
                done += bool(outcome and outcome.certified)
            rows.append([*row, f"{done}/{len(names)}"])
        lines = [render_table(["learner", *names, "certified"], rows)]
        if self.csv_path:
            lines.append(f"CSV for the LMS: {self.csv_path}")
        if self.html_path:
            lines.append(f"HTML report: {self.html_path}")
        return "\n".join(lines)


def _mark(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    if outcome.certified:
        return f"certified {outcome.score_text}"
    if outcome.status in CERTIFIABLE:
        return f"not yet {outcome.score_text}"
    return str(outcome.status)


def _safe(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(outcomes: list[Outcome], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_FIELDS)
        for o in outcomes:
            tests, evals = o.count("test"), o.count("eval")
            row = [o.learner, o.assignment, str(o.status), "yes" if o.certified else "no"]
            if o.cells:
                row += [o.auto_score, o.auto_max, *tests, *evals]
            else:  # not graded is not a score of 0: leave the numbers empty
                row += ["", "", "", "", "", ""]
            row.append("; ".join(o.reasons))
            writer.writerow([_safe(value) for value in row])
    return path


def _chart_png(report: ProgressReport) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = report.assignments
    kinds = [
        ("certified", "#2e7d32", lambda o: o.certified),
        ("not yet", "#f9a825", lambda o: not o.certified and o.status in CERTIFIABLE),
        ("tampered / not gradable", "#c62828", lambda o: o.status not in CERTIFIABLE),
    ]
    figure = Figure(figsize=(max(6.0, 1.2 * len(names) + 2), 3.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    bottom = [0] * len(names)
    for label, color, keep in kinds:
        counts = [
            sum(1 for o in report.outcomes if o.assignment == name and keep(o)) for name in names
        ]
        axes.bar(names, counts, bottom=bottom, color=color, label=label)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_ylabel("learners")
    axes.set_title("Certification per phase")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(bottom + [1]) * 1.05)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize="small")
    axes.tick_params(axis="x", labelrotation=20)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def write_html(report: ProgressReport, path: Path) -> Path:
    names = report.assignments
    chart = base64.b64encode(_chart_png(report)).decode("ascii")
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    body = []
    for learner in report.learners:
        cells = []
        for name in names:
            outcome = report.cell(learner, name)
            css = "none" if outcome is None else ("ok" if outcome.certified else "no")
            title = html.escape("; ".join(outcome.reasons)) if outcome else ""
            cells.append(f'<td class="{css}" title="{title}">{html.escape(_mark(outcome))}</td>')
        body.append(f"<tr><th>{html.escape(learner)}</th>{''.join(cells)}</tr>")
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course progress</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #ccc; padding: .3em .6em; }}
td.ok {{ background: #e8f5e9; }} td.no {{ background: #fff3e0; }} td.none {{ color: #999; }}
</style></head><body>
<h1>Course progress</h1>
<p>Certified: every automatic test passes and at least one eval check passes.
{_plural(len(report.learners), "learner")}, {_plural(len(names), "phase")}.</p>
<img alt="certification per phase" src="data:image/png;base64,{chart}">
<table><thead><tr><th>learner</th>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path


def progress(
    layout: CourseLayout | None = None,
    *,
    csv_path: Path | None = None,
    html_path: Path | None = None,
) -> ProgressReport:
    """Collect the class's progress and write the CSV and HTML reports."""
    layout = layout or CourseLayout.default()
    outcomes = collect_progress(layout)
    report = ProgressReport(tuple(outcomes))
    if not outcomes:
        return report
    csv_path = write_csv(outcomes, csv_path or layout.reports / "progress.csv")
    html_path = write_html(report, html_path or layout.reports / "progress.html")
    return replace(report, csv_path=csv_path, html_path=html_path)


def _plural(count: int, noun: str) -> str:
    """``"1 phase"``, ``"2 phases"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
