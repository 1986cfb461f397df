"""Throughput of each scan stage, and peak memory, on a generated corpus.

    python -m benchmarks.throughput --docs 100000 --threads 2 [--runs 3] [--write]

Each run is a fresh child process (so peak RSS is the run's own and numba,
polars and pyarrow are held to the thread count from the start; numba kernels
come from the on-disk cache) on the first ``--docs`` documents of the corpus
made by :mod:`benchmarks.corpus` (generated under ``benchmarks/.work/`` when
missing). In the child:

1. **read**: the shards read alone, batch by batch, with dedup's Parquet
   reader (:class:`benchmarks.shards.ShardsSource`); this also warms the page
   cache, so the scan below reads from memory as the read pass did;
2. the real :func:`dedup.pipeline.scan` over the same source, whose own
   timings give **signatures** (read + normalise + shingle + MinHash + band
   keys; *normalize+shingle+signature* below is this minus the read pass),
   **candidates** (LSH), **verification** (exact overlap + template check) and
   **clusters**;
   The template check's own time (part of verification) is measured by
   wrapping the pipeline's call of it;
3. with ``--write``, the outputs written as the CLI writes them (docs and
   pairs Parquet): the end-to-end figure.

Peak RSS is sampled every 5 ms by a psutil thread and checked against
``ru_maxrss``. Printed: one JSON object per run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / ".work"


def corpus_dir(seed: int = 7) -> Path:
    return WORK / f"corpus-seed{seed}"


def child_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NUMBA_NUM_THREADS=str(threads),
        POLARS_MAX_THREADS=str(threads),
        OMP_NUM_THREADS=str(threads),
        RAYON_NUM_THREADS=str(threads),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def _child(folder: Path, docs: int, threads: int, write: bool) -> dict[str, object]:
    import numba
    import polars as pl
    import psutil
    import pyarrow as pa

    from benchmarks import corpus
    from benchmarks.shards import ShardsSource
    from dedup.pipeline import scan

    numba.set_num_threads(threads)
    pa.set_cpu_count(threads)
    manifest = json.loads((folder / "manifest.json").read_text())
    per_shard = int(manifest["shard_docs"])
    if int(manifest["docs"]) < docs:
        raise SystemExit(f"the corpus at {folder} has fewer than {docs:,} documents")
    paths = corpus.shards(folder)[: -(-docs // per_shard)]

    proc = psutil.Process()
    # Load the compiled kernels first: the baseline includes numba.
    scan(ShardsSource(paths[:1], batch_size=100))
    baseline = proc.memory_info().rss
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    t0 = time.perf_counter()
    c0 = time.process_time()
    text_bytes = 0
    n = 0
    for batch in ShardsSource(paths, limit=docs).batches():
        text_bytes += int(batch["text"].str.len_bytes().sum() or 0)
        n += batch.height
    read_s = time.perf_counter() - t0
    read_cpu = time.process_time() - c0

    # Time spent aligning words (the template check and the edited-copy
    # rule), a part of verification: the stage's own call is wrapped.
    import dedup.verify_stage as verify_stage

    inner = verify_stage.alignment_counts
    template = [0.0, 0]

    def timed(*args: Any) -> Any:
        t = time.perf_counter()
        out = inner(*args)
        template[0] += time.perf_counter() - t
        template[1] += len(args[1])
        return out

    verify_stage.alignment_counts = timed
    c0 = time.process_time()
    t0 = time.perf_counter()
    result = scan(ShardsSource(paths, limit=docs))
    scan_s = time.perf_counter() - t0
    scan_cpu = time.process_time() - c0
    write_s = 0.0
    if write:
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            t0 = time.perf_counter()
            result.docs.write_parquet(Path(tmp) / "docs.parquet")
            result.pairs.write_parquet(Path(tmp) / "pairs.parquet")
            write_s = time.perf_counter() - t0
    stop.set()
    sampler.join()
    peak[0] = max(peak[0], proc.memory_info().rss)
    st = result.stats
    return {
        "docs": n,
        "threads": threads,
        "text_bytes": text_bytes,
        "read": read_s,
        "read_cpu": read_cpu,
        "scan": scan_s,
        "scan_cpu": scan_cpu,
        "write": write_s,
        "stages": dict(st.seconds),
        "template_check": template[0],
        "template_checks": template[1],
        "candidates": st.candidates,
        "dropped_on_agreement": st.dropped_on_agreement,
        "duplicate_pairs": st.duplicate_pairs,
        "template_pairs": st.template_pairs,
        "clusters": st.clusters,
        "text_store_bytes": st.text_store_bytes,
        "bands": [st.bands, st.rows],
        "baseline_rss": baseline,
        "peak_rss": peak[0],
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "polars_threads": pl.thread_pool_size(),
    }


def run(
    docs: int, threads: int, write: bool = False, folder: Path | None = None
) -> dict[str, object]:
    """One measured run in a fresh child process."""
    cmd = [sys.executable, "-m", "benchmarks.throughput", "--child",
           "--docs", str(docs), "--threads", str(threads),
           "--corpus", str(folder or corpus_dir())]  # fmt: skip
    if write:
        cmd.append("--write")
    import psutil

    # The parent samples the child's RSS too: when the kernel kills the child
    # for memory, the figure that killed it is still known.
    seen = 0
    t0 = time.perf_counter()
    # Output goes to files, not pipes, so a chatty child can never block.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, text=True, env=child_env(threads), cwd=REPO
        )
        watch = psutil.Process(proc.pid)
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                seen = max(seen, watch.memory_info().rss)
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        why = (
            f"killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"exit status {proc.returncode}: {stderr.strip()[-300:]}"
        )
        return {"failed": why, "docs": docs, "threads": threads,
                "seconds_until_failure": time.perf_counter() - t0,
                "peak_rss_seen": seen}  # fmt: skip
    return json.loads(stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--write", action="store_true", help="also write the outputs")
    ap.add_argument("--corpus", type=Path, default=None, help="corpus folder")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    folder = args.corpus or corpus_dir()
    if args.child:
        print(json.dumps(_child(folder, args.docs, args.threads, args.write)))
        return 0
    from benchmarks import corpus

    corpus.ensure(corpus.Spec(max(args.docs, corpus.Spec.shard_docs)), folder)
    for _ in range(args.runs):
        print(json.dumps(run(args.docs, args.threads, args.write, folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
