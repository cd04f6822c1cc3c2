"""Shared fixtures: the real bundled model and a real Chroma index built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def embedder():
    from bot.embeddings import default_embedder

    return default_embedder()


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from bot.config import Settings

    return Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture
def article_assistant(tmp_path, embedder):
    """Build an extractive assistant over one made-up article (a corpus folder and index of its own)."""
    from bot.assistant import Assistant
    from bot.config import Settings

    def build(text: str, name: str = "article.md"):
        corpus = tmp_path / "corpus"
        corpus.mkdir(exist_ok=True)
        (corpus / name).write_text(text, encoding="utf-8")
        bot = Assistant(Settings(corpus_dir=corpus, data_dir=tmp_path / "index", llm=""), embedder=embedder)
        bot.ensure_index()
        return bot

    return build


@pytest.fixture(scope="session")
def assistant(settings, embedder):
    from bot.assistant import Assistant

    bot = Assistant(settings, embedder=embedder)
    bot.ensure_index()
    return bot


@pytest.fixture(scope="session")
def documents():
    from bot.corpus import load_corpus

    docs, errors = load_corpus(CORPUS)
    assert not errors
    return docs
