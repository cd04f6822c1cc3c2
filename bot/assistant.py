"""``Assistant``: the one object callers use. It owns the index and runs the chain (``bot.chain``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bot import replies
from bot.chain import ChainInput, build_chain
from bot.config import Settings
from bot.embeddings import Embedder, default_embedder, prepare_fast_embedding
from bot.extractive import ExtractiveComposer
from bot.guard import Guard
from bot.retrieval import HybridRetriever
from bot.store import ChromaIndex, IndexStoreError, IngestStats, Store
from bot.types import Answer, Composer, Message

log = logging.getLogger(__name__)


class Assistant:
    """Answers a patient's question from the indexed articles, always with the notice.

    >>> bot = Assistant()                              # doctest: +SKIP
    >>> print(bot.ask("What are the side effects?").answer)  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        composer: Composer | None = None,
        store: Store | None = None,
        progress: bool = False,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.embedder = embedder or default_embedder()
        self.index: Store = store or ChromaIndex(self.settings, self.embedder)
        self.retriever = HybridRetriever(self.index, self.embedder, self.settings)
        self.composer = composer or default_composer(self.settings)
        self.guard = Guard(self.settings, embedder=self.embedder, snapshot=self._snapshot)
        self.chain = build_chain(self.guard, self.retriever, self.composer, self.ensure_index)
        self.progress = progress
        self._ready = threading.Lock()
        self._checked = False

    # -- index ------------------------------------------------------------------------
    def ingest(self, rebuild: bool = False, progress: bool | None = None, wait: float = 600) -> IngestStats:
        """Index the corpus (one ingest at a time per data folder: waits up to ``wait`` s for another)."""
        prepare_fast_embedding(self.embedder, self.settings.data_dir)
        stats = self.index.ingest(rebuild=rebuild, progress=self.progress if progress is None else progress, wait=wait)
        self.retriever.refresh()
        self._checked = True
        return stats

    def ensure_index(self) -> None:
        """Build the index on first use (or after a model/chunker change), rebuild it if damaged.

        Raises ``IndexStoreError`` (or ``ModelMissingError``) with a clear message when it can't.
        """
        if self._checked:
            return
        with self._ready:
            if not self._checked:
                prepare_fast_embedding(self.embedder, self.settings.data_dir)
                stats = self.index.ensure(progress=self.progress)
                if stats is not None:
                    for problem in stats.errors:
                        log.warning("skipped %s", problem)
                    self.retriever.refresh()
                self._checked = True

    # -- asking -----------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Message] | None = None) -> Answer:
        """Answer one question; never raises, always carries the notice."""
        started = time.perf_counter()
        try:
            answer: Answer = self.chain.invoke(ChainInput(question=question, history=history)).answer
        except Exception as exc:
            answer = _error_reply(exc)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def stream(self, question: str, history: Sequence[Message] | None = None) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are ready, then the final ``Answer``.

        The final ``Answer`` is authoritative: show its ``answer`` in place of the streamed text
        (it may differ when a streamed draft failed a check and was replaced).
        """
        started = time.perf_counter()
        answer: Answer | None = None
        try:
            for piece in self.chain.stream(ChainInput(question=question, history=history)):
                if piece.text:
                    yield piece.text
                answer = piece.answer or answer
        except Exception as exc:
            answer = _error_reply(exc)
        assert answer is not None
        answer.latency_ms = (time.perf_counter() - started) * 1000
        yield answer

    def _snapshot(self) -> Any:
        """The index generation answers come from (the guard reads its vocabulary and questions)."""
        self.ensure_index()
        return self.retriever.snapshot()

    def warm_up(self) -> None:
        """Load the model and index now rather than on the first visitor's question."""
        self.ensure_index()
        self.guard.warm_up()
        examples = self.guard.site.example_questions
        self.ask(examples[0] if examples else "What is this about?")


def default_composer(settings: Settings) -> Composer:
    """The one place the composer is chosen: extractive, unless ``BOT_LLM`` names a chat model
    (which falls back to the extractive one)."""
    extractive = ExtractiveComposer(
        max_words=settings.max_answer_words,
        min_relevance=settings.min_relevance,
        min_sentence_relevance=settings.min_sentence_relevance,
    )
    if not settings.llm:
        return extractive
    from bot.llm import LLMComposer  # needs the `llm` extra

    return LLMComposer(settings, fallback=extractive)


def _error_reply(exc: Exception) -> Answer:
    if isinstance(exc, IndexStoreError):  # server down, disk trouble: the message says it all
        log.error("cannot answer: %s", exc)
    else:
        log.exception("answering failed")
    return Answer(body=replies.ERROR, refused=True, triage="error")
