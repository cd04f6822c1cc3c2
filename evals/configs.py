"""The configurations ``python -m evals run --config NAME`` can compare. A new one is one entry.

Each configuration is the base settings (``BOT_*`` variables) with a few fields overridden.
``assistant`` configurations run the whole ``Assistant`` (guard, retrieval, composer); the
``langchain`` one is the stock LangChain recipe, scored on retrieval and its context only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from bot.config import Settings


@dataclass(frozen=True)
class EvalConfig:
    name: str
    description: str
    overrides: Mapping[str, object] = field(default_factory=dict)
    kind: Literal["assistant", "langchain"] = "assistant"
    needs_llm: bool = False  # runs only when BOT_LLM names a chat model

    def settings(self, base: Settings) -> Settings:
        changes = dict(self.overrides)
        if not self.needs_llm:
            changes.setdefault("llm", "")  # BOT_LLM in the environment must not change the other rows
        return base.replace(**changes)


def _entries(*configs: EvalConfig) -> Mapping[str, EvalConfig]:
    return MappingProxyType({c.name: c for c in configs})


REGISTRY: Mapping[str, EvalConfig] = _entries(
    EvalConfig(
        "hybrid",
        "the default: passage + nearest-sentence similarity + BM25, score fusion (220/55)",
        {"retrieval": "hybrid"},
    ),
    EvalConfig(
        "dense", "dense only: passage and nearest-sentence similarity (BOT_RETRIEVAL=dense)", {"retrieval": "dense"}
    ),
    EvalConfig("bm25", "lexical only: BM25 over stemmed words (BOT_RETRIEVAL=bm25)", {"retrieval": "bm25"}),
    EvalConfig(
        "chunks-96",
        "hybrid over smaller passages: 96 tokens, 24 overlap (own index)",
        {"retrieval": "hybrid", "chunk_tokens": 96, "chunk_overlap": 24},
    ),
    EvalConfig(
        "chunks-160",
        "hybrid over mid-size passages: 160 tokens, 40 overlap (own index)",
        {"retrieval": "hybrid", "chunk_tokens": 160, "chunk_overlap": 40},
    ),
    EvalConfig(
        "langchain-stock",
        "baseline: RecursiveCharacterTextSplitter(1000, 200) + MiniLM + Chroma, top-4 similarity search",
        kind="langchain",
    ),
    EvalConfig(
        "llm",
        "hybrid retrieval with the chat-model composer named by BOT_LLM",
        {"retrieval": "hybrid"},
        needs_llm=True,
    ),
)

DEFAULT_CONFIGS = ("hybrid",)


class UnknownConfigError(ValueError):
    pass


def resolve(names: Iterable[str], base: Settings) -> tuple[list[EvalConfig], dict[str, str]]:
    """The configurations to run, in the order asked, and the skipped ones with the reason.

    ``all`` stands for every registered configuration (``llm`` only when BOT_LLM is set);
    names may also be given comma-separated.
    """
    wanted: list[str] = []
    for name in names:
        for part in name.split(","):
            part = part.strip()
            if part == "all":
                wanted.extend(n for n, c in REGISTRY.items() if not c.needs_llm or base.llm)
            elif part:
                wanted.append(part)
    unknown = [n for n in wanted if n not in REGISTRY]
    if unknown:
        raise UnknownConfigError(f"unknown configuration {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    chosen: list[EvalConfig] = []
    skipped: dict[str, str] = {}
    for name in dict.fromkeys(wanted or DEFAULT_CONFIGS):
        config = REGISTRY[name]
        reason = unavailable(config, base)
        if reason:
            skipped[name] = reason
        else:
            chosen.append(config)
    return chosen, skipped


def unavailable(config: EvalConfig, base: Settings) -> str | None:
    """Why a configuration cannot run here, or None."""
    if not config.needs_llm:
        return None
    if not base.llm:
        return "needs a chat model: set BOT_LLM (e.g. openai:gpt-4o-mini) and BOT_LLM_BASE_URL / BOT_LLM_API_KEY"
    try:
        import bot.llm  # noqa: F401  (the optional LLM composer)
    except ImportError as exc:
        return f"the LLM composer cannot be imported ({exc}); install the llm extra: pip install -e .[llm]"
    return None
