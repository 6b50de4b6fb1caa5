"""Feedback that never shows hidden test code, not even inside a traceback.

nbgrader's ``ClearHiddenTests`` removes the hidden region from a test cell's
source, but the cell's outputs were produced by the full cell: an IPython
traceback quotes the failing hidden line and its neighbours, an assertion
message can carry a literal from the hidden code, and a print can echo hidden
data. ``RedactHiddenTests`` is a ``ClearHiddenTests`` that also scrubs the
outputs of each cell it clears, so the two cannot run in the wrong order:

- traceback and text lines that quote a hidden line are dropped;
- the hidden code's data (string literals that are not assert, raise or
  print messages) and the identifier-like names it defines are replaced by
  ``[hidden]`` wherever they still appear in the cell's outputs.

Messages survive (``"eval accuracy 0.60 is below the bar 0.75"``): they are
the feedback the test's author wrote for the learner.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
import tokenize

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Bool

from aieng.grading.cells import HIDDEN_BEGIN, HIDDEN_END, hidden_region

__all__ = ["FeedbackSummary", "RedactHiddenTests", "redact_outputs"]

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MASK = "[hidden]"
MIN_FRAGMENT = 4  # shorter literals ("", "a", "ok") would mask ordinary words
HIDDEN_NOTE = "(lines of the hidden tests are not shown)"


def _message_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes that are messages meant for the learner: assert and raise
    messages and what hidden code prints."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            roots.append(node.msg)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            roots.append(node.exc)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            roots.extend(node.args)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def _secret_fragments(code: str) -> set[str]:
    """What of ``code`` must not appear in feedback: its data literals (not its
    messages) and the identifier-like names it defines (``hidden_cases``)."""
    found: set[str] = set()
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        tree = None
    if tree is None:  # not parseable on its own: every literal counts as data
        with contextlib.suppress(tokenize.TokenError, IndentationError, SyntaxError):
            for token in tokenize.generate_tokens(io.StringIO(code).readline):
                if token.type == tokenize.STRING:
                    found.update(re.split(r"\\n|\n", token.string.strip("'\"bfrBFR")))
    else:
        messages = _message_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                if id(node) not in messages:
                    value = node.value
                    text = value.decode(errors="replace") if isinstance(value, bytes) else value
                    found.update(text.split("\n"))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if re.search(r"[_0-9]", node.id.strip("_")):
                    found.add(node.id)
    return {f.strip() for f in found if len(f.strip()) >= MIN_FRAGMENT}


class _Redactor:
    """Scrubs text of the hidden lines and fragments of one cell."""

    def __init__(self, hidden_lines: list[str]) -> None:
        self.lines = {line.strip() for line in hidden_lines if len(line.strip()) >= 2}
        fragments = _secret_fragments("\n".join(hidden_lines))
        self.pattern = (
            re.compile("|".join(re.escape(f) for f in sorted(fragments, key=len, reverse=True)))
            if fragments
            else None
        )

    def quotes_hidden(self, line: str) -> bool:
        plain = ANSI.sub("", line)
        if HIDDEN_BEGIN in plain or HIDDEN_END in plain:
            return True
        return any(hidden in plain for hidden in self.lines)

    def mask(self, text: str) -> str:
        if self.pattern is None:
            return text
        plain = ANSI.sub("", text)
        return self.pattern.sub(MASK, plain) if self.pattern.search(plain) else text

    def text(self, text: str) -> str:
        kept, dropped = [], False
        for line in text.split("\n"):
            if self.quotes_hidden(line):
                dropped = True
                continue
            kept.append(self.mask(line))
        if dropped:
            kept.append(HIDDEN_NOTE)
        return "\n".join(kept)


def redact_outputs(outputs: list, hidden_lines: list[str]) -> list:
    """The outputs of a cell with nothing of ``hidden_lines`` left in them."""
    if not hidden_lines:
        return outputs
    redactor = _Redactor(hidden_lines)
    for output in outputs:
        kind = output.get("output_type")
        if kind == "error":
            output["traceback"] = [redactor.text(entry) for entry in output.get("traceback", [])]
            output["evalue"] = redactor.text(str(output.get("evalue", "")))
        elif kind == "stream":
            output["text"] = redactor.text("".join(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                if mime.endswith("json"):  # keep the structure (widgets): redact its strings
                    data[mime] = _redact_json(value, redactor)
                elif mime.startswith("text/"):
                    text = "".join(value) if isinstance(value, list) else str(value)
                    data[mime] = redactor.text(text)
    return outputs


def _redact_json(value, redactor: _Redactor):
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, list):
        return [_redact_json(item, redactor) for item in value]
    if isinstance(value, dict):
        return {key: _redact_json(item, redactor) for key, item in value.items()}
    return value


class RedactHiddenTests(ClearHiddenTests):
    """``ClearHiddenTests`` for feedback: clears hidden regions and what outputs quote of them.

    ``reveal`` (``aieng feedback --reveal-hidden``) leaves them, once the
    instructor has decided to release the hidden tests.
    """

    reveal = Bool(False, help="show hidden tests in feedback").tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, cell_index: int
    ) -> tuple[NotebookNode, dict]:
        if self.reveal:
            return cell, resources
        hidden = hidden_region(cell.get("source", ""))
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if hidden and cell.get("cell_type") == "code":
            cell.outputs = redact_outputs(cell.get("outputs", []), hidden)
        return cell, resources


class FeedbackSummary(NbGraderPreprocessor):
    """A table at the top of the feedback: each graded cell, passed or not, and its points.

    Runs after nbgrader's ``GetGrades``, which writes each graded cell's
    ``score`` and ``points`` into its metadata.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        rows = []
        waiting = _waiting_for_hand_grading(resources)
        for cell in nb.cells:
            meta = (cell.get("metadata") or {}).get("nbgrader") or {}
            if not meta.get("grade") or "points" not in meta:
                continue
            name, score, points = meta.get("grade_id", "?"), meta.get("score"), meta["points"]
            manual = meta.get("solution") or meta.get("task") or cell.get("cell_type") != "code"
            kind = "written answer" if manual else "eval" if name.startswith("eval-") else "test"
            if score is None or name in waiting:
                verdict, score = "to be graded by hand", None
            elif manual:
                verdict = "graded"
            else:
                verdict = "passed" if float(score) >= float(points) else "failed"
            shown = "-" if score is None else f"{float(score):g}"
            rows.append(f"| `{name}` | {kind} | {verdict} | {shown} / {float(points):g} |")
        if rows:
            total = (resources.get("nbgrader") or {}).get("score")
            possible = (resources.get("nbgrader") or {}).get("max_score")
            lines = [
                "## Your results",
                "",
                "| cell | kind | result | points |",
                "| --- | --- | --- | --- |",
            ]
            lines += rows
            if total is not None and possible:
                lines += ["", f"**Total: {float(total):g} / {float(possible):g}**"]
            lines += [
                "",
                "Each test cell also runs hidden tests: a failed cell whose visible checks "
                "pass failed on cases you have not seen.",
            ]
            cell = from_dict(
                {
                    "cell_type": "markdown",
                    "id": "aieng-results",
                    "metadata": {},
                    "source": "\n".join(lines),
                }
            )
            nb.cells.insert(0, cell)
        return nb, resources


def _waiting_for_hand_grading(resources: dict) -> set[str]:
    """grade_ids of this submission that still need a human (the gradebook knows)."""
    from aieng.grading.nbconfig import open_gradebook

    info = resources.get("nbgrader") or {}
    try:
        with open_gradebook(info["db_url"]) as gb:
            notebook = gb.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]
            )
            return {grade.name for grade in notebook.grades if grade.needs_manual_grade}
    except Exception:  # noqa: BLE001 - the table then shows the stored score
        return set()
