"""Follow-up questions: the pronoun is resolved from the previous question's grammar, no word lists."""

from __future__ import annotations

import pytest

from bot.followup import resolve, subject_of

pytestmark = pytest.mark.unit


def _history(question: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "An answer. [1]"}]


@pytest.mark.parametrize(
    ("previous", "subject"),
    [
        ("What is a zebra-finch vaccine?", "zebra-finch vaccine"),  # made-up names count as names
        ("Tell me about the Glorbin trial", "Glorbin trial"),
        ("What are the side effects of Xyloprene?", "side effects of Xyloprene"),
        ("Is Xyloprene better than Glorbin?", "Xyloprene"),  # "better" is how it is asked, not what
        ("How is dialysis done?", "dialysis"),
        ("Do ice packs help reduce swelling?", "ice packs"),  # a plural subject's verb ends it
        ("What is anticipatory grief?", "anticipatory grief"),  # an adjective before its noun
        ("What is scalp cooling?", "scalp cooling"),  # a noun made of a verb
        ("Does Xyloprene cause glorbin fever?", "Xyloprene"),  # the main verb ends a singular subject ...
        ("Does radiotherapy make your hair fall out?", "radiotherapy"),
        ("Does the cord blood work?", "cord blood"),  # ... not a noun that can be a verb ("to blood")
        ("Will the dose change?", "dose"),
        ("Is Xyloprene working?", "Xyloprene"),  # how it is asked of the subject, like "safe"
        ("Why?", None),
    ],
)
def test_the_subject_is_the_noun_phrase_asked_about(previous, subject):
    assert subject_of(previous) == subject


@pytest.mark.parametrize(
    ("previous", "follow_up", "resolved"),
    [
        ("What is dialysis?", "how long does it take?", "how long does dialysis take?"),
        ("What are stem cells?", "where do they come from?", "where do stem cells come from?"),
        ("What is a port?", "what about its risks?", "what about port's risks?"),
        ("Tell me about the Glorbin trial", "who ran that trial?", "who ran the Glorbin trial?"),
        ("Is Xyloprene safe?", "so how sure are they about it?", "so how sure are they about Xyloprene?"),
        ("Does Xyloprene cause rashes?", "how long does it last?", "how long does Xyloprene last?"),
        ("Do ice packs help reduce swelling?", "do they work for everyone?", "do ice packs work for everyone?"),
        # "they" agrees with a plural: the things the question named, when its subject is not one.
        (
            "Why did the nurse put stickers and plastic clips on my arm?",
            "can they get wet?",
            "can stickers and plastic clips get wet?",
        ),
        # "one": the noun left out is the previous subject's, in the number asked for.
        (
            "What are the side effects of Xyloprene?",
            "what about the brain one?",
            "what about the brain side effect of Xyloprene?",
        ),
        (
            "What are the side effects of Xyloprene?",
            "which ones are common?",
            "which side effects of Xyloprene are common?",
        ),
        ("What is a port?", "how is that one removed?", "how is the port removed?"),
        ("What is a port?", "is the one dose enough?", "is the one dose enough?"),  # a number, not a left-out noun
    ],
)
def test_a_pronoun_takes_the_previous_subject(previous, follow_up, resolved):
    assert resolve(follow_up, _history(previous)) == resolved


def test_a_self_contained_question_is_left_alone():
    assert resolve("What is dialysis?", _history("What is a port?")) == "What is dialysis?"
    assert resolve("how long does it take?", []) == "how long does it take?"


def test_it_after_a_question_about_the_most_something_is_what_the_answer_named():
    history = [
        {"role": "user", "content": "What is the most common side effect of Xyloprene?"},
        {"role": "assistant", "content": "The most common side effect is glorbin fever (GF), which starts early. [1]"},
    ]
    assert resolve("how long does it last?", history) == "how long does glorbin fever last?"
    # An answer that names nothing leaves the question's own subject.
    history[1]["content"] = "Sorry, my materials don't cover that."
    assert resolve("how long does it last?", history) == "how long does most common side effect of Xyloprene last?"
