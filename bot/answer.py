"""The reply types and the embedded default composer: verbatim sentences, each cited ``[n]``."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bot import replies
from bot.glossary import find_terms, fold
from bot.retrieval import Passage, Retrieval, terms
from bot.store import StoredChunk

# Comparative questions get both sides: an advantage and a caveat, when the sources give both.
_COMPARATIVE = re.compile(
    r"\b(better|worse|best|safer|safest|superior|inferior|vs\.?|versus|compare[sd]?|comparison|"
    r"differ(?:s|ence|ent)?|advantages?|disadvantages?|pros|cons|benefits?|drawbacks?|downsides?|"
    r"which (?:one|is)|instead of|rather than|replace)\b",
    re.IGNORECASE,
)
_ADVANTAGE = re.compile(
    r"\b(advantages?|benefits?|safer|safety advantages|less toxic|lower|reduc(?:ed|es)|cheaper|faster|"
    r"gentler|superior|more effective|promising|encouraging|streamlin\w+|readily available|"
    r"off-the-shelf|accessib\w+|minimal|without|built-in)\b",
    re.IGNORECASE,
)
_CAVEAT = re.compile(
    r"\b(however|but|not yet|isn't|is not|yet to|remains?|uncharacterized|unknown|don't yet know|"
    r"limit(?:ed|ations?)|concerns?|challeng\w+|drawbacks?|early|few|small trials|relapse|"
    r"not proven|isn't proven|caution|cautious|risk of|needs confirmation|still)\b",
    re.IGNORECASE,
)
# "What is CRS?", "what does the CAR in CAR-T stand for", "define ICANS", "whats a cytokine storm".
_DEFINITION_CUE = re.compile(
    r"^\s*(?:what(?:'s|s|\s+is|\s+are|\s+does|\s+do)\b|define\b|meaning of\b|explain\b)|\b(?:stand for|mean)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"^\s*(?:what(?:'s|s|\s+is|\s+are)|define|explain)\s+(?:an?\s+|the\s+)?"
    r"[\"'“]?(?P<term>[\w\- ]{2,40}?)[\"'”]?\s*\??\s*$",
    re.IGNORECASE,
)
# A question the article asks ("Is CAR-NK better than CAR-T?") as opposed to a statement that
# happens to end in one ("The review asked, in effect: where does CAR-NK therapy stand ...?").
_INTERROGATIVE = re.compile(
    r"^\s*(?:\*\*)?(?:is|are|was|were|do|does|did|can|could|should|would|will|how|what|what's|why|when|where|"
    r"who|which)\b",
    re.IGNORECASE,
)
# A sentence that promises what follows: "Two themes stand out.", "...because of several biological
# characteristics.", "Sensible questions for an oncology team: Are there ...?"
_ANNOUNCES = re.compile(
    r"\b(?:several|two|three|four|following|a few|a number of)\b(?:\s+[\w-]+){0,3}\s+(?:differences|reasons|"
    r"characteristics|ways|drawbacks|advantages|limitations|themes|questions|factors|mechanisms|steps|challenges|"
    r"barriers|benefits|gaps)\b[^.?!]*[.:]$|\b(?:stand out|as follows)[.:]$|^[^:?]{3,60}:\s+\S.*\?$",
    re.IGNORECASE,
)
# Sentences that lean on the one before them read badly when quoted alone.
_DANGLING_START = re.compile(
    r"^(however|additionally|furthermore|moreover|thus|therefore|conversely|this|these|that|it|"
    r"they|such|second|first|finally|also|but|so)\b",
    re.IGNORECASE,
)


@dataclass
class Citation:
    """A numbered source card: the passage an answer sentence was quoted from."""

    n: int
    doc_id: str
    title: str
    section: str
    url: str | None
    text: str  # the whole passage
    score: float  # cosine similarity of the question and the passage
    quotes: list[str] = field(default_factory=list)  # the sentences quoted from it
    references: list[dict[str, Any]] = field(default_factory=list)  # primary studies those sentences cite

    @classmethod
    def of(cls, n: int, chunk: StoredChunk, score: float = 0.0, **fields: Any) -> Citation:
        """Source card ``n`` for a stored passage."""
        return cls(
            n=n,
            doc_id=chunk.doc_id,
            title=chunk.title,
            section=chunk.section,
            url=chunk.url,
            text=chunk.text,
            score=round(score, 4),
            **fields,
        )


@dataclass
class Answer:
    """One reply. ``answer`` is the full text shown to a person, ending with the notice."""

    body: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    triage: str | None = None
    latency_ms: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    notice: str = replies.NOTICE
    language: str = "en"  # ISO 639-1 code of the reply's first language (``bot.i18n``)

    @property
    def answer(self) -> str:
        return f"{self.body}\n\n{self.notice}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "body": self.body,
            "citations": [asdict(c) for c in self.citations],
            "notice": self.notice,
            "refused": self.refused,
            "triage": self.triage,
            "latency_ms": round(self.latency_ms, 2),
            "suggestions": list(self.suggestions),
            "language": self.language,
        }


def not_covered(suggestions: tuple[str, ...] = replies.SUGGESTED_QUESTIONS, triage: str = "not_covered") -> Answer:
    return Answer(body=replies.NOT_COVERED, refused=True, triage=triage, suggestions=list(suggestions))


@dataclass(frozen=True)
class _Candidate:
    sentence_id: str
    text: str
    refs: tuple[int, ...]
    vector: np.ndarray
    passage: Passage
    order: int  # position within the passages, for reading order
    score: float
    advantage: bool
    caveat: bool
    inherited: bool  # scored by the article's own question it answers
    following: tuple[tuple[str, str, tuple[int, ...]], ...] = ()  # next sentences of the passage (id, text, refs)


class ExtractiveComposer:
    """Picks the few retrieved sentences that answer the question, without redundancy.

    Each sentence is scored by its cosine similarity to the question and its share of the
    question's content words; a sentence that answers a question the article itself asks
    (FAQ-style "Q? A.") inherits that question's match. Small penalties go to long sentences
    and to sentences that lean on the one before them. Selection is greedy with a redundancy
    cut (maximal marginal relevance).
    """

    name = "extractive"

    def __init__(self, max_words: int = 100, min_relevance: float = 0.30, min_sentence_relevance: float = 0.55) -> None:
        self.max_words = max_words
        self.min_relevance = min_relevance
        self.min_sentence_relevance = min_sentence_relevance

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        if not retrieval.passages or not retrieval.covers(self.min_relevance, self.min_sentence_relevance):
            return not_covered()
        candidates = self._candidates(question, retrieval)
        if not candidates or candidates[0].score < self.min_relevance:
            return not_covered()
        chosen = self._select(question, candidates)
        return self._render(chosen, retrieval)

    # -- scoring ----------------------------------------------------------------------
    def _candidates(self, question: str, retrieval: Retrieval) -> list[_Candidate]:
        query_terms = set(retrieval.query_terms)
        definitional = bool(_DEFINITION_CUE.search(question))
        subject = _SUBJECT.match(question)
        ids = [sid for p in retrieval.passages for sid in p.chunk.sentence_ids]
        stored = retrieval.snapshot.sentences(ids)
        seen: set[str] = set()
        out: list[_Candidate] = []
        order = 0
        for rank, passage in enumerate(retrieval.passages):
            asked: tuple[float, float] | None = None  # match of the article's own question just before
            in_order = [stored[sid] for sid in passage.chunk.sentence_ids if sid in stored]
            for position, sentence in enumerate(in_order):
                sid = sentence.id
                similarity = float(np.dot(retrieval.query_vector, sentence.embedding))
                overlap = len(query_terms & set(terms(sentence.text))) / max(len(query_terms), 1)
                if sentence.text.rstrip().endswith("?") and _INTERROGATIVE.match(sentence.text):
                    asked = (similarity, overlap)  # the article's own questions are never quoted as answers
                    continue
                dangling = bool(_DANGLING_START.match(sentence.text))
                inherited = False
                if asked is not None:
                    # "Q? A." in the article: the answer inherits how well its question matches,
                    # fully for a close paraphrase, fading out by 0.65 (a different question).
                    weight = min(max((asked[0] - 0.65) / 0.2, 0.0), 1.0)
                    similarity = max(similarity, weight * asked[0] + (1 - weight) * similarity)
                    overlap = max(overlap, weight * asked[1] + (1 - weight) * overlap)
                    inherited, dangling, asked = weight > 0, dangling and weight == 0, None
                if sid in seen:
                    continue
                defines = definitional and _defines(question, subject.group("term") if subject else None, sentence.text)
                seen.add(sid)
                score = (
                    0.7 * similarity
                    + 0.3 * overlap
                    + 0.02 / (rank + 1)
                    + 0.15 * defines
                    - 0.04 * dangling
                    - 0.002 * max(len(sentence.text.split()) - 20, 0)  # plainer when equally relevant
                )
                out.append(
                    _Candidate(
                        sid,
                        sentence.text,
                        sentence.refs,
                        sentence.embedding,
                        passage,
                        order,
                        score,
                        bool(_ADVANTAGE.search(sentence.text)),
                        bool(_CAVEAT.search(sentence.text)),
                        inherited,
                        tuple((n.id, n.text, n.refs) for n in in_order[position + 1 : position + 5]),
                    )
                )
                order += 1
        out.sort(key=lambda c: -c.score)
        return out

    def _select(self, question: str, candidates: list[_Candidate]) -> list[_Candidate]:
        best = candidates[0]
        # An inherited FAQ match can reach 1.0; judge the supporting sentences on their own scale.
        own = [c.score for c in candidates if not c.inherited]
        floor = max(self.min_relevance, (max(own) if own else best.score) - 0.18)
        pool = [c for c in candidates if c.score >= floor]
        chosen = [best]
        words = len(best.text.split())

        def fits(c: _Candidate) -> bool:
            return words + len(c.text.split()) <= self.max_words and all(
                float(np.dot(c.vector, o.vector)) < 0.85 for o in chosen
            )

        if _COMPARATIVE.search(question):
            # Both sides: the best advantage and the best caveat the sources give.
            for side in ("advantage", "caveat"):
                if any(getattr(c, side) for c in chosen):
                    continue
                for c in candidates:
                    if getattr(c, side) and c.score >= self.min_relevance and fits(c) and c not in chosen:
                        chosen.append(c)
                        words += len(c.text.split())
                        break
        for c in pool:
            if len(chosen) >= 3:
                break
            if c not in chosen and fits(c):
                chosen.append(c)
                words += len(c.text.split())
        return self._with_what_they_announce(chosen)

    def _with_what_they_announce(self, chosen: list[_Candidate]) -> list[_Candidate]:
        """A sentence that promises what follows ("two key differences", "several drawbacks") is
        quoted with the next sentences of its passage; other picks give way to fit the length."""
        out: list[_Candidate] = []
        words = 0
        for rank, c in enumerate(chosen):
            block = [c]
            if rank < 2 and _ANNOUNCES.search(c.text):
                block += [
                    _Candidate(sid, text, refs, c.vector, c.passage, c.order + i, c.score, False, False, c.inherited)
                    for i, (sid, text, refs) in enumerate(_announced(c.text, c.following), start=1)
                ]
            block = [b for b in block if all(b.sentence_id != o.sentence_id for o in out)]
            size = sum(len(b.text.split()) for b in block)
            if out and words + size > self.max_words * 1.2:
                continue
            out += block
            words += size
        # Best passage first; within a passage, the article's own order reads naturally.
        first_seen = {}
        for c in out:
            first_seen.setdefault(c.passage.chunk.id, len(first_seen))
        return sorted(out, key=lambda c: (first_seen[c.passage.chunk.id], c.order))

    # -- output -----------------------------------------------------------------------
    def _render(self, chosen: list[_Candidate], retrieval: Retrieval) -> Answer:
        citations: dict[str, Citation] = {}
        parts = []
        for c in chosen:
            chunk = c.passage.chunk
            citation = citations.get(chunk.id)
            if citation is None:
                citation = citations[chunk.id] = Citation.of(
                    len(citations) + 1, chunk, max(c.passage.similarity, c.passage.sentence_similarity)
                )
            citation.quotes.append(c.text)
            known = retrieval.snapshot.references.get(chunk.doc_id, {})
            for ref in c.refs:
                if ref in known and all(r["n"] != ref for r in citation.references):
                    citation.references.append(known[ref].to_dict())
            parts.append(f"{c.text} [{citation.n}]")
        return Answer(body=" ".join(parts), citations=list(citations.values()))


_COUNT = {"two": "second", "three": "third", "four": "fourth"}


def _announced(text: str, following: tuple[tuple[str, str, tuple[int, ...]], ...]) -> list:
    """The sentences an announcing sentence promises: up to the "Second, ..." of "two key
    differences", otherwise the next two."""
    count = next((w for w in _COUNT if re.search(rf"\b{w}\b", text, re.IGNORECASE)), None)
    if count is None:
        return list(following[:2])
    out = []
    for item in following:
        out.append(item)
        if re.match(rf"\s*{_COUNT[count]}\b", item[1], re.IGNORECASE):
            return out
    return out[:2]


