"""Grading figures: seconds per autograded notebook and the wall time of ``make course``.

Runs the same job as ``make course`` (execute each solution, release, submit
as a learner, autograde, certify) and prints what it measured.
"""

from __future__ import annotations

import io
import sys

from aieng.grading.course import certify_course


def main(quick: bool = False) -> int:
    log = io.StringIO()
    summary = certify_course(out=log)
    if not summary.rows:
        print("no assignment present in solutions/: nothing to grade")
        return 0
    print(f"{'assignment':24} {'certified':>9} {'autograde s':>12} {'total s':>9}")
    for row in summary.rows:
        graded = f"{row.outcome.seconds:.1f}" if row.outcome else "-"
        print(f"{row.assignment:24} {str(row.certified):>9} {graded:>12} {row.seconds:9.1f}")
    print(f"seconds per autograded notebook: {summary.seconds_per_notebook:.1f}")
    print(f"wall time of the course job (make course without setup): {summary.wall_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main("--quick" in sys.argv))
