"""Evaluating retrieval before generation: recall@k, MRR, nDCG@k and a miss log.

A golden question lists relevant items: a document id, and optionally a
passage quoted from it. A retrieved chunk matches an item when it belongs to
that document and, if a passage is given, contains it. Text is compared
after lower-casing and reducing punctuation and markup to spaces; a passage
cut by a chunk boundary still matches a chunk that holds at least half of it
at the cut. Metrics count items, not chunks, so two chunks of the same
relevant document do not double the gain:

- recall@k: the share of relevant items matched in the top k;
- reciprocal rank: 1 / the rank of the first matching chunk (0 if none);
- nDCG@k: binary gains, a chunk gains 1 only for an item not matched above it,
  divided by the ideal ``sum(1 / log2(i + 1) for i in 1..min(k, items))``.

Questions without relevant items (unanswerable) are left out of the averages.

Example:
    >>> recall_at_k([set(), {0}, {1}], n_relevant=2, k=2)
    0.5
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from aieng.errors import UserError
from aieng.rag.chunking import Chunk


class RelevantPassage(BaseModel):
    """One relevant item of a golden question: a document, and maybe a passage of it."""

    model_config = ConfigDict(extra="ignore")
    doc_id: str
    passage: str | None = None


class GoldenQuestion(BaseModel):
    """One line of a golden set (a record on disk, validated)."""

    model_config = ConfigDict(extra="ignore")
    id: str
    question: str
    asker_groups: list[str]
    relevant: list[RelevantPassage] = []
    answer: str | None = None
    kind: str = ""
    split: str = ""

    @property
    def answerable(self) -> bool:
        """Whether some document holds the answer."""
        return bool(self.relevant)


def load_golden(path: str | Path, split: str | None = None) -> list[GoldenQuestion]:
    """Read a JSONL golden set, optionally only one ``split``.

    Raises:
        UserError: a line is not valid JSON or lacks a required field; the message names the line.
    """
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = GoldenQuestion.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise UserError(f"{path}:{number}: not a golden question: {exc}") from exc
        if split is None or question.split == split:
            questions.append(question)
    return questions


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _holds(chunk_text: str, passage: str) -> bool:
    """Whether a normalised chunk holds a normalised passage, or half of it at a chunk edge."""
    if passage in chunk_text:
        return True
    words = passage.split()
    half = len(words) // 2
    if len(words) < 8:
        return False
    for size in range(len(words) - 1, half - 1, -1):
        head = " " + " ".join(words[:size]) + " "
        tail = " " + " ".join(words[-size:]) + " "
        if chunk_text.endswith(head) or chunk_text.startswith(tail):
            return True
    return False


def matching_items(chunk: Chunk, relevant: Sequence[RelevantPassage]) -> frozenset[int]:
    """Indices of the relevant items that ``chunk`` matches."""
    text = None
    hits = set()
    for index, item in enumerate(relevant):
        if chunk.doc_id != item.doc_id:
            continue
        if not item.passage:
            hits.add(index)
            continue
        text = text if text is not None else _norm(chunk.text)
        if _holds(text, _norm(item.passage)):
            hits.add(index)
    return frozenset(hits)


def recall_at_k(matches: Sequence[Collection[int]], n_relevant: int, k: int) -> float:
    """Share of the ``n_relevant`` items matched by the first ``k`` results.

    ``matches[i]`` is the set of relevant items the result at rank ``i + 1`` matches.
    """
    if n_relevant <= 0:
        raise UserError("recall is undefined without relevant items")
    found = set().union(*matches[:k]) if matches[:k] else set()
    return len(found) / n_relevant


def reciprocal_rank(matches: Sequence[Collection[int]]) -> float:
    """1 / the rank of the first result that matches any relevant item; 0 if none does."""
    for rank, hit in enumerate(matches, start=1):
        if hit:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(matches: Sequence[Collection[int]], n_relevant: int, k: int) -> float:
    """Binary nDCG@k where a result gains only for items not matched above it."""
    if n_relevant <= 0:
        raise UserError("nDCG is undefined without relevant items")
    seen: set[int] = set()
    dcg = 0.0
    for rank, hit in enumerate(matches[:k], start=1):
        new = set(hit) - seen
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, n_relevant) + 1))
    return dcg / ideal


@dataclass(frozen=True)
class QuestionResult:
    """What retrieval returned for one golden question, and what matched."""

    id: str
    question: str
    kind: str
    n_relevant: int
    retrieved: tuple[Chunk, ...]
    matches: tuple[frozenset[int], ...]
    expected: tuple[RelevantPassage, ...] = ()

    def metrics(self, k: int) -> dict[str, float]:
        """recall@k, reciprocal rank and nDCG@k (empty for unanswerable questions)."""
        if not self.n_relevant:
            return {}
        return {
            f"recall@{k}": recall_at_k(self.matches, self.n_relevant, k),
            "mrr": reciprocal_rank(self.matches[:k]),
            f"ndcg@{k}": ndcg_at_k(self.matches, self.n_relevant, k),
        }


@dataclass(frozen=True)
class Miss:
    """A question whose relevant passage was not retrieved, and what came back instead."""

    id: str
    question: str
    expected: tuple[str, ...]
    retrieved: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """Per-question results of one retriever on a golden set, searched to depth ``k``."""

    k: int
    rows: tuple[QuestionResult, ...]

    def metrics(self, k: int | None = None) -> dict[str, float]:
        """Averages over answerable questions at ``k`` (at most the search depth)."""
        k = self.k if k is None else k
        if k > self.k:
            raise UserError(f"searched to depth {self.k}; cannot report metrics at {k}")
        scored = [row.metrics(k) for row in self.rows if row.n_relevant]
        names = [f"recall@{k}", "mrr", f"ndcg@{k}"]
        averages = {n: sum(s[n] for s in scored) / len(scored) if scored else 0.0 for n in names}
        return {**averages, "questions": float(len(scored))}

    def misses(self, k: int | None = None) -> list[Miss]:
        """Answerable questions with a relevant item not matched in the top ``k``."""
        k = self.k if k is None else k
        log = []
        for row in self.rows:
            if not row.n_relevant or recall_at_k(row.matches, row.n_relevant, k) >= 1.0:
                continue
            found = set().union(*row.matches[:k]) if row.matches[:k] else set()
            expected = tuple(
                f"{item.doc_id}: {item.passage or '(whole document)'}"
                for i, item in enumerate(row.expected)
                if i not in found
            )
            retrieved = tuple(
                f"{c.id} ({c.title}): {' '.join(c.text.split())[:100]}" for c in row.retrieved[:k]
            )
            log.append(Miss(row.id, row.question, expected, retrieved))
        return log

    def to_frame(self, k: int | None = None):
        """One pandas row per question: id, kind, metrics, retrieved chunk ids."""
        import pandas as pd

        k = self.k if k is None else k
        records = [
            {
                "id": row.id,
                "kind": row.kind,
                "answerable": bool(row.n_relevant),
                **row.metrics(k),
                "retrieved": [c.id for c in row.retrieved[:k]],
            }
            for row in self.rows
        ]
        return pd.DataFrame.from_records(records)


Retriever = Any  # anything with .search(query, k=..., groups=...), or such a callable


def evaluate(retriever: Retriever, golden: Iterable[GoldenQuestion], k: int = 10) -> Evaluation:
    """Search every golden question as its asker and score what comes back.

    ``retriever`` has ``search(question, k=k, groups=asker_groups)`` returning
    ``SearchResult`` items (or chunks), or is a callable with that signature.
    """
    if k <= 0:
        raise UserError(f"k must be positive, got {k}")
    search: Callable = getattr(retriever, "search", retriever)
    rows = []
    for question in golden:
        found = search(question.question, k=k, groups=question.asker_groups)
        chunks = tuple(getattr(item, "chunk", item) for item in found)[:k]
        rows.append(
            QuestionResult(
                id=question.id,
                question=question.question,
                kind=question.kind,
                n_relevant=len(question.relevant),
                retrieved=chunks,
                matches=tuple(matching_items(c, question.relevant) for c in chunks),
                expected=tuple(question.relevant),
            )
        )
    return Evaluation(k=k, rows=tuple(rows))


def comparison_table(evaluations: Mapping[str, Evaluation], ks: Sequence[int] = (5, 10)):
    """A pandas table, one row per strategy: recall@k and nDCG@k for each ``k``, and MRR."""
    import pandas as pd

    records = {}
    for name, evaluation in evaluations.items():
        row: dict[str, float] = {}
        for k in ks:
            metrics = evaluation.metrics(k)
            row[f"recall@{k}"] = metrics[f"recall@{k}"]
            row[f"ndcg@{k}"] = metrics[f"ndcg@{k}"]
        row["mrr"] = evaluation.metrics(max(ks))["mrr"]
        records[name] = row
    return pd.DataFrame.from_dict(records, orient="index")


def plot_comparison(table, ax=None, title: str = "Retrieval strategies"):
    """A grouped bar chart of ``comparison_table`` output; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    table.plot.bar(ax=ax, rot=0, ylim=(0, 1))
    ax.set_title(title)
    ax.set_ylabel("score")
    ax.legend(loc="lower right", fontsize="small")
    return ax
