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
