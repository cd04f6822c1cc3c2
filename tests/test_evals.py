"""The eval suite: its labels, its scoring, its files, and the quality floors of the default configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from evals import metrics as m
from evals.dataset import (
    CORE_KINDS,
    KINDS,
    DatasetError,
    Item,
    check_labels,
    load_questions,
    parse_item,
    sections_covered,
)
from evals.sets import default_sets, dev_article_sets, new_article_sets, shipped_items
from tests.conftest import CORPUS, REPO

ANSWER_FIELDS = ("answer", "body", "citations", "notice", "refused", "triage", "latency_ms", "suggestions")


# -- the question sets ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def items():
    """Dev and test together: the original 130 questions about the shipped corpus."""
    return shipped_items(default_sets())


@pytest.mark.unit
def test_question_set_is_labelled(items, documents):
    assert len(items) >= 80
    counts = {k: sum(i.kind == k for i in items) for k in CORE_KINDS}
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
    from bot.corpus import load_document
    from evals.dataset import contains_quote

    added = [*dev_article_sets(), *new_article_sets()]
    new = [(s.items, [*documents, load_document(s.article)]) for s in added]
    for tokens, overlap in ((96, 24), (160, 40), (220, 55)):
        for labelled, docs in [(items, documents), *new]:
            chunks = chunk_corpus(docs, tokens, overlap)
            for item in labelled:
                for p in item.passages:
                    assert any(c.doc_id == p.doc_id and contains_quote(c.text, p.quote) for c in chunks), (
                        item.id,
                        tokens,
                    )


@pytest.mark.unit
def test_splits_are_disjoint_and_the_test_split_is_marked_frozen():
    dev, test, *added = default_sets()
    assert (dev.name, test.name) == ("dev", "test") and len(dev.items) + len(test.items) == 130
    assert not {i.id for i in dev.items} & {i.id for i in test.items}
    assert not {i.question for i in dev.items} & {i.question for i in test.items}
    assert test.path.read_text(encoding="utf-8").startswith("// FROZEN TEST SPLIT")
    devnew, new = dev_article_sets(), new_article_sets()
    assert [s.name for s in added] == [s.name for s in (*devnew, *new)] and len(new) >= 2
    assert all(s.name.startswith("devnew:") and s.tunable for s in devnew) and len(devnew) >= 2
    assert all(s.name.startswith("new:") and not s.tunable for s in new) and not test.tunable and dev.tunable


@pytest.fixture(scope="module")
def new_sets():
    return new_article_sets()


@pytest.mark.unit
def test_new_articles_load_and_extend_the_site_file(new_sets):
    import yaml

    from bot.corpus import load_document

    shipped_site = yaml.safe_load((CORPUS / "site.yaml").read_text(encoding="utf-8"))
    for question_set in new_sets:
        doc = load_document(question_set.article)
        words = sum(len(p.split()) for section in doc.sections for p in section.paragraphs)
        assert 800 <= words <= 1500, (doc.id, words)
        assert len(doc.sections) >= 6 and doc.references and doc.metadata.get("date"), doc.id
        assert doc.id not in {p.stem for p in CORPUS.glob("*.md")}
        site = yaml.safe_load(question_set.site.read_text(encoding="utf-8"))
        assert set(site) == set(shipped_site), question_set.name
        assert site["topic"].startswith(shipped_site["topic"]) and site["topic"] != shipped_site["topic"]
        for key in ("example_questions", "emergency_exemplars", "education_exemplars"):
            assert set(shipped_site[key]) < set(site[key]), (question_set.name, key)


@pytest.mark.unit
def test_new_article_questions_are_labelled_and_test_only(new_sets, documents):
    from bot.corpus import load_document

    for question_set in new_sets:
        header = question_set.path.read_text(encoding="utf-8").splitlines()[:3]
        assert any("Test-only" in line and "never used" in line for line in header), question_set.name
        items = question_set.items
        assert len(items) >= 20
        assert check_labels(items, [*documents, load_document(question_set.article)]) == []
        counts = {k: sum(i.kind == k for i in items) for k in KINDS}
        for kind, least in (("fact", 10), ("personal-info", 2), ("advice", 2), ("emergency", 2)):
            assert counts[kind] >= least, (question_set.name, kind)
        for kind, least in (("out-of-scope", 2), ("source", 2), ("follow-up", 1)):
            assert counts[kind] >= least, (question_set.name, kind)
        for item in items:
            if item.kind == "personal-info":  # answered, without the advice (or any) framing
                assert item.expect == "answer" and item.expected_triage == (None,), item.id
            if item.kind == "follow-up":
                assert item.history and any(w in item.question.split() for w in ("it", "its", "they")), item.id
            if item.expect == "answer" and item.kind != "source":
                assert item.passages and item.facts, item.id


@pytest.fixture(scope="module")
def dev_articles():
    return dev_article_sets()


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


@pytest.mark.unit
def test_no_exemplar_copies_a_question_it_is_scored_on(dev_articles, new_sets):
    """The code's exemplars and every site file's lists are kinds of message: none is an evaluation
    question, case and punctuation aside (the frozen ones for all of them; a dev set's own for its site)."""
    import yaml

    from bot import exemplars

    frozen = {_plain(i.question) for s in (default_sets()[1], *new_sets) for i in s.items}
    scored = frozen | {_plain(i.question) for s in (default_sets()[0], *dev_articles) for i in s.items}
    code = [getattr(exemplars, name) for name in dir(exemplars) if name.isupper()]
    assert not {_plain(q) for texts in code for q in texts} & scored
    for path in [CORPUS / "site.yaml", *(s.site for s in (*dev_articles, *new_sets))]:
        site = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = {_plain(q) for key, value in site.items() if key != "topic" for q in value}
        assert not texts & frozen, (path, sorted(texts & frozen))


@pytest.mark.unit
def test_dev_articles_are_other_topics_in_the_corpus_format(dev_articles, new_sets):
    """Same format and site-file rules as the test articles; none of their documents or questions."""
    import yaml

    from bot.corpus import load_document

    shipped_site = yaml.safe_load((CORPUS / "site.yaml").read_text(encoding="utf-8"))
    test_docs = {load_document(s.article).id for s in new_sets}
    test_questions = {i.question.lower() for s in (*default_sets()[1:2], *new_sets) for i in s.items}
    for question_set in dev_articles:
        doc = load_document(question_set.article)
        words = sum(len(p.split()) for section in doc.sections for p in section.paragraphs)
        assert 900 <= words <= 1500, (doc.id, words)
        assert len(doc.sections) >= 6 and doc.references and doc.metadata.get("date"), doc.id
        assert doc.metadata.get("authors") and doc.metadata.get("publisher"), doc.id
        assert doc.id not in {p.stem for p in CORPUS.glob("*.md")} | test_docs
        assert not {i.question.lower() for i in question_set.items} & test_questions, question_set.name
        site = yaml.safe_load(question_set.site.read_text(encoding="utf-8"))
        assert set(site) == set(shipped_site), question_set.name
        assert site["topic"].startswith(shipped_site["topic"]) and site["topic"] != shipped_site["topic"]
        for key in ("example_questions", "emergency_exemplars", "education_exemplars", "in_scope_examples"):
            assert set(shipped_site[key]) < set(site[key]), (question_set.name, key)
        # a clinic's exemplars are kinds of message, never copies of the questions they are scored on
        exemplars = {q.lower() for key, value in site.items() if key != "topic" for q in value}
        assert not exemplars & {i.question.lower() for i in question_set.items}, question_set.name


@pytest.mark.unit
def test_dev_article_questions_are_labelled_and_marked_dev(dev_articles, documents):
    from bot.corpus import load_document

    for question_set in dev_articles:
        header = question_set.path.read_text(encoding="utf-8").splitlines()[:3]
        assert any("DEV: tune on these" in line for line in header), question_set.name
        items = question_set.items
        assert len(items) >= 25
        assert check_labels(items, [*documents, load_document(question_set.article)]) == []
        counts = {k: sum(i.kind == k for i in items) for k in KINDS}
        for kind, least in (("fact", 10), ("personal-info", 4), ("advice", 2), ("emergency", 2)):
            assert counts[kind] >= least, (question_set.name, kind)
        for kind, least in (("out-of-scope", 2), ("source", 2), ("follow-up", 2), ("comparison", 1), ("lay/typo", 2)):
            assert counts[kind] >= least, (question_set.name, kind)
        for item in items:
            assert item.expect in ("answer", "refuse", "triage"), item.id
            if item.kind == "personal-info":  # answered, without the advice (or any) framing
                assert item.expect == "answer" and item.expected_triage == (None,), item.id
            if item.kind == "follow-up":
                assert item.history and any(w in item.question.split() for w in ("it", "its", "they")), item.id
            if item.kind in ("emergency", "advice", "out-of-scope"):
                assert item.expected_triage, item.id
            if item.expect == "answer":
                assert item.facts, item.id
                if item.kind != "source":
                    assert item.passages, item.id


@pytest.mark.unit
def test_dev_article_facts_are_tight(dev_articles):
    """A key-fact pattern names the fact: it matches a sentence that states it, not the whole article."""
    import re

    from bot.corpus import load_document
    from evals.dataset import matches, normalise

    for question_set in dev_articles:
        doc = load_document(question_set.article)
        sentences = [
            s for section in doc.sections for p in section.paragraphs for s in re.split(r"(?<=[.?!])\s+", normalise(p))
        ]
        for item in question_set.items:
            if item.expect != "answer" or item.kind == "source":
                continue
            for fact in item.facts:
                hits = sum(matches(fact, s) for s in sentences)
                assert 1 <= hits <= 4, (item.id, fact, hits)
            # the labelled quote's own sentence states at least one of the facts
            quoted = [s for s in sentences for p in item.passages if normalise(p.quote).lower() in s.lower()]
            assert any(matches(f, s) for f in item.facts for s in quoted), item.id


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
    assert m.answer_scores(item, good)["verbatim"] == 1.0 and m.answer_scores(item, invented)["verbatim"] == 0.0
    assert m.answer_scores(item, refusal)["verbatim"] is None


@pytest.mark.unit
def test_a_lead_in_and_a_later_item_are_two_verbatim_quotes():
    from bot.types import Answer, Citation

    passage = "Call us if you: - feel sick; - have a fever; - are bleeding."
    cite = Citation(1, "d", "T", "S", None, passage, 0.9)
    assert m.verbatim(Answer(body="Call us if you: … - are bleeding. [1]", citations=[cite])) == 1.0
    assert m.verbatim(Answer(body="Call us if you are bleeding. [1]", citations=[cite])) == 0.0


@pytest.mark.unit
def test_lead_at_1_and_words_skip_the_fixed_wording():
    from bot import replies
    from bot.types import Answer

    item = _item(kind="fact", expect="answer", facts=[r"38\.0|100\.4"])
    lead = "A temperature of 38.0 °C or higher is a fever. [1] Call the team. [1]"
    later = "Call the team. [1] A temperature of 38.0 °C or higher is a fever. [1]"
    framed = f"{replies.TOO_LONG_ANSWERED}\n\n{lead}"
    assert m.lead_sentence(framed) == "A temperature of 38.0 °C or higher is a fever."
    assert m.answer_scores(item, Answer(body=framed))["lead_at_1"] == 1.0
    assert m.answer_scores(item, Answer(body=later))["lead_at_1"] == 0.0
    assert m.answer_scores(item, Answer(body=replies.NOT_COVERED, refused=True))["lead_at_1"] == 0.0
    assert m.answer_scores(_item(kind="advice", expect="triage"), Answer(body=lead))["lead_at_1"] is None
    assert m.answer_scores(item, Answer(body=framed))["words"] == 13  # no [n], no fixed wording
    records = [m.Record(item, None, True, {"words": w}) for w in (10, 30, 20)]
    assert m.aggregate(records)["words_median"] == 20


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
    # 6 words, 1 sentence, 6 syllables (CMU): Flesch-Kincaid's and Flesch's formulas exactly.
    assert grade("The cat sat on the mat. [1]") == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert reading_ease("The cat sat on the mat.") == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)


