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

How the hot path is fast (the values are those of the plain definitions above,
which :func:`tokenize` and :func:`gram_hash` still spell out):

* A document is first checked for non-ASCII bytes with a vectorised OR. Pure
  ASCII text is read byte by byte through a 256-entry table
  (:func:`item_table`): no UTF-8 decoding and no look-up in the 4 MB
  lower-case table. Other documents are first decoded into one *item* per
  code point (lower-cased code point, or a separator / solo mark), ASCII bytes
  still through the table.
* FNV-1a is a serial chain (xor, multiply: about five cycles a character), and
  a per-character branch on "letter or separator" mispredicts at every token
  boundary. So tokens are hashed without branches (the separator test selects
  the next state) and the document is cut in two halves at a separator, hashed
  as two interleaved, independent chains.
* ``fmix64`` of the tokens, the shingle polynomials and their ``fmix64`` run as
  separate loops over whole arrays, which LLVM vectorises; the whole-text
  polynomial is evaluated four terms at a time.
* The verification's token arrays (:func:`tokens_of_buffers`: hashes and
  whether each token holds a digit) take the same two-chain path for ASCII
  texts (:func:`_figure_tokens`, twice as fast as :func:`tokenize`); other
  texts go through :func:`tokenize` itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl
from numba.core import types as nb_types
from numba.extending import intrinsic

