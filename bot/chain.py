"""The pipeline as LangChain runnables: retrieve → compose.

A chat-model composer (``bot.llm``) replaces only the ``compose`` step; retrieval stays.
"""

from __future__ import annotations

from typing import Any, Protocol, TypedDict

from bot.answer import Answer
from bot.retrieval import HybridRetriever, Retrieval


class Composer(Protocol):
    name: str

    def compose(self, question: str, retrieval: Retrieval) -> Answer: ...


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
