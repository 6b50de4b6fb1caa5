"""Tool use: choose a tool, extract its arguments, ask, answer from results."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def answer_from_tool_result(task: Task) -> Reply | None:
    return None


def call_tool(task: Task) -> Reply | None:
    return None
