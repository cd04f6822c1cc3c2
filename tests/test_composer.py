"""The answer-first composer: question forms, quoting one sentence alone, the ranker, answer shape."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from bot import question_form as qf
from bot import sentence_cues as cues
from bot.extractive import MAX_SENTENCES, ExtractiveComposer
from bot.quotes import announces, continues_lead_in, drop_connective, leans_back, quoted, source_span, sums_up_before
from bot.ranker import FEATURES, WEIGHTS_FILE, Ranker, centrality
from bot.text import cited_sentences, terms, terms_found


# -- answer type from the question's form ---------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "kind", "measure"),
    [
        ("How many people were treated?", qf.QUANTITY, "count"),
        ("What share of patients respond?", qf.QUANTITY, "share"),
        ("What percentage of patients relapse?", qf.QUANTITY, "share"),
        ("how often does it happen", qf.QUANTITY, "share"),
        ("How much does the treatment cost?", qf.QUANTITY, "amount"),
        ("How long do the cells last?", qf.QUANTITY, "duration"),
        ("When was it first approved?", qf.QUANTITY, "time"),
        ("r there lots of studies going on", qf.QUANTITY, "count"),
        ("Why does the disease come back?", qf.REASON, ""),
        ("how come it fails?", qf.REASON, ""),
        ("Is the treatment approved?", qf.YES_NO, ""),
        ("Can it be given at home?", qf.YES_NO, ""),
        ("Who makes the cells?", qf.PERSON, ""),
        ("Where do the cells come from?", qf.PLACE, ""),
        ("Which cancers respond?", qf.CHOICE, ""),
        ("How are the cells made?", qf.OTHER, ""),
        # Words that set the scene do not hide the question after them.
        ("In the melanoma study, what share of people had serious side effects?", qf.QUANTITY, "share"),
        ("I had chemo on Monday. How long will the sickness last?", qf.QUANTITY, "duration"),
        ("For children, is the treatment approved?", qf.YES_NO, ""),
        ("When the drug works, how long does the benefit last?", qf.QUANTITY, "duration"),  # "when ..." sets it
        ("When I finish chemo, can I drive?", qf.YES_NO, ""),
        # ... nor does a hedge, a preposition or a conjunction before the question word.
        ("Roughly how many people take part?", qf.QUANTITY, "count"),
        ("For how long should the skin be covered?", qf.QUANTITY, "duration"),
        ("and is it any cheaper?", qf.YES_NO, ""),
        ("Am I allowed a glass of wine?", qf.YES_NO, ""),
    ],
)
def test_answer_type_is_read_from_the_form(question, kind, measure):
    form = qf.read_form(question)
    assert (form.kind, form.measure) == (kind, measure)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("What is antigen escape?", "antigen escape"),
        ("What are iPSCs?", "ipscs"),
        ("whats a cytokine storm", "cytokine storm"),
        ("wat is gene therapy", "gene therapy"),
        ("What does off-the-shelf mean?", "off-the-shelf"),
        ("What does the CAR stand for?", "car"),
        ("Define remission.", "remission"),
        ("What does it mean when the skin peels?", "peeling"),  # the action the clause names
        ("What do nurses mean when they talk about pacing?", "pacing"),  # what people say, asked of them
        ("what do they mean by nadir?", "nadir"),
        ("What is meant by remission?", "remission"),
        ("What is the meaning of remission?", "remission"),
    ],
)
def test_definition_questions_name_their_subject(question, subject):
    form = qf.read_form(question)
    assert form.kind == qf.DEFINITION and form.subject == subject


@pytest.mark.unit
@pytest.mark.parametrize(
    "question",
    [
        "What is the biggest advantage of it?",
        "What are the symptoms of the syndrome?",
        "What is better, A or B?",
        "what does it mean if I get a rash?",  # a light verb names no action to define
    ],
)
def test_what_is_the_something_is_not_a_definition(question):
    assert qf.read_form(question).kind != qf.DEFINITION


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "comparison"),
    [
        ("Is A better than B?", True),
        ("What's the difference between A and B?", True),
        ("A vs B: which is safer?", True),
        ("Does A cause fever as often as B does?", True),
        ("In the trial, which caused more side effects, A or B?", True),
        ("Which foods have more protein?", False),  # which ones, not which of two
        ("How can I tell normal tiredness apart from fatigue?", True),
        ("When do I ring the line and when do I call 999?", True),
        ("Which can be started sooner, A or B?", True),  # a comparative before a choice of two
        ("Is A harder on the kidneys as a tablet or as a drip?", True),
        ("Is the number of doses the same or not?", False),  # "number" is a noun, not "more numb"
        ("Is A approved?", False),
        ("What is A?", False),
        ("Which sprays are best known for harming bees?", False),  # how well known, not which is best
        ("Which spray works best on mould?", True),
    ],
)
def test_comparisons_are_recognised(question, comparison):
    assert qf.read_form(question).comparison is comparison


@pytest.mark.unit
def test_best_known_singles_nothing_out():
    assert not qf.read_form("Which pests are best known for eating roses?").superlative
    assert not qf.read_form("Which soils are best-known for holding water?").superlative
    assert qf.read_form("Which pest is the best known?").superlative is False  # "well known": no choice
    assert qf.read_form("Which soil is best for roses?").superlative


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("How many days a week should I water them?", "day"),
        ("How many people get a plot in the first year?", "people"),  # counted: people, not "get"
        ("How many members receive a seed packet?", "member"),
        ("How much should I drink on a hot day?", ""),
    ],
)
def test_a_how_many_question_names_what_it_counts(question, unit):
    assert qf.read_form(question).unit == unit


@pytest.mark.unit
def test_sentences_are_matched_to_the_kind_of_figure_asked_for():
    assert cues.gives_measure("About 26.9% of patients had it.", "share")
    assert cues.gives_measure("It costs more than $400,000.", "amount")
    assert cues.gives_measure("Have your last cup of tea before midday.", "time")  # a time of day
    assert cues.defines("A placebo is a dummy treatment.", "placebo in a cancer trial")  # the term, not its setting
    assert cues.gives_measure("Keep naps short and have them before 3 pm.", "time")
    assert cues.gives_measure("Making the cells takes three weeks.", "duration")
    assert not cues.gives_measure("Making the cells is slow and costly.", "duration")
    assert not cues.gives_measure("A 2025 review found early responses.", "count")  # a year is not a count
    assert cues.gives_measure("A 2025 review found early responses.", "time")
    assert cues.figures("In 2024, 120 trials were registered.") == ["120"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("sentence", "subject", "defines"),
    [
        ("NK cells are a front-line part of innate immunity.", "nk cell", True),
        ("Antigen escape, where tumours hide their antigens, limits the therapy.", "antigen escape", False),
        ("It may cause cytokine release syndrome (CRS), an inflammatory response.", "crs", True),
        ("It may cause cytokine release syndrome (CRS), an inflammatory response.", "cytokine release syndrome", True),
        ("The cells are made in advance, also known as off-the-shelf.", "off-the-shelf", True),
        ("Patients often ask about NK cells.", "nk cells", False),
        # The term without the noun it qualifies: "what does stage 2 rash mean?"
        ("Stage 2 means the rash covers half the body.", "stage 2 rash", True),
        ("Your doctor may stage the rash from 1 to 4.", "stage 2 rash", False),
        # What a treatment uses or how it works is what it is.
        ("Dialysis uses a machine to clean the blood.", "dialysis", True),
        ("Many units now offer dialysis at home.", "dialysis", False),
    ],
)
def test_definitional_patterns(sentence, subject, defines):
    assert cues.defines(sentence, subject) is defines


@pytest.mark.unit
def test_reasons_caveats_and_comparisons_are_grammar_words():
    assert cues.gives_reason("Relapse happens because the cells do not persist.")
    assert cues.gives_reason("Poor persistence has led to relapse.")
    assert cues.gives_reason("It comes from a preservative in the bag.")  # a cause named: no reason still needed
    assert not cues.gives_reason("The cells persist for years.")
    # The harm a rule avoids answers a "why" too, though it names no cause.
    assert cues.gives_reason("Hot drinks dry the throat and can make the cough worse.")
    assert cues.gives_reason("Dust can settle and form a crust that blocks the nozzle.")
    assert not cues.gives_reason("It could make the service far more accessible.")  # a hope, not a harm
    assert not cues.states_cause("Hot drinks dry the throat and can make the cough worse.")
    assert not cues.gives_reason("The nozzle is cleaned every week.")
    # ", so" before a clause is a consequence; before an instruction it is advice.
    assert cues.explains("The cold narrows the vessels, so less of the drug arrives.")
    assert cues.explains("Less drug reaches a cooled scalp, so cooling could protect cancer cells there.")
    assert not cues.gives_reason("Many shop rinses contain alcohol, so read the label.")
    # What a check guards against: "If X, Y may ..." explains why it is done; "If X, call us" does not.
    assert cues.explains("If more of the hose is showing, the nozzle may have slipped out of the tank.")
    assert not cues.gives_reason("If the hose leaks, call the plumber.")
    # "leads to" describes what a thing does: a reason, but not one that outranks the best match.
    assert cues.states_cause("Poor persistence has led to relapse.") and not cues.explains(
        "Poor persistence led to relapse."
    )
    assert not cues.states_cause("It is the rash caused by the sun.") and cues.states_cause(
        "The rash is caused by the sun."
    )
    assert cues.contrasts("It isn't proven superior.") and not cues.contrasts("It is cheaper and faster.")
    assert cues.compares("It is cheaper than the older therapy.") and not cues.compares("It uses donor cells.")


# -- quoting one sentence on its own --------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("Additionally, the cells can be frozen.", "The cells can be frozen."),
        ("However, recent studies have shown more.", "Recent studies have shown more."),
        ("In addition, costs fall.", "Costs fall."),
        ("Second, and importantly, NK cells are gentler.", "NK cells are gentler."),
        ("Second — and this is the big one — NK cells can be stored.", "NK cells can be stored."),
        ("So the accurate status is unclear.", "The accurate status is unclear."),
        ("Furthermore, iPSCs are a source.", "Furthermore, iPSCs are a source."),  # capitalising would alter "iPSCs"
        ("The cells can be frozen.", "The cells can be frozen."),
        ("However the trial ended.", "However the trial ended."),  # no comma: not a connective use we drop
        ("Howevering, a made-up word.", "Howevering, a made-up word."),
    ],
)
def test_a_leading_connective_is_dropped_and_nothing_else_changes(sentence, shown):
    assert drop_connective(sentence) == shown
    span = source_span(shown, sentence)
    assert sentence.endswith(span) and span.lower() == shown.lower()


@pytest.mark.unit
def test_a_trimmed_sentence_is_still_a_quote_of_its_passage():
    passage = "Cells are made once. Additionally, the cells can be frozen for later use. They last."
    assert quoted("The cells can be frozen for later use.", [passage])
    assert quoted("Additionally, the cells can be frozen for later use.", [passage])
    assert not quoted("The cells can be frozen for years.", [passage])
    assert not quoted("Once. Additionally, the cells", ["nothing like it"])
    # Capitalised only where a connective was dropped, not anywhere mid-sentence.
    assert not quoted("The cells can be frozen", ["We think the cells can be frozen."])
    assert leans_back("This is because they persist.") and leans_back("However, it works.")
    assert not leans_back("NK cells persist for weeks.")


# -- the ranker's weights are data -----------------------------------------------------------------
@pytest.mark.unit
def test_ranker_weights_match_the_features_and_come_from_the_tunable_sets_only():
    from evals.sets import default_sets

    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    tunable = {s.name for s in default_sets() if s.tunable}
    assert data["features"] == list(FEATURES) and data["fitted_on"] == "dev"
    assert set(data["validated_on"]) <= tunable and "test" not in tunable
    ranker = Ranker.from_dict(data)
    assert ranker.weights.shape == ranker.mean.shape == ranker.scale.shape == (len(FEATURES),)
    with pytest.raises(ValueError, match="features"):
        Ranker.from_dict({**data, "features": list(FEATURES)[::-1]})


# -- answers from the real index ----------------------------------------------------------------------
def _compose(assistant, question):
    retrieval = assistant.retriever.retrieve(question)
    return ExtractiveComposer().compose(question, retrieval), retrieval


def _quotes(assistant, question):
    """The composed answer to ``question`` and its quoted sentences, in order."""
    answer, _ = _compose(assistant, question)
    return answer, [sentence for sentence, _ in cited_sentences(answer.body)]


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "How many CAR-NK clinical trials have been registered?",
        "How often does ICANS happen with CAR-T?",
        "How much does CAR-T therapy cost?",
    ],
)
def test_a_quantity_question_leads_with_a_figure(assistant, question):
    answer = assistant.ask(question)
    pairs = cited_sentences(answer.body)
    assert not answer.refused and cues.figures(pairs[0][0]), answer.body


@pytest.mark.integration
@pytest.mark.parametrize("question", ["What is an NK cell?", "What is cytokine release syndrome?"])
def test_a_what_is_question_leads_with_a_definition(assistant, question):
    answer = assistant.ask(question)
    lead = cited_sentences(answer.body)[0][0]
    assert cues.defines(lead, qf.read_form(question).subject), answer.body


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Is CAR-NK better than CAR-T?",
        "Why is CAR-NK less toxic than CAR-T?",
        "What is antigen escape?",
        "Where do CAR-NK cells come from?",
        "How long do NK cells last in the body?",
    ],
)
def test_answers_are_short_verbatim_and_lead_with_a_standalone_sentence(assistant, question):
    answer, _ = _compose(assistant, question)
    pairs = cited_sentences(answer.body)
    assert 1 <= len(pairs) <= MAX_SENTENCES, answer.body
    by_n = {c.n: c for c in answer.citations}
    for sentence, marks in pairs:
        assert quoted(sentence, [by_n[n].text for n in marks]), sentence
        assert all(q in by_n[n].text for n in marks for q in by_n[n].quotes)
    assert not re.match(r"(?:However|Additionally|Furthermore|Moreover|In addition),", pairs[0][0])
    assert len({s for s, _ in pairs}) == len(pairs)  # no sentence twice


@pytest.mark.integration
def test_a_quantity_question_with_no_figure_retrieved_is_not_covered(assistant):
    question = "How many NK cells does a person have?"
    retrieval = assistant.retriever.retrieve("What is an NK cell?")
    stored = retrieval.sentences
    without = [
        p
        for p in retrieval.passages
        if not any(cues.has_quantity(stored[s].text) for s in p.chunk.sentence_ids if s in stored)
    ]
    assert without, "the test needs a retrieved passage that states no figure"
    answer = ExtractiveComposer().compose(question, replace(retrieval, passages=without))
    assert answer.refused and answer.triage == "not_covered" and not answer.citations
    answer = ExtractiveComposer().compose(question, retrieval)  # with the figures back it answers
    assert not answer.refused


_GARDEN = """---
id: acid-loving-plants
title: Looking after acid-loving plants
---
## Yellow leaves

