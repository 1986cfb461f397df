"""Tokens and shingles, compiled with numba, straight from Arrow string buffers.

A document is decoded from UTF-8 once; each code point's class comes from the
shipped table (:mod:`dedup.charclass`). Tokens are hashed with FNV-1a over code
points and finished with murmur3's ``fmix64``; a shingle's hash is a polynomial
over its token hashes, finished the same way. Every constant here is part of
the on-disk contract: changing one changes every persisted signature, and the
golden-value tests fail on purpose.

Two shingle kinds:

* ``word`` (default): n consecutive tokens (default 5).
* ``char``: n consecutive code points of the normalised text (separators folded to
  one space), for short texts and languages without spaces.

    >>> import polars as pl
    >>> from dedup.normalize import prepare_column
    >>> s = shingle_sets(prepare_column(pl.Series(["a b c d e f"])), "word", 5)
    >>> s.counts.tolist()
    [2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import string_buffers
from dedup.charclass import (
    CLASS_MASK,
    DIGIT,
    IGNORE,
    SEP,
    SLOW,
    SOLO,
    lower_table,
    table,
)

ShingleKind = Literal["word", "char"]
KIND_CODES: dict[str, int] = {"word": 0, "char": 1}

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)
POLY = np.uint64(0x9E3779B97F4A7C15)  # odd; golden-ratio constant
M1 = np.uint64(0xFF51AFD7ED558CCD)
M2 = np.uint64(0xC4CEB9FE1A85EC53)
S33 = np.uint64(33)
SPACE = 32


@nb.njit(inline="always", cache=True)
def fmix64(h: np.uint64) -> np.uint64:
    """Murmur3's 64-bit finaliser: every input bit affects every output bit."""
    h ^= h >> S33
    h *= M1
    h ^= h >> S33
    h *= M2
    h ^= h >> S33
    return h


@nb.njit(inline="always", cache=True)
def _decode(data: npt.NDArray[np.uint8], i: int) -> tuple[int, int]:
    """Code point at byte *i* of valid UTF-8 and the index after it."""
    b0 = int(data[i])
    if b0 < 0x80:
        return b0, i + 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (int(data[i + 1]) & 0x3F), i + 2
    if b0 < 0xF0:
        return (
            ((b0 & 0x0F) << 12)
            | ((int(data[i + 1]) & 0x3F) << 6)
            | (int(data[i + 2]) & 0x3F)
        ), i + 3
    return (
        ((b0 & 0x07) << 18)
        | ((int(data[i + 1]) & 0x3F) << 12)
        | ((int(data[i + 2]) & 0x3F) << 6)
        | (int(data[i + 3]) & 0x3F)
    ), i + 4


@nb.njit(cache=True)
def tokenize(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    out: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
) -> int:
    """Write the token hashes of ``data[start:end]`` to *out*; return their count.

    ``figure[i]`` tells whether token *i* contains a decimal digit.
    """
    n = 0
    h = FNV_OFFSET
    in_tok = False
    has_digit = False
    i = start
    while i < end:
        cp, i = _decode(data, i)
        cp = lower[cp]
        flags = classes[cp]
        c = flags & CLASS_MASK
        if c == IGNORE:
            continue
        if c == SEP or c == SOLO:
            if in_tok:
                out[n] = fmix64(h)
                figure[n] = has_digit
                n += 1
                in_tok = False
                has_digit = False
                h = FNV_OFFSET
            if c == SOLO:
                out[n] = fmix64((FNV_OFFSET ^ np.uint64(cp)) * FNV_PRIME)
                figure[n] = False
                n += 1
            continue
        h = (h ^ np.uint64(cp)) * FNV_PRIME
        in_tok = True
        if flags & DIGIT:
            has_digit = True
    if in_tok:
        out[n] = fmix64(h)
        figure[n] = has_digit
        n += 1
    return n


@nb.njit(cache=True)
def char_stream(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    out: npt.NDArray[np.uint64],
) -> int:
    """Write the normalised code points (runs of separators as one space) to *out*."""
    n = 0
    pending_space = False
    i = start
    while i < end:
        cp, i = _decode(data, i)
        cp = lower[cp]
        c = classes[cp] & CLASS_MASK
        if c == IGNORE:
            continue
        if c == SEP:
            pending_space = n > 0
            continue
        if pending_space:
            out[n] = SPACE
            n += 1
            pending_space = False
        out[n] = cp
        n += 1
    return n


@nb.njit(inline="always", cache=True)
def gram_hash(items: npt.NDArray[np.uint64], i: int, n: int) -> np.uint64:
    """Hash of ``items[i:i+n]``: a polynomial over the items, then ``fmix64``."""
    h = np.uint64(n)
    for j in range(i, i + n):
        h = h * POLY + items[j]
    return fmix64(h)


@nb.njit(cache=True)
def doc_shingles(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    kind: int,
    n: int,
    scratch: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
    out: npt.NDArray[np.uint64],
) -> tuple[int, int, np.uint64]:
    """Shingle hashes of one document into *out*.

    Returns (number of tokens or code points, number of shingles, hash of the
    whole normalised sequence). Fewer than *n* items give no shingles; the
    whole-sequence hash then identifies the text for exact matching.
    """
    if kind == 0:
        m = tokenize(data, start, end, classes, lower, scratch, figure)
    else:
        m = char_stream(data, start, end, classes, lower, scratch)
    k = m - n + 1 if m >= n else 0
    for i in range(k):
        out[i] = gram_hash(scratch, i, n)
    whole = gram_hash(scratch, 0, m) if m > 0 else np.uint64(0)
    return m, k, whole


