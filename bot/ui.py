"""The chat UI (Gradio): at home in a browser, or full screen on a shared clinic kiosk.

``create_app(settings)`` builds the ``gr.Blocks``; ``launch(settings)`` warms the assistant up
and serves it with the options that make a kiosk private (``launch_options``). Gradio is
imported inside the functions, so ``import bot.ui`` works without it.

Privacy between visitors: the conversation lives only in per-session ``gr.State`` (nothing
module-level, nothing written to disk or to the browser's storage); a kiosk wipes it after an
idle warning, and "New conversation" wipes it at any time.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

from bot import replies
from bot.config import Settings, SettingsError
from bot.types import Answer
from bot.ui_html import Definition, Pending, Turn, esc, render_conversation, spoken

log = logging.getLogger(__name__)

TITLE = "Questions about CAR-NK and CAR-T cell therapy"
#: Answers run side by side up to this many; retrieval takes ~25 ms and the extractive composer
#: little more, so 4 keeps a 2-core machine busy without making anyone wait behind a slow one.
CONCURRENCY_LIMIT = 4
# Shortest gap between two streamed updates of an answer (seconds).
STREAM_INTERVAL_S = 0.1
#: Routes a kiosk never serves: API description, deep links (they write the state to disk),
#: uploads, monitoring, MCP. The chat itself only needs the queue and the config.
KIOSK_BLOCKED_PREFIXES = (
    "/gradio_api/info",
    "/gradio_api/openapi.json",
    "/gradio_api/deep_link",
    "/gradio_api/upload",
    "/gradio_api/runs",
    "/gradio_api/run-history",
    "/gradio_api/mcp",
    "/monitoring",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/api/ask",  # the HTTP API (bot/http_api.py) and Gradio's REST calls: no API on a kiosk
    "/gradio_api/call",
)

Message = dict[str, str]


def asset(name: str) -> str:
    """A CSS or JS file shipped in ``bot/ui_assets``."""
    return resources.files("bot").joinpath("ui_assets", name).read_text(encoding="utf-8")


class CorpusGlossary:
    """The words the articles define ("cytokine release syndrome (CRS)"), found at start-up.

    Built once per app from the indexed passages, never hard-coded; each definition keeps the
    sentence and passage it came from so the UI can cite it.
    """

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self._lock = threading.Lock()
        self._terms: dict[str, Definition] | None = None

    def get(self) -> dict[str, Definition]:
        if self._terms is None:
            with self._lock:
                if self._terms is None:
                    try:
                        self._terms = self._build()
                    except Exception:  # a missing definition must never break an answer
                        log.exception("could not build the glossary")
                        return {}
        return self._terms

    def _build(self) -> dict[str, Definition]:
        from bot.glossary import find_terms

        self.assistant.ensure_index()
        snapshot = self.assistant.index.open_snapshot()
        out: dict[str, Definition] = {}
        for term in find_terms((c.id, c.text) for c in snapshot.chunks).values():
            chunk = snapshot.by_id.get(term.chunk_id)
            if chunk is None:
                continue
            written = term.abbreviation
            if len(written) > 2 and written.endswith("s"):  # "TAAs" is defined as TAA
                written = written[:-1]
            out.setdefault(
                written, Definition(written, term.long_form, term.sentence, chunk.title, chunk.section, chunk.url)
            )
        return out


def history_of(turns: Sequence[Turn]) -> list[Message]:
    """The conversation as chat messages, for follow-up questions."""
    messages: list[Message] = []
    for turn in turns:
        messages += [
            {"role": "user", "content": turn.question},
            {"role": "assistant", "content": turn.answer.body},
        ]
    return messages


class ChatHandlers:
    """The event handlers of one app. They hold no conversation: that is the session's state."""

    def __init__(self, assistant: Any, glossary: CorpusGlossary, kiosk: bool) -> None:
        self.assistant = assistant
        self.glossary = glossary
        self.kiosk = kiosk

    def render(self, turns: Sequence[Turn], pending: Pending | None = None, **kw: str) -> str:
        terms = self.glossary.get() if turns else {}
        return render_conversation(turns, pending, terms, kiosk=self.kiosk, **kw)

    def respond(self, question: Any, turns: Sequence[Turn] | None) -> Iterator[tuple[Any, Any, list[Turn]]]:
        """Stream one answer: (conversation HTML, question box, state) after each piece."""
        import gradio as gr

        turns = list(turns or [])
        question = question if isinstance(question, str) else ""
        if not question.strip():
            yield self.render(turns, status=replies.EMPTY_INPUT, hint=replies.EMPTY_INPUT), gr.update(), turns
            return
        yield self.render(turns, Pending(question), status="Looking in the articles…"), "", turns
        streamed, final, shown_at = "", None, 0.0
        for event in self.assistant.stream(question, history_of(turns)):
            if isinstance(event, Answer):
                final = event
            else:
                streamed += event
                # Each update re-renders the conversation: at most one every STREAM_INTERVAL_S
                # (under 16 busy visitors, per-piece updates were most of the app's CPU).
                if time.monotonic() - shown_at >= STREAM_INTERVAL_S:
                    shown_at = time.monotonic()
                    yield self.render(turns, Pending(question, streamed)), gr.update(), turns
        if final is None:  # Assistant.stream always ends with an Answer; this is belt and braces
            final = Answer(body=replies.ERROR, refused=True, triage="error")
        turns.append(Turn(question, final))
        # Announced to screen readers once, in full; the visible text replaces the streamed draft.
        status = f"Answer: {spoken(final)} {final.notice}"
        yield self.render(turns, status=status), gr.update(), turns

    def ask_suggested(self, turns: Sequence[Turn] | None, evt: Any) -> Iterator[tuple[Any, Any, list[Turn]]]:
        """A tapped suggestion inside a reply (sent by the page's script as event data)."""
        data = getattr(evt, "_data", None)
        question = data.get("question") if isinstance(data, dict) else None
        yield from self.respond(question if isinstance(question, str) else "", turns)

    def reset(self) -> tuple[str, str, list[Turn]]:
        return self.render([], status="The conversation was cleared."), "", []


