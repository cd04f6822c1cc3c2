"""The pipeline as LangChain runnables: retrieve → compose.

A chat-model composer (``bot.llm``) replaces only the ``compose`` step; retrieval stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol, TypedDict

from bot.answer import Answer
from bot.retrieval import HybridRetriever, Retrieval


class Composer(Protocol):
    """Turns retrieved passages into an answer. One method to implement; streaming is optional."""

    name: str

    def compose(self, question: str, retrieval: Retrieval) -> Answer: ...


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


class ChainInput(TypedDict):
    question: str  # what the person asked, shown back and used to pick sentences
    query: str  # what retrieval searches for (the question, plus context for a follow-up)


def build_chain(retriever: HybridRetriever, composer: Composer) -> Any:
    """``Runnable[ChainInput, Answer]``."""
    from langchain_core.runnables import RunnableLambda

    def retrieve(inputs: ChainInput) -> dict[str, Any]:
        return {"question": inputs["question"], "retrieval": retriever.retrieve(inputs["query"])}

    def compose(inputs: dict[str, Any]) -> Answer:
        return composer.compose(inputs["question"], inputs["retrieval"])

    return RunnableLambda(retrieve, name="retrieve") | RunnableLambda(compose, name="compose")
