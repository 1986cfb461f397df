from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dedup.farm.paragraphs import segment, split_paragraphs

# Text made of the pieces that matter to segmentation: words, spaces, every
# kind of line break, tabs, emoji, combining marks and wide characters.
PIECES = st.sampled_from(
    [
        "word",
        "Wörd",
        "a",
        ".",
        ":",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "\u2028",
        "\u2029",
        "\x0b",
        "\x0c",
        "\x85",
        "\u00a0",
        "\u3000",
        "📈",
        "🇺🇦",
        "e\u0301",
        "北京",
        "\ufeff",
        "\u200b",
        "    ",
        "x" * 70,
        "Reuter",
    ]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join) | st.text(max_size=300)


@given(TEXTS)
def test_offsets_cut_the_paragraphs_and_cover_every_visible_character(
    text: str,
) -> None:
    spans = split_paragraphs(text)
    covered = [False] * len(text)
    prev_end = 0
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        para = text[start:end]
        assert para == para.strip() and para
        for i in range(start, end):
            covered[i] = True
        prev_end = end
    for i, ch in enumerate(text):
        assert covered[i] or ch.isspace()


@given(st.lists(TEXTS, max_size=8))
def test_batch_segmentation_matches_one_text_at_a_time(texts: list[str]) -> None:
    seg = segment(pl.Series(texts, dtype=pl.String))
    pars = seg.texts().to_list()
    for d, text in enumerate(texts):
        one = [text[s:e] for s, e in split_paragraphs(text)]
        assert pars[seg.doc_start[d] : seg.doc_start[d + 1]] == one


def test_blank_lines_single_newlines_and_headings() -> None:
    text = "# Heading\nFirst line.\nSecond line.\n\n\nThird block\r\nwith CRLF."
    assert [text[s:e] for s, e in split_paragraphs(text)] == [
        "# Heading",
        "First line.",
        "Second line.",
        "Third block",
        "with CRLF.",
    ]


def test_hard_wrapped_newswire_is_joined_and_tables_stay_apart() -> None:
    text = (
        "Qtr ended Jan 31\n"
        "    Shr 33 cts vs 29 cts\n"
        "    Net 14.8 mln vs 11 mln\n"
        "    Note: Net for nine mths includes gains from dispositions of\n"
        "1,783,000 dlrs or four cts a share vs 900,000 dlrs or two cts a\n"
        "share.\n"
        "    Avg shrs and shr data restated to reflect three-for-two\n"
        "stock split in January.\n"
        " Reuter"
    )
    paras = [" ".join(text[s:e].split()) for s, e in split_paragraphs(text)]
    assert paras == [
        "Qtr ended Jan 31",
        "Shr 33 cts vs 29 cts",
        "Net 14.8 mln vs 11 mln",
        "Note: Net for nine mths includes gains from dispositions of 1,783,000 dlrs "
        "or four cts a share vs 900,000 dlrs or two cts a share.",
        "Avg shrs and shr data restated to reflect three-for-two stock split in "
        "January.",
        "Reuter",
    ]


def test_short_heading_and_caption_lines_are_not_merged() -> None:
    text = (
        "Melania Trump reveals private letter from Putin: “He will talk”\nShutterstock"
    )
    assert len(split_paragraphs(text)) == 2


def test_empty_and_null_texts() -> None:
    assert split_paragraphs("") == []
    assert split_paragraphs(" \n\t\n ") == []
    seg = segment(pl.Series(["", None, "a"], dtype=pl.String))
    assert seg.doc_start.tolist() == [0, 0, 0, 1]


@given(st.lists(TEXTS, max_size=8))
def test_paragraph_texts_as_views_equal_the_copied_bytes(texts: list[str]) -> None:
    # Views into the batch buffer (short paragraphs held in the view itself,
    # longer ones by offset) against the paragraphs' bytes copied out, the
    # fallback for buffers past 2 GiB.
    from dedup.farm import paragraphs

    seg = segment(pl.Series(texts, dtype=pl.String))
    views = seg.texts()
    limit = paragraphs._MAX_VIEW_BUFFER
    try:
        paragraphs._MAX_VIEW_BUFFER = 0
        copied = seg.texts()
    finally:
        paragraphs._MAX_VIEW_BUFFER = limit
    assert views.dtype == copied.dtype == pl.String
    assert views.to_list() == copied.to_list()
