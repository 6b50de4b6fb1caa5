"""A fingerprint of the course model's code, so a stale server is not reused.

``client()`` reuses a course model that is already running; after the package
changes (an update, or a developer's edit), the old process would keep
answering with old rules for up to its idle timeout. Comparing build ids
makes ``ensure_running`` start a fresh one instead.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def build_id() -> str:
    """sha256 (12 hex digits) of the course model's sources and the model catalog."""
    digest = hashlib.sha256()
    files = sorted(_PACKAGE.rglob("*.py")) + [_PACKAGE.parent / "models.toml"]
    for path in files:
        digest.update(path.relative_to(_PACKAGE.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
