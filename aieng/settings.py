"""Where ``aieng`` keeps its state: the repo-local ``.aieng`` folder by default.

``AIENG_HOME`` overrides it. The Makefile points Jupyter, IPython, matplotlib
and Hugging Face caches inside the repository too, so nothing writes to $HOME.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The course repository holding this package (the course root)."""
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


def state_dir() -> Path:
    """A writable folder for server discovery files, logs and caches."""
    path = Path(os.environ.get("AIENG_HOME") or repo_root() / ".aieng")
    path.mkdir(parents=True, exist_ok=True)
    return path


def offline_defaults() -> None:
    """Make Hugging Face libraries work offline; call before importing them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Weight-loading progress bars are noise in notebooks and feedback.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