from dedup.arrow import string_buffers
from dedup.charclass import (
    CLASS_MASK,
    DIGIT,
    IGNORE,
    SEP,
    SLOW,
    SOLO,
    WORD,
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

_MASK64 = (1 << 64) - 1
POLY2 = np.uint64(int(POLY) ** 2 & _MASK64)
POLY3 = np.uint64(int(POLY) ** 3 & _MASK64)
POLY4 = np.uint64(int(POLY) ** 4 & _MASK64)

# Items: one uint32 per code point of a document, what the tokenizer needs of it.
ITEM_SEP = np.uint32(0x80000000)  # a separator
ITEM_SOLO = np.uint32(0x40000000)  # OR-ed onto a code point that is a token alone
ITEM_HIGH = np.uint32(0x20000000)  # table entry of a byte >= 0x80 (not ASCII)
ITEM_CP = np.uint32(0x001FFFFF)  # the code point bits
_U1 = np.uint64(1)
_U2 = np.uint64(2)
_S31 = np.uint64(31)
_ZERO_CHAR = np.uint32(ord("0"))
_TEN = np.uint32(10)


def _wide_vectors(typingctx: Any) -> Any:
    """Let LLVM vectorise the calling function with 512-bit registers.

    LLVM tunes recent Intel CPUs for 256-bit vectors ("prefer-256-bit"), so
    numba's loops use ``ymm`` registers even where AVX-512 is there. Loops of
    integer multiplies over arrays (here: shingle hashes, ``fmix64``; the
    auto-vectorised MinHash loop measured 1.5-2x) run faster on ``zmm``
    registers, so these functions ask for them with the function attributes
    clang sets for ``-mprefer-vector-width=512``. On a CPU without AVX-512 the
    attributes change nothing.
    """

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        attrs = builder.function.attributes
        # llvmlite only knows the enumerated attributes; string attributes are
        # written verbatim into the IR.
        set.add(attrs, '"prefer-vector-width"="512"')
        set.add(attrs, '"min-legal-vector-width"="512"')
        return context.get_dummy_value()

    return nb_types.none(), codegen


wide_vectors: Any = intrinsic(_wide_vectors)


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

    ``figure[i]`` tells whether token *i* contains a decimal digit. This is the
    plain definition of a token hash; :func:`token_hashes` computes the same
    values faster (without the figure flags).
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
        if c in (SEP, SOLO):
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


# --- the fast path -------------------------------------------------------------


@functools.cache
def item_table() -> npt.NDArray[np.uint32]:
    """Item of each byte value for ASCII text (see the module notes).

    Entry 256 is 1 when every ASCII character is a word character or a
    separator whose lower case is ASCII, and the ASCII decimal digits are
    ``0``-``9`` (true of the shipped tables); the fast path is used only then.
    """
    classes, lower = table(), lower_table()
    tab = np.full(257, ITEM_HIGH, dtype=np.uint32)
    ok = True
    for c in range(128):
        cp = int(lower[c])
        cls = int(classes[cp]) & CLASS_MASK
        if cls == WORD and cp < 128:
            tab[c] = cp
        elif cls == SEP:
            tab[c] = ITEM_SEP
        else:
            ok = False
        if bool(classes[cp] & DIGIT) != (ord("0") <= c <= ord("9")):
            ok = False
    tab[256] = 1 if ok else 0
    return tab


@nb.njit(inline="always", cache=True, boundscheck=False)
def _is_ascii(data: npt.NDArray[np.uint8], start: int, end: int) -> bool:
    acc = np.uint8(0)
    for i in range(np.uint64(start), np.uint64(end)):
        acc |= data[i]
    return bool(acc < 0x80)


@nb.njit(cache=True, boundscheck=False)
def _items(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    items: npt.NDArray[np.uint32],
) -> tuple[int, bool]:
    """Decode ``data[start:end]`` to items; (their count, any solo item?).

    Ignorable code points are dropped.
    """
    m = np.uint64(0)
    solo = False
    i = np.uint64(start)
    stop = np.uint64(end)
    while i < stop:
        v = tab[data[i]]
        if v != ITEM_HIGH:
            items[m] = v
            m += _U1
            i += _U1
            continue
        cp, nxt = _decode(data, int(i))
        i = np.uint64(nxt)
        cp = lower[cp]
        c = classes[cp] & CLASS_MASK
        if c == IGNORE:
            continue
        if c == WORD:
            items[m] = np.uint32(cp)
        elif c == SEP:
            items[m] = ITEM_SEP
        else:
            items[m] = ITEM_SOLO | np.uint32(cp)
            solo = True
        m += _U1
    return int(np.int64(m)), solo


@nb.njit(inline="always", cache=True)
def _fnv_step(
    v: np.uint32,
    h: np.uint64,
    n: np.uint64,
    in_tok: np.uint64,
    out: npt.NDArray[np.uint64],
    solo: bool,
) -> tuple[np.uint64, np.uint64, np.uint64]:
    """One item of the branch-free tokenizer: new (state, count, in-token flag).

    *out* receives the raw FNV state of each finished token (``fmix64`` later);
    it is written at every step, and the count moves on only at a token's end.
    *solo* (a compile-time constant) says whether solo items can occur.
    """
    if solo and v & ITEM_SOLO:
        out[n] = h
        n += in_tok
        out[n] = (FNV_OFFSET ^ np.uint64(v & ITEM_CP)) * FNV_PRIME
        return FNV_OFFSET, n + _U1, np.uint64(0)
    sep = np.uint64(v >> _S31)
    nxt = (h ^ np.uint64(v)) * FNV_PRIME
    out[n] = h
    n += in_tok & sep
    h = FNV_OFFSET if sep else nxt
    return h, n, sep ^ _U1


@nb.njit(inline="always", cache=True)
def _item(
    src: npt.NDArray[Any], i: Any, tab: npt.NDArray[np.uint32], direct: bool
) -> np.uint32:
    if direct:
        return np.uint32(tab[src[i]])
    return np.uint32(src[i])


@nb.njit(inline="always", cache=True)
def _halves(
    src: npt.NDArray[Any],
    start: int,
    end: int,
    tab: npt.NDArray[np.uint32],
    direct: bool,
) -> tuple[np.uint64, np.uint64, np.uint64]:
    """(start, end, cut): items ``src[start:end]``, cut at a separator mid-way."""
    s0 = np.uint64(start)
    e1 = np.uint64(end)
    mid = s0 + (e1 - s0) // _U2
    while mid < e1:
        if _item(src, mid, tab, direct) & (ITEM_SEP | ITEM_SOLO):
            break
        mid += _U1
    return s0, e1, mid


@nb.njit(cache=True, boundscheck=False)
def _fnv_tokens(
    src: npt.NDArray[Any],
    start: int,
    end: int,
    tab: npt.NDArray[np.uint32],
    direct: bool,
    solo: bool,
    out: npt.NDArray[np.uint64],
    half: int,
) -> int:
    """Raw FNV states of the tokens of items ``src[start:end]``; their count.

    With *direct*, *src* is ASCII bytes and ``tab[byte]`` is the item; *solo*
    says whether solo items may occur (both compile-time constants). The range
    is cut at a separator near its middle and the halves hashed as two
    interleaved chains, the second into ``out[half:]``, then appended.
    """
    s0, e1, mid = _halves(src, start, end, tab, direct)
    length = min(mid - s0, e1 - mid)
    h0 = FNV_OFFSET
    h1 = FNV_OFFSET
    n0 = np.uint64(0)
    n1 = np.uint64(half)
    t0 = np.uint64(0)
    t1 = np.uint64(0)
    for j in range(length):
        v0 = _item(src, s0 + j, tab, direct)
        v1 = _item(src, mid + j, tab, direct)
        h0, n0, t0 = _fnv_step(v0, h0, n0, t0, out, solo)
        h1, n1, t1 = _fnv_step(v1, h1, n1, t1, out, solo)
    for i in range(s0 + length, mid):
        h0, n0, t0 = _fnv_step(_item(src, i, tab, direct), h0, n0, t0, out, solo)
    for i in range(mid + length, e1):
        h1, n1, t1 = _fnv_step(_item(src, i, tab, direct), h1, n1, t1, out, solo)
    out[n0] = h0
    n0 += t0
    out[n1] = h1
    n1 += t1
    base = np.uint64(half)
    for j in range(n1 - base):
        out[n0 + j] = out[base + j]
    return int(np.int64(n0 + n1 - base))


@nb.njit(cache=True, boundscheck=False)
def _fmix_all(values: npt.NDArray[np.uint64], n: int) -> None:
    wide_vectors()
    for j in range(n):
        values[j] = fmix64(values[j])


@nb.njit(cache=True, boundscheck=False)
def token_hashes(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    out: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
) -> int:
    """The token hashes of :func:`tokenize`, fast, into *out*; their count.

    *tab* is :func:`item_table`; *out* holds ``2 * (end - start + 2)`` values
    and *items* ``end - start + 2`` (scratch).
    """
    half = end - start + 2
    if tab[256] == 1 and _is_ascii(data, start, end):
        n = _fnv_tokens(data, start, end, tab, True, False, out, half)
    else:
        m, solo = _items(data, start, end, classes, lower, tab, items)
        if solo:
            n = _fnv_tokens(items, 0, m, tab, False, True, out, half)
        else:
            n = _fnv_tokens(items, 0, m, tab, False, False, out, half)
    _fmix_all(out, n)
    return n


@nb.njit(cache=True, boundscheck=False)
def _char_items(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    out: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
) -> int:
    """:func:`char_stream`, fast: code points with separator runs as one space."""
    if tab[256] != 1:
        return char_stream(data, start, end, classes, lower, out)
    m, _ = _items(data, start, end, classes, lower, tab, items)
    n = np.uint64(0)
    pending = np.uint64(0)
    for i in range(np.uint64(m)):
        v = items[i]
        sep = np.uint64(v >> _S31)
        word = sep ^ _U1
        out[n] = SPACE
        n += pending & word
        out[n] = np.uint64(v & ITEM_CP)
        n += word
        pending = sep & np.uint64(n > 0) | pending & sep
    return int(np.int64(n))


@nb.njit(cache=True, boundscheck=False)
def _poly(items: npt.NDArray[np.uint64], m: int) -> np.uint64:
    """``gram_hash(items, 0, m)`` before ``fmix64``, four terms at a time."""
    h = np.uint64(m)
    j = 0
    while j + 4 <= m:
        block = (
            items[j] * POLY3 + items[j + 1] * POLY2 + items[j + 2] * POLY + items[j + 3]
        )
        h = h * POLY4 + block
        j += 4
    while j < m:
        h = h * POLY + items[j]
        j += 1
    return h


@nb.njit(cache=True, boundscheck=False)
def gram_hashes(
    items: npt.NDArray[np.uint64], m: int, n: int, out: npt.NDArray[np.uint64]
) -> int:
    """``out[i] = gram_hash(items, i, n)`` for every shingle; their count."""
    wide_vectors()
    k = m - n + 1 if m >= n else 0
    start = np.uint64(n)
    for i in range(k):
        out[i] = start
    for j in range(n):
        for i in range(k):
            out[i] = out[i] * POLY + items[i + j]
    for i in range(k):
        out[i] = fmix64(out[i])
    return k


@nb.njit(cache=True, boundscheck=False)
def fast_shingles(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    kind: int,
    n: int,
    scratch: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
    out: npt.NDArray[np.uint64],
) -> tuple[int, int, np.uint64]:
    """:func:`doc_shingles`, fast (same values) into *out*.

    *scratch* (``2 * (end - start + 2)`` values) and *items* are work space.
    """
    if kind == 0:
        m = token_hashes(data, start, end, classes, lower, tab, scratch, items)
    else:
        m = _char_items(data, start, end, classes, lower, tab, scratch, items)
    k = gram_hashes(scratch, m, n, out)
    whole = fmix64(_poly(scratch, m)) if m > 0 else np.uint64(0)
    return m, k, whole


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
    tab: npt.NDArray[np.uint32],
    kind: int,
    n: int,
    max_len: int,
    n_threads: int,
) -> npt.NDArray[np.int64]:
    n_docs = len(offsets) - 1
    counts = np.zeros(n_docs, dtype=np.int64)
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        scratch = np.empty(2 * max_len + 4, dtype=np.uint64)
        items = np.empty(max_len + 2, dtype=np.uint32)
        out = np.empty(max_len + 2, dtype=np.uint64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            _, k, _ = fast_shingles(
                data, offsets[d], offsets[d + 1], classes, lower, tab, kind, n,
                scratch, items, out,
            )  # fmt: skip
            counts[d] = k
    return counts


@nb.njit(inline="always", cache=True, boundscheck=False)
def _sort_unique(
    src: npt.NDArray[np.uint64],
    k: int,
    dst: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64],
    tmp: npt.NDArray[np.uint64],
) -> int:
    """Sorted distinct values of ``src[:k]`` into *dst*; their count.

    Shingle hashes are uniform, so a bucket pass on the top bits (about one
    value a bucket) followed by an insertion sort is linear in practice and
    several times faster than a comparison sort. *counts* holds ``2k + 2``
    and *tmp* ``k`` values (scratch).
    """
    if k == 0:
        return 0
    bits = 1
    while (1 << bits) < k:
        bits += 1
    shift = np.uint64(64 - bits)
    buckets = 1 << bits
    counts[: buckets + 1] = 0
    for i in range(k):
        counts[np.int64(src[i] >> shift) + 1] += 1
    for i in range(buckets):
        counts[i + 1] += counts[i]
    for i in range(k):
        bucket = np.int64(src[i] >> shift)
        tmp[counts[bucket]] = src[i]
        counts[bucket] += 1
    for i in range(1, k):  # values are grouped by bucket: fix the order inside
        v = tmp[i]
        j = i - 1
        while j >= 0 and tmp[j] > v:
            tmp[j + 1] = tmp[j]
            j -= 1
        tmp[j + 1] = v
    u = 0
    for i in range(k):
        if i == 0 or tmp[i] != tmp[i - 1]:
            dst[u] = tmp[i]
            u += 1
    return u


