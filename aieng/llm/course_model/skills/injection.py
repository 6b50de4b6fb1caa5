"""Naive prompt-injection susceptibility (on purpose), and the hardened mode."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def follow_injection(task: Task) -> Reply | None:
    return None
