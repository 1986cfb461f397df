"""What every reader shares: options, quarantine records and batch assembly.

A format reader only turns its input into :class:`Chunk` objects: a frame of
candidate documents plus the records it already rejected (bad JSON, bad
UTF-8, ...). :meth:`Source.batches` applies the checks common to all formats
(empty text, too long, duplicate id), numbers the accepted documents and cuts
them into batches of exactly ``batch_size`` rows (the last may be shorter).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType

import polars as pl

from dedup.errors import ConfigError
from dedup.io.seen import SeenIds
from dedup.schema import CARRIED, DOC_ID, ROW, TEXT

# Stable categories of :attr:`Quarantined.kind`, for counting and filtering
# (the reason text varies with the record: byte offsets, ids, sizes).
UNREADABLE = "unreadable"
BAD_UTF8 = "invalid UTF-8"
BAD_JSON = "malformed JSON"
NOT_OBJECT = "not a JSON object"
BAD_ROW = "malformed row"
MISSING_ID = "missing id"
BAD_ID = "bad id"
MISSING_TEXT = "missing text"
BAD_TEXT = "text not a string"
EMPTY = "empty text"
TOO_LONG = "enormous document"
DUPLICATE = "duplicate doc_id"

#: Internal column: where a candidate sits in its input (line, row or file
#: index), used to label quarantine records and to keep them in input order.
LOC = "_loc"


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input.

    Attributes:
        id_field: Field/column holding the document id.
        text_field: Field/column holding the document text.
        batch_size: Documents per yielded batch.
        max_chars: Longer texts are quarantined as enormous documents.

    Example:
        >>> ReadOptions(text_field="body", batch_size=5_000).text_field
        'body'

    """

    id_field: str = "id"
    text_field: str = "text"
    batch_size: int = 20_000
    max_chars: int = 2_000_000

    def __post_init__(self) -> None:
        if not self.id_field or not self.text_field:
            raise ConfigError("id_field and text_field must be non-empty names")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.max_chars < 1:
            raise ConfigError(f"max_chars must be at least 1, got {self.max_chars}")


@dataclass(frozen=True)
class Quarantined:
    """A record that was read but not accepted, and why.

    Attributes:
        source: Where it is: ``"crawl.jsonl:17"`` (1-based line),
            ``"crawl.parquet:row 1234"`` (0-based row) or ``"seeds/a.txt"``.
        record: The record's id when known, else ``""``.
        reason: A short human reason, e.g. ``"invalid UTF-8 at byte 12"``.
        kind: A stable category for counting, e.g. ``"invalid UTF-8"``; one of
            the constants in :mod:`dedup.io.source` (``BAD_UTF8``, ``EMPTY``,
            ``TOO_LONG``, ``DUPLICATE``, ...).

    Example:
        >>> Quarantined("crawl.jsonl:3", "a1", "empty text", "empty text").kind
        'empty text'

    """

    source: str
    record: str
    reason: str
    kind: str = ""


@dataclass(frozen=True)
class Rejection:
    """A record a reader refused, located by the reader's ``loc`` number."""

    loc: int
    record: str
    reason: str
    kind: str


@dataclass
class Chunk:
    """A slice of the input, in input order.

    ``frame`` has the columns ``LOC`` (Int64), ``DOC_ID`` and ``TEXT`` (String,
    no nulls), then the source's carried columns (String). ``rejected`` holds
    the records of the same stretch of input that the reader already refused.
    """

    frame: pl.DataFrame
    rejected: list[Rejection] = field(default_factory=list)


def one_line(message: object) -> str:
    """Squash an exception message onto one line (the CLI prints one line)."""
    return " ".join(str(message).split())


