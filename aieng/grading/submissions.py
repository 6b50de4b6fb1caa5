"""Finding learners' submissions in the folders instructors actually get.

Accepted, side by side in one folder:

- a folder per learner holding the notebook anywhere inside (nbgrader's
  ``submitted/<learner>/<assignment>/<assignment>.ipynb`` is one such), with
  an optional ``timestamp.txt``;
- an LMS export: ``<learner>.ipynb`` files, or ``<learner>.zip`` archives
  holding the notebook.

Learner ids become safe folder names (``"Ana María"`` -> ``"Ana_Mar_a"``).
A submission that has no usable notebook is still listed, with the reason,
so the report accounts for every learner.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import parse_utc

from aieng.errors import UserError
from aieng.grading.integrity import MAX_NOTEBOOK_BYTES

__all__ = ["Submission", "collect_submissions", "learner_id"]

SKIPPED_PARTS = {".ipynb_checkpoints", "__MACOSX", "__pycache__"}


@dataclass(frozen=True)
class Submission:
    """One learner's submission as found on disk.

    Attributes:
        learner: the nbgrader student id.
        origin: where it was found, for messages.
        data: the notebook's bytes, or None when no notebook could be taken.
        problem: why it cannot be graded, when it cannot.
        timestamp: the submission time (nbgrader's format), when one was given.
        notes: things worth telling the instructor that do not stop grading.
    """

    learner: str
    origin: str
    data: bytes | None = None
    problem: str | None = None
    timestamp: str | None = None
    notes: tuple[str, ...] = ()


def learner_id(name: str) -> str:
    """A learner id safe as a folder name and a CSV cell (``"-x@y"`` -> ``"x_y"``)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._-")
    return cleaned[:64] or "learner"


def collect_submissions(folder: Path, assignment: str) -> list[Submission]:
    """Every submission for ``assignment`` in ``folder``, one per learner, sorted."""
    if not folder.is_dir():
        raise UserError(
            f"no submissions folder {folder}: pass --submissions DIR (a folder of learner "
            "folders, .ipynb files or .zip files)"
        )
    found: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in SKIPPED_PARTS:
            continue
        if entry.is_dir():
            found.append(_from_folder(entry, assignment))
        elif entry.suffix.lower() == ".ipynb":
            found.append(_from_file(entry))
        elif entry.suffix.lower() == ".zip":
            found.append(_from_zip(entry, assignment))
    return _unique(found)


def _unique(found: list[Submission]) -> list[Submission]:
    seen: set[str] = set()
    unique = []
    for submission in found:
        learner, suffix = submission.learner, 1
        while learner in seen:
            suffix += 1
            learner = f"{submission.learner}-{suffix}"
        seen.add(learner)
        if learner != submission.learner:
            note = f"learner id {submission.learner!r} taken; graded as {learner!r}"
            submission = Submission(
                learner,
                submission.origin,
                submission.data,
                submission.problem,
                submission.timestamp,
                (*submission.notes, note),
            )
        unique.append(submission)
    return unique


def _pick(names: list[str], assignment: str) -> tuple[str | None, str | None]:
    """The notebook to grade among ``names`` (paths), or why none can be chosen."""
    names = [n for n in names if not SKIPPED_PARTS.intersection(Path(n).parts)]
    exact = sorted(
        (n for n in names if Path(n).name == f"{assignment}.ipynb"), key=lambda n: n.count("/")
    )
    if exact:
        return exact[0], None
    if len(names) == 1:
        return names[0], None
    if not names:
        return None, f"no notebook found (expected {assignment}.ipynb)"
    listed = ", ".join(sorted(Path(n).name for n in names)[:5])
    return None, f"no {assignment}.ipynb and several notebooks to choose from ({listed})"


def _read_limited(path: Path) -> tuple[bytes | None, str | None]:
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"the notebook is {size / 1e6:.0f} MB, over the limit: clear outputs"
    return path.read_bytes(), None


def _timestamp(path: Path) -> tuple[str | None, tuple[str, ...]]:
    if not path.is_file():
        return None, ()
    text = path.read_text(encoding="utf-8", errors="replace").strip()[:100]
    try:
        parse_utc(text)
    except (ValueError, TypeError, OverflowError):
        return None, (f"timestamp.txt unreadable ({text[:40]!r}); submission time ignored",)
    return text, ()


def _from_folder(folder: Path, assignment: str) -> Submission:
    learner = learner_id(folder.name)
    notebooks = []
    for parent, dirs, files in os.walk(folder):  # never follows symlinked folders
        dirs[:] = [d for d in dirs if d not in SKIPPED_PARTS and not d.startswith(".")]
        rel = Path(parent).relative_to(folder)
        notebooks += [(rel / f).as_posix() for f in files if f.lower().endswith(".ipynb")]
    chosen, problem = _pick(notebooks, assignment)
    origin = str(folder)
    if chosen is None:
        return Submission(learner, origin, problem=problem)
    path = folder / chosen
    data, problem = _read_limited(path)
    timestamp, notes = _timestamp(path.parent / "timestamp.txt")
    if timestamp is None and not notes:
        timestamp, notes = _timestamp(folder / "timestamp.txt")
    return Submission(learner, str(path), data, problem, timestamp, notes)


def _from_file(path: Path) -> Submission:
    data, problem = _read_limited(path)
    return Submission(learner_id(path.stem), str(path), data, problem)


def _from_zip(path: Path, assignment: str) -> Submission:
    learner = learner_id(path.stem)
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            notebooks = [name for name in members if name.lower().endswith(".ipynb")]
            chosen, problem = _pick(notebooks, assignment)
            if chosen is None:
                return Submission(learner, str(path), problem=f"{problem} in {path.name}")
            info = members[chosen]
            if info.file_size > MAX_NOTEBOOK_BYTES:
                return Submission(learner, str(path), problem="the notebook in the zip is too big")
            with archive.open(info) as member:
                data = member.read(MAX_NOTEBOOK_BYTES + 1)
            if len(data) > MAX_NOTEBOOK_BYTES:
                return Submission(learner, str(path), problem="the notebook in the zip is too big")
            return Submission(learner, f"{path}:{chosen}", data)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        return Submission(
            learner, str(path), problem=f"{path.name} is not a readable zip ({error})"
        )
