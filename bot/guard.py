"""Safety around the answer: ``screen`` runs before retrieval, ``verify`` after composing.

``screen`` turns raw input into a clean question or an early fixed reply; ``verify`` checks a
composed answer and replaces it with the safe reply when a check fails (and logs why).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from bot import replies
from bot.answer import Answer, cited_sentences
from bot.config import Settings
from bot.grounding import is_supported, numbers_grounded

log = logging.getLogger(__name__)

# C0/C1 controls (keeping tab and newline as spaces) and bidi overrides/isolates, which can make
# text display differently from what it says.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass
class Screening:
    """What the guard made of the input."""

    question: str  # cleaned text to answer ("" when ``reply`` is set)
    reply: Answer | None = None  # a fixed reply to give instead of an answer
    triage: str | None = None  # e.g. "advice": answer, but frame it (set on the final Answer)
    notes: list[str] = field(default_factory=list)  # what was changed, for logs


class Guard:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def screen(self, question: object, history: object = None) -> Screening:
        if not isinstance(question, str):
            question = ""
        text = unicodedata.normalize("NFKC", question)
        cleaned = _CONTROL.sub("", text)
        notes = ["removed control characters"] if cleaned != text else []
        cleaned = " ".join(cleaned.split())
        if not cleaned:
            return Screening("", Answer(body=replies.EMPTY_INPUT, refused=True, triage="invalid_input"), notes=notes)
        limit = self.settings.max_question_chars
        if len(cleaned) > limit:
            notes.append(f"cut from {len(cleaned)} to {limit} characters")
            cleaned = cleaned[:limit].rsplit(" ", 1)[0]
            return Screening(cleaned, triage="too_long", notes=notes)
        return Screening(cleaned, notes=notes)

    def finish(self, screening: Screening, answer: Answer) -> Answer:
        """Frame a checked answer with what screening found (e.g. a question cut for length)."""
        if screening.triage == "too_long":
            limit = self.settings.max_question_chars
            answer.body = f"{replies.TOO_LONG.format(limit=limit)}\n\n{answer.body}"
        return answer

    def verify(self, answer: Answer) -> Answer:
        """Check a composed answer; a failure never reaches the user."""
        if answer.refused:
            return answer
        problem = find_problem(answer)
        if problem:
            log.warning("answer withheld: %s", problem)
            return Answer(body=replies.ERROR, refused=True, triage="error")
        return answer


def find_problem(answer: Answer) -> str | None:
    """The first failed check of a composed answer, or None."""
    if answer.notice != replies.NOTICE:
        return "the notice was changed"
    pairs = cited_sentences(answer.body)
    if not pairs:
        return "empty answer"
    by_n = {c.n: c for c in answer.citations}
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
