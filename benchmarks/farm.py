"""Farm classifier benchmark: throughput per core and held-out accuracy.

    python -m benchmarks.farm [--data DIR] [--threads 1] [--repeat 3] [--accuracy]
                              [--baseline REF] [--planted N]
                              [--out benchmarks/results/farm_bench.md]

Throughput: the whole of ``dedup.farm.score_articles`` (segmentation,
features, model, reasons, article statistics, output frames) on real
articles, in batches of 20,000, after one warm-up run (numba compiles on
first use); the median of ``--repeat`` runs. Numba and polars are pinned to
``--threads`` threads (1 by default: articles/s *per core*). Corpora:
Reuters-21578 (short wire items, ~0.9 kB) and the gold main text of the
boilerplate sets (longer web articles, ~6.6 kB), when the shared data is there;
``--planted`` (5,000) of the ~600-word articles of :mod:`benchmarks.corpus`
(the length issue #5 states its per-article target for), as they are (ASCII,
from Reuters) and with the curly quotes, dashes and ellipses of web text
(:func:`typographic`); the seed articles repeated.

``--baseline REF`` also times git revision *REF* (e.g. ``main``) on the same
corpora in the same run: REF is checked out in a temporary worktree and
measured in a child process that imports its ``dedup`` (numba compiles it
afresh there; the warm-up run absorbs that). The table then gives the ratio of
articles per CPU-second, this tree over REF. Runs alternate between the two
trees so that a change in the machine's load hits both.

Accuracy (``--accuracy``): rebuilds the training data exactly as
``python -m dedup.farm.train`` does and scores the *shipped* model on the
held-out quarter: recall / precision per filler family and false positives
on real news paragraphs. Leave-one-family-out numbers come from the training
command (they need one model per family) and are in
``benchmarks/results/farm.md``.
"""

from __future__ import annotations

import argparse
import os
import sys


def _pin_threads(argv: list[str]) -> None:
    # Thread pools are sized at import; pin them before numba/polars load.
    n = "1"
    if "--threads" in argv:
        n = argv[argv.index("--threads") + 1]
    os.environ.setdefault("NUMBA_NUM_THREADS", n)
    os.environ.setdefault("POLARS_MAX_THREADS", n)


_pin_threads(sys.argv)

import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import polars as pl  # noqa: E402

from dedup.farm import FarmConfig, score_articles  # noqa: E402
from dedup.farm.data import boilerplate_articles, find_data  # noqa: E402
from dedup.pipeline import FrameSource  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "farm_bench.md"


