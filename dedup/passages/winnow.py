"""Winnowing fingerprints and the blocked Bloom filter that finds repeated ones.

Winnowing (Schleimer, Wilkerson & Aiken 2003): hash every word k-gram, slide a
window of *w* consecutive k-gram hashes and keep the smallest of each window
(the rightmost on ties). Any span of ``w + k - 1`` words shared by two places
shares at least one kept fingerprint, while only about ``2 / (w + 1)`` of the
k-grams are kept.

A fingerprint seen twice, anywhere in the input, marks a possible repeat. The
first pass tells "seen before" with a blocked Bloom filter (Putze, Sanders &
Singler 2007): one 512-bit block per fingerprint, so a test costs one cache
miss, and memory is fixed however large the input. A false positive only
costs a little work in the second pass, which counts exactly; it never changes
the result.

    >>> import numpy as np
    >>> bits = new_filter(1 << 16)
    >>> [bool(test_and_set(bits, np.uint64(h))) for h in (12345, 678, 12345)]
    [False, False, True]
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable

import numba as nb
import numpy as np
import numpy.typing as npt

from dedup.shingle import gram_hashes

BLOCK_WORDS = 8  # 512 bits, one cache line
PROBES = 4
BLOCK_SHIFT = np.uint64(36)  # block from the high bits, probes from bits 0..35
NINE = np.uint64(9)
LOW9 = np.uint64(511)
TOUCH_AHEAD = 64  # values whose blocks mark_seen loads before testing them


def new_filter(n_bytes: int) -> npt.NDArray[np.uint64]:
    """An empty filter of at most *n_bytes* (a power of two number of blocks).

    Anonymous memory is mapped lazily, so a large filter over a small input
    costs only the pages it touches. Huge pages are asked for where the
    system has them: every test lands on a random block, and with 4 KiB
    pages the address translation misses as often as the cache does.
    """
    blocks = 1
    while blocks * 2 * BLOCK_WORDS * 8 <= n_bytes:
        blocks *= 2
    size = blocks * BLOCK_WORDS * 8
    if size >= (2 << 20) and hasattr(mmap, "MADV_HUGEPAGE"):
        try:
            buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            buf.madvise(mmap.MADV_HUGEPAGE)
            return np.frombuffer(buf, dtype=np.uint64)
        except (OSError, ValueError):  # pragma: no cover - no huge pages here
            pass
    return np.zeros(blocks * BLOCK_WORDS, dtype=np.uint64)


def filter_for(n_items: int, bits_per_item: int = 16) -> npt.NDArray[np.uint64]:
    """An empty filter sized for *n_items* at *bits_per_item* (about 0.1% FP)."""
    return new_filter(max(64, 2 * n_items * bits_per_item // 8))


class SeenFilter:
    """A Bloom filter of the values seen so far that starts small.

    Most inputs are small, and a filter sized for a million documents costs
    its size in zeroed pages and cache misses whatever the input. This one
    starts at *first_bytes* and, once that holds *bits_per_item* bits per
    value it was given, is replaced by one of *max_bytes* filled again with
    every value seen (the caller keeps them: :meth:`grow`). Only false
    positives depend on when it grows; a value seen twice is always found.

    Example:
        >>> seen = SeenFilter(1 << 20, first_bytes=1 << 12)
        >>> values = np.array([5, 9, 5], dtype=np.uint64)
        >>> seen.mark(values).tolist(), seen.full(10), seen.full(9000), seen.grown
        ([False, False, True], False, True, False)
        >>> seen.grow([values])
        >>> seen.mark(np.array([9, 11], dtype=np.uint64)).tolist(), seen.grown
        ([True, False], True)

    """

    def __init__(
        self, max_bytes: int, first_bytes: int = 16 << 20, bits_per_item: int = 16
    ) -> None:
        self.max_bytes = max_bytes
        self.bits = new_filter(min(first_bytes, max_bytes))
        self.grown = len(self.bits) * 8 >= max_bytes // 2
        self.capacity = len(self.bits) * 64 // bits_per_item
        self.n_items = 0

    def full(self, n_more: int) -> bool:
        """Whether *n_more* values would fill the small filter (time to grow)."""
        return self.n_items + n_more > self.capacity

    def grow(self, seen_before: Iterable[npt.NDArray[np.uint64]]) -> None:
        """Switch to the full-size filter, given every value marked so far."""
        self.bits = new_filter(self.max_bytes)
        self.grown = True
        for values in seen_before:
            fill_filter(self.bits, values)

    def mark(self, values: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Whether each value was (probably) seen before it; then add them."""
        seen = np.empty(len(values), dtype=np.bool_)
        mark_seen(self.bits, values, seen)
        self.n_items += len(values)
        return seen


@nb.njit(inline="always", cache=True)
def _block(bits: npt.NDArray[np.uint64], h: np.uint64) -> int:
    n_blocks = len(bits) // BLOCK_WORDS
    return int((h >> BLOCK_SHIFT) & np.uint64(n_blocks - 1)) * BLOCK_WORDS


