"""The benchmark corpus generator: reproducible, truthful, edits as stated.

These use the bundled fallback text (words of seeds/), so they run without the
shared data; one test checks the Reuters-built pool when the data is there.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SHARED_DATA

if str(ROOT) not in sys.path:  # benchmarks/ is a package at the repo root
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus, scoring
from benchmarks.shards import ShardsSource
from dedup.normalize import tokens
from dedup.pipeline import scan


@pytest.fixture(scope="module")
def pool() -> corpus.Pool:
    return corpus._fallback_pool(corpus._seed_paragraphs())


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, pool: corpus.Pool) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "c"
    spec = corpus.Spec(docs=600, seed=3, spread=200, shard_docs=250)
    corpus.generate(spec, out, pool, quiet=True, jobs=1)
    return out


def _frame(out: Path, what: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in corpus.shards(out, what)])


def test_same_seed_same_corpus(small: Path, pool: corpus.Pool, tmp_path: Path) -> None:
    spec = corpus.Spec(docs=600, seed=3, spread=200, shard_docs=250)
    corpus.generate(spec, tmp_path / "again", pool, quiet=True, jobs=2)
    for what in ("docs", "truth"):
        a, b = corpus.shards(small, what), corpus.shards(tmp_path / "again", what)
        assert [p.name for p in a] == [p.name for p in b] == [
            "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"
        ]  # fmt: skip
        for x, y in zip(a, b, strict=True):
            assert pq.read_table(x).equals(pq.read_table(y))
    other = corpus.Spec(docs=100, seed=4, spread=200, shard_docs=250)
    docs, _ = corpus.shard_tables(other, pool, 0)
    assert (
        docs.column("text").to_pylist() != _frame(small, "docs")["text"][:100].to_list()
    )


def test_prefix_of_a_bigger_corpus_is_the_smaller_one(pool: corpus.Pool) -> None:
    a = corpus.Spec(docs=120, seed=3, spread=200, shard_docs=250)
    b = corpus.Spec(docs=300, seed=3, spread=200, shard_docs=250)
    ta = corpus.shard_tables(a, pool, 0)[0]
    tb = corpus.shard_tables(b, pool, 0)[0].slice(0, 120)
    assert ta.equals(tb)


def test_truth_matches_the_shards(small: Path) -> None:
    docs, truth = _frame(small, "docs"), _frame(small, "truth")
    assert docs["doc_id"].to_list() == truth["doc_id"].to_list()
    assert docs["doc_id"].n_unique() == 600
    originals = truth.filter(pl.col("kind") == corpus.ORIGINAL)
    copies = truth.filter(pl.col("kind") != corpus.ORIGINAL)
    assert (originals["cluster"] == originals["doc_id"]).all()
    assert originals["source"].null_count() == originals.height
    # Every copy points to an earlier original, and that is its cluster.
    assert (copies["source"] == copies["cluster"]).all()
    assert (copies["source"] < copies["doc_id"]).all()
    assert set(copies["source"]) <= set(originals["doc_id"])
    share = copies.height / truth.height
    assert 0.2 < share < 0.4  # dup_share 0.3
    assert set(copies["kind"]) <= set(corpus.KINDS)
    for kind, rate in copies.select("kind", "rate").iter_rows():
        assert rate in corpus.KINDS[kind]
    manifest = (small / "manifest.json").read_text()
    assert f'"copies": {copies.height}' in manifest


def test_a_copy_is_its_original_edited(small: Path, pool: corpus.Pool) -> None:
    spec = corpus.Spec(docs=600, seed=3, spread=200, shard_docs=250)
    docs = dict(_frame(small, "docs").select("doc_id", "text").iter_rows())
    truth = _frame(small, "truth").filter(pl.col("kind") == "truncate")
    assert truth.height
    for doc_id, src, rate in truth.select("doc_id", "source", "rate").iter_rows():
        copy, orig = docs[doc_id], docs[src]
        assert orig == corpus.original(spec, pool, int(src[1:])).text()
        # A truncated copy is a prefix of its original, shorter by ~rate.
        assert orig.startswith(copy.rsplit(" ", 1)[0])
        kept = len(copy.split("\n\n", 1)[1].split())
        body = len(orig.split("\n\n", 1)[1].split())
        assert abs(kept / body - (1 - rate)) < 0.02


def _article(pool: corpus.Pool, pos: int = 5) -> corpus.Article:
    return corpus.original(corpus.Spec(docs=10, seed=9), pool, pos)


@pytest.mark.parametrize("rate", [0.05, 0.2])
def test_word_edits_touch_the_stated_share(pool: corpus.Pool, rate: float) -> None:
    touched = []
    for pos in range(40):
        art = _article(pool, pos)
        touched.append(corpus.plant(random.Random(pos), art, "word_edit", rate, pool))
    mean = sum(touched) / len(touched)
    assert abs(mean - rate) < 0.25 * rate


def test_paragraph_edits(pool: corpus.Pool) -> None:
    base = _article(pool)
    n = len(base.paragraphs)
    rng = random.Random(1)

    art = _article(pool)
    corpus.plant(rng, art, "para_delete", 0.3, pool)
    assert len(art.paragraphs) == n - round(0.3 * n)
    assert set(art.paragraphs) < set(base.paragraphs)

    art = _article(pool)
    corpus.plant(rng, art, "para_reorder", 0.5, pool)
    assert Counter(art.paragraphs) == Counter(base.paragraphs)
    assert art.paragraphs != base.paragraphs

    art = _article(pool)
    added = corpus.plant(rng, art, "para_insert", 0.3, pool)
    assert len(art.paragraphs) > n and 0.3 <= added < 0.45
    kept = [p for p in art.paragraphs if p in base.paragraphs]
    assert kept == base.paragraphs  # the old ones, in their order


def test_additions_at_the_ends(pool: corpus.Pool) -> None:
    base = _article(pool)
    body = "\n\n".join(base.paragraphs)
    rng = random.Random(2)
    for kind, rate in (("comments", 0.3), ("boilerplate", 0.3), ("syndication", 0.06)):
        art = _article(pool)
        added = corpus.plant(rng, art, kind, rate, pool)
        text = art.text()
        assert body in text and art.headline == base.headline
        extra = len(text.split()) - len(base.text().split())
        assert extra / base.words() == pytest.approx(added, abs=0.01)
        assert rate * 0.9 <= added <= rate + 0.3, kind

    art = _article(pool)
    corpus.plant(rng, art, "headline", 1.0, pool)
    assert art.headline != base.headline and art.paragraphs == base.paragraphs


def test_originals_are_not_near_duplicates(pool: corpus.Pool) -> None:
    spec = corpus.Spec(docs=2000, seed=3)
    worst, mean = corpus.accidental_overlap(spec, pool, sample=60)
    assert worst < 0.2 and mean < 0.01


def test_tiny_end_to_end_accuracy(small: Path) -> None:
    """dedup finds the light edits and links no originals (a check that can fail)."""
    result = scan(ShardsSource(corpus.shards(small)))
    pred = result.docs.select("doc_id", pl.col("cluster_id").alias("pred"))
    frame = scoring.labelled(_frame(small, "truth"), pred)
    score = scoring.overall(frame)
    assert score.precision > 0.95
    kinds = scoring.by_kind(frame)
    easy = kinds.filter(
        pl.col("kind").is_in(["truncate", "para_delete", "headline", "syndication"])
        & (pl.col("rate") <= 0.5)
    )
    assert easy.height and (easy["recall"] >= 0.9).all(), easy
    hard = kinds.filter((pl.col("kind") == "word_edit") & (pl.col("rate") == 0.3))
    assert hard.is_empty() or hard["recall"].item() < 0.5  # 5-grams do not survive
    originals = frame.filter(pl.col("kind") == corpus.ORIGINAL)
    assert originals["pred"].n_unique() == originals.height


@pytest.mark.shared_data
def test_reuters_pool() -> None:
    if not (SHARED_DATA / "reuters21578").is_dir():
        pytest.skip("needs ../shared/data/reuters21578")
    pool = corpus.load_pool(SHARED_DATA)
    assert pool.source.startswith("Reuters-21578")
    assert len(pool.paragraphs) > 50_000
    assert all(len(p.split()) >= 8 for p in pool.paragraphs[:1000])
    assert not any(t.endswith(" Reuter") for t in pool.paragraphs[:1000])
    sample = _article(pool).text()
    assert len(tokens(sample)) > 400
