"""Learner names in the files a learning management system exports.

An LMS's "download all submissions" renames each file after its learner:

- Canvas: ``smithana_12345_67890_p1-chat-api.ipynb`` (``_LATE_`` after the
  name when late; a resubmission adds ``-1`` to the file name);
- Moodle: ``Ana Smith_12345_assignsubmission_file_p1-chat-api.ipynb`` (or a
  folder of that name holding the learner's files);
- Blackboard: ``Lab 1_asmith_attempt_2026-11-27-18-58-31_p1-chat-api.ipynb``.

``parse_lms_name`` reads which learner a file belongs to and the file's own
name, so ``aieng grade`` accounts for the learner and finds the notebook by
its name; a name that follows no known export is the learner's id itself.

Example:
    >>> parse_lms_name("smithana_LATE_12345_67890_p1-chat-api.ipynb").learner
    'smithana'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LmsName", "parse_lms_name"]

CANVAS = re.compile(
    r"^(?P<who>[A-Za-z0-9-]+?)(?P<late>_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$"
)
MOODLE = re.compile(r"^(?P<who>.+?)_(?P<uid>\d+)_assignsubmission_[a-z]+_?(?P<file>.*)$")
BLACKBOARD = re.compile(
    r"^(?P<what>.+?)_(?P<who>[^_]+)_attempt_(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})-(?P<h>\d{2})"
    r"-(?P<mi>\d{2})-(?P<s>\d{2})(?:_(?P<file>.+))?$"
)


@dataclass(frozen=True)
class LmsName:
    """Who a file belongs to, and what it was called before the LMS renamed it."""

    learner: str
    file: str
    system: str | None = None  # "canvas", "moodle", "blackboard"; None: not an LMS name
    timestamp: str | None = None  # in nbgrader's format, when the name carries one
    late: bool = False


def parse_lms_name(name: str) -> LmsName:
    """The learner and original file name in an LMS export's file or folder name."""
    if match := MOODLE.match(name):
        return LmsName(match["who"].strip(), match["file"] or name, "moodle")
    if match := BLACKBOARD.match(name):
        stamp = f"{match['y']}-{match['mo']}-{match['d']} {match['h']}:{match['mi']}:{match['s']}"
        return LmsName(match["who"], match["file"] or name, "blackboard", f"{stamp}.000000 UTC")
    if match := CANVAS.match(name):
        original = re.sub(r"-\d+(\.ipynb)$", r"\1", match["file"])  # Canvas's resubmission suffix
        return LmsName(match["who"], original, "canvas", late=bool(match["late"]))
    return LmsName(
        name.rsplit(".", 1)[0] if name.lower().endswith((".ipynb", ".zip")) else name, name
    )
