"""Every fixed text the assistant says, in one place, written for a 6th-8th grade reader.

``{topic}`` is the site's topic from its ``site.yaml`` (``bot.site.Site.say`` fills it in, in
``bot.guard.Guard.finish``, the one place every reply passes). None of them quotes the question
back, so nothing a visitor types (markup included) is echoed.
Reading grades are checked with textstat (``docs/safety.md``, ``tests/test_safety.py``).
"""

from __future__ import annotations

#: Carried by every reply on every path (answer, refusal, emergency, error).
NOTICE = "This is general information, not medical advice. Please talk to your care team about your own situation."

NOT_COVERED = (
    "Sorry, my materials don't cover that. "
    "I can only answer questions about {topic} from my articles. "
    "Your care team is the best place to ask."
)

#: Symptoms happening now. Nothing else is said, so nothing delays the call.
URGENT = (
    "This may be an emergency. Call your local emergency number (such as 911) now, "
    "or call your treating team's 24-hour urgent line right away. "
    "Do not wait for an answer here."
)

#: Thoughts of suicide or self-harm (triage "emergency" too). Nothing else is said.
CRISIS = (
    "You matter, and you do not have to face this alone. Please call a crisis line now (such as 988 in the US "
    "and Canada) or your local emergency number (such as 911). If you can, tell someone near you how you feel."
)

#: Starts every reply to a request for a personal decision, dose or eligibility.
ADVICE = (
    "I can't tell you what to do about your own care. Only your care team knows your health and can help you decide."
)

ADVICE_GENERAL = "Here is what my articles say in general:"

ADVICE_QUESTIONS_INTRO = "Questions you could ask your care team:"

#: When the articles suggest no questions to ask.
ADVICE_ASK_TEAM = "Please bring this question to your care team."

EMPTY_INPUT = "Please type a question about {topic}."

#: The input had no words: only symbols, emoji, markup or control characters.
NO_WORDS = "I could not find any words in your message. Please type your question about {topic}."

TOO_LONG = "Your question is too long. Please keep it under {limit} characters."

TOO_LONG_ANSWERED = "I only read the start of it."

UNSUPPORTED_LANGUAGE = (
    "Sorry, I can only answer in English. If this is an emergency, call your local emergency number now."
)

SPAM = "Please ask one clear question about {topic}."

#: A greeting or thanks with no question in it.
SMALL_TALK = "Hello! Ask me a question about {topic}. I answer from my articles."

#: Instructions to the assistant, and no real question left once they were removed.
INJECTION = "I can only answer questions about {topic} from my articles. I can't change how I work."

#: Starts an answer when instructions to the assistant were found and ignored.
INJECTION_NOTE = "I ignored the part of your message that asked me to change how I work."

#: A composed answer failed its checks (citations, support, numbers); it is never shown.
WITHHELD = "Sorry, I could not check my answer against my articles, so I won't guess. Your care team can help."

ERROR = "Sorry, something went wrong on my side, so I can't answer right now. Please try again in a moment."

#: Starts the final reply when a streamed chat-model draft failed a check and quotes replaced it.
DRAFT_REPLACED = "I replaced my first draft with quotes from the articles."

SUGGESTIONS_INTRO = "You could ask me:"
