"""What worked examples teach a small model: labels for look-alike inputs, value shapes.

Few-shot pairs before the real input show answers for the same schema. Two
modest lessons are drawn from them, by general rules: an input that reads
almost like an example input (most content words shared) gets the example's
choice for the enum and boolean fields; and a person field whose example
values are all first names ("Tom") is written as a first name too.

Example:
    >>> similar("Refund my double charge please", "please refund my double charge")
    1.0
"""

from __future__ import annotations

import re
from typing import Any

from aieng.llm.course_model.skills.inputs import Example
from aieng.llm.course_model.skills.schemas import resolve, types_of
from aieng.llm.course_model.text import STOPWORDS, stem

NEAR = 0.6  # share of content words an input must share with an example to copy its labels
PERSON_WORDS = frozenset("owner assignee person who name responsible lead author".split())


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9][\w'-]*", text.lower()) if w not in STOPWORDS}


def similar(a: str, b: str) -> float:
    """Jaccard overlap of two texts' content stems."""
    left, right = _stems(a), _stems(b)
    return len(left & right) / len(left | right) if left and right else 0.0


def apply(value: Any, schema: dict, examples: list[Example], text: str) -> Any:
    """``value`` adjusted by what the examples teach (see the module docstring)."""
    if not examples or not isinstance(value, dict):
        return value
    root, _ = resolve(schema, schema)
    props = root.get("properties") or {}
    best = max(examples, key=lambda e: similar(e.text, text))
    if similar(best.text, text) >= NEAR:
        for name, sub in props.items():
            sub, _ = resolve(sub, schema)
            shown = best.answer.get(name)
            if name in value and shown is not None and _choice(sub, shown):
                value[name] = shown
    return _first_names(value, schema, examples)


def _choice(schema: dict, shown: Any) -> bool:
    if "enum" in schema:
        return shown in schema["enum"]
    return types_of(schema) == frozenset(["boolean"]) and isinstance(shown, bool)


def _first_names(value: Any, schema: dict, examples: list[Example]) -> Any:
    """Person fields written as the examples write them: first names only, when all are."""
    shown: dict[str, list[str]] = {}

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                if isinstance(item, str) and set(re.split(r"[_\W]+", key.lower())) & PERSON_WORDS:
                    shown.setdefault(key, []).append(item)
                else:
                    collect(item)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for example in examples:
        collect(example.answer)
    single = {k for k, v in shown.items() if v and all(re.fullmatch(r"[A-Z][\w'-]*", s) for s in v)}
    if not single:
        return value

    def shorten(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (v.split()[0] if k in single and isinstance(v, str) and v else shorten(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [shorten(x) for x in node]
        return node

    return shorten(value)
