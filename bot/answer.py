"""The reply types and the embedded default composer: verbatim sentences, each cited ``[n]``."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bot import replies
from bot.retrieval import Passage, Retrieval, terms

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
# "What is CRS?", "what does off-the-shelf mean", "define ICANS": the term being asked about.
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what(?:'s|\s+is|\s+are|\s+does|\s+do)|define|meaning of|explain)\s+(?:an?\s+|the\s+)?"
    r"[\"'“]?(?P<term>[\w\- ]{2,60}?)[\"'”]?(?:\s+(?:mean|stand for))?\s*\??\s*$",
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
        asked_term = _DEFINITION_QUESTION.match(question)
        term = asked_term.group("term").strip() if asked_term else None
        ids = [sid for p in retrieval.passages for sid in p.chunk.sentence_ids]
        stored = retrieval.snapshot.sentences(ids)
        seen: set[str] = set()
        out: list[_Candidate] = []
        order = 0
        for rank, passage in enumerate(retrieval.passages):
            asked: tuple[float, float] | None = None  # match of the article's own question just before
            for sid in passage.chunk.sentence_ids:
                sentence = stored.get(sid)
                if sentence is None:
                    continue
                similarity = float(np.dot(retrieval.query_vector, sentence.embedding))
                overlap = len(query_terms & set(terms(sentence.text))) / max(len(query_terms), 1)
                if sentence.text.rstrip().endswith("?"):
                    asked = (similarity, overlap)  # questions are never quoted as answers
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
                defines = bool(term and _defines(term, sentence.text))
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
        return chosen

    # -- output -----------------------------------------------------------------------
    def _render(self, chosen: list[_Candidate], retrieval: Retrieval) -> Answer:
        citations: dict[str, Citation] = {}
        parts = []
        for c in chosen:
            chunk = c.passage.chunk
            citation = citations.get(chunk.id)
            if citation is None:
                citation = citations[chunk.id] = Citation(
                    n=len(citations) + 1,
                    doc_id=chunk.doc_id,
                    title=chunk.title,
                    section=chunk.section,
                    url=chunk.url,
                    text=chunk.text,
                    score=round(max(c.passage.similarity, c.passage.sentence_similarity), 4),
                )
            citation.quotes.append(c.text)
            known = retrieval.snapshot.references.get(chunk.doc_id, {})
            for ref in c.refs:
                if ref in known and all(r["n"] != ref for r in citation.references):
                    citation.references.append(known[ref].to_dict())
            parts.append(f"{c.text} [{citation.n}]")
        return Answer(body=" ".join(parts), citations=list(citations.values()))


def _defines(term: str, text: str) -> bool:
    """Does the sentence spell the term out: "cytokine release syndrome (CRS)", "(GvHD)", "ICANS, a ..."?"""
    t = re.escape(term.strip())
    return bool(
        re.search(rf"\(\s*{t}s?\s*\)", text, re.IGNORECASE)
        or re.search(rf"\b{t}\s*\([A-Za-z\-]{{2,12}}\)", text, re.IGNORECASE)
        or re.search(rf"\b{t}\b,?\s+(?:is|are|means|refers to)\b", text, re.IGNORECASE)
    )


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
