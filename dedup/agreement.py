"""Signature agreement: candidates that cannot pass verification, dropped early.

LSH makes a candidate of any two documents that agree on one band of their
signatures. With the default two-row bands that happens by chance to pairs
that share a handful of stock phrases ("by the end of the year"): their
number grows with the square of the corpus, and each costs an exact check
(texts read back, shingle sets built) only to be rejected.

A pair's signatures agree on each permutation with probability equal to its
Jaccard similarity *J*. Verification accepts nothing below a Jaccard it can
work out from the two documents' sizes (:func:`dedup.verify_stage.lowest_jaccard`).
So a candidate whose signatures agree on ``m`` of ``k`` permutations is dropped
when a pair at that lowest Jaccard would agree that rarely with probability at
most *alpha*: ``P(Binomial(k, J) <= m) <= alpha``. A pair at the edge is lost
with probability at most *alpha*; a pair above it, far less. (The candidate
agrees on at least one whole band by construction, which only raises ``m``:
the test is conservative.)

Only the low byte of each signature value is kept (the *sketch*, ``k`` bytes
a document), so two values also agree by chance, once in 256; that is in the
binomial's probability.

    >>> import numpy as np
    >>> sk = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 9, 9, 9]], dtype=np.uint8)
    >>> agreements(sk, np.array([0, 0]), np.array([1, 2])).tolist()
    [4, 1]
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt
from scipy.stats import binom

#: Bits of each signature value kept in the sketch.
SKETCH_BITS = 8
#: Chance that two different kept values are equal.
_CHANCE = 1.0 / 2**SKETCH_BITS
#: Steps of the Jaccard grid the agreement thresholds are tabulated on.
_GRID = 1024


def sketch(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    """The low byte of each signature value: ``(n_docs, num_perm)`` uint8.

    >>> sketch(np.array([[0x1234, 0xFF01]], dtype=np.uint32)).tolist()
    [[52, 1]]
    """
    return (values & np.uint32(0xFF)).astype(np.uint8)


@nb.njit(parallel=True, cache=True)
def agreements(
    sketches: npt.NDArray[np.uint8],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Permutations on which the sketches of rows ``a[i]`` and ``b[i]`` agree."""
    k = sketches.shape[1]
    out = np.empty(len(a), dtype=np.int64)
    for p in nb.prange(len(a)):
        x, y = sketches[a[p]], sketches[b[p]]
        m = 0
        for i in range(k):
            m += x[i] == y[i]
        out[p] = m
    return out


def min_agreements(
    lowest: npt.NDArray[np.float64], num_perm: int, alpha: float
) -> npt.NDArray[np.int64]:
    """Fewest agreements a pair may show and stay, given its lowest Jaccard.

    The thresholds are tabulated on a grid of Jaccard values and each pair
    looks up the grid point at or below its own, which can only lower its
    threshold.

    >>> min_agreements(np.array([0.0, 0.1, 0.5, 1.0]), 128, 1e-3).tolist()
    [0, 4, 47, 128]
    """
    if alpha <= 0:
        return np.zeros(len(lowest), dtype=np.int64)
    grid = np.arange(_GRID + 1) / _GRID
    p = grid + (1.0 - grid) * _CHANCE
    # ppf: the smallest m with P(M <= m) >= alpha; any fewer is rarer than alpha.
    table = binom.ppf(alpha, num_perm, p).astype(np.int64)
    at = np.floor(np.clip(lowest, 0.0, 1.0) * _GRID).astype(np.int64)
    out: npt.NDArray[np.int64] = table[at]
    return out


def plausible(
    sketches: npt.NDArray[np.uint8],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    lowest: npt.NDArray[np.float64],
    alpha: float,
) -> npt.NDArray[np.bool_]:
    """Pairs whose sketches agree often enough for verification to accept them.

    *lowest* is each pair's lowest acceptable Jaccard; *alpha* the chance a
    pair at exactly that Jaccard is dropped (0 keeps every pair).

    >>> sk = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 9, 9, 9]], dtype=np.uint8)
    >>> plausible(sk, np.array([0, 0]), np.array([1, 2]),
    ...           np.array([0.9, 0.9]), 0.05).tolist()
    [True, False]
    """
    if alpha <= 0 or not len(a):
        return np.ones(len(a), dtype=np.bool_)
    need = min_agreements(lowest, sketches.shape[1], alpha)
    out: npt.NDArray[np.bool_] = agreements(sketches, a, b) >= need
    return out
