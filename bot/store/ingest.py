"""Ingest: bring a store in line with the corpus, embedding only what changed.

An ingest writes generation N+1 beside N, reusing the stored vectors of passages and sentences
that did not change, builds the corpus profile, then flips the manifest to N+1 and drops N:
readers never see a half-built generation. The algorithm is the same for every store; a store
supplies the few operations in ``Generations``. One ingest at a time per data folder
(``ingest_lock``).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.chunking import Chunk, Sentence, chunk_corpus
from bot.config import Settings
from bot.corpus import CorpusError, Document, load_corpus
from bot.embeddings import Embedder
from bot.profile import CorpusProfile, build_profile
from bot.store.errors import IndexStoreError
from bot.store.records import SCHEMA_VERSION, IngestStats, Manifest

log = logging.getLogger(__name__)

EMBED_STEP = 64  # texts embedded per progress-bar step


@dataclass(frozen=True)
class NewGeneration:
    """Everything a store writes for one generation; ``manifest`` is written last (the switch)."""

    generation: int
    docs: Sequence[Document]
    chunks: Sequence[Chunk]
    chunk_vectors: dict[str, np.ndarray]
    sentence_vectors: dict[str, np.ndarray]
    profile: CorpusProfile
    model: str
    chunker: dict[str, Any]

    @property
    def sentences(self) -> list[Sentence]:
        return unique_sentences(self.chunks)

    def homes(self) -> dict[str, list[str]]:
        """Sentence id → the passages it is in (overlapping passages share sentences)."""
        out: dict[str, list[str]] = {}
        for chunk in self.chunks:
            for sentence in chunk.sentences:
                out.setdefault(sentence.id, []).append(chunk.id)
        return out

    def urls(self) -> dict[str, str | None]:
        return {d.id: d.url for d in self.docs}

    def manifest(self) -> Manifest:
        return Manifest(
            generation=self.generation,
            schema=SCHEMA_VERSION,
            model=self.model,
            chunker=self.chunker,
            documents={d.id: d.content_hash for d in self.docs},
            references={d.id: {str(n): r.to_dict() for n, r in d.references.items()} for d in self.docs},
            built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            chunks=len(self.chunks),
        )


class Generations(Protocol):
    """What an ingest needs of a store."""

    def manifest(self) -> Manifest | None: ...

    def chunk_ids(self, generation: int) -> set[str]: ...

    def stored_vectors(self, kind: str, generation: int, ids: list[str]) -> dict[str, np.ndarray]:
        """Vectors of ``kind`` ("chunks" or "sentences") stored in ``generation``, for the ids it has."""
        ...

    def write_generation(self, new: NewGeneration) -> None:
        """Write the generation beside the active one, then make it the active one."""
        ...

    def drop_generation(self, generation: int) -> None: ...


def compatible(manifest: Manifest, model: str, settings: Settings) -> bool:
    """Built by this schema, embedding model and chunker (only the documents may differ)."""
    return (
        manifest["schema"] == SCHEMA_VERSION
        and manifest["model"] == model
        and manifest["chunker"] == settings.chunker_signature
    )


def load_documents(settings: Settings) -> tuple[list[Document], tuple[str, ...]]:
    """The corpus, and the files skipped; no usable article at all is an error (the old index stays)."""
    try:
        docs, problems = load_corpus(settings.corpus_dir)
    except CorpusError as exc:
        raise IndexStoreError(str(exc)) from None
    errors = tuple(str(p) for p in problems)
    if not docs:
        detail = "; ".join(errors) or "no *.md files"
        raise IndexStoreError(f"no usable articles in {settings.corpus_dir}: {detail}")
    return docs, errors


def run_ingest(
    store: Generations,
    settings: Settings,
    embedder: Embedder,
    docs: Sequence[Document] | None,
    *,
    rebuild: bool = False,
    progress: bool = False,
) -> IngestStats:
    """One ingest into ``store`` (the caller holds the ingest lock)."""
    started = time.perf_counter()
    docs, errors = (docs, ()) if docs is not None else load_documents(settings)
    chunks = unique_chunks(chunk_corpus(docs, settings.chunk_tokens, settings.chunk_overlap))
    manifest = store.manifest()
    reusable = manifest is not None and compatible(manifest, embedder.name, settings) and not rebuild
    old_gen = manifest["generation"] if manifest else 0
    old_ids = store.chunk_ids(old_gen) if manifest and reusable else set()
    unchanged = manifest is not None and manifest["documents"] == {d.id: d.content_hash for d in docs}
    if reusable and unchanged and old_ids == {c.id for c in chunks}:
        seconds = time.perf_counter() - started
        return IngestStats(len(docs), len(chunks), 0, len(chunks), 0, 0, seconds, old_gen, False, errors)

    def stored(kind: str, ids: list[str]) -> dict[str, np.ndarray]:
        return store.stored_vectors(kind, old_gen, ids) if manifest and reusable else {}

    chunk_vectors = stored("chunks", [c.id for c in chunks if c.id in old_ids])
    fresh = [c for c in chunks if c.id not in chunk_vectors]
    chunk_vectors.update(embed(embedder, [(c.id, c.embedding_text) for c in fresh], progress, "passages"))
    sentences = unique_sentences(chunks)
    sentence_vectors = stored("sentences", [s.id for s in sentences])
    fresh_sentences = [s for s in sentences if s.id not in sentence_vectors]
    sentence_vectors.update(embed(embedder, [(s.id, s.text) for s in fresh_sentences], progress, "sentences"))

    profile = build_profile(docs, chunks)
    new = NewGeneration(
        old_gen + 1, docs, chunks, chunk_vectors, sentence_vectors, profile, embedder.name, settings.chunker_signature
    )
    switch(store, new, manifest)
    return IngestStats(
        documents=len(docs),
        chunks=len(chunks),
        embedded=len(fresh),
        reused=len(chunks) - len(fresh),
        removed=len(old_ids - {c.id for c in chunks}),
        sentences_embedded=len(fresh_sentences),
        seconds=time.perf_counter() - started,
        generation=new.generation,
        rebuilt=not reusable,
        errors=errors,
    )


def write_prepared(
    store: Generations,
    settings: Settings,
    model: str,
    prepared: tuple[Sequence[Document], Sequence[Chunk], dict[str, np.ndarray], dict[str, np.ndarray]],
) -> IngestStats:
    """Write chunks whose vectors were computed elsewhere as the next generation (bulk loads, benchmarks)."""
    started = time.perf_counter()
    docs, chunks, chunk_vectors, sentence_vectors = prepared
    manifest = store.manifest()
    old_gen = manifest["generation"] if manifest else 0
    profile = build_profile(docs, chunks)
    new = NewGeneration(
        old_gen + 1, docs, chunks, chunk_vectors, sentence_vectors, profile, model, settings.chunker_signature
    )
    switch(store, new, manifest)
    sentences = len(unique_sentences(chunks))
    return IngestStats(len(docs), len(chunks), 0, 0, 0, sentences, time.perf_counter() - started, new.generation, True)


def switch(store: Generations, new: NewGeneration, old: Manifest | None) -> None:
    """Write the new generation and make it the active one, then drop the one it replaces."""
    store.write_generation(new)
    if old is None:
        return
    try:
        store.drop_generation(old["generation"])
    except IndexStoreError as exc:  # the new generation is in use already; the old one is only clutter
        log.warning("could not drop generation %s: %s", old["generation"], exc)


def embed(embedder: Embedder, items: list[tuple[str, str]], progress: bool, what: str) -> dict[str, np.ndarray]:
    """Vectors of ``(id, text)`` items, with a progress bar on a terminal."""
    if not items:
        return {}
    from tqdm.auto import tqdm

    vectors: dict[str, np.ndarray] = {}
    with tqdm(total=len(items), desc=f"Embedding {what}", unit=what[:-1], disable=not progress) as bar:
        for start in range(0, len(items), EMBED_STEP):
            batch = items[start : start + EMBED_STEP]
            found = embedder.embed_documents([text for _, text in batch])
            vectors.update(zip([i for i, _ in batch], found, strict=True))
            bar.update(len(batch))
    return vectors


def unique_chunks(chunks: list[Chunk]) -> list[Chunk]:
    """The first of passages with the same id (the same text twice in one section of one article)."""
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        seen.setdefault(chunk.id, chunk)
    return list(seen.values())


def unique_sentences(chunks: Sequence[Chunk]) -> list[Sentence]:
    return list({s.id: s for c in chunks for s in c.sentences}.values())


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
