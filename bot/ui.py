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
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot import i18n, replies
from bot.config import Settings, SettingsError
from bot.site import load_site
from bot.types import Answer
from bot.ui_chat import ChatHandlers, CorpusGlossary, SiteText, Update, history_of
from bot.ui_html import Pending, Turn, render_log, render_pending, render_template, render_turn

__all__ = ["ChatHandlers", "CorpusGlossary", "create_app", "history_of", "launch", "launch_options", "main"]

log = logging.getLogger(__name__)

#: Answers run side by side up to this many; retrieval takes ~25 ms and the extractive composer
#: little more, so 4 keeps a 2-core machine busy without making anyone wait behind a slow one.
CONCURRENCY_LIMIT = 4
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


def asset(name: str) -> str:
    """A CSS or JS file shipped in ``bot/ui_assets``."""
    return resources.files("bot").joinpath("ui_assets", name).read_text(encoding="utf-8")


@dataclass
class Page:
    """The components the event handlers read and write."""

    state: Any
    log: Any
    pending: Any
    question: Any
    send: Any
    new: Any
    starters: list[Any]

    @property
    def outputs(self) -> list[Any]:
        return [self.log, self.pending, self.question, self.state]


def create_app(settings: Settings | None = None, assistant: Any = None, glossary: CorpusGlossary | None = None) -> Any:
    """The chat as a ``gr.Blocks`` (not launched). Serve it with :func:`launch_options`."""
    import gradio as gr

    settings = settings or Settings.from_env()
    if assistant is None:
        from bot.assistant import Assistant

        assistant = Assistant(settings)
    site = SiteText(load_site(settings.corpus_dir))
    handlers = ChatHandlers(assistant, glossary or CorpusGlossary(assistant), settings.kiosk, site)
    with gr.Blocks(
        title=site.title,
        fill_height=True,  # the conversation takes the room between the header and the question box
        fill_width=settings.kiosk,
        analytics_enabled=False,  # no version check or usage ping from a patient-facing app
    ) as app:
        # One list of Turns per browser session; Gradio copies this initial value per session.
        state = gr.State([])
        with gr.Column(elem_id="bot-page", scale=1):  # the CSS folds what it holds once a turn is in it
            new = _header(site, settings.kiosk)
            finished, pending = _conversation(handlers)
            question, send, starters = _composer(site, settings.kiosk)
        page = Page(state, finished, pending, question, send, new, starters)
        chat_events = _wire(page, handlers)
        if settings.kiosk:
            _idle_reset(settings, handlers, page, chat_events)
        else:
            from bot.http_api import add_gradio_endpoint  # the `ask` endpoint for gradio_client

            add_gradio_endpoint(assistant, settings)
    return app


def _header(site: SiteText, kiosk: bool) -> Any:
    """Title and notice (sticky), with "New conversation" beside them. Returns that button."""
    import gradio as gr

    ui = i18n.texts(i18n.SOURCE).ui
    with gr.Row(elem_id="bot-top", equal_height=False):
        gr.HTML(
            render_template("header.html.j2", title=site.title, intro=site.intro, notice=replies.NOTICE, ui=ui),
            elem_id="bot-header",
            apply_default_css=False,
            js_on_load=asset("page.js"),
            kiosk=kiosk,
            screen_texts=i18n.screen_texts(),  # page.js shows the screen's words in the visitor's language
            min_width=0,
        )
        return gr.Button(ui.start_over, variant="secondary", size="md", elem_id="bot-new", scale=0, min_width=0)


def _conversation(handlers: ChatHandlers) -> tuple[Any, Any]:
    """The finished turns, and apart from them the turn being written (the only part that streams)."""
    import gradio as gr

    with gr.Column(elem_id="bot-conversation", scale=1):
        log = gr.HTML(handlers.render([]), elem_id="bot-log", apply_default_css=False, js_on_load=asset("log.js"))
        pending = gr.HTML("", elem_id="bot-pending", apply_default_css=False, js_on_load=asset("pending.js"))
    return log, pending


