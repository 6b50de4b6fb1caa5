"""Ranking: reciprocal rank fusion, reranking, and the hybrid retriever that ties them together.

``HybridRetriever.search`` runs, in order: select the positions the caller may
see (permissions, metadata, freshness), search the dense and the BM25 index
within them, fuse the two rankings by RRF, rank superseded versions down (if
asked), rerank, cut to ``k`` and re-check permissions.

Rerankers that work offline: no cross-encoder ships with the course (its
weights would need a download), so the course reranks with MMR over the
embeddings it already has (``mmr_rerank``: relevance balanced against
redundancy) or with a language model through any OpenAI-compatible client
(``llm_rerank``).

Example:
    >>> fuse_rankings([["a", "b", "c"], ["b", "c", "a"]], k=60)[0]
    ('b', 0.03252247488101534)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aieng.errors import UserError
from aieng.llm import model as model_name
from aieng.rag.chunking import Chunk
from aieng.rag.embeddings import CachedEmbedder
from aieng.rag.filters import ChunkFilter, Freshness, MetadataFilter, enforce_permissions
from aieng.rag.index import DenseIndex, SparseIndex

MODES = ("hybrid", "dense", "bm25")
RERANKERS = (None, "mmr")


@dataclass(frozen=True)
class SearchResult:
    """One retrieved chunk: final score and rank (1-based), and each index's raw score.

    ``dense_score`` is the cosine similarity to the query (None when the query
    was not embedded); ``sparse_score`` the BM25 score (None if BM25 missed it).
    """

    chunk: Chunk
    score: float
    rank: int
    dense_score: float | None = None
    sparse_score: float | None = None
    superseded: bool = False


def fuse_rankings(
    rankings: Sequence[Sequence[Hashable]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[Hashable, float]]:
    """Reciprocal rank fusion: ``score(d) = sum_i w_i / (k + rank_i(d))``, ranks from 1.

    An item missing from a ranking gets nothing from it; an item repeated
    within one ranking counts at its best rank. Ties keep first-seen order.

    Example:
        >>> fuse_rankings([["a", "b"], ["b"]], k=1)
        [('b', 0.8333333333333333), ('a', 0.5)]
    """
    if k < 0:
        raise UserError(f"k must be >= 0, got {k}")
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise UserError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[Hashable] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


def mmr_rerank(
    query_vector: np.ndarray,
    vectors: np.ndarray,
    k: int,
    lambda_: float = 0.7,
    relevance: Sequence[float] | None = None,
) -> list[int]:
    """Maximal marginal relevance: pick ``k`` rows, each relevant but unlike those already picked.

    Each step takes ``argmax lambda_ * rel(d) - (1 - lambda_) * max_s cos(d, s)``
    over the rows ``d`` not yet picked, ``s`` the picked ones. ``rel`` is the
    cosine to the query, or ``relevance`` when given (e.g. fused scores).
    ``lambda_=1`` keeps the relevance order.

    Returns:
        Row indices into ``vectors``, in picking order.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if not 0 <= lambda_ <= 1:
        raise UserError(f"lambda_ must be in [0, 1], got {lambda_}")
    if len(vectors) == 0 or k <= 0:
        return []
    if relevance is None:
        rel = vectors @ np.asarray(query_vector, dtype=np.float32)
    else:
        rel = np.asarray(relevance, dtype=np.float32)
    similarity = vectors @ vectors.T
    picked: list[int] = []
    redundancy = np.full(len(vectors), -np.inf, dtype=np.float32)
    available = np.ones(len(vectors), dtype=bool)
    for _ in range(min(k, len(vectors))):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        gain = np.where(available, lambda_ * rel - (1 - lambda_) * penalty, -np.inf)
        best = int(np.argmax(gain))
        picked.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, similarity[best])
    return picked


_RERANK_PROMPT = (
    "You rank passages for a search engine. Given a question and passages, each labelled "
    "with its id in square brackets, reply with the ids of the passages that help answer "
    "the question, most relevant first, one id per line in square brackets. Reply with ids only."
)


