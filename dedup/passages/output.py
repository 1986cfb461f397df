r"""Write a passages run, or a strip, to a folder.

``write_passages``: ``DIR/passages.parquet``, ``DIR/occurrences.parquet``,
``DIR/doc_stats.parquet``, ``DIR/quarantine.jsonl`` (records set aside, with
reasons; empty when none) and ``DIR/summary.json`` (the run summary and the
configuration).

``write_strip``: ``DIR/cleaned.parquet`` (doc_id, text and the carried
columns, every document, cleaned) and ``DIR/removed.parquet`` (the account of
every removed span, :data:`dedup.schema.REMOVED_SCHEMA`), written batch by
batch.

    >>> import tempfile, polars as pl
    >>> from dedup.passages import find_passages_frame
    >>> frame = pl.DataFrame({"doc_id": ["a"], "text": ["x\nAlso read\nAlso read"]})
    >>> out = tempfile.mkdtemp()
    >>> result = find_passages_frame(frame)
    >>> [p.name for p in write_passages(result, out)]  # doctest: +NORMALIZE_WHITESPACE
    ['passages.parquet', 'occurrences.parquet', 'doc_stats.parquet',
     'quarantine.jsonl', 'summary.json']
    >>> sorted(p.name for p in write_strip(frame, result, out))
    ['cleaned.parquet', 'removed.parquet']
    >>> pl.read_parquet(f"{out}/cleaned.parquet")["text"].to_list()
    ['x']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow.parquet as pq

from dedup.errors import InputError
from dedup.passages.strip import DEFAULT_KINDS, strip_batches
from dedup.pipeline import BatchSource, FrameSource
from dedup.schema import DOC_ID, REMOVED_SCHEMA, TEXT

if TYPE_CHECKING:
    from dedup.passages.find import PassagesResult


def write_passages(result: PassagesResult, out_dir: str | Path) -> list[Path]:
    """Write the run's frames, quarantine and summary; return their paths."""
    out = Path(out_dir)
    paths = [
        out / name
        for name in (
            "passages.parquet",
            "occurrences.parquet",
            "doc_stats.parquet",
            "quarantine.jsonl",
            "summary.json",
        )
    ]
    try:
        out.mkdir(parents=True, exist_ok=True)
        result.passages.write_parquet(paths[0])
        result.occurrences.write_parquet(paths[1])
        result.doc_stats.write_parquet(paths[2])
        with paths[3].open("w", encoding="utf-8") as fh:
            for q in result.quarantine:
                record = {"source": q.source, "record": q.record, "reason": q.reason}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        summary = asdict(result.stats)
        summary["total_seconds"] = result.stats.total_seconds
        summary["config"] = asdict(result.config)
        paths[4].write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise InputError(
            f"cannot write results to {out}: {exc.strerror or exc}"
        ) from exc
    return paths


def write_strip(
    source: BatchSource | pl.DataFrame,
    result: PassagesResult,
    out_dir: str | Path,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> list[Path]:
    """Strip *source* (read once more) and write cleaned texts and the account."""
    if isinstance(source, pl.DataFrame):
        source = FrameSource(source)
    out = Path(out_dir)
    cleaned_path, removed_path = out / "cleaned.parquet", out / "removed.parquet"
    writers: dict[Path, pq.ParquetWriter] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for cleaned, removed in strip_batches(source, result, kinds):
            for path, frame in ((cleaned_path, cleaned), (removed_path, removed)):
                table = frame.to_arrow()
                if path not in writers:
                    writers[path] = pq.ParquetWriter(path, table.schema)
                writers[path].write_table(table)
        for path, frame in (
            (cleaned_path, pl.DataFrame(schema={DOC_ID: pl.String, TEXT: pl.String})),
            (removed_path, pl.DataFrame(schema=REMOVED_SCHEMA)),
        ):
            if path not in writers:  # an input without documents
                frame.write_parquet(path)
    except OSError as exc:
        raise InputError(
            f"cannot write results to {out}: {exc.strerror or exc}"
        ) from exc
    finally:
        for writer in writers.values():
            writer.close()
    return [cleaned_path, removed_path]
