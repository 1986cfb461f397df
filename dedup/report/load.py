"""Build a :class:`~dedup.report.sections.Report` from one or more result folders.

Each dedup command writes its own folder. Which kind a folder holds is told by
its files:

* **scan**: ``docs.parquet`` with ``cluster_id`` and ``pairs.parquet``;
* **passages**: ``passages.parquet`` (and ``occurrences.parquet``);
* **farm**: ``docs.parquet`` with ``farm_score`` (and ``paragraphs.parquet``).

A report has a section per kind found. Parquet files are read lazily and
aggregated, so a million-document result loads in seconds and the report shows
the largest items with counts for the rest. Article texts are not in any
result folder: with an *input_source* (the input the results were made from)
the texts of the documents shown are read in one streaming pass and clusters
get word-level diffs; without one the report says so.

    >>> import tempfile, polars as pl
    >>> from dedup import scan_frame
    >>> from dedup.io.writers import write_results
    >>> t = "one two three four five six seven eight nine ten eleven twelve"
    >>> frame = pl.DataFrame({"doc_id": ["a", "b"], "text": [t, t + " more"]})
    >>> out = tempfile.mkdtemp()
    >>> _ = write_results(scan_frame(frame), out)
    >>> report = build_report([out], input_source=frame)
    >>> report.scan.clusters, report.passages is None
    (1, True)
    >>> member = report.scan.shown[0].members[0]
    >>> [p.text for p in member.diff.hunks[0].left if p.kind == "changed"]
    ['more']
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dedup.errors import ConfigError, InputError, SchemaError
from dedup.report.diff import WordDiff, word_diff
from dedup.report.sections import (
    ClusterView,
    DocView,
    FarmArticle,
    FarmSection,
    Histogram,
    MemberView,
    OccurrenceView,
    ParagraphView,
    PassagesSection,
    PassageView,
    Report,
    ScanSection,
)
from dedup.report.texts import Texts, TextSource, read_texts
from dedup.schema import (
    CANONICAL_ID,
    CLUSTER_ID,
    CLUSTER_SIZE,
    DOC_ID,
    DOC_ID_A,
    DOC_ID_B,
    END,
    FARM_SCORE,
    FILLER_FRACTION,
    IS_CANONICAL,
    IS_FILLER,
    KIND,
    KIND_BOILERPLATE,
    N_DOCS,
    N_FILLER,
    N_OCCURRENCES,
    N_PARAGRAPHS,
    N_TOKENS,
    PARAGRAPH_INDEX,
    PASSAGE_ID,
    PUBLISHED,
    REASON,
    RELATION,
    RELATION_DUPLICATE,
    RELATION_TEMPLATE,
    SCORE,
    SIMILARITY,
    SITE,
    START,
    TEXT,
    TEXT_CHARS,
    TITLE,
    TOP_REASONS,
    URL,
)

SCAN, PASSAGES, FARM = "scan", "passages", "farm"
KINDS = (SCAN, PASSAGES, FARM)

#: Histogram bins over [0, 1] for similarities and farm scores.
BINS = 20
#: Occurrences listed per passage; the passage's n_occurrences gives the rest.
MAX_OCCURRENCES = 10
#: Characters of a passage's text shown (passages can be whole paragraphs).
MAX_PASSAGE_CHARS = 1_000
#: Characters shown of a filler paragraph and of an unflagged one (context).
MAX_FILLER_CHARS = 3_000
MAX_CONTEXT_CHARS = 600
#: Paragraphs shown per article in the filler section.
MAX_PARAGRAPHS = 60
#: Characters of the canonical member's text shown above its diffs.
MAX_CANONICAL_CHARS = 6_000
#: Characters of text around a passage occurrence.
SNIPPET_CONTEXT = 80


@dataclass(frozen=True)
class ReportLimits:
    """How much a report shows; everything else is counted, not shown.

    Attributes:
        max_items: Clusters and passages shown (the largest first); the filler
            section shows half as many articles.
        max_members: Members per cluster shown with a diff.
        max_doc_chars: Characters of each article read for diffs and display.
        max_text_chars: Characters of article text in the whole report,
            counted as escaped HTML with its diff markup and shared between the
            sections; once a section's share is spent, its later items are
            listed without text. Bounds the file size (about this many bytes
            plus the listings, for mostly ASCII text).

    Example:
        >>> ReportLimits(max_items=0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: max_items must be at least 1; got 0. It is ...

    """

    max_items: int = 200
    max_members: int = 10
    max_doc_chars: int = 20_000
    max_text_chars: int = 3_000_000

    def __post_init__(self) -> None:
        hints = {
            "max_items": "It is the number of clusters and passages the report "
            "shows; the rest are counted.",
            "max_members": "It is the number of members per cluster shown with a "
            "diff against the canonical one.",
            "max_doc_chars": "It bounds the text read per article for diffs.",
            "max_text_chars": "It bounds the article text in the whole report.",
        }
        for name, hint in hints.items():
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be at least 1; got {value}. {hint}")

    @property
    def max_articles(self) -> int:
        """Articles shown in the filler section."""
        return max(1, self.max_items // 2)


#: Characters that HTML escaping lengthens, and by how much (``&quot;``).
_EXPANDING = "&<>\"'"


def _cost(text: str) -> int:
    """Roughly what *text* adds to the page once escaped.

    Hostile text made of ``<`` or quotes grows up to six times when escaped, so
    the budget counts the escaped length, not the raw one.
    """
    return len(text) + 5 * sum(text.count(c) for c in _EXPANDING)


def _diff_cost(diff: WordDiff) -> int:
    """What a rendered diff adds: escaped text plus the markup around it."""
    pieces = [p for h in diff.hunks for p in (*h.left, *h.right)]
    return sum(_cost(p.text) + 12 for p in pieces) + 160 * len(diff.hunks) + 400


class _Budget:
    """Characters of article text a section may still put in the report."""

    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, chars: int) -> bool:
        """Spend *chars* if they are left; False (and spend nothing) otherwise."""
        if chars > self.left:
            return False
        self.left -= chars
        return True


def detect(folder: str | Path) -> list[str]:
    """The kinds of results *folder* holds, in :data:`KINDS` order.

    Example:
        >>> import tempfile
        >>> detect(tempfile.mkdtemp())
        []

    """
    path = Path(folder)
    kinds = []
    docs_columns = _columns(path / "docs.parquet")
    if CLUSTER_ID in docs_columns and (path / "pairs.parquet").is_file():
        kinds.append(SCAN)
    if (path / "passages.parquet").is_file():
        kinds.append(PASSAGES)
    if FARM_SCORE in docs_columns:
        kinds.append(FARM)
    return kinds


def build_report(
    folders: Sequence[str | Path],
    *,
    input_source: TextSource | pl.DataFrame | None = None,
    input_name: str | None = None,
    max_items: int = 200,
    max_members: int = 10,
    max_doc_chars: int = 20_000,
    max_text_chars: int = 3_000_000,
) -> Report:
    """A report of the results in *folders*, one section per kind found.

    Args:
        folders: Result folders (of ``dedup scan``, ``passages``, ``farm``); at
            most one of each kind.
        input_source: The input the results were made from (what
            :func:`dedup.io.open_source` returns, or a frame with ``doc_id`` and
            ``text``). Only the texts of documents shown are read, in one pass.
            Without it clusters are shown without diffs.
        input_name: How to name the input in the report (default: the source's
            ``name`` attribute).
        max_items: Clusters and passages shown; see :class:`ReportLimits`.
        max_members: Members per cluster shown with a diff.
        max_doc_chars: Characters of each article read.
        max_text_chars: Characters of article text in the whole report.

    Returns:
        A :class:`~dedup.report.sections.Report` for
        :func:`dedup.report.html.render_html` or
        :func:`dedup.report.markdown.render_markdown`.

    Raises:
        InputError: A folder is missing, holds no results, or two folders hold
            the same kind.
        SchemaError: A results file lacks columns the report needs.
        ConfigError: A limit is out of range.

    """
    from dedup import __version__

    limits = ReportLimits(max_items, max_members, max_doc_chars, max_text_chars)
    if not folders:
        raise InputError("no results folder given; pass the folder of a dedup run")
    by_kind: dict[str, Path] = {}
    for folder in folders:
        path = Path(folder)
        if not path.is_dir():
            raise InputError(f"{path}: no such results folder")
        kinds = detect(path)
        if not kinds:
            raise InputError(
                f"{path}: holds no dedup results; expected docs.parquet with "
                "pairs.parquet (scan), passages.parquet (passages) or docs.parquet "
                "with farm_score (farm)"
            )
        for kind in kinds:
            if kind in by_kind:
                raise InputError(
                    f"{by_kind[kind]} and {path} both hold {kind} results; "
                    "give one folder per kind"
                )
            by_kind[kind] = path

    scan = _ScanLoader(by_kind[SCAN], limits) if SCAN in by_kind else None
    passages = (
        _PassagesLoader(by_kind[PASSAGES], limits) if PASSAGES in by_kind else None
    )
    farm = _FarmLoader(by_kind[FARM], limits) if FARM in by_kind else None

    notes: list[str] = []
    texts: Texts | None = None
    if input_source is not None:
        full: set[str] = set()
        spans: dict[str, list[tuple[int, int]]] = {}
        for loader in (scan, farm):
            if loader is not None:
                full |= loader.wanted_texts()
        if passages is not None:
            spans = passages.wanted_spans()
        texts = read_texts(
            input_source, full=full, spans=spans, max_chars=limits.max_doc_chars
        )
        if input_name is None:
            input_name = str(getattr(input_source, "name", "") or "") or None
        if texts.missing:
            notes.append(
                f"{len(texts.missing):,} of the documents shown are not in the input "
                f"({_some(texts.missing)}); is it the input these results were "
                "made from?"
            )
    elif scan is not None and scan.n_shown:
        notes.append(
            "No input given, so clusters are shown without their texts and diffs "
            "(pass the input the scan read to see them)."
        )

    present = [x for x in (scan, passages, farm) if x is not None]
    share = limits.max_text_chars // max(1, len(present))
    report = Report(
        folders=[Path(f) for f in folders],
        scan=scan.finish(texts, _Budget(share), notes) if scan else None,
        passages=passages.finish(texts, _Budget(share)) if passages else None,
        farm=farm.finish(texts, _Budget(share)) if farm else None,
        input_name=input_name,
        notes=notes,
        version=__version__,
    )
    return report


def _some(ids: set[str], n: int = 3) -> str:
    shown = sorted(ids)[:n]
    more = f" and {len(ids) - n:,} more" if len(ids) > n else ""
    return ", ".join(repr(i) for i in shown) + more


def _columns(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        return list(pl.read_parquet_schema(path))
    except Exception as exc:  # polars raises several types for a bad file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc


def _need(path: Path, frame: pl.LazyFrame, columns: Sequence[str]) -> list[str]:
    have = frame.collect_schema().names()
    missing = [c for c in columns if c not in have]
    if missing:
        raise SchemaError(
            f"{path} lacks column(s) {', '.join(missing)} that the report needs; "
            f"got {', '.join(have) or 'no columns'}"
        )
    return have


def _summary(folder: Path) -> dict[str, Any]:
    path = folder / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _histogram(
    frame: pl.LazyFrame, column: str, series_column: str | None, series: list[str]
) -> Histogram:
    """Counts of *column* (values in [0, 1]) in :data:`BINS` bins per series."""
    bin_expr = (
        (pl.col(column).cast(pl.Float64) * BINS)
        .floor()
        .clip(0, BINS - 1)
        .cast(pl.Int32)
        .alias("_bin")
    )
    keys = [bin_expr] + ([pl.col(series_column)] if series_column else [])
    counts = (
        frame.filter(pl.col(column).is_not_null() & pl.col(column).is_not_nan())
        .group_by(keys)
        .agg(pl.len().alias("_n"))
        .collect()
    )
    table = [[0] * BINS for _ in series]
    for row in counts.iter_rows(named=True):
        name = row[series_column] if series_column else series[0]
        if name in series:
            table[series.index(name)][int(row["_bin"])] += int(row["_n"])
    return Histogram([i / BINS for i in range(BINS + 1)], series, table)


def _doc_view(row: dict[str, Any]) -> DocView:
    def text(name: str) -> str | None:
        value = row.get(name)
        return None if value is None else str(value)

    def number(name: str) -> int | None:
        value = row.get(name)
        return None if value is None else int(value)

    return DocView(
        doc_id=str(row[DOC_ID]),
        title=text(TITLE),
        url=text(URL),
        site=text(SITE),
        published=text(PUBLISHED),
        n_tokens=number(N_TOKENS),
        text_chars=number(TEXT_CHARS),
    )


class _ScanLoader:
    """Aggregates and the largest clusters of a scan folder."""

    def __init__(self, folder: Path, limits: ReportLimits) -> None:
        self.folder, self.limits = folder, limits
        docs_path, pairs_path = folder / "docs.parquet", folder / "pairs.parquet"
        docs = pl.scan_parquet(docs_path)
        have = _need(
            docs_path,
            docs,
            [DOC_ID, CLUSTER_ID, CLUSTER_SIZE, IS_CANONICAL, CANONICAL_ID],
        )
        pairs = pl.scan_parquet(pairs_path)
        _need(pairs_path, pairs, [DOC_ID_A, DOC_ID_B, SIMILARITY, RELATION])
        clustered = docs.filter(pl.col(CLUSTER_SIZE) >= 2)
        heads = clustered.filter(pl.col(IS_CANONICAL))
        counts = docs.select(pl.len().alias("docs")).join(
            clustered.select(pl.len().alias("in")), how="cross"
        )
        self.documents, self.in_clusters = counts.collect().row(0)
        sizes = heads.group_by(CLUSTER_SIZE).agg(pl.len().alias("n"))
        self.size_counts = [
            (int(s), int(n)) for s, n in sizes.sort(CLUSTER_SIZE).collect().iter_rows()
        ]
        self.clusters = sum(n for _, n in self.size_counts)
        relations = pairs.group_by(RELATION).agg(pl.len().alias("n")).collect()
        by_relation = dict(relations.iter_rows())
        self.duplicate_pairs = int(by_relation.get(RELATION_DUPLICATE, 0))
        self.template_pairs = int(by_relation.get(RELATION_TEMPLATE, 0))
        self.similarity = _histogram(
            pairs, SIMILARITY, RELATION, [RELATION_DUPLICATE, RELATION_TEMPLATE]
        )

        top = (
            heads.sort([CLUSTER_SIZE, CLUSTER_ID], descending=[True, False])
            .head(limits.max_items)
            .select(CLUSTER_ID)
        )
        similarity = (
            pl.col(SIMILARITY).fill_null(0.0) if SIMILARITY in have else pl.lit(0.0)
        )
        # Members in display order: canonical, then most similar; only as many
        # per cluster as are shown (a cluster may hold thousands).
        self.members = (
            clustered.join(top, on=CLUSTER_ID, how="semi")
            .sort(
                [pl.col(IS_CANONICAL), similarity, pl.col(DOC_ID)],
                descending=[True, True, False],
            )
            .group_by(CLUSTER_ID, maintain_order=True)
            .head(limits.max_members + 1)
            .collect()
        )
        self.top = top.collect()[CLUSTER_ID].to_list()
        self.n_shown = len(self.top)
        wanted = self.members.filter(~pl.col(IS_CANONICAL)).select(
            pl.min_horizontal(DOC_ID, CANONICAL_ID).alias(DOC_ID_A),
            pl.max_horizontal(DOC_ID, CANONICAL_ID).alias(DOC_ID_B),
        )
        pair_cols = [DOC_ID_A, DOC_ID_B, RELATION]
        pair_cols += [REASON] if REASON in pairs.collect_schema().names() else []
        direct = (
            pairs.select(pair_cols)
            .join(wanted.lazy(), on=[DOC_ID_A, DOC_ID_B], how="semi")
            .collect()
        )
        self.pairs = {
            (row[DOC_ID_A], row[DOC_ID_B]): (row[RELATION], row.get(REASON))
            for row in direct.iter_rows(named=True)
        }

    def wanted_texts(self) -> set[str]:
        return set(self.members[DOC_ID].to_list())

    def finish(
        self, texts: Texts | None, budget: _Budget, notes: list[str]
    ) -> ScanSection:
        sizes = dict(
            self.members.filter(pl.col(IS_CANONICAL))
            .select(CLUSTER_ID, CLUSTER_SIZE)
            .iter_rows()
        )
        by_cluster: dict[str, list[dict[str, Any]]] = {}
        for row in self.members.iter_rows(named=True):
            by_cluster.setdefault(row[CLUSTER_ID], []).append(row)
        shown: list[ClusterView] = []
        spent = False
        for cluster_id in self.top:
            rows = by_cluster.get(cluster_id, [])
            head, rest = rows[0], rows[1:]
            canonical = _doc_view(head)
            view = ClusterView(
                cluster_id=str(cluster_id),
                size=int(sizes.get(cluster_id, len(rows))),
                canonical=canonical,
            )
            view.members_omitted = view.size - 1 - len(rest)
            left = texts.texts.get(canonical.doc_id) if texts else None
            if left is not None:
                preview = left[:MAX_CANONICAL_CHARS]
                if budget.take(_cost(preview)):
                    view.canonical_text = preview
                    view.canonical_text_cut = (
                        texts.lengths.get(canonical.doc_id, len(left)) - len(preview)
                        if texts
                        else 0
                    )
            for row in rest:
                member = _doc_view(row)
                key = (
                    min(member.doc_id, canonical.doc_id),
                    max(member.doc_id, canonical.doc_id),
                )
                relation, reason = self.pairs.get(key, (None, None))
                similarity = row.get(SIMILARITY)
                mv = MemberView(
                    doc=member,
                    similarity=None if similarity is None else float(similarity),
                    relation=relation,
                    reason=reason,
                )
                if relation is None:
                    mv.reason = "linked to the canonical article through other members"
                right = texts.texts.get(member.doc_id) if texts else None
                if texts is None:
                    mv.note = "no input given: texts not read"
                elif left is None or right is None:
                    mv.note = "text not found in the input"
                else:
                    diff = word_diff(left, right)
                    if budget.take(_diff_cost(diff)):
                        mv.diff = diff
                    else:
                        spent = True
                        mv.note = "diff left out: the report's size limit is reached"
                view.members.append(mv)
            shown.append(view)
        if texts is not None:
            differ = _length_mismatches(self.members, texts)
            if differ:
                notes.append(
                    f"{len(differ):,} documents in the input differ in length from "
                    f"the ones scanned ({_some(differ)}); their diffs may mislead."
                )
        if spent:
            notes.append(
                "Some diffs were left out to keep the report small; raise "
                "max_text_chars or lower max_items to see more."
            )
        return ScanSection(
            folder=self.folder,
            documents=int(self.documents),
            documents_in_clusters=int(self.in_clusters),
            clusters=self.clusters,
            duplicate_pairs=self.duplicate_pairs,
            template_pairs=self.template_pairs,
            size_counts=self.size_counts,
            similarity=self.similarity,
            shown=shown,
            summary=_summary(self.folder),
        )


def _length_mismatches(members: pl.DataFrame, texts: Texts) -> set[str]:
    """Ids whose input text is not as long as the scan recorded."""
    if TEXT_CHARS not in members.columns:
        return set()
    return {
        doc_id
        for doc_id, chars in members.select(DOC_ID, TEXT_CHARS).iter_rows()
        if chars is not None
        and doc_id in texts.lengths
        and texts.lengths[doc_id] != chars
    }


def _cut(text: str, limit: int) -> tuple[str, int]:
    """*text* cut to *limit* characters, and how many were cut."""
    return (text, 0) if len(text) <= limit else (text[:limit], len(text) - limit)


class _PassagesLoader:
    """Counts and the most widespread passages of a passages folder."""

    def __init__(self, folder: Path, limits: ReportLimits) -> None:
        self.folder, self.limits = folder, limits
        path = folder / "passages.parquet"
        passages = pl.scan_parquet(path)
        _need(path, passages, [PASSAGE_ID, TEXT, KIND, N_DOCS, N_OCCURRENCES])
        kinds = (
            passages.group_by(KIND)
            .agg(pl.len().alias("n"), pl.col(N_OCCURRENCES).sum().alias("occ"))
            .sort(KIND)
            .collect()
        )
        self.by_kind = {str(k): (int(n), int(o or 0)) for k, n, o in kinds.iter_rows()}
        order = dict(
            by=[N_DOCS, N_OCCURRENCES, PASSAGE_ID], descending=[True, True, False]
        )
        columns = [PASSAGE_ID, TEXT, KIND, N_DOCS, N_OCCURRENCES]
        self.top = (
            passages.sort(**order)  # type: ignore[arg-type]
            .head(limits.max_items)
            .select(columns)
            .collect()
        )
        self.boilerplate = (
            passages.filter(pl.col(KIND) == KIND_BOILERPLATE)
            .sort(**order)  # type: ignore[arg-type]
            .head(10)
            .select(columns)
            .collect()
        )
        occ_path = folder / "occurrences.parquet"
        self.occurrences = pl.DataFrame(
            schema={
                PASSAGE_ID: pl.String,
                DOC_ID: pl.String,
                START: pl.Int64,
                END: pl.Int64,
            }
        )
        if occ_path.is_file():
            occ = pl.scan_parquet(occ_path)
            _need(occ_path, occ, [PASSAGE_ID, DOC_ID, START, END])
            ids = self.top.select(PASSAGE_ID)
            self.occurrences = (
                occ.select(PASSAGE_ID, DOC_ID, START, END)
                .join(ids.lazy(), on=PASSAGE_ID, how="semi")
                .sort(PASSAGE_ID, DOC_ID, START)
                .group_by(PASSAGE_ID, maintain_order=True)
                .head(MAX_OCCURRENCES)
                .collect()
            )

    def wanted_spans(self) -> dict[str, list[tuple[int, int]]]:
        spans: dict[str, list[tuple[int, int]]] = {}
        for _, doc_id, start, end in self.occurrences.iter_rows():
            spans.setdefault(doc_id, []).append((int(start), int(end)))
        return spans

    def finish(self, texts: Texts | None, budget: _Budget) -> PassagesSection:
        occurrences: dict[str, list[OccurrenceView]] = {}
        for pid, doc_id, start, end in self.occurrences.iter_rows():
            view = OccurrenceView(str(doc_id), int(start), int(end))
            snippet = texts.snippets.get((doc_id, start, end)) if texts else None
            if snippet is not None and budget.take(sum(map(_cost, snippet))):
                view.before, view.match, view.after = snippet
            occurrences.setdefault(pid, []).append(view)

        def views(frame: pl.DataFrame) -> list[PassageView]:
            out = []
            for row in frame.iter_rows(named=True):
                text, cut = _cut(str(row[TEXT] or ""), MAX_PASSAGE_CHARS)
                out.append(
                    PassageView(
                        passage_id=str(row[PASSAGE_ID]),
                        kind=str(row[KIND]),
                        text=text,
                        text_cut=cut,
                        n_docs=int(row[N_DOCS] or 0),
                        n_occurrences=int(row[N_OCCURRENCES] or 0),
                        occurrences=occurrences.get(row[PASSAGE_ID], []),
                    )
                )
            return out

        return PassagesSection(
            folder=self.folder,
            passages=sum(n for n, _ in self.by_kind.values()),
            occurrences=sum(o for _, o in self.by_kind.values()),
            by_kind=self.by_kind,
            boilerplate=views(self.boilerplate),
            shown=views(self.top),
            summary=_summary(self.folder),
        )


class _FarmLoader:
    """Rates, score distribution and the highest-scoring articles of a farm run."""

    def __init__(self, folder: Path, limits: ReportLimits) -> None:
        self.folder, self.limits = folder, limits
        path = folder / "docs.parquet"
        docs = pl.scan_parquet(path)
        have = _need(path, docs, [DOC_ID, FARM_SCORE])
        self.summary = _summary(folder)
        threshold = self.summary.get("threshold")
        self.threshold = (
            float(threshold) if isinstance(threshold, (int, float)) else None
        )
        aggs = [pl.len().alias("docs")]
        if N_FILLER in have:
            aggs += [
                (pl.col(N_FILLER) > 0).sum().alias("flagged"),
                pl.col(N_FILLER).sum().alias("filler"),
            ]
        elif self.threshold is not None:
            aggs.append((pl.col(FARM_SCORE) >= self.threshold).sum().alias("flagged"))
        if N_PARAGRAPHS in have:
            aggs.append(pl.col(N_PARAGRAPHS).sum().alias("paragraphs"))
        if FILLER_FRACTION in have:
            aggs.append(pl.col(FILLER_FRACTION).mean().alias("fraction"))
        self.counts = docs.select(aggs).collect().row(0, named=True)
        self.scores = _histogram(docs, FARM_SCORE, None, ["articles"])
        self.top_reasons: list[tuple[str, int]] = []
        if TOP_REASONS in have:
            reasons = (
                docs.select(pl.col(TOP_REASONS).explode().alias("r"))
                .drop_nulls()
                # "callout (13)" counts paragraphs in one article; here the
                # table counts articles per kind of filler.
                .select(pl.col("r").str.replace(r"\s*\(\d+\)$", ""))
                .group_by("r")
                .agg(pl.len().alias("n"))
                .sort(["n", "r"], descending=[True, False])
                .head(10)
                .collect()
            )
            self.top_reasons = [(str(r), int(n)) for r, n in reasons.iter_rows()]
        self.top = (
            docs.sort([FARM_SCORE, DOC_ID], descending=[True, False], nulls_last=True)
            .head(limits.max_articles)
            .collect()
        )
        para_path = folder / "paragraphs.parquet"
        self.paragraphs: pl.DataFrame | None = None
        if para_path.is_file():
            paras = pl.scan_parquet(para_path)
            pcols = _need(para_path, paras, [DOC_ID, TEXT, IS_FILLER])
            keep = [
                c
                for c in (
                    DOC_ID,
                    PARAGRAPH_INDEX,
                    TEXT,
                    START,
                    END,
                    IS_FILLER,
                    SCORE,
                    REASON,
                )
                if c in pcols
            ]
            order = [DOC_ID] + [c for c in (PARAGRAPH_INDEX, START) if c in pcols]
            self.paragraphs = (
                paras.select(keep)
                .join(self.top.lazy().select(DOC_ID), on=DOC_ID, how="semi")
                .sort(order)
                .collect()
            )

    def wanted_texts(self) -> set[str]:
        # Texts are needed only when paragraphs.parquet kept the flagged
        # paragraphs alone: the text supplies what lies between them.
        if self.paragraphs is not None and not self.paragraphs[IS_FILLER].all():
            return set()
        return set(self.top[DOC_ID].to_list())

    def finish(self, texts: Texts | None, budget: _Budget) -> FarmSection:
        by_doc: dict[str, list[dict[str, Any]]] = {}
        if self.paragraphs is not None:
            for row in self.paragraphs.iter_rows(named=True):
                by_doc.setdefault(row[DOC_ID], []).append(row)
        all_kept = self.paragraphs is not None and not self.paragraphs[IS_FILLER].all()
        shown = []
        for row in self.top.iter_rows(named=True):
            reasons = row.get(TOP_REASONS)
            article = FarmArticle(
                doc=_doc_view(row),
                farm_score=float(row[FARM_SCORE] or 0.0),
                filler_fraction=_float(row.get(FILLER_FRACTION)),
                n_filler=None if row.get(N_FILLER) is None else int(row[N_FILLER]),
                top_reasons=[str(r) for r in reasons] if reasons else [],
            )
            rows = by_doc.get(article.doc.doc_id, [])
            text = texts.texts.get(article.doc.doc_id) if texts else None
            if all_kept or (rows and text is None):
                paragraphs = [_paragraph(r) for r in rows]
                if not all_kept:
                    article.note = "only the flagged paragraphs were kept"
            elif text is not None:
                paragraphs = _from_text(text, rows)
            else:
                paragraphs = []
            if not paragraphs and not article.note:
                article.note = "no paragraphs in the results and no input text"
            article.paragraphs_omitted = max(0, len(paragraphs) - MAX_PARAGRAPHS)
            for p in paragraphs[:MAX_PARAGRAPHS]:
                if not budget.take(_cost(p.text)):
                    article.note = "text left out: the report's size limit is reached"
                    article.paragraphs = []
                    break
                article.paragraphs.append(p)
            shown.append(article)
        c = self.counts
        return FarmSection(
            folder=self.folder,
            documents=int(c["docs"]),
            flagged_documents=int(c.get("flagged") or 0),
            paragraphs=None if c.get("paragraphs") is None else int(c["paragraphs"]),
            filler_paragraphs=None if c.get("filler") is None else int(c["filler"]),
            mean_filler_fraction=_float(c.get("fraction")),
            scores=self.scores,
            top_reasons=self.top_reasons,
            threshold=self.threshold,
            shown=shown,
            summary=self.summary,
        )


def _float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _paragraph(row: dict[str, Any]) -> ParagraphView:
    filler = bool(row[IS_FILLER])
    limit = MAX_FILLER_CHARS if filler else MAX_CONTEXT_CHARS
    text, cut = _cut(str(row[TEXT] or ""), limit)
    return ParagraphView(
        text=text,
        cut=cut,
        is_filler=filler,
        score=_float(row.get(SCORE)),
        reason=None if row.get(REASON) is None else str(row[REASON]),
        index=None if row.get(PARAGRAPH_INDEX) is None else int(row[PARAGRAPH_INDEX]),
    )


def _from_text(text: str, flagged: list[dict[str, Any]]) -> list[ParagraphView]:
    """The article cut into context and flagged spans (offsets from the rows)."""
    out: list[ParagraphView] = []
    pos = 0
    rows = sorted(
        (r for r in flagged if r.get(START) is not None and r.get(END) is not None),
        key=lambda r: (int(r[START]), int(r[END])),
    )
    for row in rows:
        start, end = int(row[START]), int(row[END])
        if start >= len(text):
            break
        if start > pos:
            between, cut = _cut(text[pos:start].strip(), MAX_CONTEXT_CHARS)
            if between:
                out.append(ParagraphView(between, cut, False))
        view = _paragraph({**row, TEXT: text[start:end]})
        out.append(view)
        pos = max(pos, end)
    rest, cut = _cut(text[pos:].strip(), MAX_CONTEXT_CHARS)
    if rest:
        out.append(ParagraphView(rest, cut, False))
    return out
