"""The compiled alignment's change blocks match rapidfuzz's edit script."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein, Levenshtein_py

from dedup.align import block_counts, change_blocks
from dedup.shingle import TokenArrays
from dedup.verify import (
    SHORT_BLOCK,
    _rapidfuzz_counts,
    alignment_counts,
)


def _blocks_from_opcodes(ops: object) -> list[list[int]]:
    """Maximal runs of non-equal opcodes as [a0, a1, b0, b1]."""
    blocks: list[list[int]] = []
    run: list[list[int]] = []
    for op in [*ops, None]:  # type: ignore[misc]
        if op is not None and op.tag != "equal":
            run.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
            continue
        if run:
            blocks.append([run[0][0], run[-1][1], run[0][2], run[-1][3]])
            run = []
    return blocks


def _arr(xs: list[int]) -> npt.NDArray[np.uint64]:
    return np.array(xs, dtype=np.uint64)


# Small alphabets make ties (several minimal alignments) common: the case
# where a different tie-break would show.
_seq = st.lists(st.integers(0, 4), max_size=40)
_long = st.lists(st.integers(0, 6), min_size=60, max_size=300)


@settings(max_examples=400, deadline=None)
@given(_seq, _seq)
def test_blocks_match_the_reference_editops(a: list[int], b: list[int]) -> None:
    want = _blocks_from_opcodes(Levenshtein_py.opcodes(a, b))
    assert change_blocks(_arr(a), _arr(b)).tolist() == want


@settings(max_examples=60, deadline=None)
@given(_long, _long)
def test_blocks_span_several_words_of_bits(a: list[int], b: list[int]) -> None:
    # Longer than 64 tokens: the bit vectors carry across 64-bit words.
    want = _blocks_from_opcodes(Levenshtein.opcodes(a, b))
    assert change_blocks(_arr(a), _arr(b)).tolist() == want


def test_large_hash_values_and_edits_around_word_boundaries() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**63, size=300, dtype=np.uint64) * np.uint64(2)
    other = base.copy()
    for pos in (0, 63, 64, 127, 128, 200, 299):
        other[pos] = np.uint64(12345 + pos)
    other = np.delete(other, [10, 11, 190])
    other = np.insert(other, 100, np.uint64(7))
    want = _blocks_from_opcodes(Levenshtein.opcodes(base.tolist(), other.tolist()))
    assert change_blocks(base, other).tolist() == want


def _tokens(seqs: list[list[int]], figures: list[list[bool]]) -> TokenArrays:
    counts = np.array([len(s) for s in seqs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return TokenArrays(
        starts=starts,
        counts=counts,
        hashes=np.array([t for s in seqs for t in s], dtype=np.uint64),
        figure=np.array([f for s in figures for f in s], dtype=np.bool_),
    )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_counts_match_rapidfuzz_counts(data: st.DataObject) -> None:
    a = data.draw(st.lists(st.integers(0, 8), max_size=80))
    b = data.draw(st.lists(st.integers(0, 8), max_size=80))
    # Figures are a property of the token, as in real text.
    fig = {t: t >= 6 for t in range(9)}
    toks = _tokens([a, b], [[fig[t] for t in a], [fig[t] for t in b]])
    subs, edits, distance = alignment_counts(toks, np.array([0]), np.array([1]))
    want = _rapidfuzz_counts(*toks.get(0), *toks.get(1))
    assert (int(subs[0]), int(edits[0])) == want
    assert int(distance[0]) == Levenshtein.distance(a, b)


def test_pairs_too_long_for_the_matrix_are_left_to_the_caller() -> None:
    toks = _tokens([[1, 2, 3, 4], [1, 9, 3, 4]], [[False] * 4, [False] * 4])
    one, two = np.array([0]), np.array([1])
    args = (toks.hashes, toks.figure, toks.starts[one], toks.counts[one])
    subs, edits, _, done = block_counts(
        *args, toks.starts[two], toks.counts[two], SHORT_BLOCK, 0
    )
    assert not done[0]
    # alignment_counts falls back to rapidfuzz for them: one word edit.
    subs, edits, _ = alignment_counts(toks, one, two)
    assert (subs.tolist(), edits.tolist()) == ([0], [1])
