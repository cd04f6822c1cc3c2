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
from bot.text import STOPWORDS, flat, lemmas
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


# "My doctor said the scan is for 'staging'. What does that mean?": the term is in the message itself.
_WHAT_THAT_MEANS = re.compile(
    r"\bwhat (?:does|do) (?:that|this|it)(?: (?:word|term|phrase))?(?: \w+)? mean\b|"
    r"\bwhat(?:'s| is) (?:that|this|it)(?: (?:word|term|one))?\b(?= *(?:\w+ *)?\?)",
    re.IGNORECASE,
)
_QUOTED_TERM = re.compile(r"(?:(?<=\s)|^)['‘\"“]([^'’\"”]{2,40})['’\"”](?!\w)")
# "diagnosed with a DVT", "mentioned peripheral neuropathy", "warned me about cellulitis"
_NAMED_TERM = re.compile(
    r"\b(?:diagnosed with|mentioned|warned (?:\w+ )?about|at risk (?:of|for)|talked about|told (?:\w+ )?about|"
    r"brought up|used the (?:word|term))\s+(?:an? |the |some )?([\w-]+(?: [\w-]+){0,2}?)"
    r"(?=\s*(?:[.,;:!?]|$)|\s+(?:and|but|to|for|in|at|on|before|after|because|which|that|with)\b)",
    re.IGNORECASE,
)


def resolve_in_message(question: str) -> str:
    """A definition asked of "that" or "it" whose term the same message named before it: "I've been
    diagnosed with a DVT. What does that mean?" → "... What does DVT mean?"."""
    asked = _WHAT_THAT_MEANS.search(question)
    if asked is None or not question[: asked.start()].strip():
        return question
    earlier = question[: asked.start()]
    named = list(_QUOTED_TERM.finditer(earlier)) or list(_NAMED_TERM.finditer(earlier))
    if not named:
        return question
    term = named[-1].group(1).strip()
    what = question[asked.start() : asked.start() + 4]  # "What" or "what", as typed
    plain = f"{what} does {term} mean" if asked.group(0).lower().endswith("mean") else f"{what} is {term}"
    return earlier + plain + question[asked.end() :]


def resolve(question: str, history: Sequence[Message]) -> str:
    """The question with its first pronoun (or "that <noun>") replaced by the previous subject."""
    if not history or not _LEANS.search(question):
        return question
    previous = _last_question(history)
    subject = subject_of(previous)
    if subject and singles_out(subject):  # "the most common side effect": "it" is the one the answer named
        subject = named_in(_last_answer(history)) or subject
    elif (described := _identified_by(previous, subject)) is not None:  # "What test shows ...?": the answer names it
        subject = named_in(_last_answer(history)) or described or None
    changed, back = _changed_thing(previous), _BACK.search(question)
    if changed and back and _plural(changed.split()[-1]) == (back.group(1).lower() == "they"):
        # "Does X make your hair fall out?" → "will it grow back?": the hair grows back, after X
        resolved = question[: back.start(1)] + changed + question[back.end(1) :]
        return _after(resolved, subject) if subject else resolved
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


_AFTERWARDS = re.compile(r"\b(?:afterwards?|after that|after it|later)\b", re.IGNORECASE)


def _after(question: str, cause: str) -> str:
    """ "will your hair grow back afterwards?" → "... grow back after X?": the change X caused is undone after X."""
    if cause.lower() in question.lower():
        return question
    if _AFTERWARDS.search(question):
        return _AFTERWARDS.sub(f"after {cause}", question, count=1)
    body = question.rstrip("?.! ")
    return f"{body} after {cause}{question[len(body) :]}"


def _fill_one(question: str, subject: str) -> str | None:
    """ "what about the brain one?" after "What are the side effects of X?" → "what about the brain
    side effect of X?"; None when the question has no such "one" ("is one dose enough?")."""
    m = _ONE.search(question)
    if m is None or (m.group(4) and m.group(4).lower() not in STOPWORDS and _can_name(m.group(4).lower())):
        return None  # "the one dose": a number before its noun
    if m.group(1).lower() == "which" and not m.group(2) and _PERSON.fullmatch(m.group(4) or ""):
        return None  # "know which one I'm on": a choice among options the previous subject need not name
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


def said_before(history: Sequence[Message]) -> str:
    """The assistant's earlier replies, whitespace collapsed: a follow-up ("does it hurt?") should
    not open with a sentence the person was just given."""
    return flat(
        " ".join(m["content"] for m in history if m.get("role") == "assistant" and isinstance(m.get("content"), str))
    )


def subject_of(question: str) -> str | None:
    """The noun phrase a question asks about: "What is proton beam therapy?" → "proton beam therapy"."""
    asked = question.strip().rstrip("?.! ")
    lead = _LEAD.match(asked)
    text = asked[lead.end() :] if lead else asked
    # After "does", "can", "will" ... the subject is followed by the main verb in its base form.
    verb_follows = bool(lead and _DO_OR_MODAL.search(lead.group(0)))
    subject: list[str] = []
    words = text.split()
    if words and lead and _EXISTENTIAL.match(lead.group(0) + words[0]):
        # "Is there (a) X ...?": "there" only holds the subject's place
        words = words[2:] if len(words) > 1 and words[1].lower() in _INTRODUCES else words[1:]
    # "What test shows ...?": the wh-word is the noun's determiner and a verb follows the noun
    asks_which = bool(lead and _WH_ONLY.fullmatch(lead.group(0)))
    for at, word in enumerate(words):
        core = word.strip(",;:\"'()").lower()
        if core == "of" and subject:  # "side effects of X"
            subject.append(word)
            continue
        after = words[at + 1].strip(",;:\"'()").lower() if at + 1 < len(words) else ""
        if asks_which and subject and not _plural(subject[-1]) and _verb_with_s(core) and after in _OPENS_OBJECT:
            break  # "test shows whether", "drug stops the ...": the verb; "side effects can" stays a noun
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
    if len(subject) == 1 and _INDEFINITE.fullmatch(subject[0]):
        return None  # "anything", "something": the question names no thing
    return " ".join(subject) or None


