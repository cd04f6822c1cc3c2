"""Words: the corpus vocabulary, spelling correction against it, and question terms it lacks.

Two jobs before and after retrieval:

* ``Lexicon.correct`` fixes misspelt question words ("side efects" → "side effects") towards
  the corpus vocabulary first, then common English (``wordfreq``'s offline list), so lay
  questions with typos still find their passages. Acronyms, numbers, short words and words that
  are already English are left alone.
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
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.question_form import main_verb
from bot.sentence_cues import is_number_word
from bot.text import LETTER_RUN, STOPWORDS, clauses, compounds, lemmas, opens_question, respell_slips, terms

#: A word at least this frequent in English (Zipf scale, wordfreq) is not misspelt.
KNOWN_ZIPF = 2.5
#: Candidate corrections from general English must be at least this common.
SUGGEST_ZIPF = 3.0
# A rare word (below FULLER_BELOW_ZIPF) that is a word this much commoner with letters left out is
# a slip for it ("mornin" 3.1 → "morning" 5.3).
FULLER_BELOW_ZIPF = 4.5
FULLER_BY_ZIPF = 1.5
MAX_REMEMBERED_SLIPS = 10_000
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
        by_length: dict[int, list[str]] = {}
        for word, _ in tally.most_common():
            by_length.setdefault(len(word), []).append(word)
        self._by_length = by_length
        self._long_words = sorted((w for w in self.words if len(w) >= 5), key=len)
        self._long_words_abc = sorted(self._long_words)  # for prefix lookups by bisection
        self._fuller_seen: dict[str, str | None] = {}  # typos come back; the English scan is not free

    # -- spelling ---------------------------------------------------------------------
    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with misspelt words fixed, and the (from, to) pairs changed."""
        text, changes = respell_slips(text)  # "how long dose it take": real words, so before the word check
        text = _VERB_SLOT.sub(lambda m: self._verb_for(m, changes), text)

        def fix(m: re.Match[str]) -> str:
            original = m.group(0)
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
        if sounded is not None and (sounded in self.words or english_zipf(sounded) >= RARE_ZIPF):
            return sounded
        limit = 1 if len(lower) <= 5 else 2
        ranked = []
        for rank, buckets in enumerate((self._by_length, _english_by_length())):
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
        for buckets in (self._by_length, _english_by_length()):
            for length in (len(word) + 1, len(word) + 2):
                for candidate in buckets.get(length, ()):
                    frequency = english_zipf(candidate)
                    if frequency < floor:
                        if buckets is not self._by_length:
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
            for word, distance in _near(lower, self._by_length, 2, per_length=100)
            if distance and word[0] == lower[0] and word in lemmas(word).get("VERB", ()) and _within(sounds, word)
        ]
        if not near:
            return m.group(0)
        meant = max(near, key=lambda word: self.counts[word])
        changes.append((typed, meant))
        return m.group(0)[: m.start("word") - m.start()] + meant + m.group(0)[m.end("word") - m.start() :]

    # -- coverage ---------------------------------------------------------------------
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
        near = _closest(lower, self._by_length, limit) if len(lower) >= 5 else None
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
        words = LETTER_RUN.findall(asked)
        for at, word in enumerate(words):
            lower = word.lower()
            if len(lower) < 3 or lower in out or lower == verb or is_number_word(lower) or self.knows(lower):
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


def question_part(text: str) -> str:
    """The question sentences of a message (ending in "?" or opening like a question), else all of it."""
    sentences = clauses(text)
    asked = [s for s in sentences if s.endswith("?") or opens_question(s)]
    return " ".join(asked) if asked and len(asked) < len(sentences) else text


def names_a_thing(word: str) -> bool:
    """Can this word be a noun (or is it a name no dictionary knows)? Verbs/adjectives/adverbs can't."""
    pos = lemmas(word)
    return not pos or "NOUN" in pos or "PROPN" in pos


def _inflected_word(word: str) -> bool:
    return bool(lemmas(word))


_BEFORE_A_VERB = frozenset(
    _words(
        "to than can could will would should may might must do does did i you we they he she it "
        "don't doesn't didn't won't can't"
    )
)
_PARTICLES = frozenset(_words("up out off down away back over"))


def _used_as_verb(word: str, before: str, after: str) -> bool:
    """A word that can be a verb, used as one here: after "to", a modal or a subject pronoun, or
    before a particle ("finish up", "knocks out")."""
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


def _agent_noun(word: str) -> bool:
    """One who does a verb: "carer" (care), "helpers" (help); dictionaries leave many out."""
    one = word[:-1] if word.endswith("s") else word
    if one.endswith("er") and "VERB" in lemmas(one[:-2]):
        return True
    return one.endswith("er") and one[:-1].endswith("e") and "VERB" in lemmas(one[:-1])


# Where only a verb can stand: after "to" or a modal, before its object ("have to sine a form").
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


def _closest(word: str, by_length: dict[int, list[str]], limit: int) -> tuple[str, int] | None:
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
