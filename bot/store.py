"""The Chroma index: idempotent ingest into generations, switched atomically by a manifest.

Layout inside one Chroma database (embedded folder or server):

* ``bot_manifest`` – an empty collection whose metadata is the manifest: the active
  generation, the embedding model, the chunker settings and each document's hash.
* ``chunks_g<N>`` – passages of generation N (cosine space), with section and study refs.
* ``sentences_g<N>`` – every sentence of those passages with its own embedding, so the
  extractive composer can rank sentences without embedding anything at question time.

An ingest writes generation N+1 beside N (reusing stored embeddings of unchanged chunks),
then flips the manifest: readers never see a half-built index. A reader holding generation N
when it is dropped gets ``StaleSnapshotError`` and reopens the new one; ``ChromaIndex.ensure``
builds a missing index and rebuilds a damaged one, and every Chroma, disk or network failure
reaches callers as an ``IndexStoreError`` whose message names the folder or server.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bot.chunking import Chunk, chunk_corpus
from bot.config import Settings
from bot.corpus import CorpusError, Document, Reference, load_corpus
from bot.embeddings import Embedder

log = logging.getLogger(__name__)
T = TypeVar("T")

MANIFEST = "bot_manifest"
SCHEMA_VERSION = 2
_BATCH = 1000
#: Largest collection (vectors) a snapshot holds in memory and searches exactly; ~30 MB of float32.
IN_MEMORY_MAX = 20_000
#: Sentences kept after reading them for the composer when the index is too big to hold whole.
SENTENCE_CACHE_MAX = 20_000


class IndexStoreError(RuntimeError):
    """The index cannot be read or written; the message says what to do."""


class IndexUnavailableError(IndexStoreError):
    """The Chroma server cannot be reached (down, restarting, wrong address): try again later."""


class IndexCorruptError(IndexStoreError):
    """The index files are damaged; ``ChromaIndex.ensure`` sets them aside and rebuilds from the corpus."""


class StaleSnapshotError(IndexStoreError):
    """The snapshot's generation was replaced and dropped by an ingest: reopen the active one."""


# SQLite and HNSW messages of a damaged embedded store (chromadb passes them through as text).
_CORRUPT = ("malformed", "not a database", "file is encrypted", "error loading hnsw", "no such table", "hnsw segment")
# ...and of a folder that cannot be written (read-only, full, gone).
_UNWRITABLE = ("readonly", "read-only", "disk is full", "disk full", "unable to open database", "disk i/o error")


@dataclass(frozen=True)
class Health:
    """What ``ChromaIndex.check`` found: ``ok``, ``missing``, ``outdated`` or ``damaged``."""

    state: str
    detail: str = ""
    corrupt_files: bool = False  # the embedded database itself is unreadable: set it aside

    @property
    def ok(self) -> bool:
        return self.state == "ok"


@dataclass(frozen=True)
class IngestStats:
    documents: int
    chunks: int
    embedded: int  # chunks embedded in this run (0 when nothing changed)
    reused: int  # chunks whose stored embeddings were kept
    removed: int  # chunks dropped since the previous generation
    sentences_embedded: int
    seconds: float
    generation: int
    rebuilt: bool  # model or chunker changed, or --rebuild
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredChunk:
    """A passage as read back from the index."""

    id: str
    doc_id: str
    title: str
    section: str
    url: str | None
    text: str
    sentence_ids: tuple[str, ...]
    refs: tuple[int, ...]
    position: int


@dataclass(frozen=True)
class StoredSentence:
    id: str
    text: str
    refs: tuple[int, ...]
    embedding: np.ndarray


