"""What a report holds: plain data that the HTML and Markdown renderers share.

:func:`dedup.report.load.build_report` fills these from result folders; the
renderers only format them. Values from the data (ids, titles, URLs, texts) are
kept raw here and escaped by the renderers, at the one place they are written.

    >>> doc = DocView("a<b>", title="T", url="javascript:x")
    >>> doc.label
    'T'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedup.report.diff import WordDiff


@dataclass
class DocView:
    """One article as a report names it.

    Attributes:
        doc_id: Its id.
        title, url, site, published: The carried columns, when the results
            have them (raw: the renderers escape and filter them).
        n_tokens: Words, when known.
        text_chars: Length in characters, when known.

    """

    doc_id: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    published: str | None = None
    n_tokens: int | None = None
    text_chars: int | None = None

    @property
    def label(self) -> str:
        """The title when there is one, else the id."""
        return self.title if self.title else self.doc_id


@dataclass
class MemberView:
    """A member of a cluster other than the canonical one.

    Attributes:
        doc: The article.
        similarity: Its overlap with the canonical member.
        relation, reason: From its verified pair with the canonical member;
            None when the two are linked only through other members.
        diff: Its words against the canonical member's, when texts were read.
        note: Why there is no diff, when there is none.

    """

    doc: DocView
    similarity: float | None
    relation: str | None = None
    reason: str | None = None
    diff: WordDiff | None = None
    note: str | None = None


@dataclass
class ClusterView:
    """A cluster: canonical member first, then members by similarity."""

    cluster_id: str
    size: int
    canonical: DocView
    members: list[MemberView] = field(default_factory=list)
    members_omitted: int = 0
    canonical_text: str | None = None
    canonical_text_cut: int = 0


@dataclass
class Histogram:
    """Counts per bin, one count series per label (e.g. per relation).

    Attributes:
        edges: ``len(counts[s]) + 1`` bin edges.
        series: Series names, in the order of *counts*.
        counts: One list of counts per series.

    """

    edges: list[float]
    series: list[str]
    counts: list[list[int]]

    @property
    def total(self) -> int:
        """All counts added up."""
        return sum(sum(c) for c in self.counts)


@dataclass
class ScanSection:
    """Near-duplicate clusters (from ``docs.parquet`` + ``pairs.parquet``).

    Attributes:
        folder: Where the results are.
        documents: Documents scanned.
        documents_in_clusters: Documents in clusters of two or more.
        clusters: Clusters of two or more.
        duplicate_pairs, template_pairs: Verified pairs by relation.
        size_counts: (cluster size, number of clusters), by size.
        similarity: Histogram of pair similarities by relation.
        shown: The largest clusters, largest first.
        summary: The run's ``summary.json`` (empty when absent).

    """

    folder: Path
    documents: int
    documents_in_clusters: int
    clusters: int
    duplicate_pairs: int
    template_pairs: int
    size_counts: list[tuple[int, int]]
    similarity: Histogram
    shown: list[ClusterView]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def removable(self) -> int:
        """Documents a deduplication would drop: clustered, not canonical."""
        return self.documents_in_clusters - self.clusters

    @property
    def duplicate_rate(self) -> float:
        """:attr:`removable` as a share of all documents."""
        return self.removable / self.documents if self.documents else 0.0


@dataclass
class OccurrenceView:
    """Where a passage occurs, with the text around it when texts were read."""

    doc_id: str
    start: int
    end: int
    before: str | None = None
    match: str | None = None
    after: str | None = None


@dataclass
class PassageView:
    """A repeated passage and some of its occurrences."""

    passage_id: str
    kind: str
    text: str
    text_cut: int
    n_docs: int
    n_occurrences: int
    occurrences: list[OccurrenceView] = field(default_factory=list)


@dataclass
class PassagesSection:
    """Repeated passages (from ``passages.parquet`` + ``occurrences.parquet``).

    Attributes:
        folder: Where the results are.
        passages: Passages found.
        occurrences: Their occurrences.
        by_kind: kind → (passages, occurrences).
        boilerplate: The most widespread boilerplate lines.
        shown: The most widespread passages, most first.
        summary: The run's ``summary.json`` (empty when absent).

    """

    folder: Path
    passages: int
    occurrences: int
    by_kind: dict[str, tuple[int, int]]
    boilerplate: list[PassageView]
    shown: list[PassageView]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParagraphView:
    """A paragraph of an article in the filler section.

    Attributes:
        text: Its text, possibly cut.
        cut: Characters cut from its end.
        is_filler: Flagged as filler.
        score, reason: The classifier's score and reason, when known.
        index: Its position in the article, when known.

    """

    text: str
    cut: int
    is_filler: bool
    score: float | None = None
    reason: str | None = None
    index: int | None = None


@dataclass
class FarmArticle:
    """An article with its filler paragraphs marked."""

    doc: DocView
    farm_score: float
    filler_fraction: float | None
    n_filler: int | None
    top_reasons: list[str]
    paragraphs: list[ParagraphView] = field(default_factory=list)
    paragraphs_omitted: int = 0
    note: str | None = None


@dataclass
class FarmSection:
    """Filler and content-farm scores (``docs.parquet`` + ``paragraphs.parquet``).

    Attributes:
        folder: Where the results are.
        documents: Documents scored.
        flagged_documents: Documents with at least one filler paragraph.
        paragraphs: Paragraphs scored, when known.
        filler_paragraphs: Paragraphs flagged, when known.
        mean_filler_fraction: Mean share of characters in filler, when known.
        scores: Histogram of farm scores.
        top_reasons: (reason, articles) for the most frequent reasons.
        threshold: The flagging threshold, when the summary gives it.
        shown: The highest-scoring articles, highest first.
        summary: The run's ``summary.json`` (empty when absent).

    """

    folder: Path
    documents: int
    flagged_documents: int
    paragraphs: int | None
    filler_paragraphs: int | None
    mean_filler_fraction: float | None
    scores: Histogram
    top_reasons: list[tuple[str, int]]
    threshold: float | None
    shown: list[FarmArticle]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def filler_rate(self) -> float | None:
        """Share of paragraphs flagged, when the paragraph count is known."""
        if self.paragraphs and self.filler_paragraphs is not None:
            return self.filler_paragraphs / self.paragraphs
        return None


@dataclass
class Report:
    """Everything a rendered report shows.

    Attributes:
        folders: The result folders it was built from.
        scan, passages, farm: One section per kind of results found (None when
            no folder holds that kind).
        input_name: The input the texts were read from, or None.
        notes: Things the reader should know (no texts, ids missing, ...).
        version: The dedup version that built it.

    """

    folders: list[Path]
    scan: ScanSection | None = None
    passages: PassagesSection | None = None
    farm: FarmSection | None = None
    input_name: str | None = None
    notes: list[str] = field(default_factory=list)
    version: str = ""
