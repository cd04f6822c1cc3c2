"""Safety around the answer: ``screen`` before retrieval, ``scope`` after it, ``verify`` and ``finish`` after composing.

* ``screen`` turns raw input into a clean question or an early fixed reply: bad input (empty,
  markup only, spam, gibberish), another language, a symptom report (emergency: nothing else is
  said), an injection with no real question left. It also fixes spelling, cuts long input and
  notes personal-advice requests and neutralised injections for ``finish``.
* ``scope`` refuses questions the articles don't answer (``bot.scope``).
* ``verify`` checks a composed answer (citations, support, numbers, notice, no markup) and
  replaces a failing one with the safe reply, logging why.
* ``finish`` frames a checked answer: advice wording and the articles' own questions for the
  care team, a note that instructions were ignored, or that a long question was cut.

Every reply, on every path, is an ``Answer`` and so carries ``replies.NOTICE``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot import i18n, injection, language, replies, sanitize, scope, triage
from bot.answer import Answer, Citation, cited_sentences, not_covered
from bot.config import Settings
from bot.grounding import is_supported, numbers_grounded
from bot.lexicon import Lexicon, english_zipf

log = logging.getLogger(__name__)

# An intro to the questions an article suggests asking the care team, e.g. "Sensible questions
# for an oncology team: ..." or "Questions to ask your doctor: ...".
_TEAM_QUESTIONS = re.compile(
    r"\bquestions?\b[^.?!:]{0,40}\b(?:team|doctors?|oncologists?|nurses?|specialists?|clinicians?)\s*:\s*",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|javascript\s*:|\bon[a-z]{3,}\s*=", re.IGNORECASE)
_SMALL_TALK = re.compile(
    r"\W*(?:(?:hi|hello|hey|hiya|thanks|thank you|thx|ok|okay|cool|great|bye|goodbye|cheers|yes|no|good "
    r"(?:morning|afternoon|evening)|sure|please|nice)\W*){1,4}",
    re.IGNORECASE,
)
_BARE_TERM = re.compile(r"\s*(?P<term>[\w][\w\s'-]{0,40}?)\s*[?.!]*\s*")
_OPENS_QUESTION = re.compile(
    r"\s*(?:what|how|why|when|which|who|where|can|could|does|do|did|is|are|will|would|should|tell|explain|"
    r"describe|define|list|give|show|help|i|my|we|our)\b",
    re.IGNORECASE,
)
_VOWELS = re.compile(r"[aeiouy]", re.IGNORECASE)
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}", re.IGNORECASE)


@dataclass
class Screening:
    """What the guard made of the input."""

    question: str  # cleaned text to answer ("" when ``reply`` is set)
    reply: Answer | None = None  # a fixed reply to give instead of an answer
    triage: str | None = None  # "injection", "advice" or "too_long": answer, but frame it (see ``finish``)
    notes: list[str] = field(default_factory=list)  # what was changed, for logs
    advice: bool = False  # asks for a personal decision, dose or eligibility
    injection: bool = False  # instructions to the assistant were removed from the question
    too_long: bool = False  # only the start of the question was kept
    history: list[dict[str, str]] = field(default_factory=list)  # the conversation, cleaned the same way
    vector: np.ndarray | None = None  # embedding of ``question`` (shared with retrieval through the cache)


class Guard:
    """``snapshot`` gives the current index snapshot (for the corpus vocabulary and its questions)."""

    def __init__(
        self,
        settings: Settings,
        embedder: Any = None,
        snapshot: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._snapshot = snapshot
        self.exemplars = triage.Exemplars(embedder) if embedder is not None else None
        self._lock = threading.Lock()
        self._lexicon: tuple[object, Lexicon] | None = None
        self._team_questions: tuple[object, list[tuple[Any, str]]] | None = None

    def warm_up(self) -> None:
        """Load the word lists, the part-of-speech dictionary and the exemplar vectors now (~2 s once)."""
        from bot.lexicon import names_a_thing, warm_up

        warm_up()
        names_a_thing("warm")
        language.detect("warm up the word lists", ())
        i18n.load()
        self.lexicon()
        if self.exemplars is not None:
            self.exemplars.load()

    # -- before retrieval -----------------------------------------------------------------
    def screen(self, question: object, history: object = None) -> Screening:
        cleaned = sanitize.clean(question)
        notes = list(cleaned.notes)
        text = cleaned.text
        if not text or not sanitize.has_letters(text):
            blank = not isinstance(question, str) or not question.strip()
            body = replies.EMPTY_INPUT if blank or not text else replies.NO_WORDS
            return self._early(body, "invalid_input", notes)
        foreign = i18n.screen_foreign(text)  # another language: its fixed reply in it, a symptom report too
        if foreign is not None:
            return Screening("", foreign, foreign.triage, notes)
        # A symptom report goes first: nothing below may delay it (not even loading the index).
        first = triage.emergency(text)
        if first.emergency:
            body = replies.CRISIS if first.crisis else replies.URGENT
            return self._early(body, "emergency", [*notes, *first.reasons], suggestions=False)
        lexicon = self.lexicon()
        if sanitize.is_spam(text):
            return self._early(replies.SPAM, "invalid_input", [*notes, "repeated words"])

        if _SMALL_TALK.fullmatch(text):
            return self._early(replies.SMALL_TALK, "off_topic", notes)

        found = injection.neutralise(text)
        text = found.question
        injected = found.detected or cleaned.active_markup
        if found.detected:
            notes.append(f"removed instructions: {found.reasons}")
        if not injection.has_question(text):
            if injected:
                return self._early(replies.INJECTION, "injection", notes)
            return self._early(replies.SPAM, "invalid_input", notes)

        # The limit applies to what is left once markup, repeats and instructions are gone.
        too_long = len(text) > self.settings.max_question_chars
        if too_long:
            text = sanitize.cut(text, self.settings.max_question_chars)
            notes.append(f"cut to {len(text)} of {cleaned.original_length} characters")

        text, changes = lexicon.correct(text)
        if changes:
            notes.append(f"spelling: {changes}")
        if _gibberish(text, lexicon):
            return self._early(replies.SPAM, "invalid_input", [*notes, "no known words"])
        text = as_question(text)

        clean_history = clean_messages(history)
        vector = self._embed(text)
        margin = None
        if vector is not None and self.exemplars is not None:
            margin = self.exemplars.margin(vector, "emergency", "education", "calm")
        finding = triage.emergency(text, margin)
        asked = [m["content"] for m in clean_history if m["role"] == "user"]
        if finding.emergency or triage.follows_emergency(text, asked):
            notes.append(f"emergency: {finding.reasons or 'follow-up to a report'}")
            return self._early(replies.URGENT, "emergency", notes, suggestions=False)

        advice = triage.wants_advice(text)
        kind = "injection" if injected else "advice" if advice else "too_long" if too_long else None
        return Screening(
            text,
            triage=kind,
            notes=notes,
            advice=advice,
            injection=injected,
            too_long=too_long,
            history=clean_history,
            vector=vector,
        )

    def _early(self, body: str, kind: str, notes: list[str], suggestions: bool = True) -> Screening:
        log.info("early reply %s (%s)", kind, "; ".join(notes))
        answer = Answer(
            body=body, refused=True, triage=kind, suggestions=list(replies.SUGGESTED_QUESTIONS) if suggestions else []
        )
        return Screening("", answer, kind, notes)

    def _embed(self, text: str) -> np.ndarray | None:
        if self.embedder is None:
            return None
        try:
            return self.embedder.embed_query(text)  # type: ignore[no-any-return]
        except Exception as exc:  # the model is missing: the pattern checks above still ran
            log.warning("could not embed the question for the guard: %s", exc)
            return None

    def lexicon(self) -> Lexicon:
        """The corpus vocabulary of the current index generation (English only if there is none)."""
        snapshot = None
        if self._snapshot is not None:
            try:
                snapshot = self._snapshot()
            except Exception as exc:  # no index yet, or it is broken: spelling falls back to English
                log.warning("no corpus vocabulary for the guard: %s", exc)
        key = getattr(snapshot, "generation", None)
        current = self._lexicon
        if current is not None and current[0] == key and (snapshot is not None or key is None):
            return current[1]
        texts = [f"{c.section} {c.text}" for c in snapshot.chunks] if snapshot is not None else []
        built = Lexicon(texts)
        if snapshot is not None:
            with self._lock:
                self._lexicon = (key, built)
        return built

    # -- after retrieval ------------------------------------------------------------------
    def scope(self, screening: Screening, retrieval: Any) -> Answer | None:
        """A refusal when the articles don't answer the question, else None (go on and compose)."""
        margin = 0.0
        if self.exemplars is not None:
            margin = self.exemplars.margin(retrieval.query_vector, "in_domain", "out_of_domain")
        floors = (self.settings.min_relevance, self.settings.min_sentence_relevance)
        verdict = scope.judge(screening.question, retrieval, self.lexicon(), margin, floors)
        if verdict.covered:
            return None
        log.info("not covered (%s): %s", verdict.triage, verdict.reason)
        assert verdict.triage is not None
        return not_covered(triage=verdict.triage)

    # -- after composing ------------------------------------------------------------------
    def verify(self, answer: Answer) -> Answer:
        """Check a composed answer; a failure never reaches the user."""
        problem = find_problem(answer)
        if problem:
            log.warning("answer withheld: %s", problem)
            return Answer(
                body=replies.WITHHELD, refused=True, triage="error", suggestions=list(replies.SUGGESTED_QUESTIONS)
            )
        return answer

    def finish(self, screening: Screening, answer: Answer, retrieval: Any = None) -> Answer:
        """Frame a checked answer with what screening found."""
        if answer.triage == "error":
            return answer
        if screening.advice:
            answer = self._advise(answer, retrieval, screening.question)
        if screening.injection:
            answer.triage = "injection"
            if not answer.refused:
                answer.body = f"{replies.INJECTION_NOTE}\n\n{answer.body}"
        if screening.too_long:
            limit = self.settings.max_question_chars
            lead = replies.TOO_LONG.format(limit=limit)
            if not answer.refused:
                lead = f"{lead} {replies.TOO_LONG_ANSWERED}"
            answer.body = f"{lead}\n\n{answer.body}"
            answer.triage = answer.triage or "too_long"
        answer.notice = replies.NOTICE
        return answer

    def _advise(self, answer: Answer, retrieval: Any, question: str) -> Answer:
        """No recommendation: general information if the articles have it, then the questions they suggest asking."""
        if answer.refused and answer.triage == "off_topic":
            return answer  # "recommend a restaurant" is not a medical decision
        on_subject = answer.refused and answer.triage == "not_covered" and bool(self.lexicon().domain_terms(question))
        if answer.refused and not on_subject:  # nothing general to give: no recommendation, no unrelated questions
            return Answer(
                body=f"{replies.ADVICE} {replies.NOT_COVERED}",
                refused=True,
                triage="advice",
                suggestions=list(replies.SUGGESTED_QUESTIONS),
            )
        citations = [] if answer.refused else list(answer.citations)
        parts = [replies.ADVICE]
        if not answer.refused:
            parts.append(f"{replies.ADVICE_GENERAL}\n\n{answer.body}")
        questions = self.team_questions(retrieval)
        if questions:
            lines = []
            for chunk, text in questions:
                citation = next((c for c in citations if c.doc_id == chunk.doc_id and c.text == chunk.text), None)
                if citation is None:
                    citation = Citation.of(len(citations) + 1, chunk)
                    citations.append(citation)
                citation.quotes.append(text)
                lines.append(f"- {text} [{citation.n}]")
            parts.append(replies.ADVICE_QUESTIONS_INTRO + "\n" + "\n".join(lines))
        else:
            parts.append(replies.ADVICE_ASK_TEAM)
        # Refused only when nothing from the articles is given.
        return Answer(
            body="\n\n".join(parts),
            citations=citations,
            refused=not citations,
            triage="advice",
            suggestions=[] if citations else list(replies.SUGGESTED_QUESTIONS),
        )

    def team_questions(self, retrieval: Any = None) -> list[tuple[Any, str]]:
        """The questions the articles themselves suggest asking the care team, with their passage."""
        snapshot = getattr(retrieval, "snapshot", None)
        if snapshot is None and self._snapshot is not None:
            try:
                snapshot = self._snapshot()
            except Exception:
                return []
        if snapshot is None:
            return []
        key = getattr(snapshot, "generation", id(snapshot))
        cached = self._team_questions
        if cached is not None and cached[0] == key:
            return cached[1]
        found = find_team_questions(snapshot.chunks)
        self._team_questions = (key, found)
        return found


