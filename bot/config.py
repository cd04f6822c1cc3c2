"""Typed settings for every stage, read from ``BOT_*`` environment variables.

Nothing here reads the environment at import time: call :meth:`Settings.from_env`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

RetrievalMode = Literal["hybrid", "dense", "bm25"]

_REPO_CORPUS = Path(__file__).resolve().parents[1] / "corpus"
_PACKAGED_CORPUS = Path(__file__).resolve().parent / "corpus_data"


def default_corpus_dir() -> Path:
    """The repository's ``corpus/`` in a checkout, else the copy packaged in the wheel."""
    return _REPO_CORPUS if _REPO_CORPUS.is_dir() else _PACKAGED_CORPUS


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "car-cell-bot"


class SettingsError(ValueError):
    """A ``BOT_*`` variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can tune. Each field maps to ``BOT_<FIELD NAME IN CAPS>``."""

    #: Folder of Markdown articles with YAML front matter.
    corpus_dir: Path = field(default_factory=default_corpus_dir)
    #: Where the embedded Chroma index and its manifest live.
    data_dir: Path = field(default_factory=default_data_dir)
    #: ``http://host:port`` of a Chroma server; empty means the embedded store in ``data_dir``.
    chroma_url: str = ""
    #: How often (seconds) a running app checks for an index generation written by another process.
    index_check_seconds: float = 5.0
    #: Chunk budget in tiktoken (cl100k) tokens; chunks also fit MiniLM's 256-wordpiece window.
    chunk_tokens: int = 220
    #: Tokens of trailing context repeated at the start of the next chunk (whole sentences).
    chunk_overlap: int = 55
    #: ``hybrid`` (passage + nearest-sentence similarity + BM25, score fusion), ``dense`` or ``bm25``.
    retrieval: RetrievalMode = "hybrid"
    #: Passages handed to the composer.
    top_k: int = 4
    #: Cosine similarity of the best passage below which the materials "don't cover" a question.
    min_relevance: float = 0.30
    #: ...or of its best-matching sentence. Below both floors nothing is covered; above them the
    #: guard's scope check (bot/scope.py: unknown terms, domain words, meaning) decides.
    min_sentence_relevance: float = 0.35
    #: Soft cap on answer length in words (the first sentence is always kept).
    max_answer_words: int = 100
    #: Longest question accepted, in characters.
    max_question_chars: int = 1000
    #: Optional chat model, ``provider:model`` (e.g. ``openai:gpt-4o-mini``); empty = extractive.
    llm: str = ""
    #: OpenAI-compatible server (vLLM, llama.cpp, a hosted API), e.g. ``http://127.0.0.1:8000/v1``; Ollama's URL.
    llm_base_url: str = ""
    llm_api_key: str = ""
    #: The whole model call, retries included; past it the extractive answer is given instead.
    llm_timeout_s: float = 20.0
    #: Extra tries after a quick failure (refused connection, 429, 5xx), within ``llm_timeout_s``.
    llm_max_retries: int = 1
    #: Kiosk mode for the UI: full screen, nothing persisted, idle reset.
    kiosk: bool = False
    #: Seconds without activity before the kiosk warns and then wipes the conversation.
    idle_seconds: int = 120
    #: How long the idle warning stays before the wipe (WCAG 2.2.1 wants at least 20 s).
    idle_warning_seconds: int = 30
    log_level: str = "WARNING"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``BOT_*`` variables; keyword overrides win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"BOT_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, f.type, raw)
        values.update(overrides)
        return cls(**values).validated()

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes).validated()

    def validated(self) -> Settings:
        if self.retrieval not in ("hybrid", "dense", "bm25"):
            raise SettingsError(f"BOT_RETRIEVAL must be hybrid, dense or bm25, not {self.retrieval!r}")
        if not 32 <= self.chunk_tokens <= 220:
            raise SettingsError("BOT_CHUNK_TOKENS must be between 32 and 220 (MiniLM reads 256 wordpieces)")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise SettingsError("BOT_CHUNK_OVERLAP must be at least 0 and below BOT_CHUNK_TOKENS")
        if self.top_k < 1:
            raise SettingsError("BOT_TOP_K must be at least 1")
        if self.llm and not re.fullmatch(r"(?:openai|ollama):\S+", self.llm):
            raise SettingsError(f"BOT_LLM must be openai:MODEL or ollama:MODEL, not {self.llm!r}")
        if self.llm_timeout_s <= 0 or not 0 <= self.llm_max_retries <= 5:
            raise SettingsError("BOT_LLM_TIMEOUT_S must be above 0 and BOT_LLM_MAX_RETRIES between 0 and 5")
        if self.idle_warning_seconds < 20:
            raise SettingsError("BOT_IDLE_WARNING_SECONDS must be at least 20 (WCAG 2.2.1)")
        return self

    @property
    def chunker_signature(self) -> dict[str, object]:
        """What the index depends on besides the model: a change here rebuilds it."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap": self.chunk_overlap}


def _parse(name: str, type_name: object, raw: str) -> object:
    kind = str(type_name)
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.strip().lower() in ("1", "true", "yes", "on"):
                return True
            if raw.strip().lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        raise SettingsError(f"BOT_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw.strip()
