"""Typed settings for every stage, read from ``BOT_*`` environment variables (pydantic-settings).

Nothing here reads the environment at import time: build ``Settings()`` (or
:meth:`Settings.from_env`) when the app starts. A bad value is a ``SettingsError`` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class Settings(BaseSettings):
    """Everything a deployment can tune. Each field maps to ``BOT_<FIELD NAME IN CAPS>``."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_ignore_empty=True, frozen=True, extra="ignore")

    corpus_dir: Path = Field(default_factory=default_corpus_dir, description="Markdown articles and site.yaml")
    data_dir: Path = Field(default_factory=default_data_dir, description="the embedded index, its lock, the model")
    chroma_url: str = Field("", description="http://host:port of a Chroma server; empty = embedded in data_dir")
    index_check_seconds: float = Field(5.0, description="how often a running app looks for a newer generation")
    chunk_tokens: int = Field(220, description="passage budget in cl100k tokens (fits MiniLM's 256 wordpieces)")
    chunk_overlap: int = Field(55, description="tokens of whole trailing sentences repeated in the next passage")
    retrieval: RetrievalMode = Field("hybrid", description="hybrid (passage + sentence + BM25), dense or bm25")
    top_k: int = Field(4, description="passages handed to the composer")
    min_relevance: float = Field(0.30, description="passage cosine below which the articles don't cover it...")
    #: ...or of its best-matching sentence. Below both floors nothing is covered; above them the
    #: guard's scope check (bot/scope.py: unknown terms, domain words, meaning) decides.
    min_sentence_relevance: float = Field(0.35, description="...or best-sentence cosine")
    max_answer_words: int = Field(100, description="soft cap on answer length (the first sentence is always kept)")
    max_question_chars: int = Field(1000, description="longest question answered; longer ones are cut")
    llm: str = Field("", description="optional chat model, openai:MODEL or ollama:MODEL; empty = extractive")
    llm_base_url: str = Field("", description="OpenAI-compatible server or Ollama URL")
    llm_api_key: str = ""
    llm_timeout_s: float = Field(20.0, description="the whole model call, retries included")
    llm_max_retries: int = Field(1, description="extra tries after a quick failure (connection, 429, 5xx)")
    kiosk: bool = Field(False, description="kiosk mode for the UI: full screen, nothing kept, idle reset")
    idle_seconds: int = Field(120, description="kiosk: seconds without a touch before the idle warning")
    idle_warning_seconds: int = Field(30, description="kiosk: how long the warning stays (WCAG 2.2.1: >= 20)")
    log_level: str = "WARNING"

    @field_validator("corpus_dir", "data_dir", mode="after")
    @classmethod
    def _expand_user(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chroma_url", "llm", "llm_base_url", "llm_api_key", "log_level", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        problem = _problem(self)
        if problem:
            raise ValueError(problem)
        return self

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _settings_error(exc) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``BOT_*`` variables (``os.environ`` or the given mapping); keyword overrides win."""
        if environ is None:
            return cls(**overrides)
        values: dict[str, object] = {
            name: environ[f"BOT_{name.upper()}"]
            for name in cls.model_fields
            if environ.get(f"BOT_{name.upper()}", "") != ""
        }
        return cls._validate({**values, **overrides})

    def replace(self, **changes: object) -> Settings:
        return self._validate({**self.model_dump(), **changes})

    @classmethod
    def _validate(cls, values: Mapping[str, object]) -> Settings:
        # model_validate checks the values given without reading the environment again.
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise _settings_error(exc) from None

    @property
    def chunker_signature(self) -> dict[str, object]:
        """What the index depends on besides the model: a change here rebuilds it."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap": self.chunk_overlap}


def _problem(s: Settings) -> str | None:
    """The first combination of values that cannot work, as a message naming the variable."""
    if not 32 <= s.chunk_tokens <= 220:
        return "BOT_CHUNK_TOKENS must be between 32 and 220 (MiniLM reads 256 wordpieces)"
    if not 0 <= s.chunk_overlap < s.chunk_tokens:
        return "BOT_CHUNK_OVERLAP must be at least 0 and below BOT_CHUNK_TOKENS"
    if s.top_k < 1:
        return "BOT_TOP_K must be at least 1"
    if s.llm and (":" not in s.llm or s.llm.split(":", 1)[0] not in ("openai", "ollama") or not s.llm.split(":", 1)[1]):
        return f"BOT_LLM must be openai:MODEL or ollama:MODEL, not {s.llm!r}"
    if s.llm_timeout_s <= 0 or not 0 <= s.llm_max_retries <= 5:
        return "BOT_LLM_TIMEOUT_S must be above 0 and BOT_LLM_MAX_RETRIES between 0 and 5"
    if s.idle_warning_seconds < 20:
        return "BOT_IDLE_WARNING_SECONDS must be at least 20 (WCAG 2.2.1)"
    return None


def _settings_error(exc: ValidationError) -> SettingsError:
    """pydantic's first error, said in terms of the environment variable."""
    error = exc.errors()[0]
    if error["type"] == "value_error":  # our own check: its message already names the variable
        return SettingsError(str(error["ctx"]["error"]))
    name = str(error["loc"][0]) if error["loc"] else "?"
    return SettingsError(f"BOT_{name.upper()}={error.get('input')!r} is not valid: {error['msg']}")
