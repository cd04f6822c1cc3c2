"""The default composer: the retrieved sentence that best answers the question first, quoted and cited.

Every sentence of the retrieved passages is a candidate (``bot.candidates``); the learned ranker (``bot.ranker``)
scores how well each one answers, from generic features (closeness to the question, the answer
type the question's form asks for, whether it stands alone, plainness...). The best one leads;
at most two more follow, each only when it adds what the question needs (the other side of a
comparison, the caveat of a yes/no, the reason of a "why") or is nearly as good, from the same
article, and says something new (a third of those only after two short sentences). A question
whose form asks for a number that no retrieved sentence gives is not covered, rather than
answered with a sentence that is merely near it. ``bot.opening`` picks the opening sentence;
``bot.rendering`` writes the chosen quotes out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

import numpy as np

from bot import question_form as qf
from bot import sentence_cues as cues
from bot.candidates import (
    MAX_LIST_ITEMS,
    Candidate,
    antecedent,
    bare_reply,
    below_in_list,
    candidates,
    is_question,
    neighbour,
)
from bot.opening import names_the_asked, on_the_question, opening, stands_for_unseen
from bot.quotes import announces, continues_lead_in, only_names, opens_with_reply, points_back
from bot.ranker import Ranker, asked_match, default_ranker, featurize, reading_grade
from bot.rendering import render
from bot.text import is_list_item, lemmas, only_a_verb, terms, terms_found
from bot.types import Answer, Retrieval, not_covered

MAX_SENTENCES = 3
# A sentence after the lead needs this share of the lead's ranker share ... (both swept on the dev
# split: 0.15/0.20 kept key facts at 0.895 with 35 words median; 0.07/0.10 gives 0.947 with 46)
FOLLOW_RATIO = 0.07
# ... or, when it supplies what the form needs (other side, caveat, reason), at least this share of it.
NEED_RATIO = 0.1
# A third sentence only because it is nearly as likely follows two that together have fewer words than
# this. (On the tunable sets a third near-equal added a key fact to 9 of 187 answers and ~19 words to
# each; with 30: key facts 0.893 -> 0.886, median words 43 -> 37, dev 51.5 -> 42.)
ROOM_FOR_THIRD = 30
PLAIN_GRADE, PLAIN_WEIGHT = 10.0, 0.05  # see ExtractiveComposer.rank
DUPLICATE_COSINE = 0.8  # two sentences this close say the same thing
LIST_WORDS = 60  # a list asked for ("what are the signs?") is quoted whole up to this many words


class ExtractiveComposer:
    """Quotes the few retrieved sentences that answer the question, best first."""

    name = "extractive"

    def __init__(
        self,
        max_words: int = 100,
        min_relevance: float = 0.30,
        min_sentence_relevance: float = 0.55,
        ranker: Ranker | None = None,
    ) -> None:
        self.max_words = max_words
        self.min_relevance = min_relevance
        self.min_sentence_relevance = min_sentence_relevance
        self.ranker = ranker

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        if not retrieval.passages or not retrieval.covers(self.min_relevance, self.min_sentence_relevance):
            return not_covered()
        form = qf.read_form(question)
        ranked = self.rank(form, retrieval)
        if not ranked or not self._holds_answer(form, ranked):
            return not_covered()
        return render(select(form, ranked, self.max_words, retrieval.query_terms), retrieval)

    # -- ranking ------------------------------------------------------------------------
    def rank(self, form: qf.QuestionForm, retrieval: Retrieval) -> list[Candidate]:
        """Every candidate sentence, most likely answer first."""
        found = candidates(retrieval, form)
        if not found:
            return []
        features = self.features(form, retrieval, found)
        # Of equally good answers the plainer one: a small cost per reading grade above 10.
        grades = np.array([max(reading_grade(c.shown) - PLAIN_GRADE, 0.0) for c in found])
        probabilities = (self.ranker or default_ranker()).shares(features, PLAIN_WEIGHT * grades)
        scored = [replace(c, probability=float(p)) for c, p in zip(found, probabilities, strict=True)]
        # "Largely no — ..." answers the article's own question before it; quoted for another, it
        # says no to what was not asked. (Dropped after scoring: the others' features stay as they were.)
        scored = [c for c in scored if not (opens_with_reply(c.shown) and not asked_match(c.signals.asked))]
        # A follow-up is not answered with what the person was just told (it stays out of the
        # features too: a sentence that leans on it is read right after it).
        scored = [c for c in scored if not c.said]
        return sorted(scored, key=lambda c: (_out_of_place(form, c.shown), -c.probability))

    def features(self, form: qf.QuestionForm, retrieval: Retrieval, found: list[Candidate]) -> np.ndarray:
        return featurize(form, retrieval.query_terms, retrieval.idf, [c.signals for c in found], retrieval.compounds)

    def _holds_answer(self, form: qf.QuestionForm, ranked: list[Candidate]) -> bool:
        """A question asking for a number needs a relevant sentence that gives one."""
        if form.kind != qf.QUANTITY:
            return True
        return any(cues.has_quantity(c.shown) for c in ranked if c.signals.cosine >= self.min_relevance)


def _out_of_place(form: qf.QuestionForm, sentence: str) -> int:
    """Where a kind of sentence ranks whatever its score: 0 first, 1 with the others, 2 after them.

    A contact line ("If you have questions, call the X Clinic at 905-...") and a patient's story in
    their own words name the article's topic, so they sit close to every question about it; they
    answer only how to reach someone, and what it was like for someone."""
    if cues.gives_phone_number(sentence):
        return 0 if form.number_to_call else 1 if form.contact else 2
    return 2 if cues.tells_own_story(sentence) and not form.experience else 1


# -- choosing ---------------------------------------------------------------------------
def select(
    form: qf.QuestionForm, ranked: list[Candidate], max_words: int, asked: Collection[str] = ()
) -> list[Candidate]:
    """The best answer first, with what it cannot stand without; then what the question's form still
    needs; then a near-equal with news. ``asked``: the question's terms (``bot.text.terms``)."""
    chosen = opening(form, ranked, asked)
    lead = chosen[0]
    chosen = _with_antecedent(form, chosen, ranked, asked)
    if form.several:  # "What symptoms ...?" answered from a list: the whole list, when it is short
        chosen = _whole_list(chosen, ranked)
    after = neighbour(lead, ranked, +1) if _goes_on(lead, ranked) or _explained_next(form, lead, ranked) else None
    if after is not None and not _quoted(after, chosen):  # "No." needs the sentence that says why, "X differs." how
        chosen.append(after)
    elif (form.course or form.role) and len(chosen) == 1:  # "What happens in X?" X is ... → then what it does
        after = neighbour(lead, ranked, +1)
        # Asked what X does, the sentence after "X is a ..." that goes on about it ("It collects ...") says.
        goes_on_about_it = form.course or (after is not None and points_back(after.shown))
        pick = _first(ranked, chosen, max_words, lambda c: c is after and on_the_question(c) and goes_on_about_it)
        if pick is not None:
            chosen.append(pick)
    while form.to_ask and len(chosen) < MAX_SENTENCES:  # the questions after it in the article's list
        after = neighbour(chosen[-1], ranked, +1)
        if after is None or after in chosen or not is_question(after.shown):
            break
        chosen.append(after)
    other = _other_side(form, chosen, ranked, max_words)
    if other and len(chosen) + len(other) <= MAX_SENTENCES:  # "how is A different from B?": B too
        # A lead that names neither side sets the scene for the two sentences that each name one
        # ("X can harm an unborn baby." for "- Men should ..." and "- Women should ..."): they answer first.
        both = len(chosen) == 1 and len(other) == 2 and not any(only_names(c.shown) for c in other)
        chosen = [*other, *chosen] if both else [*chosen, *other]
    for need in needs(form, lead):
        if len(chosen) >= MAX_SENTENCES:
            break
        floor = NEED_RATIO * lead.probability
        pick = _first(
            ranked, chosen, max_words, lambda c, need=need, floor=floor: need(c.shown) and c.probability >= floor
        )
        if pick is not None:
            chosen.append(pick)
    while len(chosen) < MAX_SENTENCES:  # a near-equal with news, from the lead's article (one voice, not a collage)
        if len(chosen) == MAX_SENTENCES - 1 and _words(chosen) >= ROOM_FOR_THIRD:
            break  # two sentences that say this much are the answer; a third near-equal rarely adds a fact
        pick = _first(
            ranked,
            chosen,
            max_words,
            lambda c: (
                c.probability >= FOLLOW_RATIO * lead.probability
                and _same_article(c, lead)
                and not stands_for_unseen(c, asked)
            ),
        )
        if pick is None:
            break
        chosen.append(pick)
    return chosen


