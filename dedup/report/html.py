"""The HTML report: one self-contained file that opens offline and runs no script.

The page has inline CSS and inline SVG plots; collapsing uses
``<details>``/``<summary>``, so there is no JavaScript at all. Every value from
the data is escaped where it is written (:mod:`dedup.report.safe`), links are
kept only for ``http``/``https`` URLs, and a Content-Security-Policy forbidding
scripts, frames, forms and remote loads guards against a mistake in that
escaping rather than replacing it.

    >>> import tempfile, polars as pl
    >>> from dedup import scan_frame
    >>> from dedup.io.writers import write_results
    >>> from dedup.report.load import build_report
    >>> t = "one two three four five six seven eight nine ten eleven twelve"
    >>> frame = pl.DataFrame({"doc_id": ["a", "b<script>"], "text": [t, t + " x"]})
    >>> out = tempfile.mkdtemp()
    >>> _ = write_results(scan_frame(frame), out)
    >>> page = render_html(build_report([out], input_source=frame))
    >>> "<script" in page, "b&lt;script&gt;" in page
    (False, True)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from dedup.report.diff import Piece, WordDiff
from dedup.report.plots import bar_chart, size_buckets
from dedup.report.safe import esc, esc_id, safe_url
from dedup.report.sections import (
    ClusterView,
    DocView,
    FarmArticle,
    FarmSection,
    Histogram,
    MemberView,
    PassagesSection,
    PassageView,
    Report,
    ScanSection,
)

#: No scripts, frames, forms, fonts or remote loads; inline styles and data:
#: images only. A meta CSP cannot set frame-ancestors; a file:// page needs none.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

#: Items opened by default in each long list; the rest stay collapsed.
OPEN_ITEMS = 3

CSS = """
:root { --fg:#1d232b; --muted:#5f6b7a; --line:#d9dee5; --bg:#f6f7f9; --card:#fff;
  --accent:#3b6fb6; --del:#fbe3e1; --del-fg:#8a1c12; --ins:#def3df;
  --ins-fg:#175c22; --filler:#fff3cd; --filler-line:#e0b030; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
  "Noto Sans","DejaVu Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1f2d3d; color:#fff; padding:18px 28px 12px; }
header h1 { margin:0 0 4px; font-size:22px; }
header p { margin:0; color:#c9d3df; font-size:13px; }
header code { color:#fff; }
nav { margin-top:10px; display:flex; gap:18px; flex-wrap:wrap; font-size:14px; }
nav a { color:#cfe0ff; }
main { max-width:1180px; margin:0 auto; padding:12px 24px 40px; }
section { margin-top:22px; }
h2 { font-size:19px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { font-size:16px; margin:18px 0 8px; }
a { color:var(--accent); }
code, .id { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:12.5px;
  background:#eef1f5; padding:0 4px; border-radius:3px; unicode-bidi:isolate;
  overflow-wrap:anywhere; }
header code { background:#33475c; }
.muted { color:var(--muted); }
.note { background:#fff8e1; border-left:4px solid #e0b030; padding:8px 12px;
  margin:8px 0; }
.tiles { display:grid; grid-template-columns:repeat(auto-fill,minmax(200px,1fr));
  gap:12px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:6px;
  padding:10px 14px; }
.tile b { display:block; font-size:24px; }
.tile span { color:var(--muted); font-size:13px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(420px,1fr));
  gap:16px; align-items:start; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px;
  padding:12px 14px; margin:10px 0; overflow:hidden; }
table { border-collapse:collapse; width:100%; font-size:13.5px; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line);
  vertical-align:top; overflow-wrap:anywhere; }
th { color:var(--muted); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums;
  white-space:nowrap; }
svg.chart { max-width:100%; height:auto; background:var(--card); }
svg .axis { stroke:#8793a3; stroke-width:1; }
svg .tick { font-size:11px; fill:#5f6b7a; }
svg .caption { font-size:12px; fill:#1d232b; }
details.item { background:var(--card); border:1px solid var(--line);
  border-radius:6px; margin:10px 0; }
details.item > summary { cursor:pointer; padding:8px 12px; list-style-position:inside;
  overflow-wrap:anywhere; }
details.item[open] > summary { border-bottom:1px solid var(--line); }
details.item > .body { padding:8px 14px 12px; }
.badge { display:inline-block; font-size:12px; padding:0 7px; border-radius:10px;
  background:#e4ecf7; color:#24507f; margin-right:6px; white-space:nowrap; }
.badge.warn { background:#fde8c8; color:#7a4a00; }
.title { font-weight:600; unicode-bidi:isolate; }
.text { white-space:pre-wrap; unicode-bidi:plaintext; overflow-wrap:anywhere;
  background:#fbfbfc; border:1px solid var(--line); border-radius:4px;
  padding:8px 10px; max-height:360px; overflow:auto; font-size:14px; }
.diff { border:1px solid var(--line); border-radius:4px; margin:6px 0 14px; }
.diff .cols { display:grid; grid-template-columns:1fr 1fr; }
.diff .cols > div { padding:6px 10px; white-space:pre-wrap; unicode-bidi:plaintext;
  overflow-wrap:anywhere; font-size:14px; min-width:0; }
.diff .cols > div + div { border-left:1px solid var(--line); }
.diff .head { background:#eef1f5; font-size:12.5px; color:var(--muted); }
.diff .skip { text-align:center; color:var(--muted); font-size:12.5px;
  background:#f3f5f8; border-top:1px dashed var(--line);
  border-bottom:1px dashed var(--line); padding:2px; }
del { background:var(--del); color:var(--del-fg); text-decoration:line-through; }
ins { background:var(--ins); color:var(--ins-fg); text-decoration:none; }
.cut { color:var(--muted); font-style:italic; }
mark { background:#ffe58f; }
.para { margin:6px 0; padding:6px 10px; border-left:3px solid var(--line);
  white-space:pre-wrap; unicode-bidi:plaintext; overflow-wrap:anywhere;
  color:#4a5562; }
.para.filler { border-left-color:var(--filler-line); background:var(--filler);
  color:var(--fg); }
.para .why { display:block; font-size:12.5px; color:#7a4a00; margin-bottom:2px;
  unicode-bidi:isolate; white-space:normal; }
.occ { margin:4px 0; font-size:13.5px; overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:12.5px; text-align:center; padding:20px; }
"""


def render_html(report: Report, *, title: str = "dedup report") -> str:
    """The report as one self-contained HTML page.

    Args:
        report: What :func:`dedup.report.load.build_report` returns.
        title: The page title.

    Returns:
        The page; write it with ``encoding="utf-8"``.

    Example:
        >>> from dedup.report.sections import Report
        >>> page = render_html(Report(folders=[]), title="<t>")
        >>> page.startswith("<!DOCTYPE html>") and "<title>&lt;t&gt;</title>" in page
        True

    """
    nav = [("overview", "Overview")]
    if report.scan:
        nav.append(("clusters", f"Clusters ({report.scan.clusters:,})"))
    if report.passages:
        nav.append(("passages", f"Passages ({report.passages.passages:,})"))
    if report.farm:
        nav.append(("filler", f"Filler ({report.farm.flagged_documents:,})"))
    kinds = [
        (name, section.folder)
        for name, section in (
            ("scan", report.scan),
            ("passages", report.passages),
            ("farm", report.farm),
        )
        if section is not None
    ]
    origin = " · ".join(f"{esc(k)} <code>{esc_id(f)}</code>" for k, f in kinds)
    if report.input_name:
        origin += f" · input <code>{esc_id(report.input_name)}</code>"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{esc(title)}</h1>",
        f"<p>{origin or 'no results'}</p>",
        "<nav>"
        + "".join(f'<a href="#{a}">{esc(label)}</a>' for a, label in nav)
        + "</nav></header><main>",
    ]
    parts += [f'<p class="note">{esc(n)}</p>' for n in report.notes]
    parts.append(_overview(report))
    if report.scan:
        parts.append(_clusters(report.scan))
    if report.passages:
        parts.append(_passages(report.passages))
    if report.farm:
        parts.append(_farm(report.farm))
    parts.append(
        f"<footer>Made by dedup {esc(report.version)}. The full results are in the "
        "Parquet files of the folders above.</footer></main></body></html>"
    )
    return "\n".join(parts) + "\n"


# Overview ----------------------------------------------------------------------


def _tile(value: str, label: str) -> str:
    return f'<div class="tile"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def _n(count: int, word: str, plural: str | None = None) -> str:
    """``"1 document"``, ``"2 documents"``, ``"1,200 documents"``."""
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else "<0.1%"


def _overview(report: Report) -> str:
    tiles: list[str] = []
    blocks: list[str] = []
    scan, passages, farm = report.scan, report.passages, report.farm
    if scan:
        tiles += [
            _tile(f"{scan.documents:,}", "documents scanned"),
            _tile(
                _pct(scan.duplicate_rate),
                f"duplicate rate: {_n(scan.removable, 'document')} a dedup would drop",
            ),
            _tile(
                f"{scan.clusters:,}",
                f"clusters holding {_n(scan.documents_in_clusters, 'document')}",
            ),
            _tile(
                f"{scan.duplicate_pairs:,}",
                f"duplicate pairs ({scan.template_pairs:,} template pairs, "
                "not clustered)",
            ),
        ]
        blocks.append(_scan_overview(scan))
    if passages:
        tiles.append(
            _tile(
                f"{passages.passages:,}",
                f"repeated passages, {_n(passages.occurrences, 'occurrence')}",
            )
        )
        blocks.append(_passages_overview(passages))
    if farm:
        rate = farm.filler_rate
        tiles.append(
            _tile(
                _pct(rate) if rate is not None else f"{farm.flagged_documents:,}",
                (
                    f"of paragraphs are filler ({farm.filler_paragraphs:,} of "
                    f"{farm.paragraphs:,}); {farm.flagged_documents:,} of "
                    f"{farm.documents:,} articles have some"
                )
                if rate is not None
                else f"of {farm.documents:,} articles have filler",
            )
        )
        blocks.append(_farm_overview(farm))
    if not tiles:
        blocks.append('<p class="muted">No results to show.</p>')
    return (
        '<section id="overview"><h2>Overview</h2>'
        f'<div class="tiles">{"".join(tiles)}</div>{"".join(blocks)}</section>'
    )


def _table(headers: Iterable[tuple[str, bool]], rows: Iterable[Iterable[str]]) -> str:
    """A table; cells are HTML already escaped by the caller."""
    heads = list(headers)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if num else f"<th>{esc(h)}</th>"
        for h, num in heads
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if num else f"<td>{cell}</td>"
            for cell, (_, num) in zip(row, heads, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _hist_chart(hist: Histogram, title: str, x_label: str) -> str:
    edges = hist.edges
    labels = [f"{edges[i]:.2f}–{edges[i + 1]:.2f}" for i in range(len(edges) - 1)]
    # Label every other bin edge: 0, 0.1, ..., 1 on a 20-bin histogram.
    step = max(1, (len(edges) - 1) // 10)
    ticks = [(i, f"{edges[i]:g}") for i in range(0, len(edges), step)]
    return bar_chart(
        labels,
        hist.counts,
        title=title,
        names=hist.series,
        x_label=x_label,
        y_label="count",
        ticks=ticks,
    )


def _scan_overview(scan: ScanSection) -> str:
    buckets = size_buckets(scan.size_counts)
    size_rows = [(esc(label), f"{n:,}") for label, n in buckets] or [
        ("<span class='muted'>none</span>", "0")
    ]
    size_chart = (
        bar_chart(
            [b for b, _ in buckets],
            [[n for _, n in buckets]],
            title="Clusters by size",
            x_label="articles in the cluster",
            y_label="clusters",
            log=True,
        )
        if buckets
        else ""
    )
    sim = (
        _hist_chart(
            scan.similarity,
            "Similarity of verified pairs",
            "similarity (share of the shorter article found in the other)",
        )
        if scan.similarity.total
        else '<p class="muted">No verified pairs.</p>'
    )
    return (
        "<h3>Near-duplicate clusters</h3>"
        '<div class="grid2"><div class="card">'
        f"{size_chart}"
        f"{_table([('articles per cluster', False), ('clusters', True)], size_rows)}"
        "</div>"
        f'<div class="card">{sim}</div></div>'
        f"{_run_settings(scan.summary)}"
    )


def _run_settings(summary: dict[str, Any]) -> str:
    if not summary:
        return ""
    rows = []
    for key in sorted(summary):
        value = summary[key]
        if isinstance(value, dict):
            for sub in sorted(value):
                rows.append((f"{key}.{sub}", value[sub]))
        else:
            rows.append((key, value))
    cells = [(f"<code>{esc(k)}</code>", esc(_plain(v))) for k, v in rows[:80]]
    return (
        '<details class="item"><summary>Run summary and settings</summary>'
        f'<div class="body">{_table([("key", False), ("value", False)], cells)}'
        "</div></details>"
    )


def _plain(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 300 else text[:300] + "…"


def _passages_overview(passages: PassagesSection) -> str:
    kinds = [
        (esc(kind), f"{n:,}", f"{occ:,}")
        for kind, (n, occ) in sorted(passages.by_kind.items())
    ]
    kinds_table = _table(
        [("kind", False), ("passages", True), ("occurrences", True)], kinds
    )
    if passages.boilerplate:
        rows = [
            (
                f'<span dir="auto">{esc(_one_line(p.text, 160))}</span>',
                f"{p.n_docs:,}",
                f"{p.n_occurrences:,}",
            )
            for p in passages.boilerplate
        ]
        boiler = _table(
            [("boilerplate line", False), ("documents", True), ("times", True)],
            rows,
        )
    else:
        boiler = '<p class="muted">No boilerplate lines found.</p>'
    return (
        "<h3>Repeated passages</h3>"
        f'<div class="grid2"><div class="card">{kinds_table}</div>'
        f'<div class="card"><b>Top boilerplate lines</b>{boiler}</div></div>'
    )


def _farm_overview(farm: FarmSection) -> str:
    chart = (
        _hist_chart(farm.scores, "Farm score of articles", "farm score")
        if farm.scores.total
        else '<p class="muted">No scores.</p>'
    )
    facts = [
        ("articles scored", f"{farm.documents:,}"),
        ("articles with filler", f"{farm.flagged_documents:,}"),
    ]
    if farm.paragraphs is not None:
        facts.append(("paragraphs", f"{farm.paragraphs:,}"))
    if farm.filler_paragraphs is not None:
        facts.append(("filler paragraphs", f"{farm.filler_paragraphs:,}"))
    if farm.mean_filler_fraction is not None:
        facts.append(("mean share of text in filler", _pct(farm.mean_filler_fraction)))
    if farm.threshold is not None:
        facts.append(("flagging threshold", f"{farm.threshold:.2f}"))
    table = _table([("", False), ("", True)], [(esc(k), esc(v)) for k, v in facts])
    reasons = ""
    if farm.top_reasons:
        reasons = "<b>Most frequent reasons</b>" + _table(
            [("reason", False), ("articles", True)],
            [(esc(r), f"{n:,}") for r, n in farm.top_reasons],
        )
    return (
        "<h3>Filler and content-farm scores</h3>"
        f'<div class="grid2"><div class="card">{table}{reasons}</div>'
        f'<div class="card">{chart}</div></div>'
    )


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Articles ----------------------------------------------------------------------


def _doc_title(doc: DocView) -> str:
    """The title (or id), linked when the URL is a web link."""
    label = f'<span class="title" dir="auto">{esc(doc.label)}</span>'
    url = safe_url(doc.url)
    if url is not None:
        return f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{label}</a>'
    return label


def _doc_meta(doc: DocView) -> str:
    bits = [f"<code>{esc_id(doc.doc_id)}</code>"]
    if doc.site:
        bits.append(esc_id(doc.site))
    if doc.published:
        bits.append(esc(doc.published))
    if doc.url and safe_url(doc.url) is None:
        bits.append(
            f'<span class="badge warn">not linked</span><code>{esc_id(doc.url)}</code>'
        )
    elif doc.url:
        bits.append(f'<code class="url">{esc_id(doc.url)}</code>')
    if doc.n_tokens is not None:
        bits.append(f"{doc.n_tokens:,} words")
    return '<span class="muted">' + " · ".join(bits) + "</span>"


# Clusters ----------------------------------------------------------------------


def _clusters(scan: ScanSection) -> str:
    shown = len(scan.shown)
    if not shown:
        intro = '<p class="muted">No near-duplicate clusters.</p>'
    elif shown < scan.clusters:
        intro = (
            f"<p>The {shown:,} largest of {scan.clusters:,} clusters. The other "
            f"{scan.clusters - shown:,} are in <code>{esc_id(scan.folder)}"
            "/docs.parquet</code> (rows with <code>cluster_size</code> ≥ 2).</p>"
        )
    else:
        intro = f"<p>All {scan.clusters:,} clusters, largest first.</p>"
    items = [_cluster(c, i) for i, c in enumerate(scan.shown, 1)]
    return (
        '<section id="clusters"><h2>Clusters</h2>'
        "<p class='muted'>Each cluster's canonical article is kept; the others are "
        "its near-duplicates. Diffs show the changed words of each member against "
        "the canonical article: <del>removed</del> on the left, <ins>added</ins> "
        "on the right.</p>" + intro + "".join(items) + "</section>"
    )


def _cluster(c: ClusterView, n: int) -> str:
    rows = [
        (
            '<span class="badge">canonical</span>',
            _doc_title(c.canonical) + "<br>" + _doc_meta(c.canonical),
            "",
            "",
        )
    ]
    for m in c.members:
        why = esc(m.reason or m.relation or "")
        rows.append(
            (
                '<span class="badge">copy</span>',
                _doc_title(m.doc) + "<br>" + _doc_meta(m.doc),
                "" if m.similarity is None else f"{m.similarity:.2f}",
                why,
            )
        )
    table = _table(
        [("role", False), ("article", False), ("similarity", True), ("why", False)],
        rows,
    )
    more = (
        f'<p class="muted">… and {_n(c.members_omitted, "more member")}, not shown.</p>'
        if c.members_omitted
        else ""
    )
    text = ""
    if c.canonical_text is not None:
        cut = (
            f'<span class="cut"> … {c.canonical_text_cut:,} more characters</span>'
            if c.canonical_text_cut > 0
            else ""
        )
        text = (
            "<details><summary>Canonical article text</summary>"
            f'<div class="text">{esc(c.canonical_text)}{cut}</div></details>'
        )
    diffs = "".join(_member_diff(c.canonical, m) for m in c.members)
    opened = " open" if n <= OPEN_ITEMS else ""
    return (
        f'<details class="item" id="cluster-{n}"{opened}><summary>'
        f'<span class="badge">#{n}</span><span class="badge">{_n(c.size, "article")}'
        f"</span> cluster <code>{esc_id(c.cluster_id)}</code> — "
        f'<span class="title" dir="auto">{esc(_one_line(c.canonical.label, 140))}'
        f'</span></summary><div class="body">{table}{more}{text}{diffs}</div>'
        "</details>"
    )


def _pieces(pieces: Iterable[Piece], tag: str) -> str:
    out = []
    for p in pieces:
        if p.kind == "same":
            out.append(esc(p.text))
        elif p.kind == "changed":
            out.append(f"<{tag}>{esc(p.text)}</{tag}>")
        else:
            out.append(f'<span class="cut">{esc(p.text)}</span>')
    return "".join(out)


def _member_diff(canonical: DocView, m: MemberView) -> str:
    head = (
        f"<h3>{esc_id(m.doc.doc_id)} against the canonical article"
        + (f" · similarity {m.similarity:.2f}" if m.similarity is not None else "")
        + "</h3>"
    )
    if m.diff is None:
        return head + f'<p class="muted">No diff: {esc(m.note or "no texts")}.</p>'
    return head + _diff(canonical, m.doc, m.diff)


def _skip(words: int) -> str:
    return f'<div class="skip">⋯ {_n(words, "unchanged word")} ⋯</div>'


def _diff(left: DocView, right: DocView, d: WordDiff) -> str:
    stats = (
        f'<p class="muted">{d.changed_left:,} of {d.words_left:,} words of the '
        f"canonical article removed or replaced; {d.changed_right:,} of "
        f"{d.words_right:,} words of this one added or replacing.</p>"
    )
    if d.identical:
        return (
            f'<p class="muted">Same {d.words_left:,} words in the same order '
            "(any difference is in spacing only).</p>"
        )
    rows = [
        '<div class="cols head">'
        f"<div>canonical <code>{esc_id(left.doc_id)}</code></div>"
        f"<div>this article <code>{esc_id(right.doc_id)}</code></div></div>"
    ]
    for h in d.hunks:
        if h.skipped:
            rows.append(_skip(h.skipped))
        rows.append(
            f'<div class="cols"><div dir="auto">{_pieces(h.left, "del")}</div>'
            f'<div dir="auto">{_pieces(h.right, "ins")}</div></div>'
        )
    if d.omitted_hunks:
        rows.append(
            f'<div class="skip">… {d.omitted_hunks:,} more changed places, not '
            "shown</div>"
        )
    elif d.trailing:
        rows.append(_skip(d.trailing))
    return stats + f'<div class="diff">{"".join(rows)}</div>'


# Passages ----------------------------------------------------------------------


def _passages(passages: PassagesSection) -> str:
    shown = len(passages.shown)
    if not shown:
        intro = '<p class="muted">No repeated passages.</p>'
    elif shown < passages.passages:
        intro = (
            f"<p>The {shown:,} most widespread of {passages.passages:,} passages; "
            f"all are in <code>{esc_id(passages.folder)}/passages.parquet</code>.</p>"
        )
    else:
        intro = f"<p>All {passages.passages:,} passages, most widespread first.</p>"
    items = [_passage(p, i) for i, p in enumerate(passages.shown, 1)]
    return (
        '<section id="passages"><h2>Repeated passages</h2>'
        + intro
        + "".join(items)
        + "</section>"
    )


def _passage(p: PassageView, n: int) -> str:
    occs = []
    for o in p.occurrences:
        where = (
            f"<code>{esc_id(o.doc_id)}</code> "
            f'<span class="muted">characters {o.start:,}–{o.end:,}</span>'
        )
        if o.match is not None:
            where += (
                f'<br><span dir="auto">…{esc(o.before)}<mark>{esc(o.match)}</mark>'
                f"{esc(o.after)}…</span>"
            )
        occs.append(f'<div class="occ">{where}</div>')
    rest = p.n_occurrences - len(p.occurrences)
    if rest > 0:
        occs.append(f'<p class="muted">… and {_n(rest, "more occurrence")}.</p>')
    cut = (
        f'<span class="cut"> … {p.text_cut:,} more characters</span>'
        if p.text_cut
        else ""
    )
    opened = " open" if n <= OPEN_ITEMS else ""
    return (
        f'<details class="item" id="passage-{n}"{opened}><summary>'
        f'<span class="badge">{esc(p.kind)}</span>'
        f'<span class="badge">{_n(p.n_docs, "document")} · '
        f"{_n(p.n_occurrences, 'time')}"
        f'</span><span dir="auto">{esc(_one_line(p.text, 140))}</span></summary>'
        f'<div class="body"><p class="muted">passage <code>{esc_id(p.passage_id)}'
        f'</code></p><div class="text">{esc(p.text)}{cut}</div>'
        f"<h3>Where it occurs</h3>{''.join(occs)}</div></details>"
    )


# Filler ------------------------------------------------------------------------


def _farm(farm: FarmSection) -> str:
    shown = len(farm.shown)
    intro = (
        f"<p>The {shown:,} highest-scoring of {farm.documents:,} articles; all "
        f"scores are in <code>{esc_id(farm.folder)}/docs.parquet</code>.</p>"
        if shown < farm.documents
        else f"<p>All {farm.documents:,} articles, highest farm score first.</p>"
    )
    items = [_article(a, i) for i, a in enumerate(farm.shown, 1)]
    return (
        '<section id="filler"><h2>Filler and content-farm articles</h2>'
        "<p class='muted'>Paragraphs flagged as filler are highlighted with the "
        "classifier's score and reason.</p>" + intro + "".join(items) + "</section>"
    )


def _article(a: FarmArticle, n: int) -> str:
    paras = []
    for p in a.paragraphs:
        cut = f'<span class="cut"> … {p.cut:,} more characters</span>' if p.cut else ""
        if p.is_filler:
            why = "filler"
            if p.score is not None:
                why += f" · score {p.score:.2f}"
            if p.reason:
                why += f" · {p.reason}"
            paras.append(
                f'<div class="para filler" dir="auto"><span class="why">{esc(why)}'
                f"</span>{esc(p.text)}{cut}</div>"
            )
        else:
            paras.append(f'<div class="para" dir="auto">{esc(p.text)}{cut}</div>')
    if a.paragraphs_omitted:
        paras.append(
            f'<p class="muted">… {a.paragraphs_omitted:,} more paragraphs.</p>'
        )
    note = f'<p class="muted">{esc(a.note)}</p>' if a.note else ""
    facts = [f"farm score {a.farm_score:.2f}"]
    if a.n_filler is not None:
        facts.append(_n(a.n_filler, "filler paragraph"))
    if a.filler_fraction is not None:
        facts.append(f"{_pct(a.filler_fraction)} of the text")
    reasons = (
        "<p>Reasons: " + ", ".join(esc(r) for r in a.top_reasons) + "</p>"
        if a.top_reasons
        else ""
    )
    opened = " open" if n <= OPEN_ITEMS else ""
    return (
        f'<details class="item" id="article-{n}"{opened}><summary>'
        f'<span class="badge warn">score {a.farm_score:.2f}</span>'
        f'<span class="badge">{esc(" · ".join(facts[1:]) or "no filler")}</span>'
        f' — <span class="title" dir="auto">{esc(_one_line(a.doc.label, 140))}'
        "</span></summary>"
        f'<div class="body">{_doc_meta(a.doc)}{reasons}{note}{"".join(paras)}</div>'
        "</details>"
    )
