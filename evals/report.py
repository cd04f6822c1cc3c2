"""report.md and its plots, drawn from metrics.json and results.jsonl (so it can be redrawn later)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import replies
from bot.config import default_corpus_dir
from bot.site import load_site
from evals import readability

PLOTS = {
    "by_kind": "by_kind.png",
    "configs": "configs.png",
    "latency": "latency.png",
    "grade": "reading_grade.png",
}

# (column title, metric key, format) for the summary and comparison tables.
Column = tuple[str, str, Callable[[Any], str]]


def _rate(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"


def _num(v: Any) -> str:
    return "—" if v is None else f"{v:.1f}"


def _ms(v: Any) -> str:
    return "—" if v is None else f"{v:.0f}"


#: Title and format of every metric a table can show, by its key in metrics.json.
METRICS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "n": ("n", str),
    "hit@1": ("hit@1", _rate),
    "hit@3": ("hit@3", _rate),
    "hit@5": ("hit@5", _rate),
    "mrr": ("MRR", _rate),
    "fact_recall": ("key facts", _rate),
    "lead_at_1": ("lead@1", _rate),
    "context_fact_recall": ("facts in top-4", _rate),
    "citation_recall": ("citation recall", _rate),
    "citation_precision": ("citation precision", _rate),
    "numbers_grounded": ("numbers grounded", _rate),
    "verbatim": ("quotes verbatim", _rate),
    "notice": ("notice", _rate),
    "behaviour": ("behaviour", _rate),
    "refusal_correct": ("refusal accuracy", _rate),
    "false_refusal": ("false refusals", _rate),
    "injection_holds": ("injection holds", _rate),
    "words_median": ("words (median)", _num),
    "fk_grade": ("FK grade", _num),
    "fk_grade_median": ("FK grade (median)", _num),
    "reading_ease": ("reading ease", _num),
    "latency_p50_ms": ("p50 ms", _ms),
    "latency_p95_ms": ("p95 ms", _ms),
}


def columns(keys: str) -> list[Column]:
    """Columns for the metric keys named, space-separated."""
    return [(METRICS[k][0], k, METRICS[k][1]) for k in keys.split()]


SUMMARY = columns(
    "hit@3 mrr fact_recall lead_at_1 context_fact_recall citation_recall citation_precision verbatim notice "
    "behaviour words_median fk_grade_median reading_ease latency_p50_ms latency_p95_ms"
)
#: The per-set line ``python -m evals run`` prints under each configuration.
SET_SUMMARY = columns("n hit@3 fact_recall lead_at_1 words_median fk_grade_median behaviour")
BY_KIND = columns(
    "n hit@3 mrr fact_recall lead_at_1 context_fact_recall citation_recall numbers_grounded behaviour "
    "refusal_correct false_refusal injection_holds fk_grade latency_p50_ms"
)
COMPARISON = columns(
    "hit@1 hit@3 hit@5 mrr fact_recall lead_at_1 context_fact_recall citation_recall false_refusal "
    "fk_grade latency_p50_ms latency_p95_ms"
)


def _triage_rate(triage_class: str, rate: str) -> Callable[[dict[str, Any]], str]:
    """A triage class's recall (over n labelled) or precision (over n flagged), as "0.83 (6)"."""
    count = "n_labelled" if rate == "recall" else "n_flagged"

    def cell(agg: dict[str, Any]) -> str:
        entry = agg.get("triage", {}).get(triage_class)
        if not entry or not entry[count]:
            return "—"
        return f"{entry[rate]:.2f} ({entry[count]})"

    return cell


def _metric(key: str, fmt: Callable[[Any], str]) -> Callable[[dict[str, Any]], str]:
    return lambda agg: fmt(agg.get(key))


#: Rows of the side-by-side table: one column per question set (dev, test, new articles), then all.
BY_SET: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    *(
        (title, _metric(key, fmt))
        for title, key, fmt in columns(
            "n hit@3 mrr fact_recall lead_at_1 context_fact_recall citation_recall words_median fk_grade_median "
            "behaviour false_refusal refusal_correct"
        )
    ),
    *((f"{c} {rate} (n)", _triage_rate(c, rate)) for c in ("emergency", "advice") for rate in ("recall", "precision")),
    *((title, _metric(key, fmt)) for title, key, fmt in columns("notice latency_p50_ms")),
]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_report(metrics: dict[str, Any], rows: Sequence[dict[str, Any]], out_dir: Path) -> Path:
    plots = draw_plots(metrics, rows, out_dir)
    text = render(metrics, rows, plots)
    path = out_dir / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


