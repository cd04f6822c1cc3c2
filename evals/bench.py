"""Speed, memory, load and scale benchmark: ``python -m evals.bench [--json]``.

Everything runs on this machine in one go (about 5-10 minutes on 2 cores) and prints one table:

* index build from scratch for the two articles (``bot ingest`` in a new process, the first time
  with the one-off ONNX export of the model, then with the export in place);
* cold start: a new process → its first answer, with the index built (three runs);
* warm in-process latency over the eval questions: ``Assistant.ask`` (p50/p95/p99), retrieval
  only, the query embedding alone, and ``ask`` with the question's embedding cached;
* the stock LangChain recipe (RecursiveCharacterTextSplitter 1000/200 → the same MiniLM through
  langchain-huggingface → langchain-chroma → top-4 similarity search) on the same questions, in the
  same run, and the ratio ours/stock;
* peak memory (RSS) of each process;
* load: the real Gradio app (``python app.py``) on 127.0.0.1 with 16 concurrent visitors;
* scale: synthetic indexes of 1k, 10k and 50k passages (see ``evals/bench_scale.py`` for how
  they are made), write throughput and question latency at each size, and a PNG plot.

Each part runs in its own process where memory or imports matter, so one part's libraries
(torch for the stock recipe) do not inflate another's figures. Timings on a shared machine are
noisy: the load average before and after is printed with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULT = "BENCH-RESULT "
TARGETS = {
    "warm_ask_p50_ms": 25.0,
    "warm_ask_p95_ms": 60.0,
    "cold_start_s": 15.0,
    "load_p95_s": 1.0,
    "load_paced_p95_s": 1.0,
    "scale_ratio": 2.0,
}


# -- questions -----------------------------------------------------------------------
def load_questions() -> tuple[list[str], str]:
    """The eval questions (the dev and test splits), else the labelled test questions."""
    sys.path.insert(0, str(REPO))
    from evals.dataset import DEV_QUESTIONS, TEST_QUESTIONS, DatasetError
    from evals.dataset import load_questions as load_file

    try:
        items = [item for path in (DEV_QUESTIONS, TEST_QUESTIONS) for item in load_file(path)]
    except DatasetError:
        items = []
    questions = [item.question for item in items if item.question.strip()]
    if questions:
        return questions, "evals/questions-dev.jsonl + evals/questions-test.jsonl"
    from tests.questions import QUESTIONS

    return [q for q, _ in QUESTIONS], "tests/questions.py"


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of durations in seconds."""
    from evals.bench_scale import percentiles as pct

    return pct(values)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- child processes -------------------------------------------------------------------
