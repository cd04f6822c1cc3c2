"""The default composer: the retrieved sentence that best answers the question first, quoted and cited.

Every sentence of the retrieved passages is a candidate (``bot.candidates``); the learned ranker (``bot.ranker``)
scores how well each one answers, from generic features (closeness to the question, the answer
type the question's form asks for, whether it stands alone, plainness...). The best one leads;
at most two more follow, each only when it adds what the question needs (the other side of a
comparison, the caveat of a yes/no, the reason of a "why") or is nearly as good, from the same
article, and says something new (a third of those only after two short sentences). A question
whose form asks for a number that no retrieved sentence gives is not covered, rather than
answered with a sentence that is merely near it. ``bot.rendering`` writes the chosen quotes out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace

import numpy as np

from bot import question_form as qf
from bot import sentence_cues as cues
from bot.candidates import Candidate, bare_reply, candidates, is_question, neighbour
from bot.quotes import announces, continues_lead_in, only_names, opens_with_reply, points_back, sums_up_before
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
MAX_LIST_ITEMS = 12  # how far back a list item's lead-in is looked for
REASON_ELSEWHERE_RATIO = 0.5  # a reason from another passage leads if it is at least this likely
SWAP_RATIO = 0.25  # a sentence of the kind the form asks for (a figure, a list of questions) leads if this likely
COMPARE_RATIO = 0.05  # a sentence that compares leads a comparison if this likely and near the best
SWAP_MIN_COSINE = 0.35  # a sentence put first instead of the best match is still on the question


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
        return sorted(scored, key=lambda c: -c.probability)

    def features(self, form: qf.QuestionForm, retrieval: Retrieval, found: list[Candidate]) -> np.ndarray:
        return featurize(form, retrieval.query_terms, retrieval.idf, [c.signals for c in found], retrieval.compounds)

    def _holds_answer(self, form: qf.QuestionForm, ranked: list[Candidate]) -> bool:
        """A question asking for a number needs a relevant sentence that gives one."""
        if form.kind != qf.QUANTITY:
            return True
        return any(cues.has_quantity(c.shown) for c in ranked if c.signals.cosine >= self.min_relevance)


# -- choosing ---------------------------------------------------------------------------
def select(
    form: qf.QuestionForm, ranked: list[Candidate], max_words: int, asked: Collection[str] = ()
) -> list[Candidate]:
    """The best answer first, with what it cannot stand without; then what the question's form still
    needs; then a near-equal with news. ``asked``: the question's terms (``bot.text.terms``)."""
    chosen = _lead(form, ranked, asked)
    lead = chosen[0]
    chosen = _with_antecedent(form, chosen, ranked, asked)
    after = neighbour(lead, ranked, +1) if _goes_on(lead, ranked) else None
    if after is not None:  # "No." needs the sentence that says why, "X is different from Y." how
        chosen.append(after)
    elif form.course and len(chosen) == 1:  # "What happens in X?" X is ... → then what it does, in order
        after = neighbour(lead, ranked, +1)
        pick = _first(ranked, chosen, max_words, lambda c: c is after and _on_the_question(c))
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
            lambda c: c.probability >= FOLLOW_RATIO * lead.probability and _same_article(c, lead),
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
    before = _antecedent(chosen[0], ranked)
    if before is None or _quoted(before, chosen):
        return chosen
    if (form.kind in _ASKED_OF_IT and _names_the_asked(chosen[0].shown, asked)) or _names_the_defined(form, chosen[0]):
        return [*chosen, before] if len(chosen) == 1 else chosen
    return [before, *chosen]


def _same_article(a: Candidate, b: Candidate) -> bool:
    return a.passage.chunk.doc_id == b.passage.chunk.doc_id


