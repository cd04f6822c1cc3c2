"""What kind of message is this: a symptom report happening now, or a request for personal advice?

Emergency triage combines three signals, because keyword lists alone misfire on learning
questions ("what are the symptoms of this syndrome?", "can the therapy cause a fever?"):

* a *report*: a red-flag symptom (fever, confusion, breathing trouble, seizure, fainting, chest
  pain, severe headache, bleeding...) said of a person in the same sentence ("I have", "my
  husband is", "he just fainted"), not inside an "if"/"what if" clause, not after a modal
  question ("can my dad get a fever?"), not framed as reading or worrying about it, and not
  long ago;
* a *telegraphic report*: a short message made of symptoms with a time, number or treatment cue
  and no question form ("fever 39.5 after the infusion yesterday", "chest pain help");
* *meaning*: the question's embedding is nearer to labelled emergency reports than to labelled
  symptom-education questions (``bot.exemplars``), with a person in it. This catches reports in
  words the symptom list lacks.

The thresholds were calibrated on ``tests/safety_cases.jsonl`` and checked on a held-out set
(``docs/safety.md``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot import exemplars
from bot.names import NO_NAMES, CorpusNames
from bot.site import Site
from bot.text import question_part, words

#: Emergency-vs-education margin above which a message with a person in it is a report.
EMERGENCY_MARGIN = 0.10
#: Nearest neighbours averaged per label.
K = 2
#: A report this close to a sign an article sends readers to emergency care for is one.
SIGN_SIMILARITY = 0.70

_SYMPTOMS = {
    "fever": r"fevers?|feverish|febrile|high temp\w*|temperature|temps?\b|chills|shivering|shivers|rigou?rs|"
    r"can't stop (?:shaking|shivering|trembling)|"
    r"burning (?:up|hot)|(?:very|really|so) hot|hot to (?:the )?touch|"
    r"(?<![\d.])(?:3[89]|4[0-2])(?:[.,]\d+)?\s*(?:°\s*c?|degrees?(?: c(?:elsius)?)?|deg|c)\b|"
    r"(?<![\d.])(?:99|1[01]\d)(?:[.,]\d+)?\s*(?:°\s*f?|degrees?(?: f(?:ahrenheit)?)?|deg|f)\b",
    # "confused about all of it" is about the reading, not the brain.
    "confusion": r"confus\w*\b(?!\W*(?:about|by|with|over|as to|on|regarding|between|why|what|how|which|whether|if)\b)|"
    r"disorient\w*|delirious|delirium|not making (?:any )?sense|makes? no sense|"
    r"(?:talking|mumbling|speaking|saying) (?:nonsense|gibberish|strange things|weird things)|mumbl\w*|gibberish|"
    r"slurr\w*|mixing up (?:his|her|my|their) words|can't get (?:his|her|my|the|their) words out|"
    r"can't (?:think|speak|talk|"
    r"find (?:the |my |his |her )?words|remember (?:where|who|what)|write|recogni[sz]e)|jumbled|"
    r"not (?:himself|herself|themselves|myself|acting right)|"
    r"acting (?:strange\w*|weird\w*|odd\w*|funny|differently)|(?:very|really|extremely|so) (?:drowsy|sleepy)|"
    r"forg[eo]t\w* (?:where|who|what|things|names|words|how)|(?:doesn't|don't|didn't) (?:know|recogni[sz]e) "
    r"(?:where|who|what|me|us|anyone)|"
    r"can't stay awake|(?:hard|impossible|difficult) to wake|can't wake|won't wake|(?:hardly|barely) wake|"
    r"unresponsive|not responding|"
    r"hallucinat\w*|seeing things",
    "breathing": r"(?:can't|unable to|hard to|struggling to|struggle to|trouble|difficulty|problems?|hard time|"
    r"couldn't) (?:breath\w*|catch (?:my|his|her|a) breath|get(?:ting)? (?:enough )?air)|short(?:ness)? of breath|"
    r"breathless\w*|out of breath|gasping|wheez\w*|choking|(?:lips|face|fingers|skin) (?:\w+ ){0,3}(?:blue|grey|"
    r"gray)|breathing (?:\w+ ){0,2}(?:fast|hard|weird|difficult|shallow|noisy|strange|quick)",
    "seizure": r"seizur\w*|seizing|convuls\w*|(?:having|had|has|have) (?:a )?fits?\b|fitting|epileptic|"
    r"(?:shaking|jerking|twitching) (?:uncontrollably|all over|violently|and)|jerking|twitching",
    "fainting": r"faint\w*|pass(?:ed|es|ing)? out|black(?:ed|ing)? out|collaps\w*|unconscious|lost consciousness|"
    r"keel(?:ed|s)? over|dizz\w*|light-? ?headed|(?:room|everything) (?:is )?spinning|can't stand up",
    "chest": r"chest (?:pain|pains|hurts?|hurting|is hurting|tight\w*|pressure|feels tight|feels heavy)|"
    r"(?:pain|pressure|tightness|weight) (?:in|on) (?:my|his|her|the) chest|heart (?:is )?(?:racing|pounding|"
    r"fluttering|beating (?:really |very |so )?fast)|palpitations|racing heart",
    "headache": r"headaches?|migraine|head (?:is )?(?:pounding|killing|exploding|hurts|hurting)",
    # "blood in my pee", "blood from the site": where it comes out ("blood from now on" is a transfusion)
    "bleeding": r"bleed\w*|blood (?:in|from) (?:my|his|her|their|your|the|its|urine|pee|wee|poo|stools?|vomit|sick)\b|"
    r"blood (?:when|coming)|(?:been|being) sick\b[^.?!]{0,30}\bblood\b|"
    r"blood (?:has |is |keeps )?(?:soak|pour|gush|spurt|drip|seep)\w*|soaked (?:\w+ ){0,3}(?:in |with )?blood|"
    r"(?:coughing|cough|coughed|vomiting|vomited|throwing|threw|"
    r"spitting|spat|peeing|pooping) (?:up )?blood|bloody|ha?emorrhag\w*|nose ?bleeds?|bruis\w*",
    "neurological": r"numbness|numb (?:arm|leg|face|hand|side)|(?:weak|weakness) (?:on|in) (?:one|my|his|her|the)|"
    r"face (?:is )?droop\w*|droopy face|can't (?:move|feel|lift) (?:my|his|her|their)|(?:can't|trouble|hard to) "
    r"(?:see|walk|swallow)|vision (?:is )?(?:blurry|blurred|gone|going)|tremors?|paraly\w*|shaking (?:chills|all over)",
    "other": r"vomiting|throwing up|can't keep (?:anything|food|water|fluids|it) down|allergic reaction|anaphyla\w*|"
    r"throat (?:is |feels )?(?:closing|swelling|swollen|tight)|hives|swollen (?:face|lips|tongue|throat)|"
    r"(?:lips|tongue|face) (?:are |is )?swelling|blood pressure (?:is |has |keeps )?(?:low|dropp\w*|very low|"
    r"crash\w*|going down)|low blood pressure|(?:very|really|extremely|so) (?:sick|ill|unwell|weak)|"
    r"feel(?:s|ing)? (?:terrible|awful|horrible|like (?:i'm |he's |she's )?dying)|severe pain|unbearable pain",
    "syndrome": r"neurotoxicity|neurotoxic",
}
_PLAIN_SYMPTOM = re.compile("|".join(f"(?:{p})" for k, p in _SYMPTOMS.items() if k != "syndrome"))
# Symptoms worded as what is happening, with the subject left out: "can't breathe", "passed out".
_HAPPENING = re.compile(
    r"^\s*(?:help\W*)?(?:can't (?:breathe|breath|wake|stop|stand|see|speak|talk|move)|passed out|passing out|fainted|"
    r"fainting|collapsed|bleeding|choking|gasping|vomiting|throwing up|seizing|having (?:a )?seizure|"
    r"shaking|struggling to breathe)"
)
_PERSON = re.compile(
    # Subjects and possessives: "me", "us", "him", "them" are objects ("tell me what a port is").
    r"\b(?:i|i'm|i've|i'd|my|myself|we|we're|our|he|he's|his|she|she's|her|they|they're|their|"
    r"(?:the|a|this|my|our) patient|(?:mom|mum|mother|dad|father|son|daughter|husband|wife|partner|child|kid|baby|"
    r"brother|sister|friend|grandma|grandpa|grandmother|grandfather|aunt|uncle|boyfriend|girlfriend|spouse)'?s?)\b"
)
# Between the person and the symptom these mean "talking about it", not "having it".
_BLOCKER = re.compile(
    r"\b(?:question|questions|wonder\w*|curious|read|reading|heard|hear|learn\w*|know|knew|ask\w*|understand\w*|"
    r"article|study|studies|worr\w* about|afraid of|scared of|concerned about|fear|risks?|chances?|odds|"
    r"likely|possible|prevent\w*|avoid\w*|watch (?:out )?for|look out for|mean|means|"
    r"treat\w*|manag\w*|explain\w*|told|said|says|warned|expect\w*|tell|what|which|about)\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|in case|what if|suppose|supposing|imagine|hypothetically|whether|should (?:i|he|she|we|they) "
    r"(?:get|develop|have|start)|could (?:i|he|she|we|you|they) (?:get|develop|have)|unless|"
    r"when (?:someone|somebody|patients|people|you|a patient))\b"
)
# A question opened by a modal asks whether something can happen, not that it is happening.
# A temperature is a symptom only with a value or a rise: "my temperature is 38.5", "his temp keeps going up".
_BARE_MEASURE = re.compile(r"temperature|temps?")
_MEASURED = re.compile(
    r"\d|\b(?:high|higher|raised|up|rising|risen|rose|climbing|spik\w*|over|above|hot|burning|through the roof|"
    r"won't (?:come|go) down|not coming down)\b|"
    r"\b(?:has|have|having|had|got|running|runs|run|with|spiked)\s+(?:a\s+)?(?:\w+\s+)?temp"  # "he has a temperature"
)
# A temperature read out, the person left out: "temp is 38.7", "temperature 39.2 now".
_READING = re.compile(
    r"\btemp(?:erature)?s?\b(?: is| was| of| at| now| reads| reading| hit| reached| went up to| up to|'s)?\s*"
    r"(?:3[89]|4[0-2])(?:[.,]\d+)?\b"
)
# A bruise where a needle went in, numb toes or fingertips: expected after injections and with the
# nerve damage some drugs cause, not a sign of bleeding or of a stroke (which numbs a face, arm or leg).
_EXPECTED_PLACE = {
    re.compile(r"bruis\w*"): re.compile(
        r"[^.?!]{0,30}?\b(?:where|at|around|on) (?:\w+ ){0,4}?"
        r"(?:inject\w*|jabs?|injections?|shots?|needles?|biops\w*|drip|cannula)\b"
    ),
    re.compile(r"numbness|can't feel (?:my|his|her|their)"): re.compile(
        r"\W*(?:(?:in|on|of) (?:my|his|her|their|the|both) )?(?:\w+ )?(?:feet|foot|toes?|fingers?|fingertips?)\b"
    ),
}
_MODAL_OPENING = re.compile(
    r"^\s*(?:so |and |but |also )?(?:can|could|will|would|might|may|do|does|did|should|shall)\b"
)
_DISTANT_PAST = re.compile(
    r"\b(?:(?:years?|months?) ago|last (?:year|month|time)|in (?:19|20)\d\d|back (?:then|in)|when i was|used to|"
    r"previous(?:ly)?|in the past|history of|a while ago|long ago)\b"
)
_QUESTION_OPENING = re.compile(
    r"^\s*(?:what|what's|how|why|when|which|who|where|can|could|does|do|did|is|are|was|were|will|would|should|may|"
    r"might|tell|explain|define|describe|list|give|compare|any|anything|please)\b(?!')"
)
_NOW = re.compile(
    r"\b(?:now|right now|just now|currently|at the moment|today|tonight|this (?:morning|afternoon|evening)|"
    r"since|suddenly|started|starting|keeps?|still|getting worse|hours?|minutes? ago|yesterday|last night|help|"
    r"after (?:my|his|her|the|their) (?:infusion|treatment|therapy|cells)|after (?:cell|the infusion|"
    r"infusion|treatment)|post[- ]?infusion|days? (?:\d+ )?after|\d+ days? after|"
    r"\d+(?:[.,]\d)?\s*(?:°|degrees?)\s*[cf]?)\b|!"
)
_FOLLOW_UP = re.compile(
    r"\b(?:what (?:should|do|can|must) (?:i|we) do|what now|now what|is (?:it|that|this) (?:normal|serious|bad|"
    r"dangerous|ok|okay|an emergency|urgent)|should (?:i|we) (?:call|go|wait|worry)|do (?:i|we) (?:need|have) to|"
    r"help|worse|still|hospital|emergency|ambulance|911|999|112|er|a&e|call)\b"
)
# Learning about it is not a crisis: "what is the suicide risk with...", "can the therapy cause suicidal thoughts?".
_HYPOTHETICAL_HARM = re.compile(
    r"\b(?:risk|rate|rates|statistics|cause|causes|linked|side effect|side effects|study|studies)\b[^.?!]{0,30}"
    r"\bsuicid|\bsuicid\w*\b[^.?!]{0,30}\b(?:risk|rate|rates|side effect|statistics)\b"
)
# Thoughts of suicide or self-harm: a crisis whatever the wording around it.
_SELF_HARM = re.compile(
    r"\b(?:kill(?:ing)? (?:myself|himself|herself|themselves)|end(?:ing)? (?:my|his|her|it) (?:own )?(?:life|all)|"
    r"end it all|suicid\w*|take (?:my|his|her) (?:own )?life|(?:want|wants|wanted|going) to die|"
    r"(?:don't|do not|doesn't) want to (?:live|be alive|wake up|go on)|better off dead|no (?:reason|point) (?:to|in) "
    r"(?:live|living|going on)|hurt(?:ing)? (?:myself|himself|herself)|self[- ]harm\w*|cut(?:ting)? myself|"
    r"overdose on purpose)\b"
)
# A statement about someone's state: "I am", "my wife has", "he can't", "she's been".
_STATEMENT = re.compile(
    r"\b(?:i|we|he|she|they|(?:my|our|his|her|their) \w+)\s+(?:\w+\s+)?(?:am|is|are|was|were|has|have|had|feel|"
    r"feels|felt|keep|keeps|kept|can't|won't|isn't|doesn't|just|seems?|looks?|got|been|started|suddenly|still)\b|"
    r"\b(?:i'm|i've|he's|she's|we're|they're)\b"
)
# "What should I ask my team?" asks for the articles' own questions, not for a decision.
_ASKING_WHAT = re.compile(
    r"\bwhat (?:\w+ ){0,2}(?:should|do|can|could) (?:i|we) (?:ask|know|expect|bring|read|learn|look for|tell)\b"
)

_ADVICE_PATTERN = "|".join(
    (
        # "should I choose", "should my mum get" (but "what should I ask my team" is a fine question)
        r"\bshould (?:i|we|my \w+|he|she|they)\b",
        r"\b(?:i|we) should (?:go|get|choose|pick|take|stop|start|try|wait|do|have|switch|ask for|consider|be|"
        r"continue|keep|join|enrol|enroll|refuse)\b|\bdo you think (?:i|we|he|she|my \w+)\b",
        r"\b(?:do|does|will|would) (?:i|we|he|she|my \w+) (?:need|have) to (?!know)",
        r"\b(?:would|will|am|are|is) (?:i|we|he|she|my \w+) (?:be )?better off\b",
        r"\b(?:can|could|may) (?:i|we|he|she|my \w+) (?:stop|skip|quit|refuse|switch|change|delay|pause|continue|"
        r"keep taking|join|enrol|enroll|sign up|qualify|choose|pick|go for|mix|combine)\b"
        r"(?! (?:it|this|that|them) from\b)",  # "how can I stop it from happening?" asks how to prevent it
        # "can I get <a named treatment>?" is a decision; "can my husband get a fever?" is not
        r"\b(?:can|could|may) (?:i|we|he|she|my \w+) (?:take|get|have|try|start|receive|be given) "
        r"(?:the |a |an |this |that |some )?(?:{treatments}cell therap\w*|therapy|treatment|trial|"
        r"infusion|it\b|this\b|that\b)",
        r"\b(?:am i|are we|is (?:he|she|my \w+(?: \w+)?)) (?:eligible|a (?:good |suitable |likely )?candidate|"
        r"suitable|qualified|able to get|too old|too young|too sick|fit enough|allowed)\b",
        r"\b(?:do|would|does|could|can) (?:i|we|he|she|my \w+) (?:qualify|count)\b",
        r"\bwhat (?:dose|dosage|amount)\b[^?.!]*\b(?:i|me|my|we|he|she|him|her)\b|"
        r"\bhow (?:much|many) [^?.!]{0,40}?\b(?:should|do|does|must|can|will|would) (?:i|we|he|she|they|my \w+) "
        r"(?:take|have|get|use|need|receive)\b|"
        r"\b(?:my|his|her|our) (?:dose|dosage|doses)\b",
        r"\b(?:would|do|will|can|could) you (?:recommend|suggest|advise|choose|pick|prefer)\b|\bwhat would you "
        r"(?:do|choose|pick|recommend)\b|\byour (?:recommendation|advice|opinion)\b|\bif you were (?:me|him|her)\b|"
        r"\bin my (?:place|shoes)\b",
        r"\b(?:is|are|would|will|could)\b[^?.!]{0,40}\b(?:right|good|best|safe|safer|better|worth it|suitable|"
        r"idea|choice|option|ok|okay|appropriate)(?:\s+(?:treatment|therapy|option|choice|thing|one|fit|idea|"
        r"move|path))?\s+for\s+(?:me|my|us|him|her|them)\b",
        r"\bwhich (?:one|therapy|treatment|option|is better) (?:should|would|do you|is best for|is right for)\b",
        r"\b(?:will|would|could|can|does) (?:it|this|that|{treatments}the (?:therapy|treatment)) (?:\w+ ){0,2}"
        r"(?:work|help|cure) (?:for )?(?:me|my|him|her|us)\b",
        r"\bmy (?:chances|odds|prognosis|life expectancy)\b|\bhow long (?:do|will|would) (?:i|he|she|my \w+) "
        r"(?:have|live|survive)\b|\bwill (?:i|he|she|my \w+) (?:die|survive|be cured|get better|live|recover)\b",
        r"\bwhat (?:should|do|must) (?:i|we) do\b",
        r"\b(?:stop|quit|skip) (?:taking )?(?:my|his|her) (?:\w+ )?(?:chemo\w*|treatment|medication|meds|medicine|"
        r"pills|therapy|dose)\b",
    )
)


def normalise(text: str) -> str:
    """Lower case with the apostrophe forms people type folded together ("cant", "can not" → "can't")."""
    t = text.lower().replace("’", "'").replace("‘", "'")
    t = re.sub(r"\bcan ?not\b|\bcant\b", "can't", t)
    t = re.sub(r"\b(won|don|doesn|isn|didn|couldn|wouldn|aren)t\b", r"\1't", t)
    t = re.sub(r"\bim\b", "i'm", t)
    t = re.sub(r"\bive\b", "i've", t)
    t = re.sub(r"\b(he|she)s\b", r"\1's", t)
    return t


@dataclass
class Finding:
    emergency: bool
    reasons: list[str] = field(default_factory=list)
    margin: float | None = None  # emergency-vs-education similarity margin (None without a vector)
    crisis: bool = False  # thoughts of suicide or self-harm: the crisis reply, not the medical one


class Exemplars:
    """The labelled examples (generic ones plus the site's), embedded once on first use."""

    def __init__(self, embedder: object, site: Site | None = None) -> None:
        self.embedder = embedder
        self.site = site or Site()
        self._lock = threading.Lock()
        self._sets: dict[str, np.ndarray] | None = None

    def groups(self) -> dict[str, tuple[str, ...]]:
        site = self.site
        return {
            "emergency": exemplars.EMERGENCY + site.emergency_exemplars,
            "education": exemplars.EDUCATION + site.education_exemplars,
            "calm": exemplars.CALM + site.calm_exemplars,
        }

    def load(self) -> dict[str, np.ndarray]:
        if self._sets is None:
            with self._lock:
                if self._sets is None:
                    groups = self.groups()
                    texts = [t for g in groups.values() for t in g]
                    vectors = self.embedder.embed_documents(texts)  # type: ignore[attr-defined]
                    out, start = {}, 0
                    for name, group in groups.items():
                        out[name] = vectors[start : start + len(group)]
                        start += len(group)
                    self._sets = out
        return self._sets

    def margin(self, vector: np.ndarray, positive: str, *negatives: str) -> float:
        """Similarity to the ``positive`` examples minus the nearest of the ``negatives`` groups."""
        sets = self.load()
        return nearest_mean(sets[positive] @ vector) - max(nearest_mean(sets[n] @ vector) for n in negatives)


def nearest_mean(similarities: np.ndarray) -> float:
    """The mean of the ``K`` highest similarities to a group of examples."""
    if not len(similarities):
        return 0.0  # a site without examples of a kind: no evidence either way
    k = min(K, len(similarities))
    return float(np.mean(np.sort(similarities)[-k:]))


def emergency(
    text: str, margin: float | None = None, names: CorpusNames = NO_NAMES, sign: float | None = None
) -> Finding:
    """Is this someone reporting red-flag symptoms happening now? ``margin`` from ``Exemplars``;
    ``names`` from the articles (none before the index is read: the generic patterns still run);
    ``sign``: the closest similarity to a sign the articles send readers to emergency care for."""
    t = normalise(text)
    if _SELF_HARM.search(t) and not _HYPOTHETICAL_HARM.search(t):
        return Finding(True, ["thoughts of self-harm"], margin, crisis=True)
    reasons: list[str] = []
    personal = False
    for clause in re.split(r"[.!?;\n]+|\bbut\b", t):
        if not clause.strip():
            continue
        report = _report(clause, _symptoms(names.pattern(names.conditions)))
        if report:
            reasons.append(f"report: {report}")
        if (
            _STATEMENT.search(clause)
            and not _HYPOTHETICAL.search(clause)
            and not _MODAL_OPENING.match(clause)
            and not _QUESTION_OPENING.match(clause)
        ):
            personal = True
    if not reasons and _telegraphic(t, names):
        reasons.append("symptoms with a time or treatment cue")
    # Close in meaning to a report, but asking which choice to make ("Should we freeze embryos or
    # eggs? We have been together a year."): the subject is shared, the symptoms are not there.
    if not reasons and margin is not None and margin >= EMERGENCY_MARGIN and personal and not wants_advice(t, names):
        reasons.append(f"reads like a report (margin {margin:.2f})")
    if not reasons and sign is not None and sign >= SIGN_SIMILARITY and personal:
        reasons.append(f"reports a sign the articles send to emergency care (similarity {sign:.2f})")
    return Finding(bool(reasons), reasons, margin)


@functools.lru_cache(maxsize=8)
def _symptoms(conditions: str) -> re.Pattern[str]:
    """The generic symptoms and the articles' own conditions (a report only when said of someone)."""
    return re.compile(conditions + "|".join(f"(?:{p})" for p in _SYMPTOMS.values()))


def _report(clause: str, symptoms: re.Pattern[str]) -> str | None:
    if _DISTANT_PAST.search(clause):
        return None
    for m in symptoms.finditer(clause):
        start = max(0, m.start() - 90)
        people = list(_PERSON.finditer(clause[start : m.start()]))
        if people:
            if _BLOCKER.search(clause[start + people[-1].end() : m.start()]):
                continue  # "I read about...", "my question is about..."
        elif not _PERSON.search(m.group(0)) and (not _READING.search(clause) or _QUESTION_OPENING.match(clause)):
            continue  # nobody has it; but "pressure in my chest" names the person, "temp is 38.7" reads it
        opening = clause[: m.start()]
        if _HYPOTHETICAL.search(opening) or _MODAL_OPENING.match(clause):
            continue
        if _BARE_MEASURE.fullmatch(m.group(0)) and not _MEASURED.search(clause):
            continue  # "how do I take my temperature?": a thing to measure, not a fever
        if any(sign.fullmatch(m.group(0)) and place.match(clause, m.end()) for sign, place in _EXPECTED_PLACE.items()):
            continue  # "bruises where I do my jabs", "numbness in my toes"
        return m.group(0)
    return None


def _telegraphic(text: str, names: CorpusNames = NO_NAMES) -> bool:
    """A short symptom message with no question form: "high fever after the infusion", "chest pain help"."""
    tokens = words(text)
    if not tokens or len(tokens) > 20 or not _PLAIN_SYMPTOM.search(text):
        return False
    if _QUESTION_OPENING.match(text) or _HYPOTHETICAL.search(text) or _DISTANT_PAST.search(text):
        return False
    if re.search(r"\b(?:symptoms?|signs?|side effects?|risks?|causes?|mean|means|common|normal)\b", text):
        return False
    if _BLOCKER.search(text):
        return False  # "I have a question about fever after the infusion"
    return bool(_NOW.search(text) or _after_treatment(names.pattern(names.treatments)).search(text)) or (
        "?" not in text and bool(_HAPPENING.match(text))
    )


@functools.lru_cache(maxsize=8)
def _after_treatment(treatments: str) -> re.Pattern[str]:
    """ "after my <treatment>": a time cue, with the articles' treatment names."""
    return re.compile(rf"\bafter (?:(?:my|his|her|the|their) )?(?:{treatments.rstrip('|') or '(?!)'})")


def follows_emergency(text: str, history: Sequence[str], names: CorpusNames = NO_NAMES) -> bool:
    """A short follow-up ("what should we do?") to a message that reported an emergency."""
    t = normalise(text)
    if len(words(t)) > 15 or not _FOLLOW_UP.search(t):
        return False
    return any(emergency(previous, names=names).emergency for previous in history[-2:])


def wants_advice(text: str, names: CorpusNames = NO_NAMES) -> bool:
    """Does the question ask what this person should do, take, or can expect (a decision, dose, eligibility)?

    A question for a time, duration, frequency, amount or threshold ("how long do I stay near the
    centre?", "what temperature do I call at?", "how much should I drink?") asks for what a handout
    says, not for a decision, unless it is about a dose, a prognosis or a choice about treatment.
    """
    t = _ASKING_WHAT.sub(" ", normalise(text))
    about = _WHEN_TREATED.sub(" ", t)  # "allowed to drive after <treatment>": the treatment is only the time
    # A decision is one the question asks about or the person weighs: "I start X on Monday. How often do
    # I check my sugar?" only tells the plan; "I want to stop X. How often ...?" weighs stopping.
    question = question_part(text)
    if question != text and not _WEIGHING.search(t):
        about_asked = _WHEN_TREATED.sub(" ", _ASKING_WHAT.sub(" ", normalise(question)))
    else:
        about_asked = about  # one sentence, or a choice weighed in the context: the whole message
    decision = _DECISION.search(_DONE_TO.sub(" ", about_asked))
    if _ASKS_FOR_INFORMATION.search(t) and not decision:
        return False
    place = _ASKS_WHERE.search(t)
    if place and not decision and not _names_a_treatment(place[0], names):
        return False  # "whereabouts on my arm should I inject it?": a place the handout shows
    if not decision and not _names_a_treatment(about, names):
        if _EVERYDAY_AMOUNT.search(t) and not _DOSE.search(t):
            return False  # "am I allowed water, and how much should I have?": an amount the handout gives
        t = _SELF_CARE.sub(" ", t)  # "should I rinse / leave my dentures in?": what the handout says to do
    return bool(_advice(names.pattern(names.treatments)).search(t))


_ASKS_FOR_INFORMATION = re.compile(
    r"(?:^|[,;.!]\s)\W*(?:so |and |but )?(?:how (?:long|often|soon|many (?:days|weeks|hours|times|months|years))|"
    r"when\b|what (?:temperature|time|day|age|number)|at what (?:point|temperature|time|number)|"
    r"how much(?![^?.!]*\b(?:take|have|get|use|need|receive)\b))\b"
    r"|\b(?:will|would|do|does) (?:i|we|he|she|they|my \w+) (?:have|need) to pay\b"  # a cost the article states
)
# How much of something everyday to have ("how much fluid should I have?"), not of a medicine.
_EVERYDAY = (
    r"(?:water|fluids?|drinks?|food|meals?|snacks?|coffee|tea|alcohol|caffeine|milk|juice|protein|exercise|sleep)"
)
_EVERYDAY_AMOUNT = re.compile(
    rf"\bhow (?:much|many)\b[^?.!]*\b{_EVERYDAY}\b|\b{_EVERYDAY}\b[^?.!]*\bhow (?:much|many)\b"
)
_DOSE = re.compile(r"\bdos(?:e|es|age|ing)\b|\bmg\b|\bpills?\b|\btablets?\b|\bcapsules?\b")
# A question for a place ("where on my arm should I put it?"); one naming a treatment ("where should
# I have the therapy?") may be a choice of centre, and stays advice.
_ASKS_WHERE = re.compile(r"(?:^|[,;.!]\s)\W*(?:so |and |but )?where(?:abouts)?\b[^?.!]*")


def _names_a_treatment(text: str, names: CorpusNames) -> bool:
    return bool(_TREATMENT_WORDS.search(text) or re.search(r"\btreat", text) or names.named_treatment(text))


# Asking leave for something in everyday life: "am I allowed a glass of wine?", "is it OK for me to swim?".
ALLOWED = r"\b(?:am i|are we|is (?:he|she|it|my \w+)) (?:still )?allowed\b"
IS_IT_OK_TO = r"\bis it (?:ok|okay|alright|all right|fine) (?:for (?:me|us|him|her|them|my \w+) )?to\b"
ASKS_PERMISSION = re.compile(f"{ALLOWED}|{IS_IT_OK_TO}", re.IGNORECASE)

# Everyday care a handout gives instructions for: "should I" + one of these, "what do I do if the
# cap comes off?", "am I allowed to carry ...?" ask what it says to do, unless a treatment, a
# medicine or a decision is in the question.
_CARE_VERBS = (
    "drink|eat|rinse|gargle|brush|floss|wash|shower|bathe|shave|wear|leave|keep|use|put|apply|avoid|clean|moisturise|"
    "moisturize|cover|sleep|rest|store|carry|bring|show|tell|stay|travel|"
    # the same in the progressive: "should I be wearing ...?"
    "drinking|eating|rinsing|gargling|brushing|flossing|washing|showering|bathing|shaving|wearing|leaving|keeping|"
    "using|putting|applying|avoiding|cleaning|moisturising|moisturizing|covering|sleeping|resting|storing|carrying|"
    "bringing|showing|telling|staying|travelling|traveling|"
    # what a handout says to cut back on: "do I have to give up my coffee?"
    "give up|giving up|cut out|cutting out|cut down on|cutting down on"
)
_SELF_CARE = re.compile(
    r"\b(?:should|must|(?:do|does|will|would) (?:i|we|my \w+|he|she|they) (?:need|have) to|(?:i|we|my \w+|he|she|they) "
    r"(?:need|have) to) ?(?:i |we |my \w+ |he |she |they )?(?:still |also |just )?(?:be )?(?:"
    + _CARE_VERBS
    + r"|be admitted|be kept in|come in|come back)\b|"
    r"\bwhat (?:do|should|must) (?:i|we) do (?=if|when|with)|"
    # the same asked after the slip is told: "I forgot to take my tablets, what do I do now?"
    r"\b(?:i|we)(?: have|'ve)? (?:forgot|forgotten|missed)\b[^?.!]*?\bwhat (?:do|should|must) (?:i|we) do\b|"
    + ALLOWED
    + r" (?!to (?:get|have|receive|take|try|start|join|enrol|be given)\b)|"
    # "is it OK for me to use wipes?" asks the same as "should I use wipes?"
    + IS_IT_OK_TO
    + r" (?:still |also |just )?(?:"
    + _CARE_VERBS
    + r")\b"
)
_WHEN_TREATED = re.compile(
    r"\b(?:(?:after|during|while (?:on|having|getting)|since|before|following)|(?:when|once|after) "
    r"(?:i|we|he|she|they|my \w+) (?:start|begin|have|get)\w*)\s+(?:\S+\s*){1,3}$|"
    r"\b(?:when|once|after) (?:my|the|your) (?:\w+ )?(?:treatment|therapy|course|chemo\w*) "
    r"(?:is|has|ends|finishes|stops)\b.*$"
)
_TREATMENT_WORDS = re.compile(
    r"\b(?:medicines?|medications?|meds|drugs?|chemo\w*|therap\w*|treatments?|radiation|radiotherapy|trials?|"
    r"infusions?|transplants?|surgery|operation)\b"
)
_DECISION = re.compile(
    r"\b(?:dosage|live|survive|die|life expectancy|chances?|odds|prognosis|cured?|how long (?:\w+ ){0,3}have left|"
    # a dose changed, not a tablet named: "forget my tablets", "my last tablet" ask what the sheet says
    r"(?:stop|skip|change|lower|raise|increase|reduce|double|halve|split|crush|put up|put down|adjust)\w*\s+"
    r"(?:\w+\s+){0,2}(?:pills?|tablets?|doses?|insulin|medicines?|medications?|meds)|"
    r"(?:start|stop|choose|pick|switch|skip|quit|join|enrol|enroll|refuse|delay)(?:s|ed|ped|ping|ing)?)\b"
    # "the tube starts to leak", "stop it from happening" say what happens, not what someone decides
    r"(?!\s+to\b|\s+(?:it|this|that|them)\s+from\b)"
)
_WEIGHING = re.compile(
    r"\b(?:want(?:s|ed)? to|thinking (?:of|about)|consider\w*|plann?\w* (?:to|on)|decid\w*|tempted|"
    r"wonder\w* (?:if|whether)|rather|(?:don't|do not) want)\b"
)
# Something done to the person, not chosen by them: "when my treatment is stopped".
_DONE_TO = re.compile(r"\b(?:is|are|was|were|been|be|gets?|got)\s+(?:stopped|started|changed|delayed)\b")


@functools.lru_cache(maxsize=8)
def _advice(treatments: str) -> re.Pattern[str]:
    return re.compile(_ADVICE_PATTERN.replace("{treatments}", treatments))
