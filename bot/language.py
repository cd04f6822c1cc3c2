"""Is a question in English? Script detection, then a word-frequency vote against other languages.

The articles and the embedding model are English, so only English is answered. Two tests:

1. Script: letters outside the Latin script (Cyrillic, Arabic, CJK, Devanagari, ...) mean another
   language when they are a large share of the text.
2. Latin-script languages: each word votes for English or for the language in which it is most
   frequent (``wordfreq``'s bundled word lists, offline). Product names and acronyms ("Kymriah",
   "CAR-NK") are rare everywhere, so they do not vote: an English question with a foreign drug
   name stays English, while "¿Qué es la terapia CAR-T?" does not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection

# Latin-script languages wordfreq knows that a kiosk visitor may write in.
OTHER_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl", "pl", "tr", "id", "sv", "ro", "vi", "fil", "da", "nb", "cs")
#: Summed per-word margin (Zipf units) for another language to win.
MIN_MARGIN = 3.0
_WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def _zipf():  # type: ignore[no-untyped-def]
    from wordfreq import zipf_frequency

    return zipf_frequency


def _latin(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "")


def non_latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    # One CJK/kana/hangul character carries about a word; count it as three letters.
    weight = 0.0
    for ch in letters:
        if not _latin(ch):
            weight += 3.0 if unicodedata.east_asian_width(ch) == "W" else 1.0
    latin = sum(1 for ch in letters if _latin(ch))
    return weight / (weight + latin)


@functools.lru_cache(maxsize=4096)
def _vote(word: str) -> tuple[float, str]:
    """(margin of the best other language over English, that language) for one word."""
    from bot.lexicon import english_zipf

    zipf = _zipf()
    # English from the large list (typos and rare words still score), the others from their small
    # lists: a tie goes to English, the language the articles are in.
    english = english_zipf(word)
    best, lang = 0.0, "en"
    for code in OTHER_LANGUAGES:
        z = zipf(word, code, wordlist="small")
        if z > best:
            best, lang = z, code
    return best - english, lang


def detect(text: str, english_words: Collection[str] = ()) -> str:
    """ "en", or the code of the language the text looks written in ("es", "ru", "zh", "other").

    ``english_words`` (the corpus vocabulary) always vote English: "cytokine", "CAR-NK".
    """
    share = non_latin_share(text)
    if share >= 0.5:
        return _script_language(text)
    # "CAR-T", "CAR NK": the articles' English terms, one English vote each (not their letters).
    text, car_terms = re.subn(r"\bcar[\s-]?(?:nk|t)\b", " ", text, flags=re.IGNORECASE)
    tokens = [w.lower() for w in _WORD.findall(text) if len(w) >= 2 or not w.isascii()]
    if not tokens:
        return "en"
    margin = 0.0
    foreign, english = 0, car_terms
    langs: dict[str, float] = {}
    for token in tokens:
        if len(token) >= 4 and token in english_words:
            english += 1
            continue
        m, lang = _vote(token)
        margin += m
        if m >= 1.0:
            foreign += 1
            langs[lang] = langs.get(lang, 0.0) + m
        elif m <= -0.3:
            english += 1
    # One foreign-looking word in an English sentence is a typo or a name ("wat is CRS").
    if margin >= MIN_MARGIN and foreign > english and (foreign >= 2 or len(tokens) <= 2):
        return max(langs, key=lambda k: langs[k]) if langs else "other"
    if share >= 0.3 and english == 0:
        return _script_language(text)
    return "en"


def _script_language(text: str) -> str:
    for ch in text:
        if ch.isalpha() and not _latin(ch):
            name = unicodedata.name(ch, "")
            for script, code in (
                ("CYRILLIC", "ru"),
                ("GREEK", "el"),
                ("ARABIC", "ar"),
                ("HEBREW", "he"),
                ("CJK", "zh"),
                ("HIRAGANA", "ja"),
                ("KATAKANA", "ja"),
                ("HANGUL", "ko"),
                ("DEVANAGARI", "hi"),
                ("THAI", "th"),
            ):
                if name.startswith(script):
                    return code
            return "other"
    return "other"
