"""Visitors who don't read English: language detection, the fixed replies per language, Spanish emergencies.

Tables (one JSON object a line):
* ``language_cases.jsonl``: short questions per language (text, language), English ones with
  jargon, acronyms and typos; ``known_miss`` marks a row the detector gets wrong (reported, not hidden).
* ``language_heldout.jsonl``: written after the detector was chosen (no accents, romanised text,
  Ukrainian/Persian/Japanese); its accuracy is printed and has a floor.
* ``emergency_es_heldout.jsonl`` and ``emergency_es_heldout2.jsonl``: Spanish symptom reports and
  questions about symptoms, written after the patterns in ``bot/locales/es.yaml`` (``docs/safety.md``).

``python -m tests.test_language`` prints the accuracy per language and the Spanish precision/recall.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import i18n, replies
from bot.language import detect

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LANGUAGES = ("es", "fr", "pt", "zh", "ar", "vi", "ru", "de", "it", "hi")
SPANISH_TABLES = ("emergency_es_heldout.jsonl", "emergency_es_heldout2.jsonl")
# The examples the issue gives: reports in Spanish get the urgent reply in Spanish.
ISSUE_REPORTS = (
    "mi esposo tiene fiebre alta desde la infusión",
    "no puedo respirar",
    "mi madre está confundida y no me reconoce",
)


def load(name: str) -> list[dict[str, Any]]:
    with open(HERE / name, encoding="utf-8") as f:
        return [row for line in f if line.strip() and "_comment" not in (row := json.loads(line))]


def dev_questions() -> list[str]:
    """Every question of the eval dev split that must be answered: English, however it is worded."""
    with open(REPO / "evals" / "questions-dev.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.lstrip().startswith("{")]
    return [r["question"] for r in rows if r.get("expect") == "answer"]


def accuracy(rows: list[dict[str, Any]], english_words: frozenset[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """(right, total) per language."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        out[row["language"]][1] += 1
        out[row["language"]][0] += detect(row["text"], english_words) == row["language"]
    return {k: (v[0], v[1]) for k, v in out.items()}


def spanish_verdict(answer: Any) -> str | None:
    """What a reply to a Spanish message was: "urgent", "crisis", None (only English) or what went wrong."""
    es = i18n.texts("es")
    if answer is None:
        return "read as English"
    if answer.triage == "emergency":
        return next((k for k in ("urgent", "crisis") if answer.body.startswith(getattr(es, k))), "not in Spanish")
    return None if answer.body.startswith(es.english_only) else f"unexpected {answer.triage}/{answer.language}"


def precision_recall(rows: list[dict[str, Any]], verdicts: list[str | None]) -> dict[str, float]:
    tp = sum(r["expected"] is not None and v in ("urgent", "crisis") for r, v in zip(rows, verdicts, strict=True))
    fp = sum(r["expected"] is None and v in ("urgent", "crisis") for r, v in zip(rows, verdicts, strict=True))
    positives = sum(r["expected"] is not None for r in rows)
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / positives, "reports": positives}


# -- the locale files ---------------------------------------------------------------------------------
@pytest.mark.unit
def test_every_listed_language_has_a_complete_locale_file():
    assert set(LANGUAGES) | {"en"} <= set(i18n.languages()) and i18n.languages()[0] == "en"
    english = i18n.texts("en")
    for lang in i18n.languages():
        local = i18n.texts(lang)
        assert local.language == lang and local.name
        if lang == "en":
            continue
        # Written in that language: no text is left in English.
        for key in ("notice", "urgent", "crisis", "english_only", "not_covered", "english_answer"):
            assert getattr(local, key) != getattr(english, key), (lang, key)
        ui_changed = [k for k, v in vars(local.ui).items() if v != getattr(english.ui, k)]
        assert len(ui_changed) == len(vars(english.ui)), (lang, ui_changed)
        # The same numbers in every language ("24-hour" may be a word: "круглосуточную").
        assert set(re.findall(r"\d+", local.urgent)) - {"24"} == {"911"}, lang
        assert set(re.findall(r"\d+", local.crisis)) == {"911", "988"}, lang