def json_type(value: object) -> str:
    """Name a decoded JSON value's type the way a user would."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def chunk_schema(carried: tuple[str, ...]) -> dict[str, pl.DataType]:
    """Return the schema of :attr:`Chunk.frame` for the given carried columns."""
    schema: dict[str, pl.DataType] = {LOC: pl.Int64(), DOC_ID: pl.String()}
    schema[TEXT] = pl.String()
    for name in carried:
        schema[name] = pl.String()
    return schema


class Source(ABC):
    """A readable input: a folder, JSONL, Parquet or CSV file, or stdin.

    Create one with :func:`dedup.io.open_source`. Iterate :meth:`batches` as
    often as needed; every iteration yields the same frames. After (or during)
    an iteration, :attr:`quarantine` lists the records it rejected and
    :attr:`n_read` counts the records it has seen. Do not interleave two
    iterations of the same source: they share these two attributes.

    Example:
        >>> from dedup.io import open_source
        >>> src = open_source("seeds")
        >>> sum(batch.height for batch in src.batches()) + len(src.quarantine)
        5
        >>> src.n_read
        5

    """

    #: The input as the user named it.
    name: str
    #: Records rejected by the last (or current) iteration, in input order.
    quarantine: list[Quarantined]
    #: Records seen by the last (or current) iteration: accepted + quarantined.
    n_read: int

    def __init__(self, name: str, options: ReadOptions) -> None:
        self.name = name
        self.options = options
        self.quarantine = []
        self.n_read = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # -- what a format implements ------------------------------------------

    @abstractmethod
    def _carried(self) -> tuple[str, ...]:
        """Return the carried columns to output (a subset of CARRIED, in order)."""

    @abstractmethod
    def _chunks(self) -> Iterator[Chunk]:
        """Read the input once, in order, converting every failure to InputError."""

    @abstractmethod
    def where(self, loc: int) -> str:
        """Label a location for :attr:`Quarantined.source`."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release what the source holds between iterations (nothing by default)."""

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- shared ------------------------------------------------------------

    def batches(self) -> Iterator[pl.DataFrame]:
        """Yield the accepted documents in batches of ``options.batch_size``.

        Each frame has the columns ``row`` (UInt64, 0-based and contiguous
        across the whole source), ``doc_id``, ``text`` and then whichever of
        ``url``, ``site``, ``published``, ``title`` the input has (String).

        Returns:
            An iterator; :attr:`quarantine` and :attr:`n_read` are reset by
            this call, not when iteration starts.

        Raises:
            InputError: When the input turns out to be unusable mid-way.

        Example:
            >>> from dedup.io import ReadOptions, open_source
            >>> src = open_source("seeds", ReadOptions(batch_size=2))
            >>> [batch["row"].to_list() for batch in src.batches()]
            [[0, 1], [2, 3], [4]]

        """
        self.quarantine = []
        self.n_read = 0
        return self._assemble()

    def _assemble(self) -> Iterator[pl.DataFrame]:
        size = self.options.batch_size
        seen = SeenIds()
        pending: list[pl.DataFrame] = []
        n_pending = 0
        next_row = 0
        for chunk in self._chunks():
            accepted = self._screen(chunk, seen)
            if accepted.height:
                pending.append(accepted)
                n_pending += accepted.height
            while n_pending >= size:
                frame = (
                    pl.concat(pending, rechunk=True) if len(pending) > 1 else pending[0]
                )
                yield self._number(frame.slice(0, size), next_row)
                next_row += size
                n_pending -= size
                pending = [frame.slice(size)] if n_pending else []
        if n_pending:
            yield self._number(pl.concat(pending), next_row)

    def _number(self, frame: pl.DataFrame, start: int) -> pl.DataFrame:
        rows = pl.int_range(start, start + frame.height, dtype=pl.UInt64, eager=True)
        columns = [DOC_ID, TEXT, *self._carried()]
        # rechunk: a batch is one contiguous block however it was assembled,
        # so that two iterations give identical frames.
        return frame.select(columns).insert_column(0, rows.alias(ROW)).rechunk()

    def _screen(self, chunk: Chunk, seen: SeenIds) -> pl.DataFrame:
        """Apply the checks every format shares; quarantine and drop failures."""
        opts = self.options
        frame = chunk.frame
        text = frame[TEXT]
        n_chars = text.str.len_chars()
        # ``\S`` stops at the first visible character, cheaper than stripping.
        empty = ~text.str.contains(r"\S")
        too_long = n_chars > opts.max_chars
        bad = (empty | too_long).fill_null(True)
        rejected = list(chunk.rejected)
        if bad.any():
            flagged = frame.select(LOC, DOC_ID).with_columns(
                n_chars=n_chars, empty=empty
            )
            for loc, doc_id, n, is_empty in flagged.filter(bad).iter_rows():
                if is_empty:
                    rejected.append(Rejection(loc, doc_id, "empty text", EMPTY))
                else:
                    reason = (
                        f"text has {n:,} characters, above max_chars={opts.max_chars:,}"
                    )
                    rejected.append(Rejection(loc, doc_id, reason, TOO_LONG))
            frame = frame.filter(~bad)

        first = seen.first_seen(frame[DOC_ID], frame[LOC].to_numpy())
        dup = pl.Series(first >= 0)
        if dup.any():
            dups = frame.select(LOC, DOC_ID).with_columns(first=pl.Series(first))
            for loc, doc_id, at in dups.filter(dup).iter_rows():
                rejected.append(
                    Rejection(
                        loc,
                        doc_id,
                        f"duplicate doc_id {doc_id!r} (first seen at {self.where(at)})",
                        DUPLICATE,
                    )
                )
            frame = frame.filter(~dup)

        rejected.sort(key=lambda r: r.loc)
        self.quarantine.extend(
            Quarantined(self.where(r.loc), r.record, r.reason, r.kind) for r in rejected
        )
        self.n_read += frame.height + len(rejected)
        return frame


def carried_present(names: Iterable[str]) -> tuple[str, ...]:
    """Return the carried columns among ``names``, in :data:`CARRIED` order.

    Example:
        >>> carried_present(["title", "text", "url"])
        ('url', 'title')

    """
    have = set(names)
    return tuple(name for name in CARRIED if name in have)
