"""Repeated passages: shared quotes and paragraphs, in-article repeats, boilerplate.

Near-duplicate detection (:func:`dedup.scan`) compares whole articles; this
finds the smaller repeats inside them:

* ``shared``: the same span of at least ``min_words`` words in different
  documents (a quote, a lifted paragraph, a wire paragraph);
* ``internal_repeat``: a document repeats a span of itself (a paragraph pasted
  twice, a headline repeated);
* ``boilerplate``: a line across many documents of one site, or a short
  template line repeated within a document ("Also read").

Modules: :mod:`~dedup.passages.config` (:class:`PassageConfig`),
:mod:`~dedup.passages.tokens` (compiled tokens with offsets),
:mod:`~dedup.passages.winnow` (fingerprints, Bloom filter),
:mod:`~dedup.passages.stats` (Gopher repetition statistics),
:mod:`~dedup.passages.passes` (the two compiled passes),
:mod:`~dedup.passages.find` (:func:`find_passages`) and
:mod:`~dedup.passages.strip` (:func:`strip_passages`) and
:mod:`~dedup.passages.output` (:func:`write_passages`, :func:`write_strip`).

    >>> import polars as pl
    >>> from dedup.io import open_source
    >>> result = find_passages(open_source("seeds"))
    >>> result.passages.filter(pl.col("kind") == "boilerplate")["text"].to_list()
    ['Also read']
"""

from dedup.passages.config import PassageConfig
from dedup.passages.find import (
    PassagesResult,
    PassageStats,
    find_passages,
    find_passages_frame,
    passage_id,
)
from dedup.passages.output import write_passages, write_strip
from dedup.passages.stats import STAT_COLUMNS, repetition_stats
from dedup.passages.strip import (
    COVERAGE_COLUMNS,
    removal_plan,
    strip_batches,
    strip_passages,
)

__all__ = [
    "COVERAGE_COLUMNS",
    "STAT_COLUMNS",
    "PassageConfig",
    "PassageStats",
    "PassagesResult",
    "find_passages",
    "find_passages_frame",
    "passage_id",
    "removal_plan",
    "repetition_stats",
    "strip_batches",
    "strip_passages",
    "write_passages",
    "write_strip",
]
