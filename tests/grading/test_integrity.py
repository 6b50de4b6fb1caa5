"""Integrity: what nbgrader's own validate misses (it says "Success!" to all of these)."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest

from aieng.grading.integrity import NotebookUnreadable, inspect_notebook, read_notebook


def _by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _kinds(report):
    return [(issue.kind, issue.grade_id) for issue in report.issues]


def test_untouched_lab_is_intact(fixture_lab):
    report = inspect_notebook(copy.deepcopy(fixture_lab), fixture_lab)
    assert report.readable and not report.issues and not report.tampered


def test_written_answers_are_not_tampering(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    _by_id(nb, "answer-add").source = "def add(a, b):\n    return a + b"
    _by_id(nb, "memo-design").source = "Accountants; rounding."
    nb.cells.append(nbformat.v4.new_code_cell("print(add(2, 2))"))  # scratch cells are fine
    assert not inspect_notebook(nb, fixture_lab).issues


def test_deleted_test_cell(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] != "test-add"]
    report = inspect_notebook(nb, fixture_lab)
    assert _kinds(report) == [("deleted", "test-add")] and report.tampered


def test_deleted_eval_cell(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] != "eval-add-accuracy"]
    assert _kinds(inspect_notebook(nb, fixture_lab)) == [("deleted", "eval-add-accuracy")]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda c: setattr(c, "source", "assert True"), "source changed"),
        (lambda c: setattr(c, "source", c.source + "\nassert 1"), "source changed"),
        (lambda c: c.metadata.nbgrader.__setitem__("points", 100), "metadata changed (points)"),
        (lambda c: c.metadata.nbgrader.__setitem__("grade", False), "metadata changed (grade)"),
        (lambda c: c.metadata.nbgrader.__setitem__("solution", True), "(solution)"),
        (lambda c: setattr(c, "cell_type", "markdown"), "turned into a markdown cell"),
    ],
)
def test_altered_test_cell(fixture_lab, change, detail):
    nb = copy.deepcopy(fixture_lab)
    change(_by_id(nb, "test-add"))
    report = inspect_notebook(nb, fixture_lab)
    assert [i.kind for i in report.issues] == ["altered"]
    assert detail in report.issues[0].detail


def test_whitespace_at_line_ends_is_not_an_alteration(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    cell = _by_id(nb, "test-add")
    cell.source = cell.source.replace("\n", "  \r\n") + "\n"
    assert not inspect_notebook(nb, fixture_lab).issues


def test_stripped_metadata(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    del _by_id(nb, "test-add").metadata["nbgrader"]
    assert _kinds(inspect_notebook(nb, fixture_lab)) == [("stripped", "test-add")]


def test_stripped_metadata_found_by_source_when_the_cell_id_changed(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    cell = _by_id(nb, "test-add")
    cell.metadata = {}
    cell.id = "something-else"
    assert _kinds(inspect_notebook(nb, fixture_lab)) == [("stripped", "test-add")]


def test_renamed_grade_id(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    _by_id(nb, "test-add").metadata.nbgrader["grade_id"] = "test-mine"
    report = inspect_notebook(nb, fixture_lab)
    assert _kinds(report) == [("renamed", "test-add")]
    assert "test-mine" in report.issues[0].detail


def test_added_scored_cell(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    extra = copy.deepcopy(_by_id(nb, "test-add"))
    extra.metadata.nbgrader["grade_id"] = "test-bonus"
    extra.source = "assert True"
    extra.id = "bonus"
    nb.cells.append(extra)
    assert _kinds(inspect_notebook(nb, fixture_lab)) == [("added", "test-bonus")]


def test_answer_cell_damage_is_reported_but_is_not_tampering(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] != "memo-design"]
    report = inspect_notebook(nb, fixture_lab)
    assert _kinds(report) == [("answer-deleted", "memo-design")]
    assert not report.tampered


def test_without_a_release_checksums_still_catch_alterations(fixture_lab):
    nb = copy.deepcopy(fixture_lab)
    _by_id(nb, "test-add").source = "assert True"
    assert _kinds(inspect_notebook(nb, None)) == [("altered", "test-add")]
    assert not inspect_notebook(copy.deepcopy(fixture_lab), None).issues


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"cells": [ this is not json', "not valid notebook JSON"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not text"),
        (b"[1, 2, 3]", "not a notebook"),
        (json.dumps({"cells": "many"}).encode(), "not a notebook"),
        (
            json.dumps({"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4}).encode(),
            "not a valid notebook",
        ),
    ],
)
def test_unreadable_submissions(data, words):
    with pytest.raises(NotebookUnreadable, match=words):
        read_notebook(data)
    report = inspect_notebook(data, None)
    assert not report.readable and report.issues[0].kind == "invalid"


def test_oversized_notebook_is_refused():
    with pytest.raises(NotebookUnreadable, match="over the"):
        read_notebook(b"{" + b" " * 100 + b"}", max_bytes=50)


def test_utf8_with_bom_reads(fixture_lab):
    data = "\ufeff".encode() + nbformat.writes(fixture_lab).encode()
    assert read_notebook(data).cells[0].cell_type == "markdown"
