"""Ingest into real Chroma: idempotent, incremental, rebuilt when the model or chunker changes."""

from __future__ import annotations

import shutil

import pytest

from bot.config import Settings
from bot.store import ChromaIndex
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration


@pytest.fixture()
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _index(corpus, tmp_path, embedder, **overrides) -> ChromaIndex:
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **overrides)
    return ChromaIndex(settings, embedder)


def test_unchanged_corpus_embeds_nothing_on_rerun(corpus_copy, tmp_path, embedder):
    index = _index(corpus_copy, tmp_path, embedder)
    first = index.ingest()
    assert first.embedded == first.chunks > 20 and first.rebuilt
    second = _index(corpus_copy, tmp_path, embedder).ingest()  # a new process would see the same
    assert (second.embedded, second.removed, second.sentences_embedded) == (0, 0, 0)
    assert second.reused == first.chunks and second.generation == first.generation


def test_one_word_edit_reembeds_only_that_document(corpus_copy, tmp_path, embedder):
    index = _index(corpus_copy, tmp_path, embedder)
    first = index.ingest()
    before = {c.id: c for c in index.open_snapshot().chunks}
    path = corpus_copy / "car-nk-off-the-shelf.md"
    path.write_text(path.read_text().replace("Two themes stand out.", "Two themes stand apart."))
    second = index.ingest()
    after = {c.id: c for c in index.open_snapshot().chunks}
    changed = {c.doc_id for cid, c in after.items() if cid not in before}
    assert changed == {"car-nk-off-the-shelf"}
    assert 1 <= second.embedded <= 3 and second.removed == second.embedded
    assert second.reused == first.chunks - second.embedded
    assert second.sentences_embedded == 1
    assert any("stand apart" in c.text for c in after.values())
    assert not any("stand out" in c.text for c in after.values())


def test_removed_document_chunks_go(corpus_copy, tmp_path, embedder):
    index = _index(corpus_copy, tmp_path, embedder)
    index.ingest()
    (corpus_copy / "car-nk-off-the-shelf.md").unlink()
    stats = index.ingest()
    assert stats.embedded == 0 and stats.removed > 0
    assert {c.doc_id for c in index.open_snapshot().chunks} == {"shifting-gears-car-nk-vs-car-t"}


def test_chunker_change_rebuilds_everything(corpus_copy, tmp_path, embedder):
    _index(corpus_copy, tmp_path, embedder).ingest()
    smaller = _index(corpus_copy, tmp_path, embedder, chunk_tokens=96, chunk_overlap=24)
    assert not smaller.is_current()
    stats = smaller.ingest()
    assert stats.rebuilt and stats.reused == 0 and stats.embedded == stats.chunks
    manifest = smaller.manifest()
    assert manifest["chunker"] == {"chunk_tokens": 96, "chunk_overlap": 24}
    assert manifest["model"] == embedder.name


def test_forced_rebuild_reembeds(corpus_copy, tmp_path, embedder):
    index = _index(corpus_copy, tmp_path, embedder)
    first = index.ingest()
    again = index.ingest(rebuild=True)
    assert again.embedded == first.chunks and again.generation == first.generation + 1
    # the old generation's collections are dropped once the manifest points at the new one
    names = {c.name for c in index.client.list_collections()}
    assert names == {"bot_manifest", f"chunks_g{again.generation}", f"sentences_g{again.generation}"}
