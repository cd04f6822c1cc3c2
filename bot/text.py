"""One text toolkit for every stage: words, search terms, question form, sentences, folding.

Articles are split into sentences once, at ingest (``split_sentences``, pysbd); those boundaries
are stored with the index and reused at answer time. What a visitor types is split with the
cheap ``clauses`` (no abbreviations to worry about in a question).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable

# -- words --------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, with inner apostrophes and hyphens
LETTER_RUN = re.compile(r"[^\W\d_]+")  # letters only: "side-effects" is two words
# What follows the first letters of a contraction ("aren" of "aren't", "we" of "we'll"); not "'s":
# "studdy's" is a word with an ending.
CONTRACTED = re.compile(r"['’](?:t|re|ll|ve|d|m)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+(?:[+'][a-z0-9]*)?")  # search tokens: "covid-19" is "covid", "19"


def words(text: str) -> list[str]:
    """Words as written: "don't" and "side-effects" are one word each; digits are not words."""
    return _WORD.findall(text)


def letter_runs(text: str) -> list[str]:
    """Runs of letters: "side-effects" is "side", "effects"."""
    return LETTER_RUN.findall(text)


# -- search terms ---------------------------------------------------------------------------
_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves tell know explain please mean means thing
things get got also much many really
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# "X-Y" written with a short part ("A-B", "AB-C"): one name to a reader, however it is typed.
_SHORT_COMPOUND = re.compile(r"\b([A-Za-z]{1,4})[-‐–]([A-Za-z]{1,3})\b")


@functools.cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer: Snowball stemmers in C

    return Stemmer.Stemmer("english")


# Real words typed for others, told apart by the words around them: "how long dose it take?",
# "how do u no if it is working?" (a spelling list would leave them: both are English words).
_SLIPS = (
    (
        "dose",
        "does",
        re.compile(
            r"(?P<before>^\W*|\b(?:how(?:\s+(?:long|much|often|soon))?|why|when|where|who)\s+)dose"
            r"(?=\s+(?:it|they|he|she|this|that|the|a|an|u|you|my|your)\b)",
            re.IGNORECASE,
        ),
    ),
    ("no", "know", re.compile(r"(?P<before>\b(?:u|you|i|we|they)\s+)no(?=\s+(?:if|whether|what|when|how)\b)", re.I)),
)


# "2" typed for "to" before a verb: "the number 2 ring if ...", "how 2 stop it" (a count would need a
# plural: "2 rings", "2 doses"). The verb must end its phrase or lead into one ("ring if", "stop it").
_TWO_FOR_TO = re.compile(
    r"(?P<before>\b[a-z]+\s+)2\s+(?P<verb>[a-z]+)(?=\s*(?:[?.!,]|$)|\s+(?:if|when|whether|it|them|this|that|"
    r"me|him|her|us|you|a|an|the|my|your|his|their|our|someone|somebody|anyone|about|for|with|up|out|off|back)\b)",
    re.IGNORECASE,
)

# "do/does/did" and its subject's first word, just before "<word> 2 <verb>": the verb is the one "do" needs.
_DO_SUPPORT = re.compile(r"\b(?:do|does|did)\s+(?:the\s+|a\s+|an\s+|my\s+|your\s+|this\s+|that\s+)?$", re.I)


def respell_slips(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with real words typed for others put right, and the (typed, meant) pairs."""
    changes: list[tuple[str, str]] = []
    for typed, meant, slip in _SLIPS:
        text, count = slip.subn(lambda m, meant=meant: m.group("before") + meant, text)
        changes.extend([(typed, meant)] * count)

    def two_for_to(m: re.Match[str]) -> str:
        verb = m.group("verb")
        if verb.lower() not in lemmas(verb.lower()).get("VERB", ()):
            return m.group(0)  # "grade 2 rash": not a verb's base form
        if _DO_SUPPORT.search(m.string, 0, m.start()):
            return m.group(0)  # "what does grade 2 mean": the verb "does" needs; "2" numbers its subject
        changes.append(("2", "to"))
        return f"{m.group('before')}to {verb}"

    return _TWO_FOR_TO.sub(two_for_to, text), changes


