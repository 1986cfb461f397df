"""Small generated corpora with planted near-duplicates (test fixtures)."""

from __future__ import annotations

import random

VOCAB = """
government minister said talks would resume market shares rose percent
company reported quarter profit analysts expected bank rates inflation
officials confirmed meeting agreement trade exports imports economy growth
election parliament vote president statement police arrested city council
court ruled appeal investors bond yields currency dollar oil prices crude
production output farmers harvest weather storm damage residents emergency
""".split()  # noqa: SIM905 - reads as prose


def article(rng: random.Random, n_words: int = 200) -> str:
    """A fake article of *n_words* words in sentences and paragraphs."""
    words = [rng.choice(VOCAB) for _ in range(n_words)]
    sentences = [
        " ".join(words[i : i + 12]).capitalize() + "." for i in range(0, n_words, 12)
    ]
    paras = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return "\n\n".join(paras)


def edit_words(rng: random.Random, text: str, rate: float) -> str:
    """Replace a share *rate* of the words with other vocabulary words."""
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(VOCAB)
    return " ".join(words)


def template(day: int, amount: str, rate: str) -> str:
    """A recurring rate notice: fixed wording, different figures."""
    return (
        f"The Federal Reserve said it added {amount} billion dlrs of temporary "
        f"reserves to the banking system on March {day} through customer "
        f"repurchase agreements when federal funds were trading at {rate} pct. "
        "Economists said the operation was in line with expectations and that the "
        "Fed was expected to keep conditions steady ahead of the policy meeting "
        "later this month, according to dealers who follow open market operations "
        "closely and who asked not to be named in this report."
    )
