"""Load part of ``python -m evals.bench``: the real Gradio app and simulated visitors.

``python app.py`` is started on 127.0.0.1 as a clinic would run it; each visitor is one browser
session speaking Gradio's own queue protocol (``POST /gradio_api/queue/join`` with the question
box's submit event, then the ``/gradio_api/queue/data`` event stream until ``process_completed``),
exactly what the page's JavaScript does. The chat endpoints are private (not callable by
``gradio_client``), so this is the only way in, and it is the one patients use.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

#: Words of the fixed error reply (``bot.replies.ERROR``) as they appear in the page's HTML.
ERROR_MARK = "something went wrong on my side"


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


class App:
    """``python app.py`` in a child process, stopped on exit."""

    def __init__(self, repo: Path, env: dict[str, str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        environ = {**os.environ, **env, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
        environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "app.py"], cwd=repo, env=environ, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 180) -> dict[str, Any]:
        """The page's config once the server answers, and the app has said it is warmed up."""
        import httpx

        deadline = time.monotonic() + timeout
        config = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.process.returncode}: {self.tail()}")
            if config is None:
                try:
                    response = httpx.get(f"{self.url}/config", timeout=2)
                    if response.status_code == 200:
                        config = response.json()
                except httpx.HTTPError:
                    pass
            if config is not None and "Ready" in self.log.read_text(errors="replace"):
                return config
            time.sleep(0.25)
        raise RuntimeError(f"app.py was not ready in {timeout:.0f} s: {self.tail()}")

    def peak_rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None

    def cpu_seconds(self) -> float:
        """User + system CPU time the app process has used so far (less noisy than wall time on a busy machine)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def submit_event(config: dict[str, Any]) -> tuple[int, int, int]:
    """(fn_index, trigger id, number of inputs) of the question box's submit event."""
    boxes = {c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "bot-question"}
    for dep in config["dependencies"]:
        for target, event in dep.get("targets", []):
            if target in boxes and event == "submit":
                return dep["id"], target, len(dep["inputs"])
    raise RuntimeError("the app has no question box (elem_id bot-question) with a submit event")


async def ask(client: Any, url: str, session: str, fn_index: int, trigger: int, inputs: int, question: str) -> str:
    """One question as the page sends it; returns the final HTML (raises on any failure)."""
    body = {
        "data": [question] + [None] * (inputs - 1),  # the conversation State lives on the server
        "fn_index": fn_index,
        "trigger_id": trigger,
        "session_hash": session,
        "event_data": None,
    }
    joined = await client.post(f"{url}/gradio_api/queue/join", json=body)
    joined.raise_for_status()
    event_id = joined.json()["event_id"]
    async with client.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as stream:
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("event_id") not in (None, event_id):
                continue
            if message.get("msg") == "unexpected_error":
                raise RuntimeError(message.get("message", "unexpected error"))
            if message.get("msg") == "process_completed":
                if not message.get("success", False):
                    raise RuntimeError(str(message.get("output"))[:200])
                return json.dumps(message["output"]["data"][0])
    raise RuntimeError("the event stream ended before the answer")


async def visitors(
    url: str,
    config: dict[str, Any],
    questions: list[str],
    count: int,
    per_visitor: int,
    time_limit: float,
    pause: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    """``count`` visitors at once, each asking up to ``per_visitor`` questions one after another,
    waiting ``pause`` seconds (uniform) after each answer, until ``time_limit``."""
    import httpx

    fn_index, trigger, inputs = submit_event(config)
    times: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + time_limit

    async def visitor(n: int) -> None:
        rng = random.Random(n)
        session = uuid.uuid4().hex[:11]
        limits = httpx.Limits(max_connections=4)
        async with httpx.AsyncClient(timeout=httpx.Timeout(60.0), limits=limits) as client:
            await asyncio.sleep(rng.random() * 0.5)  # visitors don't all press Enter in the same millisecond
            for _ in range(per_visitor):
                if time.perf_counter() > deadline:
                    return
                question = rng.choice(questions)
                t = time.perf_counter()
                try:
                    page = await ask(client, url, session, fn_index, trigger, inputs, question)
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                times.append(time.perf_counter() - t)
                if ERROR_MARK in page:
                    errors.append(f"error reply to {question!r}")
                await asyncio.sleep(rng.uniform(*pause))  # reading the answer, typing the next one

    await asyncio.gather(*(visitor(n) for n in range(count)))
    wall = time.perf_counter() - started
    return {"times": times, "errors": errors, "wall_seconds": wall}


def run_load(
    repo: Path,
    env: dict[str, str],
    questions: list[str],
    work: Path,
    count: int = 16,
    time_limit: float = 30,
    ports: range = range(7880, 7890),
    ready_timeout: float = 180,
) -> dict[str, Any]:
    """Start the app, warm it, then ``count`` concurrent visitors twice: ``stress`` (the next question
    the moment an answer is complete) and ``paced`` (1-4 s to read and type between questions,
    still far quicker than a person). The figures of each, or why the app could not run."""
    if not (repo / "app.py").is_file():
        return {"skipped": "no app.py"}
    app = App(repo, env, free_port(ports), work / "app.log")
    try:
        try:
            config = app.wait_ready(ready_timeout)
            submit_event(config)
        except RuntimeError as exc:
            return {"skipped": str(exc)[:500]}
        result: dict[str, Any] = {}
        for mode, per_visitor, pause in (("stress", 6, (0.0, 0.0)), ("paced", 5, (1.0, 4.0))):
            cpu = app.cpu_seconds()
            result[mode] = asyncio.run(visitors(app.url, config, questions, count, per_visitor, time_limit, pause))
            result[mode]["app_cpu_s"] = round(app.cpu_seconds() - cpu, 2)
        result["peak_rss_mb"] = app.peak_rss_mb()
        return result
    finally:
        app.stop()


def main(argv: list[str] | None = None) -> None:
    """Only the load part: ``python -m evals.bench_load [--visitors 16] [--seconds 30] [--json]``.

    The app builds its own index in a temporary folder first (about half a minute), as ``evals.bench``
    does; the figures are summarised the same way as there.
    """
    import argparse
    import shutil
    import tempfile

    from evals.bench import REPO, load_questions, summarize_load

    parser = argparse.ArgumentParser(prog="python -m evals.bench_load", description=main.__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=16, help="concurrent visitors")
    parser.add_argument("--seconds", type=float, default=30, help="time limit of each run (stress, paced)")
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose app.py is loaded (A/B runs)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    questions, _ = load_questions()
    work = Path(tempfile.mkdtemp(prefix="bot-load-"))
    try:
        env = {"BOT_DATA_DIR": str(work / "data")}
        figures = run_load(args.repo, env, questions, work, args.visitors, args.seconds, ready_timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for mode in ("stress", "paced"):
        if mode in figures:
            figures[mode] = summarize_load(figures[mode])
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for mode in ("stress", "paced"):
        if mode in figures:
            f = figures[mode]
            t = f["time_to_answer_s"]
            print(
                f"{mode}: {args.visitors} visitors, {f['answers']} answers, p50 {t.get('p50')} s, "
                f"p95 {t.get('p95')} s, {f['throughput_per_s']}/s, {f['error_count']} errors, "
                f"app CPU {f['app_cpu_ms_per_answer']} ms per answer"
            )
    print(f"peak RSS {figures.get('peak_rss_mb')} MB" if "skipped" not in figures else figures["skipped"])


if __name__ == "__main__":
    main()
