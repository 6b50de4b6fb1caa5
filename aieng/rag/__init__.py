"""Retrieval-augmented generation over any folder of md, html and pdf (phase 3).

The quality chain, one module per link:

    documents  load and validate, skip bad files with reasons   load_corpus
    chunking   heading-aware or fixed-size chunks, stable ids    chunk_by_headings, chunk_fixed
    embeddings MiniLM vectors with a content-hash disk cache     CachedEmbedder
    index      FAISS dense (flat/hnsw/ivf) and BM25 sparse       DenseIndex, SparseIndex
    ranking    RRF fusion, MMR or LLM rerank, hybrid search      HybridRetriever, fuse_rankings
    filters    permissions, metadata, freshness                  MetadataFilter, Freshness
    answer     query rewrite, grounded answer with citations     grounded_answer, rewrite_query
    evaluation recall@k, MRR, nDCG@k, miss log, comparison       evaluate, load_golden

Example:
    >>> from aieng.rag import load_corpus, chunk_documents, HybridRetriever
    >>> report = load_corpus("datasets/handbook")
    >>> retriever = HybridRetriever(chunk_documents(report.documents))
    >>> retriever.search("How many days of leave?", k=5, groups={"all-staff"})  # doctest: +SKIP

Importing this package is cheap: FAISS, bm25s, pypdf, pandas and the
embedding model load on first use.
"""

from aieng.rag.answer import Answer, grounded_answer, rewrite_query
from aieng.rag.chunking import Chunk, chunk_by_headings, chunk_documents, chunk_fixed
from aieng.rag.documents import Document, IngestReport, LoadOptions, load_corpus
from aieng.rag.embeddings import CachedEmbedder
from aieng.rag.evaluation import comparison_table, evaluate, load_golden, plot_comparison
from aieng.rag.filters import Freshness, MetadataFilter
from aieng.rag.index import DenseIndex, SparseIndex
from aieng.rag.ranking import (
    HybridRetriever,
    RetrieverConfig,
    SearchResult,
    fuse_rankings,
    llm_rerank,
    mmr_rerank,
)

__all__ = [
    "Answer",
    "CachedEmbedder",
    "Chunk",
    "DenseIndex",
    "Document",
    "Freshness",
    "HybridRetriever",
    "IngestReport",
    "LoadOptions",
    "MetadataFilter",
    "RetrieverConfig",
    "SearchResult",
    "SparseIndex",
    "chunk_by_headings",
    "chunk_documents",
    "chunk_fixed",
    "comparison_table",
    "evaluate",
    "fuse_rankings",
    "grounded_answer",
    "llm_rerank",
    "load_corpus",
    "load_golden",
    "mmr_rerank",
    "plot_comparison",
    "rewrite_query",
]
