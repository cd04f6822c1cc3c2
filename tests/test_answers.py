"""Answer invariants: verbatim cited sentences, grounded numbers, citations in range, the notice."""

from __future__ import annotations

import re

import pytest

from bot import NOTICE
from bot.chain import contextualize
from bot.quotes import quoted
from bot.text import cited_sentences, flat, numbers_in
from tests.questions import QUESTIONS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("question", [q for q, _ in QUESTIONS])
def test_answer_invariants(assistant, question):
    answer = assistant.ask(question)
    assert not answer.refused, answer.body
    assert answer.answer.endswith(NOTICE) and answer.notice == NOTICE
    pairs = cited_sentences(answer.body)
    assert pairs and all(marks for _, marks in pairs), "every sentence carries [n]"
    numbers_used = {n for _, marks in pairs for n in marks}
    assert numbers_used == {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))
    by_n = {c.n: c for c in answer.citations}
    for sentence, marks in pairs:
        cited_text = " ".join(flat(by_n[n].text) for n in marks)
        # verbatim, apart from a dropped leading connective ("Additionally, …") and its capital
        assert quoted(sentence, [cited_text]), f"not verbatim from [{marks}]: {sentence}"
        assert numbers_in(sentence) <= numbers_in(cited_text)
    assert len(answer.body.split()) <= 100 + 10 * len(answer.citations) or len(pairs) == 1
    for c in answer.citations:
        assert c.title and c.section and c.url and c.url.startswith("https://")
        assert c.quotes and all(q in c.text for q in c.quotes)


def test_comparison_gives_an_advantage_and_a_caveat(assistant):
    answer = assistant.ask("Is CAR-NK better than CAR-T?")
    pairs = cited_sentences(answer.body)
    advantage = [s for s, m in pairs if m and re.search(r"cheaper|faster|gentler|safer|lower|less", s)]
    caveat = [s for s, m in pairs if m and re.search(r"not proven|isn't proven|early|few|not yet|uncertain", s)]
    assert advantage and caveat, answer.body
    assert answer.latency_ms < 1000


def test_primary_studies_travel_with_the_citation(assistant):
    answer = assistant.ask("How often does ICANS happen with CAR-T?")
    refs = [r for c in answer.citations for r in c.references]
    assert any(r["doi"] == "10.3389/fneur.2024.1392831" for r in refs), refs


@pytest.mark.parametrize("question", ["What is the best pizza in town?", "Who won the 1998 World Cup?"])
def test_unrelated_questions_are_not_covered(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.triage in ("not_covered", "off_topic") and not answer.citations
    assert "don't cover" in answer.body and answer.suggestions
    assert answer.answer.endswith(NOTICE)


@pytest.mark.parametrize("question", ["", "   \n\t  "])
def test_empty_question_gets_a_clear_message(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and "Please type a question" in answer.body and answer.answer.endswith(NOTICE)


def test_follow_up_uses_the_conversation(assistant):
    history = [
        {"role": "user", "content": "What is CAR-NK cell therapy?"},
        {"role": "assistant", "content": "CAR-NK uses natural killer (NK) cells instead of T cells. [1]"},
    ]
    # "its" is resolved to what the previous question asked about, before retrieval
    assert contextualize("what about its side effects?", history) == "what about CAR-NK cell therapy's side effects?"
    answer = assistant.ask("what about its side effects?", history)
    assert not answer.refused
    assert re.search(r"NK", answer.body) and re.search(r"side effects|safety|toxic|CRS|cytokine", answer.body)
    assert contextualize("What is ICANS?", history) == "What is ICANS?"  # self-contained: left alone
    # no subject to put back ("and is X any cheaper?"): the previous question is searched with it
    assert contextualize("and is it cheaper?", [{"role": "user", "content": "Why?"}]) == "Why? and is it cheaper?"
