"""The fixed texts in a visitor's language, and the reply to a message not written in English.

The articles and the answers are English, so a question in another language is not answered. Its
reader gets, in their language when ``bot/locales/<code>.yaml`` exists, that only English is answered
and to ask a member of staff, or the urgent (or crisis) reply when the message reports symptoms
(``bot.local_triage``); the same reply follows in English for the staff who help them. Every file
has the same keys as ``en.yaml``, the source they are translated from; a missing language falls
back to English. ``docs/safety.md`` says how a site adds a language.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from bot import language, triage
from bot.local_triage import EmergencyPatterns, Verdict
from bot.types import Answer

log = logging.getLogger(__name__)

LOCALES = Path(__file__).with_name("locales")
SOURCE = "en"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader, ten times faster when present


#: Languages written right to left (ISO 639-1): the screen's texts in them get ``dir="rtl"``.
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"})


@dataclass(frozen=True)
class UiTexts:
    """The words of the chat screen a visitor reads (``bot.ui`` shows them in the visitor's language)."""

    send: str
    placeholder: str
    question_label: str
    more_questions: str
    start_over: str  # the "New conversation" button
    please_note: str
    more: str  # more_questions on a phone, where only this part shows
    not_advice: str  # the notice's one-line form at the top of a phone screen


@dataclass(frozen=True)
class LocalTexts:
    """One language's fixed replies (plain words, short sentences)."""

    language: str  # ISO 639-1 code, the file's name
    name: str  # the language's own name for itself: "Español"
    notice: str  # the "not medical advice" notice
    urgent: str  # symptoms happening now: call the emergency number
    crisis: str  # thoughts of suicide or self-harm
    english_only: str  # only English is answered; ask staff; in an emergency call the number
    not_covered: str  # the materials don't cover that
    english_answer: str  # the answer below comes from English articles and is in English
    ui: UiTexts


@dataclass(frozen=True)
class Locale:
    texts: LocalTexts
    emergency: EmergencyPatterns | None  # None: no symptom patterns written for this language


def _strings(data: Mapping[str, Any], names: Collection[str], where: str) -> dict[str, str]:
    missing = [n for n in names if not isinstance(data.get(n), str) or not data[n].strip()]
    if missing:
        raise ValueError(f"{where}: missing or empty {missing}")
    return {n: " ".join(data[n].split()) for n in names}


def parse(code: str, data: object, where: str) -> Locale:
    """A locale from one file's YAML; a clear ``ValueError`` naming the file and key when it is incomplete."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping of texts")
    ui_names = [f.name for f in fields(UiTexts)]
    ui = data.get("ui")
    if not isinstance(ui, dict):
        raise ValueError(f"{where}: missing 'ui' with {ui_names}")
    names = [f.name for f in fields(LocalTexts) if f.name not in ("language", "ui")]
    ui_texts = UiTexts(**_strings(ui, ui_names, f"{where}.ui"))
    texts = LocalTexts(language=code, **_strings(data, names, where), ui=ui_texts)
    section = data.get("emergency")
    if section is not None and not isinstance(section, dict):
        raise ValueError(f"{where}.emergency: expected a mapping of pattern lists")
    emergency = EmergencyPatterns.parse(section, f"{where}.emergency") if section else None
    return Locale(texts, emergency)


@functools.cache
def load(folder: Path = LOCALES) -> dict[str, Locale]:
    """Every ``<code>.yaml`` in ``folder``, read once."""
    out: dict[str, Locale] = {}
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            out[path.stem] = parse(path.stem, yaml.load(f, Loader=_LOADER), path.name)
    if SOURCE not in out:
        raise ValueError(f"{folder}: no {SOURCE}.yaml, the source of the other languages")
    return out


def languages() -> list[str]:
    """The codes with a locale file, English first."""
    return sorted(load(), key=lambda code: (code != SOURCE, code))


def texts(lang: str) -> LocalTexts:
    """The texts in ``lang``, or in English when there is no file for it."""
    locales = load()
    return (locales.get(lang) or locales[SOURCE]).texts


def screen_texts() -> dict[str, dict[str, str]]:
    """Every language's screen words, and its ``lang``, ``dir`` and notice, for the page to switch to."""
    out = {}
    for code in languages():
        local = texts(code)
        direction = "rtl" if code in RIGHT_TO_LEFT else "ltr"
        out[code] = {**vars(local.ui), "notice": local.notice, "lang": code, "dir": direction}
    return out


def screen_foreign(text: str, english_words: Collection[str] = ()) -> Answer | None:
    """None for English; otherwise the fixed reply in the message's language (see the module doc)."""
    lang = language.detect(text, english_words)
    return None if lang == SOURCE else foreign_reply(text, lang)


def foreign_reply(text: str, lang: str) -> Answer:
    """The reply to ``text`` written in ``lang``: a symptom report gets the urgent or crisis reply."""
    locales = load()
    verdict, found = find_report(text, lang)
    if verdict is not None:
        lang = found  # "Me sangra la nariz" read as Portuguese: Spanish patterns found it, answer in Spanish
    locale, english = locales.get(lang), locales[SOURCE].texts
    key = verdict or "english_only"  # "crisis", "urgent" or "english_only": a LocalTexts field
    parts = [getattr(locale.texts, key), locale.texts.notice] if locale else []
    parts.append(getattr(english, key))  # the notice in English closes every reply (``Answer.notice``)
    triage = "emergency" if verdict else "unsupported_language"
    log.info("reply to a message in %s: %s%s", lang, key, "" if locale else " (no texts: in English)")
    return Answer(body="\n\n".join(parts), refused=True, triage=triage, language=lang if locale else SOURCE)


def find_report(text: str, lang: str) -> tuple[Verdict, str]:
    """A symptom report by the patterns of ``lang`` first, then of every other language that has some.

    Short messages in languages close to each other are often read as the neighbour ("Me sangra la
    nariz" as Portuguese); a report must not be missed for that. A language with no patterns of its
    own falls back on the English triage. Returns the verdict and whose patterns found it.
    """
    locales = load()
    order = [lang, *(code for code in sorted(locales) if code != lang)]
    for code in order:
        patterns = locales[code].emergency if code in locales else None
        verdict = patterns.check(text) if patterns is not None else None
        if verdict is not None:
            return verdict, code
    if lang in locales and locales[lang].emergency is not None:
        return None, lang  # its own patterns read it as a question: "¿hay riesgo de suicidio...?"
    # No patterns for this language: the English ones still catch "39,5°C!" or a cognate ("convulsion").
    finding = triage.emergency(text)
    return ("crisis" if finding.crisis else "urgent") if finding.emergency else None, lang
