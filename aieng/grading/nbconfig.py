"""Loading ``autograder/nbgrader_config.py`` for the course or a scratch course.

The config file is the one description of how nbgrader runs here. A scratch
course (``aieng course``, the grading workers, the tests) gets a copy of it
in its own ``autograder/`` folder, so the file's paths, computed from its
location, point into the scratch course; ``course_api`` then drives
nbgrader's Python API with it.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from nbgrader import api as nbgrader_api
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from aieng.errors import ConfigurationError
from aieng.grading.layout import COURSE_ID, SECRET_DIRS, CourseLayout
from aieng.grading.rules import AssignmentRule

__all__ = ["course_api", "course_config", "open_gradebook", "prepare_nbgrader"]


def course_config(
    layout: CourseLayout,
    *,
    rule: AssignmentRule | None = None,
    sandbox: str | None = None,
    hide_from: Iterable[CourseLayout] = (),
    course_model_url: str = "",
    course_model_socket: str = "",
) -> Config:
    """The course's nbgrader config, rooted at ``layout``.

    Args:
        rule: limits for an assignment the rules table does not list (tests).
        sandbox: ``"auto"``, ``"bwrap"`` or ``"none"`` instead of the file's choice.
        hide_from: other courses whose secrets learner code must not see either.
        course_model_url: the course model for kernels without a sandbox.
        course_model_socket: the course model's unix socket for sandboxed kernels.
    """
    source = CourseLayout.default().config_file
    if not source.is_file():
        raise ConfigurationError(f"{source} is missing: the course's nbgrader config is needed")
    target = layout.config_file
    if target.resolve() != source.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    config = PyFileConfigLoader(target.name, path=str(target.parent)).load_config()
    if rule is not None:
        config.LabExecute.timeouts = {**config.LabExecute.timeouts, rule.name: rule.timeout_s}
        config.LabExecute.memory_mb = {**config.LabExecute.memory_mb, rule.name: rule.memory_mb}
    if sandbox is not None:
        config.LabExecute.sandbox = sandbox
    hidden = set(config.LabExecute.hide_paths)
    for other in hide_from:
        hidden.update(str(other.root / name) for name in SECRET_DIRS)
    config.LabExecute.hide_paths = sorted(hidden)
    if course_model_url:
        config.LabExecute.course_model_url = course_model_url
    if course_model_socket:
        config.LabExecute.course_model_socket = course_model_socket
    return config


def course_api(config: Config) -> NbGraderAPI:
    """nbgrader's Python API over the course described by ``config``."""
    prepare_nbgrader()
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def open_gradebook(db_url: str) -> Gradebook:
    """nbgrader's ``Gradebook`` of the course (use it as a context manager)."""
    prepare_nbgrader()
    return Gradebook(db_url, COURSE_ID)


def prepare_nbgrader() -> None:
    """Let nbgrader create gradebooks from a venv that was not activated (and fast)."""
    _venv_on_path()
    _alembic_head_in_process()


def _venv_on_path() -> None:
    """nbgrader runs ``alembic`` from PATH when it creates a gradebook: make it
    find the venv's, also when ``aieng`` was started without activating it."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


@functools.cache
def _alembic_head() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(nbgrader_api.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def _alembic_head_in_process() -> None:
    """nbgrader asks a fresh ``alembic`` process for the schema version each time
    it creates a gradebook (2.7 s); every scratch course creates one. Read the
    same head from nbgrader's migration scripts in this process instead."""
    nbgrader_api.get_alembic_version = _alembic_head