@nb.njit(inline="always", cache=True)
def test_and_set(bits: npt.NDArray[np.uint64], h: np.uint64) -> bool:
    """Set *h* in the filter; return whether it (probably) was already there."""
    base = _block(bits, h)
    seen = True
    for j in range(PROBES):
        b = (h >> (NINE * np.uint64(j))) & LOW9
        word = base + int(b >> np.uint64(6))
        bit = np.uint64(1) << (b & np.uint64(63))
        if bits[word] & bit == 0:
            seen = False
            bits[word] |= bit
    return seen


@nb.njit(inline="always", cache=True)
def contains(bits: npt.NDArray[np.uint64], h: np.uint64) -> bool:
    """Whether *h* is (probably) in the filter."""
    base = _block(bits, h)
    for j in range(PROBES):
        b = (h >> (NINE * np.uint64(j))) & LOW9
        word = base + int(b >> np.uint64(6))
        if bits[word] & (np.uint64(1) << (b & np.uint64(63))) == 0:
            return False
    return True


@nb.njit(cache=True)
def fill_filter(bits: npt.NDArray[np.uint64], values: npt.NDArray[np.uint64]) -> None:
    """Add every value of *values* to the filter."""
    for h in values:
        test_and_set(bits, h)


@nb.njit(cache=True)
def mark_seen(
    bits: npt.NDArray[np.uint64],
    values: npt.NDArray[np.uint64],
    seen: npt.NDArray[np.bool_],
) -> np.uint64:
    """``seen[i]`` = whether ``values[i]`` was in the filter before; then add it.

    Sequential on purpose: concurrent updates of one word could lose a bit,
    and with it a repeat. Each group of values first touches its blocks with
    independent loads, so their cache misses overlap instead of queueing
    (groups of 64 measured 15% faster than of 16 on a 16 MB filter).
    """
    n = len(values)
    touched = np.uint64(0)
    for g0 in range(0, n, TOUCH_AHEAD):
        g1 = min(n, g0 + TOUCH_AHEAD)
        for i in range(g0, g1):
            touched ^= bits[_block(bits, values[i])]
        for i in range(g0, g1):
            seen[i] = test_and_set(bits, values[i])
    return touched


@nb.njit(cache=True)
def members(
    bits: npt.NDArray[np.uint64], values: npt.NDArray[np.uint64]
) -> npt.NDArray[np.bool_]:
    """Whether each value is (probably) in the filter."""
    out = np.empty(len(values), dtype=np.bool_)
    for i in range(len(values)):
        out[i] = contains(bits, values[i])
    return out


@nb.njit(cache=True)
def any_member(
    bits: npt.NDArray[np.uint64],
    values: npt.NDArray[np.uint64],
    offsets: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Whether any value of group ``values[offsets[d]:offsets[d + 1]]`` is in it."""
    out = np.zeros(len(offsets) - 1, dtype=np.bool_)
    for d in range(len(offsets) - 1):
        for i in range(offsets[d], offsets[d + 1]):
            if contains(bits, values[i]):
                out[d] = True
                break
    return out


@nb.njit(cache=True)
def kgram_hashes(
    hashes: npt.NDArray[np.uint64], n: int, k: int, out: npt.NDArray[np.uint64]
) -> int:
    """Hashes of the word k-grams of ``hashes[:n]`` into *out*; return their count."""
    return gram_hashes(hashes, n, k, out)


@nb.njit(cache=True)
def _winnow4(kh: npt.NDArray[np.uint64], m: int, out: npt.NDArray[np.int64]) -> int:
    """:func:`winnow` for windows of four, without branches (they mispredict)."""
    count = 0
    last = -1
    for left in range(m - 3):
        # The rightmost minimum of kh[left:left + 4]: of each pair, then of both.
        a = left + (kh[left + 1] <= kh[left])
        b = left + 2 + (kh[left + 3] <= kh[left + 2])
        best = b if kh[b] <= kh[a] else a
        out[count] = best
        count += best != last
        last = best
    return count


@nb.njit(cache=True)
def winnow(
    kh: npt.NDArray[np.uint64], m: int, w: int, out: npt.NDArray[np.int64]
) -> int:
    """Positions of the winnowed k-grams of ``kh[:m]`` into *out*; return count.

    Fewer k-grams than a window give their single smallest one.
    """
    if m <= 0:
        return 0
    if w == 4 and m > w:
        return _winnow4(kh, m, out)
    if m <= w:
        best = 0
        for j in range(1, m):
            if kh[j] <= kh[best]:
                best = j
        out[0] = best
        return 1
    count = 0
    last = -1
    best = -1
    for right in range(w - 1, m):
        left = right - w + 1
        if best < left:
            best = left
            for j in range(left + 1, right + 1):
                if kh[j] <= kh[best]:
                    best = j
        elif kh[right] <= kh[best]:
            best = right
        if best != last:
            out[count] = best
            count += 1
            last = best
    return count
