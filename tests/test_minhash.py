import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from dedup.minhash import estimate_jaccard, signature_of_hashes, signatures
from dedup.normalize import prepare_column
from dedup.shingle import shingle_sets

NUM_PERM = 128


def _pair_with_jaccard(rng: np.random.Generator, size: int, jaccard: float):
    """Two sets of random 64-bit hashes with the given Jaccard similarity."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    pool = rng.integers(0, 2**63, size=3 * size, dtype=np.uint64)
    common = pool[:shared]
    a = np.concatenate([common, pool[size : 2 * size - shared]])
    b = np.concatenate([common, pool[2 * size : 3 * size - shared]])
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    return a, b, exact


@pytest.mark.parametrize("jaccard", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_estimate_is_within_minhash_error(jaccard: float) -> None:
    rng = np.random.default_rng(7)
    errors = []
    for _ in range(40):
        a, b, exact = _pair_with_jaccard(rng, 500, jaccard)
        est = estimate_jaccard(signature_of_hashes(a), signature_of_hashes(b))
        errors.append(est - exact)
        # MinHash's estimate is a binomial proportion: sd = sqrt(J(1-J)/k).
        assert abs(est - exact) <= 4.5 * np.sqrt(exact * (1 - exact) / NUM_PERM) + 1e-9
    sd = np.sqrt(jaccard * (1 - jaccard) / NUM_PERM)
    assert abs(np.mean(errors)) < 3 * sd / np.sqrt(len(errors)) + 0.01  # unbiased
    assert np.std(errors) < 1.5 * sd


def test_estimates_agree_with_datasketch_on_the_same_shingles() -> None:
    rng = np.random.default_rng(11)
    ours, theirs = [], []
    for jaccard in (0.2, 0.4, 0.6, 0.8):
        for _ in range(15):
            a, b, exact = _pair_with_jaccard(rng, 400, jaccard)
            ours.append(
                estimate_jaccard(signature_of_hashes(a), signature_of_hashes(b)) - exact
            )
            ma, mb = MinHash(num_perm=NUM_PERM), MinHash(num_perm=NUM_PERM)
            ma.update_batch([x.tobytes() for x in a])
            mb.update_batch([x.tobytes() for x in b])
            theirs.append(ma.jaccard(mb) - exact)
    # Same accuracy as the reference implementation: errors of the same size.
    rmse_ours = float(np.sqrt(np.mean(np.square(ours))))
    rmse_theirs = float(np.sqrt(np.mean(np.square(theirs))))
    assert rmse_ours < 1.4 * rmse_theirs + 0.005
    assert rmse_ours < 0.06


def test_text_estimate_tracks_exact_jaccard() -> None:
    words = [f"w{i}" for i in range(400)]
    base = " ".join(words)
    edited = " ".join(words[:300] + [f"x{i}" for i in range(100)])
    texts = pl.Series([base, edited])
    sig = signatures(texts)
    sets = shingle_sets(prepare_column(texts), "word", 5)
    a, b = sets.get(0), sets.get(1)
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    assert abs(estimate_jaccard(sig.values[0], sig.values[1]) - exact) < 0.15


@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=20))
def test_signatures_do_not_depend_on_batching(texts: list[str]) -> None:
    whole = signatures(pl.Series(texts, dtype=pl.String))
    for i, text in enumerate(texts):
        single = signatures(pl.Series([text], dtype=pl.String))
        assert (single.values[0] == whole.values[i]).all()
        assert single.whole_hash[0] == whole.whole_hash[i]


def test_short_text_has_no_shingles_but_a_whole_hash() -> None:
    sig = signatures(pl.Series(["too short", "Too   SHORT!"]))
    assert sig.n_shingles.tolist() == [0, 0]
    assert sig.n_items.tolist() == [2, 2]
    assert sig.whole_hash[0] == sig.whole_hash[1] != 0
    assert (sig.values == 0xFFFFFFFF).all()


def test_char_shingles_for_text_without_spaces() -> None:
    sig = signatures(
        pl.Series(["北京欢迎你来访问", "北京欢迎你来访问"]), kind="char", n=3
    )
    assert sig.n_shingles.tolist() == [6, 6]
    assert (sig.values[0] == sig.values[1]).all()
