"""Change blocks of a minimal word alignment, compiled, for many pairs at once.

The template check (:mod:`dedup.verify`) needs, for each verified duplicate
pair, the places where the two token sequences differ: the *change blocks*,
maximal runs of edit operations with no matched token between them. This module
computes them in parallel compiled code, straight from the token hashes.

The alignment is the one rapidfuzz documents for ``Levenshtein.editops``:
the common prefix and suffix are equal, the middle is aligned with Hyyrö's
bit-parallel algorithm ("A Note on Bit-Parallel Alignment Computation", 2004)
and the edit script is recovered from the end, preferring a deletion, then an
insertion, then the diagonal. Here the bit vectors are split into 64-bit words
so that sequences of any length are aligned (the reference uses Python's
unbounded integers). ``tests/test_align.py`` checks the blocks against
rapidfuzz's pure-Python reference and against its compiled ``opcodes``.

Why not call rapidfuzz per pair: its call costs 0.2 ms a pair on 600-word
articles from Python (list conversion, opcode objects, the GIL), which made the
template check the largest stage of a scan; here pairs run in parallel without
Python objects.

    >>> import numpy as np
    >>> a = np.array([1, 2, 3, 4, 5], dtype=np.uint64)
    >>> b = np.array([1, 9, 3, 4, 5, 6], dtype=np.uint64)
    >>> change_blocks(a, b).tolist()  # [a_start, a_end, b_start, b_end]
    [[1, 2, 1, 2], [5, 5, 5, 6]]
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

#: Largest middle (words of the bit matrix: 64-token words of the first text
#: times tokens of the second) aligned in compiled code; a longer pair (two
#: texts of ~20,000 tokens that differ all along) is aligned by rapidfuzz.
MAX_MATRIX_WORDS = 1 << 23

_ONE = np.uint64(1)
_ZERO = np.uint64(0)


@nb.njit(cache=True)
def common_affix(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]
) -> tuple[int, int, int]:
    """(length of the common prefix, end of a's middle, end of b's middle)."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    ea, eb = len(a), len(b)
    while ea > p and eb > p and a[ea - 1] == b[eb - 1]:
        ea -= 1
        eb -= 1
    return p, ea, eb


