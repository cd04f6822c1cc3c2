"""What the chat app says and does, without Gradio: the site's texts, the glossary, the handlers.

The handlers hold no conversation: each browser session's list of ``Turn`` comes in and goes out
through ``gr.State``. While an answer streams, only the turn being written is sent to the page;
the finished turns are rendered once each, when their answer is final.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import replies
from bot.site import Site
from bot.types import Answer, Message
from bot.ui_html import Definition, Pending, Turn, render_log, render_pending, render_turn, spoken

log = logging.getLogger(__name__)

# Shortest gap between two streamed updates of an answer (seconds); an answer ready sooner is sent once.
STREAM_INTERVAL_S = 0.1


# -- the site's own words -------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteText:
    """Title, welcome line and starter questions: from the site file (``bot.site``) beside the articles."""

    site: Site = field(default_factory=Site)

    @property
    def topic(self) -> str:
        return self.site.topic

    @property
    def starters(self) -> tuple[str, ...]:
        return self.site.example_questions

    @property
    def title(self) -> str:
        return f"Questions about {self.topic}"

    @property
    def intro(self) -> str:
        return "Answers come only from our articles, and each one shows where it comes from."

    @property
    def welcome(self) -> str:
        return (
            f"Ask a question about {self.topic}. Answers come only from our articles, and each one shows its sources."
        )


# -- tap-to-define ---------------------------------------------------------------------------------
def corpus_definitions(assistant: Any) -> dict[str, Definition]:
    """The words the articles define ("long form (ABBR)"), each with its sentence and passage.

    Read from the current generation's corpus profile (built at ingest), so it follows a re-ingest.
    """
    assistant.ensure_index()
    snapshot = assistant.retriever.snapshot()
    out: dict[str, Definition] = {}
    for term in snapshot.profile.glossary.values():
        chunk = snapshot.by_id.get(term.chunk_id)
        if chunk is None:
            continue
        written = term.abbreviation
        if len(written) > 2 and written.endswith("s"):  # "MRIs" is defined as MRI
            written = written[:-1]
        out.setdefault(
            written, Definition(written, term.long_form, term.sentence, chunk.title, chunk.section, chunk.url)
        )
    return out


class CorpusGlossary:
    """The glossary of the current index generation: rebuilt when a re-ingest brings a new one."""

    def __init__(self, assistant: Any, build: Callable[[Any], dict[str, Definition]] = corpus_definitions) -> None:
        self.assistant = assistant
        self.build = build
        self._lock = threading.Lock()
        self._terms: tuple[int | None, dict[str, Definition]] | None = None

    def get(self) -> dict[str, Definition]:
        try:  # a missing definition must never break an answer
            self.assistant.ensure_index()
            generation = self.assistant.retriever.snapshot().generation
            cached = self._terms
            if cached is None or cached[0] != generation:
                with self._lock:
                    cached = self._terms = (generation, self.build(self.assistant))
            return cached[1]
        except Exception:
            log.exception("could not build the glossary")
            return {}


# -- the handlers ---------------------------------------------------------------------------------
def history_of(turns: Sequence[Turn]) -> list[Message]:
    """The conversation as chat messages, for follow-up questions."""
    messages: list[Message] = []
    for turn in turns:
        messages += [
            {"role": "user", "content": turn.question},
            {"role": "assistant", "content": turn.answer.body},
        ]
    return messages


class Draft:
    """An answer being worked out (``Assistant.stream``): its text so far, then the final ``Answer``."""

    def __init__(self, events: Iterator[str | Answer]) -> None:
        self.events = events
        self.text = ""
        self.final: Answer | None = None

    def advance(self, seconds: float) -> None:
        """Take the pieces ready within ``seconds`` (at least one), or up to the final Answer.

        An answer complete within ``seconds`` (a warm extractive one takes ~20 ms) is never sent
        as a draft: one update fewer per answer, the costliest part of serving it.
        """
        until = time.monotonic() + seconds
        for event in self.events:
            if isinstance(event, Answer):
                self.final = event
                return
            self.text += event
            if time.monotonic() >= until:
                return
        # Assistant.stream always ends with an Answer; this is belt and braces.
        self.final = Answer(body=replies.ERROR, refused=True, triage="error")

    def close(self) -> None:
        """Stop working it out (the conversation was cleared); a no-op once it is final."""
        close = getattr(self.events, "close", None)
        if callable(close):
            close()


#: One update of the page: (finished turns, turn being written, question box, session state).
Update = tuple[Any, Any, Any, list[Turn]]


class ChatHandlers:
    """The event handlers of one app. They hold no conversation: that is the session's state."""

    def __init__(self, assistant: Any, glossary: CorpusGlossary, kiosk: bool, site: SiteText | None = None) -> None:
        self.assistant = assistant
        self.glossary = glossary
        self.kiosk = kiosk
        self.site = site or SiteText()

    def render(self, turns: Sequence[Turn], **kw: str) -> str:
        """The finished turns (each already rendered), with a status for screen readers or a hint."""
        return render_log(turns, kiosk=self.kiosk, welcome=self.site.welcome, **kw)

    async def respond(self, question: Any, turns: Sequence[Turn] | None) -> AsyncIterator[Update]:
        """Stream one answer. Between the first and the last update only the new turn changes.

        An async generator: the answer is worked out in a worker thread, one hop per update
        (``_work``), and the updates themselves are made on Gradio's event loop. A sync generator
        cost Gradio a thread hop per step, each waiting for the GIL behind the answers being worked out.
        """
        import anyio
        import gradio as gr

        turns = list(turns or [])
        question = question if isinstance(question, str) else ""
        if not question.strip():
            empty = self.site.site.say(replies.EMPTY_INPUT)
            yield self.render(turns, status=empty, hint=empty), "", gr.update(), turns
            return
        number = len(turns) + 1
        status = "Looking in the articles…"
        yield self.render(turns, status=status), render_pending(number, Pending(question)), "", turns
        draft = Draft(self.assistant.stream(question, history_of(turns)))
        try:
            while (turn := await anyio.to_thread.run_sync(self._work, draft, number, question)) is None:
                yield gr.skip(), render_pending(number, Pending(question, draft.text)), gr.skip(), gr.skip()
        finally:
            draft.close()
        turns.append(turn)
        # Announced to screen readers once, in full; the visible text replaces the streamed draft.
        status = f"Answer: {spoken(turn.answer)} {turn.answer.notice}"
        yield self.render(turns, status=status), "", gr.skip(), turns

    def _work(self, draft: Draft, number: int, question: str) -> Turn | None:
        """In a worker thread: the answer's next pieces, and once it is final its turn, rendered once."""
        draft.advance(STREAM_INTERVAL_S)
        if draft.final is None:
            return None
        html = render_turn(number, question, draft.final, self.glossary.get(), kiosk=self.kiosk)
        return Turn(question, draft.final, html)

    async def ask_suggested(self, turns: Sequence[Turn] | None, evt: Any) -> AsyncIterator[Update]:
        """A tapped suggestion inside a reply: the page sends its question as the select event's value."""
        question = getattr(evt, "value", None)
        async for update in self.respond(question if isinstance(question, str) else "", turns):
            yield update

    def reset(self) -> Update:
        return self.render([], status="The conversation was cleared."), "", "", []
