"""``MemoryStore``: the ``Store`` protocol without Chroma, checked against the real model and corpus,
and against ``ChromaIndex`` (same passages, same profile, same ranking)."""

from __future__ import annotations

import shutil

import pytest

from bot import NOTICE
from bot.assistant import Assistant
from bot.config import Settings
from bot.store import ChromaIndex, IndexStoreError, MemoryStore, Store
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration  # the real model; no Chroma except where compared with it

EDITED = "car-nk-off-the-shelf.md"


@pytest.fixture()
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _store(corpus, tmp_path, embedder, **overrides) -> MemoryStore:
    return MemoryStore(Settings(corpus_dir=corpus, data_dir=tmp_path / "unused", **overrides), embedder)


def test_is_a_store(tmp_path, embedder):
    store: Store = _store(CORPUS, tmp_path, embedder)
    assert store.generation() is None and store.check().state == "missing"
    with pytest.raises(IndexStoreError):
        store.open_snapshot()


def test_ingest_is_idempotent_and_incremental(corpus_copy, tmp_path, embedder):
    store = _store(corpus_copy, tmp_path, embedder)
    first = store.ensure()
    assert first is not None and first.embedded == first.chunks > 20 and first.generation == 1
    assert store.ensure() is None and store.check().ok
    again = store.ingest()
    assert (again.embedded, again.removed, again.sentences_embedded, again.generation) == (0, 0, 0, 1)

    before = store.open_snapshot()
    path = corpus_copy / EDITED
    path.write_text(path.read_text().replace("Two themes stand out.", "Two themes stand apart."))
    edited = store.ingest()
    after = store.open_snapshot()
    assert 1 <= edited.embedded <= 3 and edited.removed == edited.embedded and edited.sentences_embedded == 1
    assert edited.reused == first.chunks - edited.embedded and after.generation == 2
    assert {c.doc_id for c in after.chunks if c.id not in before.by_id} == {"car-nk-off-the-shelf"}
    # the snapshot taken before the ingest is still whole: a reader finishes its answer from it
    assert any("stand out" in c.text for c in before.chunks) and before.sentences(before.chunks[0].sentence_ids)

    (corpus_copy / EDITED).unlink()
    removed = store.ingest()
    assert removed.embedded == 0 and removed.removed > 0
    assert {c.doc_id for c in store.open_snapshot().chunks} == {"shifting-gears-car-nk-vs-car-t"}
    assert set(store.open_snapshot().profile.documents) == {"shifting-gears-car-nk-vs-car-t"}


def test_chunker_change_makes_it_outdated(tmp_path, embedder):
    store = _store(CORPUS, tmp_path, embedder)
    store.ingest()
    smaller = Settings(corpus_dir=CORPUS, data_dir=tmp_path / "unused", chunk_tokens=96, chunk_overlap=24)
    store.settings = smaller
    assert store.check().state == "outdated"
    stats = store.ensure()
    assert stats is not None and stats.rebuilt and stats.reused == 0 and stats.embedded == stats.chunks


def test_profile_follows_a_reingest(corpus_copy, tmp_path, embedder):
    store = _store(corpus_copy, tmp_path, embedder)
    store.ingest()
    old = store.open_snapshot()
    assert "QZX" not in old.profile.glossary
    path = corpus_copy / EDITED
    text = path.read_text()
    path.write_text(text.replace("## Key takeaway\n", "## Key takeaway\n\nA quartz zinc xenon (QZX) test.\n", 1))
    store.ingest()
    new = store.open_snapshot()
    assert new.profile.glossary["QZX"].long_form == "quartz zinc xenon"
    assert new.profile.glossary["QZX"].chunk_id in new.by_id
    assert "QZX" not in old.profile.glossary  # the old generation keeps its own profile


def test_answers_like_the_chroma_index(tmp_path, embedder):
    """Same corpus, same model: the same passages, profile and ranking as ``ChromaIndex``."""
    memory = _store(CORPUS, tmp_path, embedder)
    memory.ingest()
    chroma = ChromaIndex(Settings(corpus_dir=CORPUS, data_dir=tmp_path / "chroma"), embedder)
    chroma.ingest()
    ours, theirs = memory.open_snapshot(), chroma.open_snapshot()
    assert [c.id for c in ours.chunks] == [c.id for c in theirs.chunks]
    assert ours.chunks == theirs.chunks and ours.references == theirs.references
    assert ours.profile == theirs.profile
    for question in ("What does off-the-shelf mean?", "Is CAR-NK better than CAR-T?"):
        vector = embedder.embed_query(question)
        for search in ("dense_search", "sentence_search"):
            a, b = getattr(ours, search)(vector, 8), getattr(theirs, search)(vector, 8)
            assert [c.id for c, _ in a] == [c.id for c, _ in b]
            assert all(abs(x - y) < 1e-5 for (_, x), (_, y) in zip(a, b, strict=True))
    chroma.close()


def test_assistant_answers_from_a_memory_store(settings, embedder):
    # The session's data folder: the ONNX export the assistant makes there is the one later
    # subprocess tests (bot ask) find, whichever test module runs first.
    store = MemoryStore(settings, embedder)
    bot = Assistant(settings, embedder=embedder, store=store)
    answer = bot.ask("What does off-the-shelf mean?")
    assert not answer.refused and answer.citations and answer.answer.endswith(NOTICE)
    assert bot.index is store and bot.retriever.snapshot().generation == store.generation() == 1
