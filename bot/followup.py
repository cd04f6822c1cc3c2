"""A follow-up question says "it", "they" or "that trial": put back what it refers to.

"What is dialysis?" then "how long does it take?" → "how long does dialysis take?". The subject is the noun
phrase the previous question asked about, found from the question's grammar (question words,
parts of speech), not from a list of this corpus's terms. Both retrieval and the composer then
see a self-contained question. When no subject can be found, retrieval searches the previous
question and this one together (``query_for``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import question_form as qf
from bot.sentence_cues import singles_out
from bot.text import STOPWORDS, lemmas
from bot.types import Message

# A follow-up leans on the conversation: "what about its side effects?", "and is it safer?"
_LEANS = re.compile(
    r"\b(it|its|it's|they|them|their|this|that|these|those|the same|one|ones)\b"
    r"|^\s*(and|what about|how about|why|so)\b",
    re.IGNORECASE,
)
# The question form in front of a subject: "what is", "how much does", "tell me about", "is".
_LEAD = re.compile(
    r"^\s*(?:(?:what|how|why|when|where|which|who)(?:\s+(?:much|many|long|often|common|exactly|kind of|type of))?"
    r"(?:'s|\s+(?:is|are|was|were|does|do|did|can|could|will|would|should|about))?"
    r"|is|are|does|do|did|can|could|will|would|should|tell me (?:about|more about)|explain|describe|define)\s+"
    r"(?:(?:the|a|an)\s+)?",
    re.IGNORECASE,
)
_NEVER = re.compile(r"(?!)")
_IT = re.compile(r"\bit\b(?!')", re.IGNORECASE)
_THEY = re.compile(r"\b(?:they|them)\b(?!')", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:its|their)\b", re.IGNORECASE)
# "the brain one", "which ones", "that one": the noun is left out; it is the previous subject's.
_ONE = re.compile(r"\b(the|that|this|which|each)\s+((?:[a-z][\w-]*\s+){0,2}?)(ones?)\b(?:\s+(\w+))?", re.IGNORECASE)


def resolve(question: str, history: Sequence[Message]) -> str:
    """The question with its first pronoun (or "that <noun>") replaced by the previous subject."""
    if not history or not _LEANS.search(question):
        return question
    previous = _last_question(history)
    subject = subject_of(previous)
    if subject and singles_out(subject):  # "the most common side effect": "it" is the one the answer named
        subject = named_in(_last_answer(history)) or subject
    if _THEY.search(question) and not _IT.search(question) and not (subject and _plural(subject.split()[-1])):
        subject = _plural_phrase(previous) or subject  # "they" agrees with a plural: "marks and dots"
    if not subject:
        return question
    one = _fill_one(question, subject)
    if one is not None:
        return one
    head = subject.split()[-1]
    demonstrative = re.compile(rf"\b(?:that|this|these|those|the same)\s+{re.escape(head)}\b", re.IGNORECASE)
    for pattern, replacement in (
        (demonstrative, f"the {subject}"),
        (_POSSESSIVE, f"{subject}'s"),
        (_IT, subject),  # "it" before "they": "how sure are they about it?" asks about the subject
        (_THEY if _plural(head) else _NEVER, subject),  # "they" only for a plural: number agreement
    ):
        resolved, count = pattern.subn(replacement, question, count=1)
        if count:
            return resolved
    return question


def _fill_one(question: str, subject: str) -> str | None:
    """ "what about the brain one?" after "What are the side effects of X?" → "what about the brain
    side effect of X?"; None when the question has no such "one" ("is one dose enough?")."""
    m = _ONE.search(question)
    if m is None or (m.group(4) and m.group(4).lower() not in STOPWORDS and _can_name(m.group(4).lower())):
        return None  # "the one dose": a number before its noun
    determiner, modifiers, ones = m.group(1), m.group(2), m.group(3).lower()
    head, _, complement = subject.partition(" of ")
    if not modifiers and determiner.lower() in ("that", "this"):
        noun = f"the {subject}"  # "that one" is the subject itself
    else:
        noun = f"{determiner} {modifiers}{_in_number(head, plural=ones == 'ones')}"
        noun += f" of {complement}" if complement else ""
    end = m.end(3)
    return question[: m.start()] + noun + question[end:]


def _in_number(phrase: str, plural: bool) -> str:
    """The phrase with its last noun singular or plural: "side effects" → "side effect"."""
    from lemminflect import getInflection

    *before, last = phrase.split()
    singular = lemmas(last.lower()).get("NOUN", (last,))[0] if _plural(last) else last
    word = (getInflection(singular, "NNS") or (singular + "s",))[0] if plural else singular
    return " ".join([*before, word])