def llm_rerank(
    client: Any, query: str, results: Sequence[SearchResult], model: str | None = None
) -> list[SearchResult]:
    """Rerank ``results`` by asking a chat model to order their ids.

    The ids the model names come first, in its order; results it leaves out
    follow in their previous order; ids it invents are ignored. Ranks are
    renumbered; scores are kept.
    """
    if not results:
        return []
    passages = "\n".join(f"[{r.chunk.id}] {_one_line(r.chunk.text, 600)}" for r in results)
    reply = client.chat.completions.create(
        model=model or model_name("chat-small"),
        temperature=0,
        messages=[
            {"role": "system", "content": _RERANK_PROMPT},
            {"role": "user", "content": f"Question: {query}\n\nPassages:\n{passages}"},
        ],
    )
    text = reply.choices[0].message.content or ""
    by_id = {r.chunk.id: r for r in results}
    named = sorted(
        (match.start(), chunk_id)
        for chunk_id in by_id
        if (match := re.search(rf"(?<![\w#-]){re.escape(chunk_id)}(?![\w#-])", text))
    )
    order = [chunk_id for _, chunk_id in named]
    order += [r.chunk.id for r in results if r.chunk.id not in set(order)]
    return [dataclasses.replace(by_id[cid], rank=i) for i, cid in enumerate(order, start=1)]


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class RetrieverConfig:
    """How ``HybridRetriever`` ranks.

    Attributes:
        mode: ``"hybrid"`` (dense + BM25 by RRF), ``"dense"`` or ``"bm25"``.
        rerank: ``None``, ``"mmr"``, or a function ``(query, results) -> results``
            that reorders the top ``mmr_pool`` results, e.g.
            ``functools.partial(llm_rerank, client)``; it cannot add results.
        candidates: how many hits each index contributes before fusion.
        rrf_k: the RRF constant (60 is the usual choice).
        weights: RRF weights of (dense, bm25).
        mmr_lambda: relevance vs diversity in MMR (1 = relevance only).
        mmr_pool: how many fused candidates MMR (or a custom reranker) chooses from.
        freshness: how superseded versions are treated by default.
    """

    mode: str = "hybrid"
    rerank: str | Callable[[str, list[SearchResult]], list[SearchResult]] | None = None
    candidates: int = 50
    rrf_k: int = 60
    weights: tuple[float, float] = (1.0, 1.0)
    mmr_lambda: float = 0.7
    mmr_pool: int = 20
    freshness: Freshness = Freshness()

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UserError(f"mode={self.mode!r}: choose one of {MODES}")
        if self.rerank not in RERANKERS and not callable(self.rerank):
            raise UserError(
                f"rerank={self.rerank!r}: choose None, 'mmr' or a function (query, results) -> "
                "results, e.g. functools.partial(llm_rerank, client)"
            )


@dataclass(frozen=True)
class _Indexes:
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    dense: DenseIndex
    sparse: SparseIndex
    table: ChunkFilter
    embedder: Callable[[list[str]], np.ndarray]


