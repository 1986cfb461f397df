"""``scan``: documents in, near-duplicate clusters and verified pairs out.

Stages, each handing the next a polars frame:

1. **signatures** (pass 1, streamed batch by batch): normalise, shingle and
   MinHash each document in the compiled core; keep only per-document facts,
   the LSH band hashes and a byte of each signature value (the sketch).
2. **candidates**: documents sharing a band bucket (:mod:`dedup.lsh`), less
   those whose sketches agree too rarely for verification to accept them
   (:mod:`dedup.agreement`).
3. **verification**: exact overlap and Jaccard of every candidate pair, then
   the template check (:mod:`dedup.verify`), one bounded chunk of pairs at a
   time (:mod:`dedup.verify_stage`). Pass 1 appends each document's prepared
   text to a temporary file (:mod:`dedup.textstore`); verification reads back
   only a chunk's documents, so memory does not grow with the corpus and the
   input is read once (a pipe works too).
4. **clusters**: connected components of duplicate pairs, canonical member
   (:mod:`dedup.cluster`).

Documents shorter than one shingle get no signature; they are matched exactly
on their normalised text instead, never lumped into one bucket.

    >>> import polars as pl
    >>> text = "the quick brown fox jumps over the lazy dog near the river bank"
    >>> docs = pl.DataFrame({"doc_id": ["a", "b", "c"],
    ...                      "text": [text, text + " today", "something else"]})
    >>> result = scan_frame(docs)
    >>> result.pairs.select("doc_id_a", "doc_id_b", "relation").rows()
    [('a', 'b', 'duplicate')]
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import polars as pl

from dedup import lsh
from dedup.agreement import plausible, sketch
from dedup.cluster import assign_clusters
from dedup.config import ScanConfig
from dedup.io.prefetch import prefetched
from dedup.minhash import signatures
from dedup.normalize import prepare_column
from dedup.schema import (
    CANONICAL_ID,
    CARRIED,
    CLUSTER_ID,
    CLUSTER_SIZE,
    DOC_ID,
    DOC_ID_A,
    DOC_ID_B,
    IS_CANONICAL,
    JACCARD,
    N_TOKENS,
    PAIRS_SCHEMA,
    REASON,
    RELATION,
    RELATION_DUPLICATE,
    RELATION_TEMPLATE,
    ROW,
    SIMILARITY,
    TEXT,
    TEXT_CHARS,
    require,
)
from dedup.textstore import TextStore
from dedup.verify_stage import lowest_jaccard, similarities, verify_pairs

#: Progress callback: (stage, documents or pairs done, total or None).
ProgressFn = Callable[[str, int, int | None], None]

_WHOLE = "_whole"
_N_SHINGLES = "_n_shingles"


class QuarantineRecord(Protocol):
    """What the pipeline needs of a quarantined record."""

    @property
    def source(self) -> str: ...  # noqa: D102
    @property
    def record(self) -> str: ...  # noqa: D102
    @property
    def reason(self) -> str: ...  # noqa: D102


class BatchSource(Protocol):
    """What the pipeline needs of an input (see :class:`dedup.io.Source`)."""

    name: str
    n_read: int

    @property
    def quarantine(self) -> Sequence[QuarantineRecord]: ...  # noqa: D102

    def batches(self) -> Iterator[pl.DataFrame]: ...  # noqa: D102


@dataclass(frozen=True)
class Quarantine:
    """A record set aside with its reason (used for in-memory frames)."""

    source: str
    record: str
    reason: str


class FrameSource:
    """An in-memory frame with ``doc_id`` and ``text`` as a :class:`BatchSource`."""

    def __init__(self, frame: pl.DataFrame, batch_size: int = 20_000) -> None:
        require(frame, [DOC_ID, TEXT], stage="scan")
        self.name = "<frame>"
        self.n_read = 0
        self._quarantine: list[QuarantineRecord] = []
        keep = [DOC_ID, TEXT, *[c for c in CARRIED if c in frame.columns]]
        frame = frame.select(keep).with_columns(
            [pl.col(c).cast(pl.String) for c in keep]
        )
        # "Nothing but white space" as "no \S": the search stops at a text's
        # first visible character, where stripping copied every text.
        bad = frame.with_row_index("_i").filter(
            pl.col(TEXT).is_null()
            | ~pl.col(TEXT).str.contains(r"\S")
            | pl.col(DOC_ID).is_null()
            | pl.col(DOC_ID).is_duplicated() & (pl.int_range(pl.len()).over(DOC_ID) > 0)
        )
        for i, doc, text in bad.select("_i", DOC_ID, TEXT).iter_rows():
            reason = "empty text" if doc is not None else "missing doc_id"
            if doc is not None and text and text.strip():
                reason = f"duplicate doc_id {doc!r}"
            self._quarantine.append(Quarantine(f"<frame>:row {i}", doc or "", reason))
        good = frame.with_row_index("_i").join(bad.select("_i"), on="_i", how="anti")
        self._frame = (
            good.drop("_i")
            .with_row_index(ROW)
            .with_columns(pl.col(ROW).cast(pl.UInt64))
        )
        self._batch = batch_size

    @property
    def quarantine(self) -> list[QuarantineRecord]:
        """Records set aside (empty text, missing or duplicate id)."""
        return self._quarantine

    def batches(self) -> Iterator[pl.DataFrame]:
        """The accepted rows in batches."""
        self.n_read = self._frame.height + len(self._quarantine)
        yield from self._frame.iter_slices(self._batch)


@dataclass
class ScanStats:
    """Counts and timings of one scan (the run summary)."""

    read: int = 0
    documents: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    short_documents: int = 0
    no_words: int = 0
    candidates: int = 0
    dropped_on_agreement: int = 0
    duplicate_pairs: int = 0
    template_pairs: int = 0
    clusters: int = 0
    documents_in_clusters: int = 0
    bands: int = 0
    rows: int = 0
    text_store_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """Wall time of the whole scan."""
        return sum(self.seconds.values())


@dataclass
class ScanResult:
    """What :func:`scan` returns.

    Attributes:
        docs: one row per accepted document (singletons included): doc_id,
            cluster_id, cluster_size, is_canonical, canonical_id, similarity (to
            the canonical member; null for singletons), n_tokens, text_chars and
            the carried columns.
        pairs: verified pairs at or above the threshold: doc_id_a < doc_id_b,
            similarity, jaccard, relation ("duplicate" or "template"), reason.
        quarantine: records set aside, with their reasons.
        stats: the run summary.

    """

    docs: pl.DataFrame
    pairs: pl.DataFrame
    quarantine: list[QuarantineRecord]
    stats: ScanStats
    config: ScanConfig

    def clusters(self) -> pl.DataFrame:
        """One row per cluster of size >= 2, largest first, with its members."""
        members = self.docs.filter(pl.col(CLUSTER_SIZE) >= 2)
        return (
            members.sort(
                [IS_CANONICAL, SIMILARITY, DOC_ID], descending=[True, True, False]
            )
            .group_by(CLUSTER_ID, maintain_order=True)
            .agg(
                pl.len().alias(CLUSTER_SIZE),
                pl.col(CANONICAL_ID).first(),
                pl.struct(
                    DOC_ID, SIMILARITY, *[c for c in CARRIED if c in members.columns]
                ).alias("members"),
            )
            .sort([CLUSTER_SIZE, CANONICAL_ID], descending=[True, False])
        )


def scan_frame(frame: pl.DataFrame, config: ScanConfig | None = None) -> ScanResult:
    """Scan an in-memory frame with ``doc_id`` and ``text`` columns."""
    return scan(FrameSource(frame), config)


def scan(
    source: BatchSource,
    config: ScanConfig | None = None,
    *,
    progress: ProgressFn | None = None,
    spill_dir: str | None = None,
) -> ScanResult:
    """Find near-duplicate clusters in *source* (see the module docs).

    The prepared texts wait for verification in a temporary file in
    *spill_dir* (default: ``TMPDIR``), about the size of the input's text.
    """
    config = config or ScanConfig()
    report: ProgressFn = progress or (lambda stage, done, total: None)
    stats = ScanStats()
    stats.bands, stats.rows = config.band_shape

    with TextStore(spill_dir) as store:
        return _scan(source, config, stats, report, store)


def _scan(
    source: BatchSource,
    config: ScanConfig,
    stats: ScanStats,
    report: ProgressFn,
    store: TextStore,
) -> ScanResult:
    clock = time.perf_counter()
    meta, band_frames, sketches = _signature_pass(source, config, stats, report, store)
    stats.text_store_bytes = store.nbytes
    stats.seconds["signatures"] = time.perf_counter() - clock
    stats.read = source.n_read
    quarantine = list(source.quarantine)
    stats.quarantined = len(quarantine)
    stats.quarantine_reasons = dict(Counter(reason_kind(q) for q in quarantine))
    stats.documents = meta.height

    clock = time.perf_counter()
    bands = pl.concat(band_frames) if band_frames else _empty_bands()
    del band_frames
    cand = lsh.candidate_pairs(bands, window=config.window)
    del bands
    stats.candidates = cand.height
    rows_a = cand["row_a"].to_numpy().astype(np.int64)
    rows_b = cand["row_b"].to_numpy().astype(np.int64)
    del cand
    n_shingles = meta[_N_SHINGLES].to_numpy().astype(np.int64)
    lowest = lowest_jaccard(n_shingles[rows_a], n_shingles[rows_b], config)
    keep = plausible(sketches, rows_a, rows_b, lowest, config.agreement_alpha)
    del sketches, lowest
    rows_a, rows_b = rows_a[keep], rows_b[keep]
    stats.dropped_on_agreement = stats.candidates - len(rows_a)
    report("candidates", stats.candidates, stats.candidates)
    stats.seconds["candidates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    whole = meta[_WHOLE].to_numpy()
    verified = verify_pairs(store, whole, n_shingles, rows_a, rows_b, config, report)
    del rows_a, rows_b
    pairs_rows = pl.concat([verified, _short_pairs(meta)], how="vertical_relaxed")
    stats.seconds["verification"] = time.perf_counter() - clock

    clock = time.perf_counter()
    dup = pairs_rows.filter(pl.col(RELATION) == RELATION_DUPLICATE)
    docs = assign_clusters(
        meta,
        dup["row_a"].to_numpy().astype(np.int64),
        dup["row_b"].to_numpy().astype(np.int64),
    )
    docs = _similarity_to_canonical(docs, pairs_rows, store, n_shingles, config)
    pairs = _pairs_output(pairs_rows, meta)
    stats.duplicate_pairs = int((pairs[RELATION] == RELATION_DUPLICATE).sum())
    stats.template_pairs = int((pairs[RELATION] == RELATION_TEMPLATE).sum())
    in_clusters = docs.filter(pl.col(CLUSTER_SIZE) >= 2)
    stats.clusters = in_clusters[CLUSTER_ID].n_unique()
    stats.documents_in_clusters = in_clusters.height
    stats.seconds["clusters"] = time.perf_counter() - clock
    out_cols = [
        DOC_ID,
        CLUSTER_ID,
        CLUSTER_SIZE,
        IS_CANONICAL,
        CANONICAL_ID,
        SIMILARITY,
        N_TOKENS,
        TEXT_CHARS,
        *[c for c in CARRIED if c in docs.columns],
    ]
    return ScanResult(docs.select(out_cols), pairs, quarantine, stats, config)


def reason_kind(q: QuarantineRecord) -> str:
    """The category of a quarantine reason, for the summary's counts."""
    kind = getattr(q, "kind", "")
    return str(kind) if kind else q.reason.split(":")[0].split("(")[0].strip()