Blueberries need soil with a low pH, between 4.5 and 5.5. In chalky soil the leaves turn yellow between
green veins, because the roots cannot take up iron. This is called chlorosis. Adding sulphur lowers the
pH over a few months, and rainwater is better for them than tap water.

## Common questions

**Can chlorosis spread to other plants?** No. It comes from the soil, not from a germ, so it cannot pass
from one plant to another. Pests on the weak leaves need their own treatment.
"""


@pytest.mark.integration
def test_a_lead_that_points_back_comes_after_the_sentence_it_points_to(article_assistant):
    """ "This is called X." answers "what is X?" only with the sentence before it (an article no code knows)."""
    assistant = article_assistant(_GARDEN)
    answer, quotes = _quotes(assistant, "What is chlorosis?")
    assert quotes and quotes[0].startswith("In chalky soil the leaves turn yellow"), answer.body
    if "This is called chlorosis." in quotes:
        assert quotes.index("This is called chlorosis.") == 1
    assert len(quotes) <= MAX_SENTENCES

    # The article's own question asked again, answered with a bare "No.": quoted with the sentence that
    # says why, the two as one cited claim. Asked in other words (0.7 close), the "No." could deny what
    # was not asked: the sentence that says why answers alone.
    answer, quotes = _quotes(assistant, "Can chlorosis spread to other plants?")
    because = "It comes from the soil, not from a germ, so it cannot pass from one plant to another."
    assert quotes[0] == f"No. {because}", answer.body
    answer, quotes = _quotes(assistant, "Is chlorosis contagious?")
    assert because in quotes and "No." not in answer.body, answer.body
    # Asked otherwise than yes or no, the bare reply is not quoted at all.
    answer, _ = _compose(assistant, "How does chlorosis pass from plant to plant?")
    assert not answer.body.startswith("No."), answer.body


@pytest.mark.unit
@pytest.mark.parametrize(
    ("sentence", "needs_before"),
    [
        ("This is called chlorosis.", True),
        ("These can be signs of an infection that needs treatment the same day.", True),
        ("They are known as natural killer cells.", True),
        ("Doctors call this chlorosis.", True),  # a name for what came before
        ("Call this number if the leaves wilt.", False),
        ("It happens because radiation harms the new skin cells.", False),
        ("They affect up to 4 in 10 people having chemotherapy.", False),
        ("Blueberries need soil with a low pH.", False),
    ],
)
def test_a_lead_needs_the_sentence_before_only_when_it_stands_for_it(sentence, needs_before):
    assert sums_up_before(sentence) is needs_before


@pytest.mark.unit
def test_a_sentence_about_the_document_itself_is_no_answer():
    from bot.quotes import describes_document

    assert describes_document("This handout explains what happens on the day of your infusion.")
    assert describes_document("This leaflet is for people having chemotherapy.")
    assert not describes_document("This medicine explains why the rash fades.")  # about the topic
    assert not describes_document("The handout from the ward lists the numbers to call.")
    # A signpost to what follows is about the article too; a list's lead-in and a sentence that
    # goes on after its colon are not.
    assert describes_document("Here's what a new review says about the promise and the evidence.")
    assert describes_document("Here is how the allotment scheme works.")
    assert not describes_document("Here are some tips:")
    assert not describes_document("Here is what to do: water the trays at dawn.")


@pytest.mark.unit
def test_only_a_list_item_in_lower_case_finishes_a_lead_in():
    assert continues_lead_in("- cannot keep fluids down for 24 hours;") and continues_lead_in("2. rest well")
    assert not continues_lead_in("- Weigh yourself once a week.")
    assert not continues_lead_in("iPSCs are stem cells made from skin.")  # lower case, but no list


_SEEDLINGS = """---
id: raising-seedlings
title: Raising seedlings on a windowsill
---
## Watering

