"""The corpus profile: built once at ingest from the real articles, stored, read back whole.

Expectations are read from the article files themselves (their bold FAQ questions, question
headings, front matter), so nothing here is a copy of what the builder found.
"""

from __future__ import annotations

import re
import textwrap

import frontmatter
import pytest

from bot.chunking import chunk_corpus
from bot.config import Settings
from bot.corpus import load_corpus
from bot.glossary import fold
from bot.lexicon import Lexicon
from bot.profile import CorpusProfile, build_profile
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def corpus():
    docs, errors = load_corpus(CORPUS)
    assert not errors
    settings = Settings(corpus_dir=CORPUS)
    return docs, chunk_corpus(docs, settings.chunk_tokens, settings.chunk_overlap)


@pytest.fixture(scope="module")
def profile(corpus) -> CorpusProfile:
    return build_profile(*corpus)


def _markdown() -> str:
    return "\n".join(path.read_text() for path in sorted(CORPUS.glob("*.md")))


def test_glossary_holds_every_abbreviation_the_articles_define(profile, corpus):
    _, chunks = corpus
    by_id = {c.id: c for c in chunks}
    assert len(profile.glossary) >= 8
    for key, term in profile.glossary.items():
        assert key == term.key
        # defined where it says: "long form (ABBR)" in the cited passage and in its sentence
        assert term.sentence in by_id[term.chunk_id].text
        assert f"({term.abbreviation})" in term.sentence and fold(term.long_form) in fold(term.sentence)
        initials = [w[0].lower() for w in re.split(r"[\s-]+", term.long_form) if w]
        assert term.abbreviation[0].lower() in initials
    # one spelled out by hand, read from the articles: "graft-versus-host disease (GvHD)"
    written = re.search(r"([\w-]+ disease) \((GvHD)\)", _markdown())
    assert written is not None and profile.glossary["GVHD"].long_form == written.group(1)


def test_expansions_are_the_glossary_terms_that_are_not_everywhere(profile, corpus):
    _, chunks = corpus
    assert profile.expansions and set(profile.expansions) < set(profile.glossary)
    for key, term in profile.glossary.items():  # dropped when used in over a fifth of the passages
        singular = re.sub(r"(?<=..)s$", "", term.abbreviation)  # "iPSCs" is used as "iPSC" too
        using = sum(bool(re.search(rf"\b{re.escape(singular)}s?\b", c.text, re.I)) for c in chunks)
        assert (key in profile.expansions) == (using <= max(1, int(0.2 * len(chunks)))), term


def test_team_questions_are_the_list_after_the_care_team_intro(profile, corpus):
    _, chunks = corpus
    by_id = {c.id: c for c in chunks}
    intro = re.search(r"questions for [^:]*team:(?P<list>[^\n]*)", _markdown())
    assert intro is not None
    listed = [q.strip() + "?" for q in intro.group("list").split("?")[:-1]]
    assert [q.text for q in profile.team_questions] == listed
    assert all(q.kind == "team" and q.text in by_id[q.chunk_id].text for q in profile.team_questions)


def test_article_questions_are_the_faq_and_question_headings(profile, corpus):
    _, chunks = corpus
    by_id = {c.id: c for c in chunks}
    markdown = _markdown()
    faq = re.findall(r"^\*\*(.+?\?)\*\*", markdown, re.MULTILINE)
    headings = re.findall(r"^## (.+\?)\s*$", markdown, re.MULTILINE)
    found = {q.kind: [] for q in profile.article_questions}
    for q in profile.article_questions:
        found[q.kind].append(q.text)
        assert q.text in by_id[q.chunk_id].text or q.text == by_id[q.chunk_id].section
    assert len(faq) >= 3 and found["faq"] == faq
    assert found["heading"] == headings
    team = {q.text for q in profile.team_questions}
    assert not team & {q.text for q in profile.article_questions}  # asked of the care team, not by the articles


