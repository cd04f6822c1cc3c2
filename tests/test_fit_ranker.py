"""``evals/fit_ranker.py`` still runs against the real composer and index (it is run by hand, so
nothing else would notice when a refactor breaks it)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.ranker import FEATURES
from evals.dataset import DEV_QUESTIONS, load_questions
from evals.fit_ranker import collect, fit, lead_at_1, tunable_sets


@pytest.mark.integration
def test_fit_ranker_collects_dev_candidates_and_fits_them(assistant):
    items = [i for i in load_questions(DEV_QUESTIONS) if i.expect == "answer" and i.facts][:12]
    groups = collect(items, assistant)
    assert len(groups) >= 10
    for group in groups:
        assert group.features.shape == (len(group.labels), len(FEATURES))
        assert np.isfinite(group.features).all()
    answerable = [g for g in groups if g.labels.any()]
    ranker = fit(answerable, strength=0.03, steps=300)
    fitted = lead_at_1(answerable, [ranker.logits(g.features) for g in answerable])
    # Fitted on these very questions, it must put a fact first at least as often as plain cosine does.
    assert fitted >= lead_at_1(answerable, [g.cosine for g in answerable])


@pytest.mark.unit
def test_fit_ranker_reads_only_the_tunable_sets():
    names = [s.name for s in tunable_sets()]
    assert names[0] == "dev" and all(n.startswith("devnew:") for n in names[1:]) and len(names) >= 3
