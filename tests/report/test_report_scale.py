"""A million-document scan result gives a report of bounded size.

The folder is generated with numpy in a second or two: 1,000,000 documents,
of which about 300,000 sit in clusters of 2 to a few thousand members, and one
verified pair per clustered non-canonical document. The report must show the
largest clusters, count the rest and stay small enough to open at once.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from dedup.report.html import render_html
from dedup.report.load import build_report
from dedup.report.markdown import render_markdown

N_DOCS = 1_000_000
MAX_HTML_BYTES = 5 * 2**20


def million_scan(folder: Path, seed: int = 7) -> tuple[int, int]:
    """Write a scan folder; return (clusters, documents in clusters)."""
    rng = np.random.default_rng(seed)
    # Cluster sizes: mostly pairs and triples, a long tail up to a few thousand.
    sizes = np.minimum(rng.zipf(2.0, size=120_000) + 1, 5_000)
    sizes = sizes[np.cumsum(sizes) <= 300_000]
    in_clusters = int(sizes.sum())
    n_clusters = len(sizes)
    doc_ids = pl.Series("doc_id", np.arange(N_DOCS)).cast(pl.String).str.zfill(7)
    cluster_of = np.concatenate(
        [np.repeat(np.arange(n_clusters), sizes), np.arange(n_clusters, N_DOCS)]
    )[:N_DOCS]
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    canonical_row = np.concatenate(
        [np.repeat(firsts, sizes), np.arange(in_clusters, N_DOCS)]
    )
    rows = np.arange(N_DOCS)
    size_col = np.concatenate([np.repeat(sizes, sizes), np.ones(N_DOCS - in_clusters)])
    is_canonical = canonical_row == rows
    # Similarity to the canonical member: 1 for it, null for singletons.
    similarity = np.where(is_canonical, 1.0, rng.uniform(0.6, 1.0, N_DOCS))
    similarity[size_col < 2] = np.nan
    docs = pl.DataFrame(
        {
            "doc_id": doc_ids,
            "cluster_id": pl.Series(cluster_of).cast(pl.String).str.zfill(8),
            "cluster_size": size_col.astype(np.uint32),
            "is_canonical": is_canonical,
            "canonical_id": doc_ids.gather(canonical_row),
            "similarity": similarity,
            "n_tokens": rng.integers(50, 2_000, N_DOCS).astype(np.uint32),
            "text_chars": rng.integers(300, 12_000, N_DOCS).astype(np.uint32),
            "title": pl.Series(rows).cast(pl.String).str.replace(r"^", "Title <b>"),
            "url": pl.Series(rows)
            .cast(pl.String)
            .str.replace(r"^", "https://n.example/"),
        }
    ).with_columns(pl.col("similarity").fill_nan(None))
    folder.mkdir(parents=True, exist_ok=True)
    docs.write_parquet(folder / "docs.parquet")
    member = ~is_canonical
    a, b = doc_ids.filter(member), doc_ids.gather(canonical_row[member])
    pairs = pl.DataFrame({"x": a, "y": b}).select(
        pl.min_horizontal("x", "y").alias("doc_id_a"),
        pl.max_horizontal("x", "y").alias("doc_id_b"),
        pl.lit(0.8).alias("similarity"),
        pl.lit(0.5).alias("jaccard"),
        pl.lit("duplicate").alias("relation"),
        pl.lit("edited copy").alias("reason"),
    )
    pairs.write_parquet(folder / "pairs.parquet")
    (folder / "summary.json").write_text(json.dumps({"documents": N_DOCS}))
    return n_clusters, in_clusters


def test_million_documents_report_stays_small(tmp_path):
    n_clusters, in_clusters = million_scan(tmp_path / "scan")
    report = build_report([tmp_path / "scan"], max_items=200)
    scan = report.scan
    assert scan is not None
    assert scan.documents == N_DOCS
    assert scan.clusters == n_clusters
    assert scan.documents_in_clusters == in_clusters
    assert len(scan.shown) == 200
    sizes = [c.size for c in scan.shown]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == max(s for s, _ in scan.size_counts)
    # Big clusters show a few members and count the others.
    biggest = scan.shown[0]
    assert len(biggest.members) == 10
    assert biggest.members_omitted == biggest.size - 11
    page = render_html(report)
    assert len(page.encode()) < MAX_HTML_BYTES
    assert f"The 200 largest of {n_clusters:,} clusters" in page
    assert "Title &lt;b&gt;" in page
    markdown = render_markdown(report)
    assert len(markdown) < 200_000


def edited_clusters(n_clusters: int, members: int, words: int, seed: int = 3):
    """Long articles and heavily edited copies: diffs big enough to hit the cap."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(5_000)] + ["<b>", "&amp;", "\"'"])
    ids, texts, docs = [], [], []
    for k in range(n_clusters):
        base = rng.choice(vocab, words)
        for m in range(members):
            text = base.copy()
            if m:
                hit = rng.random(words) < 0.1
                text[hit] = rng.choice(vocab, int(hit.sum()))
            doc_id = f"c{k:03d}-{m}"
            ids.append(doc_id)
            texts.append(" ".join(text))
            docs.append(
                {
                    "doc_id": doc_id,
                    "cluster_id": f"c{k:03d}",
                    "cluster_size": members,
                    "is_canonical": m == 0,
                    "canonical_id": f"c{k:03d}-0",
                    "similarity": 1.0 if m == 0 else 0.8,
                }
            )
    return pl.DataFrame({"doc_id": ids, "text": texts}), pl.DataFrame(docs)


def test_long_texts_stay_within_the_size_limit(tmp_path):
    frame, docs = edited_clusters(n_clusters=60, members=6, words=3_000)
    folder = tmp_path / "scan"
    folder.mkdir()
    docs.write_parquet(folder / "docs.parquet")
    pl.DataFrame(
        schema={"doc_id_a": pl.String, "doc_id_b": pl.String, "similarity": pl.Float64,
                "relation": pl.String}
    ).write_parquet(folder / "pairs.parquet")  # fmt: skip
    report = build_report([folder], input_source=frame)
    members = [m for c in report.scan.shown for m in c.members]
    assert len(members) == 60 * 5
    assert members[0].diff is not None
    assert any(m.diff is None for m in members)  # the budget ran out
    page = render_html(report)
    assert len(page.encode()) < MAX_HTML_BYTES
