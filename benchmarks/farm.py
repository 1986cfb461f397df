"""Farm classifier benchmark: throughput per core and held-out accuracy.

    python -m benchmarks.farm [--data DIR] [--threads 1] [--repeat 3] [--accuracy]
                              [--out benchmarks/results/farm_bench.md]

Throughput: the whole of ``dedup.farm.score_articles`` (segmentation,
features, model, reasons, article statistics, output frames) on real
articles, in batches of 20,000, after one warm-up run (numba compiles on
first use); the median of ``--repeat`` runs. Numba and polars are pinned to
``--threads`` threads (1 by default: articles/s *per core*). Corpora:
Reuters-21578 (short wire items, ~0.8 kB) and the gold main text of the
boilerplate sets (longer web articles, ~4 kB), when the shared data is there;
the seed articles repeated otherwise.

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

import datetime as dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
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


def throughput(frame: pl.DataFrame, repeat: int) -> dict[str, float]:
    config = FarmConfig(paragraphs="flagged")
    score_articles(FrameSource(frame.head(200)), config)  # compile, load model
    runs, cpu, stages = [], [], []
    for _ in range(repeat):
        clock, cpu_clock = time.perf_counter(), time.process_time()
        result = score_articles(FrameSource(frame, batch_size=20_000), config)
        runs.append(time.perf_counter() - clock)
        # CPU time of the process: on a shared machine wall time also counts
        # other jobs' turns on the core; with one thread this is per core.
        cpu.append(time.process_time() - cpu_clock)
        stages.append(result.stats.seconds)
    best = statistics.median(runs)
    cpu_s = statistics.median(cpu)
    mb = frame["text"].str.len_bytes().sum() / 1e6
    return {
        "articles": frame.height,
        "paragraphs": result.stats.paragraphs,
        "mb": mb,
        "seconds": best,
        "articles_per_s": frame.height / best,
        "cpu_seconds": cpu_s,
        "articles_per_cpu_s": frame.height / cpu_s,
        "mb_per_s": mb / best,
        **{f"s_{k}": statistics.median(s[k] for s in stages) for k in stages[0]},
    }


def accuracy(data: Path) -> list[str]:
    from dedup.farm import load_bundled
    from dedup.farm.train import evaluate, featurise, load_articles

    model = load_bundled()
    articles, _ = load_articles(data, quick=False)
    rows = featurise(articles, model.resources)
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


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.farm")
    parser.add_argument("--data")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--repeat", type=int, default=3)
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
    corpora["seeds x400 (long farm-style articles)"] = seeds_frame(400)
    lines = [
        "# Farm benchmark",
        "",
        f"`python -m benchmarks.farm --threads {args.threads}` on {dt.date.today()}, "
        f"{platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numba threads "
        f"{numba.get_num_threads()}, median of {args.repeat} runs after a warm-up.",
        "",
        f"Load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores. *CPU s* is the process's CPU time: with one thread, articles per "
        "CPU-second is the rate per core that other jobs on the machine do not "
        "distort.",
        "",
        "| corpus | articles | paragraphs | MB | seconds | articles/s | CPU s | "
        "articles per CPU-s | MB/s | features s | model s | output s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, frame in corpora.items():
        r = throughput(frame, args.repeat)
        print(f"{name}: {r['articles_per_s']:,.0f} articles/s", file=sys.stderr)
        lines.append(
            f"| {name} | {r['articles']:,} | {r['paragraphs']:,} | {r['mb']:.1f} | "
            f"{r['seconds']:.2f} | {r['articles_per_s']:,.0f} | "
            f"{r['cpu_seconds']:.2f} | {r['articles_per_cpu_s']:,.0f} | "
            f"{r['mb_per_s']:.1f} | "
            f"{r['s_features']:.2f} | {r['s_model']:.2f} | {r['s_output']:.2f} |"
        )
    if args.accuracy and data is not None:
        lines += ["", *accuracy(data)]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
