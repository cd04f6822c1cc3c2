"""What the corpus says about itself, derived once per index generation at ingest.

``build_profile`` reads the articles and their passages and finds: the abbreviations they define
(and which of them are distinctive enough to expand a search with), their vocabulary, the
questions they suggest asking the care team, the questions they ask and answer themselves (an FAQ,
question headings), the topics they cover (the scope check's in-domain examples), the signs they
send readers to emergency care for (the guard's emergency examples), and each article's front
matter essentials. The result is stored with the
generation and loaded with its ``Snapshot`` (``snapshot.profile``), so the retriever, the guard,
the composers and the UI read one object that follows a live re-ingest, and opening an index
rebuilds none of it.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bot.chunking import Chunk, content_id, split_sentences, strip_markers
from bot.corpus import Document
from bot.glossary import Term, distinctive, find_terms
from bot.text import clauses, fold, is_list_item, terms, without_list_marker

if TYPE_CHECKING:
    from bot.lexicon import Lexicon

# Questions for the care team, named in an intro ("Sensible questions for an oncology team: ...",
# "Questions to ask your doctor: ...") or as a heading ("Questions to ask your team").
_FOR_THE_TEAM = r"\bquestions?\b[^.?!:]{0,40}\b(?:team|doctors?|oncologists?|nurses?|specialists?|clinicians?)"
_TEAM_QUESTIONS = re.compile(_FOR_THE_TEAM + r"\s*:\s*", re.IGNORECASE)
_TEAM_QUESTIONS_HEADING = re.compile(_FOR_THE_TEAM + r"\b", re.IGNORECASE)
#: At most this many care-team questions are kept per article (one list, as the article gives it).
MAX_TEAM_QUESTIONS = 4
#: Words of headings that name a part of any document, not a topic ("Introduction", "Key takeaway").
_STRUCTURAL_WORDS = (
    "introduction conclusion conclusions summary abstract background references methods results discussion "
    "overview key takeaway takeaways points common frequently asked questions faq notes contents glossary "
    "appendix acknowledgements further reading resources"
)


@dataclass(frozen=True)
class Question:
    """A question quoted from the articles, with the passage it is in (for the citation)."""

    text: str
    chunk_id: str
    kind: str  # "team": to ask the care team; "faq": asked and answered in one paragraph; "heading"


@dataclass(frozen=True)
class DocumentInfo:
    """An article's front matter essentials: who wrote it, who published it and when, what it is."""

    id: str
    title: str
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    date: str | None = None
    article_type: str | None = None
    url: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class CorpusProfile:
    """Corpus-derived data of one index generation (empty for an empty corpus)."""

    glossary: dict[str, Term] = field(default_factory=dict)  # Term.key → defined abbreviation
    expansions: dict[str, Term] = field(default_factory=dict)  # glossary terms rare enough to expand a query
    vocabulary: dict[str, int] = field(default_factory=dict)  # word → uses, as ``bot.lexicon.Lexicon`` counts
    compounds: dict[str, str] = field(default_factory=dict)  # short hyphenated names, joined → as written
    team_questions: tuple[Question, ...] = ()
    article_questions: tuple[Question, ...] = ()
    topics: tuple[str, ...] = ()  # titles, topical headings, the terms defined: what the articles are about
    urgent_signs: tuple[str, ...] = ()  # "I vomit blood ...": what they send readers to emergency care for
    documents: dict[str, DocumentInfo] = field(default_factory=dict)

    @functools.cached_property
    def lexicon(self) -> Lexicon:
        """The guard's word checks over this vocabulary (built on first use, then kept)."""
        from bot.lexicon import Lexicon

        return Lexicon(counts=self.vocabulary, joined=self.compounds)

    def to_json(self) -> str:
        return json.dumps(
            {
                "glossary": {key: asdict(term) for key, term in self.glossary.items()},
                "expansions": list(self.expansions),
                "vocabulary": self.vocabulary,
                "compounds": self.compounds,
                "team_questions": [asdict(q) for q in self.team_questions],
                "article_questions": [asdict(q) for q in self.article_questions],
                "topics": list(self.topics),
                "urgent_signs": list(self.urgent_signs),
                "documents": {doc_id: asdict(info) for doc_id, info in self.documents.items()},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> CorpusProfile:
        data: dict[str, Any] = json.loads(text) if text else {}
        glossary = {key: Term(**term) for key, term in data.get("glossary", {}).items()}
        return cls(
            glossary=glossary,
            expansions={key: glossary[key] for key in data.get("expansions", []) if key in glossary},
            vocabulary={str(w): int(n) for w, n in data.get("vocabulary", {}).items()},
            compounds={str(k): str(v) for k, v in data.get("compounds", {}).items()},
            team_questions=tuple(Question(**q) for q in data.get("team_questions", [])),
            article_questions=tuple(Question(**q) for q in data.get("article_questions", [])),
            topics=tuple(str(t) for t in data.get("topics", [])),
            urgent_signs=tuple(str(t) for t in data.get("urgent_signs", [])),
            documents={
                doc_id: DocumentInfo(**{**info, "authors": tuple(info.get("authors", ()))})
                for doc_id, info in data.get("documents", {}).items()
            },
        )


def build_profile(docs: Sequence[Document], chunks: Sequence[Chunk]) -> CorpusProfile:
    """Everything above, from the articles and the passages they were cut into."""
    from bot.lexicon import Lexicon  # imported here: it imports the retriever, which imports the store

    glossary = find_terms((c.id, c.text) for c in chunks)
    team = find_team_questions(chunks)
    lexicon = Lexicon(f"{c.section} {c.text}" for c in chunks)
    article_questions = find_article_questions(docs, chunks, exclude=[text for _, text in team])
    return CorpusProfile(
        glossary=glossary,
        expansions=distinctive(glossary, [c.text for c in chunks]),
        vocabulary=dict(lexicon.counts),
        compounds=lexicon.compounds,
        team_questions=tuple(Question(text, chunk.id, "team") for chunk, text in team),
        article_questions=tuple(article_questions),
        topics=find_topics(docs, glossary.values(), article_questions),
        urgent_signs=find_urgent_signs(chunks),
        documents={doc.id: document_info(doc) for doc in docs},
    )


def find_team_questions(chunks: Sequence[Any]) -> list[tuple[Any, str]]:
    """Each article's questions for the care team: after an intro such as "Sensible questions for an
    oncology team:", or under a heading such as "Questions to ask your team" (past a line that
    introduces them), the questions that follow in that passage; one list per article."""
    out: list[tuple[Any, str]] = []
    listed: set[str] = set()  # articles whose list is found
    for chunk in chunks:
        if chunk.doc_id in listed:
            continue
        intro = _TEAM_QUESTIONS.search(chunk.text)
        if intro is not None:
            sentences = clauses(chunk.text[intro.end() :])
        elif _TEAM_QUESTIONS_HEADING.search(chunk.section):  # past the line that introduces them
            texts = [s.text for s in chunk.sentences]
            sentences = list(itertools.dropwhile(lambda s: not s.endswith("?"), texts))
        else:
            continue
        found = [without_list_marker(s) for s in itertools.takewhile(lambda s: s.endswith("?"), sentences)]
        if found:
            listed.add(chunk.doc_id)
            out.extend((chunk, question) for question in found[:MAX_TEAM_QUESTIONS])
    return out


# Emergency care, as an article sends a reader to it ("Call 999 or go to the emergency department if ...").
_EMERGENCY_CARE = re.compile(
    r"\b(?:999|911|112|ambulance|emergency (?:department|room|services)|a\s?&\s?e|accident and emergency)\b",
    re.IGNORECASE,
)
_IF = re.compile(r"\bif\b\s*(?P<signs>.+)$", re.IGNORECASE)
_SECOND_PERSON = ((r"\byou're\b", "I'm"), (r"\byourself\b", "myself"), (r"\byour\b", "my"), (r"\byou\b", "I"))
#: At most this many signs are kept (they are embedded once per generation).
MAX_URGENT_SIGNS = 24


def find_urgent_signs(chunks: Sequence[Any]) -> tuple[str, ...]:
    """The signs an article sends readers to emergency care for, said as a report: "Call 999 if you
    vomit blood" → "I vomit blood"; after "Go to A&E if you have:", each item of the list."""
    signs: list[str] = []
    for chunk in chunks:
        sentences = [s.text for s in chunk.sentences]
        for at, text in enumerate(sentences):
            if not _EMERGENCY_CARE.search(text):
                continue
            if text.rstrip().endswith(":"):
                items = itertools.takewhile(is_list_item, sentences[at + 1 :])
                signs.extend(_as_report(item) for item in items)
            elif (condition := _IF.search(text)) is not None:
                signs.append(_as_report(condition.group("signs")))
    return tuple(dict.fromkeys(s for s in signs if len(s.split()) >= 2))[:MAX_URGENT_SIGNS]


def _as_report(condition: str) -> str:
    text = without_list_marker(condition).strip(" .;:,")
    for pattern, first_person in _SECOND_PERSON:
        text = re.sub(pattern, first_person, text, flags=re.IGNORECASE)
    return text


def find_article_questions(
    docs: Sequence[Document], chunks: Sequence[Chunk], exclude: Iterable[str] = ()
) -> list[Question]:
    """Questions the articles ask and answer: a paragraph that opens with a question and goes on to
    answer it (an FAQ entry), and a section heading phrased as a question. Reading order, no repeats.
    """
    home = {(c.doc_id, s.id): c.id for c in chunks for s in c.sentences}
    first_of_section = {}
    for chunk in chunks:
        first_of_section.setdefault((chunk.doc_id, chunk.section), chunk.id)
    seen = {fold(text) for text in exclude}
    out: list[Question] = []

    def keep(text: str, chunk_id: str | None, kind: str) -> None:
        if chunk_id is not None and fold(text) not in seen:
            seen.add(fold(text))
            out.append(Question(text, chunk_id, kind))

    for doc in docs:
        for section in doc.sections:
            if section.title.rstrip().endswith("?"):
                keep(section.title.strip(), first_of_section.get((doc.id, section.title)), "heading")
            for paragraph in section.paragraphs:
                if "?" not in paragraph:
                    continue  # no question in it (and sentence splitting is the slow part)
                sentences = [strip_markers(s)[0] for s in split_sentences(paragraph)]
                if len(sentences) >= 2 and sentences[0].endswith("?") and not _TEAM_QUESTIONS.search(sentences[0]):
                    keep(sentences[0], home.get((doc.id, content_id(doc.id, sentences[0]))), "faq")
    return out


def find_topics(docs: Sequence[Document], glossary: Iterable[Term], questions: Sequence[Question]) -> tuple[str, ...]:
    """What the articles are about, as short texts a question about them reads like: each title,
    each heading that names a topic (not "Introduction" or "Common questions"), the questions they
    ask themselves, and "what is <term>" for each term they define. No repeats, reading order."""
    texts = [doc.title for doc in docs]
    texts += [s.title for doc in docs for s in doc.sections if _names_a_topic(s.title)]
    texts += [q.text for q in questions]
    texts += [f"what is {term.long_form}" for term in glossary]
    return tuple(dict.fromkeys(t.strip() for t in texts if t.strip()))


def _names_a_topic(heading: str) -> bool:
    return bool(set(terms(heading)) - _structural())


@functools.cache
def _structural() -> frozenset[str]:
    return frozenset(terms(_STRUCTURAL_WORDS))


def document_info(doc: Document) -> DocumentInfo:
    meta = doc.metadata
    authors = meta.get("authors") or ()
    return DocumentInfo(
        id=doc.id,
        title=doc.title,
        authors=(str(authors),) if isinstance(authors, str) else tuple(str(a) for a in authors),
        publisher=_text(meta.get("publisher")),
        date=_text(meta.get("date")),  # YAML reads an unquoted 2025-06-24 as a date
        article_type=_text(meta.get("article_type")),
        url=doc.url,
        description=_text(meta.get("description")),
    )


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
