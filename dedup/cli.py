"""The ``dedup`` command line: parse, configure, call the library, render.

No logic of its own: every command builds a config, calls one library
function and hands the result to a renderer. Errors from the library
(:class:`dedup.errors.DedupError`) become one line on stderr and a non-zero
exit; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dedup.errors import ConfigError, DedupError

if TYPE_CHECKING:
    from dedup.io import Source
    from dedup.pipeline import ScanResult

app = typer.Typer(
    name="dedup",
    help="Find near-duplicate articles, repeated passages and filler in news crawls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


class OutFormat(StrEnum):
    """Stdout formats shared by every command."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


class InFormat(StrEnum):
    """Input formats, when the path does not tell."""

    folder = "folder"
    jsonl = "jsonl"
    parquet = "parquet"
    csv = "csv"


class ReportFormat(StrEnum):
    """Report formats."""

    html = "html"
    markdown = "markdown"


class Shingle(StrEnum):
    """Shingle kinds."""

    word = "word"
    char = "char"


# Options shared by the commands that read an input.
InputArg = Annotated[
    str,
    typer.Argument(
        help="Folder of .txt/.md, .jsonl[.gz|.zst], .parquet, .csv, "
        "or - for JSONL on stdin."
    ),
]
IdFieldOpt = Annotated[str, typer.Option(help="Field or column with the document id.")]
TextFieldOpt = Annotated[str, typer.Option(help="Field or column with the text.")]
FormatInOpt = Annotated[
    InFormat | None, typer.Option(help="Input format when the extension does not tell.")
]
BatchSizeOpt = Annotated[int, typer.Option(help="Documents read per batch.")]
MaxCharsOpt = Annotated[int, typer.Option(help="Longer documents are quarantined.")]
DebugOpt = Annotated[bool, typer.Option(help="Show tracebacks.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]


@app.callback()
def main() -> None:
    """Find near-duplicate articles, repeated passages and filler in news crawls."""


def _fail(exc: DedupError, debug: bool) -> NoReturn:
    if debug:
        raise exc
    err.print(f"dedup: error: {exc}", markup=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@contextlib.contextmanager
def _errors(debug: bool) -> Iterator[None]:
    try:
        yield
    except DedupError as exc:
        _fail(exc, debug)
    except KeyboardInterrupt:
        err.print("dedup: interrupted")
        raise typer.Exit(130) from None


def _open_input(
    input: str,
    id_field: str,
    text_field: str,
    format_in: InFormat | None,
    batch_size: int,
    max_chars: int,
) -> Source:
    """The input source the shared input options describe."""
    from dedup.io import ReadOptions, open_source

    options = ReadOptions(
        id_field=id_field,
        text_field=text_field,
        batch_size=batch_size,
        max_chars=max_chars,
    )
    return open_source(input, options, fmt=format_in.value if format_in else None)


def _stdout_format(fmt: OutFormat | None) -> str:
    """The chosen stdout format: table on a terminal, JSON lines otherwise."""
    return fmt.value if fmt else ("table" if sys.stdout.isatty() else "jsonl")


def _progress(enabled: bool) -> tuple[Progress | None, object]:
    if not enabled:
        return None, None
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} / {task.fields[total_text]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    return progress, {}


@app.command()
def scan(
    input: InputArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write docs.parquet, pairs.parquet, quarantine.jsonl and "
            "summary.json here.",
        ),
    ] = None,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write a report of the results here (.html, or .md for "
            "Markdown).",
        ),
    ] = None,
    fmt: Annotated[
        OutFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Stdout format; table on a terminal, jsonl otherwise.",
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            help="Minimum overlap of shingle sets: the share of the shorter "
            "article found in the other."
        ),
    ] = 0.6,
    min_jaccard: Annotated[
        float,
        typer.Option(
            help="A duplicate pair also needs this Jaccard similarity, so a short "
            "item quoted in a long roundup is not its copy."
        ),
    ] = 0.2,
    shingle: Annotated[
        Shingle,
        typer.Option(
            help="Word n-grams, or character n-grams for short texts and "
            "languages without spaces."
        ),
    ] = Shingle.word,
    ngram: Annotated[int, typer.Option(help="n of the n-gram shingles.")] = 5,
    num_perm: Annotated[int, typer.Option(help="MinHash permutations.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed of the MinHash permutations.")] = 1,
    lsh_threshold: Annotated[
        float,
        typer.Option(
            help="Jaccard similarity the LSH bands are tuned for "
            "(candidates are verified exactly)."
        ),
    ] = 0.25,
    template_check: Annotated[
        bool,
        typer.Option(
            "--template-check/--no-template-check",
            help="Report recurring reports that differ only in figures as "
            "'template', not as duplicates.",
        ),
    ] = True,
    edit_similarity: Annotated[
        float,
        typer.Option(
            help="Long articles below --threshold are still duplicates when this "
            "share of their words align in order (scattered word edits); 0 is off."
        ),
    ] = 0.75,
    id_field: IdFieldOpt = "id",
    text_field: TextFieldOpt = "text",
    format_in: FormatInOpt = None,
    batch_size: BatchSizeOpt = 20_000,
    max_chars: MaxCharsOpt = 2_000_000,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bars and no summary on stderr."
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Find near-duplicate articles and report them as clusters.

    Exit status is 0 whether or not duplicates were found.
    """
    from dedup.config import ScanConfig
    from dedup.io.writers import write_results
    from dedup.pipeline import scan as run_scan
    from dedup.report.clusters import render
    from dedup.report.summary import print_summary

    with _errors(debug):
        config = ScanConfig(
            threshold=threshold,
            min_jaccard=min_jaccard,
            shingle=shingle.value,
            ngram=ngram,
            num_perm=num_perm,
            seed=seed,
            lsh_threshold=lsh_threshold,
            template_check=template_check,
            edit_similarity=edit_similarity,
        )
        source = _open_input(
            input, id_field, text_field, format_in, batch_size, max_chars
        )
        show = not quiet and err.is_terminal
        progress, _ = _progress(show)
        tasks: dict[str, object] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            if progress is None:
                return
            if stage not in tasks:
                tasks[stage] = progress.add_task(
                    stage, total=total, total_text=f"{total:,}" if total else "?"
                )
            progress.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        with progress or contextlib.nullcontext():
            result = run_scan(source, config, progress=report)
        if out is not None:
            write_results(result, out)
        if report_path is not None:
            # stdin cannot be read twice: then the report has no texts (no diffs).
            texts = (
                None
                if input == "-"
                else _open_input(
                    input, id_field, text_field, format_in, batch_size, max_chars
                )
            )
            _write_report(result, out, texts, report_path)
        chosen = _stdout_format(fmt)
        sys.stdout.write(render(result, chosen))
        if not quiet:
            print_summary(result, err, out)


def _write_report(
    result: ScanResult, out: Path | None, texts: Source | None, path: Path
) -> None:
    """Write the report of a scan, from its results folder (a temporary one if none)."""
    from dedup.io.writers import write_results
    from dedup.report.files import write_report
    from dedup.report.load import build_report

    with contextlib.ExitStack() as stack:
        folder = out
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            write_results(result, folder)
        write_report(build_report([folder], input_source=texts), path)


@app.command()
def report(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="Result folders of dedup scan, passages or farm (one of each kind)."
        ),
    ],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the HTML report to this file.")
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", "-f", help="Print the report to stdout (default: markdown)."
        ),
    ] = None,
    input: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="The input the results were made from: its texts give the diffs "
            "and article views (read once, only the documents shown).",
        ),
    ] = None,
    id_field: IdFieldOpt = "id",
    text_field: TextFieldOpt = "text",
    format_in: FormatInOpt = None,
    max_items: Annotated[
        int, typer.Option(help="Clusters and passages shown; the rest are counted.")
    ] = 200,
    max_members: Annotated[
        int, typer.Option(help="Members per cluster shown with a diff.")
    ] = 10,
    title: Annotated[str, typer.Option(help="The report's title.")] = "dedup report",
    debug: DebugOpt = False,
) -> None:
    """Turn result folders into a report people can read: HTML or Markdown.

    The HTML file is self-contained (no network, no scripts): overview, plots,
    clusters with word diffs against the canonical member, passages with their
    occurrences, articles with filler paragraphs highlighted.
    """
    from dedup.io import ReadOptions, open_source
    from dedup.report.files import render, write_report
    from dedup.report.load import build_report

    with _errors(debug):
        source = None
        if input is not None:
            options = ReadOptions(id_field=id_field, text_field=text_field)
            fmt_in = format_in.value if format_in else None
            source = open_source(input, options, fmt=fmt_in)
        built = build_report(
            folders, input_source=source, max_items=max_items, max_members=max_members
        )
        if html is not None:
            write_report(built, html, fmt="html", title=title)
        if fmt is not None or html is None:
            chosen = fmt.value if fmt else "markdown"
            sys.stdout.write(render(built, chosen, title=title))


@app.command()
def passages(
    input: InputArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write passages.parquet, occurrences.parquet, doc_stats.parquet, "
            "quarantine.jsonl and summary.json here.",
        ),
    ] = None,
    fmt: Annotated[
        OutFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Stdout format; table on a terminal, jsonl otherwise.",
        ),
    ] = None,
    min_words: Annotated[
        int, typer.Option(help="Shortest repeated span, in words.")
    ] = 10,
    strip: Annotated[
        bool,
        typer.Option(
            "--strip",
            help="Also write cleaned.parquet (texts without internal repeats and "
            "boilerplate) and removed.parquet (every removed span) to --out.",
        ),
    ] = False,
    id_field: IdFieldOpt = "id",
    text_field: TextFieldOpt = "text",
    format_in: FormatInOpt = None,
    batch_size: BatchSizeOpt = 20_000,
    max_chars: MaxCharsOpt = 2_000_000,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Find repeated passages: shared quotes, in-article repeats, boilerplate."""
    from dedup.passages import (
        PassageConfig,
        find_passages,
        write_passages,
        write_strip,
    )
    from dedup.report.passages import render_passages

    with _errors(debug):
        if strip and out is None:
            raise ConfigError("--strip needs --out: where to write the cleaned texts")
        config = PassageConfig(min_words=min_words)
        source = _open_input(
            input, id_field, text_field, format_in, batch_size, max_chars
        )
        result = find_passages(source, config)
        if out is not None:
            write_passages(result, out)
            if strip:
                write_strip(source, result, out)
        chosen = _stdout_format(fmt)
        sys.stdout.write(render_passages(result, chosen))
        if not quiet:
            s = result.stats
            kinds = ", ".join(f"{v:,} {k}" for k, v in sorted(s.passages.items()))
            err.print(
                f"{s.documents:,} documents read ({s.read:,} records, "
                f"{s.quarantined:,} quarantined); passages: {kinds or 'none'}; "
                f"{s.occurrences:,} occurrences; {s.total_seconds:.2f} s",
                markup=False,
                highlight=False,
            )


