"""Fixtures for ``aieng.rag`` tests: the two small corpora, a hand-written PDF, shared indexes.

Everything written goes under pytest's temporary folders: the embedding
cache too, so no test writes into the working tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aieng.rag import CachedEmbedder, HybridRetriever, chunk_documents, load_corpus
from aieng.settings import repo_root

FILES = Path(__file__).parent / "files"
HANDBOOK = repo_root() / "datasets" / "handbook"


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(lines: list[str], info: dict[str, str] | None = None) -> bytes:
    """A one-page PDF written by hand: Helvetica text lines and a document info dictionary."""
    stream = (
        "BT /F1 11 Tf 14 TL 72 760 Td " + " ".join(f"{_pdf_string(x)} '" for x in lines) + " ET"
    )
    info_entries = " ".join(f"/{k} {_pdf_string(v)}" for k, v in (info or {}).items())
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        f"<< {info_entries} >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


PRIVACY_PDF_LINES = [
    "Staff data protection training",
    "Every member of staff completes the data protection course within 30 days of starting.",
    "The course takes 45 minutes and is repeated every two years.",
    "Personal data sent by email outside the university must be in an encrypted attachment.",
]
PRIVACY_PDF_INFO = {
    "Title": "Data protection training",
    "NgId": "ITD-DPT",
    "NgAccessGroups": "staff, faculty",
    "NgEffectiveDate": "2024-05-01",
    "NgVersion": "1",
    "NgOwner": "Information governance",
    "Producer": "hand-written test PDF",
}


@pytest.fixture(scope="session")
def pdf_maker():
    """The ``make_pdf(lines, info)`` helper."""
    return make_pdf


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The IT service desk corpus plus a generated PDF, copied to a temporary folder."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(FILES / "corpus", folder, dirs_exist_ok=True)
    (folder / "data-protection.pdf").write_bytes(make_pdf(PRIVACY_PDF_LINES, PRIVACY_PDF_INFO))
    return folder


@pytest.fixture(scope="session")
def embedder(tmp_path_factory) -> CachedEmbedder:
    """The bundled MiniLM with its cache in a temporary folder."""
    return CachedEmbedder(tmp_path_factory.mktemp("embeddings"), progress=False)


@pytest.fixture(scope="session")
def corpus_chunks(corpus_dir):
    report = load_corpus(corpus_dir)
    return chunk_documents(report.documents)


@pytest.fixture(scope="session")
def retriever(corpus_chunks, embedder) -> HybridRetriever:
    """A hybrid retriever over the IT service desk corpus."""
    return HybridRetriever(corpus_chunks, embedder=embedder)


@pytest.fixture(scope="session")
def handbook_dir() -> Path:
    """datasets/handbook, or a skip when it has not been written yet."""
    if not HANDBOOK.is_dir() or not any(HANDBOOK.glob("*.md")):
        pytest.skip(f"{HANDBOOK} does not exist yet: the handbook corpus is another deliverable")
    return HANDBOOK


class ScriptedClient:
    """A stand-in for ``openai.OpenAI``: replies with scripted texts, records each request."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []
        self.chat = self
        self.completions = self

    def create(self, **request):
        from types import SimpleNamespace

        self.requests.append(request)
        if not self.replies:
            raise AssertionError("the scripted client ran out of replies")
        message = SimpleNamespace(content=self.replies.pop(0), role="assistant")
        return SimpleNamespace(choices=[SimpleNamespace(message=message, finish_reason="stop")])


@pytest.fixture
def scripted_client():
    """``scripted_client("reply 1", "reply 2")`` -> a fake client giving those replies in turn."""
    return ScriptedClient


def hashed_bag_of_words(texts: list[str]):
    """A tiny deterministic embedder for tests that do not need the real model."""
    import zlib

    import numpy as np

    from aieng.rag.index import tokenize

    vectors = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for token in tokenize(text):
            vectors[row, zlib.crc32(token.encode()) % 64] += 1.0
        vectors[row] /= max(float(np.linalg.norm(vectors[row])), 1e-9)
    return vectors


@pytest.fixture(scope="session")
def toy_embedder():
    """Hashed bag of words, 64 dimensions, unit length: fast and deterministic."""
    return hashed_bag_of_words


@pytest.fixture(scope="session")
def handbook_retriever(handbook_dir):
    """A hybrid retriever over datasets/handbook, with the toy embedder (permissions do not
    depend on embedding quality, and the real model needs ~30 s for the whole handbook)."""
    report = load_corpus(handbook_dir)
    return HybridRetriever(chunk_documents(report.documents), embedder=hashed_bag_of_words)
