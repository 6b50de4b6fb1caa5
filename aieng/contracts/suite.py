"""Regression suites: run a contract over golden cases, score each field, compare versions.

``run_suite`` runs every case (once per seed) and scores it with the spec.
A case the model refused, or whose output still broke the schema after the
repair, has no output: it scores 0 on every field it is scored on, fails, and
its row says why (``refused`` / ``error``). The one exception is a case marked
``expect_refusal``: there a refusal passes with 1.0 on every field, and an
answer fails with 0.

``SuiteReport`` gives per-field accuracy (the mean score over the rows that
score the field), the pass rate (a row passes when every scored field is
1.0), a DataFrame, a bar chart, ``flips`` between two versions, and
``spread``: how much the outputs vary across seeds at temperature > 0.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import openai

from aieng.contracts.contract import PromptContract
from aieng.contracts.runner import run_contract
from aieng.contracts.scoring import Case, Spec, normalise, score_fields
from aieng.contracts.trace import ContractFailed

logger = logging.getLogger(__name__)

PROGRESS_AFTER = 5  # show a progress bar for more rows than this


@dataclass(frozen=True)
class CaseRow:
    """One case run once (with one seed) and scored.

    Attributes:
        id, kind, split: from the case.
        seed: the seed used (None: the provider's default).
        scores: field -> score in [0, 1], for the scored fields the case names.
        passed: every scored field is 1.0 (and no refusal or error, unless a refusal was expected).
        refused: the model refused.
        error: why there is no output (the refusal text, or the contract failure), else None.
        output: the output as plain JSON data (None without one).
        attempts: requests made (2 means the repair was needed).
        cleaned: the accepted reply needed cleaning (code fence or remark).
    """

    id: str
    kind: str
    split: str
    seed: int | None
    scores: dict[str, float]
    passed: bool
    refused: bool = False
    error: str | None = None
    output: dict | None = None
    attempts: int = 0
    cleaned: bool = False


@dataclass(frozen=True)
class Flip:
    """A case that passed in one report and failed in the other, with the fields that changed."""

    id: str
    seed: int | None
    before: bool
    after: bool
    changed: dict[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class Spread:
    """How outputs vary across seeds (nondeterminism, measured).

    Attributes:
        seeds: how many seeds each case ran with.
        cases: cases run with more than one seed.
        fields: field -> share of those cases whose value differs between seeds.
        passed: share of those cases that passed with some seeds and failed with others.
        invalid: rows whose output still broke the schema after the repair.
        refused: rows the model refused.
        repaired: rows that needed the repair attempt.
        cleaned: rows whose accepted reply needed cleaning (fence or remark).
    """

    seeds: int
    cases: int
    fields: dict[str, float]
    passed: float
    invalid: int
    refused: int
    repaired: int
    cleaned: int


@dataclass(frozen=True)
class SuiteReport:
    """Rows of one suite run, and what they add up to."""

    contract: str
    version: str
    fields: tuple[str, ...]
    rows: tuple[CaseRow, ...] = field(default_factory=tuple)

    def field_accuracy(self) -> dict[str, float]:
        """Mean score per field over the rows that score it."""
        accuracy = {}
        for name in self.fields:
            scores = [row.scores[name] for row in self.rows if name in row.scores]
            if scores:
                accuracy[name] = sum(scores) / len(scores)
        return accuracy

    @property
    def pass_rate(self) -> float:
        """Share of rows that passed (0.0 for an empty report)."""
        return sum(row.passed for row in self.rows) / len(self.rows) if self.rows else 0.0

    def to_frame(self):
        """A pandas DataFrame: one row per case (and seed), one column per field."""
        import pandas as pd

        records = [
            {
                "id": row.id,
                "kind": row.kind,
                "split": row.split,
                "seed": row.seed,
                **{name: row.scores.get(name) for name in self.fields},
                "passed": row.passed,
                "refused": row.refused,
                "error": row.error,
            }
            for row in self.rows
        ]
        columns = ["id", "kind", "split", "seed", *self.fields, "passed", "refused", "error"]
        return pd.DataFrame.from_records(records, columns=columns)

    def plot(self, threshold: float | None = None):
        """A matplotlib Figure of per-field accuracy, with a dashed threshold line if given."""
        from matplotlib.figure import Figure

        accuracy = self.field_accuracy()
        figure = Figure(figsize=(max(4.0, 0.9 * len(accuracy) + 2), 3.5))
        axes = figure.add_subplot()
        bars = axes.bar(list(accuracy), list(accuracy.values()), color="#4C72B0")
        axes.bar_label(bars, fmt="%.2f", fontsize=8)
        if threshold is not None:
            axes.axhline(threshold, color="#C44E52", linestyle="--", label=f"gate {threshold:g}")
            axes.legend(loc="lower right")
        axes.set_ylim(0, 1.08)
        axes.set_ylabel("accuracy")
        axes.set_title(f"{self.contract}@{self.version}: pass rate {self.pass_rate:.0%}")
        axes.tick_params(axis="x", labelrotation=30)
        figure.tight_layout()
        return figure

    def table(self) -> str:
        """A plain-text per-field table with the pass rate, for terminals and logs."""
        accuracy = self.field_accuracy()
        width = max([len("field"), *map(len, accuracy)])
        lines = [f"{'field':<{width}}  accuracy", f"{'-' * width}  --------"]
        lines += [f"{name:<{width}}  {value:8.3f}" for name, value in accuracy.items()]
        passed = sum(row.passed for row in self.rows)
        lines.append(f"pass rate: {self.pass_rate:.3f} ({passed}/{len(self.rows)} rows)")
        return "\n".join(lines)

    def flips(self, other: SuiteReport) -> list[Flip]:
        """Cases (matched by id and seed) that went pass -> fail or fail -> pass in ``other``."""
        mine = {(row.id, row.seed): row for row in self.rows}
        flips = []
        for row in other.rows:
            old = mine.get((row.id, row.seed))
            if old is None or old.passed == row.passed:
                continue
            names = sorted(set(old.scores) | set(row.scores))
            changed = {
                n: (old.scores.get(n), row.scores.get(n))
                for n in names
                if old.scores.get(n) != row.scores.get(n)
            }
            flips.append(Flip(row.id, row.seed, old.passed, row.passed, changed))
        return flips

    def spread(self) -> Spread:
        """Per-field share of cases whose value differs across seeds, and what needed fixing."""
        by_case: dict[str, list[CaseRow]] = {}
        for row in self.rows:
            by_case.setdefault(row.id, []).append(row)
        multi = [rows for rows in by_case.values() if len(rows) > 1]
        fields = {}
        for name in self.fields:
            differing = sum(len({_canonical(r, name) for r in rows}) > 1 for rows in multi)
            fields[name] = differing / len(multi) if multi else 0.0
        mixed = sum(len({r.passed for r in rows}) > 1 for rows in multi)
        return Spread(
            seeds=max((len(rows) for rows in by_case.values()), default=0),
            cases=len(multi),
            fields=fields,
            passed=mixed / len(multi) if multi else 0.0,
            invalid=sum(r.error is not None and not r.refused for r in self.rows),
            refused=sum(r.refused for r in self.rows),
            repaired=sum(r.attempts > 1 for r in self.rows),
            cleaned=sum(r.cleaned for r in self.rows),
        )


def _canonical(row: CaseRow, name: str) -> str:
    """A comparable form of one field's value (normalised; no output is its own value)."""
    if row.output is None:
        return "<no output>"
    value = row.output.get(name)
    if isinstance(value, list):
        value = [normalise(v) for v in value]
    return json.dumps(normalise(value), sort_keys=True, default=str)


def _row(case: Case, spec: Spec, seed: int | None, result=None, failure=None) -> CaseRow:
    """Score one run of one case; ``result`` is a ContractResult, ``failure`` a ContractFailed."""
    base = {"id": case.id, "kind": case.kind, "split": case.split, "seed": seed}
    names = [n for n in spec.scored_fields if n in case.expected]
    if failure is not None:
        scores = dict.fromkeys(names, 0.0)
        return CaseRow(
            **base, scores=scores, passed=False, error=str(failure), attempts=len(failure.trace)
        )
    trace = result.attempts
    extra = {"attempts": len(trace), "cleaned": trace.cleaned}
    if result.refused:
        scores = dict.fromkeys(names, 1.0 if case.expect_refusal else 0.0)
        return CaseRow(
            **base,
            scores=scores,
            passed=case.expect_refusal,
            refused=True,
            error=f"refused: {result.refusal}",
            **extra,
        )
    output = result.output
    data = output.model_dump(mode="json") if hasattr(output, "model_dump") else dict(output)
    if case.expect_refusal:
        scores = dict.fromkeys(names, 0.0)
        return CaseRow(
            **base,
            scores=scores,
            passed=False,
            error="answered; expected a refusal",
            output=data,
            **extra,
        )
    scores = score_fields(spec, case.expected, data)
    passed = all(score >= 1.0 - 1e-9 for score in scores.values())
    return CaseRow(**base, scores=scores, passed=passed, output=data, **extra)


def run_suite(
    contract: PromptContract,
    cases: Iterable[Case],
    spec: Spec,
    *,
    client: openai.OpenAI | None = None,
    seeds: Sequence[int | None] = (None,),
    temperature: float | None = None,
    progress: bool | None = None,
    mode: str = "auto",
) -> SuiteReport:
    """Run ``contract`` on every case (once per seed) and score the outputs.

    Args:
        contract: the contract under test.
        cases: golden cases (``load_cases``).
        spec: the scoring spec (``load_spec``).
        client: an ``openai.OpenAI``; ``aieng.llm.client()`` when None.
        seeds: one run per seed; several seeds with ``temperature > 0`` measure the spread.
        temperature: overrides the contract's temperature.
        progress: show a tqdm bar (None: only for more than a few runs).
        mode: ``"auto"``, ``"json_schema"`` or ``"json_object"`` (see ``run_contract``).

    Raises:
        ContractInputError: a case's input is empty or over the token budget.
        RateLimited, ProviderError: the provider failed (the suite stops).
    """
    cases = list(cases)
    seeds = list(seeds) or [None]
    if client is None:
        from aieng.llm import client as make_client

        client = make_client()
    runs = [(case, seed) for case in cases for seed in seeds]
    if progress is None:
        progress = len(runs) > PROGRESS_AFTER
    from tqdm.auto import tqdm

    rows = []
    for case, seed in tqdm(runs, desc=f"{contract.name}@{contract.version}", disable=not progress):
        try:
            result = run_contract(
                contract, case.input, client=client, seed=seed, temperature=temperature, mode=mode
            )
        except ContractFailed as failure:
            logger.info("case %s: %s", case.id, failure)
            rows.append(_row(case, spec, seed, failure=failure))
            continue
        rows.append(_row(case, spec, seed, result=result))
    return SuiteReport(contract.name, contract.version, tuple(spec.scored_fields), tuple(rows))
