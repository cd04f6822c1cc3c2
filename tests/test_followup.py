"""Follow-up questions: the pronoun is resolved from the previous question's grammar, no word lists."""

from __future__ import annotations

import pytest

from bot import question_form as qf
from bot.followup import named_in, query_for, resolve, resolve_in_message, subject_of

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
        ("What scan shows whether I have glorbin fever?", "scan"),  # "What N <verb>s ...": the verb ends N
        ("What drug stops the itching?", "drug"),
        ("What side effects can Xyloprene cause?", "side effects"),  # "effects can": still the noun
        ("What blood tests show glorbin levels?", "blood tests"),
        ("Is there a cream that helps with the itching?", "cream"),  # "there" only holds the place
        ("Is there anything that helps with the itching?", None),  # "anything" names no thing
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


def _turn(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_it_after_asking_which_thing_does_something_is_what_the_answer_named():
    # "What N <verb>s ...?", "Is there X that ...?": the answer names the thing, found after "called" too.
    asked = _turn(
        "Is there anything that helps with the itching?", "If it is bad, a cream called glorbazole may help. [1]"
    )
    assert resolve("will it stop the rash?", asked) == "will glorbazole stop the rash?"
    asked = _turn("What drug stops the itching?", "The usual choice is glorbazole, a cream. [1]")
    assert resolve("is it safe?", asked) == "is glorbazole safe?"
    # Without a name in the answer: the thing as the question describes it ...
    asked = _turn("What scan shows whether I have glorbin fever?", "You will usually have a scan of your arm. [1]")
    assert resolve("will it hurt?", asked) == "will the scan that shows whether I have glorbin fever hurt?"
    # ... or, when it named nothing ("anything"), retrieval searches both questions.
    asked = _turn("Is there anything that helps with the itching?", "Ask your nurse. [1]")
    assert resolve("will it help?", asked) == "will it help?"
    assert query_for("will it help?", "will it help?", asked).startswith("Is there anything")


def test_named_in_skips_what_is_said_of_something():
    assert named_in("If your skin is sore, a cream called glorbazole may help.") == "glorbazole"
    assert named_in("The most common one is glorbin fever (GF), which passes.") == "glorbin fever"
    assert named_in("Ask your nurse.") is None


@pytest.mark.parametrize(
    ("previous", "follow_up", "resolved"),
    [
        # "back": the return of what the causative verb said changed, after the cause
        (
            "Does Xyloprene make your nails fall out?",
            "will they grow back afterwards?",
            "will your nails grow back after Xyloprene?",
        ),
        (
            "Does Xyloprene make your skin peel?",
            "will it go back to normal?",
            "will your skin go back to normal after Xyloprene?",
        ),
        # not when "it" acts on something else, has no noun phrase to be, or disagrees in number
        (
            "Does Xyloprene make your nails fall out?",
            "will it bring the feeling back?",
            "will Xyloprene bring the feeling back?",
        ),
        ("Does Xyloprene make you sleepy?", "will it come back?", "will Xyloprene come back?"),
        ("Does Xyloprene make your nails fall out?", "will it grow back?", "will Xyloprene grow back?"),
        ("Does Xyloprene make your nails fall out?", "how long does it last?", "how long does Xyloprene last?"),
    ],
)
def test_it_that_comes_back_is_what_the_previous_question_said_changed(previous, follow_up, resolved):
    assert resolve(follow_up, _history(previous)) == resolved


def test_which_one_with_its_own_subject_is_left_alone():
    # "know which one I'm on": a choice among options the previous subject does not name
    follow_up = "can my nurse tell which one I'm on?"
    assert resolve(follow_up, _history("What is a glorbin trial?")) == follow_up
    assert resolve("which one is best?", _history("What is a glorbin trial?")) == "which glorbin trial is best?"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "resolved"),
    [
        ("My dad's doctor said the scan is for 'staging'. What does that mean?", "What does staging mean?"),
        ("He was just diagnosed with a DVT. What does that actually mean?", "What does DVT mean?"),
        ("The nurse warned me about cellulitis. What is it?", "What is cellulitis?"),
        ("The nurse mentioned cellulitis. What's that?", "What is cellulitis?"),
        ("My surgeon says I'm at risk of lymphedema. What does that word mean?", "What does lymphedema mean?"),
        ("What does that mean?", "What does that mean?"),  # nothing named before it: the history's job
        ("I have a PICC line. Does that make a clot more likely?", "Does that make a clot more likely?"),  # not a term
    ],
)
def test_a_term_the_message_names_is_what_its_what_is_that_asks_about(question, resolved):
    assert resolve_in_message(question).endswith(resolved)


@pytest.mark.unit
def test_a_hedge_is_not_part_of_the_term_asked_about():
    assert qf.read_form("What is cellulitis exactly?").subject == "cellulitis"
    assert qf.read_form("What does DVT actually mean?").subject == "dvt"
