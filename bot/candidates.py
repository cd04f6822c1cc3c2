"""The candidate sentences of a retrieval: every sentence of the retrieved passages that could be
quoted, with what the ranker needs to know about it (``bot.ranker.Signals``).

The articles' own questions are not candidates, but remembered: the sentence after one is judged
by how well that question matches the one asked (an FAQ answers its own question).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from bot import question_form as qf
from bot.quotes import announces, continues_lead_in, describes_document, drop_connective, sums_up_before
from bot.ranker import Signals, centrality, in_context
from bot.text import flat, is_list_item
from bot.types import Passage, Retrieval, StoredSentence

MAX_LIST_ITEMS = 12  # how far back a list item's lead-in is looked for
SAME_QUESTION = 0.8  # an article's question this close to the one asked is the same question
_ASKS = re.compile(r"^\W*(?:what|how|why|who|where|which|when)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    sentence: StoredSentence
    shown: str  # the quote as given (a leading connective dropped)
    passage: Passage
    signals: Signals
    probability: float = 0.0  # the ranker's share: how likely this sentence is THE answer
    said: bool = False  # an earlier reply of this conversation quoted it (``Retrieval.said``)


def candidates(retrieval: Retrieval, form: qf.QuestionForm | None = None) -> list[Candidate]:
    """The retrieved passages' sentences, each once, in passage order; the articles' own questions
    are not candidates (except a list of them, for "what should I ask my team?"), but the sentence
    right after one remembers how well it matched (FAQ). A bare "Yes." or "No." is one only for a
    yes/no question ("how much coffee?" is not answered "Yes.")."""
    stored = retrieval.sentences
    seen: set[str] = set()
    out: list[Candidate] = []
    for rank, passage in enumerate(retrieval.passages):
        asked, before, said = 0.0, None, False
        for position, sid in enumerate(passage.chunk.sentence_ids):
            sentence = stored.get(sid)
            if sentence is None:
                continue
            cosine = float(np.dot(retrieval.query_vector, sentence.embedding))
            before, previous = sentence.embedding, before
            after_said, said = said, bool(retrieval.said) and _was_said(drop_connective(sentence.text), retrieval.said)
            if form is not None and form.to_ask and _in_question_list(passage, position, stored):
                asked = 0.0  # "What should I ask my team?": the article's own list of questions answers it
            elif is_question(sentence.text):
                # The article's own questions are never quoted; the answer right after one of them
                # ("Is X better than Y? It's ...") is judged by how well that question matches.
                asked = cosine if qf.read_form(sentence.text).kind != qf.OTHER or _ASKS.match(sentence.text) else 0.0
                continue
            reply = asked > 0 and bare_reply(sentence.text)  # "Is it contagious? No. It is caused by ..."
            quoted = reply and (form is None or form.kind == qf.YES_NO)
            if reply and not quoted:
                # "Will I get X? No. Most people ..." says why not; asked "what makes X more likely?",
                # the article's question is not the one asked, however close in words.
                asked = 0.0
            # A bare "No." says no to the article's own question: quoted only when that is the question
            # asked again, not one merely near it ("Do they numb you first?" beside "Can the needle
            # damage my spinal cord? No."); the sentence after it still answers, without the verdict.
            quoted = quoted and asked >= SAME_QUESTION
            wanted = quoted or (len(sentence.text.split()) >= 3 and not describes_document(sentence.text))
            if sid not in seen and wanted:
                seen.add(sid)
                shown = drop_connective(sentence.text)
                context = in_context(retrieval.query_vector, sentence.embedding, previous)
                signals = Signals(
                    shown,
                    sentence.text,
                    cosine,
                    passage.similarity,
                    rank,
                    position,
                    asked,
                    context,
                    after_said=after_said,
                )
                out.append(Candidate(sentence, shown, passage, signals, said=said))
            if not reply:  # the sentence after a bare reply answers the article's question too
                asked = 0.0
    return _with_centrality(out)


def _was_said(quote: str, said: str) -> bool:
    """Did an earlier reply (``said``, whitespace collapsed) quote this sentence? A few words ("No.") prove nothing."""
    return len(quote) > 20 and flat(quote) in said


def _in_question_list(passage: Passage, position: int, stored: Mapping[str, StoredSentence]) -> bool:
    """Is the sentence at ``position`` a question in a list of them (a question beside another, or a
    list item), rather than an FAQ question followed by its answer?"""
    ids = passage.chunk.sentence_ids

    def question(at: int) -> bool:
        sentence = stored.get(ids[at]) if 0 <= at < len(ids) else None
        return sentence is not None and is_question(sentence.text)

    return question(position) and (
        question(position - 1) or question(position + 1) or is_list_item(stored[ids[position]].text)
    )


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


def _with_centrality(found: list[Candidate]) -> list[Candidate]:
    """Each candidate with its closeness to the others (``ranker.centrality``), known only once
    all of them are."""
    if not found:
        return found
    scores = centrality(np.stack([c.sentence.embedding for c in found]))
    return [replace(c, signals=replace(c.signals, centrality=float(x))) for c, x in zip(found, scores, strict=True)]


def bare_reply(sentence: str) -> bool:
    """A reply of a word or two ("No.", "Yes, usually."): it needs the sentence after it."""
    return len(sentence.split()) < 3


def neighbour(lead: Candidate, ranked: list[Candidate], step: int) -> Candidate | None:
    """The candidate ``step`` sentences from ``lead`` in its passage, if there is one."""
    ids, at = lead.passage.chunk.sentence_ids, lead.signals.position + step
    if not 0 <= at < len(ids):
        return None
    return next((c for c in ranked if c.sentence.id == ids[at]), None)


def antecedent(lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence before ``lead`` that it needs: the one it stands for ("This is called X.",
    "These can be signs of ..."), the article's bare reply to its own question ("No." before "It is
    caused by ..."), or for a list item that finishes a sentence, the lead-in above the list ("Call
    the helpline if you:"); None otherwise."""
    if continues_lead_in(lead.shown):
        for step in range(1, MAX_LIST_ITEMS + 1):  # back over the items above it, to the lead-in
            before = neighbour(lead, ranked, -step)
            if before is None or not is_list_item(before.shown):
                return before if before is not None and announces(before.shown) else None
        return None
    before = neighbour(lead, ranked, -1)
    if before is not None and (sums_up_before(lead.shown) or bare_reply(before.shown)):
        return before
    return None


def below_in_list(item: Candidate, above: Candidate, ranked: list[Candidate]) -> bool:
    """Is ``above`` the lead-in of ``item``'s list, or an item of it above ``item``?"""
    for step in range(1, MAX_LIST_ITEMS + 1):
        before = neighbour(item, ranked, -step)
        if before is None or before is above:
            return before is above
        if not is_list_item(before.shown):
            return False
    return False
