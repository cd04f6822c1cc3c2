"""Run the question set through each configuration, score every reply, write the result files.

Files written to the output folder: ``results.jsonl`` (one line per question and configuration),
``metrics.json`` (aggregates, per kind, floors), ``report.md`` and its PNG plots.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.embeddings import Embedder, default_embedder
from evals import metrics as m
from evals.configs import EvalConfig
from evals.dataset import Item, contains_quote

RETRIEVE_K = max(m.K_VALUES)


@dataclass
class ConfigRun:
    config: EvalConfig
    settings: Settings
    records: list[m.Record] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    index_seconds: float = 0.0
    seconds: float = 0.0
    chunks: int | None = None


@dataclass
class Suite:
    items: list[Item]
    runs: list[ConfigRun]
    skipped: dict[str, str]
    questions_path: str
    wall_seconds: float = 0.0

    def metrics(self) -> dict[str, Any]:
        kinds = list(dict.fromkeys(item.kind for item in self.items))
        configs: dict[str, Any] = {}
        for run in self.runs:
            entry: dict[str, Any] = {
                "description": run.config.description,
                "kind": run.config.kind,
                "settings": _settings_summary(run),
                "seconds": round(run.seconds, 2),
                "index_seconds": round(run.index_seconds, 2),
                "chunks": run.chunks,
                "overall": m.aggregate(run.records),
                "by_kind": {k: m.aggregate([r for r in run.records if r.item.kind == k]) for k in kinds},
            }
            if run.config.kind == "assistant":
                entry["floors"] = m.check_floors(run.records)
            configs[run.config.name] = entry
        primary = next((r.config.name for r in self.runs if r.config.kind == "assistant"), None)
        return {
            "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "questions": {
                "path": self.questions_path,
                "n": len(self.items),
                "by_kind": {k: sum(i.kind == k for i in self.items) for k in kinds},
            },
            "wall_seconds": round(self.wall_seconds, 1),
            "configs": configs,
            "skipped": self.skipped,
            "floors_config": primary,
            "floors": configs[primary]["floors"] if primary else [],
        }


def _settings_summary(run: ConfigRun) -> dict[str, Any]:
    s = run.settings
    if run.config.kind == "langchain":
        from evals.baseline import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K

        return {"splitter": f"recursive-character {CHUNK_SIZE}/{CHUNK_OVERLAP} chars", "top_k": TOP_K}
    return {
        "retrieval": s.retrieval,
        "chunk_tokens": s.chunk_tokens,
        "chunk_overlap": s.chunk_overlap,
        "top_k": s.top_k,
        "composer": "llm:" + s.llm if s.llm else "extractive",
    }


def run_suite(
    items: Sequence[Item],
    configs: Sequence[EvalConfig],
    *,
    base: Settings | None = None,
    index_root: Path | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
    skipped: dict[str, str] | None = None,
    questions_path: str = "",
) -> Suite:
    """Score ``items`` under each configuration. Indexes are built under ``index_root`` (a temp folder by default)."""
    started = time.perf_counter()
    base = base or Settings.from_env()
    embedder = embedder or default_embedder()
    say = echo or (lambda text: print(text, file=sys.stderr))
    runs: list[ConfigRun] = []
    with _index_root(index_root) as root:
        for config in configs:
            settings = config.settings(base)
            settings = settings.replace(data_dir=root / f"index-{settings.chunk_tokens}-{settings.chunk_overlap}")
            run = ConfigRun(config, settings)
            begun = time.perf_counter()
            if config.kind == "langchain":
                _run_langchain(run, items, embedder, progress, say)
            else:
                _run_assistant(run, items, embedder, progress, say)
            run.seconds = time.perf_counter() - begun
            runs.append(run)
    return Suite(list(items), runs, dict(skipped or {}), questions_path, time.perf_counter() - started)


@contextlib.contextmanager
def _index_root(index_root: Path | None) -> Iterator[Path]:
    if index_root is not None:
        index_root.mkdir(parents=True, exist_ok=True)
        yield index_root
        return
    with tempfile.TemporaryDirectory(prefix="evals-index-") as tmp:
        yield Path(tmp)


def _bar(items: Sequence[Item], name: str, progress: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(items, desc=f"{name:>15}", unit="q", disable=not progress, file=sys.stderr, dynamic_ncols=True)


# -- the assistant ------------------------------------------------------------------------
def _run_assistant(
    run: ConfigRun, items: Sequence[Item], embedder: Embedder, progress: bool, say: Callable[[str], None]
) -> None:
    from bot.assistant import Assistant, default_composer

    settings = run.settings
    assistant = Assistant(settings, embedder=embedder, composer=default_composer(settings))
    begun = time.perf_counter()
    if not assistant.index.is_current():
        say(f"{run.config.name}: building the index ({settings.chunk_tokens}/{settings.chunk_overlap} tokens)")
    assistant.ensure_index()
    run.index_seconds = time.perf_counter() - begun
    manifest = assistant.index.manifest()
    run.chunks = manifest["chunks"] if manifest else None
    assistant.warm_up()  # model, snapshot and BM25 loaded before the first timed question
    for item in _bar(items, run.config.name, progress):
        answer = assistant.ask(item.question, list(item.history))
        ranked: list[tuple[str, str, str]] = []
        needs_context = bool(item.passages) or bool(item.facts and item.expect == "answer")
        if needs_context:
            query = _query(assistant, item)
            if query.strip():
                found = assistant.retriever.retrieve(query, k=RETRIEVE_K).passages
                ranked = [(p.chunk.doc_id, p.chunk.text, p.chunk.section) for p in found]
        scores = {
            **m.retrieval_scores(item, [(d, t) for d, t, _ in ranked]),
            **m.answer_scores(item, answer),
            "context_fact_recall": _context_recall(item, ranked[: settings.top_k]) if needs_context else None,
        }
        run.records.append(m.Record(item, answer.triage, True, scores))
        run.rows.append(
            {
                "config": run.config.name,
                **_item_fields(item),
                **answer.to_dict(),
                "retrieved": [
                    {"rank": i, "doc_id": d, "section": s, "relevant": _relevant(item, d, t)}
                    for i, (d, t, s) in enumerate(ranked, 1)
                ],
                "metrics": scores,
            }
        )


def _query(assistant: Any, item: Item) -> str:
    """The retrieval query the assistant itself uses: the screened question, in context for a follow-up."""
    from bot.chain import contextualize

    question = item.question
    try:
        screened = assistant.guard.screen(item.question, list(item.history)).question
        question = screened or question
    except Exception:  # the guard's screening is not ours to judge here; fall back to the raw text
        pass
    return contextualize(question, list(item.history))


def _context_recall(item: Item, ranked: Sequence[tuple[str, ...]]) -> float | None:
    if not item.facts or item.expect != "answer":
        return None
    recall, _ = m.fact_scores(item.facts, " ".join(r[1] for r in ranked))
    return recall


def _relevant(item: Item, doc_id: str, text: str) -> bool:
    return any(p.doc_id == doc_id and contains_quote(text, p.quote) for p in item.passages)


def _item_fields(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "question": item.question,
        "kind": item.kind,
        "expect": item.expect,
        "expected_triage": list(item.expected_triage),
    }


# -- the LangChain baseline ---------------------------------------------------------------
def _run_langchain(
    run: ConfigRun, items: Sequence[Item], embedder: Embedder, progress: bool, say: Callable[[str], None]
) -> None:
    from bot.chain import contextualize
    from evals.baseline import TOP_K, LangChainStock

    say(f"{run.config.name}: splitting and embedding the articles")
    stock = LangChainStock(run.settings.corpus_dir, embedder)
    begun = time.perf_counter()
    stock.build()
    run.index_seconds = time.perf_counter() - begun
    run.chunks = stock.chunks
    try:
        for item in _bar(items, run.config.name, progress):
            query = contextualize(item.question, list(item.history))
            t0 = time.perf_counter()
            ranked = stock.retrieve(query, k=RETRIEVE_K)
            latency = (time.perf_counter() - t0) * 1000
            context = ranked[:TOP_K]
            scores: dict[str, Any] = {name: None for name in m.MEAN_METRICS if name not in ("rr",)}
            scores.update(m.retrieval_scores(item, ranked))
            scores["facts_missing"] = []
            scores["context_fact_recall"] = _context_recall(item, context)
            scores["latency_ms"] = round(latency, 2)
            run.records.append(m.Record(item, None, False, scores))
            run.rows.append(
                {
                    "config": run.config.name,
                    **_item_fields(item),
                    **_NO_ANSWER,
                    "latency_ms": round(latency, 2),
                    "context": [{"doc_id": d, "text": t} for d, t in context],
                    "retrieved": [
                        {"rank": i, "doc_id": d, "section": None, "relevant": _relevant(item, d, t)}
                        for i, (d, t) in enumerate(ranked, 1)
                    ],
                    "metrics": scores,
                }
            )
    finally:
        stock.close()


# The Answer fields, empty: the baseline has no composer, guard or notice.
_NO_ANSWER: dict[str, Any] = {
    "answer": None,
    "body": None,
    "citations": [],
    "notice": None,
    "refused": None,
    "triage": None,
    "latency_ms": None,
    "suggestions": [],
}


# -- files --------------------------------------------------------------------------------
def write_outputs(suite: Suite, out_dir: Path) -> dict[str, Any]:
    """results.jsonl, metrics.json, report.md and the plots; returns the metrics."""
    from evals.report import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [row for run in suite.runs for row in run.rows]
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    metrics = suite.metrics()
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_report(metrics, rows, out_dir)
    return metrics
