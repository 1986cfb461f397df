"""dedup: near-duplicate articles, repeated passages and content-farm filler.

The library is organised as stages that exchange polars frames whose column
names are defined once, in :mod:`dedup.schema`::

    >>> from dedup import scan_frame
    >>> import polars as pl
    >>> docs = pl.DataFrame({"doc_id": ["a", "b"], "text": ["one two", "three"]})
    >>> result = scan_frame(docs)
    >>> result.docs.height
    2
"""

from dedup.errors import ConfigError, DedupError, InputError
from dedup.pipeline import ScanResult, scan, scan_frame

__all__ = [
    "ConfigError",
    "DedupError",
    "InputError",
    "ScanResult",
    "scan",
    "scan_frame",
]
__version__ = "0.1.0"
