"""Is an answer sentence supported by the passages it cites? Shared by the guard, the LLM checks and the evals.

ALCE-style, without an LLM: a sentence is supported when it is quoted from its cited passages,
or when nearly all of its content words (stemmed) occur there and every number it states does.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer import Answer, cited_sentences, numbers_in
from bot.retrieval import terms

#: Share of a sentence's content words that must occur in its cited passages (paraphrase).
SUPPORT_THRESHOLD = 0.75


def flat(text: str) -> str:
    return " ".join(text.split())


def support(sentence: str, cited: Sequence[str]) -> float:
    """1.0 for a verbatim quote; otherwise the share of its content words found in ``cited``."""
    joined = " ".join(flat(t) for t in cited)
    if flat(sentence) and flat(sentence) in joined:
        return 1.0
    words = terms(sentence)
    if not words:
        return 0.0
    vocabulary = set(terms(joined))
    return sum(w in vocabulary for w in words) / len(words)


def numbers_grounded(sentence: str, cited: Sequence[str]) -> bool:
    return numbers_in(sentence) <= numbers_in(" ".join(cited))


def is_supported(sentence: str, cited: Sequence[str], threshold: float = SUPPORT_THRESHOLD) -> bool:
    return bool(cited) and support(sentence, cited) >= threshold and numbers_grounded(sentence, cited)


def citation_report(answer: Answer) -> dict[str, float]:
    """Citation recall (supported sentences / sentences) and precision (supporting citations / citations)."""
    by_n = {c.n: c.text for c in answer.citations}
    pairs = cited_sentences(answer.body)
    if not pairs:
        return {"citation_recall": 0.0, "citation_precision": 0.0, "numbers_grounded": 0.0}
    supported = citations = supporting = grounded = 0
    for sentence, marks in pairs:
        cited = [by_n[n] for n in marks if n in by_n]
        supported += is_supported(sentence, cited)
        grounded += numbers_grounded(sentence, cited)
        for n in marks:
            citations += 1
            supporting += n in by_n and support(sentence, [by_n[n]]) >= SUPPORT_THRESHOLD
    return {
        "citation_recall": supported / len(pairs),
        "citation_precision": supporting / citations if citations else 0.0,
        "numbers_grounded": grounded / len(pairs),
    }
