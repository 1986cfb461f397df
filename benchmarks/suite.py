"""The whole benchmark suite: writes ``benchmarks/RESULTS.md`` and the plots.

    python -m benchmarks.suite            # full: 100k, 200k and 1M documents (~1 h)
    python -m benchmarks.suite --quick    # quick: 50k and 100k (a few minutes)

Steps (each in :mod:`benchmarks`):

1. the planted-duplicate corpus (:mod:`benchmarks.corpus`; generated once
   under ``benchmarks/.work/``, 1M documents, or 100k in quick mode);
2. throughput per stage at 1 and 2 threads, with peak RSS
   (:mod:`benchmarks.throughput`), and the scaling exponent between the two
   sizes; the 2-thread run at the largest size also writes the outputs: the
   end-to-end figure;
3. dedup and the peers on the same subset (:mod:`benchmarks.planted`):
   accuracy against the planted truth by kind and rate, speed per core;
   signature throughput of dedup, datasketch and rensa on that subset
   (:mod:`benchmarks.signatures`' timers);
4. the signature stage's ceiling on this machine (:mod:`benchmarks.limit`);
5. Reuters silver recall (:mod:`benchmarks.accuracy`), when the data is there.

The figures are medians over the runs made (min-max in brackets), all in
one run of the suite, so ratios compare like with like on a shared machine;
the load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numba

from benchmarks import corpus
from benchmarks.throughput import REPO, corpus_dir

OUT = REPO / "benchmarks" / "RESULTS.md"
PLOTS = REPO / "benchmarks" / "results"
TARGET_SECONDS = 120.0
TARGET_RSS = 4 * 2**30
TARGET_EXPONENT = 1.1
TARGET_DATASKETCH = 20.0
TARGET_RENSA = 5.0


@dataclass(frozen=True)
class Mode:
    """Sizes of a run of the suite."""

    name: str
    sizes: tuple[int, ...]
    runs: dict[int, int]  # runs per size
    subset: int  # documents for the peers and the accuracy tables
    sig_docs: int  # documents for the signature-only timings of the peers
    limit_docs: int


FULL = Mode("full", (100_000, 300_000, 1_000_000),
            {100_000: 2, 300_000: 1, 1_000_000: 1}, 1500, 1000, 20_000)  # fmt: skip
QUICK = Mode("quick", (20_000, 100_000), {20_000: 1, 100_000: 1}, 600, 300, 5000)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _py(module: str, *args: str, threads: int | None = None) -> str:
    from benchmarks.throughput import child_env

    env = child_env(threads) if threads else {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", module, *args], check=True, capture_output=True,
        text=True, cwd=REPO, env=env,
    )  # fmt: skip
    return out.stdout


# ----------------------------------------------------------------- helpers


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def spread(xs: Sequence[float], fmt: str = "{:,.0f}") -> str:
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def versions() -> str:
    parts = [f"python {platform.python_version()}"]
    for pkg in ("dedup", "numba", "numpy", "polars", "pyarrow", "rapidfuzz",
                "datasketch", "rensa", "scikit-learn"):  # fmt: skip
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg} (absent)")
    return ", ".join(parts)


def machine() -> str:
    from benchmarks.signatures import cpu_flags, cpu_model

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run in this process
        layer = "not initialised"
    return (
        f"{cpu_model()} ({cpu_flags()}), {os.cpu_count()} CPUs, {gib(mem)} RAM, "
        f"{platform.system()} {platform.release()}; numba threading layer "
        f"{layer}"
    )


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# -------------------------------------------------------------- measuring


def measure_throughput(mode: Mode, folder: Path) -> dict[str, list[dict[str, object]]]:
    from benchmarks import throughput

    out: dict[str, list[dict[str, object]]] = {"failed": []}
    biggest = max(mode.sizes)
    for size in mode.sizes:
        # The biggest size runs 2 threads first: the end-to-end figure.
        for threads in (2, 1) if size == biggest else (1, 2):
            key = f"{size}/{threads}"
            reps = []
            for _ in range(mode.runs[size]):
                write = size == biggest and threads == 2
                log(f"scan of {size:,} documents, {threads} thread(s) ...")
                rep = throughput.run(size, threads, write=write, folder=folder)
                if "failed" in rep:
                    log(f"  failed: {rep['failed']}")
                    out["failed"].append(rep)
                    break
                log(f"  {rep['scan']:.1f} s, peak RSS {gib(float(rep['peak_rss']))}")
                reps.append(rep)
            if len(reps) < mode.runs[size]:
                break  # a size that does not fit is not tried again
            out[key] = reps
    return out


def measure_signatures(texts: list[str], runs: int) -> dict[str, list[float]]:
    """Seconds of text-to-signature (and MinHash-only) for dedup and the peers."""
    import numba as nb
    import polars as pl

    from benchmarks import signatures as sg

    nb.set_num_threads(1)
    series = pl.Series("text", texts)
    out: dict[str, list[float]] = {}
    t = sg.repeat(sg.dedup_memory_run(texts), runs)
    out["dedup"] = t.wall
    out["dedup_cpu"] = t.cpu
    out["shingling"] = sg.shingling_run(texts, runs).wall
    ds_only, ds_both = sg.datasketch_runs(texts, runs)
    out["datasketch_minhash"], out["datasketch"] = ds_only.wall, ds_both.wall
    try:
        _, rs_bulk, rs_both = sg.rensa_runs(texts, runs)
        out["rensa_minhash"], out["rensa"] = rs_bulk.wall, rs_both.wall
    except ImportError:
        pass
    del series
    return out


# ---------------------------------------------------------------- report


def _stage_rows(
    results: dict[str, list[dict[str, object]]], mode: Mode
) -> tuple[list[str], dict[str, dict[str, float]]]:
    lines = [
        "| documents | threads | stage | seconds | docs/s | docs/s per core "
        "| MB/s per core |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    medians: dict[str, dict[str, float]] = {}
    for size in mode.sizes:
        for threads in (1, 2):
            reps = results[f"{size}/{threads}"]
            mb = float(reps[0]["text_bytes"]) / 1e6
            stages: dict[str, list[float]] = {
                "read": [float(r["read"]) for r in reps],
                "normalize+shingle+signature": [
                    float(r["stages"]["signatures"]) - float(r["read"])  # type: ignore[index]
                    for r in reps
                ],
                "LSH candidates": [float(r["stages"]["candidates"]) for r in reps],  # type: ignore[index]
                "verification": [float(r["stages"]["verification"]) for r in reps],  # type: ignore[index]
                "(of which template check)": [
                    float(r.get("template_check", 0.0)) for r in reps
                ],
                "clustering": [float(r["stages"]["clusters"]) for r in reps],  # type: ignore[index]
                "**scan, all stages**": [float(r["scan"]) for r in reps],
            }
            medians[f"{size}/{threads}"] = {k: med(v) for k, v in stages.items()}
            for name, secs in stages.items():
                secs = [max(s, 1e-9) for s in secs]
                rates = [size / s for s in secs]
                lines.append(
                    f"| {size:,} | {threads} | {name} | {spread(secs, '{:,.1f}')} "
                    f"| {spread(rates)} | {spread([r / threads for r in rates])} "
                    f"| {mb / med(secs) / threads:,.1f} |"
                )
    return lines, medians


def _exponent(t_small: float, t_big: float, n_small: int, n_big: int) -> float:
    if n_big == n_small:
        return float("nan")  # one size only: nothing to fit
    return math.log(t_big / t_small) / math.log(n_big / n_small)


def plot_throughput(
    medians: dict[str, dict[str, float]], mode: Mode, path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    stages = ["normalize+shingle+signature", "LSH candidates", "verification",
              "clustering", "**scan, all stages**"]  # fmt: skip
    for stage in stages:
        for threads, style in ((1, "--"), (2, "-")):
            ys = [mode.sizes[i] / medians[f"{s}/{threads}"][stage]
                  for i, s in enumerate(mode.sizes)]  # fmt: skip
            label = stage.strip("*") + f" ({threads} thr)"
            ax.plot(mode.sizes, ys, style, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents in the corpus")
    ax.set_ylabel("documents per second (wall)")
    ax.set_title("dedup scan: throughput by stage vs corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    fig.savefig(path.with_suffix(".png"), dpi=90)
    plt.close(fig)


def plot_recall(planted: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = planted["methods"]  # type: ignore[index]
    kinds = sorted({r["kind"] for m in methods for r in m["by_kind"]})  # type: ignore[union-attr,index]
    cols = 3
    rows = -(-len(kinds) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.6 * rows), squeeze=False)
    for ax, kind in zip(axes.flat, kinds, strict=False):
        for m in methods:  # type: ignore[union-attr]
            if m["method"] == "dedup" and "2 thread" in m["setting"]:
                continue
            pts = sorted((r["rate"], r["recall"]) for r in m["by_kind"]
                         if r["kind"] == kind)  # fmt: skip
            if pts:
                label = f"{m['method']} {m['setting'].split(' (')[0]}"
                mine = m["method"] == "dedup"
                ax.plot(*zip(*pts, strict=True), marker="o", label=label,
                        lw=2.5 if mine else 1, zorder=3 if mine else 2,
                        color="black" if mine else None)  # fmt: skip
        ax.set_title(kind, fontsize=9)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("edit rate", fontsize=8)
        ax.set_ylabel("recall", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(kinds) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", fontsize=7, ncol=2)
    fig.suptitle("Recall of planted copies vs edit rate (same documents for all)")
    fig.tight_layout(rect=(0, 0.1, 1, 0.97))
    fig.savefig(path)
    fig.savefig(path.with_suffix(".png"), dpi=90)
    plt.close(fig)


def _mean_bytes(tp: dict[str, list[dict[str, object]]]) -> float:
    rep = next(iter(tp.values()))[0]
    return float(rep["text_bytes"]) / float(rep["docs"])


def render(ctx: dict[str, object]) -> str:
    mode: Mode = ctx["mode"]  # type: ignore[assignment]
    tp = ctx["throughput"]  # type: ignore[assignment]
    planted = ctx["planted"]  # type: ignore[assignment]
    manifest = ctx["manifest"]  # type: ignore[assignment]
    quick = " --quick" if mode.name == "quick" else ""
    lines = [
        "# Benchmark results",
        "",
        f"Run {ctx['date']} ({mode.name} mode), {ctx['seconds'] / 60:.0f} min in all. "
        f"Reproduce: `make bench{'-quick' if quick else ''}` "
        f"(`python -m benchmarks.suite{quick}`).",
        "",
        f"- Machine: {ctx.get('machine') or machine()}.",
        f"- Load average (1, 5, 15 min): {ctx['load_before']} before, "
        f"{ctx['load_after']} after. The machine is shared with other engineers' "
        "CPU-heavy jobs: wall-clock rates are pessimistic, and every ratio below "
        "compares measurements made in this same run.",
        f"- Versions: {versions()}.",
        f"- Corpus (`python -m benchmarks.corpus --docs {manifest['docs']} --out DIR`, "
        f"seed {manifest['seed']}): {manifest['source']}; "
        f"{manifest['dup_share']:.0%} of the documents are planted copies. "
        f"Mean document {_mean_bytes(tp):,.0f} bytes.",
        "",
    ]
    # ---- targets
    big, small = max(mode.sizes), min(mode.sizes)
    e2e = tp[f"{big}/2"][0]
    e2e_s = float(e2e["scan"]) + float(e2e["write"])
    scale = ctx["scale"]
    sig = ctx["sig_ratios"]
    lines += ["## Targets", "", "| target | measured | met? |", "|---|---:|---|"]

    def verdict(ok: bool, by: str) -> str:
        return "yes" if ok else f"**no**, {by}"

    failed = [f for f in ctx.get("failed", []) if int(f["docs"]) > big]  # type: ignore[attr-defined]
    if failed:
        f = failed[0]
        lines.append(
            f"| scan of {int(f['docs']):,} ~600-word articles on "
            f"{f['threads']} cores <= 2 min | {f['failed']} after "
            f"{float(f['seconds_until_failure']):,.0f} s | **no**: out of memory |"
        )
        lines.append(
            f"| peak RSS of that scan <= 4 GB | >= {gib(float(f['peak_rss_seen']))} "
            "when killed | **no** |"
        )
    elif big >= 1_000_000:
        lines.append(
            f"| scan of 1M ~600-word articles on 2 cores <= 2 min "
            f"| {e2e_s:,.0f} s "
            f"| {verdict(e2e_s <= TARGET_SECONDS, f'{e2e_s / TARGET_SECONDS:.1f}x')} |"
        )
        lines.append(
            f"| peak RSS of that scan <= 4 GB | {gib(float(e2e['peak_rss']))} "
            f"| {verdict(float(e2e['peak_rss']) <= TARGET_RSS, 'over')} |"
        )
    elif mode.name == "quick":
        lines.append(
            f"| scan of 1M articles (quick mode: {big:,} measured) | "
            f"{e2e_s:,.0f} s for {big:,} | run `make bench` |"
        )
    lines.append(
        f"| scaling exponent {small:,} -> {big:,} <= 1.1 (scan, 2 threads) "
        f"| {scale['2']:.2f} | {verdict(scale['2'] <= TARGET_EXPONENT, 'above')} |"
    )
    lines.append(
        f"| signatures >= 20x datasketch per core (text to signature) "
        f"| {sig['datasketch']:,.0f}x "
        f"| {verdict(sig['datasketch'] >= TARGET_DATASKETCH, 'below')} |"
    )
    if "rensa" in sig:
        lines.append(
            f"| signatures >= 5x rensa per core (text to signature) "
            f"| {sig['rensa']:,.0f}x "
            f"| {verdict(sig['rensa'] >= TARGET_RENSA, 'below')} |"
        )
        lines.append(
            f"| (the same, MinHash step alone: rensa given ready shingles) "
            f"| {sig['rensa_minhash']:.2f}x "
            f"| {verdict(sig['rensa_minhash'] >= TARGET_RENSA, 'see the ceiling')} |"
        )
    worst = ctx["f1_worst"]
    lines.append(
        f"| pair F1 >= every peer at every edit rate | {worst['text']} "
        f"| {verdict(worst['ok'], 'see the accuracy table')} |"
    )
    lines += ["", *ctx["target_notes"], *ctx.get("extra_notes", []), ""]  # type: ignore[misc]

    # ---- throughput
    stage_lines, _ = _stage_rows(tp, mode)
    lines += [
        "## Throughput per stage",
        "",
        "Each run is a fresh process (`python -m benchmarks.throughput --docs N "
        "--threads T`) scanning the first N documents of the corpus with "
        "`dedup.pipeline.scan` at its defaults; *read* is a separate pass of "
        "dedup's Parquet reader over the same shards; *normalize+shingle+signature* "
        "is the scan's first pass minus that read. Runs per size: "
        + ", ".join(f"{s:,}: {r}" for s, r in mode.runs.items())
        + ". MB are of UTF-8 text.",
        "",
        *stage_lines,
        "",
        "*candidates*: pairs sharing an LSH bucket; *verified*: those left after "
        "the signature-agreement check (`dedup.agreement`), each checked exactly.",
        "",
        "| documents | threads | candidates | verified | duplicate pairs "
        "| template pairs | clusters | peak RSS (median) | CPU s / wall s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in mode.sizes:
        for threads in (1, 2):
            reps = tp[f"{size}/{threads}"]
            r0 = reps[0]
            lines.append(
                f"| {size:,} | {threads} | {r0['candidates']:,} "
                f"| {int(r0['candidates']) - int(r0.get('dropped_on_agreement', 0)):,} "  # type: ignore[call-overload]
                f"| {r0['duplicate_pairs']:,} | {r0['template_pairs']:,} "
                f"| {r0['clusters']:,} "
                f"| {gib(med([float(r['peak_rss']) for r in reps]))} "
                f"| {med([float(r['scan_cpu']) / float(r['scan']) for r in reps]):.2f}"
                " |"
            )
    lines += [
        "",
        f"Scaling exponent (seconds ~ documents^k, fitted between {small:,} and "
        f"{big:,}): scan {scale['1']:.2f} (1 thread), {scale['2']:.2f} (2 threads); "
        "by stage (2 threads): "
        + ", ".join(f"{k} {v:.2f}" for k, v in scale["stages"].items())
        + ".",
        "",
        f"End to end ({big:,} documents, 2 threads"
        f"{', outputs written as Parquet' if float(e2e['write']) else ''}): "
        f"{e2e_s:,.1f} s ({float(e2e['scan']):,.1f} s scan + "
        f"{float(e2e['write']):,.1f} s writing), peak RSS "
        f"{gib(float(e2e['peak_rss']))} (ru_maxrss {gib(float(e2e['maxrss']))}).",
        "",
        "![throughput vs corpus size](results/throughput.svg)",
        "",
    ]
    # ---- peers: speed
    n = planted["docs"]
    lines += [
        f"## dedup and its peers on the same {n:,} documents",
        "",
        "`python -m benchmarks.planted --docs N`: the first N documents of the "
        "corpus, each method at its documented defaults (and datasketch/rensa "
        "also at the threshold that gave their best F1 on the Reuters gold pairs). "
        "text-dedup and datatrove run in their own virtual environments under "
        "`benchmarks/.work/venvs/`, made by the script with pip. One run each; "
        "time from text to clusters; *dedup / method* is the ratio of docs/s per "
        "core to dedup's at 1 thread.",
        "",
        "| method | setting | cores | seconds | docs/s per core | dedup / method "
        "| P | R | F1 | ARI |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    methods = planted["methods"]
    ref = next(m for m in methods if m["method"] == "dedup")
    ref_rate = ref["docs_s"] / ref["cores"]
    for m in methods:
        rate = m["docs_s"] / m["cores"]
        lines.append(
            f"| {m['method']} | {m['setting']} | {m['cores']} | {m['wall']:,.1f} "
            f"| {rate:,.0f} | {ref_rate / rate:,.1f}x | {m['precision']:.3f} "
            f"| {m['recall']:.3f} | {m['f1']:.3f} | {m['ari']:.3f} |"
        )
    for name, why in planted["peer_errors"].items():
        lines.append(f"| {name} | did not run: {why} | | | | | | | | |")
    sr = ctx["sig_runs"]
    sn = ctx["sig_docs"]
    lines += [
        "",
        f"### Signatures alone, one core ({sn:,} of those documents, "
        f"median of {len(sr['dedup'])} runs)",
        "",
        "dedup: `signatures()` of the texts in memory (normalise, shingle, MinHash). "
        "The peers get dedup's tokens as word 5-gram strings; *text to signature* "
        "includes making them in Python, *MinHash only* does not.",
        "",
        "| what | docs/s | dedup / it |",
        "|---|---:|---:|",
    ]
    d_rate = sn / med(sr["dedup"])
    for key, what in (("dedup", "dedup, text to signature"),
                      ("shingling", "shingle strings in Python (the peers' input)"),
                      ("datasketch", "datasketch, text to signature (`MinHash.bulk`)"),
                      ("datasketch_minhash", "datasketch, MinHash only"),
                      ("rensa", "rensa, text to signature (digest matrix)"),
                      ("rensa_minhash", "rensa, MinHash only")):  # fmt: skip
        if key in sr:
            r = [sn / s for s in sr[key]]
            lines.append(f"| {what} | {spread(r)} | {d_rate / med(r):,.2f}x |")
    # ---- limit
    lim = ctx["limit"]
    lines += [
        "",
        "## The ceiling of the signature stage",
        "",
        f"`python -m benchmarks.limit --docs {lim['docs']}`, one core: hashing the "
        f"text 8 bytes at a time runs at {lim['hash_gb_s']:.1f} GB/s (a byte-at-a-time "
        f"FNV-1a tokeniser at {lim['fnv_gb_s']:.2f} GB/s); 128 permuted minima cost "
        f"{lim['ns_per_shingle_vector']:.0f} ns per shingle with dedup's vector "
        f"kernel, {lim['ns_per_shingle_definition']:.0f} ns as the plain 64-bit "
        f"loop. With {lim['bytes_per_doc']:,.0f} bytes and "
        f"{lim['shingles_per_doc']:,.0f} shingles per document the ceiling is "
        f"**{lim['ceiling_docs_s']:,.0f} docs/s per core** (multiply-min is "
        f"{1 - lim['ceiling_hash_share']:.0%} of it). dedup's text-to-signature "
        f"rate in the same process: {lim['dedup_docs_s']:,.0f} docs/s "
        f"({lim['dedup_docs_s_min']:,.0f}-{lim['dedup_docs_s_max']:,.0f}), "
        f"**{lim['fraction']:.0%} of the ceiling**. The rest is tokenising "
        "(character classes, lower case, UTF-8 decoding, token and shingle hashes) "
        "that the ceiling leaves out.",
        "",
    ]
    # ---- accuracy by kind
    lines += [
        "## Accuracy against the planted truth, by kind and rate of edit",
        "",
        "Recall = share of the copies of that kind and rate put in their "
        "original's cluster; precision counts the false links those copies got; "
        "ARI over those copies and their originals (`benchmarks/scoring.py`). "
        f"F1 per method; n = copies. dedup at 1 thread ({n:,} documents).",
        "",
    ]
    shown = [m for m in methods if not (m["method"] == "dedup" and m["cores"] == 2)]

    def short(m: dict[str, object]) -> str:
        setting = str(m["setting"]).split(" (")[0]
        return f"{m['method']} {setting.replace('defaults, 1 thread(s)', '')}".strip()

    header = "| kind | rate | n | " + " | ".join(short(m) for m in shown) + " |"
    lines += [header, "|---|---:|---:|" + "---:|" * len(shown)]
    table: dict[tuple[str, float], dict[str, dict[str, float]]] = {}
    for i, m in enumerate(shown):
        for r in m["by_kind"]:
            table.setdefault((r["kind"], r["rate"]), {})[str(i)] = r
    for (kind, rate), cells in sorted(table.items()):
        nn = next(iter(cells.values()))["n"]
        vals = []
        best_peer = max(
            (c["f1"] for k, c in cells.items() if shown[int(k)]["method"] != "dedup"),
            default=0.0,
        )
        for i in range(len(shown)):
            c = cells.get(str(i))
            if c is None:
                vals.append("-")
                continue
            txt = f"{c['f1']:.2f}"
            if shown[i]["method"] == "dedup" and c["f1"] + 1e-9 < best_peer:
                txt = f"**{txt}**"
            vals.append(txt)
        lines.append(f"| {kind} | {rate:g} | {nn} | " + " | ".join(vals) + " |")
    lines += [
        "",
        "Bold: dedup below the best peer at that kind and rate.",
        "",
        "![recall vs edit rate](results/recall_vs_rate.svg)",
        "",
    ]
    # ---- silver
    silver = ctx.get("silver")
    lines += ["## Reuters silver duplicates", ""]
    if silver:
        lines += [
            f"`python -m benchmarks.accuracy` (full tables in "
            "`results/accuracy.md`): dedup at its defaults puts "
            f"{silver}."
        ]
    else:
        acc = REPO / "benchmarks" / "results" / "accuracy.md"
        text = acc.read_text().splitlines() if acc.is_file() else []
        found = [ln for ln in text if ln.startswith("| all non-empty bodies")]
        dated = [ln for ln in text if ln.startswith("Date:")]
        if found:
            lines.append(
                "Not rerun in this run of the suite (`--skip-reuters`); from "
                f"`results/accuracy.md` ({dated[0].strip(' ') if dated else 'undated'}"
                f"): dedup at its defaults puts {found[0].split('|')[2].strip()} "
                "silver exact-duplicate clusters each inside one cluster. "
                "Reproduce: `python -m benchmarks.accuracy`."
            )
        else:
            lines.append("Skipped: no Reuters results (shared data not found).")
    lines.append("")
    return "\n".join(lines)


def _notes(ctx: dict[str, object]) -> None:
    """The F1 comparison and the notes on missed targets, into *ctx*."""
    mode: Mode = ctx["mode"]  # type: ignore[assignment]
    tp = ctx["throughput"]
    planted = ctx["planted"]
    _, medians = _stage_rows(tp, mode)  # type: ignore[arg-type]
    big = max(mode.sizes)
    # F1 against every peer at every kind and rate
    methods = planted["methods"]
    dedup_rows = {(r["kind"], r["rate"]): r["f1"] for r in methods[0]["by_kind"]}
    losses = []
    for m in methods:
        if m["method"] == "dedup":
            continue
        for r in m["by_kind"]:
            mine = dedup_rows.get((r["kind"], r["rate"]), 0.0)
            if r["f1"] > mine + 1e-9:
                losses.append((r["f1"] - mine, r["kind"], r["rate"], m["method"],
                               m["setting"].split(" (")[0], mine, r["f1"]))  # fmt: skip
    losses.sort(reverse=True)
    if losses:
        kr = sorted({(k, r) for _, k, r, *_ in losses})
        ctx["f1_worst"] = {
            "ok": False,
            "text": f"below a peer at {len(kr)} of {len(dedup_rows)} kind/rate cells",
        }
    else:
        ctx["f1_worst"] = {"ok": True, "text": f"all {len(dedup_rows)} cells"}
    notes = ["### Where targets are missed, and why", ""]
    for gap, kind, rate, meth, setting, mine, theirs in losses[:8]:
        notes.append(
            f"- F1 {kind} at {rate:g}: dedup {mine:.2f}, {meth} {setting} "
            f"{theirs:.2f} (-{gap:.2f})."
        )
    big_med = medians[f"{big}/2"]
    e2e_rep = tp[f"{big}/2"][0]
    total = big_med["**scan, all stages**"]
    checks = int(e2e_rep.get("template_checks", 0))
    per_pair = big_med["(of which template check)"] / max(1, checks) * 1e6
    slow = [
        f"- Scan of {big:,} documents on 2 threads: {total:,.0f} s "
        f"(CPU/wall {float(e2e_rep['scan_cpu']) / float(e2e_rep['scan']):.2f}: "
        f"the machine's load, {ctx['load_before']}, took the rest). By stage: "
        + ", ".join(
            f"{k.strip('*')} {v:,.0f} s ({v / total:.0%})"
            for k, v in big_med.items()
            if not k.startswith("**")
        )
        + f". Word alignment (template check and edited-copy rule) took "
        f"{checks:,} pairs, {per_pair:.0f} µs a pair of wall time, in parallel "
        "compiled code.",
    ]
    for f in ctx.get("failed", []):  # type: ignore[attr-defined]
        slow.append(
            f"- The scan of {int(f['docs']):,} documents ({f['threads']} threads) was "
            f"{f['failed']} after {float(f['seconds_until_failure']):,.0f} s, its "
            f"RSS last seen at {gib(float(f['peak_rss_seen']))} (24 GiB machine, "
            "shared): out of memory."
        )
    ctx["target_notes"] = notes[:2] + slow + notes[2:]


def _save(ctx: dict[str, object]) -> Path:
    """The run's measurements so far, as JSON (``--render`` reads it back)."""
    mode: Mode = ctx["mode"]  # type: ignore[assignment]
    PLOTS.mkdir(parents=True, exist_ok=True)
    raw = PLOTS / f"suite-{mode.name}.json"
    saved = {k: v for k, v in ctx.items() if k != "mode"}
    saved["mode_name"] = mode.name
    raw.write_text(json.dumps(saved, default=str, indent=1))
    return raw