# -- a real run: hybrid and the LangChain baseline over every default set -----------------
@pytest.fixture(scope="session")
def eval_run(embedder, tmp_path_factory):
    from bot.config import Settings
    from evals.configs import REGISTRY
    from evals.runner import run_suite, write_outputs

    root = tmp_path_factory.mktemp("evals")
    suite = run_suite(
        default_sets(),
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
        assert {"config", "set", "id", "question", "metrics", *ANSWER_FIELDS} <= set(line)
        assert "lead_at_1" in line["metrics"] and "words" in line["metrics"]
    hybrid = [line for line in lines if line["config"] == "hybrid"]
    assert all(line["notice"] and line["answer"].endswith(line["notice"]) for line in hybrid)
    assert set(metrics["configs"]) == {"hybrid", "langchain-stock"}
    assert set(metrics["configs"]["hybrid"]["by_kind"]) == set(KINDS)
    names = [s.name for s in suite.sets]
    assert names[:2] == ["dev", "test"] and len(names) >= 4
    assert {line["set"] for line in hybrid} == set(names) == set(metrics["questions"]["sets"])
    for cfg in metrics["configs"].values():
        assert list(cfg["by_set"]) == names
        assert sum(agg["n"] for agg in cfg["by_set"].values()) == cfg["overall"]["n"] == len(suite.items)
    hybrid_sets = metrics["configs"]["hybrid"]["by_set"]
    assert all(hybrid_sets[n]["lead_at_1"] is not None and hybrid_sets[n]["words_median"] for n in names)
    # each new article was indexed with the shipped corpus: more passages than the shipped corpus alone
    chunks = metrics["configs"]["hybrid"]["chunks_by_set"]
    assert all(chunks[n] > chunks["dev"] == chunks["test"] for n in names[2:])
    # the floors are over dev + test (the original 130), not the new articles
    hit3 = next(f for f in metrics["floors"] if f["floor"] == "hit@3")
    assert hit3["n"] == sum(bool(i.passages) for i in shipped_items(suite.sets))
    report = (out / "report.md").read_text()
    for heading in (
        "## Summary",
        "## By question set",
        "## Floors (hybrid)",
        "## By kind",
        "## Configuration comparison",
        "## Worst 10",
    ):
        assert heading in report
    assert all(f"| {n}" in report for n in names) and "lead@1" in report
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
def test_missing_evals_packages_give_one_line_and_exit_2():
    """After `bash scripts/app.sh` (no extras), `python -m evals run` says what to install, no traceback."""
    blocker = (
        "import sys, runpy\n"
        "sys.modules.update(textstat=None, matplotlib=None)  # as if not installed\n"
        "sys.argv = ['evals', 'run']\n"
        "runpy.run_module('evals', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: the evals need packages that are not installed (textstat, matplotlib); run: pip install -e '.[evals]'"
    ]
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.unit
def test_every_kind_is_documented():
    readme = (REPO / "evals" / "README.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in readme


@pytest.mark.integration
def test_a_kept_index_follows_an_edited_article(embedder, tmp_path):
    """``--index-dir`` keeps indexes between runs; an article edited since is indexed again."""
    from bot.config import Settings
    from evals.configs import REGISTRY
    from evals.runner import run_suite
    from evals.sets import QuestionSet

    article = tmp_path / "mouth-care.md"
    source = REPO / "evals" / "dev_articles" / "mouth-sores" / "mouth-sores.md"
    article.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    items = (Item("q1", "How often should I rinse my mouth?"),)
    question_set = QuestionSet("new:mouth-care", tmp_path / "questions.jsonl", items, article)

    def passages() -> int | None:
        suite = run_suite(
            [question_set],
            [REGISTRY["hybrid"]],
            base=Settings(corpus_dir=CORPUS),
            index_root=tmp_path / "indexes",
            embedder=embedder,
            progress=False,
            echo=lambda _: None,
        )
        return suite.runs[0].chunks_by_set["new:mouth-care"]

    before = passages()
    added = " ".join(f"Rinse gently with salt water after meal number {n}." for n in range(60))
    edited = article.read_text(encoding="utf-8") + f"\n\n## Rinsing after meals\n\n{added}\n"
    article.write_text(edited, encoding="utf-8")
    assert before is not None and passages() > before
