"""Words: the corpus vocabulary, and the question terms it lacks.

Two jobs before and after retrieval:

* ``Lexicon.correct`` fixes misspelt question words towards the corpus vocabulary first, then
  common English (``bot.spelling``), so lay questions with typos still find their passages.
* ``Lexicon.unknown_terms`` lists the salient words of a question that the corpus never uses
  ("lupus", "vaccines", "breast"): if the articles never name the thing asked about, they cannot
  answer it, however close the rest of the question looks to them. Fuzzy and prefix matches
  count as known ("tumor"/"tumour", "chemo"/"chemotherapy"), and so do everyday words about
  people, places of care and feelings, which a lay question adds around a covered topic.
  Only words that can name a thing count: a word that is only ever a verb, adjective or adverb
  ("neurological", "happens", "painful"; parts of speech from ``lemminflect``'s dictionary) is how
  the question is asked, not what it is about.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.question_form import main_verb
from bot.sentence_cues import is_number_word
from bot.spelling import Speller, closest, english_zipf
from bot.text import CONTRACTED, LETTER_RUN, STOPWORDS, compounds, lemmas, opens_question, question_part, terms

#: Unknown words at least this frequent are everyday words, not a topic ("work", "people").
EVERYDAY_ZIPF = 5.2
#: A word of the articles below this is one of their own terms, not everyday English ("haemoglobin", "supplement").
DOMAIN_ZIPF = 4.5
#: Below this an unknown word is a technical or rare term ("lupus" 3.2, "ibuprofen" 2.9).
RARE_ZIPF = 4.0


def _words(text: str) -> list[str]:
    return text.split()


# Everyday words a lay question wraps around a covered topic: who, where, how it feels, and the
# outcome words people use ("cure", "work"). They never make a question out of scope.
BENIGN = frozenset(
    _words(
        """
    me mine myself us we our ours you your he him his she her hers they them their
    mom mum mother mama dad father papa parent parents son sons daughter daughters child children kid kids
    baby husband wife partner spouse boyfriend girlfriend brother sister sibling siblings grandmother
    grandma granny grandfather grandpa grandparent grandparents grandson granddaughter grandchild grandchildren
    grandkid grandkids stepson stepdaughter stepchild stepchildren aunt uncle cousin niece nephew
    friend friends family relative relatives neighbour neighbor loved ones person someone anyone everyone
    people patient patients man woman men women guy lady teen teenager adult adults elderly old young age aged
    doctor doctors doc nurse nurses oncologist oncologists specialist specialists physician physicians
    hospital hospitals clinic clinics ward centre center appointment appointments visit kiosk team
    scared afraid worried worry worries nervous anxious frightened fear fears hope hoping hopeful confused
    sad upset stressed overwhelmed curious wondering wonder understand understanding confusing
    cure cures cured curing curable work works worked working help helps helped helpful effective
    chance chances odds success successful succeed fail fails failed failure likely safe safer safest
    good better best bad worse worst okay ok fine great real true false right wrong possible different
    sick ill illness unwell healthy health medical medicine medicines treatment treatments treat treated
    therapy therapies option options choice choices procedure process plan decision decide
    hi hello hey thanks thank please sorry yes no maybe sure ok okay question questions answer answers
    explain explanation simple simply basic basically easy plain words terms summary summarise summarize
    mean means meaning tell say said know knows learn read heard hear article articles information info
    kind type types sort way ways thing things stuff lot lots bit part parts place places
    today tomorrow yesterday week weeks month months year years day days time times soon long ago later
    new newer newest old older latest recent recently current currently future past still already
    symptom symptoms sign signs warning warnings effect effects side dangerous danger dangers serious seriously
    risk risks risky harm harmful hurt hurts deadly fatal lethal severe severity mild moderate common commonly
    rare rarely usual usually typical typically normal often frequent frequently happen happens happened
    happening occur occurs expect expected recover recovering recovery heal healing last lasts lasting
    choose chose choosing pick picking decide deciding recommend recommended recommendation suggest advise
    advice eligible eligibility qualify candidate candidates suitable stay staying stays wait waiting
    start starting stop stopping begin quick quickly slow slowly fast faster cost costs price expensive cheap
    body blood pressure feel feeling feelings pain painful comfortable uncomfortable normal ready
    join joining enrol enroll enrolled register sign signing participate participating apply applying
    drop drops rise rises increase increases decrease decreases fall falls change changes affect affects
    improve improves worsen worsens problem problems issue issues trouble troubles concern concerns matter
    """
    )
)

# Lay names for things the articles call otherwise (the articles say "administration",
# "drawbacks", "outpatient"): known, though the words themselves are not in the corpus.
LAY_TERMS = frozenset(
    _words(
        """
    downside downsides upside upsides disadvantage disadvantages pro pros con cons plus minus
    infusion infusions infused drip iv injection injections shot jab session sessions
    hospitalisation hospitalization hospitalised hospitalized admission inpatient overnight
    neurological neurologic nerve nerves brain swelling inflammation temperature temp feverish chills storm
    pill pills tablet tablets capsule capsules
    tummy tummies belly bellies bug bugs
    """
    )
)


@dataclass(frozen=True)
class Unknown:
    word: str
    zipf: float  # English frequency, Zipf scale (0 = not an English word)
    aside: bool = False  # only where the question sets its scene, not what it asks about (``_aside``)
    listed_with: str = ""  # a word of the articles it is listed with ("petrol and parking")

    @property
    def rare(self) -> bool:
        return self.zipf < RARE_ZIPF


class Lexicon:
    """The corpus vocabulary and the word checks built on it."""

    def __init__(
        self,
        texts: Iterable[str] = (),
        counts: Mapping[str, int] | None = None,
        joined: Mapping[str, str] | None = None,
    ) -> None:
        # ``counts`` and ``joined``: stored with the index (``CorpusProfile``), not re-read from texts.
        texts = list(texts)
        tally: Counter[str] = Counter(counts or {})
        for text in texts:
            tally.update(w.lower() for w in LETTER_RUN.findall(text))
        self.counts = tally
        self.words = frozenset(tally)
        # The corpus's short hyphenated names typed as one word ("abc" for "AB-C") are known names.
        self.compounds = dict(joined) if joined is not None else compounds(texts)
        self.stems = frozenset(terms(" ".join(self.words)))
        # Base forms too: the corpus's "heavier" makes a question's "heavy" known (stems differ).
        self.base_forms = frozenset(base for w in self.words for forms in lemmas(w).values() for base in forms)
        self.speller = Speller(tally, self.compounds)
        self._long_words = sorted((w for w in self.words if len(w) >= 5), key=len)
        self._long_words_abc = sorted(self._long_words)  # for prefix lookups by bisection

    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with misspelt words fixed, and the (from, to) pairs changed (``Speller.correct``)."""
        return self.speller.correct(text)

    def suggest(self, word: str) -> str | None:
        """A correction for one word, or None when it looks right (``Speller.suggest``)."""
        return self.speller.suggest(word)

    def knows(self, word: str) -> bool:
        """Does the corpus use this word, a form of it, or a near spelling ("tumor"/"tumour")?"""
        lower = word.lower()
        if lower in self.words or lower in BENIGN or lower in LAY_TERMS or lower in STOPWORDS:
            return True
        if any(base in BENIGN for base in lemmas(lower).get("NOUN", ())):
            return True  # "husbands" (often for "husband's")
        stems = terms(lower)
        if stems and all(s in self.stems for s in stems):
            return True
        if any(base in self.base_forms for forms in lemmas(lower).values() for base in forms):
            return True
        if len(lower) >= 4 and self._begins_a_word(lower):
            return True  # "chemo" → "chemotherapy", "immuno" → "immunotherapy"
        if len(lower) >= 6 and any(len(w) >= 5 and lower.startswith(w) for w in self._long_words):
            return True  # "tumours" → "tumour"
        if len(lower) >= 8 and self._joins_known_words(lower):
            return True  # "radiotherapy" → "radiation therapy"
        limit = 1 if len(lower) < 10 else 2
        near = closest(lower, self.speller.by_length, limit) if len(lower) >= 5 else None
        # A different first letter is allowed for one edit in a longer word ("affects"/"effects").
        return near is not None and (near[0][0] == lower[0] or (near[1] == 1 and len(lower) >= 6))

    def _joins_known_words(self, word: str) -> bool:
        """A word the corpus writes as two: its end is a corpus word and its start begins one, a
        combining vowel aside ("radio-" of "radiation", "immuno-" of "immune")."""
        for cut in range(4, len(word) - 3):
            head, tail = word[:cut], word[cut:]
            if tail not in self.words:
                continue
            stem = head[:-1] if head[-1] in "oi" and len(head) >= 5 else head
            if self._begins_a_word(stem):
                return True
        return False

    def _begins_a_word(self, prefix: str) -> bool:
        """Does a corpus word of 5 letters or more start with ``prefix``?"""
        at = bisect.bisect_left(self._long_words_abc, prefix)
        return at < len(self._long_words_abc) and self._long_words_abc[at].startswith(prefix)

    def unknown_terms(self, question: str) -> list[Unknown]:
        """Salient question words the corpus never uses, rarest first.

        In a message with context around the question ("My aunt was diagnosed... How is this
        treatment different?"), only the question sentences count.
        """
        out: dict[str, Unknown] = {}
        asked = _IDIOMS.sub(" ", question_part(question))
        verb = main_verb(asked)  # "does the drug latch onto": how it is asked, not what
        words = [m.group(0) for m in LETTER_RUN.finditer(asked) if not CONTRACTED.match(asked, m.end())]
        for at, word in enumerate(words):
            lower = word.lower()
            if len(lower) < 3 or lower in out or lower == verb or is_number_word(lower) or lower in _TIMES:
                continue  # "eight", "this winter", "on Monday": how much and when, never what
            if self.knows(lower):
                continue
            before, after = words[at - 1].lower() if at else "", words[at + 1].lower() if at + 1 < len(words) else ""
            if _used_as_verb(lower, before, after) or _says_how_someone_is(lower, before, after):
                continue  # "finish up", "to finish", "feel queasy", "so prone to": how it is asked, not what
            zipf = max([english_zipf(lower), *map(english_zipf, lemmas(lower).get("NOUN", ()))])  # "cycles": "cycle"
            if not names_a_thing(lower) and (zipf >= RARE_ZIPF or not describes_a_thing(lower)):
                continue  # a verb, or an everyday adjective ("happens", "painful"): how it is asked, not what
            if len(lower) == 3 and not word.isupper():
                continue  # "wat", "flu"? a short lower-case word is too weak a signal either way
            if zipf >= EVERYDAY_ZIPF:
                continue
            if zipf >= RARE_ZIPF and self._names_a_kind_of(before):
                continue  # "supplement shakes": an everyday head noun after the articles' own noun
            out[lower] = Unknown(lower, zipf)
        if out:
            aside, listed = _aside(asked), self._listed_with(asked)
            out = {w: Unknown(u.word, u.zipf, w in aside, listed.get(w, "")) for w, u in out.items()}
        return sorted(out.values(), key=lambda u: u.zipf)

    def _listed_with(self, asked: str) -> dict[str, str]:
        """Each word joined by "and"/"or" to a content word of the articles: that word ("petrol" → "parking")."""
        found: dict[str, str] = {}
        for m in _LISTED.finditer(asked):
            one, other = m.group(1).lower(), m.group(2).lower()
            if self._own_word(other):
                found.setdefault(one, other)
            if self._own_word(one):
                found.setdefault(other, one)
        return found

    def _own_word(self, word: str) -> bool:
        """A content word of the articles themselves (not one known only as everyday lay wording)."""
        return word in self.words and word not in STOPWORDS and word not in BENIGN and len(word) > 3

    def _names_a_kind_of(self, word: str) -> bool:
        """Is ``word`` a noun of the articles that an everyday noun after it narrows ("supplement")?"""
        return len(word) > 3 and self._own_term(word) and "NOUN" in lemmas(word)

    def _own_term(self, word: str) -> bool:
        """A word of the articles that everyday English rarely uses ("haemoglobin", "supplement")."""
        return word in self.words and word not in STOPWORDS and english_zipf(word) < DOMAIN_ZIPF

    def domain_terms(self, question: str) -> list[str]:
        """Question words the corpus uses that everyday English does not ("haemoglobin", joined names "AB-C")."""
        found = [t for t in terms(question, self.compounds) if t in self.compounds]
        for word in LETTER_RUN.findall(question):
            lower = word.lower()
            if lower not in BENIGN and self._own_term(lower):
                found.append(lower)
        return found


