"""Golden cases and per-field scoring for regression suites.

A golden set is two files: ``cases.jsonl`` (one ``Case`` a line: id, split,
kind, input, expected fields, note) and ``spec.json`` (how each field is
scored). Scoring kinds, each giving a score in [0, 1]:

    exact     normalised equality (strings case-insensitive, spaces collapsed; null == null)
    number    within 0.01
    date      the same ISO day ("2026-03-03"; a date or datetime counts as its day)
    keywords  share of the expected strings found in the output's text (case-insensitive)
    absent    share of the expected strings NOT found in the output's text
    set       F1 of normalised string items (both empty: 1.0)
    items     F1 over objects: an output item counts when its ``key`` subfield contains,
              or is contained in, an expected item's, and the listed ``fields`` are equal
              (numbers within 0.01); greedy one-to-one matching (both empty: 1.0)
    ignore    not scored

Example:
    >>> score_value(FieldSpec(score="set"), ["a", "b"], ["B", "c"])
    0.5
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from aieng.errors import UserError

TOLERANCE = 0.01
ScoreKind = Literal["exact", "number", "date", "keywords", "absent", "set", "items", "ignore"]


class Case(BaseModel):
    """One golden case (a line of ``cases.jsonl``).

    ``expect_refusal`` (optional, default false) marks a case the contract must refuse:
    a refusal then passes and scores 1.0 on every field.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    split: str = "dev"
    kind: str = "typical"
    input: str
    expected: dict[str, Any] = {}
    note: str = ""
    expect_refusal: bool = False


class FieldSpec(BaseModel):
    """How one field is scored."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    score: ScoreKind
    values: list[Any] | None = None
    key: str | None = None
    fields: list[str] = []

    @model_validator(mode="after")
    def _items_need_a_key(self) -> FieldSpec:
        if self.score == "items" and not self.key:
            raise ValueError('"items" scoring needs "key": the subfield that matches items')
        return self


class Spec(BaseModel):
    """A task's scoring spec (``spec.json``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    task: str
    description: str = ""
    rules: list[str] = []
    policy: list[str] = []
    fields: dict[str, FieldSpec]

    def guide(self) -> str:
        """The task's labelling guide as a person reads it: fields, values, rules, policy."""
        lines = [f"{self.task}: {self.description}", ""]
        for name, field in self.fields.items():
            values = f" one of {field.values}" if field.values is not None else ""
            lines.append(f"  {name}: scored {field.score}{values}")
        for heading, items in (("rules", self.rules), ("policy", self.policy)):
            if items:
                lines += ["", f"{heading}:", *(f"  - {item}" for item in items)]
        return "\n".join(lines)

    @property
    def scored_fields(self) -> list[str]:
        """The fields that count (all but ``ignore``), in spec order."""
        return [name for name, f in self.fields.items() if f.score != "ignore"]


def load_cases(path: str | Path, split: str | None = None) -> list[Case]:
    """Read ``cases.jsonl``; ``split`` keeps only ``"dev"`` or ``"test"`` (None or "all": all).

    Raises:
        UserError: the file is unreadable, a line is not a case (the message names the line),
            or two cases share an id.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read the cases file {path}: {exc.strerror or exc}") from None
    cases, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise UserError(f"{path}:{number}: not a golden case: {exc}") from None
        if case.id in seen:
            raise UserError(f"{path}:{number}: the case id {case.id!r} appears twice")
        seen.add(case.id)
        if split in (None, "all") or case.split == split:
            cases.append(case)
    return cases


def load_spec(path: str | Path) -> Spec:
    """Read ``spec.json``.

    Raises:
        UserError: unreadable, not JSON, or not a spec (e.g. an unknown scoring kind).
    """
    try:
        return Spec.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except OSError as exc:
        raise UserError(f"cannot read the spec file {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, ValidationError) as exc:
        raise UserError(f"{path} is not a scoring spec: {exc}") from None


def normalise(value: Any) -> Any:
    """Strings case-folded with spaces collapsed; dates as ISO days; other values unchanged."""
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return value


def as_text(value: Any) -> str:
    """A value as lower-case text for keyword checks (lists and objects as JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.casefold()
    return json.dumps(value, ensure_ascii=False, default=str).casefold()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equal(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    a, b = _number(expected), _number(got)
    if a is not None and b is not None and not isinstance(expected, str):
        return abs(a - b) <= TOLERANCE + 1e-9
    return normalise(expected) == normalise(got)


def _day(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, str):
        text = value.strip()[:10]
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return value.strip()
    return None


def _f1(matched: int, n_expected: int, n_output: int) -> float:
    if n_expected == 0 and n_output == 0:
        return 1.0
    if matched == 0:
        return 0.0
    precision, recall = matched / n_output, matched / n_expected
    return 2 * precision * recall / (precision + recall)


def _items(spec: FieldSpec, expected: list, got: list) -> float:
    used: set[int] = set()
    matched = 0
    for want in expected:
        key = normalise(str(want.get(spec.key, ""))) if isinstance(want, dict) else ""
        for index, item in enumerate(got):
            if index in used or not isinstance(item, dict) or not key:
                continue
            other = normalise(str(item.get(spec.key) or ""))
            if not other or (key not in other and other not in key):
                continue
            if all(_equal(want.get(f), item.get(f)) for f in spec.fields):
                used.add(index)
                matched += 1
                break
    return _f1(matched, len(expected), len(got))


def score_value(spec: FieldSpec, expected: Any, got: Any) -> float:
    """The score in [0, 1] of one output value against the expected one."""
    kind = spec.score
    if kind == "exact":
        return float(_equal(expected, got) if expected is not None else got is None)
    if kind == "number":
        if expected is None or got is None:
            return float(expected is None and got is None)
        a, b = _number(expected), _number(got)
        return float(a is not None and b is not None and abs(a - b) <= TOLERANCE + 1e-9)
    if kind == "date":
        return float(_day(expected) == _day(got))
    if kind in ("keywords", "absent"):
        words = [str(w).casefold() for w in (expected or [])]
        if not words:
            return 1.0
        text = as_text(got)
        found = sum(w in text for w in words)
        return (found if kind == "keywords" else len(words) - found) / len(words)
    if kind == "set":
        want = {normalise(str(v)) for v in (expected or [])}
        have = {normalise(str(v)) for v in (got or []) if v is not None}
        return _f1(len(want & have), len(want), len(have))
    if kind == "items":
        return _items(spec, list(expected or []), list(got or []))
    raise UserError(f"unknown scoring kind {kind!r}")


def score_fields(spec: Spec, expected: dict, output: Any) -> dict[str, float]:
    """Score every scored field that ``expected`` names; an output of None scores 0 on each.

    Args:
        spec: the scoring spec.
        expected: the case's expected values by field.
        output: the contract's output (a dict or a pydantic instance), or None.
    """
    if isinstance(output, BaseModel):
        output = output.model_dump(mode="json")
    scores = {}
    for name in spec.scored_fields:
        if name not in expected:
            continue
        if not isinstance(output, dict):
            scores[name] = 0.0
            continue
        scores[name] = score_value(spec.fields[name], expected[name], output.get(name))
    return scores
