"""The two indexes: dense vectors in FAISS, sparse words in BM25 (bm25s).

Both index rows ``0..n-1`` (positions in the chunk list they were built from)
and both accept ``allowed``: the positions a search may return. The filter is
applied inside the search, before anything is ranked, so a result outside
``allowed`` is never produced, however the scores fall.

Which dense index, and when to switch (measured numbers in ``docs/benchmarks.md``):

- ``"flat"`` (``IndexFlatIP``): exact inner product, nothing to tune, no
  training. Right up to a few hundred thousand chunks: at 100k x 384 a query
  takes ~20 ms on two cores. Start here; it is also the recall reference.
- ``"hnsw"`` (``IndexHNSWFlat``): a graph, ~1 ms queries at millions of
  vectors, recall ~0.95-0.99 tuned by ``ef_search``. Costs build time and
  ~``2 * m * 4`` extra bytes per vector. Switch when flat latency is too slow
  and memory allows.
- ``"ivf"`` (``IndexIVFFlat``): clusters, probes ``nprobe`` of ``nlist``
  lists. Needs training on representative vectors, builds fast, and is the
  base for compression (IVF-PQ) at tens of millions. Switch when memory or
  build time rules out HNSW. Approximate indexes score a tight filter's
  subset exactly (up to ``EXACT_SUBSET`` positions), and fall back to exact
  scoring when a filtered search returns fewer than ``k`` hits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from aieng.errors import UserError

DENSE_KINDS = ("flat", "hnsw", "ivf")
# A filter leaving at most this many positions is scored exactly: it is cheap,
# and graph or cluster search degrades when most neighbours are filtered out.
EXACT_SUBSET = 4096
_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from as is are was were be been
    being am do does did have has had having i me my we us our you your he him his she her it its
    they them their this that these those there here what which who whom whose when where why how
    all any both each few more most other some such nor only own same so than too very can could
    will would shall should may might must just also into about over under again further once
    up down out off per via s t can't don't isn't""".split()
)


def _stem(word: str) -> str:
    """A light suffix stripper: 'charge', 'charges', 'charged', 'charging' all give 'charg'."""
    stem = _strip_suffix(word)
    if len(stem) > 4 and stem.endswith("e") and not stem.endswith("ee"):
        stem = stem[:-1]
    return stem


