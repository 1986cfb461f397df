"""The verification stage: candidate pairs checked one bounded chunk at a time.

Candidate pairs (sorted by their first row, as LSH gives them) are cut into
chunks whose documents' texts, shingle sets and tokens fit in
:data:`CHUNK_BYTES`. For each chunk the texts are read back from the
:class:`~dedup.textstore.TextStore`, each document's shingle set is built once,
and every pair gets its exact overlap and Jaccard (:func:`dedup.verify.overlap`).
Pairs that may be duplicates are then aligned word by word
(:func:`dedup.verify.alignment_counts`): long pairs below the overlap threshold
for the edited-copy rule (``ScanConfig.edit_similarity``), and every
non-identical duplicate for the template check. Memory is a chunk's, whatever
the corpus size; duplicates that sit near each other in the input (reprints a
few thousand articles apart) share a chunk, so a document is usually read once
or twice.

    >>> import numpy as np, polars as pl
    >>> from dedup.config import ScanConfig
    >>> from dedup.textstore import TextStore
    >>> text = "the quick brown fox jumps over the lazy dog near the river bank"
    >>> with TextStore() as store:
    ...     store.append(np.array([0, 1]), pl.Series([text, text + " today"]))
    ...     sim, jac = similarities(store, np.array([9, 10]), np.array([0]),
    ...                             np.array([1]), ScanConfig())
    >>> float(sim[0]), round(float(jac[0]), 2)
    (1.0, 0.9)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.config import ScanConfig
from dedup.numeric import sorted_unique
from dedup.schema import (
    JACCARD,
    REASON,
    RELATION,
    RELATION_DUPLICATE,
    RELATION_TEMPLATE,
    SIMILARITY,
)
from dedup.shingle import ShingleSets, TokenArrays, sets_of_buffers, tokens_of_buffers
from dedup.textstore import TextStore, compact
from dedup.verify import (
    LONG_TEXT,
    alignment_counts,
    overlap,
    template_reason,
    template_verdicts,
    word_similarity,
)

#: Bytes of text and token arrays a chunk of pairs may bring into memory.
CHUNK_BYTES = 256 * 2**20
#: Bytes a document costs in a chunk per shingle: about 6 of text, 8 of its
#: shingle set, and 9 (hash and figure flag) per token for the template check.
_BYTES_PER_ITEM = 23

#: Pairs below the overlap threshold are aligned when their overlap reaches
#: this share of ``edit_similarity ** ngram`` (see :func:`_worth_aligning`).
EDIT_FLOOR_SHARE = 0.8

#: Word edits an edited copy below the overlap threshold has at least for
#: each changed figure (see :func:`_judge`).
WORD_EDITS_PER_FIGURE = 4

#: Most pairs in one chunk (bounds the work of finding a chunk's end).
_MAX_CHUNK_PAIRS = 1_000_000

#: (stage, done, total) progress callback, as :data:`dedup.pipeline.ProgressFn`.
Report = Callable[[str, int, int | None], None]

PAIRS_COLUMNS = {
    "row_a": pl.Int64,
    "row_b": pl.Int64,
    SIMILARITY: pl.Float64,
    JACCARD: pl.Float64,
    RELATION: pl.String,
    REASON: pl.String,
}


def chunks(
    rows_a: npt.NDArray[np.int64],
    rows_b: npt.NDArray[np.int64],
    cost: npt.NDArray[np.int64],
    budget: int,
) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of pairs whose distinct documents cost at most *budget*.

    *cost* is each row's cost. A range always holds at least one pair.

        >>> list(chunks(np.array([0, 0, 1]), np.array([1, 2, 2]),
        ...             np.array([5, 5, 5]), 10))
        [(0, 1), (1, 2), (2, 3)]
    """
    n = len(rows_a)
    refs = np.empty(2 * n, dtype=np.int64)
    refs[0::2], refs[1::2] = rows_a, rows_b
    # prev[i]: the last position before i that names the same document.
    order = np.argsort(refs, kind="stable")
    prev = np.full(2 * n, -1, dtype=np.int64)
    same = refs[order[1:]] == refs[order[:-1]]
    prev[order[1:][same]] = order[:-1][same]
    lo, step = 0, 4096
    while lo < n:
        hi = min(n, lo + step)
        window = slice(2 * lo, 2 * hi)
        # A reference costs its document when it is the chunk's first one.
        first = prev[window] < 2 * lo
        spent = np.cumsum(np.where(first, cost[refs[window]], 0))
        # Pair i (0-based in the window) fits when spent[2i + 1] <= budget.
        fits = int(np.searchsorted(spent[1::2], budget, side="right"))
        if fits == hi - lo and hi < n and step < _MAX_CHUNK_PAIRS:
            step *= 2  # the whole window fits: look further before cutting
            continue
        hi = lo + max(fits, 1)
        yield lo, hi
        lo, step = hi, max(4096, 2 * (hi - lo))


