"""The Chroma index: idempotent ingest into generations, switched atomically by a manifest.

Layout inside one Chroma database (embedded folder or server):

* ``bot_manifest`` – an empty collection whose metadata is the manifest: the active
  generation, the embedding model, the chunker settings and each document's hash.
* ``chunks_g<N>`` – passages of generation N (cosine space), with section and study refs.
* ``sentences_g<N>`` – every sentence of those passages with its own embedding, so the
  extractive composer can rank sentences without embedding anything at question time.

An ingest writes generation N+1 beside N (reusing stored embeddings of unchanged chunks),
then flips the manifest: readers never see a half-built index.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.chunking import Chunk, chunk_corpus
from bot.config import Settings
from bot.corpus import Document, Reference, load_corpus
from bot.embeddings import Embedder

log = logging.getLogger(__name__)

MANIFEST = "bot_manifest"
SCHEMA_VERSION = 2
_BATCH = 1000


class IndexStoreError(RuntimeError):
    """The index cannot be read or written; the message says what to do."""


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

    # -- connection -------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._connect()
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
        path = self.settings.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.data_dir / "chroma")

    # -- manifest ---------------------------------------------------------------------
    def manifest(self) -> dict[str, Any] | None:
        try:
            meta = self.client.get_collection(MANIFEST).metadata or {}
        except Exception as exc:  # chromadb raises NotFoundError or ValueError by version
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                return None
            raise
        if "generation" not in meta:
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

    # -- ingest -----------------------------------------------------------------------
    def ingest(
        self,
        docs: Sequence[Document] | None = None,
        *,
        rebuild: bool = False,
        progress: bool = False,
    ) -> IngestStats:
        """Bring the index in line with the corpus, embedding only what changed."""
        started = time.perf_counter()
        errors: tuple[str, ...] = ()
        if docs is None:
            loaded, problems = load_corpus(self.settings.corpus_dir)
            docs, errors = loaded, tuple(str(p) for p in problems)
        chunks = chunk_corpus(docs, self.settings.chunk_tokens, self.settings.chunk_overlap)
        manifest = self.manifest()
        reusable = manifest is not None and self._compatible(manifest) and not rebuild
        old_gen = manifest["generation"] if manifest else 0
        old_chunks = self._chunk_collection(old_gen) if manifest else None
        old_ids: set[str] = set()
        if reusable and old_chunks is not None:
            old_ids = set(old_chunks.get(include=[])["ids"])
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
        kept_sentence_vectors = _vectors_by_id(old_sentences, [s.id for s in sentences])
        fresh_sentences = [s for s in sentences if s.id not in kept_sentence_vectors]

        chunk_vectors = _vectors_by_id(old_chunks if reusable else None, [c.id for c in kept])
        chunk_vectors.update(
            self._embed([c.embedding_text for c in fresh], [c.id for c in fresh], progress, "passages")
        )
        sentence_vectors = dict(kept_sentence_vectors)
        sentence_vectors.update(
            self._embed([s.text for s in fresh_sentences], [s.id for s in fresh_sentences], progress, "sentences")
        )

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
        _add(
            sentence_col,
            [s.id for s in sentences],
            [sentence_vectors[s.id] for s in sentences],
            [s.text for s in sentences],
            [{"refs": json.dumps(list(s.refs)), "chunk_ids": json.dumps(homes[s.id])} for s in sentences],
        )

        references = {d.id: {str(n): r.to_dict() for n, r in d.references.items()} for d in docs}
        self._write_manifest(gen, doc_hashes, references, len(chunks))
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
        except Exception:
            return None

    def open_snapshot(self) -> Snapshot:
        """The active generation, read once; it stays usable while a new one is built."""
        manifest = self.manifest()
        if manifest is None:
            raise IndexStoreError(f"no index at {self.location}; run `bot ingest`")
        gen = manifest["generation"]
        chunks_col, sentences_col = self._chunk_collection(gen), self._sentence_collection(gen)
        if chunks_col is None or sentences_col is None:
            raise IndexStoreError(f"the index at {self.location} is incomplete; run `bot ingest --rebuild`")
        records = chunks_col.get(include=["documents", "metadatas"])
        chunks = [
            _stored_chunk(cid, text, meta)
            for cid, text, meta in zip(records["ids"], records["documents"], records["metadatas"], strict=True)
        ]
        chunks.sort(key=lambda c: (c.doc_id, c.position))
        references = {
            doc_id: {int(n): Reference(**r) for n, r in refs.items()} for doc_id, refs in manifest["references"].items()
        }
        return Snapshot(gen, chunks_col, sentences_col, chunks, references)


class Snapshot:
    """One generation of the index, as the retriever and composer read it."""

    def __init__(
        self,
        generation: int,
        chunks_col: Any,
        sentences_col: Any,
        chunks: list[StoredChunk],
        references: dict[str, dict[int, Reference]],
    ) -> None:
        self.generation = generation
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        self.references = references
        self._chunks_col = chunks_col
        self._sentences_col = sentences_col

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest passages by cosine similarity (1 - Chroma's cosine distance)."""
        k = min(k, len(self.chunks))
        if k == 0:
            return []
        result = self._chunks_col.query(query_embeddings=[vector.tolist()], n_results=k, include=["distances"])
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
        result = self._sentences_col.query(
            query_embeddings=[vector.tolist()], n_results=k, include=["distances", "metadatas"]
        )
        best: dict[str, float] = {}
        for meta, dist in zip(result["metadatas"][0], result["distances"][0], strict=True):
            for chunk_id in json.loads(meta["chunk_ids"]):
                if chunk_id in self.by_id and chunk_id not in best:
                    best[chunk_id] = 1.0 - float(dist)
        return [(self.by_id[cid], sim) for cid, sim in best.items()]

    def sentences(self, ids: Sequence[str]) -> dict[str, StoredSentence]:
        if not ids:
            return {}
        got = self._sentences_col.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas", "embeddings"])
        return {
            sid: StoredSentence(sid, text, tuple(json.loads(meta["refs"])), np.asarray(vec, dtype=np.float32))
            for sid, text, meta, vec in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            )
        }


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


@contextmanager
def ingest_lock(data_dir: Path, timeout: float = 600) -> Iterator[None]:
    """One ingest at a time per data folder; a second one waits, then fails clearly."""
    from filelock import FileLock, Timeout

    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "ingest.lock"))
    try:
        with lock.acquire(timeout=timeout):
            yield
    except Timeout:
        raise IndexStoreError(f"another ingest holds {data_dir / 'ingest.lock'}; try again when it ends") from None


__all__ = ["ChromaIndex", "IngestStats", "Snapshot", "StoredChunk", "StoredSentence", "ingest_lock"]
