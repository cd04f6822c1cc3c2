"""Questions about the sources themselves: who wrote an article, when and by whom it was published,
what kind of article it is, which studies it rests on. Answered from the front matter and the
reference list (stored with the index in ``CorpusProfile.documents`` and the snapshot's references),
cited to the article, and checked like any other answer: each sentence is supported by the text of
the source card it cites, which is the front matter itself.

The chain's compose stage (``bot.chain``) sends a question about the sources here, whatever the
site's composer is (extractive or a chat model); every other question goes to that composer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.profile import DocumentInfo
from bot.text import CITATION_MARK, DOCUMENT_NAMES, terms
from bot.types import Answer, Citation, Retrieval

# "the leaflet", "the advice on eating", "this page": what an article may be called
_NAMED_DOCUMENT = (
    rf"(?:the|this|that|your) (?:[\w-]+ ){{0,2}}?(?:{DOCUMENT_NAMES}|information|advice|sheet|materials?|piece)s?"
)
_DOCUMENT = rf"(?:it|this|that|these|those|{_NAMED_DOCUMENT})"
_MADE = r"(?:put together|produced|compiled|prepared|created|made|behind|wrote|authored|published|reviewed)"
_ABOUT_SOURCE = re.compile(
    rf"\b(?:who(?:'s|’s| is| are)? {_MADE} {_DOCUMENT}\b|who (?:put|pulled) {_DOCUMENT} together\b|"
    rf"who (?:put|brought) {_DOCUMENT} out\b|"
    # a person asked for by kind, of a document named as one ("which drug is behind this rash?" is not)
    rf"(?:which|what) [\w-]+(?: or (?:an? )?[\w-]+)?(?: is| are| was| were)? {_MADE} {_NAMED_DOCUMENT}\b|"
    rf"(?:when|what (?:year|date)) (?:did|does) {_DOCUMENT}(?: [\w-]+){{0,5}}? "
    r"(?:come out|appear|get published|go out|go online)\b|"
    # "when did the hospital bring out this leaflet?": the publisher named as the subject
    rf"(?:when|what (?:year|date)) (?:did|does) (?:the |this |that |your )?(?:[\w-]+ ){{1,2}}?(?:bring out|put out|"
    rf"publish|release|issue|write|produce|update|print) {_DOCUMENT}\b|"
    r"who (?:wrote|writes|authored|published|reviewed|is behind) (?:it|this|that|the|these|those|your)\b|"
    r"who (?:is|are|was|were) the (?:authors?|writers?|publishers?)|authors? of (?:it|this|that|the|these)\b|"
    r"(?:when|what (?:year|date)) (?:was|were) (?:it|this|that|they|these|those|the)(?: [\w-]+){0,5}? "
    r"(?:(?:last )?(?:written|published|updated|reviewed|released|issued|printed|put out|put online|posted))|"
    r"publication date|what kind of (?:article|document|handout|source|paper) is|"
    r"what type of (?:article|document|handout|source|paper) is|"
    r"(?:which|what) (?:study|studies|research|papers?) (?:is|are|was|does|do) (?:it|this|that|they|the \w+) "
    r"(?:based on|rest on|come from|cite)|based on (?:which|what) (?:study|studies|research)|"
    r"(?:what|which) (?:are )?(?:your|the|its|their) (?:sources|references))",
    re.IGNORECASE,
)
# "Which study does the 8 % figure come from?", "what is the advice on X based on?": the basis of
# one claim, not of the whole article (``_ABOUT_SOURCE``). "Where do the cells come from?" names no claim.
_RESTS_ON = r"based on|rests? on|c[oa]mes? from|backed (?:up )?by"
_RESEARCH = r"stud(?:y|ies)|trials?|research|papers?"
_BASIS = re.compile(rf"\b(?:{_RESTS_ON})\b", re.IGNORECASE)
_CLAIM = re.compile(
    r"\b(?:stud(?:y|ies)|trials?|research|papers?|evidence|figures?|numbers?|statistics?|percentages?|advice|"
    r"claims?|recommendations?|findings?|statements?|guidance|data|results?)\b",
    re.IGNORECASE,
)
# What is left of "What research is the breastfeeding advice in this sheet based on?" once the asking
# is taken away: the statement itself ("the breastfeeding advice"), which is what retrieval should find.
_ASKING_FOR_BASIS = re.compile(
    rf"^\W*(?:which|what|where)(?: (?:{_RESEARCH}|evidence|sources?))?"
    r"(?: (?:is|are|was|were|does|do|did))?\s+|"
    rf"\s*\b(?:{_RESTS_ON}|"
    rf"(?:in|from|of) (?:this|the|that|your) (?:{DOCUMENT_NAMES}|sheet|information|materials?)s?)\b",
    re.IGNORECASE,
)
_WHICH_STUDY = re.compile(rf"\b(?:which|what) (?:{_RESEARCH})\b", re.IGNORECASE)
BASIS_STUDIES = 2  # studies named for one claim at most
_AUTHORS = re.compile(r"\b(?:who\b|authors?|writers?|written|behind)", re.IGNORECASE)
_DATE = re.compile(r"\b(?:when|what year|date)\b", re.IGNORECASE)
_KIND = re.compile(r"\b(?:kind|type|sort) of\b", re.IGNORECASE)
_STUDIES = re.compile(r"\b(?:stud(?:y|ies)|research|papers?|references|sources|based on|rest on)\b", re.IGNORECASE)
_PLURAL = re.compile(r"\b(?:articles|handouts|sources|documents|materials)\b", re.IGNORECASE)
MAX_STUDIES = 3


def asks_about_sources(question: str) -> bool:
    """ "Who wrote this?", "when was the handout published?", "which study is that based on?"."""
    return bool(_ABOUT_SOURCE.search(question))


def asks_for_basis(question: str) -> bool:
    """Does the question ask which study or source one statement of an article rests on?"""
    return bool(_WHICH_STUDY.search(question) or (_BASIS.search(question) and _CLAIM.search(question)))


def basis_claim(question: str) -> str:
    """The statement a basis question asks about ("Where does the figure about pain come from?" →
    "the figure about pain"); the question itself when it names no basis ("Which trial showed the
    longest survival?") or little is left."""
    if not _BASIS.search(question):
        return question
    claim = _ASKING_FOR_BASIS.sub("", question).strip(" ?.!")
    return claim if len(claim.split()) >= 2 else question


def with_basis(answer: Answer, retrieval: Retrieval) -> Answer:
    """The studies the answer's first passage cites (its quoted sentences' own, else the passage's
    when it cites one), each as a sentence citing a card that holds the reference, then the answer."""
    if answer.refused or not answer.citations:
        return answer
    first = answer.citations[0]
    studies = [r["citation"] for r in first.references if r.get("citation")]
    if not studies:
        known = retrieval.references.get(first.doc_id, {})
        cited = {n for p in retrieval.passages if p.chunk.text == first.text for n in p.chunk.refs if n in known}
        studies = [known[n].citation for n in cited if known[n].citation] if len(cited) == 1 else []
    studies = studies[:BASIS_STUDIES]
    if not studies:
        return answer
    shift = len(studies)
    cards = [
        Citation(n, first.doc_id, first.title, "References", None, study, 0.0, [study])
        for n, study in enumerate(studies, start=1)
    ]
    moved = [replace(c, n=c.n + shift) for c in answer.citations]
    body = CITATION_MARK.sub(lambda m: f"[{int(m.group(1)) + shift}]", answer.body)
    lead = " ".join(f"The article cites this study for it: {study} [{n}]" for n, study in enumerate(studies, start=1))
    return replace(answer, body=f"{lead} {body}", citations=[*cards, *moved])


def about_sources(question: str, retrieval: Retrieval) -> Answer:
    """One or two sentences per article asked about, each citing a card holding its front matter."""
    order = list(dict.fromkeys(p.chunk.doc_id for p in retrieval.passages))
    docs = [retrieval.documents[d] for d in order if d in retrieval.documents]
    # "is it from a hospital or a charity?": an article whose front matter says what the question
    # names goes first; among the rest (and when none does) the order of retrieval stands
    asked = set(terms(question))
    docs.sort(key=lambda doc: -len(asked & set(terms(" ".join(_described(doc))))))
    docs = docs if _PLURAL.search(question) else docs[:1]
    parts, citations = [], []
    for n, doc in enumerate(docs, start=1):
        studies = [r.citation for r in retrieval.references.get(doc.id, {}).values() if r.citation][:MAX_STUDIES]
        card = front_matter(doc, studies)
        citations.append(Citation(n, doc.id, doc.title, "About this article", doc.url, card, 1.0, [card]))
        parts += [f"{sentence} [{n}]" for sentence in _sentences(question, doc, studies)]
    return Answer(body=" ".join(parts), citations=citations)


def front_matter(doc: DocumentInfo, studies: Sequence[str]) -> str:
    """The source card's text: what the article says about itself, in the words the answer uses."""
    lines = [f"Title: {doc.title}."]
    lines.append(f"Written by: {', '.join(doc.authors)}." if doc.authors else "Written by: no author is listed.")
    if doc.publisher:
        lines.append(f"Published by: {doc.publisher}.")
    lines.append(f"Published on: {doc.date}." if doc.date else "Published on: no date is listed.")
    if doc.article_type:
        lines.append(f"Kind of article: {doc.article_type}.")
    if studies:
        lines.append("Studies it rests on: " + "; ".join(studies))
    return " ".join(lines)


def _described(doc: DocumentInfo) -> list[str]:
    """What the front matter says of an article: its title, authors, publisher and kind."""
    return [doc.title, *doc.authors, doc.publisher or "", doc.article_type or ""]


def _sentences(question: str, doc: DocumentInfo, studies: Sequence[str]) -> list[str]:
    title = f"“{doc.title}”"
    wanted = {
        "authors": bool(_AUTHORS.search(question)),
        "date": bool(_DATE.search(question)),
        "kind": bool(_KIND.search(question)),
        "studies": bool(_STUDIES.search(question)),
    }
    if not any(wanted.values()):
        wanted = dict.fromkeys(wanted, True)
    out = []
    by = f" by {doc.publisher}" if doc.publisher else ""
    if wanted["authors"]:
        who = f"was written by {', '.join(doc.authors)}" if doc.authors else "lists no author"
        when = f" on {doc.date}" if doc.date else ""
        out.append(f"{title} {who}; it was published{by}{when}.")
    elif wanted["date"]:  # "when was it published?": the date first
        out.append(
            f"{title} was published on {doc.date}{by}." if doc.date else f"{title} lists no date; it was published{by}."
        )
    if wanted["kind"] and doc.article_type:
        # "is it from a hospital or a charity?" is answered by who published it, unless said above
        published = f", published{by}" if by and not out else ""
        out.append(f"{title} is this kind of article: {doc.article_type}{published}.")
    if wanted["studies"]:
        out.append(
            f"{title} rests on these studies: {'; '.join(studies)}." if studies else f"{title} lists no studies."
        )
    return out