@nb.njit(parallel=True, cache=True)
def _count_shingles(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    kind: int,
    n: int,
    max_len: int,
    n_threads: int,
) -> npt.NDArray[np.int64]:
    n_docs = len(offsets) - 1
    counts = np.zeros(n_docs, dtype=np.int64)
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        scratch = np.empty(max_len + 1, dtype=np.uint64)
        figure = np.empty(max_len + 1, dtype=np.bool_)
        out = np.empty(max_len + 1, dtype=np.uint64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            _, k, _ = doc_shingles(
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
            counts[d] = k
    return counts


@nb.njit(parallel=True, cache=True)
def _fill_sets(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    kind: int,
    n: int,
    max_len: int,
    n_threads: int,
    starts: npt.NDArray[np.int64],
    values: npt.NDArray[np.uint64],
) -> npt.NDArray[np.int64]:
    n_docs = len(offsets) - 1
    unique = np.zeros(n_docs, dtype=np.int64)
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        scratch = np.empty(max_len + 1, dtype=np.uint64)
        figure = np.empty(max_len + 1, dtype=np.bool_)
        out = np.empty(max_len + 1, dtype=np.uint64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            _, k, _ = doc_shingles(
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
            s = np.sort(out[:k])
            u = 0
            for i in range(k):
                if i == 0 or s[i] != s[i - 1]:
                    values[starts[d] + u] = s[i]
                    u += 1
            unique[d] = u
    return unique


@dataclass(frozen=True)
class ShingleSets:
    """Sorted unique shingle hashes of many documents, in CSR layout.

    Document *d* owns ``values[starts[d] : starts[d] + counts[d]]``.
    """

    starts: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    values: npt.NDArray[np.uint64]

    def get(self, d: int) -> npt.NDArray[np.uint64]:
        """The shingle set of document *d*."""
        s = int(self.starts[d])
        return self.values[s : s + int(self.counts[d])]


def shingle_sets(prepared: pl.Series, kind: ShingleKind, n: int) -> ShingleSets:
    """Sorted unique shingle hashes of each text of *prepared*.

    *prepared* is the output of :func:`dedup.normalize.prepare_column`.
    """
    data, offsets = string_buffers(prepared)
    max_len = int(np.diff(offsets).max()) if len(offsets) > 1 else 0
    classes, lower = table(), lower_table()
    code = KIND_CODES[kind]
    counts = _count_shingles(
        data, offsets, classes, lower, code, n, max_len, nb.get_num_threads()
    )
    starts = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=starts[1:])
    values = np.empty(int(counts.sum()), dtype=np.uint64)
    unique = _fill_sets(
        data, offsets, classes, lower, code, n, max_len, nb.get_num_threads(), starts, values
    )
    return ShingleSets(starts=starts, counts=unique, values=values)


def python_token_hashes(tokens: list[str]) -> list[int]:
    """Reference (pure Python) token hashes, for tests and golden values."""
    mask = (1 << 64) - 1
    out = []
    for tok in tokens:
        h = int(FNV_OFFSET)
        for ch in tok:
            h = ((h ^ ord(ch)) * int(FNV_PRIME)) & mask
        out.append(_py_fmix64(h))
    return out


def _py_fmix64(h: int) -> int:
    mask = (1 << 64) - 1
    h ^= h >> 33
    h = (h * int(M1)) & mask
    h ^= h >> 33
    h = (h * int(M2)) & mask
    h ^= h >> 33
    return h


@nb.njit(parallel=True, cache=True)
def needs_nfkc(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
) -> npt.NDArray[np.bool_]:
    """Which documents hold a code point that NFKC or lower-casing could expand."""
    n_docs = len(offsets) - 1
    out = np.zeros(n_docs, dtype=np.bool_)
    for d in nb.prange(n_docs):
        i = offsets[d]
        end = offsets[d + 1]
        while i < end:
            if data[i] < 0x80:
                i += 1
                continue
            cp, i = _decode(data, i)
            if classes[cp] & SLOW:
                out[d] = True
                break
    return out


@nb.njit(parallel=True, cache=True)
def _token_counts(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    starts: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    n_docs = len(offsets) - 1
    counts = np.zeros(n_docs, dtype=np.int64)
    for d in nb.prange(n_docs):
        s = starts[d]
        counts[d] = tokenize(
            data, offsets[d], offsets[d + 1], classes, lower, hashes[s:], figure[s:]
        )
    return counts


@dataclass(frozen=True)
class TokenArrays:
    """Token hashes of many documents (CSR) and whether each token is a figure."""

    starts: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.uint64]
    figure: npt.NDArray[np.bool_]

    def get(self, d: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
        """Token hashes and figure flags of document *d*."""
        s, c = int(self.starts[d]), int(self.counts[d])
        return self.hashes[s : s + c], self.figure[s : s + c]


def token_arrays(prepared: pl.Series) -> TokenArrays:
    """Token hashes of each text of *prepared* (see :func:`tokenize`)."""
    data, offsets = string_buffers(prepared)
    # A document has at most as many tokens as bytes.
    starts = offsets[:-1].astype(np.int64) - int(offsets[0]) if len(offsets) else offsets
    size = int(offsets[-1] - offsets[0]) + 1 if len(offsets) else 1
    hashes = np.empty(size, dtype=np.uint64)
    figure = np.zeros(size, dtype=np.bool_)
    counts = _token_counts(data, offsets, table(), lower_table(), starts, hashes, figure)
    return TokenArrays(starts=starts, counts=counts, hashes=hashes, figure=figure)
