"""What is specific to one site, read from ``site.yaml`` beside its articles (``BOT_CORPUS_DIR``).

The code knows no therapy, term or article: the topic shown to visitors, the starter questions
and the guard's site-specific exemplars come from this file (documented in ``corpus/site.yaml``);
everything else is derived from the articles at ingest.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

FILE_NAME = "site.yaml"
#: Used when a corpus folder has no site file: nothing topical is claimed.
GENERIC_TOPIC = "health"  # "I can only answer questions about health from my articles."


_EXAMPLE_LISTS = (
    "example_questions",
    "emergency_exemplars",
    "education_exemplars",
    "calm_exemplars",
    "in_scope_examples",
    "out_of_scope_examples",
)


class SiteFileError(ValueError):
    """``site.yaml`` exists but cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Site:
    topic: str = GENERIC_TOPIC
    example_questions: tuple[str, ...] = ()
    # The guard's labelled examples in this site's words (added to the generic ``bot.exemplars``).
    emergency_exemplars: tuple[str, ...] = ()
    education_exemplars: tuple[str, ...] = ()
    calm_exemplars: tuple[str, ...] = ()
    in_scope_examples: tuple[str, ...] = ()
    out_of_scope_examples: tuple[str, ...] = ()

    def say(self, template: str) -> str:
        """A fixed reply with this site's topic in it (``{topic}``)."""
        return template.replace("{topic}", self.topic)


@functools.lru_cache(maxsize=8)
def load_site(corpus_dir: Path) -> Site:
    """The site file of a corpus folder (a default when there is none)."""
    path = Path(corpus_dir) / FILE_NAME
    if not path.is_file():
        return Site()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SiteFileError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SiteFileError(f"{path} must be a mapping of fields (topic, example_questions, ...)")
    topic = data.get("topic") or GENERIC_TOPIC
    if not isinstance(topic, str):
        raise SiteFileError(f"{path}: topic must be text")
    return Site(
        topic=" ".join(topic.split()),
        **{name: _texts(data, name, path) for name in _EXAMPLE_LISTS},
    )


def _texts(data: dict[str, object], name: str, path: Path) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SiteFileError(f"{path}: {name} must be a list of non-empty texts")
    return tuple(" ".join(v.split()) for v in value)
