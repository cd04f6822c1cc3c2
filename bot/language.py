"""Is a question in English? Script detection, then a word-frequency vote against other languages.

The articles and the embedding model are English, so only English is answered. Two tests:

1. Script: letters outside the Latin script (Cyrillic, Arabic, CJK, Devanagari, ...) mean another
   language when they are a large share of the text.
2. Latin-script languages: each word votes for English or for the language in which it is most
   frequent (``wordfreq``'s bundled word lists, offline). Product names are rare everywhere, so
   they do not vote, and acronyms in capitals vote English once: an English question with a
   foreign-looking drug name stays English, while "¿Qué es la terapia ABC-1?" does not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection

# Latin-script languages wordfreq knows that a kiosk visitor may write in.
OTHER_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl", "pl", "tr", "id", "sv", "ro", "vi", "fil", "da", "nb", "cs")
# wordfreq's codes that are not ISO 639-1.
_ISO_639_1 = {"fil": "tl"}
#: Summed per-word margin (Zipf units) for another language to win.
MIN_MARGIN = 3.0
_WORD = re.compile(r"[^\W\d_]+")
_TERM = re.compile(r"\b[A-Z][A-Z0-9]+(?:[\s-][A-Z0-9]{1,4}\b)*")


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
    from bot.spelling import english_zipf

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
    """ "en", or the ISO 639-1 code of the language the text looks written in ("es", "ru", "zh").

    "en" when unsure; ``UNDETERMINED`` ("und") for a script it does not know, which is not English.

    ``english_words`` (the corpus vocabulary) always vote English: "haemoglobin", "xyloprene".
    """
    share = non_latin_share(text)
    if share >= 0.5:
        return _script_language(text)
    # Acronyms and names in capitals ("MRI", "HER2", "BRCA1") are the articles' English terms: one
    # English vote each, whatever their letters spell in another language.
    text, terms = _TERM.subn(" ", text)
    tokens = [w.lower() for w in _WORD.findall(text) if len(w) >= 2 or not w.isascii()]
    if not tokens:
        return "en"
    margin = 0.0
    foreign, english = 0, terms
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
    # One foreign-looking word in an English sentence is a typo or a name ("wat is ANC").
    if margin >= MIN_MARGIN and foreign > english and (foreign >= 2 or len(tokens) <= 2):
        best = max(langs, key=lambda k: langs[k]) if langs else UNDETERMINED
        return _ISO_639_1.get(best, best)
    if share >= 0.3 and english == 0:
        return _script_language(text)
    return "en"


# Unicode script (the start of a letter's name) → the language most visitors writing it use.
_SCRIPTS = {
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARABIC": "ar",
    "HEBREW": "he",
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "DEVANAGARI": "hi",
    "THAI": "th",
    "BENGALI": "bn",
    "GURMUKHI": "pa",
    "GUJARATI": "gu",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "SINHALA": "si",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "ETHIOPIC": "am",
    "KHMER": "km",
    "LAO": "lo",
    "MYANMAR": "my",
}
# Letters only some languages of a shared script use: Urdu and Persian beside Arabic, Ukrainian
# beside Russian. Japanese is told from Chinese by its kana (any kana at all).
_DISTINCT = (("ur", "ٹڈڑںےھۓ"), ("fa", "پچژگکی"), ("uk", "іїєґІЇЄҐ"))
#: Not English, and not a script above (ISO 639-2 "undetermined").
UNDETERMINED = "und"


def _script_language(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and not _latin(ch):
            name = unicodedata.name(ch, "")
            code = next((c for script, c in _SCRIPTS.items() if name.startswith(script)), UNDETERMINED)
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return UNDETERMINED
    if "ja" in counts:
        return "ja"
    main = max(counts, key=lambda c: counts[c])
    for code, letters in _DISTINCT:
        if any(ch in letters for ch in text) and _SCRIPTS_OF.get(code) == main:
            return code
    return main


_SCRIPTS_OF = {"ur": "ar", "fa": "ar", "uk": "ru"}
