"""Does a word name a health topic: a disease, a medicine, a test, a treatment, a supplement, a diet?

A rare word the articles never use means they cannot answer when it names such a thing ("lupus",
"MRI", "turmeric": another topic), but not when it is only how the question is put ("what sort of
sensations", "lying on the sofa"): then the question is judged like one with an everyday word.
The word's embedding is compared with two small sets of general category names, the health ones
and everyday ones; it names a health topic when it is closer to the health ones. Nothing here
knows the articles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

HEALTH = (
    "a disease",
    "an illness",
    "a medical condition",
    "an infection",
    "a symptom",
    "a part of the body",
    "a medicine",
    "a drug",
    "a vaccine",
    "a vitamin or supplement",
    "a diet",
    "a medical test",
    "a scan",
    "a medical treatment",
    "a surgical operation",
)
EVERYDAY = (
    "a thing",
    "an object",
    "furniture",
    "a vehicle",
    "food",
    "a drink",
    "fuel",
    "money",
    "a job",
    "a place",
    "a person",
    "a feeling",
    "a reason",
    "someone to blame",
    "an amount",
    "a word",
    "an idea",
)


MAX_REMEMBERED_WORDS = 10_000


class HealthWords:
    """``embed``: texts → unit vectors (the embedding model's ``embed_documents``)."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray]) -> None:
        self._embed = embed
        # A word's verdict, kept: the scope check may ask about the same words twice in one question.
        self._verdicts: dict[str, bool] = {}

    @functools.cached_property
    def _prototypes(self) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.asarray(self._embed([*HEALTH, *EVERYDAY]), dtype=np.float32)
        return vectors[: len(HEALTH)], vectors[len(HEALTH) :]

    def warm_up(self) -> None:
        self._prototypes  # noqa: B018 - embeds the category names once, now rather than on a question

    def topics(self, words: Sequence[str]) -> list[str]:
        """The words that name a health topic."""
        known = {word: self._verdicts[word] for word in words if word in self._verdicts}
        unseen = list(dict.fromkeys(word for word in words if word not in known))
        if unseen:
            health, everyday = self._prototypes
            vectors = np.asarray(self._embed(unseen), dtype=np.float32)
            closer = (vectors @ health.T).max(axis=1) > (vectors @ everyday.T).max(axis=1)
            known.update(zip(unseen, map(bool, closer), strict=True))
            if len(self._verdicts) + len(unseen) > MAX_REMEMBERED_WORDS:
                self._verdicts.clear()  # bounded: a long-running app meets many words
            self._verdicts.update((word, known[word]) for word in unseen)
        return [word for word in words if known[word]]
