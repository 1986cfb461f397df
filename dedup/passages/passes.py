"""The two compiled passes over the documents, and the regions they lead to.

Pass 1 (:func:`first_pass`), per document: tokens with offsets, the repetition
statistics, the winnowed fingerprints and the hashes of its lines. The caller
runs every fingerprint and line through the Bloom filter in input order; the
ones seen before are candidates.

Pass 2 (:func:`second_pass`), per document: the same fingerprints again; around
each candidate, every word n-gram of ``min_words`` words (hash, position,
character span) goes to the exact index, and every candidate line (hash,
span) to the line index. Around means within ``window - 1`` k-grams either
side, which covers the whole repeated span: in a span of ``min_words`` words
or more, every window holds a fingerprint, so the span's first and last
n-grams lie within one window of a fingerprint.

:func:`regions` then cuts each document's n-grams that occur twice or more
into maximal runs of consecutive positions: the repeated regions.

Everything here works per document in parallel (numba ``prange`` over slabs of
documents), writing to per-document slots, so results do not depend on the
number of threads.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt

from dedup.passages.stats import doc_stats, new_scratch, span_hash
from dedup.passages.tokens import (
    L_END,
    L_LOWER,
    L_START,
    L_TERM,
    L_TOK0,
    L_TOK1,
    N_LINE_FIELDS,
    N_TOK_FIELDS,
    T_END,
    T_POST,
    T_PRE,
    T_RESUME,
    Texts,
    scan_tokens,
    tokens_of,
)
from dedup.passages.winnow import contains, kgram_hashes, winnow
from dedup.shingle import fmix64, gram_hashes

#: Tokens between two checkpoints of pass 1 (see :func:`first_pass`).
CHECKPOINT = 8

# Line hashes live in their own domain, apart from n-gram hashes.
LINE_SALT = np.uint64(0x5BD1E9955BD1E995)


@nb.njit(inline="always", cache=True)
def line_eligible(lines: npt.NDArray[np.int64], j: int, n_lines: int) -> bool:
    """Whether line *j* is a line of its own, not a piece of a wrapped sentence.

    Hard-wrapped text (newswire, e-mail) breaks sentences across lines: a line
    that starts in lower case after a line without closing punctuation
    continues it ("said."), and a line without closing punctuation followed by
    one in lower case is continued. Neither is a line an editor wrote, and
    neither is boilerplate however often it recurs.
    """
    if lines[j, L_TOK1] <= lines[j, L_TOK0]:
        return False
    if (
        j > 0
        and lines[j, L_LOWER]
        and lines[j - 1, L_START] >= 0
        and not lines[j - 1, L_TERM]
    ):
        return False
    return not (
        j + 1 < n_lines
        and not lines[j, L_TERM]
        and lines[j + 1, L_START] >= 0
        and lines[j + 1, L_LOWER]
    )


@nb.njit(inline="always", cache=True)
def line_key(
    hashes: npt.NDArray[np.uint64], lines: npt.NDArray[np.int64], j: int
) -> np.uint64:
    """Hash of line *j*'s normalised words (``gram_hash``, salted, mixed again)."""
    t0 = lines[j, L_TOK0]
    return fmix64(span_hash(hashes, t0, lines[j, L_TOK1] - t0) ^ LINE_SALT)