def _lead(form: qf.QuestionForm, ranked: list[Candidate], asked: Collection[str] = ()) -> list[Candidate]:
    """The sentence that answers first (and the best match after it, when that is only the rule a
    reason explains): the ranker's best, unless the question's form asks for something it lacks."""
    best = ranked[0]
    if form.to_ask:  # "What should I ask my team?": the best of the articles' lists of questions
        listed = next((c for c in ranked if is_question(c.shown)), None)
        if listed is not None and listed.probability >= SWAP_RATIO * best.probability:
            return [listed]
    reason = _reason_after(form, best, ranked, asked)
    if reason is not None:  # "Why flush it?" The line is flushed ... → Blood can creep back and block it.
        return [reason, best]
    compared = _compares_instead(form, best, ranked, asked)
    if compared is not None:  # "Is A worse than B?" A can travel to ... → A is more dangerous than B, because ...
        return [compared]
    settles = _settles_instead(form, best, ranked, asked)
    if settles is not None:  # "Do the sprays kill the mould?" Blight is sprayed with ... → They do not kill it.
        return [settles]
    means = _means_instead(form, best, ranked)
    if means is not None:  # "How can I stop it?" X is a side effect ... → "To help prevent it:" and what follows
        return [means]
    announcer = _announces_the_asked(form, best, ranked, asked)
    if announcer is not None:  # "What are the downsides?" ... → "There are downsides too." and what follows it
        return [announcer]
    named = _named_before(form, best, ranked, asked)
    if named is not None:  # "What are the drawbacks?" ... while fixing those drawbacks. → It is expensive, slow ...
        return [named, best]
    item = _listed_instead(form, best, ranked)
    if item is not None:  # "What symptoms would X give you?" X is ... → "X can cause: … - sharp chest pain ..."
        return [item]
    figure = _figure_after(form, best, ranked)
    if figure is not None:  # "How many take part in X?" X is the first ... → They are small, 20 to 80 people.
        return [best, figure]
    figure = _figure_instead(form, best, ranked)
    if figure is not None:  # "How often did X happen?" most people ... → X occurred in 72 % of patients.
        return [figure]
    return [best]


# Forms that ask something of a thing the question names (not which thing it is: "which medicines ...?"
# is answered by the sentence that names them).
_ASKED_OF_IT = (qf.YES_NO, qf.QUANTITY, qf.REASON)
_THESE_NOUN = re.compile(r"^\s*(?:this|these|that|those)\s+(?:\d+\s+)?([a-z][\w-]*)", re.IGNORECASE)


def _names_the_asked(lead: str, asked: Collection[str]) -> bool:
    """Does ``lead`` point back with a noun the question uses ("These medicines calm ..." asked "do
    the medicines for X stop ...?", "These 21 days make up one cycle" asked "how many days ...")?
    The question then says what it stands for, and the lead answers before its antecedent."""
    m = _THESE_NOUN.match(lead)
    return m is not None and bool(set(terms(m.group(1))) & set(asked))


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


def _reason_after(
    form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate], asked: Collection[str] = ()
) -> Candidate | None:
    """For a "why" whose best match states the fact asked about but not why: the best sentence of the
    same passage that explains in so many words ("because", ", so less of the drug reaches ...",
    "can make sores worse") and is on the question (an article explains a rule or a fact beside it),
    or None. "X leads to Y" does not count here: it says what X does, not why the thing asked about is."""
    if (form.kind != qf.REASON and not form.works) or cues.gives_reason(lead.shown):
        return None
    return next(
        (
            c
            for c in ranked
            if (
                c.passage is lead.passage
                or c.probability >= REASON_ELSEWHERE_RATIO * lead.probability
                or (c.probability >= SWAP_RATIO * lead.probability and _brings_about(c, form))
            )
            and _on_the_question(c)
            and (cues.explains(c.shown) or cues.names_cause(c.shown) or _brings_about(c, form))
            and (not sums_up_before(c.shown) or _names_the_asked(c.shown, asked))
        ),
        None,
    )


