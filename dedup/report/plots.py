"""Small inline SVG bar charts, drawn in Python: no JavaScript, no network.

A report must open offline and run no script, so plots are plain SVG elements
written into the page. Every label goes through :func:`dedup.report.safe.esc`
like any other value.

    >>> svg = bar_chart(["2", "3"], [[5, 1]], title="Cluster sizes")
    >>> svg.startswith("<svg") and "Cluster sizes" in svg and svg.count("<rect") >= 2
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dedup.report.safe import esc

#: Series colours: the first is the report's accent, the second a contrast.
COLOURS = ("#3b6fb6", "#d9822b", "#6a9f58", "#9b59b6")


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[int]],
    *,
    title: str,
    names: Sequence[str] = (),
    x_label: str = "",
    y_label: str = "",
    log: bool = False,
    ticks: Sequence[tuple[float, str]] | None = None,
    width: int = 640,
    height: int = 240,
) -> str:
    """A (stacked) bar chart as an ``<svg>`` element.

    Args:
        labels: One label per bar (a few are shown when there are many).
        series: One sequence of counts per series, each as long as *labels*;
            series are stacked.
        title: Read by screen readers and shown as the tooltip.
        names: Series names for the legend (no legend for one series).
        x_label: Caption of the horizontal axis.
        y_label: Caption of the vertical axis.
        log: Bar heights on a log scale (counts spanning orders of magnitude).
        ticks: Horizontal axis labels as (position in bar widths from the
            left, text), e.g. bin edges of a histogram; default: bar labels
            under the bars (thinned out when there are many).
        width: Width in pixels (the chart scales down with the page).
        height: Height in pixels.

    Returns:
        SVG markup.

    Example:
        >>> "legend" in bar_chart(["a"], [[1], [2]], title="t", names=["x", "y"])
        True

    """
    left, right, top, bottom = 56, 12, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s[i] for s in series) for i in range(len(labels))]
    peak = max(totals, default=0)

    def scale(value: float) -> float:
        if peak <= 0:
            return 0.0
        if log:
            return plot_h * math.log10(1 + value) / math.log10(1 + peak)
        return plot_h * value / peak

    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.8)
    parts = [
        f'<svg class="chart" role="img" aria-label="{esc(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{esc(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" class="axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="axis"/>',
    ]
    # Vertical axis: zero and the peak, and a whole middle value on a linear
    # scale (a half count would be a confusing label).
    levels = [0, peak]
    if not log and peak >= 4:
        levels.insert(1, round(peak / 2))
    for value in levels:
        y = top + plot_h - scale(value)
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="tick">{esc(_short(value))}</text>'
        )
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar_w) / 2
        base = 0.0
        tip = [esc(label)]
        for k, values in enumerate(series):
            value = values[i]
            if value <= 0:
                continue
            y0, y1 = scale(base), scale(base + value)
            name = names[k] if k < len(names) else ""
            tip.append(f"{esc(name)} {value:,}".strip())
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - y1:.1f}" width="{bar_w:.1f}" '
                f'height="{max(0.5, y1 - y0):.1f}" fill="{COLOURS[k % len(COLOURS)]}">'
                f"<title>{': '.join(tip[:1])} — {', '.join(tip[1:])}</title></rect>"
            )
            base += value
        if ticks is None and (n <= 12 or i % math.ceil(n / 10) == 0):
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" '
                f'text-anchor="middle" class="tick">{esc(label)}</text>'
            )
    for position, text in ticks or ():
        x = left + position * slot
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" '
            f'y2="{top + plot_h + 4}" class="axis"/>'
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'class="tick">{esc(text)}</text>'
        )
    if x_label:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" '
            f'text-anchor="middle" class="caption">{esc(x_label)}</text>'
        )
    if y_label:
        parts.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'class="caption" transform="rotate(-90 12 {top + plot_h / 2:.1f})">'
            f"{esc(y_label + (' (log scale)' if log else ''))}</text>"
        )
    if len(series) > 1 and names:
        parts.append('<g class="legend">')
        for k, name in enumerate(names[: len(series)]):
            x = left + 10 + k * 120
            parts.append(
                f'<rect x="{x}" y="{top}" width="10" height="10" '
                f'fill="{COLOURS[k % len(COLOURS)]}"/>'
                f'<text x="{x + 14}" y="{top + 9}" class="tick">{esc(name)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    """A count as a short label: 950, 12k, 3.4M."""
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def size_buckets(size_counts: Sequence[tuple[int, int]]) -> list[tuple[str, int]]:
    """Cluster counts by size, with sizes above 10 in roughly logarithmic buckets.

    Example:
        >>> size_buckets([(2, 7), (3, 1), (12, 2), (15, 1), (700, 1)])
        [('2', 7), ('3', 1), ('11–20', 3), ('501–1000', 1)]

    """
    edges = [10, 20, 50, 100, 200, 500, 1000]
    counts: dict[str, int] = {}
    order: dict[str, int] = {}
    for size, n in size_counts:
        if size <= 10:
            key, rank = str(size), size
        else:
            lo = 10
            for hi in edges[1:]:
                if size <= hi:
                    break
                lo = hi
            else:
                lo, hi = 1000, 0
            key = f"{lo + 1}–{hi}" if hi else f"over {lo:,}"
            rank = lo + 1
        counts[key] = counts.get(key, 0) + n
        order[key] = rank
    return sorted(counts.items(), key=lambda kv: order[kv[0]])
