"""Raw input → plain text: control characters, bidi overrides, markup, emoji, repeats and spam.

Pure functions, no model: the guard runs them first, so junk never reaches retrieval and the
reply never echoes markup back (it never quotes the question at all).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from bot.text import clauses, opens_question, words

#: Input longer than this is not even scanned in full (a pasted book must not cost seconds).
HARD_CAP_FACTOR = 20

# C0/C1 controls (tab, newline and carriage return become spaces later) and the invisible format
# characters that can make text display differently from what it says: zero-width characters,
# bidi embeddings/overrides/isolates, the BOM, and Unicode "tag" characters (hidden ASCII).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    r"\U000e0000-\U000e007f]"
)
# Markup: whole <script>/<style>/... blocks go with their content; other tags lose only the tag.
# An element whose opening tag runs code ("<a href='javascript:...'>click</a>") goes with its text.
_ACTIVE_ELEMENT = re.compile(
    r"<\s*([a-zA-Z]+)\b[^>]*(?:javascript\s*:|\bon[a-z]{3,}\s*=)[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S
)
_ACTIVE_BLOCK = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|template)\b.*?(?:<\s*/\s*\1\s*>|$)", re.I | re.S
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*>|<!--.*?-->", re.S)
_ACTIVE_HINT = re.compile(
    r"<\s*(script|iframe|object|embed|svg|img|math|form|link|meta|base)\b|\bon[a-z]{3,}\s*=|javascript\s*:|"
    r"data\s*:\s*text/html|\bsrcdoc\s*=",
    re.I,
)
# Chat-template role tags ("<<SYS>>", "[INST]", "<|im_start|>") are an injection, not formatting.
_ROLE_TAG = re.compile(
    r"<+\s*/?\s*(?:sys|system|inst|instructions?|assistant|user|developer|context|passages?|documents?|prompt)\s*>+|"
    r"<\|\w+\|>|\[/?inst\]",
    re.I,
)
# The same question typed over and over with no punctuation: "what is a stem cell what is a stem cell ...".
_REPEATED_UNIT = re.compile(r"^\s*(.{3,200}?)(?:[\s,.;!?]+\1){2,}[\s,.;!?]*$", re.I | re.S)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# A run of one character: "whaaaaat", "!!!!!!", "??????".
_CHAR_RUN = re.compile(r"(.)\1{3,}")


@dataclass
class Cleaned:
    """What ``clean`` made of the input."""

    text: str  # one line, plain text; "" when nothing usable was left
    original_length: int  # characters of the input after Unicode normalisation
    markup: bool = False  # tags or entities were removed
    active_markup: bool = False  # <script>, on...= handlers, javascript: (an attack, not formatting)
    notes: list[str] = field(default_factory=list)


def clean(raw: object) -> Cleaned:
    """Normalise, strip controls, markup and emoji; collapse repeats and whitespace."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFKC", text)
    original_length = len(text)
    notes: list[str] = []
    if len(text) > HARD_CAP_FACTOR * 1000:
        text = text[: HARD_CAP_FACTOR * 1000]
        notes.append("scanned only the start of a very long input")
    stripped = _CONTROL.sub("", text)
    if stripped != text:
        notes.append("removed control or invisible characters")
    text = stripped
    # Entities are decoded first so "&lt;script&gt;" is caught as markup too (twice: "&amp;lt;").
    for _ in range(2):
        text = html.unescape(text)
    active = bool(_ACTIVE_HINT.search(text) or _ROLE_TAG.search(text))
    no_markup = _TAG.sub(" ", _ACTIVE_BLOCK.sub(" ", _ACTIVE_ELEMENT.sub(" ", text)))
    no_markup = _MD_LINK.sub(r"\1", no_markup)
    markup = no_markup != text
    if markup:
        notes.append("removed markup")
    text = no_markup.replace("<", " ").replace(">", " ")  # stray brackets: nothing can be re-assembled
    if _URL.search(text):
        text = _URL.sub(" ", text)
        notes.append("removed links")
    without_symbols = strip_symbols(text)
    if without_symbols != text:
        notes.append("removed emoji or symbols")
    text = _CHAR_RUN.sub(_shorten_run, without_symbols)
    text = re.sub(r"\s+([?.!,;:])", r"\1", " ".join(text.split()))  # "ANC ?" where a tag was
    text = dedupe_sentences(text)
    repeated = _REPEATED_UNIT.match(text)
    if repeated and opens_question(repeated.group(1)):
        text = repeated.group(1).strip()
        notes.append("the same question was repeated")
    return Cleaned(text, original_length, markup, active, notes)


def strip_symbols(text: str) -> str:
    """Drop emoji, pictographs and other symbols (keep letters, digits, punctuation, %, $, °, +)."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cn") and ch not in "°":
            out.append(" ")
        elif cat in ("Mn", "Me") and not out:
            continue  # a combining mark with nothing to combine with
        elif ch in "\u20e3\ufe0e\ufe0f":  # keycap, variation selectors left after emoji
            continue
        else:
            out.append(ch)
    return "".join(out)


def _shorten_run(m: re.Match[str]) -> str:
    ch = m.group(1)
    if ch.isalpha():
        return ch * 2  # "whaaaat" → "whaat", which the spelling step can fix
    if ch.isdigit():
        return m.group(0)  # "1000000" is a number
    return ch


def dedupe_sentences(text: str) -> str:
    """The same sentence pasted again and again counts once."""
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in clauses(text):
        key = " ".join(w.lower() for w in re.findall(r"\w+", sentence))
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(sentence.strip())
    return " ".join(s for s in kept if s) if kept else text


def is_spam(text: str) -> bool:
    """A few words repeated over and over ("buy now buy now ..."), after duplicate sentences went."""
    tokens = [w.lower() for w in words(text)]
    if len(tokens) < 8:
        return False
    distinct = len(set(tokens))
    return distinct / len(tokens) < 0.3 or (distinct <= 3 and len(tokens) >= 8)


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def cut(text: str, limit: int) -> str:
    """The start of ``text`` within ``limit`` characters, ending at a sentence (else word) boundary."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if end >= limit // 3:
        return head[: end + 1]
    return head.rsplit(" ", 1)[0] if " " in head else head