def compounds(texts: Iterable[str]) -> dict[str, str]:
    """Short hyphenated names a corpus uses, joined → as written ("abc" → "AB-C"), so "ab c", "AB-C"
    and "abc" are one search term. Derived from the articles; nothing is listed by hand."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _SHORT_COMPOUND.finditer(text):
            if m.group(1).isupper() or m.group(2).isupper():  # an abbreviation, not "e-mail" or "x-ray"
                found.setdefault((m.group(1) + m.group(2)).lower(), m.group(0))
    return found


@functools.lru_cache(maxsize=65_536)  # bounded: words come from visitors
def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """The dictionary's base forms of ``word`` by part of speech ("NOUN", "VERB", "ADJ", "ADV"...),
    from lemminflect; empty for a word no dictionary knows (a name, a code)."""
    from lemminflect import getAllLemmas

    return dict(getAllLemmas(word))


def only_a_verb(word: str) -> bool:
    """Known to the dictionary as a verb and nothing else ("get", "made"; not "people", "dry")."""
    kinds = set(lemmas(word))
    return bool(kinds) and kinds <= {"VERB", "AUX"}


def terms(text: str, joined: Collection[str] = ()) -> list[str]:
    """Lower-cased, stemmed content words; a pair of tokens whose join is in ``joined`` (from
    ``compounds``) is one token, however it was spaced or hyphenated."""
    tokens = _TOKEN.findall(text.lower())
    if joined:
        tokens = _join_pairs(tokens, joined)
    return _stemmer().stemWords([t for t in tokens if t not in STOPWORDS])


def terms_found(wanted: Collection[str], have: Collection[str]) -> set[str]:
    """The ``wanted`` terms that ``have`` uses, a clipped word counting for its full form ("chemo"
    for "chemotherapy", "immuno" for "immunotherapy"): lay questions clip the articles' long words."""
    found = set(wanted) & set(have)
    for term in set(wanted) - found:
        if len(term) >= 4 and any(len(word) >= len(term) + 3 and word.startswith(term) for word in have):
            found.add(term)
    return found


def _join_pairs(tokens: list[str], joined: Collection[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in joined:
            out.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


# -- question form --------------------------------------------------------------------------
QUESTION_WORDS = (
    "what|what's|whats|how|why|when|which|who|where|can|could|does|do|did|is|are|was|were|will|would|should|may"
)
_OPENS_QUESTION = re.compile(rf"^\s*(?:\*\*)?(?:{QUESTION_WORDS}|tell|explain)\b", re.IGNORECASE)


def opens_question(text: str) -> bool:
    """Starts like a question: "what is…", "can it…", "tell me…", "explain…"."""
    return bool(_OPENS_QUESTION.match(text))


def is_question(sentence: str) -> bool:
    """A question, as opposed to a statement that happens to end in one."""
    return sentence.rstrip().endswith("?") and opens_question(sentence)


# -- sentences ------------------------------------------------------------------------------
_CLAUSE = re.compile(r"[^.?!\n]+[.?!]*")
_MARKER_AFTER_STOP = re.compile(r"([.?!])((?:\[\^\d+\])+)")


@functools.cache
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of article prose (pysbd: abbreviations and decimals do not end a sentence);
    ``[^n]`` study markers stay with the sentence they follow."""
    text = _MARKER_AFTER_STOP.sub(r"\2\1", text)
    return [s.strip() for s in _segmenter().segment(text) if s.strip()]


def clauses(text: str) -> list[str]:
    """What a visitor typed, cut at sentence punctuation and line breaks (fast; no pysbd)."""
    return [c for c in (m.strip() for m in _CLAUSE.findall(text)) if c]


def question_part(text: str) -> str:
    """The question sentences of a message (ending in "?" or opening like a question), else all of it."""
    sentences = clauses(text)
    asked = [s for s in sentences if s.endswith("?") or opens_question(s)]
    return " ".join(asked) if asked and len(asked) < len(sentences) else text


#: What an article calls itself ("this leaflet", "the handout"), in a regular expression.
DOCUMENT_NAMES = r"article|leaflet|handout|page|guide|booklet|document"

#: An article's list item: "- text", "* text", "+ text", "1. text", "2) text".
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(?=\S)")


def is_list_item(line: str) -> bool:
    return bool(LIST_ITEM.match(line))


def without_list_marker(text: str) -> str:
    return LIST_ITEM.sub("", text, count=1)


# -- answer bodies -------------------------------------------------------------------------
CITATION_MARK = re.compile(r"\[(\d+)\]")  # "[2]" in an answer body
_CITED = re.compile(r"(?P<text>[^\[\]]+?)\s*(?P<marks>(?:\[\d+\]\s*)+)(?=\S|$)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def cited_sentences(body: str) -> list[tuple[str, list[int]]]:
    """Split an answer body into (sentence, [citation numbers]); text with no marker gets ``[]``."""
    out: list[tuple[str, list[int]]] = []
    pos = 0
    for m in _CITED.finditer(body):
        if body[pos : m.start()].strip():
            out.append((body[pos : m.start()].strip(), []))
        out.append((m.group("text").strip(), [int(n) for n in re.findall(r"\d+", m.group("marks"))]))
        pos = m.end()
    if body[pos:].strip():
        out.append((body[pos:].strip(), []))
    return out


def numbers_in(text: str) -> set[str]:
    return {n.rstrip(".,") for n in _NUMBER.findall(text)}


# -- folding --------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower-case words and digits only: "Bone-marrow" and "bone marrow" match."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(text.split())