Water the seed trays in the early morning. A fine rose on the can keeps the compost from washing
away. Leaves that stay wet through a cool night can grow mould, so the young seedlings may rot. Let the
top of the compost dry a little between waterings.
"""


@pytest.mark.integration
def test_a_why_question_leads_with_the_reason_beside_the_rule(article_assistant):
    """The best match restates the rule ("Water ... in the early morning."); the reason beside it leads."""
    assistant = article_assistant(_SEEDLINGS)
    answer, quotes = _quotes(assistant, "Why should seedlings be watered in the morning?")
    assert quotes[0].startswith("Leaves that stay wet through a cool night can grow mould"), answer.body
    assert "Water the seed trays in the early morning." in quotes


_GARDEN_SAFETY = """---
id: garden-safety
title: Gardening safely in hot weather
---
## When to stop

Stop work and rest in the shade if you:

- feel dizzy or sick;
- have a headache that will not go away;
- notice that your skin is hot and dry.

## Mowers

Check the mower before each use. Call the repair shop if:

- the cord is cut or frayed;
- a blade has come loose. Do not tighten it while the engine is running.
"""


@pytest.mark.integration
def test_a_list_item_is_quoted_with_its_lead_in_and_its_rest(article_assistant):
    """Each item of a list is a sentence of its own, read with the sentence above the list."""
    assistant = article_assistant(_GARDEN_SAFETY)
    answer, quotes = _quotes(assistant, "What should I do if I feel dizzy while gardening?")
    assert quotes[0] == "Stop work and rest in the shade if you: - feel dizzy or sick;", answer.body
    assert not any("headache" in q and "dizzy" in q for q in quotes)  # items are not one sentence

    answer, quotes = _quotes(assistant, "What if a blade on my mower comes loose?")
    # The lead-in and a later item of its list are one claim, the items between left out.
    item = quotes.index("Call the repair shop if: … - a blade has come loose.")
    assert quotes[item + 1] == "Do not tighten it while the engine is running.", answer.body
    answer, quotes = _quotes(assistant, "Should I stop if I have a headache that will not go away?")
    assert "Stop work and rest in the shade if you: … - have a headache that will not go away;" in quotes, answer.body


_ROSES = """---
id: roses
title: Growing roses
---
## Pruning

Prune roses in late winter, just above an outward-facing bud. Remove dead and crossing stems first.

## Questions to ask your garden team

You may like to take these questions to your next visit:

- Which roses suit my soil?
- When should I feed them, and with what?
- How do I keep black spot away?

## About this page

Written by the garden team in 2024.
"""


@pytest.mark.integration
def test_what_to_ask_is_answered_with_the_articles_own_list_of_questions(article_assistant):
    assistant = article_assistant(_ROSES)
    assert qf.read_form("What questions should I ask my garden team?").to_ask
    assert not qf.read_form("When should I prune roses?").to_ask
    answer, quotes = _quotes(assistant, "What questions should I ask my garden team about roses?")
    assert quotes[0].startswith("- Which roses suit my soil?"), answer.body
    assert all(q.endswith("?") for q in quotes) and len(quotes) == 3, answer.body
    answer, _ = _compose(assistant, "When should I prune roses?")  # otherwise its questions are not quoted
    assert not any(q.endswith("?") for q, _ in cited_sentences(answer.body)), answer.body


_WOUND = """---
id: wound-care
title: Looking after your wound at home
---
## Keeping it clean

Keep the dressing dry for the first two days. After that you can shower, but pat the wound dry
with a clean towel.

## When to get help

Call your care team straight away if:

- the wound bleeds through the dressing;
- it smells bad or opens up.
"""


@pytest.mark.integration
def test_a_when_question_is_answered_by_the_condition_a_handout_gives(article_assistant):
    """ "When should I call?" asks for a condition ("if the wound bleeds ..."), not only a time or date."""
    assert cues.gives_measure("Call the ward straight away if the wound bleeds.", "time")
    assistant = article_assistant(_WOUND)
    answer = assistant.ask("When should I call my team?")
    assert not answer.refused, answer.body
    assert answer.body.startswith("Call your care team straight away if: - the wound bleeds"), answer.body


_COMPOST = """---
id: compost
title: Compost and soil
---
## Compost

