"""Releasing labs: ``labs/`` regenerated from ``solutions/`` with nbgrader.

``release_labs`` runs nbgrader's ``generate_assignment`` (with the course
config, whose last step normalises the notebook) in a scratch course and
puts the result in ``labs/<assignment>/``. ``labs_in_sync`` regenerates the
same way and lists what differs from the committed ``labs/``, cell by cell,
so CI can say which cell a solution edit changed.
"""

from __future__ import annotations

import filecmp
import json
import logging
import shutil
import tempfile
from pathlib import Path

from aieng.errors import UserError
from aieng.grading.layout import CourseLayout
from aieng.grading.nbconfig import course_api, course_config

__all__ = ["generate_release", "labs_in_sync", "release_labs"]

logger = logging.getLogger(__name__)

IGNORED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def generate_release(assignment: str, layout: CourseLayout, scratch: Path) -> Path:
    """The release of ``assignment`` generated in the scratch course ``scratch``.

    Returns the generated ``<scratch>/labs/<assignment>`` folder.
    """
    source = layout.solutions / assignment
    if not layout.source_notebook(assignment).is_file():
        raise UserError(
            f"no source notebook {layout.source_notebook(assignment)}: "
            f"assignments present are {', '.join(layout.assignments()) or 'none'}"
        )
    work = CourseLayout(scratch)
    shutil.copytree(source, work.solutions / assignment, ignore=shutil.ignore_patterns(*IGNORED))
    result = course_api(course_config(work)).generate_assignment(assignment, force=True)
    if not result.get("success"):
        raise UserError(
            f"nbgrader generate_assignment failed for {assignment}:\n"
            f"{result.get('error') or result.get('log')}"
        )
    return work.labs / assignment


def release_labs(
    assignments: list[str] | None = None, layout: CourseLayout | None = None
) -> list[Path]:
    """Regenerate ``labs/<a>/`` from ``solutions/<a>/`` for each assignment (all by default)."""
    layout = layout or CourseLayout.default()
    written = []
    for assignment in assignments or layout.assignments():
        with tempfile.TemporaryDirectory(prefix="aieng-release-") as scratch:
            generated = generate_release(assignment, layout, Path(scratch))
            target = layout.labs / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(generated, target)
        logger.info("released %s to %s", assignment, target)
        written.append(target)
    return written


def labs_in_sync(assignment: str, layout: CourseLayout | None = None) -> list[str]:
    """What differs between ``labs/<a>/`` and what nbgrader generates from ``solutions/<a>/``.

    An empty list means in sync. Each entry names a file, and for notebooks
    the cells that differ, e.g. ``"labs/p1/p1.ipynb: cell 4 (test-x) source differs"``.
    """
    layout = layout or CourseLayout.default()
    with tempfile.TemporaryDirectory(prefix="aieng-sync-") as scratch:
        generated = generate_release(assignment, layout, Path(scratch))
        return release_differences(generated, layout.labs / assignment, layout.root)


def _files(folder: Path) -> set[Path]:
    if not folder.is_dir():
        return set()
    return {
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not IGNORED.intersection(path.relative_to(folder).parts)
    }


def release_differences(expected: Path, actual: Path, root: Path) -> list[str]:
    """What differs between a generated release folder and a committed one."""
    shown = actual.relative_to(root) if actual.is_relative_to(root) else actual
    if not actual.is_dir():
        return [f"{shown}/ is missing: run `aieng release {expected.name}`"]
    differences = []
    want, have = _files(expected), _files(actual)
    for name in sorted(want - have):
        differences.append(f"{shown / name} is missing")
    for name in sorted(have - want):
        differences.append(f"{shown / name} is not generated from solutions/ (remove it)")
    for name in sorted(want & have):
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            if name.suffix == ".ipynb":
                differences.extend(
                    _notebook_differences(expected / name, actual / name, shown / name)
                )
            else:
                differences.append(f"{shown / name} differs")
    return differences


def _notebook_differences(expected: Path, actual: Path, shown: Path) -> list[str]:
    try:
        want = json.loads(expected.read_text(encoding="utf-8"))
        have = json.loads(actual.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        return [f"{shown} is not valid notebook JSON ({error})"]
    found = []
    want_cells, have_cells = want.get("cells", []), have.get("cells", [])
    if len(want_cells) != len(have_cells):
        found.append(f"{shown}: {len(have_cells)} cells, solutions/ generates {len(want_cells)}")
    for index, (a, b) in enumerate(zip(want_cells, have_cells, strict=False)):
        label = (a.get("metadata", {}).get("nbgrader") or {}).get("grade_id") or a.get("id")
        for part in ("cell_type", "source", "metadata", "outputs", "id"):
            if a.get(part) != b.get(part):
                found.append(f"{shown}: cell {index} ({label}) {part} differs")
    for part in ("metadata", "nbformat", "nbformat_minor"):
        if want.get(part) != have.get(part):
            found.append(f"{shown}: notebook {part} differs")
    return found or [f"{shown}: bytes differ (formatting); run `aieng release`"]
