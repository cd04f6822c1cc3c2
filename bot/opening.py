"""Which sentence opens the answer: the ranker's best, unless the question's form asks for something
it lacks (``opening``).

A "why" leads with the reason, a comparison with the sentence that compares, a yes/no with the one
that settles it, a "how can I ...?" with the way to do it, a "how many?" with the figure, a "what
are the signs?" with the list of them. Each rule swaps in a candidate nearly as likely as the best
(a share of its probability) and still on the question; ``bot.extractive`` adds what follows.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot import question_form as qf
from bot import sentence_cues as cues
from bot.candidates import Candidate, antecedent, bare_reply, is_question, neighbour
from bot.quotes import announces, continues_lead_in, opens_with_reply, points_back, sums_up_before
from bot.text import is_list_item, terms, terms_found

REASON_ELSEWHERE_RATIO = 0.5  # a reason from another passage leads if it is at least this likely
SWAP_RATIO = 0.25  # a sentence of the kind the form asks for (a figure, a list of questions) leads if this likely
SETTLE_RATIO = 0.1  # a sentence that settles a yes/no leads if this likely and as close in context
COMPARE_RATIO = 0.05  # a sentence that compares leads a comparison if this likely and near the best
# A sentence that counts the very unit a "how many <unit>" asks for ("for 2 to 4 weeks") leads if this
# likely, when the best names it only in words ("within weeks"): the unit counted is strong evidence.
UNIT_SWAP_RATIO = 0.03
# A sentence of advice for the situation the asker describes ("If you forget a dose, ..." for "I forgot
# to take it") leads if this likely.
SITUATION_RATIO = 0.1
SWAP_MIN_COSINE = 0.35  # a sentence put first instead of the best match is still on the question


def opening(form: qf.QuestionForm, ranked: list[Candidate], asked: Collection[str] = ()) -> list[Candidate]:
    """The sentence that answers first (and the best match after it, when that is only the rule a
    reason explains): the ranker's best, unless the question's form asks for something it lacks."""
    best = ranked[0]
    if stands_for_unseen(best, asked):  # "This drug can ..." under a label the question does not name
        best = next((c for c in ranked[1:] if on_the_question(c) and not stands_for_unseen(c, asked)), best)
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
    situation = _situation_instead(form, best, ranked)
    if situation is not None:  # "I forgot to take it, what now?" Most people take ... → If you forget a dose, ...
        return [situation]
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
            and on_the_question(c)
            and not _item_beside(c, lead)  # "- milk, if it makes X worse" explains milk, not the item asked about
            and (cues.explains(c.shown) or cues.names_cause(c.shown) or _brings_about(c, form))
            and (not sums_up_before(c.shown) or names_the_asked(c.shown, asked))
        ),
        None,
    )


def _item_beside(candidate: Candidate, item: Candidate) -> bool:
    """Is ``candidate`` another item of the list ``item`` is in (same passage, both list items)?"""
    return candidate.passage is item.passage and is_list_item(candidate.shown) and is_list_item(item.shown)


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
        if c.probability >= SETTLE_RATIO * best.probability
        and c.signals.context_cosine >= best.signals.context_cosine
        and not _after_reply(c, ranked)  # a reply to the article's own question, maybe not this one
    ]
    if not cues.says_no_to(best.shown, asked):
        denial = next((c for c in near if cues.says_no_to(c.shown, asked)), None)
        if denial is not None:
            return denial
    # Naming more of the question is weaker evidence than a "no" to it: only a nearly as likely sentence.
    return _names_more_of(asked, best, near)


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
        if cues.sets_side_by_side(c.shown)
        and on_the_question(c)
        and not opens_with_reply(c.shown)
        and _names_a_side(form, c)
    ]
    if cues.says_which_is_more(best.shown):
        return _names_more_of(asked, best, comparing)
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


def _names_a_side(form: qf.QuestionForm, candidate: Candidate) -> bool:
    """Does ``candidate`` name a word of either side the question sets side by side ("how is A different
    from B?"), one not both sides share? "The dose is different from the one on the packet" compares
    two other things. True when the question names no two sides."""
    if len(form.sides) != 2:
        return True
    a, b = (set(terms(side)) for side in form.sides)
    own = (a - b) | (b - a)
    return not own or bool(terms_found(own, terms(candidate.shown)))


def _names_more_of(asked: Collection[str], best: Candidate, among: list[Candidate]) -> Candidate | None:
    """The first of ``among`` at least a quarter as likely as ``best`` that names more of the question's
    terms than it does, or None."""
    named = len(terms_found(asked, terms(best.shown)))
    return next(
        (
            c
            for c in among
            if c.probability >= SWAP_RATIO * best.probability and len(terms_found(asked, terms(c.shown))) > named
        ),
        None,
    )


def _after_reply(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """Is ``candidate`` the sentence after a bare reply ("No.", "Usually, yes.")?"""
    before = neighbour(candidate, ranked, -1)
    return before is not None and bare_reply(before.shown)


def _situation_instead(form: qf.QuestionForm, best: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For a question that tells what the asker did ("I forgot to take my tablet ..."), whose best match
    is not advice for it: a sentence at least a tenth as likely that opens "If you <that verb>" ("If you
    forget a dose, take it ..."), or None."""
    if not form.situation or cues.meets_situation(best.shown, form.situation):
        return None
    return next(
        (
            c
            for c in ranked
            if c.probability >= SITUATION_RATIO * best.probability
            and on_the_question(c)
            and cues.meets_situation(c.shown, form.situation)
        ),
        None,
    )


def _means_instead(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For "how can I <verb> ...?" whose best match does not say how: the best sentence on the question
    that names the way to do it ("To help prevent it:", "... is the best way to prevent it"), or None."""
    if not form.how_to or cues.gives_means(lead.shown, form.verb):
        return None
    return next(
        (
            c
            for c in ranked
            if on_the_question(c) and cues.gives_means(c.shown, form.verb) and _goes_on_if_needed(c, ranked)
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
    quoted before it (``candidates.antecedent``)."""
    if form.kind != qf.OTHER or not form.several or is_list_item(lead.shown):
        return None
    return next(
        (
            c
            for c in ranked
            if c.probability >= SWAP_RATIO * lead.probability
            and continues_lead_in(c.shown)
            and on_the_question(c)
            and antecedent(c, ranked) is not None
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


def stands_for_unseen(candidate: Candidate, asked: Collection[str]) -> bool:
    """Opens its passage with a demonstrative ("This drug can cause ...", "These are ...") that stands
    for what the reader is not shown: the run-in label ("Heading: Label") or heading above it, when the
    question names no word of it. Quoted first, it reads as about what the question named."""
    if candidate.signals.position != 0 or not sums_up_before(candidate.shown):
        return False
    label = candidate.passage.chunk.section.rsplit(": ", 1)[-1]
    return not terms_found(set(terms(label)), asked)  # "oral rehydration drink" names "Oral rehydration solution"


def on_the_question(candidate: Candidate) -> bool:
    """Close enough to the question to answer it, alone or read with the sentence before it ("It
    comes from a preservative ..." after the sentence about the taste asked about)."""
    return max(candidate.signals.cosine, candidate.signals.context_cosine) >= SWAP_MIN_COSINE


def _figure_after(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For a question asking for a figure whose best match names the thing asked about without the
    figure: the sentence right after it, when that goes on about it ("They ...") with the figure."""
    if form.kind != qf.QUANTITY or _gives_figure(lead, form):
        return None
    after = neighbour(lead, ranked, +1)
    if after is None or not points_back(after.shown) or not on_the_question(after):
        return None
    return after if _gives_figure(after, form) else None


def _figure_instead(form: qf.QuestionForm, lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """For a question asking for a figure whose best match gives only words about one ("most
    people", "for several months"): a sentence nearly as likely that gives the figure itself, or None."""
    if form.kind != qf.QUANTITY or _gives_figure(lead, form):
        return None
    ratio = UNIT_SWAP_RATIO if form.unit else SWAP_RATIO
    return next(
        (
            c
            for c in ranked
            if c.probability >= ratio * lead.probability
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


_THESE_NOUN = re.compile(r"^\s*(?:this|these|that|those)\s+(?:\d+\s+)?([a-z][\w-]*)", re.IGNORECASE)


def names_the_asked(lead: str, asked: Collection[str]) -> bool:
    """Does ``lead`` point back with a noun the question uses ("These medicines calm ..." asked "do
    the medicines for X stop ...?", "These 21 days make up one cycle" asked "how many days ...")?
    The question then says what it stands for, and the lead answers before its antecedent."""
    m = _THESE_NOUN.match(lead)
    return m is not None and bool(set(terms(m.group(1))) & set(asked))
