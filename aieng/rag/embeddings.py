"""Batched embeddings with a disk cache keyed by content hash.

Embedding a corpus is the slow step of building an index (about 300 short
passages per second on two cores), and most of a corpus does not change
between runs. ``CachedEmbedder`` hashes each text together with the model's
identity, reuses the vectors it has on disk and embeds only the rest, in
batches, with a tqdm progress bar.

Example:
    >>> embedder = CachedEmbedder()                 # cache under state_dir()/embeddings
    >>> vectors = embedder(["How do I renew a book?", "Opening hours"])
    >>> vectors.shape, embedder.misses, embedder.hits       # doctest: +SKIP
    ((2, 384), 2, 0)
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from aieng.errors import UserError
from aieng.llm import embeddings as bundled
from aieng.settings import state_dir

logger = logging.getLogger(__name__)

EmbedFn = Callable[[list[str]], np.ndarray]
DEFAULT_MODEL_ID = f"all-MiniLM-L6-v2:{bundled.MODEL_SHA256[:16]}"


def _bundled_embed(texts: list[str]) -> np.ndarray:
    return bundled.embed(texts, batch_size=len(texts) or 1)


class CachedEmbedder:
    """Embeds texts in batches, reading and writing vectors in a disk cache.

    Args:
        folder: the cache folder; ``state_dir()/embeddings`` by default. Pass
            ``None`` for the default; the folder is created when first written.
        embed_fn: texts -> ``(n, d)`` float array; the bundled MiniLM by default.
        model_id: names the model in the cache key; change it with ``embed_fn``.
        batch_size: texts per call to ``embed_fn``.
        progress: show a tqdm bar (``None``: only when more than one batch is due).

    Attributes:
        hits, misses: how many texts came from the cache / were embedded, so far.
    """

    def __init__(
        self,
        folder: str | Path | None = None,
        embed_fn: EmbedFn | None = None,
        model_id: str = DEFAULT_MODEL_ID,
        batch_size: int = 64,
        progress: bool | None = None,
    ) -> None:
        if batch_size <= 0:
            raise UserError(f"batch_size must be positive, got {batch_size}")
        if embed_fn is not None and model_id == DEFAULT_MODEL_ID:
            raise UserError("a custom embed_fn needs its own model_id, so caches do not mix")
        self.folder = Path(folder) if folder is not None else state_dir() / "embeddings"
        self.embed_fn = embed_fn or _bundled_embed
        self.model_id = model_id
        self.batch_size = batch_size
        self.progress = progress
        self.hits = 0
        self.misses = 0

    def key(self, text: str) -> str:
        """The cache key of ``text``: sha256 of the model id and the text."""
        return hashlib.sha256(f"{self.model_id}\n{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npy"

    def _load(self, key: str) -> np.ndarray | None:
        path = self._path(key)
        try:
            return np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # a torn or foreign file: embed again
            logger.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def _store(self, key: str, vector: np.ndarray) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, vector, allow_pickle=False)
            os.replace(temporary, path)  # atomic: readers never see half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Float32 vectors for ``texts``, shape ``(len(texts), d)``, in order."""
        texts = list(texts)
        keys = [self.key(text) for text in texts]
        vectors: dict[str, np.ndarray] = {}
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key in vectors or key in todo:
                continue
            cached = self._load(key)
            if cached is None:
                todo[key] = text
            else:
                vectors[key] = cached
        self.hits += len(vectors)
        self.misses += len(todo)
        if todo:
            self._embed_missing(todo, vectors)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([vectors[key] for key in keys]).astype(np.float32, copy=False)

    def _embed_missing(self, todo: dict[str, str], vectors: dict[str, np.ndarray]) -> None:
        from tqdm.auto import tqdm

        pending = list(todo.items())
        batches = range(0, len(pending), self.batch_size)
        show = self.progress if self.progress is not None else len(batches) > 1
        with tqdm(total=len(pending), desc="embedding", unit="text", disable=not show) as bar:
            for first in batches:
                batch = pending[first : first + self.batch_size]
                result = np.asarray(self.embed_fn([text for _, text in batch]), dtype=np.float32)
                if result.ndim != 2 or result.shape[0] != len(batch):
                    raise UserError(
                        f"embed_fn returned shape {result.shape} for {len(batch)} texts: "
                        "it must return one row per text"
                    )
                for (key, _), vector in zip(batch, result, strict=True):
                    self._store(key, vector)
                    vectors[key] = vector
                bar.update(len(batch))