Compost is not the same as soil. It is rotted plant matter that feeds the soil, while soil is
mostly ground-up rock. Turn the heap every two weeks so air reaches the middle.
"""


@pytest.mark.integration
def test_a_lead_that_only_promises_is_one_claim_with_what_it_promises(article_assistant):
    assistant = article_assistant(_COMPOST)
    answer, quotes = _quotes(assistant, "Is compost the same thing as soil?")
    assert quotes[0].startswith("Compost is not the same as soil. It is rotted plant matter"), answer.body


@pytest.mark.unit
@pytest.mark.parametrize(
    ("sentence", "promise"),
    [
        ("A port is different from a drip in the hand.", True),
        ("A port is different from a drip, because it sits under the skin.", False),
        ("Two themes stand out.", True),
        ("Fatigue is not the same as ordinary tiredness.", True),
        ("There are downsides too.", True),  # that some exist, not which
        ("There are 120 trials running worldwide.", False),
        ("Fatigue is not the same as tiredness, because rest does not help.", False),
        ("Some things can damage the line:", True),
        ("The line is flushed every 7 days.", False),
    ],
)
def test_a_sentence_that_promises_what_follows(sentence, promise):
    assert announces(sentence) is promise


def _candidates(texts: list[str], shares: list[float]) -> list:
    """Candidates of one passage, sentence i at position i, with the given ranker shares."""
    from bot.candidates import Candidate
    from bot.ranker import Signals
    from bot.types import Passage, StoredChunk, StoredSentence

    ids = tuple(f"s{i}" for i in range(len(texts)))
    chunk = StoredChunk("c1", "doc", "Title", "Section", None, " ".join(texts), ids, (), 0)
    passage = Passage(chunk, 1.0, 0.5, 0.5, 0.0)
    vectors = np.eye(len(texts), 8)  # orthogonal: no two repeat each other
    return [
        Candidate(
            StoredSentence(sid, text, (), vectors[i]), text, passage, Signals(text, text, 0.5, 0.5, 0, i, 0.0, 0.5), p
        )
        for i, (sid, text, p) in enumerate(zip(ids, texts, shares, strict=True))
    ]


def _selected(form, *groups, asked: str = "") -> list[str]:
    """What ``select`` quotes from these candidates, best share first (``asked``: the question)."""
    from bot.extractive import select

    found = sorted((c for group in groups for c in group), key=lambda c: -c.probability)
    return [c.shown for c in select(form, found, 100, terms(asked))]


@pytest.mark.unit
def test_a_lead_pointing_back_with_a_noun_the_question_names_answers_before_its_antecedent():
    texts = [
        "Severe blight is sprayed with copper or sulphur.",
        "These sprays slow the blight but do not harm the bees.",
    ]
    found = _candidates(texts, [0.2, 0.8])
    question = "Do the sprays for blight harm bees?"
    assert _selected(qf.read_form(question), found, asked=question) == texts[::-1]
    # "Which sprays ...?" asks what the antecedent names: it comes first.
    question = "Which sprays are used on blight?"
    assert _selected(qf.read_form(question), found, asked=question) == texts


@pytest.mark.unit
def test_a_lead_pointing_back_that_names_the_defined_term_answers_before_its_antecedent():
    question = qf.read_form("What is chlorosis?")
    texts = [
        "Some leaves turn yellow between the veins.",
        "This can be a sign of too little iron, which is called chlorosis.",
    ]
    assert _selected(question, _candidates(texts, [0.2, 0.8])) == texts[::-1]
    # "This is called chlorosis." only names it: what it stands for comes first.
    names = [texts[0], "This is called chlorosis."]
    assert _selected(question, _candidates(names, [0.2, 0.8])) == names


@pytest.mark.unit
def test_a_comparison_brings_the_side_its_answer_does_not_name_yet():
    from dataclasses import replace

    texts = [
        "- Plastic trays are made from recycled bottles.",
        "They are cheap and light, but hot water from the kettle can warp them.",
        "- Clay trays are made from fired earth.",
    ]
    found = _candidates(texts, [0.6, 0.05, 0.02])
    # The two sides read alike (close in meaning), but the third sentence is the other side.
    found[2] = replace(found[2], sentence=replace(found[2].sentence, embedding=found[0].sentence.embedding))
    form = qf.read_form("What's the difference between a plastic tray and one made of clay?")
    # "made" (a verb) and "one" do not name the clay side; "clay" does.
    assert _selected(form, found) == texts


@pytest.mark.unit
def test_a_third_near_equal_sentence_follows_only_two_short_ones():
    form = qf.read_form("How do I look after the seed trays?")
    short = ["Water the trays at dawn.", "Keep them off the cold floor.", "Turn them each week."]
    assert _selected(form, _candidates(short, [0.4, 0.3, 0.3])) == short
    long = [
        "Water the seed trays at dawn with a fine rose on the can, so the compost stays damp all day long.",
        "Keep the trays off the cold floor of the shed, on a bench or a shelf near the window where it is light.",
        "Turn them each week.",
    ]
    assert _selected(form, _candidates(long, [0.4, 0.3, 0.3])) == long[:2]


@pytest.mark.unit
def test_what_happens_gets_the_lead_and_the_sentence_that_goes_on_from_it():
    texts = [
        "Leaf blight is the most common disease of young plants.",
        "When the mould reaches a leaf, it spreads quickly and turns it brown.",
        "Spray in spring.",
    ]
    form = qf.read_form("What actually happens in leaf blight?")
    assert form.course and not qf.read_form("How often does leaf blight happen?").course
    assert _selected(form, _candidates(texts, [0.9, 0.04, 0.06])) == texts[:2]
    assert _selected(qf.read_form("What is leaf blight?"), _candidates(texts, [0.9, 0.04, 0.06])) == texts[:1]


@pytest.mark.unit
def test_a_lead_that_only_promises_brings_the_sentence_after_it():
    texts = ["A port is different from a drip.", "A drip stays in for a few days only.", "Ports are flushed monthly."]
    found = _candidates(texts, [0.97, 0.01, 0.02])
    assert _selected(qf.read_form("How is a port different from a drip?"), found) == texts[:2]
    plain = _candidates(["A port sits under the skin.", *texts[1:]], [0.97, 0.01, 0.02])
    chosen = _selected(qf.read_form("Where does a port sit?"), plain)
    assert chosen == ["A port sits under the skin."]  # nothing promised, nothing added


@pytest.mark.unit
def test_a_why_question_takes_its_reason_from_another_passage_when_nearly_as_likely():
    why = qf.read_form("Why should seedlings be watered in the morning?")
    rule = _candidates(["Water the seed trays in the early morning."], [0.5])
    for share, leads in ((0.3, True), (0.1, False)):
        reason = _candidates(["Leaves that stay wet overnight rot, because mould grows in the cold."], [share])
        chosen = _selected(why, rule, reason)
        assert (chosen[0] == reason[0].shown) is leads, chosen


@pytest.mark.unit
def test_what_causes_it_is_answered_by_what_it_comes_from_read_with_the_sentence_before():
    assert cues.names_cause("It comes from a preservative in the bag.")
    assert cues.names_cause("The rash is mostly caused by the sun.") and cues.names_cause("It is due to low iron.")
    assert not cues.names_cause("The rash leads to itching.") and not cues.names_cause("Cells from donors are used.")

    form = qf.read_form("What causes the metal taste after the drip?")
    texts = ["Some people notice a metal taste during the drip.", "It comes from a preservative in the bag."]
    found = _candidates(texts, [0.9, 0.1])
    for alone, in_context, leads in ((0.2, 0.6, True), (0.2, 0.2, False)):
        found[1] = replace(found[1], signals=replace(found[1].signals, cosine=alone, context_cosine=in_context))
        assert (_selected(form, found)[0] == texts[1]) is leads


@pytest.mark.unit
def test_a_follower_is_never_a_fragment_or_a_promise_left_without_what_it_needs():
    form = qf.read_form("How do I care for the pots?")
    texts = [
        "Water the pots every morning.",
        "Pots dry out faster in the sun.",
        "There are downsides too.",
        "Call us if you:",
        "- see white mould on the soil;",
    ]
    chosen = _selected(form, _candidates(texts, [0.6, 0.1, 0.19, 0.01, 0.2]))
    assert chosen == texts[:2]


@pytest.mark.unit
def test_a_purpose_answers_why_and_may_point_back_to_what_the_question_names():
    assert cues.explains("These rules exist to protect people who might be harmed.")
    why = qf.read_form("Why are there rules about who can join a trial?")
    texts = ["Every trial has entry rules about who can take part.", "These rules exist to protect people."]
    chosen = _selected(why, _candidates(texts, [0.9, 0.05]), asked="Why are there rules about who can join a trial?")
    assert chosen[:2] == texts[::-1]


@pytest.mark.unit
def test_what_causes_x_is_answered_by_what_brings_x_about():
    assert qf.read_form("What causes leaf blight?").subject == "leaf blight"
    assert cues.brings_about("Overwatering can trigger leaf blight in young plants.", "leaf blight")
    assert not cues.brings_about("Leaf blight causes brown spots.", "leaf blight")  # what blight does

    form = qf.read_form("What causes leaf blight?")
    spreads = _candidates(["Leaf blight spreads quickly in wet summers."], [0.6])
    for share, leads in ((0.2, True), (0.1, False)):
        trigger = _candidates(["Overwatering can trigger leaf blight in young plants."], [share])
        assert (_selected(form, spreads, trigger)[0] == trigger[0].shown) is leads


@pytest.mark.unit
def test_a_comparison_that_names_two_sides_gets_the_other_side_too():
    assert qf.read_form("How is anticipatory grief different from delayed grief?").sides == (
        "anticipatory grief",
        "delayed grief",
    )
    assert qf.read_form("What is the difference between dry and moist rot?").sides == ("dry", "moist rot")
    assert qf.read_form("Is mulch better than bark?").sides == ()  # no two sides set apart by its grammar
    assert qf.read_form("Is the dose different for adults and children on Xyloprene?").sides == (
        "adults",
        "children on xyloprene",
    )
    assert qf.read_form("When do I water the trays and when do I feed them?").sides == (
        "water the trays",
        "do i feed them",
    )
    assert qf.read_form("Should I prune in spring rather than in autumn?").sides == (
        "should i prune in spring",
        "in autumn",
    )

    form = qf.read_form("What is the difference between dry and moist rot?")
    texts = [
        "In wet soil the stems turn soft and moist, then black.",
        "Some stems shrink and crack in a drought.",
        "This is called dry rot.",
    ]
    # The other side's sentence only names it: the sentence it names comes with it.
    assert _selected(form, _candidates(texts, [0.8, 0.01, 0.02])) == texts


@pytest.mark.unit
def test_a_comparison_whose_lead_names_neither_side_gets_both():
    form = qf.read_form("Is the dose different for adults and children taking Xyloprene?")
    texts = [
        "Xyloprene is dosed by body size, so the dose is checked before each course.",
        "- Adults take 2 tablets twice a day.",
        "- Children have a syrup once a day, measured by weight.",
    ]
    # "taking Xyloprene" is both sides' (left out of the first); "adults" and "children" set them apart.
    # The two sides answer; the lead that names neither sets their scene, after them.
    assert _selected(form, _candidates(texts, [0.8, 0.01, 0.01])) == [*texts[1:], texts[0]]


@pytest.mark.unit
def test_the_figure_itself_beats_words_about_one():
    assert cues.measure_fit("Side effects occurred in 72 % of patients.", "share") == 1.0
    assert cues.measure_fit("About 8 in 10 people have it.", "share") == 1.0
    assert cues.measure_fit("Most people have one injection a week.", "share") == 0.5
    assert cues.measure_fit("Responses lasted a median of 18.4 months.", "duration") == 1.0
    assert cues.measure_fit("It can last for several months.", "duration") == 0.5
    assert cues.measure_fit("Drink plenty.", "amount") == 0.0

    how_often = qf.read_form("How often did the rash happen?")
    vague = _candidates(["Most people get a rash once a week or so."], [0.5])
    for share, leads in ((0.2, True), (0.05, False)):
        exact = _candidates(["A rash occurred in 72 % of patients."], [share])
        chosen = _selected(how_often, vague, exact)
        assert (chosen[0] == exact[0].shown) is leads, chosen
    # "How many days ...": the figure must count days.
    how_many_days = qf.read_form("How many days a week is the treatment given?")
    minutes = _candidates(["Each session takes about 15 to 30 minutes."], [0.5])
    days = _candidates(["Most people have a session 5 days a week."], [0.3])
    chosen = _selected(how_many_days, minutes, days)
    assert chosen[0] == days[0].shown, chosen


@pytest.mark.unit
def test_a_clipped_word_in_the_question_matches_its_full_form():
    have = frozenset(terms("Fatigue is often worst in the few days after each chemotherapy cycle."))
    assert terms_found(set(terms("when is chemo tiredness worst")), have) == set(terms("chemo worst"))
    assert not terms_found(set(terms("is the car safe")), frozenset(terms("Cardiac problems are rare.")))


@pytest.mark.unit
def test_centrality_finds_the_sentence_that_sums_the_others_up():
    rng = np.random.default_rng(0)
    specific = rng.normal(size=(4, 16))
    summary = specific.sum(axis=0)
    vectors = np.vstack([specific, summary])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = centrality(vectors)
    assert scores.argmax() == 4 and scores.shape == (5,)
    assert not centrality(vectors[:2]).any()  # two sentences: no centre to speak of


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "verb", "unit"),
    [
        ("Can I still hug my grandchildren after the treatment?", "hug", ""),
        ("How many days a week is the therapy usually given?", "given", "day"),
        ("how much water should I drink?", "drink", "water"),
        ("Where do the donor cells come from?", "come", ""),
        ("What is a biopsy?", "", ""),
        ("How much should I drink on a normal day?", "drink", ""),  # no unit named
    ],
)
def test_the_questions_own_verb_and_counted_unit_are_read(question, verb, unit):
    form = qf.read_form(question)
    assert (form.verb, form.unit) == (verb, unit)


@pytest.mark.unit
def test_superlative_origin_verb_and_unit_signals():
    assert qf.read_form("What is the biggest risk?").superlative and cues.singles_out("The main risk is infection.")
    # Any adjective in -est is one ("hardest", "earliest"); a word that only ends so is not ("honest", "test").
    assert qf.read_form("When does the tiredness hit hardest?").superlative
    assert cues.singles_out("The earliest sign is a rash.") and not cues.singles_out("An honest test of interest.")
    assert qf.read_form("Where do the cells come from?").origin and cues.gives_origin("They are collected from donors.")
    assert not qf.read_form("Where is the clinic?").origin
    assert cues.echoes_verb("Do not wash off the marks.", "washed") and not cues.echoes_verb("Keep them dry.", "washed")
    assert cues.counts_unit("Most people have it 5 days a week.", "day") and not cues.counts_unit(
        "It lasts 5 weeks.", "day"
    )
    # "how much water": an amount of it ("about 2 litres) of water"), not "a lot of water"
    assert cues.counts_unit("Drink 8 glasses (about 2 litres) of water a day.", "water")
    assert not cues.counts_unit("Drink a lot of water.", "water")
    assert cues.gives_reason("The cold narrows the vessels, so less of the drug arrives.")
    assert cues.gives_measure("Replace your toothbrush every month.", "share")
    assert not cues.gives_measure("Every patient is different.", "share")


@pytest.mark.unit
def test_a_figure_question_takes_the_figure_from_the_sentence_that_goes_on_about_the_lead():
    """The best match names what is asked about without the figure; the sentence after it ("They
    are ... 10 to 15 people") goes on about it with the figure, and comes right after it."""
    texts = [
        "New members start in the starter season, the first season on the site.",
        "They are usually small groups, often 10 to 15 people.",
        "In the second season members get a full plot of their own.",
    ]
    form = qf.read_form("How many people are in the starter season?")
    assert _selected(form, _candidates(texts, [0.7, 0.1, 0.2]))[:2] == texts[:2]
    # Not a figure of what was counted, or not about the lead: the usual followers.
    unrelated = [texts[0], "Each group is given 10 to 15 spades.", texts[2]]
    assert _selected(form, _candidates(unrelated, [0.7, 0.1, 0.2]))[1] == texts[2]


_SEED_BANK = """---
id: seed-bank
title: The allotment seed bank
---
## How the seed bank works

Seeds are dried, sealed in paper packets and stored in a cool, dry shed. Every spring a volunteer
opens a sample of each packet and checks the seeds for mould and damp. Packets that fail the check
are composted.

## Common questions

**Is the seed bank open to the public?** Largely no — it is mostly for members, with few open days so far.

**Can I bring my own seeds?** Yes. Label the packet with the plant and the year.
"""


@pytest.mark.integration
def test_a_reply_to_the_articles_own_question_is_not_quoted_for_another(article_assistant):
    """ "Largely no — it is mostly for members" answers "Is the seed bank open to the public?"; asked
    about the shed, it would say no to what was not asked."""
    assistant = article_assistant(_SEED_BANK)
    answer = assistant.ask("Is the shed mostly for members?")
    assert "Largely no" not in answer.body, answer.body
    answer = assistant.ask("Is the seed bank open to the public?")
    assert answer.body.startswith("Largely no"), answer.body  # its own question: it answers


@pytest.mark.unit
def test_a_sentence_that_opens_with_a_reply():
    from bot.quotes import opens_with_reply

    assert opens_with_reply("Largely no — it is mostly for members.")
    assert opens_with_reply("Yes, but only in the first week.")
    assert opens_with_reply("Usually not, because the seeds would rot.")
    assert not opens_with_reply("Not everyone needs it.")
    assert not opens_with_reply("Yes.")  # a bare reply is quoted with the sentence after it
    assert not opens_with_reply("Nobody knows yet.")


@pytest.mark.unit
def test_a_no_to_what_is_asked_settles_a_yes_no_question():
    assert cues.says_no_to("The sprays do not kill the mould.", terms("Do the sprays kill the mould?"))
    assert not cues.says_no_to("Mould spreads if it is not treated quickly.", terms("Do the sprays kill the mould?"))
    assert not cues.says_no_to("Whether or not the mould spreads, water less.", terms("Does the mould spread?"))
    assert not cues.says_no_to("It is not just the mould that spreads.", terms("Does the mould spread?"))

    question = "Do copper sprays kill the mould?"
    texts = ["Blight is treated with copper sprays in spring.", "They do not kill the mould."]
    found = _candidates(texts, [0.8, 0.12])
    for in_context, leads in ((0.6, True), (0.4, False)):  # at least as close to the question, read in context
        found[1] = replace(found[1], signals=replace(found[1].signals, context_cosine=in_context))
        assert (_selected(qf.read_form(question), found, asked=question)[0] == texts[1]) is leads
    # Not for other forms, nor when the article's own reply comes before the best.
    assert _selected(qf.read_form("How are copper sprays used on the mould?"), found)[0] == texts[0]
    replied = _candidates(["No.", *texts], [0.01, 0.8, 0.12])
    assert _selected(qf.read_form(question), replied, asked=question)[:2] == ["No.", texts[0]]


@pytest.mark.unit
def test_a_yes_no_question_leads_with_a_nearly_as_likely_sentence_naming_more_of_it():
    question = "Can frost damage ever be permanent?"
    texts = ["Frost damage shows on the leaves first.", "After a hard frost, the damage can be permanent."]
    for share, leads in ((0.3, True), (0.1, False)):  # naming more is weaker than a "no": nearly as likely only
        found = _candidates(texts, [0.6, share])
        assert (_selected(qf.read_form(question), found, asked=question)[0] == texts[1]) is leads


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "several", "how_to", "works"),
    [
        ("What symptoms would leaf blight give a plant?", True, False, False),
        ("What are the downsides of raised beds?", True, False, False),  # not in the dictionary: plural by its look
        ("What are the warning signs of frost damage?", True, False, False),
        ("What sort of marks does the fungus leave?", True, False, False),
        ("What helps with aphids?", False, False, False),  # a verb, not things
        ("What is a raised bed?", False, False, False),
        ("How can I stop it from happening?", False, True, False),
        ("how can leaf curl be prevented?", False, True, False),
        ("How can I tell if the soil is dry?", False, False, False),  # how to recognise it, not how to do it
        ("How do copper sprays work against blight?", False, False, True),
        ("How do I work the soil in spring?", False, True, False),
    ],
)
def test_what_an_open_question_asks_for(question, several, how_to, works):
    form = qf.read_form(question)
    assert (form.several, form.how_to, form.works) == (several, how_to, works)


