"""Names the guard's patterns need from the articles, derived from them (nothing listed by hand)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.glossary import Term


@dataclass(frozen=True)
class CorpusNames:
    """Names the patterns need from the articles, derived from them (nothing listed by hand).

    ``treatments``: the articles' short hyphenated names ("AB-C"), "can I get AB-C?" being a
    treatment decision; ``conditions``: the syndromes and diseases the articles define
    ("xyz syndrome (XS)"), "I think he has XS" being a report.
    """

    treatments: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[Term], compounds: Mapping[str, str]) -> CorpusNames:
        """From what ingest found: the defined terms (``CorpusProfile.glossary``) and the joined names."""
        conditions = {
            form.lower()
            for term in terms
            if _CONDITION.search(term.long_form)
            for form in (term.abbreviation, _CONDITION.sub("", term.long_form).strip() or term.long_form)
        }
        return cls(tuple(sorted(compounds.values())), tuple(sorted(conditions)))

    def pattern(self, names: tuple[str, ...]) -> str:
        """Alternatives for the names, typed with or without the hyphen: "ab-c", "ab c", "abc"."""
        forms = (r"[\s-]?".join(re.escape(part) for part in n.lower().split("-")) for n in names)
        return "".join(rf"\b{f}\b|" for f in forms)

    def named_treatment(self, text: str) -> bool:
        """Does ``text`` (lower case) name one of the articles' treatments?"""
        return bool(self.treatments) and bool(re.search(self.pattern(self.treatments).rstrip("|"), text))


# "irritable bowel syndrome", "inflammatory bowel disease": what a defined term must name to be a condition.
_CONDITION = re.compile(r"\b(?:syndrome|disease|toxicity|reaction|infection|disorder)s?\b", re.IGNORECASE)
NO_NAMES = CorpusNames()