class ChromaIndex:
    """Owns the Chroma client and everything written to or read from it."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._client: Any = None
        self._connecting = threading.Lock()

    # -- connection -------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            with self._connecting:
                if self._client is None:
                    try:
                        self._client = self._guarded("connecting", self._connect)
                    except IndexStoreError:
                        # chromadb caches a half-started client per folder; drop it, or every later
                        # attempt fails with an unrelated AttributeError instead of the real reason.
                        self.close()
                        raise
        return self._client

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        path = self.path
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexStoreError(
                f"cannot create the index folder {path} ({exc.strerror or exc}); set BOT_DATA_DIR to a writable folder"
            ) from None
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

    @property
    def path(self) -> Path:
        """The embedded store's folder (unused with a Chroma server)."""
        return self.settings.data_dir / "chroma"

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.path)

    def close(self) -> None:
        """Let go of the client; an embedded store's files are closed and can be moved."""
        self._client = None
        if self.settings.chroma_url:
            return
        # PersistentClients of one folder share a process-wide "system" that keeps the SQLite
        # file open; stop it outright, or a reconnect would reuse the old handles.
        from chromadb.api.shared_system_client import SharedSystemClient

        key = str(self.path)
        system = SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)
        if system is not None:
            with contextlib.suppress(Exception):
                system.stop()

    # -- errors -----------------------------------------------------------------------
    def _guarded(self, doing: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except IndexStoreError:
            raise
        except Exception as exc:
            raise self.translate(exc, doing) from exc

    def translate(self, exc: BaseException, doing: str) -> IndexStoreError:
        """A Chroma, disk or network failure as an ``IndexStoreError`` that says where and what to do."""
        if isinstance(exc, IndexStoreError):
            return exc
        text = str(exc).strip() or exc.__class__.__name__
        lower = text.lower()
        if self.settings.chroma_url and _is_connection_error(exc):
            return IndexUnavailableError(
                f"cannot reach the Chroma server at {self.settings.chroma_url} while {doing} ({text}); "
                "check that it is running (chroma run --path DIR --host HOST --port PORT)"
            )
        if any(marker in lower for marker in _CORRUPT):
            return IndexCorruptError(f"the index at {self.location} is damaged ({text})")
        if isinstance(exc, OSError) or any(marker in lower for marker in _UNWRITABLE):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else text
            return IndexStoreError(
                f"cannot use the index at {self.location} while {doing} ({reason}); "
                "check that the folder exists, is writable and the disk has free space"
            )
        return IndexStoreError(f"the index at {self.location} failed while {doing}: {text}")

    # -- manifest ---------------------------------------------------------------------
    def generation(self) -> int | None:
        """The active generation: one small read, cheap enough to poll."""
        meta = self._manifest_metadata()
        return int(meta["generation"]) if meta and "generation" in meta else None

    def _manifest_metadata(self) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            try:
                return self.client.get_collection(MANIFEST).metadata or {}
            except Exception as exc:  # chromadb raises NotFoundError or ValueError by version
                if "does not exist" in str(exc) or "not found" in str(exc).lower():
                    return None
                raise

        return self._guarded("reading the manifest", read)

    def manifest(self) -> dict[str, Any] | None:
        meta = self._manifest_metadata()
        if not meta or "generation" not in meta:
            return None
        return {
            "generation": int(meta["generation"]),
            "schema": int(meta.get("schema", 0)),
            "model": meta.get("model"),
            "chunker": json.loads(meta.get("chunker", "{}")),
            "documents": json.loads(meta.get("documents", "{}")),
            "references": json.loads(meta.get("references", "{}")),
            "built_at": meta.get("built_at"),
            "chunks": int(meta.get("chunks", 0)),
        }

    def is_current(self) -> bool:
        """True when an index exists for this model and chunker (documents may still differ)."""
        manifest = self.manifest()
        return manifest is not None and self._compatible(manifest)

    def _compatible(self, manifest: dict[str, Any]) -> bool:
        return (
            manifest["schema"] == SCHEMA_VERSION
            and manifest["model"] == self.embedder.name
            and manifest["chunker"] == self.settings.chunker_signature
        )

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
        if not self._compatible(manifest):
            return Health("outdated", "built with another model, chunker or schema")
        gen = manifest["generation"]
        for name, expected in ((f"chunks_g{gen}", manifest["chunks"]), (f"sentences_g{gen}", None)):
            try:
                problem = self._guarded(f"checking {name}", lambda n=name, e=expected: _probe(self.client, n, e))
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

        Returns the ingest's stats, or None when the index was fine. Also makes the fast
        (ONNX) copy of the embedding model if there is none yet.
        """
        health = self.check()
        if health.ok:
            self.prepare_embedder()
            return None
        if self.settings.chroma_url:
            # Replicas sharing a server must not all start building at once: one `bot ingest` does it.
            command = "bot ingest --rebuild" if health.state == "damaged" else "bot ingest"
            raise IndexStoreError(
                f"the Chroma server at {self.settings.chroma_url} has no usable index ({health.detail}); "
                f"run `{command}` once with BOT_CHROMA_URL={self.settings.chroma_url}"
            )
        with ingest_lock(self.settings.data_dir):
            health = self.check()  # another process may have built it while we waited
            if health.ok:
                self.prepare_embedder()
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
                    self._set_aside()
            return self.ingest(rebuild=health.state == "damaged", progress=progress)

    def _set_aside(self) -> None:
        """Move a damaged embedded store out of the way (kept for inspection), so a fresh one can be built."""
        self.close()
        if self.path.exists():
            target = self.path.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            self.path.rename(target)
            log.warning("moved the damaged index to %s", target)

    def prepare_embedder(self) -> None:
        """Let the embedder switch to its ONNX export in ``<data_dir>/models`` (made once, from the bundled weights)."""
        prepare = getattr(self.embedder, "prepare", None)
        if prepare is not None:
            prepare(self.settings.data_dir / "models")

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
            return self._ingest(docs, rebuild=rebuild, progress=progress)

    def _ingest(self, docs: Sequence[Document] | None, *, rebuild: bool, progress: bool) -> IngestStats:
        started = time.perf_counter()
        errors: tuple[str, ...] = ()
        if docs is None:
            try:
                loaded, problems = load_corpus(self.settings.corpus_dir)
            except CorpusError as exc:
                raise IndexStoreError(str(exc)) from None
            docs, errors = loaded, tuple(str(p) for p in problems)
            if not docs:
                # Keep whatever index there is rather than replace it with an empty one.
                detail = "; ".join(errors) or "no *.md files"
                raise IndexStoreError(f"no usable articles in {self.settings.corpus_dir}: {detail}")
        self.prepare_embedder()
        chunks = _unique(chunk_corpus(docs, self.settings.chunk_tokens, self.settings.chunk_overlap))
        manifest = self.manifest()
        reusable = manifest is not None and self._compatible(manifest) and not rebuild
        old_gen = manifest["generation"] if manifest else 0
        old_chunks = self._chunk_collection(old_gen) if manifest else None
        old_ids: set[str] = set()
        if reusable and old_chunks is not None:
            old_ids = set(self._guarded("reading the index", lambda: _get_all(old_chunks, [])["ids"]))
        new_ids = [c.id for c in chunks]
        doc_hashes = {d.id: d.content_hash for d in docs}
        if reusable and set(new_ids) == old_ids and manifest and manifest["documents"] == doc_hashes:
            return IngestStats(
                len(docs), len(chunks), 0, len(chunks), 0, 0, time.perf_counter() - started, old_gen, False, errors
            )

        gen = old_gen + 1
        kept = [c for c in chunks if c.id in old_ids]
        fresh = [c for c in chunks if c.id not in old_ids]
        sentences = list({s.id: s for c in chunks for s in c.sentences}.values())
        old_sentences = self._sentence_collection(old_gen) if reusable and manifest else None
        kept_sentence_vectors = self._guarded(
            "reading the index", lambda: _vectors_by_id(old_sentences, [s.id for s in sentences])
        )
        fresh_sentences = [s for s in sentences if s.id not in kept_sentence_vectors]

        chunk_vectors = self._guarded(
            "reading the index", lambda: _vectors_by_id(old_chunks if reusable else None, [c.id for c in kept])
        )
        chunk_vectors.update(
            self._embed([c.embedding_text for c in fresh], [c.id for c in fresh], progress, "passages")
        )
        sentence_vectors = dict(kept_sentence_vectors)
        sentence_vectors.update(
            self._embed([s.text for s in fresh_sentences], [s.id for s in fresh_sentences], progress, "sentences")
        )

        self._write_generation(gen, docs, chunks, chunk_vectors, sentence_vectors)
        if manifest:
            self._drop_generation(old_gen)
        return IngestStats(
            documents=len(docs),
            chunks=len(chunks),
            embedded=len(fresh),
            reused=len(kept),
            removed=len(old_ids - set(new_ids)),
            sentences_embedded=len(fresh_sentences),
            seconds=time.perf_counter() - started,
            generation=gen,
            rebuilt=not reusable,
            errors=errors,
        )

    def _write_generation(
        self,
        gen: int,
        docs: Sequence[Document],
        chunks: Sequence[Chunk],
        chunk_vectors: dict[str, np.ndarray],
        sentence_vectors: dict[str, np.ndarray],
    ) -> None:
        """Write generation ``gen`` beside the active one, then flip the manifest to it."""

        def write() -> None:
            self._drop_generation(gen)  # leftovers of an ingest that died half-way
            chunk_col = self._create(f"chunks_g{gen}")
            sentence_col = self._create(f"sentences_g{gen}")
            urls = {d.id: d.url for d in docs}
            _add(
                chunk_col,
                [c.id for c in chunks],
                [chunk_vectors[c.id] for c in chunks],
                [c.text for c in chunks],
                [_chunk_metadata(c, urls.get(c.doc_id)) for c in chunks],
            )
            homes: dict[str, list[str]] = {}
            for c in chunks:
                for s in c.sentences:
                    homes.setdefault(s.id, []).append(c.id)
            sentences = list({s.id: s for c in chunks for s in c.sentences}.values())
            _add(
                sentence_col,
                [s.id for s in sentences],
                [sentence_vectors[s.id] for s in sentences],
                [s.text for s in sentences],
                [{"refs": json.dumps(list(s.refs)), "chunk_ids": json.dumps(homes[s.id])} for s in sentences],
            )
            doc_hashes = {d.id: d.content_hash for d in docs}
            references = {d.id: {str(n): r.to_dict() for n, r in d.references.items()} for d in docs}
            self._write_manifest(gen, doc_hashes, references, len(chunks))

        self._guarded(f"writing generation {gen}", write)

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
        started = time.perf_counter()
        with ingest_lock(self.settings.data_dir):
            manifest = self.manifest()
            old_gen = manifest["generation"] if manifest else 0
            self._write_generation(old_gen + 1, docs, chunks, chunk_vectors, sentence_vectors)
            if manifest:
                self._drop_generation(old_gen)
        sentences = len({s.id for c in chunks for s in c.sentences})
        return IngestStats(len(docs), len(chunks), 0, 0, 0, sentences, time.perf_counter() - started, old_gen + 1, True)

    def _embed(self, texts: list[str], ids: list[str], progress: bool, what: str) -> dict[str, np.ndarray]:
        if not texts:
            return {}
        from tqdm.auto import tqdm

        vectors: dict[str, np.ndarray] = {}
        step = 64
        with tqdm(total=len(texts), desc=f"Embedding {what}", unit=what[:-1], disable=not progress) as bar:
            for start in range(0, len(texts), step):
                batch = self.embedder.embed_documents(texts[start : start + step])
                vectors.update(zip(ids[start : start + step], batch, strict=True))
                bar.update(len(batch))
        return vectors

    def _create(self, name: str) -> Any:
        return self.client.create_collection(name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)

    def _write_manifest(self, gen: int, docs: dict[str, str], refs: dict[str, Any], chunks: int) -> None:
        metadata = {
            "generation": gen,
            "schema": SCHEMA_VERSION,
            "model": self.embedder.name,
            "chunker": json.dumps(self.settings.chunker_signature, sort_keys=True),
            "documents": json.dumps(docs, sort_keys=True),
            "references": json.dumps(refs, sort_keys=True),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "chunks": chunks,
        }
        # modify() replaces the metadata in one write: this is the atomic switch.
        self.client.get_or_create_collection(MANIFEST, embedding_function=None).modify(metadata=metadata)

    def _drop_generation(self, gen: int) -> None:
        for name in (f"chunks_g{gen}", f"sentences_g{gen}"):
            with contextlib.suppress(Exception):  # not there: nothing to drop
                self.client.delete_collection(name)

    # -- reading ----------------------------------------------------------------------
    def _chunk_collection(self, gen: int) -> Any:
        return self._get(f"chunks_g{gen}")

    def _sentence_collection(self, gen: int) -> Any:
        return self._get(f"sentences_g{gen}")

    def _get(self, name: str) -> Any:
        try:
            return self.client.get_collection(name, embedding_function=None)
        except IndexStoreError:
            raise
        except Exception as exc:
            if self.settings.chroma_url and _is_connection_error(exc):
                raise self.translate(exc, f"opening {name}") from exc
            return None

    def open_snapshot(self) -> Snapshot:
        """The active generation, read once; it stays usable while a new one is built."""
        for _attempt in range(3):
            manifest = self.manifest()
            if manifest is None:
                raise IndexStoreError(f"no index at {self.location}; run `bot ingest`")
            gen = manifest["generation"]
            chunks_col, sentences_col = self._chunk_collection(gen), self._sentence_collection(gen)
            if chunks_col is None or sentences_col is None:
                if self.generation() != gen:
                    continue  # an ingest flipped the manifest and dropped gen meanwhile: read again
                raise IndexCorruptError(f"the index at {self.location} is incomplete; run `bot ingest --rebuild`")
            try:
                loaded = self._guarded(
                    f"reading generation {gen}", lambda c=chunks_col, s=sentences_col: _load(c, s, IN_MEMORY_MAX)
                )
            except IndexStoreError:
                if self.generation() != gen:
                    continue
                raise
            chunks, chunk_vectors, sentence_rows = loaded
            references = {
                doc_id: {int(n): Reference(**r) for n, r in refs.items()}
                for doc_id, refs in manifest["references"].items()
            }
            return Snapshot(gen, chunks_col, sentences_col, chunks, references, self, chunk_vectors, sentence_rows)
        raise IndexStoreError(f"the index at {self.location} keeps changing under the reader; try again")


class Snapshot:
    """One generation of the index, as the retriever and composer read it.

    A small generation (up to ``IN_MEMORY_MAX`` vectors a collection, e.g. a handful of articles) is
    read into memory whole and searched exactly with one matrix product: no Chroma round trip
    per question, which matters most with a server. A larger one is searched with Chroma's HNSW
    index, and sentences read for the composer are cached.

    If an ingest drops this generation while it is in use, reads raise ``StaleSnapshotError``:
    the caller reopens the active generation and tries again.
    """

    def __init__(
        self,
        generation: int,
        chunks_col: Any,
        sentences_col: Any,
        chunks: list[StoredChunk],
        references: dict[str, dict[int, Reference]],
        index: ChromaIndex | None = None,
        chunk_vectors: np.ndarray | None = None,
        sentence_rows: list[tuple[StoredSentence, tuple[str, ...]]] | None = None,
    ) -> None:
        self.generation = generation
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        self.references = references
        self._chunks_col = chunks_col
        self._sentences_col = sentences_col
        self._index = index
        # In-memory copies (None: search with Chroma). ``chunk_vectors`` rows follow ``chunks``.
        self._chunk_vectors = chunk_vectors
        self._sentence_homes: list[tuple[str, ...]] | None = None
        self._sentence_vectors: np.ndarray | None = None
        self._sentence_cache: dict[str, StoredSentence] = {}
        if sentence_rows is not None:
            self._sentence_cache = {s.id: s for s, _ in sentence_rows}
            self._sentence_homes = [homes for _, homes in sentence_rows]
            self._sentence_vectors = _matrix([s.embedding for s, _ in sentence_rows])

    @property
    def in_memory(self) -> bool:
        return self._chunk_vectors is not None and self._sentence_vectors is not None

    def _read(self, doing: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as exc:
            if self._index is None:
                raise
            error = self._index.translate(exc, doing)
            if not isinstance(error, IndexUnavailableError):
                with contextlib.suppress(IndexStoreError):
                    latest = self._index.generation()
                    if latest != self.generation:
                        raise StaleSnapshotError(
                            f"generation {self.generation} was replaced by {latest} while {doing}"
                        ) from exc
            raise error from exc

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest passages by cosine similarity (1 - Chroma's cosine distance)."""
        k = min(k, len(self.chunks))
        if k == 0:
            return []
        if self._chunk_vectors is not None:
            return [(self.chunks[i], sim) for i, sim in _nearest(self._chunk_vectors, vector, k)]
        result = self._read(
            "searching passages",
            lambda: self._chunks_col.query(query_embeddings=[vector.tolist()], n_results=k, include=["distances"]),
        )
        return [
            (self.by_id[cid], 1.0 - float(dist))
            for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)
            if cid in self.by_id
        ]

    def sentence_search(self, vector: np.ndarray, k: int) -> list[tuple[StoredChunk, float]]:
        """Passages holding the sentences nearest the query, each with its best sentence's similarity.

        A passage's embedding blurs its several topics; one sentence (an article's own
        "What does off-the-shelf mean?") can match a question far more sharply.
        """
        hits: list[tuple[Sequence[str], float]]
        if self._sentence_vectors is not None and self._sentence_homes is not None:
            hits = [(self._sentence_homes[i], sim) for i, sim in _nearest(self._sentence_vectors, vector, k)]
        else:
            result = self._read(
                "searching sentences",
                lambda: self._sentences_col.query(
                    query_embeddings=[vector.tolist()], n_results=k, include=["distances", "metadatas"]
                ),
            )
            hits = [
                (json.loads(meta["chunk_ids"]), 1.0 - float(dist))
                for meta, dist in zip(result["metadatas"][0], result["distances"][0], strict=True)
            ]
        best: dict[str, float] = {}
        for homes, similarity in hits:
            for chunk_id in homes:
                if chunk_id in self.by_id and chunk_id not in best:
                    best[chunk_id] = similarity
        return [(self.by_id[cid], sim) for cid, sim in best.items()]

    def sentences(self, ids: Sequence[str]) -> dict[str, StoredSentence]:
        wanted = list(dict.fromkeys(ids))
        cache = self._sentence_cache
        missing = [sid for sid in wanted if sid not in cache]
        if missing and self._sentence_vectors is None:
            got = self._read(
                "reading sentences",
                lambda: self._sentences_col.get(ids=missing, include=["documents", "metadatas", "embeddings"]),
            )
            if len(cache) > SENTENCE_CACHE_MAX:
                cache.clear()  # crude but bounded; popular passages come back at once
            for sid, text, meta, vec in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                cache[sid] = StoredSentence(sid, text, tuple(json.loads(meta["refs"])), _vector(vec))
        return {sid: cache[sid] for sid in wanted if sid in cache}


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    """The first of passages with the same id (the same text twice in one section of one article)."""
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        seen.setdefault(chunk.id, chunk)
    return list(seen.values())


