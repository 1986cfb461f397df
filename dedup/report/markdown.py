"""The report as Markdown, for a ticket: the overview and the top clusters.

Same numbers as the HTML overview, the largest clusters with their members,
the top boilerplate lines and the highest-scoring filler articles; no diffs.
Ticket systems render HTML inside Markdown, so every value from the data is
escaped for both (:func:`dedup.report.safe.md_escape`): no tag, link, image or
table cell can be smuggled in. Links are kept only for http(s) URLs.

    >>> from pathlib import Path
    >>> from dedup.report.sections import Report
    >>> print(render_markdown(Report(folders=[Path("r")])).splitlines()[0])
    # dedup report
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from dedup.report.plots import size_buckets
from dedup.report.safe import clean, md_escape, safe_url, show_controls
from dedup.report.sections import (
    DocView,
    FarmSection,
    PassagesSection,
    Report,
    ScanSection,
)

#: Clusters listed with their members; the others are counted.
MAX_CLUSTERS = 20
#: Members listed per cluster.
MAX_MEMBERS = 10
#: Passages and filler articles listed.
MAX_ROWS = 10


def render_markdown(
    report: Report,
    *,
    title: str = "dedup report",
    max_clusters: int = MAX_CLUSTERS,
) -> str:
    """The report's overview and top clusters as Markdown.

    Args:
        report: What :func:`dedup.report.load.build_report` returns.
        title: The top heading.
        max_clusters: Clusters listed with their members.

    Returns:
        Markdown text ending in a newline.

    Example:
        >>> from pathlib import Path
        >>> from dedup.report.sections import Report
        >>> "No results" in render_markdown(Report(folders=[Path("r")]))
        True

    """
    lines = [f"# {md_escape(title)}", ""]
    sources = [
        f"{kind} `{_code(section.folder)}`"
        for kind, section in (
            ("scan", report.scan),
            ("passages", report.passages),
            ("farm", report.farm),
        )
        if section is not None
    ]
    if report.input_name:
        sources.append(f"input `{_code(report.input_name)}`")
    if sources:
        lines += ["Results: " + " · ".join(sources), ""]
    lines += [f"> {md_escape(note)}" for note in report.notes]
    if report.notes:
        lines.append("")
    if not (report.scan or report.passages or report.farm):
        lines += ["No results to show.", ""]
    if report.scan:
        lines += _scan(report.scan, max_clusters)
    if report.passages:
        lines += _passages(report.passages)
    if report.farm:
        lines += _farm(report.farm)
    lines.append(f"_Made by dedup {md_escape(report.version)}._")
    return "\n".join(lines) + "\n"


def _code(value: object, limit: int = 120) -> str:
    """A value for inside a code span: one line, no backtick to end it early.

    Code spans show their text literally (no HTML, no entities), so only the
    backtick and the table-cell ``|`` need care.
    """
    text = " ".join(show_controls(clean(str(value))).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("`", "'").replace("|", "\\|")


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    heads = list(headers)
    out = [
        "| " + " | ".join(h.lstrip(">") for h in heads) + " |",
        "|" + "|".join("---:" if h.startswith(">") else "---" for h in heads) + "|",
    ]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else "<0.1%"


def _link(doc: DocView, limit: int = 90) -> str:
    label = md_escape(doc.label, max_chars=limit) or md_escape(doc.doc_id)
    url = safe_url(doc.url)
    if url is None:
        return label
    # Percent-encode what could end the link target or start markup.
    target = quote(url, safe=":/?#&=%+,;@!$'*~.-_")
    target = target.replace("(", "%28").replace(")", "%29")
    return f"[{label}]({target})"


def _scan(scan: ScanSection, max_clusters: int) -> list[str]:
    lines = ["## Overview", ""]
    lines += _table(
        ["", ">"],
        [
            ("documents scanned", f"{scan.documents:,}"),
            (
                "duplicate rate",
                f"{_pct(scan.duplicate_rate)} ({scan.removable:,} documents a "
                "dedup would drop)",
            ),
            (
                "clusters",
                f"{scan.clusters:,} holding {scan.documents_in_clusters:,} documents",
            ),
            ("duplicate pairs", f"{scan.duplicate_pairs:,}"),
            ("template pairs (not clustered)", f"{scan.template_pairs:,}"),
        ],
    )
    if scan.size_counts:
        lines += ["### Clusters by size", ""]
        lines += _table(
            ["articles per cluster", ">clusters"],
            [(label, f"{n:,}") for label, n in size_buckets(scan.size_counts)],
        )
    shown = scan.shown[:max_clusters]
    lines += ["## Top clusters", ""]
    if not shown:
        return [*lines, "No near-duplicate clusters.", ""]
    if len(shown) < scan.clusters:
        lines += [
            f"The {len(shown):,} largest of {scan.clusters:,} clusters; all are in "
            f"`{_code(scan.folder)}/docs.parquet`.",
            "",
        ]
    for n, c in enumerate(shown, 1):
        lines += [
            f"### {n}. cluster `{_code(c.cluster_id)}` · {c.size:,} articles",
            "",
        ]
        rows = [("canonical", f"`{_code(c.canonical.doc_id)}`", _link(c.canonical), "")]
        for m in c.members[:MAX_MEMBERS]:
            rows.append(
                (
                    "copy",
                    f"`{_code(m.doc.doc_id)}`",
                    _link(m.doc),
                    "" if m.similarity is None else f"{m.similarity:.2f}",
                )
            )
        lines += _table(["role", "doc_id", "title", ">similarity"], rows)
        more = c.size - 1 - min(len(c.members), MAX_MEMBERS)
        if more > 0:
            lines += [f"… and {more:,} more members.", ""]
    return lines


def _passages(passages: PassagesSection) -> list[str]:
    lines = ["## Repeated passages", ""]
    lines += _table(
        ["kind", ">passages", ">occurrences"],
        [
            (md_escape(k), f"{n:,}", f"{o:,}")
            for k, (n, o) in sorted(passages.by_kind.items())
        ],
    )
    if passages.boilerplate:
        lines += ["### Top boilerplate lines", ""]
        lines += _table(
            ["line", ">documents", ">times"],
            [
                (
                    md_escape(p.text, max_chars=120),
                    f"{p.n_docs:,}",
                    f"{p.n_occurrences:,}",
                )
                for p in passages.boilerplate[:MAX_ROWS]
            ],
        )
    others = [p for p in passages.shown if p.kind != "boilerplate"][:MAX_ROWS]
    if others:
        lines += ["### Most widespread passages", ""]
        lines += _table(
            ["kind", "passage", ">documents", ">times"],
            [
                (
                    md_escape(p.kind),
                    md_escape(p.text, max_chars=120),
                    f"{p.n_docs:,}",
                    f"{p.n_occurrences:,}",
                )
                for p in others
            ],
        )
    return lines


def _farm(farm: FarmSection) -> list[str]:
    lines = ["## Filler and content-farm scores", ""]
    facts = [
        ("articles scored", f"{farm.documents:,}"),
        ("articles with filler", f"{farm.flagged_documents:,}"),
    ]
    if farm.filler_rate is not None:
        facts.append(
            (
                "filler rate",
                f"{_pct(farm.filler_rate)} of paragraphs "
                f"({farm.filler_paragraphs:,} of {farm.paragraphs:,})",
            )
        )
    if farm.mean_filler_fraction is not None:
        facts.append(("mean share of text in filler", _pct(farm.mean_filler_fraction)))
    lines += _table(["", ">"], facts)
    if farm.top_reasons:
        lines += ["### Most frequent reasons", ""]
        lines += _table(
            ["reason", ">articles"],
            [(md_escape(r, max_chars=120), f"{n:,}") for r, n in farm.top_reasons],
        )
    if farm.shown:
        lines += ["### Highest-scoring articles", ""]
        lines += _table(
            ["doc_id", "title", ">farm score", ">filler paragraphs"],
            [
                (
                    f"`{_code(a.doc.doc_id)}`",
                    _link(a.doc),
                    f"{a.farm_score:.2f}",
                    "" if a.n_filler is None else f"{a.n_filler:,}",
                )
                for a in farm.shown[:MAX_ROWS]
            ],
        )
    return lines
