"""How well the composer answers: lead@1, key facts, length, reading grade, citation recall, refusals.

    python -m evals.answer_quality --questions evals/questions-dev.jsonl --index-dir /tmp/idx --out dev.json

``lead@1``: for a question expecting an answer, with ``facts``, 1 when the FIRST answer sentence
(after the assistant's fixed lines from ``bot.replies``) matches at least one fact pattern.
Runs the real pipeline (``bot.assistant.Assistant`` over the real index), as ``evals run`` does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.text import cited_sentences
from evals import metrics as m
from evals import readability
from evals.dataset import Item, load_questions, matches

REPO = Path(__file__).resolve().parents[1]


def lead_sentence(body: str) -> str:
    """The first answer sentence, after the assistant's fixed wording."""
    pairs = cited_sentences(m.claims(body))
    return pairs[0][0] if pairs else ""


def score_one(item: Item, answer: Any) -> dict[str, Any]:
    body = answer.body or ""
    answered = not answer.refused and bool(body.strip())
    claims = m.claims(body)
    row: dict[str, Any] = {
        "id": item.id,
        "question": item.question,
        "refused": answer.refused,
        "lead": lead_sentence(body) if answered else "",
        "body": body,
        "sentences": len(cited_sentences(claims)) if answered else 0,
        "words": len(readability.plain_text(claims).split()) if answered else None,
        "fk": readability.grade(claims) if answered else None,
    }
    scores = m.answer_scores(item, answer)
    row["citation_recall"] = scores["citation_recall"]
    if item.expect == "answer" and item.facts:
        row["lead@1"] = float(answered and any(matches(f, row["lead"]) for f in item.facts))
        row["key_facts"] = float(scores["fact_recall"] == 1.0)
    return row


def summarise(rows: Sequence[dict[str, Any]], items: Sequence[Item]) -> dict[str, Any]:
    expect = {i.id: i.expect for i in items}
    answered = [r for r in rows if not r["refused"]]
    labelled = [r for r in rows if "lead@1" in r]

    def mean(key: str, over: Sequence[dict[str, Any]]) -> float | None:
        values = [r[key] for r in over if r.get(key) is not None]
        return round(statistics.fmean(values), 3) if values else None

    def median(key: str) -> float | None:
        values = [r[key] for r in answered if r.get(key) is not None]
        return round(statistics.median(values), 1) if values else None

    return {
        "n_labelled": len(labelled),
        "lead@1": mean("lead@1", labelled),
        "key_facts": mean("key_facts", labelled),
        "median_words": median("words"),
        "median_fk": median("fk"),
        "median_sentences": median("sentences"),
        "citation_recall": mean("citation_recall", answered),
        "refused_expect_answer": sum(r["refused"] for r in rows if expect[r["id"]] == "answer"),
    }


def run(questions: Path, index_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from bot.assistant import Assistant
    from bot.config import Settings

    items = load_questions(questions)
    settings = Settings.from_env().replace(corpus_dir=REPO / "corpus", data_dir=index_dir, llm="")
    assistant = Assistant(settings)
    assistant.ensure_index()
    rows = [score_one(item, assistant.ask(item.question, list(item.history))) for item in items]
    return rows, summarise(rows, items)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=REPO / "evals" / "questions-dev.jsonl")
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="write every row and the summary here (JSON)")
    args = parser.parse_args(argv)
    rows, summary = run(args.questions, args.index_dir)
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1, ensure_ascii=False) + "\n")
    json.dump(summary, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
