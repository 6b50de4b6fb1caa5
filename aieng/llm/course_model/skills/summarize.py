"""Extractive summaries and rewrites within a stated length."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def summarize_or_rewrite(task: Task) -> Reply | None:
    return None
