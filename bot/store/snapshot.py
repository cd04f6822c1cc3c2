"""The read side: one index generation as the retriever, the composers and the guard read it.

A small generation (up to ``IN_MEMORY_MAX`` vectors a collection, e.g. a handful of articles) is
read into memory whole and searched exactly with one matrix product: no Chroma round trip per
question, which matters most with a server. A larger one is searched with Chroma's HNSW index,
and sentences read for the composer are cached.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from bot.corpus import Reference
from bot.profile import CorpusProfile
from bot.store.backend import ChromaBackend, read_all
from bot.store.errors import IndexStoreError, IndexUnavailableError, StaleSnapshotError
from bot.store.records import (
    StoredChunk,
    StoredSentence,
    as_matrix,
    sentence_homes,
    stored_chunk,
    stored_sentence,
)

T = TypeVar("T")

#: Largest collection (vectors) a snapshot holds in memory and searches exactly; ~30 MB of float32.
IN_MEMORY_MAX = 20_000
#: Sentences kept after reading them for the composer when the index is too big to hold whole.
SENTENCE_CACHE_MAX = 20_000
#: The chunk collection's metadata key that holds the generation's ``CorpusProfile`` (JSON).
PROFILE_KEY = "profile"


class Search(Protocol):
    """Nearest neighbours of a question vector among one generation's passages and sentences."""

    in_memory: bool

    def passages(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...

    def sentence_homes(self, vector: np.ndarray, k: int) -> list[tuple[Sequence[str], float]]: ...

    def sentences(self, ids: list[str]) -> dict[str, StoredSentence]: ...


class Snapshot:
    """One generation of the index: its passages in reading order, their studies, the corpus profile.

    If an ingest drops this generation while it is in use, reads raise ``StaleSnapshotError``:
    the caller reopens the active generation and tries again.
    """

    def __init__(
        self,
        generation: int,
        chunks: list[StoredChunk],
        references: dict[str, dict[int, Reference]],
        profile: CorpusProfile,
        search: Search,
    ) -> None:
        self.generation = generation
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        self.references = references
        self.profile = profile
        self._search = search

    @property
    def in_memory(self) -> bool:
        return self._search.in_memory

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[StoredChunk, float]]:
        """Nearest passages by cosine similarity."""
        k = min(k, len(self.chunks))
        if k == 0:
            return []
        return [(self.by_id[cid], sim) for cid, sim in self._search.passages(vector, k) if cid in self.by_id]

    def sentence_search(self, vector: np.ndarray, k: int) -> list[tuple[StoredChunk, float]]:
        """Passages holding the sentences nearest the query, each with its best sentence's similarity.

        A passage's embedding blurs its several topics; one sentence (an article's own FAQ
        question) can match a question far more sharply.
        """
        best: dict[str, float] = {}
        for homes, similarity in self._search.sentence_homes(vector, k):
            for chunk_id in homes:
                if chunk_id in self.by_id and chunk_id not in best:
                    best[chunk_id] = similarity
        return [(self.by_id[cid], sim) for cid, sim in best.items()]

    def sentences(self, ids: Sequence[str]) -> dict[str, StoredSentence]:
        return self._search.sentences(list(dict.fromkeys(ids)))


class MatrixSearch:
    """Exact cosine search over vectors held in memory (rows are unit vectors)."""

    in_memory = True

    def __init__(
        self,
        chunk_ids: list[str],
        chunk_vectors: np.ndarray,
        sentences: list[StoredSentence],
        homes: list[tuple[str, ...]],
    ) -> None:
        self._chunk_ids = chunk_ids
        self._chunk_vectors = chunk_vectors
        self._sentences = {s.id: s for s in sentences}
        self._homes = homes
        self._sentence_vectors = as_matrix([s.embedding for s in sentences])

    def passages(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(self._chunk_ids[i], sim) for i, sim in nearest(self._chunk_vectors, vector, k)]

    def sentence_homes(self, vector: np.ndarray, k: int) -> list[tuple[Sequence[str], float]]:
        return [(self._homes[i], sim) for i, sim in nearest(self._sentence_vectors, vector, k)]

    def sentences(self, ids: list[str]) -> dict[str, StoredSentence]:
        return {sid: self._sentences[sid] for sid in ids if sid in self._sentences}


