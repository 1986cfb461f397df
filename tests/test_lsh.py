"""``candidate_pairs``: the compiled path gives exactly the polars definition."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.lsh import (
    BAND,
    KEY,
    ROW_A,
    ROW_B,
    _candidate_pairs_polars,
    band_frame,
    band_keys,
    candidate_pairs,
)
from dedup.minhash import signatures


def _frame(bands: list[int], keys: list[int], rows: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            BAND: pl.Series(bands, dtype=pl.UInt16),
            KEY: pl.Series(keys, dtype=pl.UInt64),
            "row": pl.Series(rows, dtype=pl.UInt32),
        }
    )


def _same(frame: pl.DataFrame, window: int) -> pl.DataFrame:
    fast = candidate_pairs(frame, window=window)
    ref = _candidate_pairs_polars(frame, window=window)
    assert fast.schema == ref.schema
    assert fast.rows() == ref.rows()
    return fast


entries = st.lists(
    st.tuples(
        st.integers(0, 3),  # band
        st.sampled_from([0, 1, 2, 7, 2**63, 2**64 - 1]),  # key: few, so buckets fill
        st.integers(0, 40),  # row (repeats allowed)
    ),
    max_size=300,
)


@settings(deadline=None, max_examples=200)
@given(entries, st.integers(-1, 6))
def test_equals_definition_on_random_buckets(
    items: list[tuple[int, int, int]], window: int
) -> None:
    bands, keys, rows = (
        (list(x) for x in zip(*items, strict=True)) if items else ([], [], [])
    )
    _same(_frame(bands, keys, rows), window)


@pytest.mark.parametrize("window", [0, 1, 2, 5, 64])
def test_big_buckets_use_the_window(window: int) -> None:
    rng = np.random.default_rng(window)
    n = 300
    rows = rng.permutation(n).tolist()
    keys = [int(k) for k in rng.integers(0, 3, size=n)]  # buckets of about 100
    got = _same(_frame([0] * n, keys, rows), window)
    if window:
        assert got.height > 0
        assert (got[ROW_A] <= got[ROW_B]).all()


def test_real_signatures_all_windows() -> None:
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    base = [" ".join(rng.choice(words, size=40)) for _ in range(30)]
    texts = [b for b in base for _ in range(int(rng.integers(1, 6)))]
    texts += [t + " extra words here" for t in base[:10]]
    sig = signatures(pl.Series(texts))
    keys = band_keys(sig.values, 32, 4)
    frame = band_frame(np.arange(len(texts), dtype=np.uint64)[::-1].copy(), keys)
    for window in (1, 3, 64):
        assert _same(frame, window).height > 0


def test_empty_and_single() -> None:
    empty = _frame([], [], [])
    assert _same(empty, 64).height == 0
    assert _same(_frame([0], [5], [1]), 64).height == 0


def test_row_dtype_is_kept() -> None:
    frame = _frame([0, 0, 1, 1], [9, 9, 9, 9], [4, 2, 2, 4]).with_columns(
        pl.col("row").cast(pl.Int64)
    )
    got = _same(frame, 64)
    assert got.schema == {ROW_A: pl.Int64, ROW_B: pl.Int64}
    assert got.rows() == [(2, 4)]


def test_signed_keys_and_fallbacks() -> None:
    signed = _frame([0, 0, 0], [1, 1, 2], [3, 1, 2]).with_columns(
        pl.col(KEY).cast(pl.Int64)
    )
    assert _same(signed, 64).rows() == [(1, 3)]
    # Rows beyond 32 bits and nulls take the polars path: same answer.
    wide = _frame([0, 0], [1, 1], [0, 0]).with_columns(
        pl.Series("row", [2**40, 3], dtype=pl.UInt64)
    )
    assert _same(wide, 64).rows() == [(3, 2**40)]
    nulls = _frame([0, 0, 0], [1, 1, 1], [1, 2, 3]).with_columns(
        pl.Series(KEY, [1, None, 1], dtype=pl.UInt64)
    )
    _same(nulls, 64)


def test_a_row_twice_in_a_bucket_pairs_with_itself() -> None:
    # What the definition does; band_frame never produces it.
    assert _same(_frame([0, 0, 0], [1, 1, 1], [5, 5, 6]), 64).rows() == [
        (5, 5),
        (5, 6),
    ]
