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


def _feature(texts: list[str], name: str) -> list[float]:
    import polars as pl

    from dedup.farm.features import FEATURE_NAMES, extract
    from dedup.farm.model import load_bundled

    batch = extract(pl.Series(texts), load_bundled().resources)
    return batch.values[:, FEATURE_NAMES.index(name)].tolist()  # type: ignore[no-any-return]


def test_a_label_that_is_all_phrase_counts_as_full_cover() -> None:
    # "Also read » <headline>": the label is all phrase, the headline it names
    # is no evidence either way, so the line counts as covered.
    text = (
        "The council voted on the budget on Tuesday.\n\n"
        "Also read » Bank issues new notes to cover the deficit\n\n"
        "Officials also read the report closely before the vote."
    )
    cover = _feature([text], "phrase_cover")
    label = _feature([text], "phrase_label")
    assert label == [0.0, 1.0, 0.0]
    assert cover[1] == 1.0
    assert cover[2] < 0.5


def test_an_editors_note_that_discloses_ai_use_is_not_protected() -> None:
    text = (
        "Editor's note: This story was updated to correct the name of the mayor.\n\n"
        "Disclosure: This story was produced with AI-powered tools.\n\n"
        "The mayor said the vote would go ahead."
    )
    assert _feature([text], "editor_note") == [1.0, 0.0, 0.0]
