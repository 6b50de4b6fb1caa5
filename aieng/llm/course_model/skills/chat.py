"""The plain chat reply: what the model says when no other skill applies."""

from __future__ import annotations

from aieng.llm.course_model.engine import Reply, Task


def reply(task: Task) -> Reply:
    text = task.last_user.strip()
    return Reply(content=f"You said: {text}" if text else "Hello! How can I help?")
