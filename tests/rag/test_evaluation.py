"""Retrieval metrics on tiny hand-computed examples, the miss log and the comparison helpers."""

from __future__ import annotations

import json
import math

import pytest

from aieng.errors import UserError
from aieng.rag import comparison_table, evaluate, load_golden, plot_comparison
from aieng.rag.chunking import Chunk
from aieng.rag.documents import DocumentMetadata
from aieng.rag.evaluation import (
    GoldenQuestion,
    RelevantPassage,
    matching_items,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)

META = DocumentMetadata(access_groups=("staff",))


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(cid, cid.split("#")[0], cid.split("#")[0].title(), text, (), 0, len(text), META)


def test_metrics_by_hand():
    matches = [set(), {0}, {1}, {0}]  # ranks 2 and 3 find the two relevant items
    assert recall_at_k(matches, 2, 1) == 0.0
    assert recall_at_k(matches, 2, 2) == 0.5
    assert recall_at_k(matches, 2, 3) == 1.0
    assert reciprocal_rank(matches) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(matches, 2, 3) == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / ideal)
    assert ndcg_at_k(matches, 2, 4) == pytest.approx(ndcg_at_k(matches, 2, 3))  # a repeat gains 0
    assert ndcg_at_k([{0}, {1}], 2, 10) == 1.0
    assert ndcg_at_k([{0}], 3, 1) == 1.0  # the ideal list is cut at k too
    assert (recall_at_k([], 1, 5), reciprocal_rank([]), ndcg_at_k([set()], 1, 5)) == (0, 0, 0)
    with pytest.raises(UserError):
        recall_at_k([{0}], 0, 5)


def test_a_chunk_matches_by_document_and_passage():
    relevant = [
        RelevantPassage(doc_id="pwd", passage="at least 16 characters"),
        RelevantPassage(doc_id="mfa"),
    ]
    assert matching_items(
        _chunk("pwd#0", "Passwords need **at least 16\ncharacters**."), relevant
    ) == {0}
    assert matching_items(_chunk("pwd#1", "Passwords never expire."), relevant) == frozenset()
    assert matching_items(_chunk("mfa#3", "Anything at all."), relevant) == {1}
    assert matching_items(_chunk("wifi#0", "at least 16 characters"), relevant) == frozenset()


def test_a_passage_cut_by_a_chunk_boundary_matches_both_sides():
    passage = (
        "Late returns block your account from further loans for seven days after the due date."
    )
    relevant = [RelevantPassage(doc_id="loan", passage=passage)]
    head = _chunk("loan#0", "Some lead in. Late returns block your account from further loans")
    tail = _chunk("loan#1", "for seven days after the due date. Then more text.")
    sliver = _chunk("loan#2", "the due date. Then more text.")
    assert matching_items(head, relevant) == {0} and matching_items(tail, relevant) == {0}
    assert matching_items(sliver, relevant) == frozenset()  # under half of the passage


GOLDEN = [
    GoldenQuestion(
        id="q1",
        question="password length",
        asker_groups=["staff"],
        relevant=[RelevantPassage(doc_id="pwd", passage="16 characters")],
        kind="fact",
    ),
    GoldenQuestion(
        id="q2",
        question="mfa phone",
        asker_groups=["staff"],
        relevant=[RelevantPassage(doc_id="mfa"), RelevantPassage(doc_id="pwd", passage="expire")],
    ),
    GoldenQuestion(
        id="q3", question="capital of France", asker_groups=["staff"], kind="unanswerable"
    ),
]
RANKED = {
    "password length": [_chunk("wifi#0", "eduroam"), _chunk("pwd#0", "Use 16 characters.")],
    "mfa phone": [_chunk("mfa#0", "Add the new phone first."), _chunk("mfa#1", "Lost phones.")],
    "capital of France": [_chunk("wifi#0", "eduroam")],
}


def _fake_search(question, k, groups):
    assert groups == ["staff"]
    return RANKED[question][:k]


def test_evaluate_rows_aggregates_and_misses():
    evaluation = evaluate(_fake_search, GOLDEN, k=2)
    metrics = evaluation.metrics()
    assert metrics["questions"] == 2  # the unanswerable one is left out
    assert metrics["recall@2"] == pytest.approx((1.0 + 0.5) / 2)
    assert metrics["mrr"] == pytest.approx((0.5 + 1.0) / 2)
    assert metrics["ndcg@2"] == pytest.approx((1 / math.log2(3) + 1 / (1 + 1 / math.log2(3))) / 2)
    assert evaluation.metrics(1)["recall@1"] == pytest.approx((0 + 0.5) / 2)
    with pytest.raises(UserError):
        evaluation.metrics(5)
    misses = evaluation.misses()
    assert [m.id for m in misses] == ["q2"]
    assert misses[0].expected == ("pwd: expire",)
    assert misses[0].retrieved[0].startswith("mfa#0 (Mfa): Add the new phone")
    assert [m.id for m in evaluation.misses(1)] == ["q1", "q2"]
    frame = evaluation.to_frame()
    assert list(frame["id"]) == ["q1", "q2", "q3"] and frame.loc[0, "retrieved"] == [
        "wifi#0",
        "pwd#0",
    ]


def test_comparison_table_and_plot(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    import matplotlib

    matplotlib.use("Agg")
    good = evaluate(_fake_search, GOLDEN, k=2)
    reversed_search = lambda q, k, groups: list(reversed(RANKED[q]))[:k]  # noqa: E731
    table = comparison_table(
        {"good": good, "reversed": evaluate(reversed_search, GOLDEN, k=2)}, ks=(1, 2)
    )
    assert list(table.columns) == ["recall@1", "ndcg@1", "recall@2", "ndcg@2", "mrr"]
    assert table.loc["good", "recall@1"] == 0.25 and table.loc["reversed", "recall@1"] == 0.75
    ax = plot_comparison(table)
    assert len(ax.patches) == 10 and ax.get_ylim() == (0, 1)
    ax.figure.savefig(tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_load_golden_validates_each_line(tmp_path):
    rows = [
        {
            "id": "a",
            "question": "q?",
            "asker_groups": ["x"],
            "relevant": [{"doc_id": "d", "passage": "p"}],
            "answer": "p",
            "kind": "fact",
            "split": "visible",
        },
        {
            "id": "b",
            "question": "q2?",
            "asker_groups": ["x"],
            "relevant": [],
            "answer": None,
            "kind": "unanswerable",
            "split": "hidden",
        },
    ]
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    loaded = load_golden(path)
    assert (
        [q.id for q in loaded] == ["a", "b"] and loaded[0].answerable and not loaded[1].answerable
    )
    assert [q.id for q in load_golden(path, split="hidden")] == ["b"]
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"id": "c"}) + "\n")
    with pytest.raises(UserError, match="golden.jsonl:2"):
        load_golden(path)
