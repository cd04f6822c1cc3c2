"""What kind of answer a question asks for, read from its form, and whether a sentence is that kind.

English grammar only: "how many / what share / when" want a number, "what is X" a definition,
"why" a reason, "is / can / does ..." a yes or no that a sentence settles, "better / vs /
difference" both sides. Nothing here knows the articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.text import lemmas

QUANTITY, DEFINITION, REASON, YES_NO, PERSON, PLACE, CHOICE, OTHER = (
    "quantity",
    "definition",
    "reason",
    "yes_no",
    "person",
    "place",
    "choice",
    "other",
)

# Lay spellings seen in typed questions ("wat is", "whats", "r there", "dose it") read as the words meant.
_LAY = (
    (r"\bwat\b|\bwht\b", "what"),
    (r"\bwhats\b|\bwhat's\b", "what is"),
    (r"^r\b", "are"),
    (r"\bu\b", "you"),
    (r"\bdose\b(?=\s+(?:it|they|the|a|an|this|that)\b)", "does"),
)
# "How long / how often / how much ..." and the kind of figure each wants.
_MEASURES = (
    (
        "duration",
        r"how\s+(?:long|soon|quickly|fast)\b|(?:what|which)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:duration|length)\b",
    ),
    ("time", r"when\b|(?:in\s+)?what\s+(?:year|month|date|day|time)\b"),
    (
        "share",
        r"how\s+(?:often|common|frequent(?:ly)?|likely|rare|usual)\b|(?:what|which)\s+(?:is\s+|was\s+|are\s+)?"
        r"(?:the\s+)?(?:share|percentage|percent|proportion|fraction|rate|odds|chance|risk|frequency)\b",
    ),
    ("amount", r"how\s+much\b|(?:what|which)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:cost|price|amount|dose|size)\b"),
    (
        "count",
        r"how\s+(?:many|big|large|high|low|old|far)\b|(?:what|which)\s+(?:is\s+|was\s+)?(?:the\s+)?number\b"
        r"|(?:are|is)\s+there\s+(?:many|lots|a\s+lot|plenty|a\s+number)\b",
    ),
)
_REASON = re.compile(r"^(?:why\b|how\s+come\b|what\s+(?:causes|caused|makes|made|is\s+the\s+reason)\b)", re.I)
_DEFINITION = re.compile(
    r"^(?:what\s+(?:is|are|was|were)\s+(?:an?\s+)?(?P<subject>(?!the\b|this\b|that\b|it\b|they\b)[^?]{1,60}?)"
    r"|what\s+does\s+(?:the\s+)?(?P<term>[^?]{1,60}?)\s+(?:mean|stand\s+for)|define\s+(?P<defined>[^?]{1,60}?)"
    r"|(?:the\s+)?meaning\s+of\s+(?P<meant>[^?]{1,60}?))\s*[?.!]*$",
    re.IGNORECASE,
)
# "What does it mean when the nurse flushes the line?" asks what "flushing" is.
_MEANS_WHEN = re.compile(r"^what\s+does\s+it\s+mean\s+(?:when|if)\s+(?P<clause>[^?]+)", re.IGNORECASE)
_LIGHT_VERBS = frozenset(["be", "get", "have", "do", "go", "make", "take", "feel", "say", "see", "happen"])
_YES_NO = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might|must|isn't|aren't|"
    r"doesn't|don't|can't|won't)\b",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:better|worse|best|worst|vs\.?|versus|compare[sd]?|comparison|compared|differ(?:s|ent|ence|ences)?|"
    r"than|instead\s+of|rather\s+than|replace[ds]?|as\s+\w+\s+as|which\s+(?:one\s+)?(?:is|are|lasts?|works?)\s+"
    r"\w+er)\b",
    re.IGNORECASE,
)

# "The biggest / main / most important X": one that stands out is asked for.
_SUPERLATIVE = re.compile(
    r"\b(?:biggest|greatest|largest|highest|lowest|strongest|best|worst|main|most|key|primary|major|chief|"
    r"principal|foremost|leading)\b",
    re.IGNORECASE,
)
# Words of a question's opening that are not its main verb.
_NOT_MAIN_VERBS = frozenset(
    {
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "am",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "can",
        "could",
        "may",
        "might",
        "will",
        "would",
        "should",
        "shall",
        "must",
        "have",
        "has",
        "had",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it",
        "me",
        "us",
        "him",
        "her",
        "them",
        "my",
        "our",
        "your",
        "his",
        "their",
        "its",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "there",
        "still",
        "also",
        "just",
        "really",
        "usually",
        "ever",
        "often",
        "much",
        "many",
        "long",
        "soon",
        "not",
        "no",
    }
)
# A modal or "do", perhaps one word of subject, then the verb.
_AFTER_MODAL = re.compile(r"\b(?:do|does|did|can|could|may|might|will|would|should|must)\s+(?:[a-z-]+\s+)?([a-z]+)")
# An auxiliary and a pronoun subject: the next word (adverbs aside) is the main verb ("can I still hug").
_AFTER_SUBJECT = re.compile(
    r"\b(?:is|are|was|were|do|does|did|can|could|may|might|will|would|should|shall|must)\s+"
    r"(?:i|we|you|he|she|they|it)\s+(?:(?:still|also|just|really|usually|ever|even|not|never)\s+)*([a-z]+)"
)
# "How many days ...", "how much water ...": the noun phrase counted, up to a small word or verb.
_UNIT = re.compile(
    r"^how\s+(?:many|much)\s+((?:[a-z][a-z-]*\s+)*?[a-z][a-z-]*?)s?\s+(?=a|an|the|is|are|was|were|do|does|"
    r"did|can|could|should|will|would|have|has|in|of|per|for|to|on|at)\b"
)

# "Where do X come from?", "what are X made from?", "the source of X": an origin is asked for.
_SOURCE = re.compile(
    r"\b(?:come|comes|came|coming|made|derived|taken|obtained|sourced|get|got|collected)\b[^?]*\bfrom\b|"
    r"^where\b[^?]*\b(?:come|comes|came|made|get|got|obtained|sourced|found)\b|\bsources?\s+of\b",
    re.IGNORECASE,
)

# -- sentence signals ---------------------------------------------------------------------
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|billions?|dozens?|half|third|quarter|once|twice"
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*\s*%?")
_TIME_UNITS = r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?"
_SIGNS = {
    "duration": re.compile(rf"\b(?:{_TIME_UNITS})\b", re.IGNORECASE),
    "time": re.compile(
        rf"\b(?:{_TIME_UNITS}|ago|since|january|february|march|april|may|june|july|august|september|october|"
        r"november|december)\b",
        re.IGNORECASE,
    ),
    "share": re.compile(
        rf"%|\bper\s?cent\b|\b(?:{_NUMBER_WORDS}|most|majority|minority|rate|incidence|proportion|daily|weekly|"
        r"monthly|yearly|hourly|nightly|every\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|hours?|mornings?|"
        r"nights?|evenings?|meals?))\b",
        re.IGNORECASE,
    ),
    "amount": re.compile(rf"[$£€¥]|\b(?:{_NUMBER_WORDS}|dollars?|euros?|pounds?)\b", re.IGNORECASE),
    "count": re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
}
_REASON_IN_TEXT = re.compile(
    r"\b(?:because|due\s+to|so\s+that|since|owing\s+to|as\s+a\s+result|results?\s+(?:in|from)|leads?\s+to|"
    r"caused\s+by|causes?|led\s+to|leading\s+to|resulted\s+in|therefore|thus|which\s+is\s+why|that\s+is\s+why|this\s+is\s+why|the\s+reason|"
    r"in\s+order\s+to|thanks\s+to|stems?\s+from|driven\s+by)\b|,\s+so\s+(?!that\b|far\b|much\b|many\b)",
    re.IGNORECASE,
)
_CONTRAST_IN_TEXT = re.compile(
    r"\b(?:however|but|although|though|yet|still|not|no|never|nor|few|limited|only|unknown|unclear|uncertain|"
    r"remains?|may|might|caution|cautious|risks?|drawbacks?|challenges?|early)\b|n't\b",
    re.IGNORECASE,
)
_COMPARATIVE_IN_TEXT = re.compile(
    r"\b(?:\w+er\s+than|more|less|fewer|lower|higher|better|worse|greater|smaller|compared|whereas|unlike|"
    r"instead\s+of|by\s+contrast|in\s+contrast|rather\s+than|versus|vs\.?|similar|both)\b",
    re.IGNORECASE,
)
_ORIGIN_IN_TEXT = re.compile(
    r"\b(?:from|derived|sourced|obtained|collected|harvested|donated|extracted|grown)\b", re.IGNORECASE
)
_DEFINING_VERB = r"(?:is|are|was|were|means?|refers?\s+to|describes?|stands?\s+for|is\s+defined\s+as)"


@dataclass(frozen=True)
class QuestionForm:
    kind: str  # one of the constants above
    measure: str = ""  # for a quantity: duration, time, share, amount or count
    subject: str = ""  # for a definition: the term asked about ("NK cells" of "what are NK cells?")
    comparison: bool = False  # asks for both sides ("better", "vs", "difference")
    verb: str = ""  # the question's main verb ("hug" of "can I still hug my grandchildren?")
    unit: str = ""  # what a "how many" counts ("day" of "how many days a week ...?")
    superlative: bool = False  # asks for the one that stands out ("the biggest advantage")
    origin: bool = False  # asks where something comes from ("where do the cells come from?")


def plain_question(question: str) -> str:
    """Lower case, single spaces, lay spellings read as meant."""
    text = " ".join(question.lower().replace("’", "'").split()).strip(" \"'")
    for pattern, meant in _LAY:
        text = re.sub(pattern, meant, text)
    return text


def read_form(question: str) -> QuestionForm:
    """The kind of answer ``question`` asks for."""
    text = plain_question(question)
    form = _read_kind(text)
    unit = _UNIT.match(text + " ?")
    return replace(
        form,
        verb=main_verb(text),
        unit=unit.group(1).split()[-1] if unit else "",
        superlative=bool(_SUPERLATIVE.search(text)),
        origin=bool(_SOURCE.search(text)),
    )


def main_verb(question: str) -> str:
    """The question's main verb as written: the word after an auxiliary and a pronoun ("hug" of "can I
    still hug my grandchildren?"), else the first inflected verb or word known only as a verb past
    the opening ("given" of "how many days is radiation given?", "come" of "where do cells come from?")."""
    text = question.lower()
    after = _AFTER_SUBJECT.search(text)
    if after and after.group(1) not in _NOT_MAIN_VERBS and "VERB" in lemmas(after.group(1)):
        return after.group(1)
    for word in re.findall(r"[a-z]+", text):
        forms = lemmas(word)
        if word in _NOT_MAIN_VERBS or "VERB" not in forms:
            continue
        if word not in forms["VERB"] or set(forms) == {"VERB"}:
            return word
    modal = _AFTER_MODAL.search(text)  # "what foods can hurt", "why does chemo cause"
    return modal.group(1) if modal and "VERB" in lemmas(modal.group(1)) else ""


def _read_kind(text: str) -> QuestionForm:
    comparison = bool(_COMPARISON.search(text))
    if _REASON.match(text):
        return QuestionForm(REASON, comparison=comparison)
    for measure, pattern in _MEASURES:
        if re.match(pattern, text):
            return QuestionForm(QUANTITY, measure=measure, comparison=comparison)
    m = _DEFINITION.match(text)
    if m and not comparison:
        subject = next(g for g in m.group("subject", "term", "defined", "meant") if g)
        if len(subject.split()) <= 6:
            return QuestionForm(DEFINITION, subject=subject.strip(" \"'"))
    action = _action_named(text)
    if action:
        return QuestionForm(DEFINITION, subject=action)
    if _YES_NO.match(text):
        return QuestionForm(YES_NO, comparison=comparison)
    for word, kind in (("who", PERSON), ("whom", PERSON), ("where", PLACE), ("which", CHOICE)):
        if re.match(rf"{word}\b", text):
            return QuestionForm(kind, comparison=comparison)
    return QuestionForm(OTHER, comparison=comparison)


def _action_named(text: str) -> str:
    """ "flushing" of "what does it mean when the nurse flushes the line?"; "" for any other question."""
    from lemminflect import getInflection

    m = _MEANS_WHEN.match(text)
    verb = main_verb(m.group("clause")) if m else ""
    base = lemmas(verb).get("VERB", ("",))[0] if verb else ""
    if not base or base in _LIGHT_VERBS:
        return ""
    return (getInflection(base, "VBG") or ("",))[0]


def figures(sentence: str) -> list[str]:
    """Figures in digits, years left out ("120", "26.9%", "$400,000"; not "2024")."""
    return [f.strip() for f in _FIGURE.findall(_YEAR.sub(" ", sentence))]


def gives_measure(sentence: str, measure: str) -> bool:
    """States the kind of figure a quantity question asks for: a duration needs a time unit, a date
    a year or a time word; a share, an amount or a count any figure or the words for one."""
    if measure == "time" and _YEAR.search(sentence):
        return True
    sign = _SIGNS.get(measure)
    if sign is not None and sign.search(sentence):
        return True
    return measure in ("share", "amount", "count") and bool(figures(sentence))


def has_quantity(sentence: str) -> bool:
    """States any figure, share, amount or duration."""
    return any(gives_measure(sentence, m) for m, _ in _MEASURES)


def gives_reason(sentence: str) -> bool:
    return bool(_REASON_IN_TEXT.search(sentence))


def contrasts(sentence: str) -> bool:
    """Says "but", "not", "few", "still", "may": a limit or caveat."""
    return bool(_CONTRAST_IN_TEXT.search(sentence))


def compares(sentence: str) -> bool:
    return bool(_COMPARATIVE_IN_TEXT.search(sentence))


def echoes_verb(sentence: str, verb: str) -> bool:
    """Uses the question's main verb in any form ("washed" for "wash", "hurts" for "hurt")."""
    if not verb:
        return False
    forms = {verb, *_bases(verb)}
    starts = tuple({form[:3] for form in forms})  # only words that could be a form of it are looked up
    said = (word for word in re.findall(r"[a-z]+", sentence.lower()) if word.startswith(starts))
    return any(word in forms or forms.intersection(_bases(word)) for word in said)


