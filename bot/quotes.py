"""Quoting one sentence on its own: a leading connective may go, nothing else changes.

"Additionally, the cells ..." quoted alone reads as "The cells ...". Only the connective (with its
comma, dash or short aside such as ", and importantly,") is dropped and the next word capitalised;
the rest of the quote stays verbatim. ``quoted`` is the matching check: a sentence is a quote of
a passage when it is in it word for word, or is such a trimmed sentence of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.text import DOCUMENT_NAMES, LIST_ITEM

# English discourse connectives that only link a sentence to the one before it.
_CONNECTIVES = (
    "additionally|also|and|but|besides|consequently|finally|first|firstly|further|furthermore|hence|however|"
    "importantly|indeed|instead|lastly|likewise|meanwhile|moreover|nevertheless|nonetheless|notably|"
    "overall|second|secondly|similarly|so|still|then|third|thirdly|thus|therefore|yet|"
    "in addition|in fact|in particular|in short|in sum|as a result|as well|at the same time|"
    "by contrast|in contrast|on the other hand|that said|even so|after all|of course|above all"
)
# The connective, then a comma or dash, optionally a short aside closed the same way
# ("Second, and importantly, ...", "Second — and this is the big one — ..."). "And"/"But"/"So"
# need no comma.
_LEADING = re.compile(
    rf"^\s*(?:(?:{_CONNECTIVES})\s*[,—–]\s*(?:(?:and|but|more|most|perhaps)\b[^,—–.?!]{{0,30}}[,—–]\s*)?"
    r"|(?:and|but|so|yet)\s+(?=[a-z]))",
    re.IGNORECASE,
)
# Words that point back at the sentence before: quoted alone, the reader cannot tell what they mean.
_LEANS_BACK = re.compile(
    r"^\s*(?:this|these|that|those|it|its|it's|they|their|them|such|both|he|she|his|her|here|there|"
    r"the (?:latter|former|same)|the (?:other|second|first) one)\b",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def drop_connective(sentence: str) -> str:
    """The sentence without a leading connective, first word capitalised; unchanged when there is none,
    or when capitalising would alter a word that is not plain lower case ("mRNAs", "eGFR")."""
    m = _LEADING.match(sentence)
    if not m:
        return sentence
    rest = sentence[m.end() :]
    word = _FIRST_WORD.match(rest)
    if word is None:
        return sentence
    first = word.group()
    if first[0].isupper():
        return rest
    if not re.fullmatch(r"[a-z]+(?:['’-][a-z]+)*", first):
        return sentence
    return rest[0].upper() + rest[1:]


def source_span(shown: str, original: str) -> str:
    """The part of ``original`` that ``shown`` quotes, exactly as written in the passage."""
    if shown == original:
        return original
    return original[len(original) - len(shown) :]


def leans_back(sentence: str) -> bool:
    """Opens with a connective or a word pointing at the sentence before ("This is because ...")."""
    return bool(_LEADING.match(sentence) or points_back(sentence))


def points_back(sentence: str) -> bool:
    """Opens with a word that names something in the sentence before ("This is called ...", "It ...")."""
    return bool(_LEANS_BACK.match(sentence))


def sums_up_before(sentence: str) -> bool:
    """Opens with a demonstrative that stands for what the sentence before said ("This is called
    flushing.", "These can be signs of an infection."), or only names it ("They are known as X."):
    quoted alone, it says nothing a reader can use. A personal pronoun ("It happens because ...",
    "They affect 4 in 10 people.") usually means what the question named, and may stand alone."""
    return bool(_DEMONSTRATIVE.match(sentence) or _ONLY_NAMES.match(sentence) or _CALLS_IT.match(sentence))


_DEMONSTRATIVE = re.compile(r"^\s*(?:this|these|that|those|such|both|the\s+(?:latter|former|same))\b", re.IGNORECASE)
# "Doctors call this chlorosis.", "We call these spots rust.": a name for what came before.
_CALLS_IT = re.compile(
    r"^\s*(?:\w+\s+){1,2}(?:call|calls|called|name|names|named)\s+(?:this|these|that|those|it|them)\b", re.IGNORECASE
)
_ONLY_NAMES = re.compile(
    r"^\s*(?:it|they)\s+(?:is|are)\s+(?:also\s+|often\s+|sometimes\s+)?"
    r"(?:called|known\s+as|termed|referred\s+to\s+as|named)\s[^,;:]*$",
    re.IGNORECASE,
)


def only_names(sentence: str) -> bool:
    """Gives a name to what the sentence before said and nothing else ("This is called anticipatory
    nausea.", "Doctors call this chlorosis.", "They are known as root nodules.")."""
    return bool(_NAMES_BEFORE.match(sentence) or _ONLY_NAMES.match(sentence) or _CALLS_IT.match(sentence))


_NAMES_BEFORE = re.compile(
    r"^\s*(?:this|these|that|those)\s+(?:is|are|was|were)\s+(?:also\s+|often\s+|sometimes\s+)?"
    r"(?:called|known\s+as|termed|referred\s+to\s+as|named)\s[^,;:]*$",
    re.IGNORECASE,
)


def describes_document(sentence: str) -> bool:
    """Says what the document itself is or does ("This handout explains what happens ...", "This
    leaflet is for ...", "Here's what the research says about it."): about the article, never an
    answer about its topic."""
    return bool(_ABOUT_DOCUMENT.match(sentence) or _SIGNPOST.match(sentence))


_ABOUT_DOCUMENT = re.compile(
    rf"^\s*(?:this|the|our)\s+(?:{DOCUMENT_NAMES}|web\s*page|summary|review|information\s+sheet|fact\s*sheet)"
    r"\s+(?:\w+\s+)?(?:explains|describes|covers|is\s+for|"
    r"tells|gives|looks\s+at|sets\s+out|aims|will\s+help|was\s+written)\b",
    re.IGNORECASE,
)


# "Here's what a review says about X.", "Here is how the scheme works.": points to what follows.
_SIGNPOST = re.compile(r"^\s*here(?:'s|’s|\s+is|\s+are)\s+(?:what|how|why|where|when|who)\b[^:;]*$", re.IGNORECASE)


def opens_with_reply(sentence: str) -> bool:
    """Opens by answering yes or no ("Largely no — it is mostly for members ...", "Yes, but only ...",
    "Usually not, because ..."): it
    answers the question written before it, whatever it goes on to say."""
    return bool(_REPLY.match(sentence))


_REPLY = re.compile(
    r"^\s*(?:(?:largely|mostly|generally|usually|probably|certainly|definitely|absolutely)\s+)?"
    r"(?:yes|no|not|not\s+yet|not\s+really|not\s+usually)\s*[,—–:;-]\s*\w",
    re.IGNORECASE,
)


def continues_lead_in(sentence: str) -> bool:
    """A list item that finishes the sentence above the list ("- cannot keep fluids down for 24
    hours;" under "Call the helpline if you:"): it starts in lower case."""
    item = LIST_ITEM.match(sentence)
    return item is not None and re.match(r"[a-z]", sentence[item.end() :]) is not None


def announces(sentence: str) -> bool:
    """Promises what follows: "... as follows:", "Two themes stand out.", "X is different from Y.",
    "X is not the same as Y." (that they differ, not how), "There are downsides too." (that some exist)."""
    return bool(_ANNOUNCES.search(sentence) or _DIFFERS_ONLY.search(sentence) or _ONLY_THERE_ARE.match(sentence))


_ONLY_THERE_ARE = re.compile(
    r"^\s*there\s+(?:are|is)\s+(?:also\s+)?(?:\w+\s+){0,2}\w+(?:\s+too|\s+as\s+well)?\s*\.\s*$", re.IGNORECASE
)
_ANNOUNCES = re.compile(r"[:]\s*$|\b(?:stand\s+out|as\s+follows|the\s+following)\W*$", re.IGNORECASE)
_DIFFERS_ONLY = re.compile(
    r"^[^,;:]*\b(?:(?:is|are)\s+(?:\w+\s+)?different\s+from|(?:is|are)\s+not\s+the\s+same\s+as|differs?\s+from)"
    r"\b[^,;:]*\.$",
    re.IGNORECASE,
)


def quoted(sentence: str, cited: Sequence[str]) -> bool:
    """Word for word from ``cited``, allowing a dropped leading connective and its capital letter."""
    shown = _flat(sentence)
    if not shown:
        return False
    for text in cited:
        flat = _flat(text)
        if shown in flat:
            return True
        at = flat.lower().find(shown.lower())
        while at > 0:
            if flat[at + 1 :].startswith(shown[1:]) and drop_connective(_opening(flat, at) + flat[at:]).startswith(
                shown
            ):
                return True
            at = flat.lower().find(shown.lower(), at + 1)
    return False


def _opening(flat: str, at: int) -> str:
    """The start of the sentence around position ``at``: what a dropped connective would have been."""
    start = max(flat.rfind(end, 0, at) for end in (". ", "? ", "! ", ": "))
    return flat[start + 2 if start >= 0 else 0 : at]


def _flat(text: str) -> str:
    return " ".join(text.split())
