"""Chunking: fixed windows with overlap, heading-aware splits, stable ids, exact spans."""

from __future__ import annotations

from functools import partial

import pytest

from aieng.errors import UserError
from aieng.llm import encoding
from aieng.rag import chunk_by_headings, chunk_documents, chunk_fixed, load_corpus
from aieng.rag.chunking import count_tokens
from aieng.rag.documents import Document, DocumentMetadata

META = DocumentMetadata(access_groups=("staff",), version="3", supersedes=("OLD",))


def _doc(text: str, doc_id: str = "D-1") -> Document:
    return Document(id=doc_id, title="Guide", text=text, metadata=META)


LONG = (
    "Intro before any heading.\n\n"
    "# Guide\n\n"
    "## Accounts\n"
    "Bring photo ID. Accounts are free for residents. Visitors pay a small fee each year.\n\n"
    "## Renewals\n"
    "### Online\n"
    + " ".join(
        f"Sentence number {i} explains one more detail of renewing online." for i in range(40)
    )
    + "\n\n# Fees\nNo fees since 2021.\n"
)


def test_fixed_windows_have_the_size_and_overlap_asked():
    doc = _doc(LONG)
    chunks = chunk_fixed(doc, size=50, overlap=10)
    enc = encoding()
    ids = enc.encode_ordinary(doc.text)
    assert len(chunks) == 1 + -(-(len(ids) - 50) // 40)  # windows step by size - overlap
    for chunk in chunks[:-1]:
        assert 48 <= count_tokens(chunk.text) <= 52  # re-tokenising a slice can shift by one
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end  # they overlap
        shared = doc.text[after.start : before.end]
        assert 5 <= count_tokens(shared) <= 12
    assert chunks[0].start == 0 and chunks[-1].end == len(doc.text.rstrip())


def test_every_chunk_is_an_exact_span_with_provenance():
    doc = _doc(LONG)
    for chunker in (
        partial(chunk_fixed, size=40, overlap=8),
        partial(chunk_by_headings, max_tokens=40),
    ):
        for chunk in chunker(doc):
            assert chunk.text == doc.text[chunk.start : chunk.end]
            assert chunk.doc_id == "D-1" and chunk.title == "Guide"
            assert chunk.metadata is META and chunk.metadata.supersedes == ("OLD",)


def test_heading_chunks_follow_sections_and_fit():
    chunks = chunk_by_headings(_doc(LONG), max_tokens=60)
    assert all(count_tokens(c.text) <= 60 for c in chunks)
    paths = [c.heading_path for c in chunks]
    assert paths[0] == ()
    assert chunks[0].text == "Intro before any heading."
    assert ("Guide", "Accounts") in paths
    assert paths[-1] == ("Fees",) and chunks[-1].text == "# Fees\nNo fees since 2021."
    online = [c for c in chunks if c.heading_path == ("Guide", "Renewals", "Online")]
    assert len(online) >= 3
    assert all(c.text.endswith(".") for c in online)  # cut at sentence ends
    # no chunk is just a heading line with no body
    assert all(any(not line.startswith("#") for line in c.text.splitlines()) for c in chunks)


def test_a_small_document_is_one_chunk_per_section():
    doc = _doc("# A\nalpha text.\n\n# B\nbeta text.\n")
    chunks = chunk_by_headings(doc, max_tokens=200)
    assert [c.text for c in chunks] == ["# A\nalpha text.", "# B\nbeta text."]
    assert [c.id for c in chunks] == ["D-1#0", "D-1#1"]


def test_text_without_headings_splits_by_paragraph():
    paragraphs = [f"Paragraph {i} " + "word " * 30 for i in range(4)]
    chunks = chunk_by_headings(_doc("\n\n".join(paragraphs)), max_tokens=40)
    assert [c.text.split()[1] for c in chunks] == ["0", "1", "2", "3"]


def test_ids_are_stable_across_runs(corpus_dir):
    first = chunk_documents(load_corpus(corpus_dir).documents)
    second = chunk_documents(load_corpus(corpus_dir).documents)
    assert [(c.id, c.start, c.end) for c in first] == [(c.id, c.start, c.end) for c in second]
    assert len({c.id for c in first}) == len(first)
    assert all(c.id.startswith(c.doc_id + "#") for c in first)


def test_search_text_carries_title_and_headings():
    chunk = chunk_by_headings(_doc(LONG), max_tokens=60)[1]
    assert chunk.search_text.startswith("Guide > Accounts\n")


def test_bad_sizes_are_refused():
    with pytest.raises(UserError):
        chunk_fixed(_doc("x"), size=10, overlap=10)
    with pytest.raises(UserError):
        chunk_by_headings(_doc("x"), max_tokens=2)
    with pytest.raises(UserError, match="collide"):
        chunk_documents([_doc("a"), _doc("b")])
