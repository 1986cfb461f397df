r"""Farm results on stdout (table, JSON, JSON lines, CSV, Markdown) and on disk.

Stdout, as for ``scan``: one record per document, highest farm score first,
with its flagged paragraphs and their reasons (``table`` shows only the
documents with filler). Files: ``DIR/paragraphs.parquet`` (every paragraph,
streamed batch by batch with :class:`FarmWriter`), ``DIR/docs.parquet``,
``DIR/quarantine.jsonl`` and ``DIR/summary.json``.

    >>> import polars as pl
    >>> from dedup.farm.score import score_frame
    >>> text = "A council vote.\n\nAlso read\n\nThe budget passed on Tuesday."
    >>> r = score_frame(pl.DataFrame({"doc_id": ["a"], "text": [text]}))
    >>> rec = doc_records(r)[0]
    >>> rec["doc_id"], [(p["index"], p["family"]) for p in rec["flagged"]]
    ('a', [(1, 'teaser')])
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from dedup.errors import InputError
from dedup.schema import (
    DOC_ID,
    END,
    FAMILY,
    FARM_PARAGRAPHS_SCHEMA,
    FARM_SCORE,
    FILLER_FRACTION,
    IS_FILLER,
    N_FILLER,
    N_PARAGRAPHS,
    PARAGRAPH_INDEX,
    REASON,
    SCORE,
    START,
    TEXT,
    TITLE,
    TOP_REASONS,
    URL,
)

if TYPE_CHECKING:
    from dedup.farm.score import FarmResult

FORMATS = ("table", "json", "jsonl", "csv", "markdown")
PARAGRAPHS_FILE = "paragraphs.parquet"
DOCS_FILE = "docs.parquet"


def doc_records(result: FarmResult) -> list[dict[str, Any]]:
    """Plain-data records, one per document, highest farm score first."""
    flagged = result.paragraphs.filter(pl.col(IS_FILLER))
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in flagged.sort(DOC_ID, PARAGRAPH_INDEX).iter_rows(named=True):
        by_doc.setdefault(row[DOC_ID], []).append(
            {
                "index": row[PARAGRAPH_INDEX],
                START: row[START],
                END: row[END],
                SCORE: round(float(row[SCORE]), 4),
                FAMILY: row[FAMILY],
                REASON: row[REASON],
                TEXT: row[TEXT],
            }
        )
    docs = result.docs.sort([FARM_SCORE, DOC_ID], descending=[True, False])
    records = []
    for row in docs.iter_rows(named=True):
        rec: dict[str, Any] = {
            DOC_ID: row[DOC_ID],
            FARM_SCORE: round(float(row[FARM_SCORE]), 4),
            FILLER_FRACTION: round(float(row[FILLER_FRACTION]), 4),
            N_FILLER: row[N_FILLER],
            N_PARAGRAPHS: row[N_PARAGRAPHS],
            TOP_REASONS: row[TOP_REASONS],
        }
        for extra in (TITLE, URL):
            if row.get(extra) is not None:
                rec[extra] = row[extra]
        rec["flagged"] = by_doc.get(row[DOC_ID], [])
        records.append(rec)
    return records


def render(result: FarmResult, fmt: str, *, width: int | None = None) -> str:
    """The documents of *result* as text in *fmt* (one of :data:`FORMATS`)."""
    records = doc_records(result)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            [DOC_ID, FARM_SCORE, "index", START, END, SCORE, FAMILY, REASON, TEXT]
        )
        for r in records:
            for p in r["flagged"]:
                writer.writerow(
                    [
                        r[DOC_ID],
                        r[FARM_SCORE],
                        p["index"],
                        p[START],
                        p[END],
                        p[SCORE],
                        p[FAMILY],
                        p[REASON],
                        p[TEXT],
                    ]
                )
        return buf.getvalue()
    if fmt == "markdown":
        return _markdown(records)
    if fmt == "table":
        return _table(records, width)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _cell(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _markdown(records: list[dict[str, Any]]) -> str:
    lines = [
        "| doc_id | farm_score | # | score | reason | text |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in records:
        doc = str(r[DOC_ID]).replace("|", "\\|")
        if not r["flagged"]:
            lines.append(f"| {doc} | {r[FARM_SCORE]:.3f} | | | _no filler_ | |")
        for p in r["flagged"]:
            why = str(p[REASON]).replace("|", "\\|")
            text = _cell(p[TEXT], 70).replace("|", "\\|")
            lines.append(
                f"| {doc} | {r[FARM_SCORE]:.3f} | {p['index']} | {p[SCORE]:.2f} "
                f"| {why} | {text} |"
            )
    if not records:
        lines.append("| _no documents_ | | | | | |")
    return "\n".join(lines) + "\n"


def _table(records: list[dict[str, Any]], width: int | None) -> str:
    console = Console(
        file=io.StringIO(), width=width or 120, force_terminal=False, color_system=None
    )
    clean = 0
    for r in records:
        if not r["flagged"]:
            clean += 1
            continue
        table = Table(
            title=(
                f"{r[DOC_ID]} · farm score {r[FARM_SCORE]:.2f} · "
                f"{r[N_FILLER]} of {r[N_PARAGRAPHS]} paragraphs flagged"
            ),
            title_justify="left",
            expand=False,
        )
        table.add_column("#", justify="right")
        table.add_column("score", justify="right")
        table.add_column("reason", overflow="fold", max_width=48)
        table.add_column("text", overflow="fold", max_width=60)
        for p in r["flagged"]:
            table.add_row(
                str(p["index"]), f"{p[SCORE]:.2f}", str(p[REASON]), _cell(p[TEXT])
            )
        console.print(table)
    if clean:
        console.print(f"{clean:,} document(s) without filler.")
    if not records:
        console.print("No documents.")
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


class FarmWriter:
    r"""Write farm results to a folder, paragraphs streamed batch by batch.

    Use :meth:`write_paragraphs` as the ``sink`` of
    :func:`~dedup.farm.score.score_articles`, then :meth:`finish` with the
    result (docs, quarantine and summary). Memory stays bounded by one batch.

    Example:
        >>> import tempfile, polars as pl
        >>> from dedup.farm.score import FarmConfig, score_articles
        >>> from dedup.pipeline import FrameSource
        >>> out = tempfile.mkdtemp()
        >>> frame = pl.DataFrame({"doc_id": ["a"], "text": ["One.\n\nTwo."]})
        >>> with FarmWriter(out) as w:
        ...     result = score_articles(
        ...         FrameSource(frame), FarmConfig(paragraphs="none"),
        ...         sink=w.write_paragraphs)
        ...     paths = w.finish(result)
        >>> sorted(p.name for p in paths)
        ['docs.parquet', 'paragraphs.parquet', 'quarantine.jsonl', 'summary.json']
        >>> pl.read_parquet(f"{out}/paragraphs.parquet").height
        2

    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out = Path(out_dir)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot write results to {self.out}: {exc.strerror or exc}"
            ) from exc
        self._writer: pq.ParquetWriter | None = None

    def write_paragraphs(self, frame: pl.DataFrame) -> None:
        """Append one batch of paragraphs to ``paragraphs.parquet``."""
        table = frame.to_arrow()
        try:
            if self._writer is None:
                self._writer = pq.ParquetWriter(
                    self.out / PARAGRAPHS_FILE, table.schema
                )
            self._writer.write_table(table)
        except OSError as exc:
            raise InputError(
                f"cannot write {self.out / PARAGRAPHS_FILE}: {exc}"
            ) from exc

    def close(self) -> None:
        """Finish ``paragraphs.parquet`` (an empty one when nothing came)."""
        if self._writer is None:
            empty = pl.DataFrame(schema=FARM_PARAGRAPHS_SCHEMA)
            self.write_paragraphs(empty)
        assert self._writer is not None
        self._writer.close()

    def finish(self, result: FarmResult) -> list[Path]:
        """Close the paragraph file and write docs, quarantine and summary."""
        self.close()
        paths = _write_rest(result, self.out)
        return [self.out / PARAGRAPHS_FILE, *paths]

    def __enter__(self) -> FarmWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._writer is not None:
            self._writer.close()


