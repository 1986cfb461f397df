"""Verification of candidate pairs: exact set overlap, then the template check.

Every candidate from LSH is checked on the exact shingle sets, so no reported
pair is below the threshold. Two measures are computed:

* ``similarity`` — the overlap coefficient ``|A ∩ B| / min(|A|, |B|)``: the share
  of the shorter article's shingles found in the other. News re-issues are often
  truncated or extended (a wire item cut to its first paragraphs, reader
  comments appended); their Jaccard falls to 0.3 while this stays near 1.
* ``jaccard`` — ``|A ∩ B| / |A ∪ B|``, reported alongside.

Then the **template check**. Recurring reports (a daily rate notice, a price
table, a routine filing) share their fixed wording and differ only in figures
and dates, so their overlap can pass 0.8 while their facts differ. A word-level
alignment of the two token sequences (the minimal edit script rapidfuzz
documents, computed in parallel compiled code by :mod:`dedup.align`) finds the
places where the texts differ. A *figure substitution* is a short change block
(at most four tokens each side) whose tokens are mostly figures; a *word edit*
is any other short change block. Insertions and deletions (truncation, added
paragraphs) are neither. A pair is a template sibling when it has at least one figure
substitution and no fewer figure substitutions than word edits: its differences
are its facts, not its wording.

    >>> a = "the fed added 1.5 billion dlrs of reserves on march 3 via repurchases"
    >>> b = "the fed added 2.0 billion dlrs of reserves on march 4 via repurchases"
    >>> from dedup.normalize import tokens
    >>> is_template_sibling(*_toy(a), *_toy(b))
    (True, 'figures differ in 2 places, wording in 0')
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from dedup.align import MAX_MATRIX_WORDS, block_counts, common_affix
from dedup.shingle import ShingleSets, TokenArrays

#: Longest change block (tokens on each side) that counts as a substitution.
SHORT_BLOCK = 4
#: Shortest text (tokens) in which one lone figure substitution is a correction,
#: not a template: recurring reports are short and dense with figures, while a
#: long story re-sent with "four" spelt "4" in its headline is the same story.
LONG_TEXT = 150


@nb.njit(parallel=True, cache=True)
def _intersections(
    values: npt.NDArray[np.uint64],
    starts: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    out = np.zeros(len(a), dtype=np.int64)
    for p in nb.prange(len(a)):
        i, i_end = starts[a[p]], starts[a[p]] + counts[a[p]]
        j, j_end = starts[b[p]], starts[b[p]] + counts[b[p]]
        k = 0
        # Branch-free merge: a comparison of two random hashes is a coin
        # toss, which a branch would mispredict every other step.
        while i < i_end and j < j_end:
            x, y = values[i], values[j]
            k += x == y
            i += x <= y
            j += y <= x
        out[p] = k
    return out


def overlap(
    sets: ShingleSets, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(overlap coefficient, Jaccard) of the set pairs ``(a[i], b[i])``.

    >>> import polars as pl
    >>> from dedup.shingle import shingle_sets
    >>> sets = shingle_sets(pl.Series(["a b c d", "a b c"]), "word", 2)
    >>> overlap(sets, np.array([0]), np.array([1]))  # {ab, bc, cd}, {ab, bc}
    (array([1.]), array([0.66666667]))
    """
    inter = _intersections(sets.values, sets.starts, sets.counts, a, b)
    common = inter.astype(np.float64)
    na = sets.counts[a].astype(np.float64)
    nb_ = sets.counts[b].astype(np.float64)
    smaller = np.maximum(np.minimum(na, nb_), 1.0)
    union = np.maximum(na + nb_ - common, 1.0)
    return common / smaller, common / union


def _rapidfuzz_counts(
    tokens_a: npt.NDArray[np.uint64],
    figure_a: npt.NDArray[np.bool_],
    tokens_b: npt.NDArray[np.uint64],
    figure_b: npt.NDArray[np.bool_],
) -> tuple[int, int]:
    """(figure substitutions, word edits) from rapidfuzz's opcodes.

    The fallback for pairs too long for the compiled alignment's bit matrix
    (:data:`dedup.align.MAX_MATRIX_WORDS`), and the reference the tests hold
    :func:`dedup.align.block_counts` to.
    """
    # The common prefix and suffix are equal blocks of any alignment, so only
    # the middle is aligned.
    start, end_a, end_b = common_affix(tokens_a, tokens_b)
    ops = Levenshtein.opcodes(
        tokens_a[start:end_a].tolist(), tokens_b[start:end_b].tolist()
    )
    figure_subs = word_edits = 0
    block: list[tuple[int, int, int, int]] = []
    for op in [*ops, None]:
        if op is not None and op.tag != "equal":
            block.append(
                (
                    op.src_start + start,
                    op.src_end + start,
                    op.dest_start + start,
                    op.dest_end + start,
                )
            )
            continue
        if block:
            a0, a1 = block[0][0], block[-1][1]
            b0, b1 = block[0][2], block[-1][3]
            len_a, len_b = a1 - a0, b1 - b0
            if 0 < len_a <= SHORT_BLOCK and 0 < len_b <= SHORT_BLOCK:
                figures = int(figure_a[a0:a1].sum()) + int(figure_b[b0:b1].sum())
                if 2 * figures >= len_a + len_b:
                    figure_subs += 1
                else:
                    word_edits += 1
            block = []
    return figure_subs, word_edits


