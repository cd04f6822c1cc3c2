"""``ChromaIndex``: the index in one Chroma database (embedded folder or server).

Layout:

* ``bot_manifest`` – an empty collection whose metadata is the manifest: the active
  generation, the embedding model, the chunker settings and each document's hash.
* ``chunks_g<N>`` – passages of generation N (cosine space), with section and study refs; its
  collection metadata holds the generation's ``CorpusProfile``.
* ``sentences_g<N>`` – every sentence of those passages with its own embedding, so the
  extractive composer can rank sentences without embedding anything at question time.

``ensure`` builds a missing index and rebuilds a damaged one; every Chroma, disk or network
failure reaches callers as an ``IndexStoreError`` whose message names the folder or server.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.chunking import Chunk
from bot.config import Settings
from bot.corpus import Document
from bot.embeddings import Embedder
from bot.store.backend import ChromaBackend, add, probe, read_all, vectors_by_id
from bot.store.errors import IndexCorruptError, IndexStoreError, IndexUnavailableError
from bot.store.ingest import NewGeneration, compatible, ingest_lock, run_ingest, write_prepared
from bot.store.records import Health, IngestStats, Manifest, chunk_metadata, sentence_metadata
from bot.store.snapshot import Snapshot, parse_references, profile_metadata, read_snapshot

log = logging.getLogger(__name__)

MANIFEST = "bot_manifest"


def collection_name(kind: str, generation: int) -> str:
    """``chunks_g<N>`` or ``sentences_g<N>``."""
    return f"{kind}_g{generation}"


class ChromaIndex:
    """Owns the Chroma client and everything written to or read from it (a ``Store``)."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.backend = ChromaBackend(settings)

    # -- connection -------------------------------------------------------------------
    @property
    def client(self) -> Any:
        return self.backend.client

    @property
    def path(self) -> Path:
        return self.backend.path

    @property
    def location(self) -> str:
        return self.backend.location

    def close(self) -> None:
        self.backend.close()

    def translate(self, exc: BaseException, doing: str) -> IndexStoreError:
        return self.backend.translate(exc, doing)

    # -- manifest ---------------------------------------------------------------------
    def generation(self) -> int | None:
        """The active generation: one small read, cheap enough to poll."""
        meta = self._manifest_metadata()
        return int(meta["generation"]) if meta and "generation" in meta else None

    def _manifest_metadata(self) -> dict[str, Any] | None:
        found = self.backend.collection(MANIFEST, "reading the manifest")
        return None if found is None else dict(found.metadata or {})

    def manifest(self) -> Manifest | None:
        meta = self._manifest_metadata()
        if not meta or "generation" not in meta:
            return None
        return Manifest(
            generation=int(meta["generation"]),
            schema=int(meta.get("schema", 0)),
            model=meta.get("model"),
            chunker=json.loads(meta.get("chunker", "{}")),
            documents=json.loads(meta.get("documents", "{}")),
            references=json.loads(meta.get("references", "{}")),
            built_at=meta.get("built_at"),
            chunks=int(meta.get("chunks", 0)),
        )

    def is_current(self) -> bool:
        """True when an index exists for this model and chunker (documents may still differ)."""
        manifest = self.manifest()
        return manifest is not None and compatible(manifest, self.embedder.name, self.settings)

    # -- health -----------------------------------------------------------------------
    def check(self) -> Health:
        """Is there a usable index? Reads the manifest, counts the active generation, runs a probe query.

        Raises ``IndexUnavailableError`` when the server is down (nothing to repair here) and
        ``IndexStoreError`` when the folder cannot be used at all.
        """
        damaged_files = not self.settings.chroma_url  # a server's files are its operator's business
        try:
            manifest = self.manifest()
        except IndexCorruptError as exc:
            return Health("damaged", str(exc), corrupt_files=damaged_files)
        if manifest is None:
            return Health("missing", "no index yet")
        if not compatible(manifest, self.embedder.name, self.settings):
            return Health("outdated", "built with another model, chunker or schema")
        gen = manifest["generation"]
        for kind, expected in (("chunks", manifest["chunks"]), ("sentences", None)):
            name = collection_name(kind, gen)
            try:
                problem = self.backend.guarded(
                    f"checking {name}", lambda n=name, e=expected: probe(self.backend.collection(n), n, e)
                )
            except IndexUnavailableError:
                raise
            except IndexCorruptError as exc:
                return Health("damaged", str(exc), corrupt_files=damaged_files)
            except IndexStoreError as exc:  # e.g. a lost HNSW segment: "Error finding id"
                return Health("damaged", str(exc))
            if problem:
                return Health("damaged", problem)
        return Health("ok")

    def ensure(self, *, progress: bool = False) -> IngestStats | None:
        """Build the index if it is missing or outdated, rebuild it from the corpus if damaged.

        Only for the embedded store: with a Chroma server, a missing or damaged index is an
        ``IndexStoreError`` asking for one ``bot ingest`` (several replicas must not race to build it).
        Returns the ingest's stats, or None when the index was fine.
        """
        health = self.check()
        if health.ok:
            return None
        if self.settings.chroma_url:
            command = "bot ingest --rebuild" if health.state == "damaged" else "bot ingest"
            raise IndexStoreError(
                f"the Chroma server at {self.settings.chroma_url} has no usable index ({health.detail}); "
                f"run `{command}` once with BOT_CHROMA_URL={self.settings.chroma_url}"
            )
        with ingest_lock(self.settings.data_dir):
            health = self.check()  # another process may have built it while we waited
            if health.ok:
                return None
            if health.state == "missing":
                log.warning("building the index at %s (first use)", self.location)
            elif health.state == "outdated":
                log.warning("rebuilding the index at %s: %s", self.location, health.detail)
            else:
                log.warning(
                    "the index at %s is damaged (%s); rebuilding it from the corpus", self.location, health.detail
                )
                if health.corrupt_files:
                    self.backend.set_aside()
            return self.ingest(rebuild=health.state == "damaged", progress=progress)

    # -- ingest -----------------------------------------------------------------------
    def ingest(
        self,
        docs: Sequence[Document] | None = None,
        *,
        rebuild: bool = False,
        progress: bool = False,
        wait: float = 600,
    ) -> IngestStats:
        """Bring the index in line with the corpus, embedding only what changed.

        One ingest at a time per data folder: a second one waits up to ``wait`` seconds for the
        first, then fails with ``IndexStoreError``.
        """
        ingesting = getattr(self.embedder, "ingesting", contextlib.nullcontext)
        with ingest_lock(self.settings.data_dir, timeout=wait), ingesting():
            return run_ingest(self, self.settings, self.embedder, docs, rebuild=rebuild, progress=progress)

    def load_prepared(
        self,
        docs: Sequence[Document],
        chunks: Sequence[Chunk],
        chunk_vectors: dict[str, np.ndarray],
        sentence_vectors: dict[str, np.ndarray],
    ) -> IngestStats:
        """Write chunks whose vectors were computed elsewhere as the next generation (bulk loads, benchmarks).

        Nothing is chunked or embedded here: ``chunk_vectors`` and ``sentence_vectors`` map every
        chunk id and sentence id to a unit vector of the embedder's model.
        """
        with ingest_lock(self.settings.data_dir):
            prepared = (docs, chunks, chunk_vectors, sentence_vectors)
            return write_prepared(self, self.settings, self.embedder.name, prepared)

    # -- what an ingest needs (``Generations``) ---------------------------------------
    def chunk_ids(self, generation: int) -> set[str]:
        def read() -> set[str]:
            found = self.backend.collection(collection_name("chunks", generation))
            return set(read_all(found, [])["ids"]) if found is not None else set()

        return self.backend.guarded("reading the index", read)

    def stored_vectors(self, kind: str, generation: int, ids: list[str]) -> dict[str, np.ndarray]:
        return self.backend.guarded(
            "reading the index",
            lambda: vectors_by_id(self.backend.collection(collection_name(kind, generation)), ids),
        )

    def write_generation(self, new: NewGeneration) -> None:
        """Write generation ``new.generation`` beside the active one, then flip the manifest to it."""

        def write() -> None:
            self.drop_generation(new.generation)  # leftovers of an ingest that died half-way
            chunks = self.backend.create(collection_name("chunks", new.generation), profile_metadata(new.profile))
            urls = new.urls()
            add(
                chunks,
                [c.id for c in new.chunks],
                [new.chunk_vectors[c.id] for c in new.chunks],
                [c.text for c in new.chunks],
                [chunk_metadata(c, urls.get(c.doc_id)) for c in new.chunks],
            )
            sentences = self.backend.create(collection_name("sentences", new.generation))
            homes = new.homes()
            add(
                sentences,
                [s.id for s in new.sentences],
                [new.sentence_vectors[s.id] for s in new.sentences],
                [s.text for s in new.sentences],
                [sentence_metadata(s.refs, homes[s.id]) for s in new.sentences],
            )
            self._write_manifest(new.manifest())

        self.backend.guarded(f"writing generation {new.generation}", write)

    def _write_manifest(self, manifest: Manifest) -> None:
        metadata = {
            **manifest,
            "chunker": json.dumps(manifest["chunker"], sort_keys=True),
            "documents": json.dumps(manifest["documents"], sort_keys=True),
            "references": json.dumps(manifest["references"], sort_keys=True),
        }
        # modify() replaces the metadata in one write: this is the atomic switch.
        self.client.get_or_create_collection(MANIFEST, embedding_function=None).modify(metadata=metadata)

    def drop_generation(self, generation: int) -> None:
        names = [collection_name("chunks", generation), collection_name("sentences", generation)]
        self.backend.guarded(f"dropping generation {generation}", lambda: self.backend.drop(names))

    # -- reading ----------------------------------------------------------------------
    def open_snapshot(self) -> Snapshot:
        """The active generation, read once; it stays usable while a new one is built."""
        for _attempt in range(3):
            manifest = self.manifest()
            if manifest is None:
                raise IndexStoreError(f"no index at {self.location}; run `bot ingest`")
            gen = manifest["generation"]
            collections = (self._collection_or_none("chunks", gen), self._collection_or_none("sentences", gen))
            if collections[0] is None or collections[1] is None:
                if self.generation() != gen:
                    continue  # an ingest flipped the manifest and dropped gen meanwhile: read again
                raise IndexCorruptError(f"the index at {self.location} is incomplete; run `bot ingest --rebuild`")
            references = parse_references(manifest["references"])
            try:
                return self.backend.guarded(
                    f"reading generation {gen}",
                    lambda g=gen, c=collections, r=references: read_snapshot(self.backend, g, c, r, self.generation),
                )
            except IndexStoreError:
                if self.generation() != gen:
                    continue
                raise
        raise IndexStoreError(f"the index at {self.location} keeps changing under the reader; try again")

    def _collection_or_none(self, kind: str, generation: int) -> Any:
        """The collection, or None if it is gone or unreadable (only an unreachable server raises)."""
        try:
            return self.backend.collection(collection_name(kind, generation))
        except IndexUnavailableError:
            raise
        except IndexStoreError:
            return None
