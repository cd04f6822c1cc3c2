"""Generic labelled example messages the guard compares a question's meaning with (nearest neighbours).

Only what holds for any patient-education site is here; exemplars in the words of the
treatments a site covers come from its ``site.yaml`` (``bot.site``) and are added to these.
They are written for that purpose and are not copies of evaluation questions: a question is
judged by the label of the examples it is closest to, so they must cover kinds of question, not
wordings. Embedded once, lazily, by ``bot.triage.Exemplars``.
"""

from __future__ import annotations

#: Someone reporting symptoms that are happening now, to them or to a person they are with.
EMERGENCY = (
    "my temperature keeps going up since the infusion",
    "my husband is suddenly confused and does not recognise me",
    "my mother is mixing up her words and seems very sleepy since the treatment",
    "he cannot speak properly and his handwriting has changed",
    "I am struggling to breathe and my chest feels tight",
    "my dad is gasping for air",
    "my daughter just had a seizure",
    "he is twitching and shaking and not answering me",
    "I passed out in the bathroom",
    "she fainted and is very pale",
    "I keep feeling like I am going to faint when I stand up",
    "I have a crushing pain in my chest",
    "my heart is racing and I feel awful",
    "I have the worst headache I have ever had",
    "my head is pounding and the light hurts my eyes",
    "I am bleeding from my nose and it will not stop",
    "there is blood in my urine since yesterday",
    "I am throwing up and cannot keep water down",
    "my son is really drowsy and hard to wake up",
    "my lips are swelling and my throat feels tight during the infusion",
    "my blood pressure is very low and I feel dizzy",
    "I can't feel my left arm",
    "my partner is talking nonsense and acting strange",
    "help, my father collapsed",
    "I think I'm having an allergic reaction to the infusion",
)

#: Questions about symptoms and side effects, asked to learn: no one is reporting anything.
EDUCATION: tuple[str, ...] = ()

#: Personal statements that are not red flags: context, how someone is doing, mild complaints.
CALM = (
    "I feel fine after my infusion",
    "my dad is doing well since his treatment",
    "I am a little tired today",
    "I have a mild cold and a runny nose",
    "I am nervous about starting treatment next week",
    "she is recovering at home and eating well",
    "I have a small itchy spot on my skin",
    "I'm feeling much better today",
    "he has a sore throat",
    "my appetite is a bit low",
    "I'm a nurse on the cancer ward",
    "I feel a bit sick to my stomach",
    "my back aches a little",
    "I slept badly last night",
    "I'm bored waiting for my results",
    "I got my blood test results back and they were normal",
)

#: What any patient handout answers, whatever its treatment (the articles' own topics are added at ingest).
CARE_QUESTIONS = (
    "when do I need to phone my care team",
    "who do I contact if something is wrong",
    "what warning signs should I look out for at home",
)

#: Everyday topics no patient-education site answers (a site adds its health near-misses).
OUT_OF_DOMAIN = (
    "what is the weather like tomorrow",
    "recommend a good book",
    "who is the president",
    "what is the capital of Australia",
    "how do I make pasta",
    "what time does the cafeteria open",
    "tell me a funny story",
    "translate this into Spanish",
    "write some python code",
    "what is the score of the game",
    "how do computers work",
    "what is love",
)
