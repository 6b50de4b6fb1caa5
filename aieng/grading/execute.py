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

__all__ = [
    "LabExecute",
    "OutputBudget",
    "RunResult",
    "record_execution_status",
    "run_notebook",
    "timed_out_cells",
]

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
    max_cell_output_bytes = Int(512 * 1024, help="output kept per cell; the rest is cut").tag(
        config=True
    )
    max_notebook_output_bytes = Int(
        4 * 1024 * 1024, help="output kept per notebook; the rest is cut"
    ).tag(config=True)

    _policy: SandboxPolicy = SandboxPolicy()
    _lab_timeout: int | None = None
    _budget: OutputBudget | None = None

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
        self._budget = OutputBudget(self.max_cell_output_bytes, self.max_notebook_output_bytes)
        logger.debug("executing %s: timeout %ss, %s", assignment, self._lab_timeout, self._policy)
        return super().preprocess(nb, resources, km)

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and self._budget is not None:
            self._budget.admit(outs, out, cell_index)
        return out

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        record_execution_status(cell, exec_reply)
        await super()._check_raise_for_error(cell, cell_index, exec_reply)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        if self._lab_timeout:
            return int(self._lab_timeout)
        return super()._get_timeout(cell)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, GradingKernelManager):
            km.policy = self._policy
        return km


def record_execution_status(cell: NotebookNode, execute_reply: dict | None) -> None:
    """Make the cell's outputs tell what the kernel's reply says.

    nbgrader scores a test cell by whether an error output is present, and
    learner code decides what is displayed: a patched ``showtraceback`` hides
    a failing assertion, a printed fake error hides nothing. The execute
    reply's status is the kernel's own account, so it decides: a failed cell
    gets an error output naming the exception, a successful one keeps none.
    """
    if execute_reply is None:
        return
    content = execute_reply.get("content") or {}
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if content.get("status") == "error":
        if not errors:
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=str(content.get("ename") or "Error"),
                    evalue=str(content.get("evalue") or ""),
                    traceback=[f"{content.get('ename')}: {content.get('evalue')}"],
                )
            )
    elif content.get("status") == "ok" and errors:
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]


class OutputBudget:
    """Caps on output bytes per cell and per notebook; what is over is cut with a note.

    A cell that prints 26 MiB would otherwise land whole in the graded
    notebook, the gradebook's feedback and the instructor's browser.
    """

    def __init__(self, per_cell: int, per_notebook: int) -> None:
        self.per_cell, self.per_notebook = per_cell, per_notebook
        self.cells: dict[int, int] = {}
        self.total = 0
        self.noted: set[int] = set()

    def admit(self, outs: list, out: NotebookNode, cell_index: int) -> None:
        """Keep ``out`` (already appended to ``outs``) or empty it in place."""
        size = _output_size(out)
        used = self.cells.get(cell_index, 0)
        if used + size <= self.per_cell and self.total + size <= self.per_notebook:
            self.cells[cell_index] = used + size
            self.total += size
            return
        _empty(out)  # in place: display ids keep pointing at the right index
        if cell_index not in self.noted:
            self.noted.add(cell_index)
            limit = "per cell" if used + size > self.per_cell else "for the whole notebook"
            cap = self.per_cell if limit == "per cell" else self.per_notebook
            note = (
                f"\n[output cut by the grader: more than {cap // 1024} KiB of output {limit}; "
                "the rest was dropped]\n"
            )
            outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))


def _output_size(out: NotebookNode) -> int:
    if out.get("output_type") == "stream":
        return len(str(out.get("text", "")).encode("utf-8", "replace"))
    data = out.get("data") or {}
    size = sum(len(str(value).encode("utf-8", "replace")) for value in data.values())
    if out.get("output_type") == "error":
        size += sum(len(line) for line in out.get("traceback", []))
    return size


def _empty(out: NotebookNode) -> None:
    if out.get("output_type") == "stream":
        out["text"] = ""
    elif out.get("output_type") in ("display_data", "execute_result"):
        out["data"] = {"text/plain": ""}
    elif out.get("output_type") == "error":
        out["traceback"] = []
        out["evalue"] = str(out.get("evalue", ""))[:200]


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
