"""The embedding cache: content-hash keys, hits on the second run, batches, the real model."""

from __future__ import annotations

import numpy as np
import pytest

from aieng.errors import UserError
from aieng.rag import CachedEmbedder


class CountingEmbed:
    """A deterministic fake model: records every batch it is asked to embed."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        rows = [np.frombuffer(t.encode().ljust(8, b"\0")[:8], dtype=np.uint8) for t in texts]
        return np.asarray(rows, dtype=np.float32)


def test_second_run_is_all_cache_hits(tmp_path):
    fake = CountingEmbed()
    texts = [f"text {i}" for i in range(10)]
    first = CachedEmbedder(tmp_path, embed_fn=fake, model_id="fake", batch_size=4)
    vectors = first(texts)
    assert (first.misses, first.hits) == (10, 0)
    assert [len(b) for b in fake.batches] == [4, 4, 2]
    again = CachedEmbedder(tmp_path, embed_fn=fake, model_id="fake", batch_size=4)
    assert np.array_equal(again(texts), vectors)
    assert (again.misses, again.hits) == (0, 10)
    assert len(fake.batches) == 3  # the model was not called again


def test_only_new_texts_are_embedded_and_order_is_kept(tmp_path):
    fake = CountingEmbed()
    embedder = CachedEmbedder(tmp_path, embed_fn=fake, model_id="fake")
    embedder(["a", "b"])
    vectors = embedder(["c", "a", "c", "b"])
    assert fake.batches[-1] == ["c"]  # duplicates embedded once, cached ones not at all
    assert np.array_equal(vectors[0], vectors[2])
    assert np.array_equal(vectors[1], embedder(["a"])[0])


def test_keys_depend_on_model_and_text(tmp_path):
    one = CachedEmbedder(tmp_path, embed_fn=CountingEmbed(), model_id="m1")
    two = CachedEmbedder(tmp_path, embed_fn=CountingEmbed(), model_id="m2")
    assert one.key("x") != two.key("x") and one.key("x") != one.key("x ")
    assert one.key("x") == CachedEmbedder(tmp_path, embed_fn=CountingEmbed(), model_id="m1").key(
        "x"
    )


def test_a_torn_cache_file_is_embedded_again(tmp_path):
    fake = CountingEmbed()
    embedder = CachedEmbedder(tmp_path, embed_fn=fake, model_id="fake")
    embedder(["hello"])
    path = tmp_path / embedder.key("hello")[:2] / f"{embedder.key('hello')}.npy"
    path.write_bytes(b"garbage")
    embedder(["hello"])
    assert len(fake.batches) == 2


def test_bad_setups_are_refused(tmp_path):
    with pytest.raises(UserError, match="model_id"):
        CachedEmbedder(tmp_path, embed_fn=CountingEmbed())
    wrong = CachedEmbedder(tmp_path, embed_fn=lambda t: np.zeros((1, 3)), model_id="w")
    with pytest.raises(UserError, match="one row per text"):
        wrong(["a", "b"])


def test_default_cache_lives_under_the_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("AIENG_HOME", str(tmp_path))
    assert CachedEmbedder().folder == tmp_path / "embeddings"


def test_the_bundled_model_through_the_cache(embedder):
    texts = ["How do I reset my password?", "Password reset steps", "Opening hours of the canteen"]
    vectors = embedder(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    hits = embedder.hits
    assert np.allclose(embedder(texts), vectors)
    assert embedder.hits == hits + 3
