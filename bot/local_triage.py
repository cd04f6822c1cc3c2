"""Symptom reports in another language, from the patterns in that language's ``bot/locales/*.yaml``.

The English triage (``bot.triage``) reads English and its embedding exemplars are English too, so a
report such as "mi esposo tiene fiebre alta desde la infusión" needs its own patterns. They live in
the ``emergency`` section of the language's file (regular expressions, so a site adds or fixes one
without touching code) and are read the way ``bot.triage`` reads English:

* *crisis*: thoughts of suicide or self-harm, unless the message asks about them (``crisis_learning``);
* *report*: a symptom with a person before it in the same sentence ("mi madre está confundida"), or a
  symptom that names the person itself ("no puedo respirar"), with no ``talking_about`` word between
  them, no condition or generic subject before it (``not_now``) and not ``long_ago``;
* *telegraphic report*: a short message with a symptom and a ``now`` cue (a time, a number, a
  treatment) and nothing of a question about symptoms (``asking``): "fiebre de 39 desde ayer".

Patterns match the message in lower case with accents removed, so they are written without accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["crisis", "urgent"] | None

#: How far before a symptom its person may be (characters), as in ``bot.triage``.
WINDOW = 90
#: A telegraphic report is short.
MAX_TELEGRAPHIC_WORDS = 20
SECTIONS = ("crisis", "crisis_learning", "symptoms", "person", "talking_about", "not_now", "long_ago", "now", "asking")
_CLAUSES = re.compile(r"[.!?;\n¿¡。！？؟।]+")


def fold(text: str) -> str:
    """Lower case without accents: "Está confundida" → "esta confundida"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _compile(patterns: object, where: str) -> re.Pattern[str] | None:
    if patterns is None:
        return None
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError(f"{where}: expected a list of regular expressions")
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    except re.error as exc:
        raise ValueError(f"{where}: {exc}") from exc


@dataclass(frozen=True)
class EmergencyPatterns:
    """One language's compiled ``emergency`` section. A missing section never matches."""

    crisis: re.Pattern[str] | None
    crisis_learning: re.Pattern[str] | None
    symptoms: re.Pattern[str] | None
    person: re.Pattern[str] | None
    talking_about: re.Pattern[str] | None
    not_now: re.Pattern[str] | None
    long_ago: re.Pattern[str] | None
    now: re.Pattern[str] | None
    asking: re.Pattern[str] | None

    @classmethod
    def parse(cls, section: Mapping[str, object], where: str) -> EmergencyPatterns:
        unknown = set(section) - set(SECTIONS)
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)} (expected some of {list(SECTIONS)})")
        return cls(**{name: _compile(section.get(name), f"{where}.{name}") for name in SECTIONS})

    def check(self, text: str) -> Verdict:
        """ "crisis", "urgent" (a symptom report happening now) or None."""
        t = fold(text)
        if _has(self.crisis, t) and not _has(self.crisis_learning, t):
            return "crisis"
        if self.symptoms is None:
            return None
        if any(self._report(clause) for clause in _CLAUSES.split(t) if clause.strip()):
            return "urgent"
        return "urgent" if self._telegraphic(t) else None

    def _report(self, clause: str) -> bool:
        assert self.symptoms is not None
        if _has(self.long_ago, clause):
            return False
        for m in self.symptoms.finditer(clause):
            start = max(0, m.start() - WINDOW)
            people = list(self.person.finditer(clause[start : m.start()])) if self.person else []
            if people:
                if _has(self.talking_about, clause[start + people[-1].end() : m.start()]):
                    continue  # "mi pregunta es sobre la fiebre"
            elif not _has(self.person, m.group(0)):
                continue  # nobody has it; but "no puedo respirar" names the person inside
            if _has(self.not_now, clause[: m.start()]):
                continue  # "si tengo fiebre", "los pacientes tienen fiebre"
            return True
        return False

    def _telegraphic(self, text: str) -> bool:
        text = text.strip(" ¿¡\"'")  # "¿cuánto dura...?" opens with "cuánto", for ``asking``
        words = text.split()
        if not words or len(words) > MAX_TELEGRAPHIC_WORDS or not _has(self.symptoms, text):
            return False
        if _has(self.asking, text) or _has(self.not_now, text) or _has(self.long_ago, text):
            return False
        return _has(self.now, text)


def _has(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


def parse_all(sections: Mapping[str, Mapping[str, object]]) -> dict[str, EmergencyPatterns]:
    """Compiled patterns per language code, from each locale's ``emergency`` section."""
    return {code: EmergencyPatterns.parse(section, f"{code}.emergency") for code, section in sections.items()}