def child_app(mode: str, spawned_at: float, questions: list[str], reps: int) -> dict[str, Any]:
    """Our app in a fresh process: time to the first answer; in ``warm`` mode, then latencies."""
    from bot.assistant import Assistant
    from bot.config import Settings

    bot = Assistant(Settings.from_env())
    first = bot.ask(questions[0])
    out: dict[str, Any] = {
        "cold_s": round(time.time() - spawned_at, 3),
        "first_refused": first.refused,
        "first_triage": first.triage,
        "backend": getattr(bot.embedder, "backend", "?"),
        "torch_imported": "torch" in sys.modules,
    }
    if mode == "warm":
        clear = bot.embedder.embed_query.cache_clear
        ask, cached, retrieve, embed = [], [], [], []
        refused = 0
        for _ in range(reps):
            for q in questions:
                clear()
                t = time.perf_counter()
                answer = bot.ask(q)
                ask.append(time.perf_counter() - t)
                refused += answer.refused
        for q in questions:
            bot.ask(q)  # embedding now cached: a question asked before
            t = time.perf_counter()
            bot.ask(q)
            cached.append(time.perf_counter() - t)
        for q in questions:
            clear()
            t = time.perf_counter()
            bot.retriever.retrieve(q)
            retrieve.append(time.perf_counter() - t)
        for q in questions:
            clear()
            t = time.perf_counter()
            bot.embedder.embed_query(q)
            embed.append(time.perf_counter() - t)
        out |= {
            "ask_ms": percentiles(ask),
            "ask_cached_ms": percentiles(cached),
            "retrieve_ms": percentiles(retrieve),
            "embed_ms": percentiles(embed),
            "refused_share": round(refused / max(len(ask), 1), 3),
            "in_memory": bool(bot.retriever._snapshot and bot.retriever._snapshot.in_memory),
        }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def child_stock(spawned_at: float, questions: list[str], work: Path) -> dict[str, Any]:
    """The stock LangChain recipe on the same articles, model and questions."""
    import frontmatter
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from bot.config import Settings
    from bot.embeddings import force_offline, model_path

    force_offline()
    started = time.perf_counter()
    corpus = Settings.from_env().corpus_dir
    docs = [
        Document(page_content=frontmatter.load(str(p)).content, metadata={"source": p.name})
        for p in sorted(corpus.glob("*.md"))
    ]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(
        model_name=model_path(), model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True}
    )
    store = Chroma.from_documents(
        splits,
        embeddings,
        collection_name="stock",
        persist_directory=str(work / "stock-chroma"),
        client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
    )
    build = time.perf_counter() - started
    store.similarity_search(questions[0], k=4)
    cold = time.time() - spawned_at
    search = []
    for q in questions:
        t = time.perf_counter()
        store.similarity_search(q, k=4)
        search.append(time.perf_counter() - t)
    return {
        "chunks": len(splits),
        "build_s": round(build, 2),
        "cold_s": round(cold, 3),
        "search_ms": percentiles(search),
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(kind: str, env: dict[str, str], work: Path, questions_file: Path, reps: int = 3) -> dict[str, Any]:
    command = [sys.executable, "-m", "evals.bench", "--child", kind, "--questions-file", str(questions_file)]
    command += ["--work", str(work), "--reps", str(reps), "--spawned-at"]
    spawned = time.time()
    result = subprocess.run(
        [*command, repr(spawned)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    for line in result.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(f"{kind} run failed ({result.returncode}): {result.stderr[-2000:]}")


def timed_ingest(data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "BOT_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ingest"], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"bot ingest failed ({result.returncode}): {result.stderr[-2000:]}")
    return {"wall_s": round(wall, 2), "summary": result.stdout.strip().splitlines()[-1]}


def link_models(source: Path, target: Path) -> None:
    """Reuse the ONNX export (a hard link, else a copy) so a second data folder starts as an installed one."""
    if not (source / "models").is_dir():
        return
    (target / "models").mkdir(parents=True, exist_ok=True)
    for f in (source / "models").glob("*.onnx"):
        try:
            os.link(f, target / "models" / f.name)
        except OSError:
            shutil.copy2(f, target / "models" / f.name)


# -- the run ------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    questions, source = load_questions()
    work = Path(tempfile.mkdtemp(prefix="bot-bench-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    questions_file = work / "questions.json"
    questions_file.write_text(json.dumps(questions))
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "questions": {"source": source, "count": len(questions)},
    }
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def phase(name: str) -> None:
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 1)
        log(f"{name}: done ({phases[name]} s)")

    first, data = work / "data-first", work / "data"
    env = {"BOT_DATA_DIR": str(data)}

    def build() -> None:
        results["build"] = {"first_install": timed_ingest(first)}
        link_models(first, data)
        results["build"]["from_scratch"] = timed_ingest(data)

    def cold_start() -> None:
        colds = [run_child("cold", env, work, questions_file) for _ in range(3)]
        results["cold_start"] = {
            "runs_s": [c["cold_s"] for c in colds],
            "median_s": sorted(c["cold_s"] for c in colds)[1],
            "backend": colds[0]["backend"],
            "torch_imported": colds[0]["torch_imported"],
            "peak_rss_mb": colds[0]["peak_rss_mb"],
        }

    def warm() -> None:
        results["warm"] = run_child("warm", env, work, questions_file, reps=args.reps)

    def stock() -> None:
        results["stock"] = run_child("stock", env, work, questions_file)
        ours, theirs = results["warm"], results["stock"]
        results["ratio"] = {
            key: round(ours[mine]["p50"] / theirs["search_ms"]["p50"], 2)
            for key, mine in (("retrieve_vs_stock_search", "retrieve_ms"), ("ask_vs_stock_search", "ask_ms"))
        }

    def load() -> None:
        from evals.bench_load import run_load

        figures = run_load(REPO, env, questions, work, count=args.visitors, time_limit=args.load_seconds)
        for mode in ("stress", "paced"):
            if mode in figures:
                figures[mode] = summarize_load(figures[mode])
        figures["visitors"] = args.visitors
        results["load"] = figures

    def scale() -> None:
        results["scale"] = run_scale(args, work, out, questions, results["warm"]["retrieve_ms"])

    steps = [("build", build), ("cold start", cold_start), ("warm", warm), ("stock recipe", stock)]
    steps += [("load", load)] if args.visitors else []
    steps += [("scale", scale)] if args.sizes else []
    try:
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # one broken part must not hide the others' figures
                results.setdefault("failed", {})[name] = f"{type(exc).__name__}: {exc}"[-1500:]
                log(f"{name} FAILED: {exc}")
            phase(name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["phases_s"] = phases
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["targets"] = judge(results)
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    return results


def summarize_load(raw: dict[str, Any]) -> dict[str, Any]:
    times = raw["times"]
    seconds = percentiles(times)
    return {
        "answers": len(times),
        "wall_s": round(raw["wall_seconds"], 1),
        "throughput_per_s": round(len(times) / raw["wall_seconds"], 2) if raw["wall_seconds"] else 0.0,
        "time_to_answer_s": {k: v if k == "n" else round(v / 1000, 3) for k, v in seconds.items()},
        "error_count": len(raw["errors"]),
        "errors": raw["errors"][:5],
        # The app's own CPU per answer: tells a slower app from a busier machine.
        "app_cpu_ms_per_answer": round(1000 * raw["app_cpu_s"] / len(times), 1) if times else None,
    }


def run_scale(
    args: argparse.Namespace, work: Path, out: Path, questions: list[str], baseline: dict[str, float]
) -> dict[str, Any]:
    from bot.config import Settings
    from bot.embeddings import default_embedder
    from bot.store import ChromaIndex
    from evals.bench_scale import Splicer, plot, real_ingest_sample, real_sentences, run_tier

    embedder = default_embedder()
    embedder.prepare(work / "data" / "models", export=False)
    two = ChromaIndex(Settings(data_dir=work / "data"), embedder)
    texts, vectors, sections = real_sentences(two)
    two.close()
    splicer = Splicer(texts, vectors)
    sample = real_ingest_sample(work, splicer, sections, embedder, args.sample_chunks)
    log(f"scale: real ingest sample {sample}")
    tiers = []
    for size in args.sizes:
        tier = run_tier(work, size, splicer, sections, embedder, questions)
        log(f"scale: {size} passages written in {tier.write_seconds:.1f} s, retrieve p50 {tier.retrieve_ms['p50']} ms")
        tiers.append(tier)
    png = out / "scale.png"
    plot(tiers, baseline, png)
    largest = tiers[-1]
    return {
        "vectors": "recombined from real MiniLM sentence embeddings (see evals/bench_scale.py)",
        "real_ingest_sample": sample,
        "two_articles_retrieve_ms": baseline,
        "tiers": [
            {
                "chunks": t.chunks,
                "sentences": t.sentences,
                "write_s": round(t.write_seconds, 1),
                "write_chunks_per_s": round(t.chunks_per_second, 1),
                "open_s": round(t.open_seconds, 2),
                "search": "in memory" if t.in_memory else "Chroma HNSW",
                "retrieve_ms": t.retrieve_ms,
                "ask_ms": t.ask_ms,
            }
            for t in tiers
        ],
        "largest_vs_two_articles": {
            "retrieve_p50": round(largest.retrieve_ms["p50"] / baseline["p50"], 2),
            "retrieve_p95": round(largest.retrieve_ms["p95"] / baseline["p95"], 2),
        },
        "plot": str(png),
    }


def judge(results: dict[str, Any]) -> dict[str, Any]:
    """Each target: the figure, the limit and whether it is met (None when not measured)."""
    warm = results.get("warm", {})
    load = results.get("load", {})
    scale = results.get("scale", {})
    figures = {
        "warm_ask_p50_ms": warm.get("ask_ms", {}).get("p50"),
        "warm_ask_p95_ms": warm.get("ask_ms", {}).get("p95"),
        "cold_start_s": results.get("cold_start", {}).get("median_s"),
        "load_p95_s": load.get("stress", {}).get("time_to_answer_s", {}).get("p95"),
        "load_paced_p95_s": load.get("paced", {}).get("time_to_answer_s", {}).get("p95"),
        "scale_ratio": scale.get("largest_vs_two_articles", {}).get("retrieve_p50"),
    }
    verdict: dict[str, Any] = {}
    for key, limit in TARGETS.items():
        figure = figures[key]
        met = None if figure is None else figure <= limit
        if key.startswith("load_") and met is not None:
            mode = "paced" if "paced" in key else "stress"
            met = met and load.get(mode, {}).get("error_count", 1) == 0
        verdict[key] = {"figure": figure, "limit": limit, "met": met}
    return verdict


# -- output -------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def table(r: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = []

    def pct(d: dict[str, float] | None, unit: str = "ms") -> str:
        if not d:
            return "-"
        return f"p50 {d['p50']} / p95 {d['p95']} / p99 {d['p99']} {unit} (n={d['n']})"

    m = r["machine"]
    rows.append(("machine", f"{m['cpus']} CPUs, Python {m['python']}, load {m['load_before']} → {m.get('load_after')}"))
    rows.append(("questions", f"{r['questions']['count']} from {r['questions']['source']}"))
    if "build" in r:
        b = r["build"]
        rows.append(("build, first install", f"{b['first_install']['wall_s']} s  ({b['first_install']['summary']})"))
        rows.append(("build from scratch", f"{b['from_scratch']['wall_s']} s  (model export in place)"))
    if "cold_start" in r:
        c = r["cold_start"]
        detail = f"runs {c['runs_s']}, {c['backend']} embeddings, torch imported: {c['torch_imported']}"
        rows.append(("cold start → 1st answer", f"{c['median_s']} s median ({detail})"))
    if "warm" in r:
        w = r["warm"]
        rows.append(("warm ask", pct(w["ask_ms"])))
        rows.append(("warm ask, cached question", pct(w["ask_cached_ms"])))
        rows.append(("retrieval only", pct(w["retrieve_ms"])))
        rows.append(("query embedding only", pct(w["embed_ms"])))
        rows.append(("peak RSS, app process", f"{w['peak_rss_mb']} MB"))
    if "stock" in r:
        s = r["stock"]
        rows.append(("stock recipe search (top-4)", pct(s["search_ms"])))
        rows.append(
            ("stock recipe build / cold", f"{s['build_s']} s build ({s['chunks']} chunks), {s['cold_s']} s cold")
        )
        rows.append(("stock recipe peak RSS", f"{s['peak_rss_mb']} MB"))
        ratio = r["ratio"]
        rows.append(
            (
                "ratio ours/stock (p50)",
                f"retrieval {ratio['retrieve_vs_stock_search']}×, whole answer {ratio['ask_vs_stock_search']}×",
            )
        )
    if "load" in r:
        lo = r["load"]
        if "skipped" in lo:
            rows.append(("load", f"skipped: {lo['skipped'][:200]}"))
        for mode, label in (("stress", "no pause"), ("paced", "1-4 s pause")):
            if mode in lo:
                x, t = lo[mode], lo[mode]["time_to_answer_s"]
                rows.append(
                    (
                        f"load, {lo['visitors']} visitors, {label}",
                        f"{x['answers']} answers in {x['wall_s']} s = {x['throughput_per_s']}/s; "
                        f"time to full answer p50 {t['p50']} / p95 {t['p95']} s; errors {x['error_count']}; "
                        f"app CPU {x['app_cpu_ms_per_answer']} ms an answer",
                    )
                )
        if lo.get("peak_rss_mb"):
            rows.append(("peak RSS, Gradio app", f"{lo['peak_rss_mb']} MB"))
    if "scale" in r:
        sc = r["scale"]
        smp = sc["real_ingest_sample"]
        rows.append(
            (
                "real ingest (sample)",
                f"{smp['chunks']} passages + {smp['sentences']} sentences embedded in {smp['seconds']} s"
                f" = {smp['chunks_per_second']} passages/s",
            )
        )
        for t in sc["tiers"]:
            rows.append(
                (
                    f"scale {t['chunks']:,} passages",
                    f"write {t['write_chunks_per_s']}/s ({t['write_s']} s), open {t['open_s']} s, {t['search']}; "
                    f"retrieve p50 {t['retrieve_ms']['p50']} / p95 {t['retrieve_ms']['p95']} ms; "
                    f"ask p50 {t['ask_ms']['p50']} / p95 {t['ask_ms']['p95']} ms",
                )
            )
        ratio = sc["largest_vs_two_articles"]
        rows.append(("largest / two articles", f"retrieve p50 {ratio['retrieve_p50']}×, p95 {ratio['retrieve_p95']}×"))
        rows.append(("scale plot", sc["plot"]))
    for name, why in r.get("failed", {}).items():
        rows.append((f"FAILED: {name}", why[-300:]))
    for key, v in r["targets"].items():
        mark = {True: "met", False: "MISSED", None: "not measured"}[v["met"]]
        rows.append((f"target {key}", f"{v['figure']} (limit {v['limit']}): {mark}"))
    rows.append(("total time", f"{r['total_s']} s {r['phases_s']}"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--out", default="bench-results", help="folder for bench.json and scale.png")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[1000, 10000, 50000],
        help="synthetic index sizes in passages (comma-separated; empty to skip)",
    )
    parser.add_argument("--sample-chunks", type=int, default=100, help="passages in the real-ingest sample")
    parser.add_argument("--visitors", type=int, default=16, help="concurrent visitors for the load test (0 skips)")
    parser.add_argument("--load-seconds", type=float, default=30, help="time limit of each load run")
    parser.add_argument("--reps", type=int, default=3, help="passes over the questions for warm latency")
    parser.add_argument("--child", choices=["cold", "warm", "stock"], help=argparse.SUPPRESS)
    parser.add_argument("--questions-file", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--spawned-at", type=float, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child:
        questions = json.loads(Path(args.questions_file).read_text())
        if args.child == "stock":
            result = child_stock(args.spawned_at, questions, Path(args.work))
        else:
            result = child_app(args.child, args.spawned_at, questions, args.reps)
        print(RESULT + json.dumps(result), flush=True)
        return
    results = run(args)
    print(json.dumps(results, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()
