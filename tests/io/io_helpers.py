"""Helpers for the reader tests: read a source completely, twice.

A plain module, not a conftest.py: tests/conftest.py is imported by name
("from conftest import ...") and a second conftest would shadow it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

from dedup.io import Quarantined, Source
from dedup.schema import CARRIED, DOC_ID, ROW, TEXT


@dataclass
class Read:
    """Everything one full iteration of a source produced."""

    batches: list[pl.DataFrame]
    quarantine: list[Quarantined]
    n_read: int

    @property
    def frame(self) -> pl.DataFrame:
        return pl.concat(self.batches) if self.batches else pl.DataFrame()

    @property
    def ids(self) -> list[str]:
        return self.frame[DOC_ID].to_list() if self.batches else []

    @property
    def reasons(self) -> dict[str, str]:
        """Quarantine reasons by source label."""
        return {q.source: q.reason for q in self.quarantine}


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()


def _check_contract(read: Read, batch_size: int) -> None:
    """Invariants every source must satisfy, whatever the input."""
    start = 0
    for i, batch in enumerate(read.batches):
        assert batch.columns[:3] == [ROW, DOC_ID, TEXT]
        assert set(batch.columns[3:]) <= set(CARRIED)
        assert batch.columns[3:] == [c for c in CARRIED if c in batch.columns]
        assert batch.schema[ROW] == pl.UInt64
        assert all(dtype == pl.String for dtype in batch.schema.dtypes()[1:])
        assert batch[ROW].to_list() == list(range(start, start + batch.height))
        assert batch[DOC_ID].null_count() == 0 and batch[TEXT].null_count() == 0
        if i < len(read.batches) - 1:
            assert batch.height == batch_size
        else:
            assert 1 <= batch.height <= batch_size
        start += batch.height
    assert read.n_read == start + len(read.quarantine)
    if read.batches:
        assert read.frame[DOC_ID].n_unique() == start


def read_all(source: Source) -> Read:
    """Read a source twice; check both passes agree byte for byte and the contract."""
    passes = []
    for _ in range(2):
        batches = list(source.batches())
        passes.append(Read(batches, list(source.quarantine), source.n_read))
    first, second = passes
    assert [_ipc(b) for b in first.batches] == [_ipc(b) for b in second.batches]
    assert first.quarantine == second.quarantine
    assert first.n_read == second.n_read
    _check_contract(first, source.options.batch_size)
    return first