def test_topics_are_titles_topical_headings_questions_and_defined_terms(profile, corpus):
    docs, _ = corpus
    topics = set(profile.topics)
    assert {doc.title for doc in docs} <= topics
    assert {q.text for q in profile.article_questions} <= topics
    assert {f"what is {term.long_form}" for term in profile.glossary.values()} <= topics
    headings = re.findall(r"^## (.+?)\s*$", _markdown(), re.MULTILINE)
    structural = {"Introduction", "Common questions", "Key takeaway"}
    assert structural <= set(headings)  # the articles have them, and they name no topic
    assert not structural & topics
    assert set(headings) - structural <= topics
    assert len(profile.topics) == len(topics)  # no repeats
    assert CorpusProfile.from_json(profile.to_json()).topics == profile.topics


def test_documents_carry_their_front_matter(profile):
    for path in sorted(CORPUS.glob("*.md")):
        meta = frontmatter.load(path).metadata
        info = profile.documents[meta["id"]]
        assert info.title == meta["title"]
        assert info.authors == tuple(meta.get("authors") or ())
        assert info.publisher == meta.get("publisher") and info.date == str(meta.get("date"))
        assert info.article_type == meta.get("article_type") and info.description == meta.get("description")
        assert info.url and info.url.startswith("https://")


def test_vocabulary_rebuilds_the_guards_lexicon(profile, corpus):
    _, chunks = corpus
    direct = Lexicon(f"{c.section} {c.text}" for c in chunks)
    stored = CorpusProfile.from_json(profile.to_json()).lexicon
    assert stored.counts == direct.counts and stored.words == direct.words and stored.stems == direct.stems
    for word in ("efects", "tumor", "lupus", "chemo"):
        assert stored.suggest(word) == direct.suggest(word)
        assert stored.knows(word) == direct.knows(word)


def test_profile_survives_json_whole(profile):
    again = CorpusProfile.from_json(profile.to_json())
    assert again == profile
    assert CorpusProfile.from_json("{}") == CorpusProfile()


def test_nothing_is_specific_to_these_articles(tmp_path):
    (tmp_path / "made-up.md").write_text(
        textwrap.dedent(
            """\
            ---
            id: made-up
            title: "Quiet Gardens"
            authors: "A. Writer"
            date: 2024-05-01
            ---
            ## How do moss lawns grow?

            A moss lawn uses slow growing bryophyte lawn cover (SGBLC) instead of grass.

            ## Frequently asked

            **Do moss lawns need mowing?** No. They stay short on their own.

            Questions to ask your doctor: Is my soil acidic enough? How much shade do I have? Then plant.
            """
        )
    )
    docs, errors = load_corpus(tmp_path)
    assert not errors
    profile = build_profile(docs, chunk_corpus(docs, 256, 48))
    assert profile.glossary["SGBLC"].long_form == "slow growing bryophyte lawn cover"
    assert [q.text for q in profile.team_questions] == ["Is my soil acidic enough?", "How much shade do I have?"]
    assert [(q.kind, q.text) for q in profile.article_questions] == [
        ("heading", "How do moss lawns grow?"),
        ("faq", "Do moss lawns need mowing?"),
    ]
    info = profile.documents["made-up"]
    assert info.authors == ("A. Writer",) and info.date == "2024-05-01"


def test_each_article_brings_its_own_questions_for_the_team_under_a_heading(tmp_path):
    """A second article's "Questions to ask your team" section (a heading, an intro line, a bulleted
    list) is found too, list markers left out; the first article's intro list is kept."""
    (tmp_path / "a.md").write_text(
        "---\nid: a\ntitle: Moss\n---\n## Moss\n\nMoss likes shade. Questions for your garden team: "
        "Is my soil acidic? Is there shade?\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text(
        textwrap.dedent(
            """\
            ---
            id: b
            title: Roses
            ---
            ## Pruning

            Prune roses in late winter.

            ## Questions to ask your garden team

            You may like to take these to your next visit:

            - Which roses suit my soil?
            - When should I feed them?

            ## About this page

            Written by the garden team.
            """
        ),
        encoding="utf-8",
    )
    docs, errors = load_corpus(tmp_path)
    assert not errors
    profile = build_profile(docs, chunk_corpus(docs, 256, 48))
    assert [q.text for q in profile.team_questions] == [
        "Is my soil acidic?",
        "Is there shade?",
        "Which roses suit my soil?",
        "When should I feed them?",
    ]