def _mode_of(ctx: dict[str, object]) -> Mode:
    tp: dict[str, list[object]] = ctx["throughput"]  # type: ignore[assignment]
    sizes = tuple(sorted({int(k.split("/")[0]) for k in tp}))
    runs = {s: len(tp[f"{s}/1"]) for s in sizes}
    base = FULL if str(ctx.get("mode_name")) == "full" else QUICK
    return Mode(base.name, sizes, runs, base.subset, base.sig_docs, base.limit_docs)


def rerender(raw: Path, out: Path) -> int:
    """RESULTS.md and the plots again from the JSON a run saved."""
    ctx = json.loads(raw.read_text())
    mode = _mode_of(ctx)
    ctx["mode"] = mode
    _, medians = _stage_rows(ctx["throughput"], mode)
    plot_throughput(medians, mode, PLOTS / "throughput.svg")
    plot_recall(ctx["planted"], PLOTS / "recall_vs_rate.svg")
    _notes(ctx)
    out.write_text(render(ctx), encoding="utf-8")
    log(f"wrote {out} and the plots from {raw}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--skip-peers", action="store_true", help="no venv peers")
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: .work)")
    ap.add_argument("--skip-reuters", action="store_true", help="no Reuters step")
    ap.add_argument("--sizes", help="comma-separated corpus sizes (for trying out)")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="redo RESULTS.md and the plots from a JSON")  # fmt: skip
    args = ap.parse_args(argv)
    if args.render:
        return rerender(args.render, args.out)
    mode = QUICK if args.quick else FULL
    if args.sizes:
        sizes = tuple(int(x) for x in args.sizes.split(","))
        mode = Mode(mode.name, sizes, dict.fromkeys(sizes, 1), mode.subset,
                    mode.sig_docs, mode.limit_docs)  # fmt: skip
    started = time.perf_counter()
    ctx: dict[str, object] = {
        "mode": mode,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load(),
    }
    folder = args.corpus or corpus_dir()
    log(f"corpus of {max(mode.sizes):,} documents (generated once) ...")
    manifest = corpus.ensure(corpus.Spec(max(mode.sizes)), folder)
    ctx["manifest"] = manifest

    tp = measure_throughput(mode, folder)
    ctx["failed"] = tp.pop("failed")
    ctx["requested_sizes"] = list(mode.sizes)
    ok = tuple(s for s in mode.sizes if f"{s}/1" in tp and f"{s}/2" in tp)
    tp = {k: v for k, v in tp.items() if int(k.split("/")[0]) in ok}
    mode = Mode(mode.name, ok, {s: mode.runs[s] for s in ok}, mode.subset,
                mode.sig_docs, mode.limit_docs)  # fmt: skip
    ctx["mode"] = mode
    ctx["throughput"] = tp
    _save(ctx)
    _, medians = _stage_rows(tp, mode)
    small, big = min(mode.sizes), max(mode.sizes)
    ctx["scale"] = {
        str(t): _exponent(
            medians[f"{small}/{t}"]["**scan, all stages**"],
            medians[f"{big}/{t}"]["**scan, all stages**"], small, big,
        )
        for t in (1, 2)
    }  # fmt: skip
    ctx["scale"]["stages"] = {  # type: ignore[index]
        k.strip("*"): _exponent(max(medians[f"{small}/2"][k], 1e-6),
                                max(medians[f"{big}/2"][k], 1e-6), small, big)
        for k in medians[f"{small}/2"]
        if not k.startswith("**")
    }  # fmt: skip

    log(f"dedup and peers on {mode.subset:,} documents ...")
    from benchmarks import planted as pl_mod

    peers = () if args.skip_peers else ("text-dedup", "datatrove")
    planted = pl_mod.run(mode.subset, peers, folder)
    ctx["planted"] = planted
    _save(ctx)

    import polars as pl

    log("signatures alone ...")
    texts = pl.read_parquet(corpus.shards(folder)[0], columns=["text"])["text"]
    sig_texts = texts[: mode.sig_docs].to_list()
    sr = measure_signatures(sig_texts, 3)
    ctx["sig_runs"], ctx["sig_docs"] = sr, mode.sig_docs
    d = med(sr["dedup"])
    ctx["sig_ratios"] = {
        k: med(v) / d for k, v in sr.items() if k not in ("dedup", "dedup_cpu")
    }

    log("ceiling of the signature stage ...")
    ctx["limit"] = json.loads(
        _py("benchmarks.limit", "--docs", str(mode.limit_docs), "--corpus",
            str(folder), threads=1)
        .strip().splitlines()[-1]
    )  # fmt: skip

    from benchmarks import accuracy

    data = None if args.skip_reuters else accuracy.find_data()
    if data is not None:
        log("Reuters accuracy (benchmarks.accuracy) ...")
        _py("benchmarks.accuracy")
        text = (REPO / "benchmarks" / "results" / "accuracy.md").read_text()
        for line in text.splitlines():
            if line.startswith("| all non-empty bodies"):
                found = line.split("|")[2].strip()
                ctx["silver"] = (
                    f"{found} silver exact-duplicate clusters each inside one cluster"
                )

    ctx["load_after"] = load()
    ctx["machine"] = machine()
    ctx["seconds"] = time.perf_counter() - started

    PLOTS.mkdir(parents=True, exist_ok=True)
    plot_throughput(medians, mode, PLOTS / "throughput.svg")
    plot_recall(planted, PLOTS / "recall_vs_rate.svg")
    raw = PLOTS / f"suite-{mode.name}.json"
    saved = {k: v for k, v in ctx.items() if k != "mode"}
    saved["mode_name"] = mode.name
    raw.write_text(json.dumps(saved, default=str, indent=1))
    _notes(ctx)
    text = render(ctx)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {args.out}, the plots and {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
