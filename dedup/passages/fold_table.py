r"""Compiled NFKC + lower-case folding of whole batches, cluster by cluster.

The same output as :func:`dedup.passages.tokens.prepare_slow` run on each text
(the normalised text and the maps ``map0``/``map1`` from each of its
characters back to the original ones), without Python per text: a kernel walks
each text's UTF-8 bytes, copies the characters that need nothing, and replaces
each cluster (a ``SLOW`` character with the combining marks or Hangul jamo
around it, exactly as ``prepare_slow`` delimits it) by its fold.

What the kernel cannot know by itself is asked of Python once and remembered,
so the result is that of this interpreter's :mod:`unicodedata`, not of a table
shipped with another version:

* whether a code point joins the cluster before it (:func:`_joins`), kept in a
  table over all code points filled on demand (:data:`_JOINS`);
* the fold of a cluster (:func:`dedup.normalize._fold` of its text), kept in a
  hash table keyed by the cluster's UTF-8 bytes (:class:`_Clusters`).

A text that meets an unknown code point or cluster is measured again once they
are known; after the first batches of a run that is rare.

Every cluster goes through the one cache, a single code point as well as one
with marks: a table of single code points only, with Python for the rest,
would leave commonplace clusters in Python (the seed articles' SLOW
characters are all emoji followed by a variation selector, a cluster of two).

    >>> import polars as pl
    >>> from dedup.arrow import string_buffers
    >>> data, offsets = string_buffers(pl.Series(["ok", "ﬁne Ｘ"]))
    >>> out, off, map_off, map0, map1 = fold_batch(data, offsets)
    >>> bytes(out).decode(), off.tolist(), map_off.tolist()
    ('okfine x', [0, 2, 8], [0, 0, 6])
    >>> map0.tolist(), map1.tolist()
    ([0, 0, 1, 2, 3, 4], [1, 1, 2, 3, 4, 5])
"""

from __future__ import annotations

import unicodedata

import numba as nb
import numpy as np
import numpy.typing as npt

from dedup.charclass import N_CODEPOINTS, SLOW, table
from dedup.normalize import _fold
from dedup.shingle import FNV_OFFSET, FNV_PRIME, _decode, _is_ascii, fmix64

# Values of :data:`_JOINS`: known (no, yes), not asked yet, asked by a kernel.
NO, YES, UNKNOWN, WANTED = 0, 1, 2, 3

#: Whether each code point joins the cluster before it, as :func:`_joins` says;
#: filled on demand (a kernel marks what it needs ``WANTED``), because asking
#: :mod:`unicodedata` about all 1.1M code points takes ~0.2 s.
_JOINS = np.full(N_CODEPOINTS, UNKNOWN, dtype=np.uint8)

# What :func:`_walk` says of a text: no SLOW character (left as it is), folded,
# or to measure again (it met an unknown code point or cluster).
NOTHING, FOLDED, RETRY = 0, 1, 2

#: Unknown clusters a text records per measurement; more are found next time.
UNKNOWN_SLOTS = 8

#: Clusters kept between batches; a batch that finds the cache fuller starts
#: it afresh (distinct clusters are few in real text: emoji with a variation
#: selector, accents written as combining marks, conjoining jamo).
MAX_CLUSTERS = 1 << 18

#: The cluster hash table as the kernels take it: (key_data, key_off,
#: fold_data, fold_off, fold_nch, slots); see :class:`_Clusters`.
ClusterArrays = tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]


def _joins(ch: str) -> bool:
    """Whether *ch* belongs to the cluster of the character before it."""
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or 0x1160 <= cp <= 0x11FF  # Hangul jamo vowels and finals
        or 0xD7B0 <= cp <= 0xD7FF
    )


@nb.njit(cache=True)
def _hash(data: npt.NDArray[np.uint8], a: int, b: int) -> np.uint64:
    """Hash of the bytes ``data[a:b]`` (FNV-1a, then mixed)."""
    h = FNV_OFFSET
    for x in range(a, b):
        h = (h ^ np.uint64(data[x])) * FNV_PRIME
    return fmix64(h)


