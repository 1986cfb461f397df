"""Read the next batch while the current one is being hashed.

Decoding a batch (Parquet decompression, JSON parsing, screening) runs in
pyarrow and polars, which release the GIL; the compiled hashing core releases
it too. So one reader thread a batch ahead overlaps the two, and a scan's
first pass costs about the larger of reading and hashing instead of their sum.

    >>> list(prefetched(iter(range(5))))
    [0, 1, 2, 3, 4]
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

_T = TypeVar("_T")
_DONE = object()


class _Failed:
    """An exception raised by the reader, carried to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(items: Iterator[_T], depth: int = 1) -> Iterator[_T]:
    """*items*, produced by a background thread up to *depth* items ahead.

    An exception in the reader is raised in the consumer, at the item where it
    happened. When the consumer stops early, the reader stops at its next item.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:
            put(_Failed(error))
            return
        put(_DONE)

    reader = threading.Thread(target=read, name="dedup-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        # A reader blocked on a stalled pipe must not hold up an interrupt; it
        # is a daemon thread and ends with the process.
        reader.join(timeout=5.0)
