"""Optional chat-model composer: plainer answers from any chat model, checked in code before use.

``BOT_LLM=openai:MODEL`` (any OpenAI-compatible server via ``BOT_LLM_BASE_URL``) or
``ollama:MODEL``. The model only writes the answer body; code numbers the sources, appends the
notice and checks every sentence against the passages it cites. A draft that fails a check, a
model that errs or a model that is too slow gives way to the extractive answer (and the log says why).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_before_delay, wait_exponential

from bot import prompts, replies
from bot.config import Settings, SettingsError
from bot.grounding import drops_negation, is_supported, numbers_grounded, ungrounded_names
from bot.site import load_site
from bot.text import CITATION_MARK, split_sentences
from bot.types import Answer, Citation, Composer, Retrieval
from bot.verify import find_problem

log = logging.getLogger(__name__)

#: Providers and the package each needs (the ``llm`` extra installs both).
PROVIDERS = {"openai": "langchain-openai", "ollama": "langchain-ollama"}

# Reasoning models (Qwen3, DeepSeek-R1...) think aloud first; that is never shown or checked.
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_MARKS = re.compile(r"\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]")
_MARKS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d+\]\s*)+)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|#+)\s+")
_EMPHASIS = re.compile(r"\*\*|__|`")
# Disclaimers are the code's job (the fixed notice); a model's own is dropped, never trusted.
_DISCLAIMER = re.compile(
    r"\b(?:not|n't)\s+(?:a substitute for\s+|intended as\s+)?(?:professional\s+)?medical advice\b"
    r"|^(?:please\s+)?(?:always\s+)?(?:talk|speak|check)\s+(?:to|with)\s+your\s+(?:own\s+)?"
    r"(?:doctor|care team|oncolog\w+|health ?care|medical team|physician)"
    r"|^(?:please\s+)?consult\b",
    re.IGNORECASE,
)
# Text about the reply itself (the notice, instructions, the model) is never part of an answer:
# it is what an injected "ignore the notice" or "this is medical advice" turns into.
_META = re.compile(
    r"\b(?:notice|disclaimer|ignor\w*|instructions?|system prompt|as an ai|language model|medical advice)\b",
    re.IGNORECASE,
)


class LLMUnavailable(RuntimeError):
    """The model gave no usable reply in time (error, timeout, retries spent)."""


@dataclass
class Verdict:
    """The outcome of checking a draft: an answer to give, or why not."""

    answer: Answer | None
    reason: str = "accepted"  # a short category, counted in ``LLMComposer.outcomes``
    detail: str = ""


class LLMComposer:
    """A ``prompt | chat model`` runnable in the compose step; the extractive composer is its fallback.

    ``outcomes`` counts what happened to each question ("accepted", or the check that failed), so
    an eval run can report the fallback rate.
    """

    name = "llm"

    def __init__(self, settings: Settings, fallback: Composer, model: Any = None) -> None:
        from langchain_core.output_parsers import StrOutputParser

        self.settings = settings
        self.fallback = fallback
        self.chain = (
            prompts.build_prompt(load_site(settings.corpus_dir).topic)
            | (model if model is not None else chat_model(settings))
            | StrOutputParser()
        )
        self.outcomes: Counter[str] = Counter()
        self._lock = threading.Lock()

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        final = None
        for event in self._events(question, retrieval, shown=False):
            final = event
        assert isinstance(final, Answer)
        return final

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The model's text as it arrives, then the checked ``Answer`` (which replaces it)."""
        yield from self._events(question, retrieval, shown=True)

    def _events(self, question: str, retrieval: Retrieval, shown: bool) -> Iterator[str | Answer]:
        s = self.settings
        if not retrieval.passages or not retrieval.covers(s.min_relevance, s.min_sentence_relevance):
            self._count("not covered")  # nothing to ground an answer in: no need to ask the model
            yield self.fallback.compose(question, retrieval)
            return
        pieces: list[str] = []
        try:
            for piece in self._generate(question, retrieval):
                pieces.append(piece)
                if shown:
                    yield piece
        except LLMUnavailable as exc:
            yield self._fall_back(question, retrieval, Verdict(None, "no reply", str(exc)), shown and bool(pieces))
            return
        verdict = check_draft("".join(pieces), retrieval, s.max_answer_words)
        if verdict.answer is None:
            yield self._fall_back(question, retrieval, verdict, shown and bool("".join(pieces).strip()))
            return
        self._count("accepted")
        yield verdict.answer

    def _fall_back(self, question: str, retrieval: Retrieval, verdict: Verdict, replaced: bool) -> Answer:
        log.warning("chat-model draft not used (%s): %s", verdict.reason, verdict.detail)
        self._count(verdict.reason)
        answer = self.fallback.compose(question, retrieval)
        if replaced and not answer.refused:
            # The person saw the draft stream in; say why it changed rather than swap it silently.
            answer.body = f"{replies.DRAFT_REPLACED}\n\n{answer.body}"
        return answer

    def _count(self, outcome: str) -> None:
        with self._lock:
            self.outcomes[outcome] += 1

    def _generate(self, question: str, retrieval: Retrieval) -> Iterator[str]:
        """Text pieces of one reply; retries quick failures; gives up at ``llm_timeout_s`` overall."""
        inputs = {
            "passages": prompts.format_passages(retrieval.passages),
            "question": prompts.quoted(question),
            "max_words": self.settings.max_answer_words,
        }
        deadline = time.monotonic() + self.settings.llm_timeout_s
        shown = False  # once text was shown, a second reply would not match it: no retry
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: not shown and _transient(exc)),
            stop=stop_after_attempt(self.settings.llm_max_retries + 1) | stop_before_delay(self.settings.llm_timeout_s),
            wait=wait_exponential(multiplier=0.25),
            before_sleep=lambda state: log.info(
                "chat model failed (%s); trying again (%d)", _describe(state.outcome.exception()), state.attempt_number
            ),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    for piece in _visible(_until(deadline, lambda: self.chain.stream(inputs))):
                        shown = True
                        yield piece
        except Exception as exc:
            raise LLMUnavailable(_describe(exc)) from exc


