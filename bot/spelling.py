"""Spelling: misspelt question words fixed towards the corpus vocabulary, then common English.

``Speller.correct`` turns lay questions with typos into words retrieval can find ("side efects"
→ "side effects", "wat" → "what", "sine a form" → "sign"). Acronyms, numbers, short words and
words that are already English are left alone; a rare real word is changed only when it is a far
commoner word with letters left out ("mornin" → "morning"). English frequencies come from
``wordfreq``'s bundled list (offline).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Mapping

from bot.text import CONTRACTED, LETTER_RUN, lemmas, respell_slips

#: A word at least this frequent in English (Zipf scale, wordfreq) is not misspelt.
KNOWN_ZIPF = 2.5
#: Candidate corrections from general English must be at least this common.
SUGGEST_ZIPF = 3.0
# A rare word (below FULLER_BELOW_ZIPF) that is a word this much commoner with letters left out is
# a slip for it ("mornin" 3.1 → "morning" 5.3).
FULLER_BELOW_ZIPF = 4.5
FULLER_BY_ZIPF = 1.5
MAX_REMEMBERED_SLIPS = 10_000
#: A respelling of a word typed as it sounds ("tite" → "tight") must be at least this common.
SOUNDED_ZIPF = 4.0


# Chat shorthand that is "English" to a word list but not to the embedding model.
SHORTHAND = {
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "whats": "what's",
    "wats": "what's",
    "hw": "how",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "thx": "thanks",
    "ppl": "people",
    "dr": "doctor",
    "docs": "doctors",
    "meds": "medicines",
    "tx": "treatment",
    # contractions typed without the apostrophe
    "wont": "won't",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "im": "I'm",
    "ive": "I've",
    "cant": "can't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "wouldnt": "wouldn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "havent": "haven't",
    "hasnt": "hasn't",
}


@functools.cache
def _english() -> dict[str, float]:
    """English word frequencies (wordfreq's bundled "large" list, ~320k words; loaded once)."""
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="large")  # type: ignore[no-any-return]


def warm_up() -> None:
    """Load the English word list and the spelling buckets now rather than on a visitor's question."""
    _english_by_length()


def english_zipf(word: str) -> float:
    """Zipf frequency: log10 of uses per billion words (0 = not an English word)."""
    f = _english().get(word.lower(), 0.0)
    return round(math.log10(f * 1e9), 2) if f > 0 else 0.0


@functools.cache
def _english_by_length() -> dict[int, list[str]]:
    """Common English words (most frequent first), bucketed by length for fuzzy matching."""
    floor = 10 ** (SUGGEST_ZIPF - 9)
    common = sorted(((f, w) for w, f in _english().items() if f >= floor and w.isalpha() and w.isascii()), reverse=True)
    buckets: dict[int, list[str]] = {}
    for _, word in common:
        buckets.setdefault(len(word), []).append(word)
    return buckets