def _empty_bands() -> pl.DataFrame:
    return pl.DataFrame(
        schema={lsh.BAND: pl.UInt16, lsh.KEY: pl.UInt64, ROW: pl.UInt32}
    )


def _signature_pass(
    source: BatchSource,
    config: ScanConfig,
    stats: ScanStats,
    report: ProgressFn,
    store: TextStore,
) -> tuple[pl.DataFrame, list[pl.DataFrame], npt.NDArray[np.uint8]]:
    """Per-document facts, band hashes and signature sketches, row by row."""
    bands, rows_per_band = config.band_shape
    metas: list[pl.DataFrame] = []
    band_frames: list[pl.DataFrame] = []
    sketches: list[npt.NDArray[np.uint8]] = []
    done = 0
    for batch in prefetched(source.batches()):
        require(batch, [ROW, DOC_ID, TEXT], stage="scan")
        prepared = prepare_column(batch[TEXT])
        sig = signatures(
            prepared,
            prepared=True,
            kind=config.shingle,  # type: ignore[arg-type]
            n=config.ngram,
            num_perm=config.num_perm,
            seed=config.seed,
        )
        carried = [c for c in CARRIED if c in batch.columns]
        metas.append(
            batch.select(ROW, DOC_ID, *carried).with_columns(
                pl.Series(N_TOKENS, sig.n_items),
                pl.Series(_N_SHINGLES, sig.n_shingles),
                pl.Series(_WHOLE, sig.whole_hash),
                batch[TEXT].str.len_chars().cast(pl.UInt32).alias(TEXT_CHARS),
            )
        )
        sketches.append(sketch(sig.values))
        has = sig.n_shingles > 0
        if has.any():
            keys = lsh.band_keys(sig.values[has], bands, rows_per_band)
            rows = batch[ROW].to_numpy()[has]
            band_frames.append(lsh.band_frame(rows, keys))
            # Only documents with shingles can be in a candidate pair.
            store.append(rows, prepared.filter(pl.Series(has)))
        done += batch.height
        report("signatures", done, None)
    meta = (
        pl.concat(metas, how="vertical_relaxed")
        if metas
        else pl.DataFrame(
            schema={
                ROW: pl.UInt64,
                DOC_ID: pl.String,
                N_TOKENS: pl.UInt32,
                _N_SHINGLES: pl.UInt32,
                _WHOLE: pl.UInt64,
                TEXT_CHARS: pl.UInt32,
            }
        )
    )
    stats.short_documents = int(
        meta.filter((pl.col(_N_SHINGLES) == 0) & (pl.col(N_TOKENS) > 0)).height
    )
    stats.no_words = int(meta.filter(pl.col(N_TOKENS) == 0).height)
    all_sketches = (
        np.concatenate(sketches)
        if sketches
        else np.zeros((0, config.num_perm), dtype=np.uint8)
    )
    return meta, band_frames, all_sketches