def _defines(question: str, subject: str | None, text: str) -> bool:
    """Does the sentence define what the question asks about: "cytokine release syndrome (CRS)"
    for "what is CRS?" or "what does CRS stand for?", or "NK cells are ..." for "what is an NK cell?"."""
    asked = fold(question)
    for term in find_terms([("", text)]).values():
        if (
            re.search(rf"\b{re.escape(fold(term.abbreviation).rstrip('s'))}s?\b", asked)
            or fold(term.long_form) in asked
        ):
            return True
    if subject:
        t = re.escape(subject.strip().rstrip("s"))
        return bool(re.search(rf"^(?:\w+\s+){{0,2}}{t}s?\b,?\s+(?:is|are|means|refers to)\b", text, re.IGNORECASE))
    return False


_CITED = re.compile(r"(?P<text>[^\[\]]+?)\s*(?P<marks>(?:\[\d+\]\s*)+)(?=\S|$)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def cited_sentences(body: str) -> list[tuple[str, list[int]]]:
    """Split an answer body into (sentence, [citation numbers]); text with no marker gets ``[]``."""
    out: list[tuple[str, list[int]]] = []
    pos = 0
    for m in _CITED.finditer(body):
        if body[pos : m.start()].strip():
            out.append((body[pos : m.start()].strip(), []))
        out.append((m.group("text").strip(), [int(n) for n in re.findall(r"\d+", m.group("marks"))]))
        pos = m.end()
    if body[pos:].strip():
        out.append((body[pos:].strip(), []))
    return out


def numbers_in(text: str) -> set[str]:
    return {n.rstrip(".,") for n in _NUMBER.findall(text)}
