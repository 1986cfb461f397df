"""Scores of a clustering against the planted truth of :mod:`benchmarks.corpus`.

*truth* is the corpus' truth table (``doc_id``, ``cluster``, ``kind``, ``rate``,
``source``); *predicted* maps each ``doc_id`` to a cluster label (any string;
singletons get their own label).

- **Pairs, overall**: every pair of documents of one true cluster is a positive;
  a pair is predicted positive when both share a predicted cluster. Counted
  from the contingency table, never pair by pair.
- **ARI**: ``sklearn.metrics.adjusted_rand_score`` of the two labellings.
- **By kind and rate**: for the copies of one kind at one rate, recall is the
  share whose predicted cluster is their original's; their false links are the
  predicted pairs joining such a copy to a document of another true cluster;
  precision = found / (found + false links). ARI is computed over those copies
  and their originals.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sklearn.metrics import adjusted_rand_score

from benchmarks.corpus import ORIGINAL


@dataclass(frozen=True)
class PairScore:
    """Precision, recall and F1 of pairs, with their counts."""

    tp: int
    fp: int
    fn: int
    ari: float

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(col: pl.Expr) -> pl.Expr:
    return (col * (col - 1) // 2).sum()


def labelled(truth: pl.DataFrame, predicted: pl.DataFrame) -> pl.DataFrame:
    """Truth joined with the predicted label (column ``pred``) of each doc.

    *predicted* has ``doc_id`` and ``pred``; documents it lacks are singletons.
    """
    out = truth.join(predicted.select("doc_id", "pred"), on="doc_id", how="left")
    return out.with_columns(pl.col("pred").fill_null("_single_" + pl.col("doc_id")))


def overall(frame: pl.DataFrame) -> PairScore:
    """Pair scores and ARI over all documents of a :func:`labelled` frame."""
    both = frame.group_by("cluster", "pred").len()
    tp = int(both.select(_pairs(pl.col("len").cast(pl.Int64))).item())
    true_pairs = int(
        frame.group_by("cluster").len().select(_pairs(pl.col("len").cast(pl.Int64)))
        .item()
    )  # fmt: skip
    pred_pairs = int(
        frame.group_by("pred").len().select(_pairs(pl.col("len").cast(pl.Int64)))
        .item()
    )  # fmt: skip
    ari = float(
        adjusted_rand_score(frame["cluster"].to_numpy(), frame["pred"].to_numpy())
    )
    return PairScore(tp, pred_pairs - tp, true_pairs - tp, ari)


def by_kind(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (kind, rate) of copy: n, found, false links, P, R, F1, ARI."""
    pred_size = frame.group_by("pred").len().rename({"len": "pred_size"})
    same = frame.group_by("pred", "cluster").len().rename({"len": "same"})
    src = frame.select(pl.col("doc_id").alias("source"), pl.col("pred").alias("sp"))
    copies = (
        frame.filter(pl.col("kind") != ORIGINAL)
        .join(pred_size, on="pred")
        .join(same, on=["pred", "cluster"])
        .join(src, on="source")
        .with_columns(
            (pl.col("pred") == pl.col("sp")).alias("found"),
            (pl.col("pred_size") - pl.col("same")).alias("false_links"),
        )
    )
    rows = []
    for (kind, rate), grp in copies.group_by("kind", "rate", maintain_order=False):
        found = int(grp["found"].sum())
        false = int(grp["false_links"].sum())
        n = grp.height
        ids = set(grp["doc_id"].to_list()) | set(grp["source"].to_list())
        sub = frame.filter(pl.col("doc_id").is_in(list(ids)))
        ari = float(
            adjusted_rand_score(sub["cluster"].to_numpy(), sub["pred"].to_numpy())
        )
        p = found / (found + false) if found + false else 1.0
        r = found / n if n else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append(
            {"kind": kind, "rate": rate, "n": n, "found": found,
             "false_links": false, "precision": p, "recall": r, "f1": f1,
             "ari": ari}
        )  # fmt: skip
    return pl.DataFrame(rows).sort("kind", "rate")