def _distinct(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Sorted distinct values of *a* and *b*."""
    return sorted_unique(np.concatenate([a, b]))


def _chunk_sets(
    store: TextStore,
    involved: npt.NDArray[np.int64],
    n_shingles: npt.NDArray[np.int64],
    config: ScanConfig,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], ShingleSets]:
    """Texts (data, offsets) and shingle sets of the *involved* rows."""
    data, offsets = store.gather(involved)
    kind = config.shingle
    sets = sets_of_buffers(data, offsets, kind, config.ngram, n_shingles[involved])  # type: ignore[arg-type]
    return data, offsets, sets


def _chunk_cost(n_shingles: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """What each document costs in a chunk: text, shingle set, tokens."""
    return n_shingles * _BYTES_PER_ITEM


def verify_pairs(
    store: TextStore,
    whole: npt.NDArray[np.uint64],
    n_shingles: npt.NDArray[np.int64],
    rows_a: npt.NDArray[np.int64],
    rows_b: npt.NDArray[np.int64],
    config: ScanConfig,
    report: Report,
) -> pl.DataFrame:
    """Verified pairs (row_a, row_b, similarity, jaccard, relation, reason).

    *whole* and *n_shingles* are indexed by row: the hash of each normalised
    text and its shingle count (with repeats) from the signature pass.
    """
    parts: list[pl.DataFrame] = []
    for lo, hi in chunks(rows_a, rows_b, _chunk_cost(n_shingles), CHUNK_BYTES):
        a, b = rows_a[lo:hi], rows_b[lo:hi]
        involved = _distinct(a, b)
        data, offsets, sets = _chunk_sets(store, involved, n_shingles, config)
        la, lb = np.searchsorted(involved, a), np.searchsorted(involved, b)
        sim, jac = overlap(sets, la, lb)
        del sets
        # A word shingle starts at each token but the last n - 1.
        word = config.shingle == "word"
        n_tokens = n_shingles[involved] + (config.ngram - 1) if word else None
        by_shingles = (sim >= config.threshold) & (jac >= config.min_jaccard)
        near = ~by_shingles & _worth_aligning(sim, n_shingles[a], n_shingles[b], config)
        pick = np.flatnonzero(by_shingles | near)
        parts.append(
            _judge(
                a[pick],
                b[pick],
                sim[pick],
                jac[pick],
                near[pick],
                whole,
                data,
                offsets,
                n_tokens,
                la[pick],
                lb[pick],
                config,
            )
        )
        report("verification", hi, len(rows_a))
    if not parts:
        return pl.DataFrame(schema=PAIRS_COLUMNS)
    return pl.concat(parts)


def _alignment_rule(
    shingles_a: npt.NDArray[np.int64],
    shingles_b: npt.NDArray[np.int64],
    config: ScanConfig,
) -> tuple[float, npt.NDArray[np.bool_]]:
    """(overlap floor, pairs it applies to) of the edited-copy rule.

    The rule applies to pairs of long texts (both at least
    :data:`dedup.verify.LONG_TEXT` tokens) when it is on (word shingles,
    ``config.edit_similarity`` above 0). When a share *s* of the words survive
    scattered edits, about ``s ** n`` of the word n-grams do; pairs far below
    that cannot reach *s*, hence the floor.
    """
    if config.edit_similarity <= 0 or config.shingle != "word":
        return 1.0, np.zeros(len(shingles_a), dtype=np.bool_)
    floor = EDIT_FLOOR_SHARE * config.edit_similarity**config.ngram
    long_a = shingles_a + config.ngram - 1 >= LONG_TEXT
    long_b = shingles_b + config.ngram - 1 >= LONG_TEXT
    both: npt.NDArray[np.bool_] = long_a & long_b
    return floor, both


def _worth_aligning(
    sim: npt.NDArray[np.float64],
    shingles_a: npt.NDArray[np.int64],
    shingles_b: npt.NDArray[np.int64],
    config: ScanConfig,
) -> npt.NDArray[np.bool_]:
    """Pairs below the overlap threshold worth a word alignment.

    The alignment may still call them edited copies
    (``config.edit_similarity``) when both texts are long and they share
    enough shingles for that share of aligned words to be possible
    (:func:`_alignment_rule`); the others are not aligned (alignment costs
    some 20 µs a pair).
    """
    floor, applies = _alignment_rule(shingles_a, shingles_b, config)
    out: npt.NDArray[np.bool_] = (sim >= floor) & applies
    return out


def lowest_jaccard(
    shingles_a: npt.NDArray[np.int64],
    shingles_b: npt.NDArray[np.int64],
    config: ScanConfig,
) -> npt.NDArray[np.float64]:
    """The lowest Jaccard at which :func:`verify_pairs` can accept each pair.

    A pair needs an overlap ``|A ∩ B| / min`` of at least *t* (the threshold,
    or the floor of the edited-copy rule, :func:`_alignment_rule`), so
    its Jaccard is at least ``t * small / ((1 - t) * small + large)``; above
    the threshold it also needs ``config.min_jaccard``. The sizes are shingle
    counts with repeats, which the distinct counts verification uses can only
    undercut for texts that repeat themselves. :mod:`dedup.agreement` drops
    candidates whose signatures agree too rarely for that Jaccard.

    >>> from dedup.config import ScanConfig
    >>> lowest_jaccard(np.array([500, 50]), np.array([500, 500]),
    ...                ScanConfig()).round(3).tolist()
    [0.105, 0.2]
    """
    small = np.minimum(shingles_a, shingles_b).astype(np.float64)
    large = np.maximum(shingles_a, shingles_b).astype(np.float64)

    def at_overlap(t: float) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = (
            t * small / np.maximum((1.0 - t) * small + large, 1.0)
        )
        return out

    lowest = np.maximum(at_overlap(config.threshold), config.min_jaccard)
    floor, applies = _alignment_rule(shingles_a, shingles_b, config)
    out: npt.NDArray[np.float64] = np.where(
        applies, np.minimum(lowest, at_overlap(floor)), lowest
    )
    return out


def _tokens_of_pairs(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    n_tokens: npt.NDArray[np.int64] | None,
    la: npt.NDArray[np.int64],
    lb: npt.NDArray[np.int64],
) -> tuple[TokenArrays, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Word tokens of the documents of the pairs (la, lb) of a chunk.

    Returns the tokens and each pair's two indices into them. Only the
    documents of pairs that need an alignment are tokenised. *n_tokens*, each
    chunk document's token count when known, sizes the arrays exactly.
    """
    docs = _distinct(la, lb)
    sub, sub_offsets = compact(data, offsets[:-1][docs], np.diff(offsets)[docs])
    counts = None if n_tokens is None else n_tokens[docs]
    tokens = tokens_of_buffers(sub, sub_offsets, counts)
    return tokens, np.searchsorted(docs, la), np.searchsorted(docs, lb)


def _judge(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    sim: npt.NDArray[np.float64],
    jac: npt.NDArray[np.float64],
    near: npt.NDArray[np.bool_],
    whole: npt.NDArray[np.uint64],
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    n_tokens: npt.NDArray[np.int64] | None,
    la: npt.NDArray[np.int64],
    lb: npt.NDArray[np.int64],
    config: ScanConfig,
) -> pl.DataFrame:
    """Relation and reason of a chunk's pairs that may be duplicates.

    Pairs above the shingle thresholds are duplicates; the *near* ones only if
    their words align (``config.edit_similarity``). Both then get the template
    check unless their texts are identical. *la*, *lb* index the chunk's
    texts (*data*, *offsets*; *n_tokens*: their token counts, if known).
    """
    identical = whole[a] == whole[b]
    align = np.flatnonzero(near | (~identical & config.template_check))
    tokens, ta, tb = _tokens_of_pairs(data, offsets, n_tokens, la[align], lb[align])
    subs, edits, distance = alignment_counts(tokens, ta, tb)
    words = np.ones(len(a))
    words[align] = word_similarity(distance, tokens.counts[ta], tokens.counts[tb])
    # An edited copy keeps its facts: a rewrite changes words and copies the
    # figures (a figure is touched about as often as any word: one change in
    # ten), while a recurring report (next month's edition) changes mostly
    # figures and the words around them. Below the overlap threshold, a pair
    # with a changed figure for fewer than WORD_EDITS_PER_FIGURE word edits is
    # such a report, however well its words align.
    facts_kept = np.ones(len(a), dtype=np.bool_)
    facts_kept[align] = subs * WORD_EDITS_PER_FIGURE <= edits
    keep = ~near | ((words >= config.edit_similarity) & facts_kept)
    reason = np.array(
        [
            duplicate_reason(s, j, i, w if n else None)
            for s, j, i, w, n in zip(
                sim.tolist(),
                jac.tolist(),
                identical.tolist(),
                words.tolist(),
                near.tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    relation = np.full(len(a), RELATION_DUPLICATE, dtype=object)
    if config.template_check:
        shorter = np.minimum(tokens.counts[ta], tokens.counts[tb])
        for k in np.flatnonzero(template_verdicts(subs, edits, shorter)):
            i = align[k]
            relation[i] = RELATION_TEMPLATE
            reason[i] = "template sibling: " + template_reason(
                int(subs[k]), int(edits[k])
            )
    return pl.DataFrame(
        {
            "row_a": a[keep],
            "row_b": b[keep],
            SIMILARITY: sim[keep],
            JACCARD: jac[keep],
            RELATION: relation[keep].astype(str).tolist(),
            REASON: reason[keep].astype(str).tolist(),
        },
        schema=PAIRS_COLUMNS,
    )


def duplicate_reason(
    sim: float, jac: float, identical: bool, words: float | None = None
) -> str:
    """Why a pair is a duplicate, in words (*words*: aligned share, if used)."""
    if words is not None:
        return (
            f"edited copy: {words:.0%} of words aligned in order "
            f"({sim:.0%} of shingles shared: scattered word edits)"
        )
    if identical:
        return "identical after normalisation"
    if sim >= 0.9 and jac < 0.8 * sim:
        return f"shorter text {sim:.0%} inside the longer (truncated or extended copy)"
    return f"edited copy: {sim:.0%} of shingles shared"


def similarities(
    store: TextStore,
    n_shingles: npt.NDArray[np.int64],
    rows_a: npt.NDArray[np.int64],
    rows_b: npt.NDArray[np.int64],
    config: ScanConfig,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(overlap, Jaccard) of any pairs of stored rows, chunk by chunk."""
    sim = np.zeros(len(rows_a))
    jac = np.zeros(len(rows_a))
    for lo, hi in chunks(rows_a, rows_b, _chunk_cost(n_shingles), CHUNK_BYTES):
        a, b = rows_a[lo:hi], rows_b[lo:hi]
        involved = _distinct(a, b)
        _, _, sets = _chunk_sets(store, involved, n_shingles, config)
        la, lb = np.searchsorted(involved, a), np.searchsorted(involved, b)
        sim[lo:hi], jac[lo:hi] = overlap(sets, la, lb)
    return sim, jac