@pytest.mark.unit
def test_how_early_asks_for_a_time_and_stopping_it_happening_is_preventing_it():
    form = qf.read_form("How early should I put the fleece on before a frost?")
    assert (form.kind, form.measure) == (qf.QUANTITY, "time")
    assert qf.read_form("how can I stop leaf curl from happening?").verb == "prevent"
    assert cues.gives_means("To help prevent it:", "prevent")
    assert cues.gives_means("Good drainage is the best way to prevent it.", "prevented")
    assert not cues.gives_means("Rot is easier to prevent than to cure.", "prevent")


@pytest.mark.unit
def test_how_to_do_it_is_led_by_the_way_to_do_it_not_by_what_it_is():
    texts = [
        "Leaf curl is a disease where the leaves pucker and turn red.",
        "To help prevent it:",
        "- Spray the buds with copper in late winter.",
    ]
    found = _candidates(texts, [0.9, 0.01, 0.09])
    assert _selected(qf.read_form("How can I stop leaf curl from happening?"), found)[:2] == texts[1:]
    assert _selected(qf.read_form("What is leaf curl?"), found)[0] == texts[0]


@pytest.mark.unit
def test_a_promise_in_the_words_asked_leads_with_what_follows_it():
    texts = ["Raised beds warm up early in spring.", "There are downsides too.", "They dry out fast and cost more."]
    question = "What are the downsides of raised beds?"
    chosen = _selected(qf.read_form(question), _candidates(texts, [0.5, 0.3, 0.2]), asked=question)
    assert chosen[:2] == texts[1:]
    question = "Do raised beds warm up early?"  # a yes or no is settled by the best match
    assert _selected(qf.read_form(question), _candidates(texts, [0.5, 0.3, 0.2]), asked=question)[0] == texts[0]


