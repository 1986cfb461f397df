r"""The three repetition statistics the article score uses, and only those.

:func:`dedup.passages.repetition_stats` computes thirteen Gopher statistics;
the farm score reads three of them: ``dup_line_char_frac``,
``dup_para_char_frac`` and ``dup_5gram_char_frac``. The top n-grams and the
longer repeated n-grams cost most of that kernel and are not needed here, so
this module computes the three on the same tokens and lines
(:func:`dedup.passages.tokens.doc_tokens`) with the same definitions and
hashes; ``tests/farm/test_farm_repetition.py`` checks them against
:func:`~dedup.passages.repetition_stats`.

The 5-gram statistic takes one pass that counts every 5-gram and a second,
left to right, over the 5-grams that occur more than once: a 5-gram that
repeats an earlier one counts its characters and the scan skips past it.

``dedup farm`` tokenises most articles only once: where the feature scan's
tokens are exactly these tokens, the scan hands them, with the lines of
:func:`ascii_lines` (ASCII articles) or :func:`text_lines` (the others), to
:func:`doc_repetition` itself. That is every article but those that NFKC
would change before tokenising (ligatures, full-width and compatibility
forms, combining marks, emoji with a variation selector: a ``SLOW`` code
point) or that hold a code point the scan drops unread and
:func:`doc_tokens` does not (a skin tone); see :func:`handover_kinds`. Curly
quotes, dashes, ellipses, no-break spaces, accented letters and Cyrillic or
Chinese text are handed over. The other articles come here
(:func:`complete`).

    >>> import polars as pl
    >>> stats = farm_repetition(pl.Series(["Also read\nAlso read\nNews", "one"]))
    >>> stats[:, LINE].round(3).tolist(), stats[:, NGRAM].tolist()
    ([0.375, 0.0], [0.0, 0.0])
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import Buffers
from dedup.charclass import CLASS_MASK, IGNORE, SEP, SLOW, lower_table, table
from dedup.passages.stats import dup_units, slot, table_key, table_size
from dedup.passages.tokens import (
    L_END,
    L_START,
    L_TOK0,
    L_TOK1,
    N_LINE_FIELDS,
    N_TOK_FIELDS,
    NEWLINE,
    T_END,
    T_START,
    doc_tokens,
    is_space,
    lower_start_table,
    prepare_batch,
)
from dedup.shingle import POLY, _decode

#: Columns of :func:`farm_repetition`: ``dup_line_char_frac``,
#: ``dup_para_char_frac``, ``dup_5gram_char_frac``.
LINE, PARAGRAPH, NGRAM = 0, 1, 2
#: The n of the repeated n-gram statistic.
GRAM = 5
#: Bytes :func:`ascii_lines` and :func:`text_lines` test at once for a line feed.
_BLOCK = 32
#: The bit :func:`_block_bits` sets when its block holds a line feed.
_FEED = 0x100


@nb.njit(inline="always", cache=True)
def _block_bits(data: npt.NDArray[np.uint8], b: int) -> int:
    """``data[b:b + _BLOCK]`` or-ed together, plus :data:`_FEED` for a line feed.

    No early exit inside the block, so the compiler tests it many bytes at a
    time; one int, not a tuple, comes back (an inlined helper returning a
    tuple kept the prefilter's loop from compiling as tightly). A result
    below 0x80 is a block of ASCII without a line feed.
    """
    feed = False
    high = 0
    for x in data[b : b + _BLOCK]:
        feed |= x == NEWLINE
        high |= x
    return high | (_FEED if feed else 0)


@nb.njit(cache=True)
def _dup_gram_chars(
    keys: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int32],
    mask: int,
    hashes: npt.NDArray[np.uint64],
    toks: npt.NDArray[np.int64],
    n: int,
    grams: npt.NDArray[np.uint64],
    slots: npt.NDArray[np.int64],
) -> int:
    """Characters (words only) in 5-grams repeating an earlier one, left to right."""
    m = n - GRAM + 1
    if m <= 0:
        return 0
    # The polynomial hash of dedup.passages.stats, built word by word from
    # the 1-gram, plus the length.
    for i in range(m):
        h = hashes[i]
        for k in range(1, GRAM):
            h = h * POLY + hashes[i + k]
        grams[i] = table_key(h + np.uint64(GRAM))
    keys[: mask + 1] = 0
    for i in range(m):
        s = slot(keys, mask, grams[i])
        if keys[s] != grams[i]:
            keys[s] = grams[i]
            counts[s] = 1
        else:
            counts[s] += 1
        slots[i] = s
    # Only 5-grams seen twice can repeat; mark them, then replay left to right
    # in a cleared table.
    repeats = np.zeros(m, dtype=np.bool_)
    any_repeat = False
    for i in range(m):
        if counts[slots[i]] >= 2:
            repeats[i] = True
            any_repeat = True
    if not any_repeat:
        return 0
    keys[: mask + 1] = 0
    chars = 0
    i = 0
    while i < m:
        if repeats[i]:
            s = slot(keys, mask, grams[i])
            if keys[s] == grams[i]:
                for t in range(i, i + GRAM):
                    chars += toks[t, 1] - toks[t, 0]
                i += GRAM
                continue
            keys[s] = grams[i]
        i += 1
    return chars


@nb.njit(cache=True)
def doc_repetition(
    hashes: npt.NDArray[np.uint64],
    toks: npt.NDArray[np.int64],
    n: int,
    lines: npt.NDArray[np.int64],
    nl: int,
    total: int,
    keys: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int32],
    grams: npt.NDArray[np.uint64],
    slots: npt.NDArray[np.int64],
    out: npt.NDArray[np.float64],
) -> None:
    """Write one document's three fractions to *out* (zeros for an empty text).

    *hashes*, *toks* (its ``T_START`` and ``T_END`` columns are read) and
    *lines* (``L_START``, ``L_END``, ``L_TOK0``, ``L_TOK1``) describe the
    document's *n* tokens and *nl* lines as :func:`doc_tokens` does; *total*
    is its length in characters. Scratch: *keys* and *counts* of at least
    ``table_size(n + nl)`` slots, *grams* and *slots* of at least ``n + nl``.
    """
    if total <= 0:
        out[:] = 0.0
        return
    # The table size of dedup.passages.stats: same probing, same keys.
    mask = table_size(n + nl) - 1
    # dup_units leaves the table as empty as it finds it; the 5-gram pass
    # does not, so the table is cleared for each document.
    keys[: mask + 1] = 0
    _, _, c = dup_units(keys, mask, slots, hashes, lines, nl, False)
    out[LINE] = min(1.0, c / total)
    _, _, c = dup_units(keys, mask, slots, hashes, lines, nl, True)
    out[PARAGRAPH] = min(1.0, c / total)
    c = _dup_gram_chars(keys, counts, mask, hashes, toks, n, grams, slots)
    out[NGRAM] = min(1.0, c / total)


@nb.njit(cache=True)
def ascii_lines(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    toks: npt.NDArray[np.int64],
    n: int,
    lines: npt.NDArray[np.int64],
) -> int:
    r"""The lines of an ASCII text as :func:`doc_tokens` gives them, from its tokens.

    ``data[start:end]`` is the text and ``toks[:n, T_START]`` the byte where
    each of its tokens starts. Returns the number of lines, or -1 when the
    text is not ASCII (the caller tries :func:`text_lines`).
    Positions are bytes of *data*, which in ASCII are characters shifted by
    *start*: the statistics only read differences of them.

    In ASCII every character is its own byte, letters and digits are the only
    word characters and no character is ignored, so a line (split at ``\n``)
    runs from its first to past its last character that is not white space,
    and holds the tokens that start in it.
    """
    nl = 0
    t = 0
    a = start
    while True:
        # The line data[a:b]: a tight loop to its line feed that also notes
        # whether any byte is not ASCII, then its ends trimmed of white space.
        b = a
        high = 0
        # Whole blocks first, then the block with the line feed.
        while b + _BLOCK <= end:
            bits = _block_bits(data, b)
            if bits & _FEED:
                break
            high |= bits
            b += _BLOCK
        while b < end and data[b] != NEWLINE:
            high |= data[b]
            b += 1
        if high >= 0x80:
            return -1
        ls = a
        while ls < b and is_space(data[ls]):
            ls += 1
        le = b
        while le > ls and is_space(data[le - 1]):
            le -= 1
        lines[nl, L_START] = ls if le > ls else -1
        lines[nl, L_END] = le if le > ls else -1
        lines[nl, L_TOK0] = t
        while t < n and toks[t, T_START] < b:
            t += 1
        lines[nl, L_TOK1] = t
        nl += 1
        if b >= end:
            return nl
        a = b + 1


#: What :func:`text_lines` makes of a code point outside ASCII (its
#: :func:`handover_kinds`): part of a line's text, white space or ignored
#: (trimmed from a line's ends), or a reason to leave the text to
#: :func:`farm_repetition`.
VISIBLE, BLANK, REFUSE = 0, 1, 2


@nb.njit(cache=True)
def handover_kinds(
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    skipped: npt.NDArray[np.bool_],
) -> npt.NDArray[np.uint8]:
    """The :data:`VISIBLE`/:data:`BLANK`/:data:`REFUSE` kind of every code point.

    *skipped*: the code points a caller's tokeniser drops unread (the
    feature scan's emoji modifiers). A text is refused when
    :func:`~dedup.passages.tokens.prepare_batch` would fold it (a ``SLOW``
    code point: :func:`doc_tokens` then reads another text, with other
    tokens and lengths), or when it holds a skipped code point that
    :func:`doc_tokens` does not ignore (a skin tone is punctuation there: it
    ends a word the caller would carry on). Otherwise the kind is
    :func:`doc_tokens`'s own test for a line's first and last character:
    words, solo characters and punctuation are visible; ignored characters
    and white space are not.
    """
    out = np.empty(len(classes), dtype=np.uint8)
    for cp in range(len(classes)):
        c = classes[lower[cp]] & CLASS_MASK
        if classes[cp] & SLOW or (skipped[cp] and c != IGNORE):
            out[cp] = REFUSE
        elif c == IGNORE or (c == SEP and (cp == NEWLINE or is_space(cp))):
            out[cp] = BLANK
        else:
            out[cp] = VISIBLE
    return out


@nb.njit(inline="always", cache=True)
def _char_start(data: npt.NDArray[np.uint8], i: int) -> int:
    """The first byte of the UTF-8 character whose last byte is ``data[i]``."""
    while data[i] & 0xC0 == 0x80:
        i -= 1
    return i


@nb.njit(inline="always", cache=True)
def _is_blank(
    data: npt.NDArray[np.uint8], i: int, kinds: npt.NDArray[np.uint8]
) -> bool:
    """Whether the character at byte *i* is white space or ignored."""
    x = data[i]
    if x < 0x80:
        return is_space(x)
    cp, _ = _decode(data, i)
    return bool(kinds[cp] == BLANK)


@nb.njit(inline="always", cache=True)
def _wide_char(
    data: npt.NDArray[np.uint8],
    x: int,
    kinds: npt.NDArray[np.uint8],
    flat: npt.NDArray[np.int64],
    q: int,
    q_end: int,
    shift: int,
) -> tuple[int, int, int]:
    """Read the character outside ASCII at byte *x*; (next byte, q, shift).

    The token positions ``flat[q:q_end]`` up to *x* are turned into
    characters first (the shift before *x* is theirs), then the shift takes
    the character's continuation bytes. The next byte is -1 when *kinds*
    refuses the character.
    """
    cp, nxt = _decode(data, x)
    if kinds[cp] == REFUSE:
        return -1, q, shift
    while q < q_end and flat[q] <= x:
        flat[q] -= shift
        q += 1
    return nxt, q, shift + nxt - x - 1


@nb.njit(cache=True)
def text_lines(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    kinds: npt.NDArray[np.uint8],
    toks: npt.NDArray[np.int64],
    n: int,
    lines: npt.NDArray[np.int64],
) -> tuple[int, int]:
    """The lines of any text as :func:`doc_tokens` gives them; (lines, characters).

    :func:`ascii_lines` for a text that need not be ASCII: ``data[start:end]``
    is the text and ``toks[:n]`` its tokens' first and end bytes, which are
    turned into characters in place. Returns (-1, 0) when a code point's
    *kinds* (:func:`handover_kinds`) is ``REFUSE``: the caller then leaves
    the text to :func:`farm_repetition` (*toks* is left half converted).

    Positions are characters shifted by a constant (a byte less the UTF-8
    continuation bytes before it): the statistics only read differences of
    them. A line runs from its first to past its last character that is
    neither white space nor ignored, as in :func:`doc_tokens`, with one
    twist: a word's end is the character that ends it, so ignored
    characters right after the line's last word (a soft hyphen) are part of
    the line; the last token's end says where that is.

    The shift changes only at characters outside ASCII, so token bytes are
    converted in one sweep that stops at those (their starts and ends,
    flattened, never decrease), in the same pass that looks for the line
    feed: blocks of ASCII are tested at once and skipped, as in
    :func:`ascii_lines`; only a block with a byte outside ASCII is read
    character by character.
    """
    flat = toks.reshape(-1)
    q = 0  # the next token position (flattened) still in bytes
    q_end = 2 * n
    shift = 0  # continuation bytes before the byte being read
    nl = 0
    t = 0
    a = start
    while True:
        # The line data[a:b], to its line feed.
        shift_a = shift
        b = a
        while b + _BLOCK <= end:
            bits = _block_bits(data, b)
            if bits & _FEED:
                break
            if bits < 0x80:
                b += _BLOCK
                continue
            stop = b + _BLOCK
            while b < stop:
                if data[b] < 0xC0:
                    b += 1
                else:
                    b, q, shift = _wide_char(data, b, kinds, flat, q, q_end, shift)
                    if b < 0:
                        return -1, 0
        while b < end and data[b] != NEWLINE:
            if data[b] < 0xC0:
                b += 1
            else:
                b, q, shift = _wide_char(data, b, kinds, flat, q, q_end, shift)
                if b < 0:
                    return -1, 0
        while q < q_end and flat[q] <= b:
            flat[q] -= shift
            q += 1
        # Its tokens: those that start before the line feed (in characters).
        lt0 = t
        while t < n and toks[t, T_START] < b - shift:
            t += 1
        # Its visible ends, in bytes, and the continuation bytes before the
        # first (within the line) and from the last to the line feed.
        ls = a
        skip_a = 0
        while ls < b and _is_blank(data, ls, kinds):
            nxt = ls + 1
            while nxt < b and data[nxt] & 0xC0 == 0x80:
                nxt += 1
            skip_a += nxt - ls - 1
            ls = nxt
        le = b
        skip_b = 0
        while le > ls:
            s = _char_start(data, le - 1)
            if not _is_blank(data, s, kinds):
                break
            skip_b += le - s - 1
            le = s
        if le > ls:
            lines[nl, L_START] = ls - shift_a - skip_a
            lines[nl, L_END] = le - shift + skip_b
            if t > lt0:
                lines[nl, L_END] = max(lines[nl, L_END], toks[t - 1, T_END])
        else:
            lines[nl, L_START] = -1
            lines[nl, L_END] = -1
        lines[nl, L_TOK0] = lt0
        lines[nl, L_TOK1] = t
        nl += 1
        if b >= end:
            return nl, end - start - shift
        a = b + 1


@nb.njit(parallel=True, cache=True)
def _batch(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    is_lower: npt.NDArray[np.bool_],
    map_off: npt.NDArray[np.int64],
    map0: npt.NDArray[np.int64],
    map1: npt.NDArray[np.int64],
    n_chars: npt.NDArray[np.int64],
    max_cap: int,
    n_threads: int,
    out: npt.NDArray[np.float64],
) -> None:
    n_docs = len(offsets) - 1
    step = (n_docs + n_threads - 1) // n_threads
    for th in nb.prange(n_threads):
        toks = np.empty((max_cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.empty(max_cap, dtype=np.uint64)
        lines = np.empty((max_cap, N_LINE_FIELDS), dtype=np.int64)
        grams = np.empty(max_cap, dtype=np.uint64)
        slots = np.empty(max_cap, dtype=np.int64)
        size = table_size(2 * max_cap)
        keys = np.empty(size, dtype=np.uint64)
        counts = np.empty(size, dtype=np.int32)
        for d in range(th * step, min(n_docs, (th + 1) * step)):
            if n_chars[d] <= 0:
                continue
            n, nl = doc_tokens(
                data,
                offsets[d],
                offsets[d + 1],
                classes,
                lower,
                is_lower,
                map0[map_off[d] : map_off[d + 1]],
                map1[map_off[d] : map_off[d + 1]],
                toks,
                hashes,
                lines,
            )
            doc_repetition(
                hashes, toks, n, lines, nl, n_chars[d], keys, counts, grams, slots,
                out[d],
            )  # fmt: skip


def farm_repetition(
    texts: pl.Series, buffers: Buffers | None = None
) -> npt.NDArray[np.float64]:
    """``(len(texts), 3)`` repetition fractions: lines, paragraphs, 5-grams.

    Nulls count as empty texts (zeros). *buffers*:
    :func:`~dedup.arrow.string_buffers` of *texts*, if at hand.

    Example:
        >>> farm_repetition(pl.Series(["a b c d e a b c d e"]))[0, NGRAM].round(2)
        np.float64(0.26)

    """
    prep = prepare_batch(texts, buffers=buffers)
    out = np.zeros((prep.n_docs, 3), dtype=np.float64)
    if prep.n_docs:
        _batch(
            prep.data,
            prep.offsets,
            table(),
            lower_table(),
            lower_start_table(),
            prep.map_off,
            prep.map0,
            prep.map1,
            prep.n_chars,
            int(prep.token_capacity().max()),
            min(nb.get_num_threads(), max(1, prep.n_docs)),
            out,
        )
    return out


def complete(
    rep: npt.NDArray[np.float64], texts: pl.Series, buffers: Buffers | None = None
) -> npt.NDArray[np.float64]:
    """*rep* with its NaN rows computed by :func:`farm_repetition` from *texts*.

    The feature scan fills in the rows of the articles whose tokens it could
    reuse (:attr:`dedup.farm.features.FeatureBatch.repetition`); the others
    are tokenised here. *buffers*: :func:`~dedup.arrow.string_buffers` of
    *texts*, if at hand (used when no row is filled in).

    Example:
        >>> rep = np.full((1, 3), np.nan)
        >>> complete(rep, pl.Series(["a b c d e a b c d e"]))[0, NGRAM].round(2)
        np.float64(0.26)

    """
    missing = np.flatnonzero(np.isnan(rep[:, 0]))
    if len(missing) == len(rep):
        # No article handed over at all: no subset to cut out of the buffers.
        return farm_repetition(texts, buffers)
    if len(missing):
        rep = rep.copy()
        rep[missing] = farm_repetition(texts.gather(missing))
    return rep
