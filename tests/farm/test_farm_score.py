from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from farm_helpers import seed_frame
from polars.testing import assert_frame_equal

from dedup.arrow import string_buffers
from dedup.errors import ConfigError, SchemaError
from dedup.farm import FarmConfig, FarmWriter, render, score_articles, score_frame
from dedup.farm.report import FORMATS, summary_lines
from dedup.farm.score import FAMILY_WEIGHT, _compression, _kinds, farm_score
from dedup.pipeline import FrameSource
from dedup.schema import FARM_DOCS_SCHEMA, FARM_PARAGRAPHS_SCHEMA


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.0}, "threshold"),
        ({"reason_features": 0}, "reason_features"),
        ({"paragraphs": "some"}, "paragraphs"),
        ({"params": "/nonexistent/model"}, "params"),
    ],
)
def test_config_errors_name_the_parameter(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be .*; got .*\. "):
        FarmConfig(**kwargs)  # type: ignore[arg-type]


def test_output_columns_and_offsets() -> None:
    frame = seed_frame()
    result = score_frame(frame)
    assert result.paragraphs.schema == pl.Schema(FARM_PARAGRAPHS_SCHEMA)
    assert dict(result.docs.schema) == FARM_DOCS_SCHEMA
    texts = dict(frame.iter_rows())
    for doc, start, end, text in result.paragraphs.select(
        "doc_id", "start", "end", "text"
    ).iter_rows():
        assert texts[doc][start:end] == text
    scores = result.docs["farm_score"]
    assert scores.min() >= 0 and scores.max() <= 1  # type: ignore[operator]
    flagged = result.paragraphs.filter(pl.col("is_filler"))
    assert flagged["reason"].null_count() == 0
    assert result.paragraphs.filter(~pl.col("is_filler"))["reason"].null_count() == (
        result.paragraphs.height - flagged.height
    )


def test_article_counts_agree_with_the_paragraphs() -> None:
    # The article statistics sum over the flagged paragraphs only.
    frame = pl.concat([seed_frame(), pl.DataFrame({"doc_id": ["e"], "text": [""]})])
    result = score_frame(frame)
    per_doc = result.paragraphs.group_by("doc_id").agg(
        pl.len().cast(pl.UInt32).alias("want_paragraphs"),
        pl.col("is_filler").sum().cast(pl.UInt32).alias("want_filler"),
    )
    docs = result.docs.join(per_doc, on="doc_id", how="left").fill_null(0)
    assert (docs["n_paragraphs"] == docs["want_paragraphs"]).all()
    assert (docs["n_filler"] == docs["want_filler"]).all()
    assert ((docs["n_filler"] > 0) == (docs["filler_fraction"] > 0)).all()
    assert docs.filter(pl.col("n_filler") == 0)["top_reasons"].list.len().max() == 0


def test_same_input_same_output_whatever_the_batch_size() -> None:
    frame = seed_frame()
    one = score_articles(FrameSource(frame, batch_size=1))
    all_ = score_articles(FrameSource(frame, batch_size=100))
    assert_frame_equal(one.paragraphs, all_.paragraphs)
    assert_frame_equal(one.docs, all_.docs)


def test_bad_records_are_quarantined_not_fatal() -> None:
    frame = pl.DataFrame(
        {"doc_id": ["a", "b", "a", None], "text": ["Fine text.", "  ", "dup", "x"]}
    )
    result = score_frame(frame)
    assert result.docs["doc_id"].to_list() == ["a"]
    assert sorted(q.reason for q in result.quarantine) == [
        "duplicate doc_id 'a'",
        "empty text",
        "missing doc_id",
    ]
    assert result.stats.quarantined == 3


def test_missing_columns_are_named() -> None:
    with pytest.raises(SchemaError, match="text"):
        score_frame(pl.DataFrame({"doc_id": ["a"]}))


def test_empty_input() -> None:
    result = score_frame(
        pl.DataFrame(
            {"doc_id": [], "text": []}, schema={"doc_id": pl.String, "text": pl.String}
        )
    )
    assert result.docs.height == 0 and result.paragraphs.height == 0
    for fmt in FORMATS:
        assert isinstance(render(result, fmt), str)


def test_streamed_paragraphs_and_kept_flagged_only(tmp_path: Path) -> None:
    frame = seed_frame()
    with FarmWriter(tmp_path) as writer:
        result = score_articles(
            FrameSource(frame, batch_size=2),
            FarmConfig(paragraphs="flagged"),
            sink=writer.write_paragraphs,
        )
        writer.finish(result)
    written = pl.read_parquet(tmp_path / "paragraphs.parquet")
    assert written.height == result.stats.paragraphs
    assert (
        result.paragraphs.height == result.stats.flagged == written["is_filler"].sum()
    )
    assert pl.read_parquet(tmp_path / "docs.parquet").height == 5
    assert (tmp_path / "summary.json").exists()
    assert any("flagged as filler" in line for line in summary_lines(result, tmp_path))


def test_render_formats() -> None:
    result = score_frame(seed_frame())
    table = render(result, "table", width=140)
    assert "003_64eda074f9ee67a7 · farm score" in table
    assert "callout label 'Pro Tip:'" in table
    lines = render(result, "jsonl").splitlines()
    assert len(lines) == 5 and lines[0].startswith('{"doc_id": "003')
    assert render(result, "csv").startswith("doc_id,farm_score,index,start,end")
    assert "| 004_5a6ac4a70b8e1328 |" in render(result, "markdown")
    with pytest.raises(ValueError, match="unknown format"):
        render(result, "xml")


def test_same_output_on_one_or_all_threads() -> None:
    import numba

    frame = seed_frame()
    full = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = score_frame(frame)
    finally:
        numba.set_num_threads(full)
    many = score_frame(frame)
    assert_frame_equal(one.paragraphs, many.paragraphs)
    assert_frame_equal(one.docs, many.docs)


@pytest.mark.parametrize("seed", range(5))
def test_kinds_equal_a_count_per_article(seed: int) -> None:
    # Distinct families per article and its three most frequent, most
    # paragraphs first, then the weightier kind, then by name; articles
    # without flags get [].
    rng = np.random.default_rng(seed)
    n_docs = int(rng.integers(0, 30))
    doc = np.sort(rng.integers(0, max(n_docs, 1), size=200)).astype(np.int64)
    hit = np.sort(rng.choice(200, size=int(rng.integers(0, 120)), replace=False))
    families = ["ads", "teaser", "callout", "tie_in", "navigation"][: 1 + seed]
    hit_families = [str(f) for f in rng.choice(families, size=len(hit))]
    if n_docs == 0:
        hit, hit_families = hit[:0], []
    n_kinds, top = _kinds(doc, hit, hit_families, n_docs)
    for d in range(n_docs):
        counts = Counter(
            f for i, f in zip(hit, hit_families, strict=True) if doc[i] == d
        )
        ranked = sorted(
            counts.items(), key=lambda kv: (-kv[1], -FAMILY_WEIGHT[kv[0]], kv[0])
        )[:3]
        assert n_kinds[d] == len(counts)
        assert top[d].to_list() == [f"{f} ({n})" for f, n in ranked]
    assert top.dtype == pl.List(pl.String) and len(top) == n_docs


def test_run_summary_counts_families_over_batches() -> None:
    frame = seed_frame()
    result = score_articles(FrameSource(frame, batch_size=2))
    counts = Counter(result.flagged()["family"].to_list())
    assert result.stats.families == dict(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    assert sum(counts.values()) == result.stats.flagged > 0


def test_compression_ratio_measures_how_much_a_text_repeats() -> None:
    # Seed 000 is plain news prose; the same text twice in a row is half
    # copies, which LZ4 stores as references; an empty text gets 1.0.
    prose = seed_frame()["text"][0]
    texts = pl.Series([prose, f"{prose}\n\n{prose}", ""])
    ratio = _compression(string_buffers(texts))
    assert 0.65 < ratio[0] < 0.9
    assert ratio[1] < 0.6 * ratio[0]
    assert ratio[2] == 1.0
    # In the score, only long texts that compress far better than prose move it.
    zero = np.zeros(3)
    chars = np.array([3000.0, 3000.0, 400.0])
    squeezed = farm_score(
        zero, zero, zero, zero, zero, np.array([0.72, 0.3, 0.3]), chars
    )
    assert squeezed[1] > 1.5 * squeezed[0]
    assert squeezed[2] == squeezed[0]