def _settles_instead(
    form: qf.QuestionForm, best: Candidate, ranked: list[Candidate], asked: Collection[str]
) -> Candidate | None:
    """For a yes/no question whose best match is on the topic without settling it: the first sentence
    at least a tenth as likely and at least as close to the question read in its context that says no
    to what is asked when the best does not ("They do not kill the mould."), else one that names more
    of what is asked ("After a hard frost, the damage can be permanent." for "can frost damage ever be
    permanent?"), or None. The article's own reply ("No." before the best) settles it already."""
    if form.kind != qf.YES_NO or not asked or _after_reply(best, ranked):
        return None
    near = [
        c
        for c in ranked[1:]
        if c.probability >= NEED_RATIO * best.probability
        and c.signals.context_cosine >= best.signals.context_cosine
        and not _after_reply(c, ranked)  # a reply to the article's own question, maybe not this one
    ]
    if not cues.says_no_to(best.shown, asked):
        denial = next((c for c in near if cues.says_no_to(c.shown, asked)), None)
        if denial is not None:
            return denial
    # Naming more of the question is weaker evidence than a "no" to it: only a nearly as likely sentence.
    named = len(terms_found(asked, terms(best.shown)))
    return next(
        (
            c
            for c in near
            if c.probability >= SWAP_RATIO * best.probability and len(terms_found(asked, terms(c.shown))) > named
        ),
        None,
    )


def _compares_instead(
    form: qf.QuestionForm, best: Candidate, ranked: list[Candidate], asked: Collection[str]
) -> Candidate | None:
    """For a comparison whose best match does not compare: a sentence on the question that sets two
    things against each other in so many words ("A PE is more dangerous than a DVT", "A takes weeks,
    whereas B ..."), at least a quarter as likely, or a twentieth from the best's own passage or as
    close to the question read in its context. When the best compares too (about something else:
    "the tumour shrank in 58 % ... compared with 19 %" for "which caused more side effects?"), one
    at least a quarter as likely that names more of what is asked. Else None."""
    if not form.comparison:
        return None
    comparing = [
        c
        for c in ranked[1:]
        if cues.sets_side_by_side(c.shown) and _on_the_question(c) and not opens_with_reply(c.shown)
    ]
    if cues.says_which_is_more(best.shown):
        named = len(terms_found(asked, terms(best.shown)))
        return next(
            (
                c
                for c in comparing
                if c.probability >= SWAP_RATIO * best.probability and len(terms_found(asked, terms(c.shown))) > named
            ),
            None,
        )
    return next(
        (
            c
            for c in comparing
            if c.probability >= SWAP_RATIO * best.probability
            or (
                c.probability >= COMPARE_RATIO * best.probability
                and (c.passage is best.passage or c.signals.context_cosine >= best.signals.context_cosine)
            )
        ),
        None,
    )