class Speller:
    """Spelling correction against a vocabulary (word → uses) and its joined names ("abc" → "AB-C")."""

    def __init__(self, counts: Mapping[str, int], compounds: Mapping[str, str]) -> None:
        self.counts = counts
        self.words = frozenset(counts)
        self.compounds = compounds
        by_length: dict[int, list[str]] = {}
        for word, _ in Counter(counts).most_common():
            by_length.setdefault(len(word), []).append(word)
        self.by_length = by_length  # most used first, for fuzzy matching
        self._fuller_seen: dict[str, str | None] = {}  # typos come back; the English scan is not free

    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with misspelt words fixed, and the (from, to) pairs changed."""
        text, changes = respell_slips(text)  # "how long dose it take": real words, so before the word check
        text = _VERB_SLOT.sub(lambda m: self._verb_for(m, changes), text)

        def fix(m: re.Match[str]) -> str:
            original = m.group(0)
            if CONTRACTED.match(m.string, m.end()):
                return original  # "aren" of "aren't" is half a word, not a slip for "garden"
            better = self.suggest(original)
            if better is None:
                return original
            changes.append((original, better))
            return better.capitalize() if original[0].isupper() else better

        return LETTER_RUN.sub(fix, text), changes

    def suggest(self, word: str) -> str | None:
        """A correction for one word, or None when it looks right (or nothing close is known)."""
        lower = word.lower()
        if lower in SHORTHAND and not word.isupper():
            return SHORTHAND[lower]
        if lower in self.compounds:
            return self.compounds[lower]
        if len(lower) < 4 or not lower.isascii() or (word.isupper() and len(word) > 1):
            return None  # short words and acronyms ("DNA", "MRI", "mRNA") are left alone
        if lower in self.words or _inflected_word(lower):
            return None
        zipf = english_zipf(lower)
        if zipf >= KNOWN_ZIPF:  # a real word, however rare ("slurring" must never become "starring") ...
            return self._fuller(lower, zipf) if zipf < FULLER_BELOW_ZIPF else None
        sounded = _sounds_like(lower)
        if sounded is not None and (sounded in self.words or english_zipf(sounded) >= SOUNDED_ZIPF):
            return sounded
        limit = 1 if len(lower) <= 5 else 2
        ranked = []
        for rank, buckets in enumerate((self.by_length, _english_by_length())):
            for candidate, distance in _near(lower, buckets, limit):
                # Nearest first; then the same first letter ("aproved" → "approved", not "proved"),
                # then a word the typing only left letters out of ("showr" → "shower", not "shows"),
                # then a word of the articles, then the more common word.
                omitted = _left_out_of(lower, candidate)
                ranked.append(
                    (distance, candidate[0] != lower[0], not omitted, rank, -english_zipf(candidate), candidate)
                )
        return min(ranked)[-1] if ranked else None

    def _fuller(self, word: str, zipf: float) -> str | None:
        """... unless it is a far commoner word (in English or the articles) with a letter or two
        left out ("mornin" → "morning", "befor" → "before", "realy" → "really", not "reality")."""
        if word in self._fuller_seen:
            return self._fuller_seen[word]
        if _agent_noun(word):
            return None  # "carer" is someone who cares, not "career" with a letter left out
        floor = zipf + FULLER_BY_ZIPF
        best: tuple[float, str] | None = None
        for buckets in (self.by_length, _english_by_length()):
            for length in (len(word) + 1, len(word) + 2):
                for candidate in buckets.get(length, ()):
                    frequency = english_zipf(candidate)
                    if frequency < floor:
                        if buckets is not self.by_length:
                            break  # English buckets are most frequent first
                        continue
                    if _left_out_of(word, candidate) and (best is None or frequency > best[0]):
                        best = (frequency, candidate)
        if len(self._fuller_seen) < MAX_REMEMBERED_SLIPS:
            self._fuller_seen[word] = best[1] if best is not None else None
        return best[1] if best is not None else None

    def _verb_for(self, m: re.Match[str], changes: list[tuple[str, str]]) -> str:
        """A noun where a verb must stand ("do I have to sine a form"): the articles' verb it sounds
        like, if one is a letter or two away ("sign"); the commonest in the articles when several are."""
        typed = m.group("word")
        lower = typed.lower()
        kinds = set(lemmas(lower))
        if typed[0].isupper() or not kinds or not kinds <= {"NOUN", "ADJ"}:
            return m.group(0)  # a name, or a word that can be a verb (or an adverb: "where")
        sounds = _consonants(lower)
        near = [
            word
            for word, distance in _near(lower, self.by_length, 2, per_length=100)
            if distance and word[0] == lower[0] and word in lemmas(word).get("VERB", ()) and _within(sounds, word)
        ]
        if not near:
            return m.group(0)
        meant = max(near, key=lambda word: self.counts[word])
        changes.append((typed, meant))
        return m.group(0)[: m.start("word") - m.start()] + meant + m.group(0)[m.end("word") - m.start() :]


def _inflected_word(word: str) -> bool:
    return bool(lemmas(word))


def _agent_noun(word: str) -> bool:
    """One who does a verb: "carer" (care), "helpers" (help); dictionaries leave many out."""
    one = word[:-1] if word.endswith("s") else word
    if one.endswith("er") and "VERB" in lemmas(one[:-2]):
        return True
    return one.endswith("er") and one[:-1].endswith("e") and "VERB" in lemmas(one[:-1])


_VERB_SLOT = re.compile(
    r"\b(?:to|can|could|will|would|should|must|may|might)\s+(?P<word>[A-Za-z]{3,})(?=\s+(?:a|an|the|my|your|his|"
    r"her|our|their|this|that|these|those|it|them)\b)",
    re.IGNORECASE,
)


def _consonants(word: str) -> str:
    return re.sub(r"[aeiouy]", "", word)


def _within(consonants: str, word: str) -> bool:
    """Are the typed consonants, in order, among the word's ("sn" of "sine" in "sign")? A cheap sounds-alike."""
    letters = iter(word)
    return all(ch in letters for ch in consonants)


def _sounds_like(word: str) -> str | None:
    """The spelling a word typed as it sounds stands for: "tite" → "tight", "brite" → "bright" (nearer
    by letters are "title" and "brie"), or None."""
    return word[:-3] + "ight" if word.endswith("ite") and len(word) > 3 else None


def _left_out_of(typed: str, word: str) -> bool:
    """Is ``typed`` ``word`` with some letters left out (the commonest slip: "realy", "showr")?"""
    letters = iter(word)
    return len(typed) < len(word) and all(ch in letters for ch in typed)


def _near(word: str, by_length: dict[int, list[str]], limit: int, per_length: int = 5) -> list[tuple[str, int]]:
    """Words within ``limit`` edits (OSA distance), a few of each length, most frequent first."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract

    out: list[tuple[str, int]] = []
    for length in range(len(word) - limit, len(word) + limit + 1):
        choices = by_length.get(length)
        if choices:
            hits = extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=per_length)
            out.extend((hit[0], int(hit[1])) for hit in hits)
    return out


def closest(word: str, by_length: dict[int, list[str]], limit: int) -> tuple[str, int] | None:
    """The nearest word within ``limit`` edits (OSA distance: a swap of two letters is one edit)."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extractOne

    best: tuple[str, int] | None = None
    for length in range(len(word) - limit, len(word) + limit + 1):
        choices = by_length.get(length)
        if not choices:
            continue
        hit = extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
        if hit is not None and (best is None or hit[1] < best[1]):
            best = (hit[0], int(hit[1]))
    return best
