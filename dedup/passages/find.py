"""``passages``: documents in, repeated passages and their occurrences out.

Stages (the compiled parts are in :mod:`dedup.passages.passes`):

1. **fingerprints** (pass 1, streamed): tokens, repetition statistics,
   winnowed fingerprints of word k-grams and line hashes of every document;
   a Bloom filter of bounded size keeps those seen twice (candidates).
2. **repeats** (pass 2, streamed): around candidate fingerprints, every
   n-gram of ``min_words`` words with its position and character span goes to
   the n-gram index (flat Arrow-compatible arrays: counting 64-bit hashes by a
   vectorised sort and a compiled table is about twice as fast on one core
   as a polars ``group_by``), and every candidate line to the line index (a
   polars frame). Documents whose pass-one fingerprints were kept
   (``cache_mb``) and hold no candidate are not tokenised again.
3. **regions**: n-grams that occur twice or more, anywhere, cut into maximal
   runs per document. A region's key is its rarest n-gram; regions with the
   same key are occurrences of one passage, the longest is its text.
   A region whose key no other region has (a truncated copy, say) joins the
   passage it shares most n-grams with.
4. **boilerplate**: a line (not a wrapped fragment of a sentence) in at least
   ``boilerplate_min_docs`` documents and ``boilerplate_min_fraction`` of one
   site's documents; or a line shorter than ``min_words`` words twice in one
   document. Repeated regions inside boilerplate lines are not reported twice.

Memory: bounded by configuration for the filter (``filter_mb``), the
fingerprint cache (``cache_mb``) and the kept text (``keep_text_mb``); the
n-gram index grows with the repeated text only (about 24 bytes per word of a
repeat, and its margins), not with the input.

Kinds: ``boilerplate`` (from lines), ``shared`` (a passage in two documents or
more), ``internal_repeat`` (a passage in one document, twice or more).

Occurrence offsets are code-point indices into the original text (``end``
exclusive), widened over punctuation glued to the first and last word, so
``text[start:end]`` is the span as it stands in that document. It can differ
from the passage's text, which is one representative occurrence (the longest):
punctuation and case may differ, and a truncated or extended copy is shorter
or longer; every occurrence shares at least ``min_words`` consecutive words
with the passage text.

    >>> import polars as pl
    >>> quote = "we had a wonderful conversation about the future of the city"
    >>> docs = pl.DataFrame({
    ...     "doc_id": ["a", "b"],
    ...     "text": [f"He said: “{quote}.” Then he left.", f"“{quote.capitalize()}.”"],
    ... })
    >>> result = find_passages_frame(docs)
    >>> result.passages.select("kind", "n_docs", "n_occurrences").row(0)
    ('shared', 2, 2)
    >>> text = dict(docs.rows())
    >>> for _, doc, start, end in result.occurrences.rows():
    ...     print(doc, text[doc][start:end])
    a “we had a wonderful conversation about the future of the city.”
    b “We had a wonderful conversation about the future of the city.”
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.errors import InputError
from dedup.normalize import normalize
from dedup.passages.config import PassageConfig
from dedup.passages.index import build_index, lookup, positions, unique_counts
from dedup.passages.ngrams import Ngrams, NgramStore, release_memory
from dedup.passages.passes import (
    CHECKPOINT,
    first_pass,
    regions,
    second_pass,
    window_pass,
)
from dedup.passages.stats import N_STATS, STAT_COLUMNS
from dedup.passages.tokens import (
    PreparedBatch,
    ascii_spans,
    line_counts,
    normalized_utf8,
    prepare_batch,
)
from dedup.passages.winnow import (
    SeenFilter,
    fill_filter,
    filter_for,
    members,
)
from dedup.pipeline import BatchSource, FrameSource, QuarantineRecord, reason_kind
from dedup.schema import (
    DOC_ID,
    END,
    KIND,
    KIND_BOILERPLATE,
    KIND_INTERNAL,
    KIND_SHARED,
    N_DOCS,
    N_OCCURRENCES,
    OCCURRENCES_SCHEMA,
    PASSAGE_ID,
    PASSAGES_SCHEMA,
    ROW,
    SITE,
    START,
    TEXT,
    URL,
    require,
)

#: Progress callback: (stage, documents done, total or None).
ProgressFn = Callable[[str, int, int | None], None]

# Text per call of a compiled pass: bounds the per-call output buffers.
CHUNK_BYTES = 2 << 20

_HASH, _KEY, _REGION = "_hash", "_key", "_region"
_TOK0, _TOK1, _WORDS, _SITE = "_tok0", "_tok1", "_words", "_site"


@dataclass
class PassageStats:
    """Counts and timings of one run (the run summary)."""

    read: int = 0
    documents: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    fingerprints: int = 0
    candidates: int = 0
    ngrams_indexed: int = 0
    ngrams_repeated: int = 0
    regions: int = 0
    passages: dict[str, int] = field(default_factory=dict)
    occurrences: int = 0
    reread: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """Wall time of the whole run."""
        return sum(self.seconds.values())


@dataclass
class PassagesResult:
    """What :func:`find_passages` returns.

    Attributes:
        passages: passage_id, text, kind, n_docs, n_occurrences; most
            widespread first.
        occurrences: passage_id, doc_id, start, end (code points into the
            original text, end exclusive); in input order within a passage.
        doc_stats: doc_id, the repetition statistics
            (:data:`dedup.passages.STAT_COLUMNS`) and the share of characters
            in boilerplate, in repeats a strip would remove and in shared
            passages (:data:`dedup.passages.COVERAGE_COLUMNS`).
        quarantine: records the source set aside, with reasons.
        stats: the run summary.
        config: the configuration used.

    """

    passages: pl.DataFrame
    occurrences: pl.DataFrame
    doc_stats: pl.DataFrame
    quarantine: list[QuarantineRecord]
    stats: PassageStats
    config: PassageConfig


def find_passages_frame(
    frame: pl.DataFrame, config: PassageConfig | None = None
) -> PassagesResult:
    r"""Find passages in a frame with ``doc_id``, ``text`` (and ``site``, ``url``).

    Example:
        >>> import polars as pl
        >>> text = "A\nAlso read\nB\nAlso read"
        >>> frame = pl.DataFrame({"doc_id": ["x"], "text": [text]})
        >>> find_passages_frame(frame).passages.select("text", "kind").row(0)
        ('Also read', 'boilerplate')

    """
    return find_passages(FrameSource(frame), config)


def find_passages(
    source: BatchSource,
    config: PassageConfig | None = None,
    *,
    progress: ProgressFn | None = None,
) -> PassagesResult:
    """Find repeated passages in *source* (see the module docs).

    Reads the source twice (three times when the text around repeats exceeds
    ``config.keep_text_mb``).

    Example:
        >>> from dedup.io import open_source
        >>> result = find_passages(open_source("seeds"))
        >>> sorted(result.passages["kind"].unique())
        ['boilerplate', 'internal_repeat', 'shared']

    """
    config = config or PassageConfig()
    report: ProgressFn = progress or (lambda stage, done, total: None)
    stats = PassageStats()

    clock, cpu = time.perf_counter(), time.process_time()
    first = _first_pass(source, config, report, stats)
    stats.seconds["fingerprints"] = time.perf_counter() - clock
    stats.cpu_seconds["fingerprints"] = time.process_time() - cpu
    stats.read = source.n_read
    quarantine = list(source.quarantine)
    stats.quarantined = len(quarantine)
    stats.quarantine_reasons = dict(Counter(reason_kind(q) for q in quarantine))
    stats.documents = len(first.doc_ids)

    clock, cpu = time.perf_counter(), time.process_time()
    second = _second_pass(source, config, first, report)
    first.cache.clear()
    release_memory()
    stats.ngrams_indexed = len(second.ngrams)
    stats.seconds["repeats"] = time.perf_counter() - clock
    stats.cpu_seconds["repeats"] = time.process_time() - cpu

    clock, cpu = time.perf_counter(), time.process_time()
    bp = _boilerplate(second.lines, first, config)
    # Each stage drops what the next ones do not read, so that their peaks
    # do not add up: the candidate lines here, the runs' texts once cut.
    second.lines = second.lines.clear()
    try:
        members, n_regions, n_repeated = _passage_members(second.ngrams, bp, config)
    finally:
        second.ngrams.close()
        release_memory()
    stats.regions = n_regions
    stats.ngrams_repeated = n_repeated
    stats.seconds["regions"] = time.perf_counter() - clock
    stats.cpu_seconds["regions"] = time.process_time() - cpu

    clock, cpu = time.perf_counter(), time.process_time()
    texts = second.texts
    reps = members.filter(pl.col("_rep")).select(_KEY, ROW, START, END)
    if texts is None:
        stats.reread = True
        texts = _reread(source, reps, report)
    rep_text = _cut(reps, texts)
    del texts, reps
    second.texts = None
    passages, occurrences = _assemble(
        members, bp, rep_text, second.line_text, first.doc_ids
    )
    del members, bp
    release_memory()
    doc_stats = _doc_stats(first, passages, occurrences)
    stats.passages = {
        str(k): int(v) for k, v in passages.group_by(KIND).len().sort(KIND).iter_rows()
    }
    stats.occurrences = occurrences.height
    stats.seconds["passages"] = time.perf_counter() - clock
    stats.cpu_seconds["passages"] = time.process_time() - cpu
    return PassagesResult(passages, occurrences, doc_stats, quarantine, stats, config)


# ---------------------------------------------------------------- pass one


@dataclass
class _Cached:
    """Pass-one fingerprints and line records of a chunk, kept for pass two."""

    stop: int
    nfkc: bool  # whether a text of the chunk needed NFKC
    fp_off: npt.NDArray[np.int64]
    fps: npt.NDArray[np.uint64]
    fp_pos: npt.NDArray[np.uint32]
    ck_off: npt.NDArray[np.int64]
    ck: npt.NDArray[np.uint32]
    line_rows: npt.NDArray[np.int64]
    line_hashes: npt.NDArray[np.uint64]
    line_spans: npt.NDArray[np.int64]

    @property
    def nbytes(self) -> int:
        return sum(
            a.nbytes
            for a in (
                self.fp_off, self.fps, self.fp_pos, self.ck_off, self.ck,
                self.line_rows, self.line_hashes, self.line_spans,
            )
        )  # fmt: skip


@dataclass
class _FirstPass:
    doc_ids: pl.Series
    n_bytes: npt.NDArray[np.int64]
    n_chars: npt.NDArray[np.int64]
    n_tokens: npt.NDArray[np.int64]
    n_lines: npt.NDArray[np.int64]
    stats: npt.NDArray[np.float64]
    site: npt.NDArray[np.int64]
    site_docs: npt.NDArray[np.int64]
    candidates: npt.NDArray[np.uint64]
    cache: dict[int, _Cached]


def _chunks(batch: pl.DataFrame) -> Iterator[tuple[int, pl.DataFrame]]:
    """Slices of *batch* of about CHUNK_BYTES of text, with their offsets."""
    sizes = batch[TEXT].str.len_bytes().fill_null(0).to_numpy().astype(np.int64)
    ends = np.cumsum(sizes)
    start = 0
    while start < batch.height:
        base = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, base + CHUNK_BYTES, side="right"))
        stop = max(stop, start + 1)
        yield start, batch.slice(start, stop - start)
        start = stop


def _ranges(
    starts: npt.NDArray[np.int64], lens: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Concatenated ``range(starts[i], starts[i] + lens[i])``."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    out: npt.NDArray[np.int64] = np.arange(total, dtype=np.int64) + shift
    return out


def _offsets(lens: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=out[1:])
    return out


def _sites(batch: pl.DataFrame) -> pl.Series:
    """The site of each document: the ``site`` column, else the URL's host."""
    if SITE in batch.columns:
        return batch[SITE].cast(pl.String).fill_null("")
    if URL in batch.columns:
        return (
            batch[URL]
            .cast(pl.String)
            .str.to_lowercase()
            .str.extract(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\.)?([^/:?#]+)", 1)
            .fill_null("")
        )
    return pl.Series([""] * batch.height, dtype=pl.String)


def _threads(n_docs: int) -> int:
    return max(1, min(nb.get_num_threads(), n_docs))


def _slabs(n_docs: int) -> npt.NDArray[np.int64]:
    """Bounds of each thread's documents: contiguous slabs in input order."""
    n_threads = _threads(n_docs)
    step = -(-n_docs // n_threads)
    bounds = np.minimum(np.arange(n_threads + 1, dtype=np.int64) * step, n_docs)
    return np.unique(bounds)  # no empty slab


def _per_slab(
    values: npt.NDArray[np.int64], slabs: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Sums of *values* (rows: documents) over each slab of documents."""
    total = np.zeros((len(values) + 1, *values.shape[1:]), dtype=np.int64)
    np.cumsum(values, axis=0, out=total[1:])
    out: npt.NDArray[np.int64] = total[slabs[1:]] - total[slabs[:-1]]
    return out


def _dense(
    buf: npt.NDArray[Any], at: npt.NDArray[np.int64], used: npt.NDArray[np.int64]
) -> npt.NDArray[Any]:
    """The records each thread wrote from ``at[t]`` (``used[t]`` of them), joined.

    In place: later slabs move down behind the first, then the buffer, sized
    for the worst case, is shrunk to the records (``realloc``, which keeps
    them where they are) instead of copied out.
    """
    end = 0
    for a, u in zip(at.tolist(), used.tolist(), strict=True):
        if a != end:
            buf[end : end + u] = buf[a : a + u]
        end += u
    buf.resize((end, *buf.shape[1:]), refcheck=False)
    return buf


def _fingerprints(
    prep: PreparedBatch, config: PassageConfig
) -> tuple[_Cached, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Pass one over a chunk (:func:`first_pass`).

    Returns the chunk's records (to look up, and to cache for pass two),
    each document's (tokens, fingerprints, eligible lines, checkpoints) and
    its statistics.
    """
    slabs = _slabs(prep.n_docs)
    # A token takes a byte and a separator (a character written without
    # spaces takes three bytes): at most (bytes + 1) / 2 tokens, so as many
    # fingerprints. Memory that is never written is never touched, but the
    # heap reuses it, so the bounds stay tight where it is cheap: lines.
    cap = np.diff(prep.offsets) // 2 + 1
    lines = line_counts(prep.data, prep.offsets)
    room = np.stack([cap, cap // CHECKPOINT + 1, lines], axis=1)
    at = np.zeros((len(slabs), 3), dtype=np.int64)
    np.cumsum(_per_slab(room, slabs), axis=0, out=at[1:])
    fps = np.empty(int(at[-1, 0]), dtype=np.uint64)
    fp_pos = np.empty(int(at[-1, 0]), dtype=np.uint32)
    ck = np.empty((int(at[-1, 1]), 2), dtype=np.uint32)
    line_hashes = np.empty(int(at[-1, 2]), dtype=np.uint64)
    line_spans = np.empty((int(at[-1, 2]), 3), dtype=np.int64)
    counts = np.zeros((prep.n_docs, 4), dtype=np.int64)
    doc_stats = np.zeros((prep.n_docs, N_STATS), dtype=np.float64)
    first_pass(
        prep.buffers(), prep.n_chars, config.kgram, config.window, config.stats,
        int(prep.token_capacity().max()), slabs, at, fps, fp_pos, ck,
        line_hashes, line_spans, counts, doc_stats,
    )  # fmt: skip
    used = _per_slab(counts, slabs)
    kept = _Cached(
        stop=prep.n_docs,
        nfkc=bool(prep.map_off[-1]),
        fp_off=_offsets(counts[:, 1]),
        fps=_dense(fps, at[:-1, 0], used[:, 1]),
        fp_pos=_dense(fp_pos, at[:-1, 0], used[:, 1]),
        ck_off=_offsets(counts[:, 3]),
        ck=_dense(ck, at[:-1, 1], used[:, 3]),
        line_rows=np.repeat(np.arange(prep.n_docs, dtype=np.int64), counts[:, 2]),
        line_hashes=_dense(line_hashes, at[:-1, 2], used[:, 2]),
        line_spans=_dense(line_spans, at[:-1, 2], used[:, 2]),
    )
    return kept, counts, doc_stats


def _first_pass(
    source: BatchSource,
    config: PassageConfig,
    report: ProgressFn,
    stats: PassageStats,
) -> _FirstPass:
    seen = SeenFilter(config.filter_mb << 20)
    ids: list[pl.Series] = []
    parts: dict[str, list[npt.NDArray[np.int64]]] = {
        "bytes": [], "chars": [], "tokens": [], "lines": [], "site": [],
    }  # fmt: skip
    stat_parts: list[npt.NDArray[np.float64]] = []
    cands: list[npt.NDArray[np.uint64]] = []
    n_cands = 0
    site_codes: dict[str, int] = {}
    cache: dict[int, _Cached] = {}
    cache_room = config.cache_mb << 20
    done = 0
    for batch in source.batches():
        require(batch, [ROW, DOC_ID, TEXT], stage="passages")
        if batch.height and int(batch[ROW][0]) != done:
            raise InputError(f"{source.name}: batch rows are not contiguous")
        ids.append(batch[DOC_ID].cast(pl.String))
        sites = _sites(batch)
        for name in sites.unique(maintain_order=True).to_list():
            site_codes.setdefault(name, len(site_codes))
        parts["site"].append(
            sites.replace_strict(site_codes, return_dtype=pl.Int64).to_numpy()
        )
        for offset, chunk in _chunks(batch):
            prep = prepare_batch(chunk[TEXT])
            kept, counts, doc_stats = _fingerprints(prep, config)
            kept.stop = done + offset + prep.n_docs
            # Pass two then re-reads only the documents it must.
            keep = cache_room > kept.nbytes
            cache_room -= kept.nbytes
            n_new = len(kept.fps) + len(kept.line_hashes)
            if not seen.grown and (seen.full(n_new) or not keep):
                # The cache holds every value the filter has seen, until now.
                seen.grow(v for c in cache.values() for v in (c.fps, c.line_hashes))
            for flat in (kept.fps, kept.line_hashes):
                again = seen.mark(flat)
                cands.append(flat[again])
                n_cands += int(again.sum())
            if keep:
                cache[done + offset] = kept
            stats.fingerprints += int(counts[:, 1].sum())
            # The input's own byte lengths (not the NFKC-normalised buffer's),
            # which pass two checks its batches against.
            parts["bytes"].append(prep.n_bytes)
            parts["chars"].append(prep.n_chars)
            parts["tokens"].append(counts[:, 0].copy())
            parts["lines"].append(counts[:, 2].copy())
            stat_parts.append(doc_stats)
        if n_cands > (1 << 24):
            # Keep the candidate list as small as its distinct values.
            cands = [unique_counts(np.concatenate(cands))[0]]
            n_cands = len(cands[0])
        done += batch.height
        report("fingerprints", done, None)
    del seen
    release_memory()
    candidates = unique_counts(
        np.concatenate(cands) if cands else np.zeros(0, dtype=np.uint64)
    )[0]
    stats.candidates = len(candidates)

    def cat(name: str) -> npt.NDArray[np.int64]:
        got = parts[name]
        return np.concatenate(got).astype(np.int64) if got else np.zeros(0, np.int64)

    site = cat("site")
    return _FirstPass(
        doc_ids=pl.concat(ids) if ids else pl.Series(DOC_ID, [], pl.String),
        n_bytes=cat("bytes"),
        n_chars=cat("chars"),
        n_tokens=cat("tokens"),
        n_lines=cat("lines"),
        stats=(
            np.concatenate(stat_parts)
            if stat_parts
            else np.zeros((0, N_STATS), dtype=np.float64)
        ),
        site=site,
        site_docs=np.bincount(site, minlength=len(site_codes)).astype(np.int64),
        candidates=candidates,
        cache=cache,
    )


# ---------------------------------------------------------------- pass two


@dataclass
class _SecondPass:
    ngrams: NgramStore
    lines: pl.DataFrame
    texts: pl.DataFrame | None
    line_text: dict[int, str]


_LINE_SCHEMA = {
    _HASH: pl.UInt64, ROW: pl.UInt32, START: pl.UInt32, END: pl.UInt32,
    _WORDS: pl.UInt32,
}  # fmt: skip


def _second_pass(
    source: BatchSource,
    config: PassageConfig,
    first: _FirstPass,
    report: ProgressFn,
) -> _SecondPass:
    candidates = filter_for(len(first.candidates))
    fill_filter(candidates, first.candidates)
    store = NgramStore(config.index_mb << 20)
    ln_parts: list[pl.DataFrame] = []
    texts: list[pl.DataFrame] | None = []
    line_text: dict[int, str] = {}
    kept = 0
    budget = config.keep_text_mb << 20
    done = 0
    for batch in source.batches():
        require(batch, [ROW, DOC_ID, TEXT], stage="passages")
        for offset, chunk in _chunks(batch):
            r0 = done + offset
            r1 = r0 + chunk.height
            n_bytes = chunk[TEXT].str.len_bytes().fill_null(0).to_numpy()
            if r1 > len(first.n_bytes) or not np.array_equal(
                n_bytes, first.n_bytes[r0:r1]
            ):
                raise InputError(
                    f"{source.name}: the input changed between the two passes"
                )
            cached = first.cache.get(r0)
            if cached is not None and cached.stop == r1:
                # Only the neighbourhoods of candidate fingerprints are
                # tokenised again; candidate lines come from the cache.
                hit = members(candidates, cached.line_hashes)
                spans = cached.line_spans[hit]
                lines = (
                    cached.line_rows[hit],
                    cached.line_hashes[hit],
                    spans[:, 0],
                    spans[:, 1],
                    spans[:, 2],
                )
                ngrams = _window_ngrams(chunk, r0, cached, first, config, candidates)
            else:
                ngrams, lines = _ngrams_and_lines(chunk, r0, first, config, candidates)
            store.add(ngrams)
            if len(lines[0]):
                ln_parts.append(
                    pl.DataFrame(
                        {
                            _HASH: lines[1],
                            ROW: lines[0] + r0,
                            START: lines[2],
                            END: lines[3],
                            _WORDS: lines[4],
                        }
                    ).cast(_LINE_SCHEMA)  # type: ignore[arg-type]
                )
            _first_line_texts(chunk, lines, line_text)
            if texts is not None and len(ngrams):
                # The text of each run of indexed n-grams (a repeat and its
                # margins), not whole documents: a passage's text is cut from
                # these at the end. Lines keep their own first text.
                runs = _run_texts(
                    chunk, ngrams, r0, first.n_chars[r0:r1], first.n_bytes[r0:r1]
                )
                kept += int(runs[TEXT].str.len_bytes().sum() or 0)
                if kept > budget:
                    texts = None
                else:
                    texts.append(runs)
        done += batch.height
        report("repeats", done, len(first.n_bytes))
    if done != len(first.n_bytes):
        raise InputError(f"{source.name}: the input changed between the two passes")
    return _SecondPass(
        ngrams=store,
        lines=pl.concat(ln_parts) if ln_parts else pl.DataFrame(schema=_LINE_SCHEMA),
        texts=(
            None
            if texts is None
            else (pl.concat(texts) if texts else pl.DataFrame(schema=_RUN_SCHEMA))
        ),
        line_text=line_text,
    )


_RUN_SCHEMA = {ROW: pl.Int64, START: pl.Int64, END: pl.Int64, TEXT: pl.String}


def _run_texts(
    chunk: pl.DataFrame,
    ngrams: Ngrams,
    r0: int,
    n_chars: npt.NDArray[np.int64],
    n_bytes: npt.NDArray[np.int64],
) -> pl.DataFrame:
    """Row, start, end and text of each run of consecutive indexed n-grams.

    *n_chars* and *n_bytes* are the lengths of the chunk's texts: where they
    are equal for every text with a run, spans are cut as bytes.
    """
    row = ngrams.row.astype(np.int64)
    pos = ngrams.pos.astype(np.int64)
    cut = np.flatnonzero((row[1:] != row[:-1]) | (pos[1:] != pos[:-1] + 1)) + 1
    first = np.concatenate([np.zeros(1, dtype=np.int64), cut])
    last = np.append(cut - 1, len(row) - 1)
    start = ngrams.start[first].astype(np.int64)
    end = ngrams.end[last].astype(np.int64)
    local = row[first] - r0
    texts = chunk[TEXT]
    if np.array_equal(n_chars[local], n_bytes[local]):
        cut_text = ascii_spans(texts, local, start, end)
    else:
        cut_text = pl.DataFrame({"_t": texts.gather(local)}).select(
            pl.col("_t").str.slice(pl.Series(start), pl.Series(end - start))
        )["_t"]
    return pl.DataFrame(
        {ROW: row[first], START: start, END: end, TEXT: cut_text},
        schema=_RUN_SCHEMA,
    )


def _first_line_texts(
    chunk: pl.DataFrame, lines: _Lines, line_text: dict[int, str]
) -> None:
    """Record the text of each candidate line the first time it is met."""
    rows, hashes, starts, ends, _ = lines
    if not len(hashes):
        return
    uniq, first = np.unique(hashes, return_index=True)
    new = [
        (h, i)
        for h, i in zip(uniq.tolist(), first.tolist(), strict=True)
        if h not in line_text
    ]
    if not new:
        return
    at = np.array([i for _, i in new], dtype=np.int64)
    texts = chunk[TEXT].gather(rows[at]).to_list()
    for (h, _), text, s, e in zip(
        new, texts, starts[at].tolist(), ends[at].tolist(), strict=True
    ):
        line_text[h] = text[s:e]


_Lines = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]


def _run_second_pass(
    texts: pl.Series,
    rows: npt.NDArray[np.int64],
    first: _FirstPass,
    config: PassageConfig,
    candidates: npt.NDArray[np.uint64],
    with_lines: bool,
) -> tuple[Ngrams, _Lines]:
    """Pass two over *texts* (global rows *rows*): n-grams and candidate lines.

    Line rows are positions in *texts*.
    """
    prep = prepare_batch(texts)
    ng_off = _offsets(first.n_tokens[rows])
    ln_off = _offsets(first.n_lines[rows] if with_lines else np.zeros_like(rows))
    ng = np.empty((int(ng_off[-1]), 3), dtype=np.int64)
    ng_hash = np.empty(int(ng_off[-1]), dtype=np.uint64)
    ln = np.empty((int(ln_off[-1]), 3), dtype=np.int64)
    ln_hash = np.empty(int(ln_off[-1]), dtype=np.uint64)
    counts = np.zeros((prep.n_docs, 2), dtype=np.int64)
    if prep.n_docs:
        second_pass(
            prep.buffers(), config.kgram, config.window,
            config.min_words, candidates, with_lines,
            int(prep.token_capacity().max()), _threads(prep.n_docs),
            ng_off, ng, ng_hash, ln_off, ln, ln_hash, counts,
        )  # fmt: skip
    idx = _ranges(ng_off[:-1], counts[:, 0])
    ngrams = Ngrams(
        ng_hash[idx],
        np.repeat(rows, counts[:, 0]).astype(np.uint32),
        ng[idx, 0].astype(np.uint32),
        ng[idx, 1].astype(np.uint32),
        ng[idx, 2].astype(np.uint32),
    )
    idx = _ranges(ln_off[:-1], counts[:, 1])
    local = np.arange(prep.n_docs, dtype=np.int64)
    lines = (
        np.repeat(local, counts[:, 1]),
        ln_hash[idx],
        ln[idx, 0],
        ln[idx, 1],
        ln[idx, 2],
    )
    return ngrams, lines


def _window_ngrams(
    chunk: pl.DataFrame,
    r0: int,
    cached: _Cached,
    first: _FirstPass,
    config: PassageConfig,
    candidates: npt.NDArray[np.uint64],
) -> Ngrams:
    """The chunk's n-grams from its cached fingerprints (:func:`window_pass`)."""
    prep = prepare_batch(chunk[TEXT], nfkc=cached.nfkc)
    n_tokens = first.n_tokens[r0 : r0 + chunk.height]
    ng_off = _offsets(n_tokens)
    ng = np.empty((int(ng_off[-1]), 3), dtype=np.int64)
    ng_hash = np.empty(int(ng_off[-1]), dtype=np.uint64)
    counts = np.zeros(prep.n_docs, dtype=np.int64)
    if prep.n_docs:
        window_pass(
            prep.buffers(), n_tokens, cached.fp_off,
            cached.fps, cached.fp_pos, cached.ck_off, cached.ck, config.kgram,
            config.window, config.min_words, candidates,
            int(prep.token_capacity().max()), _threads(prep.n_docs),
            ng_off, ng, ng_hash, counts,
        )  # fmt: skip
    idx = _ranges(ng_off[:-1], counts)
    rows = np.arange(r0, r0 + chunk.height, dtype=np.uint32)
    return Ngrams(
        ng_hash[idx],
        np.repeat(rows, counts),
        ng[idx, 0].astype(np.uint32),
        ng[idx, 1].astype(np.uint32),
        ng[idx, 2].astype(np.uint32),
    )


def _ngrams_and_lines(
    chunk: pl.DataFrame,
    r0: int,
    first: _FirstPass,
    config: PassageConfig,
    candidates: npt.NDArray[np.uint64],
) -> tuple[Ngrams, _Lines]:
    rows = np.arange(r0, r0 + chunk.height, dtype=np.int64)
    return _run_second_pass(chunk[TEXT], rows, first, config, candidates, True)


def _reread(
    source: BatchSource, reps: pl.DataFrame, report: ProgressFn
) -> pl.DataFrame:
    """The spans of *reps* (row, start, end), read again, as runs with their text.

    Cut batch by batch: memory holds the passages' texts, not their documents.
    """
    spans = reps.select(
        pl.col(ROW).cast(pl.Int64), pl.col(START).cast(pl.Int64),
        pl.col(END).cast(pl.Int64),
    ).sort(ROW)  # fmt: skip
    rows = spans[ROW].to_numpy()
    parts = [pl.DataFrame(schema=_RUN_SCHEMA)]
    done = 0
    for batch in source.batches():
        if batch.height:
            lo = np.searchsorted(rows, int(batch[ROW][0]), side="left")
            hi = np.searchsorted(rows, int(batch[ROW][-1]), side="right")
            if lo < hi:
                parts.append(
                    spans.slice(int(lo), int(hi - lo))
                    .join(
                        batch.select(pl.col(ROW).cast(pl.Int64), TEXT),
                        on=ROW,
                        how="inner",
                        maintain_order="left",
                    )
                    .with_columns(
                        pl.col(TEXT).str.slice(START, pl.col(END) - pl.col(START))
                    )
                )
        done += batch.height
        report("texts", done, None)
    return pl.concat(parts)


def _cut(reps: pl.DataFrame, runs: pl.DataFrame) -> dict[int, str]:
    """The text of each representative region (by key), cut from its run."""
    cut = (
        reps.join(runs.rename({START: "_rs", END: "_re"}), on=ROW, how="inner")
        .filter((pl.col("_rs") <= pl.col(START)) & (pl.col(END) <= pl.col("_re")))
        .unique(_KEY, keep="first", maintain_order=True)
        .select(
            _KEY,
            pl.col(TEXT).str.slice(
                pl.col(START) - pl.col("_rs"), pl.col(END) - pl.col(START)
            ),
        )
    )
    return dict(cut.iter_rows())


# ---------------------------------------------------------------- boilerplate


def _boilerplate(
    lines: pl.DataFrame, first: _FirstPass, config: PassageConfig
) -> pl.DataFrame:
    """Occurrences (hash, row, start, end) of boilerplate lines."""
    if not lines.height:
        return lines.select(_HASH, ROW, START, END)
    lines = lines.with_columns(
        pl.Series(_SITE, first.site[lines[ROW].to_numpy().astype(np.int64)])
    )
    site_docs = pl.DataFrame(
        {_SITE: np.arange(len(first.site_docs)), "_site_docs": first.site_docs}
    )
    need = pl.max_horizontal(
        pl.lit(config.boilerplate_min_docs),
        (pl.col("_site_docs") * config.boilerplate_min_fraction).ceil(),
    )
    frequent = (
        lines.group_by(_SITE, _HASH)
        .agg(pl.col(ROW).n_unique().alias("_docs"))
        .join(site_docs, on=_SITE)
        .filter(pl.col("_docs") >= need)
        .select(_SITE, _HASH, pl.lit(True).alias("_frequent"))
    )
    out = lines.join(frequent, on=[_SITE, _HASH], how="left")
    flag = pl.col("_frequent").fill_null(False)
    if config.template_lines:
        template = (pl.len().over(ROW, _HASH) >= 2) & (
            pl.col(_WORDS) < config.min_words
        )
        flag = flag | template
    return out.filter(flag).select(_HASH, ROW, START, END)


# ---------------------------------------------------------------- regions


def _passage_members(
    store: NgramStore, bp: pl.DataFrame, config: PassageConfig
) -> tuple[pl.DataFrame, int, int]:
    """Regions with the passage (key) they belong to; ``_rep`` marks its text.

    Reads the index part by part (:class:`_Repeats`): memory holds the
    regions and the distinct repeated n-grams, not the index.
    """
    repeats = _Repeats(store, config.min_words)
    bp_row = bp[ROW].cast(pl.Int64).to_numpy() if bp.height else np.zeros(0, np.int64)
    order = np.argsort(bp_row, kind="stable")
    bp_row = bp_row[order]
    bp_start = bp[START].cast(pl.Int64).to_numpy()[order] if bp.height else bp_row
    bp_end = bp[END].cast(pl.Int64).to_numpy()[order] if bp.height else bp_row
    found_parts = [pl.DataFrame(schema=_FOUND_SCHEMA)]
    n_regions = 0
    for rep, _, spans, key in repeats.parts():
        frame = pl.DataFrame(
            {
                _REGION: np.arange(n_regions, n_regions + len(spans), dtype=np.int64),
                ROW: spans[:, 0],
                _TOK0: spans[:, 1],
                _TOK1: spans[:, 2],
                START: spans[:, 3],
                END: spans[:, 4],
                _KEY: key,
            },
            schema=_FOUND_SCHEMA,
        )
        n_regions += len(spans)
        if len(spans) and len(bp_row):
            # Regions inside a boilerplate line are that line, not a passage.
            lo = np.searchsorted(bp_row, rep.row[0], side="left")
            hi = np.searchsorted(bp_row, rep.row[-1], side="right")
            if lo < hi:
                lines = pl.DataFrame(
                    {ROW: bp_row[lo:hi], "_bs": bp_start[lo:hi], "_be": bp_end[lo:hi]}
                )
                inside = (
                    frame.select(_REGION, ROW, START, END)
                    .join(lines, on=ROW)
                    .filter(
                        (pl.col(START) >= pl.col("_bs"))
                        & (pl.col(END) <= pl.col("_be"))
                    )
                    .select(_REGION)
                    .unique()
                )
                frame = frame.join(inside, on=_REGION, how="anti")
        found_parts.append(frame)
    found = pl.concat(found_parts)
    del found_parts
    size = pl.len().over(_KEY)
    core = found.filter(size >= 2)
    orphans = found.filter(size == 1)
    members = core.with_columns(pl.lit(True).alias("_core"))
    if orphans.height and core.height:
        attached = _attach_orphans(repeats, n_regions, core, orphans)
        members = pl.concat(
            [
                members,
                attached.select(found.columns).with_columns(
                    pl.lit(False).alias("_core")
                ),
            ]
        )
    first = (
        members.filter(pl.col("_core"))
        .with_columns((pl.col(_TOK1) - pl.col(_TOK0)).alias("_len"))
        .sort([_KEY, "_len", ROW, _TOK0], descending=[False, True, False, False])
        .unique(_KEY, keep="first", maintain_order=True)
        .select(_REGION, pl.lit(True).alias("_rep"))
    )
    members = members.join(first, on=_REGION, how="left").with_columns(
        pl.col("_rep").fill_null(False)
    )
    return members, n_regions, repeats.n_repeated


_FOUND_SCHEMA = {
    _REGION: pl.Int64, ROW: pl.Int64, _TOK0: pl.Int64, _TOK1: pl.Int64,
    START: pl.Int64, END: pl.Int64, _KEY: pl.UInt64,
}  # fmt: skip


class _Repeats:
    """The repeated n-grams of an index, part by part, cut into regions.

    Each pass over :meth:`parts` reads the index again and gives the same
    parts: (repeated n-grams, their global region, region spans, region keys).
    """

    def __init__(self, store: NgramStore, n_words: int) -> None:
        self.store = store
        self.n_words = n_words
        keys, self.counts = store.repeated()
        self.table, self.where = build_index(keys)
        self.n_repeated = 0

    def parts(
        self,
    ) -> Iterator[
        tuple[
            Ngrams, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64]
        ]
    ]:
        base = 0
        n_repeated = 0
        for part in self.store.parts():
            at = np.empty(len(part), dtype=np.int64)
            lookup(self.table, self.where, part.hash, at)
            again = at >= 0
            rep = part.take(again)
            count = self.counts[at[again]]
            region_of = np.zeros(len(rep), dtype=np.int64)
            spans, _, key, _ = regions(
                rep.row, rep.pos, rep.start, rep.end, rep.hash, count, self.n_words,
                region_of,
            )  # fmt: skip
            n_repeated += len(rep)
            yield rep, region_of + base, spans, key
            base += len(spans)
        self.n_repeated = n_repeated


def _attach_orphans(
    repeats: _Repeats,
    n_regions: int,
    core: pl.DataFrame,
    orphans: pl.DataFrame,
) -> pl.DataFrame:
    """Orphan regions with the key of the passage they share most n-grams with.

    An orphan is a region whose rarest n-gram no other region has as its
    own: typically a truncated copy, whose rarest n-gram is one the full
    copies share with it but not their rarest. Linking goes one step, to a
    passage of two regions or more, so passages never chain into each other.
    """
    is_orphan = np.zeros(n_regions, dtype=np.bool_)
    is_orphan[orphans[_REGION].to_numpy()] = True
    core_key = np.zeros(n_regions, dtype=np.uint64)
    is_core = np.zeros(n_regions, dtype=np.bool_)
    core_regions = core[_REGION].to_numpy()
    core_key[core_regions] = core[_KEY].to_numpy()
    is_core[core_regions] = True
    # Two reads of the index: the orphans' n-grams (few), then the core
    # n-grams among them.
    o_hash: list[npt.NDArray[np.uint64]] = [np.zeros(0, dtype=np.uint64)]
    o_region: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    for rep, region_of, _, _ in repeats.parts():
        in_orphan = is_orphan[region_of]
        o_hash.append(rep.hash[in_orphan])
        o_region.append(region_of[in_orphan])
    orphan_hash = np.concatenate(o_hash)
    orphan_hashes = unique_counts(orphan_hash)[0]
    table, where = build_index(orphan_hashes)
    to_parts = [pl.DataFrame(schema={"_h": pl.Int64, "_to": pl.UInt64})]
    for rep, region_of, _, _ in repeats.parts():
        in_core = is_core[region_of]
        shared = np.empty(int(in_core.sum()), dtype=np.int64)
        lookup(table, where, rep.hash[in_core], shared)
        hit = shared >= 0
        to_parts.append(
            pl.DataFrame(
                {"_h": shared[hit], "_to": core_key[region_of[in_core][hit]]}
            ).unique()
        )
    to = pl.concat(to_parts).unique()
    links = (
        pl.DataFrame(
            {
                _REGION: np.concatenate(o_region),
                "_h": positions(orphan_hashes, orphan_hash),
            }
        )
        .join(to, on="_h")
        .group_by(_REGION, "_to")
        .agg(pl.len().alias("_shared"))
        .sort([_REGION, "_shared", "_to"], descending=[False, True, False])
        .unique(_REGION, keep="first", maintain_order=True)
    )
    return orphans.join(links.select(_REGION, "_to"), on=_REGION).select(
        pl.exclude(_KEY, "_to"), pl.col("_to").alias(_KEY)
    )


# ---------------------------------------------------------------- assembly


def passage_id(text: str) -> str:
    """The id of a passage: BLAKE2b (8 bytes, hex) of its normalised text.

    The text is normalised by :func:`dedup.normalize.normalize`, so the id does
    not depend on case, punctuation or spacing, nor on this code base.

    Example:
        >>> passage_id("Also read") == passage_id("ALSO  READ!")
        True
        >>> passage_id("Also read")
        '29755e11b366433d'

    """
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=8).hexdigest()


def passage_ids(texts: list[str]) -> list[str]:
    """:func:`passage_id` of many texts, normalised by the compiled core."""
    return [
        hashlib.blake2b(raw, digest_size=8).hexdigest()
        for raw in normalized_utf8(pl.Series(texts, dtype=pl.String))
    ]


def _assemble(
    members: pl.DataFrame,
    bp: pl.DataFrame,
    rep_text: dict[int, str],
    line_text: dict[int, str],
    doc_ids: pl.Series,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    keys = sorted(rep_text)
    rep_texts = [rep_text[key] for key in keys]
    span_ids = dict(zip(keys, passage_ids(rep_texts), strict=True))
    span_text = dict(zip(span_ids.values(), rep_texts, strict=True))
    # A boilerplate line's text is its first occurrence in the input.
    bp_keys = bp[_HASH].unique().sort().to_list()
    bp_texts = [line_text[key] for key in bp_keys]
    bp_ids = dict(zip(bp_keys, passage_ids(bp_texts), strict=True))
    bp_text = dict(zip(bp_ids.values(), bp_texts, strict=True))
    occ_schema = {PASSAGE_ID: pl.String, ROW: pl.Int64, START: pl.Int64, END: pl.Int64}
    span_occ = members.select(
        pl.col(_KEY).replace_strict(span_ids, return_dtype=pl.String).alias(PASSAGE_ID),
        ROW, START, END,
    ) if members.height else pl.DataFrame(schema=occ_schema)  # fmt: skip
    bp_occ = bp.select(
        pl.col(_HASH).replace_strict(bp_ids, return_dtype=pl.String).alias(PASSAGE_ID),
        pl.col(ROW).cast(pl.Int64), pl.col(START).cast(pl.Int64),
        pl.col(END).cast(pl.Int64),
    ) if bp.height else pl.DataFrame(schema=occ_schema)  # fmt: skip
    # A boilerplate line whose words also form a repeated span is one passage.
    occ = (
        pl.concat([bp_occ, span_occ.cast(occ_schema)])  # type: ignore[arg-type]
        .unique([PASSAGE_ID, ROW, START, END], keep="first", maintain_order=True)
        .sort(PASSAGE_ID, ROW, START)
    )
    counts = occ.group_by(PASSAGE_ID).agg(
        pl.col(ROW).n_unique().cast(pl.UInt32).alias(N_DOCS),
        pl.len().cast(pl.UInt32).alias(N_OCCURRENCES),
    )
    text_of = {**span_text, **bp_text}
    passages = (
        counts.with_columns(
            pl.col(PASSAGE_ID)
            .replace_strict(text_of, return_dtype=pl.String)
            .alias(TEXT),
            pl.when(pl.col(PASSAGE_ID).is_in(list(bp_text)))
            .then(pl.lit(KIND_BOILERPLATE))
            .when(pl.col(N_DOCS) >= 2)
            .then(pl.lit(KIND_SHARED))
            .otherwise(pl.lit(KIND_INTERNAL))
            .alias(KIND),
        )
        .select(list(PASSAGES_SCHEMA))
        .cast(PASSAGES_SCHEMA)  # type: ignore[arg-type]
        .sort([N_DOCS, N_OCCURRENCES, PASSAGE_ID], descending=[True, True, False])
    )
    occurrences = (
        occ.with_columns(doc_ids.gather(occ[ROW]).alias(DOC_ID))
        .select(list(OCCURRENCES_SCHEMA))
        .cast(OCCURRENCES_SCHEMA)  # type: ignore[arg-type]
    )
    return passages, occurrences


def _doc_stats(
    first: _FirstPass, passages: pl.DataFrame, occurrences: pl.DataFrame
) -> pl.DataFrame:
    from dedup.passages.strip import COVERAGE_COLUMNS, coverage

    frame = pl.DataFrame(
        {DOC_ID: first.doc_ids}
        | {name: first.stats[:, j] for j, name in enumerate(STAT_COLUMNS)}
    )
    cov = coverage(passages, occurrences, first.doc_ids, first.n_chars)
    return frame.with_columns(cov.select(COVERAGE_COLUMNS))
