"""Prepared texts set aside in a temporary file, read back a few at a time.

Verification needs the text of every document in a candidate pair, long after
the signature pass has moved on. Holding them all costs the corpus' size in
memory (3.7 GB for a million 600-word articles); reading the input again costs
a second parse and cannot work on a pipe. So the signature pass appends each
batch's prepared (normalised) UTF-8 bytes to one temporary file, sequentially,
and verification reads back the documents of one chunk of pairs at a time
(neighbouring documents in one read). Memory stays bounded by a chunk; the
file needs about as much temporary disk as the input's text (its folder is
``TMPDIR``'s, see :mod:`tempfile`) and is removed when the store is closed.

    >>> import numpy as np, polars as pl
    >>> with TextStore() as store:
    ...     store.append(np.array([0, 1, 2]), pl.Series(["alpha", "beta", "gamma"]))
    ...     data, offsets = store.gather(np.array([0, 2]))
    >>> bytes(data).decode(), offsets.tolist()
    ('alphagamma', [0, 5, 10])
"""

from __future__ import annotations

import os
import tempfile
from types import TracebackType

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import string_buffers

#: Two stored documents closer than this many bytes are read in one call: one
#: larger read is cheaper than two system calls.
MERGE_GAP = 64 * 1024


@nb.njit(parallel=True, cache=True)
def compact(
    buf: npt.NDArray[np.uint8],
    src: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Copy ``buf[src[i]:src[i] + lengths[i]]`` one after another."""
    offsets = np.zeros(len(src) + 1, dtype=np.int64)
    for i in range(len(src)):
        offsets[i + 1] = offsets[i] + lengths[i]
    out = np.empty(offsets[-1], dtype=np.uint8)
    for i in nb.prange(len(src)):
        out[offsets[i] : offsets[i + 1]] = buf[src[i] : src[i] + lengths[i]]
    return out, offsets


class TextStore:
    """Append-only store of prepared texts by row, in a temporary file.

    Rows must be appended in increasing order (the order batches are read).
    """

    def __init__(self, directory: str | None = None) -> None:
        """Open an empty store (its file is made in *directory*, else TMPDIR)."""
        # Closed by close() / the context manager, not a with-block: the
        # store outlives the call that opens it.
        self._file = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="dedup-texts-", dir=directory
        )
        self._fd = self._file.fileno()
        self._rows: list[npt.NDArray[np.int64]] = []
        self._starts: list[npt.NDArray[np.int64]] = []
        self._size = 0
        self._index: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None

    @property
    def nbytes(self) -> int:
        """Bytes of text stored so far."""
        return self._size

    def append(self, rows: npt.NDArray[np.integer], prepared: pl.Series) -> None:
        """Store the texts of *prepared*, the documents *rows* (increasing)."""
        if not len(rows):
            return
        data, offsets = string_buffers(prepared)
        lo, hi = int(offsets[0]), int(offsets[-1])
        os.pwrite(self._fd, data[lo:hi].tobytes(), self._size)
        self._rows.append(np.asarray(rows, dtype=np.int64))
        self._starts.append(offsets[:-1].astype(np.int64) - lo + self._size)
        self._size += hi - lo
        self._index = None

    def _positions(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Stored rows (sorted) and each one's byte range start; end = next start."""
        if self._index is None:
            rows = np.concatenate([*self._rows, np.zeros(0, np.int64)])
            starts = np.concatenate([*self._starts, [self._size]]).astype(np.int64)
            if len(rows) > 1 and bool((np.diff(rows) <= 0).any()):
                raise ValueError("TextStore rows must be appended in increasing order")
            self._rows, self._starts = [rows], [starts[:-1]]
            self._index = rows, starts
        return self._index

    def gather(
        self, rows: npt.NDArray[np.integer]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        """UTF-8 data and offsets of the texts of *rows* (sorted, unique, stored)."""
        stored, starts = self._positions()
        k = np.searchsorted(stored, rows)
        if len(rows) and (
            int(k.max()) >= len(stored) or bool((stored[k] != rows).any())
        ):
            raise KeyError("TextStore.gather: a row was never stored")
        begin, end = starts[k], starts[k + 1]
        if not len(rows):
            return np.zeros(0, np.uint8), np.zeros(1, np.int64)
        # Runs of documents with small gaps between them are read in one call.
        breaks = np.flatnonzero(begin[1:] - end[:-1] > MERGE_GAP) + 1
        run_lo = begin[np.concatenate([[0], breaks])]
        run_hi = end[np.concatenate([breaks - 1, [len(rows) - 1]])]
        lengths = run_hi - run_lo
        buf = np.empty(int(lengths.sum()), dtype=np.uint8)
        placed = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        runs = zip(run_lo.tolist(), lengths.tolist(), placed.tolist(), strict=True)
        for lo, n, at in runs:
            got = os.preadv(self._fd, [buf[at : at + n].data], lo)
            if got != n:
                raise OSError(f"short read from the text store ({got} of {n} bytes)")
        run_of = np.repeat(
            np.arange(len(run_lo)),
            np.diff(np.append(np.concatenate([[0], breaks]), len(rows))),
        )
        src = begin - run_lo[run_of] + placed[run_of]
        return compact(buf, src.astype(np.int64), (end - begin).astype(np.int64))

    def close(self) -> None:
        """Remove the file."""
        self._file.close()

    def __enter__(self) -> TextStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
