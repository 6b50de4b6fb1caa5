"""The dense (FAISS) and sparse (BM25) indexes, with filters applied inside the search."""

from __future__ import annotations

import numpy as np
import pytest

from aieng.errors import UserError
from aieng.rag import DenseIndex, SparseIndex
from aieng.rag.index import tokenize


@pytest.fixture(scope="module")
def unit_vectors():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(2_000, 32)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _exact(vectors, query, k, allowed=None):
    positions = np.arange(len(vectors)) if allowed is None else np.asarray(sorted(set(allowed)))
    scores = vectors[positions] @ query
    order = np.argsort(-scores)[:k]
    return [int(positions[i]) for i in order]


def test_flat_is_exact(unit_vectors):
    index = DenseIndex(unit_vectors)
    for q in range(5):
        hits = index.search(unit_vectors[q], 10)
        assert [p for p, _ in hits] == _exact(unit_vectors, unit_vectors[q], 10)
        assert hits[0] == (q, pytest.approx(1.0, abs=1e-5))


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_kinds_have_high_recall(unit_vectors, kind):
    index = DenseIndex(unit_vectors, kind=kind)
    queries = unit_vectors[:20] + 0.3 * unit_vectors[20:40]
    found = 0
    for query in queries:
        query = query / np.linalg.norm(query)
        truth = set(_exact(unit_vectors, query, 10))
        found += len(truth & {p for p, _ in index.search(query, 10)})
    assert found / 200 >= 0.8


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("exact_subset", [4096, 2])
def test_filters_apply_inside_the_search(unit_vectors, kind, exact_subset, monkeypatch):
    """Small filters are scored exactly; through FAISS's selector, results stay inside them."""
    monkeypatch.setattr("aieng.rag.index.EXACT_SUBSET", exact_subset)
    index = DenseIndex(unit_vectors, kind=kind, nprobe=1)
    rng = np.random.default_rng(1)
    for size in (1, 3, 40, 700):
        allowed = rng.choice(len(unit_vectors), size=size, replace=False)
        query = unit_vectors[int(rng.integers(len(unit_vectors)))]
        hits = index.search(query, 10, allowed=allowed)
        assert {p for p, _ in hits} <= set(allowed.tolist())
        assert len(hits) == min(10, size)  # a tight filter still fills k (exact fallback)
        if kind == "flat" or size <= exact_subset:
            assert [p for p, _ in hits] == _exact(unit_vectors, query, 10, allowed)
    assert index.search(unit_vectors[0], 5, allowed=[]) == []


def test_dense_index_refuses_bad_input(unit_vectors):
    with pytest.raises(UserError):
        DenseIndex(np.zeros((0, 4), dtype=np.float32))
    with pytest.raises(UserError, match="kind"):
        DenseIndex(unit_vectors, kind="lsh")
    with pytest.raises(UserError, match="dims"):
        DenseIndex(unit_vectors).search(np.ones(3), 2)
    assert DenseIndex(unit_vectors).nbytes > unit_vectors.nbytes


def test_tokenizer_stems_and_drops_stopwords():
    assert tokenize("The Renewals of borrowed BOOKS") == ["renewal", "borrow", "book"]
    assert tokenize("charged, charges and charging") == ["charg", "charg", "charg"]
    assert tokenize("VPN-2024 is on") == ["vpn", "2024"]


TEXTS = [
    "Laptops are lent for four hours from the lockers.",
    "The printing credit is 25 pounds per year; colour pages cost more.",
    "Password reset: use the self-service portal or visit the desk.",
    "Lockers on the ground floor hold the loan laptops and chargers.",
]


def test_bm25_ranks_by_matching_words():
    index = SparseIndex(TEXTS)
    hits = index.search("laptop loans", 4)
    assert [p for p, _ in hits][:2] in ([0, 3], [3, 0])
    assert all(score > 0 for _, score in hits) and 1 not in {p for p, _ in hits}
    assert index.search("password", 4)[0][0] == 2
    assert index.search("zebra crossing", 4) == []
    assert index.search("", 4) == []


def test_bm25_filters_before_ranking():
    index = SparseIndex(TEXTS)
    assert [p for p, _ in index.search("laptop lockers", 4, allowed=[1, 2, 3])] == [3]
    with pytest.raises(UserError):
        index.search("x", 2, allowed=[9])
    with pytest.raises(UserError):
        SparseIndex([])
