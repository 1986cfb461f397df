"""Peak RSS of a scan, stage by stage, on the generated corpus.

    python -m benchmarks.memory_stages --docs 1000000 [--corpus DIR]

Runs :func:`dedup.pipeline.scan` over the first ``--docs`` documents of the
corpus made by :mod:`benchmarks.corpus` (the suite's, seed 7, by default) and
samples the process's RSS every 5 ms, attributing each sample to the stage the
scan is in (its progress reports, plus markers around the re-read and the
verification). Prints the wall time, the candidate count, the scan's own stage
timings and the peak RSS of each stage: where memory goes, which
:mod:`benchmarks.throughput` (one peak per run) does not say.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from benchmarks import corpus
from benchmarks.shards import ShardsSource
from benchmarks.throughput import corpus_dir


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.memory_stages``."""
    import dedup.pipeline as pipeline

    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory_stages")
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--corpus", type=Path, default=None, help="corpus folder")
    args = ap.parse_args(argv)
    folder = args.corpus or corpus_dir()
    if not (folder / "manifest.json").exists():
        raise SystemExit(
            f"no corpus at {folder}: make one with python -m benchmarks.corpus "
            f"--docs {args.docs} --out {folder}"
        )
    stage = ["start"]
    peaks: dict[str, int] = {}
    done = threading.Event()
    proc = psutil.Process()

    def sample() -> None:
        while not done.is_set():
            rss = proc.memory_info().rss
            peaks[stage[0]] = max(peaks.get(stage[0], 0), rss)
            time.sleep(0.005)

    def marked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            stage[0] = name
            out = fn(*a, **k)
            stage[0] = f"after {name}"
            return out

        return wrapper

    # Verification and the similarity to the canonical member report no
    # progress of their own at the start; mark them so their memory is not
    # counted to the stage before.
    pipeline.verify_pairs = marked("verification", pipeline.verify_pairs)
    pipeline._similarity_to_canonical = marked(
        "similarity to canonical", pipeline._similarity_to_canonical
    )

    def report(name: str, done_: int, total: int | None) -> None:
        stage[0] = name

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    clock = time.perf_counter()
    result = pipeline.scan(
        ShardsSource(corpus.shards(folder), limit=args.docs), progress=report
    )
    wall = time.perf_counter() - clock
    done.set()
    sampler.join()
    print(
        f"{result.stats.documents:,} documents, {result.stats.candidates:,} "
        f"candidate pairs, {wall:.1f} s wall; stages (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.stats.seconds.items())
    )
    for name, rss in peaks.items():
        print(f"  {name:24s} peak {rss / 2**30:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
