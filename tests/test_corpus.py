"""The cleaned corpus keeps every sentence of the seeds word for word, with its metadata."""

from __future__ import annotations

import re

import pytest

from bot.chunking import strip_markers
from bot.corpus import CorpusError, load_corpus, load_document, parse_sections
from bot.text import split_sentences
from tests.conftest import CORPUS, SEEDS

pytestmark = pytest.mark.unit

SEED_OF = {
    "shifting-gears-car-nk-vs-car-t": "000_3f8a1aa6c767b7dc.txt",
    "car-nk-off-the-shelf": "001_49d78995710967fa.txt",
}
# The only words the cleaning changed: run-together extraction artifacts.
FIXES = {"CAR T- and CAR NK-cells": "CART- and CARNK-cells", "CAR NK-cells tolerate": "CARNK-cells tolerate"}


def _seed_text(name: str) -> str:
    text = (SEEDS / name).read_text(encoding="utf-8")
    text = re.sub(r"\^\{[\d,]+\}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", text)  # superscript study markers
    text = re.sub(r" 1(?=[.?]| —)", "", text)  # the patient journal's bare " 1" markers
    text = text.replace("\\$", "$")
    return " ".join(text.split())


def test_both_articles_load_with_front_matter(documents):
    assert {d.id for d in documents} == set(SEED_OF)
    for doc in documents:
        for key in ("title", "publisher", "date", "audience", "description"):
            assert doc.metadata.get(key), f"{doc.id} lacks {key}"
        assert doc.metadata.get("doi") or doc.url, doc.id
        assert doc.url and doc.url.startswith("https://")
        assert len(doc.sections) >= 5


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not beside this checkout")
def test_every_sentence_is_verbatim_from_its_seed(documents):
    for doc in documents:
        seed = _seed_text(SEED_OF[doc.id])
        for section in doc.sections:
            for paragraph in section.paragraphs:
                for sentence in split_sentences(paragraph):
                    text, _ = strip_markers(sentence)
                    for fixed, original in FIXES.items():
                        text = text.replace(fixed, original)
                    assert text in seed, f"{doc.id}: not in the seed: {text!r}"


def test_page_furniture_and_reference_list_are_not_passages(documents):
    body = " ".join(p for d in documents for s in d.sections for p in s.paragraphs)
    for furniture in ("← Journal", "5 min read", "Read our disclaimer", "REVIEWED BY", "Available from: doi", "^{"):
        assert furniture not in body
    assert not re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]", body)


def test_every_study_marker_resolves_to_a_reference(documents):
    for doc in documents:
        for section in doc.sections:
            for paragraph in section.paragraphs:
                for n in re.findall(r"\[\^(\d+)\]", paragraph):
                    assert int(n) in doc.references, f"{doc.id}: [^{n}] has no reference"
    shifting = next(d for d in documents if d.id == "shifting-gears-car-nk-vs-car-t")
    assert shifting.references[2].doi == "10.1186/s12967-023-04292-3"
    assert 24 not in shifting.references  # duplicate of 10, merged


def test_malformed_files_are_named_and_skipped(tmp_path):
    good = (CORPUS / "car-nk-off-the-shelf.md").read_text(encoding="utf-8")
    (tmp_path / "a-good.md").write_text(good, encoding="utf-8")
    (tmp_path / "b-empty.md").write_text("", encoding="utf-8")
    (tmp_path / "c-binary.md").write_bytes(b"\x89PNG\x00\x01")
    (tmp_path / "d-bad-yaml.md").write_text("---\nid: [unclosed\n---\n## A\ntext\n", encoding="utf-8")
    (tmp_path / "e-no-id.md").write_text("---\ntitle: x\n---\n## A\ntext\n", encoding="utf-8")
    docs, errors = load_corpus(tmp_path)
    assert [d.id for d in docs] == ["car-nk-off-the-shelf"]
    messages = " ".join(str(e) for e in errors)
    for name in ("b-empty.md", "c-binary.md", "d-bad-yaml.md", "e-no-id.md"):
        assert name in messages
    with pytest.raises(CorpusError, match="empty"):
        load_document(tmp_path / "b-empty.md")


def test_sections_follow_headings():
    sections = parse_sections("Lead para.\n\n## First\n\nOne.\nstill one.\n\nTwo **bold**.\n\n## Second\nThree.")
    assert [(s.title, s.paragraphs) for s in sections] == [
        ("Introduction", ("Lead para.",)),
        ("First", ("One. still one.", "Two bold.")),
        ("Second", ("Three.",)),
    ]


def test_a_bold_run_in_label_starts_a_sub_section():
    body = (
        "## Hair\n\n**Choosing a wig.** Some like to choose early.\n\n**Can I swim?** Yes.\n\n**Cost:**\n\nIt is free."
    )
    assert [(s.title, s.paragraphs) for s in parse_sections(body)] == [
        ("Hair: Choosing a wig", ("Some like to choose early.", "Can I swim? Yes.")),  # a bold question stays
        ("Hair: Cost", ("It is free.",)),
    ]


def test_each_list_item_is_its_own_paragraph():
    body = "## Calls\n\nCall us if you:\n- have a fever;\n- feel faint,\n  or dizzy.\n1. Rest."
    assert parse_sections(body)[0].paragraphs == (
        "Call us if you:",
        "- have a fever;",
        "- feel faint, or dizzy.",
        "1. Rest.",
    )


# English words the articles use that a word list counts as rare for their spelling, and one generic
# symptom word of the emergency checks; none names this corpus's therapies or findings.
_GENERIC = {"follow-up", "summarises", "neurotoxicity"}


@pytest.mark.parametrize("articles", ["corpus/*.md", "evals/new_articles/*/*.md"])
def test_the_package_names_none_of_the_articles_own_terms(articles):
    """The code knows no article: no rare word of the shipped corpus or of the frozen new articles
    (below Zipf 2.5 in English: "lymphodepletion", "allogeneic", "iPSC") appears in ``bot/``, not even
    in a comment, so nothing is tuned to them."""
    from bot.spelling import english_zipf

    repo = CORPUS.parent
    word = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,}")
    used = {w.lower() for path in repo.glob(articles) for w in word.findall(path.read_text(encoding="utf-8"))}
    rare = {w for w in used if english_zipf(w) < 2.5} - _GENERIC
    assert len(rare) > 40  # the articles were read
    code = {w.lower() for path in (repo / "bot").glob("*.py") for w in word.findall(path.read_text(encoding="utf-8"))}
    assert sorted(rare & code) == []
