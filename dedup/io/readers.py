"""Open an input: tell its format, check that it is usable, pick a reader.

Everything that can be checked without reading the records is checked here,
so that a wrong path, extension or column fails before any work is done.

    >>> open_source("seeds")
    FolderSource('seeds')
    >>> open_source("crawl.xyz")
    Traceback (most recent call last):
    ...
    dedup.errors.InputError: crawl.xyz: no such file or directory
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dedup.errors import ConfigError, InputError
from dedup.io.csvfile import CsvSource
from dedup.io.folder import FolderSource
from dedup.io.jsonl import JsonlSource
from dedup.io.parquet import ParquetSource
from dedup.io.source import ReadOptions, Source, one_line
from dedup.io.streams import Compression, sniff_compression

FORMATS = ("folder", "jsonl", "parquet", "csv")

# (suffix, format, compression named by the suffix), longest suffixes first.
_JSONL = (".jsonl", ".ndjson", ".json")
_COMPRESSED: tuple[tuple[str, Compression], ...] = (
    (".gz", "gzip"),
    (".zst", "zstd"),
    (".zstd", "zstd"),
)
_SUFFIXES: tuple[tuple[str, str, Compression], ...] = (
    *((base + ext, "jsonl", kind) for base in _JSONL for ext, kind in _COMPRESSED),
    *((base, "jsonl", None) for base in _JSONL),
    (".parquet", "parquet", None),
    (".pq", "parquet", None),
    (".csv.gz", "csv", "gzip"),
    (".csv", "csv", None),
)

_UNKNOWN_HINT = (
    "use .jsonl, .jsonl.gz, .jsonl.zst, .parquet, .csv or a folder, or pass --format-in"
)


def _format_of(name: str) -> tuple[str, Compression] | None:
    lower = name.lower()
    for suffix, fmt, compression in _SUFFIXES:
        if lower.endswith(suffix):
            return fmt, compression
    return None


def open_source(
    path: str | Path,
    options: ReadOptions = ReadOptions(),  # noqa: B008 - frozen, safe to share
    *,
    fmt: str | None = None,
) -> Source:
    """Open a folder, JSONL (optionally .gz/.zst), Parquet or CSV input.

    The format comes from the path: a directory is a folder of ``.txt``/``.md``
    files, otherwise the extension decides; ``fmt`` (one of ``"folder"``,
    ``"jsonl"``, ``"parquet"``, ``"csv"``) overrides it. ``"-"`` is JSONL on
    stdin (gzip or zstd recognised by their magic bytes).

    Args:
        path: The input, as the user named it.
        options: Field names, batch size and text length limit.
        fmt: Force a format instead of guessing from the extension.

    Returns:
        A :class:`Source`; iterate ``source.batches()``.

    Raises:
        InputError: The input does not exist, cannot be read or is not in a
            usable format (one line, naming the file).
        ConfigError: ``fmt`` is not a known format.

    Example:
        >>> src = open_source("seeds", ReadOptions(batch_size=2))
        >>> [batch.height for batch in src.batches()]
        [2, 2, 1]

    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(
            f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}"
        )
    name = str(path)

    if name == "-":
        if fmt not in (None, "jsonl"):
            raise InputError(f"stdin can only be read as JSONL, not {fmt}")
        return JsonlSource(name, options, path=None)

    where = Path(path)
    try:
        info = where.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file or directory") from None
    except OSError as exc:
        raise InputError(
            f"{name}: cannot access: {one_line(exc.strerror or exc)}"
        ) from exc

    if stat.S_ISDIR(info.st_mode):
        if fmt not in (None, "folder"):
            raise InputError(f"{name}: is a folder, not a {fmt} file")
        if not os.access(where, os.R_OK | os.X_OK):
            raise InputError(f"{name}: cannot read the folder (permission denied)")
        return FolderSource(name, options, root=where)
    if fmt == "folder":
        raise InputError(f"{name}: is not a folder")

    guessed = _format_of(name)
    if fmt is None and guessed is None:
        raise InputError(f"cannot tell the format of {name!r}; {_UNKNOWN_HINT}")
    chosen = fmt or (guessed[0] if guessed else "jsonl")
    named_compression = guessed[1] if guessed else None

    if not stat.S_ISREG(info.st_mode):
        # A named pipe (e.g. bash's <(zcat ...)) can be read once only, and
        # opening it here just to test it could make its writer fail.
        if chosen != "jsonl":
            raise InputError(
                f"{name}: not a regular file; only JSONL can be read from a pipe"
            )
        if not os.access(where, os.R_OK):
            raise InputError(f"{name}: cannot read (permission denied)")
        return JsonlSource(name, options, path=None, pipe=where)

    try:
        with open(where, "rb"):
            pass
    except OSError as exc:
        raise InputError(
            f"{name}: cannot read: {one_line(exc.strerror or exc)}"
        ) from exc

    if chosen == "jsonl":
        return JsonlSource(
            name,
            options,
            path=where,
            compression=_jsonl_compression(name, where, named_compression),
        )
    if chosen == "parquet":
        return ParquetSource(name, options, path=where)
    return CsvSource(name, options, path=where)


def _jsonl_compression(name: str, path: Path, named: Compression) -> Compression:
    """Return a JSONL file's compression; its magic bytes must match its name.

    A name without a compression suffix accepts whatever the bytes say.
    """
    try:
        actual = sniff_compression(path)
    except OSError as exc:
        raise InputError(
            f"{name}: cannot read: {one_line(exc.strerror or exc)}"
        ) from exc
    if named is not None and actual != named:
        raise InputError(
            f"{name}: not a {named} file, although the name says so "
            f"({'it looks like ' + actual if actual else 'no ' + named + ' header'})"
        )
    return actual