def query_for(question: str, resolved: str, history: Sequence[Message]) -> str:
    """What retrieval searches for: the resolved question, or the previous question and this one."""
    if resolved != question or not history or not _LEANS.search(question):
        return resolved
    previous = _last_question(history)
    return f"{previous} {question}" if previous else question


def subject_of(question: str) -> str | None:
    """The noun phrase a question asks about: "What is proton beam therapy?" → "proton beam therapy"."""
    asked = question.strip().rstrip("?.! ")
    lead = _LEAD.match(asked)
    text = asked[lead.end() :] if lead else asked
    # After "does", "can", "will" ... the subject is followed by the main verb in its base form.
    verb_follows = bool(lead and _DO_OR_MODAL.search(lead.group(0)))
    subject: list[str] = []
    words = text.split()
    for at, word in enumerate(words):
        core = word.strip(",;:\"'()").lower()
        if core == "of" and subject:  # "side effects of X"
            subject.append(word)
            continue
        after = words[at + 1].strip(",;:\"'()").lower() if at + 1 < len(words) else ""
        if core and _can_describe(core) and after and after not in STOPWORDS and _can_name(after):
            subject.append(word)  # "anticipatory nausea": an adjective before the noun it qualifies
            continue
        if subject and _gerund(core):
            subject.append(word.strip(',;:"()'))  # "scalp cooling", "hair thinning": a noun made of a verb
            continue
        if not core or core in STOPWORDS or not _can_name(core):
            break
        if subject and _plural(subject[-1]) and "VERB" in lemmas(core) and not _plural(core):
            break  # "do ice chips help ...": a plural subject's verb follows it in its base form
        if subject and verb_follows and _base_verb(core) and not _base_verb(after):
            break  # "does X cause rashes", "does X make your hair ...": the verb, not part of X ("cord blood work")
        subject.append(word.strip(',;:"()'))
    while subject and subject[-1].lower() == "of":
        subject.pop()
    last = subject[-1].lower() if subject else ""
    if len(subject) > 1 and qf.read_form(asked).kind == qf.YES_NO and (_can_describe(last) or _gerund(last)):
        subject.pop()  # "Is X safe?", "Is X working?": the last word is what is asked of the subject
    return " ".join(subject) or None


_DO_OR_MODAL = re.compile(r"\b(?:does|do|did|can|could|will|would|should)\s+(?:(?:the|a|an)\s+)?$", re.IGNORECASE)


def _gerund(word: str) -> bool:
    """An -ing form known only as a verb's ("cooling", "thinning")."""
    return word.endswith("ing") and "VERB" in lemmas(word)


def _base_verb(word: str) -> bool:
    return word in lemmas(word).get("VERB", ())


# "... is glorbin fever (GF), which": what the answer names, after its first "is"/"are".
_NAMED = re.compile(r"\b(?:is|are)\s+(?:called\s+)?([^,;:.()]+)", re.IGNORECASE)


def named_in(answer: str) -> str | None:
    """The noun phrase an answer names first ("The most common side effect is glorbin fever (GF),
    ..." → "glorbin fever"), or None."""
    m = _NAMED.search(answer)
    return subject_of(f"What is {m.group(1)}") if m else None


def _plural_phrase(question: str) -> str | None:
    """The first plural noun phrase of a question, joined by "and" ("marks and tattoo dots"), or None."""
    run: list[str] = []
    for word in [*question.strip().rstrip("?.! ").split(), "."]:
        core = word.strip(",;:\"'()").lower()
        if core and core not in STOPWORDS and (_can_name(core) or _can_describe(core)):
            run.append(word.strip(',;:"()'))
            continue
        if core == "and" and run:
            run.append(core)
            continue
        while run and run[-1] == "and":
            run.pop()
        if run and _plural(run[-1]):
            return " ".join(run)
        run = []
    return None


def _can_name(word: str) -> bool:
    """A noun that is not also an adverb ("better"), or a name no dictionary knows ("ab-c", "xyz")."""
    pos = lemmas(word)
    if not pos:
        return True
    return bool({"NOUN", "PROPN"} & set(pos)) and "ADV" not in pos


def _plural(noun: str) -> bool:
    """ "cells", "children": not its own singular (lemminflect); names no dictionary knows go by a final s."""
    singular = lemmas(noun.lower()).get("NOUN")
    if singular:
        return noun.lower() not in singular
    return noun.endswith("s") and not noun.endswith("ss") and not noun.isupper()


def _can_describe(word: str) -> bool:
    return "ADJ" in lemmas(word)


def _last_question(history: Sequence[Message]) -> str:
    return _last(history, "user")


def _last_answer(history: Sequence[Message]) -> str:
    return _last(history, "assistant")


def _last(history: Sequence[Message], role: str) -> str:
    for message in reversed(history):
        content = message.get("content", "") if isinstance(message, dict) else ""
        if message.get("role") == role and isinstance(content, str) and content.strip():
            return content.strip()
    return ""
