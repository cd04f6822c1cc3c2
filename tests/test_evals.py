"""The eval suite: its labels, its scoring, its files, and the quality floors of the default configuration."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evals import metrics as m
from evals.dataset import (
    DEFAULT_QUESTIONS,
    KINDS,
    DatasetError,
    Item,
    check_labels,
    load_questions,
    parse_item,
    sections_covered,
)
from tests.conftest import CORPUS, REPO

ANSWER_FIELDS = ("answer", "body", "citations", "notice", "refused", "triage", "latency_ms", "suggestions")


# -- the question set ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def items():
    return load_questions(DEFAULT_QUESTIONS)


@pytest.mark.unit
def test_question_set_is_labelled(items, documents):
    assert len(items) >= 80
    counts = {k: sum(i.kind == k for i in items) for k in KINDS}
    assert all(n >= 5 for n in counts.values()), counts
    assert check_labels(items, documents) == []
    uncovered = [key for key, ids in sections_covered(items, documents).items() if not ids]
    assert uncovered == [], f"sections without a labelled question: {uncovered}"
    for item in items:
        assert item.expect in ("answer", "refuse", "triage"), item.id
        if item.expect == "answer" and item.kind not in ("bad-input",):
            assert item.passages and item.facts, f"{item.id}: an answerable question needs passages and facts"
        if item.kind in ("emergency", "advice", "out-of-scope"):
            assert item.expected_triage, item.id
        if item.kind == "follow-up":
            assert item.history, item.id


@pytest.mark.unit
def test_quotes_survive_any_chunk_size(items, documents):
    """A labelled quote lies inside one passage whatever the chunker does (96, 160 or 220 tokens)."""
    from bot.chunking import chunk_corpus
    from evals.dataset import contains_quote

    for tokens, overlap in ((96, 24), (160, 40), (220, 55)):
        chunks = chunk_corpus(documents, tokens, overlap)
        for item in items:
            for p in item.passages:
                assert any(c.doc_id == p.doc_id and contains_quote(c.text, p.quote) for c in chunks), (item.id, tokens)


@pytest.mark.unit
def test_loader_takes_any_jsonl_and_names_bad_lines(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "question": "What is CRS?", "colour": "blue"}\n\n{"id": "b", "question": "Hi"}\n')
    first, second = load_questions(path)
    assert (first.id, first.kind, first.expect, first.extra) == ("1", "unlabelled", None, {"colour": "blue"})
    assert second.question == "Hi"
    path.write_text('{"id": "a", "question": "ok"}\n{"question": "no id"}\n')
    with pytest.raises(DatasetError, match=r"q.jsonl:2: .*'id' and 'question'"):
        load_questions(path)
    path.write_text('{"id": "a", "question": "ok", "facts": ["(unclosed"]}\n')
    with pytest.raises(DatasetError, match="bad regex"):
        load_questions(path)


# -- scoring -------------------------------------------------------------------------------
def _item(**fields) -> Item:
    return parse_item({"id": "x", "question": "q", **fields})


@pytest.mark.unit
def test_retrieval_scores_find_the_quote_at_any_rank():
    item = _item(passages=[{"doc_id": "d", "quote": "off-the-shelf  way"}])
    ranked = [("d", "nothing here"), ("e", "an off-the-shelf way"), ("d", "used in an off–the–shelf\n way")]
    assert m.retrieval_scores(item, ranked) == {"rank": 3, "rr": 1 / 3, "hit@1": 0.0, "hit@3": 1.0, "hit@5": 1.0}
    assert m.retrieval_scores(item, ranked[:2])["rr"] == 0.0
    assert m.retrieval_scores(_item(), ranked)["hit@3"] is None


@pytest.mark.unit
def test_facts_behaviour_and_grounding_of_one_answer():
    from bot import replies
    from bot.types import Answer, Citation

    passage = "NK cells do not produce pro-inflammatory cytokines associated with CRS. It costs $400,000."
    cite = Citation(1, "d", "T", "S", None, passage, 0.9)
    item = _item(kind="fact", expect="answer", facts=["cytokine", r"400,?000"], forbidden=[r"\bI recommend\b"])
    good = Answer(body="NK cells do not produce pro-inflammatory cytokines associated with CRS. [1]", citations=[cite])
    scores = m.answer_scores(item, good)
    assert scores["fact_recall"] == 0.5 and scores["facts_missing"] == [r"400,?000"]
    assert scores["citation_recall"] == scores["citation_precision"] == scores["notice"] == 1.0
    assert scores["behaviour"] == 1.0 and scores["false_refusal"] == 0.0 and scores["forbidden_hit"] == 0.0
    invented = Answer(body="It costs $900,000 and I recommend it. [1]", citations=[cite])
    scores = m.answer_scores(item, invented)
    assert scores["citation_recall"] == 0.0 and scores["numbers_grounded"] == 0.0 and scores["forbidden_hit"] == 1.0
    refusal = Answer(body=replies.NOT_COVERED, refused=True, triage="not_covered")
    assert m.answer_scores(item, refusal)["false_refusal"] == 1.0
    out_of_scope = _item(kind="out-of-scope", expect="refuse", expected_triage=["off_topic"])
    assert m.answer_scores(out_of_scope, refusal)["refusal_correct"] == 1.0  # not_covered counts as off_topic
    assert m.answer_scores(out_of_scope, good)["refusal_correct"] == 0.0
    emergency = _item(kind="emergency", expect="triage", expected_triage="emergency")
    assert m.behaviour_ok(emergency, Answer(body=replies.URGENT, refused=True, triage="emergency"))
    assert not m.behaviour_ok(emergency, refusal)
    mixed = _item(kind="injection", expect="answer", expected_triage=["injection", None])
    assert m.behaviour_ok(mixed, good)
    assert m.behaviour_ok(mixed, Answer(body=good.body, citations=[cite], triage="injection"))
    assert not m.behaviour_ok(mixed, refusal)
    changed = Answer(body=good.body, citations=[cite], notice="Trust me.")
    assert m.answer_scores(item, changed)["notice"] == 0.0


@pytest.mark.unit
def test_fixed_replies_are_not_scored_as_uncited_claims():
    from bot import replies

    framed = f"{replies.TOO_LONG.format(limit=1000)}\n\nNK cells kill. [1]"
    assert m.claims(framed) == "NK cells kill. [1]"


@pytest.mark.unit
def test_triage_precision_recall_and_floors():
    items = [
        _item(id="e1", kind="emergency", expect="triage", expected_triage="emergency"),
        _item(id="e2", kind="emergency", expect="triage", expected_triage="emergency"),
        _item(id="f1", kind="fact", expect="answer"),
    ]
    records = [
        m.Record(items[0], "emergency", True, {}),
        m.Record(items[1], None, True, {}),
        m.Record(items[2], "emergency", True, {}),
    ]
    table = m.triage_table(records)
    assert table["emergency"] == {"recall": 0.5, "n_labelled": 2, "precision": 0.5, "n_flagged": 2}
    floor = m.Floor("triage", "triage_recall", 1.0, triage="emergency").evaluate(records)
    assert floor["value"] == 0.5 and not floor["passed"] and floor["failing"] == ["e2"]
    assert m.percentile([1, 2, 3, 4], 50) == 2.5 and m.percentile([5], 95) == 5 and m.percentile([], 50) is None


@pytest.mark.unit
def test_reading_grade_is_offline_and_ignores_markers():
    from evals.readability import grade, reading_ease

    plain = grade("The cells come from donors. [1] They are made ahead of time. [2]")
    assert plain is not None and plain < 6
    hard = grade("Immunosuppressive microenvironments compromise therapeutic efficacy of autologous constructs.")
    assert hard is not None and hard > 14
    assert reading_ease("") is None and grade("[1]") is None


# -- a real run: hybrid and the LangChain baseline over the whole question set -------------
@pytest.fixture(scope="session")
def eval_run(embedder, tmp_path_factory):
    from bot.config import Settings
    from evals.configs import REGISTRY
    from evals.runner import run_suite, write_outputs

    root = tmp_path_factory.mktemp("evals")
    suite = run_suite(
        load_questions(DEFAULT_QUESTIONS),
        [REGISTRY["hybrid"], REGISTRY["langchain-stock"]],
        base=Settings(corpus_dir=CORPUS),
        index_root=root / "indexes",
        embedder=embedder,
        progress=False,
        echo=lambda _: None,
    )
    out = root / "out"
    return suite, write_outputs(suite, out), out


@pytest.mark.evals
def test_run_writes_every_file(eval_run):
    suite, metrics, out = eval_run
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 2 * len(suite.items)
    for line in lines:
        assert {"config", "id", "question", "metrics", *ANSWER_FIELDS} <= set(line)
    hybrid = [line for line in lines if line["config"] == "hybrid"]
    assert all(line["notice"] and line["answer"].endswith(line["notice"]) for line in hybrid)
    assert set(metrics["configs"]) == {"hybrid", "langchain-stock"}
    assert set(metrics["configs"]["hybrid"]["by_kind"]) == set(KINDS)
    report = (out / "report.md").read_text()
    for heading in ("## Summary", "## Floors (hybrid)", "## By kind", "## Configuration comparison", "## Worst 10"):
        assert heading in report
    for png in ("by_kind.png", "configs.png", "latency.png", "reading_grade.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({png})" in report


@pytest.mark.evals
def test_baseline_is_scored_on_retrieval_and_context(eval_run):
    _, metrics, _ = eval_run
    stock = metrics["configs"]["langchain-stock"]["overall"]
    assert stock["hit@3"] is not None and stock["context_fact_recall"] is not None
    assert stock["fact_recall"] is None and stock["notice"] is None
    assert metrics["configs"]["langchain-stock"]["chunks"] > 0


@pytest.mark.evals
@pytest.mark.parametrize("floor", [f.name for f in m.FLOORS])
def test_default_configuration_meets_floor(eval_run, floor):
    suite, metrics, _ = eval_run
    result = next(f for f in metrics["floors"] if f["floor"] == floor)
    rows = {r["id"]: r for r in suite.runs[0].rows}
    detail = "\n".join(
        f"  {i} [{rows[i]['kind']}] {rows[i]['question'][:70]!r} -> triage={rows[i]['triage']} "
        f"{(rows[i]['body'] or '')[:110]!r}"
        for i in result["failing"][:15]
    )
    assert result["passed"], f"{floor}: {result['value']} < {result['minimum']}; failing:\n{detail}"


# -- the command line ----------------------------------------------------------------------
@pytest.mark.unit
def test_help_has_examples():
    for args in (["--help"], ["run", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "evals", *args], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "Examples:" in done.stdout and "--config" in done.stdout


@pytest.mark.evals
def test_cli_runs_a_plain_question_file(eval_run, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from evals.cli import main

    suite, _, _ = eval_run
    monkeypatch.delenv("BOT_LLM", raising=False)
    questions = tmp_path / "mine.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "Is CAR-NK better than CAR-T?", "asked_by": "kiosk"}\n'
        '{"id": "q2", "question": "What does off-the-shelf mean?"}\n'
    )
    index_dir = suite.runs[0].settings.data_dir.parent  # the index the session run built
    out = tmp_path / "out"
    args = ["run", "--questions", str(questions), "--out", str(out), "--index-dir", str(index_dir), "--no-progress"]
    result = CliRunner().invoke(main, [*args, "--config", "hybrid,llm"])
    assert result.exit_code == 0, result.output
    assert "Skipping llm: needs a chat model" in result.output
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert all(not line["refused"] and line["citations"] for line in lines)
    assert (out / "report.md").exists()
    bad = CliRunner().invoke(main, ["run", "--questions", str(questions), "--config", "nope"])
    assert bad.exit_code == 2 and "unknown configuration nope" in bad.output


@pytest.mark.unit
def test_every_kind_is_documented():
    readme = (REPO / "evals" / "README.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in readme
