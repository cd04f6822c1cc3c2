"""The chat as HTML: questions, streamed and final answers, source cards, definitions, QR codes.

Pure functions, no Gradio. Every text that comes from a person or from the assistant is
escaped before it reaches the page (the page inserts this HTML with ``innerHTML``, which
would run an ``<img onerror>``); only ``http(s)`` links become anchors.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import replies
from bot.types import Answer, Citation

#: Triage values shown as an emergency: the reply is visually urgent and announced at once.
URGENT_TRIAGE = frozenset({"emergency", "urgent", "crisis"})

_MARKER = re.compile(r"\[(\d+)\]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def esc(text: object) -> str:
    """HTML-inert text, safe in element content and in quoted attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


@dataclass(frozen=True)
class Definition:
    """A word the articles define, with the sentence that defines it (tap-to-define)."""

    term: str  # as written in the articles, singular: "GvHD", "iPSC", "TSA"
    long_form: str  # "graft-versus-host disease"
    sentence: str  # the defining sentence, quoted
    title: str  # the article it is from
    section: str
    url: str | None


@dataclass(frozen=True)
class Turn:
    """One question and its final answer (what a session keeps)."""

    question: str
    answer: Answer


@dataclass(frozen=True)
class Pending:
    """The turn being answered: the question and the text streamed so far."""

    question: str
    streamed: str = ""


