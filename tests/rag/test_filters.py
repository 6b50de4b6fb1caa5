"""Permissions (a property-style check), metadata filters and freshness."""

from __future__ import annotations

import logging
import random
import re
from datetime import date

import numpy as np
import pytest

from aieng.rag import Freshness, HybridRetriever, MetadataFilter, load_corpus
from aieng.rag.chunking import chunk_by_headings
from aieng.rag.documents import Document, DocumentMetadata
from aieng.rag.filters import ChunkFilter, Selection, enforce_permissions, permitted


def _vocabulary(chunks) -> list[str]:
    words = sorted({w for c in chunks for w in re.findall(r"[A-Za-z]{4,}", c.text)})
    return words


def _hammer(retriever, truth: dict[str, set[str]], seed: int, rounds: int) -> int:
    """Random callers, queries and settings; every result must be visible to its caller."""
    rng = random.Random(seed)
    groups = sorted({g for gs in truth.values() for g in gs}) + ["nobody", "contractors"]
    vocabulary = _vocabulary(retriever.chunks)
    departments = sorted({c.metadata.department for c in retriever.chunks})
    returned = 0
    for _ in range(rounds):
        caller = {rng.choice([g, g.upper()]) for g in rng.sample(groups, rng.randint(0, 3))}
        query = " ".join(rng.sample(vocabulary, rng.randint(1, 6)))
        variant = retriever.variant(
            mode=rng.choice(["hybrid", "dense", "bm25"]),
            rerank=rng.choice([None, "mmr"]),
            candidates=rng.choice([5, 50]),
        )
        where = rng.choice([None, MetadataFilter({"department": rng.choice(departments)})])
        freshness = Freshness(mode=rng.choice(["exclude", "demote", "ignore"]))
        k = rng.choice([1, 5, 20, 200])
        results = variant.search(query, k=k, groups=caller, where=where, freshness=freshness)
        lowered = {g.lower() for g in caller}
        for result in results:
            assert truth[result.chunk.doc_id] & lowered, (caller, query, result.chunk.id)
        returned += len(results)
    return returned


def _truth(folder) -> dict[str, set[str]]:
    """Each document's groups, read from the files again, independently of the chunks."""
    return {doc.id: set(doc.metadata.access_groups) for doc in load_corpus(folder).documents}


def test_no_caller_ever_sees_a_chunk_outside_their_groups(retriever, corpus_dir):
    assert _hammer(retriever, _truth(corpus_dir), seed=3, rounds=25) > 20


def test_no_leak_in_many_more_rounds_with_a_fast_embedder(corpus_chunks, corpus_dir, toy_embedder):
    fast = HybridRetriever(corpus_chunks, embedder=toy_embedder)
    assert _hammer(fast, _truth(corpus_dir), seed=4, rounds=300) > 300


def test_no_leak_on_the_handbook(handbook_retriever, handbook_dir):
    assert _hammer(handbook_retriever, _truth(handbook_dir), seed=5, rounds=150) > 100


def test_the_check_after_ranking_catches_a_broken_ranker(retriever, monkeypatch, caplog):
    """Even if selection and fusion were broken, nothing outside the groups comes out."""
    everything = np.arange(len(retriever.chunks))
    monkeypatch.setattr(ChunkFilter, "select", lambda self, *a, **k: Selection(everything))
    monkeypatch.setattr(
        "aieng.rag.ranking.fuse_rankings", lambda *a, **k: [(int(p), 1.0) for p in everything]
    )
    with caplog.at_level(logging.ERROR, logger="aieng.rag.filters"):
        results = retriever.search("password", k=len(everything), groups={"students"})
    assert results and all("students" in r.chunk.metadata.access_groups for r in results)
    assert any("dropped" in record.getMessage() for record in caplog.records)


def test_permitted_and_enforce(corpus_chunks):
    budget = next(c for c in corpus_chunks if c.doc_id == "ITD-BUDGET")
    assert permitted(budget, "IT-Admins") and not permitted(budget, {"staff", "everyone"})
    assert enforce_permissions([budget], {"staff"}) == []
    assert not permitted(budget, [])