def _vector(values: Any) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    vector.setflags(write=False)
    return vector


def _matrix(vectors: Sequence[np.ndarray]) -> np.ndarray:
    return np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)


def _nearest(matrix: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows of ``matrix`` (unit vectors) most similar to ``vector``, best first: exact cosine."""
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    k = min(k, len(scores))
    if k == 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]


def _is_connection_error(exc: BaseException) -> bool:
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return True
    except ImportError:  # pragma: no cover - chromadb depends on httpx
        pass
    return isinstance(exc, ConnectionError | TimeoutError) or "could not connect to a chroma server" in str(exc).lower()


def _probe(client: Any, name: str, expected: int | None) -> str | None:
    """A problem with one collection (missing, short, unsearchable), or None."""
    try:
        collection = client.get_collection(name, embedding_function=None)
    except Exception as exc:
        if "does not exist" in str(exc) or "not found" in str(exc).lower():
            return f"{name} is missing"
        raise
    count = collection.count()
    if count == 0 or (expected is not None and count != expected):
        return f"{name} holds {count} records, expected {expected or 'some'}"
    first = collection.get(limit=1, include=["embeddings"])
    if not first["ids"] or first["embeddings"] is None or len(first["embeddings"]) == 0:
        return f"{name} has no stored vectors"
    found = collection.query(query_embeddings=[first["embeddings"][0]], n_results=min(3, count), include=[])
    if len(found["ids"][0]) != min(3, count):
        return f"{name}'s vector index returned {len(found['ids'][0])} of {min(3, count)} neighbours"
    return None


def _chunk_metadata(chunk: Chunk, url: str | None) -> dict[str, Any]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "url": url or "",
        "position": chunk.position,
        "sentence_ids": json.dumps([s.id for s in chunk.sentences]),
        "refs": json.dumps(list(chunk.refs)),
    }


def _stored_chunk(cid: str, text: str, meta: dict[str, Any]) -> StoredChunk:
    return StoredChunk(
        id=cid,
        doc_id=meta["doc_id"],
        title=meta["title"],
        section=meta["section"],
        url=meta.get("url") or None,
        text=text,
        sentence_ids=tuple(json.loads(meta["sentence_ids"])),
        refs=tuple(json.loads(meta["refs"])),
        position=int(meta["position"]),
    )


def _load(
    chunks_col: Any, sentences_col: Any, in_memory_max: int
) -> tuple[list[StoredChunk], np.ndarray | None, list[tuple[StoredSentence, tuple[str, ...]]] | None]:
    """A generation's passages (in reading order), plus all vectors and sentences when it is small."""
    small = chunks_col.count() <= in_memory_max and sentences_col.count() <= in_memory_max
    include = ["documents", "metadatas", "embeddings"] if small else ["documents", "metadatas"]
    records = _get_all(chunks_col, include)
    rows = [
        (_stored_chunk(cid, text, meta), i)
        for i, (cid, text, meta) in enumerate(
            zip(records["ids"], records["documents"], records["metadatas"], strict=True)
        )
    ]
    rows.sort(key=lambda row: (row[0].doc_id, row[0].position))
    chunks = [chunk for chunk, _ in rows]
    if not small:
        return chunks, None, None
    chunk_vectors = _matrix([records["embeddings"][i] for _, i in rows])
    got = _get_all(sentences_col, ["documents", "metadatas", "embeddings"])
    sentence_rows = [
        (
            StoredSentence(sid, text, tuple(json.loads(meta["refs"])), _vector(vec)),
            tuple(json.loads(meta["chunk_ids"])),
        )
        for sid, text, meta, vec in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
    ]
    return chunks, chunk_vectors, sentence_rows


def _get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list[Any]]:
    """Every record of a collection, read a page at a time (one big read exceeds SQLite's variable limit)."""
    out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        if not got["ids"]:
            return out
        out["ids"] += got["ids"]
        for key in include:
            out[key] += list(got[key])
        offset += len(got["ids"])
        if len(got["ids"]) < page:
            return out


