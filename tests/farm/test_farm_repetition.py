"""The farm's three repetition statistics equal those of dedup.passages."""

from __future__ import annotations

import numpy as np
import polars as pl
from farm_helpers import seed_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.farm.repetition import LINE, NGRAM, PARAGRAPH, farm_repetition
from dedup.passages import repetition_stats

COLUMNS = {
    LINE: "dup_line_char_frac",
    PARAGRAPH: "dup_para_char_frac",
    NGRAM: "dup_5gram_char_frac",
}


def _check(texts: list[str | None]) -> None:
    series = pl.Series(texts, dtype=pl.String)
    got = farm_repetition(series)
    want = repetition_stats(series)
    for col, name in COLUMNS.items():
        np.testing.assert_array_equal(got[:, col], want[name].to_numpy(), name)


def test_equal_on_seeds_and_edge_cases() -> None:
    _check(
        [
            *seed_frame()["text"].to_list(),
            None,
            "",
            "   \n\n  ",
            "Also read\nAlso read\nAlso read\nNews",
            "a b c d e a b c d e a b c d e",
            "ﬁne café ﬁne café ﬁne café ﬁne café ﬁne café",  # NFKC mapped back
            "Para one.\nline two\n\nPara one.\nline two\n\nend",
        ]
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "b", "Ab", "c.", "\n", "\n\n", " ", "ﬁ", "中", "☀️"]),
        max_size=60,
    )
)
def test_equal_on_random_repetitive_texts(parts: list[str]) -> None:
    text = " ".join(parts)
    _check([text, text + "\n" + text])
