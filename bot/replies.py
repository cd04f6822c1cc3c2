"""Every fixed text the assistant says, in one place, written for a 6th-8th grade reader."""

from __future__ import annotations

#: Carried by every reply on every path (answer, refusal, emergency, error).
NOTICE = "This is general information, not medical advice. Please talk to your care team about your own situation."

NOT_COVERED = (
    "Sorry, my materials don't cover that. "
    "I can only answer questions about CAR-NK and CAR-T cell therapy from two articles. "
    "Your care team is the best place to ask."
)

URGENT = (
    "This may be an emergency. Call your local emergency number (such as 911) now, "
    "or call your treating team's 24-hour urgent line right away. "
    "Do not wait for an answer here."
)

ADVICE = (
    "I can't tell you what to do about your own care. "
    "Only your oncology team knows your health and can help you decide."
)

ADVICE_QUESTIONS_INTRO = "Questions you could ask your oncology team:"

EMPTY_INPUT = "Please type a question about CAR-NK or CAR-T cell therapy."

TOO_LONG = "Your question is too long. Please keep it under {limit} characters. I answered the start of it."

UNSUPPORTED_LANGUAGE = "Sorry, I can only answer questions in English."

SPAM = "Please ask one clear question about CAR-NK or CAR-T cell therapy."

ERROR = "Sorry, something went wrong on my side, so I can't answer right now. Please try again in a moment."

SUGGESTIONS_INTRO = "You could ask me:"

#: Questions the two articles answer; offered after a refusal and as starter buttons.
SUGGESTED_QUESTIONS = (
    "Is CAR-NK better than CAR-T?",
    "What does off-the-shelf mean?",
    "Is CAR-NK available now?",
)
