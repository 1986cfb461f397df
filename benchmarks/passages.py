"""Throughput and peak memory of ``dedup passages`` on ~600-word articles.

    python -m benchmarks.passages [--data DIR] [--docs N] [--scale N ...]
                                  [--repeat R] [--rounds R] [--baseline REF]
                                  [--memory-baseline] [--out FILE]

Two corpora:

* **reuters600** (when the shared data is there, see
  :func:`benchmarks.accuracy.find_data`): Reuters-21578 bodies concatenated
  in corpus order into articles of about 600 words; real wire text with real
  shared paragraphs, template lines and the "Reuter" sign-off.
* **synthetic600**: generated articles of 600 words (Zipf-distributed
  vocabulary), a tenth of them quoting one of a pool of shared paragraphs, one
  in fifty repeating a paragraph of its own, each with its site's header and
  footer lines. Generated batch by batch from a seed, so a million articles
  stream in constant memory and both passes see the same text.

Throughput runs in a child process with one numba thread and one polars
thread; docs/s per core is documents / CPU seconds of that process (less
sensitive to other load on the machine than wall time), median over
``--repeat`` runs, with wall time alongside. Memory runs stream
``--scale`` synthetic articles through :func:`dedup.passages.find_passages`
in a child process and report its peak RSS; running it at two scales shows
whether memory grows with the input. Results are printed and written to
``benchmarks/results/passages.md``.

The machine may be shared, and CPU time grows with other load too (caches,
memory bandwidth). ``--baseline REF`` measures the code of git revision REF
(extracted with ``git archive`` into ``benchmarks/.work/``) in the same run,
alternating baseline and current child processes for ``--rounds`` rounds,
and reports the ratio; the 1-minute load average is recorded with every
figure. ``--memory-baseline`` runs the memory scales for REF as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "passages.md"
WORDS = 600


# --------------------------------------------------------------- corpora


def reuters600(data: Path, n_docs: int) -> pl.DataFrame:
    """Reuters bodies concatenated into ~600-word articles (at most n_docs)."""
    bodies = (
        pl.read_ndjson(data / "reuters21578.jsonl", schema={"body": pl.String})["body"]
        .fill_null("")
        .to_list()
    )
    bodies = [b for b in bodies if b.strip()]
    docs: list[str] = []
    cur: list[str] = []
    n = 0
    for body in bodies:
        cur.append(body)
        n += len(body.split())
        if n >= WORDS - 40:
            docs.append("\n\n".join(cur))
            cur, n = [], 0
    # No cycling to reach n_docs: copies would make every article a shared
    # passage, a different benchmark (see the duplicate-heavy note in README).
    out = docs[:n_docs]
    return pl.DataFrame({"doc_id": [str(i) for i in range(len(out))], "text": out})


class Synthetic:
    """Deterministic synthetic articles, generated batch by batch."""

    vocab_size = 30_000
    n_sites = 500
    n_shared = 2_000

    def __init__(self, n_docs: int, batch_size: int = 20_000, seed: int = 7) -> None:
        self.n_docs = n_docs
        self.batch_size = batch_size
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.vocab = pl.Series([f"w{i}" for i in range(self.vocab_size)])
        self.spelled = pl.concat(
            [
                self.vocab + " ",
                self.vocab + ". ",
                self.vocab + ".\n\n",
                self.vocab + ".",
            ]
        )
        ranks = np.arange(1, self.vocab_size + 1)
        cdf = np.cumsum(1.0 / ranks**1.05)
        # Zipf sampling by table lookup: a uniform 20-bit draw picks a word.
        grid = (np.arange(1 << 20) + 0.5) / (1 << 20) * cdf[-1]
        self.table = np.searchsorted(cdf, grid).astype(np.int64)
        self.shared = [
            self._words(rng, int(rng.integers(25, 70))) for _ in range(self.n_shared)
        ]
        self.headers = [f"Site {s} news desk" for s in range(self.n_sites)]
        self.footers = [
            f"Subscribe to the site {s} newsletter for the latest stories"
            for s in range(self.n_sites)
        ]

    def _words(self, rng: np.random.Generator, n: int) -> str:
        idx = self.table[rng.integers(0, 1 << 20, size=n)]
        return " ".join(self.vocab.gather(idx).to_list()) + "."

    def batch(self, b: int) -> pl.DataFrame:
        """Batch *b*: columns doc_id, text, site."""
        start = b * self.batch_size
        n = min(self.batch_size, self.n_docs - start)
        rng = np.random.default_rng([self.seed, b])
        idx = self.table[rng.integers(0, 1 << 20, size=(n, WORDS))]
        # A full stop every 15 words, a paragraph break every 60: each word is
        # taken from the vocabulary with its separator attached.
        pos = np.arange(WORDS)
        kind = np.where(pos % 60 == 59, 2, np.where(pos % 15 == 14, 1, 0))
        kind[-1] = 3
        flat = self.spelled.gather((idx + kind * self.vocab_size).ravel())
        body = flat.reshape((n, WORDS)).arr.join("")
        site = rng.integers(0, self.n_sites, size=n)
        texts = (
            pl.Series(self.headers).gather(site) + "\n\n" + body + "\n\n"
            + pl.Series(self.footers).gather(site)
        ).to_list()  # fmt: skip
        quote = np.flatnonzero(rng.random(n) < 0.10)
        which = rng.integers(0, self.n_shared, size=n)
        for i in quote.tolist():
            paras = texts[i].split("\n\n")
            paras.insert(len(paras) // 2, self.shared[which[i]])
            texts[i] = "\n\n".join(paras)
        for i in np.flatnonzero(rng.random(n) < 0.02).tolist():
            paras = texts[i].split("\n\n")
            paras.insert(len(paras) - 1, paras[2])
            texts[i] = "\n\n".join(paras)
        return pl.DataFrame(
            {
                "doc_id": [f"s{start + i}" for i in range(n)],
                "text": texts,
                "site": [f"site{s}.example" for s in site],
            }
        )

    def frame(self) -> pl.DataFrame:
        """All articles in memory (for small n)."""
        n_batches = -(-self.n_docs // self.batch_size)
        return pl.concat([self.batch(b) for b in range(n_batches)])


class SyntheticSource:
    """A :class:`dedup.pipeline.BatchSource` over :class:`Synthetic` articles."""

    def __init__(self, corpus: Synthetic) -> None:
        self.corpus = corpus
        self.name = f"<synthetic {corpus.n_docs}>"
        self.n_read = 0
        self.quarantine: list[object] = []

    def batches(self) -> Iterator[pl.DataFrame]:
        self.n_read = 0
        n_batches = -(-self.corpus.n_docs // self.corpus.batch_size)
        row = 0
        for b in range(n_batches):
            frame = self.corpus.batch(b)
            frame = frame.insert_column(
                0,
                pl.int_range(
                    row, row + frame.height, dtype=pl.UInt64, eager=True
                ).alias("row"),
            )
            row += frame.height
            self.n_read += frame.height
            yield frame


# --------------------------------------------------------------- workers


def _worker_throughput(args: argparse.Namespace) -> dict[str, object]:
    from dedup.passages import PassageConfig, find_passages
    from dedup.pipeline import FrameSource

    if args.corpus == "reuters600":
        from benchmarks.accuracy import find_data

        data = find_data(args.data)
        assert data is not None
        frame = reuters600(data, args.docs)
    else:
        frame = Synthetic(args.docs).frame()
    words = float(frame["text"].str.split(" ").list.len().mean() or 0)
    config = PassageConfig(stats=not args.no_stats)
    find_passages(FrameSource(frame.head(200)), config)  # compile / load caches
    cpu, wall = [], []
    result = None
    for _ in range(args.repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = find_passages(FrameSource(frame), config)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    assert result is not None
    return {
        "corpus": args.corpus,
        "docs": frame.height,
        "words_per_doc": round(words),
        "stats": not args.no_stats,
        "cpu_s": statistics.median(cpu),
        "wall_s": statistics.median(wall),
        "docs_per_cpu_s": frame.height / statistics.median(cpu),
        "stages_s": {k: round(v, 3) for k, v in result.stats.seconds.items()},
        "stages_cpu_s": {
            k: round(v, 3) for k, v in getattr(result.stats, "cpu_seconds", {}).items()
        },
        "passages": result.stats.passages,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _worker_memory(args: argparse.Namespace) -> dict[str, object]:
    from dedup.passages import find_passages

    # Batches of 5,000: the generator's own peak stays small next to dedup's.
    source = SyntheticSource(Synthetic(args.scale, batch_size=5_000))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # RSS sampled every 0.2 s, tagged with the stage running: where it peaks.
    stage = ["fingerprints"]
    samples: list[tuple[float, str, float]] = []
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            with open("/proc/self/statm") as fh:
                rss = int(fh.read().split()[1]) * page_mb
            samples.append((time.perf_counter(), stage[0], rss))

    def progress(name: str, done: int, total: int | None) -> None:
        stage[0] = name

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    c0, w0 = time.process_time(), time.perf_counter()
    result = find_passages(source, progress=progress)  # type: ignore[arg-type]
    stop.set()
    sampler.join()
    # Regions and assembly report no progress: tell them apart by time.
    secs = result.stats.seconds
    assembly = w0 + secs["fingerprints"] + secs["repeats"] + secs["regions"]
    regions_start = assembly - secs["regions"]
    peaks: dict[str, float] = {}
    for t, name, rss in samples:
        if t >= assembly:
            name = "passages"
        elif t >= regions_start and name == "repeats":
            name = "regions"
        peaks[name] = max(peaks.get(name, 0.0), rss)
    return {
        "docs": args.scale,
        "wall_s": time.perf_counter() - w0,
        "cpu_s": time.process_time() - c0,
        "baseline_rss_mb": base,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_by_stage": {k: round(v) for k, v in peaks.items()},
        "passages": result.stats.passages,
        "occurrences": result.stats.occurrences,
        "candidates": result.stats.candidates,
        "ngrams_indexed": result.stats.ngrams_indexed,
        "stages_s": {k: round(v, 1) for k, v in result.stats.seconds.items()},
        "stages_cpu_s": {
            k: round(v, 1) for k, v in getattr(result.stats, "cpu_seconds", {}).items()
        },
    }


def _child(argv: list[str], threads: int = 1, tree: Path = REPO) -> dict[str, object]:
    """Run a worker of the benchmark of *tree* (this one or a baseline's)."""
    env = dict(os.environ)
    env.update(NUMBA_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
    # The tree's own package first, whatever is installed.
    env["PYTHONPATH"] = str(tree)
    load0 = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.passages", *argv],
        env=env,
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = (load0 + os.getloadavg()[0]) / 2
    return result


def _baseline_tree(ref: str) -> tuple[Path, str]:
    """The code of git revision *ref*, extracted under benchmarks/.work/."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", ref],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = REPO / "benchmarks" / ".work" / f"baseline-{sha}"
    if not (tree / "dedup").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=REPO, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree, sha


def _median_of(runs: list[dict[str, object]]) -> dict[str, object]:
    """The run with the median CPU time, with the medians and loads of all."""
    ordered = sorted(runs, key=lambda r: float(r["cpu_s"]))  # type: ignore[arg-type]
    mid = dict(ordered[(len(ordered) - 1) // 2])
    mid["cpu_s"] = statistics.median(float(r["cpu_s"]) for r in runs)  # type: ignore[arg-type]
    mid["wall_s"] = statistics.median(float(r["wall_s"]) for r in runs)  # type: ignore[arg-type]
    mid["docs_per_cpu_s"] = int(mid["docs"]) / float(mid["cpu_s"])  # type: ignore[call-overload]
    mid["load"] = statistics.mean(float(r["load"]) for r in runs)  # type: ignore[arg-type]
    mid["runs"] = len(runs)
    return mid


# --------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--scale", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default=None, metavar="REF")
    parser.add_argument("--memory-baseline", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--worker", choices=["throughput", "memory"])
    parser.add_argument("--corpus", default="synthetic600")
    parser.add_argument("--no-stats", action="store_true")
    args = parser.parse_args(argv)

    if args.worker == "throughput":
        print(json.dumps(_worker_throughput(args)))
        return 0
    if args.worker == "memory":
        args.scale = args.scale[0]
        print(json.dumps(_worker_memory(args)))
        return 0

    from benchmarks.accuracy import find_data

    corpora = ["synthetic600"]
    common = ["--docs", str(args.docs), "--repeat", str(args.repeat)]
    data = find_data(args.data)
    if data is not None:
        corpora.insert(0, "reuters600")
        # Found from here, wherever a baseline tree is.
        common += ["--data", str(data)]
    trees: list[tuple[str, Path]] = [("current", REPO)]
    if args.baseline:
        tree, sha = _baseline_tree(args.baseline)
        trees.insert(0, (f"baseline {sha}", tree))
    rows = []
    for corpus in corpora:
        for extra in ([], ["--no-stats"]):
            got: dict[str, list[dict[str, object]]] = {name: [] for name, _ in trees}
            # Alternate the trees so that both see the same load.
            for _ in range(args.rounds):
                for name, tree in trees:
                    argv = ["--worker", "throughput", "--corpus", corpus, *common]
                    got[name].append(_child([*argv, *extra], tree=tree))
            for name, _ in trees:
                row = _median_of(got[name])
                row["code"] = name
                rows.append(row)
                print(
                    f"{name:16} {corpus:13} stats={row['stats']!s:5} {row['docs']} "
                    f"docs x {row['words_per_doc']} words: "
                    f"{row['docs_per_cpu_s']:,.0f} docs/s per core (cpu "
                    f"{row['cpu_s']:.2f}s, wall {row['wall_s']:.2f}s, load "
                    f"{row['load']:.1f})",
                    flush=True,
                )
    mem = []
    for scale in args.scale:
        for name, tree in trees:
            if name != "current" and not args.memory_baseline:
                continue
            got1 = _child(["--worker", "memory", "--scale", str(scale)], tree=tree)
            got1["code"] = name
            mem.append(got1)
            print(
                f"{name:16} memory: {scale:,} synthetic docs: peak RSS "
                f"{got1['peak_rss_mb']:,.0f} MB, cpu {got1['cpu_s']:.0f}s, "
                f"wall {got1['wall_s']:.0f}s",
                flush=True,
            )
    _write(args.out, rows, mem)
    return 0


def _write(
    out: Path, rows: list[dict[str, object]], mem: list[dict[str, object]]
) -> None:
    base = {
        (r["corpus"], r["stats"]): float(r["docs_per_cpu_s"])  # type: ignore[arg-type]
        for r in rows
        if str(r["code"]).startswith("baseline")
    }
    lines = [
        "# Passages throughput and memory",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"{platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cpus · python {platform.python_version()} · "
        f"`python -m benchmarks.passages {' '.join(sys.argv[1:])}`",
        "",
        "One numba and one polars thread; docs/s per core = documents / CPU seconds "
        "of the worker process (median over rounds, each the median of its runs). "
        "The machine is shared: load is the 1-minute load average during the "
        "runs, and a baseline is measured in the same run, alternating with the "
        "current code.",
        "",
        "| code | corpus | docs | words/doc | stats | docs/s per core | vs baseline "
        "| CPU s | wall s | load | stages, CPU s |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ref = base.get((r["corpus"], r["stats"]))
        ratio = f"{float(r['docs_per_cpu_s']) / ref:.2f}x" if ref else ""  # type: ignore[arg-type]
        lines.append(
            f"| {r['code']} | {r['corpus']} | {r['docs']:,} | {r['words_per_doc']} | "
            f"{r['stats']} | {r['docs_per_cpu_s']:,.0f} | {ratio} | {r['cpu_s']:.2f} | "
            f"{r['wall_s']:.2f} | {r['load']:.1f} | "
            f"{r.get('stages_cpu_s') or r['stages_s']} |"
        )
    lines += [
        "",
        "Peak memory, synthetic600 streamed (600-word articles generated batch by "
        "batch):",
        "",
        "| code | docs | peak RSS MB | by stage | CPU s | wall s | candidates "
        "| n-grams indexed | passages |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for m in mem:
        lines.append(
            f"| {m['code']} | {m['docs']:,} | {m['peak_rss_mb']:,.0f} | "
            f"{m.get('peak_rss_mb_by_stage', '')} | {m['cpu_s']:.0f} | "
            f"{m['wall_s']:.0f} | {m['candidates']:,} | "
            f"{m['ngrams_indexed']:,} | {m['passages']} |"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