def _composer(site: SiteText, kiosk: bool) -> tuple[Any, Any, list[Any]]:
    """Starter questions (folded away once a conversation starts), then one row: box, Send, More."""
    import gradio as gr

    ui = i18n.texts(i18n.SOURCE).ui
    with gr.Column(elem_id="bot-composer"):
        with gr.Column(elem_id="bot-more"):
            gr.HTML('<p class="try-label" id="bot-try-label">Try asking:</p>', apply_default_css=False, js_on_load=None)
            with gr.Row(elem_id="bot-starters"):
                starters = [gr.Button(q, size="md", elem_classes=["starter"]) for q in site.starters]
        with gr.Row(elem_id="bot-ask-row", equal_height=True):
            question = gr.Textbox(
                label=ui.question_label,
                placeholder=ui.placeholder,
                lines=1,
                max_lines=4,
                scale=4,
                min_width=0,
                elem_id="bot-question",
                autofocus=not kiosk,
                html_attributes=gr.InputHTMLAttributes(autocomplete="off", enterkeyhint="send", spellcheck=True),
            )
            send = gr.Button(ui.send, variant="primary", elem_id="bot-send", scale=0, min_width=0)
            gr.HTML(
                render_template("more.html.j2", ui=ui),
                elem_id="bot-more-control",
                apply_default_css=False,
                js_on_load=asset("more.js"),
                scale=0,
                min_width=0,
            )
    return question, send, starters


def _wire(page: Page, handlers: ChatHandlers) -> list[Any]:
    """Every way of asking, and "New conversation" (which cancels an answer being written)."""
    import gradio as gr

    # The chat's values are plain strings and the session's list: Gradio's pre/postprocessing
    # (one worker-thread hop per component per update) has nothing to do for them.
    chat = {
        "show_progress": "hidden",
        "api_visibility": "private",
        "concurrency_id": "chat",
        "preprocess": False,
        "postprocess": False,
    }
    instant = {"show_progress": "hidden", "api_visibility": "private", "concurrency_limit": None}
    inputs, outputs = [page.question, page.state], page.outputs

    async def ask_suggested(turns: list[Turn] | None, evt: Any) -> AsyncIterator[Update]:
        async for update in handlers.ask_suggested(turns, evt):
            yield update

    # Set at run time (annotations are strings in this module): Gradio passes the select event's
    # data to a parameter annotated gr.SelectData.
    ask_suggested.__annotations__ = {"evt": gr.SelectData}

    chat_events = [
        page.question.submit(handlers.respond, inputs, outputs, **chat),
        page.send.click(handlers.respond, inputs, outputs, **chat),
        *(b.click(handlers.respond, [b, page.state], outputs, **chat) for b in page.starters),
        page.log.select(ask_suggested, [page.state], outputs, **chat),
    ]
    page.new.click(handlers.reset, None, outputs, cancels=chat_events, **instant)
    return chat_events


def _idle_reset(settings: Settings, handlers: ChatHandlers, page: Page, chat_events: list[Any]) -> None:
    """Kiosk: the page's idle timer fires "submit" when the warning runs out or "Clear it now" is tapped."""
    import gradio as gr

    idle = gr.HTML(
        render_template("idle.html.j2", seconds=settings.idle_warning_seconds),
        elem_id="bot-idle",
        apply_default_css=False,
        js_on_load=asset("idle.js"),
        idle_seconds=settings.idle_seconds,
        warning_seconds=settings.idle_warning_seconds,
    )
    instant = {"show_progress": "hidden", "api_visibility": "private", "concurrency_limit": None}
    idle.submit(handlers.reset, None, page.outputs, cancels=chat_events, **instant)


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
        "head": f"<style>{asset('page.css')}</style>",
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
    # Gradio rebuilds a pandas summary of its last 10,000 events after every event (read only by its
    # monitoring page, which this app leaves off): ~5 % of the CPU under load, growing with uptime.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
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
        _warm_page()
        print("Ready: model loaded and index open.", flush=True)
    except Exception:
        log.exception("warm-up failed; the first question will try again")


def _warm_page() -> None:
    """What the first answer on the page would otherwise pay for, on Gradio's event loop.

    Gradio reads matplotlib's backend around every event when matplotlib is installed (the
    ``evals`` extra brings it); the first read imports pyplot, about a second during which no
    visitor gets an update. The templates are compiled on their first use.
    """
    try:
        import matplotlib
    except ImportError:
        pass
    else:
        matplotlib.get_backend()
    render_pending(1, Pending("?"))
    render_log([Turn("?", Answer(body="…"), render_turn(1, "?", Answer(body="…"), {}))])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="app.py",
        description="The chat app. Host and port: GRADIO_SERVER_NAME, GRADIO_SERVER_PORT.",
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
