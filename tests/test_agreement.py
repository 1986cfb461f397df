"""Candidates dropped on signature agreement (dedup.agreement)."""

import random

import numpy as np
import polars as pl
import pytest
from corpus import article, edit_words

from dedup import scan_frame
from dedup.agreement import agreements, min_agreements, plausible, sketch
from dedup.config import ScanConfig
from dedup.errors import ConfigError
from dedup.verify_stage import lowest_jaccard


@pytest.fixture(scope="module")
def copies() -> pl.DataFrame:
    """Originals and copies at every kind of edit verification rules on."""
    rng = random.Random(5)
    rows: dict[str, str] = {}
    for i in range(6):
        base = article(rng, 400 + 60 * i)
        paras = base.split("\n\n")
        rows[f"o{i}"] = base
        for rate in (0.02, 0.1, 0.2, 0.3):
            rows[f"o{i}-edit{rate}"] = edit_words(rng, base, rate)
        for keep in (1, 2, 4):
            rows[f"o{i}-first{keep}"] = "\n\n".join(paras[:keep])
        rows[f"o{i}-longer"] = base + "\n\n" + article(rng, 300 + 100 * i)
    return pl.DataFrame({"doc_id": list(rows), "text": list(rows.values())})


def test_no_accepted_pair_is_below_its_lowest_jaccard(copies) -> None:
    # The bound the filter leans on: whatever rule accepts a pair (overlap
    # threshold, or word alignment of two long texts), its Jaccard is at
    # least lowest_jaccard of the two sizes. These texts repeat no 5-gram, so
    # the shingle counts are the distinct counts.
    result = scan_frame(copies, ScanConfig(agreement_alpha=0))
    assert result.pairs.height > 50
    assert "words aligned in order" in " ".join(result.pairs["reason"].to_list())
    n = dict(
        zip(
            result.docs["doc_id"].to_list(),
            (result.docs["n_tokens"] - 4).to_list(),
            strict=True,
        )
    )
    pairs = result.pairs
    n_a = np.array([n[d] for d in pairs["doc_id_a"].to_list()])
    n_b = np.array([n[d] for d in pairs["doc_id_b"].to_list()])
    lowest = lowest_jaccard(n_a, n_b, ScanConfig())
    assert (pairs["jaccard"].to_numpy() >= lowest - 1e-12).all()


def test_the_filter_changes_no_verified_pair(copies) -> None:
    rng = random.Random(8)
    # Unrelated articles sharing one stock line: chance band collisions.
    line = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(30))
    extra = {f"u{i}": article(rng, 600) + "\n\n" + line for i in range(80)}
    frame = pl.concat(
        [copies, pl.DataFrame({"doc_id": list(extra), "text": list(extra.values())})]
    )
    full = scan_frame(frame, ScanConfig(agreement_alpha=0))
    fast = scan_frame(frame)
    assert full.stats.dropped_on_agreement == 0
    assert fast.stats.dropped_on_agreement > 0
    assert fast.stats.candidates == full.stats.candidates
    assert fast.pairs.equals(full.pairs)
    assert fast.docs.equals(full.docs)


def test_a_pair_at_its_lowest_jaccard_is_dropped_at_most_alpha_of_the_time() -> None:
    rng = np.random.default_rng(1)
    k, n = 128, 200_000
    for jac, alpha in ((0.1, 1e-3), (0.2, 1e-2), (0.05, 1e-2)):
        # Sketch bytes agree where the permutation's minimum is shared, and by
        # chance (one in 256) elsewhere.
        a = rng.integers(0, 256, size=(n, k), dtype=np.uint8)
        b = rng.integers(0, 256, size=(n, k), dtype=np.uint8)
        shared = rng.random((n, k)) < jac
        b[shared] = a[shared]
        sk = np.concatenate([a, b])
        rows = np.arange(n)
        keep = plausible(sk, rows, rows + n, np.full(n, jac), alpha)
        assert 1.0 - keep.mean() <= alpha * 1.15


def test_thresholds_rise_with_the_similarity_and_fall_with_alpha() -> None:
    grid = np.linspace(0, 1, 101)
    strict = min_agreements(grid, 128, 1e-2)
    loose = min_agreements(grid, 128, 1e-4)
    assert (np.diff(strict) >= 0).all() and (np.diff(loose) >= 0).all()
    assert (loose <= strict).all()
    assert strict[-1] == 128  # identical texts have identical signatures


def test_alpha_zero_keeps_every_pair() -> None:
    sk = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    assert plausible(sk, np.array([0]), np.array([1]), np.array([0.9]), 0).all()


def test_sketch_is_the_low_byte_of_each_value() -> None:
    values = np.array([[0xABCDEF12, 7], [0x12, 0xFFFFFFFF]], dtype=np.uint32)
    assert sketch(values).tolist() == [[0x12, 7], [0x12, 0xFF]]
    assert agreements(sketch(values), np.array([0]), np.array([1])).tolist() == [1]


def test_alpha_is_validated() -> None:
    with pytest.raises(ConfigError, match="agreement_alpha"):
        ScanConfig(agreement_alpha=0.7)
