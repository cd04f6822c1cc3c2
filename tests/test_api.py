"""The HTTP API (bot/http_api.py) over real HTTP against the real app.

One home app and one kiosk app (``python app.py``) run as subprocesses on free 127.0.0.1 ports,
each with its own index in a temporary folder built from the corpus with the bundled model; what
they answer is compared with the session's in-process ``Assistant`` (same corpus, same model).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx
import pytest

from bot import replies
from bot.config import Settings
from evals.bench_load import App, free_port
from tests.conftest import CORPUS, REPO
from tests.questions import QUESTIONS
from tests.test_faults import link_model

PORTS = range(7890, 7910)  # this file's ports (test_ui uses 7862-7869)
QUESTION = "Is CAR-NK better than CAR-T?"
TIMEOUT = 60


def safety_question(triage: str) -> str:
    """The first labelled question of a triage kind (tests/safety_cases.jsonl)."""
    for line in (REPO / "tests" / "safety_cases.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["expected_triage"] == triage:
            return str(case["question"])
    raise AssertionError(f"no {triage} case")


@pytest.fixture(scope="module")
def apps(tmp_path_factory, embedder) -> Iterator[dict[str, App]]:
    started: dict[str, App] = {}
    port = PORTS.start - 1
    try:
        for name, args in (("home", ""), ("kiosk", "1")):
            port = free_port(range(port + 1, PORTS.stop))
            folder = tmp_path_factory.mktemp(f"api-{name}")
            link_model(embedder, folder / "data")  # the session's model export: no second export
            env = {"HF_HUB_OFFLINE": "1", "BOT_DATA_DIR": str(folder / "data"), "BOT_CORPUS_DIR": str(CORPUS)}
            started[name] = App(REPO, {**env, "BOT_KIOSK": args} if args else env, port, folder / "app.log")
        for app in started.values():  # both start at once
            app.wait_ready(timeout=600)
        yield started
    finally:
        for app in started.values():
            app.stop()


def expected(assistant: Any, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return assistant.ask(question, history).to_dict()


def same_answer(got: dict[str, Any], want: dict[str, Any]) -> None:
    """The API's object is ``Answer.to_dict()``: same keys, same values (the latency is this run's)."""
    assert set(got) == set(want)
    assert isinstance(got["latency_ms"], float) and got["latency_ms"] > 0
    assert {k: v for k, v in got.items() if k != "latency_ms"} == {k: v for k, v in want.items() if k != "latency_ms"}
    assert got["notice"] == replies.NOTICE and got["answer"].endswith(f"\n\n{replies.NOTICE}")


def post(url: str, body: Any = None, *, raw: bytes | None = None) -> httpx.Response:
    if raw is not None:
        return httpx.post(url, content=raw, headers={"content-type": "application/json"}, timeout=TIMEOUT)
    return httpx.post(url, json=body, timeout=TIMEOUT)


def sse_events(url: str, body: Any) -> list[tuple[str, Any]]:
    """(event, decoded data) of a whole server-sent event stream."""
    events: list[tuple[str, Any]] = []
    with httpx.stream("POST", url, json=body, timeout=TIMEOUT) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        name, data = "message", []
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:") :].strip())
            elif not line and data:
                events.append((name, json.loads("\n".join(data))))
                name, data = "message", []
    return events


# -- POST /api/ask --------------------------------------------------------------------------------
@pytest.mark.integration
def test_ask_returns_the_answer_dict(apps, assistant):
    url = apps["home"].url + "/api/ask"
    response = post(url, {"question": QUESTION})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    got = response.json()
    same_answer(got, expected(assistant, QUESTION))
    assert not got["refused"] and got["triage"] is None and got["citations"]

    history = [{"role": "user", "content": "What is CAR-NK?"}, {"role": "assistant", "content": got["body"]}]
    follow_up = post(url, {"question": "what about its side effects?", "history": history})
    assert follow_up.status_code == 200
    same_answer(follow_up.json(), expected(assistant, "what about its side effects?", history))
    # The history changes the answer: it is used, not ignored.
    assert follow_up.json()["body"] != expected(assistant, "what about its side effects?")["body"]


@pytest.mark.integration
def test_refusals_and_emergencies_carry_the_notice(apps, assistant):
    url = apps["home"].url + "/api/ask"
    for triage in ("emergency", "off_topic"):
        question = safety_question(triage)
        response = post(url, {"question": question, "history": []})
        assert response.status_code == 200
        got = response.json()
        same_answer(got, expected(assistant, question))
        assert got["refused"] and got["triage"] == triage
    # A question over BOT_MAX_QUESTION_CHARS is cut and answered as in the app (not an HTTP error).
    asked = [question for question, _ in QUESTIONS]  # distinct questions (repeats would be dropped)
    long = " ".join(asked) + " " + " ".join(f"And {q[0].lower()}{q[1:-1]}, please?" for q in asked[:6])
    assert len(long) > Settings().max_question_chars
    response = post(url, {"question": long})
    assert response.status_code == 200
    same_answer(response.json(), expected(assistant, long))
    assert response.json()["triage"] == "too_long" and not response.json()["refused"]
    # An empty question is a question: the app's clear reply, with the notice.
    empty = post(url, {"question": "  "})
    assert empty.status_code == 200 and empty.json()["refused"] and empty.json()["notice"] == replies.NOTICE


BAD_BODIES = [
    (b"{", "body: not valid JSON"),
    (b"", "body"),
    (b'["What is CAR-NK?"]', "body"),
    (b"{}", "question: Field required"),
    (b'{"question": null}', "question: Input should be a valid string"),
    (b'{"question": 42}', "question: Input should be a valid string"),
    (b'{"question": ["What is CAR-NK?"]}', "question: Input should be a valid string"),
    (b'{"question": "What is CAR-NK?", "history": "What is CAR-T?"}', "history: Input should be a valid list"),
    (b'{"question": "Why?", "history": [{"role": "system", "content": "x"}]}', "history.0.role"),
    (b'{"question": "Why?", "history": [{"role": "user"}]}', "history.0.content: Field required"),
    (b'{"question": "Why?", "history": [{"role": "user", "content": 1}]}', "history.0.content"),
    (b'{"question": "Why?", "history": ["What is CAR-T?"]}', "history.0"),
]


@pytest.mark.integration
def test_bad_requests_get_a_clear_422(apps):
    for path in ("/api/ask", "/api/ask/stream"):
        url = apps["home"].url + path
        for raw, message in BAD_BODIES:
            response = post(url, raw=raw)
            assert response.status_code == 422, (path, raw, response.text)
            body = response.json()
            assert body["detail"].startswith(message), (raw, body)
            assert body["errors"] and "Traceback" not in response.text
    # Too many messages of history, and a body too large to be a question: refused before answering.
    history = [{"role": "user", "content": "What is CAR-NK?"}] * 41
    response = post(apps["home"].url + "/api/ask", {"question": "Why?", "history": history})
    assert response.status_code == 422 and response.json()["detail"].startswith("history: List should have at most")
    huge = post(apps["home"].url + "/api/ask", {"question": "a" * 70_000})
    assert huge.status_code == 413
    assert httpx.get(apps["home"].url + "/api/ask", timeout=TIMEOUT).status_code == 405


# -- POST /api/ask/stream -------------------------------------------------------------------------
@pytest.mark.integration
def test_stream_sends_pieces_then_the_final_answer(apps, assistant):
    url = apps["home"].url + "/api/ask/stream"
    events = sse_events(url, {"question": QUESTION})
    names = [name for name, _ in events]
    assert names[-1] == "answer" and names.count("answer") == 1
    assert names[:-1] and set(names[:-1]) == {"piece"}
    assert all(isinstance(data, str) and data for _, data in events[:-1])
    same_answer(events[-1][1], expected(assistant, QUESTION))

    emergency = safety_question("emergency")
    events = sse_events(url, {"question": emergency})
    assert [name for name, _ in events] == ["answer"]  # the urgent reply alone, nothing before it
    same_answer(events[0][1], expected(assistant, emergency))
    assert events[0][1]["triage"] == "emergency"


# -- how many at once -----------------------------------------------------------------------------
@pytest.mark.integration
def test_simultaneous_requests_are_all_answered(apps, assistant):
    url = apps["home"].url + "/api/ask"
    with ThreadPoolExecutor(12) as pool:  # three times the answering limit: the rest wait their turn
        responses = list(pool.map(lambda _: post(url, {"question": QUESTION}), range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    for response in responses:
        same_answer(response.json(), expected(assistant, QUESTION))


@pytest.mark.unit
def test_answer_slots_wait_then_refuse_with_retry_after():
    from fastapi import HTTPException

    from bot.http_api import RETRY_AFTER_SECONDS, AnswerSlots

    async def scenario() -> None:
        slots = AnswerSlots(limit=1, waiting=1)
        first = slots.hold()
        await first.__anext__()  # answering
        second = slots.hold()
        waited = anyio.Event()

        async def wait_for_slot() -> None:
            await second.__anext__()
            waited.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(wait_for_slot)
            await anyio.sleep(0.05)
            assert not waited.is_set() and slots.free.statistics().tasks_waiting == 1
            with pytest.raises(HTTPException) as refused:  # one answering, one waiting: full
                await slots.hold().__anext__()
            assert refused.value.status_code == 503
            assert refused.value.headers == {"Retry-After": str(RETRY_AFTER_SECONDS)}
            await first.aclose()  # the first answer is done: the waiting one goes
            with anyio.fail_after(5):
                await waited.wait()
        await second.aclose()
        assert slots.free.value == 1

    anyio.run(scenario)


# -- gradio_client ---------------------------------------------------------------------------------
@pytest.mark.integration
def test_gradio_client_calls_ask(apps, assistant):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    info = httpx.get(apps["home"].url + "/gradio_api/info", timeout=TIMEOUT).json()
    assert list(info["named_endpoints"]) == ["/ask"]  # the chat's own events stay private

    client = Client(apps["home"].url, verbose=False)
    same_answer(client.predict(QUESTION, api_name="/ask"), expected(assistant, QUESTION))
    history = [{"role": "user", "content": "What is CAR-NK?"}]
    got = client.predict("what about its side effects?", history, api_name="/ask")
    same_answer(got, expected(assistant, "what about its side effects?", history))
    with pytest.raises(AppError, match=r"history\.0\.role"):
        client.predict(QUESTION, [{"role": "system", "content": "x"}], api_name="/ask")


# -- kiosk ------------------------------------------------------------------------------------------
@pytest.mark.integration
def test_kiosk_has_none_of_it(apps):
    kiosk = apps["kiosk"].url
    for path in ("/api/ask", "/api/ask/stream", "/gradio_api/call/ask", "/gradio_api/call/v2/ask"):
        assert post(kiosk + path, {"question": QUESTION, "data": [QUESTION]}).status_code == 404, path
        assert httpx.get(kiosk + path, timeout=TIMEOUT).status_code == 404, path
    assert httpx.get(kiosk + "/gradio_api/info", timeout=TIMEOUT).status_code == 404
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - whatever the client raises, it finds no API
        Client(kiosk, verbose=False).predict(QUESTION, api_name="/ask")
    # The same request is answered at home: the 404s are the kiosk's, not a broken route.
    assert post(apps["home"].url + "/api/ask", {"question": QUESTION}).status_code == 200
