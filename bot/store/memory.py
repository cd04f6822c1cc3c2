"""``MemoryStore``: the ``Store`` protocol in memory, for fast tests of what reads an index.

It runs the same ingest as ``ChromaIndex`` (chunking, the idempotent diff, the corpus profile)
and serves the same ``Snapshot`` with exact in-memory search, but keeps nothing on disk and needs
no Chroma. Generations are kept until replaced, so a snapshot taken before an ingest stays whole.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.config import Settings
from bot.corpus import Document
from bot.embeddings import Embedder
from bot.store.errors import IndexStoreError
from bot.store.ingest import NewGeneration, compatible, run_ingest
from bot.store.records import (
    Health,
    IngestStats,
    Manifest,
    StoredSentence,
    as_matrix,
    as_vector,
    chunk_metadata,
    stored_chunk,
)
from bot.store.snapshot import MatrixSearch, Snapshot, parse_references


@dataclass(frozen=True)
class _Generation:
    manifest: Manifest
    snapshot: Snapshot
    vectors: dict[str, dict[str, np.ndarray]]  # "chunks" / "sentences" → id → vector


class MemoryStore:
    """An index held in this process only."""

    location = "memory"

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._generations: dict[int, _Generation] = {}
        self._active: int | None = None
        self._lock = threading.RLock()

    # -- Store ------------------------------------------------------------------------
    def generation(self) -> int | None:
        return self._active

    def manifest(self) -> Manifest | None:
        return self._generations[self._active].manifest if self._active is not None else None

    def check(self) -> Health:
        manifest = self.manifest()
        if manifest is None:
            return Health("missing", "no index yet")
        if not compatible(manifest, self.embedder.name, self.settings):
            return Health("outdated", "built with another model, chunker or schema")
        return Health("ok")

    def ensure(self, *, progress: bool = False) -> IngestStats | None:
        with self._lock:
            return None if self.check().ok else self.ingest(progress=progress)

    def ingest(
        self,
        docs: Sequence[Document] | None = None,
        *,
        rebuild: bool = False,
        progress: bool = False,
        wait: float = 600,
    ) -> IngestStats:
        ingesting = getattr(self.embedder, "ingesting", contextlib.nullcontext)
        with self._lock, ingesting():
            return run_ingest(self, self.settings, self.embedder, docs, rebuild=rebuild, progress=progress)

    def open_snapshot(self) -> Snapshot:
        active = self._active
        if active is None:
            raise IndexStoreError("no index in memory yet; ingest the corpus first")
        return self._generations[active].snapshot

    def close(self) -> None:
        """Nothing to let go of."""

    # -- what an ingest needs ---------------------------------------------------------
    def chunk_ids(self, generation: int) -> set[str]:
        found = self._generations.get(generation)
        return set(found.vectors["chunks"]) if found else set()

    def stored_vectors(self, kind: str, generation: int, ids: list[str]) -> dict[str, np.ndarray]:
        found = self._generations.get(generation)
        stored = found.vectors[kind] if found else {}
        return {i: stored[i] for i in ids if i in stored}

    def write_generation(self, new: NewGeneration) -> None:
        urls = new.urls()
        chunks = sorted(
            (stored_chunk(c.id, c.text, chunk_metadata(c, urls.get(c.doc_id))) for c in new.chunks),
            key=lambda c: (c.doc_id, c.position),
        )
        homes = new.homes()
        sentences = [StoredSentence(s.id, s.text, s.refs, as_vector(new.sentence_vectors[s.id])) for s in new.sentences]
        search = MatrixSearch(
            [c.id for c in chunks],
            as_matrix([new.chunk_vectors[c.id] for c in chunks]),
            sentences,
            [tuple(homes[s.id]) for s in sentences],
        )
        manifest = new.manifest()
        references = parse_references(manifest["references"])
        snapshot = Snapshot(new.generation, chunks, references, new.profile, search)
        vectors = {"chunks": dict(new.chunk_vectors), "sentences": dict(new.sentence_vectors)}
        self._generations[new.generation] = _Generation(manifest, snapshot, vectors)
        self._active = new.generation  # the switch

    def drop_generation(self, generation: int) -> None:
        self._generations.pop(generation, None)