class HybridRetriever:
    """Dense + BM25 retrieval over chunks, with fusion, reranking, filters and permissions.

    Args:
        chunks: the chunks to search (ids must be unique).
        embedder: texts -> unit vectors; a ``CachedEmbedder()`` by default.
        config: how to rank; ``variant(...)`` derives others sharing the indexes.
        dense_kind: ``"flat"``, ``"hnsw"`` or ``"ivf"`` (see ``aieng.rag.index``).
    """

    def __init__(
        self,
        chunks: Iterable[Chunk],
        embedder: Callable[[list[str]], np.ndarray] | None = None,
        config: RetrieverConfig | None = None,
        dense_kind: str = "flat",
        _indexes: _Indexes | None = None,
    ) -> None:
        self.config = config or RetrieverConfig()
        if _indexes is None:
            chunks = tuple(chunks)
            if not chunks:
                raise UserError("no chunks to index: load and chunk some documents first")
            if len({c.id for c in chunks}) != len(chunks):
                raise UserError("chunk ids must be unique")
            embedder = embedder or CachedEmbedder()
            vectors = np.asarray(embedder([c.search_text for c in chunks]), dtype=np.float32)
            _indexes = _Indexes(
                chunks=chunks,
                vectors=vectors,
                dense=DenseIndex(vectors, kind=dense_kind),
                sparse=SparseIndex([c.search_text for c in chunks]),
                table=ChunkFilter(chunks),
                embedder=embedder,
            )
        self._ix = _indexes

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        """The indexed chunks, by position."""
        return self._ix.chunks

    @property
    def nbytes(self) -> dict[str, int]:
        """Memory of the parts, in bytes: ``dense`` (FAISS), ``sparse`` (BM25), ``vectors``."""
        ix = self._ix
        return {"dense": ix.dense.nbytes, "sparse": ix.sparse.nbytes, "vectors": ix.vectors.nbytes}

    def variant(self, **changes: Any) -> HybridRetriever:
        """A retriever with some config fields changed, sharing these indexes.

        Example:
            >>> bm25_only = retriever.variant(mode="bm25")      # doctest: +SKIP
        """
        config = dataclasses.replace(self.config, **changes)
        return HybridRetriever((), config=config, _indexes=self._ix)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        groups: str | Iterable[str],
        where: MetadataFilter | None = None,
        freshness: Freshness | None = None,
    ) -> list[SearchResult]:
        """The ``k`` best chunks for ``query`` that a caller in ``groups`` may see."""
        cfg, ix = self.config, self._ix
        selection = ix.table.select(groups, where, freshness or cfg.freshness)
        if len(selection.positions) == 0 or k <= 0 or not query.strip():
            return []
        depth = max(cfg.candidates, k)
        need_vector = cfg.mode != "bm25" or cfg.rerank == "mmr"
        qvec = np.asarray(ix.embedder([query]), dtype=np.float32)[0] if need_vector else None
        dense = ix.dense.search(qvec, depth, selection.positions) if cfg.mode != "bm25" else []
        sparse = ix.sparse.search(query, depth, selection.positions) if cfg.mode != "dense" else []
        if cfg.mode == "hybrid":
            ranked = fuse_rankings(
                [[p for p, _ in dense], [p for p, _ in sparse]], cfg.rrf_k, cfg.weights
            )
        else:
            ranked = dense or sparse
        cut = 1 - (freshness or cfg.freshness).demote_factor  # lowers negative cosines too
        ranked = [(p, s - cut * abs(s) if p in selection.demoted else s) for p, s in ranked]
        ranked.sort(key=lambda pair: -pair[1])
        if cfg.rerank == "mmr" and ranked:
            ranked = self._mmr(qvec, ranked[: max(cfg.mmr_pool, k)], k)
        pool = ranked[: max(cfg.mmr_pool, k)] if callable(cfg.rerank) else ranked[:k]
        dense_scores, sparse_scores = dict(dense), dict(sparse)
        results = [
            self._result(p, s, i, qvec, dense_scores, sparse_scores, selection)
            for i, (p, s) in enumerate(pool, 1)
        ]
        if callable(cfg.rerank):
            results = self._rerank_with(cfg.rerank, query, results)
        return enforce_permissions(results[:k], groups)

    def _result(self, position, score, rank, qvec, dense, sparse, selection) -> SearchResult:
        cosine = dense.get(position)
        if cosine is None and qvec is not None:
            cosine = float(self._ix.vectors[position] @ qvec)
        return SearchResult(
            chunk=self._ix.chunks[position],
            score=float(score),
            rank=rank,
            dense_score=cosine,
            sparse_score=sparse.get(position),
            superseded=position in selection.demoted,
        )

    @staticmethod
    def _rerank_with(reranker: Callable, query: str, results: list[SearchResult]):
        """Apply a custom reranker; it may reorder or drop results, never add new ones."""
        pool = {r.chunk.id: r for r in results}
        reordered, seen = [], set()
        for item in reranker(query, results):
            chunk_id = getattr(item, "chunk", item).id
            if chunk_id in pool and chunk_id not in seen:
                seen.add(chunk_id)
                reordered.append(pool[chunk_id])
        return [dataclasses.replace(r, rank=i) for i, r in enumerate(reordered, start=1)]

    def _mmr(self, qvec: np.ndarray, pool: list[tuple[int, float]], k: int):
        positions = [p for p, _ in pool]
        scores = np.array([s for _, s in pool], dtype=np.float32)
        spread = float(scores.max() - scores.min())
        relevance = (scores - scores.min()) / spread if spread > 0 else np.ones_like(scores)
        order = mmr_rerank(
            qvec, self._ix.vectors[positions], k, self.config.mmr_lambda, relevance=relevance
        )
        return [pool[i] for i in order]