_EXISTENTIAL = re.compile(r"^\s*(?:is|are|was|were)\s+there$", re.IGNORECASE)
_WH_ONLY = re.compile(r"\s*(?:what|which)\s+", re.IGNORECASE)
_INDEFINITE = re.compile(r"(?:any|some|no|every)(?:thing|one|body)", re.IGNORECASE)
_DETERMINERS = frozenset(
    {"the", "a", "an", "my", "your", "his", "her", "our", "their", "its", "this", "these", "those"}
)
_INTRODUCES = frozenset({"a", "an", "the", "any", "some"})  # "is there a/any X"
# Words that open a verb's object or clause, never a noun's second word: "shows whether", "helps you".
_OPENS_OBJECT = _DETERMINERS | {"whether", "if", "that", "me", "you", "him", "us", "them", "it"}
_PERSON = re.compile(r"i|you|we|he|she|they", re.IGNORECASE)
# "will it grow back?", "when will they come back?": the pronoun's own return to a state the previous
# question saw change; not "will it bring the feeling back?", where "it" acts on something else
_BACK = re.compile(
    r"\b(it|they)\b(?:\s+(?!(?:" + "|".join(sorted(_OPENS_OBJECT)) + r")\b)[\w']+){1,3}?\s+back\b", re.IGNORECASE
)
_CAUSATIVE = re.compile(r"\b(?:make|makes|made|let|lets)\s+(.+)", re.IGNORECASE)


def _identified_by(question: str, subject: str | None) -> str | None:
    """ "What test shows whether ...?", "Is there a cream that helps ...?": the question asks which thing
    does something, so a follow-up's "it" is the thing the answer named; without one, the thing as the
    question describes it ("the test that shows whether ..."). "" when it names nothing ("anything").
    None for any other question. ``subject``: the question's ``subject_of``."""
    asked = question.strip().rstrip("?.! ")
    words = asked.split()
    if len(words) >= 3 and _EXISTENTIAL.match(" ".join(words[:2])):
        rest = words[3:] if words[2].lower() in _INTRODUCES else words[2:]
        if _INDEFINITE.fullmatch(words[2]) or not subject:
            return ""
        described = " ".join(rest)
        return f"the {described}" if re.search(r"\b(?:that|which|who)\b", described, re.IGNORECASE) else None
    lead = _LEAD.match(asked)
    if not (lead and _WH_ONLY.fullmatch(lead.group(0)) and subject):
        return None
    after = asked[lead.end() :].split()[len(subject.split()) :]
    if not (after and _verb_with_s(after[0].lower())):
        return None
    return f"the {subject} that {' '.join(after)}"


def _changed_thing(question: str) -> str | None:
    """ "Does X make your hair fall out?" → "your hair": what a causative verb says changes, a noun phrase
    followed by its own verb in the base form; None for "make you tired" or no causative."""
    m = _CAUSATIVE.search(question.strip().rstrip("?.! "))
    if m is None:
        return None
    phrase: list[str] = []
    for word in m.group(1).split():
        core = word.strip(",;:\"'()").lower()
        named = bool(phrase) and phrase[-1].lower() not in _DETERMINERS
        if named and _base_verb(core) and not _can_name_only(core):
            return " ".join(phrase)  # "your hair | fall": the phrase's own verb ends it
        if core not in _DETERMINERS and (core in STOPWORDS or not (_can_name(core) or _can_describe(core))):
            return None  # "make you tired", "make it worse": no noun phrase that changes
        phrase.append(word.strip(',;:"()'))
    return None


def _can_name_only(word: str) -> bool:
    return set(lemmas(word)) <= {"NOUN", "PROPN"}


def _verb_with_s(word: str) -> bool:
    """ "shows", "helps": a verb's -s form (it may also be a plural noun)."""
    return word.endswith("s") and any(base != word for base in lemmas(word).get("VERB", ()))


_DO_OR_MODAL = re.compile(r"\b(?:does|do|did|can|could|will|would|should)\s+(?:(?:the|a|an)\s+)?$", re.IGNORECASE)


def _gerund(word: str) -> bool:
    """An -ing form known only as a verb's ("cooling", "thinning")."""
    return word.endswith("ing") and "VERB" in lemmas(word)


def _base_verb(word: str) -> bool:
    return word in lemmas(word).get("VERB", ())


# "... is glorbin fever (GF), which", "a medicine called xyloprene may help": what the answer names,
# after "is"/"are" or "called".
_NAMED = re.compile(r"\b(?:(?:is|are)\s+(?:called\s+)?|called\s+)([^,;:.()]+)", re.IGNORECASE)


def named_in(answer: str) -> str | None:
    """The first noun phrase an answer names ("The most common side effect is glorbin fever (GF),
    ..." → "glorbin fever"; "If it is painful, a medicine called xyloprene may help" → "xyloprene"),
    or None."""
    for m in _NAMED.finditer(answer):
        named = subject_of(f"What is {m.group(1)}")
        if named:
            return named
    return None


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
