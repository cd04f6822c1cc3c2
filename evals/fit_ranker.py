"""Fit the answer ranker's weights (``bot/ranker.json``) on the DEV questions only.

    python -m evals.fit_ranker --index-dir /tmp/idx            # fit, report, write bot/ranker.json
    python -m evals.fit_ranker --index-dir /tmp/idx --dry-run  # report only

Each candidate sentence the composer would consider (same retrieval, same features as
``bot.extractive``) is labelled positive when it matches one of the question's ``facts``
patterns (text normalised as in ``evals.dataset``). A listwise logistic regression (numpy,
softmax over each question's candidates, L2) is fitted on standardised features; the
regularisation is chosen by leave-one-question-out lead@1. Never point this at ``questions-test.jsonl`` or
``evals/new_articles/``: those are the frozen test sets.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot import question_form as qf
from bot.ranker import FEATURES, WEIGHTS_FILE, Ranker
from evals.dataset import Item, load_questions, matches

if TYPE_CHECKING:
    from bot.assistant import Assistant

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "evals" / "questions-dev.jsonl"
STRENGTHS = (0.003, 0.01, 0.03, 0.1)  # L2 penalties tried (per question)


@dataclass
class Group:
    """The candidates of one question."""

    id: str
    features: np.ndarray  # (n, len(FEATURES))
    labels: np.ndarray  # (n,) 1.0 = matches a fact
    cosine: np.ndarray  # (n,) for the plain-cosine baseline


def dev_assistant(index_dir: Path) -> Assistant:
    """The extractive assistant over the shipped corpus, its index kept in ``index_dir``."""
    from bot.assistant import Assistant
    from bot.config import Settings

    settings = Settings.from_env().replace(corpus_dir=REPO / "corpus", data_dir=index_dir, llm="")
    assistant = Assistant(settings)
    assistant.ensure_index()
    return assistant


def collect(items: Sequence[Item], assistant: Assistant) -> list[Group]:
    """Candidates and labels for every question expecting an answer with facts."""
    from bot.chain import contextualize
    from bot.extractive import ExtractiveComposer, candidates

    composer = ExtractiveComposer()
    groups = []
    for item in items:
        if item.expect != "answer" or not item.facts:
            continue
        screening = assistant.guard.screen(item.question, list(item.history))
        if screening.early is not None:
            continue
        retrieval = assistant.retriever.retrieve(contextualize(screening.question, screening.history))
        found = candidates(retrieval)
        if not found:
            continue
        form = qf.read_form(screening.question)
        labels = [float(any(matches(f, c.shown) for f in item.facts)) for c in found]
        features = composer.features(form, retrieval, found)
        cosine = np.array([c.signals.cosine for c in found])
        groups.append(Group(item.id, features, np.array(labels), cosine))
    return groups


def fit(groups: Sequence[Group], strength: float, steps: int = 3000, rate: float = 0.05) -> Ranker:
    """Multinomial (listwise) logistic regression: per question, a softmax over its candidates,
    maximising the probability of its fact-holding ones; L2 penalty ``strength``; gradient
    descent with Nesterov momentum on standardised features. Each question weighs the same."""
    x = np.vstack([g.features for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    positive = np.concatenate([g.labels > 0 for g in groups])
    starts = np.cumsum([0] + [len(g.labels) for g in groups])[:-1]
    group_of = np.repeat(np.arange(len(groups)), [len(g.labels) for g in groups])
    w, velocity = np.zeros(z.shape[1]), np.zeros(z.shape[1])
    for _ in range(steps):
        ahead = w + 0.9 * velocity
        s = z @ ahead
        e = np.exp(s - np.maximum.reduceat(s, starts)[group_of])
        p = e / np.add.reduceat(e, starts)[group_of]
        q = e * positive
        q = q / np.add.reduceat(q, starts)[group_of]
        gradient = (p - q) @ z / len(groups) + strength * ahead
        velocity = 0.9 * velocity - rate * gradient
        w = w + velocity
    return Ranker(mean, scale, w, 0.0)


def lead_at_1(groups: Sequence[Group], score: list[np.ndarray]) -> float:
    """Share of questions whose top-scored candidate matches a fact."""
    return float(np.mean([g.labels[int(np.argmax(s))] for g, s in zip(groups, score, strict=True)]))


def held_out(groups: Sequence[Group], strength: float) -> float:
    """Leave-one-question-out lead@1."""
    scores = []
    for i, g in enumerate(groups):
        ranker = fit([o for j, o in enumerate(groups) if j != i], strength)
        scores.append(ranker.logits(g.features))
    return lead_at_1(groups, scores)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DEV, help="the DEV split (never the test split)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if "test" in args.questions.name or "new_articles" in str(args.questions):
        parser.error("fit on the dev split only; the test sets stay unseen")
    groups = collect(load_questions(args.questions), dev_assistant(args.index_dir))
    answerable = [g for g in groups if g.labels.any()]
    print(f"{len(groups)} questions, {len(answerable)} with a fact-holding candidate", file=sys.stderr)
    print(f"plain cosine lead@1: {lead_at_1(answerable, [g.cosine for g in answerable]):.3f}", file=sys.stderr)
    cv = {s: held_out(answerable, s) for s in STRENGTHS}
    for s, value in cv.items():
        print(f"L2 {s:<5} leave-one-out lead@1: {value:.3f}", file=sys.stderr)
    best = max(STRENGTHS, key=lambda s: (cv[s], s))
    ranker = fit(answerable, best)
    fitted = lead_at_1(answerable, [ranker.logits(g.features) for g in answerable])
    print(f"chosen L2 {best}: in-sample lead@1 {fitted:.3f}", file=sys.stderr)
    for name, weight in sorted(zip(FEATURES, ranker.weights, strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:<15} {weight:+.3f}", file=sys.stderr)
    if not args.dry_run:
        data = {**ranker.to_dict(), "fitted_on": args.questions.name, "l2": best, "loo_lead_at_1": round(cv[best], 3)}
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