def chat_model(settings: Settings) -> Any:
    """The LangChain chat model ``BOT_LLM`` names, with bounded time and no retries of its own."""
    provider, _, model = settings.llm.partition(":")
    if provider not in PROVIDERS:
        raise SettingsError(f"BOT_LLM provider {provider!r} is not supported; use {' or '.join(PROVIDERS)}")
    kwargs: dict[str, Any] = {"temperature": 0}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if provider == "openai":
        kwargs.update(timeout=settings.llm_timeout_s, max_retries=0)  # our loop retries, within one deadline
        if settings.llm_api_key:
            kwargs["api_key"] = settings.llm_api_key
        elif settings.llm_base_url:
            kwargs["api_key"] = "unused"  # local servers ignore it, but the client wants one
    else:
        client: dict[str, Any] = {"timeout": settings.llm_timeout_s}
        if settings.llm_api_key:  # a hosted Ollama behind a proxy
            client["headers"] = {"Authorization": f"Bearer {settings.llm_api_key}"}
        kwargs["client_kwargs"] = client
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as exc:
        raise SettingsError(
            f"BOT_LLM={settings.llm} needs {PROVIDERS[provider]}: pip install 'car-cell-bot[llm]'"
        ) from exc
    except Exception as exc:  # e.g. no API key for a hosted API
        raise SettingsError(f"BOT_LLM={settings.llm} cannot be set up: {exc}") from exc


# -- checking a draft -----------------------------------------------------------------------
def check_draft(text: str, retrieval: Retrieval, max_words: int = 100) -> Verdict:
    """Every sentence cites a passage that was given, is supported by it, and invents no number or name.

    Passing drafts become an ``Answer`` whose sources are renumbered 1..m in order of first use.
    """
    text = _THINK.sub(" ", text).strip()
    if not text:
        return Verdict(None, "empty", "the model wrote nothing")
    if text.rstrip(" .").upper() == prompts.NOT_COVERED:
        return Verdict(None, "model: not covered", "the model found no answer in the passages")
    passages = retrieval.passages
    sentences = [(s, marks) for s, marks in split_draft(text) if not _DISCLAIMER.search(s)]
    if not sentences:
        return Verdict(None, "empty", "only a disclaimer")
    for sentence, marks in sentences:
        problem = sentence_problem(sentence, marks, [p.chunk.text for p in passages])
        if problem:
            return Verdict(None, *problem)
    answer = _render(_within(sentences, max_words), retrieval)
    problem = find_problem(answer)  # the guard's own post-check: what passes here passes there
    if problem:
        return Verdict(None, "guard", problem)
    return Verdict(answer)


def sentence_problem(sentence: str, marks: list[int], passages: list[str]) -> tuple[str, str] | None:
    """(check, detail) for the first check one answer sentence fails, citing ``passages`` 1..k; else None."""
    short = f"{sentence[:80]!r}"
    if _META.search(sentence):
        return "meta text", f"talks about the reply itself: {short}"
    if not marks:
        return "uncited sentence", short
    unknown = [n for n in marks if not 1 <= n <= len(passages)]
    if unknown:
        return "unknown citation", f"{unknown} cited, {len(passages)} passages given: {short}"
    cited = [passages[n - 1] for n in marks]
    if not numbers_grounded(sentence, cited):
        return "number", f"a number not in passage {marks}: {short}"
    names = ungrounded_names(sentence, cited)
    if names:
        return "name", f"{names} not in passage {marks}: {short}"
    if not is_supported(sentence, cited):
        return "unsupported", f"not supported by passage {marks}: {short}"
    if drops_negation(sentence, cited):
        return "negation dropped", f"passage {marks} says not/no/few/yet: {short}"
    return None