def _after_reply(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """Is ``candidate`` the sentence after a bare reply ("No.", "Usually, yes.")?"""
    before = neighbour(candidate, ranked, -1)
    return before is not None and bare_reply(before.shown)


def _means_instead(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For "how can I <verb> ...?" whose best match does not say how: the best sentence on the question
    that names the way to do it ("To help prevent it:", "... is the best way to prevent it"), or None."""
    if not form.how_to or cues.gives_means(lead.shown, form.verb):
        return None
    return next(
        (
            c
            for c in ranked
            if _on_the_question(c) and cues.gives_means(c.shown, form.verb) and _goes_on_if_needed(c, ranked)
        ),
        None,
    )


def _goes_on_if_needed(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """A sentence that promises what follows has it among the candidates."""
    return not announces(candidate.shown) or neighbour(candidate, ranked, +1) is not None


_POINTS_AT = re.compile(r"\b(?:these|those)\s+(?:\w+\s+)?([a-z][\w-]*)", re.IGNORECASE)


def _named_before(
    form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate], asked: Collection[str]
) -> Candidate | None:
    """For "what are the <things> ...?" whose best match points back at them ("... while fixing those
    drawbacks"): the sentence before it, which names them, or None."""
    if form.kind != qf.OTHER or not form.several:
        return None
    if not any(set(terms(m.group(1))) & set(asked) for m in _POINTS_AT.finditer(lead.shown)):
        return None
    before = neighbour(lead, ranked, -1)
    return before if before is not None and not is_list_item(before.shown) and not announces(before.shown) else None


def _listed_instead(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For "what <things> ...?" whose best match is no list: an item nearly as likely of a list whose
    lead-in it finishes ("- sharp chest pain ...;" under "X can cause:"), or None. The lead-in is
    quoted before it (``_antecedent``)."""
    if form.kind != qf.OTHER or not form.several or is_list_item(lead.shown):
        return None
    return next(
        (
            c
            for c in ranked
            if c.probability >= SWAP_RATIO * lead.probability
            and continues_lead_in(c.shown)
            and _on_the_question(c)
            and _antecedent(c, ranked) is not None
        ),
        None,
    )


def _announces_the_asked(
    form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate], asked: Collection[str]
) -> Candidate | None:
    """For an open question: a sentence nearly as likely that promises what follows it in the words
    the question asks with ("There are downsides too." for "what are the downsides of X?"), or None."""
    if form.kind != qf.OTHER or announces(lead.shown):
        return None
    for c in ranked:
        if c.probability < SWAP_RATIO * lead.probability:
            break
        said = set(terms(c.shown))
        if (
            announces(c.shown)
            and said
            and 3 * len(terms_found(said, asked)) >= 2 * len(said)
            and neighbour(c, ranked, +1) is not None
        ):
            return c
    return None


def _brings_about(candidate: Candidate, form: qf.QuestionForm) -> bool:
    """For "what causes X?": says what brings X about ("... can trigger ... X")."""
    return bool(form.subject) and cues.brings_about(candidate.shown, form.subject)


def _on_the_question(candidate: Candidate) -> bool:
    """Close enough to the question to answer it, alone or read with the sentence before it ("It
    comes from a preservative ..." after the sentence about the taste asked about)."""
    return max(candidate.signals.cosine, candidate.signals.context_cosine) >= SWAP_MIN_COSINE


def _figure_after(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For a question asking for a figure whose best match names the thing asked about without the
    figure: the sentence right after it, when that goes on about it ("They ...") with the figure."""
    if form.kind != qf.QUANTITY or _gives_figure(lead, form):
        return None
    after = neighbour(lead, ranked, +1)
    if after is None or not points_back(after.shown) or not _on_the_question(after):
        return None
    return after if _gives_figure(after, form) else None


def _figure_instead(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For a question asking for a figure whose best match gives only words about one ("most
    people", "for several months"): a sentence nearly as likely that gives the figure itself, or None."""
    if form.kind != qf.QUANTITY or _gives_figure(lead, form):
        return None
    return next(
        (
            c
            for c in ranked
            if c.probability >= SWAP_RATIO * lead.probability
            and c.signals.cosine >= SWAP_MIN_COSINE
            and _gives_figure(c, form)
        ),
        None,
    )


def _gives_figure(candidate: Candidate, form: qf.QuestionForm) -> bool:
    """States the figure itself, counting what a "how many X" asks about when it names X ("5 days a week")."""
    if form.unit:
        return cues.counts_unit(candidate.shown, form.unit)
    return cues.measure_fit(candidate.shown, form.measure) == 1.0


def _antecedent(lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
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
                _on_the_question(c) and _names_side(side, terms(c.shown)) and not opens_with_reply(c.shown)
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
        if continues_lead_in(c.shown) and not any(_below_in_list(c, o, ranked) for o in chosen):
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


def _below_in_list(item: Candidate, above: Candidate, ranked: list[Candidate]) -> bool:
    """Is ``above`` the lead-in of ``item``'s list, or an item of it above ``item``?"""
    for step in range(1, MAX_LIST_ITEMS + 1):
        before = neighbour(item, ranked, -step)
        if before is None or before is above:
            return before is above
        if not is_list_item(before.shown):
            return False
    return False


def _repeats(a: Candidate, b: Candidate, alike: bool = False) -> bool:
    """Near-duplicates: close in meaning (unless ``alike`` is allowed), or a's content words mostly
    already said by b."""
    if not alike and float(np.dot(a.sentence.embedding, b.sentence.embedding)) >= DUPLICATE_COSINE:
        return True
    new = set(terms(a.shown)) - set(terms(b.shown))
    return len(new) < 0.4 * max(len(set(terms(a.shown))), 1)
