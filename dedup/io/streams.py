r"""Byte streams for line-oriented input: plain, gzip, zstandard, stdin.

Compression is recognised by its magic bytes, so a gzip file named ``.jsonl``
(or piped into stdin) still reads; an extension that promises a compression
the bytes do not have is an error.

    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl.gz"
    >>> _ = path.write_bytes(gzip.compress(b'{"text": "hi"}\n'))
    >>> sniff_compression(path)
    'gzip'
    >>> with open_binary(path, "gzip") as stream:
    ...     stream.read()
    b'{"text": "hi"}\n'
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import IO, Literal, cast

import zstandard

Compression = Literal["gzip", "zstd"] | None

_MAGIC: dict[bytes, Literal["gzip", "zstd"]] = {
    b"\x1f\x8b": "gzip",
    b"\x28\xb5\x2f\xfd": "zstd",
}


class TruncatedStreamError(EOFError):
    """A compressed stream ends before its end-of-stream marker."""


#: Errors a damaged compressed stream can raise while it is being read.
STREAM_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes gzip.BadGzipFile
    EOFError,  # gzip and zstd: truncated
    zlib.error,
    zstandard.ZstdError,
)


def sniff_compression(path: Path) -> Compression:
    """Tell gzip or zstandard data from its first bytes (``None``: neither)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


class _ZstdReader(io.RawIOBase):
    """Decompress a zstandard file frame by frame, noticing truncation.

    ``zstandard``'s own ``stream_reader`` ends silently when the last frame is
    cut short; here running out of input inside a frame raises
    :class:`TruncatedStreamError`. Input is fed 64 KiB at a time to bound
    the output of one call.
    """

    _STEP = 1 << 16

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._obj = self._dctx.decompressobj()
        self._in_frame = False  # fed bytes to the current frame, not yet ended
        self._out = b""
        self._pos = 0  # how much of ``_out`` has been handed out
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        while self._pos == len(self._out) and not self._done:
            self._fill()
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = memoryview(self._out)[self._pos : self._pos + n]
        self._pos += n
        return n

    def _fill(self) -> None:
        data = self._raw.read(self._STEP)
        if not data:
            if self._in_frame:
                raise TruncatedStreamError("zstd stream ends in the middle of a frame")
            self._done = True
            return
        out = []
        while data:
            self._in_frame = True
            out.append(self._obj.decompress(data))
            if not self._obj.eof:
                break
            # A frame ended; whatever follows starts the next frame.
            data = self._obj.unused_data
            self._obj = self._dctx.decompressobj()
            self._in_frame = False
        self._out = b"".join(out)
        self._pos = 0

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def open_binary(path: Path, compression: Compression) -> IO[bytes]:
    """Open ``path`` for buffered binary reading, decompressing on the fly."""
    if compression == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    if compression == "zstd":
        return io.BufferedReader(_ZstdReader(raw), 1 << 20)
    return raw


def spool(pipe: Path | None) -> Path:
    """Copy stdin (``pipe=None``) or a named pipe to a temporary file.

    A pipe can be read only once and the pipeline reads its input twice. The
    copy goes where :mod:`tempfile` puts files (``$TMPDIR``); the caller owns
    it and must delete it.
    """
    fd, name = tempfile.mkstemp(prefix="dedup-stdin-", suffix=".jsonl")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            if pipe is not None:
                with open(pipe, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
                return path
            stream = sys.stdin
            buffer = getattr(stream, "buffer", None)
            if buffer is not None:
                shutil.copyfileobj(buffer, out, 1 << 20)
            else:
                # A text-only stand-in for stdin (tests, embedding): re-encode.
                for piece in iter(lambda: stream.read(1 << 20), ""):
                    out.write(piece.encode("utf-8", "surrogateescape"))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