def _vectors_by_id(collection: Any, ids: list[str]) -> dict[str, np.ndarray]:
    if collection is None or not ids:
        return {}
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), _BATCH):
        got = collection.get(ids=ids[start : start + _BATCH], include=["embeddings"])
        out.update((i, np.asarray(v, dtype=np.float32)) for i, v in zip(got["ids"], got["embeddings"], strict=True))
    return out


def _add(collection: Any, ids: list[str], vectors: list[np.ndarray], docs: list[str], metas: list[dict]) -> None:
    for start in range(0, len(ids), _BATCH):
        end = start + _BATCH
        collection.add(
            ids=ids[start:end],
            embeddings=np.asarray(vectors[start:end], dtype=np.float32),
            documents=docs[start:end],
            metadatas=metas[start:end],
        )


@functools.cache
def _file_lock(path: str) -> Any:
    from filelock import FileLock

    # One instance per file: re-entrant in the thread that holds it (ensure → ingest), exclusive
    # for other threads and processes.
    return FileLock(path, is_singleton=True)


@contextmanager
def ingest_lock(data_dir: Path, timeout: float = 600) -> Iterator[None]:
    """One ingest at a time per data folder; a second one waits, then fails clearly."""
    from filelock import Timeout

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = _file_lock(str(data_dir / "ingest.lock"))
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexStoreError(
            f"another ingest holds {data_dir / 'ingest.lock'} (waited {timeout:g} s); try again when it ends"
        ) from None
    except OSError as exc:
        raise IndexStoreError(
            f"cannot write to the data folder {data_dir} ({exc.strerror or exc}); set BOT_DATA_DIR to a writable folder"
        ) from None
    try:
        yield
    finally:
        lock.release()


__all__ = [
    "ChromaIndex",
    "Health",
    "IndexCorruptError",
    "IndexStoreError",
    "IndexUnavailableError",
    "IngestStats",
    "Snapshot",
    "StaleSnapshotError",
    "StoredChunk",
    "StoredSentence",
    "ingest_lock",
]