@nb.njit(parallel=True, cache=True)
def first_pass(
    texts: Texts,
    n_chars: npt.NDArray[np.int64],
    k: int,
    w: int,
    do_stats: bool,
    max_cap: int,
    slabs: npt.NDArray[np.int64],
    at: npt.NDArray[np.int64],
    fps: npt.NDArray[np.uint64],
    fp_pos: npt.NDArray[np.uint32],
    ck: npt.NDArray[np.uint32],
    line_hashes: npt.NDArray[np.uint64],
    line_spans: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    stats: npt.NDArray[np.float64],
) -> None:
    """Pass 1 over a batch; see the module docs.

    Thread *t* reads documents ``slabs[t]`` to ``slabs[t + 1] - 1`` in order
    and writes their records one after the other, without gaps, from
    ``at[t] = (fingerprint, checkpoint, line)``: fingerprints to ``fps`` (their
    token positions to ``fp_pos``), checkpoints to ``ck``, eligible line hashes
    to ``line_hashes`` with their (start, end, words) in ``line_spans``.
    ``counts[d]`` gets document *d*'s (tokens, fingerprints, eligible lines,
    checkpoints). Dense output keeps the copy that follows a plain slice.

    Checkpoint *j* is where a scan resumes to read token ``(j + 1) *
    CHECKPOINT`` onwards: (byte from the document's start, code point), so
    that pass two tokenises only the neighbourhood of a candidate. A text
    mapped back from its NFKC form has none (it is always scanned whole).
    """
    offsets, map_off = texts[1], texts[5]
    for t in nb.prange(len(slabs) - 1):
        toks = np.empty((max_cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.empty(max_cap, dtype=np.uint64)
        lines = np.empty((max_cap, N_LINE_FIELDS), dtype=np.int64)
        kh = np.empty(max_cap, dtype=np.uint64)
        pos = np.empty(max_cap, dtype=np.int64)
        scratch = new_scratch(2 * max_cap if do_stats else 1)
        f_at, c_at, l_at = at[t, 0], at[t, 1], at[t, 2]
        for d in range(slabs[t], slabs[t + 1]):
            n, nl = tokens_of(texts, d, toks, hashes, lines)
            if do_stats:
                doc_stats(hashes, toks, n, lines, nl, n_chars[d], scratch, stats[d])
            m = kgram_hashes(hashes, n, k, kh)
            c = winnow(kh, m, w, pos)
            for j in range(c):
                fps[f_at + j] = kh[pos[j]]
                fp_pos[f_at + j] = pos[j]
            n_ck = 0
            if map_off[d] == map_off[d + 1]:
                for e in range(CHECKPOINT - 1, n - 1, CHECKPOINT):
                    ck[c_at + n_ck, 0] = toks[e, T_RESUME] - offsets[d]
                    ck[c_at + n_ck, 1] = toks[e, T_END]
                    n_ck += 1
            c2 = 0
            for j in range(nl):
                if line_eligible(lines, j, nl):
                    line_hashes[l_at + c2] = line_key(hashes, lines, j)
                    line_spans[l_at + c2, 0] = lines[j, L_START]
                    line_spans[l_at + c2, 1] = lines[j, L_END]
                    line_spans[l_at + c2, 2] = lines[j, L_TOK1] - lines[j, L_TOK0]
                    c2 += 1
            f_at += c
            c_at += n_ck
            l_at += c2
            counts[d, 0] = n
            counts[d, 1] = c
            counts[d, 2] = c2
            counts[d, 3] = n_ck


@nb.njit(parallel=True, cache=True)
def second_pass(
    texts: Texts,
    k: int,
    w: int,
    n_words: int,
    candidates: npt.NDArray[np.uint64],
    with_lines: bool,
    max_cap: int,
    n_threads: int,
    ng_off: npt.NDArray[np.int64],
    ng: npt.NDArray[np.int64],
    ng_hash: npt.NDArray[np.uint64],
    ln_off: npt.NDArray[np.int64],
    ln: npt.NDArray[np.int64],
    ln_hash: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64],
) -> None:
    """Pass 2 over a batch; see the module docs.

    Document *d* writes n-grams (position, start, end) to ``ng[ng_off[d]:]``
    with hashes in ``ng_hash`` and candidate lines (start, end, words) to
    ``ln[ln_off[d]:]`` with hashes in ``ln_hash``; ``counts[d]`` gets how many.
    """
    n_docs = len(texts[1]) - 1
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        toks = np.empty((max_cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.empty(max_cap, dtype=np.uint64)
        lines = np.empty((max_cap, N_LINE_FIELDS), dtype=np.int64)
        kh = np.empty(max_cap, dtype=np.uint64)
        pos = np.empty(max_cap, dtype=np.int64)
        cover = np.empty(max_cap + 1, dtype=np.int64)
        gh = np.empty(max_cap, dtype=np.uint64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            n, nl = tokens_of(texts, d, toks, hashes, lines)
            m = kgram_hashes(hashes, n, k, kh)
            c = winnow(kh, m, w, pos)
            cover[: n + 1] = 0
            hit = False
            for j in range(c):
                p = pos[j]
                if contains(candidates, kh[p]):
                    hit = True
                    cover[max(0, p - (w - 1))] += 1
                    cover[min(n, p + k + w - 1)] -= 1
            out = ng_off[d]
            if hit:
                depth = 0
                run = -1
                for i in range(n + 1):
                    if i < n:
                        depth += cover[i]
                    if i < n and depth > 0:
                        if run < 0:
                            run = i
                    elif run >= 0:
                        g = gram_hashes(hashes[run:i], i - run, n_words, gh)
                        for s in range(g):
                            ng_hash[out] = gh[s]
                            ng[out, 0] = run + s
                            ng[out, 1] = toks[run + s, T_PRE]
                            ng[out, 2] = toks[run + s + n_words - 1, T_POST]
                            out += 1
                        run = -1
            counts[d, 0] = out - ng_off[d]
            out = ln_off[d]
            for j in range(nl if with_lines else 0):
                if line_eligible(lines, j, nl):
                    key = line_key(hashes, lines, j)
                    if contains(candidates, key):
                        ln_hash[out] = key
                        ln[out, 0] = lines[j, L_START]
                        ln[out, 1] = lines[j, L_END]
                        ln[out, 2] = lines[j, L_TOK1] - lines[j, L_TOK0]
                        out += 1
            counts[d, 1] = out - ln_off[d]


@nb.njit(parallel=True, cache=True)
def window_pass(
    texts: Texts,
    n_tokens: npt.NDArray[np.int64],
    fp_off: npt.NDArray[np.int64],
    fps: npt.NDArray[np.uint64],
    fp_pos: npt.NDArray[np.uint32],
    ck_off: npt.NDArray[np.int64],
    ck: npt.NDArray[np.uint32],
    k: int,
    w: int,
    n_words: int,
    candidates: npt.NDArray[np.uint64],
    max_cap: int,
    n_threads: int,
    ng_off: npt.NDArray[np.int64],
    ng: npt.NDArray[np.int64],
    ng_hash: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64],
) -> None:
    """Pass 2's n-grams from pass 1's fingerprints, positions and checkpoints.

    The same n-grams as :func:`second_pass` (without lines), but a document
    is tokenised only over the runs of tokens around its candidate
    fingerprints, each from the checkpoint before it: a repeat and its margins
    instead of the whole text.
    """
    data, offsets, classes, lower, is_lower, map_off, map0, map1 = texts
    n_docs = len(offsets) - 1
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        toks = np.empty((max_cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.empty(max_cap, dtype=np.uint64)
        lines = np.empty((max_cap, N_LINE_FIELDS), dtype=np.int64)
        gh = np.empty(max_cap, dtype=np.uint64)
        cover = np.empty(max_cap + 1, dtype=np.int64)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            n = n_tokens[d]
            out = ng_off[d]
            hit = False
            for j in range(fp_off[d], fp_off[d + 1]):
                if contains(candidates, fps[j]):
                    if not hit:
                        cover[: n + 1] = 0
                        hit = True
                    p = int(fp_pos[j])
                    cover[max(0, p - (w - 1))] += 1
                    cover[min(n, p + k + w - 1)] -= 1
            if not hit:
                counts[d] = 0
                continue
            mapped = map_off[d] < map_off[d + 1]
            m0 = map0[map_off[d] : map_off[d + 1]]
            m1 = map1[map_off[d] : map_off[d + 1]]
            depth = 0
            run = -1
            for i in range(n + 1):
                if i < n:
                    depth += cover[i]
                if i < n and depth > 0:
                    if run < 0:
                        run = i
                    continue
                if run < 0:
                    continue
                if i - run >= n_words:
                    n_ck = ck_off[d + 1] - ck_off[d]
                    c = 0 if mapped else min(run // CHECKPOINT, n_ck)
                    b0 = offsets[d]
                    ci0 = 0
                    if c > 0:
                        b0 += ck[ck_off[d] + c - 1, 0]
                        ci0 = ck[ck_off[d] + c - 1, 1]
                    t0 = c * CHECKPOINT
                    got, _ = scan_tokens(
                        data, b0, offsets[d + 1], ci0, i - t0, classes, lower,
                        is_lower, m0, m1, toks, hashes, lines,
                    )  # fmt: skip
                    a = run - t0
                    g = gram_hashes(hashes[a:got], got - a, n_words, gh)
                    for s in range(g):
                        ng_hash[out] = gh[s]
                        ng[out, 0] = run + s
                        ng[out, 1] = toks[a + s, T_PRE]
                        ng[out, 2] = toks[a + s + n_words - 1, T_POST]
                        out += 1
                run = -1
            counts[d] = out - ng_off[d]


@nb.njit(cache=True)
def regions(
    row: npt.NDArray[np.integer[Any]],
    pos: npt.NDArray[np.integer[Any]],
    start: npt.NDArray[np.integer[Any]],
    end: npt.NDArray[np.integer[Any]],
    hashes: npt.NDArray[np.uint64],
    count: npt.NDArray[np.int64],
    n_words: int,
    region_of: npt.NDArray[np.int64],
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
]:
    """Cut repeated n-grams (sorted by row, position) into maximal regions.

    Returns, per region: (row, first token, one past the last token, start,
    end) as an ``(r, 5)`` array; the count of its key; its key (the region's
    rarest n-gram, the smallest hash among equals); its number of n-grams.
    ``region_of[i]`` gets the region of n-gram *i*.
    """
    n = len(row)
    out = np.empty((n, 5), dtype=np.int64)
    key = np.empty(n, dtype=np.uint64)
    key_count = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    r = -1
    for i in range(n):
        if i == 0 or row[i] != row[i - 1] or pos[i] != pos[i - 1] + 1:
            r += 1
            out[r, 0] = row[i]
            out[r, 1] = pos[i]
            out[r, 3] = start[i]
            key[r] = hashes[i]
            key_count[r] = count[i]
            size[r] = 0
        elif count[i] < key_count[r] or (
            count[i] == key_count[r] and hashes[i] < key[r]
        ):
            key[r] = hashes[i]
            key_count[r] = count[i]
        out[r, 2] = pos[i] + n_words
        out[r, 4] = max(end[i], out[r, 4]) if size[r] else end[i]
        size[r] += 1
        region_of[i] = r
    r += 1
    return out[:r], key_count[:r], key[:r], size[:r]