# Days, months, seasons and times of day: when something happens, never a topic of its own.
_TIMES = frozenset(
    _words(
        "monday tuesday wednesday thursday friday saturday sunday weekend weekends weekday weekdays "
        "january february march april may june july august september october november december "
        "spring summer autumn winter tonight tomorrow yesterday morning mornings afternoon evening evenings "
        "night nights midnight fortnight christmas easter"
    )
)
# Everyday idioms whose nouns name nothing asked about: "round the clock", "get cold feet", "out of pocket".
_IDIOMS = re.compile(
    r"\b(?:a?round|all) the clock\b|\bday and night\b|\b24/7\b|\bcold feet\b|\bout of pocket\b|"
    r"\bunder the weather\b|\bby mistake\b|\bat the end of the day\b|\bin the long run\b|\bon my mind\b|"
    r"\bpeace of mind\b|\bfed up\b|\bkeep an eye on\b",
    re.IGNORECASE,
)


_CLAUSE_BREAK = re.compile(r"\s*[,;:]\s+")
# "on the sofa", "in a hotel room", "at my desk": where something happens.
_PLACE_PHRASE = re.compile(
    r"\b(?:on|in|at|into|onto|near|beside|under)\s+(?:the|a|an|my|your|his|her|our|their|this|that)\s+"
    r"(?P<place>[a-z]+(?:\s+[a-z]+)?)(?=\s*(?:[,.!?;:]|$|\s+(?:all|every|each|for|when|while|and|or|if|to|at|in|on)\b))",
    re.IGNORECASE,
)
_LISTED = re.compile(r"\b([a-z]+)\s+(?:and|or)\s+([a-z]+)\b", re.IGNORECASE)


