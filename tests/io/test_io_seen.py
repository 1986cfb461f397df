"""The compact duplicate-id index, against a plain dict."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.io.seen import SeenIds


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="abcdé", max_size=3), max_size=30),
        max_size=12,
    )
)
def test_matches_a_dict(chunks):
    seen = SeenIds()
    first: dict[str, int] = {}
    loc = 0
    for chunk in chunks:
        locs = np.arange(loc, loc + len(chunk))
        got = seen.first_seen(pl.Series(chunk, dtype=pl.String), locs).tolist()
        expected = []
        for doc_id, at in zip(chunk, locs.tolist(), strict=True):
            expected.append(first.get(doc_id, -1))
            first.setdefault(doc_id, at)
        assert got == expected
        loc += len(chunk)
    assert len(seen) == len(first)


def test_many_runs_stay_few():
    seen = SeenIds()
    for start in range(0, 10_000, 100):
        ids = pl.Series([f"id{i}" for i in range(start, start + 100)])
        assert (seen.first_seen(ids, np.arange(start, start + 100)) == -1).all()
    assert len(seen) == 10_000
    assert len(seen._levels) <= 14
    again = seen.first_seen(pl.Series(["id0", "id9999", "new"]), np.array([1, 2, 3]))
    assert again.tolist() == [0, 9999, -1]
