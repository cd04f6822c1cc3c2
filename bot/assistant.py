"""``Assistant``: the one object callers use. Guard → retrieve → compose → check → notice."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bot import replies
from bot.answer import Answer, ExtractiveComposer
from bot.chain import Composer, build_chain, stream_composer
from bot.config import Settings
from bot.embeddings import Embedder, default_embedder, prepare_fast_embedding
from bot.guard import Guard
from bot.retrieval import HybridRetriever
from bot.store import ChromaIndex, IndexStoreError, IngestStats, StaleSnapshotError, Store

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "user" | "assistant", "content": str}, as Gradio's chat uses

# A follow-up leans on the conversation: "what about its side effects?", "and is it safer?"
_FOLLOW_UP = re.compile(
    r"\b(it|its|it's|they|them|their|this|that|these|those|the same|one|ones)\b"
    r"|^\s*(and|what about|how about|why|so)\b",
    re.IGNORECASE,
)


class Assistant:
    """Answers a patient's question from the indexed articles, always with the notice.

    >>> bot = Assistant()                              # doctest: +SKIP
    >>> print(bot.ask("Is CAR-NK better than CAR-T?").answer)  # doctest: +SKIP
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
        self.chain = build_chain(self.retriever, self.composer)
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
        answer: Answer | None = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[Message] | None = None) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are ready, then the final ``Answer``.

        The final ``Answer`` is authoritative: show its ``answer`` in place of the streamed text
        (it may differ when a streamed draft failed a check and was replaced).
        """
        started = time.perf_counter()
        try:
            for event in self._stream(question, history or []):
                if isinstance(event, Answer):
                    event.latency_ms = (time.perf_counter() - started) * 1000
                yield event
        except Exception as exc:
            if isinstance(exc, IndexStoreError):  # server down, disk trouble: the message says it all
                log.error("cannot answer: %s", exc)
            else:
                log.exception("answering failed")
            yield Answer(
                body=replies.ERROR, refused=True, triage="error", latency_ms=(time.perf_counter() - started) * 1000
            )

    def _stream(self, question: str, history: Sequence[Message]) -> Iterator[str | Answer]:
        screening = self.guard.screen(question, history)
        if screening.reply is not None:
            yield screening.reply
            return
        self.ensure_index()
        query = contextualize(screening.question, screening.history)
        draft: Answer | None = None
        for attempt in range(3):
            try:
                retrieval = self.chain.first.invoke({"question": screening.question, "query": query})
                draft = self.guard.scope(screening, retrieval["retrieval"])  # a refusal, or None: compose
                if draft is None:
                    for event in stream_composer(self.composer, screening.question, retrieval["retrieval"]):
                        if isinstance(event, Answer):
                            draft = event
                        else:
                            yield event
                break
            except StaleSnapshotError:  # an ingest replaced the generation mid-answer: answer from the new one
                if attempt == 2:
                    raise
                self.retriever.refresh()
        assert draft is not None
        yield self.guard.finish(screening, self._verify(draft), retrieval["retrieval"])

    def _snapshot(self) -> Any:
        """The index generation answers come from (the guard reads its vocabulary and questions)."""
        self.ensure_index()
        return self.retriever.snapshot()

    def _verify(self, draft: Answer) -> Answer:
        # A streamed chat-model draft that failed its checks was replaced by quotes; the fixed line
        # saying so (bot.llm) is not a claim to check, so it is set aside while the guard checks the rest.
        note = f"{replies.DRAFT_REPLACED}\n\n"
        if not draft.body.startswith(note):
            return self.guard.verify(draft)
        draft.body = draft.body[len(note) :]
        checked = self.guard.verify(draft)
        if not checked.refused:
            checked.body = note + checked.body
        return checked

    def warm_up(self) -> None:
        """Load the model and index now rather than on the first visitor's question."""
        self.ensure_index()
        self.guard.warm_up()
        self.ask("What is CAR-NK cell therapy?")


def default_composer(settings: Settings) -> Composer:
    """Extractive, unless ``BOT_LLM`` names a chat model (which falls back to extractive)."""
    extractive = ExtractiveComposer(
        max_words=settings.max_answer_words,
        min_relevance=settings.min_relevance,
        min_sentence_relevance=settings.min_sentence_relevance,
    )
    if not settings.llm:
        return extractive
    from bot.llm import LLMComposer  # needs the `llm` extra

    return LLMComposer(settings, fallback=extractive)


def contextualize(question: str, history: Sequence[Message]) -> str:
    """The retrieval query for a follow-up: the last question asked, then this one."""
    if not history or not _FOLLOW_UP.search(question):
        return question
    for message in reversed(history):
        if _role(message) == "user" and _content(message).strip():
            return f"{_content(message).strip()} {question}"
    return question


def _role(message: Any) -> str:
    return str(message.get("role", "")) if isinstance(message, dict) else ""


def _content(message: Any) -> str:
    content = message.get("content", "") if isinstance(message, dict) else ""
    return content if isinstance(content, str) else ""
