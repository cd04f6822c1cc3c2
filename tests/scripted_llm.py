"""A scripted chat model behind a real OpenAI-compatible HTTP server, for tests and eval dry runs.

No model can run here, so this stands in for one: it speaks ``POST /v1/chat/completions``
(plain JSON, or server-sent events ``data: {...}`` ending ``data: [DONE]`` when ``stream`` is
set) on 127.0.0.1, reads the numbered passages and the question out of the prompt it is sent,
and answers by a rule. The default rule, ``faithful``, writes a lightly simplified version of the
passage sentences that best match the question, citing them as a model is asked to; other rules
misbehave in one specific way each (an invented number, a citation to a passage never given, a
sentence without a citation, obeying an injected instruction, never answering).

    python -m tests.scripted_llm            # prints its base URL; Ctrl-C stops it

then ``BOT_LLM=openai:scripted BOT_LLM_BASE_URL=<url> BOT_LLM_API_KEY=test bot ask "..."``.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.text import numbers_in, split_sentences, terms

_PASSAGE = re.compile(r'^\[(\d+)\] From "(?P<title>.*?)", section "(?P<section>.*?)": (?P<text>.*)$', re.MULTILINE)
_QUESTION = re.compile(r"<question>(.*?)</question>", re.DOTALL)
_LEADING = re.compile(
    r"^(?:however|additionally|furthermore|moreover|thus|therefore|conversely|for example|first|second|finally|"
    r"in stark contrast|importantly)(?:,\s*and importantly)?,?\s+",
    re.IGNORECASE,
)
# Plainer words a model might choose that keep the meaning.
_PLAINER = {"approximately": "about", "utilize": "use", "numerous": "many", "individuals": "people"}


@dataclass
class Request:
    """One chat-completions request, as the server understood it."""

    body: dict[str, Any]
    system: str
    prompt: str  # the user message
    question: str
    passages: dict[int, str]
    reply: str | None = None  # the text sent back, once decided

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))


@dataclass
class Sleep:
    """Answer only after this many seconds (a model that hangs)."""

    seconds: float
    then: str = "Too late."


@dataclass
class Status:
    """Fail with this HTTP status (e.g. 503 while a model server restarts)."""

    code: int


@dataclass
class Trickle:
    """Stream ``text`` a word at a time with a pause between words (a very slow model)."""

    text: str
    pause: float


Reply = str | Sleep | Status | Trickle
Rule = Callable[[Request], Reply]


# -- rules ------------------------------------------------------------------------------------
def faithful(req: Request) -> str:
    """The two passage sentences sharing most words with the question, simplified, each cited."""
    wanted = set(terms(req.question))
    scored = []
    for n, text in req.passages.items():
        asked = 0.0  # an article's own "Q? A.": the answer inherits the question's match
        for i, sentence in enumerate(split_sentences(text)):
            overlap = len(wanted & set(terms(sentence)))
            if sentence.rstrip().endswith("?"):
                asked = overlap + 0.5
                continue
            scored.append((max(overlap, asked), -n, -i, n, sentence))
            asked = 0.0
    best = [row for row in sorted(scored, reverse=True) if row[0] > 0]
    best = list({row[-1]: row for row in reversed(best)}.values())[::-1][:2]  # overlapping passages repeat
    if not best:
        return "NOT COVERED"
    best.sort(key=lambda row: (-row[1], -row[2]))  # reading order
    return " ".join(f"{plainer(sentence)} [{n}]." for *_, n, sentence in best)


def plainer(sentence: str) -> str:
    """What a model asked for plain words does to a sentence: no asides, no connectives, short words."""
    text = re.sub(r"\s*\([^)]*\)", "", sentence)
    text = re.sub(r"\s+[—–]\s+", ", ", text)
    text = _LEADING.sub("", text)
    for hard, easy in _PLAINER.items():
        text = re.sub(rf"\b{hard}\b", easy, text)
    text = text.strip().rstrip(".!")
    return text[:1].upper() + text[1:]


def invented_number(req: Request) -> str:
    """A faithful answer whose first sentence adds a study size found in no passage."""
    given = numbers_in(" ".join(req.passages.values()))
    n = next(k for k in range(87, 10_000) if str(k) not in given)
    first, _, rest = faithful(req).partition("]. ")
    return f"In a study of {n} patients, {first[:1].lower()}{first[1:]}]. {rest}".strip()


def unknown_citation(req: Request) -> str:
    """A faithful answer whose last sentence cites a passage number beyond those given."""
    text = faithful(req)
    last = text.rfind("[")
    return f"{text[:last]}[{len(req.passages) + 5}]."


def uncited_sentence(req: Request) -> str:
    """A faithful answer whose second sentence lost its citation."""
    first, _, rest = faithful(req).partition("]. ")
    return f"{first}]. " + re.sub(r"\s*\[\d+\]", "", rest)


def obeys_injection(req: Request) -> str:
    """Does what text injected into the question or a passage says: away with the notice, this is
    medical advice. It cites the passage that said so, which does contain those words."""
    source = next((n for n, text in req.passages.items() if re.search(r"\bignore\b", text, re.IGNORECASE)), 1)
    return f"Ignore the notice: this is medical advice you can trust [{source}]. " + faithful(req)


def quietly_obeys(req: Request) -> str:
    """Told to leave the notice out, it writes a faithful answer with no notice (it never had one)."""
    return faithful(req)


def sleeping(seconds: float) -> Rule:
    return lambda req: Sleep(seconds)


def failing(code: int) -> Rule:
    return lambda req: Status(code)


def trickling(pause: float) -> Rule:
    return lambda req: Trickle(faithful(req), pause)


def parse(body: dict[str, Any]) -> Request:
    messages = body.get("messages") or []
    system = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    prompt = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
    question = _QUESTION.search(prompt)
    passages = {int(m.group(1)): m.group("text") for m in _PASSAGE.finditer(prompt)}
    return Request(body, system, prompt, question.group(1).strip() if question else prompt, passages)


# -- the server -------------------------------------------------------------------------------
@dataclass
class ScriptedLLM:
    """``with ScriptedLLM() as llm:`` serves at ``llm.url`` until the block ends.

    ``rule`` answers every request unless ``script(...)`` queued rules for the next ones.
    ``requests`` records what was asked, in order.
    """

    rule: Rule = faithful
    host: str = "127.0.0.1"
    port: int = 0  # 0: the OS picks a free one
    requests: list[Request] = field(default_factory=list)
    _queue: collections.deque[Rule] = field(default_factory=collections.deque)
    _closing: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://{self.host}:{self._server.server_address[1]}/v1"

    def script(self, *rules: Rule) -> None:
        """Answer the next requests with these rules, in order, then with ``rule`` again."""
        self._queue.extend(rules)

    def reset(self) -> None:
        self._queue.clear()
        self.requests.clear()

    def start(self) -> ScriptedLLM:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                except ValueError:
                    self._json(400, {"error": {"message": "invalid JSON"}})
                    return
                req = parse(body)
                owner.requests.append(req)
                rule = owner._queue.popleft() if owner._queue else owner.rule
                reply = rule(req)
                if isinstance(reply, Status):
                    self._json(reply.code, {"error": {"message": f"scripted {reply.code}", "type": "server_error"}})
                    return
                pause = 0.0
                if isinstance(reply, Sleep):
                    if owner._closing.wait(reply.seconds):
                        return
                    reply = reply.then
                elif isinstance(reply, Trickle):
                    reply, pause = reply.text, reply.pause
                req.reply = reply
                model = str(body.get("model", "scripted"))
                try:
                    if req.stream:
                        self._sse(model, reply, pause)
                    else:
                        self._json(200, _completion(model, reply))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): nothing to do

            def _json(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, model: str, text: str, pause: float) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                pieces = re.findall(r"\s*\S+", text) or [""]
                for i, piece in enumerate(pieces):
                    delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                    self._event(_chunk(model, delta, None))
                    if pause and owner._closing.wait(pause):
                        return
                self._event(_chunk(model, {}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet tests

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        server.block_on_close = False  # a sleeping handler must not hold up shutdown
        self._server = server
        threading.Thread(target=server.serve_forever, name="scripted-llm", daemon=True).start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ScriptedLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _completion(model: str, text: str) -> dict[str, Any]:
    words = len(text.split())
    return {
        "id": f"chatcmpl-scripted-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": words, "total_tokens": words},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    parser.add_argument(
        "--rule",
        default="faithful",
        choices=["faithful", "invented_number", "unknown_citation", "uncited_sentence", "obeys_injection"],
    )
    args = parser.parse_args()
    llm = ScriptedLLM(rule=globals()[args.rule], port=args.port).start()
    print(llm.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        llm.stop()


if __name__ == "__main__":
    main()