@nb.njit(parallel=True, cache=True)
def _fill_sets(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
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
        scratch = np.empty(2 * max_len + 4, dtype=np.uint64)
        items = np.empty(max_len + 2, dtype=np.uint32)
        out = np.empty(max_len + 2, dtype=np.uint64)
        tmp = np.empty(max_len + 2, dtype=np.uint64)
        counts = np.empty(2 * max_len + 8, dtype=np.int64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            _, k, _ = fast_shingles(
                data, offsets[d], offsets[d + 1], classes, lower, tab, kind, n,
                scratch, items, out,
            )  # fmt: skip
            unique[d] = _sort_unique(out, k, values[starts[d] :], counts, tmp)
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
    return sets_of_buffers(*string_buffers(prepared), kind, n)


def sets_of_buffers(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    kind: ShingleKind,
    n: int,
    n_shingles: npt.NDArray[np.integer] | None = None,
) -> ShingleSets:
    """:func:`shingle_sets` of prepared UTF-8 *data* cut at *offsets*.

    *n_shingles*, each text's shingle count with repeats as the signature pass
    reports it, spares the counting pass.
    """
    max_len = int(np.diff(offsets).max()) if len(offsets) > 1 else 0
    classes, lower, tab = table(), lower_table(), item_table()
    code = KIND_CODES[kind]
    threads = nb.get_num_threads()
    if n_shingles is None:
        counts = _count_shingles(
            data, offsets, classes, lower, tab, code, n, max_len, threads
        )
    else:
        counts = np.asarray(n_shingles, dtype=np.int64)
    starts = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=starts[1:])
    values = np.empty(int(counts.sum()), dtype=np.uint64)
    unique = _fill_sets(
        data, offsets, classes, lower, tab, code, n, max_len, threads, starts, values
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


@nb.njit(parallel=True, cache=True, nogil=True)
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
        if _is_ascii(data, i, end):
            continue
        while i < end:
            if data[i] < 0x80:
                i += 1
                continue
            cp, i = _decode(data, i)
            if classes[cp] & SLOW:
                out[d] = True
                break
    return out


@nb.njit(inline="always", cache=True)
def _figure_step(
    c: np.uint8,
    tab: npt.NDArray[np.uint32],
    h: np.uint64,
    n: np.uint64,
    in_tok: np.uint64,
    digit: bool,
    out: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
) -> tuple[np.uint64, np.uint64, np.uint64, bool]:
    """:func:`_fnv_step` of an ASCII byte *c*, also tracking the token's digits.

    Returns (state, count, in-token flag, digit seen). A separator's item has
    bit 31 set, so ``item - "0"`` is below 10 only for a digit.
    """
    v = tab[c]
    sep = np.uint64(v >> _S31)
    out[n] = h
    figure[n] = digit
    n += in_tok & sep
    nxt = (h ^ np.uint64(v)) * FNV_PRIME
    h = FNV_OFFSET if sep else nxt
    digit = False if sep else digit | bool(np.uint32(v - _ZERO_CHAR) < _TEN)
    return h, n, sep ^ _U1, digit


@nb.njit(cache=True, boundscheck=False)
def _figure_tokens(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    tab: npt.NDArray[np.uint32],
    out: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
    half: int,
) -> int:
    """:func:`tokenize` of ASCII ``data[start:end]`` (hashes and figure flags).

    The fast path of :func:`token_hashes` (two interleaved chains, the second
    written from ``out[half:]`` and appended) with each token's digit flag;
    *tab* is :func:`item_table` and must be usable (entry 256 is 1). *out* and
    *figure* hold ``2 * half`` values, ``half >= end - start + 2``.
    """
    s0, e1, mid = _halves(data, start, end, tab, True)
    length = min(mid - s0, e1 - mid)
    h0 = h1 = FNV_OFFSET
    n0 = np.uint64(0)
    n1 = np.uint64(half)
    t0 = t1 = np.uint64(0)
    d0 = d1 = False
    for j in range(length):
        h0, n0, t0, d0 = _figure_step(data[s0 + j], tab, h0, n0, t0, d0, out, figure)
        h1, n1, t1, d1 = _figure_step(data[mid + j], tab, h1, n1, t1, d1, out, figure)
    for i in range(s0 + length, mid):
        h0, n0, t0, d0 = _figure_step(data[i], tab, h0, n0, t0, d0, out, figure)
    for i in range(mid + length, e1):
        h1, n1, t1, d1 = _figure_step(data[i], tab, h1, n1, t1, d1, out, figure)
    out[n0], figure[n0] = h0, d0
    n0 += t0
    out[n1], figure[n1] = h1, d1
    n1 += t1
    base = np.uint64(half)
    for j in range(n1 - base):
        out[n0 + j] = out[base + j]
        figure[n0 + j] = figure[base + j]
    n = int(np.int64(n0 + n1 - base))
    _fmix_all(out, n)
    return n


@nb.njit(parallel=True, cache=True)
def _token_counts(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    figure: npt.NDArray[np.bool_],
    n_blocks: int,
) -> npt.NDArray[np.int64]:
    n_docs = len(offsets) - 1
    counts = np.zeros(n_docs, dtype=np.int64)
    fast = tab[256] == 1
    # Documents go in blocks, each with its own scratch for the fast path
    # (its second chain needs room beyond the text's own slots).
    n_blocks = min(n_docs, n_blocks)
    for k in nb.prange(n_blocks):
        lo, hi = k * n_docs // n_blocks, (k + 1) * n_docs // n_blocks
        half = 2
        for d in range(lo, hi):
            half = max(half, offsets[d + 1] - offsets[d] + 2)
        out = np.empty(2 * half, dtype=np.uint64)
        flags = np.empty(2 * half, dtype=np.bool_)
        for d in range(lo, hi):
            s, a, b = starts[d], offsets[d], offsets[d + 1]
            if fast and _is_ascii(data, a, b):
                n = _figure_tokens(data, a, b, tab, out, flags, half)
                hashes[s : s + n] = out[:n]
                figure[s : s + n] = flags[:n]
            else:
                n = tokenize(data, a, b, classes, lower, hashes[s:], figure[s:])
            counts[d] = n
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
    return tokens_of_buffers(*string_buffers(prepared))


def tokens_of_buffers(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    counts: npt.NDArray[np.integer] | None = None,
) -> TokenArrays:
    """:func:`token_arrays` of UTF-8 *data* cut at *offsets*.

    With *counts* (each text's token count, as the signature pass reports it)
    the arrays are sized exactly; without, a text's bytes bound its tokens.
    """
    if counts is not None:
        counts = np.asarray(counts, dtype=np.int64)
        starts = np.zeros(len(counts), dtype=np.int64)
        if len(counts) > 1:
            np.cumsum(counts[:-1], out=starts[1:])
        size = int(counts.sum()) + 1
    else:
        starts = (
            offsets[:-1].astype(np.int64) - int(offsets[0]) if len(offsets) else offsets
        )
        size = int(offsets[-1] - offsets[0]) + 1 if len(offsets) else 1
    hashes = np.empty(size, dtype=np.uint64)
    figure = np.zeros(size, dtype=np.bool_)
    blocks = 16 * nb.get_num_threads()  # enough to even out the threads' shares
    tab = item_table()
    found = _token_counts(
        data, offsets, table(), lower_table(), tab, starts, hashes, figure, blocks
    )
    if counts is not None and not np.array_equal(found, counts):
        raise ValueError("token counts differ from the ones given")
    return TokenArrays(starts=starts, counts=found, hashes=hashes, figure=figure)
