r"""Paragraph features for the filler classifier, computed for a whole batch.

One compiled pass over the batch's Arrow buffers (:func:`_scan`) reads every
paragraph once: tokens (the normalised token hashes of :mod:`dedup.shingle`),
word categories (:mod:`dedup.farm.lexicon`), format (emoji, a short
``Label:`` or ``Question?`` lead, capitals, final punctuation, quotes,
separators) and, per article, the TF-IDF cosine of each paragraph with the
rest of its article. Phrase patterns run as polars regular expressions over
the paragraphs that hold one of their required literals
(:mod:`~dedup.farm.prefilter`, one more compiled pass). Context (position,
neighbours, how common a trait is in the article) and repetition are then
numpy operations on those columns. No Python runs per paragraph.

The feature order is part of the shipped model (:data:`FEATURE_NAMES` is
stored with the parameters and checked at load).

Groups (what a flagged paragraph's reason is built from):

* format: ``log_chars`` … ``separators``
* lexicon: ``cpc_*``, ``you_rate`` … and the phrase patterns
* coherence: ``coherence``, ``coherence_gap``, ``mean_idf``
* repetition: ``repeats``
* context: ``position`` … ``doc_*`` and the neighbour features

    >>> import polars as pl
    >>> from dedup.farm.model import load_bundled
    >>> texts = pl.Series(["A plain sentence about a vote.\n\nPro Tip: save more! 📈"])
    >>> batch = extract(texts, load_bundled().resources)
    >>> batch.values.shape == (2, len(FEATURE_NAMES))
    True
    >>> batch.column("label_colon").tolist(), batch.column("emoji").tolist()
    ([0.0, 1.0], [0.0, 1.0])
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import Buffers, string_buffers
from dedup.charclass import (
    CLASS_MASK,
    DIGIT,
    IGNORE,
    N_CODEPOINTS,
    SEP,
    SOLO,
    lower_table,
    table,
)
from dedup.farm import lexicon
from dedup.farm.paragraphs import Segments, _is_space, segment
from dedup.farm.prefilter import Prefilter
from dedup.farm.repetition import (
    ascii_lines,
    doc_repetition,
    handover_kinds,
    text_lines,
)
from dedup.passages.stats import table_size
from dedup.passages.tokens import N_LINE_FIELDS, T_END, T_START
from dedup.shingle import FNV_OFFSET, FNV_PRIME, POLY, _decode, fmix64

#: TF-IDF vectors are hashed into this many buckets (a power of two).
IDF_BUCKETS = 1 << 18

# Raw columns written by the compiled scan.
(
    R_CHARS,
    R_TOKENS,
    R_EMOJI,
    R_EMOJI_EDGE,
    R_LABEL_COLON,
    R_LABEL_TOKENS,
    R_LABEL_TITLE,
    R_LABEL_KNOWN,
    R_QUESTION_LEAD,
    R_ENDS_COLON,
    R_TERMINAL,
    R_QUESTION_END,
    R_EXCLAIM,
    R_CAP_TOKENS,
    R_ALPHA_TOKENS,
    R_UPPER_LETTERS,
    R_LETTERS,
    R_DIGIT_TOKENS,
    R_QUOTES,
    R_SENTENCES,
    R_SEPARATORS,
    R_IMPERATIVE_START,
    R_COHERENCE,
    R_MEAN_IDF,
    R_CAT0,
) = range(25)
N_CATEGORIES = len(lexicon.CATEGORY_NAMES)
N_RAW = R_CAT0 + N_CATEGORIES
_CAT = {name: R_CAT0 + i for i, name in enumerate(lexicon.CATEGORY_NAMES)}
_IMPERATIVE_BIT = np.uint32(1 << lexicon.CATEGORY_NAMES.index("imperative"))
_LABEL_BIT = np.uint32(1 << lexicon.CATEGORY_NAMES.index("label"))
# No context to compare with (a one-paragraph article).
NO_COHERENCE = -1.0
#: Tokens the rest of an article needs for a paragraph's coherence to count.
MIN_CONTEXT = 40

#: Every feature, in the order of the model's coefficients.
FEATURE_NAMES: tuple[str, ...] = (
    # format
    "log_chars",
    "log_tokens",
    "emoji",
    "emoji_edge",
    "label_colon",
    "label_title",
    # No "label_known": a lead in the callout-label lexicon counts through
    # the pooled phrase features below, as every family's phrases do. On
    # its own it was a signal of one family only: with callouts held out the
    # model learned it from the news lines that have such a lead (1,426 of
    # 1,616 in the training data start "NOTE:") and weighed it against
    # filler, undoing the lexicon's evidence.
    "question_lead",
    "ends_colon",
    "terminal",
    "question_end",
    "exclaim",
    "title_ratio",
    "caps_ratio",
    "digit_ratio",
    "quotes",
    "log_sentences",
    "separators",
    "heading_like",
    "short_fragment",
    # lexicon
    "cpc_rate",
    "cpc_count",
    "cpc_excess",
    "cpc_topic_share",
    "you_rate",
    "imperative_start",
    "advice_rate",
    "said_rate",
    "furniture_rate",
    "filler_phrase",
    "filler_phrases",
    "phrase_x_sentence",
    "phrase_x_short",
    "phrase_cover",
    "phrase_label",
    "editor_note",
    "dateline",
    "url",
    # coherence
    "coherence",
    "coherence_gap",
    "no_context",
    "mean_idf",
    # repetition
    "repeats",
    "short_repeat",
    # context
    "position",
    "is_first",
    "is_last",
    "log_paragraphs",
    "prev_heading",
    "next_heading",
    "prev_short",
    "next_short",
    "doc_cpc_rate",
    # interactions the linear model cannot form by itself
    "heading_x_emoji",
    "label_x_emoji",
    "label_x_later",
    "label_x_doc_labels",
    "emoji_x_doc_emoji",
    "cpc_excess_x_incoherent",
)
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}

#: Phrase patterns that are evidence of filler. They enter the model as one
#: shared feature (any of them matched) rather than one feature each, so that
#: a kind of filler the model was never trained on still counts when its
#: wording matches; which pattern matched names the family in reasons.
FILLER_PATTERNS = ("ai_disclosure", "chatbot", "ads", "nav", "teaser", "cta")
#: Not a regex: a ``Label:`` or ``Question?`` lead whose words are in the
#: callout-label lexicon (and that is not an editor's note) also counts.
CALLOUT_LABEL = "callout_label"

#: The filler family each feature speaks for (used to name reasons; the
#: ``phrase`` group is resolved by which pattern matched).
FEATURE_GROUP: dict[str, str] = {
    "emoji": "emoji",
    "emoji_edge": "emoji",
    "heading_x_emoji": "emoji",
    "emoji_x_doc_emoji": "emoji",
    "label_colon": "callout",
    "label_title": "callout",
    "question_lead": "callout",
    "label_x_emoji": "callout",
    "label_x_later": "callout",
    "label_x_doc_labels": "callout",
    "advice_rate": "callout",
    "you_rate": "callout",
    "imperative_start": "call_to_action",
    "exclaim": "callout",
    "cpc_rate": "tie_in",
    "cpc_count": "tie_in",
    "cpc_excess": "tie_in",
    "cpc_topic_share": "tie_in",
    "cpc_excess_x_incoherent": "tie_in",
    "doc_cpc_rate": "tie_in",
    "coherence": "tie_in",
    "coherence_gap": "tie_in",
    "mean_idf": "tie_in",
    "filler_phrase": "phrase",
    "filler_phrases": "phrase",
    "phrase_x_sentence": "phrase",
    "phrase_x_short": "phrase",
    "phrase_cover": "phrase",
    "phrase_label": "phrase",
    "furniture_rate": "phrase",
    "separators": "navigation",
    "url": "navigation",
    "repeats": "repeated",
    "short_repeat": "repeated",
}
# Features not listed speak for page furniture in general.
DEFAULT_GROUP = "boilerplate"


@dataclass(frozen=True)
class Resources:
    """What feature extraction needs besides the text (shipped with the model).

    Attributes:
        idf: inverse document frequency of each hashed token bucket.
        word_keys, word_bits: open-addressing hash table of the lexicon words
            (key = token hash, 0 = empty slot) and their category bit masks.

    """

    idf: npt.NDArray[np.float32]
    word_keys: npt.NDArray[np.uint64]
    word_bits: npt.NDArray[np.uint32]

    @classmethod
    def from_idf(cls, idf: npt.NDArray[np.float32]) -> Resources:
        """Resources with the lexicon of :mod:`dedup.farm.lexicon`."""
        if idf.shape != (IDF_BUCKETS,):
            raise ValueError(f"idf must have {IDF_BUCKETS} buckets, got {idf.shape}")
        keys, bits = _word_hash_table()
        return cls(np.ascontiguousarray(idf, dtype=np.float32), keys, bits)


def _word_hash_table() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32]]:
    hashes, masks = lexicon.word_table()
    size = 1
    while size < 4 * len(hashes):
        size <<= 1
    keys = np.zeros(size, dtype=np.uint64)
    bits = np.zeros(size, dtype=np.uint32)
    mask = size - 1
    for h, m in zip(hashes.tolist(), masks.tolist(), strict=True):
        slot = h & mask
        while keys[slot] != 0:
            slot = (slot + 1) & mask
        keys[slot] = h
        bits[slot] = m
    return keys, bits


@nb.njit(inline="always", cache=True)
def _lookup(
    keys: npt.NDArray[np.uint64], bits: npt.NDArray[np.uint32], h: np.uint64
) -> np.uint32:
    mask = np.uint64(len(keys) - 1)
    slot = h & mask
    while keys[slot] != 0:
        if keys[slot] == h:
            return np.uint32(bits[slot])
        slot = (slot + np.uint64(1)) & mask
    return np.uint32(0)


@nb.njit(inline="always", cache=True)
def _is_emoji(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2300 <= cp <= 0x23FF
        or cp == 0x3030
        or cp == 0x303D
        or cp == 0x3297
        or cp == 0x3299
        or cp == 0x2139
        or cp == 0x24C2
    )


@nb.njit(inline="always", cache=True)
def _is_modifier(cp: int) -> bool:
    """Code points that only decorate an emoji (variation selectors, skin tones)."""
    return (
        cp == 0xFE0E
        or cp == 0xFE0F
        or cp == 0x200D
        or cp == 0x20E3
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
    )


@nb.njit(inline="always", cache=True)
def _is_closer(cp: int) -> bool:
    return (
        cp == 0x22
        or cp == 0x27
        or cp == 0x29
        or cp == 0x5D
        or cp == 0x2A  # markdown bold
        or cp == 0x201D
        or cp == 0x2019
        or cp == 0xBB
    )


@nb.njit(inline="always", cache=True)
def _is_quote(cp: int) -> bool:
    return (
        cp == 0x22
        or cp == 0x201C
        or cp == 0x201D
        or cp == 0x201E
        or cp == 0xAB
        or cp == 0xBB
        or cp == 0x300C
        or cp == 0x300D
    )


@nb.njit(inline="always", cache=True)
def _is_separator(cp: int) -> bool:
    return (
        cp == 0x7C  # |
        or cp == 0xBB  # »
        or cp == 0x203A  # ›
        or cp == 0xB7  # ·
        or cp == 0x2022  # •
        or cp == 0x3E  # >
        or cp == 0x2F  # /
        or 0x2190 <= cp <= 0x21FF  # arrows
        or cp == 0x25B8
        or cp == 0x25BA
        or cp == 0x25B6
    )


@nb.njit(inline="always", cache=True)
def _lead_end(cp: int) -> int:
    """0: not a lead terminator; 1: colon; 2: question mark; 3: other stop."""
    if cp == 0x3A or cp == 0xFF1A:
        return 1
    if cp == 0x3F or cp == 0xFF1F:
        return 2
    if (
        cp == 0x2E
        or cp == 0x2C
        or cp == 0x3B
        or cp == 0x21
        or cp == 0x2014
        or cp == 0x2013
        or cp == 0x28
        or cp == 0x201C
    ):
        return 3
    return 0


@nb.njit(cache=True)
def _modifiers() -> npt.NDArray[np.bool_]:
    """Which code points :func:`_scan_paragraph` drops unread (:func:`_is_modifier`)."""
    out = np.zeros(N_CODEPOINTS, dtype=np.bool_)
    for cp in range(N_CODEPOINTS):
        out[cp] = _is_modifier(cp)
    return out


@functools.cache
def _handover_kinds() -> npt.NDArray[np.uint8]:
    """What each code point means for handing an article's tokens over.

    :func:`~dedup.farm.repetition.handover_kinds` with the scan's own
    exception: it drops emoji modifiers unread, where
    :func:`~dedup.passages.tokens.doc_tokens` reads a skin tone as
    punctuation (so ``ok🏻go`` is one token here and two there), so a text
    with one is left to :func:`~dedup.farm.repetition.complete`. Every other
    code point that is not folded by NFKC is tokenised alike by both: the
    same classes of the lower case, the same hash.
    """
    return handover_kinds(table(), lower_table(), _modifiers())


#: All ones and zeros, by a boolean: the compiler cannot see that the mask
#: :func:`_select` reads from it is one, and so cannot make it a branch.
_MASKS = np.array([0, -1], dtype=np.int64)


@nb.njit(inline="always", cache=True)
def _select(cond: bool, a: int, b: int) -> int:
    """*a* if *cond* else *b*, without a branch."""
    m = _MASKS[np.uint64(cond)]
    return int((a & m) | (b & ~m))


@nb.njit(cache=True)
def _intern_article(
    tok_buf: npt.NDArray[np.int64],
    n: int,
    idf: npt.NDArray[np.float32],
    keys: npt.NDArray[np.int64],
    ids: npt.NDArray[np.int64],
    vidf: npt.NDArray[np.float32],
    vslot: npt.NDArray[np.int64],
) -> None:
    """Replace the article's *n* token buckets by dense ids; *vidf*: their idf.

    *vidf* and *vslot* need room for one more id than the article has.

    The tables indexed by bucket (idf, 1 MB; the coherence accumulators, 3 MB)
    are larger than a core's cache, and every token hit them at random. An
    article has a few hundred distinct words: numbered densely, the
    accumulators stay in L1 and each idf is read once per article. *keys*
    (a power-of-two open-addressing table, -1 when empty) is left empty.

    Only the first ``_vocab_size(n)`` slots of *keys* are used: sized for
    the batch's longest article, the whole table (256 kB of keys and ids for
    7.6 kB of text) would spread a short article's words over far more cache
    lines than it has words. The ids do not depend on the table's size: they
    number the buckets in order of first occurrence.
    """
    mask = _vocab_size(n) - 1
    used = 0
    for t in range(n):
        bucket = tok_buf[t]
        slot = bucket & mask
        while keys[slot] != -1 and keys[slot] != bucket:
            slot = (slot + 1) & mask
        # Branch-free: whether a word is new is unpredictable (about half of
        # an article's tokens are), so every token writes what a new one
        # needs at *used*, and only a new one moves *used* past it.
        new = keys[slot] == -1
        keys[slot] = bucket
        vidf[used] = idf[bucket]
        vslot[used] = slot
        ids[slot] = _select(new, used, ids[slot])
        used += new
        tok_buf[t] = ids[slot]
    for k in range(used):
        keys[vslot[k]] = -1


@nb.njit(cache=True)
def _vocab_size(max_tokens: int) -> int:
    """Table size of :func:`_intern_article` for up to *max_tokens* tokens."""
    size = 1
    while size < 2 * min(max_tokens, IDF_BUCKETS):
        size *= 2
    return size


# Kinds of a byte for the scan's run loop (:data:`_BYTE_KIND`), and the flags
# of a scanned token: a token's CAP is its first character's.
K_CAP = 1  # an ASCII capital; of a token: it starts with a capital
K_ALPHA = 2  # a letter
K_DIGIT = 4  # a decimal digit
K_SOLO = 8  # of a token: one character of a script without spaces
K_STOP = 16  # of a byte: not an ASCII letter, digit or plain space
K_WORD = K_ALPHA | K_DIGIT
# The first pass keeps a token's flags above its first byte in one integer
# (and writes them so to T_START until the second pass takes them out).
_FLAG_SHIFT = 56
_START_MASK = (1 << _FLAG_SHIFT) - 1


def _byte_kinds() -> npt.NDArray[np.uint8]:
    """The kind of every byte: what the run loop of :func:`_scan_paragraph` reads.

    ASCII letters and digits are word characters (a capital's lower case is
    +32), a plain space is 0 (it only ends a token), and every other byte,
    the leading and continuation bytes of non-ASCII characters included,
    stops the run.
    """
    out = np.full(256, K_STOP, dtype=np.uint8)
    for c in b"abcdefghijklmnopqrstuvwxyz":
        out[c] = K_ALPHA
    for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        out[c] = K_ALPHA | K_CAP
    for c in b"0123456789":
        out[c] = K_DIGIT
    out[0x20] = 0
    return out


# Compile-time constants of the kernel (numba freezes global arrays).
_BYTE_KIND = _byte_kinds()
# Of each byte kind: all ones for a word byte, 0 otherwise.
_WORD_MASK = np.array(
    [-1 if k & K_WORD and not k & K_STOP else 0 for k in range(2 * K_STOP)],
    dtype=np.int64,
)
# FNV_OFFSET as the signed integer of the same bits (to mask with _WORD_MASK).
FNV_OFFSET_I = int(np.uint64(FNV_OFFSET).view(np.int64))


@nb.njit(inline="always", cache=True)
def _push_token(
    tok_hash: npt.NDArray[np.uint64],
    tok_bytes: npt.NDArray[np.int64],
    tpos: int,
    h: np.uint64,
    start_flags: int,
    t_end: int,
) -> None:
    """Write a token's unmixed hash, first byte and flags, and end at *tpos*.

    *tok_bytes* is ``tok_pos`` flattened (a row is ``T_START``, ``T_END``).
    Indices are unsigned: numba tests a signed one for being negative on
    every access, instructions and registers the run loop cannot spare.
    """
    t = np.uint64(tpos)
    tok_hash[t] = h
    tok_bytes[np.uint64(2) * t + np.uint64(T_START)] = start_flags
    tok_bytes[np.uint64(2) * t + np.uint64(T_END)] = t_end


@nb.njit(cache=True)
def _scan_paragraph(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    keys: npt.NDArray[np.uint64],
    bits: npt.NDArray[np.uint32],
    row: npt.NDArray[np.float64],
    tok_buf: npt.NDArray[np.int64],
    tok_hash: npt.NDArray[np.uint64],
    tok_pos: npt.NDArray[np.int64],
    tpos: int,
) -> tuple[int, np.uint64]:
    """Fill *row* for ``data[start:end]``; append token buckets at *tpos*.

    Each token's full hash goes to *tok_hash* and the bytes it spans to
    ``tok_pos[:, T_START]`` and ``tok_pos[:, T_END]``, for the article's
    repetition statistics (:func:`_scan`).

    Returns the new *tpos* and the paragraph's content hash. The mean idf
    (``R_MEAN_IDF``) is filled in by :func:`_scan` once the article's
    buckets are numbered (:func:`_intern_article`).

    Two passes. The first reads the characters and only delimits tokens:
    each token's unmixed hash, bytes and flags (:data:`K_CAP` ...). The
    second takes the tokens in order: the mixed hash, the lexicon, the
    counts. Most text is runs of ASCII words and single spaces, and the
    first pass reads such a run without a branch on where a token ends
    (which a branch predicts wrongly about once a token): every byte writes
    the token in progress at *tpos*, and a space that closes one keeps it
    by moving *tpos* on.
    """
    bucket_mask = np.uint64(IDF_BUCKETS - 1)
    tok_bytes = tok_pos.reshape(-1)
    tpos0 = tpos
    h = FNV_OFFSET
    in_tok = False
    # The token in progress: its first byte | its flags << _FLAG_SHIFT.
    start_flags = start
    upper = 0
    letters = 0
    emoji = 0
    quotes = 0
    seps = 0
    exclaim = 0
    sentences = 0
    first_vis = -1
    last_vis = 0
    last_text = 0
    lead_state = 0  # 0 open, then the _lead_end code that closed it
    # The tokens before the one the lead's terminator follows are the lead.
    lead_end = end - start + tpos + 1
    n_chars = 0
    i = start
    while i <= end:
        # A run of ASCII letters, digits and plain spaces, branch-free but
        # for its end. *keep* is all ones after a word byte, zeros after a
        # space: the hash and first byte of the token in progress carry on
        # or restart from this byte, and a space after a word keeps that
        # token by moving *tpos* on (every byte writes it). What the hash
        # becomes at a space is never kept. The mask comes from a table: a
        # mask the compiler can see is a boolean it turns back into a
        # branch. Only what the next byte needs is updated per byte: the
        # run's visible ends are taken afterwards, and its characters,
        # letters and capitals once for the whole paragraph.
        run0 = i
        prev = K_ALPHA if in_tok else 0
        while i < end:
            x = data[np.uint64(i)]
            k = _BYTE_KIND[x]
            if k & K_STOP:
                break
            keep = _WORD_MASK[prev]
            _push_token(tok_hash, tok_bytes, tpos, h, start_flags, i)
            tpos += int(keep & ~_WORD_MASK[k] & 1)
            cont = start_flags | ((k & K_WORD) << _FLAG_SHIFT)
            begin = i | (k << _FLAG_SHIFT)
            start_flags = int((cont & keep) | (begin & ~keep))
            low = np.int64(x | ((k & K_CAP) << 5))
            restart = np.uint64((FNV_OFFSET_I & ~keep) ^ low)
            h = ((h & np.uint64(keep)) ^ restart) * FNV_PRIME
            prev = k
            i += 1
        in_tok = (prev & K_WORD) != 0
        if i > run0:
            j = i - 1
            while j >= run0 and data[j] == 0x20:
                j -= 1
            if j >= run0:
                last_vis = data[j]
                last_text = data[j]
                if first_vis < 0:
                    j = run0
                    while data[j] == 0x20:
                        j += 1
                    first_vis = data[j]
        at = i
        if i < end:
            cp, i = _decode(data, i)
        else:
            cp = 0x20
            i += 1
        if _is_modifier(cp):
            continue
        low = lower[cp]
        flags = classes[low]
        c = flags & CLASS_MASK
        if c == IGNORE:
            continue
        if c in (SEP, SOLO):
            if in_tok:
                _push_token(tok_hash, tok_bytes, tpos, h, start_flags, at)
                tpos += 1
                in_tok = False
            if c == SOLO:
                solo = (FNV_OFFSET ^ np.uint64(low)) * FNV_PRIME
                solo_flags = at | (K_SOLO << _FLAG_SHIFT)
                _push_token(tok_hash, tok_bytes, tpos, solo, solo_flags, i)
                tpos += 1
            if i > end:
                break
            if _is_space(cp):
                continue
            if first_vis < 0:
                first_vis = cp
            last_vis = cp
            if _is_emoji(cp):
                emoji += 1
            else:
                if not _is_closer(cp):
                    last_text = cp
                if _is_quote(cp):
                    quotes += 1
                if _is_separator(cp):
                    seps += 1
                if cp == 0x21:
                    exclaim += 1
                if (cp == 0x2E or cp == 0x21 or cp == 0x3F) and (
                    i >= end or data[i] == 0x20 or data[i] == 0x0A
                ):
                    sentences += 1
                if lead_state == 0:
                    code = _lead_end(cp)
                    if code != 0:
                        lead_state = code
                        lead_end = tpos
            continue
        # A token character (not an ASCII letter or digit: the run loop
        # takes those).
        if first_vis < 0:
            first_vis = cp
        last_vis = cp
        last_text = cp
        if not in_tok:
            in_tok = True
            h = FNV_OFFSET
            start_flags = at | ((K_CAP if low != cp else 0) << _FLAG_SHIFT)
        if flags & DIGIT:
            start_flags |= K_DIGIT << _FLAG_SHIFT
        else:
            start_flags |= K_ALPHA << _FLAG_SHIFT
            letters += 1
            if low != cp:
                upper += 1
        h = (h ^ np.uint64(low)) * FNV_PRIME
    # The second pass: the tokens in order.
    cap_tokens = 0
    alpha_tokens = 0
    digit_tokens = 0
    lead_tokens = 0
    lead_caps = 0
    lead_known = 0
    imperative_start = 0.0
    content = np.uint64(len(lexicon.CATEGORY_NAMES))
    for t in range(tpos0, tpos):
        th = fmix64(tok_hash[t])
        tok_hash[t] = th
        tok_buf[t] = np.int64(th & bucket_mask)
        content = content * POLY + th
        flag = tok_pos[t, T_START] >> _FLAG_SHIFT
        tok_pos[t, T_START] &= _START_MASK
        if flag & K_SOLO:
            alpha_tokens += 1
            continue
        tb = _lookup(keys, bits, th)
        if tb != 0:  # most words are in no list
            for b in range(len(lexicon.CATEGORY_NAMES)):
                if tb & np.uint32(1 << b):
                    row[R_CAT0 + b] += 1.0
            if t == tpos0 and tb & _IMPERATIVE_BIT:
                imperative_start = 1.0
        if t < lead_end:
            lead_tokens += 1
            lead_caps += (flag & (K_CAP | K_DIGIT)) != 0
            lead_known += (tb & _LABEL_BIT) != 0
        cap_tokens += flag & K_CAP
        alpha_tokens += (flag & K_ALPHA) != 0
        digit_tokens += (flag & K_DIGIT) != 0
    n_tok = tpos - tpos0
    # Code points, and the ASCII letters and capitals (all read by the run
    # loop; the general code counts the others): counted apart, in one loop
    # over the paragraph that the compiler runs on many bytes at once.
    for x in data[start:end]:
        n_chars += int((x & 0xC0) != 0x80)
        letters += int(np.uint8((x | 0x20) - 0x61) < 26)
        upper += int(np.uint8(x - 0x41) < 26)
    row[R_CHARS] = n_chars
    row[R_TOKENS] = n_tok
    row[R_EMOJI] = emoji
    row[R_EMOJI_EDGE] = 1.0 if (_is_emoji(first_vis) or _is_emoji(last_vis)) else 0.0
    after = n_tok - lead_tokens
    if lead_state == 1 and 1 <= lead_tokens <= 5 and after >= 2:
        row[R_LABEL_COLON] = 1.0
        row[R_LABEL_TOKENS] = lead_tokens
        row[R_LABEL_TITLE] = 1.0 if lead_caps == lead_tokens else 0.0
        row[R_LABEL_KNOWN] = 1.0 if lead_known > 0 else 0.0
    if lead_state == 2 and 2 <= lead_tokens <= 6 and after >= 3:
        row[R_QUESTION_LEAD] = 1.0
        row[R_LABEL_TOKENS] = lead_tokens
        row[R_LABEL_TITLE] = 1.0 if lead_caps == lead_tokens else 0.0
        row[R_LABEL_KNOWN] = 1.0 if lead_known > 0 else 0.0
    row[R_ENDS_COLON] = 1.0 if (last_text == 0x3A or last_text == 0xFF1A) else 0.0
    row[R_TERMINAL] = (
        1.0
        if (
            last_text == 0x2E
            or last_text == 0x21
            or last_text == 0x3F
            or last_text == 0x2026
            or last_text == 0x3002
            or last_text == 0xFF01
            or last_text == 0xFF1F
            or last_text == 0x3B
        )
        else 0.0
    )
    row[R_QUESTION_END] = 1.0 if (last_text == 0x3F or last_text == 0xFF1F) else 0.0
    row[R_EXCLAIM] = exclaim
    row[R_CAP_TOKENS] = cap_tokens
    row[R_ALPHA_TOKENS] = alpha_tokens
    row[R_UPPER_LETTERS] = upper
    row[R_LETTERS] = letters
    row[R_DIGIT_TOKENS] = digit_tokens
    row[R_QUOTES] = quotes
    row[R_SENTENCES] = sentences
    row[R_SEPARATORS] = seps
    row[R_IMPERATIVE_START] = imperative_start
    if n_tok == 0:
        # Symbols only ("***", "📷"): hash the code points instead.
        j = start
        while j < end:
            cp, j = _decode(data, j)
            content = content * POLY + np.uint64(cp)
    return tpos, fmix64(content)


#: Term counts up to this many get their sublinear weight from a table.
_TF_TABLE = 256


@nb.njit(cache=True)
def _tf_weights() -> npt.NDArray[np.float64]:
    """``1 + log(c)`` for each count *c* below :data:`_TF_TABLE`; 0 for 0.

    Computed by the same ``np.log`` as the kernel's fallback, so a weight
    read from the table is the one computed in place, to the bit (and
    ``1 + log 1`` is exactly 1: a word seen once weighs exactly its idf).
    """
    out = np.zeros(_TF_TABLE, dtype=np.float64)
    for c in range(1, _TF_TABLE):
        out[c] = 1.0 + np.log(c)
    return out


@nb.njit(cache=True)
def _coherence(
    tok_buf: npt.NDArray[np.int64],
    p_tok: npt.NDArray[np.int64],
    n_par: int,
    idf: npt.NDArray[np.float32],
    tf: npt.NDArray[np.float64],
    acc: npt.NDArray[np.float64],
    cnt: npt.NDArray[np.int32],
    uniq_b: npt.NDArray[np.int64],
    uniq_w: npt.NDArray[np.float64],
    p_u: npt.NDArray[np.int64],
    pn2: npt.NDArray[np.float64],
    dots: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
    mean_idf: npt.NDArray[np.float64],
) -> None:
    """Cosine of each paragraph's TF-IDF vector with the rest of its article.

    Sublinear term frequency, hashed buckets. ``rest = article - paragraph``
    so the dot product and norms follow from one article vector. Tokens are
    article-local ids (:func:`_intern_article`), *idf* the idf of each id,
    *tf* the :func:`_tf_weights`; *acc* and *cnt* are zero on entry and left
    zero; *p_u*, *pn2* and *dots* are scratch of at least ``n_par + 1``.
    *mean_idf* gets each paragraph's mean idf (0 without tokens), summed
    token by token in text order in the pass that counts them.
    """
    u = 0
    for p in range(n_par):
        p_u[p] = u
        toks = tok_buf[p_tok[p] : p_tok[p + 1]]
        idf_sum = 0.0
        for b in toks:
            cnt[b] += 1
            idf_sum += idf[b]
        mean_idf[p] = idf_sum / len(toks) if len(toks) else 0.0
        # Summed in a local, not in pn2[p]: a store to acc might alias it,
        # which would make every term a store and a reload.
        norm2 = 0.0
        for b in toks:
            c = cnt[b]
            # Branch-free: a word's later occurrences (count already taken,
            # c == 0) weigh 0 and are overwritten by the next entry. Which
            # token repeats is unpredictable, and a branch on it was half of
            # this function's time. Adding 0.0 leaves a sum of non-negative
            # terms unchanged, so the values are those of skipping them.
            w = tf[c] * idf[b] if c < _TF_TABLE else (1.0 + np.log(c)) * idf[b]
            uniq_b[u] = b
            uniq_w[u] = w
            u += c > 0
            acc[b] += w
            norm2 += w * w
            cnt[b] = 0
        pn2[p] = norm2
    p_u[n_par] = u
    for p in range(n_par):
        s = 0.0
        for k in range(p_u[p], p_u[p + 1]):
            s += uniq_w[k] * acc[uniq_b[k]]
        dots[p] = s
    a2 = 0.0
    for k in range(u):
        v = acc[uniq_b[k]]
        if v != 0.0:
            a2 += v * v
            acc[uniq_b[k]] = 0.0
    for p in range(n_par):
        rest2 = a2 - 2.0 * dots[p] + pn2[p]
        if pn2[p] <= 0.0 or rest2 <= 1e-9 * max(a2, 1.0):
            out[p] = NO_COHERENCE
        else:
            out[p] = (dots[p] - pn2[p]) / np.sqrt(pn2[p] * rest2)


@nb.njit(parallel=True, cache=True)
def _scan(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    doc_start: npt.NDArray[np.int64],
    byte_start: npt.NDArray[np.int64],
    byte_end: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    keys: npt.NDArray[np.uint64],
    bits: npt.NDArray[np.uint32],
    idf: npt.NDArray[np.float32],
    kinds: npt.NDArray[np.uint8],
    n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
    """Raw counts and content hash of each paragraph; repetition of each article.

    The repetition fractions (:func:`~dedup.farm.repetition.farm_repetition`'s
    columns) come from the tokens this scan reads anyway, for the articles
    where these tokens are exactly those of
    :func:`~dedup.passages.tokens.doc_tokens`: ASCII ones
    (:func:`~dedup.farm.repetition.ascii_lines`) and those with no code point
    that *kinds* (:func:`_handover_kinds`) refuses
    (:func:`~dedup.farm.repetition.text_lines`); the other rows are NaN.
    """
    n_docs = len(doc_start) - 1
    n_par = len(byte_start)
    rep = np.full((n_docs, 3), np.nan)
    # Column-major (one row of ``by_col`` per raw count): the assembly reads
    # whole columns, and transposing a batch afterwards costs a full copy.
    # Not zeroed: every field of every paragraph is written below.
    by_col = np.empty((N_RAW, n_par), dtype=np.float64)
    hashes = np.zeros(n_par, dtype=np.uint64)
    max_bytes = 1
    max_par = 1
    for d in range(n_docs):
        p0, p1 = doc_start[d], doc_start[d + 1]
        if p1 > p0:
            max_bytes = max(max_bytes, byte_end[p1 - 1] - byte_start[p0] + 1)
        max_par = max(max_par, p1 - p0)
    # Whole texts, white space around the paragraphs included, for the lines.
    max_text = 1
    for d in range(n_docs):
        max_text = max(max_text, offsets[d + 1] - offsets[d] + 4)
    step = (n_docs + n_threads - 1) // n_threads
    for th in nb.prange(n_threads):
        # A token has at least one byte: max_bytes bounds a document's tokens.
        tok_buf = np.empty(max_bytes, dtype=np.int64)
        uniq_b = np.empty(max_bytes, dtype=np.int64)
        uniq_w = np.empty(max_bytes, dtype=np.float64)
        p_tok = np.empty(max_par + 1, dtype=np.int64)
        coh = np.empty(max_par, dtype=np.float64)
        m_idf = np.empty(max_par, dtype=np.float64)
        c_u = np.empty(max_par + 1, dtype=np.int64)
        c_n2 = np.empty(max_par + 1, dtype=np.float64)
        c_dots = np.empty(max_par + 1, dtype=np.float64)
        # One paragraph's counts, contiguous: the scan adds to them token by
        # token, and a column of ``by_col`` has its fields a whole batch apart.
        row = np.empty(N_RAW, dtype=np.float64)
        v_keys = np.full(_vocab_size(max_bytes), -1, dtype=np.int64)
        v_ids = np.empty(len(v_keys), dtype=np.int64)
        cap = min(max_bytes, IDF_BUCKETS)
        v_idf = np.empty(cap + 1, dtype=np.float32)
        v_slot = np.empty(cap + 1, dtype=np.int64)
        acc = np.zeros(cap, dtype=np.float64)
        tf = _tf_weights()
        cnt = np.zeros(cap, dtype=np.int32)
        # The article's tokens and lines for its repetition statistics.
        tok_hash = np.empty(max_text, dtype=np.uint64)
        tok_pos = np.empty((max_text, 2), dtype=np.int64)
        lines = np.empty((max_text, N_LINE_FIELDS), dtype=np.int64)
        grams = np.empty(max_text, dtype=np.uint64)
        slots = np.empty(max_text, dtype=np.int64)
        r_keys = np.empty(table_size(2 * max_text), dtype=np.uint64)
        r_counts = np.empty(len(r_keys), dtype=np.int32)
        for d in range(th * step, min(n_docs, (th + 1) * step)):
            p0, p1 = doc_start[d], doc_start[d + 1]
            tpos = 0
            for p in range(p0, p1):
                p_tok[p - p0] = tpos
                row[:] = 0.0
                tpos, hashes[p] = _scan_paragraph(
                    data,
                    byte_start[p],
                    byte_end[p],
                    classes,
                    lower,
                    keys,
                    bits,
                    row,
                    tok_buf,
                    tok_hash,
                    tok_pos,
                    tpos,
                )
                by_col[:, p] = row
            p_tok[p1 - p0] = tpos
            a, b = offsets[d], offsets[d + 1]
            nl = ascii_lines(data, a, b, tok_pos, tpos, lines)
            n_chars = b - a
            if nl < 0:
                nl, n_chars = text_lines(data, a, b, kinds, tok_pos, tpos, lines)
            if nl >= 0:
                doc_repetition(
                    tok_hash, tok_pos, tpos, lines, nl, n_chars, r_keys, r_counts,
                    grams, slots, rep[d],
                )  # fmt: skip
            _intern_article(tok_buf, tpos, idf, v_keys, v_ids, v_idf, v_slot)
            _coherence(
                tok_buf, p_tok, p1 - p0, v_idf, tf, acc, cnt, uniq_b, uniq_w,
                c_u, c_n2, c_dots, coh, m_idf,
            )  # fmt: skip
            for p in range(p0, p1):
                by_col[R_COHERENCE, p] = coh[p - p0]
                by_col[R_MEAN_IDF, p] = m_idf[p - p0]
    return by_col.T, hashes, rep


def _ascii_boundaries(pattern: str) -> str:
    # Unicode word boundaries keep the regex crate off its fast DFA on
    # non-ASCII text; an ASCII boundary is exact for these ASCII words.
    return pattern.replace(r"\b", r"(?-u:\b)")


_PATTERNS = {
    name: _ascii_boundaries(p) if name != "dateline" else p
    for name, p in lexicon.PATTERNS.items()
}
# Literals are read from the patterns as written: a word boundary, ASCII or
# not, is zero-width and requires no literal, so both forms need the same.
_PREFILTER = Prefilter.build(dict(lexicon.PATTERNS))


@dataclass(frozen=True)
class FeatureBatch:
    """Features of every paragraph of a batch, with what reasons need.

    Attributes:
        segments: where the paragraphs are.
        values: ``(n_paragraphs, len(FEATURE_NAMES))`` float64 matrix.
        raw: the compiled scan's raw counts (see the ``R_*`` constants).
        texts: the paragraph texts.
        patterns: ``(n_paragraphs, len(lexicon.PATTERNS))`` pattern matches, in
            the order of :data:`lexicon.PATTERNS`.
        hashes: content hash of each paragraph (normalised tokens).
        cpc_ratio: paragraph commercial-word rate over the rest of its article.
        cpc_topic: index into :data:`lexicon.COMMERCIAL` of the paragraph's
            strongest commercial category (-1 when none).
        repetition: ``(n_articles, 3)`` repetition fractions of each article
            (:func:`~dedup.farm.repetition.farm_repetition`'s columns) where
            the scan could take them from its own tokens, NaN elsewhere
            (:func:`~dedup.farm.repetition.complete` fills those in).

    """

    segments: Segments
    values: npt.NDArray[np.float64]
    raw: npt.NDArray[np.float64]
    texts: pl.Series
    patterns: npt.NDArray[np.bool_]
    hashes: npt.NDArray[np.uint64]
    cpc_ratio: npt.NDArray[np.float64]
    cpc_topic: npt.NDArray[np.int64]
    repetition: npt.NDArray[np.float64]

    def column(self, name: str) -> npt.NDArray[np.float64]:
        """One feature column by name."""
        return self.values[:, _INDEX[name]]


def feature_index(name: str) -> int:
    """Position of feature *name* in :data:`FEATURE_NAMES`."""
    return _INDEX[name]


def extract(
    texts: pl.Series, resources: Resources, buffers: Buffers | None = None
) -> FeatureBatch:
    """Segment *texts* (one article each) and compute every paragraph's features.

    *buffers*: :func:`~dedup.arrow.string_buffers` of *texts*, if at hand.
    """
    data, offsets = buffers if buffers is not None else string_buffers(texts)
    seg = segment(texts, (data, offsets))
    raw, hashes, repetition = _scan(
        seg.data,
        np.ascontiguousarray(offsets, dtype=np.int64),
        seg.doc_start,
        seg.byte_start,
        seg.byte_end,
        table(),
        lower_table(),
        resources.word_keys,
        resources.word_bits,
        resources.idf,
        _handover_kinds(),
        max(1, min(nb.get_num_threads(), len(seg.doc_start) - 1)),
    )
    par_texts = seg.texts()
    flags = _pattern_flags(seg, par_texts)
    pattern = {name: flags[:, i] for i, name in enumerate(_PATTERNS)}
    pattern[COVER], pattern[LABEL] = _phrase_evidence(par_texts, flags)
    values, ratio, topic = _assemble(seg, raw, hashes, pattern)
    return FeatureBatch(
        seg,
        values,
        raw,
        par_texts,
        flags.astype(bool),
        hashes,
        ratio,
        topic,
        repetition,
    )


def _pattern_flags(seg: Segments, texts: pl.Series) -> npt.NDArray[np.float64]:
    """Which phrase patterns match each paragraph (1.0 or 0.0), in pattern order.

    A pattern runs only on the paragraphs holding one of its required
    literals (:mod:`dedup.farm.prefilter`): the same flags as running it on
    every paragraph, for a fraction of the regex work.
    """
    flags = np.zeros((len(texts), len(_PATTERNS)), dtype=np.float64)
    cand = _PREFILTER.candidates(seg.data, seg.byte_start, seg.byte_end)
    for k, pattern in enumerate(_PATTERNS.values()):
        rows = np.flatnonzero(cand & np.uint32(1 << k))
        if len(rows):
            hit = texts.gather(rows).str.contains(pattern).to_numpy()
            flags[rows, k] = hit
    return flags


#: Key of the phrase-coverage column in the ``pattern`` dict of ``_assemble``.
COVER = "_cover"
#: Key of the phrase-label column in the ``pattern`` dict of ``_assemble``.
LABEL = "_label"
#: The lead of a line up to its first separator ("Also read »", "Tags:",
#: "Sponsored |", "Read more..."), symbols before it skipped.
_LEAD = r"^[^\p{L}\p{N}]*(.{1,60}?)\s*(?::|\||»|>>|›|→|\.\.\.|…|\s[-–—]\s)"
_PATTERN_NAMES = list(_PATTERNS)
_FILLER_COLUMNS = [i for i, n in enumerate(_PATTERN_NAMES) if n in FILLER_PATTERNS]
_FILLER_REGEXES = [_PATTERNS[_PATTERN_NAMES[i]] for i in _FILLER_COLUMNS]


def _phrase_evidence(
    texts: pl.Series, flags: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """How much of each paragraph the filler phrases make up: cover and label.

    *Cover* is the share of the paragraph's letters and digits inside
    filler-phrase matches. A line that *is* the phrase ("Others are reading
    now", "Ads by XYZ") is page furniture; a sentence that merely contains
    one ("people are reading the report closely") is not.

    *Label* is 1.0 where the lead before the first separator is a filler
    phrase and nothing else. Page furniture of every kind is a label that
    names what follows: "Also read » <headline>", "Next Post: <headline>",
    "Sponsored | <brand>", "Tags: a, b", "Advertisement - Scroll to
    continue". The part after the label may be on the article's own topic (a
    related headline), so coherence cannot tell such a line from content,
    and the phrase covers too little of it for the cover to; that the label
    is *all* phrase can. A news line that starts with such a word ("Share
    prices: ...", "Home Savings Bank <HMSB> ...") has more than the phrase
    before its first separator, or no separator (the model weighs the few
    that do not).

    Only paragraphs with a match are looked at, in one pass over them.

        >>> t = pl.Series(
        ...     ["Read more", "Read more about the officials and their report",
        ...      "▶ Also read » Bank issues notes",
        ...      "Officials also read the report: it was long", "x"]
        ... )
        >>> flags = np.zeros((5, len(_PATTERN_NAMES)))
        >>> flags[:4, _PATTERN_NAMES.index("teaser")] = 1.0
        >>> cover, label = _phrase_evidence(t, flags)
        >>> cover.round(2), label
        (array([1.  , 0.21, 0.35, 0.  , 0.  ]), array([0., 0., 1., 0., 0.]))
    """
    cover = np.zeros(len(texts), dtype=np.float64)
    label = np.zeros(len(texts), dtype=np.float64)
    hit = np.flatnonzero(flags[:, _FILLER_COLUMNS].max(axis=1) > 0)
    if not len(hit):
        return cover, label
    # The lead and the texts with the phrases cut are columns of their own,
    # each computed once, not once for every expression that counts them.
    lead = pl.col("p").str.extract(_LEAD, 1)
    counted = (
        pl.DataFrame({"p": texts.gather(hit)})
        .with_columns(lead.alias("lead"))
        .with_columns(
            _cut(pl.col("p"), _FILLER_REGEXES).alias("rest"),
            _cut(pl.col("lead"), _FILLER_REGEXES).alias("lead_rest"),
        )
        .select(
            _letters(pl.col("p")).cast(pl.Float64).alias("all"),
            _letters(pl.col("rest")).cast(pl.Float64).alias("rest"),
            (
                (_letters(pl.col("lead")).fill_null(0) > 0)
                & (_letters(pl.col("lead_rest")).fill_null(1) == 0)
            )
            .cast(pl.Float64)
            .alias("label"),
        )
    )
    all_, rest = counted["all"].to_numpy(), counted["rest"].to_numpy()
    cover[hit] = 1.0 - rest / np.maximum(all_, 1.0)
    label[hit] = counted["label"].to_numpy()
    return cover, label


def _cut(col: pl.Expr, patterns: list[str]) -> pl.Expr:
    """*col* with every match of *patterns* cut, one pattern after another."""
    for p in patterns:
        col = col.str.replace_all(p, "")
    return col


def _letters(col: pl.Expr) -> pl.Expr:
    r"""Letters and digits (``[\p{L}\p{N}]``) of *col*, null where it is null.

    Counted as all characters less the others: every character is one or
    the other, and a paragraph has a few spaces and punctuation marks to
    every five letters, where each match costs the regex engine a search
    (the same count, a quarter of the time).
    """
    return col.str.len_chars() - col.str.count_matches(r"[^\p{L}\p{N}]")


#: Up to this many paragraphs an article's median and copies are found by
#: quadratic loops (cheaper than sorting copies at this size).
_SMALL_ARTICLE = 64


@nb.njit(cache=True)
def _within_docs(
    doc_start: npt.NDArray[np.int64],
    coh: npt.NDArray[np.float64],
    hashes: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each article's median coherence; each paragraph's copies in its article.

    The median is the middle element (the upper one of an even count) of
    the article's sorted *coh*; the copies are the other paragraphs of the
    article with the same content hash. Article by article, the sorts are a
    few dozen elements each, where sorting the batch by (article, value)
    twice cost more than the rest of the assembly's arithmetic together.
    """
    n_docs = len(doc_start) - 1
    med = np.zeros(n_docs, dtype=np.float64)
    reps = np.zeros(len(hashes), dtype=np.float64)
    ordered = np.empty(_SMALL_ARTICLE, dtype=np.float64)
    for d in range(n_docs):
        p0, p1 = doc_start[d], doc_start[d + 1]
        k = p1 - p0
        if k == 0:
            continue
        if k <= _SMALL_ARTICLE:
            # Most articles: an insertion sort into one reused buffer and a
            # pairwise count, without two sorted copies allocated per
            # article (the same values: coherences are finite, never -0.0).
            for a in range(k):
                v = coh[p0 + a]
                j = a
                while j > 0 and ordered[j - 1] > v:
                    ordered[j] = ordered[j - 1]
                    j -= 1
                ordered[j] = v
            med[d] = ordered[k // 2]
            # Compared through a slice: no negative-index check per read, so
            # the compiler compares several hashes at once.
            doc_hashes = hashes[p0:p1]
            for p in range(p0, p1):
                hp = hashes[p]
                same = -1
                for h in doc_hashes:
                    same += h == hp
                reps[p] = same
            continue
        med[d] = np.sort(coh[p0:p1])[(p1 - p0) // 2]
        h = np.sort(hashes[p0:p1])
        for p in range(p0, p1):
            lo = np.searchsorted(h, hashes[p], side="left")
            hi = np.searchsorted(h, hashes[p], side="right")
            reps[p] = hi - lo - 1
    return med, reps


def _doc_sum(
    values: npt.NDArray[np.float64], doc: npt.NDArray[np.int64], n_docs: int
) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = np.bincount(
        doc, weights=values, minlength=n_docs
    ).astype(np.float64)
    return out


def _assemble(
    seg: Segments,
    raw: npt.NDArray[np.float64],
    hashes: npt.NDArray[np.uint64],
    pattern: dict[str, npt.NDArray[np.float64]],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    n = seg.n_paragraphs
    n_docs = len(seg.doc_start) - 1
    # Everything below reads columns, each of which would stride across the
    # whole matrix if it were not column-major (the scan's is: no copy).
    raw = np.asfortranarray(raw)
    doc = seg.doc_index()
    idx = seg.index_in_doc()
    n_in_doc = np.diff(seg.doc_start)[doc].astype(np.float64)
    # Column-major: features are written one column at a time.
    out = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64, order="F")

    def put(name: str, v: npt.NDArray[np.float64]) -> None:
        out[:, _INDEX[name]] = v

    tok = raw[:, R_TOKENS]
    tok1 = np.maximum(tok, 1.0)
    alpha1 = np.maximum(raw[:, R_ALPHA_TOKENS], 1.0)
    put("log_chars", np.log1p(raw[:, R_CHARS]))
    put("log_tokens", np.log1p(tok))
    emoji = np.minimum(raw[:, R_EMOJI], 3.0)
    put("emoji", np.minimum(emoji, 1.0))
    put("emoji_edge", raw[:, R_EMOJI_EDGE])
    label = raw[:, R_LABEL_COLON]
    put("label_colon", label)
    put("label_title", raw[:, R_LABEL_TITLE])
    put("question_lead", raw[:, R_QUESTION_LEAD])
    put("ends_colon", raw[:, R_ENDS_COLON])
    terminal = raw[:, R_TERMINAL]
    put("terminal", terminal)
    put("question_end", raw[:, R_QUESTION_END])
    put("exclaim", np.minimum(raw[:, R_EXCLAIM], 2.0))
    put("title_ratio", raw[:, R_CAP_TOKENS] / alpha1)
    put("caps_ratio", raw[:, R_UPPER_LETTERS] / np.maximum(raw[:, R_LETTERS], 1.0))
    put("digit_ratio", raw[:, R_DIGIT_TOKENS] / tok1)
    put("quotes", np.minimum(raw[:, R_QUOTES], 2.0))
    put("log_sentences", np.log1p(raw[:, R_SENTENCES]))
    put("separators", np.minimum(raw[:, R_SEPARATORS], 4.0))
    heading = ((tok <= 14) & (terminal == 0) & (tok > 0)).astype(np.float64)
    put("heading_like", heading)
    short = (tok <= 4).astype(np.float64)
    put("short_fragment", short)

    # Commercial vocabulary: rate, and how far it exceeds the rest of the
    # article. The rest is smoothed towards a typical news rate so that a
    # one-paragraph article does not count as "exceeding nothing".
    cats = raw[:, R_CAT0 : R_CAT0 + len(lexicon.COMMERCIAL)]
    any_cpc = cats.max(axis=1)
    # A word can sit in several commercial lists; count it once per list but
    # use the strongest list for the rate (a claims-and-lawyers passage is
    # legal, not five kinds at once).
    cpc = np.minimum(cats.sum(axis=1), 1.5 * any_cpc)
    doc_cpc = _doc_sum(cpc, doc, n_docs)
    doc_tok = _doc_sum(tok, doc, n_docs)
    rest_cpc = doc_cpc[doc] - cpc
    rest_tok = doc_tok[doc] - tok
    prior_rate, prior_tokens = 0.02, 60.0
    rest_rate = (rest_cpc + prior_rate * prior_tokens) / (rest_tok + prior_tokens)
    rate = cpc / tok1
    ratio = (rate + 0.005) / (rest_rate + 0.005)
    put("cpc_rate", np.minimum(rate, 0.6))
    put("cpc_count", np.log1p(cpc))
    excess = np.log(ratio)
    put("cpc_excess", np.clip(excess, -3.0, 4.0))
    topic_share = any_cpc / np.maximum(cpc, 1.0)
    put("cpc_topic_share", np.where(cpc > 0, topic_share, 0.0))
    topic = np.where(any_cpc > 0, cats.argmax(axis=1), -1).astype(np.int64)

    def rate_of(cat: str) -> npt.NDArray[np.float64]:
        return np.minimum(raw[:, _CAT[cat]] / tok1, 1.0)

    put("you_rate", rate_of("you"))
    put("imperative_start", raw[:, R_IMPERATIVE_START])
    put("advice_rate", rate_of("advice"))
    put("said_rate", rate_of("said"))
    furniture = raw[:, _CAT["nav"]] + raw[:, _CAT["teaser"]] + raw[:, _CAT["ai"]]
    put("furniture_rate", np.minimum(furniture / tok1, 1.0))
    lead = np.maximum(label, raw[:, R_QUESTION_LEAD])
    callout_label = lead * raw[:, R_LABEL_KNOWN] * (1.0 - pattern["editor_note"])
    hits = sum(pattern[name] for name in FILLER_PATTERNS) + callout_label
    put("filler_phrase", np.minimum(hits, 1.0))
    put("filler_phrases", np.minimum(hits, 3.0))
    # Full sentences need more than a phrase to be filler; this lets what
    # sentence-shaped families teach (calls to action, callouts, disclosures)
    # carry to one the model has not seen.
    # A line of more than 14 words is a sentence with or without its final
    # stop (a heading is shorter: ``heading_like``); footers are often left
    # without one ("... which may have used AI in the preparation").
    stop = terminal + raw[:, R_ENDS_COLON] > 0
    sentence = ((tok >= 6) & (stop | (tok > 14))).astype(np.float64)
    put("phrase_x_sentence", np.minimum(hits, 1.0) * sentence)
    # A short line matching a filler phrase is almost always page furniture.
    put("phrase_x_short", np.minimum(hits, 1.0) * (tok <= 6))
    # A label that is all phrase ("Also read » <headline>") makes the line
    # furniture as surely as a line that is only the phrase: the headline it
    # names is no evidence either way. Counting it as full cover lets what
    # navigation and ad labels teach carry to teasers the model has not seen
    # (leave-one-family-out, teaser recall 0.74 -> 0.82).
    put("phrase_cover", np.maximum(pattern[COVER], pattern[LABEL]))
    put("phrase_label", pattern[LABEL])
    # An editor's note protects a paragraph from being flagged, except when
    # the note is itself an AI disclosure or chatbot residue ("Disclosure:
    # this story was produced with AI tools"), which is filler.
    ai_note = np.minimum(pattern["ai_disclosure"] + pattern["chatbot"], 1.0)
    put("editor_note", pattern["editor_note"] * (1.0 - ai_note))
    for name in ("dateline", "url"):
        put(name, pattern[name])

    coh = raw[:, R_COHERENCE]
    # TF-IDF similarity to a handful of words is noise: below MIN_CONTEXT
    # tokens in the rest of the article there is no coherence to measure.
    no_ctx = (coh == NO_COHERENCE) | (rest_tok < MIN_CONTEXT)
    coh_v = np.where(no_ctx, 0.0, coh)
    put("coherence", coh_v)
    put("no_context", no_ctx.astype(np.float64))
    # Gap to the article's median coherence: a paragraph is off-topic
    # relative to how tightly its own article hangs together. Repetition
    # inside the article: identical paragraphs (normalised tokens).
    med, reps = _within_docs(seg.doc_start, np.ascontiguousarray(coh_v), hashes)
    put("coherence_gap", np.where(no_ctx, 0.0, med[doc] - coh_v))
    put("mean_idf", raw[:, R_MEAN_IDF] / 10.0)

    put("repeats", np.log1p(reps))
    # A short line that recurs is page furniture ("Also read", "Share");
    # a recurring paragraph is more often a scraping accident.
    put("short_repeat", ((reps > 0) & (tok <= 6)).astype(np.float64))

    put("position", np.where(n_in_doc > 1, idx / np.maximum(n_in_doc - 1, 1), 0.0))
    put("is_first", (idx == 0).astype(np.float64))
    put("is_last", (idx == n_in_doc - 1).astype(np.float64))
    put("log_paragraphs", np.log1p(n_in_doc))
    first = idx == 0
    last = idx == n_in_doc - 1
    prev_heading = np.zeros(n)
    next_heading = np.zeros(n)
    prev_short = np.zeros(n)
    next_short = np.zeros(n)
    if n > 1:
        prev_heading[1:] = heading[:-1]
        next_heading[:-1] = heading[1:]
        prev_short[1:] = short[:-1]
        next_short[:-1] = short[1:]
    put("prev_heading", np.where(first, 0.0, prev_heading))
    put("next_heading", np.where(last, 0.0, next_heading))
    put("prev_short", np.where(first, 0.0, prev_short))
    put("next_short", np.where(last, 0.0, next_short))
    # How common a trait is among the *other* paragraphs of the article:
    # farms repeat their callouts and emoji throughout.
    has_emoji = (emoji > 0).astype(np.float64)
    others = np.maximum(n_in_doc - 1, 1.0)
    doc_emoji = (_doc_sum(has_emoji, doc, n_docs)[doc] - has_emoji) / others
    doc_label = (_doc_sum(label, doc, n_docs)[doc] - label) / others
    # The shares enter only through the interactions below: alone they would
    # make every paragraph of a farm article look like filler.
    put("doc_cpc_rate", np.minimum(doc_cpc[doc] / np.maximum(doc_tok[doc], 1.0), 0.5))

    later = (idx > 0).astype(np.float64)
    put("heading_x_emoji", heading * has_emoji)
    put("label_x_emoji", label * has_emoji)
    put("label_x_later", label * later)
    put("label_x_doc_labels", label * np.minimum(doc_label * 5.0, 1.0))
    put("emoji_x_doc_emoji", has_emoji * np.minimum(doc_emoji * 5.0, 1.0))
    incoherent = np.clip(0.3 - coh_v, 0.0, 0.3) / 0.3 * (~no_ctx)
    put("cpc_excess_x_incoherent", np.clip(excess, 0.0, 4.0) * incoherent)
    return out, ratio, topic