@nb.njit(cache=True)
def _index(
    key_data: npt.NDArray[np.uint8], key_off: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Open-addressing slots (a power of two, *size*) of the distinct keys."""
    slots = np.full(size, -1, dtype=np.int64)
    mask = np.uint64(size - 1)
    for t in range(len(key_off) - 1):
        s = _hash(key_data, key_off[t], key_off[t + 1]) & mask
        while slots[s] >= 0:
            s = (s + np.uint64(1)) & mask
        slots[s] = t
    return slots


@nb.njit(inline="always", cache=True)
def _find(clusters: ClusterArrays, data: npt.NDArray[np.uint8], a: int, b: int) -> int:
    """Index of the cluster ``data[a:b]`` in *clusters*, -1 if not there."""
    key_data, key_off, _, _, _, slots = clusters
    mask = np.uint64(len(slots) - 1)
    s = _hash(data, a, b) & mask
    while True:
        t = slots[s]
        if t < 0:
            return -1
        k0 = key_off[t]
        if key_off[t + 1] - k0 == b - a:
            same = True
            for x in range(b - a):
                if key_data[k0 + x] != data[a + x]:
                    same = False
                    break
            if same:
                return int(t)
        s = (s + np.uint64(1)) & mask


@nb.njit(inline="always", cache=True)
def _joins_at(joins: npt.NDArray[np.uint8], cp: int) -> int:
    """:data:`_JOINS` of *cp*, marking it ``WANTED`` when not known yet."""
    jn = int(joins[cp])
    if jn > YES:
        joins[cp] = WANTED
    return jn


@nb.njit(cache=True)
def _walk(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    ascii_slow: bool,
    joins: npt.NDArray[np.uint8],
    clusters: ClusterArrays,
    write: bool,
    out: npt.NDArray[np.uint8],
    j: int,
    map0: npt.NDArray[np.int64],
    map1: npt.NDArray[np.int64],
    k: int,
    unknown: npt.NDArray[np.int64],
) -> tuple[int, int, int]:
    """Fold ``data[start:end]`` as :func:`~dedup.passages.tokens.prepare_slow` does.

    Returns (status, bytes, characters) of the output: ``NOTHING`` (no SLOW
    character), ``FOLDED``, or ``RETRY`` when an unknown code point (marked
    ``WANTED`` in *joins*) or cluster (its byte span in a free row of
    *unknown*) was met: the counts are then meaningless. With *write* the
    output goes to ``out[j:]`` and its maps to ``map0``/``map1[k:]``.
    """
    status = NOTHING
    # Whether a SLOW character outside ASCII was met: the texts folded are
    # those dedup.shingle.needs_nfkc picks (no ASCII character is SLOW today).
    wide = False
    n_unknown = 0
    done = 0  # prepare_slow's `done`: the end of the last cluster
    i = start
    ci = 0
    j0 = j
    k0 = k
    while i < end:
        # A run of characters that need nothing, copied as they are (the
        # commonest case, kept to a tight scan).
        run = i
        run_ci = ci
        while i < end:
            if data[i] < 0x80 and not ascii_slow:
                s0 = i
                i += 1
                while i < end and data[i] < 0x80:
                    i += 1
                ci += i - s0
            else:
                cp, nxt = _decode(data, i)
                if classes[cp] & SLOW:
                    break
                i = nxt
                ci += 1
        if write:
            out[j : j + i - run] = data[run:i]
            for x in range(ci - run_ci):
                map0[k + x] = run_ci + x
                map1[k + x] = run_ci + x + 1
        j += i - run
        k += ci - run_ci
        if i == end:
            break
        cp, nxt = _decode(data, i)
        wide |= cp >= 0x80
        if status == NOTHING:
            status = FOLDED
        # The cluster starts at the last character from `done` on that does not
        # join (prepare_slow: `while a > done and _joins(text[a])`). The ones
        # passed over were copied as they are: take them back.
        a = i
        a_ci = ci
        c = cp
        while a_ci > done:
            jn = _joins_at(joins, c)
            if jn != YES:
                if jn != NO:
                    status = RETRY
                break
            a -= 1
            while data[a] & 0xC0 == 0x80:
                a -= 1
            a_ci -= 1
            c, _ = _decode(data, a)
        j -= i - a
        k -= ci - a_ci
        b = nxt
        b_ci = ci + 1
        while b < end:
            c, after = _decode(data, b)
            jn = _joins_at(joins, c)
            if jn != YES:
                if jn != NO:
                    status = RETRY
                break
            b = after
            b_ci += 1
        t = _find(clusters, data, a, b)
        if t < 0:
            if n_unknown < len(unknown):
                unknown[n_unknown, 0] = a
                unknown[n_unknown, 1] = b
            n_unknown += 1
            status = RETRY
        else:
            fold_data, fold_off, fold_nch = clusters[2], clusters[3], clusters[4]
            f0 = fold_off[t]
            size = fold_off[t + 1] - f0
            if write:
                out[j : j + size] = fold_data[f0 : f0 + size]
                map0[k : k + fold_nch[t]] = a_ci
                map1[k : k + fold_nch[t]] = b_ci
            j += size
            k += fold_nch[t]
        i = b
        ci = b_ci
        done = b_ci
    return (status if wide else NOTHING), j - j0, k - k0


@nb.njit(parallel=True, cache=True)
def _measure(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    which: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    ascii_slow: bool,
    joins: npt.NDArray[np.uint8],
    clusters: ClusterArrays,
    status: npt.NDArray[np.int64],
    n_bytes: npt.NDArray[np.int64],
    n_chars: npt.NDArray[np.int64],
    unknown: npt.NDArray[np.int64],
) -> None:
    """:func:`_walk` (measuring) of each text *d* in *which*.

    A text all ASCII is left as it is without a walk, as
    :func:`dedup.shingle.needs_nfkc` leaves it.
    """
    no_bytes = np.zeros(0, dtype=np.uint8)
    no_map = np.zeros(0, dtype=np.int64)
    for q in nb.prange(len(which)):
        d = which[q]
        if _is_ascii(data, offsets[d], offsets[d + 1]):
            status[d] = NOTHING
            continue
        status[d], n_bytes[d], n_chars[d] = _walk(
            data, offsets[d], offsets[d + 1], classes, ascii_slow, joins, clusters,
            False, no_bytes, 0, no_map, no_map, 0, unknown[d],
        )  # fmt: skip


@nb.njit(parallel=True, cache=True)
def _write(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    folded: npt.NDArray[np.bool_],
    classes: npt.NDArray[np.uint8],
    ascii_slow: bool,
    joins: npt.NDArray[np.uint8],
    clusters: ClusterArrays,
    out: npt.NDArray[np.uint8],
    out_off: npt.NDArray[np.int64],
    map0: npt.NDArray[np.int64],
    map1: npt.NDArray[np.int64],
    map_off: npt.NDArray[np.int64],
) -> None:
    """Every text into ``out[out_off[d]:]``: folded by :func:`_walk` or copied."""
    no_unknown = np.zeros((0, 2), dtype=np.int64)
    for d in nb.prange(len(offsets) - 1):
        a = offsets[d]
        b = offsets[d + 1]
        if folded[d]:
            _walk(
                data, a, b, classes, ascii_slow, joins, clusters, True, out,
                out_off[d], map0, map1, map_off[d], no_unknown,
            )  # fmt: skip
        else:
            out[out_off[d] : out_off[d] + b - a] = data[a:b]


class _Clusters:
    """Folds of the clusters met so far, as a hash table for the kernels.

    Keys are a cluster's UTF-8 bytes, values its fold
    (:func:`dedup.normalize._fold`) in UTF-8 and its length in characters.

        >>> cache = _Clusters()
        >>> cache.add(["ﬁ".encode()])
        >>> key_data, key_off, fold_data, fold_off, fold_nch, slots = cache.arrays
        >>> bytes(fold_data).decode(), fold_nch.tolist()
        ('fi', [2])
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every cluster."""
        self.keys: dict[bytes, int] = {}
        self.folds: list[bytes] = []
        self.lengths: list[int] = []
        self.arrays: ClusterArrays = self._build()

    def add(self, keys: list[bytes]) -> None:
        """Fold the new clusters among *keys* and rebuild the arrays."""
        new = False
        for key in keys:
            if key not in self.keys:
                folded = _fold(key.decode("utf-8"))
                self.keys[key] = len(self.folds)
                self.folds.append(folded.encode("utf-8"))
                self.lengths.append(len(folded))
                new = True
        if new:
            self.arrays = self._build()

    def _build(self) -> ClusterArrays:
        def flat(
            items: list[bytes],
        ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
            off = np.zeros(len(items) + 1, dtype=np.int64)
            np.cumsum([len(x) for x in items], out=off[1:])
            return np.frombuffer(b"".join(items), dtype=np.uint8).copy(), off

        key_data, key_off = flat(list(self.keys))
        fold_data, fold_off = flat(self.folds)
        # At most half full, so that a probe for a missing key ends soon.
        size = 16
        while size < 2 * len(self.folds):
            size *= 2
        # (The empty table, built at import, needs no compiled kernel.)
        slots = (
            _index(key_data, key_off, size)
            if self.folds
            else np.full(size, -1, dtype=np.int64)
        )
        lengths = np.array(self.lengths, dtype=np.int64)
        return key_data, key_off, fold_data, fold_off, lengths, slots


_CLUSTERS = _Clusters()


def _learn(data: npt.NDArray[np.uint8], unknown: npt.NDArray[np.int64]) -> None:
    """Ask Python what the kernels found unknown: code points, then clusters.

    *unknown*: the byte spans of unknown clusters (``(a, b)`` rows; unused
    rows are ``(0, 0)``).
    """
    wanted = np.flatnonzero(_JOINS == WANTED)
    _JOINS[wanted] = [YES if _joins(chr(cp)) else NO for cp in wanted.tolist()]
    spans = unknown.reshape(-1, 2)
    spans = spans[spans[:, 1] > spans[:, 0]]
    _CLUSTERS.add([data[a:b].tobytes() for a, b in spans.tolist()])


def fold_batch(
    data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
) -> (
    tuple[
        npt.NDArray[np.uint8],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]
    | None
):
    """The texts of a batch, each folded as by ``prepare_slow`` if it needs it.

    Returns the batch's UTF-8 data and offsets with the texts that have a
    SLOW character (outside ASCII) replaced by their folds, and their maps
    (``map_off``, ``map0``, ``map1`` as in
    :class:`~dedup.passages.tokens.PreparedBatch`); ``None`` when no text
    needs it.
    """
    if len(_CLUSTERS.keys) > MAX_CLUSTERS:
        _CLUSTERS.clear()
    classes = table()
    # No ASCII character is SLOW with today's table: runs of ASCII are then
    # skipped without a lookup.
    ascii_slow = bool((classes[:0x80] & SLOW).any())
    n_docs = len(offsets) - 1
    status = np.zeros(n_docs, dtype=np.int64)
    sizes = np.diff(offsets)
    lengths = np.zeros(n_docs, dtype=np.int64)
    unknown = np.zeros((n_docs, UNKNOWN_SLOTS, 2), dtype=np.int64)
    which = np.arange(n_docs, dtype=np.int64)
    while len(which):
        _measure(
            data, offsets, which, classes, ascii_slow, _JOINS, _CLUSTERS.arrays,
            status, sizes, lengths, unknown,
        )  # fmt: skip
        which = np.flatnonzero(status == RETRY)
        if len(which):
            _learn(data, unknown[which])
            unknown[which] = 0
    folded = status == FOLDED
    if not folded.any():
        return None
    # A text left as it is keeps its size (its measure may have stopped early).
    sizes[~folded] = np.diff(offsets)[~folded]
    lengths[~folded] = 0
    out_off = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(sizes, out=out_off[1:])
    map_off = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=map_off[1:])
    out = np.empty(int(out_off[-1]), dtype=np.uint8)
    map0 = np.empty(int(map_off[-1]), dtype=np.int64)
    map1 = np.empty(int(map_off[-1]), dtype=np.int64)
    _write(
        data, offsets, folded, classes, ascii_slow, _JOINS, _CLUSTERS.arrays, out,
        out_off, map0, map1, map_off,
    )  # fmt: skip
    return out, out_off, map_off, map0, map1
