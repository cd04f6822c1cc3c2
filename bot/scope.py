"""Do the articles answer this question? Decided after retrieval, before composing.

Similarity alone cannot tell: "Does <the therapy> work for lupus?" sat as close to the articles
(0.50 passage / 0.54 sentence) as many questions they do answer, while "are there side efects" sits
far (0.24 / 0.29) although they answer it. So four signals are combined:

1. *Named things the corpus never mentions* (``Lexicon.unknown_terms``): a rare word that names a
   health topic (``bot.health_words``), a disease, drug or product name ("lupus", "Xyloprene",
   "statins"), means the articles cannot answer, whatever the similarity. An everyday unknown word
   ("breast", "hair", "pizza"), or a rare one that names no health topic ("sensations", "sofa"),
   counts unless the question matches the articles closely *and* reads like an in-domain question;
   less closely when the word is beside the point: it sets the scene ("lying on the sofa"), is
   listed with an everyday word of the articles, or is what an everyday rule is asked about.
2. *Similarity* of the question to the best passage / sentence (``Retrieval.covers``).
3. *Domain words*: a question naming the articles' own terms (their abbreviations and rare words) is in
   scope at a lower similarity, since short acronym questions embed poorly.
4. *Meaning*: the margin of the question's similarity to in-domain examples over near-miss
   questions (other diseases, other treatments, logistics, small talk). The in-domain examples are
   the topics derived from the articles at ingest (``CorpusProfile.topics``) plus the site's own
   (``site.yaml``); a near miss that the current articles answer closely (a clinic added an article
   on it) is dropped, so adding an article needs no edit of the near misses.

``off_topic`` (nothing to do with health or the therapy) and ``not_covered`` (on the subject, but
the articles don't say) are told apart by the same margin and the similarity to the articles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.lexicon import Lexicon, Unknown, place_words
from bot.spelling import english_zipf
from bot.triage import ASKS_PERMISSION, nearest_mean
from bot.types import Retrieval

#: A question matching one sentence this closely is covered outright (the lead's calibration).
SENTENCE_FLOOR = 0.55
#: In-domain minus near-miss similarity needed between the settings' floors and ``SENTENCE_FLOOR``
#: when the question names none of the articles' own terms.
LOW_MARGIN = 0.05
#: A question naming an everyday thing the articles never mention ("hair", "breast", "pizza") is
#: answered only when it matches a sentence this closely and reads clearly in-domain.
EVERYDAY_SENTENCE_FLOOR = 0.60
EVERYDAY_MARGIN = 0.10
#: A health word the articles never use ("womb" for their "uterus") is another topic unless the
#: question matches one sentence this closely and reads clearly in-domain; a name always is.
RARE_SENTENCE_FLOOR = 0.72
#: A refused question below this margin and similarity, naming no domain term, is small talk.
OFF_TOPIC_MARGIN = -0.05
OFF_TOPIC_SENTENCE = 0.40
#: An article word rarer in English than this is a name (a drug, a product: "loperamide" 1.7), not a
#: plain word of the subject ("bowel" 3.6, "injection" 4.0).
NAME_ZIPF = 2.5


@dataclass(frozen=True)
class ScopeExamples:
    """The labelled questions the meaning signal compares a question with, for one index generation."""

    in_domain: np.ndarray  # unit vectors, one row per example
    near_misses: np.ndarray
    answered_near_misses: tuple[str, ...] = ()  # dropped: the current articles answer them

    def margin(self, vector: np.ndarray) -> float:
        """Similarity to the in-domain examples minus similarity to the near misses."""
        return nearest_mean(self.in_domain @ vector) - nearest_mean(self.near_misses @ vector)


def scope_examples(
    in_domain: Sequence[str],
    near_misses: Sequence[str],
    embed: Callable[[list[str]], np.ndarray],
    best_sentence: Callable[[np.ndarray], float],
) -> ScopeExamples:
    """Embed the examples; drop each near miss one of the articles' sentences matches at
    ``SENTENCE_FLOOR`` or closer (``best_sentence``: a vector's highest similarity to a sentence)."""
    vectors = np.asarray(embed([*in_domain, *near_misses]), dtype=np.float32)
    inside, outside = vectors[: len(in_domain)], vectors[len(in_domain) :]
    answered = np.array([best_sentence(v) >= SENTENCE_FLOOR for v in outside], dtype=bool)
    dropped = tuple(text for text, hit in zip(near_misses, answered, strict=True) if hit)
    return ScopeExamples(inside, outside[~answered], dropped)


def _written_as_a_name(question: str, word: str) -> bool:
    """Is ``word`` capitalised somewhere other than at the start of a sentence?"""
    return any(
        m.group(0)[0].isupper() and not re.search(r"(?:^|[.!?]\s*)$", question[: m.start()])
        for m in re.finditer(rf"\b{re.escape(word)}\b", question, re.IGNORECASE)
    )


def _beside_the_point(
    question: str, everyday: Sequence[Unknown], health_topics: Callable[[list[str]], list[str]] | None
) -> set[str]:
    """The everyday words that are not what the question asks about, which need only the usual floor:
    words that set the scene ("lying on the sofa", "going on a coach trip, how do I ..."), an everyday
    thing listed with an everyday word of the articles ("petrol and parking"), and the everyday
    thing a rule is asked about ("am I allowed a glass of wine"). None that names a health topic
    ("in the breast"), nor one listed with a health word ("fever and hair loss")."""
    if health_topics is None or not everyday:
        return set()
    # a rule a handout states for a kind of thing ("drinks", "sport"), not for each one
    permission = bool(ASKS_PERMISSION.search(question))
    partners = sorted({u.listed_with for u in everyday if u.listed_with})
    health = set(health_topics([*sorted({u.word for u in everyday}), *partners]))
    return {
        u.word
        for u in everyday
        if u.word not in health and (u.aside or permission or (u.listed_with and u.listed_with not in health))
    }


def _scene_around_a_name(
    question: str,
    everyday: Sequence[str],
    domain: Sequence[str],
    health_topics: Callable[[list[str]], list[str]] | None,
) -> bool:
    """Does the question name a thing only the articles name (a drug or product name, rarer in English
    than ``NAME_ZIPF``), while its everyday unknown words only say where ("I've got in the cupboard") and
    name no health topic? Then it asks about that thing."""
    if health_topics is None or not any(english_zipf(word) < NAME_ZIPF for word in domain):
        return False
    placed = place_words(question)
    return set(everyday) <= placed and not health_topics(list(everyday))


@dataclass(frozen=True)
class Verdict:
    covered: bool
    triage: str | None  # None when covered; else "not_covered" or "off_topic"
    reason: str


def judge(
    question: str,
    retrieval: Retrieval,
    lexicon: Lexicon,
    margin: float,
    floors: tuple[float, float] = (0.30, 0.35),
    health_topics: Callable[[list[str]], list[str]] | None = None,
) -> Verdict:
    """``margin``: similarity to in-domain minus near-miss exemplars (``Exemplars.margin``);
    ``floors``: (passage, sentence) similarity below both of which nothing is covered (the settings');
    ``health_topics``: which of some words name a health topic (``HealthWords.topics``; without it, all)."""
    sentence = retrieval.best_sentence_similarity
    unknown = lexicon.unknown_terms(question)
    rare = [u.word for u in unknown if u.rare]
    put_otherwise = False
    if health_topics is not None and rare:
        # A name ("Deutschland", "Kymriah") or a health topic is another subject; "sensations" and
        # "sofa" are how the question is put, judged like everyday words.
        topics = set(health_topics(rare))
        named = [word for word in rare if _written_as_a_name(question, word)]
        rare = [word for word in rare if word in topics or word in named]
        # ... unless a health word, never a name, is in a question that matches one sentence very closely
        put_otherwise = not named and sentence >= RARE_SENTENCE_FLOOR and margin >= EVERYDAY_MARGIN
    everyday = [u.word for u in unknown if u.word not in rare]
    domain = lexicon.domain_terms(question)

    def refuse(reason: str) -> Verdict:
        off_topic = margin < OFF_TOPIC_MARGIN and sentence < OFF_TOPIC_SENTENCE and not domain
        return Verdict(False, "off_topic" if off_topic else "not_covered", reason)

    if not retrieval.passages:
        return refuse("no passages")
    if rare and not put_otherwise:
        return refuse(f"the articles never mention {', '.join(rare)}")
    if everyday and _scene_around_a_name(question, everyday, domain, health_topics):
        everyday = []  # "can I take the <drug> I've got in the cupboard?": judged as if on the drug alone
    if everyday:
        floor = EVERYDAY_SENTENCE_FLOOR
        if SENTENCE_FLOOR <= sentence < floor and margin >= EVERYDAY_MARGIN:  # only then can it matter
            beside = _beside_the_point(question, [u for u in unknown if u.word in everyday], health_topics)
            floor = SENTENCE_FLOOR if set(everyday) <= beside else floor
        if sentence >= floor and margin >= EVERYDAY_MARGIN:
            return Verdict(True, None, f"close in-domain match despite {', '.join(everyday)}")
        return refuse(f"the articles never mention {', '.join(everyday)}")
    if retrieval.covers(floors[0], SENTENCE_FLOOR):
        return Verdict(True, None, "close match")
    if retrieval.covers(*floors) and (domain or margin >= LOW_MARGIN):
        return Verdict(True, None, "domain words" if domain else "in-domain meaning")
    return refuse("nothing close in the articles")