def reuters_frame(data: Path) -> pl.DataFrame:
    ids, texts = [], []
    with (data / "reuters21578" / "reuters21578.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            body = (rec.get("body") or "").replace("\x03", "")
            if body.strip():
                ids.append(str(rec["newid"]))
                texts.append(f"{rec['title']}\n\n{body}")
    return pl.DataFrame({"doc_id": ids, "text": texts})


def gold_frame(data: Path) -> pl.DataFrame:
    arts = [a for a in boilerplate_articles(data) if a.doc_id.endswith(":gold")]
    return pl.DataFrame(
        {"doc_id": [a.doc_id for a in arts], "text": [a.text for a in arts]}
    )


def seeds_frame(times: int) -> pl.DataFrame:
    files = sorted((REPO / "seeds").glob("*.txt"))
    texts = [f.read_text("utf-8") for f in files]
    return pl.DataFrame(
        {
            "doc_id": [f"{k}:{f.stem}" for k in range(times) for f in files],
            "text": texts * times,
        }
    )


def planted_frame(docs: int, data: Path | None) -> pl.DataFrame:
    """The first *docs* ~600-word articles of :mod:`benchmarks.corpus`."""
    from benchmarks.corpus import Spec, ensure, load_pool, shards

    out = Path(tempfile.gettempdir()) / "dedup-farm-bench-planted"
    ensure(Spec(docs=docs), out, load_pool(data))
    return pl.read_parquet(shards(out)).head(docs).select("doc_id", "text")


def typographic(frame: pl.DataFrame) -> pl.DataFrame:
    r"""*frame* with the punctuation of web text: curly quotes, dashes, ellipses.

    The planted articles come from Reuters wire text, which is pure ASCII;
    articles crawled from the web rarely are. A text with any non-ASCII
    character takes the slower, Unicode-aware paths (its repetition
    statistics are tokenised again; an ellipsis or a no-break space needs
    NFKC), so the same articles with typographic punctuation show what a
    crawl of web pages costs.

        >>> typographic(pl.DataFrame({"text": ['He said "it\'s done"... -- no']}))[
        ...     "text"
        ... ].item()
        'He said “it’s done”… — no'
    """
    text = (
        pl.col("text")
        .str.replace_all(r"\.\.\.", "\u2026")
        .str.replace_all(" -- ", " \u2014 ", literal=True)
        .str.replace_all(" - ", " \u2013 ", literal=True)
        .str.replace_all("'", "\u2019", literal=True)
        .str.replace_all(r'(^|[\s(])"', "${1}\u201c")
        .str.replace_all('"', "\u201d", literal=True)
    )
    return frame.with_columns(text)


def warm_up(frame: pl.DataFrame) -> None:
    """Compile the kernels and load the model before anything is timed."""
    score_articles(FrameSource(frame.head(200)), FarmConfig(paragraphs="flagged"))


def timed_run(frame: pl.DataFrame) -> dict[str, float]:
    """Wall and CPU seconds of one ``score_articles`` over *frame*, and its stages."""
    config = FarmConfig(paragraphs="flagged")
    clock, cpu_clock = time.perf_counter(), time.process_time()
    result = score_articles(FrameSource(frame, batch_size=20_000), config)
    return {
        "seconds": time.perf_counter() - clock,
        # CPU time of the process: on a shared machine wall time also counts
        # other jobs' turns on the core; with one thread this is per core.
        "cpu_seconds": time.process_time() - cpu_clock,
        "paragraphs": result.stats.paragraphs,
        **{f"s_{k}": v for k, v in result.stats.seconds.items()},
    }


def summary(frame: pl.DataFrame, runs: list[dict[str, float]]) -> dict[str, float]:
    """Medians of *runs* and the rates they give."""
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    mb = frame["text"].str.len_bytes().sum() / 1e6
    return {
        **med,
        "articles": frame.height,
        "mb": mb,
        "articles_per_s": frame.height / med["seconds"],
        "articles_per_cpu_s": frame.height / med["cpu_seconds"],
        "mb_per_s": mb / med["seconds"],
    }


@contextlib.contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """A temporary git worktree of *ref* (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="farm-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )


class Child:
    """A process that times ``score_articles`` of another tree on request.

    It imports ``dedup`` from *tree* (first on ``PYTHONPATH``) and runs this
    file's own :func:`child_main`, so both trees are timed by the same code.
    """

    def __init__(self, tree: Path, frame_path: Path, threads: str) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "NUMBA_NUM_THREADS": threads,
            "POLARS_MAX_THREADS": threads,
        }
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(frame_path)],
            env=env,
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._ask("warm")

    def _ask(self, what: str) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the baseline process died (see its stderr above)")
        out: dict[str, float] = json.loads(line)
        return out

    def run(self) -> dict[str, float]:
        return self._ask("run")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def child_main(frame_path: str) -> int:
    """Serve ``warm``/``run`` requests on stdin with JSON lines on stdout."""
    frame = pl.read_parquet(frame_path)
    for line in sys.stdin:
        if line.strip() == "warm":
            warm_up(frame)
            print(json.dumps({}), flush=True)
        else:
            print(json.dumps(timed_run(frame)), flush=True)
    return 0


def throughput(
    frame: pl.DataFrame, repeat: int, baseline: Path | None, threads: str
) -> tuple[dict[str, float], dict[str, float] | None]:
    """This tree's (and the baseline's) medians over *repeat* alternating runs.

    Both trees are timed in child processes of the same shape, each holding
    only this corpus. Timed in this process, this tree carried the heap of
    every corpus read before (more objects for the garbage collector to walk
    while the reasons are built) and the last corpus, the flag-heavy seeds,
    came out 10-15% slower than the same code in a child.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.parquet"
        frame.write_parquet(path)
        trees = [REPO] if baseline is None else [REPO, baseline]
        children: list[Child] = []
        runs: list[list[dict[str, float]]] = [[] for _ in trees]
        try:
            for tree in trees:
                children.append(Child(tree, path, threads))
            for _ in range(repeat):
                for child, out in zip(children, runs, strict=True):
                    out.append(child.run())
        finally:
            for child in children:
                child.close()
    mine = summary(frame, runs[0])
    return mine, (summary(frame, runs[1]) if baseline is not None else None)


