"""The chat as HTML: questions, streamed and final answers, source cards, definitions, QR codes.

Pure functions, no Gradio. Text is cut into pieces here (citation markers, defined words,
quoted sentences); the Jinja2 templates in ``bot/ui_templates`` turn the pieces into HTML with
autoescaping, so every text from a person or from the assistant is escaped. What goes to the
page is then passed through nh3 with an allowlist (the page inserts it with ``innerHTML``): no
script, no event handler, and only ``http(s)`` links and the server's own SVG QR codes survive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from markupsafe import Markup

from bot import replies
from bot.text import CITATION_MARK
from bot.types import Answer, Citation

#: Triage values shown as an emergency: the reply is visually urgent and announced at once.
URGENT_TRIAGE = frozenset({"emergency", "urgent", "crisis"})

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Definition:
    """A word the articles define, with the sentence that defines it (tap-to-define)."""

    term: str  # as written in the articles, singular: "WBC", "MRI", "HER2"
    long_form: str  # "magnetic resonance imaging"
    sentence: str  # the defining sentence, quoted
    title: str  # the article it is from
    section: str
    url: str | None


@dataclass(frozen=True)
class Turn:
    """One question and its final answer (what a session keeps), with its HTML once rendered."""

    question: str
    answer: Answer
    html: str = ""  # rendered once when the turn ends, so later updates only join strings


@dataclass(frozen=True)
class Pending:
    """The turn being answered: the question and the text streamed so far."""

    question: str
    streamed: str = ""


# -- links --------------------------------------------------------------------------------
def safe_url(url: object) -> str | None:
    """An absolute ``http(s)`` URL, or None (a ``javascript:`` or malformed link is never rendered)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or c in "<>\"'" for c in url):
        return None
    return url


def reference_link(ref: Mapping[str, Any]) -> str | None:
    return safe_url(ref.get("url")) or (safe_url(f"https://doi.org/{ref['doi']}") if ref.get("doi") else None)


def source_links(answer: Answer) -> list[str]:
    """Every link an answer rests on, in citation order, without repeats: what "Take home" encodes."""
    links: list[str] = []
    for c in answer.citations:
        for link in [safe_url(c.url), *(reference_link(r) for r in c.references)]:
            if link and link not in links:
                links.append(link)
    return links


