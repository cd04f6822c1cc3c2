"""Run the question sets through each configuration, score every reply, write the result files.

Files written to the output folder: ``results.jsonl`` (one line per question and configuration,
with its ``set``), ``metrics.json`` (aggregates overall, per set and per kind, floors), ``report.md``
and its PNG plots. Sets about the shipped corpus share one index per chunker; a new-article set
gets a corpus folder and an index of its own (``evals/sets.py``).
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
from evals.sets import QuestionSet, article_corpus

RETRIEVE_K = max(m.K_VALUES)


@dataclass
class ConfigRun:
    config: EvalConfig
    settings: Settings
    records: list[m.Record] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    index_seconds: float = 0.0
    seconds: float = 0.0
    chunks: int | None = None  # passages in the shipped corpus's index (the first corpus run)
    chunks_by_set: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class _Tools:
    """What every configuration's run shares: the loaded model, progress bars on or off, where to say things."""

    embedder: Embedder
    progress: bool
    say: Callable[[str], None]


@dataclass
class Suite:
    items: list[Item]  # every question of every set, in order
    runs: list[ConfigRun]
    skipped: dict[str, str]
    questions_path: str
    wall_seconds: float = 0.0
    sets: list[QuestionSet] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        kinds = list(dict.fromkeys(item.kind for item in self.items))
        floor_sets = {s.name for s in self.sets if not s.is_new_article}
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
                "by_set": {s.name: m.aggregate([r for r in run.records if r.set == s.name]) for s in self.sets},
                "chunks_by_set": {s.name: run.chunks_by_set.get(s.name) for s in self.sets},
            }
            if run.config.kind == "assistant":
                # The floors were set on the shipped corpus's questions (dev + test), not on new articles.
                entry["floors"] = m.check_floors([r for r in run.records if r.set in floor_sets])
            configs[run.config.name] = entry
        primary = next((r.config.name for r in self.runs if r.config.kind == "assistant"), None)
        return {
            "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "questions": {
                "path": self.questions_path,
                "n": len(self.items),
                "by_kind": {k: sum(i.kind == k for i in self.items) for k in kinds},
                "sets": {
                    s.name: {
                        "path": _display(s.path),
                        "n": len(s.items),
                        "new_article": _display(s.article) if s.article else None,
                        "tunable": s.tunable,
                        "floors": s.name in floor_sets,
                    }
                    for s in self.sets
                },
            },
            "wall_seconds": round(self.wall_seconds, 1),
            "configs": configs,
            "skipped": self.skipped,
            "floors_config": primary,
            "floors": configs[primary]["floors"] if primary else [],
        }


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
    sets: Sequence[QuestionSet] | Sequence[Item],
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
    """Score the question sets (or a plain list of items, one set) under each configuration.

    Indexes (and the new-article corpus folders) are built under ``index_root``, a temp folder by default.
    """
    started = time.perf_counter()
    base = base or Settings.from_env()
    say = echo or (lambda text: print(text, file=sys.stderr))
    tools = _Tools(embedder or default_embedder(), progress, say)
    question_sets = _as_sets(sets, questions_path)
    runs: list[ConfigRun] = []
    with _index_root(index_root) as root:
        for config in configs:
            settings = config.settings(base)
            run = ConfigRun(config, settings)
            begun = time.perf_counter()
            for group in _by_corpus(question_sets):
                _run_group(run, settings, group, root, tools)
            run.seconds = time.perf_counter() - begun
            runs.append(run)
    items = [item for s in question_sets for item in s.items]
    path = questions_path or ", ".join(_display(s.path) for s in question_sets)
    return Suite(items, runs, dict(skipped or {}), path, time.perf_counter() - started, question_sets)


def _as_sets(sets: Sequence[QuestionSet] | Sequence[Item], questions_path: str) -> list[QuestionSet]:
    if sets and all(isinstance(s, Item) for s in sets):
        name = Path(questions_path).stem if questions_path else "questions"
        return [QuestionSet(name, Path(questions_path or name), tuple(sets))]  # type: ignore[arg-type]
    return list(sets)  # type: ignore[arg-type]


def _by_corpus(sets: Sequence[QuestionSet]) -> list[list[QuestionSet]]:
    """Sets grouped by the corpus they are scored on: the shipped one first, then one per new article."""
    shipped = [s for s in sets if not s.is_new_article]
    return ([shipped] if shipped else []) + [[s] for s in sets if s.is_new_article]