def find_team_questions(chunks: Sequence[Any]) -> list[tuple[Any, str]]:
    """After an intro such as "Sensible questions for an oncology team:", the questions that follow in that passage."""
    out: list[tuple[Any, str]] = []
    for chunk in chunks:
        m = _TEAM_QUESTIONS.search(chunk.text)
        if not m:
            continue
        for sentence in re.findall(r"[^.?!]+[.?!]+", chunk.text[m.end() :]):
            sentence = sentence.strip()
            if not sentence.endswith("?"):
                break  # the list ended
            out.append((chunk, sentence))
        if out:
            break
    return out[:4]


def as_question(text: str) -> str:
    """A bare term of one to three words ("CRS", "antigen escape") is asked as "What is CRS?"."""
    m = _BARE_TERM.fullmatch(text)
    if not m or len(m.group("term").split()) > 3 or _OPENS_QUESTION.match(text):
        return text
    return f"What is {m.group('term')}?"


def clean_messages(history: object) -> list[dict[str, str]]:
    """Only well-formed {"role", "content"} messages, their text cleaned and instructions removed."""
    out: list[dict[str, str]] = []
    if not isinstance(history, (list, tuple)):
        return out
    for message in history[-20:]:
        if not isinstance(message, dict):
            continue
        role, content = message.get("role"), message.get("content")
        if role not in ("user", "assistant") or not isinstance(content, str):
            continue
        text = sanitize.clean(content).text
        if role == "user":
            text = injection.neutralise(text).question
        out.append({"role": role, "content": text})
    return out


