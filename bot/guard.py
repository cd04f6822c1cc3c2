"""Safety around the answer, in the order a question meets it.

``screen`` (before retrieval, ``bot.screen``) → ``scope`` (after retrieval, ``bot.scope``) →
``verify`` (after composing, ``bot.verify``) → ``finish`` (framing, ``bot.framing``, and the
site's wording). ``GuardKit`` holds what the steps share: settings, the site file, the corpus
vocabulary of the current index generation, the labelled exemplars and the embedder.

Every reply, on every path, is an ``Answer`` and so carries ``replies.NOTICE``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot import exemplars, replies, scope, triage
from bot.config import Settings
from bot.framing import frame
from bot.health_words import HealthWords
from bot.lexicon import Lexicon
from bot.names import NO_NAMES, CorpusNames
from bot.screen import Screening, screen
from bot.site import Site, load_site
from bot.sources import asks_about_sources
from bot.types import Answer, Retrieval, not_covered
from bot.verify import find_problem

log = logging.getLogger(__name__)

#: Replies after which the starter questions are not offered.
_NO_SUGGESTIONS = ("emergency", "unsupported_language")


@dataclass(frozen=True)
class CorpusChecks:
    """What the guard's checks take from one index generation's corpus profile."""

    lexicon: Lexicon
    names: CorpusNames
    scope: scope.ScopeExamples | None = None  # None without an embedder
    urgent_signs: np.ndarray | None = None  # the articles' emergency signs, embedded (None without an embedder)


class GuardKit:
    """What the guard's steps share. ``snapshot`` gives the current index snapshot (vocabulary, passages)."""

    def __init__(self, settings: Settings, embedder: Any = None, snapshot: Callable[[], Any] | None = None) -> None:
        self.settings = settings
        self.site: Site = load_site(settings.corpus_dir)
        self.embedder = embedder
        self.snapshot = snapshot
        self.exemplars = triage.Exemplars(embedder, self.site) if embedder is not None else None
        self.health_words = HealthWords(embedder.embed_documents) if embedder is not None else None
        self._lock = threading.Lock()
        self._current: tuple[int, CorpusChecks] | None = None  # (generation, what it gives the checks)

    def current_snapshot(self) -> Any:
        if self.snapshot is None:
            return None
        try:
            return self.snapshot()
        except Exception as exc:  # no index yet, or it is broken: the checks fall back to English
            log.warning("no corpus vocabulary for the guard: %s", exc)
            return None

    def lexicon(self) -> Lexicon:
        """The corpus vocabulary of the current index generation (English only if there is none)."""
        return self._checks().lexicon

    def corpus_names(self) -> CorpusNames:
        """The treatments and conditions the current generation's articles name (none without an index)."""
        return self._checks().names

    def scope_margin(self, vector: np.ndarray | None) -> float:
        """How much closer the question is to what the articles cover than to near misses (0 unknown)."""
        examples = self._checks().scope
        return examples.margin(vector) if examples is not None and vector is not None else 0.0

    def urgent_signs(self) -> np.ndarray | None:
        """The signs the current generation's articles send readers to emergency care for, embedded."""
        return self._checks().urgent_signs

    def _checks(self) -> CorpusChecks:
        snapshot = self.current_snapshot()
        if snapshot is None:
            return CorpusChecks(Lexicon(), NO_NAMES)
        current = self._current
        if current is not None and current[0] == snapshot.generation:
            return current[1]
        with self._lock:  # one build per generation, even when many questions arrive at once
            current = self._current
            if current is None or current[0] != snapshot.generation:
                current = (snapshot.generation, self._build_checks(snapshot))
                self._current = current
        return current[1]

    def _build_checks(self, snapshot: Any) -> CorpusChecks:
        profile = snapshot.profile  # built at ingest: nothing is re-read from the passages here
        examples = urgent = None
        if self.embedder is not None:
            if profile.urgent_signs:
                urgent = np.asarray(self.embedder.embed_documents(list(profile.urgent_signs)), dtype=np.float32)

            def best_sentence(vector: np.ndarray) -> float:
                return max((similarity for _, similarity in snapshot.sentence_search(vector, 1)), default=0.0)

            site = self.site
            examples = scope.scope_examples(
                [*profile.topics, *exemplars.CARE_QUESTIONS, *site.in_scope_examples],
                [*exemplars.OUT_OF_DOMAIN, *site.out_of_scope_examples],
                self.embedder.embed_documents,
                best_sentence,
            )
            if examples.answered_near_misses:
                log.info("near misses the articles now answer: %s", "; ".join(examples.answered_near_misses))
        names = CorpusNames.of(profile.glossary.values(), profile.compounds)
        return CorpusChecks(profile.lexicon, names, examples, urgent)

    def team_questions(self) -> list[tuple[Any, str]]:
        """The questions the articles suggest asking the care team (found at ingest), with their passage."""
        snapshot = self.current_snapshot()
        if snapshot is None:
            return []
        return [
            (snapshot.by_id[q.chunk_id], q.text)
            for q in snapshot.profile.team_questions
            if q.chunk_id in snapshot.by_id
        ]

    def embed(self, text: str) -> np.ndarray | None:
        if self.embedder is None:
            return None
        try:
            return self.embedder.embed_query(text)  # type: ignore[no-any-return]
        except Exception as exc:  # the model is missing: the pattern checks still ran
            log.warning("could not embed the question for the guard: %s", exc)
            return None


