"""What kind of answer a question asks for, read from its form (``bot.sentence_cues`` tells
whether a sentence is that kind).

English grammar only: "how many / what share / when" want a number, "what is X" a definition,
"why" a reason, "is / can / does ..." a yes or no that a sentence settles, "better / vs /
difference" both sides. Nothing here knows the articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.sentence_cues import is_comparative, singles_out
from bot.text import lemmas, only_a_verb, respell_slips

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

# Lay spellings seen in typed questions ("wat is", "whats", "r there") read as the words meant
# (and real words typed for others, "dose it": ``text.respell_slips``).
_LAY = (
    (r"\bwat\b|\bwht\b", "what"),
    (r"\bwhats\b|\bwhat's\b", "what is"),
    (r"^r\b", "are"),
    (r"\bu\b", "you"),
    # "best known for", "best understood": how well a thing is known, not a choice of the best one.
    (r"\bbest[- ](known|understood|remembered|recogni[sz]ed|described|documented|studied)\b", r"well \1"),
)
# "How long / how often / how much ..." and the kind of figure each wants.
_MEASURES = (
    (
        "duration",
        r"how\s+(?:long|soon|quickly|fast)\b|(?:what|which)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:duration|length)\b",
    ),
    # "How early do I put the cap on?" asks for a time: "from about 30 minutes before each session".
    ("time", r"when\b|how\s+(?:early|late)\b|(?:in\s+)?what\s+(?:year|month|date|day|time)\b"),
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
# "What causes <effect>?": the effect asked about (a sentence saying what brings it about answers).
_CAUSE_OF = re.compile(
    r"^what\s+(?:causes|caused|triggers|brings\s+on)\s+(?:the\s+|a\s+|an\s+)?(?P<effect>[^?,]{1,60})", re.I
)
_HEDGES = re.compile(r"\s+(?:actually|exactly|really|precisely|again|then|though)\b", re.IGNORECASE)
_DEFINITION = re.compile(
    r"^(?:what\s+(?:is|are|was|were)\s+(?:an?\s+)?(?P<subject>(?!the\b|this\b|that\b|it\b|they\b|meant\b)[^?]{1,60}?)"
    r"|what\s+does\s+(?:the\s+)?(?P<term>[^?]{1,60}?)\s+(?:mean|stand\s+for)|define\s+(?P<defined>[^?]{1,60}?)"
    r"|(?:what\s+is\s+)?(?:the\s+)?meaning\s+of\s+(?P<meant>[^?]{1,60}?)"
    # "what do doctors mean by X?", "what do they mean when they talk about X?", "what is meant by X?"
    r"|what\s+(?:do|does)\s+(?:\w+\s+){1,2}mean\s+(?:by|when\s+(?:\w+\s+){1,2}?(?:talks?\s+about|says?|mentions?))"
    r"\s+(?P<said>[^?]{1,60}?)|what\s+is\s+meant\s+by\s+(?P<by>[^?]{1,60}?))\s*[?.!]*$",
    re.IGNORECASE,
)
# "What does it mean when the nurse flushes the line?" asks what "flushing" is.
_MEANS_WHEN = re.compile(r"^what\s+does\s+it\s+mean\s+(?:when|if)\s+(?P<clause>[^?]+)", re.IGNORECASE)
_LIGHT_VERBS = frozenset(["be", "get", "have", "do", "go", "make", "take", "feel", "say", "see", "happen"])
_YES_NO = re.compile(
    r"^(?:am|is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might|must|isn't|aren't|"
    r"wasn't|weren't|doesn't|don't|didn't|can't|couldn't|won't|wouldn't|shouldn't|hasn't|haven't)\b",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:better|worse|best|worst|vs\.?|versus|compare[sd]?|comparison|compared|differ(?:s|ent|ence|ences)?|"
    r"than|instead\s+of|rather\s+than|tell\s+(?:\w+\s+){1,4}apart|replace[ds]?|as\s+\w+\s+as|which\s+(?:one\s+)?(?:is|are|lasts?|works?)\s+"
    r"\w+er|which\b[^?]*\b(?:more|less|fewer)\b[^?]*\bor|when\b[^?]*\band\s+when)\b",
    re.IGNORECASE,
)

# "The biggest / main / most important X": one that stands out is asked for.
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
# A modal or "do", perhaps a subject of one word after a determiner, then the verb.
_AFTER_MODAL = re.compile(
    r"\b(?:do|does|did|can|could|may|might|will|would|should|must)\s+"
    r"(?:(?:the|a|an|my|your|his|her|their|our|this|that|these|those)\s+)?(?:[a-z-]+\s+)?([a-z]+)"
)
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

# "What happens in X?", "what actually happens if ...", "wat hapens when ...": a course of events is asked for.
_HAPPENS = re.compile(r"\bwh?at\s+(?:actually\s+|exactly\s+|then\s+)?happ?ens?\b")

# Calling, ringing, reaching someone: what a contact line in a handout answers; a number or a line
# asked for with it ("is there a number I can ring?"), not "what number should it get to?".
_CONTACT = re.compile(
    r"\b(?:call\w*|ring\w*|phon\w*|telephone|contact\w*|helplines?|hotlines?|reach|get hold of|"
    r"talk to|speak to|speak with|talk with|who (?:do|should|can|could) (?:i|we)|hear\w*|heard)\b"
)
_NUMBER_TO_CALL = re.compile(r"\b(?:numbers?|helplines?|hotlines?|lines?)\b")
# What something was like for people: a patient's story answers it.
_EXPERIENCE = re.compile(r"\b(?:experiences?|stor(?:y|ies)|(?:is|was|be) it like|like for)\b")
# "What questions should I ask my team?", "what can we ask the doctor?"
_TO_ASK = re.compile(
    r"\bquestions?\b[^?]{0,30}\b(?:ask|raise|bring|take)\b|\bwhat\s+(?:should|could|can|do|might)\s+(?:i|we)\s+ask\b"
)

# "How can I stop it?", "how do I get more ...", "how can it be prevented?": a way to do it is asked for.
_HOW_TO = re.compile(
    r"\bhow\s+(?:can|could|do|should|might|would)\s+(?:i|we|you)\s+(?!know\b|tell\b)[a-z]+"
    r"|\bhow\s+(?:can|could|should|do|is|are)\s+(?:[a-z-]+\s+){1,4}?be\s+[a-z]+ed\b"
)
# "How do the tablets work?", "how does the drug act on ...": what a thing does, and how, is asked for.
_WORKS = re.compile(
    r"^how\s+(?:do|does|did|can|could|will|would)\s+(?!i\b|we\b|you\b)(?:[\w-]+\s+){1,5}?(?:work|act)\b"
)
# "What job do the glands do?", "what role does X play?", "what does the drug do?", "what is it for?": what a
# thing does is asked for (not "what do I do if ...?", a way to act).
_ROLE = re.compile(
    r"\bwhat\s+(?:job|role|function|purpose)s?\b|^what\s+(?:do|does|did)\s+(?!i\b|we\b|you\b)(?:[\w-]+\s+){1,4}?do\b"
    r"(?!\s+(?:if|when|now|next|about|with)\b)|\bwhat\s+(?:is|are)\s+(?:(?!like\b)[\w-]+\s+){1,8}?for\s*\?*$"
)
# "stop it from happening", "keep it from coming back" say "prevent it" (the articles' word).
_STOP_HAPPENING = re.compile(
    r"\b(?:stop|keep)\s+(?:[a-z-]+\s+){1,4}?(?:from\s+)?(?:happening|coming\s+back|starting)\b"
)

# "What symptoms would ...", "what sort of sensations ...", "what are the (main) downsides of ...": the words
# where the noun asked for may be, and the word after it (a bare "what helps with ...?" asks with a verb).
_WHAT_NOUN = re.compile(
    r"^(?:what|which)\s+(?:(?P<kind>kinds?|sorts?|types?)\s+of\s+|(?P<are>are)\s+(?:the\s+|some\s+)?)?"
    r"(?P<words>[a-z-]+(?:\s+[a-z-]+){0,2})"
)
_CLAUSE_OPENERS = frozenset(
    {"would", "should", "could", "can", "might", "will", "do", "does", "did", "are", "is", "may"}
)


def _asks_for_several(text: str) -> bool:
    """Does the question ask for things in the plural ("what symptoms would ...?", "what are the
    (warning) signs of ...?"), not with a verb ("what helps with ...?")?"""
    m = _WHAT_NOUN.match(text)
    if m is None:
        return False
    if (m.group("kind") or "").endswith("s"):
        return True  # "which kinds of chemo ...?": several kinds, whatever the noun after
    words = [*m.group("words").split(), "", ""]
    # after "what are the" the noun may follow one word that qualifies it ("the warning signs")
    for at in range(2 if m.group("are") else 1):
        word, after = words[at], words[at + 1]
        forms = lemmas(word)
        if not forms:  # not in the dictionary ("downsides"): a plural by its look
            if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
                return True
            continue
        nouns = forms.get("NOUN", ())
        if not nouns or word in nouns or word in _NOT_MAIN_VERBS:
            continue
        if m.group("kind") or m.group("are") or "VERB" not in forms or after in _CLAUSE_OPENERS:
            return True
    return False


# -- sentence signals ---------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionForm:
    kind: str  # one of the constants above
    measure: str = ""  # for a quantity: duration, time, share, amount or count
    subject: str = ""  # a definition's term ("stem cells" of "what are stem cells?"); X of "what causes X?"
    comparison: bool = False  # asks for both sides ("better", "vs", "difference")
    verb: str = ""  # the question's main verb ("hug" of "can I still hug my grandchildren?")
    unit: str = ""  # what a "how many" counts ("day" of "how many days a week ...?")
    superlative: bool = False  # asks for the one that stands out ("the biggest advantage")
    origin: bool = False  # asks where something comes from ("where do the cells come from?")
    course: bool = False  # asks what happens ("what happens in X?", "what happens if ...?"): a course of events
    to_ask: bool = False  # asks what to ask ("what questions should I ask my team?")
    contact: bool = False  # asks whom to call or how to reach them ("is there a number I can ring?")
    number_to_call: bool = False  # asks for a telephone number or line itself
    experience: bool = False  # asks what something is like for people ("what was it like for others?")
    several: bool = False  # asks for things of a kind ("what symptoms ...?", "what are the downsides of X?")
    works: bool = False  # asks how a thing works ("how do the tablets work against the cancer?")
    how_to: bool = False  # asks how to do something ("how can I stop it?", "how can it be prevented?")
    role: bool = False  # asks what a thing does ("what job do the glands do?", "what is it for?")
    situation: tuple[str, ...] = ()  # base forms of what the asker says they did ("forget" of "I forgot to take ...")
    sides: tuple[str, ...] = ()  # the two things a comparison sets side by side ("dry", "moist desquamation")


def plain_question(question: str) -> str:
    """Lower case, single spaces, lay spellings read as meant."""
    text = " ".join(question.lower().replace("’", "'").split()).strip(" \"'")
    for pattern, meant in _LAY:
        text = re.sub(pattern, meant, text)
    return respell_slips(text)[0]


def read_form(question: str) -> QuestionForm:
    """The kind of answer ``question`` asks for."""
    text = plain_question(question)
    form = _read_kind(text)
    unit = _UNIT.match(text + " ?")
    counted = unit.group(1).split() if unit else []
    if any(word in _NOT_MAIN_VERBS for word in counted):
        counted = []  # "how much should I drink on ...": no unit named, the words are the question's
    if counted and only_a_verb(counted[-1]):  # "how many people get the drug": people are counted
        counted = [lemmas(word).get("NOUN", (word,))[0] for word in counted[:-1]]
    contact = bool(_CONTACT.search(text))
    return replace(
        form,
        verb=_prevent_for(main_verb(text), text),
        unit=counted[-1] if counted else "",
        superlative=singles_out(text),
        origin=bool(_SOURCE.search(text)),
        course=bool(_HAPPENS.search(text)),
        to_ask=bool(_TO_ASK.search(text)),
        contact=contact,
        number_to_call=contact and bool(_NUMBER_TO_CALL.search(text)),
        experience=bool(_EXPERIENCE.search(text)),
        how_to=bool(_HOW_TO.search(text)),
        works=bool(_WORKS.search(text)),
        role=bool(_ROLE.search(text)),
        situation=situation_verbs(text),
        several=_asks_for_several(text),
        sides=sides_of(text) if form.comparison else (),
    )


# "the difference between A and B", "how is A different from B", "tell A apart from B", "A compared with B".
_SIDES = (
    re.compile(r"\bdifferences?\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>[^?.]+)"),
    re.compile(r"^(?P<a>.+?)\s+(?:different|differ|differs)\s+(?:from|to|than)\s+(?P<b>[^?.]+)"),
    re.compile(r"\btell\s+(?P<a>.+?)\s+apart\s+from\s+(?P<b>[^?.]+)"),
    re.compile(r"^(?P<a>.+?)\s+(?:compared\s+(?:with|to)|versus|vs\.?|rather\s+than)\s+(?P<b>[^?.]+)"),
    # "Is the advice different for men and women?", "Does the dose vary between adults and children?"
    re.compile(r"\b(?:different|differ|differs|vary|varies)\s+(?:for|between|in)\s+(?P<a>.+?)\s+and\s+(?P<b>[^?.]+)"),
    # "When do I phone the line and when do I call 999?"
    re.compile(r"\bwhen\s+(?P<a>.+?)\s+and\s+when\s+(?P<b>[^?.]+)"),
)
_ASKING = re.compile(r"^(?:(?:how|what|why|in what way)\s+)?(?:is|are|does|do|was|were|can|could)?\s*(?:i\s+)?")


def sides_of(text: str) -> tuple[str, ...]:
    """The two sides a comparison names, each as written, or () when it names no two."""
    for pattern in _SIDES:
        m = pattern.search(text)
        if m:
            return (_ASKING.sub("", m.group("a"), count=1).strip(), m.group("b").strip())
    return ()


# "I forgot ...", "I've missed ...", "if we skip ...": the asker's own situation, by its verb; stated, not
# asked about ("can I eat ...?", "should I use ...?" ask what to do).
_SAYS_I_DID = re.compile(
    r"(?:^|[,.;:!?]\s*|\b(?:if|when|and|but|because|since|now|so)\s+)(?:i|we)(?:'ve|'d|\s+have|\s+had)?\s+"
    r"(?:(?:just|already|accidentally|completely)\s+)?([a-z]+)"
)


def _prevent_for(verb: str, text: str) -> str:
    """ "stop"/"keep" of "stop it from happening" is the articles' "prevent"; any other verb as it is."""
    return "prevent" if verb in ("stop", "keep") and _STOP_HAPPENING.search(text) else verb


def situation_verbs(question: str) -> tuple[str, ...]:
    """Base forms of the verbs the asker uses of themselves ("forget" of "I forgot to take my tablet"),
    light verbs aside ("I have", "I get", "I feel" say too little to match a sentence by)."""
    found: list[str] = []
    for word in _SAYS_I_DID.findall(question.lower()):
        for base in lemmas(word).get("VERB", ()):
            if base not in _LIGHT_VERBS and base not in _NOT_MAIN_VERBS and base not in found:
                found.append(base)
    return tuple(found)


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


# Where a question may start after words that set its scene ("In the melanoma study, what share ...",
# "I had chemo on Monday. How long ...").
_CLAUSE_START = re.compile(r"[,;:.!?]\s+(?=\S)")
_SETTING = re.compile(r"^(?:when|whenever|if|once|after|before|while|until)\b[^,?]*,\s+(?=\S)")


# A hedge or a preposition before the question word: "roughly how many", "for how long", "at what age".
_HEDGE = re.compile(
    r"^(?:(?:so|and|but|ok|okay),?\s+)+|^(?:roughly|about|approximately|around|for|at|in|by|after|up\s+to)\s+"
    r"(?=(?:how|what|which)\b)"
)


def _read_kind(text: str) -> QuestionForm:
    """The form of the first clause that has one, so an opening phrase does not hide it; an opening
    "when/if ..." clause is only the setting when a question follows it ("When it works, how long ...")."""
    text = _HEDGE.sub("", text)  # "and is it ...", "roughly how many ...", "for how long ..."
    setting = _SETTING.match(text)
    form = _read_clause(text[setting.end() :]) if setting else _read_clause(text)
    if setting and form.kind == OTHER:
        form = _read_clause(text)
    for start in _CLAUSE_START.finditer(text):
        if form.kind != OTHER:
            break
        form = _read_clause(text[start.end() :])
    return replace(form, comparison=form.comparison or _compares(text))


def _compares(text: str) -> bool:
    """Asks for both sides: "better", "vs", "difference", or a comparative before a choice of two
    ("which can be started sooner, A or B?", "is it harder on X as A or as B?")."""
    if _COMPARISON.search(text):
        return True
    choice = _OR.search(text)
    return choice is not None and any(is_comparative(word) for word in re.findall(r"[a-z]+", text[: choice.start()]))


_OR = re.compile(r"\bor\b")


def _read_clause(text: str) -> QuestionForm:
    comparison = _compares(text)
    if _REASON.match(text):
        cause_of = _CAUSE_OF.match(text)
        return QuestionForm(REASON, subject=cause_of.group("effect").strip() if cause_of else "", comparison=comparison)
    for measure, pattern in _MEASURES:
        if re.match(pattern, text):
            return QuestionForm(QUANTITY, measure=measure, comparison=comparison)
    m = _DEFINITION.match(text)
    if m and not comparison:
        subject = next(g for g in m.group("subject", "term", "defined", "meant", "said", "by") if g)
        subject = _HEDGES.sub("", subject)  # "what is X exactly?", "what does X actually mean?": X
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