class ChromaSearch:
    """Chroma's HNSW search over one generation's collections, with a bounded sentence cache."""

    in_memory = False

    def __init__(
        self, chunks_col: Any, sentences_col: Any, generation: int, backend: ChromaBackend, latest: Callable[[], Any]
    ) -> None:
        self._chunks_col = chunks_col
        self._sentences_col = sentences_col
        self._generation = generation
        self._backend = backend
        self._latest = latest  # the active generation now (one manifest read)
        self._cache: dict[str, StoredSentence] = {}

    def _read(self, doing: str, call: Callable[[], T]) -> T:
        from chromadb.errors import NotFoundError

        try:
            return call()
        except NotFoundError as exc:  # our generation's collection is gone: an ingest replaced it
            raise StaleSnapshotError(f"generation {self._generation} was dropped while {doing}") from exc
        except Exception as exc:
            error = self._backend.translate(exc, doing)
            if not isinstance(error, IndexUnavailableError):
                with contextlib.suppress(IndexStoreError):
                    latest = self._latest()
                    if latest != self._generation:
                        raise StaleSnapshotError(
                            f"generation {self._generation} was replaced by {latest} while {doing}"
                        ) from exc
            raise error from exc

    def passages(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        result = self._read(
            "searching passages",
            lambda: self._chunks_col.query(query_embeddings=[vector.tolist()], n_results=k, include=["distances"]),
        )
        # Chroma's cosine distance is 1 - similarity.
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def sentence_homes(self, vector: np.ndarray, k: int) -> list[tuple[Sequence[str], float]]:
        result = self._read(
            "searching sentences",
            lambda: self._sentences_col.query(
                query_embeddings=[vector.tolist()], n_results=k, include=["distances", "metadatas"]
            ),
        )
        return [
            (sentence_homes(meta), 1.0 - float(dist))
            for meta, dist in zip(result["metadatas"][0], result["distances"][0], strict=True)
        ]

    def sentences(self, ids: list[str]) -> dict[str, StoredSentence]:
        missing = [sid for sid in ids if sid not in self._cache]
        if missing:
            got = self._read(
                "reading sentences",
                lambda: self._sentences_col.get(ids=missing, include=["documents", "metadatas", "embeddings"]),
            )
            if len(self._cache) > SENTENCE_CACHE_MAX:
                self._cache.clear()  # crude but bounded; popular passages come back at once
            for sid, text, meta, vec in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                self._cache[sid] = stored_sentence(sid, text, meta, vec)
        return {sid: self._cache[sid] for sid in ids if sid in self._cache}


def read_snapshot(
    backend: ChromaBackend,
    generation: int,
    collections: tuple[Any, Any],
    references: dict[str, dict[int, Reference]],
    latest: Callable[[], Any],
) -> Snapshot:
    """A generation read from its two collections: whole into memory when small, else searched in Chroma."""
    chunks_col, sentences_col = collections
    small = chunks_col.count() <= IN_MEMORY_MAX and sentences_col.count() <= IN_MEMORY_MAX
    include = ["documents", "metadatas", "embeddings"] if small else ["documents", "metadatas"]
    records = read_all(chunks_col, include)
    columns = zip(records["ids"], records["documents"], records["metadatas"], strict=True)
    rows = sorted(
        ((stored_chunk(cid, text, meta), i) for i, (cid, text, meta) in enumerate(columns)),
        key=lambda row: (row[0].doc_id, row[0].position),
    )
    chunks = [chunk for chunk, _ in rows]
    profile = CorpusProfile.from_json((chunks_col.metadata or {}).get(PROFILE_KEY, "{}"))
    if not small:
        search: Search = ChromaSearch(chunks_col, sentences_col, generation, backend, latest)
        return Snapshot(generation, chunks, references, profile, search)
    chunk_vectors = as_matrix([records["embeddings"][i] for _, i in rows])
    got = read_all(sentences_col, ["documents", "metadatas", "embeddings"])
    sentences, homes = [], []
    for sid, text, meta, vec in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True):
        sentences.append(stored_sentence(sid, text, meta, vec))
        homes.append(sentence_homes(meta))
    search = MatrixSearch([c.id for c in chunks], chunk_vectors, sentences, homes)
    return Snapshot(generation, chunks, references, profile, search)


def parse_references(stored: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[int, Reference]]:
    """The manifest's references (JSON keys are strings) as ``Reference`` objects by study number."""
    return {doc_id: {int(n): Reference(**r) for n, r in refs.items()} for doc_id, refs in stored.items()}


def profile_metadata(profile: CorpusProfile) -> dict[str, Any]:
    return {PROFILE_KEY: profile.to_json()}


def nearest(matrix: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows of ``matrix`` (unit vectors) most similar to ``vector``, best first: exact cosine."""
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    k = min(k, len(scores))
    if k == 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