def render(metrics: dict[str, Any], rows: Sequence[dict[str, Any]], plots: dict[str, str]) -> str:
    configs: dict[str, Any] = metrics["configs"]
    primary = metrics.get("floors_config")
    q = metrics["questions"]
    kinds = ", ".join(f"{k} {n}" for k, n in q["by_kind"].items())
    lines = [
        "# Eval report",
        "",
        f"{q['n']} questions from `{q['path']}` ({kinds}); {len(configs)} configuration(s); "
        f"generated {metrics['generated_at']}, wall time {metrics['wall_seconds']:.0f} s.",
    ]
    for name, reason in metrics.get("skipped", {}).items():
        lines.append(f"Skipped **{name}**: {reason}.")
    lines += ["", "## Summary", ""]
    lines += _table(
        ["config", *(c[0] for c in SUMMARY)],
        [[name, *(fmt(cfg["overall"].get(key)) for _, key, fmt in SUMMARY)] for name, cfg in configs.items()],
    )
    lines += [
        "",
        "Rates are shares (0–1) averaged over the questions they apply to; `—` = not applicable "
        "(the `langchain-stock` baseline has no answer composer: it is scored on retrieval and on its top-4 context).",
    ]
    lines += _by_set(configs, q.get("sets", {}))
    if primary:
        lines += ["", *_reading_note(configs[primary]["overall"], primary)]
        lines += ["", f"## Floors ({primary})", ""]
        lines += _table(
            ["floor", "value", "minimum", "result", "questions below"],
            [
                [
                    f["floor"],
                    _rate(f["value"]),
                    _rate(f["minimum"]),
                    {True: "pass", False: "**FAIL**", None: "n/a"}[f["passed"]],
                    ", ".join(f"`{i}`" for i in f["failing"][:25]) + (" …" if len(f["failing"]) > 25 else ""),
                ]
                for f in metrics["floors"]
            ],
        )
        lines += ["", f"## By kind ({primary})", ""]
        lines += _by_kind(configs[primary])
        lines += ["", f"## Triage ({primary})", ""]
        lines += _triage(configs[primary]["overall"]["triage"])
    lines += ["", "## Configuration comparison", ""]
    lines += _table(
        ["config", "settings", "passages", "index s", *(c[0] for c in COMPARISON)],
        [
            [
                name,
                ", ".join(f"{k}={v}" for k, v in cfg["settings"].items()),
                str(cfg.get("chunks") or "—"),
                f"{cfg['index_seconds']:.1f}",
                *(fmt(cfg["overall"].get(key)) for _, key, fmt in COMPARISON),
            ]
            for name, cfg in configs.items()
        ],
    )
    lines += [""] + [f"- **{name}**: {cfg['description']}" for name, cfg in configs.items()]
    if "configs" in plots:
        lines += ["", f"![configuration comparison]({plots['configs']})"]
    if primary:
        lines += ["", f"## Worst 10 answers ({primary})", ""]
        lines += _worst(rows, primary)
    lines += ["", "## Plots", ""]
    captions = {
        "by_kind": f"Metrics by kind ({primary})",
        "latency": "Latency per answer",
        "grade": "Reading grade of answers (Flesch-Kincaid); the band is the 6th–8th grade target",
    }
    for key, caption in captions.items():
        if key in plots:
            lines += [f"### {caption}", "", f"![{caption}]({plots[key]})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _by_set(configs: dict[str, Any], sets: dict[str, Any]) -> list[str]:
    """Per configuration, the key metrics with the question sets side by side."""
    if not sets or not all(cfg.get("by_set") for cfg in configs.values()):
        return []  # a metrics.json written before sets existed
    lines = [
        "",
        "## By question set",
        "",
        "`dev`: tuned on. `test`: frozen, never tuned on. `devnew:…`: an article added to the shipped corpus "
        "(its own index) to tune generic behaviour on. `new:…`: an added article whose questions nothing was "
        "tuned on. The floors apply to the sets marked (floors).",
    ]
    header = ["metric", *(f"{name}{' (floors)' if info.get('floors') else ''}" for name, info in sets.items()), "all"]
    for name, cfg in configs.items():
        columns = [cfg["by_set"].get(s, {}) for s in sets] + [cfg["overall"]]
        lines += ["", f"**{name}**", ""]
        lines += _table(header, [[title, *(cell(agg) for agg in columns)] for title, cell in BY_SET])
    lines += [
        "",
        "lead@1: the first answer sentence states a key fact (answerable questions with facts). Words: the answer "
        "without `[n]` marks and without the assistant's fixed wording. Recall (n): share of the n questions "
        "labelled with that class whose reply took that path; precision (n): share of the n replies that took it "
        "whose question accepts it (a personal-sounding fact question sent down the advice path lowers it).",
    ]
    return lines


def _reading_note(overall: dict[str, Any], name: str) -> list[str]:
    site = load_site(default_corpus_dir())  # the fixed replies name the site's topic
    texts = (replies.NOT_COVERED, replies.URGENT, replies.ADVICE, replies.EMPTY_INPUT)
    fixed = [readability.grade(site.say(t)) for t in texts]
    fixed_grades = [g for g in fixed if g is not None]
    share = overall.get("share_grade_le_8")
    return [
        f"**Plain language ({name}).** Answers read at Flesch-Kincaid grade {_num(overall.get('fk_grade_median'))} "
        f"(median; mean {_num(overall.get('fk_grade'))}), Flesch Reading Ease {_num(overall.get('reading_ease'))}; "
        f"{'—' if share is None else f'{share:.0%}'} of answers are at or below 8th grade. NIH and AMA recommend "
        f"6th–8th grade for patient material. The fixed replies (not covered, urgent, advice, empty input) read at "
        f"grade {min(fixed_grades):.1f}–{max(fixed_grades):.1f}. Answers quote the articles verbatim, so their "
        "grade is the articles' grade.",
    ]


def _by_kind(cfg: dict[str, Any]) -> list[str]:
    rows = [[kind, *(fmt(agg.get(key)) for _, key, fmt in BY_KIND)] for kind, agg in cfg["by_kind"].items()]
    rows.append(["**all**", *(fmt(cfg["overall"].get(key)) for _, key, fmt in BY_KIND)])
    return _table(["kind", *(c[0] for c in BY_KIND)], rows)


def _triage(table: dict[str, Any]) -> list[str]:
    if not table:
        return ["No triage labels or triaged replies."]
    return [
        *_table(
            ["class", "recall", "labelled", "precision", "flagged"],
            [
                [c, _rate(v["recall"]), str(v["n_labelled"]), _rate(v["precision"]), str(v["n_flagged"])]
                for c, v in table.items()
            ],
        ),
        "",
        "Recall: of the questions labelled with the class, the share whose reply carried an accepted triage. "
        "Precision: of the replies that carried it, the share whose question accepts it. "
        "`not_covered` and `off_topic` count as one class.",
    ]


# -- worst answers ------------------------------------------------------------------------
def badness(row: dict[str, Any]) -> tuple[float, list[str]]:
    """How far a reply is from right, and why (for a human to read the worst first)."""
    s = row["metrics"]
    score, why = 0.0, []
    if s.get("behaviour") == 0:
        score += 5 if row["kind"] == "emergency" else 3  # a missed emergency is the worst miss
        why.append(
            f"expected {row['expect']}"
            + (f" ({'/'.join(t or 'none' for t in row['expected_triage'])})" if row["expected_triage"] else "")
            + f", got {'refusal' if row['refused'] else 'an answer'} (triage {row['triage']})"
        )
    if s.get("notice") == 0:
        score += 3
        why.append("notice missing or changed")
    if s.get("forbidden_hit"):
        score += 3
        why.append("says something it must not")
    if s.get("fact_recall") is not None and s["fact_recall"] < 1:
        score += 2 * (1 - s["fact_recall"])
        why.append("missing facts " + ", ".join(f"`{f}`" for f in s.get("facts_missing", [])))
    if s.get("citation_recall") is not None and s["citation_recall"] < 1:
        score += 2 * (1 - s["citation_recall"])
        why.append(f"citation recall {s['citation_recall']:.2f}")
    if s.get("rr") is not None and s["rr"] < 1:
        score += 1 - s["rr"]
        why.append(f"labelled passage at rank {s['rank']}" if s.get("rank") else "labelled passage not in the top 5")
    return score, why


def _worst(rows: Sequence[dict[str, Any]], config: str, count: int = 10) -> list[str]:
    scored = [(badness(r), r) for r in rows if r["config"] == config]
    scored = [x for x in scored if x[0][0] > 0]
    scored.sort(key=lambda x: -x[0][0])
    if not scored:
        return ["Every answer met its labels."]
    out: list[str] = []
    for rank, ((_score, why), row) in enumerate(scored[:count], 1):
        question = row["question"] if row["question"].strip() else "(empty)"
        if len(question) > 300:
            question = question[:300] + " …"
        out += [
            f"### {rank}. `{row['id']}` ({row['kind']}) — {'; '.join(why)}",
            "",
            f"**Question:** {_quote_inline(question)}",
            "",
            "**Answer:**",
            "",
            *[f"> {line}" if line else ">" for line in (row["body"] or "").splitlines()],
            "",
        ]
        if row["citations"]:
            out.append("**Cited passages:**")
            out.append("")
            for c in row["citations"]:
                out.append(f"- [{c['n']}] *{c['title']}* — {c['section']}: {c['text']}")
            out.append("")
    return out


def _quote_inline(text: str) -> str:
    return " ".join(repr(text)[1:-1].split()) if any(ord(ch) < 32 for ch in text) else " ".join(text.split())


# -- plots --------------------------------------------------------------------------------
def draw_plots(metrics: dict[str, Any], rows: Sequence[dict[str, Any]], out_dir: Path) -> dict[str, str]:
    """Write the PNGs; returns {plot: file name} for the ones drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = metrics["configs"]
    primary = metrics.get("floors_config")
    drawn: dict[str, str] = {}

    def save(fig: Any, key: str) -> None:
        fig.tight_layout()
        fig.savefig(out_dir / PLOTS[key], dpi=110)
        plt.close(fig)
        drawn[key] = PLOTS[key]

    if primary:
        by_kind = configs[primary]["by_kind"]
        series = [
            ("hit@3", "hit@3"),
            ("key facts", "fact_recall"),
            ("citation recall", "citation_recall"),
            ("behaviour", "behaviour"),
        ]
        fig, ax = plt.subplots(figsize=(11, 4.2))
        _grouped_bars(ax, list(by_kind), [(label, [by_kind[k].get(key) for k in by_kind]) for label, key in series])
        ax.set_title(f"Metrics by question kind ({primary})")
        save(fig, "by_kind")

    series = [
        ("hit@1", "hit@1"),
        ("hit@3", "hit@3"),
        ("MRR", "mrr"),
        ("key facts", "fact_recall"),
        ("facts in top-4", "context_fact_recall"),
        ("citation recall", "citation_recall"),
    ]
    fig, ax = plt.subplots(figsize=(max(7.0, 1.6 * len(configs) + 3), 4.2))
    values = [(label, [c["overall"].get(key) for c in configs.values()]) for label, key in series]
    _grouped_bars(ax, list(configs), values)
    ax.set_title("Configurations side by side (all questions)")
    save(fig, "configs")

    latencies = {
        name: [r["metrics"]["latency_ms"] for r in rows if r["config"] == name and r["metrics"].get("latency_ms")]
        for name in configs
    }
    latencies = {k: v for k, v in latencies.items() if v}
    if latencies:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(latencies) + 2), 4))
        ax.boxplot(list(latencies.values()), showfliers=True)
        ax.set_xticks(range(1, len(latencies) + 1), list(latencies), rotation=15)
        ax.set_yscale("log")
        ax.set_ylabel("ms per question (log)")
        ax.set_title("Latency per answer (the baseline: retrieval only)")
        ax.grid(axis="y", alpha=0.3)
        save(fig, "latency")

    grades = {
        name: [g for r in rows if r["config"] == name and (g := r["metrics"].get("fk_grade")) is not None]
        for name in configs
    }
    grades = {k: v for k, v in grades.items() if v}
    if grades:
        fig, ax = plt.subplots(figsize=(8, 4))
        lo, hi = readability.TARGET_GRADE
        ax.axvspan(lo, hi, color="tab:green", alpha=0.15, label="target: grade 6–8")
        everything = [g for v in grades.values() for g in v]
        bins = list(range(math.floor(min(*everything, lo)) - 1, math.ceil(max(*everything, hi)) + 2))
        for name, values in grades.items():
            ax.hist(values, bins=bins, histtype="step", linewidth=1.8, label=f"{name} (median {_median(values):.1f})")
        ax.set_xlabel("Flesch-Kincaid grade of the answer")
        ax.set_ylabel("answers")
        ax.set_title("Reading grade of answers")
        ax.legend(fontsize=8)
        save(fig, "grade")
    return drawn


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _grouped_bars(ax: Any, groups: list[str], series: list[tuple[str, list[Any]]]) -> None:
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [math.nan if v is None else v for v in values]
        ax.bar(xs, heights, width=width, label=label)
    ax.set_xticks(range(len(groups)), groups, rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share (0–1)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=len(series), loc="lower center", bbox_to_anchor=(0.5, -0.42))


def load_outputs(out_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    with (out_dir / "results.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return metrics, rows
