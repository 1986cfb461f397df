"""The farm's three repetition statistics equal those of dedup.passages."""

from __future__ import annotations

import numpy as np
import polars as pl
from farm_helpers import seed_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.charclass import CLASS_MASK, IGNORE, SLOW, lower_table, table
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


def _handed_over(text: str) -> bool:
    """Whether the scan should hand *text*'s tokens over (by the definitions).

    Not when NFKC folds it (a SLOW code point) nor when it holds a skin tone
    (the scan drops those, dedup.passages reads them as punctuation).
    """
    classes = table()
    return not any(
        classes[ord(ch)] & SLOW or 0x1F3FB <= ord(ch) <= 0x1F3FF for ch in text
    )


def _check_scan(texts: list[str]) -> None:
    """The feature scan's repetition rows equal farm_repetition's, bit for bit.

    Rows handed over are filled in by the scan itself (exactly those of
    :func:`_handed_over`), the others are left NaN for ``complete``.
    """
    from dedup.farm.features import extract
    from dedup.farm.model import load_bundled
    from dedup.farm.repetition import complete

    series = pl.Series(texts, dtype=pl.String)
    scanned = extract(series, load_bundled().resources).repetition
    want = farm_repetition(series)
    handed = np.array([_handed_over(t) for t in texts], dtype=bool)
    assert not np.isnan(scanned[handed]).any()
    assert np.isnan(scanned[~handed]).all()
    np.testing.assert_array_equal(scanned[handed], want[handed])
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


#: Characters outside ASCII the scan hands over: typographic punctuation
#: (… stays as it is: NFKC maps it to punctuation only), letters, a solo
#: character, an emoji without a variation selector, white space (no-break,
#: ideographic, line separator) and ignored characters (soft hyphen, zero
#: width space and joiner, byte order mark).
HANDLED = [
    "\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026",
    "\u2022", "\u00ab", "\u00bb", "\u00e9", "\u00c9", "\u00df", "\u0416",
    "\u03c2", "\u4e2d", "\U0001f44d", "\u00a0", "\u3000", "\u2028", "\u0085",
    "\u00ad", "\u200b", "\u200d", "\ufeff",
]  # fmt: skip
#: Characters that send a text back to farm_repetition: NFKC folds (a
#: ligature, full-width and compatibility forms, a variation selector, a
#: combining accent) and a skin tone the scan drops.
REFUSED = [
    "\ufb01",
    "\uff38",
    "\u2122",
    "\u00bd",
    "\u2600\ufe0f",
    "e\u0301",
    "\U0001f3fb",
]
ASCII_PARTS = [
    "a",
    "b",
    "Ab",
    "c.",
    "x-y",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    "--",
    "\x1c",
]


def test_scan_equal_on_typographic_edge_cases() -> None:
    _check_scan(
        [
            "\u201cQuote\u201d \u2014 said\u2026\n\u201cQuote\u201d \u2014 said\u2026",
            "\u2014\u2014\n\u2026\n\n\u2014\u2014\n\u2026\n\nword \u2019s",
            "caf\u00e9 na\u00efve \u00a0caf\u00e9\u00a0 na\u00efve\r\n"
            "\tcaf\u00e9 na\u00efve",
            "co\u00adop\u00ad\nco\u00adop\u00ad\n\u00ad\n"
            "\u200b \u00ad\nco\u00adop\u00ad",
            "\ufeffa b c d e\u200b a b c d e\u00ad\u2026 a b c d e",
            "\u4e2d\u6587\u4e2d\u6587\n\u4e2d\u6587\u4e2d\u6587 "
            "\U0001f44d\u200d\U0001f44d",
            "ok\U0001f3fbgo ok\U0001f3fbgo",  # refused: a skin tone
            "\ufb01ne \u201cx\u201d \ufb01ne \u201cx\u201d",  # refused: NFKC
            "\u2028\u3000\n \u00a0\n\u0085",
        ]
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ASCII_PARTS + HANDLED + HANDLED + REFUSED),
            st.sampled_from(["", " "]),
        ),
        max_size=60,
    )
)
def test_scan_equal_on_random_unicode_texts(parts: list[tuple[str, str]]) -> None:
    text = "".join(p + sep for p, sep in parts)
    _check_scan([text, text + "\n" + text, text.replace("\n", "\n\u2014 ")])


def test_scan_modifiers_are_ignored_or_refused() -> None:
    """Each code point the scan drops unread is ignored by dedup.passages or refused."""
    from dedup.farm.features import _handover_kinds, _modifiers
    from dedup.farm.repetition import REFUSE

    mods = np.flatnonzero(_modifiers())
    ignored = (table()[lower_table()[mods]] & CLASS_MASK) == IGNORE
    assert ((_handover_kinds()[mods] == REFUSE) | ignored).all()
    assert (_handover_kinds()[0x1F3FB:0x1F400] == REFUSE).all()
