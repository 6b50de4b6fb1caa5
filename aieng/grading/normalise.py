"""The last step of a release: a notebook that is the same bytes on every machine.

nbgrader copies the source notebook's metadata (the Python version and
kernel that last ran it, JupyterLab's toolbar state, random cell ids of old
notebooks) into the release. ``NormaliseRelease`` keeps what the learner's
notebook needs (nbgrader cell metadata, tags, the editable/deletable locks),
clears outputs, fixes the kernelspec and gives every cell a stable id, so
that regenerating ``labs/`` from unchanged ``solutions/`` changes nothing.
"""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

from aieng.grading.cells import grade_id

__all__ = ["NormaliseRelease", "normalise_notebook"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
KEPT_CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")
VALID_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def _stable_id(cell: NotebookNode, index: int, taken: set[str]) -> str:
    current = cell.get("id")
    if isinstance(current, str) and VALID_ID.match(current) and current not in taken:
        return current
    base = re.sub(r"[^a-zA-Z0-9-_]+", "-", grade_id(cell) or f"cell-{index}")[:56] or "cell"
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def normalise_notebook(nb: NotebookNode) -> NotebookNode:
    """``nb`` without outputs, run state or machine-specific metadata (in place)."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    taken: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell.metadata = from_dict(
            {key: cell.metadata[key] for key in KEPT_CELL_METADATA if key in cell.metadata}
        )
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.id = _stable_id(cell, index, taken)
        taken.add(cell.id)
    return nb


class NormaliseRelease(NbGraderPreprocessor):
    """nbgrader preprocessor form of ``normalise_notebook`` (last in the release steps)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        return normalise_notebook(nb), resources
