"""The run summary printed on stderr after a scan.

>>> import io, polars as pl
>>> from rich.console import Console
>>> from dedup import scan_frame
>>> r = scan_frame(pl.DataFrame({"doc_id": ["a", "b"], "text": ["x y", ""]}))
>>> c = Console(file=io.StringIO(), width=200)
>>> print_summary(r, c, None)
>>> "1 documents read" in c.file.getvalue() or c.file.getvalue()[:60]
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from dedup.pipeline import ScanResult


def summary_lines(result: ScanResult, out: Path | None) -> list[str]:
    """Plain lines of the run summary."""
    s = result.stats
    lines = [
        f"{s.documents:,} documents read ({s.read:,} records, {s.quarantined:,} "
        f"quarantined)",
    ]
    for reason, count in sorted(s.quarantine_reasons.items(), key=lambda kv: -kv[1]):
        lines.append(f"  skipped {count:,}: {reason}")
    if s.short_documents:
        lines.append(
            f"{s.short_documents:,} documents shorter than one shingle, matched exactly"
        )
    lines += [
        f"{s.candidates:,} candidate pairs (LSH {s.bands} bands x {s.rows} rows; "
        f"{s.dropped_on_agreement:,} dropped on signature agreement), "
        f"{s.duplicate_pairs:,} duplicate pairs, {s.template_pairs:,} template pairs",
        f"{s.clusters:,} clusters holding {s.documents_in_clusters:,} documents",
        f"{s.total_seconds:.2f} s ("
        + ", ".join(f"{k} {v:.2f}" for k, v in s.seconds.items())
        + ")",
    ]
    if out is not None:
        lines.append(
            f"results in {out}/ (docs.parquet, pairs.parquet, quarantine.jsonl)"
        )
    return lines


def print_summary(result: ScanResult, console: Console, out: Path | None) -> None:
    """Print :func:`summary_lines` to *console* (stderr in the CLI)."""
    for line in summary_lines(result, out):
        console.print(line, markup=False, highlight=False)
