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


def _check_scan(texts: list[str]) -> None:
    """The feature scan's repetition rows equal farm_repetition's (ASCII ones)."""
    from dedup.farm.features import extract
    from dedup.farm.model import load_bundled
    from dedup.farm.repetition import complete

    series = pl.Series(texts, dtype=pl.String)
    scanned = extract(series, load_bundled().resources).repetition
    want = farm_repetition(series)
    ascii_rows = [t.isascii() for t in texts]
    assert not np.isnan(scanned[ascii_rows]).any()
    assert np.isnan(scanned[[not a for a in ascii_rows]]).all()
    np.testing.assert_array_equal(complete(scanned, series), want)


def test_scan_equal_on_edge_cases() -> None:
    _check_scan(
        [
            *seed_frame()["text"].to_list(),
            "",
            "   \n\n  ",
            "Also read\nAlso read\nAlso read\nNews",
            "a b c d e a b c d e a b c d e",
            "Para one.\nline two\n\nPara one.\nline two\n\nend",
            "  lead\r\nlead\r\n\tx-y z_w x-y z_w x-y z_w x-y z_w x-y z_w \x01\x7f ",
            "--- ***\n--- ***\n\n. . . . . .",
        ]
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "b", "Ab", "c.", "\n", "\n\n", " ", "\t", "\r", "--", "'s", "\x02"]
        ),
        max_size=60,
    )
)
def test_scan_equal_on_random_ascii_texts(parts: list[str]) -> None:
    text = " ".join(parts)
    _check_scan([text, text + "\n" + text, "x ☀️ " + text])
