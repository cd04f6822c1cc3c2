"""The ``bot`` command: ingest the articles, ask a question, or chat in the terminal."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from bot.config import Settings, SettingsError

EXIT_ERROR = 1  # the question could not be answered (the reply says so)
EXIT_USAGE = 2
EXIT_INDEX = 3  # the index could not be built or read (server down, folder not writable, model missing)
EXIT_CORPUS = 4  # the index was updated, but some corpus files were skipped (named on stderr)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]  # type: ignore[no-any-return]


def _assistant(ctx: click.Context, progress: bool = True) -> Any:
    from bot.assistant import Assistant

    try:
        return Assistant(_settings(ctx), progress=progress and sys.stderr.isatty())
    except SettingsError as exc:  # e.g. BOT_LLM set but its package or key missing
        raise click.UsageError(str(exc)) from None


def _index_errors() -> tuple[type[Exception], ...]:
    from bot.embeddings import ModelMissingError
    from bot.store import IndexStoreError

    return (IndexStoreError, ModelMissingError, OSError)


def _ready_assistant(ctx: click.Context) -> Any:
    """An assistant whose index is built and readable, or exit 3 with the reason (no traceback)."""
    assistant = _assistant(ctx)
    try:
        assistant.ensure_index()
    except _index_errors() as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INDEX)
    return assistant


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """Answer questions from the articles in BOT_CORPUS_DIR, quoting and citing them.

    \b
    Examples:
      bot ingest                       # build or update the index
      bot ask "Is the new treatment better than the old one?"
      bot ask --json "What are the side effects?"
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
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    help="Seconds to wait for another ingest of the same data folder to finish.",
)
@click.pass_context
def ingest(ctx: click.Context, rebuild: bool, wait: float) -> None:
    """Index the corpus; only new or changed passages are embedded.

    Running apps pick up the new index within BOT_INDEX_CHECK_SECONDS, without a restart.
    Exit codes: 0 done, 3 the index could not be written, 4 done but some files were skipped.

    \b
    Examples:
      bot ingest
      bot ingest --rebuild
      BOT_CHROMA_URL=http://127.0.0.1:8000 bot ingest   # into a shared Chroma server
    """
    try:
        stats = _assistant(ctx).ingest(rebuild=rebuild, wait=wait)
    except _index_errors() as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INDEX)
    for problem in stats.errors:
        click.echo(f"error: skipped {problem}", err=True)
    click.echo(
        f"{stats.documents} documents, {stats.chunks} passages: {stats.embedded} embedded, "
        f"{stats.reused} unchanged, {stats.removed} removed ({stats.seconds:.1f} s, generation {stats.generation})"
    )
    if stats.errors:
        sys.exit(EXIT_CORPUS)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer fields as one JSON object.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool) -> None:
    """Answer one QUESTION (use "-" to read it from standard input).

    \b
    Examples:
      bot ask "Is the treatment available now?"
      bot ask --json "What are the side effects?" | jq .citations
      echo "How long does recovery take?" | bot ask -
    """
    if question == "-":
        question = sys.stdin.read()
    assistant = _ready_assistant(ctx)
    if as_json:
        answer = assistant.ask(question)
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        answer = _reply(assistant, question, [])
    if answer.triage == "error":
        sys.exit(EXIT_ERROR)


@main.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """A conversation in the terminal; follow-up questions use what was said before.

    \b
    Example:
      bot chat
      > What is cell therapy?
      > what about its side effects?
    """
    assistant = _ready_assistant(ctx)
    history: list[dict[str, str]] = []
    click.echo(f"Ask about {assistant.guard.site.topic}. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = click.prompt(">", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if not question.strip():
            break
        answer = _reply(assistant, question, history)
        click.echo()
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.body}]


def _reply(assistant: Any, question: str, history: list[dict[str, str]]) -> Any:
    """Print the reply; a chat model's words appear as they come (on a terminal), then the
    checked answer's sources and notice — and the corrected text if the draft was replaced."""
    live = getattr(assistant.composer, "name", "") == "llm" and sys.stdout.isatty()
    shown: list[str] = []
    answer = None
    for event in assistant.stream(question, history):
        if isinstance(event, str):
            if live:
                click.echo(event, nl=False)
                shown.append(event)
        else:
            answer = event
    same = shown and " ".join("".join(shown).split()) == " ".join(answer.body.split())
    if shown:
        click.echo()
    click.echo(render(answer, body=not same))
    return answer


def render(answer: Any, body: bool = True) -> str:
    lines = [answer.body] if body else []
    if answer.suggestions:
        lines += ["", "You could ask me:"] + [f"  - {s}" for s in answer.suggestions]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = f" ({c.url})" if c.url else ""
            lines.append(f"[{c.n}] {c.title} — {c.section}{where}")
    lines += ["", answer.notice]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
