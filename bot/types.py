"""What flows between the stages, and the three interfaces a stage plugs in through.

question → ``Retriever.retrieve`` → ``Retrieval`` (passages, their sentences, their references)
→ ``Composer.compose`` → ``Answer`` (body with ``[n]`` markers, one ``Citation`` per marker).
The store behind the retriever is a ``bot.store.Store``; see ``docs/architecture.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from bot import replies

#: One turn of a conversation as the chat UI and the HTTP API send it: {"role": "user" | "assistant", "content": str}.
Message = dict[str, str]

if TYPE_CHECKING:
    from bot.corpus import Reference
    from bot.profile import DocumentInfo


# -- what the index holds -----------------------------------------------------------------
@dataclass(frozen=True)
class StoredChunk:
    """A passage as read back from the index."""

    id: str
    doc_id: str
    title: str
    section: str
    url: str | None
    text: str
    sentence_ids: tuple[str, ...]  # its sentences, in order, as split at ingest
    refs: tuple[int, ...]
    position: int


@dataclass(frozen=True)
class StoredSentence:
    """One sentence of a passage, with its own embedding (computed at ingest)."""

    id: str
    text: str
    refs: tuple[int, ...]  # primary studies it cites (numbers in its article's reference list)
    embedding: np.ndarray


# -- what retrieval hands a composer ------------------------------------------------------
@dataclass(frozen=True)
class Passage:
    chunk: StoredChunk
    score: float  # fused score (see ``bot.retrieval.fuse``); only the order matters
    similarity: float  # cosine similarity of the query and the passage (0 when dense did not rank it)
    sentence_similarity: float  # of the query and the passage's nearest sentence (0 when unranked)
    lexical: float  # BM25 score (0 when absent)
    term_coverage: float = 0.0  # share of the question's content words found in the passage


@dataclass(frozen=True)
class Retrieval:
    """The passages for one query, and everything a composer needs to quote and cite them."""

    query: str
    query_vector: np.ndarray
    query_terms: tuple[str, ...]
    passages: list[Passage]
    sentences: Mapping[str, StoredSentence] = field(default_factory=dict)  # of those passages, by id
    references: Mapping[str, Mapping[int, Reference]] = field(default_factory=dict)  # doc id → n → study
    generation: int | None = None  # the index generation it was read from
    compounds: frozenset[str] = frozenset()  # the corpus's joined short names, for ``bot.text.terms``
    idf: Mapping[str, float] = field(default_factory=dict)  # rarity of each search term in the index
    documents: Mapping[str, DocumentInfo] = field(default_factory=dict)  # front matter of the passages' articles
    said: str = ""  # what this conversation's earlier replies said (``followup.said_before``), whitespace collapsed

    @property
    def best_similarity(self) -> float:
        return max((p.similarity for p in self.passages), default=0.0)

    @property
    def best_sentence_similarity(self) -> float:
        return max((p.sentence_similarity for p in self.passages), default=0.0)

    def covers(self, min_passage: float, min_sentence: float) -> bool:
        """The relevance floor: a close passage, one sentence that matches sharply, or one passage
        holding every content word of a question of two or more ("tumour heterogeneity")."""
        return (
            self.best_similarity >= min_passage
            or self.best_sentence_similarity >= min_sentence
            or (len(set(self.query_terms)) >= 2 and any(p.term_coverage == 1.0 for p in self.passages))
        )

    def sentences_of(self, passage: Passage) -> list[StoredSentence]:
        """The passage's sentences in reading order."""
        return [self.sentences[sid] for sid in passage.chunk.sentence_ids if sid in self.sentences]


# -- what a reply is ----------------------------------------------------------------------
@dataclass
class Citation:
    """A numbered source card: the passage an answer sentence was quoted from."""

    n: int
    doc_id: str
    title: str
    section: str
    url: str | None
    text: str  # the whole passage
    score: float  # cosine similarity of the question and the passage
    quotes: list[str] = field(default_factory=list)  # the sentences quoted from it
    references: list[dict[str, Any]] = field(default_factory=list)  # primary studies those sentences cite

    @classmethod
    def of(cls, n: int, chunk: StoredChunk, score: float = 0.0, **fields: Any) -> Citation:
        """Source card ``n`` for a stored passage."""
        return cls(
            n=n,
            doc_id=chunk.doc_id,
            title=chunk.title,
            section=chunk.section,
            url=chunk.url,
            text=chunk.text,
            score=round(score, 4),
            **fields,
        )


@dataclass
class Answer:
    """One reply. ``answer`` is the full text shown to a person, ending with the notice."""

    body: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    triage: str | None = None
    latency_ms: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    notice: str = replies.NOTICE
    language: str = "en"  # ISO 639-1 code of the reply's first language (``bot.i18n``)

    @property
    def answer(self) -> str:
        return f"{self.body}\n\n{self.notice}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "body": self.body,
            "citations": [asdict(c) for c in self.citations],
            "notice": self.notice,
            "refused": self.refused,
            "triage": self.triage,
            "latency_ms": round(self.latency_ms, 2),
            "suggestions": list(self.suggestions),
            "language": self.language,
        }


def not_covered(triage: str = "not_covered") -> Answer:
    """The refusal for a question the articles don't answer (the guard adds the site's example questions)."""
    return Answer(body=replies.NOT_COVERED, refused=True, triage=triage)


# -- the interfaces -----------------------------------------------------------------------
@runtime_checkable
class Retriever(Protocol):
    """Finds the passages for a query in the current index generation."""

    def retrieve(self, query: str) -> Retrieval: ...


@runtime_checkable
class Composer(Protocol):
    """Turns retrieved passages into a cited answer. One method to implement.

    A composer that can stream (a chat model) also defines ``stream(question, retrieval)``
    yielding text pieces and then the final ``Answer``; ``bot.chain`` uses it when present.
    """

    name: str

    def compose(self, question: str, retrieval: Retrieval) -> Answer: ...


class StreamingComposer(Composer, Protocol):
    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]: ...


# The third interface, ``Store`` (where the passages live), is in ``bot/store/protocol.py``:
# it speaks in the store's own records (snapshots, ingest statistics).
