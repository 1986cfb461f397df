r"""JSON Lines input: plain, gzip or zstandard files, or stdin.

One JSON object per line; blank lines are not records. A line that cannot be
used (bad UTF-8, bad JSON, not an object, no usable text or id) is quarantined
with its 1-based line number and never stops the read.

Which id and carried fields the file has is decided once per source by a
quick pre-scan: a byte search finds lines that may contain a wanted key and
only those lines are parsed, stopping as soon as every wanted key has been
confirmed (so a file that has them all costs one line). The answer must be
known before the first batch is yielded: the carried columns of every batch
must be the same, and records without an id are numbered by line only when
*no* record has one.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "crawl.jsonl"
    >>> _ = path.write_text('{"id": 7, "text": "a"}\n\n{"text": "b"}\n')
    >>> src = JsonlSource("crawl.jsonl", ReadOptions(), path=path)
    >>> [b["doc_id"].to_list() for b in src.batches()]
    [['7']]
    >>> src.quarantine[0].source, src.quarantine[0].reason
    ('crawl.jsonl:3', "missing id field 'id'")
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from dedup.errors import InputError
from dedup.io.source import (
    BAD_ID,
    BAD_JSON,
    BAD_TEXT,
    BAD_UTF8,
    LOC,
    MISSING_ID,
    MISSING_TEXT,
    NOT_OBJECT,
    TOO_LONG,
    Chunk,
    ReadOptions,
    Rejection,
    Source,
    carried_present,
    chunk_schema,
    json_type,
    one_line,
)
from dedup.io.streams import (
    STREAM_ERRORS,
    Compression,
    open_binary,
    sniff_compression,
    spool,
)
from dedup.schema import CARRIED, DOC_ID, TEXT

#: Where the pre-scan looks for keys, a block at a time.
_SCAN_BLOCK = 1 << 23

#: Lines longer than this many bytes (or 16 bytes per allowed character, if
#: more) are quarantined without being read into memory.
_MIN_LINE_LIMIT = 1 << 26


def line_limit(max_chars: int) -> int:
    """Return the longest line, in bytes, that is read and parsed.

    A character takes at most 12 bytes in JSON (an escaped surrogate pair),
    so the bound leaves room for the text and for other fields.

    Example:
        >>> line_limit(2_000_000) == 2**26
        True

    """
    return max(_MIN_LINE_LIMIT, 16 * max_chars)


_BOM = "\ufeff"


def _quoted(name: str) -> bytes:
    """A key as it appears in a JSON line: quoted, UTF-8."""
    return json.dumps(name, ensure_ascii=False).encode()


# After a quoted key, optional JSON whitespace then the colon.
_COLON = re.compile(rb"[ \t\r\n]*:")


def _loads_quiet(line: bytes) -> Any:
    """Parse a line for the pre-scan; ``None`` when it is not valid JSON."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):  # includes JSON and UTF-8 errors
        return None


class DamagedStream(Exception):
    """Reading failed after ``lines`` complete lines; the cause is chained."""

    def __init__(self, lines: int) -> None:
        super().__init__(f"stream damaged after line {lines}")
        self.lines = lines


def scan_keys(
    stream: IO[bytes], wanted: set[str], limit: int = _MIN_LINE_LIMIT
) -> set[str]:
    r"""Return which of ``wanted`` occur as a top-level key of some line.

    Only lines where a wanted ``"key":`` occurs are parsed, and reading stops
    once every wanted key has been seen. Keys spelled with ``\u`` escapes are
    not recognised (no real crawl writes them); lines longer than ``limit``
    bytes are skipped, as the main pass rejects them.

    Raises:
        DamagedStream: The (compressed) stream is corrupt or truncated.

    Example:
        >>> import io
        >>> data = b'{"text": "\\"url\\": x", "m": {"id": 1}}\n{"title": 2}\n'
        >>> sorted(scan_keys(io.BytesIO(data), {"id", "url", "title"}))
        ['title']

    """
    found: set[str] = set()
    tail = b""
    lines = 0
    skipping = False  # inside a line longer than ``limit``
    while True:
        try:
            block = stream.read(_SCAN_BLOCK)
        except STREAM_ERRORS as exc:
            raise DamagedStream(lines) from exc
        data, tail = tail + block, b""
        if block:
            cut = data.rfind(b"\n") + 1
            data, tail = data[:cut], data[cut:]
        lines += data.count(b"\n")
        if skipping:
            if data:  # the long line ends in this block
                data = data[data.find(b"\n") + 1 :]
                skipping = False
            else:
                tail = b""
        if len(tail) > limit:
            tail, skipping = b"", True
        for name in sorted(wanted - found):
            found |= _confirm(data, name, wanted, limit)
            if found == wanted:
                return found
        if not block:
            return found