@app.command()
def farm(
    input: InputArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write paragraphs.parquet, docs.parquet, quarantine.jsonl and "
            "summary.json here.",
        ),
    ] = None,
    fmt: Annotated[
        OutFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Stdout format; table on a terminal, jsonl otherwise.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Calibrated probability at or above which a paragraph is filler "
            "(default: the one tuned with the model, ≤ 1% of real news flagged)."
        ),
    ] = None,
    params: Annotated[
        Path | None,
        typer.Option(
            help="Folder of a retrained model (python -m dedup.farm.train --out DIR)."
        ),
    ] = None,
    id_field: IdFieldOpt = "id",
    text_field: TextFieldOpt = "text",
    format_in: FormatInOpt = None,
    batch_size: BatchSizeOpt = 20_000,
    max_chars: MaxCharsOpt = 2_000_000,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Flag templated filler paragraph by paragraph and score content-farm articles.

    Every paragraph gets a calibrated filler probability; flagged ones get the
    filler family and the features behind the decision. Each article gets a
    farm_score in [0, 1].
    """
    from dedup.farm import FarmConfig, FarmWriter, render, score_articles
    from dedup.farm.report import print_summary

    with _errors(debug):
        # Stdout shows flagged paragraphs only; with --out every paragraph is
        # streamed to disk batch by batch, so memory stays bounded either way.
        config = FarmConfig(
            threshold=threshold,
            params=str(params) if params is not None else None,
            paragraphs="flagged",
        )
        source = _open_input(
            input, id_field, text_field, format_in, batch_size, max_chars
        )
        if out is not None:
            with FarmWriter(out) as writer:
                result = score_articles(source, config, sink=writer.write_paragraphs)
                writer.finish(result)
        else:
            result = score_articles(source, config)
        chosen = _stdout_format(fmt)
        sys.stdout.write(render(result, chosen))
        if not quiet:
            print_summary(result, err, out)
