"""Write a report to a file, HTML or Markdown by the file's suffix.

>>> import tempfile
>>> from pathlib import Path
>>> from dedup.report.sections import Report
>>> folder = Path(tempfile.mkdtemp())
>>> write_report(Report(folders=[]), folder / "report.md").read_text()[:14]
'# dedup report'
>>> write_report(Report(folders=[]), folder / "report.html").read_text()[:15]
'<!DOCTYPE html>'
"""

from __future__ import annotations

from pathlib import Path

from dedup.errors import ConfigError, InputError
from dedup.report.html import render_html
from dedup.report.markdown import render_markdown
from dedup.report.sections import Report

FORMATS = ("html", "markdown")
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def format_for(path: str | Path) -> str:
    """``"markdown"`` for ``.md``/``.markdown`` files, else ``"html"``.

    Example:
        >>> format_for("report.md"), format_for("out/report.html")
        ('markdown', 'html')

    """
    return "markdown" if Path(path).suffix.lower() in _MARKDOWN_SUFFIXES else "html"


def render(report: Report, fmt: str, *, title: str = "dedup report") -> str:
    """*report* as text in *fmt* (one of :data:`FORMATS`).

    Example:
        >>> render(Report(folders=[]), "pdf")
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: report format must be html or markdown; got 'pdf'

    """
    if fmt == "html":
        return render_html(report, title=title)
    if fmt == "markdown":
        return render_markdown(report, title=title)
    raise ConfigError(f"report format must be html or markdown; got {fmt!r}")


def write_report(
    report: Report,
    path: str | Path,
    *,
    fmt: str | None = None,
    title: str = "dedup report",
) -> Path:
    """Write *report* to *path* (UTF-8) and return the path.

    Args:
        report: What :func:`dedup.report.load.build_report` returns.
        path: The file; parent folders are created.
        fmt: ``"html"`` or ``"markdown"``; by default from the suffix
            (:func:`format_for`).
        title: The report's title.

    Raises:
        InputError: The file cannot be written.

    """
    out = Path(path)
    text = render(report, fmt or format_for(out), title=title)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the report to {out}: {exc.strerror or exc}"
        ) from exc
    return out
