"""The HTTP API of the normal (non-kiosk) app, for a clinic's patient portal or a script.

* ``POST /api/ask`` with ``{"question": str, "history": [{"role": "user"|"assistant", "content": str}]}``
  (history optional) returns ``Answer.to_dict()``: the object ``bot ask --json`` prints.
* ``POST /api/ask/stream``, same body: server-sent events, an ``event: piece`` per text piece as
  ``Assistant.stream`` yields it (``data`` is a JSON string), then one ``event: answer`` whose
  ``data`` is ``Answer.to_dict()``. The final answer is authoritative (a draft may be replaced).
* The Gradio endpoint ``ask``, so ``gradio_client.Client(url).predict(question, api_name="/ask")``
  returns the same dict. It runs in the chat's queue and concurrency group.

A bad body is a 422 ``{"detail": "<what is wrong>", "errors": [...]}``; a body over
``MAX_BODY_BYTES`` a 413; more than the answering limit plus ``MAX_WAITING`` requests at once a
503 with ``Retry-After``. None of it exists on a kiosk (``bot.ui`` also 404s ``/api/ask`` there).
``bot.ui`` mounts it: :func:`add_gradio_endpoint` in the Blocks, :func:`with_routes` at launch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field, StrictStr, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.types import Answer

PREFIX = "/api/ask"
#: A question is cut to ``BOT_MAX_QUESTION_CHARS`` and answered with a line saying so, as in the
#: app; but a body this large is no question: refused (413) before it is parsed, so a script
#: cannot make the server read megabytes. 64 KiB holds a question at the limit many times over
#: (even as \\u escapes) plus a long conversation.
MAX_BODY_BYTES = 64 * 1024
#: The history is read for follow-ups (its earlier questions); 20 turns is plenty.
MAX_HISTORY_MESSAGES = 40
#: Requests waiting for an answering slot, beyond which the API answers 503: as the UI's queue.
MAX_WAITING = 64
RETRY_AFTER_SECONDS = 1


# -- the request --------------------------------------------------------------------------------
class ChatMessage(BaseModel):
    """One earlier message of the conversation (other keys, e.g. Gradio's ``metadata``, are ignored)."""

    role: Literal["user", "assistant"]
    content: StrictStr


class AskRequest(BaseModel):
    question: StrictStr
    history: list[ChatMessage] | None = Field(default=None, max_length=MAX_HISTORY_MESSAGES)

    def messages(self) -> list[dict[str, str]]:
        return [message.model_dump() for message in self.history or []]


def describe(errors: Sequence[Any]) -> str:
    """Pydantic's errors as one sentence: ``question: Field required; history.0.role: ...``."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":  # its "loc" is a character position, not a field
            parts.append("body: not valid JSON")
            continue
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "body: not valid"


class ClearErrors(APIRoute):
    """A 422 whose ``detail`` is one readable sentence, with the field-by-field ``errors`` beside it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_clearly(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
                content = {"detail": describe(errors), "errors": jsonable_encoder(errors)}
                return JSONResponse(content, status_code=422)

        return handle_clearly


# -- how many answer at once ----------------------------------------------------------------------
class AnswerSlots:
    """At most ``limit`` answers at a time, at most ``waiting`` more requests queued; then 503.

    Waiting (rather than refusing at once) suits scripts: a warm answer takes tens of
    milliseconds, so a queued request is soon served. The slot is held until a stream ends.
    """

    def __init__(self, limit: int, waiting: int = MAX_WAITING) -> None:
        # A semaphore, not a CapacityLimiter: the slot may be released by another task than took it.
        self.free = anyio.Semaphore(limit)
        self.waiting = waiting

    async def hold(self) -> AsyncIterator[None]:
        if self.free.value < 1 and self.free.statistics().tasks_waiting >= self.waiting:
            raise HTTPException(
                503,
                "Too many questions at once; please try again in a moment.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        async with self.free:
            yield


# -- the routes -----------------------------------------------------------------------------------
def api_router(assistant: Any, limit: int) -> APIRouter:
    """``/api/ask`` and ``/api/ask/stream``, answering at most ``limit`` at a time."""
    slots = AnswerSlots(limit)
    router = APIRouter(
        prefix=PREFIX,
        route_class=ClearErrors,
        max_body_size=MAX_BODY_BYTES,
        # "request" scope: a stream keeps its slot until its last event is sent.
        dependencies=[Depends(slots.hold, scope="request")],
    )

    @router.post("")
    async def ask(request: AskRequest) -> JSONResponse:
        answer = await run_in_threadpool(assistant.ask, request.question, request.messages())
        return JSONResponse(answer.to_dict())

    @router.post("/stream", response_class=EventSourceResponse)
    def ask_stream(request: AskRequest) -> Iterator[ServerSentEvent]:
        # A sync generator: FastAPI runs each step in its thread pool.
        for event in assistant.stream(request.question, request.messages()):
            if isinstance(event, Answer):
                yield ServerSentEvent(event="answer", data=event.to_dict())
            else:
                yield ServerSentEvent(event="piece", data=event)

    return router


def with_routes(options: dict[str, Any], assistant: Any, settings: Settings, limit: int) -> dict[str, Any]:
    """``launch()`` options with the API routes added to the server (unchanged on a kiosk)."""
    if settings.kiosk:
        return options
    app_kwargs = dict(options.get("app_kwargs") or {})
    # Routes given to the FastAPI constructor come before Gradio's own.
    app_kwargs["routes"] = [*app_kwargs.get("routes", []), *api_router(assistant, limit).routes]
    return {**options, "app_kwargs": app_kwargs}


# -- the Gradio endpoint --------------------------------------------------------------------------
def add_gradio_endpoint(assistant: Any, settings: Settings) -> None:
    """Declare the ``ask`` endpoint in the Blocks being built (nothing on a kiosk)."""
    if settings.kiosk:
        return
    import gradio as gr

    def ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer one question from the articles: Answer.to_dict(), ending with the notice."""
        try:
            request = AskRequest.model_validate({"question": question, "history": history})
        except ValidationError as exc:
            raise gr.Error(describe(exc.errors()), print_exception=False) from None
        return assistant.ask(request.question, request.messages()).to_dict()  # type: ignore[no-any-return]

    # The chat's concurrency group: API calls and visitors share its limit and queue.
    gr.api(ask, api_name="ask", concurrency_id="chat")