def _ids(results) -> set[str]:
    return {r.chunk.doc_id for r in results}


def test_superseded_versions_are_excluded_by_default(retriever):
    results = retriever.search("password expiry reuse length", k=50, groups={"everyone"})
    assert "ITD-PWD-2" in _ids(results) and "ITD-PWD-1" not in _ids(results)


def test_superseded_versions_can_be_ranked_down_instead(retriever):
    demote = Freshness(mode="demote", demote_factor=0.0)
    results = retriever.search(
        "password expires every 180 days", k=50, groups={"everyone"}, freshness=demote
    )
    old = [r for r in results if r.chunk.doc_id == "ITD-PWD-1"]
    assert old and all(r.superseded and r.score == 0.0 for r in old)
    first_old = min(r.rank for r in old)
    assert all(r.rank < first_old for r in results if not r.superseded)
    plain = retriever.search(
        "password expires every 180 days",
        k=50,
        groups={"everyone"},
        freshness=Freshness(mode="ignore"),
    )
    assert any(r.chunk.doc_id == "ITD-PWD-1" and not r.superseded for r in plain)


def test_a_version_not_yet_in_force_supersedes_nothing(retriever):
    as_of = Freshness(as_of=date(2023, 1, 1))
    results = retriever.search("password expiry", k=50, groups={"everyone"}, freshness=as_of)
    assert "ITD-PWD-1" in _ids(results) and "ITD-PWD-2" not in _ids(results)


def _doc(doc_id, groups, supersedes=(), department="HR"):
    meta = DocumentMetadata(access_groups=groups, supersedes=supersedes, department=department)
    return Document(
        doc_id, doc_id, f"# {doc_id}\nLeave allowance is written here for {doc_id}.", meta
    )


def test_an_old_version_stays_visible_to_those_who_cannot_see_the_new_one(toy_embedder):
    docs = [_doc("leave-v1", ("staff", "managers")), _doc("leave-v2", ("managers",), ("leave-v1",))]
    chunks = [c for d in docs for c in chunk_by_headings(d)]
    retriever = HybridRetriever(chunks, embedder=toy_embedder)
    assert _ids(retriever.search("leave allowance", k=5, groups={"staff"})) == {"leave-v1"}
    assert _ids(retriever.search("leave allowance", k=5, groups={"managers"})) == {"leave-v2"}
    assert ChunkFilter(chunks).superseded({"managers"}) == {"leave-v1"}
    assert ChunkFilter(chunks).superseded({"staff"}) == set()


def test_metadata_filters(retriever):
    ops = MetadataFilter({"department": "it operations"})
    everyone = {"everyone", "staff", "students", "faculty", "it-staff", "it-admins"}
    results = retriever.search("procedure", k=50, groups=everyone, where=ops)
    assert _ids(results) == {"ITD-INC", "ITD-SRV", "ITD-BUDGET"}
    pdf_or_html = MetadataFilter({"format": ["pdf", "html"]})
    assert _ids(retriever.search("staff", k=50, groups=everyone, where=pdf_or_html)) <= {
        "ITD-DPT",
        "ITD-VPN",
        "ITD-INC",
        "ITD-SOFT",
    }
    recent = MetadataFilter(effective_from=date(2024, 4, 1))
    found = _ids(retriever.search("access", k=50, groups=everyone, where=recent))
    assert found and found <= {"ITD-SRV", "ITD-SOFT", "ITD-BUDGET", "ITD-DPT"}
    one = MetadataFilter({"doc_id": "ITD-MFA"})
    assert _ids(retriever.search("phone", k=50, groups=everyone, where=one)) == {"ITD-MFA"}


def test_freshness_settings_are_checked():
    with pytest.raises(ValueError):
        Freshness(mode="newest-only")
    with pytest.raises(ValueError):
        Freshness(demote_factor=2)
