"""Server mode: one real ``chroma run`` server, one ingest, several app replicas sharing the index.

One server per module (started on 127.0.0.1 with a temporary path); the last test stops it and
starts it again on the same path and port.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot import NOTICE, replies
from bot.assistant import Assistant
from bot.config import Settings
from evals.bench_load import free_port as first_free_port
from tests.conftest import CORPUS, REPO
from tests.test_faults import QUESTION, answered, link_model

pytestmark = pytest.mark.server

PORTS = range(8100, 8200)


class ChromaServer:
    """``chroma run`` as an operator starts it; ``stop`` and ``start`` keep the path and port."""

    def __init__(self, path: Path, port: int, log: Path) -> None:
        self.path, self.port, self.log = path, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        command = [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"chroma run did not answer on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def free_port() -> int:
    return first_free_port(PORTS)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("chroma-server")
    chroma = ChromaServer(root / "db", free_port(), root / "chroma.log")
    chroma.start()
    yield chroma
    chroma.stop()


@pytest.fixture(scope="module")
def replicas(server, embedder, tmp_path_factory):
    """Two app processes' assistants (own data folders, one shared server), after one `bot ingest`."""
    embedder.prepare(tmp_path_factory.mktemp("models"))
    ingester = tmp_path_factory.mktemp("ingester")
    link_model(embedder, ingester)
    env = {**os.environ, "BOT_CHROMA_URL": server.url, "BOT_DATA_DIR": str(ingester), "BOT_CORPUS_DIR": str(CORPUS)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ingest"], capture_output=True, text=True, env=env, timeout=300, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert not (ingester / "chroma").exists()  # written to the server, not to a local store
    bots = []
    for name in ("kiosk-a", "kiosk-b"):
        settings = Settings(
            corpus_dir=CORPUS,
            data_dir=tmp_path_factory.mktemp(name),
            chroma_url=server.url,
            index_check_seconds=0,  # look for a new generation (and a dead server) at every question
        )
        bots.append(Assistant(settings, embedder=embedder))
    return bots


def test_replicas_answer_from_the_shared_index(replicas):
    for bot in replicas:
        answer = bot.ask(QUESTION)
        assert answered(answer), answer.body
        assert not (bot.settings.data_dir / "chroma").exists()


def test_replicas_pick_up_a_generation_written_elsewhere(replicas):
    a, b = replicas
    before = b.retriever._snapshot.generation if b.retriever._snapshot else b.index.generation()
    stats = a.ingest(rebuild=True)  # drops the generation b is holding
    assert stats.generation == before + 1
    answer = b.ask("Is CAR-NK better than CAR-T?")
    assert answered(answer), answer.body
    assert b.retriever._snapshot.generation == stats.generation


def test_server_down_is_a_clear_error_and_answers_resume_when_it_is_back(server, replicas, embedder, tmp_path):
    bot = replicas[1]
    assert answered(bot.ask(QUESTION))
    server.stop()
    try:
        answer = bot.ask("What is antigen escape?")
        assert answer.refused and answer.triage == "error" and answer.body == replies.ERROR
        assert answer.answer.endswith(NOTICE)

        link_model(embedder, tmp_path)
        env = {**os.environ, "BOT_CHROMA_URL": server.url, "BOT_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", QUESTION], capture_output=True, text=True, env=env, timeout=300
        )
        assert result.returncode == 3
        assert f"cannot reach the Chroma server at {server.url}" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        server.start()
    answer = bot.ask("What is antigen escape?")  # the same assistant, not restarted
    assert answered(answer), answer.body
