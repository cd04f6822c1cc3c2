"""The corpus's own jargon: abbreviations the articles define, as "long form (ABBR)".

Used to expand a question ("white blood cell count" also searches "WBC", and back) and by
the UI's tap-to-define, which cites the sentence that gives the definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.text import fold

# "white blood cell count (WBC)", "magnetic resonance imaging (MRI)"
_CANDIDATE = re.compile(r"((?:[\w'’-]+\s+){1,8}?[\w'’-]+)\s+\((?P<abbr>[A-Za-z]{0,2}[A-Z][A-Za-z0-9-]{0,8})\)")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\"“(])")


@dataclass(frozen=True)
class Term:
    abbreviation: str  # as written, e.g. "WBCs"
    long_form: str  # e.g. "white blood cell counts"
    sentence: str  # the sentence that defines it
    chunk_id: str  # the passage it is in (for the citation)

    @property
    def key(self) -> str:
        return _singular(self.abbreviation).upper()


def long_form_for(abbreviation: str, words_before: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest run of preceding words that spells the abbreviation."""
    letters = [c.lower() for c in _singular(abbreviation) if c.isalnum()]
    text = words_before.lower()
    i = len(text) - 1
    for position in range(len(letters) - 1, -1, -1):
        c = letters[position]
        while i >= 0 and (text[i] != c or (position == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    start = text.rfind(" ", 0, i + 1) + 1
    long_form = words_before[start:].strip()
    return long_form if len(long_form) > len(abbreviation) else None


def find_terms(passages: Iterable[tuple[str, str]]) -> dict[str, Term]:
    """Every abbreviation defined in ``(chunk_id, text)`` passages, first definition wins."""
    terms: dict[str, Term] = {}
    for chunk_id, text in passages:
        for match in _CANDIDATE.finditer(text):
            abbreviation = match.group("abbr")
            long_form = long_form_for(abbreviation, match.group(1))
            if not long_form:
                continue
            term = Term(abbreviation, long_form, _sentence_around(text, match.start(), match.end()), chunk_id)
            terms.setdefault(term.key, term)
    return terms


def distinctive(terms: dict[str, Term], texts: list[str], max_share: float = 0.2) -> dict[str, Term]:
    """Terms in at most ``max_share`` of the passages; an abbreviation in every passage would only add noise."""
    limit = max(1, int(max_share * len(texts)))
    out = {}
    for key, term in terms.items():
        pattern = re.compile(rf"\b{re.escape(_singular(term.abbreviation))}s?\b", re.IGNORECASE)
        if sum(bool(pattern.search(t)) for t in texts) <= limit:
            out[key] = term
    return out


def expand(query: str, terms: dict[str, Term]) -> str:
    """Add the other spelling of every defined term the query uses."""
    folded = fold(query)
    tokens = {_singular(t).upper() for t in re.findall(r"[A-Za-z][A-Za-z0-9-]*", query)}
    extra = []
    for key, term in terms.items():
        if key in tokens and fold(term.long_form) not in folded:
            extra.append(term.long_form)
        elif key not in tokens and fold(term.long_form) in folded:
            extra.append(term.abbreviation)
    return f"{query} ({'; '.join(extra)})" if extra else query


def _sentence_around(text: str, start: int, end: int) -> str:
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    begin = max(b for b in bounds if b <= start)
    finish = min((b for b in bounds if b >= end), default=len(text))
    return text[begin:finish].strip()


def _singular(abbreviation: str) -> str:
    return abbreviation[:-1] if len(abbreviation) > 2 and abbreviation.endswith("s") else abbreviation
