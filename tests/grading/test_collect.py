"""Collecting submissions as LMSs export them: file names, folders, one zip for the class."""

from __future__ import annotations

import io
import zipfile

import nbformat
import pytest

from aieng.errors import UserError
from aieng.grading.course import learner_submission
from aieng.grading.lms import parse_lms_name
from aieng.grading.outcome import Status
from aieng.grading.pipeline import grade
from aieng.grading.submissions import collect_submissions

FIXTURE = "x0-fixture"
NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.mark.parametrize(
    ("name", "learner", "file", "system"),
    [
        ("smithana_12345_67890_p1-chat-api.ipynb", "smithana", "p1-chat-api.ipynb", "canvas"),
        (
            "smithana_LATE_12345_67890_p1-chat-api-2.ipynb",
            "smithana",
            "p1-chat-api.ipynb",
            "canvas",
        ),
        ("Ana Smith_4411_assignsubmission_file_lab.ipynb", "Ana Smith", "lab.ipynb", "moodle"),
        ("Lab 1_asmith_attempt_2026-11-27-18-58-31_p1.ipynb", "asmith", "p1.ipynb", "blackboard"),
        ("ada.ipynb", "ada", "ada.ipynb", None),
        ("bob.zip", "bob", "bob.zip", None),
    ],
)
def test_lms_names(name, learner, file, system):
    named = parse_lms_name(name)
    assert (named.learner, named.file, named.system) == (learner, file, system)


def test_blackboard_names_carry_the_submission_time_and_canvas_marks_late():
    assert parse_lms_name("A_bo_attempt_2026-03-02-09-05-00_x.ipynb").timestamp == (
        "2026-03-02 09:05:00.000000 UTC"
    )
    assert parse_lms_name("smithana_LATE_1_2_x.ipynb").late


def test_loose_lms_files_are_grouped_per_learner(tmp_path):
    for name in (
        "smithana_12345_67890_scratch.ipynb",
        f"smithana_12345_67891_{FIXTURE}.ipynb",
        f"jonesbo_LATE_222_333_{FIXTURE}.ipynb",
        f"Cleo Dorn_4411_assignsubmission_file_{FIXTURE}.ipynb",
    ):
        (tmp_path / name).write_text(NOTEBOOK)
    moodle = tmp_path / "Dev Ray_4412_assignsubmission_file_"
    moodle.mkdir()
    (moodle / f"{FIXTURE}.ipynb").write_text(NOTEBOOK)
    found = {s.learner: s for s in collect_submissions(tmp_path, FIXTURE)}
    assert set(found) == {"smithana", "jonesbo", "Cleo_Dorn", "Dev_Ray"}
    assert found["smithana"].origin.endswith(f"67891_{FIXTURE}.ipynb"), "the lab, not the scratch"
    assert "submitted late" in found["jonesbo"].notes[0]
    assert all(s.data and not s.problem for s in found.values())


def test_a_class_zip_is_read_without_extracting(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"submissions/smithana_1_2_{FIXTURE}.ipynb", NOTEBOOK)
        archive.writestr(
            f"submissions/Cleo Dorn_3_assignsubmission_file_/{FIXTURE}.ipynb", NOTEBOOK
        )
        archive.writestr("submissions/Cleo Dorn_3_assignsubmission_file_/notes.txt", "hi")
        archive.writestr("submissions/emptyhand_4_5_notes.txt", "forgot it")
        archive.writestr("submissions/__MACOSX/._junk.ipynb", "x")
    (tmp_path / "class.zip").write_bytes(buffer.getvalue())
    found = {s.learner: s for s in collect_submissions(tmp_path / "class.zip", FIXTURE)}
    assert set(found) == {"smithana", "Cleo_Dorn", "emptyhand"}
    assert found["smithana"].data and found["Cleo_Dorn"].data
    assert "no notebook found" in found["emptyhand"].problem
    (tmp_path / "broken.zip").write_bytes(b"PK not a zip")
    with pytest.raises(UserError, match="not a readable zip"):
        collect_submissions(tmp_path / "broken.zip", FIXTURE)


@pytest.mark.slow
def test_grading_straight_from_the_lms_zip(tmp_path, copy_course, fixture_rule):
    layout = copy_course(tmp_path / "course")
    lab = nbformat.read(layout.lab_notebook(FIXTURE), as_version=4)
    solution = nbformat.read(layout.source_notebook(FIXTURE), as_version=4)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            f"smithana_1_2_{FIXTURE}.ipynb", nbformat.writes(learner_submission(lab, solution))
        )
        archive.writestr(f"jonesbo_LATE_3_4_{FIXTURE}.ipynb", nbformat.writes(lab))
    export = tmp_path / "export.zip"
    export.write_bytes(buffer.getvalue())
    outcomes = {
        o.learner: o
        for o in grade(
            FIXTURE, export, layout=layout, rule=fixture_rule, workers=2, show_progress=False
        )
    }
    assert outcomes["smithana"].status is Status.GRADED and outcomes["smithana"].certified
    assert outcomes["jonesbo"].auto_score == 0
    assert any("submitted late" in reason for reason in outcomes["jonesbo"].reasons)