def write_results(result: FarmResult, out_dir: str | Path) -> list[Path]:
    """Write everything of an in-memory *result* (paragraphs as kept)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        result.paragraphs.write_parquet(out / PARAGRAPHS_FILE)
    except OSError as exc:
        raise InputError(
            f"cannot write results to {out}: {exc.strerror or exc}"
        ) from exc
    return [out / PARAGRAPHS_FILE, *_write_rest(result, out)]


def _write_rest(result: FarmResult, out: Path) -> list[Path]:
    try:
        docs = out / DOCS_FILE
        result.docs.write_parquet(docs)
        quarantine = out / "quarantine.jsonl"
        with quarantine.open("w", encoding="utf-8") as fh:
            for q in result.quarantine:
                record = {"source": q.source, "record": q.record, "reason": q.reason}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        summary = out / "summary.json"
        stats = asdict(result.stats)
        stats["config"] = asdict(result.config)
        summary.write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise InputError(
            f"cannot write results to {out}: {exc.strerror or exc}"
        ) from exc
    return [docs, quarantine, summary]


def summary_lines(result: FarmResult, out: Path | None) -> list[str]:
    """Plain lines of the run summary (stderr in the CLI)."""
    s = result.stats
    lines = [
        f"{s.documents:,} documents read ({s.read:,} records, {s.quarantined:,} "
        "quarantined)",
    ]
    for reason, count in sorted(s.quarantine_reasons.items(), key=lambda kv: -kv[1]):
        lines.append(f"  skipped {count:,}: {reason}")
    lines.append(
        f"{s.paragraphs:,} paragraphs, {s.flagged:,} flagged as filler in "
        f"{s.documents_flagged:,} documents (threshold {s.threshold:.2f})"
    )
    if s.families:
        lines.append("  " + ", ".join(f"{fam} {n:,}" for fam, n in s.families.items()))
    lines.append(
        f"{s.total_seconds:.2f} s ("
        + ", ".join(f"{k} {v:.2f}" for k, v in s.seconds.items())
        + ")"
    )
    if out is not None:
        lines.append(
            f"results in {out}/ (paragraphs.parquet, docs.parquet, quarantine.jsonl)"
        )
    return lines


def print_summary(result: FarmResult, console: Console, out: Path | None) -> None:
    """Print :func:`summary_lines` to *console*."""
    for line in summary_lines(result, out):
        console.print(line, markup=False, highlight=False)
