"""The compiled pieces the repetition statistics were sped up with.

The statistics themselves are checked against a plain Python reference in
``test_passages.py``; these pin the parts that must stay equal to what they
replace: the four-words-a-step hash of a span and the tie rule of the
branch-free 2-gram round.
"""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.passages import repetition_stats
from dedup.passages.stats import span_hash
from dedup.shingle import gram_hash

WORDS = st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=40)


@settings(max_examples=60)
@given(WORDS, st.data())
def test_span_hash_equals_gram_hash(words, data) -> None:
    hashes = np.array(words, dtype=np.uint64)
    i = data.draw(st.integers(0, len(words)))
    n = data.draw(st.integers(0, len(words) - i))
    assert span_hash(hashes, i, n) == gram_hash(hashes, i, n)


def test_top_2gram_ties_go_to_the_first_seen() -> None:
    # "ef gh" and "ab cd" both occur twice; "ef gh" comes first, and its
    # characters (5) are what the fraction counts: 2 * 5 / len(text).
    text = "ef gh ab cd ef gh ab cd xyzw"
    got = repetition_stats(pl.Series([text]))["top_2gram_char_frac"].item()
    assert got == pytest.approx(2 * 5 / len(text))
    # Not the longest of the tied 2-grams: "ef gh" (5 characters) is seen
    # before "gh abcdef" and "abcdef cd" (9 each).
    text = "ef gh abcdef cd ef gh abcdef cd"
    got = repetition_stats(pl.Series([text]))["top_2gram_char_frac"].item()
    assert got == pytest.approx(2 * 5 / len(text))


def test_no_repeated_2gram_counts_the_first() -> None:
    # Every 2-gram once: the most common is the first, count 1.
    text = "alpha beta gamma delta"
    got = repetition_stats(pl.Series([text]))["top_2gram_char_frac"].item()
    assert got == pytest.approx(len("alpha beta") / len(text))