def _strip_suffix(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("edly", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            stem = word[: -len(suffix)] + replacement
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # "stopped" -> "stop"
            return stem
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case word stems without stopwords: the vocabulary of ``SparseIndex``.

    Example:
        >>> tokenize("Renewing the borrowed books")
        ['renew', 'borrow', 'book']
        >>> tokenize("charged charges")
        ['charg', 'charg']
    """
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


def _as_positions(allowed: Sequence[int] | np.ndarray | None) -> np.ndarray | None:
    if allowed is None:
        return None
    positions = np.asarray(allowed, dtype=np.int64).ravel()
    if len(positions) > 1 and not np.all(positions[1:] > positions[:-1]):
        positions = np.unique(positions)  # sort and de-duplicate only when needed
    return positions


def _top(scores: np.ndarray, positions: np.ndarray, k: int) -> list[tuple[int, float]]:
    if len(scores) == 0 or k <= 0:
        return []
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((positions[best], -scores[best]))]  # score, then position: stable
    return [(int(positions[i]), float(scores[i])) for i in best]


class DenseIndex:
    """Nearest neighbours by inner product (cosine on unit vectors) in FAISS.

    Args:
        vectors: ``(n, d)`` float32, unit length for cosine scores.
        kind: ``"flat"`` (exact), ``"hnsw"`` or ``"ivf"``: see the module docstring.
        m: HNSW links per node.
        ef_search: HNSW candidate list size at query time (recall vs speed).
        nlist: IVF lists (default ``4 * sqrt(n)``, at most ``n / 39``).
        nprobe: IVF lists probed per query.
    """

    def __init__(
        self,
        vectors: np.ndarray,
        kind: str = "flat",
        m: int = 32,
        ef_search: int = 64,
        nlist: int | None = None,
        nprobe: int = 16,
    ) -> None:
        import faiss  # imported on first use

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] == 0:
            raise UserError(f"need a non-empty (n, d) array of vectors, got shape {vectors.shape}")
        if kind not in DENSE_KINDS:
            raise UserError(f"kind={kind!r}: choose one of {', '.join(DENSE_KINDS)}")
        n, dims = vectors.shape
        self.kind, self.dims, self._vectors = kind, dims, vectors
        if kind == "flat":
            self._index = faiss.IndexFlatIP(dims)
            self._params = lambda sel: faiss.SearchParameters(sel=sel)
        elif kind == "hnsw":
            self._index = faiss.IndexHNSWFlat(dims, m, faiss.METRIC_INNER_PRODUCT)
            self._index.hnsw.efSearch = ef_search
            self._params = lambda sel: faiss.SearchParametersHNSW(sel=sel, efSearch=ef_search)
        else:
            nlist = nlist or max(1, min(int(4 * math.sqrt(n)), n // 39))
            quantizer = faiss.IndexFlatIP(dims)
            self._index = faiss.IndexIVFFlat(quantizer, dims, nlist, faiss.METRIC_INNER_PRODUCT)
            self._index.train(vectors)
            self._index.nprobe = min(nprobe, nlist)
            self._quantizer = quantizer  # keep it alive as long as the index
            self._params = lambda sel: faiss.SearchParametersIVF(sel=sel, nprobe=min(nprobe, nlist))
        self._index.add(vectors)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def nbytes(self) -> int:
        """Bytes the FAISS index takes when serialised (its memory, roughly)."""
        import faiss

        return int(faiss.serialize_index(self._index).nbytes)

    def search(
        self, query: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best ``(position, score)`` for one query vector, within ``allowed``."""
        import faiss

        query = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
        if query.shape[1] != self.dims:
            raise UserError(f"query has {query.shape[1]} dims, the index {self.dims}")
        positions = _as_positions(allowed)
        if positions is not None and len(positions) == 0:
            return []
        k = min(k, len(self) if positions is None else len(positions))
        if k <= 0:
            return []
        if positions is None:
            scores, labels = self._index.search(query, k)
        elif self.kind != "flat" and len(positions) <= EXACT_SUBSET:
            return _top(self._vectors[positions] @ query[0], positions, k)
        else:
            mask = np.zeros(len(self), dtype=bool)
            mask[positions[(positions >= 0) & (positions < len(self))]] = True
            bitmap = np.packbits(mask, bitorder="little")  # FAISS reads bit i of byte i >> 3
            params = self._params(faiss.IDSelectorBitmap(bitmap))
            scores, labels = self._index.search(query, k, params=params)
        hits = [(int(i), float(s)) for i, s in zip(labels[0], scores[0], strict=True) if i >= 0]
        if positions is not None:
            hits = [hit for hit in hits if mask[hit[0]]]
            if len(hits) < k:  # an approximate index missed some: score the subset exactly
                return _top(self._vectors[positions] @ query[0], positions, k)
        return hits

    def search_many(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Unfiltered batch search: ``(scores, positions)`` arrays of shape ``(q, k)``."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        return self._index.search(queries, min(k, len(self)))


class SparseIndex:
    """BM25 over word stems (bm25s), with its own offline tokenizer.

    Args:
        texts: one text per position.
        tokenizer: text -> tokens; ``tokenize`` (stems, no stopwords) by default.
        k1, b: the BM25 parameters (term saturation, length normalisation).
    """

    def __init__(
        self,
        texts: Sequence[str],
        tokenizer: Callable[[str], list[str]] = tokenize,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> None:
        import bm25s  # imported on first use

        if not texts:
            raise UserError("cannot build a BM25 index over no texts")
        self.tokenizer = tokenizer
        self._size = len(texts)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        self._bm25.index([tokenizer(text) or [""] for text in texts], show_progress=False)

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """Bytes of the BM25 score matrix (sparse: one value per word and chunk)."""
        matrix = self._bm25.scores
        return int(sum(v.nbytes for v in matrix.values() if isinstance(v, np.ndarray)))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every position for ``query`` (zeros when no query word is known)."""
        ids = self._bm25.get_tokens_ids([t for t in self.tokenizer(query) if t])
        if not ids:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(
        self, query: str, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best ``(position, score)`` with a positive score, within ``allowed``."""
        scores = self.scores(query)
        positions = _as_positions(allowed)
        if positions is None:
            positions = np.arange(self._size, dtype=np.int64)
        elif len(positions) and (positions[0] < 0 or positions[-1] >= self._size):
            raise UserError(f"allowed positions must lie in [0, {self._size})")
        subset = scores[positions]
        keep = subset > 0
        return _top(subset[keep], positions[keep], k)
