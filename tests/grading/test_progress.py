"""``aieng progress`` from a graded batch: text, CSV for the LMS, HTML with a chart."""

from __future__ import annotations

import csv

import pytest

from aieng.cli import main
from aieng.grading.layout import CourseLayout
from aieng.grading.progress import progress

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

FIXTURE = "x0-fixture"


def test_progress_text_csv_and_html(graded_batch, tmp_path):
    report = progress(
        graded_batch.layout, csv_path=tmp_path / "p.csv", html_path=tmp_path / "p.html"
    )
    text = str(report)
    header = text.splitlines()[0].split()
    assert header == ["learner", FIXTURE, "certified"]
    rows = {line.split()[0]: line for line in text.splitlines()[2:] if line.strip()}
    assert "certified 3/3" in rows["ada"] and rows["ada"].endswith("1/1")
    assert "tampered" in rows["deleter"] and rows["deleter"].endswith("0/1")
    assert "not gradable" in rows["broken"]
    assert "not yet 0/3" in rows["blank"]

    with (tmp_path / "p.csv").open(newline="") as handle:
        records = {row["learner"]: row for row in csv.DictReader(handle)}
    assert set(records) == set(graded_batch.outcomes)
    assert records["ada"]["certified"] == "yes" and records["ada"]["score"] == "3.0"
    assert records["looper"]["status"] == "timed out"
    assert records["broken"]["status"] == "not gradable" and records["broken"]["score"] == ""
    assert records["deleter"]["reasons"].startswith("test-add: test cell deleted")

    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert '<img alt="certification per phase" src="data:image/png;base64,' in page
    assert "<th>ada</th>" in page and "Certified: every automatic test passes" in page


def test_manual_overrides_in_the_gradebook_count(graded_batch, tmp_path):
    from aieng.grading.nbconfig import open_gradebook

    layout = CourseLayout(tmp_path / "copy")
    layout.grading.mkdir(parents=True)
    layout.gradebook.write_bytes(graded_batch.layout.gradebook.read_bytes())
    with open_gradebook(layout.db_url) as gb:
        for grade_id in ("test-add", "eval-add-accuracy"):
            grade = gb.find_grade(grade_id, FIXTURE, FIXTURE, "constant")
            grade.manual_score = grade.max_score
        gb.db.commit()
    report = progress(layout)
    assert report.cell("constant", FIXTURE).certified
    assert not report.cell("blank", FIXTURE).certified
    assert report.html_path == layout.reports / "progress.html"


def test_cli_with_nothing_graded(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(CourseLayout, "default", classmethod(lambda cls: cls(tmp_path)))
    assert main(["progress"]) == 0
    assert "No graded submissions yet" in capsys.readouterr().out