def alignment_counts(
    tokens: TokenArrays, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(figure substitutions, word edits, edit distance) of the pairs (a[i], b[i]).

    Pairs run in parallel compiled code (:func:`dedup.align.block_counts`);
    the rare pair too long for it is aligned by rapidfuzz, with the same result.
    """
    subs, edits, distance, done = block_counts(
        tokens.hashes,
        tokens.figure,
        tokens.starts[a],
        tokens.counts[a],
        tokens.starts[b],
        tokens.counts[b],
        SHORT_BLOCK,
        MAX_MATRIX_WORDS,
    )
    for i in np.flatnonzero(~done):
        ta, fa = tokens.get(int(a[i]))
        tb, fb = tokens.get(int(b[i]))
        subs[i], edits[i] = _rapidfuzz_counts(ta, fa, tb, fb)
        distance[i] = Levenshtein.distance(ta.tolist(), tb.tolist())
    return subs, edits, distance


def word_similarity(
    distance: npt.NDArray[np.int64],
    len_a: npt.NDArray[np.int64],
    len_b: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """1 - edit distance / longer length: the share of words aligned in order.

    rapidfuzz's ``Levenshtein.normalized_similarity`` over the token sequences.

        >>> word_similarity(np.array([2]), np.array([10]), np.array([8]))
        array([0.8])
    """
    longer = np.maximum(np.maximum(len_a, len_b), 1).astype(np.float64)
    out: npt.NDArray[np.float64] = 1.0 - distance / longer
    return out


def template_verdicts(
    figure_subs: npt.NDArray[np.int64],
    word_edits: npt.NDArray[np.int64],
    shorter: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Which pairs are template siblings, given their counts and shorter length.

    A sibling has at least one figure substitution and no fewer figure
    substitutions than word edits; in a long text (:data:`LONG_TEXT` tokens or
    more) one lone figure substitution is a correction, not a template.
    """
    sibling: npt.NDArray[np.bool_] = (figure_subs >= 1) & (figure_subs >= word_edits)
    lone: npt.NDArray[np.bool_] = (figure_subs == 1) & (shorter >= LONG_TEXT)
    return sibling & ~lone


def template_reason(figure_subs: int, word_edits: int) -> str:
    """The reason a pair is (or is not) a template sibling, in words."""
    return f"figures differ in {figure_subs} places, wording in {word_edits}"


def is_template_sibling(
    tokens_a: npt.NDArray[np.uint64],
    figure_a: npt.NDArray[np.bool_],
    tokens_b: npt.NDArray[np.uint64],
    figure_b: npt.NDArray[np.bool_],
) -> tuple[bool, str]:
    """Whether two similar texts differ only in their figures (see module doc)."""
    tokens = TokenArrays(
        starts=np.array([0, len(tokens_a)], dtype=np.int64),
        counts=np.array([len(tokens_a), len(tokens_b)], dtype=np.int64),
        hashes=np.concatenate([tokens_a, tokens_b]).astype(np.uint64),
        figure=np.concatenate([figure_a, figure_b]).astype(np.bool_),
    )
    one, two = np.array([0]), np.array([1])
    subs, edits, _ = alignment_counts(tokens, one, two)
    shorter = np.array([min(len(tokens_a), len(tokens_b))])
    sibling = bool(template_verdicts(subs, edits, shorter)[0])
    return sibling, template_reason(int(subs[0]), int(edits[0]))


def _toy(text: str) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """Token hashes and figure flags of one text (doctest helper)."""
    import polars as pl

    from dedup.normalize import prepare_column
    from dedup.shingle import token_arrays

    arrays = token_arrays(prepare_column(pl.Series([text])))
    return arrays.get(0)
