"""labs/ is exactly what nbgrader generates from solutions/, byte for byte."""

from __future__ import annotations

import json
import shutil

import pytest

from aieng.grading.layout import CourseLayout
from aieng.grading.release import labs_in_sync, release_labs

pytestmark = pytest.mark.slow  # runs nbgrader and kernels

REPO = CourseLayout.default()
PRESENT = REPO.assignments()


@pytest.mark.parametrize("assignment", PRESENT or [pytest.param("none", marks=pytest.mark.skip)])
def test_committed_labs_match_solutions(assignment):
    assert labs_in_sync(assignment, REPO) == []


def test_release_is_byte_stable_and_has_no_outputs(fixture_course, tmp_path):
    first = fixture_course.lab_notebook("x0-fixture").read_bytes()
    copy = CourseLayout(tmp_path / "again")
    shutil.copytree(fixture_course.solutions, copy.solutions)
    release_labs(["x0-fixture"], copy)
    assert copy.lab_notebook("x0-fixture").read_bytes() == first
    nb = json.loads(first)
    assert nb["metadata"] == {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    for cell in nb["cells"]:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        assert set(cell["metadata"]) <= {"nbgrader", "tags", "editable", "deletable"}
    text = first.decode()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "HIDDEN_SENTINEL" not in text and "MARK SCHEME" not in text


def test_out_of_sync_lab_is_described_cell_by_cell(fixture_course, tmp_path):
    layout = CourseLayout(tmp_path / "drift")
    shutil.copytree(fixture_course.root / "solutions", layout.solutions)
    shutil.copytree(fixture_course.root / "labs", layout.labs)
    assert labs_in_sync("x0-fixture", layout) == []
    lab = layout.lab_notebook("x0-fixture")
    nb = json.loads(lab.read_text())
    nb["cells"][2]["source"] = ["assert True"]
    lab.write_text(json.dumps(nb))
    (layout.labs / "x0-fixture" / "stray.txt").write_text("x")
    differences = labs_in_sync("x0-fixture", layout)
    assert any("cell 2 (test-add) source differs" in line for line in differences)
    assert any("stray.txt is not generated from solutions/" in line for line in differences)
