"""Instructions hidden in a question: find them, cut them out, keep any real question.

"Ignore previous instructions", "you are now...", "reveal your prompt", "drop the disclaimer",
role-play, fake role markers ("SYSTEM:"), "repeat after me". The extractive composer only
quotes the articles, so an instruction cannot make it say anything new; removing the
instruction keeps it from steering retrieval (or a chat-model composer) and lets the guard
say that it was ignored. The notice is added by code after composing and cannot be dropped.

Matching runs on the sentence as typed and on a de-obfuscated copy ("1gn0re", "i g n o r e"); a
sentence caught only in the copy is dropped whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import clauses

_OVERRIDE = (
    r"\b(?:safety|filters?|guardrails?|rules|restrictions|disclaimers?|notices?|censorship)\s+(?:is |are )?"
    r"(?:off|disabled|removed|deactivated|bypassed|lifted)\b|"
    r"\b(?:ignore|disregard|forget|override|overrule|bypass|skip|ditch|abandon|erase|reset|"
    r"stop following|don'?t follow|do not follow|no longer follow|break|turn off|disable|deactivate)\b"
    r"[^.?!\n]{0,40}?\b(?:instructions?|rules?|prompts?|guidelines?|guardrails?|polic(?:y|ies)|restrictions?|"
    r"safeguards?|safety|filters?|constraints?|limits?|limitations?|programming|training|directives?|"
    r"system (?:message|prompt)|context|everything (?:above|before|you were told)|(?:the )?above|previous|prior|"
    r"earlier|settings?|mode)\b"
)
_DISCLAIMER = (
    r"\b(?:without|no|drop|remove|delete|omit|skip|leave out|cut|hide|lose|ditch|disable|turn off|"
    r"stop (?:adding|including|showing|saying)|don'?t (?:add|include|show|say|give|put|print|use)|"
    r"do not (?:add|include|show|say|give|put|print|use))\b[^.?!\n]{0,25}?\b(?:disclaimers?|notices?|warnings?|"
    r"caveats?|(?:the )?(?:medical[- ])?advice (?:line|note|text|bit|part|notice)|fine print|not medical advice|"
    r"citations?|sources?|references?|"
    r"safety (?:note|message|text))\b"
)
_ROLE = (
    r"\byou are (?:now|no longer|free|not (?:bound|limited|restricted)|actually|really|going to be)\b|"
    r"\byou'?re (?:now|no longer|free)\b|\byou(?:'re| are) (?:a|an|my|the) [^.?!,]{1,30}? now\b|"
    # said to the assistant: "from now on, answer ..."; "I need irradiated blood from now on" is news
    r"\bfrom now on,? (?:you|your|always|never|only|just|answer|reply|respond|act|ignore|forget|say|talk|speak|"
    r"write|use|stop|don'?t|do not|please)\b|\b(?:you|your \w+) (?:will |must |shall |should )?from now on\b|"
    r"\bhenceforth\b|"
    r"(?:^|[,;:]\s*|\band\s+|\bnow\s+|\bplease\s+)(?:act|behave|respond|answer|reply|talk|speak|write|pose) "
    r"(?:as|like) (?:an?|my|the|if|though|one)\b|"
    r"\bpretend(?:ing)? (?:to be|you(?:'re| are)|that you|you have)\b|^\s*pretend\b|\brole-?\s?play\w*\b|"
    r"\bplay the (?:role|part) of\b|\bimagine (?:you(?:'re| are)|that you(?:'re| are))\b|^\s*simulate\b|"
    r"\bin character\b|\bstay in character\b|\b(?:do anything now|developer mode|dev mode|god mode|debug mode|"
    r"admin mode|jailbr\w*|unfiltered|uncensored|unrestricted|no (?:restrictions|rules|filters|limits|guardrails))\b|"
    r"\bDAN\b|\bnew (?:instructions?|rules?|persona|role|system prompt|task)\b|"
    r"\byour (?:new )?(?:instructions|rules|role|task|job|purpose) (?:are|is|now)\b|\bswitch (?:to|into) \w+ mode\b"
)
_EXFILTRATE = (
    r"\b(?:reveal|show|print|output|display|repeat|recite|leak|dump|share|give me|tell me|list|copy|paste|spell out|"
    r"what(?:'s| is| are| was| were))\b[^.?!\n]{0,25}?\b(?:your|the|this)\s+(?:(?:full|whole|entire|original|initial|"
    r"hidden|secret|internal|exact|system|developer|first|above)\s+)*(?:prompts?|instructions|system (?:message|"
    r"prompt)|guidelines|configuration|config|context window|source code|api keys?|passwords?|rules you follow|"
    r"initial message)\b"
)
_MARKERS = (
    r"^\s*(?:system|assistant|developer|admin)\s*(?::|>|\])|<?\|\s*(?:im_start|im_end|system|endoftext)\s*\|>?|\[/?(?:inst|system|sys)\]|"
    r"###\s*(?:instruction|system|new)|</?(?:system|instructions?)>|```"
)
_FORCE = (
    r"^\s*(?:please\s+|now\s+|just\s+)?(?:say|state|claim|declare|announce|print|output|type|write down)\b|"
    r"\b(?:answer|reply|respond|say)\b[^.?!\n]{0,15}\b(?:only|just)\b[^.?!\n]{0,20}\b(?:yes|no|word|words|true|false)\b|"
    r"\brepeat after me\b|\b(?:just|only) (?:say|answer|reply|respond|output|print)\b|\bsay (?:exactly|only)\b|"
    r"\b(?:answer|reply|respond) (?:only )?with (?:yes|no|one word|a single word|true|false)\b|"
    r"\b(?:start|begin|end) your (?:answer|reply|response) with\b|\balways (?:say|answer|reply)\b|"
    r"\b(?:say|write|state|claim|confirm|tell (?:me|them|everyone|people|patients|the user)) that\b"
    r"[^.?!\n]{0,60}\b(?:cures?|guarantee\w*|100%|always works|no side effects|is proven|are proven|"
    r"safe for everyone)\b"
)
_PATTERNS = {
    "override": re.compile(_OVERRIDE, re.IGNORECASE),
    "disclaimer": re.compile(_DISCLAIMER, re.IGNORECASE),
    "role": re.compile(_ROLE, re.IGNORECASE | re.MULTILINE),
    "exfiltrate": re.compile(_EXFILTRATE, re.IGNORECASE),
    "markers": re.compile(_MARKERS, re.IGNORECASE),
    "force": re.compile(_FORCE, re.IGNORECASE),
}
# Where a real question starts again after an instruction: "..., and tell me what a stem cell is".
_RESUME = re.compile(
    r"(?:[,;:]|\band\b|\bthen\b|\bso\b|\bjust\b|\bnow\b|\balso\b|\bbut\b|\bplease\b)\s*(?:\b(?:and|then|now|just|"
    r"please|also)\s+)*(?=(?:what|what's|how|why|when|where|which|who|is|are|can|could|does|do|will|would|"
    r"should|tell me (?:about|what|how|why|if|whether)|explain|describe)\b)",
    re.IGNORECASE,
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_CONTENT = re.compile(r"[A-Za-z]{3,}")
_FILLER = frozenset(
    re.findall(
        r"\w+", "please thanks thank you okay also and then now just the that this answer reply respond question"
    )
    + re.findall(r"\w+", "tell say me your you with only yes no")
)


@dataclass
class Neutralised:
    question: str  # what is left to answer
    detected: bool
    reasons: list[str] = field(default_factory=list)


def neutralise(text: str) -> Neutralised:
    """Remove instruction sentences (or the instruction part of a sentence); keep the rest."""
    kept: list[str] = []
    reasons: list[str] = []
    for sentence in clauses(text):
        spans = [(m.start(), m.end(), name) for name, p in _PATTERNS.items() for m in p.finditer(sentence)]
        if spans:
            reasons.extend(sorted({name for _, _, name in spans}))
            kept.append(_keep_question(sentence, min(s for s, _, _ in spans), max(e for _, e, _ in spans)))
            continue
        plain = _deobfuscate(sentence)
        if plain != sentence.lower() and any(p.search(plain) for p in _PATTERNS.values()):
            reasons.append("obfuscated")
            continue
        kept.append(sentence.strip())
    question = " ".join(k for k in kept if k).strip()
    # A fake role marker left at the start ("USER:") is not part of the question.
    question = re.sub(r"^\s*(?:user|human|patient|question)\s*:\s*", "", question, flags=re.IGNORECASE)
    return Neutralised(question, bool(reasons), reasons)


def _keep_question(sentence: str, start: int, end: int) -> str:
    """The text before the instruction plus any question that resumes after it."""
    before = sentence[:start].strip()
    while True:  # "Also, and" left in front of the instruction is not part of a question
        shorter = re.sub(
            r"(?:[,;:]|\b(?:and|also|but|so|then|now|please|ok|okay|let's|lets|first)\b)\s*$", "", before, flags=re.I
        ).strip()
        if shorter == before:
            break
        before = shorter
    rest = sentence[end:]
    resume = _RESUME.search(rest)
    after = rest[resume.end() :].strip() if resume else ""
    return " ".join(p for p in (before.strip(), after) if p)


def _deobfuscate(sentence: str) -> str:
    lowered = sentence.lower()
    # "i g n o r e" → "ignore"; then digits and symbols read as letters inside words.
    joined = re.sub(r"\b(?:[a-z0-9] ){3,}[a-z0-9]\b", lambda m: m.group(0).replace(" ", ""), lowered)
    joined = re.sub(r"(?<=[a-z])[.\-_*](?=[a-z])", "", joined)
    return re.sub(
        r"\S+", lambda m: m.group(0).translate(_LEET) if re.search(r"[a-z]", m.group(0)) else m.group(0), joined
    )


def has_question(text: str) -> bool:
    """Is anything left to answer: at least one word that is not filler?"""
    return any(w.lower() not in _FILLER for w in _CONTENT.findall(text))
