r"""Repetition statistics per document, as in Gopher (Rae et al. 2021, table A1).

Thirteen fractions, each in [0, 1], computed in one compiled pass per document
(no Python per document), usable on their own by the farm classifier:

* ``dup_line_frac`` / ``dup_line_char_frac``: lines that repeat an earlier line
  of the same document, as a share of lines / of characters;
* ``dup_para_frac`` / ``dup_para_char_frac``: the same for paragraphs
  (blocks of lines between blank lines);
* ``top_{2,3,4}gram_char_frac``: characters covered by the most frequent word
  n-gram (its length, words joined by single spaces, times its count);
* ``dup_{5..10}gram_char_frac``: characters in word n-grams that repeat an
  earlier n-gram, scanning left to right and skipping past each repeat.

The definitions follow datatrove's ``GopherRepetitionFilter`` (which Gopher's
thresholds were transcribed into), with two differences that make the numbers
robust to formatting: lines, paragraphs and n-grams are compared after
normalisation (case, punctuation, Unicode forms: :mod:`dedup.normalize`), and
lines or paragraphs without a word are not counted. As in Gopher, the first
copy is not a duplicate, so a text of *n* identical lines scores ``(n-1)/n``.
Word lengths are counted in the original text; fractions are capped at 1 (the
top n-gram of ``"ha ha ha ha"`` overlaps itself).

    >>> import polars as pl
    >>> s = repetition_stats(pl.Series(["Also read\nAlso read\nAlso read\nNews"]))
    >>> s["dup_line_frac"].item()
    0.5
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.passages.tokens import (
    L_END,
    L_START,
    L_TOK0,
    L_TOK1,
    N_LINE_FIELDS,
    N_TOK_FIELDS,
    Texts,
    prepare_batch,
    tokens_of,
)
from dedup.shingle import POLY, _poly, fmix64

TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)

#: The statistics columns, in order.
STAT_COLUMNS: tuple[str, ...] = (
    "dup_line_frac",
    "dup_line_char_frac",
    "dup_para_frac",
    "dup_para_char_frac",
    *(f"top_{n}gram_char_frac" for n in TOP_NGRAMS),
    *(f"dup_{n}gram_char_frac" for n in DUP_NGRAMS),
)
N_STATS = len(STAT_COLUMNS)


@nb.njit(inline="always", cache=True)
def slot(keys: npt.NDArray[np.uint64], mask: int, key: np.uint64) -> np.int64:
    """Slot of *key* in an open-addressing table, or the empty slot it would take."""
    i = np.int64(key & np.uint64(mask))
    while keys[i] != 0 and keys[i] != key:
        i = (i + 1) & mask
    return i


@nb.njit(inline="always", cache=True)
def table_key(h: np.uint64) -> np.uint64:
    """*h* as a table key: 0 marks an empty slot, so the low bit is set."""
    return h | np.uint64(1)


@nb.njit(inline="always", cache=True)
def _word_chars(toks: npt.NDArray[np.int64], a: int, b: int) -> int:
    """Characters of words *a* to *b* - 1 (no spaces)."""
    total = 0
    for t in range(a, b):
        total += toks[t, 1] - toks[t, 0]
    return total


@nb.njit(inline="always", cache=True)
def span_hash(hashes: npt.NDArray[np.uint64], i: int, n: int) -> np.uint64:
    """:func:`dedup.shingle.gram_hash` of ``hashes[i:i + n]``, four words a step.

    The same value: the polynomial is regrouped exactly (modulo 2**64) by the
    whole-text hash of the signature pass, with a quarter of the dependent
    multiplies; a line is tens of words long.
    """
    return fmix64(_poly(hashes[i : i + n], n))


@nb.njit(cache=True)
def dup_units(
    keys: npt.NDArray[np.uint64],
    mask: int,
    slots: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    lines: npt.NDArray[np.int64],
    n_lines: int,
    paragraphs: bool,
) -> tuple[int, int, int]:
    """(units, duplicate units, characters in duplicates) of lines or paragraphs.

    Leaves the table empty, as it found it.
    """
    units = 0
    dups = 0
    dup_chars = 0
    used = 0
    j = 0
    while j < n_lines:
        if lines[j, L_START] < 0:
            j += 1
            continue
        first = j
        last = j
        if paragraphs:
            while last + 1 < n_lines and lines[last + 1, L_START] >= 0:
                last += 1
        t0 = lines[first, L_TOK0]
        t1 = lines[last, L_TOK1]
        if t1 > t0:
            units += 1
            k = table_key(span_hash(hashes, t0, t1 - t0))
            s = slot(keys, mask, k)
            if keys[s] == k:
                dups += 1
                dup_chars += lines[last, L_END] - lines[first, L_START]
            else:
                keys[s] = k
                slots[used] = s
                used += 1
        j = last + 1
    for u in range(used):
        keys[slots[u]] = 0
    return units, dups, dup_chars


@nb.njit(cache=True)
def doc_stats(
    hashes: npt.NDArray[np.uint64],
    toks: npt.NDArray[np.int64],
    n: int,
    lines: npt.NDArray[np.int64],
    n_lines: int,
    n_chars: int,
    scratch: Scratch,
    out: npt.NDArray[np.float64],
) -> None:
    """Write the :data:`STAT_COLUMNS` of one tokenised document to *out*.

    *scratch* comes from :func:`new_scratch` for at least ``n + n_lines``; its
    table is empty between calls (each step empties the slots it used, which
    costs less than clearing the table).
    """
    keys, _, _, _, slots = scratch
    out[:] = 0.0
    if n_chars <= 0:
        return
    mask = table_size(n + n_lines) - 1
    units, dups, chars = dup_units(keys, mask, slots, hashes, lines, n_lines, False)
    if units:
        out[0] = dups / units
        out[1] = min(1.0, chars / n_chars)
    units, dups, chars = dup_units(keys, mask, slots, hashes, lines, n_lines, True)
    if units:
        out[2] = dups / units
        out[3] = min(1.0, chars / n_chars)
    n_live = _top_ngrams(hashes, toks, n, n_chars, mask, scratch, out)
    if n_live > 0:
        _dup_ngrams(hashes, toks, n, n_chars, mask, n_live, scratch, out)


@nb.njit(cache=True)
def _top_ngrams(
    hashes: npt.NDArray[np.uint64],
    toks: npt.NDArray[np.int64],
    n: int,
    n_chars: int,
    mask: int,
    scratch: Scratch,
    out: npt.NDArray[np.float64],
) -> int:
    """The ``top_{2,3,4}gram_char_frac`` columns; return the live positions.

    ``acc[i]`` grows from the 1-gram at i to the g-gram, one word per round (a
    polynomial hash), so each n-gram costs one multiply, not n. It is used
    as the key without a finaliser: over token hashes that are already
    mixed, its low bits are as uniform as a finalised hash's. Only positions
    whose (g-1)-gram recurs can hold a recurring g-gram, so each round after
    the first visits only those (``live``, in order): a few percent of the
    words by g = 5. Returns how many positions start a recurring 5-gram (0
    when the document is too short to have one).
    """
    keys, counts, acc, live, slots = scratch
    # The 2-grams: every position, read in order (no list of live ones yet).
    m = n - 1
    if m <= 0:
        return 0
    best = np.int64(1)
    best_first = np.int64(0)
    two = np.uint64(2)
    for i in range(m):
        a = hashes[i] * POLY + hashes[i + 1]
        acc[i] = a
        k = table_key(a + two)
        s = slot(keys, mask, k)
        # Without a branch on whether the key was there (it mispredicts): a
        # new key starts its count at 1, which never beats the best.
        v = counts[s] + 1 if keys[s] == k else (np.int64(i) << 32) + 1
        keys[s] = k
        counts[s] = v
        c = v & 0xFFFFFFFF
        f = v >> 32
        # Ties go to the n-gram seen first, as with Counter.most_common.
        better = (c > best) | ((c == best) & (f < best_first))
        best = c if better else best
        best_first = f if better else best_first
        slots[i] = s
    n_live = 0
    for i in range(m):
        s = slots[i]
        keys[s] = 0  # leave the table empty for the next round
        live[n_live] = i
        n_live += (counts[s] & 0xFFFFFFFF) >= 2
    first = int(best_first)
    out[4] = min(1.0, best * (_word_chars(toks, first, first + 2) + 1) / n_chars)
    for g in range(3, 6):
        m = n - g + 1
        if m <= 0:
            return 0
        while n_live > 0 and live[n_live - 1] >= m:
            n_live -= 1
        gg = np.uint64(g)
        best = np.int64(1)
        best_first = np.int64(0)
        for j in range(n_live):
            i = live[j]
            acc[i] = acc[i] * POLY + hashes[i + g - 1]
            k = table_key(acc[i] + gg)
            s = slot(keys, mask, k)
            if keys[s] != k:
                keys[s] = k
                # (first position << 32) + count: one word per slot.
                counts[s] = (np.int64(i) << 32) + 1
            else:
                counts[s] += 1
                v = counts[s]
                c = v & 0xFFFFFFFF
                f = v >> 32
                if c > best or (c == best and f < best_first):
                    best = c
                    best_first = f
            slots[j] = s
        kept = 0
        for j in range(n_live):
            keys[slots[j]] = 0  # leave the table empty for the next round
            if (counts[slots[j]] & 0xFFFFFFFF) >= 2:
                live[kept] = live[j]
                kept += 1
        n_live = kept
        if g < 5:
            first = int(best_first)
            length = _word_chars(toks, first, first + g) + g - 1
            out[2 + g] = min(1.0, best * length / n_chars)
    return n_live


@nb.njit(cache=True)
def _dup_ngrams(
    hashes: npt.NDArray[np.uint64],
    toks: npt.NDArray[np.int64],
    n: int,
    n_chars: int,
    mask: int,
    n_live: int,
    scratch: Scratch,
    out: npt.NDArray[np.float64],
) -> None:
    """The ``dup_{5..10}gram_char_frac`` columns, after :func:`_top_ngrams`.

    Scans left to right and skips past each repeat; only the positions that
    start a recurring 5-gram (``live``) can start a repeated longer n-gram.
    """
    keys, _, acc, live, slots = scratch
    for g in range(5, 11):
        m = n - g + 1
        if m <= 0:
            return
        while n_live > 0 and live[n_live - 1] >= m:
            n_live -= 1
        gg = np.uint64(g)
        if g > 5:
            for j in range(n_live):
                i = live[j]
                acc[i] = acc[i] * POLY + hashes[i + g - 1]
        repeated = 0
        used = 0
        resume = 0
        for j in range(n_live):
            i = live[j]
            if i < resume:
                continue
            k = table_key(acc[i] + gg)
            s = slot(keys, mask, k)
            if keys[s] == k:
                repeated += _word_chars(toks, i, i + g)
                resume = i + g
                continue
            keys[s] = k
            slots[used] = s
            used += 1
        for j in range(used):
            keys[slots[j]] = 0
        out[2 + g] = min(1.0, repeated / n_chars)


Scratch = tuple[
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]


@nb.njit(cache=True)
def new_scratch(n_items: int) -> Scratch:
    """Scratch arrays of :func:`doc_stats` for up to *n_items* tokens + lines.

    (table keys, table counts, n-gram hashes, live positions, slots); the
    table starts empty.
    """
    size = table_size(n_items)
    return (
        np.zeros(size, dtype=np.uint64),
        np.empty(size, dtype=np.int64),
        np.empty(n_items + 1, dtype=np.uint64),
        np.empty(n_items + 1, dtype=np.int64),
        np.empty(n_items + 1, dtype=np.int64),
    )


@nb.njit(cache=True)
def table_size(n_items: int) -> int:
    """Scratch size for :func:`doc_stats` over up to *n_items* tokens + lines."""
    size = 1
    while size < 2 * n_items + 2:
        size *= 2
    return size


@nb.njit(parallel=True, cache=True)
def _batch_stats(
    texts: Texts,
    n_chars: npt.NDArray[np.int64],
    max_cap: int,
    n_threads: int,
    out: npt.NDArray[np.float64],
) -> None:
    n_docs = len(texts[1]) - 1
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        toks = np.empty((max_cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.empty(max_cap, dtype=np.uint64)
        lines = np.empty((max_cap, N_LINE_FIELDS), dtype=np.int64)
        scratch = new_scratch(2 * max_cap)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            n, nl = tokens_of(texts, d, toks, hashes, lines)
            doc_stats(hashes, toks, n, lines, nl, n_chars[d], scratch, out[d])


def repetition_stats(texts: pl.Series) -> pl.DataFrame:
    """The :data:`STAT_COLUMNS` of each text of *texts*, one row per text.

    Nulls count as empty texts (all zeros).

    Example:
        >>> import polars as pl
        >>> s = repetition_stats(pl.Series(["a b c d e a b c d e", "one line"]))
        >>> s["dup_5gram_char_frac"].round(2).to_list()
        [0.26, 0.0]

    """
    prep = prepare_batch(texts)
    out = np.zeros((prep.n_docs, N_STATS), dtype=np.float64)
    if prep.n_docs:
        max_cap = int(prep.token_capacity().max())
        _batch_stats(
            prep.buffers(),
            prep.n_chars,
            max_cap,
            min(nb.get_num_threads(), max(1, prep.n_docs)),
            out,
        )
    return pl.DataFrame(
        {name: out[:, j] for j, name in enumerate(STAT_COLUMNS)},
        schema=dict.fromkeys(STAT_COLUMNS, pl.Float64),
    )