# -- links --------------------------------------------------------------------------------
def safe_url(url: object) -> str | None:
    """An ``http(s)`` URL, or None (a ``javascript:`` or malformed link is never rendered)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
        return url
    return None


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

    Cached: the conversation is re-rendered on every streamed piece, and making a QR code in pure
    Python costs ~50 ms (half the app's CPU under load before this cache). Only source links go in.
    """
    import segno

    return str(segno.make(text, micro=False, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


# -- inline text ----------------------------------------------------------------------------
class _Inline:
    """Escapes one answer's text, links its ``[n]`` markers and marks its defined words."""

    def __init__(self, turn_id: str, citations: Iterable[int], glossary: Mapping[str, Definition], body: str) -> None:
        self.turn_id = turn_id
        self.citations = set(citations)
        lowered = body.lower()
        # A word whose long form the answer already spells out needs no definition.
        self.glossary = {t: d for t, d in glossary.items() if d.long_form.lower() not in lowered}
        self.used: dict[str, Definition] = {}
        terms = sorted(self.glossary, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in terms) or r"(?!x)x"
        # A term stands alone: "CRS", "TAAs"; not "NK" inside "CAR-NK" or "NK-cell".
        self.pattern = re.compile(rf"\[(?P<n>\d+)\]|(?<![\w-])(?P<term>{alternatives})(?P<plural>s?)(?![\w-])")

    def render(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for m in self.pattern.finditer(text):
            out.append(esc(text[pos : m.start()]))
            pos = m.end()
            if m.group("n") is not None:
                n = int(m.group("n"))
                if n in self.citations:
                    out.append(f'<a class="cite" href="#src-{self.turn_id}-{n}" aria-label="Source {n}">[{n}]</a>')
                else:
                    out.append(esc(m.group(0)))
                continue
            term = m.group("term")
            if term in self.used:  # the first mention is enough
                out.append(esc(m.group(0)))
                continue
            self.used[term] = self.glossary[term]
            box = self.box_id(term)
            out.append(
                f'<button type="button" class="term" aria-expanded="false" aria-controls="{box}" '
                f'aria-label="{esc(m.group(0))}: what does it mean?">{esc(m.group(0))}</button>'
            )
        out.append(esc(text[pos:]))
        return "".join(out)

    def box_id(self, term: str) -> str:
        return f"def-{self.turn_id}-{re.sub(r'[^A-Za-z0-9]', '', term)}"


def _blocks(text: str, inline: _Inline) -> str:
    """Paragraphs and bulleted lists from plain text (blank lines, "- " items)."""
    out = []
    for block in _PARAGRAPHS.split(text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        intro = [line for line in lines if not _LIST_ITEM.match(line)]
        items = [_LIST_ITEM.sub("", line) for line in lines if _LIST_ITEM.match(line)]
        if intro:
            out.append("<p>" + "<br>".join(inline.render(line.strip()) for line in intro) + "</p>")
        if items:
            out.append("<ul>" + "".join(f"<li>{inline.render(item.strip())}</li>" for item in items) + "</ul>")
    return "".join(out)


# -- pieces of an answer --------------------------------------------------------------------
def highlight(passage: str, quotes: Sequence[str]) -> str:
    """The passage, escaped, with each quoted sentence in ``<mark>``."""
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
        out.append(esc(passage[pos:start]) + f"<mark>{esc(passage[start:end])}</mark>")
        pos = end
    return "".join(out) + esc(passage[pos:])


def _link(url: str, kiosk: bool) -> str:
    # A kiosk has nowhere to browse to: its links are shown as text and taken home by QR code.
    if kiosk:
        return f'<span class="url">{esc(url)}</span>'
    return f'<a class="url" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'


def _study(ref: Mapping[str, Any], kiosk: bool) -> str:
    text = ref.get("citation") or ". ".join(
        str(part) for part in (ref.get("authors"), ref.get("title"), ref.get("journal"), ref.get("year")) if part
    )
    link = reference_link(ref)
    # The citation text often ends with its own link; show the link once, as a link.
    if link and text:
        text = text.replace(f"Available from: doi:{ref.get('doi')}.", "").replace(link, "").strip()
    return f"<li>{esc(text)}{' ' + _link(link, kiosk) if link else ''}</li>"


def source_card(turn_id: str, c: Citation, kiosk: bool) -> str:
    url = safe_url(c.url)
    studies = ""
    if c.references:
        label = "Study cited in this passage" if len(c.references) == 1 else "Studies cited in this passage"
        studies = (
            f'<div class="studies"><p class="label">{label}:</p>'
            f"<ul>{''.join(_study(r, kiosk) for r in c.references)}</ul></div>"
        )
    return (
        f'<li class="source" id="src-{turn_id}-{c.n}">'
        f'<p class="source-title"><span class="num">[{c.n}]</span> <cite>{esc(c.title)}</cite></p>'
        f'<p class="source-section">Section: {esc(c.section)}</p>'
        f'<blockquote class="passage">{highlight(c.text, c.quotes)}</blockquote>'
        + (f'<p class="source-link">Link: {_link(url, kiosk)}</p>' if url else "")
        + studies
        + "</li>"
    )


def definition_box(box_id: str, d: Definition, kiosk: bool) -> str:
    url = safe_url(d.url)
    defined = f"{d.long_form} ("
    sentence = highlight(d.sentence, [m.group(0) for m in re.finditer(rf"{re.escape(defined)}[^)]*\)", d.sentence)])
    return (
        f'<div class="definition" id="{box_id}" hidden>'
        f"<p><strong>{esc(d.term)}</strong> means <strong>{esc(d.long_form)}</strong>. The article says:</p>"
        f'<blockquote class="passage">{sentence}</blockquote>'
        f'<p class="from">From <cite>{esc(d.title)}</cite>, section “{esc(d.section)}”.'
        + (f" {_link(url, kiosk)}" if url else "")
        + "</p></div>"
    )


def take_home(turn_id: str, answer: Answer, kiosk: bool) -> tuple[str, str]:
    """The "Take home" button and its panel: a QR code of the source links, and the links as text."""
    links = source_links(answer)
    if not links:
        return "", ""
    count = f"{len(links)} link{'s' if len(links) > 1 else ''}"
    button = (
        f'<button type="button" class="take-home" aria-expanded="false" aria-controls="home-{turn_id}">'
        "Take home: QR code</button>"
    )
    qr = qr_data_uri("\n".join(links))
    panel = (
        f'<div class="take-home-body" id="home-{turn_id}" hidden><img class="qr" src="{esc(qr)}" '
        f'alt="QR code with the {count} to this answer\'s sources" width="240" height="240">'
        f"<div><p>Scan with your phone camera to keep the {count} to these sources:</p>"
        f"<ul>{''.join(f'<li>{_link(link, kiosk)}</li>' for link in links)}</ul></div></div>"
    )
    return button, panel


def _notice(answer_notice: str = replies.NOTICE) -> str:
    return f'<p class="notice"><strong>Please note:</strong> {esc(answer_notice)}</p>'


def render_answer(turn_id: str, answer: Answer, glossary: Mapping[str, Definition], kiosk: bool) -> str:
    urgent = answer.triage in URGENT_TRIAGE
    kind = "urgent" if urgent else ("refused" if answer.refused else "answered")
    inline = _Inline(turn_id, (c.n for c in answer.citations), glossary, answer.body)
    body = _blocks(answer.body, inline)
    label = (
        '<p class="urgent-label"><span aria-hidden="true">⚠</span> Urgent: get help now</p>'
        if urgent
        else '<p class="who">Answer</p>'
    )
    parts = [
        f'<section class="answer {kind}" id="a-{turn_id}" aria-labelledby="a-{turn_id}-label"'
        + (' role="alert"' if urgent else "")
        + ">",
        label.replace("<p ", f'<p id="a-{turn_id}-label" ', 1),
        f'<div class="body" id="a-{turn_id}-text">{body}</div>',
        "".join(definition_box(inline.box_id(t), d, kiosk) for t, d in inline.used.items()),
    ]
    if answer.suggestions:
        parts.append(
            f'<div class="suggestions"><p>{esc(replies.SUGGESTIONS_INTRO)}</p><ul>'
            + "".join(
                f'<li><button type="button" class="ask" data-question="{esc(s)}">{esc(s)}</button></li>'
                for s in answer.suggestions
            )
            + "</ul></div>"
        )
    parts.append(_notice(answer.notice))
    home_button, home_panel = take_home(turn_id, answer, kiosk)
    parts.append(
        f'<div class="tools"><button type="button" class="speak" data-for="a-{turn_id}" aria-pressed="false">'
        f"Read aloud</button>{home_button}</div>{home_panel}"
    )
    if answer.citations:
        parts.append(
            f'<section class="sources" aria-labelledby="s-{turn_id}"><h3 id="s-{turn_id}">Sources</h3><ol>'
            + "".join(source_card(turn_id, c, kiosk) for c in answer.citations)
            + "</ol></section>"
        )
    parts.append("</section>")
    return "".join(parts)


def _question(turn_id: str, question: str) -> str:
    return (
        f'<h2 class="question" id="q-{turn_id}"><span class="who">You asked</span> '
        f'<span class="asked">{esc(question)}</span></h2>'
    )


def render_conversation(
    turns: Sequence[Turn],
    pending: Pending | None = None,
    glossary: Mapping[str, Definition] | None = None,
    *,
    kiosk: bool = False,
    status: str = "",
    hint: str = "",
) -> str:
    """The whole conversation; ``status`` goes to a live region for screen readers, ``hint`` is shown."""
    glossary = glossary or {}
    parts = [f'<div class="bot-log"><p class="sr-only" role="status">{esc(status)}</p>']
    if not turns and pending is None:
        parts.append(
            '<div class="empty"><p>Ask a question about CAR-NK or CAR-T cell therapy. '
            "Answers come only from two articles, and each one shows its sources.</p></div>"
        )
    for i, turn in enumerate(turns, 1):
        parts.append(
            f'<article class="turn" id="turn-{i}" aria-labelledby="q-{i}">{_question(str(i), turn.question)}'
            f"{render_answer(str(i), turn.answer, glossary, kiosk)}</article>"
        )
    if pending is not None:
        i = str(len(turns) + 1)
        streamed = (
            f'<div class="body" id="a-{i}-text"><p>{esc(_MARKER.sub("", pending.streamed).strip())}</p></div>'
            if pending.streamed
            else '<p class="thinking">Looking in the articles…</p>'
        )
        parts.append(
            f'<article class="turn pending" id="turn-{i}" aria-labelledby="q-{i}" aria-busy="true">'
            f"{_question(i, pending.question)}"
            f'<section class="answer streaming" aria-label="Answer, still being written">{streamed}'
            f"{_notice()}</section></article>"
        )
    if hint:
        parts.append(f'<p class="hint">{esc(hint)}</p>')
    parts.append("</div>")
    return "".join(parts)


def spoken(answer: Answer) -> str:
    """The answer as a screen reader should hear it once: no ``[n]`` markers."""
    return " ".join(_MARKER.sub("", answer.body).split())