def create_app(settings: Settings | None = None, assistant: Any = None, glossary: CorpusGlossary | None = None) -> Any:
    """The chat as a ``gr.Blocks`` (not launched). Serve it with :func:`launch_options`."""
    import gradio as gr

    settings = settings or Settings.from_env()
    if assistant is None:
        from bot.assistant import Assistant

        assistant = Assistant(settings)
    kiosk = settings.kiosk
    handlers = ChatHandlers(assistant, glossary or CorpusGlossary(assistant), kiosk)
    chat = {"show_progress": "hidden", "api_visibility": "private", "concurrency_id": "chat"}
    instant = {"show_progress": "hidden", "api_visibility": "private", "concurrency_limit": None}

    with gr.Blocks(
        title=TITLE,
        fill_height=True,  # the conversation takes the room between the header and the question box
        fill_width=kiosk,
        analytics_enabled=False,  # no version check or usage ping from a patient-facing app
    ) as app:
        # One list of Turns per browser session; Gradio copies this initial value per session.
        state = gr.State([])
        gr.HTML(
            _header_html(),
            elem_id="bot-header",
            apply_default_css=False,
            js_on_load=asset("page.js"),
            kiosk=kiosk,
        )
        conversation = gr.HTML(
            handlers.render([]),
            elem_id="bot-conversation",
            apply_default_css=False,
            scale=1,
            js_on_load=asset("conversation.js"),
        )
        with gr.Column(elem_id="bot-composer"):
            gr.HTML('<p class="try-label" id="bot-try-label">Try asking:</p>', apply_default_css=False, js_on_load=None)
            with gr.Row(elem_id="bot-starters"):
                starters = [gr.Button(q, size="md", elem_classes=["starter"]) for q in replies.SUGGESTED_QUESTIONS]
            with gr.Row(elem_id="bot-ask-row", equal_height=True):
                question = gr.Textbox(
                    label="Your question",
                    placeholder="Type your question here",
                    lines=1,
                    max_lines=4,
                    scale=4,
                    elem_id="bot-question",
                    autofocus=not kiosk,
                    html_attributes=gr.InputHTMLAttributes(autocomplete="off", enterkeyhint="send", spellcheck=True),
                )
                send = gr.Button("Send", variant="primary", elem_id="bot-send", scale=1, min_width=120)
                new = gr.Button("New conversation", variant="secondary", elem_id="bot-new", scale=1, min_width=220)
        outputs = [conversation, question, state]

        def ask_suggested(turns: Any, evt: Any) -> Iterator[tuple[Any, Any, list[Turn]]]:
            yield from handlers.ask_suggested(turns, evt)

        # Set at run time: Gradio passes the event data to a parameter annotated gr.EventData.
        ask_suggested.__annotations__ = {"evt": gr.EventData}

        chat_events = [
            question.submit(handlers.respond, [question, state], outputs, **chat),
            send.click(handlers.respond, [question, state], outputs, **chat),
            *(b.click(handlers.respond, [b, state], outputs, **chat) for b in starters),
            conversation.click(ask_suggested, [state], outputs, **chat),
        ]
        new.click(handlers.reset, None, outputs, cancels=chat_events, **instant)
        if kiosk:
            idle = gr.HTML(
                _idle_html(settings.idle_warning_seconds),
                elem_id="bot-idle",
                apply_default_css=False,
                js_on_load=asset("idle.js"),
                idle_seconds=settings.idle_seconds,
                warning_seconds=settings.idle_warning_seconds,
            )
            # The page's idle timer fires "submit" when the warning runs out or "Clear it now" is tapped.
            idle.submit(handlers.reset, None, outputs, cancels=chat_events, **instant)
        from bot.http_api import add_gradio_endpoint  # the `ask` endpoint for gradio_client; none on a kiosk

        add_gradio_endpoint(assistant, settings)
    return app


