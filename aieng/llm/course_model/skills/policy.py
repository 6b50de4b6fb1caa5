"""Refusals: a built-in policy for clearly harmful requests, and a stated scope."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def refuse_harmful(task: Task) -> Reply | None:
    return None


def enforce_scope(task: Task) -> Reply | None:
    return None
