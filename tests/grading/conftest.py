"""Scratch courses for the grading tests, and one shared graded batch.

The fixture assignment ``x0-fixture`` (``files/solutions/``) has one answer
cell, a test cell with hidden tests, a hidden eval check and a memo. Grading
runs nbgrader and kernels, so one batch of hostile and honest submissions is
graded once per session and the tests read its outcomes.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from aieng.grading.course import learner_submission
from aieng.grading.layout import CourseLayout
from aieng.grading.outcome import Outcome
from aieng.grading.pipeline import grade
from aieng.grading.release import release_labs
from aieng.grading.rules import AssignmentRule

FILES = Path(__file__).parent / "files"
FIXTURE = "x0-fixture"
FIXTURE_RULE = AssignmentRule(
    FIXTURE, "fixture", timeout_s=4, memory_mb=1024, submission_limit_s=90
)
HIDDEN_SENTINELS = ("HIDDEN_SENTINEL_4c1e", "HIDDEN_SENTINEL_9d2b", "hidden_pairs_4c1e")


def make_course(root: Path) -> CourseLayout:
    """A course root holding the fixture assignment and its generated lab."""
    layout = CourseLayout(root)
    shutil.copytree(FILES / "solutions" / FIXTURE, layout.solutions / FIXTURE)
    release_labs([FIXTURE], layout)
    return layout


def answered(lab: nbformat.NotebookNode, code: str) -> nbformat.NotebookNode:
    """The lab with ``code`` as the learner's answer to ``add``."""
    nb = copy.deepcopy(lab)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer-add":
            cell.source = code
    return nb


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="session")
def hidden_sentinels() -> tuple[str, ...]:
    """Strings that appear only in the fixture's hidden tests."""
    return HIDDEN_SENTINELS


@pytest.fixture(scope="session")
def fixture_rule() -> AssignmentRule:
    return FIXTURE_RULE


@pytest.fixture(scope="session")
def fixture_course(tmp_path_factory) -> CourseLayout:
    return make_course(tmp_path_factory.mktemp("fixture-course"))


@pytest.fixture
def copy_course(fixture_course):
    """``copy_course(root)``: a fresh course at ``root`` with the fixture assignment and its lab."""

    def copy(root: Path) -> CourseLayout:
        layout = CourseLayout(root)
        shutil.copytree(fixture_course.solutions, layout.solutions)
        shutil.copytree(fixture_course.labs, layout.labs)
        return layout

    return copy


@pytest.fixture(scope="session")
def fixture_lab(fixture_course) -> nbformat.NotebookNode:
    return nbformat.read(fixture_course.lab_notebook(FIXTURE), as_version=4)


