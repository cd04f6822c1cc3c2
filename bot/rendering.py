"""An answer's body and sources from the chosen sentences: "quote [1] quote [2]", one source card per
passage, numbered in order of use, each with the exact spans it quotes and the references they cite.
"""

from __future__ import annotations

from bot.candidates import Candidate, bare_reply
from bot.quotes import announces, source_span
from bot.text import is_list_item
from bot.types import Answer, Citation, Retrieval

OMITTED = "…"  # between a list's lead-in and a later item of it, quoted as one claim


def render(chosen: list[Candidate], retrieval: Retrieval) -> Answer:
    """The body "quote [n] quote [m]" and one source card per passage, numbered in order of use."""
    citations: dict[str, Citation] = {}
    parts = []
    for i, c in enumerate(chosen):
        chunk = c.passage.chunk
        citation = citations.get(chunk.id)
        if citation is None:
            citation = citations[chunk.id] = Citation.of(
                len(citations) + 1, chunk, max(c.passage.similarity, c.passage.sentence_similarity)
            )
        citation.quotes.append(source_span(c.shown, c.sentence.text))
        known = retrieval.references.get(chunk.doc_id, {})
        for ref in c.sentence.refs:
            if ref in known and all(r["n"] != ref for r in citation.references):
                citation.references.append(known[ref].to_dict())
        after = chosen[i + 1 : i + 2]
        next_to = _follows(after, c, chunk.id)
        if (bare_reply(c.shown) or announces(c.shown)) and next_to:
            parts.append(c.shown)  # "No. It is caused by ... [1]", "Call us if: - you ... [1]": one claim
        elif c.shown.rstrip().endswith(":") and _item_under(after, c, retrieval):
            parts.append(c.shown if next_to else f"{c.shown} {OMITTED}")  # "Call us if: … - you ... [1]"
        else:
            parts.append(f"{c.shown} [{citation.n}]")
    return Answer(body=" ".join(parts), citations=list(citations.values()))


def _follows(after: list[Candidate], c: Candidate, chunk_id: str) -> bool:
    """Is the one candidate in ``after`` the sentence right after ``c``, cited to the same passage
    ``chunk_id`` (their order is checked in either one's passage: overlapping passages share
    sentences, and each candidate keeps the first passage it came in)?"""
    if not after or after[0].passage.chunk.id != chunk_id:
        return False
    for one, step, other in ((c, 1, after[0]), (after[0], -1, c)):
        ids, at = one.passage.chunk.sentence_ids, one.signals.position + step
        if 0 <= at < len(ids) and ids[at] == other.sentence.id:
            return True
    return False


def _item_under(after: list[Candidate], lead_in: Candidate, retrieval: Retrieval) -> bool:
    """Is the one candidate in ``after`` an item of the list that ``lead_in`` ("Try these tips:")
    opens, in the same passage, with only items of that list between them?"""
    if not after or after[0].passage.chunk.id != lead_in.passage.chunk.id or not is_list_item(after[0].shown):
        return False
    ids = lead_in.passage.chunk.sentence_ids
    start, item = lead_in.signals.position, after[0].sentence.id
    if item not in ids[start + 1 :]:
        return False
    between = ids[start + 1 : ids.index(item, start + 1)]
    return all(sid in retrieval.sentences and is_list_item(retrieval.sentences[sid].text) for sid in between)