def _short_pairs(meta: pl.DataFrame) -> pl.DataFrame:
    """Exact matches among documents shorter than one shingle."""
    short = meta.filter((pl.col(_N_SHINGLES) == 0) & (pl.col(N_TOKENS) > 0)).select(
        pl.col(ROW).cast(pl.Int64), _WHOLE
    )
    first = short.group_by(_WHOLE).agg(pl.col(ROW).min().alias("row_a"))
    return (
        short.join(first, on=_WHOLE)
        .filter(pl.col(ROW) != pl.col("row_a"))
        .select(
            "row_a",
            pl.col(ROW).alias("row_b"),
            pl.lit(1.0).alias(SIMILARITY),
            pl.lit(1.0).alias(JACCARD),
            pl.lit(RELATION_DUPLICATE).alias(RELATION),
            pl.lit("identical short text (shorter than one shingle)").alias(REASON),
        )
    )


def _similarity_to_canonical(
    docs: pl.DataFrame,
    pairs_rows: pl.DataFrame,
    store: TextStore,
    n_shingles: npt.NDArray[np.int64],
    config: ScanConfig,
) -> pl.DataFrame:
    """Overlap of each clustered document with its cluster's canonical member.

    Most members were verified against the canonical member already (a
    reprint and its original); only the others (linked through a third
    document) are compared now.
    """
    rows = docs.select(ROW, DOC_ID, CANONICAL_ID, CLUSTER_SIZE)
    canon_row = rows.select(
        pl.col(DOC_ID).alias(CANONICAL_ID), pl.col(ROW).alias("_crow")
    )
    members = rows.filter(pl.col(CLUSTER_SIZE) >= 2).join(canon_row, on=CANONICAL_ID)
    known = pairs_rows.select("row_a", "row_b", SIMILARITY)
    known = pl.concat(
        [
            known,
            known.select(
                pl.col("row_b").alias("row_a"),
                pl.col("row_a").alias("row_b"),
                SIMILARITY,
            ),
        ],
        how="vertical_relaxed",
    ).unique(["row_a", "row_b"])
    members = members.with_columns(pl.col(ROW, "_crow").cast(pl.Int64)).join(
        known, left_on=[ROW, "_crow"], right_on=["row_a", "row_b"], how="left"
    )
    a = members[ROW].to_numpy().astype(np.int64)
    c = members["_crow"].to_numpy().astype(np.int64)
    sims = members[SIMILARITY].fill_null(np.nan).to_numpy().astype(np.float64)
    sims[a == c] = 1.0
    # Documents too short for a shingle are in a cluster only as exact copies
    # (and are not in the text store).
    missing = np.isnan(sims) & (n_shingles[a] > 0) & (n_shingles[c] > 0)
    if missing.any():
        # By canonical member, so a cluster's documents share chunks.
        order = np.lexsort((a[missing], c[missing]))
        pick = np.flatnonzero(missing)[order]
        sims[pick], _ = similarities(store, n_shingles, a[pick], c[pick], config)
    sims[np.isnan(sims)] = 1.0
    sim_frame = pl.DataFrame(
        {ROW: members[ROW].cast(docs.schema[ROW]), SIMILARITY: sims}
    )
    return docs.join(sim_frame, on=ROW, how="left").sort(ROW)


def _pairs_output(pairs_rows: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    ids = meta.select(pl.col(ROW).cast(pl.Int64), DOC_ID)
    named = (
        pairs_rows.join(ids.rename({ROW: "row_a", DOC_ID: "_ida"}), on="row_a")
        .join(ids.rename({ROW: "row_b", DOC_ID: "_idb"}), on="row_b")
        .with_columns(
            pl.min_horizontal("_ida", "_idb").alias(DOC_ID_A),
            pl.max_horizontal("_ida", "_idb").alias(DOC_ID_B),
        )
    )
    return named.select(list(PAIRS_SCHEMA)).cast(PAIRS_SCHEMA).sort(DOC_ID_A, DOC_ID_B)  # type: ignore[arg-type]
