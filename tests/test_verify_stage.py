"""Chunked verification: the text store, shingle sets, overlaps and chunks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.textstore as textstore
from dedup.arrow import string_buffers
from dedup.charclass import lower_table, table
from dedup.minhash import signatures
from dedup.normalize import prepare_column
from dedup.shingle import doc_shingles, sets_of_buffers, shingle_sets
from dedup.textstore import TextStore
from dedup.verify import overlap
from dedup.verify_stage import chunks

_words = st.sampled_from(["news", "rate", "bank", "1.5", "said", "the", "東京", "ﬁn"])
_texts = st.lists(st.lists(_words, max_size=40).map(" ".join), min_size=1, max_size=8)


def _reference_sets(prepared: pl.Series, kind: str, n: int) -> list[set[int]]:
    """Shingle sets from the plain (slow) definition, one document at a time."""
    data, offsets = string_buffers(prepared)
    out = []
    for d in range(len(offsets) - 1):
        size = int(offsets[d + 1] - offsets[d]) + 8
        scratch = np.empty(2 * size, dtype=np.uint64)
        figure = np.zeros(2 * size, dtype=np.bool_)
        shingles = np.empty(2 * size, dtype=np.uint64)
        _, k, _ = doc_shingles(
            data, int(offsets[d]), int(offsets[d + 1]), table(), lower_table(),
            0 if kind == "word" else 1, n, scratch, figure, shingles,
        )  # fmt: skip
        out.append(set(shingles[:k].tolist()))
    return out


@settings(max_examples=60, deadline=None)
@given(_texts, st.sampled_from([("word", 1), ("word", 3), ("char", 4)]))
def test_sets_are_sorted_and_equal_to_the_plain_definition(
    texts: list[str], shape: tuple[str, int]
) -> None:
    kind, n = shape
    prepared = prepare_column(pl.Series(texts, dtype=pl.String))
    sets = shingle_sets(prepared, kind, n)  # type: ignore[arg-type]
    want = _reference_sets(prepared, kind, n)
    for d, ref in enumerate(want):
        got = sets.get(d)
        assert got.tolist() == sorted(ref)
    # Given the counts with repeats (as the signature pass reports them) the
    # counting pass is skipped: the same sets.
    sig = signatures(prepared, prepared=True, kind=kind, n=n)  # type: ignore[arg-type]
    given_counts = sets_of_buffers(
        *string_buffers(prepared),
        kind,
        n,
        sig.n_shingles,  # type: ignore[arg-type]
    )
    assert given_counts.counts.tolist() == [len(s) for s in want]
    for d in range(len(texts)):
        assert given_counts.get(d).tolist() == sets.get(d).tolist()


@settings(max_examples=60, deadline=None)
@given(_texts, st.data())
def test_overlap_is_the_exact_set_overlap(
    texts: list[str], data: st.DataObject
) -> None:
    prepared = prepare_column(pl.Series(texts, dtype=pl.String))
    sets = shingle_sets(prepared, "word", 2)
    want = _reference_sets(prepared, "word", 2)
    n = len(texts)
    a = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=10)))
    b = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=len(a),
                                    max_size=len(a))))  # fmt: skip
    sim, jac = overlap(sets, a, b)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        common = len(want[x] & want[y])
        assert sim[i] == pytest.approx(common / max(min(len(want[x]), len(want[y])), 1))
        assert jac[i] == pytest.approx(common / max(len(want[x] | want[y]), 1))


def test_store_gives_back_what_was_stored_and_removes_its_file(tmp_path) -> None:
    texts = [f"text number {i} " + "x" * (i % 7) * 20_000 for i in range(40)]
    with TextStore(str(tmp_path)) as store:
        store.append(np.arange(0, 20, 2), pl.Series(texts[0:20:2]))
        store.append(np.arange(20, 40, 2), pl.Series(texts[20:40:2]))
        assert len(list(tmp_path.iterdir())) <= 1  # an unnamed file, where supported
        for pick in ([0], [2, 38], list(range(0, 40, 2)), [4, 6, 30]):
            data, offsets = store.gather(np.array(pick))
            got = [bytes(data[offsets[i] : offsets[i + 1]]).decode() for i in
                   range(len(pick))]  # fmt: skip
            assert got == [texts[r] for r in pick]
        with pytest.raises(KeyError):
            store.gather(np.array([1]))
    assert list(tmp_path.iterdir()) == []


def test_store_reads_neighbours_in_one_call(monkeypatch) -> None:
    calls = []
    real = textstore.os.preadv

    def counting(fd: int, buffers: list[memoryview], offset: int) -> int:
        calls.append(offset)
        return real(fd, buffers, offset)

    monkeypatch.setattr(textstore.os, "preadv", counting)
    with TextStore() as store:
        store.append(np.arange(5), pl.Series(["a", "b", "c", "d", "e"]))
        data, _ = store.gather(np.array([0, 2, 4]))
    assert bytes(data) == b"ace" and len(calls) == 1


def test_chunks_cover_every_pair_once_within_the_budget() -> None:
    rng = np.random.default_rng(5)
    a = np.sort(rng.integers(0, 300, 2_000))
    b = a + rng.integers(1, 50, 2_000)
    cost = rng.integers(1, 10, 400)
    seen = []
    for lo, hi in chunks(a, b, cost, 200):
        docs = np.unique(np.concatenate([a[lo:hi], b[lo:hi]]))
        assert hi - lo == 1 or int(cost[docs].sum()) <= 200
        seen.extend(range(lo, hi))
    assert seen == list(range(len(a)))


def test_prefetch_raises_the_readers_error_where_it_happened() -> None:
    from dedup.io.prefetch import prefetched

    def items():  # type: ignore[no-untyped-def]
        yield 1
        yield 2
        raise ValueError("bad record")

    got = []
    with pytest.raises(ValueError, match="bad record"):
        for x in prefetched(items()):
            got.append(x)
    assert got == [1, 2]


def test_prefetch_stops_its_reader_when_the_consumer_stops() -> None:
    import itertools

    from dedup.io.prefetch import prefetched

    produced = []

    def items():  # type: ignore[no-untyped-def]
        for i in itertools.count():
            produced.append(i)
            yield i

    assert list(itertools.islice(prefetched(items()), 3)) == [0, 1, 2]
    assert len(produced) <= 6


def test_chunks_grow_past_the_first_window_when_everything_fits() -> None:
    a = np.arange(20_000, dtype=np.int64)
    b = a + 1
    cost = np.ones(20_001, dtype=np.int64)
    assert list(chunks(a, b, cost, 10**9)) == [(0, 20_000)]
    sizes = [hi - lo for lo, hi in chunks(a, b, cost, 10_001)]
    assert sizes == [10_000, 10_000]  # 10,001 documents: both ends of 10,000
