"""Fusion, reranking and the hybrid retriever on the IT service desk corpus."""

from __future__ import annotations

import numpy as np
import pytest

from aieng.errors import UserError
from aieng.rag import RetrieverConfig, fuse_rankings, llm_rerank, mmr_rerank
from aieng.rag.ranking import SearchResult


def test_rrf_matches_the_formula_by_hand():
    fused = dict(fuse_rankings([["a", "b", "c"], ["c", "a", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["d"] == pytest.approx(1 / 63)
    assert [item for item, _ in fuse_rankings([["a", "b", "c"], ["c", "a", "d"]])] == list("acbd")


def test_rrf_weights_ties_and_repeats():
    assert fuse_rankings([["x", "y"], ["y", "x"]], k=0) == [
        ("x", 1.5),
        ("y", 1.5),
    ]  # first seen wins
    weighted = fuse_rankings([["x", "y"], ["y", "x"]], k=0, weights=[1.0, 3.0])
    assert weighted == [("y", 3.5), ("x", 2.5)]
    assert fuse_rankings([["x", "x", "y"]], k=0) == [("x", 1.0), ("y", 1 / 3)]
    assert fuse_rankings([]) == []
    with pytest.raises(UserError):
        fuse_rankings([["x"]], weights=[1.0, 2.0])


def test_mmr_trades_relevance_for_diversity():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    relevance = [1.0, 0.9, 0.5]
    # lambda 0.5: after d0, d1 scores .45 - .5 * 1 = -.05 and d2 .25 - 0 = .25
    assert mmr_rerank(None, vectors, 3, lambda_=0.5, relevance=relevance) == [0, 2, 1]
    assert mmr_rerank(None, vectors, 3, lambda_=1.0, relevance=relevance) == [0, 1, 2]
    query = np.array([0.8, 0.6])  # cosine relevance when none is given: .8, .8, .6
    assert mmr_rerank(query, vectors, 2, lambda_=0.5) == [0, 2]
    assert mmr_rerank(query, vectors, 0) == []
    with pytest.raises(UserError):
        mmr_rerank(query, vectors, 2, lambda_=1.5)


def _results(*ids):
    from aieng.rag.chunking import Chunk
    from aieng.rag.documents import DocumentMetadata

    meta = DocumentMetadata(access_groups=("staff",))
    return [
        SearchResult(Chunk(i, i.split("#")[0], "T", f"text {i}", (), 0, 6, meta), 1.0 / n, n)
        for n, i in enumerate(ids, start=1)
    ]


def test_llm_rerank_follows_the_model_and_ignores_invented_ids(scripted_client):
    client = scripted_client("Most relevant:\n[c#1]\n[a#0]\n[zzz#9]")
    reranked = llm_rerank(client, "question?", _results("a#0", "b#0", "c#1"), model="m")
    assert [r.chunk.id for r in reranked] == ["c#1", "a#0", "b#0"]
    assert [r.rank for r in reranked] == [1, 2, 3]
    prompt = client.requests[0]["messages"][-1]["content"]
    assert "[a#0] text a#0" in prompt and "question?" in prompt
    assert client.requests[0]["model"] == "m"


def test_llm_rerank_does_not_confuse_prefix_ids(scripted_client):
    client = scripted_client("[a#10] then [a#1]")
    reranked = llm_rerank(client, "q", _results("a#1", "a#10", "a#100"))
    assert [r.chunk.id for r in reranked] == ["a#10", "a#1", "a#100"]


@pytest.mark.parametrize(
    ("query", "groups", "doc_id"),
    [
        ("How long must a password be?", {"everyone"}, "ITD-PWD-2"),
        ("colour page price for students", {"students"}, "ITD-PRINT"),
        ("How long before an idle VPN session ends?", {"staff"}, "ITD-VPN"),
        ("who may enter the Hawthorn data centre", {"it-admins"}, "ITD-SRV"),
        ("how often is the data protection course repeated", {"faculty"}, "ITD-DPT"),
        ("eduroam certificate domain", {"students", "everyone"}, "ITD-WIFI"),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_right_document(retriever, query, groups, doc_id, mode):
    results = retriever.variant(mode=mode).search(query, k=3, groups=groups)
    assert results and results[0].chunk.doc_id == doc_id
    assert [r.rank for r in results] == list(range(1, len(results) + 1))
    assert all(a.score >= b.score for a, b in zip(results, results[1:], strict=False))


def test_hybrid_is_the_fusion_of_dense_and_bm25(retriever):
    query, groups = "what happens to my files after graduation", {"students"}
    deep = 200
    dense = retriever.variant(mode="dense").search(query, k=deep, groups=groups)
    sparse = retriever.variant(mode="bm25").search(query, k=deep, groups=groups)
    expected = fuse_rankings([[r.chunk.id for r in dense], [r.chunk.id for r in sparse]])
    hybrid = retriever.search(query, k=5, groups=groups)
    assert [r.chunk.id for r in hybrid] == [cid for cid, _ in expected[:5]]
    assert [r.score for r in hybrid] == pytest.approx([s for _, s in expected[:5]])
    assert all(r.dense_score is not None for r in hybrid)


def test_mmr_rerank_reorders_but_keeps_the_pool(retriever):
    plain = retriever.search("password rules", k=20, groups={"everyone"})
    mmr = retriever.variant(rerank="mmr").search("password rules", k=5, groups={"everyone"})
    assert {r.chunk.id for r in mmr} <= {r.chunk.id for r in plain}
    assert mmr[0].chunk.id == plain[0].chunk.id
    assert len({r.chunk.id for r in mmr}) == 5


def test_bad_configs_and_empty_queries(retriever):
    with pytest.raises(UserError):
        RetrieverConfig(mode="magic")
    with pytest.raises(UserError):
        RetrieverConfig(rerank="cross-encoder")
    with pytest.raises(UserError, match="groups"):
        retriever.search("password", k=3, groups=None)
    assert retriever.search("   ", k=3, groups={"everyone"}) == []
    assert retriever.search("password", k=3, groups=set()) == []


def test_a_custom_reranker_reorders_but_cannot_add(retriever, scripted_client, corpus_chunks):
    from functools import partial

    plain = retriever.search("laptop loan period", k=20, groups={"students"})
    last = plain[-1].chunk.id
    client = scripted_client(f"[{last}]\n[ITD-BUDGET#0]")  # a restricted chunk it never got
    reranked = retriever.variant(rerank=partial(llm_rerank, client)).search(
        "laptop loan period", k=3, groups={"students"}
    )
    assert reranked[0].chunk.id == last and [r.rank for r in reranked] == [1, 2, 3]
    assert all("ITD-BUDGET" not in r.chunk.id for r in reranked)

    def smuggler(query, results):  # tries to add a chunk the caller may not see
        return [next(c for c in corpus_chunks if c.doc_id == "ITD-BUDGET"), *results]

    smuggled = retriever.variant(rerank=smuggler).search("laptop", k=5, groups={"students"})
    assert smuggled and all("students" in r.chunk.metadata.access_groups for r in smuggled)
