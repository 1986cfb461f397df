"""A folder of text files: one document per ``.txt`` or ``.md`` file.

Files are found recursively and sorted by their relative POSIX path, which is
also their ``doc_id``. The listing is taken once, when the source is opened,
so that every iteration reads the same files in the same order.

Conventions (also in :func:`dedup.io.open_source`):

* the suffix match ignores case (``NOTE.TXT`` counts);
* hidden files and folders (name starting with ``.``) are skipped, so that
  ``.git`` or editor back-up folders do not turn into documents;
* symbolic links to files are read, links to folders are not followed
  (no cycles, no escaping the folder).

    >>> src = FolderSource("seeds", ReadOptions(), root=Path("seeds"))
    >>> next(iter(src.batches()))["doc_id"][0]
    '000_8fc4687a864287dc.txt'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from dedup.errors import InputError
from dedup.io.source import (
    BAD_UTF8,
    LOC,
    TOO_LONG,
    UNREADABLE,
    Chunk,
    ReadOptions,
    Rejection,
    Source,
    chunk_schema,
    one_line,
)
from dedup.schema import DOC_ID, TEXT

SUFFIXES = (".txt", ".md")

_BOM = "\ufeff"

# UTF-8 needs at most 4 bytes a character: a file larger than 4 * max_chars
# bytes is certainly too long and is rejected without being read.
_MAX_BYTES_PER_CHAR = 4


def list_documents(root: Path, name: str) -> list[str]:
    """List the documents under ``root`` as sorted relative POSIX paths.

    Raises:
        InputError: The folder cannot be listed or holds no document.

    """

    def fail(exc: OSError) -> None:
        raise InputError(f"{name}: cannot list {exc.filename}: {exc.strerror}")

    found: list[str] = []
    for folder, subdirs, files in os.walk(root, onerror=fail):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.extend(
            prefix + f
            for f in files
            if not f.startswith(".") and f.lower().endswith(SUFFIXES)
        )
    if not found:
        raise InputError(
            f"{name}: folder has no .txt or .md files (searched recursively)"
        )
    found.sort()
    return found


class FolderSource(Source):
    """Every ``.txt``/``.md`` file below a folder, one document each.

    Example:
        >>> src = FolderSource("seeds", ReadOptions(batch_size=10), root=Path("seeds"))
        >>> len(next(iter(src.batches())))
        5

    """

    def __init__(self, name: str, options: ReadOptions, *, root: Path) -> None:
        super().__init__(name, options)
        self._root = root
        self._files = list_documents(root, name)
        self._prefix = name.rstrip("/") + "/" if name.rstrip("/") else "/"

    def where(self, loc: int) -> str:
        """Name the file: the folder as given joined with the relative path."""
        return self._prefix + self._files[loc]

    def _carried(self) -> tuple[str, ...]:
        return ()

    def _chunks(self) -> Iterator[Chunk]:
        schema = chunk_schema(())
        size = self.options.batch_size
        for start in range(0, len(self._files), size):
            locs: list[int] = []
            ids: list[str] = []
            texts: list[str] = []
            rejected: list[Rejection] = []
            for loc in range(start, min(start + size, len(self._files))):
                rel = self._files[loc]
                try:
                    text = self._read(rel)
                except _Unusable as exc:
                    reason, kind = exc.args
                    rejected.append(Rejection(loc, rel, reason, kind))
                    continue
                locs.append(loc)
                ids.append(rel)
                texts.append(text)
            frame = pl.DataFrame({LOC: locs, DOC_ID: ids, TEXT: texts}, schema=schema)
            yield Chunk(frame, rejected)

    def _read(self, rel: str) -> str:
        """Return the file's text; raise :class:`_Unusable` saying why if none."""
        path = self._root / rel
        limit = _MAX_BYTES_PER_CHAR * self.options.max_chars
        try:
            with open(path, "rb") as fh:
                # Read one byte past the limit: enough to know it is too long.
                data = fh.read(limit + 1)
        except OSError as exc:
            reason = f"cannot read file: {one_line(exc.strerror or exc)}"
            raise _Unusable(reason, UNREADABLE) from exc
        if len(data) > limit:
            raise _Unusable(
                f"file has more than {limit:,} bytes, so more than "
                f"max_chars={self.options.max_chars:,} characters",
                TOO_LONG,
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unusable(f"invalid UTF-8 at byte {exc.start}", BAD_UTF8) from exc
        return text.removeprefix(_BOM)


class _Unusable(Exception):
    """A listed file that cannot become a document: args are (reason, kind)."""