@pytest.fixture(scope="session")
def fixture_solution(fixture_course) -> nbformat.NotebookNode:
    return nbformat.read(fixture_course.source_notebook(FIXTURE), as_version=4)


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def build_submissions(folder: Path, lab, solution, solutions_dir: Path) -> None:
    """Honest and hostile submissions in every layout the pipeline accepts."""
    reference = learner_submission(lab, solution)
    # a folder per learner, nbgrader's submitted layout, with a valid timestamp
    _write(reference, folder / "ada" / FIXTURE / f"{FIXTURE}.ipynb")
    (folder / "ada" / FIXTURE / "timestamp.txt").write_text("2026-11-27 18:58:31.000000 UTC")
    # LMS-style files
    _write(lab, folder / "blank.ipynb")
    _write(answered(lab, "def add(a, b):\n    return 3\n"), folder / "constant.ipynb")
    deleted = copy.deepcopy(reference)
    deleted.cells = [c for c in deleted.cells if c.metadata["nbgrader"]["grade_id"] != "test-add"]
    _write(deleted, folder / "deleter.ipynb")
    altered = copy.deepcopy(reference)
    cell_by_id(altered, "test-add").source = "assert True"
    _write(altered, folder / "alterer.ipynb")
    stripped = copy.deepcopy(reference)
    del cell_by_id(stripped, "test-add").metadata["nbgrader"]
    _write(stripped, folder / "stripper.ipynb")
    renamed = copy.deepcopy(reference)
    cell_by_id(renamed, "test-add").metadata["nbgrader"]["grade_id"] = "test-mine"
    _write(renamed, folder / "renamer.ipynb")
    (folder / "broken.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    (folder / "notebookless.ipynb").write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    # a zip holding an infinite loop
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        looping = answered(lab, "def add(a, b):\n    return a + b\n\nwhile True:\n    pass\n")
        archive.writestr(f"work/{FIXTURE}.ipynb", nbformat.writes(looping))
    (folder / "looper.zip").write_bytes(buffer.getvalue())
    # a folder without a notebook, and a malformed timestamp
    (folder / "empty").mkdir()
    (folder / "empty" / "notes.txt").write_text("forgot to attach it")
    _write(reference, folder / "late" / f"{FIXTURE}.ipynb")
    (folder / "late" / "timestamp.txt").write_text("yesterday-ish")
    # learner code that reaches for the answers and writes outside its folder
    answers = str(solutions_dir / FIXTURE / f"{FIXTURE}.ipynb")
    outside = str(solutions_dir / "pwned.txt")
    snoop = (
        "import pathlib\n"
        "def add(a, b):\n    return a + b\n\n"
        f"for path in (pathlib.Path({answers!r}), pathlib.Path.home() / '.bashrc'):\n"
        "    try:\n        print('LEAKED', path.read_text()[:30])\n"
        "    except OSError as error:\n        print('BLOCKED', type(error).__name__)\n"
        f"try:\n    pathlib.Path({outside!r}).write_text('x')\n    print('WROTE')\n"
        "except OSError as error:\n    print('BLOCKED-WRITE', type(error).__name__)\n"
    )
    _write(answered(lab, snoop), folder / "snooper.ipynb")
    # resource abuse: memory over the cap, a kernel that exits, an interrupt swallowed
    hog = "def add(a, b):\n    return a + b\n\nhog = bytearray(2 * 1024**3)\n"
    _write(answered(lab, hog), folder / "hog.ipynb")
    _write(answered(lab, "import os\nos._exit(3)\n"), folder / "quitter.ipynb")
    stubborn = (
        "import signal, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "def add(a, b):\n    return a + b\n\n"
        "while True:\n    time.sleep(0.1)\n"
    )
    _write(answered(lab, stubborn), folder / "stubborn.ipynb")
    # a copied answer cell and a copied test cell (JupyterLab gives copies new ids)
    duplicated = copy.deepcopy(reference)
    for gid in ("answer-add", "test-add"):
        twin = copy.deepcopy(cell_by_id(duplicated, gid))
        twin.id = f"{gid}-copy"
        duplicated.cells.insert(duplicated.cells.index(cell_by_id(duplicated, gid)) + 1, twin)
    _write(duplicated, folder / "duplicator.ipynb")
    # a wrong answer whose failing tests would display nothing
    patcher = (
        "def add(a, b):\n    return 0\n\n"
        "ip = get_ipython()\n"
        "ip.showtraceback = lambda *args, **kwargs: None\n"
        "ip._showtraceback = lambda *args, **kwargs: None\n"
    )
    _write(answered(lab, patcher), folder / "patcher.ipynb")
    # a right answer that prints 30 MiB
    flood = (
        "import sys\ndef add(a, b):\n    return a + b\n\n"
        "for _ in range(30):\n    sys.stdout.write('x' * 1024**2)\n    sys.stdout.flush()\n"
    )
    _write(answered(lab, flood), folder / "flooder.ipynb")


@dataclass(frozen=True)
class GradedBatch:
    layout: CourseLayout
    submissions: Path
    outcomes: dict[str, Outcome]
    mode: str  # "sandbox" (bubblewrap where usable) or "fallback" (process limits only)


@pytest.fixture(scope="session", params=["sandbox", "fallback"])
def graded_batch(request, tmp_path_factory, fixture_lab, fixture_solution) -> GradedBatch:
    """The hostile batch, graded under bubblewrap and under process limits alone."""
    layout = make_course(tmp_path_factory.mktemp(f"graded-course-{request.param}"))
    submissions = tmp_path_factory.mktemp("submissions")
    build_submissions(submissions, fixture_lab, fixture_solution, layout.solutions)
    outcomes = grade(
        FIXTURE,
        submissions,
        workers=2,
        layout=layout,
        rule=FIXTURE_RULE,
        sandbox="auto" if request.param == "sandbox" else "none",
        show_progress=False,
    )
    return GradedBatch(layout, submissions, {o.learner: o for o in outcomes}, request.param)
