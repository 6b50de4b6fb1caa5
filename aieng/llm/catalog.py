"""Model aliases, prices and course-model profiles, read from ``models.toml``.

Example:
    >>> resolve_model("chat-small", provider="course")
    'course-mini'
    >>> round(cost_usd("course-mini", prompt_tokens=1_000_000, completion_tokens=0), 2)
    0.15
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aieng.errors import UserError

CATALOG_FILE = Path(__file__).with_name("models.toml")
PROVIDERS = ("course", "openai", "compatible")


@dataclass(frozen=True)
class CourseModelProfile:
    """How one of the course model's models behaves."""

    name: str
    kind: str
    context_window: int
    max_output_tokens: int = 0
    latency_ms: float = 0.0
    ms_per_token: float = 0.0
    quality: str = "basic"
    dimensions: int = 0


@cache
def _catalog() -> dict:
    return tomllib.loads(CATALOG_FILE.read_text())


def aliases(provider: str) -> dict[str, str]:
    """The alias -> model name map of one provider, with env overrides applied."""
    if provider not in PROVIDERS:
        raise UserError(f"unknown provider {provider!r}: choose one of {', '.join(PROVIDERS)}")
    table = dict(_catalog()["aliases"][provider])
    for alias in table:
        override = os.environ.get("AIENG_MODEL_" + alias.upper().replace("-", "_"))
        if override:
            table[alias] = override
    return table


def resolve_model(name: str, provider: str = "course") -> str:
    """Turn an alias into the provider's model name; real names pass through."""
    return aliases(provider).get(name, name)


def price(model: str) -> tuple[float, float]:
    """(input, output) US dollars per million tokens; (0, 0) when unknown."""
    entry = _catalog()["prices"].get(model)
    return (entry["input"], entry["output"]) if entry else (0.0, 0.0)


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """What a call would cost at list price."""
    price_in, price_out = price(model)
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000


def course_models() -> dict[str, CourseModelProfile]:
    """The course model's models by name."""
    return {
        name: CourseModelProfile(name=name, **fields)
        for name, fields in _catalog()["course_models"].items()
    }
