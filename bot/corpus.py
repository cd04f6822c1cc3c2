"""Load the cleaned articles: Markdown with YAML front matter, ``## `` sections, ``[^n]`` study markers."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.text import is_list_item

log = logging.getLogger(__name__)

REQUIRED_KEYS = ("id", "title")
_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# A bold run-in label opening a paragraph ("**Choosing a wig.** Some people ..."): a sub-heading, not a
# sentence (a bold question, "**Can I swim?** No. ...", stays: the article's own question and answer).
_RUN_IN = re.compile(r"^\*\*([^*?]{2,60}?)[.:]\*\*(?:\s+|$)")


class CorpusError(Exception):
    """A corpus file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Reference:
    """A primary study a passage rests on, from the article's reference list."""

    n: int
    citation: str
    authors: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    url: str | None = None

    @property
    def link(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "citation": self.citation,
            "authors": self.authors,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "doi": self.doi,
            "url": self.link,
        }


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    path: Path
    sections: tuple[Section, ...]
    metadata: dict[str, Any] = field(hash=False, compare=False)
    references: dict[int, Reference] = field(hash=False, compare=False)
    content_hash: str = ""

    @property
    def url(self) -> str | None:
        doi = self.metadata.get("doi")
        if doi:
            return f"https://doi.org/{doi}"
        if self.metadata.get("url"):
            return str(self.metadata["url"])
        # A summary with no address of its own links to what it summarises.
        for ref in self.references.values():
            if ref.link:
                return ref.link
        return None


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[CorpusError]]:
    """Every ``*.md`` file in the folder, sorted by name.

    A broken file does not stop the rest: it is returned as an error naming the file.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    documents: list[Document] = []
    errors: list[CorpusError] = []
    seen: dict[str, Path] = {}
    for path in sorted(corpus_dir.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            doc = load_document(path)
            if doc.id in seen:
                raise CorpusError(f"{path}: id {doc.id!r} is already used by {seen[doc.id]}")
        except CorpusError as exc:
            log.warning("skipping corpus file: %s", exc)
            errors.append(exc)
            continue
        seen[doc.id] = path
        documents.append(doc)
    return documents, errors


def load_document(path: Path) -> Document:
    import frontmatter  # python-frontmatter; imported here to keep `import bot` light
    import yaml

    try:
        raw = path.read_bytes()
        if b"\x00" in raw:
            raise CorpusError(f"{path}: binary file, expected Markdown text")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    if not text.strip():
        raise CorpusError(f"{path}: empty file")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: bad front matter ({exc.__class__.__name__})") from None
    meta = dict(post.metadata)
    missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise CorpusError(f"{path}: front matter lacks {', '.join(missing)}")
    sections = parse_sections(post.content)
    if not sections:
        raise CorpusError(f"{path}: no text under any '## ' heading")
    references = _parse_references(path, meta.pop("references", None) or [])
    return Document(
        id=str(meta["id"]),
        title=str(meta["title"]),
        path=path,
        sections=tuple(sections),
        metadata=meta,
        references=references,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def parse_sections(body: str) -> list[Section]:
    """Split a Markdown body into ``## `` sections of paragraphs (text before any heading is "Introduction")."""
    sections: list[Section] = []
    heading_title = title = "Introduction"
    paragraphs: list[str] = []
    current: list[str] = []

    def end_section(next_title: str) -> None:
        nonlocal title, paragraphs
        if paragraphs:
            sections.append(Section(title, tuple(paragraphs)))
        title, paragraphs = next_title, []

    def end_paragraph() -> None:
        text = " ".join(current)
        current.clear()
        label = _RUN_IN.match(text)
        if label:  # "**Choosing a wig.** Some people ...": a sub-section "Heading: Choosing a wig"
            end_section(f"{heading_title}: {label.group(1).strip()}")
            text = text[label.end() :]
        if text:
            paragraphs.append(_BOLD.sub(r"\1", text))

    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            end_paragraph()
            heading_title = heading.group(1)
            end_section(heading_title)
        elif is_list_item(line):
            end_paragraph()  # each item of a list is read on its own, not as one long sentence
            current.append(line.strip())
        elif line.strip():
            current.append(line.strip())
        else:
            end_paragraph()
    end_paragraph()
    end_section("")
    return sections


def _parse_references(path: Path, entries: list[Any]) -> dict[int, Reference]:
    refs: dict[int, Reference] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "n" not in entry:
            raise CorpusError(f"{path}: every reference needs a number 'n'")
        year = entry.get("year")
        refs[int(entry["n"])] = Reference(
            n=int(entry["n"]),
            citation=str(entry.get("citation") or entry.get("title") or ""),
            authors=entry.get("authors"),
            title=entry.get("title"),
            journal=entry.get("journal"),
            year=int(year) if year else None,
            doi=entry.get("doi"),
            url=entry.get("url"),
        )
    return refs
