"""A folder of Parquet shards as one input of the scan pipeline.

``dedup.io`` opens one file at a time; a generated corpus is a folder of
shards. :class:`ShardsSource` chains dedup's own :class:`ParquetSource` over
the shards (so reading costs what it costs the CLI) and numbers rows across
them, as :class:`dedup.pipeline.BatchSource` requires.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl

from dedup.io import ReadOptions
from dedup.io.parquet import ParquetSource
from dedup.pipeline import QuarantineRecord
from dedup.schema import ROW


class ShardsSource:
    """Parquet shards read in order, rows numbered 0.. across all of them."""

    def __init__(
        self, paths: Sequence[Path], batch_size: int = 20_000, limit: int | None = None
    ) -> None:
        self.paths = list(paths)
        self.limit = limit  # read no more than this many documents
        self.name = str(self.paths[0].parent) if self.paths else "<no shards>"
        self.options = ReadOptions(id_field="doc_id", batch_size=batch_size)
        self.n_read = 0
        self._quarantine: list[QuarantineRecord] = []

    @property
    def quarantine(self) -> list[QuarantineRecord]:
        return self._quarantine

    def batches(self) -> Iterator[pl.DataFrame]:
        self.n_read = 0
        self._quarantine = []
        offset = 0
        left = self.limit if self.limit is not None else -1
        for path in self.paths:
            if left == 0:
                break
            src = ParquetSource(path.name, self.options, path=path)
            n = 0
            for batch in src.batches():
                if left >= 0:
                    batch = batch.head(left)
                    left -= batch.height
                n = max(n, int(batch[ROW].max() or 0) + 1)  # type: ignore[arg-type]
                yield batch.with_columns(pl.col(ROW) + offset)
                if left == 0:
                    break
            self.n_read += src.n_read
            self._quarantine.extend(src.quarantine)
            offset += n
