"""Question sets: the dev and frozen test splits, and the new-article sets with the corpus each is scored on.

A new-article set is a folder ``evals/new_articles/<slug>/`` holding an article the shipped corpus
does not have (``<slug>.md``), its questions (``questions.jsonl``) and the site file for the
shipped corpus plus that article (``site.yaml``). It is scored on a temporary corpus folder:
``corpus/*.md`` + the article + that ``site.yaml``, with its own index. It measures what a clinic
gets when it adds an article nothing in ``bot/`` was tuned on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.dataset import DEV_QUESTIONS, NEW_ARTICLES, TEST_QUESTIONS, Item, load_questions

SITE_FILE = "site.yaml"
NEW_ARTICLE_PREFIX = "new:"


@dataclass(frozen=True)
class QuestionSet:
    name: str  # "dev", "test", "new:<slug>", or a question file's stem
    path: Path
    items: tuple[Item, ...]
    article: Path | None = None  # the article added to the shipped corpus (new-article sets only)

    @property
    def is_new_article(self) -> bool:
        return self.article is not None

    @property
    def site(self) -> Path | None:
        return self.article.parent / SITE_FILE if self.article else None

    def select(self, kinds: Sequence[str] = (), limit: int | None = None) -> QuestionSet:
        """The same set with only questions of ``kinds`` (all when empty), then only the first ``limit``."""
        items = [i for i in self.items if not kinds or i.kind in kinds]
        return QuestionSet(self.name, self.path, tuple(items[:limit] if limit else items), self.article)


def load_set(path: Path, name: str | None = None) -> QuestionSet:
    """A question file as a set; a ``questions.jsonl`` beside ``<folder>.md`` is a new-article set."""
    path = Path(path)
    article = path.parent / f"{path.parent.name}.md"
    if path.name == "questions.jsonl" and article.is_file():
        return QuestionSet(name or NEW_ARTICLE_PREFIX + path.parent.name, path, tuple(load_questions(path)), article)
    return QuestionSet(name or path.stem, path, tuple(load_questions(path)))


def new_article_sets(root: Path = NEW_ARTICLES) -> list[QuestionSet]:
    folders = sorted(p.parent for p in root.glob("*/questions.jsonl")) if root.is_dir() else []
    return [load_set(folder / "questions.jsonl") for folder in folders]


def default_sets() -> list[QuestionSet]:
    """What ``python -m evals run`` scores by default: dev, test, then every new-article set."""
    return [load_set(DEV_QUESTIONS, "dev"), load_set(TEST_QUESTIONS, "test"), *new_article_sets()]


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