class Guard:
    """The four checkpoints a question passes; see the module docstring."""

    def __init__(self, settings: Settings, embedder: Any = None, snapshot: Callable[[], Any] | None = None) -> None:
        self.kit = GuardKit(settings, embedder, snapshot)
        self.settings = settings

    @property
    def site(self) -> Site:
        return self.kit.site

    def warm_up(self) -> None:
        """Load the word lists, the part-of-speech dictionary and the exemplar vectors now (~2 s once)."""
        from bot import i18n, language, spelling
        from bot.lexicon import names_a_thing

        spelling.warm_up()
        names_a_thing("warm")
        language.detect("warm up the word lists", ())
        i18n.load()
        self.kit.lexicon()  # and the scope examples of the current generation
        if self.kit.exemplars is not None:
            self.kit.exemplars.load()
        if self.kit.health_words is not None:
            self.kit.health_words.warm_up()

    def screen(self, question: object, history: object = None) -> Screening:
        """A clean question, or ``Screening.early`` set: the fixed reply that ends the turn."""
        return screen(question, history, self.kit)

    def early_reply(self, screening: Screening) -> Answer:
        early = screening.early
        assert early is not None
        return self.finish(screening, early.reply or Answer(body=early.body, refused=True, triage=early.triage))

    def scope(self, screening: Screening, retrieval: Retrieval) -> Answer | None:
        """A refusal when the articles don't answer the question, else None (go on and compose)."""
        if asks_about_sources(screening.question) and retrieval.documents:
            return None  # their front matter answers it (bot.sources)
        margin = self.kit.scope_margin(retrieval.query_vector)
        floors = (self.settings.min_relevance, self.settings.min_sentence_relevance)
        health = self.kit.health_words
        verdict = scope.judge(
            screening.question, retrieval, self.kit.lexicon(), margin, floors, health.topics if health else None
        )
        if verdict.covered:
            return None
        log.info("not covered (%s): %s", verdict.triage, verdict.reason)
        assert verdict.triage is not None
        return not_covered(triage=verdict.triage)

    def verify(self, answer: Answer) -> Answer:
        """Check a composed answer; a failure never reaches the user."""
        problem = find_problem(answer)
        if problem:
            log.warning("answer withheld: %s", problem)
            return Answer(body=replies.WITHHELD, refused=True, triage="error", suggestions=self._examples())
        return answer

    def finish(self, screening: Screening, answer: Answer) -> Answer:
        """Frame a checked answer with what screening found, in the site's words."""
        if screening.early is None:
            on_subject = bool(self.kit.lexicon().domain_terms(screening.question)) if screening.advice else False
            questions = self._team_questions_for(screening.question, answer) if screening.advice else []
            answer = frame(screening, answer, questions, on_subject, self.settings.max_question_chars)
        answer.body = self.site.say(answer.body)
        if answer.refused and not answer.suggestions and answer.triage not in _NO_SUGGESTIONS:
            answer.suggestions = self._examples()
        answer.notice = replies.NOTICE
        return answer

    def _team_questions_for(self, question: str, answer: Answer) -> list[tuple[Any, str]]:
        """The care-team questions of the articles this reply is about: the ones it quotes and the
        ones whose own terms the question names. Another article's questions would be about
        another treatment."""
        asked = self.kit.team_questions()
        lexicon = self.kit.lexicon()
        named = set(lexicon.domain_terms(question))
        docs = {c.doc_id for c in answer.citations}
        docs |= {chunk.doc_id for chunk, _ in asked if named & set(lexicon.domain_terms(chunk.text))}
        return [(chunk, text) for chunk, text in asked if chunk.doc_id in docs]

    def _examples(self) -> list[str]:
        return list(self.site.example_questions)
