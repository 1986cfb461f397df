"""Write a scan's results to a folder.

``DIR/docs.parquet`` (one row per document), ``DIR/pairs.parquet`` (verified
pairs), ``DIR/quarantine.jsonl`` (records set aside, with reasons; empty when
none) and ``DIR/summary.json`` (the run summary).

    >>> import tempfile, polars as pl
    >>> from dedup import scan_frame
    >>> out = tempfile.mkdtemp()
    >>> frame = pl.DataFrame({"doc_id": ["a"], "text": ["x"]})
    >>> paths = write_results(scan_frame(frame), out)
    >>> sorted(p.name for p in paths)
    ['docs.parquet', 'pairs.parquet', 'quarantine.jsonl', 'summary.json']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from dedup.errors import InputError

if TYPE_CHECKING:
    from dedup.pipeline import QuarantineRecord, ScanResult


def write_results(result: ScanResult, out_dir: str | Path) -> list[Path]:
    """Write docs, pairs, quarantine and summary files; return their paths."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        docs, pairs = out / "docs.parquet", out / "pairs.parquet"
        result.docs.write_parquet(docs)
        result.pairs.write_parquet(pairs)
        quarantine = _write_quarantine(result.quarantine, out)
        summary = out / "summary.json"
        stats = asdict(result.stats)
        stats["command"] = "scan"
        stats["config"] = {
            k: v for k, v in asdict(result.config).items() if not k.startswith("_")
        }
        summary.write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise InputError(
            f"cannot write results to {out}: {exc.strerror or exc}"
        ) from exc
    return [docs, pairs, quarantine, summary]


def _write_quarantine(records: Sequence[QuarantineRecord], out: Path) -> Path:
    path = out / "quarantine.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for q in records:
            record = {"source": q.source, "record": q.record, "reason": q.reason}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
