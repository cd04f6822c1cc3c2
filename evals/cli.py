"""``python -m evals``: run the question sets through configurations, score them, draw the report."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from evals.dataset import KINDS, DatasetError

EXIT_FLOORS = 1  # --check-floors and a floor failed
EXIT_USAGE = 2


questions_option = click.option(
    "--questions",
    "questions_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Run only this JSONL (at least `id` and `question` per line; see evals/README.md). "
    "Default: questions-dev.jsonl, questions-test.jsonl, every evals/dev_articles/*/questions.jsonl "
    "and every evals/new_articles/*/questions.jsonl.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Score the assistant on labelled question sets, compare configurations, draw a report.

    \b
    Examples:
      python -m evals run                                   # dev, test, new articles; hybrid → evals/out/
      python -m evals run --config hybrid --config bm25 --config langchain-stock
      python -m evals run --config all --out /tmp/evals     # every registered configuration
      python -m evals run --questions my.jsonl --kind fact  # your own questions, one kind
      python -m evals configs                               # what --config accepts
      python -m evals check                                 # labels still match the articles?
      python -m evals report evals/out                      # redraw report.md from the files
    """


@main.command()
@questions_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("evals/out"),
    show_default=True,
    help="Folder for results.jsonl, metrics.json, report.md and the plots.",
)
@click.option(
    "--config",
    "config_names",
    multiple=True,
    metavar="NAME",
    help="Configuration to run (repeat, or comma-separate; `all` = every one). Default: hybrid.",
)
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the indexes here and reuse them next run (default: a temporary folder).",
)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only questions of this kind (repeat).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N questions of each set.")
@click.option("--check-floors", is_flag=True, help="Exit 1 when the first configuration misses a quality floor.")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
def run(
    questions_path: Path | None,
    out_dir: Path,
    config_names: tuple[str, ...],
    index_dir: Path | None,
    kinds: tuple[str, ...],
    limit: int | None,
    check_floors: bool,
    no_progress: bool,
) -> None:
    """Answer every question under each configuration and score it.

    By default the sets are the dev split, the frozen test split, each dev-article set (devnew:,
    tune on them) and each new-article set (new:, test-only); an article set is scored on the
    shipped corpus plus that article, with its own index. --questions runs one file.

    \b
    Writes to --out:
      results.jsonl  one line per question and configuration: config, set, id, question, the Answer JSON
                     fields (answer, body, citations, notice, refused, triage, latency_ms,
                     suggestions), retrieved passages and per-question metrics
      metrics.json   overall, per-set and per-kind aggregates per configuration, the floors
      report.md      summary, sets side by side, floors, per-kind tables, comparison, worst answers
      *.png          by_kind, configs, latency, reading_grade

    \b
    Examples:
      python -m evals run
      python -m evals run --config hybrid --config dense --config bm25 \\
          --config chunks-96 --config chunks-160 --config langchain-stock --out evals/example
      BOT_LLM=openai:gpt-4o-mini python -m evals run --config hybrid --config llm
    """
    from bot.config import Settings, SettingsError
    from evals.configs import UnknownConfigError, resolve
    from evals.sets import default_sets, load_set

    started = time.perf_counter()
    try:
        sets = [load_set(questions_path)] if questions_path else default_sets()
        base = Settings.from_env()
        configs, skipped = resolve(config_names, base)
    except (DatasetError, SettingsError, UnknownConfigError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    sets = [s for s in (s.select(kinds, limit) for s in sets) if s.items]
    for name, reason in skipped.items():
        click.echo(f"Skipping {name}: {reason}", err=True)
    if not sets:
        click.echo("Error: no questions left to run", err=True)
        sys.exit(EXIT_USAGE)
    if not configs:
        click.echo("Error: no configuration can run", err=True)
        sys.exit(EXIT_USAGE)

    from bot.embeddings import ModelMissingError
    from evals.runner import run_suite, write_outputs

    names = ", ".join(c.name for c in configs)
    counts = ", ".join(f"{s.name} {len(s.items)}" for s in sets)
    total = sum(len(s.items) for s in sets)
    click.echo(f"{total} questions ({counts}) × {len(configs)} configuration(s): {names}", err=True)
    try:
        suite = run_suite(
            sets,
            configs,
            base=base,
            index_root=index_dir,
            progress=not no_progress,
            echo=lambda text: click.echo(text, err=True),
            skipped=skipped,
        )
    except ModelMissingError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(3)
    metrics = write_outputs(suite, out_dir)
    _print_summary(metrics)
    click.echo(f"Wrote {out_dir}/report.md, metrics.json, results.jsonl in {time.perf_counter() - started:.0f} s")
    if check_floors and any(f["passed"] is False for f in metrics["floors"]):
        sys.exit(EXIT_FLOORS)


def _print_summary(metrics: dict) -> None:
    from evals.report import SET_SUMMARY, SUMMARY

    for name, cfg in metrics["configs"].items():
        parts = [f"{title} {fmt(cfg['overall'].get(key))}" for title, key, fmt in SUMMARY]
        click.echo(f"{name}: " + " · ".join(parts))
        if len(cfg.get("by_set", {})) > 1:
            for set_name, agg in cfg["by_set"].items():
                parts = [f"{title} {fmt(agg.get(key))}" for title, key, fmt in SET_SUMMARY]
                click.echo(f"  {set_name}: " + " · ".join(parts))
    for floor in metrics["floors"]:
        mark = {True: "pass", False: "FAIL", None: "n/a (no question of this kind)"}[floor["passed"]]
        value = "—" if floor["value"] is None else f"{floor['value']:.2f}"
        failing = ""
        if floor["passed"] is False:
            more = " …" if len(floor["failing"]) > 12 else ""
            failing = f" ({', '.join(floor['failing'][:12])}{more})"
        click.echo(f"  floor {floor['floor']}: {value} ≥ {floor['minimum']:.2f} {mark}{failing}")


@main.command()
def configs() -> None:
    """List the configurations --config accepts."""
    from evals.configs import REGISTRY

    for name, config in REGISTRY.items():
        needs = " [needs BOT_LLM]" if config.needs_llm else ""
        click.echo(f"{name:16} {config.description}{needs}")


@main.command()
@questions_option
def check(questions_path: Path | None) -> None:
    """Check the labels against the articles: known doc ids, every quote found, every section covered.

    A new-article set is checked against the shipped articles plus its own; section coverage is
    checked for the shipped articles over the dev and test sets together.
    """
    from bot.config import Settings
    from bot.corpus import load_corpus, load_document
    from evals.dataset import check_labels, sections_covered
    from evals.sets import default_sets, load_set, shipped_items

    try:
        sets = [load_set(questions_path)] if questions_path else default_sets()
    except DatasetError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    docs, _ = load_corpus(Settings.from_env().corpus_dir)
    problems: list[str] = []
    for question_set in sets:
        known = [*docs, load_document(question_set.article)] if question_set.article else docs
        problems += [f"{question_set.name}: {p}" for p in check_labels(question_set.items, known)]
    shipped = shipped_items(sets)
    if shipped:
        for (doc_id, section), ids in sections_covered(shipped, docs).items():
            if not ids:
                problems.append(f"no question has a passage in {doc_id} / {section}")
    for problem in problems:
        click.echo(problem)
    click.echo(f"{sum(len(s.items) for s in sets)} questions in {len(sets)} set(s), {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
def report(out_dir: Path) -> None:
    """Redraw report.md and the plots from OUT_DIR's metrics.json and results.jsonl."""
    from evals.report import load_outputs, write_report

    try:
        metrics, rows = load_outputs(out_dir)
    except (OSError, ValueError) as exc:
        click.echo(f"Error: cannot read the results in {out_dir} ({exc}); make them with python -m evals run", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(write_report(metrics, rows, out_dir))
