"""Questions about the sources: answered from the front matter and reference list, cited, checked."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot import NOTICE
from bot.corpus import Reference
from bot.profile import DocumentInfo
from bot.sources import about_sources, asks_about_sources, asks_for_basis, basis_claim, with_basis
from bot.types import Passage, Retrieval, StoredChunk
from bot.verify import find_problem


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "about_sources"),
    [
        ("Who wrote this handout?", True),
        ("When was it published?", True),
        ("what kind of article is this?", True),
        ("which study is that based on?", True),
        ("What are your sources?", True),
        ("What did the authors conclude?", False),  # asks what the article says
        ("Which study showed the best survival?", False),
        ("who should I ask?", False),
        ("When was the kidney care leaflet last updated?", True),  # a subject of several words
        ("when was this article reviewed?", True),
        ("When were the cells made?", False),  # about the treatment, not the article
        ("When was the infusion given?", False),
        ("What date was the bowel care information put out?", True),
        ("When were the cells produced?", False),
        # Everyday wordings for making and publishing, only of something that names a document.
        ("Who put together the leaflet on kidney care?", True),
        ("Who put this kidney fact sheet together?", True),
        ("Who put the team together?", False),
        ("What year did the advice on kidney care come out?", True),
        ("When did the clinic bring out this kidney information?", True),  # the publisher as the subject
        ("Who's behind this page about kidney care?", True),
        ("Which nurse or doctor is behind this kidney information?", True),  # a person asked for by kind
        ("Which doctor wrote this leaflet?", True),
        ("Which drug is behind this rash?", False),
        ("What test is behind the result?", False),
        ("When was this kidney information put online?", True),
        ("When did the drug come out?", False),
        ("When did my doctor write my prescription?", False),
        ("who made the cells?", False),
        ("When did the side effects come out?", False),
        ("Is this from a clinic or some website? Who put it out?", True),
        ("Who put the fire out?", False),
    ],
)
def test_questions_about_the_sources_are_told_apart(question, about_sources):
    assert asks_about_sources(question) is about_sources


def _retrieval(doc: DocumentInfo, studies: dict[int, Reference]) -> Retrieval:
    chunk = StoredChunk("c1", doc.id, doc.title, "Intro", None, "Some text.", ("s1",), (), 0)
    passage = Passage(chunk, 1.0, 0.5, 0.5, 0.0)
    return Retrieval("q", np.zeros(3), (), [passage], documents={doc.id: doc}, references={doc.id: studies})


@pytest.mark.unit
def test_a_made_up_article_is_described_from_its_front_matter_and_passes_the_checks():
    doc = DocumentInfo("kidney-care", "Looking after your kidneys", ("Ada Lovelace",), "Clinic Press", "2025-03-01")
    studies = {1: Reference(1, "Smith J. Kidney outcomes. J Neph. 2024.")}
    answer = about_sources("Who wrote this handout and when?", _retrieval(doc, studies))
    assert "Ada Lovelace" in answer.body and "2025-03-01" in answer.body and "[1]" in answer.body
    assert answer.citations[0].doc_id == "kidney-care" and "Written by: Ada Lovelace" in answer.citations[0].text
    assert find_problem(answer) is None  # cited, supported by its card, numbers grounded
    answer = about_sources("which study is that based on?", _retrieval(doc, studies))
    assert "Kidney outcomes" in answer.body and find_problem(answer) is None
    # asked only when, the date comes first, and a missing date is said
    answer = about_sources("When was it published?", _retrieval(doc, studies))
    assert answer.body.startswith("“Looking after your kidneys” was published on 2025-03-01 by Clinic Press.")
    assert "Ada Lovelace" not in answer.body and find_problem(answer) is None
    # what kind of article it is, with who published it; among several, the one the question describes
    typed = replace(doc, article_type="patient leaflet")
    answer = about_sources("What kind of document is this?", _retrieval(typed, studies))
    assert "patient leaflet, published by Clinic Press" in answer.body and find_problem(answer) is None
    undated = replace(doc, date=None)
    answer = about_sources("When was it published?", _retrieval(undated, studies))
    assert "lists no date" in answer.body and find_problem(answer) is None


@pytest.mark.integration
def test_the_assistant_answers_who_published_an_article(assistant, documents):
    history = [{"role": "user", "content": "What does off-the-shelf mean?"}]
    answer = assistant.ask("When was it published?", history)
    assert not answer.refused and answer.answer.endswith(NOTICE)
    cited = {d.id: d for d in documents}[answer.citations[0].doc_id]
    assert str(cited.metadata["date"]) in answer.body and cited.title in answer.body


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "basis"),
    [
        ("Which study does the 8% figure for the kidney drug come from?", True),
        ("What is the advice about drinking fluids based on?", True),
        ("Where does that figure about pain come from?", True),
        ("Which trial showed the longest survival?", True),
        ("Where do the cells come from?", False),  # a fact of the article, not the basis of one
        ("What did the study find?", False),
        ("How do the tablets work?", False),
    ],
)
def test_a_question_about_what_one_statement_rests_on_is_told_apart(question, basis):
    assert asks_for_basis(question) is basis


@pytest.mark.unit
def test_the_study_a_quoted_statement_cites_answers_first_and_passes_the_checks():
    from bot.types import Answer, Citation

    doc = DocumentInfo("kidney-care", "Looking after your kidneys", ("Ada Lovelace",), "Clinic Press", "2025-03-01")
    study = Reference(1, "Smith J. Kidney outcomes in 400 people. J Neph. 2024.")
    retrieval = _retrieval(doc, {1: study})
    claim = "In a study of 400 people, 1 in 3 felt no pain."
    card = Citation(1, doc.id, doc.title, "Pain", None, f"{claim} Most felt a little.", 0.5, [claim], [study.to_dict()])
    answer = with_basis(Answer(body=f"{claim} [1]", citations=[card]), retrieval)
    assert answer.body == f"The article cites this study for it: {study.citation} [1] {claim} [2]"
    assert [c.n for c in answer.citations] == [1, 2] and answer.citations[0].text == study.citation
    assert find_problem(answer) is None
    uncited = Answer(body=f"{claim} [1]", citations=[replace(card, references=[])])
    assert with_basis(uncited, retrieval).body == uncited.body  # its passage cites nothing either: as it was


@pytest.mark.unit
def test_of_several_articles_the_one_whose_front_matter_the_question_names_is_described():
    """ "Is it from a hospital or a charity?" names no article; the charity's leaflet is the one meant,
    even when another article was retrieved first. Naming nothing, the first retrieved stands."""
    clinic = DocumentInfo("kidney-care", "Looking after your kidneys", (), "Clinic Press", "2025-03-01", "leaflet")
    charity = DocumentInfo("bone-care", "Strong bones", (), "Bone Trust (a national charity)", "2024-01-01", "web page")
    passages = [
        Passage(StoredChunk(f"c{n}", d.id, d.title, "Intro", None, "Some text.", (f"s{n}",), (), 0), 1.0, 0.5, 0.5, 0.0)
        for n, d in enumerate((clinic, charity))
    ]
    retrieval = Retrieval("q", np.zeros(3), (), passages, documents={d.id: d for d in (clinic, charity)})
    assert "Bone Trust" in about_sources("Is this from a hospital or from a charity?", retrieval).body
    assert about_sources("What kind of document is this?", retrieval).citations[0].doc_id == "kidney-care"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "claim"),
    [
        ("What research is the fluids advice in this leaflet based on?", "the fluids advice"),
        ("Which study does the 8% figure for the kidney drug come from?", "the 8% figure for the kidney drug"),
        ("Where does the figure about pain come from?", "the figure about pain"),
        ("Which trial showed the longest survival?", "Which trial showed the longest survival?"),  # no basis asked
    ],
)
def test_a_basis_question_is_answered_about_the_statement_it_names(question, claim):
    assert basis_claim(question) == claim
