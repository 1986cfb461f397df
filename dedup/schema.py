"""Column names and types shared by every stage, the CLI and the output files.

Stages exchange polars frames; each checks the columns it needs on entry with
:func:`require` so that a mismatch is reported by name, not as a KeyError deep
inside a stage.

    >>> import polars as pl
    >>> require(pl.DataFrame({"doc_id": ["a"]}), [DOC_ID, TEXT], stage="scan")
    Traceback (most recent call last):
    ...
    dedup.errors.SchemaError: scan needs column(s) text; got doc_id
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from dedup.errors import SchemaError

# Input documents.
DOC_ID = "doc_id"
TEXT = "text"
URL = "url"
SITE = "site"
PUBLISHED = "published"
TITLE = "title"
#: Optional columns carried through from the input to docs.parquet when present.
CARRIED = (URL, SITE, PUBLISHED, TITLE)

# Internal: position of a document in the input (0-based, stable across passes).
ROW = "row"

# Per-document results.
N_TOKENS = "n_tokens"
N_SHINGLES = "n_shingles"
TEXT_CHARS = "text_chars"
CLUSTER_ID = "cluster_id"
CLUSTER_SIZE = "cluster_size"
IS_CANONICAL = "is_canonical"
CANONICAL_ID = "canonical_id"

# Pairs.
DOC_ID_A = "doc_id_a"
DOC_ID_B = "doc_id_b"
SIMILARITY = "similarity"
JACCARD = "jaccard"
RELATION = "relation"
REASON = "reason"
RELATION_DUPLICATE = "duplicate"
RELATION_TEMPLATE = "template"

# Quarantine records.
SOURCE = "source"
RECORD = "record"

DOCS_SCHEMA: dict[str, pl.DataType] = {
    DOC_ID: pl.String(),
    CLUSTER_ID: pl.String(),
    CLUSTER_SIZE: pl.UInt32(),
    IS_CANONICAL: pl.Boolean(),
    CANONICAL_ID: pl.String(),
    N_TOKENS: pl.UInt32(),
    TEXT_CHARS: pl.UInt32(),
}

PAIRS_SCHEMA: dict[str, pl.DataType] = {
    DOC_ID_A: pl.String(),
    DOC_ID_B: pl.String(),
    SIMILARITY: pl.Float64(),
    JACCARD: pl.Float64(),
    RELATION: pl.String(),
    REASON: pl.String(),
}


def require(frame: pl.DataFrame, columns: Iterable[str], *, stage: str) -> None:
    """Raise :class:`SchemaError` naming every column *stage* needs but lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{stage} needs column(s) {', '.join(missing)}; "
            f"got {', '.join(frame.columns) or 'no columns'}"
        )


# Repeated passages (``dedup passages``).
PASSAGE_ID = "passage_id"
KIND = "kind"
N_DOCS = "n_docs"
N_OCCURRENCES = "n_occurrences"
START = "start"
END = "end"
KIND_INTERNAL = "internal_repeat"
KIND_SHARED = "shared"
KIND_BOILERPLATE = "boilerplate"
PASSAGE_KINDS = (KIND_INTERNAL, KIND_SHARED, KIND_BOILERPLATE)

PASSAGES_SCHEMA: dict[str, pl.DataType] = {
    PASSAGE_ID: pl.String(),
    TEXT: pl.String(),
    KIND: pl.String(),
    N_DOCS: pl.UInt32(),
    N_OCCURRENCES: pl.UInt32(),
}

#: ``start``/``end``: code-point offsets into the original text, end exclusive.
OCCURRENCES_SCHEMA: dict[str, pl.DataType] = {
    PASSAGE_ID: pl.String(),
    DOC_ID: pl.String(),
    START: pl.Int64(),
    END: pl.Int64(),
}

#: The account of a strip: every removed span, with the passage it belongs to.
REMOVED_SCHEMA: dict[str, pl.DataType] = {
    DOC_ID: pl.String(),
    PASSAGE_ID: pl.String(),
    KIND: pl.String(),
    START: pl.Int64(),
    END: pl.Int64(),
    TEXT: pl.String(),
}

# Farm (filler and content-farm scoring): paragraphs.parquet and docs.parquet.
# Paragraph offsets reuse START/END above (code points, end exclusive).
PARAGRAPH_INDEX = "index"
IS_FILLER = "is_filler"
SCORE = "score"
FAMILY = "family"
FARM_SCORE = "farm_score"
FILLER_FRACTION = "filler_fraction"
N_FILLER = "n_filler"
TOP_REASONS = "top_reasons"
N_PARAGRAPHS = "n_paragraphs"
REPEATED_FRACTION = "repeated_fraction"
COMPRESSION_RATIO = "compression_ratio"

FARM_PARAGRAPHS_SCHEMA: dict[str, pl.DataType] = {
    DOC_ID: pl.String(),
    PARAGRAPH_INDEX: pl.UInt32(),
    TEXT: pl.String(),
    START: pl.Int64(),
    END: pl.Int64(),
    IS_FILLER: pl.Boolean(),
    SCORE: pl.Float64(),
    REASON: pl.String(),
    FAMILY: pl.String(),
}

FARM_DOCS_SCHEMA: dict[str, pl.DataType] = {
    DOC_ID: pl.String(),
    FARM_SCORE: pl.Float64(),
    FILLER_FRACTION: pl.Float64(),
    N_FILLER: pl.UInt32(),
    TOP_REASONS: pl.List(pl.String()),
    N_PARAGRAPHS: pl.UInt32(),
    REPEATED_FRACTION: pl.Float64(),
    COMPRESSION_RATIO: pl.Float64(),
}
