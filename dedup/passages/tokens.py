r"""Tokens with character offsets, and lines, compiled over Arrow string buffers.

The same tokens and token hashes as :func:`dedup.shingle.tokenize` (one
definition of a word for the whole code base), plus what passages need and
``tokenize`` does not keep: where each token starts and ends in the original
text, in code points (Python ``str`` indices), and the lines.

Per token *t*:

* ``start[t]``, ``end[t]``: the word itself, ``text[start:end]``;
* ``pre[t]``, ``post[t]``: the same, widened over punctuation glued to the word
  (an opening quote before it, a full stop or closing quote after it), so that
  a span cut at token boundaries keeps its quotes and its final full stop, and
  removing it does not leave a stray ``.`` behind.

Per line (split at ``\n``): the offsets of its first and last visible
character, its token range, whether it starts with a lower-case letter and
whether it ends with sentence punctuation (to tell a hard-wrapped fragment such
as ``said.`` from a line of its own).

Documents with characters that NFKC or lower case would change (ligatures,
full-width forms, decomposed accents, emoji with a variation selector) are
normalised cluster by cluster first, with a map from each normalised character
back to the original characters it came from, so offsets always index the
original text: compiled over the whole batch
(:func:`dedup.passages.fold_table.fold_batch`), with :func:`prepare_slow`, one
text in Python, as its definition and reference.

    >>> import polars as pl
    >>> toks = batch_tokens(pl.Series(["“Hello, World!”\nok"]))
    >>> text = "“Hello, World!”\nok"
    >>> [text[s:e] for s, e in zip(toks.start, toks.end)]
    ['Hello', 'World', 'ok']
    >>> [text[s:e] for s, e in zip(toks.pre, toks.post)]
    ['“Hello,', 'World!”', 'ok']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from dedup.arrow import Buffers, string_buffers
from dedup.charclass import CLASS_MASK, IGNORE, SLOW, SOLO, WORD, lower_table, table
from dedup.normalize import _fold
from dedup.passages.fold_table import _joins, fold_batch
from dedup.shingle import FNV_OFFSET, FNV_PRIME, _decode, fmix64

NEWLINE = 10
SPACE = 32

# Line fields, columns of the ``lines`` array of :func:`doc_tokens`.
L_START, L_END, L_TOK0, L_TOK1, L_LOWER, L_TERM = 0, 1, 2, 3, 4, 5
N_LINE_FIELDS = 6


@nb.njit(inline="always", cache=True)
def is_space(cp: int) -> bool:
    """Whether code point *cp* is white space (Unicode ``White_Space``)."""
    if cp <= 32:
        return cp == 32 or 9 <= cp <= 13
    if cp < 0x85:
        return False
    return (
        cp == 0x85
        or cp == 0xA0
        or cp == 0x1680
        or 0x2000 <= cp <= 0x200A
        or cp == 0x2028
        or cp == 0x2029
        or cp == 0x202F
        or cp == 0x205F
        or cp == 0x3000
    )


@nb.njit(inline="always", cache=True)
def is_terminal(cp: int) -> bool:
    """Whether a line ending in *cp* ends a sentence or a quotation."""
    return (
        cp == 0x2E  # .
        or cp == 0x21  # !
        or cp == 0x3F  # ?
        or cp == 0x3A  # :
        or cp == 0x3B  # ;
        or cp == 0x22  # "
        or cp == 0x27  # '
        or cp == 0x29  # )
        or cp == 0x5D  # ]
        or cp == 0xBB  # »
        or cp == 0x201D  # ”
        or cp == 0x2019  # ’
        or cp == 0x2026  # …
        or cp == 0x3002  # 。
        or cp == 0xFF01  # ！
        or cp == 0xFF1F  # ？
    )


@functools.cache
def lower_start_table() -> npt.NDArray[np.bool_]:
    """Which code points below U+3000 are lower-case letters (cased scripts)."""
    return np.array([chr(c).islower() for c in range(0x3000)], dtype=np.bool_)


def _ascii_word() -> npt.NDArray[np.uint8]:
    """Lower case of each ASCII word character, 0 for the others."""
    classes, lower = table(), lower_table()
    out = np.zeros(128, dtype=np.uint8)
    for b in range(128):
        if classes[lower[b]] & CLASS_MASK == WORD:
            out[b] = lower[b]
    return out


# A compile-time constant of the kernels (numba freezes global arrays).
ASCII_WORD = _ascii_word()


#: Columns of the ``toks`` array of :func:`doc_tokens`.
T_START, T_END, T_PRE, T_POST, T_RESUME = 0, 1, 2, 3, 4
N_TOK_FIELDS = 5


@nb.njit(cache=True)
def scan_tokens(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    ci0: int,
    limit: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    is_lower: npt.NDArray[np.bool_],
    map0: npt.NDArray[np.int64],
    map1: npt.NDArray[np.int64],
    toks: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    lines: npt.NDArray[np.int64],
) -> tuple[int, int]:
    """Tokens and lines of ``data[start:end]`` from code point *ci0*; (tokens, lines).

    ``toks[t]`` gets the ``T_*`` fields of token *t* (see :func:`doc_tokens`)
    and ``hashes[t]`` its hash. Scanning stops before a token would start
    when *limit* (>= 0) tokens are done, once the punctuation glued to the
    last one is read: the tokens are then exactly those of a whole scan.

    A scan may start at a token's ``T_RESUME`` byte (with *ci0* its ``T_END``):
    the tokens after it come out as in a scan of the whole text, their
    ``pre`` included (lines do not: they start at the resume point). Texts
    that are mapped back (``map0`` not empty) must be scanned from their
    start.
    """
    n = 0
    nl = 0
    h = FNV_OFFSET
    in_tok = False
    # Start of the punctuation glued to the front of the next token: just after
    # the last space or the end of the last token.
    gap = ci0
    # Whether the punctuation being read is still glued to the last token.
    glued = False
    ls = -1
    le = -1
    lt0 = 0
    first_cp = -1
    last_cp = -1
    prev = 0
    ci = ci0 - 1
    i = start
    while True:
        at = i
        ci += 1
        if i < end:
            cp = int(data[i])
            if cp < 0x80:
                i += 1
            else:
                cp, i = _decode(data, i)
        elif i == end:
            cp = NEWLINE  # close the last token and line
            i += 1
        else:
            break
        low = lower[cp]
        c = classes[low] & CLASS_MASK
        if c == WORD:
            if not in_tok:
                if n == limit:
                    break
                toks[n, 0] = ci
                toks[n, 2] = gap
                in_tok = True
                if ls < 0:
                    ls = ci
                    first_cp = cp
            h = (h ^ np.uint64(low)) * FNV_PRIME
            prev = cp
            # The hot path: the rest of an ASCII word, one small table lookup
            # per character.
            while i < end:
                b = data[i]
                if b >= 0x80 or ASCII_WORD[b] == 0:
                    break
                h = (h ^ np.uint64(ASCII_WORD[b])) * FNV_PRIME
                prev = b
                i += 1
                ci += 1
            if i < end and data[i] == SPACE:
                # The commonest end of a word, a space: what the general path
                # below does for it (close the token, then a space), inline.
                ci += 1
                hashes[n] = fmix64(h)
                toks[n, 1] = ci
                toks[n, 3] = ci
                toks[n, 4] = i
                n += 1
                in_tok = False
                h = FNV_OFFSET
                le = ci
                last_cp = prev
                glued = False
                gap = ci + 1
                i += 1
            continue
        if c == IGNORE:
            continue
        if in_tok:
            hashes[n] = fmix64(h)
            toks[n, 1] = ci
            toks[n, 3] = ci
            toks[n, 4] = at
            n += 1
            in_tok = False
            h = FNV_OFFSET
            glued = True
            gap = ci
            le = ci
            last_cp = prev
        if c == SOLO:
            if n == limit:
                break
            hashes[n] = fmix64((FNV_OFFSET ^ np.uint64(low)) * FNV_PRIME)
            toks[n, 0] = ci
            toks[n, 1] = ci + 1
            toks[n, 2] = gap
            toks[n, 3] = ci + 1
            toks[n, 4] = i
            n += 1
            glued = True
            gap = ci + 1
            if ls < 0:
                ls = ci
                first_cp = cp
            le = ci + 1
            last_cp = cp
        elif cp == NEWLINE:
            glued = False
            gap = ci + 1
            lines[nl, L_START] = ls
            lines[nl, L_END] = le
            lines[nl, L_TOK0] = lt0
            lines[nl, L_TOK1] = n
            lines[nl, L_LOWER] = (
                1 if 0 <= first_cp < len(is_lower) and is_lower[first_cp] else 0
            )
            lines[nl, L_TERM] = 1 if last_cp >= 0 and is_terminal(last_cp) else 0
            nl += 1
            ls = -1
            le = -1
            lt0 = n
            first_cp = -1
            last_cp = -1
        elif is_space(cp):
            glued = False
            gap = ci + 1
        else:
            if glued:
                toks[n - 1, 3] = ci + 1
            if ls < 0:
                ls = ci
                first_cp = cp
            le = ci + 1
            last_cp = cp
    if len(map0):
        for t in range(n):
            s0 = map0[toks[t, 0]]
            toks[t, 2] = map0[toks[t, 2]] if toks[t, 2] < toks[t, 0] else s0
            toks[t, 0] = s0
            toks[t, 1] = map1[toks[t, 1] - 1]
            toks[t, 3] = map1[toks[t, 3] - 1]
        for j in range(nl):
            if lines[j, L_START] >= 0:
                lines[j, L_START] = map0[lines[j, L_START]]
                lines[j, L_END] = map1[lines[j, L_END] - 1]
    return n, nl


@nb.njit(cache=True)
def doc_tokens(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    is_lower: npt.NDArray[np.bool_],
    map0: npt.NDArray[np.int64],
    map1: npt.NDArray[np.int64],
    toks: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    lines: npt.NDArray[np.int64],
) -> tuple[int, int]:
    """Tokens and lines of ``data[start:end]``; return (tokens, lines).

    ``toks[t]`` (``N_TOK_FIELDS`` columns) gets (start, end, pre, post) of
    token *t* and the byte where a scan resumes after it (``T_RESUME``);
    ``hashes[t]`` its hash (equal to :func:`dedup.shingle.tokenize`'s);
    ``lines[j]`` gets the ``L_*`` fields of line *j*. When ``map0`` is not
    empty the input is a normalised text and positions are mapped back to the
    original through ``map0`` (first original character) and ``map1`` (one
    past the last).
    """
    return scan_tokens(
        data, start, end, 0, -1, classes, lower, is_lower, map0, map1, toks, hashes,
        lines,
    )  # fmt: skip


#: What the kernels need to tokenise any document of a batch, in one argument:
#: (data, offsets, classes, lower, is_lower, map_off, map0, map1); see
#: :meth:`PreparedBatch.buffers` and :func:`tokens_of`.
Texts = tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int32],
    npt.NDArray[np.bool_],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]


@nb.njit(inline="always", cache=True)
def tokens_of(
    texts: Texts,
    d: int,
    toks: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    lines: npt.NDArray[np.int64],
) -> tuple[int, int]:
    """:func:`doc_tokens` of document *d* of *texts*; return (tokens, lines)."""
    data, offsets, classes, lower, is_lower, map_off, map0, map1 = texts
    m0, m1 = map_off[d], map_off[d + 1]
    return doc_tokens(
        data, offsets[d], offsets[d + 1], classes, lower, is_lower, map0[m0:m1],
        map1[m0:m1], toks, hashes, lines,
    )  # fmt: skip


@nb.njit(cache=True)
def line_counts(
    data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Lines of each text (line breaks + 1): a bound for per-line buffers."""
    out = np.ones(len(offsets) - 1, dtype=np.int64)
    for d in range(len(offsets) - 1):
        for i in range(offsets[d], offsets[d + 1]):
            out[d] += data[i] == NEWLINE
    return out


def prepare_slow(
    text: str,
) -> tuple[str, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Normalise the clusters of *text* that NFKC or lower case would change.

    Returns the normalised text and, for each of its characters, the first and
    one-past-the-last original character it comes from; ``None`` when nothing
    needs it. Clusters (a character and its combining marks) are normalised
    one at a time so that the map stays exact. :func:`prepare_batch` gets the
    same results compiled (:func:`~dedup.passages.fold_table.fold_batch`);
    this is their reference.

    Example:
        >>> s, m0, m1 = prepare_slow("ﬁne café")
        >>> s, m0.tolist()[:3], m1.tolist()[:3]
        ('fine café', [0, 0, 1], [1, 1, 2])

    """
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # Only characters outside ASCII can need it (checked on the table at
    # import): looking up just those skips most of a long text.
    wide = np.flatnonzero(cps >= 0x80) if not _ASCII_SLOW else np.arange(len(cps))
    slow = wide[(table()[cps[wide]] & SLOW) != 0]
    if not len(slow):
        return None
    n = len(text)
    pieces: list[str] = []
    # The output as segments: a run copied as it is (each character maps to
    # itself) or a folded cluster (each maps to the whole cluster). The maps
    # are filled from them below, not concatenated from arrays made for
    # each segment.
    seg_a: list[int] = []
    seg_b: list[int] = []
    seg_len: list[int] = []
    seg_copy: list[bool] = []
    done = 0
    for pos in slow.tolist():
        if pos < done:
            continue
        a = pos
        while a > done and _joins(text[a]):
            a -= 1
        b = pos + 1
        while b < n and _joins(text[b]):
            b += 1
        if a > done:
            pieces.append(text[done:a])
            seg_a.append(done)
            seg_b.append(a)
            seg_len.append(a - done)
            seg_copy.append(True)
        folded = _fold(text[a:b])
        pieces.append(folded)
        seg_a.append(a)
        seg_b.append(b)
        seg_len.append(len(folded))
        seg_copy.append(False)
        done = b
    if done < n:
        pieces.append(text[done:])
        seg_a.append(done)
        seg_b.append(n)
        seg_len.append(n - done)
        seg_copy.append(True)
    # Copied runs take their maps as slices of one range of positions.
    positions = np.arange(n + 1, dtype=np.int64)
    total = sum(seg_len)
    map0 = np.empty(total, dtype=np.int64)
    map1 = np.empty(total, dtype=np.int64)
    o = 0
    for a, b, length, copy in zip(seg_a, seg_b, seg_len, seg_copy, strict=True):
        if copy:
            map0[o : o + length] = positions[a:b]
            map1[o : o + length] = positions[a + 1 : b + 1]
        else:
            map0[o : o + length] = a
            map1[o : o + length] = b
        o += length
    return "".join(pieces), map0, map1


#: Whether any ASCII character needs NFKC or lower case by
#: :func:`prepare_slow`'s test (none does with today's table).
_ASCII_SLOW = bool((table()[:0x80] & SLOW).any())


@dataclass(frozen=True)
class PreparedBatch:
    """A batch of texts ready for the compiled kernels.

    ``data``/``offsets`` are the Arrow buffers of the texts (normalised where a
    text needed it); document *d* with ``map_off[d] < map_off[d + 1]`` maps its
    positions back through ``map0``/``map1[map_off[d]:map_off[d + 1]]``.
    ``n_chars`` is the length in code points of each text as ``texts`` holds
    it: the normalised one where a text was folded.
    """

    data: npt.NDArray[np.uint8]
    offsets: npt.NDArray[np.int64]
    map_off: npt.NDArray[np.int64]
    map0: npt.NDArray[np.int64]
    map1: npt.NDArray[np.int64]
    n_chars: npt.NDArray[np.int64]
    n_bytes: npt.NDArray[np.int64]
    texts: pl.Series

    @property
    def n_docs(self) -> int:
        """Number of documents."""
        return len(self.offsets) - 1

    def buffers(self) -> Texts:
        """The buffers and tables the kernels tokenise with (:func:`tokens_of`)."""
        return (
            self.data, self.offsets, table(), lower_table(), lower_start_table(),
            self.map_off, self.map0, self.map1,
        )  # fmt: skip

    def token_capacity(self) -> npt.NDArray[np.int64]:
        """An upper bound on each document's number of tokens (and lines).

        A token takes at least one byte and is followed by a separator unless
        it ends the text; a line holds at least one byte but the last.
        """
        return np.diff(self.offsets) + 4


def prepare_batch(
    texts: pl.Series, *, nfkc: bool = True, buffers: Buffers | None = None
) -> PreparedBatch:
    """Buffers, NFKC maps and lengths of *texts* for the compiled kernels.

    ``nfkc=False`` when the caller knows that no text needs normalising (pass
    two, for a chunk that needed none in pass one): the check is skipped and
    ``n_chars`` is left empty. *buffers*: :func:`~dedup.arrow.string_buffers`
    of *texts*, when the caller already has them.
    """
    texts = texts.fill_null("").rechunk()
    data, offsets = buffers if buffers is not None else string_buffers(texts)
    # The input's own lengths, before any text is normalised below.
    n_bytes = np.diff(offsets)
    n_docs = len(texts)
    map_off = np.zeros(n_docs + 1, dtype=np.int64)
    map0 = np.zeros(0, dtype=np.int64)
    map1 = np.zeros(0, dtype=np.int64)
    if not nfkc:
        empty = np.zeros(0, dtype=np.int64)
        return PreparedBatch(data, offsets, map_off, map0, map1, empty, n_bytes, texts)
    # Compiled, with the texts in place (prepare_slow's results, byte for byte,
    # for the texts dedup.shingle.needs_nfkc picks): no Python string per text.
    folded = fold_batch(data, offsets)
    if folded is not None:
        data, offsets, map_off, map0, map1 = folded
        # ``texts`` and ``n_chars`` as they always were: the folded texts
        # used to be put back into the column in place (Series.scatter), so
        # both describe the normalised texts where a text was folded.
        arr = pa.LargeStringArray.from_buffers(
            n_docs, pa.py_buffer(offsets), pa.py_buffer(data)
        )
        normalised = pl.from_arrow(arr)
        assert isinstance(normalised, pl.Series)
        texts = normalised.alias(texts.name)
    n_chars = texts.str.len_chars().to_numpy().astype(np.int64)
    return PreparedBatch(data, offsets, map_off, map0, map1, n_chars, n_bytes, texts)


@nb.njit(parallel=True, cache=True)
def _batch_tokens(
    texts: Texts,
    tok_off: npt.NDArray[np.int64],
    toks: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    lines: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
) -> None:
    for d in nb.prange(len(texts[1]) - 1):
        s = tok_off[d]
        e = tok_off[d + 1]
        n, nl = tokens_of(texts, d, toks[s:e], hashes[s:e], lines[s:e])
        counts[d, 0] = n
        counts[d, 1] = nl


@dataclass(frozen=True)
class BatchTokens:
    """Tokens of a small batch, flat (for tests and examples; kernels stream)."""

    hashes: npt.NDArray[np.uint64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    pre: npt.NDArray[np.int64]
    post: npt.NDArray[np.int64]
    doc: npt.NDArray[np.int64]
    lines: npt.NDArray[np.int64]
    line_doc: npt.NDArray[np.int64]


def batch_tokens(texts: pl.Series) -> BatchTokens:
    """Tokens and lines of every text of *texts*, flattened in document order."""
    prep = prepare_batch(texts)
    cap = prep.token_capacity()
    tok_off = np.zeros(len(cap) + 1, dtype=np.int64)
    np.cumsum(cap, out=tok_off[1:])
    size = int(tok_off[-1])
    toks = np.zeros((size, N_TOK_FIELDS), dtype=np.int64)
    hashes = np.zeros(size, dtype=np.uint64)
    lines = np.zeros((size, N_LINE_FIELDS), dtype=np.int64)
    counts = np.zeros((prep.n_docs, 2), dtype=np.int64)
    _batch_tokens(
        prep.buffers(),
        tok_off,
        toks,
        hashes,
        lines,
        counts,
    )
    keep_t = np.concatenate(
        [np.arange(tok_off[d], tok_off[d] + counts[d, 0]) for d in range(prep.n_docs)]
        or [np.zeros(0, dtype=np.int64)]
    ).astype(np.int64)
    keep_l = np.concatenate(
        [np.arange(tok_off[d], tok_off[d] + counts[d, 1]) for d in range(prep.n_docs)]
        or [np.zeros(0, dtype=np.int64)]
    ).astype(np.int64)
    docs = np.arange(prep.n_docs, dtype=np.int64)
    return BatchTokens(
        hashes=hashes[keep_t],
        start=toks[keep_t, 0],
        end=toks[keep_t, 1],
        pre=toks[keep_t, 2],
        post=toks[keep_t, 3],
        doc=np.repeat(docs, counts[:, 0]),
        lines=lines[keep_l],
        line_doc=np.repeat(docs, counts[:, 1]),
    )


@nb.njit(inline="always", cache=True)
def _put_utf8(out: npt.NDArray[np.uint8], j: int, cp: int) -> int:
    """Write *cp* as UTF-8 at ``out[j]``; return the index after it."""
    if cp < 0x80:
        out[j] = cp
        return j + 1
    if cp < 0x800:
        out[j] = 0xC0 | (cp >> 6)
        out[j + 1] = 0x80 | (cp & 0x3F)
        return j + 2
    if cp < 0x10000:
        out[j] = 0xE0 | (cp >> 12)
        out[j + 1] = 0x80 | ((cp >> 6) & 0x3F)
        out[j + 2] = 0x80 | (cp & 0x3F)
        return j + 3
    out[j] = 0xF0 | (cp >> 18)
    out[j + 1] = 0x80 | ((cp >> 12) & 0x3F)
    out[j + 2] = 0x80 | ((cp >> 6) & 0x3F)
    out[j + 3] = 0x80 | (cp & 0x3F)
    return j + 4


@nb.njit(parallel=True, cache=True)
def _normalized(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    out: npt.NDArray[np.uint8],
    out_off: npt.NDArray[np.int64],
    sizes: npt.NDArray[np.int64],
) -> None:
    for d in nb.prange(len(offsets) - 1):
        j = out_off[d]
        space = False
        i = offsets[d]
        end = offsets[d + 1]
        while i < end:
            cp, i = _decode(data, i)
            low = lower[cp]
            c = classes[low] & CLASS_MASK
            if c == IGNORE:
                continue
            if c == WORD:
                if space and j > out_off[d]:
                    out[j] = 32
                    j += 1
                space = False
                j = _put_utf8(out, j, low)
            elif c == SOLO:
                if j > out_off[d]:
                    out[j] = 32
                    j += 1
                j = _put_utf8(out, j, low)
                space = True
            else:
                space = True
        sizes[d] = j - out_off[d]


def normalized_utf8(texts: pl.Series) -> list[bytes]:
    """:func:`dedup.normalize.normalize` of each text, UTF-8 encoded, compiled.

    Example:
        >>> normalized_utf8(pl.Series(["  Hello, WORLD! Ｆｕｌｌ-width “quotes” "]))
        [b'hello world full width quotes']

    """
    prep = prepare_batch(texts)
    # Lower case can grow a character by a byte; a solo character gains spaces.
    cap = 2 * np.diff(prep.offsets) + 4
    out_off = np.zeros(len(cap) + 1, dtype=np.int64)
    np.cumsum(cap, out=out_off[1:])
    out = np.empty(int(out_off[-1]), dtype=np.uint8)
    sizes = np.zeros(prep.n_docs, dtype=np.int64)
    _normalized(prep.data, prep.offsets, table(), lower_table(), out, out_off, sizes)
    raw = out.tobytes()
    return [
        raw[s : s + n]
        for s, n in zip(out_off[:-1].tolist(), sizes.tolist(), strict=True)
    ]


@nb.njit(cache=True)
def _copy_spans(
    data: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    out_off: npt.NDArray[np.int64],
    out: npt.NDArray[np.uint8],
) -> None:
    for i in range(len(starts)):
        a = starts[i]
        o = out_off[i]
        for j in range(out_off[i + 1] - o):
            out[o + j] = data[a + j]


def ascii_spans(
    texts: pl.Series,
    rows: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> pl.Series:
    """``texts[rows[i]][start[i]:end[i]]`` of texts with a byte per character.

    Cut from the Arrow buffer at once: slicing a gathered copy of each whole
    text (polars ``str.slice`` counts code points) costs more than the spans.

    Example:
        >>> ascii_spans(pl.Series(["ab cd", "xyz"]), *(np.array(v) for v in
        ...     ([1, 0], [0, 3], [2, 5]))).to_list()
        ['xy', 'cd']

    """
    data, offsets = string_buffers(texts)
    out_off = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(end - start, out=out_off[1:])
    out = np.empty(int(out_off[-1]), dtype=np.uint8)
    _copy_spans(data, offsets[rows] + start, out_off, out)
    arr = pa.LargeStringArray.from_buffers(
        len(rows), pa.py_buffer(out_off), pa.py_buffer(out)
    )
    series = pl.from_arrow(arr)
    assert isinstance(series, pl.Series)
    return series
