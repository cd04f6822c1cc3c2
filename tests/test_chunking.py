"""Chunker invariants: token budgets, nothing lost, stable ids, sections respected."""

from __future__ import annotations

import itertools

import pytest

from bot.chunking import chunk_corpus, chunk_document, count_tokens, strip_markers
from bot.embeddings import MAX_WORDPIECES
from bot.text import split_sentences


@pytest.mark.unit
@pytest.mark.parametrize("max_tokens,overlap", [(160, 40), (96, 24), (220, 0)])
def test_chunks_respect_the_tiktoken_budget_and_keep_every_sentence(documents, max_tokens, overlap):
    chunks = chunk_corpus(documents, max_tokens, overlap)
    assert all(count_tokens(c.embedding_text) <= max_tokens for c in chunks)
    chunked = {(c.doc_id, s.text) for c in chunks for s in c.sentences}
    for doc in documents:
        for section in doc.sections:
            for paragraph in section.paragraphs:
                for sentence in split_sentences(paragraph):
                    assert (doc.id, strip_markers(sentence)[0]) in chunked


@pytest.mark.unit
def test_chunks_stay_inside_one_section_and_overlap_by_whole_sentences(documents):
    for doc in documents:
        chunks = chunk_document(doc, 96, 30)
        titles = {s.title for s in doc.sections}
        assert all(c.section in titles for c in chunks)
        for before, after in itertools.pairwise(chunks):
            if before.section == after.section and after.sentences[0] in before.sentences:
                assert before.sentences[-1] in after.sentences  # the overlap is the tail


@pytest.mark.unit
def test_chunk_ids_are_stable_content_hashes(documents):
    first = [c.id for c in chunk_corpus(documents, 160, 40)]
    second = [c.id for c in chunk_corpus(documents, 160, 40)]
    assert first == second and len(set(first)) == len(first)


@pytest.mark.unit
def test_a_sentence_longer_than_the_budget_is_split(documents):
    from dataclasses import replace

    from bot.corpus import Section

    long_sentence = " ".join(["immunotherapy"] * 300) + "."
    doc = replace(documents[0], sections=(Section("Long", (long_sentence,)),))
    chunks = chunk_document(doc, 64, 0)
    assert len(chunks) > 1 and all(count_tokens(c.embedding_text) <= 64 for c in chunks)


@pytest.mark.integration
@pytest.mark.parametrize("max_tokens", [160, 220])
def test_chunks_fit_the_embedders_wordpiece_window(documents, embedder, max_tokens):
    """Checked with MiniLM's own tokenizer: nothing past 256 wordpieces is silently cut."""
    for chunk in chunk_corpus(documents, max_tokens, 40):
        assert embedder.count_wordpieces(chunk.embedding_text) <= MAX_WORDPIECES, chunk.id


@pytest.mark.unit
def test_study_markers_are_stripped_and_kept_as_numbers():
    text, refs = strip_markers("CRS is dangerous.[^2][^6] Really[^16].")
    assert (text, refs) == ("CRS is dangerous. Really.", (2, 6, 16))
    assert split_sentences("Oncology.[^1] Among these, T cells.[^2]") == ["Oncology[^1].", "Among these, T cells[^2]."]