def accuracy(data: Path) -> list[str]:
    from dedup.farm import load_bundled
    from dedup.farm.train import evaluate, featurise, load_articles

    model = load_bundled()
    rows = featurise(load_articles(data, quick=False).articles, model.resources)
    res = evaluate(rows, model.classifier)
    lines = ["## Shipped model on the held-out quarter", ""]
    lines += ["| family | paragraphs | recall | precision |", "|---|---:|---:|---:|"]
    for fam, s in res["families"].items():
        lines.append(
            f"| {fam} | {s.tp + s.fn:,} | {s.recall:.3f} | {s.precision:.3f} |"
        )
    lines += ["", "| negatives | paragraphs | FPR |", "|---|---:|---:|"]
    for k, s in {
        **res["negatives"],
        **{f"hard: {k}": v for k, v in res["hard"].items()},
    }.items():
        lines.append(f"| {k} | {s.fp + s.tn:,} | {100 * s.fpr:.2f}% |")
    return lines


def row(name: str, r: dict[str, float]) -> str:
    return (
        f"| {name} | {r['articles']:,.0f} | {r['paragraphs']:,.0f} | {r['mb']:.1f} | "
        f"{r['seconds']:.2f} | {r['articles_per_s']:,.0f} | "
        f"{r['cpu_seconds']:.2f} | {r['articles_per_cpu_s']:,.0f} | "
        f"{r['mb_per_s']:.1f} | "
        f"{r['s_features']:.2f} | {r['s_model']:.2f} | {r['s_output']:.2f} |"
    )


def main() -> int:
    if "--child" in sys.argv:
        return child_main(sys.argv[sys.argv.index("--child") + 1])
    parser = argparse.ArgumentParser(prog="python -m benchmarks.farm")
    parser.add_argument("--data")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--planted", type=int, default=5000, metavar="N")
    parser.add_argument("--baseline", metavar="REF")
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    data = find_data(args.data, REPO)
    corpora = {}
    if data is not None:
        corpora["Reuters-21578 (wire items)"] = reuters_frame(data)
        corpora["boilerplate gold main text (web articles)"] = gold_frame(data)
    else:
        print("no shared data: timing the seeds repeated", file=sys.stderr)
    if args.planted:
        planted = planted_frame(args.planted, data)
        corpora["planted ~600-word articles (benchmarks.corpus)"] = planted
        corpora["the same, typographic punctuation (’ “ ” – — …)"] = typographic(
            planted
        )
    corpora["seeds x400 (long farm-style articles)"] = seeds_frame(400)
    command = f"python -m benchmarks.farm --threads {args.threads}" + (
        f" --baseline {args.baseline}" if args.baseline else ""
    )
    head = (
        "| corpus | articles | paragraphs | MB | seconds | articles/s | CPU s | "
        "articles per CPU-s | MB/s | features s | model s | output s |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    lines = [
        "# Farm benchmark",
        "",
        f"`{command}` on {dt.date.today()}, "
        f"{platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numba threads "
        f"{numba.get_num_threads()}, median of {args.repeat} runs after a warm-up.",
        "",
        f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores. *CPU s* is the process's CPU time: with one thread, articles per "
        "CPU-second is the rate per core that other jobs on the machine do not "
        "distort.",
        "",
        head,
        rule,
    ]
    results = []
    with contextlib.ExitStack() as stack:
        tree = (
            stack.enter_context(baseline_tree(args.baseline)) if args.baseline else None
        )
        for name, frame in corpora.items():
            mine, theirs = throughput(frame, args.repeat, tree, args.threads)
            print(f"{name}: {mine['articles_per_s']:,.0f} articles/s", file=sys.stderr)
            lines.append(row(name, mine))
            results.append((name, mine, theirs))
    if args.baseline:
        lines += ["", f"Baseline `{args.baseline}`, measured in the same run:", ""]
        lines += [head, rule]
        lines += [row(name, theirs) for name, _, theirs in results if theirs]
        lines += [
            "",
            "| corpus | articles per CPU-s, this tree | baseline | ratio |",
            "|---|---:|---:|---:|",
        ]
        for name, mine, theirs in results:
            if theirs:
                a, b = mine["articles_per_cpu_s"], theirs["articles_per_cpu_s"]
                lines.append(f"| {name} | {a:,.0f} | {b:,.0f} | {a / b:.2f}x |")
    if args.accuracy and data is not None:
        lines += ["", *accuracy(data)]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
