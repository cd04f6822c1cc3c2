"""The ``bot`` command as a user runs it: a real process, real index, JSON schema, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot import NOTICE

pytestmark = pytest.mark.integration

ANSWER_KEYS = {"answer", "body", "citations", "notice", "refused", "triage", "latency_ms", "suggestions", "language"}
CITATION_KEYS = {"n", "doc_id", "title", "section", "url", "text", "score", "quotes", "references"}


def run_bot(settings, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "BOT_DATA_DIR": str(settings.data_dir), "BOT_CORPUS_DIR": str(settings.corpus_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environ, input=stdin, timeout=300
    )


def test_ask_json_schema(assistant, settings):
    result = run_bot(settings, "ask", "--json", "Is CAR-NK better than CAR-T?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == ANSWER_KEYS
    assert data["notice"] == NOTICE and data["answer"].endswith(NOTICE)
    assert data["refused"] is False and data["triage"] is None and data["language"] == "en"
    assert isinstance(data["latency_ms"], float)
    assert data["citations"] and all(set(c) == CITATION_KEYS for c in data["citations"])
    assert "Traceback" not in result.stderr


def test_ask_plain_text_lists_sources_and_notice(assistant, settings):
    result = run_bot(settings, "ask", "What does off-the-shelf mean?")
    assert result.returncode == 0
    assert "[1]" in result.stdout and result.stdout.rstrip().endswith(NOTICE)


def test_ask_reads_stdin(assistant, settings):
    result = run_bot(settings, "ask", "--json", "-", stdin="Is CAR-NK available now?\n")
    assert json.loads(result.stdout)["citations"]


def test_ingest_twice_embeds_nothing(assistant, settings):
    result = run_bot(settings, "ingest")
    assert result.returncode == 0 and " 0 embedded" in result.stdout


def test_chat_keeps_the_conversation(assistant, settings):
    result = run_bot(settings, "chat", stdin="What is CAR-NK cell therapy?\nwhat about its side effects?\n\n")
    assert result.returncode == 0
    assert result.stdout.count(NOTICE) == 2


def test_bad_setting_is_a_clear_usage_error(settings):
    result = run_bot(settings, "ask", "x", BOT_TOP_K="many")
    assert result.returncode == 2 and "BOT_TOP_K" in result.stderr and "Traceback" not in result.stderr


def test_help_has_examples():
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Examples" in result.stdout
