"""Do the articles answer this question? Decided after retrieval, before composing.

Similarity alone cannot tell: "Does <the therapy> work for lupus?" sat as close to the articles
(0.50 passage / 0.54 sentence) as many questions they do answer, while "are there side efects" sits
far (0.24 / 0.29) although they answer it. So four signals are combined:

1. *Named things the corpus never mentions* (``Lexicon.unknown_terms``): a rare word such as a
   disease, drug or product name ("lupus", "Kymriah", "statins") means the articles cannot answer,
   whatever the similarity. An everyday unknown word ("breast", "hair", "pizza") counts unless
   the question matches the articles closely *and* reads like an in-domain question.
2. *Similarity* of the question to the best passage / sentence (``Retrieval.covers``).
3. *Domain words*: a question naming the articles' own terms (their abbreviations and rare words) is in
   scope at a lower similarity, since short acronym questions embed poorly.
4. *Meaning*: the margin of the question's similarity to labelled in-domain questions over
   labelled near-miss questions (other diseases, other treatments, logistics, small talk).

``off_topic`` (nothing to do with health or the therapy) and ``not_covered`` (on the subject, but
the articles don't say) are told apart by the same margin and the similarity to the articles.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.lexicon import Lexicon
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
#: A refused question below this margin and similarity, naming no domain term, is small talk.
OFF_TOPIC_MARGIN = -0.05
OFF_TOPIC_SENTENCE = 0.40


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
) -> Verdict:
    """``margin``: similarity to in-domain minus near-miss exemplars (``Exemplars.margin``);
    ``floors``: (passage, sentence) similarity below both of which nothing is covered (the settings')."""
    sentence = retrieval.best_sentence_similarity
    unknown = lexicon.unknown_terms(question)
    rare = [u.word for u in unknown if u.rare]
    everyday = [u.word for u in unknown if not u.rare]
    domain = lexicon.domain_terms(question)

    def refuse(reason: str) -> Verdict:
        off_topic = margin < OFF_TOPIC_MARGIN and sentence < OFF_TOPIC_SENTENCE and not domain
        return Verdict(False, "off_topic" if off_topic else "not_covered", reason)

    if not retrieval.passages:
        return refuse("no passages")
    if rare:
        return refuse(f"the articles never mention {', '.join(rare)}")
    if everyday:
        if sentence >= EVERYDAY_SENTENCE_FLOOR and margin >= EVERYDAY_MARGIN:
            return Verdict(True, None, f"close in-domain match despite {', '.join(everyday)}")
        return refuse(f"the articles never mention {', '.join(everyday)}")
    if retrieval.covers(floors[0], SENTENCE_FLOOR):
        return Verdict(True, None, "close match")
    if retrieval.covers(*floors) and (domain or margin >= LOW_MARGIN):
        return Verdict(True, None, "domain words" if domain else "in-domain meaning")
    return refuse("nothing close in the articles")
