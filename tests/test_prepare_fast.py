"""The compiled folding of prepare_batch against prepare_slow, text by text."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from conftest import ROOT, SHARED_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.passages.fold_table as fold_table
from dedup.arrow import string_buffers
from dedup.charclass import table
from dedup.passages.tokens import PreparedBatch, prepare_batch, prepare_slow
from dedup.shingle import needs_nfkc


def reference_batch(
    texts: pl.Series, *, nfkc: bool = True, buffers: object = None
) -> PreparedBatch:
    """prepare_batch as it was: prepare_slow on each text, put back in place.

    (*buffers*, the column's own buffers when given, change nothing.)
    """
    assert nfkc
    texts = texts.fill_null("").rechunk()
    data, offsets = string_buffers(texts)
    n_bytes = np.diff(offsets)
    map_off = np.zeros(len(texts) + 1, dtype=np.int64)
    map0 = map1 = np.zeros(0, dtype=np.int64)
    slow = needs_nfkc(data, offsets, table())
    keep: list[int] = []
    fixed: list[str] = []
    m0: list[npt.NDArray[np.int64]] = []
    m1: list[npt.NDArray[np.int64]] = []
    sizes = np.zeros(len(texts), dtype=np.int64)
    for d in np.flatnonzero(slow).tolist():
        prepared = prepare_slow(texts[d])
        if prepared is not None:
            keep.append(d)
            fixed.append(prepared[0])
            m0.append(prepared[1])
            m1.append(prepared[2])
            sizes[d] = len(prepared[1])
    if keep:
        np.cumsum(sizes, out=map_off[1:])
        map0, map1 = np.concatenate(m0), np.concatenate(m1)
        # In place, as before: n_chars is then that of the normalised texts.
        texts.scatter(keep, pl.Series(fixed, dtype=pl.String))
        data, offsets = string_buffers(texts.rechunk())
    n_chars = texts.str.len_chars().to_numpy().astype(np.int64)
    return PreparedBatch(data, offsets, map_off, map0, map1, n_chars, n_bytes, texts)


FIELDS = ("data", "offsets", "map_off", "map0", "map1", "n_chars", "n_bytes")


def assert_same(got: PreparedBatch, want: PreparedBatch) -> None:
    for name in FIELDS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name
    assert got.texts.equals(want.texts)


@pytest.fixture
def cold() -> Iterator[None]:
    """Empty caches: every code point and cluster is asked of Python again."""
    fold_table._JOINS[:] = fold_table.UNKNOWN
    fold_table._CLUSTERS.clear()
    yield


# Pieces that exercise every branch: slow characters alone and in clusters,
# combining marks before, after and at the start, jamo, emoji sequences,
# casing that changes length, characters outside the BMP.
PIECES = [
    "a", "Z", " ", ".", "\n", "word", "…", "\u00a0", "ﬁ", "ﬂ", "Ｆ", "ｕ", "！",
    "İ", "Σ", "ς", "ß", "e\u0301", "\u0301", "\u0308\u0301", "ﬁ\u0301",
    "Ｆ\u0301\u0327", "\u1100", "\u1161", "\u11a8", "\ud7b0", "\u1100\u1161\u11a8",
    "😀", "❤\ufe0f", "🕊\ufe0f", "👨\u200d👩\u200d👧", "\u200d", "\ufe0f",
    "™", "½", "´", "①", "ℝ", "\U0001d400", "\U00020000", "中", "\u0e01\u0e49",
    "ǅ", "Å", "Ω", "\u0345", "\u0130\u0301", "\U000e0100", "\u20dd", "\u0488",
]  # fmt: skip

text_strategy = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
    st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.characters(exclude_categories=("Cs",)),
            st.characters(categories=("Mn", "Mc", "Me")),
        ),
        max_size=30,
    ).map("".join),
)


@settings(max_examples=400)
@given(st.lists(st.one_of(st.none(), text_strategy), max_size=8), st.booleans())
def test_batch_equals_prepare_slow_text_by_text(
    texts: list[str | None], forget: bool
) -> None:
    if forget:  # from cold caches now and then, warm the rest of the time
        fold_table._JOINS[:] = fold_table.UNKNOWN
        fold_table._CLUSTERS.clear()
    series = pl.Series("text", texts, dtype=pl.String)
    assert_same(prepare_batch(series), reference_batch(series))


def test_single_texts_against_prepare_slow(cold: None) -> None:
    for text in ["", "\u0301", "\u0301abc", "ﬁ\u0301", "x\u0301\u0301ﬁ", "é\u0308"]:
        got = prepare_batch(pl.Series([text]))
        want = prepare_slow(text)
        assert want is not None or text == ""
        if want is not None:
            assert bytes(got.data).decode() == want[0]
            assert got.map0.tolist() == want[1].tolist()
            assert got.map1.tolist() == want[2].tolist()


def test_more_unknown_clusters_than_slots(cold: None) -> None:
    # Every cluster is new: the text is measured again until all are known.
    marks = [chr(0x300 + i) for i in range(3 * fold_table.UNKNOWN_SLOTS)]
    text = " ".join(f"x{m}" for m in marks) + " ﬁ"
    series = pl.Series([text, "plain", text[::-1]])
    assert_same(prepare_batch(series), reference_batch(series))


def test_a_sliced_column_and_given_buffers() -> None:
    series = pl.Series(["skip", "ﬁne", "ok", "e\u0301"])[1:]
    assert_same(prepare_batch(series), reference_batch(series))
    buffers = string_buffers(series)
    assert_same(prepare_batch(series, buffers=buffers), reference_batch(series))


def _frames() -> Iterator[tuple[str, pl.Series]]:
    """The corpora of benchmarks.farm (seeds x400, gold, Reuters), built here:
    importing that module pins numba's thread count for the whole session."""
    from dedup.farm.data import boilerplate_articles

    seeds = [f.read_text("utf-8") for f in sorted((ROOT / "seeds").glob("*.txt"))]
    yield "seeds x400", pl.Series(seeds * 400)
    if (SHARED_DATA / "boilerplate").exists():
        arts = boilerplate_articles(SHARED_DATA)
        yield "gold", pl.Series([a.text for a in arts if a.doc_id.endswith(":gold")])
    reuters = SHARED_DATA / "reuters21578" / "reuters21578.jsonl"
    if reuters.exists():
        with reuters.open(encoding="utf-8") as fh:
            recs = [json.loads(line) for line in fh]
        bodies = [((r.get("body") or "").replace("\x03", ""), r["title"]) for r in recs]
        yield "reuters", pl.Series([f"{t}\n\n{b}" for b, t in bodies if b.strip()])


@pytest.mark.slow
def test_corpora_batches_and_their_results_are_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dedup.farm.repetition as repetition
    from dedup.passages.stats import repetition_stats

    for _, texts in _frames():
        assert_same(prepare_batch(texts), reference_batch(texts))
        got = repetition.farm_repetition(texts), repetition_stats(texts)
        with monkeypatch.context() as m:
            m.setattr(repetition, "prepare_batch", reference_batch)
            m.setattr("dedup.passages.stats.prepare_batch", reference_batch)
            want = repetition.farm_repetition(texts), repetition_stats(texts)
        assert np.array_equal(got[0], want[0])
        assert got[1].equals(want[1])
