"""RAG benchmark: index build time, query latency and memory by corpus size; retrieval quality.

Part 1 uses a synthetic corpus (random unit vectors and Zipf-distributed
words) at 1k, 10k and 100k chunks, searched through ``HybridRetriever`` as a
caller who may see about half of the corpus, so permission filtering is part
of every query. Query embedding is excluded there (it is measured on its own
in part 2). Part 2 compares bm25, dense, hybrid and hybrid+mmr on
``datasets/handbook/golden.jsonl`` with the bundled MiniLM (embeddings are
cached under ``state_dir()/embeddings``, so a second run is fast).

Run with ``make bench`` or ``python bench/rag_bench.py [--quick]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import zlib

import numpy as np

from aieng.rag import (
    CachedEmbedder,
    DenseIndex,
    HybridRetriever,
    chunk_documents,
    comparison_table,
    evaluate,
    load_corpus,
    load_golden,
)
from aieng.rag.chunking import Chunk
from aieng.rag.documents import DocumentMetadata
from aieng.settings import repo_root

DIMS = 384
GROUPS = ("all-staff", "hr-only", "finance", "engineering", "leadership")
STRATEGIES = {
    "bm25": {"mode": "bm25"},
    "dense": {"mode": "dense"},
    "hybrid": {},
    "hybrid+mmr": {"rerank": "mmr"},
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.normal(size=(n, DIMS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _clustered(rng: np.random.Generator, n: int, spread: float = 0.04) -> np.ndarray:
    """Unit vectors around ``n // 50`` topics: closer to real embeddings than uniform noise."""
    centers = _unit(rng, max(n // 50, 10))
    points = centers[rng.integers(len(centers), size=n)] + rng.normal(0, spread, (n, DIMS))
    points = points.astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _synthetic_chunks(n: int, rng: np.random.Generator) -> list[Chunk]:
    """``n`` chunks of ~60 Zipf-distributed words, 10 per document, one or two groups each."""
    words = np.minimum(rng.zipf(1.3, size=(n, 60)), 30_000)
    metas = []
    for _ in range((n + 9) // 10):
        picks = rng.choice(len(GROUPS), size=int(rng.integers(1, 3)), replace=False)
        metas.append(DocumentMetadata(access_groups=tuple(GROUPS[i] for i in picks)))
    chunks = []
    for i in range(n):
        text = f"c{i} " + " ".join(f"w{w}" for w in words[i])
        doc = f"doc-{i // 10}"
        chunks.append(Chunk(f"{doc}#{i % 10}", doc, doc, text, (), 0, len(text), metas[i // 10]))
    return chunks


class _LookupEmbedder:
    """Returns the pre-made vector of a chunk text; a hashed random vector for a query."""

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.row = {text: i for i, text in enumerate(texts)}
        self.vectors = vectors

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), DIMS), dtype=np.float32)
        for i, text in enumerate(texts):
            if text in self.row:
                out[i] = self.vectors[self.row[text]]
            else:
                out[i] = _unit(np.random.default_rng(zlib.crc32(text.encode())), 1)[0]
        return out


def _percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms  p99 {np.percentile(ms, 99):7.2f} ms"


def bench_scale(sizes: tuple[int, ...], queries: int) -> None:
    """Build time, latency and memory of the full retriever at each size."""
    print(f"Part 1: synthetic corpus, {DIMS}-d unit vectors, caller groups all-staff + finance")
    rng = np.random.default_rng(0)
    for n in sizes:
        chunks = _synthetic_chunks(n, rng)
        vectors = _unit(rng, n)
        texts = [c.search_text for c in chunks]
        embedder = _LookupEmbedder(texts, vectors)
        start = time.perf_counter()
        retriever = HybridRetriever(chunks, embedder=embedder)
        build = time.perf_counter() - start
        sizes_mib = {name: size / 2**20 for name, size in retriever.nbytes.items()}
        print(
            f"\n{n:>7,} chunks: build {build:6.2f} s (embedding excluded); "
            f"FAISS flat {sizes_mib['dense']:6.1f} MiB, BM25 {sizes_mib['sparse']:6.1f} MiB, "
            f"vectors {sizes_mib['vectors']:6.1f} MiB; peak RSS {_peak_rss_mb():7.0f} MiB"
        )
        words = [" ".join(c.text.split()[1:6]) for c in chunks[:: max(1, n // queries)]][:queries]
        for mode in ("bm25", "dense", "hybrid"):
            variant = retriever.variant(mode=mode)
            timings = []
            for query in words:
                start = time.perf_counter()
                variant.search(query, k=10, groups={"all-staff", "finance"})
                timings.append(time.perf_counter() - start)
            print(f"  {mode:<7} {_percentiles(timings)}  ({len(timings)} queries, k=10)")
        del retriever, chunks, embedder


def bench_dense_kinds(n: int, queries: int) -> None:
    """Flat vs HNSW vs IVF at one size: build, latency, memory and recall@10 against flat.

    Two data sets: vectors around topics (like real embeddings, which cluster)
    and uniform random unit vectors, the worst case for approximate search.
    """
    rng = np.random.default_rng(1)
    for label, data in (
        ("clustered", _clustered(rng, n + queries, spread=0.06)),
        ("uniform random", _unit(rng, n + queries)),
    ):
        print(f"\nDense index kinds, {n:,} {label} vectors (unfiltered, k=10, recall@10 vs flat):")
        vectors, probes = data[:n], data[n:]
        truth = None
        for kind in ("flat", "hnsw", "ivf"):
            start = time.perf_counter()
            index = DenseIndex(vectors, kind=kind)
            build = time.perf_counter() - start
            timings, found = [], []
            for probe in probes:
                start = time.perf_counter()
                hits = index.search(probe, 10)
                timings.append(time.perf_counter() - start)
                found.append({p for p, _ in hits})
            truth = truth or found
            recall = np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)])
            print(
                f"  {kind:<5} build {build:6.2f} s  {_percentiles(timings)}  "
                f"{index.nbytes / 2**20:6.1f} MiB  recall@10 {recall:.3f}"
            )


def bench_quality() -> int:
    """recall@5 and nDCG@10 per strategy on the handbook's golden set."""
    folder = repo_root() / "datasets" / "handbook"
    golden_path = folder / "golden.jsonl"
    print("\nPart 2: retrieval quality on datasets/handbook/golden.jsonl")
    if not golden_path.exists():
        print(f"  skipped: {golden_path} does not exist")
        return 0
    report = load_corpus(folder)
    chunks = chunk_documents(report.documents)
    golden = load_golden(golden_path)
    embedder = CachedEmbedder(progress=False)
    start = time.perf_counter()
    retriever = HybridRetriever(chunks, embedder=embedder)
    print(
        f"  {report.summary()}; {len(chunks)} heading-aware chunks (max 256 tokens); "
        f"built in {time.perf_counter() - start:.1f} s ({embedder.misses} embedded, "
        f"{embedder.hits} from the cache)"
    )
    timings = []
    for question in golden[:50]:
        start = time.perf_counter()
        embedder.embed_fn([question.question])  # the model itself, no cache
        timings.append(time.perf_counter() - start)
    print(f"  query embedding (MiniLM, one at a time): {_percentiles(timings)}")
    evaluations = {}
    for name, changes in STRATEGIES.items():
        start = time.perf_counter()
        evaluations[name] = evaluate(retriever.variant(**changes), golden, k=10)
        per_query = (time.perf_counter() - start) / len(golden) * 1000
        print(f"  evaluated {name:<10} {per_query:6.1f} ms per question (query vectors cached)")
    table = comparison_table(evaluations, ks=(5, 10))[["recall@5", "ndcg@10", "mrr"]]
    answerable = int(evaluations["hybrid"].metrics()["questions"])
    print(f"\n  {len(golden)} questions, {answerable} answerable (the others are left out):")
    print(table.round(3).to_string())
    best_single = max(table.loc["bm25", "recall@5"], table.loc["dense", "recall@5"])
    best_ndcg = max(table.loc["bm25", "ndcg@10"], table.loc["dense", "ndcg@10"])
    hybrid = table.loc["hybrid"]
    verdict = (
        "beats"
        if hybrid["recall@5"] > best_single and hybrid["ndcg@10"] > best_ndcg
        else "does NOT beat"
    )
    print(
        f"\n  hybrid {verdict} the better of bm25 and dense: recall@5 {hybrid['recall@5']:.3f} "
        f"vs {best_single:.3f}, nDCG@10 {hybrid['ndcg@10']:.3f} vs {best_ndcg:.3f}"
    )
    misses = evaluations["hybrid"].misses(5)
    print(f"  hybrid misses at k=5: {len(misses)} ({', '.join(m.id for m in misses)})")
    return 0


def main(quick: bool = False) -> int:
    """Print the figures; never asserts timings."""
    start = time.perf_counter()
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    queries = 50 if quick else 200
    bench_scale(sizes, queries)
    bench_dense_kinds(2_000 if quick else 10_000, queries)
    status = bench_quality()
    print(
        f"\nrag_bench done in {time.perf_counter() - start:.0f} s; peak RSS {_peak_rss_mb():.0f} MiB"
    )
    return status


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer queries")
    sys.exit(main(quick=parser.parse_args().quick))
