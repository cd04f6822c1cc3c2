"""A question for a time, duration, frequency or threshold, "should I" about everyday care
(rinsing, washing, what to wear), "what do I do if ..." or "am I allowed to ..." about everyday
things asks what a handout says; a decision, dose, medicine or
prognosis asks the care team. Wordings written for this test, not taken from any eval set."""

from __future__ import annotations

import pytest

from bot.triage import wants_advice

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "question",
    [
        "how long do I have to stay in hospital after the infusion?",
        "how often do I need to have blood tests?",
        "when do I have to come back for a check-up?",
        "what temperature do I need to call at?",
        "how long should I wait before driving?",
        "how many days do I need to stay near the clinic?",
        "should I wear loose clothes over the dressing?",
        "what kind of gloves should I be wearing in the garden?",  # the same care asked in the progressive
        "should I be using a cream on the rash?",
        "how much water should I drink when my throat is sore?",
        "should we keep the bandage dry?",
        "what do I do if the bandage gets wet?",  # instructions for something that happens
        "am I allowed to lift shopping bags with that arm?",  # a rule the handout states
        "am I allowed to drive after the infusion?",  # the treatment only says when
        "should I eat before my chemo?",
        "How much should I be eating each day while I'm having treatment?",  # an amount the handout gives
        "I'm tired all the time, how often should I rest during the day?",  # the question after a report
        "do I need to carry an alert card with me?",  # "do I need to" + everyday care
        "will I need to be admitted to a ward when I start the injections?",  # what happens; the start is the time
        "how long after I begin the drip can I go home?",
        "what should I do if the tube splits or starts to leak?",  # "starts to": what happens, not a decision
        # A medicine sheet's instructions: a missed tablet, leftovers, how long after the last one.
        "what do I do if I forget to take my tablets one evening?",
        "what do I do with the tablets I have left when my treatment is stopped?",
        "how long after my last tablet do I need to keep using contraception?",
        "am I allowed a cup of coffee with my tablets?",
        "am I allowed soft cheese or runny eggs in the month after my cells?",  # no article before the food
        "will I have to pay for my wig?",  # a cost the handout states
        "will I have to pay for the trial drug?",  # a cost, even of a treatment
        "how can I stop it from happening?",  # prevention, not stopping a treatment
        "I forgot to take my tablets this morning, what do I do now?",  # "what do I do if I forget", told first
        "I'm on the injections, whereabouts on my leg should I put them?",  # a place the handout shows
        "is it OK for me to use wet wipes on the sore skin?",  # "should I use ...?" in other words
        "do I have to give up my cup of tea while my stomach is upset?",  # what the handout says to cut back on
        "I start the tablets with my chemo on Monday. How often do I need to check my sugar?",  # a plan told
        "Am I allowed water before the scan, and how much should I have?",  # an everyday amount
        "How much fluid should I have each day?",
    ],
)
def test_information_in_personal_words_is_not_a_decision(question):
    assert not wants_advice(question)


@pytest.mark.parametrize(
    "question",
    [
        "do I need to stop my chemo?",
        "should I choose the trial?",
        "how much of the drug should I take?",
        "how many doses would my husband need?",
        "how long will I live?",
        "how long do I have left?",
        "when should I start the treatment?",
        "should I keep using the cream the trial gave me?",  # everyday verb, but about a trial
        "should I use my old medicine for the pain?",
        "should I rinse my mouth instead of going to chemo?",
        "what should I do?",
        "what do I do if my dose is missed?",
        "am I allowed to get the treatment at my age?",
        "My dad is exhausted, how long should he wait before he stops his chemo?",  # a decision, however asked
        "should I stop the injections when I get a rash?",
        "would I be better off staying on the ward than in a hotel?",  # a personal choice
        "can I halve my dose?",
        "should I skip my tablets tomorrow?",
        "how long do I have left?",
        "will I need to take steroids once I start?",
        "am I allowed chemo if I have a cold?",  # a treatment: a decision
        "should I pay for the treatment privately?",  # a choice
        "I missed my chemo, what do I do now?",  # a treatment missed: the team decides
        "where should I have the treatment?",  # a place for a treatment: a choice of centre
        "where should I get treated, here or abroad?",
        "is it OK for me to stop my chemo for a week?",
        "do I have to give up my treatment if I get a rash?",
        "Should I put up my insulin on the days I take the tablets?",  # a dose changed
        "I want to stop my chemo. How often should I have blood tests then?",  # a decision weighed first
        "how many tablets should I take with water?",  # a dose, whatever it is taken with
    ],
)
def test_decisions_doses_and_prognosis_stay_advice(question):
    assert wants_advice(question)