def _aside(asked: str) -> set[str]:
    """Words that set the question's scene rather than name what it asks about: those of a clause
    before the question ("going on a coach trip next week, how do I ...") and of a place phrase
    ("lying on the sofa")."""
    found: set[str] = set()
    parts = _CLAUSE_BREAK.split(asked)
    opening = next((at for at, part in enumerate(parts) if opens_question(part)), 0)
    for part in parts[:opening]:
        found.update(w.lower() for w in LETTER_RUN.findall(part))
    found -= {w.lower() for part in parts[opening:] for w in LETTER_RUN.findall(part)}
    return found | place_words(asked)


def place_words(asked: str) -> set[str]:
    """The words of the question's place phrases ("on the sofa", "in the cupboard"): where, not what."""
    return {w.lower() for m in _PLACE_PHRASE.finditer(asked) for w in LETTER_RUN.findall(m.group("place"))}


def names_a_thing(word: str) -> bool:
    """Can this word be a noun (or is it a name no dictionary knows)? Verbs/adjectives/adverbs can't."""
    pos = lemmas(word)
    return not pos or "NOUN" in pos or "PROPN" in pos


_BEFORE_A_VERB = frozenset(
    _words(
        "to than can could will would should may might must do does did i you we they he she it "
        "don't doesn't didn't won't can't "
        # the adverbs that stand before a verb: "the chemo they give me can't just reach my brain"
        "just still also only really ever never actually always"
    )
)
_PARTICLES = frozenset(_words("up out off down away back over"))


