"""After composing: does every sentence cite a given passage, and does that passage support it?

A composed answer that fails any check never reaches the user: ``bot.guard.Guard.verify``
replaces it with the fixed "could not check" reply and logs why.
"""

from __future__ import annotations

import re

from bot import replies
from bot.grounding import is_supported, numbers_grounded
from bot.text import cited_sentences
from bot.types import Answer

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|javascript\s*:|\bon[a-z]{3,}\s*=", re.IGNORECASE)


def find_problem(answer: Answer) -> str | None:
    """The first failed check of a composed answer, or None."""
    if answer.notice != replies.NOTICE:
        return "the notice was changed"
    if _MARKUP.search(answer.body):
        return "markup in the answer"
    if answer.refused:
        return "a refusal with citations" if answer.citations else None
    pairs = cited_sentences(answer.body)
    if not pairs:
        return "empty answer"
    by_n = {c.n: c for c in answer.citations}
    if sorted(by_n) != list(range(1, len(by_n) + 1)):
        return "citations are not numbered 1..n"
    used: set[int] = set()
    for sentence, marks in pairs:
        if not marks:
            return f"sentence without a citation: {sentence[:60]!r}"
        missing = [n for n in marks if n not in by_n]
        if missing:
            return f"citation {missing} points at no passage"
        used.update(marks)
        cited = [by_n[n].text for n in marks]
        if not numbers_grounded(sentence, cited):
            return f"number not in the cited passage: {sentence[:60]!r}"
        if not is_supported(sentence, cited):
            return f"sentence not supported by its cited passage: {sentence[:60]!r}"
    if used != set(by_n):
        return "a source is listed but never cited"
    return None
