from __future__ import annotations

import numpy as np

from dedup.farm.features import _within_docs


def test_within_docs_equals_sorting_the_batch_by_article() -> None:
    # The per-article kernel against the batch-wide lexsort it replaced.
    rng = np.random.default_rng(3)
    counts = np.array([0, 1, 2, 5, 8, 0, 13])
    doc_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n = int(doc_start[-1])
    doc = np.repeat(np.arange(len(counts)), counts)
    coh = rng.choice([-1.0, 0.0, 0.25, 0.5, 0.9], size=n)
    hashes = rng.integers(0, 4, size=n).astype(np.uint64) * np.uint64(2**61)

    order = np.lexsort((coh, doc))
    want_med = np.zeros(len(counts))
    has = counts > 0
    want_med[has] = coh[order[(doc_start[:-1] + counts // 2)[has]]]
    key = np.lexsort((hashes, doc))
    new = np.ones(n, dtype=bool)
    new[1:] = (doc[key][1:] != doc[key][:-1]) | (hashes[key][1:] != hashes[key][:-1])
    group = np.cumsum(new) - 1
    want_reps = np.empty(n)
    want_reps[key] = np.bincount(group)[group] - 1

    med, reps = _within_docs(doc_start, coh, hashes)
    assert np.array_equal(med, want_med)
    assert np.array_equal(reps, want_reps)