@pytest.mark.unit
def test_asked_for_things_a_lead_pointing_back_at_them_follows_the_sentence_naming_them():
    texts = ["Clay pots are heavy, crack in frost and dry out fast.", "Plastic pots try to fix those drawbacks."]
    question = "What are the drawbacks of clay pots?"
    assert _selected(qf.read_form(question), _candidates(texts, [0.2, 0.8]), asked=question) == texts


@pytest.mark.unit
def test_asked_for_things_an_item_of_a_list_of_them_leads_under_its_lead_in():
    texts = [
        "Leaf blight is a fungus that spreads in wet weather.",
        "Leaf blight can cause:",
        "- brown spots on the lower leaves;",
        "- leaves that wither and drop.",
    ]
    found = _candidates(texts, [0.6, 0.01, 0.3, 0.09])
    chosen = _selected(qf.read_form("What symptoms would leaf blight give a plant?"), found)
    assert chosen[:3] == texts[1:]  # a short list is quoted whole
    # ... also when the lead-in itself leads (each item once)
    lead_in_first = _candidates(texts, [0.2, 0.6, 0.1, 0.1])
    assert _selected(qf.read_form("What kinds of damage does leaf blight do?"), lead_in_first)[:3] == texts[1:]
    assert _selected(qf.read_form("What is leaf blight?"), found)[0] == texts[0]
    # A long one: the likeliest item under its lead-in.
    long_item = "- " + " ".join(["yellow"] * 60) + " leaves."
    found = _candidates([*texts, long_item], [0.6, 0.01, 0.3, 0.08, 0.01])
    chosen = _selected(qf.read_form("What symptoms would leaf blight give a plant?"), found)
    assert chosen[:2] == texts[1:3] and long_item not in chosen


