r"""CSV input (``.csv``, ``.csv.gz``), streamed with ``pyarrow.csv.open_csv``.

The first row is the header. Values may span lines when quoted. All needed
columns are read as raw bytes and decoded here, so one bad byte quarantines
one row instead of failing the whole block, and no type inference turns a
text like ``"NA"`` or ``"0123"`` into something else. An unquoted empty field
is null, a quoted one (``""``) is an empty string. A row with the wrong
number of fields is quarantined. Blank lines are not records.

Rows are numbered from 0 after the header, bad rows included, and labelled
``crawl.csv:row 12``; with no id column that number is the ``doc_id``.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_text('id,text\nx,"two\nlines"\ny,,\nz,\n')
    >>> src = CsvSource("a.csv", ReadOptions(), path=path)
    >>> [b["text"].to_list() for b in src.batches()]
    [['two\nlines']]
    >>> for q in src.quarantine:
    ...     print(q.source, q.reason)
    a.csv:row 1 expected 2 fields, found 3
    a.csv:row 2 text field 'text' is null
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from dedup.errors import InputError
from dedup.io.source import (
    BAD_ROW,
    Chunk,
    ReadOptions,
    Rejection,
    Source,
    chunk_schema,
    one_line,
)
from dedup.io.tables import Columns, arrow_to_frame, resolve_columns, table_chunk

_ARROW_ERRORS = (pa.ArrowException, OSError, ValueError)

#: Bytes parsed at a time; values larger than this still parse (pyarrow grows
#: the block), it only sets the usual batch granularity.
_BLOCK = 1 << 22


class CsvSource(Source):
    r"""A CSV file with a header row; the header is checked on opening.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
        >>> _ = path.write_text("id,body\n1,hello\n")
        >>> CsvSource("b.csv", ReadOptions(), path=path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.InputError: b.csv: no text column 'text' (columns: ...

    """

    def __init__(self, name: str, options: ReadOptions, *, path: Path) -> None:
        super().__init__(name, options)
        self._path = path
        self._columns: Columns = resolve_columns(name, self._header(), options)

    def where(self, loc: int) -> str:
        """``crawl.csv:row 12`` (0-based data row)."""
        return f"{self.name}:row {loc}"

    def _carried(self) -> tuple[str, ...]:
        return self._columns.carried

    def _header(self) -> list[str]:
        # Peek with every row tolerated: only the column names matter here.
        try:
            reader = pacsv.open_csv(
                str(self._path),
                read_options=pacsv.ReadOptions(use_threads=False),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=lambda _: "skip"
                ),
            )
        except _ARROW_ERRORS as exc:
            message = one_line(exc)
            if "Empty CSV file" in message:
                raise InputError(f"{self.name}: empty file, no header row") from exc
            raise InputError(
                f"{self.name}: not a readable CSV file: {message}"
            ) from exc
        try:
            return cast(list[str], reader.schema.names)
        finally:
            reader.close()

    def _chunks(self) -> Iterator[Chunk]:
        columns = self._columns
        size = self.options.batch_size
        # Invalid rows are reported by pyarrow while it parses (possibly ahead
        # of the batch we are at); they are kept by row number and merged in.
        invalid: list[tuple[int, int, int]] = []  # (row, expected, actual)
        unplaced: list[tuple[int, int]] = []  # rows pyarrow could not number

        def on_invalid(row: Any) -> str:
            if row.number is None:
                unplaced.append((row.expected_columns, row.actual_columns))
            else:
                # ``number`` counts the header as row 1, blank lines not at all.
                heapq.heappush(
                    invalid, (row.number - 2, row.expected_columns, row.actual_columns)
                )
            return "skip"

        try:
            reader = pacsv.open_csv(
                str(self._path),
                read_options=pacsv.ReadOptions(use_threads=False, block_size=_BLOCK),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.binary() for c in columns.to_read},
                    include_columns=columns.to_read,
                    strings_can_be_null=True,
                    null_values=[""],
                    quoted_strings_can_be_null=False,
                ),
            )
        except _ARROW_ERRORS as exc:
            raise InputError(
                f"{self.name}: not a readable CSV file: {one_line(exc)}"
            ) from exc

        next_row = 0
        with reader:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except _ARROW_ERRORS as exc:
                    raise InputError(
                        f"{self.name}: cannot read past row {next_row}: {one_line(exc)}"
                    ) from exc
                table = arrow_to_frame(self.name, batch, next_row)
                for start in range(0, table.height, size):
                    part = table.slice(start, size)
                    locs, bad, next_row = _place(part.height, next_row, invalid)
                    chunk = table_chunk(part, locs, columns)
                    chunk.rejected = sorted(bad + chunk.rejected, key=lambda r: r.loc)
                    yield chunk
        # Bad rows after the last good one, and any pyarrow could not number.
        _, bad, next_row = _place(0, next_row, invalid, flush=True)
        for expected, actual in unplaced:
            bad.append(_bad_row(next_row, expected, actual))
            next_row += 1
        if bad:
            yield Chunk(pl.DataFrame(schema=chunk_schema(columns.carried)), bad)


def _bad_row(row: int, expected: int, actual: int) -> Rejection:
    return Rejection(row, "", f"expected {expected} fields, found {actual}", BAD_ROW)


def _place(
    n_good: int,
    next_row: int,
    invalid: list[tuple[int, int, int]],
    *,
    flush: bool = False,
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], list[Rejection], int]:
    """Give ``n_good`` parsed rows their row numbers around the invalid ones.

    Returns:
        The good rows' numbers, the invalid rows that fall among them (or,
        with ``flush``, all remaining ones) and the next free row number.

    """
    locs = np.empty(n_good, dtype=np.int64)
    bad: list[Rejection] = []
    i = 0
    while i < n_good or (flush and invalid):
        if invalid and invalid[0][0] <= next_row:
            row, expected, actual = heapq.heappop(invalid)
            bad.append(_bad_row(row, expected, actual))
            next_row = max(next_row, row + 1)
            continue
        if i >= n_good:
            next_row = invalid[0][0]
            continue
        # Fast path: the good rows up to the next invalid one are consecutive.
        stop = n_good if not invalid else min(n_good, i + invalid[0][0] - next_row)
        locs[i:stop] = np.arange(next_row, next_row + stop - i)
        next_row += stop - i
        i = stop
    return locs, bad, next_row