@pytest.mark.unit
def test_the_english_source_is_the_replies_the_assistant_gives():
    english = i18n.texts("en")
    assert english.notice == replies.NOTICE and english.urgent == replies.URGENT and english.crisis == replies.CRISIS
    assert english.english_only.startswith(replies.UNSUPPORTED_LANGUAGE) and "staff" in english.english_only
    assert "don't cover" in english.not_covered


@pytest.mark.unit
def test_no_locale_names_the_sites_subject():
    """The fixed texts are generic: no therapy from the site's topic, no "two articles"."""
    with open(REPO / "corpus" / "site.yaml", encoding="utf-8") as f:
        topic = yaml.safe_load(f)["topic"]
    terms = {t for t in re.findall(r"[A-Za-z][\w-]*", topic) if t.isupper() or "-" in t}
    assert terms  # the site's topic names its therapies: "CAR-NK and CAR-T cell therapy"
    for lang in i18n.languages():
        texts = i18n.texts(lang)
        everything = " ".join([*(v for v in vars(texts).values() if isinstance(v, str)), *vars(texts.ui).values()])
        assert not any(term.lower() in everything.lower() for term in terms), lang
    assert "two" not in i18n.texts("en").not_covered and "article" not in i18n.texts("en").not_covered


@pytest.mark.unit
def test_english_texts_read_at_8th_grade_or_below():
    from evals.readability import grade

    english = i18n.texts("en")
    for key in ("notice", "urgent", "english_only", "not_covered", "english_answer"):
        value = grade(getattr(english, key))
        assert value is not None and value <= 8.0, (key, value)


