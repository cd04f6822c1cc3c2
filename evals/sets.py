"""Question sets: the dev and frozen test splits, and the added-article sets with the corpus each is scored on.

An added-article set is a folder ``<root>/<slug>/`` holding an article the shipped corpus does not
have (``<slug>.md``), its questions (``questions.jsonl``) and the site file for the shipped corpus
plus that article (``site.yaml``). It is scored on a temporary corpus folder: ``corpus/*.md`` + the
article + that ``site.yaml``, with its own index. Two roots, two roles:

- ``evals/dev_articles/`` (sets named ``devnew:<slug>``): DEV. Tune generic behaviour on them
  (scope, advice framing, choice of the first sentence) on text the code was not written for.
- ``evals/new_articles/`` (sets named ``new:<slug>``): TEST only. They measure what a clinic gets
  when it adds an article nothing in ``bot/`` was tuned on.

Neither kind counts towards the floors (those are set on dev + test, the shipped corpus's questions).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.dataset import DEV_ARTICLES, DEV_QUESTIONS, NEW_ARTICLES, TEST_QUESTIONS, Item, load_questions

SITE_FILE = "site.yaml"
NEW_ARTICLE_PREFIX = "new:"  # test-only added articles
DEV_ARTICLE_PREFIX = "devnew:"  # added articles to tune on


@dataclass(frozen=True)
class QuestionSet:
    name: str  # "dev", "test", "devnew:<slug>", "new:<slug>", or a question file's stem
    path: Path
    items: tuple[Item, ...]
    article: Path | None = None  # the article added to the shipped corpus (added-article sets only)

    @property
    def is_new_article(self) -> bool:
        """Scored on the shipped corpus plus an added article (a dev or a test article)."""
        return self.article is not None

    @property
    def is_dev_article(self) -> bool:
        """An added article that may be tuned on (``devnew:``), unlike the test-only ``new:`` ones."""
        return self.name.startswith(DEV_ARTICLE_PREFIX)

    @property
    def tunable(self) -> bool:
        """May anything be set from this set's results? dev and the dev articles: yes; test, new articles: no."""
        return self.name == "dev" or self.is_dev_article

    @property
    def site(self) -> Path | None:
        return self.article.parent / SITE_FILE if self.article else None

    def select(self, kinds: Sequence[str] = (), limit: int | None = None) -> QuestionSet:
        """The same set with only questions of ``kinds`` (all when empty), then only the first ``limit``."""
        items = [i for i in self.items if not kinds or i.kind in kinds]
        return QuestionSet(self.name, self.path, tuple(items[:limit] if limit else items), self.article)


def load_set(path: Path, name: str | None = None) -> QuestionSet:
    """A question file as a set; a ``questions.jsonl`` beside ``<folder>.md`` is an added-article set.

    It is named ``devnew:<folder>`` when the folder is under ``evals/dev_articles/``, else ``new:<folder>``.
    """
    path = Path(path)
    article = path.parent / f"{path.parent.name}.md"
    if path.name == "questions.jsonl" and article.is_file():
        prefix = DEV_ARTICLE_PREFIX if path.resolve().parent.parent == DEV_ARTICLES else NEW_ARTICLE_PREFIX
        return QuestionSet(name or prefix + path.parent.name, path, tuple(load_questions(path)), article)
    return QuestionSet(name or path.stem, path, tuple(load_questions(path)))


def _article_sets(root: Path) -> list[QuestionSet]:
    folders = sorted(p.parent for p in root.glob("*/questions.jsonl")) if root.is_dir() else []
    return [load_set(folder / "questions.jsonl") for folder in folders]


def dev_article_sets(root: Path = DEV_ARTICLES) -> list[QuestionSet]:
    """The added-article sets to tune on (``devnew:<slug>``)."""
    return _article_sets(root)


def new_article_sets(root: Path = NEW_ARTICLES) -> list[QuestionSet]:
    """The test-only added-article sets (``new:<slug>``)."""
    return _article_sets(root)


def default_sets() -> list[QuestionSet]:
    """What ``python -m evals run`` scores by default: dev, test, the dev articles, then the test articles."""
    return [
        load_set(DEV_QUESTIONS, "dev"),
        load_set(TEST_QUESTIONS, "test"),
        *dev_article_sets(),
        *new_article_sets(),
    ]


def shipped_items(sets: Iterable[QuestionSet]) -> list[Item]:
    """The questions about the shipped corpus (dev + test: the original 130), on which the floors are set."""
    return [item for s in sets if not s.is_new_article for item in s.items]


def article_corpus(question_set: QuestionSet, corpus_dir: Path, root: Path) -> Path:
    """A corpus folder under ``root``: the shipped articles, the set's article and its site file.

    Files are rewritten only when their content changed, so an index kept with ``--index-dir``
    stays current from one run to the next.
    """
    if question_set.article is None:
        return corpus_dir
    target = root / f"corpus-{question_set.article.stem}"
    target.mkdir(parents=True, exist_ok=True)
    wanted = [*sorted(corpus_dir.glob("*.md")), question_set.article]
    if question_set.site and question_set.site.is_file():
        wanted.append(question_set.site)
    names = {source.name for source in wanted}
    for stale in target.iterdir():
        if stale.name not in names:
            stale.unlink()
    for source in wanted:
        copy = target / source.name
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    return target
