"""Grounded answers over labelled passages, with citations, or a decline."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def answer_from_passages(task: Task) -> Reply | None:
    return None