def _run_group(
    run: ConfigRun,
    settings: Settings,
    group: Sequence[QuestionSet],
    root: Path,
    tools: _Tools,
) -> None:
    """One configuration over sets that share a corpus: that corpus's index, then every question."""
    article = group[0].article
    suffix = ""
    if article is not None:
        settings = settings.replace(corpus_dir=article_corpus(group[0], settings.corpus_dir, root))
        suffix = f"-{article.stem}"
    settings = settings.replace(data_dir=root / f"index-{settings.chunk_tokens}-{settings.chunk_overlap}{suffix}")
    tagged = [(s.name, item) for s in group for item in s.items]
    if run.config.kind == "langchain":
        index_seconds, chunks = _run_langchain(run, settings, tagged, tools)
    else:
        index_seconds, chunks = _run_assistant(run, settings, tagged, tools)
    run.index_seconds += index_seconds
    if not run.chunks_by_set:  # the first corpus (the shipped one, when any set is about it) names the run
        run.settings, run.chunks = settings, chunks
    for s in group:
        run.chunks_by_set[s.name] = chunks


@contextlib.contextmanager
def _index_root(index_root: Path | None) -> Iterator[Path]:
    if index_root is not None:
        index_root.mkdir(parents=True, exist_ok=True)
        yield index_root
        return
    with tempfile.TemporaryDirectory(prefix="evals-index-") as tmp:
        yield Path(tmp)


Tagged = Sequence[tuple[str, Item]]  # (set name, question)


def _bar(items: Tagged, run: ConfigRun, progress: bool) -> Any:
    from tqdm.auto import tqdm

    name = f"{run.config.name} {items[0][0]}" if items else run.config.name
    return tqdm(items, desc=f"{name:>24}", unit="q", disable=not progress, file=sys.stderr, dynamic_ncols=True)


# -- the assistant ------------------------------------------------------------------------
def _run_assistant(run: ConfigRun, settings: Settings, items: Tagged, tools: _Tools) -> tuple[float, int | None]:
    """Ask every question; returns the seconds spent making the index current and its passage count."""
    from bot.assistant import Assistant, default_composer

    assistant = Assistant(settings, embedder=tools.embedder, composer=default_composer(settings))
    begun = time.perf_counter()
    if not assistant.index.is_current():
        tools.say(
            f"{run.config.name}: building the index of {_display(settings.corpus_dir)} "
            f"({settings.chunk_tokens}/{settings.chunk_overlap} tokens)"
        )
    assistant.ingest(progress=False)  # a kept index (--index-dir) follows edited articles: only changes are embedded
    index_seconds = time.perf_counter() - begun
    manifest = assistant.index.manifest()
    assistant.warm_up()  # model, snapshot and BM25 loaded before the first timed question
    for set_name, item in _bar(items, run, tools.progress):
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
        run.records.append(m.Record(item, answer.triage, True, scores, set_name))
        run.rows.append(
            {
                "config": run.config.name,
                "set": set_name,
                **_item_fields(item),
                **answer.to_dict(),
                "retrieved": [
                    {"rank": i, "doc_id": d, "section": s, "relevant": _relevant(item, d, t)}
                    for i, (d, t, s) in enumerate(ranked, 1)
                ],
                "metrics": scores,
            }
        )
    return index_seconds, manifest["chunks"] if manifest else None


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
def _run_langchain(run: ConfigRun, settings: Settings, items: Tagged, tools: _Tools) -> tuple[float, int | None]:
    from bot.chain import contextualize
    from evals.baseline import TOP_K, LangChainStock

    tools.say(f"{run.config.name}: splitting and embedding the articles of {_display(settings.corpus_dir)}")
    stock = LangChainStock(settings.corpus_dir, tools.embedder)
    begun = time.perf_counter()
    stock.build()
    index_seconds = time.perf_counter() - begun
    try:
        for set_name, item in _bar(items, run, tools.progress):
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
            run.records.append(m.Record(item, None, False, scores, set_name))
            run.rows.append(
                {
                    "config": run.config.name,
                    "set": set_name,
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
    return index_seconds, stock.chunks


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
