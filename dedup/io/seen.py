"""A compact index of the document ids already accepted from a source.

Duplicate ids must be caught across the whole source, so the index grows with
the number of documents. A Python ``dict`` of id strings costs well over 100
bytes per document; here each id is kept as a 128-bit hash (two ``uint64``)
plus the location where it was first seen, 24 bytes per document, in a few
sorted numpy arrays that are merged like a log-structured merge tree, so a
lookup is a handful of vectorised binary searches. With 128 bits a false
"duplicate" needs a hash collision, about 1e-24 for ten million ids.

    >>> import polars as pl
    >>> seen = SeenIds()
    >>> seen.first_seen(pl.Series(["a", "b", "a"]), np.array([10, 11, 12])).tolist()
    [-1, -1, 10]
    >>> seen.first_seen(pl.Series(["b", "c"]), np.array([13, 14])).tolist()
    [11, -1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

# Two arbitrary, fixed seeds: the two 64-bit hashes together make one 128-bit key.
_SEED_HI = 0x5EED_0001
_SEED_LO = 0x5EED_0002

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


@dataclass
class _Level:
    """One sorted run: keys ordered by (hi, lo), with their first locations."""

    hi: U64
    lo: U64
    loc: I64


def _sorted_level(hi: U64, lo: U64, loc: I64) -> _Level:
    order = np.lexsort((lo, hi))
    return _Level(hi[order], lo[order], loc[order])


class SeenIds:
    """Remembers accepted ids and where each was first seen.

    Example:
        >>> seen = SeenIds()
        >>> seen.first_seen(pl.Series(["x"]), np.array([3])).tolist()
        [-1]
        >>> seen.first_seen(pl.Series(["x"]), np.array([9])).tolist()
        [3]

    """

    def __init__(self) -> None:
        self._levels: list[_Level] = []

    def __len__(self) -> int:
        return sum(len(level.hi) for level in self._levels)

    def first_seen(self, ids: pl.Series, locations: npt.ArrayLike) -> I64:
        """Look up and register a chunk of ids, in order.

        Args:
            ids: The candidate ids (no nulls).
            locations: Where each candidate sits in the source (line, row, ...).

        Returns:
            For each id, the location where it was first seen (earlier in this
            chunk or in an earlier chunk), or -1 for an id seen for the first
            time, which is then registered at its own location.

        """
        loc = np.asarray(locations, dtype=np.int64)
        n = len(loc)
        result = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return result
        hi = ids.hash(seed=_SEED_HI).to_numpy().astype(np.uint64, copy=False)
        lo = ids.hash(seed=_SEED_LO).to_numpy().astype(np.uint64, copy=False)

        for level in self._levels:
            self._lookup(level, hi, lo, result)

        # Repeats inside the chunk: a stable sort keeps equal keys in input
        # order, so the head of each run of equal keys is the first occurrence.
        order = np.lexsort((lo, hi))
        s_hi, s_lo = hi[order], lo[order]
        starts = np.ones(n, dtype=bool)
        starts[1:] = (s_hi[1:] != s_hi[:-1]) | (s_lo[1:] != s_lo[:-1])
        head = order[np.maximum.accumulate(np.where(starts, np.arange(n), 0))]
        repeat = order[~starts]
        first = head[~starts]
        # A repeat points at the earliest sighting: an earlier chunk if its
        # head was already known, else the head itself.
        result[repeat] = np.where(result[first] >= 0, result[first], loc[first])

        new = result < 0
        if new.any():
            self._levels.append(_sorted_level(hi[new], lo[new], loc[new]))
            self._compact()
        return result

    @staticmethod
    def _lookup(level: _Level, hi: U64, lo: U64, result: I64) -> None:
        """Fill ``result`` for the keys of ``(hi, lo)`` present in ``level``."""
        size = len(level.hi)
        pos = np.searchsorted(level.hi, hi, side="left")
        inside = pos < size
        at = np.minimum(pos, size - 1)
        match = inside & (level.hi[at] == hi)
        exact = match & (level.lo[at] == lo)
        result[exact] = level.loc[at[exact]]
        # The first 64 bits agree but not the rest: walk the (tiny) run of
        # equal ``hi`` values. Practically never taken.
        for i in np.flatnonzero(match & ~exact):
            j = int(pos[i])
            while j < size and level.hi[j] == hi[i]:
                if level.lo[j] == lo[i]:
                    result[i] = level.loc[j]
                    break
                j += 1

    def _compact(self) -> None:
        """Merge the newest runs while they are of similar size (O(log n) runs)."""
        levels = self._levels
        while len(levels) > 1 and len(levels[-2].hi) <= 2 * len(levels[-1].hi):
            newer = levels.pop()
            older = levels.pop()
            levels.append(
                _sorted_level(
                    np.concatenate([older.hi, newer.hi]),
                    np.concatenate([older.lo, newer.lo]),
                    np.concatenate([older.loc, newer.loc]),
                )
            )