def _gibberish(text: str, lexicon: Lexicon) -> bool:
    """No word in it is English or from the articles, and it looks like keyboard mashing."""
    words = [w for w in sanitize.words(text) if len(w) >= 2]
    if not words:
        return True
    known = [w for w in words if w.lower() in lexicon.words or english_zipf(w) >= 3.0 or w.isupper()]
    if known:
        return False
    mashed = [w for w in words if _CONSONANT_RUN.search(w) or not _VOWELS.search(w)]
    return len(words) >= 2 or bool(mashed)


def find_problem(answer: Answer) -> str | None:
    """The first failed check of a composed answer, or None."""
    if answer.notice != replies.NOTICE:
        return "the notice was changed"
    if _MARKUP.search(answer.body):
        return "markup in the answer"
    if answer.refused:
        return "a refusal with citations" if answer.citations else None
    pairs = cited_sentences(answer.body)
    if not pairs:
        return "empty answer"
    by_n = {c.n: c for c in answer.citations}
    if sorted(by_n) != list(range(1, len(by_n) + 1)):
        return "citations are not numbered 1..n"
    used: set[int] = set()
    for sentence, marks in pairs:
        if not marks:
            return f"sentence without a citation: {sentence[:60]!r}"
        missing = [n for n in marks if n not in by_n]
        if missing:
            return f"citation {missing} points at no passage"
        used.update(marks)
        cited = [by_n[n].text for n in marks]
        if not numbers_grounded(sentence, cited):
            return f"number not in the cited passage: {sentence[:60]!r}"
        if not is_supported(sentence, cited):
            return f"sentence not supported by its cited passage: {sentence[:60]!r}"
    if used != set(by_n):
        return "a source is listed but never cited"
    return None
