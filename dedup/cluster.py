"""Verified duplicate pairs to clusters, each with a canonical member.

Clusters are the connected components of the duplicate pairs (template siblings
are not edges). The canonical member is the one to keep:

1. the earliest ``published`` date, when the input has that column (the original
   beats its reprints and later re-issues);
2. else, or on a tie, the most complete text (most tokens): the untruncated
   version, the one with the paragraph the others dropped;
3. then the smallest ``doc_id``, so the choice is deterministic.

A cluster's id is derived from its smallest ``doc_id``, so it does not depend on
input order, batch size or thread count; a singleton's cluster is itself.

    >>> import numpy as np
    >>> components(4, np.array([0, 2]), np.array([1, 3])).tolist()
    [0, 0, 2, 2]
"""

from __future__ import annotations

import hashlib

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.schema import (
    CANONICAL_ID,
    CLUSTER_ID,
    CLUSTER_SIZE,
    DOC_ID,
    IS_CANONICAL,
    N_TOKENS,
    PUBLISHED,
    ROW,
    require,
)


@nb.njit(cache=True)
def _find(parent: npt.NDArray[np.int64], x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@nb.njit(cache=True)
def components(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Component label (smallest member index) of each of *n* nodes."""
    parent = np.arange(n)
    for i in range(len(a)):
        ra, rb = _find(parent, a[i]), _find(parent, b[i])
        if ra != rb:
            # The smaller index becomes the root, so labels are canonical.
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = _find(parent, i)
    return out


def cluster_id(doc_id: str) -> str:
    """Stable id of the cluster whose smallest member is *doc_id*."""
    return "c" + hashlib.blake2b(doc_id.encode(), digest_size=8).hexdigest()


def assign_clusters(
    docs: pl.DataFrame, row_a: npt.NDArray[np.int64], row_b: npt.NDArray[np.int64]
) -> pl.DataFrame:
    """Add cluster_id, cluster_size, is_canonical and canonical_id to *docs*.

    *docs* has one row per document with ``row`` = 0..n-1 in order; the pairs
    are duplicate edges given as rows.
    """
    require(docs, [ROW, DOC_ID, N_TOKENS], stage="cluster")
    n = docs.height
    labels = components(n, row_a.astype(np.int64), row_b.astype(np.int64))
    frame = docs.with_columns(_label=pl.Series(labels, dtype=pl.Int64))
    first_id = pl.col(DOC_ID).min().over("_label")
    order: list[pl.Expr] = []
    descending: list[bool] = []
    if PUBLISHED in frame.columns:
        frame = frame.with_columns(_pub=_parse_published(frame[PUBLISHED]))
        order.append(pl.col("_pub"))
        descending.append(False)
    order += [pl.col(N_TOKENS), pl.col(DOC_ID)]
    descending += [True, False]
    ranked = frame.sort(order, descending=descending, nulls_last=True).with_columns(
        _rank=pl.int_range(pl.len()).over("_label")
    )
    canon = ranked.filter(pl.col("_rank") == 0).select(
        "_label", pl.col(DOC_ID).alias(CANONICAL_ID)
    )
    out = (
        frame.join(canon, on="_label", how="left")
        .with_columns(
            first_id.map_elements(cluster_id, return_dtype=pl.String).alias(CLUSTER_ID),
            pl.len().over("_label").cast(pl.UInt32).alias(CLUSTER_SIZE),
        )
        .with_columns((pl.col(DOC_ID) == pl.col(CANONICAL_ID)).alias(IS_CANONICAL))
        .sort(ROW)
    )
    return out.drop([c for c in ("_label", "_pub") if c in out.columns])


def _parse_published(col: pl.Series) -> pl.Series:
    """Published dates as UTC datetimes; unparseable values become null."""
    text = col.cast(pl.String)
    parsed = text.str.to_datetime(strict=False, time_zone="UTC", ambiguous="earliest")
    if parsed.null_count() > text.null_count():
        dates = text.str.to_date(strict=False).cast(pl.Datetime("us", "UTC"))
        parsed = parsed.fill_null(dates)
    return parsed
