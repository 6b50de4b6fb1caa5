"""Every lesson notebook runs top to bottom (nbval-lax semantics).

Solution notebooks are executed once, by the autograder, in
tests/grading/test_assignments.py, which also fails on any cell error.

Errors fail the test, except in cells tagged ``raises-exception``; outputs are
not compared. Each notebook runs in a temporary copy of its folder, so
nothing it writes lands in the working tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aieng.grading.execute import run_notebook
from aieng.settings import repo_root

ROOT = repo_root()
NOTEBOOKS = sorted(
    path
    for folder in ("curriculum",)
    for path in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_runs_without_errors(notebook: Path, tmp_path):
    work = tmp_path / notebook.parent.name
    shutil.copytree(notebook.parent, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    result = run_notebook(work / notebook.name, work, timeout=300)
    failures = "\n".join(f"cell {index}: {message}" for index, message in result.errors)
    assert result.ok, f"{notebook.relative_to(ROOT)} failed:\n{failures}"
