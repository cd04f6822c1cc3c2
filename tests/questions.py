"""Labelled questions for the retrieval and answer tests.

Each is (question, answers): answers are (document id, words of a sentence that answers it);
any passage holding one of them is a right one, whatever the chunker does.
"""

SHIFTING = "shifting-gears-car-nk-vs-car-t"
SHELF = "car-nk-off-the-shelf"

QUESTIONS: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    ("Is CAR-NK better than CAR-T?", ((SHELF, "isn't proven superior"),)),
    ("What does off-the-shelf mean?", ((SHELF, "made in advance from donors, cord blood or stem cells"),)),
    ("Is CAR-NK approved and available now?", ((SHELF, "mostly in clinical trials, with few approved products"),)),
    (
        "What is a chimeric antigen receptor?",
        ((SHIFTING, "engineered receptor proteins that target specific antigens"),),
    ),
    (
        "How is CAR T-cell therapy made?",
        (
            (SHIFTING, "harvesting a patient's T cells and genetically modifying them"),
            (SHELF, "custom-manufactured from each patient's own T cells"),
        ),
    ),
    ("What is cytokine release syndrome?", ((SHIFTING, "potentially life-threatening inflammatory response"),)),
    ("Why does CAR-T work less well in solid tumours?", ((SHIFTING, "less effective against solid tumours"),)),
    ("What is antigen escape?", ((SHIFTING, "tumours evade immune response by reducing the expression"),)),
    ("What is graft-versus-host disease?", ((SHIFTING, "donor CAR T-cells recognize the patient's cells as foreign"),)),
    ("Why is CAR-NK less toxic than CAR-T?", ((SHIFTING, "NK cells do not produce pro-inflammatory cytokines"),)),
    (
        "Has ICANS been seen with CAR-NK therapy?",
        ((SHIFTING, "ICANS has not been observed in any CAR NK-cell therapy"),),
    ),
    ("How often does ICANS happen with CAR-T?", ((SHIFTING, "26.9% for all-grade events"),)),
    ("How much does CAR-T therapy cost?", ((SHIFTING, "costs exceeding $400,000 per patient"),)),
    ("Can CAR-NK be given as an outpatient?", ((SHIFTING, "enables outpatient administration"),)),
    ("How many CAR-NK clinical trials have been registered?", ((SHIFTING, "at least 120 clinical trials"),)),
    (
        "What was the one-year survival in the cord blood CAR-NK trial?",
        ((SHIFTING, "1-year overall survival rate of 68%"),),
    ),
    ("How long do NK cells last in the body?", ((SHIFTING, "persistence lasting only weeks to months"),)),
    ("Why is it hard to make enough NK cells?", ((SHIFTING, "only 10-15% of peripheral blood lymphocytes"),)),
    (
        "How do NK cells recognise cancer cells without antigens?",
        ((SHIFTING, "germline-encoded activating and inhibitory receptors"),),
    ),
    ("What role does MHC play for NK cells?", ((SHIFTING, "absence of MHC I triggers the activation of NK cells"),)),
    (
        "Where do CAR-NK cells come from?",
        (
            (SHELF, "donor cells, cord blood, or induced pluripotent stem cells"),
            (SHELF, "ready-made, from donors or stem cells"),
            (SHELF, "made in advance from donors, cord blood or stem cells"),
        ),
    ),
    ("How strong is the evidence for CAR-NK?", ((SHELF, "pools mostly early-phase trials and laboratory work"),)),
    ("What should I ask my oncology team about CAR-NK?", ((SHELF, "Are there CAR-NK trials relevant to my cancer?"),)),
    (
        "Does CAR-NK work against solid tumours?",
        ((SHIFTING, "has yet to be definitively established in large-scale clinical trials"),),
    ),
    (
        "Why is CAR-T slow to produce?",
        (
            (SHIFTING, "weeks required for autologous CAR T-cell production"),
            (SHELF, "custom-manufactured from each patient's own T cells, which is slow and costly"),
            (SHELF, "expensive, slow, and built one patient at a time"),
        ),
    ),
]