def _header_html() -> str:
    return (
        '<header class="bot-header">'
        f"<h1>{esc(TITLE)}</h1>"
        '<p class="intro">Answers come only from two articles, and each one shows where it comes from.</p>'
        f'<p class="notice-banner" role="note"><strong>Please note:</strong> {esc(replies.NOTICE)}</p>'
        "</header>"
    )


def _idle_html(warning_seconds: int) -> str:
    return (
        '<div class="idle-backdrop" hidden>'
        '<div class="idle-dialog" role="alertdialog" aria-modal="true" aria-labelledby="idle-title" '
        'aria-describedby="idle-text">'
        '<h2 id="idle-title">Are you still there?</h2>'
        '<p id="idle-text">To keep your questions private, this conversation will be cleared in '
        f'<span class="idle-count">{warning_seconds}</span> seconds.</p>'
        '<div class="idle-actions">'
        '<button type="button" class="idle-stay">I\'m still here</button>'
        '<button type="button" class="idle-clear">Clear it now</button>'
        "</div></div></div>"
    )


def theme(kiosk: bool) -> Any:
    """Gradio's default theme with contrast ≥ 4.5:1 and, on a kiosk, no text under 20 px."""
    import gradio as gr

    size = (
        gr.themes.Size(xxs="20px", xs="20px", sm="20px", md="20px", lg="22px", xl="28px", xxl="32px")
        if kiosk
        else gr.themes.sizes.text_lg
    )
    # Gradio's Source Sans Pro semibold file is a small subset (a bold "A" falls back to another
    # font); regular and bold are complete, and weight 600 then renders bold.
    font = (gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif")
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", text_size=size, font=font).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_primary_background_fill_dark="*primary_600",
        button_secondary_text_color="*neutral_900",
        input_placeholder_color="*neutral_500",
        block_label_text_color="*neutral_700",
        block_title_text_color="*neutral_700",
        body_text_color_subdued="*neutral_600",
    )


def launch_options(settings: Settings) -> dict[str, Any]:
    """``launch()`` keywords: look, and what a kiosk must not offer or keep."""
    options: dict[str, Any] = {
        "theme": theme(settings.kiosk),
        "css": asset("app.css") + (asset("kiosk.css") if settings.kiosk else ""),
        # Run history would keep every question in the browser's storage: off everywhere.
        "run_history": False,
        "footer_links": [] if settings.kiosk else ["gradio", "settings"],
        "enable_monitoring": False,
        "mcp_server": False,
        "pwa": False,
        "ssr_mode": False,
        "show_error": False,
    }
    if settings.kiosk:
        options["app_kwargs"] = {"middleware": [_block_routes_middleware()]}
        options["max_file_size"] = 1  # nothing to upload on a kiosk
    return options


def _block_routes_middleware() -> Any:
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse

    class BlockRoutes:
        """404 for the routes a kiosk never serves (``KIOSK_BLOCKED_PREFIXES``) and ``?view=api``."""

        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                path = scope.get("path", "")
                query = scope.get("query_string", b"").decode("latin-1")
                blocked = any(path == p or path.startswith(p + "/") for p in KIOSK_BLOCKED_PREFIXES)
                if blocked or "view=api" in query or "view=settings" in query:
                    await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                    return
            await self.app(scope, receive, send)

    return Middleware(BlockRoutes)


def launch(settings: Settings | None = None, assistant: Any = None, **overrides: Any) -> Any:
    """Warm the assistant up in the background and serve the app (blocks until stopped).

    Host and port follow Gradio's ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``.
    """
    settings = settings or Settings.from_env()
    if assistant is None:
        from bot.assistant import Assistant

        assistant = Assistant(settings)
    glossary = CorpusGlossary(assistant)
    app = create_app(settings, assistant, glossary)
    threading.Thread(target=_warm_up, args=(assistant, glossary), name="warm-up", daemon=True).start()
    if os.environ.get("GRADIO_DEFAULT_CONCURRENCY_LIMIT"):
        app.queue(max_size=64)
    else:
        app.queue(max_size=64, default_concurrency_limit=CONCURRENCY_LIMIT)
    if settings.kiosk:
        print("Kiosk mode: open the address below full screen, e.g. `chromium --kiosk URL`.", flush=True)
    from bot.http_api import with_routes  # POST /api/ask and /api/ask/stream; none on a kiosk

    return app.launch(**with_routes({**launch_options(settings), **overrides}, assistant, settings, CONCURRENCY_LIMIT))


def _warm_up(assistant: Any, glossary: CorpusGlossary) -> None:
    """Load the model, build the index and the glossary now, so the first visitor does not wait."""
    try:
        assistant.warm_up()
        glossary.get()
        print("Ready: model loaded and index open.", flush=True)
    except Exception:
        log.exception("warm-up failed; the first question will try again")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="app.py",
        description=f"{TITLE}: the chat app. Host and port: GRADIO_SERVER_NAME, GRADIO_SERVER_PORT.",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="clinic kiosk: full screen, large text, nothing kept, idle reset (same as BOT_KIOSK=1)",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.kiosk:
            settings = settings.replace(kiosk=True)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    launch(settings)
