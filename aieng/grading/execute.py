"""Running notebooks: nbgrader's ``Execute`` step for grading, and a plain runner.

``LabExecute`` replaces nbgrader's ``Execute`` in the autograde pipeline. It
takes the per-lab timeout from the rules table (``c.LabExecute.timeouts``,
keyed by assignment) and starts each learner's kernel through
``GradingKernelManager`` with the lab's memory cap and the course's secrets
masked. ``run_notebook`` executes a notebook the way a learner's JupyterLab
does (the venv's Python, the notebook's folder as working directory) for
``aieng check``, ``aieng course`` and the notebook tests.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Dict, Enum, Int, List, Unicode

from aieng.grading.bridge import course_model_served
from aieng.grading.sandbox import CourseKernelManager, GradingKernelManager, SandboxPolicy

__all__ = ["LabExecute", "RunResult", "run_notebook", "timed_out_cells"]

logger = logging.getLogger(__name__)

TIMEOUT_ENAME = "CellTimeoutError"


class LabExecute(Execute):
    """nbgrader's ``Execute`` with per-lab timeouts and a caged kernel."""

    timeouts = Dict(value_trait=Int(), help="Execute.timeout in seconds per assignment name").tag(
        config=True
    )
    memory_mb = Dict(value_trait=Int(), help="kernel memory cap (MiB) per assignment").tag(
        config=True
    )
    default_memory_mb = Int(4096, help="kernel memory cap (MiB) of other assignments").tag(
        config=True
    )
    sandbox = Enum(["auto", "bwrap", "none"], "auto", help="how to cage learner code").tag(
        config=True
    )
    hide_paths = List(Unicode(), help="folders learner code must not see").tag(config=True)
    course_model_url = Unicode("", help="the course model for unsandboxed kernels").tag(config=True)
    course_model_socket = Unicode("", help="the course model's socket for sandboxed kernels").tag(
        config=True
    )

    _policy: SandboxPolicy = SandboxPolicy()
    _lab_timeout: int | None = None

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb: NotebookNode, resources: dict | None = None, km=None):
        assignment = ((resources or {}).get("nbgrader") or {}).get("assignment")
        # nbconvert re-runs NotebookClient.__init__ in preprocess, which resets
        # traits to the config: keep the lab's timeout aside (see _get_timeout).
        self._lab_timeout = self.timeouts.get(assignment)
        self._policy = SandboxPolicy(
            mode=self.sandbox,
            memory_mb=int(self.memory_mb.get(assignment, self.default_memory_mb)),
            hide=tuple(self.hide_paths),
            course_model_url=self.course_model_url,
            course_model_socket=self.course_model_socket,
        )
        logger.debug("executing %s: timeout %ss, %s", assignment, self._lab_timeout, self._policy)
        return super().preprocess(nb, resources, km)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        if self._lab_timeout:
            return int(self._lab_timeout)
        return super()._get_timeout(cell)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, GradingKernelManager):
            km.policy = self._policy
        return km


def _record_timeout(cell: NotebookNode, execute_reply: dict, **_) -> None:
    """Keep the timeout in the cell's outputs (nbclient only returns it)."""
    content = (execute_reply or {}).get("content", {})
    if content.get("ename") == TIMEOUT_ENAME:
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename=TIMEOUT_ENAME, evalue=content.get("evalue", ""), traceback=[]
            )
        )


def timed_out_cells(nb: NotebookNode) -> list[int]:
    """Indexes of cells interrupted by the per-cell timeout."""
    return [
        index
        for index, cell in enumerate(nb.cells)
        if any(
            output.get("output_type") == "error" and output.get("ename") == TIMEOUT_ENAME
            for output in cell.get("outputs", [])
        )
    ]


@dataclass(frozen=True)
class RunResult:
    """What running a notebook gave: the executed notebook and its failing cells."""

    notebook: NotebookNode
    errors: tuple[tuple[int, str], ...]  # (cell index, "Ename: message")

    @property
    def ok(self) -> bool:
        return not self.errors


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def cell_error(cell: NotebookNode, where: bool = False) -> str | None:
    """``"Ename: message"`` of the cell's first error output, if it failed.

    With ``where``, the line of the cell that raised is added:
    ``"AssertionError at line 10: assert result.serial_number == ..."``.
    """
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = str(output.get("evalue", "")).strip().split("\n")[0]
            text = f"{output.get('ename', 'Error')}: {value}" if value else output.get("ename")
            if where:
                text += _raising_line(output.get("traceback", []))
            return text
    return None


def _raising_line(traceback: list[str]) -> str:
    for entry in traceback:
        for line in ANSI.sub("", entry).split("\n"):
            match = re.match(r"^-*>\s*(\d+)\s(.*)$", line.strip())
            if match:
                return f" (line {match.group(1)}: {match.group(2).strip()[:120]})"
    return ""


@contextlib.contextmanager
def _course_model_for(env: dict[str, str]) -> Iterator[None]:
    """A fresh course model for one run, when the notebook would use the course
    model: same replies on every run, and no server left behind by the kernel."""
    provider = (env.get("AIENG_PROVIDER") or "course").strip().lower()
    if provider != "course" or env.get("AIENG_COURSE_MODEL_URL"):
        yield
        return
    from aieng.llm.course_model.server import free_port

    port = free_port()
    with course_model_served(port=port):
        env["AIENG_COURSE_MODEL_URL"] = f"http://127.0.0.1:{port}"
        yield


def run_notebook(
    nb: NotebookNode | Path,
    cwd: Path,
    *,
    timeout: int = 600,
    env: dict[str, str] | None = None,
    allow_errors: bool = True,
) -> RunResult:
    """Execute ``nb`` in ``cwd`` with the venv's Python; cells tagged
    ``raises-exception`` may fail, ``skip-execution`` cells are skipped. With
    the course provider (the default) a fresh course model serves the run.

    Errors are collected per cell (``allow_errors``) rather than raised, so a
    caller can report all of them.
    """
    if isinstance(nb, Path):
        nb = nbformat.read(nb, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        kernel_manager_class=CourseKernelManager,
        allow_errors=allow_errors,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": TIMEOUT_ENAME,
            "evalue": f"the cell ran past {timeout} s and was interrupted",
            "traceback": [],
        },
        skip_cells_with_tag="skip-execution",
        resources={"metadata": {"path": str(cwd)}},
        on_cell_executed=_record_timeout,
    )
    env = {**os.environ, **(env or {})}
    with _course_model_for(env):
        client.execute(env=env)
    errors = []
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        message = cell_error(cell, where=True) if cell.get("cell_type") == "code" else None
        if message and "raises-exception" not in tags:
            errors.append((index, message))
    return RunResult(nb, tuple(errors))
