"""The Done-when of issue #5 on the seed articles (hand labels in seed_labels.json)."""

from __future__ import annotations

import polars as pl
import pytest
from farm_helpers import SEEDS, seed_label

from dedup.farm import FarmResult, score_articles
from dedup.io import open_source

# Words a fitting reason of each family contains.
FITTING = {
    "callout": ("callout label", "emoji"),
    "emoji_heading": ("emoji",),
    "tie_in": ("tie-in", "off-topic"),
    "teaser": ("teaser",),
    "navigation": ("navigation",),
    "ai_disclosure": ("AI disclosure",),
    "ads": ("ad label",),
}


@pytest.fixture(scope="module")
def result() -> FarmResult:
    return score_articles(open_source(str(SEEDS)))


def _labelled(result: FarmResult) -> pl.DataFrame:
    rows = []
    for doc, text in result.paragraphs.select("doc_id", "text").iter_rows():
        entry = seed_label(doc, text)
        rows.append((entry["label"], entry.get("family")))
    return result.paragraphs.with_columns(
        pl.Series("label", [r[0] for r in rows], dtype=pl.Int8),
        pl.Series("want", [r[1] for r in rows], dtype=pl.String),
    )


def _seed(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1][:3]


def test_no_paragraph_of_000_is_flagged(result: FarmResult) -> None:
    seed0 = result.paragraphs.filter(pl.col("doc_id").str.contains("000_"))
    assert seed0.height == 5
    assert not seed0["is_filler"].any()


def test_listed_filler_of_003_and_004_is_flagged_with_fitting_reasons(
    result: FarmResult,
) -> None:
    filler = _labelled(result).filter(pl.col("label") == 1)
    assert filler.height >= 30
    missed = filler.filter(~pl.col("is_filler"))["text"].to_list()
    assert not missed, f"not flagged: {missed}"
    for want, family, reason, text in filler.select(
        "want", "family", "reason", "text"
    ).iter_rows():
        # An emoji-titled heading may read as a callout and vice versa; the
        # other families must be named exactly.
        if want in ("callout", "emoji_heading"):
            assert family in ("callout", "emoji_heading"), text
        else:
            assert family == want, (text, family, reason)
        assert reason.endswith(f"({family})")
        assert any(w in reason for w in FITTING[family]), (text, reason)


def test_callouts_name_their_label(result: FarmResult) -> None:
    pars = result.paragraphs
    pro_tip = pars.filter(pl.col("text").str.starts_with("Pro Tip:"))
    assert pro_tip["reason"].item().startswith("callout label 'Pro Tip:' + emoji")
    tie_in = pars.filter(pl.col("text").str.starts_with("Humanitarian headlines"))
    assert tie_in["reason"].item().startswith("finance tie-in:")


def test_no_content_paragraph_of_any_seed_is_flagged(result: FarmResult) -> None:
    content = _labelled(result).filter(pl.col("label") == 0)
    flagged = content.filter(pl.col("is_filler"))["text"].to_list()
    assert not flagged


def test_003_and_004_score_highest(result: FarmResult) -> None:
    order = result.docs.sort("farm_score", descending=True)["doc_id"].to_list()
    assert {_seed(d) for d in order[:2]} == {"003", "004"}
    scores = {
        _seed(k): v for k, v in result.docs.select("doc_id", "farm_score").iter_rows()
    }
    low = [scores[k] for k in ("000", "001", "002")]
    high = [scores[k] for k in ("003", "004")]
    assert max(low) < 0.2 < 0.7 < min(high)


def test_top_reasons_put_the_telling_kind_first_on_a_tie(result: FarmResult) -> None:
    # 003 has one tie-in and one navigation line ("Previous Post Next Post")
    # after its callouts and headings: the tie-in says more about a farm.
    top = result.docs.filter(pl.col("doc_id").str.contains("003_"))["top_reasons"]
    assert top.item().to_list() == [
        "callout (14)",
        "emoji_heading (10)",
        "tie_in (1)",
    ]
