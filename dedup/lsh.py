"""Locality-sensitive hashing: bands of signature rows to candidate pairs.

The number of bands ``b`` and rows ``r`` (``b * r <= num_perm``) comes from the
Jaccard threshold the way datasketch chooses it: minimise the weighted area of
false positives (pairs below the threshold that share a band) plus false
negatives (pairs above it that share none), under the S-curve
``P(candidate | s) = 1 - (1 - s**r)**b``.

    >>> optimal_bands(0.5, 128)
    (25, 5)

Candidate pairs come from grouping (band, band hash) in polars. A bucket with
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
    """Unique (row_a < row_b) pairs of documents that share a band bucket."""
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