@pytest.mark.unit
def test_how_a_thing_works_is_led_by_the_sentence_saying_what_it_does():
    texts = [
        "Copper sprays are a type of fungicide you mix with water.",
        "Once on the leaf, the copper kills the spores as they land, so they cannot grow.",
    ]
    found = _candidates(texts, [0.8, 0.2])
    assert _selected(qf.read_form("How do copper sprays work against blight?"), found)[0] == texts[1]
    assert _selected(qf.read_form("What are copper sprays?"), found)[0] == texts[0]


def test_a_sentence_that_sets_two_things_side_by_side():
    assert cues.sets_side_by_side("A PE is more dangerous than a DVT.")
    assert cues.sets_side_by_side("A takes weeks, whereas B can start within days.")
    assert cues.sets_side_by_side("Unlike A, B needs no donor.")
    assert not cues.sets_side_by_side("Having cancer makes a clot more likely.")  # more than what?
    assert not cues.sets_side_by_side("It affected more than half of patients.")  # a figure
    assert not cues.sets_side_by_side("It can affect nerves other than those in the hands.")
    assert cues.says_which_is_more("Tablets are easier to take.")
    assert not cues.says_which_is_more("A clot can travel to the lungs.")
    assert cues.is_comparative("sooner") and not cues.is_comparative("number") and not cues.is_comparative("cancer")


@pytest.mark.unit
def test_a_comparison_leads_with_the_sentence_that_compares():
    question = "Is rot in the root worse than rot in the leaf?"
    texts = ["Rot can spread from a leaf to the root.", "Root rot is more harmful than leaf rot."]
    for share, leads in ((0.06, True), (0.03, False)):  # from the best's own passage, a twentieth as likely
        found = _candidates(texts, [0.8, share])
        assert (_selected(qf.read_form(question), found, asked=question)[0] == texts[1]) is leads
    # Not for a question that compares nothing.
    found = _candidates(texts, [0.8, 0.3])
    plain = "Can rot spread to the root?"
    assert _selected(qf.read_form(plain), found, asked=plain)[0] == texts[0]


@pytest.mark.unit
def test_a_comparison_whose_best_compares_something_else_leads_with_the_one_on_what_is_asked():
    question = "Which caused more serious side effects, A or B?"
    texts = [
        "Tumours shrank in 44 % given A, compared with 19 % given B.",
        "Serious side effects occurred in 16 % given A, compared with 27 % given B.",
    ]
    for share, leads in ((0.3, True), (0.1, False)):  # nearly as likely only
        found = _candidates(texts, [0.6, share])
        assert (_selected(qf.read_form(question), found, asked=question)[0] == texts[1]) is leads


def _faq_retrieval(texts: list[str], closeness: list[float]):
    """One passage of ``texts``, each sentence this close (cosine) to the query."""
    from bot.types import Passage, Retrieval, StoredChunk, StoredSentence

    query = np.eye(1, 8)[0]
    ids = tuple(f"s{i}" for i in range(len(texts)))
    sentences = {}
    for i, (sid, text, cos) in enumerate(zip(ids, texts, closeness, strict=True)):
        vector = cos * query + np.sqrt(1 - cos**2) * np.eye(1, 8, i + 1)[0]  # unit length, ``cos`` to the query
        sentences[sid] = StoredSentence(sid, text, (), vector)
    chunk = StoredChunk("c1", "doc", "Title", "Common questions", None, " ".join(texts), ids, (), 0)
    return Retrieval("q", query, (), [Passage(chunk, 1.0, 0.5, 0.9, 0.0)], sentences=sentences)


@pytest.mark.unit
def test_the_reason_after_a_bare_reply_answers_only_a_yes_no_question():
    """ "Will I get rot? No. Most gardens never do." answers "will I get rot?"-like questions; asked
    "what makes rot more likely?", the article's question is another one, however close in words."""
    from bot.candidates import candidates

    retrieval = _faq_retrieval(
        ["Will I definitely get root rot?", "No.", "Most gardens never get it, and good drainage helps."],
        [0.9, 0.1, 0.5],
    )
    said = {c.shown: c.signals.asked for c in candidates(retrieval, qf.read_form("Will my garden get root rot?"))}
    assert said["Most gardens never get it, and good drainage helps."] == pytest.approx(0.9)
    said = {c.shown: c.signals.asked for c in candidates(retrieval, qf.read_form("What makes root rot more likely?"))}
    assert said == {"Most gardens never get it, and good drainage helps.": 0.0}


@pytest.mark.unit
def test_a_bare_no_answers_only_the_articles_own_question_asked_again():
    """ "Can frost kill the roots? No. ..." near "Do I cover the roots before frost?" (a question close in
    words, 0.7): the "No." would deny what was not asked; the sentence after it is still a candidate."""
    from bot.candidates import candidates

    faq = ["Can frost kill the roots?", "No.", "Roots sit deep enough in the soil to stay above freezing."]
    form = qf.read_form("Do I cover the roots before a frost?")
    near = {c.shown: c.signals.asked for c in candidates(_faq_retrieval(faq, [0.7, 0.1, 0.5]), form)}
    assert "No." not in near and near[faq[2]] == pytest.approx(0.7)
    same = {c.shown for c in candidates(_faq_retrieval(faq, [0.9, 0.1, 0.5]), form)}
    assert "No." in same


@pytest.mark.unit
def test_how_many_units_leads_with_the_count_of_them_over_the_unit_in_words():
    """ "How many weeks ...?": "for 2 to 4 weeks" over "within weeks", even when much less likely."""
    form = qf.read_form("How many weeks will the daily sessions go on at the start?")
    vague = _candidates(["Rot can start within weeks of planting, but most often in the first 2 years."], [0.9])
    counted = _candidates(["At first, you spray 5 days a week for 2 to 4 weeks."], [0.04])
    assert _selected(form, vague, counted)[0] == counted[0].shown
    too_unlikely = _candidates(["At first, you spray 5 days a week for 2 to 4 weeks."], [0.01])
    assert _selected(form, vague, too_unlikely)[0] == vague[0].shown


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("What job do the root hairs normally do in the plant?", True),
        ("What role does nitrogen play for the leaves?", True),
        ("what does the mulch do?", True),
        ("What are the small white dots on the leaves for?", True),
        ("What do I do if I forget to water?", False),
        ("What is it like to wait for the harvest?", False),
        ("What does NPK stand for?", False),
    ],
)
def test_a_question_asking_what_a_thing_does(question, role):
    assert qf.read_form(question).role is role


@pytest.mark.unit
def test_asked_what_a_thing_does_its_description_comes_with_what_it_does():
    form = qf.read_form("What job do the root hairs do in the plant?")
    texts = [
        "Root hairs are thin threads on the tips of the roots.",
        "They take up water from the soil.",
        "Prune in May.",
    ]
    assert _selected(form, _candidates(texts, [0.8, 0.01, 0.01])) == texts[:2]
    # The sentence after must go on about the thing described ("They ..."), not change the subject.
    other = [texts[0], "Water in the morning.", "Prune in May."]
    assert _selected(form, _candidates(other, [0.8, 0.01, 0.01])) == texts[:1]


