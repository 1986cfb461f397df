"""MinHash signatures, compiled with numba and run in parallel over documents.

Permutation *i* maps a shingle hash ``x`` (folded to 32 bits) to
``(a_i * x + b_i) mod 2**64 >> 32`` — Dietzfelbinger's multiply-add-shift
scheme, a universal family that needs one 64-bit multiply per value and
vectorises across the permutations. ``a_i`` (odd) and ``b_i`` come from a
splitmix64 stream seeded with *seed*, so a signature depends only on the text,
the shingling and (num_perm, seed): identical across runs, machines and
versions, which the golden-value tests pin down.

    >>> import polars as pl
    >>> sig = signatures(pl.Series(["the cat sat on the mat today"]))
    >>> sig.values.shape, sig.values.dtype.name
    ((1, 128), 'uint32')
    >>> estimate_jaccard(sig.values[0], sig.values[0])
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import string_buffers
from dedup.charclass import lower_table, table
from dedup.normalize import prepare_column
from dedup.shingle import KIND_CODES, ShingleKind, doc_shingles

EMPTY = np.uint32(0xFFFFFFFF)
MASK32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)


def permutations(num_perm: int, seed: int = 1) -> tuple[
    npt.NDArray[np.uint64], npt.NDArray[np.uint64]
]:
    """The (a, b) parameters of *num_perm* permutations, from splitmix64(*seed*)."""
    mask = (1 << 64) - 1
    state = seed & mask
    draws = []
    for _ in range(2 * num_perm):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        draws.append(z ^ (z >> 31))
    a = np.array([d | 1 for d in draws[0::2]], dtype=np.uint64)
    b = np.array(draws[1::2], dtype=np.uint64)
    return a, b


@nb.njit(inline="always", cache=True)
def _update(
    shingles: npt.NDArray[np.uint64],
    k: int,
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint64],
) -> None:
    for s in range(k):
        h = shingles[s]
        x = (h ^ (h >> S32)) & MASK32
        for i in range(len(a)):
            v = (a[i] * x + b[i]) >> S32
            if v < acc[i]:
                acc[i] = v


@nb.njit(parallel=True, cache=True)
def _signatures(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    kind: int,
    n: int,
    max_len: int,
    n_threads: int,
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint64],
]:
    n_docs = len(offsets) - 1
    num_perm = len(a)
    sig = np.empty((n_docs, num_perm), dtype=np.uint32)
    n_items = np.zeros(n_docs, dtype=np.uint32)
    n_shingles = np.zeros(n_docs, dtype=np.uint32)
    whole = np.zeros(n_docs, dtype=np.uint64)
    # Documents are split into one block per thread so each thread allocates
    # its scratch buffers once, not once per document.
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        scratch = np.empty(max_len + 1, dtype=np.uint64)
        figure = np.empty(max_len + 1, dtype=np.bool_)
        out = np.empty(max_len + 1, dtype=np.uint64)
        acc = np.empty(num_perm, dtype=np.uint64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            m, k, w = doc_shingles(
                data,
                offsets[d],
                offsets[d + 1],
                classes,
                lower,
                kind,
                n,
                scratch,
                figure,
                out,
            )
            acc[:] = MASK32
            _update(out, k, a, b, acc)
            for i in range(num_perm):
                sig[d, i] = np.uint32(acc[i])
            n_items[d] = m
            n_shingles[d] = k
            whole[d] = w
    return sig, n_items, n_shingles, whole


@dataclass(frozen=True)
class Signatures:
    """MinHash signatures of a batch of documents.

    Attributes:
        values: ``(n_docs, num_perm)`` uint32; all ``0xFFFFFFFF`` when a
            document has no shingle.
        n_items: tokens (word shingles) or code points (char shingles) per document.
        n_shingles: shingle positions per document (0 when shorter than one shingle).
        whole_hash: hash of the whole normalised text, for exact matching.
    """

    values: npt.NDArray[np.uint32]
    n_items: npt.NDArray[np.uint32]
    n_shingles: npt.NDArray[np.uint32]
    whole_hash: npt.NDArray[np.uint64]


def signatures(
    texts: pl.Series,
    *,
    kind: ShingleKind = "word",
    n: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    prepared: bool = False,
) -> Signatures:
    """MinHash signatures of raw *texts* (or of :func:`prepare_column` output)."""
    col = texts if prepared else prepare_column(texts)
    data, offsets = string_buffers(col)
    max_len = int(np.diff(offsets).max()) if len(offsets) > 1 else 0
    a, b = permutations(num_perm, seed)
    sig, n_items, n_sh, whole = _signatures(
        data,
        offsets,
        table(),
        lower_table(),
        KIND_CODES[kind],
        n,
        max_len,
        nb.get_num_threads(),
        a,
        b,
    )
    return Signatures(sig, n_items, n_sh, whole)


def estimate_jaccard(sig_a: npt.NDArray[np.uint32], sig_b: npt.NDArray[np.uint32]) -> float:
    """Fraction of permutations on which two signatures agree."""
    return float(np.mean(sig_a == sig_b))


def signature_of_hashes(
    shingle_hashes: npt.NDArray[np.uint64], num_perm: int = 128, seed: int = 1
) -> npt.NDArray[np.uint32]:
    """Signature of an explicit set of 64-bit shingle hashes (tests, interop)."""
    a, b = permutations(num_perm, seed)
    acc = np.full(num_perm, MASK32, dtype=np.uint64)
    _update_py(np.ascontiguousarray(shingle_hashes, dtype=np.uint64), a, b, acc)
    return acc.astype(np.uint32)


@nb.njit(cache=True)
def _update_py(
    shingles: npt.NDArray[np.uint64],
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint64],
) -> None:
    _update(shingles, len(shingles), a, b, acc)
