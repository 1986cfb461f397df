r"""``farm``: flag filler paragraphs with reasons and score each article.

For every batch of a source: segment the articles (:mod:`~dedup.farm.paragraphs`),
compute paragraph features (:mod:`~dedup.farm.features`), get calibrated
filler probabilities from the shipped classifier (:mod:`~dedup.farm.model`),
explain each flagged paragraph (:mod:`~dedup.farm.reasons`) and combine the
flags with the article's repetition statistics (:mod:`~dedup.farm.repetition`,
those of :mod:`dedup.passages` that the score uses) and
compression ratio into a farm score in [0, 1].

The article score is a fixed logistic combination, not a fitted one (there are
no article-level labels to fit it honestly): evidence grows with the number,
confidence and *kind* of flagged paragraphs — farm-specific kinds (tie-ins,
AI disclosures, callouts) weigh more than page furniture any extractor can
leave behind — and with the variety of kinds, the share of the text they take
and how much of the article repeats itself.

    >>> import polars as pl
    >>> text = ("The council approved the budget on Tuesday after a long debate.\n\n"
    ...         "Pro Tip: Always keep receipts for every purchase you make! 💡\n\n"
    ...         "The vote was seven to two.")
    >>> result = score_frame(pl.DataFrame({"doc_id": ["a"], "text": [text]}))
    >>> result.paragraphs.select("index", "is_filler", "family").rows()
    [(0, False, None), (1, True, 'callout'), (2, False, None)]
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lz4.block
import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from dedup.arrow import Buffers, string_buffers
from dedup.errors import ConfigError
from dedup.farm import reasons
from dedup.farm.features import FeatureBatch, extract
from dedup.farm.model import FarmModel, load, load_bundled
from dedup.farm.repetition import LINE, NGRAM, PARAGRAPH, complete
from dedup.pipeline import (
    BatchSource,
    FrameSource,
    ProgressFn,
    QuarantineRecord,
    reason_kind,
)
from dedup.schema import (
    CARRIED,
    COMPRESSION_RATIO,
    DOC_ID,
    END,
    FAMILY,
    FARM_DOCS_SCHEMA,
    FARM_PARAGRAPHS_SCHEMA,
    FARM_SCORE,
    FILLER_FRACTION,
    IS_FILLER,
    N_FILLER,
    N_PARAGRAPHS,
    PARAGRAPH_INDEX,
    REASON,
    REPEATED_FRACTION,
    SCORE,
    START,
    TEXT,
    TOP_REASONS,
    require,
)

KEEP_CHOICES = ("all", "flagged", "none")

#: How much one flagged paragraph of each family says about the article.
FAMILY_WEIGHT: dict[str, float] = {
    "tie_in": 1.5,
    "ai_disclosure": 1.5,
    "callout": 1.0,
    "teaser": 0.7,
    "emoji_heading": 0.6,
    "ads": 0.6,
    "call_to_action": 0.5,
    "navigation": 0.4,
    "boilerplate": 0.3,
    "repeated": 0.3,
}


@dataclass(frozen=True)
class FarmConfig:
    """Parameters of ``dedup farm``.

    Attributes:
        threshold: calibrated probability at or above which a paragraph is
            filler; ``None`` uses the threshold tuned with the model (at most
            1% of real news paragraphs flagged on held-out data).
        reason_features: how many features to name in a reason.
        paragraphs: which paragraphs :attr:`FarmResult.paragraphs` keeps:
            ``"all"``, ``"flagged"`` or ``"none"`` (a sink still gets all).
        params: directory of a retrained model (``model.json`` and
            ``idf.npz`` from ``python -m dedup.farm.train``); ``None`` for the
            bundled one.

    Example:
        >>> FarmConfig(threshold=1.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: threshold must be in (0, 1); got 1.5. ...

    """

    threshold: float | None = None
    reason_features: int = 2
    paragraphs: str = "all"
    params: str | None = None

    def __post_init__(self) -> None:
        _check(
            self.threshold is None or 0.0 < self.threshold < 1.0,
            "threshold",
            "in (0, 1)",
            self.threshold,
            "It is a calibrated probability; leave it unset for the tuned value.",
        )
        _check(
            isinstance(self.reason_features, int) and 1 <= self.reason_features <= 5,
            "reason_features",
            "1..5",
            self.reason_features,
            "Two features make a readable reason.",
        )
        _check(
            self.paragraphs in KEEP_CHOICES,
            "paragraphs",
            " or ".join(KEEP_CHOICES),
            self.paragraphs,
            "Use 'flagged' or 'none' to keep memory small on large inputs.",
        )
        _check(
            self.params is None or Path(self.params).is_dir(),
            "params",
            "a directory with model.json and idf.npz",
            self.params,
            "Retrain with `python -m dedup.farm.train --out DIR` or leave it unset.",
        )

    def model(self) -> FarmModel:
        """The model these settings name (bundled unless ``params`` is set)."""
        return load(self.params) if self.params else load_bundled()


def _check(ok: bool, name: str, allowed: str, value: object, hint: str) -> None:
    if not ok:
        raise ConfigError(f"{name} must be {allowed}; got {value}. {hint}")


@dataclass
class FarmStats:
    """Counts and timings of one farm run (the run summary)."""

    read: int = 0
    documents: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    paragraphs: int = 0
    flagged: int = 0
    documents_flagged: int = 0
    families: dict[str, int] = field(default_factory=dict)
    threshold: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """Wall time of the whole run."""
        return sum(self.seconds.values())


@dataclass
class FarmResult:
    """What :func:`score_articles` returns.

    Attributes:
        paragraphs: doc_id, index, text, start, end, is_filler, score, reason,
            family (which rows: :attr:`FarmConfig.paragraphs`).
        docs: one row per accepted document: doc_id, farm_score,
            filler_fraction (share of characters in flagged paragraphs),
            n_filler, top_reasons, n_paragraphs, repeated_fraction,
            compression_ratio and the carried columns.
        quarantine: records set aside by the reader, with reasons.
        stats: the run summary.
        config: the settings used.

    """

    paragraphs: pl.DataFrame
    docs: pl.DataFrame
    quarantine: list[QuarantineRecord]
    stats: FarmStats
    config: FarmConfig

    def flagged(self) -> pl.DataFrame:
        """Flagged paragraphs of :attr:`paragraphs`, highest farm score first."""
        order = self.docs.select(DOC_ID, FARM_SCORE)
        return (
            self.paragraphs.filter(pl.col(IS_FILLER))
            .join(order, on=DOC_ID, how="left")
            .sort(
                [FARM_SCORE, DOC_ID, PARAGRAPH_INDEX], descending=[True, False, False]
            )
            .drop(FARM_SCORE)
        )


#: Receives every batch's full paragraph frame (e.g. a Parquet writer).
ParagraphSink = Callable[[pl.DataFrame], None]


def score_frame(frame: pl.DataFrame, config: FarmConfig | None = None) -> FarmResult:
    """Score an in-memory frame with ``doc_id`` and ``text`` columns."""
    return score_articles(FrameSource(frame), config)


def score_articles(
    source: BatchSource,
    config: FarmConfig | None = None,
    *,
    progress: ProgressFn | None = None,
    sink: ParagraphSink | None = None,
) -> FarmResult:
    """Flag filler paragraphs and score every article of *source*.

    Batches are processed one at a time; memory is bounded by the batch size
    plus what :attr:`FarmConfig.paragraphs` keeps (the docs frame is one small
    row per article). With a *sink*, every batch's paragraphs are handed over
    as soon as they are scored.
    """
    config = config or FarmConfig()
    model = config.model()
    threshold = config.threshold if config.threshold is not None else model.threshold
    report: ProgressFn = progress or (lambda stage, done, total: None)
    stats = FarmStats(threshold=threshold)
    kept: list[pl.DataFrame] = []
    docs: list[pl.DataFrame] = []
    families: Counter[str] = Counter()
    done = 0
    seconds = {"features": 0.0, "model": 0.0, "output": 0.0}
    for batch in source.batches():
        require(batch, [DOC_ID, TEXT], stage="farm")
        paragraphs, doc_frame, times = score_batch(batch, model, threshold, config)
        for k, v in times.items():
            seconds[k] += v
        clock = time.perf_counter()
        if sink is not None:
            sink(paragraphs)
        flagged = paragraphs.filter(pl.col(IS_FILLER))
        if config.paragraphs == "all":
            kept.append(paragraphs)
        elif config.paragraphs == "flagged":
            kept.append(flagged)
        # Counted by polars: a Python string per flagged paragraph cost more.
        families.update(dict(flagged[FAMILY].value_counts().iter_rows()))
        stats.paragraphs += paragraphs.height
        stats.flagged += flagged.height
        docs.append(doc_frame)
        seconds["output"] += time.perf_counter() - clock
        done += batch.height
        report("scoring", done, None)
    quarantine = list(source.quarantine)
    stats.read = source.n_read
    stats.quarantined = len(quarantine)
    stats.quarantine_reasons = dict(Counter(reason_kind(q) for q in quarantine))
    doc_frame = (
        pl.concat(docs, how="vertical_relaxed")
        if docs
        else pl.DataFrame(schema=FARM_DOCS_SCHEMA)
    )
    stats.documents = doc_frame.height
    stats.documents_flagged = int((doc_frame[N_FILLER] > 0).sum())
    stats.families = dict(sorted(families.items(), key=lambda kv: (-kv[1], kv[0])))
    stats.seconds = seconds
    par_frame = pl.concat(kept) if kept else pl.DataFrame(schema=FARM_PARAGRAPHS_SCHEMA)
    return FarmResult(par_frame, doc_frame, quarantine, stats, config)


def score_batch(
    batch: pl.DataFrame,
    model: FarmModel,
    threshold: float,
    config: FarmConfig,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    """Paragraph and document frames of one batch (and stage timings)."""
    clock = time.perf_counter()
    texts = batch[TEXT].fill_null("")
    # Converted once: segmentation, repetition and compression all read them.
    buffers = string_buffers(texts)
    feats = extract(texts, model.resources, buffers)
    seg = feats.segments
    doc = seg.doc_index()
    t_features = time.perf_counter() - clock

    clock = time.perf_counter()
    # The extractor's matrix is float64, finite and of the model's width:
    # validating it would be one more pass over it.
    proba = (
        model.classifier.filler_proba(feats.values, check_input=False)
        if seg.n_paragraphs
        else np.zeros(0)
    )
    flag = proba >= threshold
    hit = np.flatnonzero(flag)
    explained = reasons.explain(
        feats, model.classifier, hit, n_features=config.reason_features
    )
    t_model = time.perf_counter() - clock

    clock = time.perf_counter()
    # Only the flagged paragraphs have a reason and a family: the columns
    # are nulls with those few scattered in, not built from a Python list
    # with an entry for every paragraph of the batch.
    hit_families = [fam for fam, _ in explained]
    reason_col = _scattered(seg.n_paragraphs, hit, [why for _, why in explained])
    family_col = _scattered(seg.n_paragraphs, hit, hit_families)
    doc_ids = batch[DOC_ID].gather(doc)
    paragraphs = pl.DataFrame(
        {
            DOC_ID: doc_ids,
            PARAGRAPH_INDEX: seg.index_in_doc().astype(np.uint32),
            TEXT: feats.texts,
            START: seg.start,
            END: seg.end,
            IS_FILLER: flag,
            SCORE: proba,
            REASON: reason_col,
            FAMILY: family_col,
        },
        schema=FARM_PARAGRAPHS_SCHEMA,
    )
    docs = _doc_frame(batch, texts, buffers, feats, doc, proba, hit, hit_families)
    t_output = time.perf_counter() - clock
    return (
        paragraphs,
        docs,
        {"features": t_features, "model": t_model, "output": t_output},
    )


def _scattered(n: int, rows: npt.NDArray[np.intp], values: list[str]) -> pl.Series:
    """A string column of *n* nulls with *values* at *rows*."""
    column = pl.Series(values=[], dtype=pl.String).extend_constant(None, n)
    return column.scatter(rows, values) if len(rows) else column


def _doc_frame(
    batch: pl.DataFrame,
    texts: pl.Series,
    buffers: Buffers,
    feats: FeatureBatch,
    doc: npt.NDArray[np.int64],
    proba: npt.NDArray[np.float64],
    hit: npt.NDArray[np.intp],
    hit_families: list[str],
) -> pl.DataFrame:
    from dedup.farm.features import R_CHARS

    n_docs = batch.height
    raw = feats.raw
    chars = raw[:, R_CHARS] if len(raw) else np.zeros(0)
    total = np.bincount(doc, weights=chars, minlength=n_docs).astype(np.float64)
    # Sums over the flagged paragraphs only: the others added terms of 0.0
    # (the terms are never negative, so no -0.0), which change no sum, and
    # bincount adds the rest in the same order.
    hit_doc = doc[hit]
    filler_chars = np.bincount(hit_doc, weights=chars[hit], minlength=n_docs)
    fraction = np.where(total > 0, filler_chars / np.maximum(total, 1.0), 0.0)
    n_par = np.bincount(doc, minlength=n_docs)
    n_filler = np.bincount(hit_doc, minlength=n_docs)
    weight = np.array(
        [FAMILY_WEIGHT.get(f, 0.3) if f else 0.0 for f in hit_families],
        dtype=np.float64,
    )
    evidence = np.bincount(
        hit_doc, weights=weight * proba[hit], minlength=n_docs
    ).astype(np.float64)
    n_kinds, top = _kinds(doc, hit, hit_families, n_docs)
    rep = complete(feats.repetition, texts, buffers)
    repeated = np.maximum(rep[:, LINE], rep[:, PARAGRAPH])
    ngram_rep = rep[:, NGRAM]
    compression = _compression(buffers)
    score = farm_score(
        evidence, n_kinds, fraction, repeated, ngram_rep, compression, total
    )
    carried = [c for c in CARRIED if c in batch.columns]
    frame = pl.DataFrame(
        {
            DOC_ID: batch[DOC_ID],
            FARM_SCORE: score,
            FILLER_FRACTION: fraction,
            N_FILLER: n_filler.astype(np.uint32),
            TOP_REASONS: top,
            N_PARAGRAPHS: n_par.astype(np.uint32),
            REPEATED_FRACTION: repeated,
            COMPRESSION_RATIO: compression,
        },
        schema=FARM_DOCS_SCHEMA,
    )
    if carried:
        frame = frame.with_columns(batch.select(carried))
    return frame


def _kinds(
    doc: npt.NDArray[np.int64],
    hit: npt.NDArray[np.intp],
    hit_families: list[str],
    n_docs: int,
) -> tuple[npt.NDArray[np.float64], pl.Series]:
    """Distinct filler families per article and its three most frequent ones.

    ``top`` reads ``"callout (13)"``: most paragraphs first, then the kind
    that says more about the article (:data:`FAMILY_WEIGHT`: one tie-in
    before one navigation line), then by name.
    Counted with numpy over the flagged paragraphs only, and the list column
    made from offsets: a Python list per article would cost more than the
    rest of the article statistics, and polars group-bys and a join with
    every article cost 1.5-4 ms a batch, mostly fixed.

        >>> n, top = _kinds(np.array([0, 0, 0, 2]), np.array([0, 1, 2, 3]),
        ...                 ["teaser", "ads", "teaser", "ads"], 3)
        >>> n.tolist(), top.to_list()
        ([2.0, 0.0, 1.0], [['teaser (2)', 'ads (1)'], [], ['ads (1)']])
        >>> _kinds(np.array([0, 0, 0, 0]), np.array([0, 1, 2, 3]),
        ...        ["navigation", "callout", "tie_in", "ads"], 1)[1].to_list()
        [['tie_in (1)', 'callout (1)', 'ads (1)']]
    """
    names = sorted(set(hit_families), key=lambda f: (-FAMILY_WEIGHT.get(f, 0.3), f))
    code_of = {name: code for code, name in enumerate(names)}
    # One key per (article, family), families in the order of *names*.
    key = doc[hit] * max(len(names), 1) + np.array(
        [code_of[f] for f in hit_families], dtype=np.int64
    )
    pairs, count = np.unique(key, return_counts=True)
    pair_doc, pair_code = np.divmod(pairs, max(len(names), 1))
    n_kinds = np.bincount(pair_doc, minlength=n_docs).astype(np.float64)
    # By article, then most paragraphs first, then by code; an article's
    # pairs stay together, so a pair's rank is its distance from the first.
    order = np.lexsort((pair_code, -count, pair_doc))
    pair_doc, pair_code, count = pair_doc[order], pair_code[order], count[order]
    first = np.searchsorted(pair_doc, pair_doc, side="left")
    keep = np.arange(len(pair_doc)) - first < 3
    labels = [
        f"{names[c]} ({n})"
        for c, n in zip(pair_code[keep].tolist(), count[keep].tolist(), strict=True)
    ]
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_doc[keep], minlength=n_docs), out=offsets[1:])
    top = pl.Series(
        pa.LargeListArray.from_arrays(
            pa.array(offsets), pa.array(labels, type=pa.large_string())
        )
    )
    return n_kinds, top


def _compression(buffers: Buffers) -> npt.NDArray[np.float64]:
    """LZ4-compressed over raw UTF-8 size of each text (1.0 for an empty one).

    LZ4 only replaces repeats by references to earlier text; it has no entropy
    stage. What it measures is therefore how much of a text repeats
    (paragraphs, templates, boilerplate), the thing the farm score wants,
    and not how skewed its letters are. News prose of a few thousand
    characters comes to ~0.72 (web articles) or ~0.74 (wire copy), the same
    text twice in a row to ~0.37. It is also twice as fast as zstd
    level 1, the measure used before (16 -> 7 µs a ~600-word article; the
    two ratios correlate at 0.97 on long web articles, 0.96 on wire copy).
    """
    data, offsets = buffers
    out = np.ones(len(offsets) - 1, dtype=np.float64)
    compress = lz4.block.compress
    # Views of the Arrow buffer: the UTF-8 bytes without a Python string or
    # an encoded copy per text. No size header: only the length is wanted.
    view = data.data
    for i, (a, b) in enumerate(itertools.pairwise(offsets.tolist())):
        if b > a:
            out[i] = len(compress(view[a:b], store_size=False)) / (b - a)
    return out


def farm_score(
    evidence: npt.NDArray[np.float64],
    kinds: npt.NDArray[np.float64],
    fraction: npt.NDArray[np.float64],
    repeated: npt.NDArray[np.float64],
    ngram_repeated: npt.NDArray[np.float64],
    compression: npt.NDArray[np.float64],
    chars: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Article farm score in [0, 1] from flag evidence and article statistics.

    Args:
        evidence: sum over flagged paragraphs of family weight x probability.
        kinds: number of distinct filler families flagged.
        fraction: share of the article's characters in flagged paragraphs.
        repeated: share of characters in lines/paragraphs repeating earlier ones.
        ngram_repeated: share of characters in repeated word 5-grams.
        compression: compressed size over raw size (:func:`_compression`).
        chars: article length in characters (compression means little on
            short texts, which compress badly whatever they say).

    Example:
        >>> z = np.zeros(1)
        >>> float(farm_score(z, z, z, z, z, z + 0.72, z + 3000)[0]) < 0.05
        True

    """
    # Text that compresses far better than news prose of its length repeats
    # itself: news prose of a few thousand characters compresses to ~0.72.
    # Below 0.59 (1% of long wire items, 5% of long web articles) the term
    # grows, to its full weight at 0.12, a text that is mostly copies. The
    # bounds are zstd level 1's former 0.4 and 0.1 carried over by the two
    # ratios' fit on long web articles (lz4 = 1.58 zstd - 0.04); the term's
    # share of the logit moved by at most 0.1 on those, Reuters and the seeds.
    long_enough = np.clip((chars - 500.0) / 2000.0, 0.0, 1.0)
    squeeze = np.clip((0.59 - compression) / 0.47, 0.0, 1.0) * long_enough
    z = (
        -3.6
        + 2.0 * np.log1p(evidence)
        + 0.7 * np.minimum(kinds, 4.0)
        + 2.5 * fraction
        + 1.5 * repeated
        + 1.0 * ngram_repeated
        + 1.2 * squeeze
    )
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
    return out