@pytest.mark.unit
def test_the_situation_the_asker_describes_is_read_by_its_verb():
    assert qf.read_form("I forgot to water the seedlings this morning, what do I do now?").situation == ("forget",)
    assert qf.read_form("What do I do if I miss a feed?").situation == ("miss",)
    assert qf.read_form("I've got a shed, is that enough?").situation == ()  # a light verb says too little
    assert qf.read_form("wat can i eat in the morning?").situation == ()  # asked about, not stated
    assert cues.meets_situation("If you forget a feed, give it as soon as you remember.", ("forget",))
    assert cues.meets_situation("- If you have missed a feed, do not double the next.", ("miss",))
    assert not cues.meets_situation("Most people forget a feed now and then.", ("forget",))


@pytest.mark.unit
def test_advice_for_the_situation_the_asker_describes_leads():
    form = qf.read_form("I forgot to feed the tomatoes this morning, what do I do now?")
    near = _candidates(["Most people feed tomatoes for 3 to 6 months."], [0.5])
    advice = _candidates(["If you forget a feed, give it as soon as you remember on the same day."], [0.08])
    assert _selected(form, near, advice)[0] == advice[0].shown
    asked = qf.read_form("How long do people feed tomatoes?")  # no situation told: the best match leads
    assert _selected(asked, near, advice)[0] == near[0].shown


def _labelled(texts: list[str], shares: list[float], section: str) -> list:
    """``_candidates`` of a passage under ``section`` ("Heading: Label" for a run-in label)."""
    from bot.types import StoredChunk

    found = _candidates(texts, shares)
    chunk = replace(found[0].passage.chunk, section=section)
    assert isinstance(chunk, StoredChunk)
    passage = replace(found[0].passage, chunk=chunk)
    return [replace(c, passage=passage) for c in found]


@pytest.mark.unit
def test_a_sentence_standing_for_a_label_the_question_does_not_name_does_not_lead():
    """ "This spray ..." opens a passage under the run-in label "Copper": asked about sulphur, it reads
    as about sulphur; another sentence leads and it is not added. Asked about copper, it leads."""
    texts = ["This spray can scorch young leaves.", "Sulphur sprays can also scorch leaves in hot sun."]
    found = _labelled(texts, [0.8, 0.2], "Sprays that can harm plants: Copper")
    question = "How can sulphur sprays harm my plants?"
    assert _selected(qf.read_form(question), found, asked=question) == texts[1:]
    question = "Can copper spray harm my plants?"
    assert _selected(qf.read_form(question), found, asked=question)[0] == texts[0]


@pytest.mark.unit
def test_a_why_is_not_answered_by_another_item_of_the_same_list():
    """ "- milk, if it makes X worse" gives the reason for milk, not for the item the "why" asks about."""
    texts = [
        "For a while, it may help to cut down on:",
        "- salty snacks, which hold water in the leaves;",
        "- strong feeds, if they seem to make the wilting worse.",
    ]
    form = qf.read_form("Why would salty snacks be a problem for wilting plants?")
    quoted = _selected(form, _candidates(texts, [0.02, 0.8, 0.1]))
    assert quoted[:2] == texts[:2]


@pytest.mark.unit
def test_a_comparison_is_not_led_by_a_sentence_comparing_two_other_things():
    """ "The dose is different from the one on the packet" compares, but neither side asked about."""
    texts = [
        "Early blight starts on the old leaves within a week of rain.",
        "The dose of spray for blight is often different from the dose on the bottle.",
    ]
    form = qf.read_form("How is blight on the old leaves different from blight that turns up on the fruit?")
    assert _selected(form, _candidates(texts, [0.6, 0.3]))[0] == texts[0]


@pytest.mark.unit
def test_a_why_whose_lead_only_says_what_happens_brings_the_next_sentence_that_says_why():
    texts = [
        "Frost can damage young leaves.",
        "Their cells are thin and full of water, so they burst easily when ice forms.",
        "Many plants are hurt by frost.",
    ]
    form = qf.read_form("Why does frost hurt young leaves so much?")
    assert _selected(form, _candidates(texts, [0.6, 0.03, 0.3]))[:2] == texts[:2]
    # A lead that says why already ("because ...") needs no more.
    said = ["Frost hurts young leaves because their cells are thin.", *texts[1:]]
    assert texts[1] not in _selected(form, _candidates(said, [0.6, 0.03, 0.3]))


@pytest.mark.unit
def test_a_contact_line_answers_only_how_to_reach_someone():
    """ "If you have questions, call the X Clinic at 905-..." names the article's topic, so it sits
    close to every question about it; it leads only when the question asks whom to call."""
    contact = "If you have questions, call the Rose Clinic at 905-555-0178, Monday to Friday."
    watering = "Water roses every morning in summer."
    retrieval = _faq_retrieval([contact, watering], [0.7, 0.5])
    composer = ExtractiveComposer()
    for question, first in (
        ("How often should I water my roses?", watering),
        ("Is there a number I can ring about my roses?", contact),
    ):
        assert composer.rank(qf.read_form(question), retrieval)[0].shown == first
    # asked for the number itself, the contact line leads however far it is in meaning
    far = _faq_retrieval([watering, contact], [0.8, 0.2])
    assert composer.rank(qf.read_form("what number do I ring about my roses?"), far)[0].shown == contact
    assert composer.rank(qf.read_form("What number should the soil pH be?"), far)[0].shown == watering
    assert cues.gives_phone_number("Talk to a nurse: call 13 11 20.")
    assert not any(map(cues.gives_phone_number, ["Take 500 to 1,000 mg.", "It opens at 8:00 a.m.", "1 in 25 people"]))


@pytest.mark.unit
def test_a_patients_own_story_answers_only_what_it_was_like():
    story = '"Pruning my roses took 13 days, and it was worth it." - Ann, 62, gardener'
    pruning = "Prune roses in late winter, before new growth starts."
    retrieval = _faq_retrieval([story, pruning], [0.7, 0.5])
    composer = ExtractiveComposer()
    assert composer.rank(qf.read_form("When do I prune roses?"), retrieval)[0].shown == pruning
    assert composer.rank(qf.read_form("What is pruning roses like for other people?"), retrieval)[0].shown == story
    assert not cues.tells_own_story('"Off-the-shelf" means made in advance.')  # a term in quotes, no one's story


@pytest.mark.unit
def test_a_follow_up_is_not_answered_with_what_was_just_said():
    """Asked "does it hurt?" after "What is mulching?" was answered, the reply does not open with that
    answer again; the sentence right after it ("It should not ...") leans on what was just read."""
    from dataclasses import replace

    from bot.candidates import candidates
    from bot.followup import said_before

    defined = "Mulching is a thin layer of bark spread over the soil around a plant."
    after = "It is gentle on roots and should not harm them."
    retrieval = _faq_retrieval([defined, after, "Water roses every morning in summer."], [0.8, 0.5, 0.4])
    form = qf.read_form("does mulching harm the roots?")
    history = [{"role": "user", "content": "What is mulching?"}, {"role": "assistant", "content": f"{defined} [1]"}]
    followed = replace(retrieval, said=said_before(history))
    assert ExtractiveComposer().rank(form, followed)[0].shown == after
    assert defined not in [c.shown for c in ExtractiveComposer().rank(form, followed)]
    leaning = {c.shown: c.signals.after_said for c in candidates(followed, form)}
    assert leaning[after] and not any(c.signals.after_said for c in candidates(retrieval, form))
    assert ExtractiveComposer().rank(form, retrieval)[0].shown == defined  # asked first, it answers
