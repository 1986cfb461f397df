"""Parquet input, read a record batch at a time.

Only the needed columns are read, and ``iter_batches`` decodes one row group
at a time, so memory follows the batch and row-group size, not the file.
Column rules are those of :mod:`dedup.io.tables`; rows are labelled
``crawl.parquet:row 1234`` (0-based).

    >>> import tempfile, pathlib, pyarrow.parquet as pq, pyarrow as pa
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.parquet"
    >>> pq.write_table(pa.table({"text": ["x", None]}), path)
    >>> src = ParquetSource("a.parquet", ReadOptions(), path=path)
    >>> [b["doc_id"].to_list() for b in src.batches()], src.quarantine[0].source
    ([['0']], 'a.parquet:row 1')
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dedup.errors import InputError
from dedup.io.source import Chunk, ReadOptions, Source, one_line
from dedup.io.tables import (
    arrow_to_frame,
    check_types,
    resolve_columns,
    table_chunk,
)

#: What pyarrow raises for unreadable or damaged files.
_ARROW_ERRORS = (pa.ArrowException, OSError, ValueError)


class ParquetSource(Source):
    """A Parquet file; its schema is checked when the source is opened.

    Example:
        >>> missing = Path("no.parquet")
        >>> ParquetSource("no.pq", ReadOptions(), path=missing)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.InputError: no.pq: not a readable Parquet file: ...

    """

    def __init__(self, name: str, options: ReadOptions, *, path: Path) -> None:
        super().__init__(name, options)
        self._path = path
        with self._open() as pf:
            schema = pf.schema_arrow
        self._columns = resolve_columns(name, schema.names, options)
        check_types(name, schema, self._columns)

    def where(self, loc: int) -> str:
        """``crawl.parquet:row 1234`` (0-based)."""
        return f"{self.name}:row {loc}"

    def _carried(self) -> tuple[str, ...]:
        return self._columns.carried

    def _chunks(self) -> Iterator[Chunk]:
        done = 0
        with self._open() as pf:
            batches = pf.iter_batches(
                batch_size=self.options.batch_size, columns=self._columns.to_read
            )
            while True:
                # Only pyarrow's own work is guarded: an error there is the
                # file's fault; anything else would be a bug and keeps its trace.
                try:
                    batch = next(batches, None)
                except _ARROW_ERRORS as exc:
                    raise InputError(
                        f"{self.name}: cannot read past row {done}: {one_line(exc)}"
                    ) from exc
                if batch is None:
                    return
                table = arrow_to_frame(self.name, batch, done)
                locs = np.arange(done, done + table.height, dtype=np.int64)
                done += table.height
                yield table_chunk(table, locs, self._columns)

    def _open(self) -> pq.ParquetFile:
        try:
            # pre_buffer (the default) keeps every row group's read cache
            # until the file is closed, so memory grows with the file; a
            # plain buffered stream keeps it at about one row group.
            return pq.ParquetFile(self._path, pre_buffer=False, buffer_size=1 << 20)
        except _ARROW_ERRORS as exc:
            raise InputError(
                f"{self.name}: not a readable Parquet file: {one_line(exc)}"
            ) from exc
