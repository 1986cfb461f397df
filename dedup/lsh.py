"""Locality-sensitive hashing: bands of signature rows to candidate pairs.

The number of bands ``b`` and rows ``r`` (``b * r <= num_perm``) comes from the
Jaccard threshold the way datasketch chooses it: minimise the weighted area of
false positives (pairs below the threshold that share a band) plus false
negatives (pairs above it that share none), under the S-curve
``P(candidate | s) = 1 - (1 - s**r)**b``.

    >>> optimal_bands(0.5, 128)
    (25, 5)

Candidate pairs come from grouping documents by (band, band hash): a bucket.
:func:`_candidate_pairs_polars` states it in polars; :func:`candidate_pairs`
gives the same pairs from compiled code, about 40 times faster. A bucket with
more than ``window + 1`` documents (boilerplate-only pages, thousands of copies
of one wire story) would give a quadratic number of pairs; there each document
is paired with the next ``window`` documents of the bucket instead, which still
connects every copy into one cluster after verification.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.numeric import sorted_unique
from dedup.shingle import POLY, fmix64

BAND, KEY, ROW_A, ROW_B = "band", "key", "row_a", "row_b"
_ROW = "row"


def _integrate(f: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> float:
    return float(np.sum((f[1:] + f[:-1]) * np.diff(x)) / 2.0)


def optimal_bands(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising weighted false positive + false negative area."""
    best = (1, 1)
    best_err = float("inf")
    lo = np.linspace(0.0, threshold, 201)
    hi = np.linspace(threshold, 1.0, 201)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _integrate(1.0 - (1.0 - lo**r) ** b, lo)
            fn = _integrate((1.0 - hi**r) ** b, hi)
            err = false_positive_weight * fp + false_negative_weight * fn
            if err < best_err - 1e-15:
                best, best_err = (b, r), err
    return best


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two documents of Jaccard *similarity* share a band."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)


@nb.njit(parallel=True, cache=True)
def band_keys(
    sig: npt.NDArray[np.uint32], bands: int, rows: int
) -> npt.NDArray[np.uint64]:
    """``(n_docs, bands)`` hashes of each band's rows of the signatures."""
    n = sig.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    for d in nb.prange(n):
        for j in range(bands):
            h = np.uint64(j)
            for i in range(j * rows, (j + 1) * rows):
                h = h * POLY + np.uint64(sig[d, i])
            out[d, j] = fmix64(h)
    return out


def band_frame(
    rows: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]
) -> pl.DataFrame:
    """Long frame (band, key, row) of the band hashes of documents *rows*."""
    n, bands = keys.shape
    return pl.DataFrame(
        {
            BAND: np.tile(np.arange(bands, dtype=np.uint16), n),
            KEY: keys.reshape(-1),
            _ROW: np.repeat(rows.astype(np.uint32), bands),
        }
    )


def candidate_pairs(bands: pl.DataFrame, window: int = 64) -> pl.DataFrame:
    """Unique (row_a <= row_b) pairs of documents that share a band bucket.

    A bucket is the documents with one (band, key); in a bucket of at most
    ``window + 1`` documents every two are a pair, in a bigger one each
    document (in row order) is paired with the next *window*. The result is
    sorted by (row_a, row_b), in the dtype of the ``row`` column. (A row listed
    twice in one bucket pairs with itself, as the definition says.)

    Only keys seen more than once can form a bucket of two, and those are few:
    they are found with one sort of the keys, and the buckets are built from
    them alone in compiled code (:func:`_bucket_pairs`).
    """
    arrays = _columns(bands)
    if arrays is None:
        return _candidate_pairs_polars(bands, window)
    band, key, row = arrays
    row_dtype = bands.schema[_ROW]
    codes = np.empty(0, dtype=np.uint64)
    if len(key) > 1 and window > 0:
        repeated = _repeated(np.sort(key))
        if len(repeated):
            idx, starts = _group(key, repeated)
            codes = sorted_unique(_bucket_pairs(idx, starts, band, row, window))
    return pl.DataFrame(
        {
            ROW_A: pl.Series(ROW_A, codes >> np.uint64(32)).cast(row_dtype),
            ROW_B: pl.Series(ROW_B, codes & np.uint64(0xFFFFFFFF)).cast(row_dtype),
        }
    )


def _columns(
    bands: pl.DataFrame,
) -> (
    tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None
):
    """(band, key, row) as uint64 arrays, or None when the fast path does not apply.

    It applies when band and row are integers in ``[0, 2**32)``, the key is a
    64-bit integer and nothing is null (what :func:`band_frame` gives).
    """
    schema = bands.schema
    if not all(c in schema for c in (BAND, KEY, _ROW)):
        return None
    if not (
        schema[BAND].is_integer()
        and schema[_ROW].is_integer()
        and schema[KEY] in (pl.UInt64, pl.Int64)
    ):
        return None
    if bands.height and any(bands[c].null_count() for c in (BAND, KEY, _ROW)):
        return None
    out = []
    for c in (BAND, _ROW):
        col = bands[c]
        if col.len() and (int(col.min()) < 0 or int(col.max()) >= 2**32):  # type: ignore[arg-type]
            return None
        out.append(col.to_numpy().astype(np.uint64))
    key = bands[KEY].to_numpy()
    key = (
        key.view(np.uint64)
        if key.dtype == np.int64
        else key.astype(np.uint64, copy=False)
    )
    return out[0], np.ascontiguousarray(key), out[1]


