"""Rules shared by the columnar readers (Parquet and CSV).

* The text column must exist (else :class:`InputError` naming the file, the
  missing column, the columns present and ``--text-field``) and hold text:
  a string, binary (decoded as UTF-8) or all-null column.
* The id column is optional: when the input has no column named
  ``id_field`` (the default ``"id"`` or one picked explicitly), ``doc_id`` is
  the 0-based row number as a string, the same number that labels the row in
  quarantine records.
* ``url``, ``site``, ``published`` and ``title`` are carried as strings when
  present; nested values are written as JSON.

    >>> opts = ReadOptions(text_field="body")
    >>> cols = resolve_columns("a.parquet", ["body", "url"], opts)
    >>> cols.id, cols.text, cols.carried
    (None, 'body', ('url',))
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from dedup.errors import InputError
from dedup.io.source import (
    BAD_UTF8,
    LOC,
    MISSING_ID,
    MISSING_TEXT,
    Chunk,
    ReadOptions,
    Rejection,
    carried_present,
    one_line,
)
from dedup.schema import DOC_ID, TEXT


@dataclass(frozen=True)
class Columns:
    """Which input columns feed ``doc_id``, ``text`` and the carried columns."""

    id: str | None
    text: str
    carried: tuple[str, ...]

    @property
    def to_read(self) -> list[str]:
        """The input columns to load, each once."""
        names = [self.id, self.text, *self.carried]
        return list(dict.fromkeys(n for n in names if n is not None))


def resolve_columns(label: str, names: list[str], options: ReadOptions) -> Columns:
    """Pick the columns to read from a table with columns ``names``.

    Raises:
        InputError: The text column is missing.

    """
    if options.text_field not in names:
        have = ", ".join(repr(n) for n in names) or "none"
        raise InputError(
            f"{label}: no text column {options.text_field!r} (columns: {have}); "
            "pick one with --text-field"
        )
    id_column = options.id_field if options.id_field in names else None
    return Columns(id_column, options.text_field, carried_present(names))


def _texty(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _texty(kind.value_type)
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_binary_view(kind)
        or pa.types.is_null(kind)
    )


def check_types(label: str, schema: pa.Schema, columns: Columns) -> None:
    """Refuse a text column that is not text, or an id that is not a key.

    A whole column of the wrong type is a wrong column choice, not bad records,
    so it is an :class:`InputError` rather than a quarantine entry per row.
    """
    kind = schema.field(columns.text).type
    if not _texty(kind):
        raise InputError(
            f"{label}: text column {columns.text!r} holds {kind}, not text; "
            "pick one with --text-field"
        )
    if columns.id is not None:
        kind = schema.field(columns.id).type
        if not (_texty(kind) or pa.types.is_integer(kind)):
            raise InputError(
                f"{label}: id column {columns.id!r} holds {kind}; "
                "expected strings or integers (pick one with --id-field)"
            )


def _decoded(series: pl.Series) -> tuple[pl.Series, dict[int, int]]:
    """Convert to String; for binary input also return {position: bad byte}."""
    if series.dtype != pl.Binary:
        return series.cast(pl.String), {}
    try:
        return series.cast(pl.String), {}
    except pl.exceptions.ComputeError:
        pass  # some value is not UTF-8: find which, one by one
    values: list[str | None] = []
    bad: dict[int, int] = {}
    for i, value in enumerate(series.to_list()):
        if value is None:
            values.append(None)
            continue
        try:
            values.append(value.decode("utf-8"))
        except UnicodeDecodeError as exc:
            values.append(None)
            bad[i] = exc.start
    return pl.Series(series.name, values, dtype=pl.String), bad


def _json_default(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def carried_text(series: pl.Series) -> pl.Series:
    """Convert a carried column to String, never failing.

    Scalars are cast as polars writes them; nested values become JSON; bytes
    that are not UTF-8 become U+FFFD.
    """
    if not series.dtype.is_nested():
        try:
            return series.cast(pl.String)
        except pl.exceptions.PolarsError:
            pass  # bad UTF-8 or a type polars cannot cast: value by value
    values = [None if v is None else _one_text(v) for v in series.to_list()]
    return pl.Series(series.name, values, dtype=pl.String)


def _one_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def arrow_to_frame(label: str, batch: pa.RecordBatch, first_row: int) -> pl.DataFrame:
    """Convert an Arrow batch, blaming the file if polars cannot take it.

    Raises:
        InputError: A column has a type polars cannot represent.

    """
    try:
        return cast(pl.DataFrame, pl.from_arrow(batch))
    except (pl.exceptions.PolarsError, pa.ArrowException) as exc:
        raise InputError(
            f"{label}: cannot convert rows from {first_row}: {one_line(exc)}"
        ) from exc


def table_chunk(
    table: pl.DataFrame,
    locs: npt.NDArray[np.int64],
    columns: Columns,
) -> Chunk:
    """Turn a slice of a table into a :class:`Chunk`, rejecting bad rows.

    Args:
        table: The slice, with the columns of ``columns.to_read``.
        locs: The 0-based row number of each row of the slice.
        columns: Where each output column comes from.

    Returns:
        A chunk whose frame holds the rows with a usable id and text.

    """
    loc = pl.Series(LOC, locs, dtype=pl.Int64)
    problems: dict[int, tuple[str, str, str]] = {}  # position -> record, reason, kind

    if columns.id is None:
        ids = loc.cast(pl.String)
    else:
        ids, bad_ids = _decoded(table[columns.id])
        name = columns.id
        for i, at in bad_ids.items():
            problems[i] = (
                "",
                f"id field {name!r} has invalid UTF-8 at byte {at}",
                BAD_UTF8,
            )
        for i in ids.is_null().arg_true().to_list():
            problems.setdefault(i, ("", f"id field {name!r} is null", MISSING_ID))
        for i in (ids == "").fill_null(False).arg_true().to_list():
            problems[i] = ("", f"id field {name!r} is empty", MISSING_ID)
    ids = ids.alias(DOC_ID)

    texts, bad_texts = _decoded(table[columns.text])
    texts = texts.alias(TEXT)
    name = columns.text
    for i, at in bad_texts.items():
        reason = f"invalid UTF-8 in text at byte {at}"
        problems.setdefault(i, (ids[i] or "", reason, BAD_UTF8))
    for i in texts.is_null().arg_true().to_list():
        reason = f"text field {name!r} is null"
        problems.setdefault(i, (ids[i] or "", reason, MISSING_TEXT))

    frame = pl.DataFrame([loc, ids, texts]).with_columns(
        carried_text(table[c]).alias(c) for c in columns.carried
    )
    rejected = [
        Rejection(int(locs[i]), record, reason, kind)
        for i, (record, reason, kind) in sorted(problems.items())
    ]
    if problems:
        keep = np.ones(table.height, dtype=bool)
        keep[list(problems)] = False
        frame = frame.filter(pl.Series(keep))
    return Chunk(frame, rejected)