def _with_antecedent(
    form: qf.QuestionForm, chosen: list[Candidate], ranked: list[Candidate], asked: Collection[str]
) -> list[Candidate]:
    """The lead with the sentence it points back to ("This is called X." needs it, first), unless
    that is quoted already; after the lead, as context, when the lead points back with a noun the
    question names and the question asks something of it ("These medicines do not stop ..." asked
    of "the medicines for X") or names the term a "what is X?" asks about, and not at all when a
    reason leads the fact it explains."""
    before = antecedent(chosen[0], ranked)
    if before is None or _quoted(before, chosen):
        return chosen
    if (form.kind in _ASKED_OF_IT and names_the_asked(chosen[0].shown, asked)) or _names_the_defined(form, chosen[0]):
        return [*chosen, before] if len(chosen) == 1 else chosen
    return [before, *chosen]


def _whole_list(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
    """A chosen list lead-in ("X can cause:") with every item of its list after it, when there are at
    least two and the lot has at most ``LIST_WORDS`` words (then it is the answer; else ``chosen``)."""
    lead_in = next((c for c in chosen if c.shown.rstrip().endswith(":")), None)
    if lead_in is None:
        return chosen
    items = []
    for step in range(1, MAX_LIST_ITEMS + 1):
        item = neighbour(lead_in, ranked, step)
        if item is None or not is_list_item(item.shown):
            break
        items.append(item)
    block = [lead_in, *items]
    if len(items) < 2 or _words(block) > LIST_WORDS:
        return chosen
    return [*block, *(c for c in chosen if not _quoted(c, block))]


def _same_article(a: Candidate, b: Candidate) -> bool:
    return a.passage.chunk.doc_id == b.passage.chunk.doc_id


# Forms that ask something of a thing the question names (not which thing it is: "which medicines ...?"
# is answered by the sentence that names them).
_ASKED_OF_IT = (qf.YES_NO, qf.QUANTITY, qf.REASON)


def _names_the_defined(form: qf.QuestionForm, lead: Candidate) -> bool:
    """For "what is X?": does the lead name X itself ("This can be a sign of a clot, which is called
    X.")? It says what X is; the sentence it points back to is context, after it."""
    wanted = set(terms(form.subject))
    if form.kind != qf.DEFINITION or not wanted or only_names(lead.shown):  # "This is called X." says nothing
        return False
    return terms_found(wanted, terms(lead.shown)) == wanted


def _goes_on(lead: Candidate, ranked: list[Candidate]) -> bool:
    """Does ``lead`` need the sentence after it: a bare reply, a promise of what follows, or a list
    item that goes on ("- a cap has come off." then "Do not touch the open end ...")?"""
    if bare_reply(lead.shown) or announces(lead.shown):
        return True
    after = neighbour(lead, ranked, +1)
    return after is not None and is_list_item(lead.shown) and not is_list_item(after.shown)


def _explained_next(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> bool:
    """For a "why" whose lead says only what happens ("Treatment can damage the lining."): does the
    sentence after it say why, in so many words ("The cells are replaced every few days, so ...")?"""
    if form.kind != qf.REASON or cues.states_cause(lead.shown) or cues.names_cause(lead.shown):
        return False
    after = neighbour(lead, ranked, +1)
    return after is not None and cues.states_cause(after.shown) and on_the_question(after)


def _other_side(
    form: qf.QuestionForm, chosen: list[Candidate], ranked: list[Candidate], max_words: int
) -> list[Candidate]:
    """For a comparison whose answer so far leaves a side unnamed: the best sentence on the question
    that names it (with the sentence it names, for "This is called delayed nausea."), for each side
    left out while there is room, or []."""
    if len(form.sides) != 2:
        return []
    a, b = (_naming_terms(side) for side in form.sides)
    if len(form.sides[0].split()) == 1 and len(b) > 1:
        # Words left out of the first side are both sides': the head of "dry and moist rot", what
        # follows the noun in "men and women taking X".
        b = b[:1] if "NOUN" in lemmas(form.sides[0].lower()) else b[:-1]
    a, b = set(a) - set(b), set(b) - set(a)
    said = set().union(*(terms(c.shown) for c in chosen))
    added: list[Candidate] = []
    for side in (a, b):
        if not side or _names_side(side, said) or len(chosen) + len(added) >= MAX_SENTENCES:
            continue
        pick = _first(
            ranked,
            [*chosen, *added],
            max_words,
            # a reply to the article's own question ("Usually not, because ...") names no side
            lambda c, side=side: (
                on_the_question(c) and _names_side(side, terms(c.shown)) and not opens_with_reply(c.shown)
            ),
            pairs=True,
            alike=True,  # "Real-hair wigs are made from ..." is close in meaning to "Synthetic wigs are made from ..."
        )
        if pick is None:
            continue
        before = neighbour(pick, ranked, -1) if only_names(pick.shown) else None
        added += [before, pick] if before is not None and not _quoted(before, [*chosen, *added]) else [pick]
    return added


def _naming_terms(side: str) -> list[str]:
    """The terms of a side's words that name it: not "one" of "a gauze one", nor a verb ("one made of real hair")."""
    return terms(" ".join(w for w in side.split() if w.lower() not in ("one", "ones") and not only_a_verb(w.lower())))


def _names_side(side: set[str], said: Collection[str]) -> bool:
    """Are most of a side's own terms said ("real hair" is not named by "... a hair dryer")?"""
    return 2 * len(terms_found(side, said)) > len(side)


def needs(form: qf.QuestionForm, lead: Candidate) -> list[Callable[[str], bool]]:
    """What the answer still lacks after its lead: the other side, the caveat, the reason."""
    text = lead.shown
    out: list[Callable[[str], bool]] = []
    if form.kind == qf.REASON and not cues.gives_reason(text):
        out.append(cues.gives_reason)
    if form.comparison and not cues.compares(text):
        out.append(cues.compares)
    if (form.comparison or form.kind == qf.YES_NO) and not cues.contrasts(text):
        out.append(cues.contrasts)
    return out


def _first(
    ranked: list[Candidate],
    chosen: list[Candidate],
    max_words: int,
    wanted: Callable[[Candidate], bool],
    pairs: bool = False,
    alike: bool = False,
) -> Candidate | None:
    """The best-ranked candidate that is wanted, fits the length and says something new (``pairs``:
    a sentence that only names the one before it may be chosen, the caller quoting that one too;
    ``alike``: one close in meaning to a chosen one is new if its words are)."""
    words = _words(chosen)
    for c in ranked:
        if _quoted(c, chosen) or bare_reply(c.shown) or announces(c.shown) or not wanted(c):
            continue  # a reply or a promise ("There are downsides too.") says nothing without what follows it
        if continues_lead_in(c.shown) and not any(below_in_list(c, o, ranked) for o in chosen):
            continue  # "- why the trial is being done;" reads as nothing without "Ask the team:" above it
        if only_names(c.shown) and not pairs and not _quoted(neighbour(c, ranked, -1), chosen):
            continue  # "This is called X." without the sentence it stands for
        if words + len(c.shown.split()) > max_words:
            continue
        if not any(_repeats(c, o, alike) for o in chosen):
            return c
    return None


def _words(chosen: list[Candidate]) -> int:
    return sum(len(c.shown.split()) for c in chosen)


def _quoted(candidate: Candidate | None, chosen: list[Candidate]) -> bool:
    """Is ``candidate`` one of ``chosen`` (by identity: candidates hold arrays, so no ``==``)?"""
    return candidate is not None and any(candidate is c for c in chosen)


def _repeats(a: Candidate, b: Candidate, alike: bool = False) -> bool:
    """Near-duplicates: close in meaning (unless ``alike`` is allowed), or a's content words mostly
    already said by b."""
    if not alike and float(np.dot(a.sentence.embedding, b.sentence.embedding)) >= DUPLICATE_COSINE:
        return True
    new = set(terms(a.shown)) - set(terms(b.shown))
    return len(new) < 0.4 * max(len(set(terms(a.shown))), 1)