@pytest.mark.unit
def test_a_site_adds_a_language_with_one_file_and_a_broken_file_is_named(tmp_path):
    source = (i18n.LOCALES / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(source, encoding="utf-8")
    data = yaml.safe_load(source)
    data.update(name="Test", notice="Notice in xx.")
    data["emergency"] = {"symptoms": ["zzfever"], "person": [r"\bmy\b"]}
    (tmp_path / "xx.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    locales = i18n.load(tmp_path)
    assert locales["xx"].texts.notice == "Notice in xx." and locales["xx"].texts.ui.send == "Send"
    assert locales["xx"].emergency is not None and locales["xx"].emergency.check("my zzfever") == "urgent"
    assert locales["xx"].emergency.check("what is zzfever") is None

    del data["urgent"]
    (tmp_path / "xx.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"xx\.yaml.*urgent"):
        i18n.load.__wrapped__(tmp_path)
    data["urgent"] = "Call."
    data["emergency"] = {"symptoms": ["(unclosed"]}
    (tmp_path / "xx.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"xx\.yaml\.emergency\.symptoms"):
        i18n.load.__wrapped__(tmp_path)


@pytest.mark.unit
def test_a_language_without_a_file_gets_the_english_reply():
    assert i18n.texts("ko") == i18n.texts("en")
    answer = i18n.screen_foreign("CAR-T 치료는 무엇인가요?")
    assert answer is not None and answer.language == "en" and answer.triage == "unsupported_language"
    assert answer.body == i18n.texts("en").english_only and answer.answer.endswith(replies.NOTICE)


# -- detection --------------------------------------------------------------------------------------
@pytest.mark.unit
def test_short_questions_are_detected_in_their_language():
    rows = [r for r in load("language_cases.jsonl") if not r.get("known_miss")]
    assert {r["language"] for r in rows} >= set(LANGUAGES) | {"en"}
    for lang in LANGUAGES:
        assert sum(r["language"] == lang for r in rows) >= 15, lang
    wrong = [(r["text"], r["language"], detect(r["text"])) for r in rows if detect(r["text"]) != r["language"]]
    assert not wrong


@pytest.mark.unit
def test_held_out_detection_accuracy_and_english_is_never_called_foreign():
    rows = load("language_heldout.jsonl")
    table = accuracy(rows)
    right, total = sum(r for r, _ in table.values()), sum(t for _, t in table.values())
    assert right / total >= 0.95, table
    assert table["en"][0] == table["en"][1], [r["text"] for r in rows if r["language"] == "en" and detect(r["text"])]


@pytest.mark.integration
def test_every_answerable_dev_question_stays_english(assistant):
    words = assistant.guard.kit.lexicon().words
    questions = dev_questions()
    assert len(questions) >= 50
    assert [q for q in questions if detect(q, words) != "en"] == []
    assert [q for q in questions if detect(q) != "en"] == []  # even without the articles' vocabulary
    for question in questions:
        answer = assistant.ask(question)
        assert answer.language == "en" and answer.triage != "unsupported_language", question


# -- through the whole assistant ----------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_question_gets_the_fixed_reply_in_its_language(assistant, lang):
    local, english = i18n.texts(lang), i18n.texts("en")
    questions = [r["text"] for r in load("language_cases.jsonl") if r["language"] == lang][:3]
    for question in questions:
        answer = assistant.ask(question)
        assert answer.language == lang and answer.triage == "unsupported_language" and answer.refused, question
        # The visitor's language first, with its notice; then the same in English for staff.
        assert answer.body == f"{local.english_only}\n\n{local.notice}\n\n{english.english_only}"
        assert answer.notice == replies.NOTICE and answer.answer.endswith(replies.NOTICE)
        assert not answer.citations and not answer.suggestions
        data = answer.to_dict()
        assert data["language"] == lang and data["answer"].startswith(local.english_only)


@pytest.mark.integration
def test_spanish_reports_get_the_urgent_reply_in_spanish(assistant):
    es = i18n.texts("es")
    for message in ISSUE_REPORTS:
        answer = assistant.ask(message)
        assert answer.triage == "emergency" and answer.language == "es", message
        assert answer.body == f"{es.urgent}\n\n{es.notice}\n\n{replies.URGENT}" and not answer.suggestions
    crisis = assistant.ask("ya no quiero vivir")
    assert crisis.triage == "emergency" and crisis.body.startswith(es.crisis) and replies.CRISIS in crisis.body


@pytest.mark.integration
@pytest.mark.parametrize("table", SPANISH_TABLES)
def test_spanish_held_out_reports_and_questions(assistant, table, capsys):
    rows = load(table)
    assert sum(r["expected"] is not None for r in rows) >= 15 and sum(r["expected"] is None for r in rows) >= 10
    verdicts = [spanish_verdict(assistant.ask(r["text"])) for r in rows]
    wrong = [(r["text"], r["expected"], v) for r, v in zip(rows, verdicts, strict=True) if v != r["expected"]]
    with capsys.disabled():
        print(f"\n{table}: {precision_recall(rows, verdicts)}")
    assert not wrong


@pytest.mark.integration
def test_a_localized_reply_passes_the_answer_checks(settings):
    from bot.guard import Guard, find_problem

    for message in ("¿Qué es la terapia celular?", "mi padre tiene fiebre de 39 desde ayer"):
        answer = i18n.screen_foreign(message)
        assert answer is not None and find_problem(answer) is None
        assert Guard(settings).verify(answer) is answer


def main() -> None:  # pragma: no cover - prints the figures for docs/safety.md
    for name in ("language_cases.jsonl", "language_heldout.jsonl"):
        table = accuracy(load(name))
        print(name, "  ".join(f"{k} {r}/{t}" for k, (r, t) in sorted(table.items())))
    dev = dev_questions()
    print(f"evals dev questions (expect answer) detected English: {sum(detect(q) == 'en' for q in dev)}/{len(dev)}")
    for name in SPANISH_TABLES:
        rows = load(name)
        verdicts = [spanish_verdict(i18n.screen_foreign(r["text"])) for r in rows]
        print(name, precision_recall(rows, verdicts))


if __name__ == "__main__":  # pragma: no cover
    main()


@pytest.mark.unit
def test_the_screen_has_its_words_in_every_language():
    """What the page switches to (``bot.ui`` hands it over whole): every key, in its own direction."""
    words = i18n.screen_texts()
    assert set(words) == set(i18n.languages())
    keys = {f.name for f in dataclasses.fields(i18n.UiTexts)} | {"notice", "lang", "dir"}
    for code, texts in words.items():
        assert set(texts) == keys and texts["lang"] == code and all(texts.values()), code
        assert texts["dir"] == ("rtl" if code == "ar" else "ltr"), code
        # On a phone only the short "More" shows: it is part of the button's accessible name.
        assert texts["more"].lower() in texts["more_questions"].lower(), code
    assert words["en"]["notice"] == replies.NOTICE and words["es"]["send"] == "Enviar"
