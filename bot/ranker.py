"""A small learned ranker: how well a sentence answers a question, from generic features.

The weights are data (``bot/ranker.json``), fitted by ``evals/fit_ranker.py`` on the dev
questions only (listwise logistic regression over standardised features). Scoring is a dot product:
nothing here needs scikit-learn or knows the articles.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot import question_form as qf
from bot import sentence_cues as cues
from bot.quotes import announces, leans_back
from bot.text import terms, terms_found

WEIGHTS_FILE = Path(__file__).with_name("ranker.json")

FEATURES = (
    "cosine",  # sentence to question (MiniLM)
    "cosine_gap",  # behind the best sentence's cosine (0 for the best)
    "context_cosine",  # read with the sentence before it ("It comes from a preservative ..." gains its subject)
    "passage_cosine",  # its passage to the question
    "passage_first",  # from the top-ranked passage
    "overlap",  # share of the question's content words in the sentence
    "idf_overlap",  # the same, each word weighted by its rarity in the index
    "asked",  # how well the article's own question just before it (FAQ) matches: cosine above 0.5, doubled
    "number_fit",  # a quantity question, and it states the kind of figure asked for
    "number_miss",  # a quantity question, and it states none
    "reason_fit",  # a "why" question, and it gives a reason ("because", "due to", "led to")
    "defines",  # defines the term a "what is X?" asks about
    "compare_fit",  # a comparison, and it compares ("lower", "than", "whereas")
    "contrast_fit",  # a yes/no or comparison, and it states a limit ("not", "but", "few")
    "superlative_fit",  # asks for the one that stands out, and it singles one out ("the main", "greatest")
    "origin_fit",  # asks where something comes from, and it says ("from", "derived", "collected")
    "verb_echo",  # uses the question's main verb ("can I hug ...?" → "it is safe to hug")
    "unit_fit",  # a "how many X" question, and it gives a number of X
    "leans_back",  # opens with "This", "It", "However"... and no FAQ question before it
    "announces",  # promises what follows ("Two themes stand out.", "...as follows:")
    "long",  # words beyond 25, in units of 25
    "short",  # fewer than 8 words
    "word_length",  # mean letters per word (plainness)
    "position",  # index of the sentence in its passage, capped
    "centrality",  # closeness to the other candidates' centroid: a summary sentence that answers nothing in particular
)


@dataclass(frozen=True)
class Signals:
    """What is known about one candidate sentence before featurising it."""

    text: str  # as it would be quoted (connective dropped)
    original: str  # as written in the passage
    cosine: float
    passage_cosine: float
    passage_rank: int
    position: int
    asked: float
    context_cosine: float  # the question's cosine to this sentence and the one before it (``in_context``)
    centrality: float = 0.0  # set once every candidate is known (``centrality``)
    after_said: bool = False  # the sentence before it was given in an earlier reply: its "It" is understood


def featurize(
    form: qf.QuestionForm,
    query_terms: Sequence[str],
    idf: Mapping[str, float],
    signals: Sequence[Signals],
    joined: Collection[str] = (),
):
    """One row of ``FEATURES`` per candidate (``np.ndarray``, shape (n, len(FEATURES)))."""
    best = max((s.cosine for s in signals), default=0.0)
    joined = frozenset(joined)
    wanted = set(query_terms)
    weight = sum(idf.get(t, 1.0) for t in wanted) or 1.0
    rows = []
    for s in signals:
        words = s.text.split()
        found = terms_found(wanted, _terms_of(s.text, joined))
        quantity = form.kind == qf.QUANTITY and cues.gives_measure(s.text, form.measure)
        settles = form.kind == qf.YES_NO or form.comparison
        rows.append(
            [
                s.cosine,
                best - s.cosine,
                s.context_cosine,
                s.passage_cosine,
                float(s.passage_rank == 0),
                len(found) / max(len(wanted), 1),
                sum(idf.get(t, 1.0) for t in found) / weight,
                asked_match(s.asked),
                float(quantity),
                float(form.kind == qf.QUANTITY and not quantity),
                float(form.kind == qf.REASON and cues.states_cause(s.text)),
                float(form.kind == qf.DEFINITION and cues.defines(s.text, form.subject)),
                float(form.comparison and cues.compares(s.text)),
                float(settles and cues.contrasts(s.text)),
                float(form.superlative and cues.singles_out(s.text)),
                float(form.origin and cues.gives_origin(s.text)),
                float(cues.echoes_verb(s.text, form.verb)),
                float(cues.counts_unit(s.text, form.unit)),
                float(leans_back(s.original) and not asked_match(s.asked) and not s.after_said),
                float(announces(s.text)),
                max(len(words) - 25, 0) / 25,
                float(len(words) < 8),
                sum(len(w) for w in words) / max(len(words), 1) / 10,
                min(s.position, 6) / 6,
                s.centrality,
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def in_context(query: np.ndarray, sentence: np.ndarray, before: np.ndarray | None) -> float:
    """The query's cosine to a sentence read with the one before it: the mean of their unit vectors
    stands in for the pair (no second embedding per sentence); the sentence alone when it opens its passage."""
    if before is None:
        return float(np.dot(query, sentence))
    pair = sentence + before
    return float(np.dot(query, pair) / max(float(np.linalg.norm(pair)), 1e-9))


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each row's cosine to the sum of the other rows (unit vectors in, one score per row).

    A sentence close to all the others retrieved ("For most patients today, X is something to ask
    about") sums the passage up and answers nothing in particular; fewer than three rows: zeros.
    """
    if len(vectors) < 3:
        return np.zeros(len(vectors))
    rest = vectors.sum(axis=0) - vectors
    return np.einsum("ij,ij->i", vectors, rest) / np.maximum(np.linalg.norm(rest, axis=1), 1e-9)


@functools.lru_cache(maxsize=65_536)  # the corpus's sentences come back question after question
def reading_grade(sentence: str) -> float:
    """Flesch-Kincaid grade of one sentence, syllables estimated by vowel groups (no dictionary)."""
    words = re.findall(r"[A-Za-z]+", sentence)
    if not words:
        return 0.0
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower())) - w.lower().endswith("e")) for w in words)
    return 0.39 * len(words) + 11.8 * syllables / len(words) - 15.59


@functools.lru_cache(maxsize=65_536)
def _terms_of(sentence: str, joined: frozenset[str]) -> frozenset[str]:
    return frozenset(terms(sentence, joined))


def asked_match(cosine: float) -> float:
    """0 for an article question that is not the one asked (cosine 0.5 or less), up to 1 for the same."""
    return max(cosine - 0.5, 0.0) * 2


@dataclass(frozen=True)
class Ranker:
    """Listwise logistic regression: ``bias + weights · (features - mean) / scale``, a softmax per question."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Ranker:
        names = list(data["features"])  # type: ignore[arg-type]
        if names != list(FEATURES):
            raise ValueError(f"ranker weights are for features {names}, not {list(FEATURES)}")
        return cls(*(np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights")), float(data["bias"]))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    def logits(self, features: np.ndarray) -> np.ndarray:
        return (features - self.mean) / self.scale @ self.weights + self.bias

    def shares(self, features: np.ndarray, penalty: np.ndarray | None = None) -> np.ndarray:
        """Softmax over the candidates of one question: how likely each is THE answer
        (``penalty`` is subtracted from the logits first)."""
        logits = self.logits(features) - (0.0 if penalty is None else penalty)
        e = np.exp(logits - logits.max(initial=-np.inf))
        return e / e.sum() if len(e) else e


@functools.cache
def default_ranker() -> Ranker:
    """The fitted weights shipped with the package."""
    return Ranker.from_dict(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
