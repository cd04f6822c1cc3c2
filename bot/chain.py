"""The pipeline as one LangChain runnable: screen → retrieve → scope → compose → check and frame.

A question flows down the stages once; each stage gets the ``Turn`` so far and hands on what the
next needs. A stage that decides the reply early (a fixed reply, a refusal) sets ``Turn.reply``
and the later stages pass it through. The output is a stream of ``Piece`` s: text as the composer
produces it, then one ``Piece`` carrying the final, checked ``Answer``. ``invoke`` adds the pieces
up (``Piece.__add__``), so ``chain.invoke(...).answer`` is the reply.

Switching the composer (extractive or a chat model) happens in ``bot.assistant.default_composer``;
the chain takes whichever ``Composer`` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from bot import replies
from bot.followup import query_for, resolve, resolve_in_message, said_before
from bot.guard import Guard
from bot.screen import Screening
from bot.sources import about_sources, asks_about_sources, asks_for_basis, basis_claim, with_basis
from bot.types import Answer, Composer, Message, Retrieval, Retriever


class ChainInput(TypedDict):
    question: object  # what the person typed (any type: the guard cleans it)
    history: Sequence[Message] | None


@dataclass
class Turn:
    """One question on its way down the stages."""

    screening: Screening
    query: str = ""  # what retrieval searches for (the question, plus context for a follow-up)
    retrieval: Retrieval | None = None
    reply: Answer | None = None  # set by a stage that decided the reply early


@dataclass
class Piece:
    """A streamed chunk of the reply: text as it is ready; the last one carries the final ``Answer``."""

    text: str = ""
    answer: Answer | None = None
    turn: Turn | None = field(default=None, repr=False)

    def __add__(self, other: Piece) -> Piece:
        return Piece(self.text + other.text, other.answer or self.answer, other.turn or self.turn)


def build_chain(guard: Guard, retriever: Retriever, composer: Composer, ensure_index: Callable[[], None]) -> Any:
    """``Runnable[ChainInput, Piece]``: ``invoke`` gives the summed ``Piece``, ``stream`` the pieces."""
    from langchain_core.runnables import RunnableGenerator, RunnableLambda

    def screen(inputs: ChainInput) -> Turn:
        screening = guard.screen(inputs["question"], inputs.get("history"))
        turn = Turn(screening)
        if screening.early is not None:
            turn.reply = guard.early_reply(screening)
        return turn

    def retrieve(turn: Turn) -> Turn:
        if turn.reply is None:
            ensure_index()  # after screening: a symptom report never waits for the index
            question, history = turn.screening.question, turn.screening.history
            if not asks_about_sources(question):  # "when was it published?": "it" is the article
                # "I have X. What is it?" → "... What is X?"; "how common is it?" after "What is XS?" → "...is XS?"
                turn.screening.question = resolve(resolve_in_message(question), history)
            turn.query = query_for(question, turn.screening.question, history)
            if asks_for_basis(question):  # "what is the advice on X based on?": find the advice on X
                turn.query = basis_claim(turn.query)
            turn.retrieval = retriever.retrieve(turn.query)
            if history:
                turn.retrieval = replace(turn.retrieval, said=said_before(history))
        return turn

    def scope(turn: Turn) -> Turn:
        if turn.reply is None:
            assert turn.retrieval is not None
            turn.reply = guard.scope(turn.screening, turn.retrieval)
            if turn.reply is not None:
                turn.reply = guard.finish(turn.screening, turn.reply)
        return turn

    def compose(turns: Iterator[Turn]) -> Iterator[Piece]:
        for turn in turns:
            if turn.reply is not None:
                yield Piece(answer=turn.reply, turn=turn)
                continue
            question, retrieval = turn.screening.question, turn.retrieval
            assert retrieval is not None
            if asks_about_sources(question) and retrieval.documents:  # who wrote it, when, which studies
                yield Piece(answer=about_sources(question, retrieval), turn=turn)
                continue
            basis = asks_for_basis(question)  # "which study is that figure from?": the statement, then its study
            for event in stream_composer(composer, basis_claim(question) if basis else question, retrieval):
                if isinstance(event, Answer) and basis:
                    event = with_basis(event, retrieval)  # the study first: the final answer replaces the streamed text
                yield Piece(answer=event, turn=turn) if isinstance(event, Answer) else Piece(text=event)

    def check(pieces: Iterator[Piece]) -> Iterator[Piece]:
        for piece in pieces:
            turn = piece.turn
            if piece.answer is None or turn is None or turn.reply is not None:
                yield piece  # streamed text, or a reply already final
                continue
            yield Piece(answer=guard.finish(turn.screening, verify(guard, piece.answer)), turn=turn)

    return (
        RunnableLambda(screen, name="screen")
        | RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(scope, name="scope")
        | RunnableGenerator(compose, name="compose")
        | RunnableGenerator(check, name="check")
    )


def stream_composer(composer: Composer, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
    """Text pieces as the composer produces them, then the final ``Answer``.

    Composers that can stream (a chat model) define ``stream`` with the same contract; for the
    others the finished body is given out sentence by sentence.
    """
    streaming = getattr(composer, "stream", None)
    if streaming is not None:
        yield from streaming(question, retrieval)
        return
    answer = composer.compose(question, retrieval)
    yield from re.findall(r"\S.*?(?:\]\s*|$)", answer.body)
    yield answer


def verify(guard: Guard, draft: Answer) -> Answer:
    """The guard's check of a composed answer.

    A streamed chat-model draft that failed its checks was replaced by quotes; the fixed line
    saying so (``bot.llm``) is not a claim to check, so it is set aside while the rest is checked.
    """
    note = f"{replies.DRAFT_REPLACED}\n\n"
    if not draft.body.startswith(note):
        return guard.verify(draft)
    draft.body = draft.body[len(note) :]
    checked = guard.verify(draft)
    if not checked.refused:
        checked.body = note + checked.body
    return checked


def contextualize(question: str, history: Sequence[Message]) -> str:
    """The retrieval query for a question in a conversation (what the ``retrieve`` stage searches)."""
    return query_for(question, resolve(question, history), history)
