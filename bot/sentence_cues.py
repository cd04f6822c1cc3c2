"""What a candidate sentence states: a figure of the kind asked for, a reason, a caveat, a
comparison, a definition, the question's own verb. The ranker's features and the composer's
needs are built on these; ``bot.question_form`` reads the question they are matched against.

English grammar only; nothing here knows the articles.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.text import lemmas, terms, terms_found

#: "the main", "greatest", "most": one thing singled out (in a question or in a sentence).
SUPERLATIVE = re.compile(
    r"\b(?:biggest|greatest|largest|highest|lowest|strongest|best|worst|main|most|key|primary|major|chief|"
    r"principal|foremost|leading)\b",
    re.IGNORECASE,
)
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
        r"november|december|midday|noon|midnight|o'clock|morning|afternoon|evening|night|bedtime|"
        # "When should I call?" is answered by a condition or an event: "if you have ...", "after each cycle".
        r"if|as\s+soon\s+as|once|until|after|before|whenever)\b|"
        r"\b\d{1,2}(?:[.:]\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)",
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
# ", so it becomes thin" is a consequence; ", so read the label" is advice.
_SO_CLAUSE = (
    r",\s+so\s+(?=(?:it|they|you|we|he|she|this|these|those|the|an?|less|more|fewer|your|their|its|there)\b"
    r"|[a-z]+\s+(?:is|are|was|were|can|cannot|could|may|might|must|will|would|does|do|did|has|have|had)\b)"
)
# Words that say why, and the words a description uses for what a thing does.
_WHY_WORDS = (
    r"because|so\s+that|which\s+is\s+why|that\s+is\s+why|this\s+is\s+why|the\s+reason|"
    r"exists?\s+to|(?:is|are)\s+there\s+to"  # a purpose: "These rules exist to protect ..."
)
_MECHANISM_WORDS = (
    r"due\s+to|since|owing\s+to|as\s+a\s+result|results?\s+(?:in|from)|leads?\s+to|led\s+to|leading\s+to|"
    r"resulted\s+in|(?:is|are|was|were|be|been|mostly|mainly|often|usually|largely|partly)\s+caused\s+by|"
    r"causes?|therefore|thus|in\s+order\s+to|thanks\s+to|stems?\s+from|driven\s+by"
)
_CAUSED_BY = re.compile(
    r"\b(?:(?:comes?|came|results?|resulted|stems?|arises?)\s+from|(?:is|are|was|were)\s+(?:\w+\s+)?"
    r"(?:caused\s+by|due\s+to))\b",
    re.IGNORECASE,
)
_BRINGS_ABOUT = re.compile(
    r"\b(?:causes?|caused|causing|triggers?|triggered|triggering|leads?\s+to|led\s+to|results?\s+in|"
    r"resulted\s+in|brings?\s+on|produces?)\b",
    re.IGNORECASE,
)
BRINGS_ABOUT_WITHIN = 8  # words after the causing verb in which the effect must be named
_EXPLAINS_IN_TEXT = re.compile(rf"\b(?:{_WHY_WORDS})\b|{_SO_CLAUSE}", re.IGNORECASE)
_REASON_IN_TEXT = re.compile(rf"\b(?:{_WHY_WORDS}|{_MECHANISM_WORDS})\b|{_SO_CLAUSE}", re.IGNORECASE)
# A consequence explains a rule too: "it can make sores worse", "a clot that blocks it".
_CONSEQUENCE_IN_TEXT = re.compile(
    r"\b(?:can|could|may|might|will|would)\s+(?:\w+\s+){0,2}?(?:cause|damage|harm|block|hurt|irritate)\b|"
    r"\bmakes?\s+(?:\w+\s+){0,3}?(?:worse|harder|sorer)\b|\b(?:that|which)\s+(?:blocks?|damages?|harms?)\b|"
    r"\botherwise\b|"
    # what a check guards against: "If more tubing is showing, the tip may have moved ..."
    r"^\W*if\b[^,;]{3,80},\s+(?:\w+\s+){1,4}(?:may|might|could)\s+(?:have\s+|not\s+)?\w+",
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
_DEFINING_VERB = (
    r"(?:is|are|was|were|means?|refers?\s+to|describes?|stands?\s+for|is\s+defined\s+as|uses|involves|works\s+by)"
)


def is_number_word(word: str) -> bool:
    """ "eight", "twenty", "half", "twice": a figure in words, never a topic."""
    return bool(_NUMBER_WORD.fullmatch(word))


_NUMBER_WORD = re.compile(
    rf"(?:{_NUMBER_WORDS}|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|sixty|seventy|eighty|"
    r"ninety|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)",
    re.IGNORECASE,
)


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


# The figure itself, not just words about one: "in 72 % of patients" beyond "most people", "for 18.4
# months" beyond "for several months", "165 people" beyond "many people".
_DIGITS_OR_WORDS = rf"(?:\d+(?:[.,]\d+)?(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?|{_NUMBER_WORDS})"
_EXACT = {
    "share": re.compile(
        rf"\d\s*%|\bper\s?cent\b|\b{_DIGITS_OR_WORDS}\s+(?:in|out\s+of)\s+(?:every\s+)?\d+|"
        rf"\b(?:{_NUMBER_WORDS})\s+in\s+(?:{_NUMBER_WORDS})\b|\b(?:half|two\s+thirds|three\s+quarters|a\s+third|a\s+quarter)\b",
        re.IGNORECASE,
    ),
    "duration": re.compile(rf"\b{_DIGITS_OR_WORDS}\s+(?:more\s+|extra\s+)?(?:{_TIME_UNITS})\b", re.IGNORECASE),
    "time": re.compile(
        rf"\b{_DIGITS_OR_WORDS}\s+(?:{_TIME_UNITS})\b|\b\d{{1,2}}(?:[.:]\d\d)?\s*(?:am|pm)\b|\b(?:midday|noon|midnight)\b",
        re.IGNORECASE,
    ),
    "amount": re.compile(r"[$£€¥]\s*\d|\d\s*(?:mg|g|kg|ml|mL|l|litres?|liters?|cups?|glasses|pints?)\b", re.IGNORECASE),
    "count": re.compile(r"\d"),
}


def measure_fit(sentence: str, measure: str) -> float:
    """How well a sentence gives the figure a quantity question asks for: 1 for the figure itself
    (a percentage, a number of weeks, a year), 0.5 for words about one ("most", "every week"), else 0."""
    if not gives_measure(sentence, measure):
        return 0.0
    exact = _EXACT.get(measure)
    if measure == "time" and _YEAR.search(sentence):
        return 1.0
    return 1.0 if exact is not None and exact.search(_YEAR.sub(" ", sentence)) else 0.5


def has_quantity(sentence: str) -> bool:
    """States any figure, share, amount or duration."""
    return any(gives_measure(sentence, m) for m in _SIGNS)  # the kinds a quantity question asks for


def states_cause(sentence: str) -> bool:
    """Names a cause: "because", "due to", ", so", "leads to"."""
    return bool(_REASON_IN_TEXT.search(sentence))


def gives_reason(sentence: str) -> bool:
    """Answers a "why": a cause ("because", "it comes from ..."), or the harm a rule avoids ("can make
    sores worse")."""
    return states_cause(sentence) or names_cause(sentence) or bool(_CONSEQUENCE_IN_TEXT.search(sentence))


def contrasts(sentence: str) -> bool:
    """Says "but", "not", "few", "still", "may": a limit or caveat."""
    return bool(_CONTRAST_IN_TEXT.search(sentence))


def explains(sentence: str) -> bool:
    """Says why in so many words: "because", "so that", ", so it ...", "which is why", or the harm a
    rule avoids; not the mechanism words of a description ("results in", "leads to", "causes")."""
    return bool(_EXPLAINS_IN_TEXT.search(sentence) or _CONSEQUENCE_IN_TEXT.search(sentence))


def names_cause(sentence: str) -> bool:
    """Says what the thing it is about comes from: "It comes from a preservative ...", "is caused by",
    "is due to", "results from" (the cause of the subject, not what the subject causes)."""
    return bool(_CAUSED_BY.search(sentence))


def brings_about(sentence: str, effect: str) -> bool:
    """Says what brings ``effect`` about: a causing verb with the effect's first two words after it
    ("Overwatering can trigger problems such as leaf blight in young plants" for "leaf blight")."""
    head = set(terms(effect)[:2])  # "garlic-like taste" of "the garlic-like taste some people get after ..."
    return bool(head) and any(
        head <= set(terms(" ".join(sentence[m.end() :].split()[:BRINGS_ABOUT_WITHIN])))
        for m in _BRINGS_ABOUT.finditer(sentence)
    )


_NEGATION = re.compile(r"\b(?:not|no|never|cannot|\w+n't)\b", re.IGNORECASE)
_NOT_A_DENIAL_AFTER = ("just", "only")  # "not just in the cold" adds to a claim, it does not deny it
DENIAL_REACH = 8  # words after the negation in which it must name something asked about


def says_no_to(sentence: str, asked: Collection[str]) -> bool:
    """Says no about something the question names: a "not", "no", "never" or "-n't" with one of the
    ``asked`` terms in the words after it ("The sprays do not kill the mould." asked "do the sprays
    kill the mould?"); not "whether or not", "not just", nor a negation about something else ("...
    if it is not treated quickly")."""
    low = sentence.lower()
    for m in _NEGATION.finditer(low):
        before, after = low[: m.start()].split(), low[m.end() :].split()
        if (before and before[-1] == "or") or (after and after[0].strip(",.;:") in _NOT_A_DENIAL_AFTER):
            continue
        if terms_found(asked, terms(" ".join(after[:DENIAL_REACH]))):
            return True
    return False


def gives_means(sentence: str, verb: str) -> bool:
    """Says how to do what ``verb`` names: opens with the purpose ("To help prevent it:", "To sleep
    better, ...") or names the way ("the best way to prevent it", "ways to reduce it")."""
    if not verb:
        return False
    purpose = re.match(r"^\W*to\s+(?:help\s+)?([a-z]+)", sentence, re.IGNORECASE)
    ways = re.finditer(r"\bways?\s+to\s+(?:help\s+)?([a-z]+)", sentence, re.IGNORECASE)
    said = [m.group(1) for m in [purpose, *ways] if m is not None]
    return any(echoes_verb(word, verb) for word in said)


def compares(sentence: str) -> bool:
    return bool(_COMPARATIVE_IN_TEXT.search(sentence))


# Two things set against each other in so many words: "A is more dangerous than B", "A takes weeks,
# whereas B ...", "unlike A", "compared with B"; not "more likely" alone nor "more than half" (a figure).
_SIDE_BY_SIDE = re.compile(
    r"\b(?:(?!other\b|rather\b)[a-z]{3,}er|(?:more|less|fewer)\s+(?:\w+\s+){1,3}?)\s*than\b|\bcompared\s+(?:with|to)\b|\bwhereas\b|"
    r"\bunlike\b|\b(?:in|by)\s+contrast\b|\bnot\s+the\s+same\s+as\b|\bdiffers?\s+from\b|\bdifferent\s+from\b|"
    r"\bdistinguish(?:es|ed)?\s+(?:\w+\s+){1,3}?from\b",
    re.IGNORECASE,
)


def sets_side_by_side(sentence: str) -> bool:
    """Compares two things in so many words ("than", "whereas", "unlike", "compared with")."""
    return bool(_SIDE_BY_SIDE.search(sentence))


def says_which_is_more(sentence: str) -> bool:
    """Compares in so many words, or says one thing is more so ("Tablets are easier to take")."""
    return sets_side_by_side(sentence) or any(is_comparative(w) for w in re.findall(r"[a-z]+", sentence.lower()))


def is_comparative(word: str) -> bool:
    """An adjective or adverb in -er that compares ("sooner", "safer"; not "number", "never", "cancer")."""
    forms = lemmas(word)
    bases = forms.get("ADJ", ()) + forms.get("ADV", ())
    return word.endswith("er") and "NOUN" not in forms and any(base != word for base in bases)


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
    """States a number of the unit asked for ("5 days", "two weeks", "8 cups"), or an amount of the
    thing asked for ("2 litres of fluid" for "how much fluid")."""
    if not unit:
        return False
    named = rf"{re.escape(unit)}s?\b"
    return bool(
        re.search(rf"(?:\d|\b(?:{_NUMBER_WORDS}|a|an|one))\W*(?:\w+\W+)?{named}", sentence, re.I)
        or re.search(rf"(?:\d|\b(?:{_NUMBER_WORDS}))\W*(?:\w+\W+){{1,2}}?of\W+{named}", sentence, re.I)
    )


def singles_out(text: str) -> bool:
    """Names one thing as standing out: "the greatest advantage", "the main risk", "most", or any
    adjective in -est ("hardest", "earliest", "commonest"; not "honest", "test")."""
    return bool(SUPERLATIVE.search(text)) or any(_superlative_adjective(w) for w in _EST_WORD.findall(text))


_EST_WORD = re.compile(r"\b[a-z]{3,}est\b", re.IGNORECASE)


def _superlative_adjective(word: str) -> bool:
    return any(base != word.lower() for base in lemmas(word.lower()).get("ADJ", ()))


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
    setting = next((i for i, w in enumerate(words) if i and w in _SETTING_WORDS), None)
    if setting is not None:  # "a placebo in a cancer trial": the term is "placebo", the rest its setting
        words = words[:setting]
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


_SETTING_WORDS = frozenset({"in", "during", "after", "for", "when", "with", "on", "at"})


def _name_pattern(words: list[str]) -> str:
    """The words in order, allowing plural -s and hyphens or spaces between them."""
    return r"[\s-]*".join(rf"{re.escape(w.rstrip('s'))}s?" for w in words)


# "If you forget a dose, ...", "- if you have missed ...": advice for a situation, named by its verb.
_IF_YOU = re.compile(
    r"^\W*(?:but\s+|and\s+)?if\s+you(?:'ve|'re|\s+have|\s+had|\s+are)?\s+"
    r"(?:(?:\w+ly|ever|still|do\s+not|don't)\s+)?([a-z]+)",
    re.IGNORECASE,
)


def meets_situation(sentence: str, verbs: Collection[str]) -> bool:
    """Opens with "If you <verb>" for one of ``verbs`` (base forms): it says what to do in the
    situation the asker describes ("If you forget a dose, ..." for "I forgot to take my tablet")."""
    m = _IF_YOU.match(sentence)
    return m is not None and bool(set(lemmas(m.group(1).lower()).get("VERB", ())) & set(verbs))


# A telephone number: groups of digits joined by spaces or hyphens ("905-555-0178", "13 11 20",
# "0800 123 4567"), at least six digits in all; not a time ("8:00") or a decimal.
_PHONE = re.compile(r"(?<![\d.,:/])(?:\+?\d{1,3}[ -])?(?:\(\d{2,5}\) ?)?\d{2,5}(?:[ -]\d{2,4}){1,3}(?![\d,:/]|\.\d)")


def gives_phone_number(sentence: str) -> bool:
    """Does the sentence give a telephone number (a contact line: "call the clinic at 905-555-0178")?"""
    return any(sum(ch.isdigit() for ch in m.group(0)) >= 6 for m in _PHONE.finditer(sentence))


# A patient's own words quoted in the article: "Freezing my eggs took 13 days ..." - Keisha, 29.
_OWN_STORY = re.compile(r"""^\s*["“][^"”]*\b(?:I|I'm|I've|I'd|my|me)\b""")


def tells_own_story(sentence: str) -> bool:
    """Is the sentence someone's story in their own words (a quotation in the first person)?"""
    return bool(_OWN_STORY.match(sentence))