def _bases(word: str) -> tuple[str, ...]:
    return tuple(base for bases in lemmas(word).values() for base in bases)


def counts_unit(sentence: str, unit: str) -> bool:
    """States a number of the unit asked for ("5 days", "two weeks", "8 cups")."""
    if not unit:
        return False
    return bool(re.search(rf"(?:\d|\b(?:{_NUMBER_WORDS}|a|an|one))\W*(?:\w+\W+)?{re.escape(unit)}s?\b", sentence, re.I))


def singles_out(sentence: str) -> bool:
    """Names one thing as standing out: "the greatest advantage", "the main risk", "most"."""
    return bool(_SUPERLATIVE.search(sentence))


def gives_origin(sentence: str) -> bool:
    """Says where something comes from: "from donors", "derived from", "collected"."""
    return bool(_ORIGIN_IN_TEXT.search(sentence))


def defines(sentence: str, subject: str) -> bool:
    """Defines ``subject``: "X is/are ...", "X (ABBR)" / "long form (X)", "X stands for", "known as X"."""
    words = re.findall(r"[a-z0-9]+", subject.lower())
    while words and words[0] in ("a", "an", "the"):
        words = words[1:]
    if not words:
        return False
    text = sentence.lower()
    name = _name_pattern(words)
    patterns = (
        rf"^(?:\w+\s+){{0,3}}[\"'“]?{name}[\"'”]?\s*(?:\([^)]*\)\s*)?,?\s*{_DEFINING_VERB}\b",
        rf"\b{name}\s*\([^)]{{2,60}}\)|\([^)]*\b{name}\)",
        rf"\b(?:known\s+as|called|termed|so-called)\s+[\"'“]?(?:an?\s+|the\s+)?{name}\b",
        rf"\b{name}[\"'”]?\s*(?:—|–|:|,)\s*(?:an?|the)\s+\w+",
    )
    if any(re.search(p, text) for p in patterns):
        return True
    # "What does grade 4 mucositis mean?" answered by "Grade 4 means ...": the term without the
    # noun it qualifies, said at the start of a sentence that defines it.
    return len(words) >= 3 and bool(re.match(rf"{_name_pattern(words[:-1])}\s+{_DEFINING_VERB}\b", text))


def _name_pattern(words: list[str]) -> str:
    """The words in order, allowing plural -s and hyphens or spaces between them."""
    return r"[\s-]*".join(rf"{re.escape(w.rstrip('s'))}s?" for w in words)