@nb.njit(cache=True)
def matrix_words(len_a: int, len_b: int) -> int:
    """Words of the bit matrix that aligning middles of these lengths needs."""
    return ((len_a + 63) // 64) * len_b


@nb.njit(cache=True, boundscheck=False)
def _bit_matrix(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Hyyrö's VP and VN vectors after each token of *b* (rows), *a* in bits."""
    m, n = len(a), len(b)
    words = (m + 63) // 64
    # Pattern-match vectors: one bit vector per distinct token of a, plus an
    # empty one (the last row) for tokens of b that a lacks. Tokens are
    # numbered through a small open-addressing table: token hashes are already
    # well mixed, so their low bits index it directly.
    size = 1
    while size < 2 * m:
        size <<= 1
    mask = np.uint64(size - 1)
    keys = np.empty(size, dtype=np.uint64)
    slot_id = np.full(size, -1, dtype=np.int64)
    ids = np.empty(m, dtype=np.int64)
    n_distinct = 0
    for i in range(m):
        h = np.int64(a[i] & mask)
        while slot_id[h] >= 0 and keys[h] != a[i]:
            h = (h + 1) & (size - 1)
        if slot_id[h] < 0:
            keys[h] = a[i]
            slot_id[h] = n_distinct
            n_distinct += 1
        ids[i] = slot_id[h]
    rows = np.empty(n, dtype=np.int64)
    for j in range(n):
        h = np.int64(b[j] & mask)
        while slot_id[h] >= 0 and keys[h] != b[j]:
            h = (h + 1) & (size - 1)
        rows[j] = slot_id[h] if slot_id[h] >= 0 else n_distinct
    pm = np.zeros((n_distinct + 1, words), dtype=np.uint64)
    for i in range(m):
        pm[ids[i], i >> 6] |= _ONE << np.uint64(i & 63)
    vp = np.empty(words, dtype=np.uint64)
    vn = np.zeros(words, dtype=np.uint64)
    for w in range(words):
        vp[w] = ~_ZERO
    mvp = np.empty((n, words), dtype=np.uint64)
    mvn = np.empty((n, words), dtype=np.uint64)
    for j in range(n):
        row = rows[j]
        add_carry = _ZERO
        hp_carry = _ONE
        hn_carry = _ZERO
        for w in range(words):
            x = pm[row, w]
            p, q = vp[w], vn[w]
            t = x & p
            s1 = t + p
            c1 = np.uint64(s1 < t)
            s2 = s1 + add_carry
            c2 = np.uint64(s2 < s1)
            add_carry = c1 | c2
            d0 = (s2 ^ p) | x | q
            hp = q | ~(d0 | p)
            hn = d0 & p
            hp_s = (hp << _ONE) | hp_carry
            hp_carry = hp >> np.uint64(63)
            hn_s = (hn << _ONE) | hn_carry
            hn_carry = hn >> np.uint64(63)
            vp[w] = hn_s | ~(d0 | hp_s)
            vn[w] = hp_s & d0
            mvp[j, w] = vp[w]
            mvn[j, w] = vn[w]
    return mvp, mvn


@nb.njit(inline="always")
def _bit(m: npt.NDArray[np.uint64], row: int, col: int) -> bool:
    return bool((m[row, col >> 6] >> np.uint64(col & 63)) & _ONE != _ZERO)


@nb.njit(cache=True, boundscheck=False)
def _blocks_into(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64], out: npt.NDArray[np.int64]
) -> int:
    """Change blocks of a and b into *out* (rows a0, a1, b0, b1); their count.

    Blocks are found from the end and stored in reverse order; *out* needs
    ``min(len(a), len(b)) + 2`` rows at most (blocks are separated by matches).
    """
    start, end_a, end_b = common_affix(a, b)
    mid_a, mid_b = a[start:end_a], b[start:end_b]
    col, row = len(mid_a), len(mid_b)
    n_blocks = 0
    if col == 0 and row == 0:
        return 0
    if col == 0 or row == 0:
        out[0, 0], out[0, 1] = start, start + col
        out[0, 2], out[0, 3] = start, start + row
        return 1
    mvp, mvn = _bit_matrix(mid_a, mid_b)
    in_block = False
    # The open block's end (exclusive) in a and b while walking backwards.
    end_ca = end_rb = 0
    while row != 0 and col != 0:
        if _bit(mvp, row - 1, col - 1):  # deletion of a[col - 1]
            if not in_block:
                in_block, end_ca, end_rb = True, col, row
            col -= 1
            continue
        row -= 1
        if row != 0 and _bit(mvn, row - 1, col - 1):  # insertion of b[row]
            if not in_block:
                in_block, end_ca, end_rb = True, col, row + 1
            continue
        col -= 1
        if mid_a[col] != mid_b[row]:  # substitution
            if not in_block:
                in_block, end_ca, end_rb = True, col + 1, row + 1
            continue
        if in_block:  # a match closes the open block
            out[n_blocks, 0], out[n_blocks, 1] = start + col + 1, start + end_ca
            out[n_blocks, 2], out[n_blocks, 3] = start + row + 1, start + end_rb
            n_blocks += 1
            in_block = False
    if col != 0 or row != 0:  # leading deletions or insertions
        if not in_block:
            in_block, end_ca, end_rb = True, col, row
        col = row = 0
    if in_block:
        out[n_blocks, 0], out[n_blocks, 1] = start + col, start + end_ca
        out[n_blocks, 2], out[n_blocks, 3] = start + row, start + end_rb
        n_blocks += 1
    return n_blocks


@nb.njit(cache=True)
def _change_blocks(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    out = np.empty((min(len(a), len(b)) + 2, 4), dtype=np.int64)
    k = _blocks_into(a, b, out)
    return out[:k][::-1].copy()


def change_blocks(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    """Change blocks ``[a_start, a_end, b_start, b_end]`` of one pair, in order."""
    return _change_blocks(np.ascontiguousarray(a), np.ascontiguousarray(b))


@nb.njit(parallel=True, cache=True)
def block_counts(
    hashes: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
    starts_a: npt.NDArray[np.int64],
    counts_a: npt.NDArray[np.int64],
    starts_b: npt.NDArray[np.int64],
    counts_b: npt.NDArray[np.int64],
    short_block: int,
    max_words: int,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
]:
    """Figure substitutions, word edits and edit distance of each pair.

    Pair *p* compares ``hashes[starts_a[p]:][:counts_a[p]]`` with the same slice
    of b. A change block of at most *short_block* tokens on each side is a
    figure substitution when at least half its tokens are figures, else a word
    edit; longer blocks and pure insertions or deletions are neither (see
    :mod:`dedup.verify`). A block holds no matched token, so it costs the
    longer of its two sides: the sum is the Levenshtein distance of the token
    sequences. Returns (figure substitutions, word edits, distance, done): a
    pair whose middle needs more than *max_words* matrix words is left undone
    for the caller.
    """
    n = len(starts_a)
    figure_subs = np.zeros(n, dtype=np.int64)
    word_edits = np.zeros(n, dtype=np.int64)
    distance = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    for p in nb.prange(n):
        sa, sb = starts_a[p], starts_b[p]
        a = hashes[sa : sa + counts_a[p]]
        b = hashes[sb : sb + counts_b[p]]
        start, end_a, end_b = common_affix(a, b)
        if matrix_words(end_a - start, end_b - start) > max_words:
            continue
        out = np.empty((min(len(a), len(b)) + 2, 4), dtype=np.int64)
        k = _blocks_into(a, b, out)
        for i in range(k):
            a0, a1, b0, b1 = out[i, 0], out[i, 1], out[i, 2], out[i, 3]
            len_a, len_b = a1 - a0, b1 - b0
            distance[p] += max(len_a, len_b)
            if 0 < len_a <= short_block and 0 < len_b <= short_block:
                figures = 0
                for t in range(a0, a1):
                    figures += figure[sa + t]
                for t in range(b0, b1):
                    figures += figure[sb + t]
                if 2 * figures >= len_a + len_b:
                    figure_subs[p] += 1
                else:
                    word_edits[p] += 1
        done[p] = True
    return figure_subs, word_edits, distance, done
