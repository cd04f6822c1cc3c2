"""The records of an index generation, as written to a store and read back from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np

from bot.chunking import Chunk
from bot.types import StoredChunk, StoredSentence  # the one definition, shared with the stages

#: Bumped when what a generation holds changes; an index of another schema is rebuilt.
#: 3: the corpus profile is stored with each generation; 4: it holds the joined short names too;
#: 5: and the topics the articles cover (the scope check's in-domain examples); 6: each list item
#: of an article is a sentence of its own; 7: the profile holds the signs the articles send readers
#: to emergency care for; 8: each article's own questions for the care team (under a heading too);
#: 9: a bold run-in label ("**Choosing a wig.** ...") starts a sub-section instead of being a sentence.
SCHEMA_VERSION = 9


class Manifest(TypedDict):
    """The active generation and what it was built from (one small record, read every few seconds)."""

    generation: int
    schema: int
    model: str | None
    chunker: dict[str, Any]
    documents: dict[str, str]  # document id → content hash
    references: dict[str, dict[str, dict[str, Any]]]  # document id → study number → reference fields
    built_at: str | None
    chunks: int


@dataclass(frozen=True)
class Health:
    """What a store's ``check`` found: ``ok``, ``missing``, ``outdated`` or ``damaged``."""

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


def chunk_metadata(chunk: Chunk, url: str | None) -> dict[str, Any]:
    """A passage's fields beside its text and vector (flat: a store's metadata holds scalars only)."""
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "url": url or "",
        "position": chunk.position,
        "sentence_ids": json.dumps([s.id for s in chunk.sentences]),
        "refs": json.dumps(list(chunk.refs)),
    }


def stored_chunk(cid: str, text: str, meta: dict[str, Any]) -> StoredChunk:
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


def sentence_metadata(refs: tuple[int, ...], homes: list[str]) -> dict[str, Any]:
    """A sentence's study numbers and the passages it is in (overlapping passages share sentences)."""
    return {"refs": json.dumps(list(refs)), "chunk_ids": json.dumps(homes)}


def stored_sentence(sid: str, text: str, meta: dict[str, Any], vector: Any) -> StoredSentence:
    return StoredSentence(sid, text, tuple(json.loads(meta["refs"])), as_vector(vector))


def sentence_homes(meta: dict[str, Any]) -> tuple[str, ...]:
    return tuple(json.loads(meta["chunk_ids"]))


def as_vector(values: Any) -> np.ndarray:
    """A read-only float32 vector (shared between threads and caches)."""
    vector = np.asarray(values, dtype=np.float32)
    vector.setflags(write=False)
    return vector


def as_matrix(vectors: Any) -> np.ndarray:
    return np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
