"""Before retrieval: raw input → a clean question, or a fixed reply that ends the turn.

``SCREEN`` is the ordered list of steps. Each is a small function with one reason to stop early:
it gets the ``Screening`` so far and the ``GuardKit`` (settings, lexicon, exemplars, embedder)
and returns an early reply (``Early``) or None to go on. A step may clean the question further
or note something for framing the answer later (advice, neutralised instructions, a cut).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot import i18n, injection, replies, sanitize, triage
from bot.lexicon import Lexicon
from bot.spelling import english_zipf
from bot.text import opens_question, words
from bot.types import Answer, Message

if TYPE_CHECKING:
    from bot.guard import GuardKit

log = logging.getLogger(__name__)


_SMALL_TALK = re.compile(
    r"\W*(?:(?:hi|hello|hey|hiya|thanks|thank you|thx|ok|okay|cool|great|bye|goodbye|cheers|yes|no|good "
    r"(?:morning|afternoon|evening)|sure|please|nice)\W*){1,4}",
    re.IGNORECASE,
)
# Asking the assistant to do something for the person ("can you renew my prescription?", "please
# book me an appointment"): it answers from articles, it cannot act.
_SERVICE = re.compile(
    r"\W*(?:(?:can|could|would|will) you (?:please )?|please )(?:renew|refill|repeat|book|re-?book|reschedule|"
    r"cancel|send|post|email|e-mail|order|arrange|call|ring|phone|text|fax|print|prescribe)\b",
    re.IGNORECASE,
)
_BARE_TERM = re.compile(r"\s*(?P<term>[\w][\w\s'-]{0,40}?)\s*[?.!]*\s*")
# Besides question words, a request opens like this: "describe…", "list…", "my…", "I…".
_OPENS_REQUEST = re.compile(r"\s*(?:describe|define|list|give|show|help|i|my|we|our)\b", re.IGNORECASE)
_VOWELS = re.compile(r"[aeiouy]", re.IGNORECASE)
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}", re.IGNORECASE)


@dataclass(frozen=True)
class Early:
    """A fixed reply that ends the turn before retrieval."""

    body: str  # a ``bot.replies`` text
    triage: str
    reply: Answer | None = None  # the whole reply, when it is more than a fixed text (another language)


@dataclass
class Screening:
    """What the guard made of the input."""

    raw: object  # as received
    question: str = ""  # cleaned text to answer ("" when ``early`` is set)
    early: Early | None = None  # a fixed reply to give instead of an answer
    triage: str | None = None  # "injection", "advice" or "too_long": answer, but frame it
    notes: list[str] = field(default_factory=list)  # what was changed, for logs
    advice: bool = False  # asks for a personal decision, dose or eligibility
    injection: bool = False  # instructions to the assistant were removed from the question
    too_long: bool = False  # only the start of the question was kept
    original_length: int = 0
    history: list[Message] = field(default_factory=list)  # the conversation, cleaned the same way
    vector: np.ndarray | None = None  # embedding of ``question`` (shared with retrieval through the cache)


Step = Callable[[Screening, "GuardKit"], Early | None]


def clean(s: Screening, kit: GuardKit) -> Early | None:
    """Controls, markup, emoji and repeats out; nothing left → ask for a question."""
    cleaned = sanitize.clean(s.raw)
    s.notes += cleaned.notes
    s.question, s.original_length = cleaned.text, cleaned.original_length
    s.injection = cleaned.active_markup
    if s.question and sanitize.has_letters(s.question):
        return None
    blank = not isinstance(s.raw, str) or not s.raw.strip()
    return Early(replies.EMPTY_INPUT if blank or not s.question else replies.NO_WORDS, "invalid_input")


def reported_emergency(s: Screening, kit: GuardKit) -> Early | None:
    """A symptom report goes first: nothing below may delay it (not even loading the index)."""
    first = triage.emergency(s.question)
    if not first.emergency:
        return None
    s.notes += first.reasons
    return Early(replies.CRISIS if first.crisis else replies.URGENT, "emergency")


def other_language(s: Screening, kit: GuardKit) -> Early | None:
    """Not English: that only English is answered (or the urgent reply), in the visitor's language.

    Before the English triage, so "Quiero suicidarme" gets the crisis reply in Spanish.
    """
    foreign = i18n.screen_foreign(s.question)
    return None if foreign is None else Early(foreign.body, str(foreign.triage), foreign)


def spam(s: Screening, kit: GuardKit) -> Early | None:
    if not sanitize.is_spam(s.question):
        return None
    s.notes.append("repeated words")
    return Early(replies.SPAM, "invalid_input")


def small_talk(s: Screening, kit: GuardKit) -> Early | None:
    return Early(replies.SMALL_TALK, "off_topic") if _SMALL_TALK.fullmatch(s.question) else None


def service_request(s: Screening, kit: GuardKit) -> Early | None:
    """ "Can you book me an appointment?": not a question the articles answer; the care team can help."""
    return Early(replies.NOT_COVERED, "not_covered") if _SERVICE.match(s.question) else None


def instructions(s: Screening, kit: GuardKit) -> Early | None:
    """Instructions to the assistant are removed; with no real question left, say so."""
    found = injection.neutralise(s.question)
    s.question = found.question
    s.injection = s.injection or found.detected
    if found.detected:
        s.notes.append(f"removed instructions: {found.reasons}")
    if injection.has_question(s.question):
        return None
    return Early(replies.INJECTION, "injection") if s.injection else Early(replies.SPAM, "invalid_input")


def length(s: Screening, kit: GuardKit) -> Early | None:
    """The limit applies to what is left once markup, repeats and instructions are gone."""
    limit = kit.settings.max_question_chars
    if len(s.question) > limit:
        s.question = sanitize.cut(s.question, limit)
        s.too_long = True
        s.notes.append(f"cut to {len(s.question)} of {s.original_length} characters")
    return None


def spelling(s: Screening, kit: GuardKit) -> Early | None:
    """Misspelt words fixed towards the corpus vocabulary; keyboard mashing stops here."""
    lexicon = kit.lexicon()
    s.question, changes = lexicon.correct(s.question)
    if changes:
        s.notes.append(f"spelling: {changes}")
    if _gibberish(s.question, lexicon):
        s.notes.append("no known words")
        return Early(replies.SPAM, "invalid_input")
    s.question = as_question(s.question)
    return None


def emergency_by_meaning(s: Screening, kit: GuardKit) -> Early | None:
    """A report in words the patterns lack (nearest labelled examples), or a follow-up to one."""
    s.history = clean_messages(s.history)
    s.vector = kit.embed(s.question)
    margin = None
    if s.vector is not None and kit.exemplars is not None:
        margin = kit.exemplars.margin(s.vector, "emergency", "education", "calm")
    signs = kit.urgent_signs()
    sign = float(np.max(signs @ s.vector)) if signs is not None and s.vector is not None else None
    names = kit.corpus_names()
    finding = triage.emergency(s.question, margin, names, sign)
    asked = [m["content"] for m in s.history if m["role"] == "user"]
    if not (finding.emergency or triage.follows_emergency(s.question, asked, names)):
        return None
    s.notes.append(f"emergency: {finding.reasons or 'follow-up to a report'}")
    return Early(replies.URGENT, "emergency")


def personal_advice(s: Screening, kit: GuardKit) -> Early | None:
    """Noted, not stopped: the answer is framed without a recommendation (``bot.framing``)."""
    s.advice = triage.wants_advice(s.question, kit.corpus_names())
    s.triage = "injection" if s.injection else "advice" if s.advice else "too_long" if s.too_long else None
    return None


#: The order matters: a symptom report is recognised before anything slow or fallible runs
#: (in the visitor's language first, then in English).
SCREEN: tuple[Step, ...] = (
    clean,
    other_language,
    reported_emergency,
    spam,
    small_talk,
    service_request,
    instructions,
    length,
    spelling,
    emergency_by_meaning,
    personal_advice,
)


def screen(question: object, history: object, kit: GuardKit) -> Screening:
    s = Screening(raw=question, history=history)  # type: ignore[arg-type]  # cleaned by emergency_by_meaning
    for step in SCREEN:
        early = step(s, kit)
        if early is not None:
            log.info("early reply %s (%s)", early.triage, "; ".join(s.notes))
            s.early, s.question, s.triage = early, "", early.triage
            return s
    return s


# -- helpers of the steps ---------------------------------------------------------------------
def as_question(text: str) -> str:
    """A bare term of one to three words ("MRI", "bone marrow") is asked as "What is MRI?"."""
    m = _BARE_TERM.fullmatch(text)
    if not m or len(m.group("term").split()) > 3 or opens_question(text) or _OPENS_REQUEST.match(text):
        return text
    return f"What is {m.group('term')}?"


def clean_messages(history: object) -> list[Message]:
    """Only well-formed {"role", "content"} messages, their text cleaned and instructions removed."""
    out: list[Message] = []
    if not isinstance(history, (list, tuple)):
        return out
    for message in history[-20:]:
        if not isinstance(message, dict):
            continue
        role, content = message.get("role"), message.get("content")
        if role not in ("user", "assistant") or not isinstance(content, str):
            continue
        out.append({"role": role, "content": _clean_message(role, content)})
    return out


@functools.lru_cache(maxsize=1024)
def _clean_message(role: str, content: str) -> str:
    """Cached: the whole history comes back with every question (~0.4 ms a message, long answers)."""
    text = sanitize.clean(content).text
    return injection.neutralise(text).question if role == "user" else text


def _gibberish(text: str, lexicon: Lexicon) -> bool:
    """No word in it is English or from the articles, and it looks like keyboard mashing."""
    tokens = [w for w in words(text) if len(w) >= 2]
    if not tokens:
        return True
    known = [w for w in tokens if w.lower() in lexicon.words or english_zipf(w) >= 3.0 or w.isupper()]
    if known:
        return False
    mashed = [w for w in tokens if _CONSONANT_RUN.search(w) or not _VOWELS.search(w)]
    return len(tokens) >= 2 or bool(mashed)