def _confirm(data: bytes, name: str, wanted: set[str], limit: int) -> set[str]:
    """Find ``name`` as a top-level key in some line of ``data``.

    ``bytes.find`` skims the block at memory speed; only a line where the
    quoted name is followed by a colon is parsed. Returns the wanted keys of
    the first line that has ``name`` at the top level (empty if none does).
    Inside a JSON string a quote is escaped, so ``"name":`` there is a real key
    of some object, at worst a nested one, which parsing rules out.
    """
    key = _quoted(name)
    pos = data.find(key)
    while pos >= 0:
        after = pos + len(key)
        if _COLON.match(data, after):
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", after)
            end = len(data) if end < 0 else end
            # A line the main pass rejects as too long does not count.
            record = _loads_quiet(data[start:end]) if end - start < limit else None
            if isinstance(record, dict) and name in record:
                return wanted.intersection(record)
            after = end  # this line is settled: look in the next ones
        pos = data.find(key, after)
    return set()


def _as_text(value: Any) -> str | None:
    """Render a carried field as a string: scalars as written, structures as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class JsonlSource(Source):
    r"""JSON Lines from a file (``path``), stdin (no ``path``) or a named ``pipe``.

    Stdin and pipes are copied to a temporary file on the first iteration, so
    that they can be read again; :meth:`close` (or garbage collection of the
    source, or the end of the interpreter) deletes the copy.

    Example:
        >>> import io, sys
        >>> sys.stdin = io.TextIOWrapper(io.BytesIO(b'{"text": "piped"}\n'))
        >>> with JsonlSource("-", ReadOptions(), path=None) as src:
        ...     [b["doc_id"].to_list() for b in src.batches()]
        [['1']]
        >>> sys.stdin = sys.__stdin__

    """

    def __init__(
        self,
        name: str,
        options: ReadOptions,
        *,
        path: Path | None,
        compression: Compression = None,
        pipe: Path | None = None,
    ) -> None:
        super().__init__(name, options)
        self._path = path
        self._pipe = pipe
        self._compression = compression
        self._label = name if path is not None or pipe is not None else "<stdin>"
        self._layout: tuple[bool, tuple[str, ...]] | None = None
        self._spool: weakref.finalize[[Path], JsonlSource] | None = None
        self._closed = False

    # -- Source --------------------------------------------------------------

    def where(self, loc: int) -> str:
        """``crawl.jsonl:17`` (1-based line number)."""
        return f"{self._label}:{loc}"

    def _carried(self) -> tuple[str, ...]:
        return self._fields()[1]

    def close(self) -> None:
        """Delete the stdin spool file, if any (safe to call twice)."""
        if self._spool is not None:
            self._spool()
            self._spool = None
            self._path = None
            self._closed = True

    def _chunks(self) -> Iterator[Chunk]:
        has_id, carried = self._fields()
        with self._open() as stream:
            yield from self._parse(stream, has_id, carried)

    # -- internals -----------------------------------------------------------

    def _readable_path(self) -> Path:
        """Return the file to read, spooling stdin (or the pipe) on first use."""
        if self._path is None:
            if self._closed:
                raise InputError(
                    f"{self._label}: source was closed; a pipe can be read only once"
                )
            try:
                path = spool(self._pipe)
            except OSError as exc:
                raise InputError(
                    f"{self._label}: cannot copy the input: {exc}"
                ) from exc
            self._spool = weakref.finalize(self, _remove, path)
            self._path = path
            try:
                self._compression = sniff_compression(path)
            except OSError as exc:
                raise InputError(f"{self._label}: cannot read the copy: {exc}") from exc
        return self._path

    def _open(self) -> IO[bytes]:
        path = self._readable_path()
        try:
            return open_binary(path, self._compression)
        except OSError as exc:
            raise InputError(f"{self._label}: cannot read: {one_line(exc)}") from exc

    def _fields(self) -> tuple[bool, tuple[str, ...]]:
        """(whether any record has the id field, carried fields present)."""
        if self._layout is None:
            opts = self.options
            wanted = {opts.id_field, *CARRIED}
            with self._open() as stream:
                try:
                    found = scan_keys(stream, wanted, line_limit(opts.max_chars))
                except DamagedStream as exc:
                    cause = exc.__cause__ or exc
                    raise self._stream_error(cause, exc.lines) from cause
            self._layout = (opts.id_field in found, carried_present(found))
        return self._layout

    def _stream_error(self, exc: BaseException, line: int) -> InputError:
        kind = self._compression
        what = f"corrupt {kind} stream" if kind else "read error"
        return InputError(
            f"{self._label}: {what} after line {line}: "
            f"{one_line(exc) or type(exc).__name__}"
        )

    def _parse(
        self, stream: IO[bytes], has_id: bool, carried: tuple[str, ...]
    ) -> Iterator[Chunk]:
        """Turn lines into chunks of at most ``batch_size`` records."""
        opts = self.options
        id_field, text_field = opts.id_field, opts.text_field
        limit = line_limit(opts.max_chars)
        rows = _Rows(carried)
        for lineno, raw in self._lines(stream, limit):
            if raw is None:
                reason = f"line has more than {limit:,} bytes"
                rows.rejected.append(Rejection(lineno, "", reason, TOO_LONG))
            elif raw.isspace():
                continue  # blank lines are not records
            else:
                verdict = self._record(raw, lineno, has_id, id_field, text_field)
                if isinstance(verdict, Rejection):
                    rows.rejected.append(verdict)
                else:
                    rows.add(lineno, *verdict)
            if rows.count >= opts.batch_size:
                yield rows.chunk()
                rows = _Rows(carried)
        if rows.count:
            yield rows.chunk()

    def _lines(
        self, stream: IO[bytes], limit: int
    ) -> Iterator[tuple[int, bytes | None]]:
        """Yield (1-based line number, line); ``None`` for a line over ``limit``.

        The limit keeps memory bounded when a file is not JSON Lines at all
        (say a whole JSON array on one line): such a line is skipped unread.
        """
        lineno = 0
        while True:
            try:
                raw = stream.readline(limit)
                overlong = len(raw) == limit and not raw.endswith(b"\n")
                while overlong and (rest := stream.readline(limit)):
                    if rest.endswith(b"\n"):
                        break
            except STREAM_ERRORS as exc:
                raise self._stream_error(exc, lineno) from exc
            if not raw:
                return
            lineno += 1
            yield lineno, None if overlong else raw

    @staticmethod
    def _record(
        raw: bytes, lineno: int, has_id: bool, id_field: str, text_field: str
    ) -> Rejection | tuple[str, str, dict[str, Any]]:
        """Validate one line: (doc_id, text, record) or why it is rejected."""
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Rejection(lineno, "", f"invalid UTF-8 at byte {exc.start}", BAD_UTF8)
        if lineno == 1 and line.startswith(_BOM):
            line = line[1:]
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            return Rejection(
                lineno, "", f"malformed JSON: {exc.msg} (col {exc.colno})", BAD_JSON
            )
        except RecursionError:
            return Rejection(lineno, "", "malformed JSON: nested too deeply", BAD_JSON)
        if not isinstance(record, dict):
            return Rejection(
                lineno, "", f"not a JSON object (got {json_type(record)})", NOT_OBJECT
            )

        if has_id:
            if id_field not in record:
                return Rejection(
                    lineno, "", f"missing id field {id_field!r}", MISSING_ID
                )
            value = record[id_field]
            if isinstance(value, str):
                doc_id = value
            elif isinstance(value, int) and not isinstance(value, bool):
                doc_id = str(value)
            elif value is None:
                return Rejection(
                    lineno, "", f"id field {id_field!r} is null", MISSING_ID
                )
            else:
                return Rejection(
                    lineno,
                    "",
                    f"id field {id_field!r} is not a string or integer "
                    f"(got {json_type(value)})",
                    BAD_ID,
                )
            if not doc_id:
                return Rejection(
                    lineno, "", f"id field {id_field!r} is empty", MISSING_ID
                )
        else:
            doc_id = str(lineno)

        if text_field not in record:
            return Rejection(
                lineno, doc_id, f"missing text field {text_field!r}", MISSING_TEXT
            )
        text = record[text_field]
        if text is None:
            return Rejection(
                lineno, doc_id, f"text field {text_field!r} is null", MISSING_TEXT
            )
        if not isinstance(text, str):
            return Rejection(
                lineno,
                doc_id,
                f"text field {text_field!r} is not a string (got {json_type(text)})",
                BAD_TEXT,
            )
        return doc_id, text, record


class _Rows:
    """The accepted records of one chunk, column by column."""

    def __init__(self, carried: tuple[str, ...]) -> None:
        self.carried = carried
        self.locs: list[int] = []
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.extra: list[list[str | None]] = [[] for _ in carried]
        self.rejected: list[Rejection] = []

    @property
    def count(self) -> int:
        return len(self.locs) + len(self.rejected)

    def add(self, loc: int, doc_id: str, text: str, record: dict[str, Any]) -> None:
        self.locs.append(loc)
        self.ids.append(doc_id)
        self.texts.append(text)
        for values, name in zip(self.extra, self.carried, strict=True):
            values.append(_as_text(record.get(name)))

    def chunk(self) -> Chunk:
        try:
            frame = self._frame()
        except UnicodeEncodeError:
            # ``json`` turns a lone ``\ud800``-style escape into a string that
            # has no UTF-8 form, and polars refuses it. Rare, so it is only
            # looked for once the fast path has failed.
            self._drop_lone_surrogates()
            frame = self._frame()
        return Chunk(frame, self.rejected)

    def _frame(self) -> pl.DataFrame:
        columns: dict[str, list[Any]] = {
            LOC: self.locs,
            DOC_ID: self.ids,
            TEXT: self.texts,
        }
        columns.update(zip(self.carried, self.extra, strict=True))
        return pl.DataFrame(columns, schema=chunk_schema(self.carried))

    def _drop_lone_surrogates(self) -> None:
        keep = []
        for i, (loc, doc_id, text) in enumerate(
            zip(self.locs, self.ids, self.texts, strict=True)
        ):
            if not _encodable(doc_id):
                reason = "id is not valid Unicode (lone surrogate)"
                self.rejected.append(Rejection(loc, "", reason, BAD_ID))
            elif not _encodable(text):
                reason = "text is not valid Unicode (lone surrogate)"
                self.rejected.append(Rejection(loc, doc_id, reason, BAD_TEXT))
            else:
                keep.append(i)
        self.locs = [self.locs[i] for i in keep]
        self.ids = [self.ids[i] for i in keep]
        self.texts = [self.texts[i] for i in keep]
        # Carried metadata is not worth a document: replace what cannot be kept.
        self.extra = [
            [
                v if v is None or _encodable(v) else _replace_surrogates(v)
                for v in (values[i] for i in keep)
            ]
            for values in self.extra
        ]


def _replace_surrogates(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
