"""The n-gram index of pass two, in bounded memory.

Pass two emits, chunk by chunk in input order, every n-gram near a candidate
fingerprint: (hash, row, position, start, end). The index only needs two
things of them: how often each hash occurs in the whole input, and then the
entries again in input order, to cut the repeated ones into regions.

:class:`NgramStore` keeps the entries in memory up to a budget. Past it, the
entries go to temporary files in input order, and their hashes to one of
``PARTITIONS`` files by their top bits; counting then loads one partition at
a time, so memory holds a fraction of the hashes and the distinct hashes that
occur twice or more (the repeated text, not the input). Both paths give the
same counts and the same entries in the same order.

    >>> import numpy as np
    >>> store = NgramStore(budget=0)
    >>> for h in ([5, 7], [5, 9]):
    ...     n = len(h)
    ...     z = np.zeros(n, np.uint32)
    ...     store.add(Ngrams(np.array(h, np.uint64), z, z, z, z))
    >>> keys, counts = store.repeated()
    >>> keys.tolist(), counts.tolist(), len(store)
    ([5], [2], 4)
    >>> [part.hash.tolist() for part in store.parts()]
    [[5, 7], [5, 9]]
    >>> store.close()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dedup.passages.index import unique_counts

#: Hash partitions of a spilled index (by the top bits of the hash).
PARTITIONS = 64
_SHIFT = np.uint64(64 - 6)

FIELDS = ("hash", "row", "pos", "start", "end")

#: Size of the parts :meth:`NgramStore.parts` gives from memory.
PART_BYTES = 32 << 20


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def release_memory() -> None:
    """Give freed heap memory back to the system (glibc), between stages.

    glibc raises its mmap threshold after the first large array is freed, so
    later arrays of up to 32 MB (the index parts, a chunk's fingerprints)
    come from the heap, and once freed stay in the process: without a trim
    the memory of each stage adds to the next's peak.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dataclass
class Ngrams:
    """Entries of the n-gram index, in input order (row, then position)."""

    hash: npt.NDArray[np.uint64]
    row: npt.NDArray[np.uint32]
    pos: npt.NDArray[np.uint32]
    start: npt.NDArray[np.uint32]
    end: npt.NDArray[np.uint32]

    @staticmethod
    def concat(parts: list[Ngrams]) -> Ngrams:
        """The entries of *parts*, one after the other."""
        if not parts:
            return Ngrams(
                np.zeros(0, np.uint64), *(np.zeros(0, np.uint32) for _ in range(4))
            )
        return Ngrams(*(np.concatenate([getattr(p, f) for p in parts]) for f in FIELDS))

    def take(self, mask: npt.NDArray[np.bool_]) -> Ngrams:
        """The entries where *mask* holds."""
        return Ngrams(*(getattr(self, f)[mask] for f in FIELDS))

    @property
    def nbytes(self) -> int:
        """Memory of the arrays."""
        return sum(getattr(self, f).nbytes for f in FIELDS)

    def __len__(self) -> int:
        return len(self.hash)


class NgramStore:
    """The n-gram index: entries in memory up to *budget* bytes, then on disk.

    Parts are added in input order, each holding whole documents; they come
    back in the same order (:meth:`parts`), so regions never straddle two.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._mem: list[Ngrams] = []
        self._mem_bytes = 0
        self._runs: list[Path] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def spilled(self) -> bool:
        """Whether entries went to disk."""
        return self._tmp is not None

    def add(self, part: Ngrams) -> None:
        """Append *part* (whole documents, after every part added before)."""
        if not len(part):
            return
        self._mem.append(part)
        self._mem_bytes += part.nbytes
        self._n += len(part)
        if self._mem_bytes > self.budget:
            self._flush()

    def _flush(self) -> None:
        if not self._mem:
            return
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="dedup-passages-")
        tmp = Path(self._tmp.name)
        groups, self._mem, self._mem_bytes = list(self._grouped()), [], 0
        for run in groups:
            path = tmp / f"run{len(self._runs):05d}.npz"
            np.savez(path, **{f: getattr(run, f) for f in FIELDS})
            self._runs.append(path)
            part = (run.hash >> _SHIFT).astype(np.int64)
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(PARTITIONS + 1))
            hashes = run.hash[order]
            for p in range(PARTITIONS):
                if bounds[p] < bounds[p + 1]:
                    with open(tmp / f"hash{p:02d}.bin", "ab") as fh:
                        hashes[bounds[p] : bounds[p + 1]].tofile(fh)

    def _grouped(self) -> Iterator[Ngrams]:
        """The parts in memory, joined into parts of about ``PART_BYTES``.

        Large enough that each costs few frame operations, small enough that
        cutting one into regions takes little memory.
        """
        group: list[Ngrams] = []
        size = 0
        for part in self._mem:
            group.append(part)
            size += part.nbytes
            if size >= PART_BYTES:
                yield Ngrams.concat(group)
                group, size = [], 0
        if group:
            yield Ngrams.concat(group)

    def repeated(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Sorted distinct hashes that occur twice or more, and their counts."""
        if not self.spilled:
            uniq, n = unique_counts(
                np.concatenate([p.hash for p in self._mem])
                if self._mem
                else np.zeros(0, dtype=np.uint64)
            )
            return uniq[n >= 2], n[n >= 2]
        self._flush()
        assert self._tmp is not None
        tmp = Path(self._tmp.name)
        keys: list[npt.NDArray[np.uint64]] = []
        counts: list[npt.NDArray[np.int64]] = []
        # Partitions by top bits, in order: the concatenation stays sorted.
        for p in range(PARTITIONS):
            path = tmp / f"hash{p:02d}.bin"
            if not path.exists():
                continue
            k, c = unique_counts(np.fromfile(path, dtype=np.uint64))
            again = c >= 2
            keys.append(k[again])
            counts.append(c[again])
        if not keys:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        return np.concatenate(keys), np.concatenate(counts)

    def parts(self) -> Iterator[Ngrams]:
        """The entries in input order, a part (of whole documents) at a time."""
        if not self.spilled:
            yield from self._grouped()
            return
        for path in self._runs:
            with np.load(path) as z:
                yield Ngrams(*(z[f] for f in FIELDS))

    def close(self) -> None:
        """Free the entries and delete the temporary files."""
        self._mem, self._mem_bytes, self._runs = [], 0, []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
