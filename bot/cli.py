"""The ``bot`` command: ingest the articles, ask a question, or chat in the terminal."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from bot.config import Settings, SettingsError

EXIT_USAGE = 2
EXIT_INDEX = 3  # the index could not be built or read


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]  # type: ignore[no-any-return]


def _assistant(ctx: click.Context, progress: bool = True) -> Any:
    from bot.assistant import Assistant

    return Assistant(_settings(ctx), progress=progress and sys.stderr.isatty())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """Answer questions about CAR-NK and CAR-T cell therapy from two articles, with citations.

    \b
    Examples:
      bot ingest                       # build or update the index
      bot ask "Is CAR-NK better than CAR-T?"
      bot ask --json "What does off-the-shelf mean?"
      bot chat                         # a conversation in the terminal

    Settings come from BOT_* environment variables (see the README), e.g.
    BOT_DATA_DIR=/srv/bot-index bot ingest
    """
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    level = {0: settings.log_level, 1: "INFO"}.get(verbose, "DEBUG")
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"settings": settings}


@main.command()
@click.option("--rebuild", is_flag=True, help="Re-embed everything, even if nothing changed.")
@click.pass_context
def ingest(ctx: click.Context, rebuild: bool) -> None:
    """Index the corpus; only new or changed passages are embedded.

    \b
    Examples:
      bot ingest
      bot ingest --rebuild
    """
    from bot.store import IndexStoreError

    try:
        stats = _assistant(ctx).ingest(rebuild=rebuild)
    except (IndexStoreError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INDEX)
    for problem in stats.errors:
        click.echo(f"warning: skipped {problem}", err=True)
    click.echo(
        f"{stats.documents} documents, {stats.chunks} passages: {stats.embedded} embedded, "
        f"{stats.reused} unchanged, {stats.removed} removed ({stats.seconds:.1f} s, generation {stats.generation})"
    )


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer fields as one JSON object.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool) -> None:
    """Answer one QUESTION (use "-" to read it from standard input).

    \b
    Examples:
      bot ask "Is CAR-NK available now?"
      bot ask --json "What is ICANS?" | jq .citations
      echo "What does off-the-shelf mean?" | bot ask -
    """
    if question == "-":
        question = sys.stdin.read()
    answer = _assistant(ctx).ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(answer))


@main.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """A conversation in the terminal; follow-up questions use what was said before.

    \b
    Example:
      bot chat
      > What is CAR-NK?
      > what about its side effects?
    """
    assistant = _assistant(ctx)
    history: list[dict[str, str]] = []
    click.echo("Ask about CAR-NK or CAR-T cell therapy. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = click.prompt(">", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if not question.strip():
            break
        answer = assistant.ask(question, history)
        click.echo(render(answer) + "\n")
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.body}]


def render(answer: Any) -> str:
    lines = [answer.body]
    if answer.suggestions:
        lines += ["", "You could ask me:"] + [f"  - {s}" for s in answer.suggestions]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = f" {c.url}" if c.url else ""
            lines.append(f"[{c.n}] {c.title} — {c.section}.{where}")
    lines += ["", answer.notice]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
