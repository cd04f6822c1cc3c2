"""Is an answer sentence supported by the passages it cites? Shared by the guard, the LLM checks and the evals.

ALCE-style, without an LLM: a sentence is supported when it is quoted from its cited passages,
or when nearly all of its content words (stemmed) occur there and every number it states does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

from bot.quotes import quoted
from bot.text import cited_sentences, flat, fold, numbers_in, split_sentences, terms
from bot.types import Answer

#: Share of a sentence's content words that must occur in its cited passages (paraphrase).
SUPPORT_THRESHOLD = 0.75


def support(sentence: str, cited: Sequence[str]) -> float:
    """1.0 for a verbatim quote (a dropped leading connective allowed, ``bot.quotes``); otherwise
    the share of its content words found in ``cited``."""
    joined = " ".join(flat(t) for t in cited)
    if quoted(sentence, [joined]):
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


# -- checks for paraphrased sentences (the LLM composer) --------------------------------------
# Content-word overlap cannot see a flipped claim: "the new therapy has been proven better" shares the words
# of "it isn't proven superior" (0.83 support). Neither can MiniLM similarity (0.82). What catches it
# is the source clause's negation going missing, so that is checked on its own.
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|neither|cannot|without|yet to|few)\b|n't\b", re.IGNORECASE)
_CLAUSE = re.compile(r"\s+[—–-]\s+|;\s+|:\s+|,\s+(?=(?:but|while|although|though|yet)\b)")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")


def drops_negation(sentence: str, cited: Sequence[str]) -> bool:
    """The cited clause closest to the sentence says "not/no/few/yet to...", and the sentence doesn't."""
    if _NEGATION.search(sentence):
        return False
    words = set(terms(sentence))
    best, overlap = "", 0
    for text in cited:
        for one in split_sentences(text):
            if one.rstrip().endswith("?"):
                continue  # the article's own questions state nothing
            for clause in _CLAUSE.split(one):
                shared = len(words & set(terms(clause)))
                if shared > overlap:
                    best, overlap = clause, shared
    return bool(best) and bool(_NEGATION.search(best))


def names_in(sentence: str) -> list[str]:
    """Drug, product and technical names: HER2, IL-6, mRNAs, and capitalised words such as
    Xyloprene that are not ordinary English (not a whole word in MiniLM's 30k-word vocabulary)."""
    out = []
    for m in _TOKEN.finditer(sentence):
        token = m.group()
        if len(token) < 2 or numbers_in(token) == {token}:
            continue  # plain numbers are numbers_grounded's job
        if any(c.isdigit() for c in token) or sum(c.isupper() for c in token) >= 2:
            out.append(token)
        elif token[0].isupper():
            opens = not sentence[: m.start()].strip() or sentence[: m.start()].rstrip()[-1] in ".!?:\"“(‘'"
            if not opens or not all(part in _vocabulary() for part in re.split(r"[-/]", token.lower())):
                out.append(token)
    return out


def ungrounded_names(sentence: str, cited: Sequence[str]) -> list[str]:
    """Names in the sentence that none of the cited passages mention (spelling or stem)."""
    folded = fold(" ".join(cited))
    stems = set(terms(" ".join(cited)))
    return [
        name
        for name in names_in(sentence)
        if not re.search(rf"(?<![a-z0-9]){re.escape(fold(name))}", folded) and not set(terms(name)) <= stems
    ]


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Whole words of the bundled model's WordPiece vocabulary: common English, few drug names."""
    try:
        from bot.embeddings import model_path

        with open(Path(model_path()) / "vocab.txt", encoding="utf-8") as f:
            return frozenset(w for w in f.read().split() if w.isalpha())
    except (OSError, RuntimeError):
        return frozenset()  # without it only mid-sentence capitals and technical tokens count as names
