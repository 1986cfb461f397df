"""Input readers: folders of text files, JSONL (plain, .gz, .zst, stdin), Parquet, CSV.

:func:`open_source` checks an input and returns a :class:`Source` whose
:meth:`Source.batches` yields polars frames of accepted documents with the
columns ``row``, ``doc_id``, ``text`` and whichever of ``url``, ``site``,
``published``, ``title`` the input has. Records that cannot be used are not
errors: they are listed in :attr:`Source.quarantine` with where they are, why,
and a stable ``kind`` for counting. Only an input that cannot be used at all
raises :class:`dedup.errors.InputError`.

Where ``doc_id`` comes from:

* folder: the file's path relative to the folder (``sub/a.md``);
* JSONL: the id field (strings, or integers written as strings); when *no*
  record of the file has it, the 1-based line number;
* Parquet/CSV: the id column; when the input has no such column, the 0-based
  row number. A missing text column is an :class:`InputError`.

Quarantine locations are ``crawl.jsonl:17`` (1-based line),
``crawl.parquet:row 12`` / ``crawl.csv:row 12`` (0-based data row) and
``folder/sub/a.md``; ``<stdin>:17`` for stdin. Byte offsets in "invalid
UTF-8" reasons are 0-based.

    >>> from dedup.io import ReadOptions, open_source
    >>> src = open_source("seeds", ReadOptions(batch_size=3))
    >>> for batch in src.batches():
    ...     print(batch.columns, batch.height)
    ['row', 'doc_id', 'text'] 3
    ['row', 'doc_id', 'text'] 2
    >>> src.n_read, src.quarantine
    (5, [])
"""

from dedup.io.readers import FORMATS, open_source
from dedup.io.source import Quarantined, ReadOptions, Source

__all__ = ["FORMATS", "Quarantined", "ReadOptions", "Source", "open_source"]
