"""One exception family for the whole library.

The CLI turns every :class:`DedupError` into a one-line message on stderr and a
non-zero exit code; anything else is a bug and keeps its traceback.

    >>> try:
    ...     raise InputError("crawl.jsonl:3: not valid JSON")
    ... except DedupError as exc:
    ...     print(exc)
    crawl.jsonl:3: not valid JSON
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""

    exit_code = 1


class ConfigError(DedupError, ValueError):
    """A parameter is out of range; the message names it, the range and a hint."""

    exit_code = 2


class InputError(DedupError):
    """The input cannot be used at all (missing, unreadable, wrong format)."""

    exit_code = 3


class SchemaError(DedupError):
    """A frame handed to a stage lacks columns the stage needs."""

    exit_code = 4
