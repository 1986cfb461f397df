"""Repeated passages rendered as table, JSON, JSON lines, CSV or Markdown.

One record per passage, most widespread first: its id, kind, counts, text and
the documents it occurs in.

    >>> import polars as pl
    >>> from dedup.passages import find_passages_frame
    >>> text = "A" + chr(10) + "Also read" + chr(10) + "B" + chr(10) + "Also read"
    >>> frame = pl.DataFrame({"doc_id": ["x"], "text": [text]})
    >>> [r["kind"] for r in passage_records(find_passages_frame(frame))]
    ['boilerplate']
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from dedup.schema import DOC_ID, KIND, N_DOCS, N_OCCURRENCES, PASSAGE_ID, TEXT

if TYPE_CHECKING:
    from dedup.passages import PassagesResult

#: Documents listed per passage on stdout; the Parquet files have all of them.
MAX_DOCS = 20


def passage_records(result: PassagesResult) -> list[dict[str, Any]]:
    """Plain-data records, one per passage."""
    docs = (
        result.occurrences.group_by(PASSAGE_ID, maintain_order=True)
        .agg(pl_unique_head(DOC_ID))
        .rows_by_key(PASSAGE_ID)
    )
    records = []
    for row in result.passages.iter_rows(named=True):
        found = docs.get(row[PASSAGE_ID])
        records.append(
            {
                PASSAGE_ID: row[PASSAGE_ID],
                KIND: row[KIND],
                N_DOCS: row[N_DOCS],
                N_OCCURRENCES: row[N_OCCURRENCES],
                TEXT: row[TEXT],
                "docs": list(found[0][0]) if found else [],
            }
        )
    return records


def pl_unique_head(column: str) -> Any:
    """The first :data:`MAX_DOCS` distinct values of *column*, in order."""
    import polars as pl

    return pl.col(column).unique(maintain_order=True).head(MAX_DOCS)


def render_passages(result: PassagesResult, fmt: str, *, width: int = 100) -> str:
    """The passages of *result* as text in *fmt*."""
    records = passage_records(result)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([PASSAGE_ID, KIND, N_DOCS, N_OCCURRENCES, TEXT])
        for r in records:
            writer.writerow(
                [r[PASSAGE_ID], r[KIND], r[N_DOCS], r[N_OCCURRENCES], r[TEXT]]
            )
        return buf.getvalue()
    if fmt == "markdown":
        lines = ["| kind | docs | occurrences | passage |", "|---|---:|---:|---|"]
        for r in records:
            text = " ".join(str(r[TEXT]).split()).replace("|", "\\|")
            lines.append(f"| {r[KIND]} | {r[N_DOCS]} | {r[N_OCCURRENCES]} | {text} |")
        if not records:
            lines.append("| _no repeated passages_ | | | |")
        return "\n".join(lines) + "\n"
    if fmt == "table":
        console = Console(file=io.StringIO(), width=width, color_system=None)
        if not records:
            console.print("No repeated passages.")
        else:
            table = Table(
                title=f"{len(records)} repeated passages", title_justify="left"
            )
            table.add_column("kind")
            table.add_column("docs", justify="right")
            table.add_column("occ.", justify="right")
            table.add_column("passage", overflow="fold")
            table.add_column("in", overflow="fold", max_width=28)
            for r in records:
                text = " ".join(str(r[TEXT]).split())
                short = text if len(text) <= 160 else text[:157] + "..."
                table.add_row(
                    r[KIND],
                    str(r[N_DOCS]),
                    str(r[N_OCCURRENCES]),
                    short,
                    ", ".join(map(str, r["docs"][:3])),
                )
            console.print(table)
        out = console.file
        assert isinstance(out, io.StringIO)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
