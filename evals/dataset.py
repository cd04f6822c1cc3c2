"""The labelled question sets: loading any JSONL of questions, and checking labels against the corpus.

Only ``id`` and ``question`` are required on a line; every other field is optional and unknown
fields are ignored, so a plain list of questions can be run too (it is scored on what it has).

The default sets: ``questions-dev.jsonl`` (tune on it), ``questions-test.jsonl`` (frozen: scored,
never tuned on), one set per folder of ``dev_articles/`` and one per folder of ``new_articles/``
(each an article the shipped corpus does not have, its questions and its ``site.yaml``; scored on
a corpus with that article added). The dev articles may be tuned on; the new articles may not.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The kinds of the shipped corpus's question sets (dev and test).
CORE_KINDS = (
    "fact",
    "comparison",
    "lay/typo",
    "follow-up",
    "advice",
    "emergency",
    "out-of-scope",
    "injection",
    "bad-input",
)
#: Kinds only the new-article sets have: a personal-sounding question that asks for a fact
#: ("when can I drive again?", answered without the advice framing), and one about the source itself.
KINDS = (*CORE_KINDS, "personal-info", "source")
EXPECTS = ("answer", "refuse", "triage")
UNLABELLED = "unlabelled"  # the kind of a line without one

EVALS_DIR = Path(__file__).resolve().parent
DEV_QUESTIONS = EVALS_DIR / "questions-dev.jsonl"
TEST_QUESTIONS = EVALS_DIR / "questions-test.jsonl"
DEV_ARTICLES = EVALS_DIR / "dev_articles"  # added articles to tune generic behaviour on
NEW_ARTICLES = EVALS_DIR / "new_articles"  # added articles that are test-only

# Typographic quotes and dashes are the same words to a reader and to a label.
_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_STUDY_MARKER = re.compile(r"\[\^\d+\]")  # [^12] in the Markdown articles
_CITE_MARKER = re.compile(r"\s*\[\d+\]")  # [1] in answers
_BOLD = re.compile(r"\*\*")


class DatasetError(ValueError):
    """The question file cannot be used; the message names the line."""


@dataclass(frozen=True)
class PassageLabel:
    """A passage that answers the question: any passage of ``doc_id`` containing ``quote``."""

    doc_id: str
    quote: str


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    kind: str = UNLABELLED
    history: tuple[dict[str, str], ...] = ()
    passages: tuple[PassageLabel, ...] = ()
    facts: tuple[str, ...] = ()  # regexes (case-insensitive) a correct answer must all match
    expect: str | None = None  # answer | refuse | triage; None = not labelled
    expected_triage: tuple[str | None, ...] = ()  # accepted Answer.triage values (None: no triage); first = class
    forbidden: tuple[str, ...] = ()  # regexes a correct answer must not match
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # unknown fields, kept for the report

    @property
    def triage_class(self) -> str | None:
        return self.expected_triage[0] if self.expected_triage else None


def normalise(text: str) -> str:
    """Text as labels are matched against it: NFKC, plain quotes and dashes, no markers, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = _BOLD.sub("", _CITE_MARKER.sub("", _STUDY_MARKER.sub("", text)))
    return " ".join(text.split())


def contains_quote(text: str, quote: str) -> bool:
    return normalise(quote).lower() in normalise(text).lower()


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, normalise(text), re.IGNORECASE | re.MULTILINE) is not None


def load_questions(path: Path | str) -> list[Item]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        try:
            item = parse_item(raw)
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{path}:{number}: {exc}") from None
        if item.id in seen:
            raise DatasetError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: no questions")
    return items


_KNOWN = {"id", "question", "kind", "history", "passages", "facts", "expect", "expected_triage", "forbidden", "note"}


def parse_item(raw: object) -> Item:
    if not isinstance(raw, dict):
        raise TypeError("each line must be a JSON object")
    if "id" not in raw or "question" not in raw:
        raise ValueError("each line needs at least 'id' and 'question'")
    if not isinstance(raw["question"], str):
        raise TypeError("'question' must be a string")
    expect = raw.get("expect")
    if expect is not None and expect not in EXPECTS:
        raise ValueError(f"'expect' must be one of {', '.join(EXPECTS)}, not {expect!r}")
    triage = raw.get("expected_triage")
    triage_values = tuple(triage) if isinstance(triage, list) else (() if triage is None else (triage,))
    passages = tuple(PassageLabel(str(p["doc_id"]), str(p["quote"])) for p in raw.get("passages") or [])
    history = tuple(
        {"role": str(m.get("role", "")), "content": str(m.get("content", ""))} for m in raw.get("history") or []
    )
    facts = tuple(str(f) for f in raw.get("facts") or [])
    forbidden = tuple(str(f) for f in raw.get("forbidden") or [])
    for pattern in (*facts, *forbidden):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return Item(
        id=str(raw["id"]),
        question=raw["question"],
        kind=str(raw.get("kind") or UNLABELLED),
        history=history,
        passages=passages,
        facts=facts,
        expect=expect,
        expected_triage=tuple(None if t is None else str(t) for t in triage_values),
        forbidden=forbidden,
        note=str(raw.get("note") or ""),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def check_labels(items: Sequence[Item], documents: Iterable[Any]) -> list[str]:
    """Problems with labels against the corpus (``bot.corpus.Document``s): unknown docs, quotes not found."""
    texts = {doc.id: normalise(" ".join(p for s in doc.sections for p in s.paragraphs)).lower() for doc in documents}
    problems = []
    for item in items:
        if item.kind not in (*KINDS, UNLABELLED):
            problems.append(f"{item.id}: unknown kind {item.kind!r}")
        for label in item.passages:
            if label.doc_id not in texts:
                problems.append(f"{item.id}: unknown doc_id {label.doc_id!r}")
            elif normalise(label.quote).lower() not in texts[label.doc_id]:
                problems.append(f"{item.id}: quote not in {label.doc_id}: {label.quote!r}")
        if item.expect == "triage" and not item.expected_triage:
            problems.append(f"{item.id}: expect 'triage' needs expected_triage")
    return problems


def sections_covered(items: Sequence[Item], documents: Iterable[Any]) -> dict[tuple[str, str], list[str]]:
    """Which question ids have a labelled passage in each (doc_id, section)."""
    covered: dict[tuple[str, str], list[str]] = {}
    for doc in documents:
        for section in doc.sections:
            text = normalise(" ".join(section.paragraphs)).lower()
            covered[(doc.id, section.title)] = [
                item.id
                for item in items
                if any(p.doc_id == doc.id and normalise(p.quote).lower() in text for p in item.passages)
            ]
    return covered
