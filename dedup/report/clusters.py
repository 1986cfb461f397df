"""Duplicate clusters rendered as table, JSON, JSON lines, CSV or Markdown.

One record per cluster of size >= 2: its id, size, canonical member and every
member with its similarity to the canonical one.

    >>> import polars as pl
    >>> from dedup import scan_frame
    >>> t = "one two three four five six seven eight nine ten eleven twelve"
    >>> r = scan_frame(pl.DataFrame({"doc_id": ["a", "b"], "text": [t, t + " more"]}))
    >>> record = cluster_records(r)[0]
    >>> record["size"], record["canonical"], [m["doc_id"] for m in record["members"]]
    (2, 'b', ['b', 'a'])
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from dedup.schema import (
    CANONICAL_ID,
    CLUSTER_ID,
    CLUSTER_SIZE,
    DOC_ID,
    SIMILARITY,
    TITLE,
    URL,
)

if TYPE_CHECKING:
    from dedup.pipeline import ScanResult

FORMATS = ("table", "json", "jsonl", "csv", "markdown")


def cluster_records(result: ScanResult) -> list[dict[str, Any]]:
    """Plain-data records, one per cluster of size >= 2, largest first."""
    records = []
    for row in result.clusters().iter_rows(named=True):
        canonical = row[CANONICAL_ID]
        members = []
        for m in row["members"]:
            member: dict[str, Any] = {
                DOC_ID: m[DOC_ID],
                SIMILARITY: round(float(m[SIMILARITY]), 4),
                "canonical": m[DOC_ID] == canonical,
            }
            for extra in (TITLE, URL):
                if m.get(extra) is not None:
                    member[extra] = m[extra]
            members.append(member)
        records.append(
            {
                CLUSTER_ID: row[CLUSTER_ID],
                "size": row[CLUSTER_SIZE],
                "canonical": canonical,
                "members": members,
            }
        )
    return records


def render(result: ScanResult, fmt: str, *, width: int | None = None) -> str:
    """The clusters of *result* as text in *fmt* (one of :data:`FORMATS`)."""
    records = cluster_records(result)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([CLUSTER_ID, "size", DOC_ID, "canonical", SIMILARITY])
        for r in records:
            for m in r["members"]:
                writer.writerow(
                    [r[CLUSTER_ID], r["size"], m[DOC_ID], m["canonical"], m[SIMILARITY]]
                )
        return buf.getvalue()
    if fmt == "markdown":
        lines = [
            "| cluster | size | doc_id | canonical | similarity |",
            "|---|---:|---|:---:|---:|",
        ]
        for r in records:
            for m in r["members"]:
                mark = "yes" if m["canonical"] else ""
                doc = str(m[DOC_ID]).replace("|", "\\|")
                lines.append(
                    f"| {r[CLUSTER_ID]} | {r['size']} | {doc} | {mark} | "
                    f"{m[SIMILARITY]:.2f} |"
                )
        if not records:
            lines.append("| _no near-duplicate clusters_ | | | | |")
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return _table(records, width)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _table(records: list[dict[str, Any]], width: int | None) -> str:
    console = Console(
        file=io.StringIO(), width=width or 100, force_terminal=False, color_system=None
    )
    if not records:
        console.print("No near-duplicate clusters.")
    for r in records:
        table = Table(
            title=f"cluster {r[CLUSTER_ID]} · {r['size']} articles",
            title_justify="left",
            expand=False,
        )
        table.add_column("doc_id", overflow="fold")
        table.add_column("role")
        table.add_column("similarity", justify="right")
        if any(TITLE in m for m in r["members"]):
            table.add_column("title", overflow="fold", max_width=50)
        for m in r["members"]:
            cells = [
                str(m[DOC_ID]),
                "canonical" if m["canonical"] else "copy",
                f"{m[SIMILARITY]:.2f}",
            ]
            if any(TITLE in x for x in r["members"]):
                cells.append(str(m.get(TITLE, "")))
            table.add_row(*cells)
        console.print(table)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