def _used_as_verb(word: str, before: str, after: str) -> bool:
    """A word that can be a verb, used as one here: after "to", a modal, a subject pronoun or an adverb
    of the verb ("just reach"), or before a particle ("finish up", "knocks out")."""
    return (before in _BEFORE_A_VERB or after in _PARTICLES) and "VERB" in lemmas(word)


def describes_a_thing(word: str) -> bool:
    """An adjective can name what is asked about when it is rare: "pancreatic", "ovarian", "renal".

    Only a base form: "quicker" (quick) or "safest" (safe) compares, it names nothing; and not one
    in -y ("runny", "itchy", "lumpy"), which says what something is like (but "pulmonary" classifies).
    """
    if word.endswith("y") and not word.endswith(("ary", "ory")):
        return False
    return word in lemmas(word).get("ADJ", ())


_LINKING_VERBS = frozenset(
    _words("feel feels felt feeling am is are was were be been get gets got getting look looks seem seems become")
)


# "my stomach is this unsettled": "this"/"that" of degree, before an adjective that ends the clause
_DEGREE_WORDS = frozenset(_words("so too very quite really more less most least rather pretty extremely this that"))
_COMPLEMENT_WORDS = frozenset(_words("to of about with for than that"))


def _says_how_someone_is(word: str, before: str, after: str) -> bool:
    """An adjective after a linking verb or a word of degree, or before its complement ("feel
    queasy", "so prone to", "allergic to") says how someone is; a rare adjective that names a topic
    stands before its noun ("pancreatic cancer") and takes no degree."""
    placed = before in _LINKING_VERBS or before in _DEGREE_WORDS or after in _COMPLEMENT_WORDS
    before_its_noun = after not in _WHEN_WORDS and after not in STOPWORDS and "NOUN" in lemmas(after)
    return placed and not before_its_noun and not names_a_thing(word) and describes_a_thing(word)


# Nouns that say when, not what: "I feel lethargic today" is how someone is, "are varicose veins" names a topic.
_WHEN_WORDS = frozenset(
    _words("today tonight tomorrow yesterday morning mornings evening evenings night nights day days week weeks")
)