def split_draft(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, [cited numbers]) for each sentence of a model's reply."""
    lines = []
    for line in text.splitlines():
        line = _EMPHASIS.sub("", _LIST_ITEM.sub("", line)).strip()
        if not line or (line.endswith(":") and len(line.split()) <= 8):
            continue  # blank, or a heading / lead-in ("Answer:", "Here is what the articles say:")
        line = _MARKS.sub(_expand_marks, line)
        if not re.search(r"[.!?]\s*(?:\[\d+\]\s*)*$", line):
            line += "."  # a list item or heading without a full stop is still a sentence of its own
        lines.append(line)
    joined = _MARKS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", " ".join(lines))
    out: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(joined):
        marks = [int(n) for n in CITATION_MARK.findall(sentence)]
        plain = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(CITATION_MARK.sub(" ", sentence).split()))
        if re.search(r"[A-Za-z0-9]", plain):
            out.append((plain, list(dict.fromkeys(marks))))
        elif out and marks:  # a stray "[2]." after the sentence it belongs to
            out[-1][1].extend(n for n in marks if n not in out[-1][1])
    return out


def _expand_marks(m: re.Match[str]) -> str:
    """``[1, 2]`` → ``[1] [2]``; ``[1-3]`` → ``[1] [2] [3]``."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", m.group(1)):
        low, _, high = re.sub(r"\s", "", part).replace("–", "-").partition("-")
        span = range(int(low), int(high) + 1) if high and 0 <= int(high) - int(low) <= 9 else [int(low)]
        numbers.extend(span)
    return " ".join(f"[{n}]" for n in numbers)


def _within(sentences: list[tuple[str, list[int]]], max_words: int) -> list[tuple[str, list[int]]]:
    """Whole sentences up to the word budget; the first is always kept."""
    kept, words = [], 0
    for sentence, marks in sentences:
        words += len(sentence.split())
        if kept and words > max_words:
            break
        kept.append((sentence, marks))
    return kept


def _render(sentences: list[tuple[str, list[int]]], retrieval: Retrieval) -> Answer:
    """Body ``sentence. [n]`` like the extractive composer's, sources numbered in order of first use."""
    citations: dict[int, Citation] = {}
    parts = []
    for sentence, marks in sentences:
        for given in marks:
            if given not in citations:
                passage = retrieval.passages[given - 1]
                chunk = passage.chunk
                known = retrieval.references.get(chunk.doc_id, {})
                citations[given] = Citation.of(
                    len(citations) + 1,
                    chunk,
                    max(passage.similarity, passage.sentence_similarity),
                    references=[known[r].to_dict() for r in chunk.refs if r in known],
                )
            citations[given].quotes.append(sentence)
        parts.append(f"{sentence} " + " ".join(f"[{citations[g].n}]" for g in marks))
    return Answer(body=" ".join(parts), citations=sorted(citations.values(), key=lambda c: c.n))


# -- talking to the model -------------------------------------------------------------------
def _until(deadline: float, produce: Callable[[], Iterable[str]]) -> Iterator[str]:
    """Pieces from ``produce()`` (run in a worker thread) until the deadline, then ``TimeoutError``.

    The HTTP client's own timeout only bounds each read; a model trickling tokens could run on.
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in produce():
                if stop.is_set():
                    return  # abandoned: the client's read timeout ends this thread soon after
                box.put(("piece", item))
            box.put(("done", None))
        except BaseException as exc:
            box.put(("error", exc))

    threading.Thread(target=work, name="llm-reply", daemon=True).start()
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise queue.Empty
                kind, item = box.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no complete reply within BOT_LLM_TIMEOUT_S") from None
            if kind == "piece":
                yield item
            elif kind == "done":
                return
            else:
                raise item
    finally:
        stop.set()


def _visible(pieces: Iterable[str]) -> Iterator[str]:
    """Drop a leading ``<think>...</think>`` block from a stream of text pieces."""
    held = ""
    thinking: bool | None = None  # None: not known yet whether the reply opens with <think>
    for piece in pieces:
        if thinking is False:
            yield piece
            continue
        held += piece
        if thinking is None:
            start = held.lstrip()
            if len(start) < len("<think>") and "<think>".startswith(start.lower()):
                continue
            thinking = start.lower().startswith("<think>")
            if not thinking:
                yield held
                continue
        end = held.lower().find("</think>")
        if end >= 0:
            thinking, rest = False, held[end + len("</think>") :].lstrip()
            if rest:
                yield rest
    if thinking is None and held:
        yield held


def _transient(exc: BaseException) -> bool:
    """Worth another try: refused or dropped connections, 408/409/429 and server errors."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500
    return isinstance(exc, ConnectionError) or type(exc).__name__ in {
        "APIConnectionError",
        "ConnectError",
        "ReadError",
        "RemoteProtocolError",
    }


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
