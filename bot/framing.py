"""After checking: frame a checked answer with what screening found.

A request for a personal decision gets no recommendation: the general cited information (if the
articles have it), then the questions the articles themselves suggest asking the care team.
Neutralised instructions and a cut question are said at the top of the reply.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import replies
from bot.screen import Screening
from bot.types import Answer, Citation, StoredChunk


def frame(
    screening: Screening,
    answer: Answer,
    team_questions: Sequence[tuple[StoredChunk, str]],
    on_subject: bool,
    max_question_chars: int,
) -> Answer:
    """``on_subject``: a refused advice question still names the articles' own terms."""
    if answer.triage == "error":
        return answer
    if screening.advice:
        answer = advise(answer, team_questions, on_subject)
    if screening.injection:
        answer.triage = "injection"
        if not answer.refused:
            answer.body = f"{replies.INJECTION_NOTE}\n\n{answer.body}"
    if screening.too_long:
        lead = replies.TOO_LONG.format(limit=max_question_chars)
        if not answer.refused:
            lead = f"{lead} {replies.TOO_LONG_ANSWERED}"
        answer.body = f"{lead}\n\n{answer.body}"
        answer.triage = answer.triage or "too_long"
    answer.notice = replies.NOTICE
    return answer


def advise(answer: Answer, team_questions: Sequence[tuple[StoredChunk, str]], on_subject: bool) -> Answer:
    """No recommendation: general information if the articles have it, then the questions they suggest asking."""
    if answer.refused and answer.triage == "off_topic":
        return answer  # "recommend a restaurant" is not a medical decision
    on_subject = on_subject and answer.refused and answer.triage == "not_covered"
    if answer.refused and not on_subject:  # nothing general to give: no recommendation, no unrelated questions
        return Answer(body=f"{replies.ADVICE} {replies.NOT_COVERED}", refused=True, triage="advice")
    citations = [] if answer.refused else list(answer.citations)
    parts = [replies.ADVICE]
    if not answer.refused:
        parts.append(f"{replies.ADVICE_GENERAL}\n\n{answer.body}")
    if team_questions:
        lines = []
        for chunk, text in team_questions:
            citation = next((c for c in citations if c.doc_id == chunk.doc_id and c.text == chunk.text), None)
            if citation is None:
                citation = Citation.of(len(citations) + 1, chunk)
                citations.append(citation)
            citation.quotes.append(text)
            lines.append(f"- {text} [{citation.n}]")
        parts.append(replies.ADVICE_QUESTIONS_INTRO + "\n" + "\n".join(lines))
    else:
        parts.append(replies.ADVICE_ASK_TEAM)
    # Refused only when nothing from the articles is given.
    return Answer(body="\n\n".join(parts), citations=citations, refused=not citations, triage="advice")
