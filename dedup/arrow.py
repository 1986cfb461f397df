"""Zero-copy views of a polars string column as Arrow buffers for numba kernels.

>>> import polars as pl
>>> data, offsets = string_buffers(pl.Series(["ab", "c"]))
>>> bytes(data).decode(), offsets.tolist()
('abc', [0, 2, 3])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

#: UTF-8 data and int64 offsets of a string column (:func:`string_buffers`).
Buffers = tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]


def string_buffers(texts: pl.Series) -> Buffers:
    """UTF-8 data and int64 offsets of *texts* (nulls read as empty strings).

    polars holds strings in its own layout, so each call converts (and
    copies) the whole column: a caller that hands one column to several
    kernels converts it once and passes the buffers on.
    """
    arr = texts.fill_null("").to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    if data_buf is None:
        return np.zeros(0, dtype=np.uint8), np.zeros(len(arr) + 1, dtype=np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    return data, offsets