@functools.lru_cache(maxsize=512)
def qr_data_uri(text: str) -> str:
    """An SVG QR code as a ``data:`` URI, made on the server (segno; nothing is fetched).

    Cached, and made with a fixed mask: segno's search for the best of the eight masks is ~70 % of
    the ~50 ms a code takes in pure Python (a fresh set of links with every other answer), and any
    mask gives a valid code; the search only evens out light and dark areas. Only source links go in.
    """
    import segno

    code = segno.make(text, micro=False, error="m", mask=0)
    return str(code.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


# -- text into pieces -------------------------------------------------------------------------
class Piece(NamedTuple):
    """A run of answer text: plain ``text``, a ``cite`` marker [n], or a defined ``term``."""

    kind: str
    text: str
    n: int = 0
    turn: str = ""
    box: str = ""


class Inline:
    """Cuts one answer's lines into pieces: ``[n]`` markers that cite, and defined words (first use)."""

    def __init__(self, turn_id: str, citations: Iterable[int], glossary: Mapping[str, Definition], body: str) -> None:
        self.turn_id = turn_id
        self.citations = set(citations)
        lowered = body.lower()
        # A word whose long form the answer already spells out needs no definition.
        self.glossary = {t: d for t, d in glossary.items() if d.long_form.lower() not in lowered}
        self.used: dict[str, Definition] = {}
        terms = sorted(self.glossary, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in terms) or r"(?!x)x"
        # A term stands alone: "MRI", "MRIs"; not "AB" inside "XY-AB" or "AB-cell".
        self.pattern = re.compile(rf"\[(?P<n>\d+)\]|(?<![\w-])(?P<term>{alternatives})(?P<plural>s?)(?![\w-])")

    def pieces(self, text: str) -> list[Piece]:
        out: list[Piece] = []
        pos = 0
        for m in self.pattern.finditer(text):
            out.append(Piece("text", text[pos : m.start()]))
            pos = m.end()
            term = m.group("term")
            if m.group("n") is not None and int(m.group("n")) in self.citations:
                out.append(Piece("cite", m.group(0), n=int(m.group("n")), turn=self.turn_id))
            elif term is not None and term not in self.used:  # the first mention is enough
                self.used[term] = self.glossary[term]
                out.append(Piece("term", m.group(0), box=self.box_id(term)))
            else:
                out.append(Piece("text", m.group(0)))
        out.append(Piece("text", text[pos:]))
        return out

    def box_id(self, term: str) -> str:
        return f"def-{self.turn_id}-{re.sub(r'[^A-Za-z0-9]', '', term)}"


def blocks(text: str, inline: Inline) -> list[dict[str, list[list[Piece]]]]:
    """Paragraphs and bulleted lists from plain text (blank lines, "- " items)."""
    out = []
    for block in _PARAGRAPHS.split(text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        intro = [inline.pieces(line.strip()) for line in lines if not _LIST_ITEM.match(line)]
        items = [inline.pieces(_LIST_ITEM.sub("", line).strip()) for line in lines if _LIST_ITEM.match(line)]
        out.append({"lines": intro, "bullets": items})
    return out


def highlight_spans(passage: str, quotes: Sequence[str]) -> list[tuple[str, bool]]:
    """The passage as (text, is quoted) runs: each quoted sentence is marked once."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        quote = quote.strip()
        start = passage.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        out += [(passage[pos:start], False), (passage[start:end], True)]
        pos = end
    return [*out, (passage[pos:], False)]


# -- templates and the final allowlist ---------------------------------------------------------------
@functools.cache
def _templates() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("bot", "ui_templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,  # package data: no file stat on every render (~4 % of the CPU under load)
    )


def render_template(name: str, **values: Any) -> str:
    return _templates().get_template(name).render(**values).strip()


_TAGS = {"div", "p", "section", "article", "h2", "h3", "span", "a", "button", "ul", "ol", "li"}
_TAGS |= {"cite", "blockquote", "mark", "strong", "br", "img"}
_ATTRIBUTES = {
    "*": {"id", "class", "role", "hidden", "tabindex", "dir", "lang"},
    "a": {"href", "target"},
    "button": {"type"},
    "img": {"src", "alt", "width", "height"},
}


def _allowed(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if value.startswith("#") or safe_url(value) else None
    if attribute == "src":  # only the server's own QR codes
        return value if tag == "img" and value.startswith("data:image/svg+xml") else None
    return value


@functools.cache
def _cleaner() -> Any:
    import nh3

    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        generic_attribute_prefixes={"aria-", "data-"},
        url_schemes={"http", "https", "data"},
        attribute_filter=_allowed,
        link_rel="noopener noreferrer",
    )


def clean(markup: str) -> str:
    """Only the tags and attributes the chat uses; belt and braces behind the templates' escaping."""
    return str(_cleaner().clean(markup))


# -- an answer ---------------------------------------------------------------------------------
def _citation(c: Citation) -> dict[str, Any]:
    studies = []
    for ref in c.references:
        text = ref.get("citation") or ". ".join(
            str(part) for part in (ref.get("authors"), ref.get("title"), ref.get("journal"), ref.get("year")) if part
        )
        link = reference_link(ref)
        # The citation text often ends with its own link; show the link once, as a link.
        if link and text:
            text = text.replace(f"Available from: doi:{ref.get('doi')}.", "").replace(link, "").strip()
        studies.append({"text": text, "url": link})
    return {
        "n": c.n,
        "title": c.title,
        "section": c.section,
        "spans": highlight_spans(c.text, c.quotes),
        "url": safe_url(c.url),
        "studies": studies,
    }


def _definition(box: str, d: Definition) -> dict[str, Any]:
    defined = f"{d.long_form} ("
    quotes = [m.group(0) for m in re.finditer(rf"{re.escape(defined)}[^)]*\)", d.sentence)]
    return {"box": box, "definition": d, "spans": highlight_spans(d.sentence, quotes), "url": safe_url(d.url)}


def answer_view(turn_id: str, answer: Answer, glossary: Mapping[str, Definition], kiosk: bool) -> dict[str, Any]:
    """What the answer template shows, worked out from the ``Answer``."""
    urgent = answer.triage in URGENT_TRIAGE
    inline = Inline(turn_id, (c.n for c in answer.citations), glossary, answer.body)
    body = blocks(answer.body, inline)  # first, so the definitions used are known
    links = source_links(answer)
    return {
        "turn": turn_id,
        "kind": "urgent" if urgent else ("refused" if answer.refused else "answered"),
        "language": answer.language,  # the page shows its own words in it (page.js)
        "urgent": urgent,
        "kiosk": kiosk,
        "blocks": body,
        "definitions": [_definition(inline.box_id(t), d) for t, d in inline.used.items()],
        "suggestions": list(answer.suggestions),
        "suggestions_intro": replies.SUGGESTIONS_INTRO,
        "notice": answer.notice,
        "links": links,
        "qr": qr_data_uri("\n".join(links)) if links else "",
        "citations": [_citation(c) for c in answer.citations],
    }


def render_answer(turn_id: str, answer: Answer, glossary: Mapping[str, Definition], kiosk: bool) -> str:
    return render_template("answer.html.j2", a=answer_view(turn_id, answer, glossary, kiosk))


def take_home(turn_id: str, answer: Answer, kiosk: bool) -> str:
    """The "Take home" button and its panel: a QR code of the source links, and the links as text."""
    links = source_links(answer)
    qr = qr_data_uri("\n".join(links)) if links else ""
    return render_template("take_home.html.j2", turn=turn_id, links=links, qr=qr, kiosk=kiosk)


# -- the conversation ----------------------------------------------------------------------------
def render_turn(
    number: int, question: str, answer: Answer, glossary: Mapping[str, Definition], *, kiosk: bool = False
) -> str:
    """One finished turn, cleaned: rendered once, when its answer is final."""
    view = answer_view(str(number), answer, glossary, kiosk)
    return clean(render_template("turn.html.j2", a=view, question=question))


def render_log(
    turns: Sequence[Turn],
    glossary: Mapping[str, Definition] | None = None,
    *,
    kiosk: bool = False,
    welcome: str = "",
    status: str = "",
    hint: str = "",
) -> str:
    """The finished turns; ``status`` goes to a live region for screen readers, ``hint`` is shown."""
    glossary = glossary or {}
    parts = [t.html or render_turn(i, t.question, t.answer, glossary, kiosk=kiosk) for i, t in enumerate(turns, 1)]
    return render_template(
        "log.html.j2",
        turns=[Markup(p) for p in parts],  # already rendered and cleaned
        empty=not turns,
        welcome=welcome or "Ask a question. Answers come only from the articles, and each one shows its sources.",
        status=status,
        hint=hint,
    )


def render_pending(number: int, pending: Pending | None) -> str:
    """The turn being answered (no ``[n]`` links yet: the final answer replaces it), or nothing."""
    if pending is None:
        return ""
    streamed = CITATION_MARK.sub("", pending.streamed).strip()
    markup = render_template(
        "pending.html.j2", turn=number, question=pending.question, streamed=streamed, notice=replies.NOTICE
    )
    return clean(markup)


def render_conversation(
    turns: Sequence[Turn],
    pending: Pending | None = None,
    glossary: Mapping[str, Definition] | None = None,
    *,
    kiosk: bool = False,
    status: str = "",
    hint: str = "",
) -> str:
    """The whole conversation as one piece of HTML (the app sends the log and the pending turn apart)."""
    log = render_log(turns, glossary, kiosk=kiosk, status=status, hint=hint)
    if pending is not None:
        log = log.removesuffix("</div>") + render_pending(len(turns) + 1, pending) + "</div>"
    return log


def spoken(answer: Answer) -> str:
    """The answer as a screen reader should hear it once: no ``[n]`` markers."""
    return " ".join(CITATION_MARK.sub("", answer.body).split())
