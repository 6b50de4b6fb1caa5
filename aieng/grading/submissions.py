"""Finding learners' submissions in the folders instructors actually get.

Accepted, side by side in one folder:

- a folder per learner holding the notebook anywhere inside (nbgrader's
  ``submitted/<learner>/<assignment>/<assignment>.ipynb`` is one such), with
  an optional ``timestamp.txt``;
- an LMS export: ``<learner>.ipynb`` files, or ``<learner>.zip`` archives
  holding the notebook, with the learner's name read from the names Canvas,
  Moodle and Blackboard give their files (``aieng.grading.lms``);
- the LMS's "download all" zip itself, holding any of the above.

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
from aieng.grading.lms import LmsName, parse_lms_name

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


def collect_submissions(source: Path, assignment: str) -> list[Submission]:
    """Every submission for ``assignment`` in ``source`` (a folder or an LMS zip), sorted."""
    if source.is_file() and source.suffix.lower() == ".zip":
        return _unique(_from_class_zip(source, assignment))
    if not source.is_dir():
        raise UserError(
            f"no submissions folder {source}: pass --submissions DIR (a folder of learner "
            "folders, .ipynb files or .zip files) or the LMS's zip of all submissions"
        )
    found: list[Submission] = []
    files: dict[str, list[tuple[LmsName, Path]]] = {}
    for entry in sorted(source.iterdir()):
        if entry.name.startswith(".") or entry.name in SKIPPED_PARTS:
            continue
        named = parse_lms_name(entry.name)
        if entry.is_dir():
            found.append(_from_folder(entry, assignment, named))
        elif entry.suffix.lower() == ".ipynb":
            files.setdefault(learner_id(named.learner), []).append((named, entry))
        elif entry.suffix.lower() == ".zip":
            found.append(_from_zip(entry, assignment, named))
    found += [_from_files(learner, group, assignment) for learner, group in files.items()]
    return _unique(sorted(found, key=lambda submission: submission.learner))


def _lms_notes(named: LmsName) -> tuple[str, ...]:
    return ("submitted late (the LMS marked it LATE)",) if named.late else ()


def _from_files(learner: str, group: list[tuple[LmsName, Path]], assignment: str) -> Submission:
    """One learner's loose notebook files (an LMS names each after its learner)."""
    by_name = {named.file if named.system else path.name: (named, path) for named, path in group}
    chosen, problem = _pick(sorted(by_name), assignment) if len(group) > 1 else (None, None)
    if len(group) > 1 and chosen is None:
        return Submission(learner, str(group[0][1].parent), problem=problem)
    named, path = by_name[chosen] if chosen else group[0]
    data, problem = _read_limited(path)
    return Submission(learner, str(path), data, problem, named.timestamp, _lms_notes(named))


def _from_class_zip(path: Path, assignment: str) -> list[Submission]:
    """The submissions inside an LMS's zip of a whole class, read without extracting it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not SKIPPED_PARTS.intersection(info.filename.split("/"))
                and not any(part.startswith(".") for part in info.filename.split("/"))
            ]
            parts = [info.filename.split("/") for info in members]
            top = {p[0] for p in parts}
            shared = len(top) == 1 and all(len(p) > 1 for p in parts)  # one wrapping folder
            groups: dict[str, list[tuple[str, zipfile.ZipInfo, LmsName]]] = {}
            for info, names in zip(members, parts, strict=True):
                names = names[1:] if shared else names
                if len(names) > 1:  # a folder per learner
                    named = parse_lms_name(names[0])
                    inner = "/".join(names[1:])
                else:
                    named = parse_lms_name(names[0])
                    inner = named.file if named.system else names[0]
                groups.setdefault(learner_id(named.learner), []).append((inner, info, named))
            return [
                _from_archive_group(archive, path, learner, group, assignment)
                for learner, group in sorted(groups.items())
            ]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        raise UserError(f"{path.name} is not a readable zip of submissions ({error})") from None


def _from_archive_group(archive, path, learner, group, assignment) -> Submission:
    notebooks = {
        inner: (info, named) for inner, info, named in group if inner.lower().endswith(".ipynb")
    }
    chosen, problem = _pick(sorted(notebooks), assignment)
    origin = f"{path.name}:{learner}"
    if chosen is None:
        return Submission(learner, origin, problem=problem)
    info, named = notebooks[chosen]
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return Submission(learner, origin, problem="the notebook in the zip is too big")
    with archive.open(info) as member:
        data = member.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        return Submission(learner, origin, problem="the notebook in the zip is too big")
    return Submission(
        learner, f"{path.name}:{info.filename}", data, None, named.timestamp, _lms_notes(named)
    )


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


def _from_folder(folder: Path, assignment: str, named: LmsName | None = None) -> Submission:
    learner = learner_id((named or parse_lms_name(folder.name)).learner)
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


def _from_zip(path: Path, assignment: str, named: LmsName | None = None) -> Submission:
    learner = learner_id((named or parse_lms_name(path.name)).learner)
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