@nb.njit(cache=True, boundscheck=False)
def _repeated(ordered: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The values that occur more than once in sorted *ordered*, once each."""
    out = np.empty(len(ordered) // 2 + 1, dtype=np.uint64)
    n = 0
    for i in range(1, len(ordered)):
        if ordered[i] == ordered[i - 1] and (n == 0 or out[n - 1] != ordered[i]):
            out[n] = ordered[i]
            n += 1
    return out[:n]


@nb.njit(cache=True, boundscheck=False)
def _group(
    key: npt.NDArray[np.uint64], values: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Indices of the entries whose key is one of *values*, grouped by key.

    Group *g* is ``idx[starts[g]:starts[g + 1]]``. The keys are looked up in
    an open-addressing hash table of *values* (zero marks an empty slot, so
    the rank of the value 0 is kept aside), then placed by a counting sort.
    """
    size = 1
    while size < 4 * len(values):
        size *= 2
    mask = np.uint64(size - 1)
    one = np.uint64(1)
    slots = np.zeros(size, dtype=np.uint64)
    ranks = np.empty(size, dtype=np.int64)
    zero_rank = -1
    for r in range(len(values)):
        v = values[r]
        if v == 0:
            zero_rank = r
            continue
        j = (v ^ (v >> np.uint64(29))) & mask
        while slots[j] != 0:
            j = (j + one) & mask
        slots[j] = v
        ranks[j] = r
    rank_of = np.full(len(key), -1, dtype=np.int64)
    counts = np.zeros(len(values) + 1, dtype=np.int64)
    for i in range(len(key)):
        v = key[i]
        if v == 0:
            r = zero_rank
        else:
            r = -1
            j = (v ^ (v >> np.uint64(29))) & mask
            while True:
                e = slots[j]
                if e == v:
                    r = ranks[j]
                    break
                if e == 0:
                    break
                j = (j + one) & mask
        if r >= 0:
            rank_of[i] = r
            counts[r + 1] += 1
    starts = np.cumsum(counts)
    fill = starts[:-1].copy()
    idx = np.empty(starts[-1], dtype=np.int64)
    for i in range(len(key)):
        r = rank_of[i]
        if r >= 0:
            idx[fill[r]] = i
            fill[r] += 1
    return idx, starts


@nb.njit(cache=True, boundscheck=False)
def _bucket_pairs(
    idx: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64],
    band: npt.NDArray[np.uint64],
    row: npt.NDArray[np.uint64],
    window: int,
) -> npt.NDArray[np.uint64]:
    """Pairs ``row_a << 32 | row_b`` of the buckets among entries *idx*.

    ``idx[starts[g]:starts[g + 1]]`` are the entries of one key; they are split
    by band, and each (band, key) bucket is paired up in row order.
    """
    out = np.empty(max(16, 4 * len(idx)), dtype=np.uint64)
    n_out = 0
    entries = np.empty(16, dtype=np.uint64)
    low = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    for g in range(len(starts) - 1):
        i = starts[g]
        j = starts[g + 1]
        count = j - i
        if count > len(entries):
            entries = np.empty(2 * count, dtype=np.uint64)
        for t in range(i, j):
            entries[t - i] = (band[idx[t]] << s32) | row[idx[t]]
        if count == 2:
            if entries[0] > entries[1]:
                entries[0], entries[1] = entries[1], entries[0]
        else:
            entries[:count].sort()
        p = 0
        while p < count:
            q = p + 1
            while q < count and (entries[q] >> s32) == (entries[p] >> s32):
                q += 1
            size = q - p
            if size > 1:
                reach = size - 1 if size <= window + 1 else window
                need = n_out + size * reach
                if need > len(out):
                    grown = np.empty(max(need, 2 * len(out)), dtype=np.uint64)
                    grown[:n_out] = out[:n_out]
                    out = grown
                for x in range(p, q):
                    a = (entries[x] & low) << s32
                    for y in range(x + 1, min(x + reach, q - 1) + 1):
                        out[n_out] = a | (entries[y] & low)
                        n_out += 1
            p = q
    return out[:n_out]


def _candidate_pairs_polars(bands: pl.DataFrame, window: int = 64) -> pl.DataFrame:
    """The definition of :func:`candidate_pairs` in polars (any dtypes, nulls)."""
    ranked = (
        bands.sort(BAND, KEY, _ROW)
        .with_columns(
            pos=pl.int_range(pl.len()).over(BAND, KEY).cast(pl.UInt32),
            size=pl.len().over(BAND, KEY).cast(pl.UInt32),
        )
        .filter(pl.col("size") > 1)
    )
    small = ranked.filter(pl.col("size") <= window + 1).select(BAND, KEY, _ROW, "pos")
    pairs = [
        small.join(small, on=[BAND, KEY], suffix="_b")
        .filter(pl.col("pos") < pl.col("pos_b"))
        .select(pl.col(_ROW).alias(ROW_A), pl.col(f"{_ROW}_b").alias(ROW_B))
    ]
    big = ranked.filter(pl.col("size") > window + 1).select(BAND, KEY, _ROW)
    if big.height:
        for shift in range(1, window + 1):
            pairs.append(
                big.with_columns(other=pl.col(_ROW).shift(-shift).over(BAND, KEY))
                .drop_nulls("other")
                .select(pl.col(_ROW).alias(ROW_A), pl.col("other").alias(ROW_B))
            )
    return (
        pl.concat(pairs)
        .select(
            pl.min_horizontal(ROW_A, ROW_B).alias(ROW_A),
            pl.max_horizontal(ROW_A, ROW_B).alias(ROW_B),
        )
        .unique()
        .sort(ROW_A, ROW_B)
    )
