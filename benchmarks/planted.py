"""dedup and its peers on the same planted-duplicate documents: accuracy and speed.

    python -m benchmarks.planted [--docs 5000] [--out FILE.json]

The first ``--docs`` documents of the generated corpus (two Parquet files, so
the peers' own pipelines get two input tasks) are deduplicated by:

* **dedup**: :func:`dedup.pipeline.scan` at its defaults, one and two threads
  (fresh child processes, as :mod:`benchmarks.throughput`);
* **datasketch**: ``MinHash.bulk`` (128 permutations) over word 5-grams of
  dedup's tokens, then ``MinHashLSH`` at its default threshold 0.9, and at
  0.5 (its best F1 on the Reuters gold pairs, ``results/accuracy.md``);
  clusters = connected components of the LSH query results;
* **rensa**: ``RMinHashDeduplicator(threshold=0.8)`` (its README example) and
  0.4 (its best on the Reuters gold pairs);
* **text-dedup** ``python -m text_dedup.minhash`` and **datatrove**'s four
  MinHash stages, each with its defaults, in its own virtual environment
  (:mod:`benchmarks.peers`), one process.

Every method is scored with :mod:`benchmarks.scoring` against the truth.
Timings: one run each (the peers are slow), wall seconds from the text to the
clusters; the datasketch/rensa rows include making the shingles in Python.
Printed: one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks import accuracy, corpus, scoring
from benchmarks.peers import run_peer
from benchmarks.throughput import WORK, corpus_dir

REPO = Path(__file__).resolve().parents[1]


def subset(folder: Path, docs: int) -> tuple[Path, pl.DataFrame, pl.DataFrame]:
    """The first *docs* documents as two Parquet files; (folder, docs, truth)."""
    per_shard = json.loads((folder / "manifest.json").read_text())["shard_docs"]
    need = -(-docs // per_shard)
    frame = pl.concat([pl.read_parquet(p) for p in corpus.shards(folder)[:need]]).head(
        docs
    )
    truth = pl.concat(
        [pl.read_parquet(p) for p in corpus.shards(folder, "truth")[:need]]
    ).head(docs)
    out = WORK / f"planted-{docs}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    half = docs // 2
    frame.head(half).write_parquet(out / "part-0.parquet")
    frame.slice(half).write_parquet(out / "part-1.parquet")
    return out, frame, truth


def _score(
    truth: pl.DataFrame, ids: Sequence[str], labels: Sequence[str]
) -> dict[str, object]:
    pred = pl.DataFrame({"doc_id": list(ids), "pred": [str(x) for x in labels]})
    frame = scoring.labelled(truth, pred)
    s = scoring.overall(frame)
    return {
        "precision": s.precision,
        "recall": s.recall,
        "f1": s.f1,
        "ari": s.ari,
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "by_kind": scoring.by_kind(frame).to_dicts(),
    }


def _dedup_child(folder: Path, threads: int) -> dict[str, object]:
    """dedup in a fresh process with *threads*; clusters and timings."""
    import subprocess

    from benchmarks.throughput import child_env

    code = (
        "import json,sys,time,numba,pyarrow as pa\n"
        "from pathlib import Path\n"
        "from benchmarks.shards import ShardsSource\n"
        "from dedup.pipeline import scan\n"
        f"numba.set_num_threads({threads}); pa.set_cpu_count({threads})\n"
        f"paths=sorted(Path({str(folder)!r}).glob('*.parquet'))\n"
        "scan(ShardsSource(paths[:1], batch_size=50))\n"
        "t=time.perf_counter(); c=time.process_time()\n"
        "r=scan(ShardsSource(paths))\n"
        "w=time.perf_counter()-t; cpu=time.process_time()-c\n"
        "print(json.dumps({'wall':w,'cpu':cpu,'stages':r.stats.seconds,"
        "'ids':r.docs['doc_id'].to_list(),'labels':r.docs['cluster_id'].to_list()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True,
        env=child_env(threads), cwd=REPO,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(
    docs: int,
    peers: Sequence[str] = ("text-dedup", "datatrove"),
    folder: Path | None = None,
) -> dict[str, object]:
    folder = folder or corpus_dir()
    corpus.ensure(corpus.Spec(max(docs, corpus.Spec.shard_docs)), folder)
    sub, frame, truth = subset(folder, docs)
    texts = frame["text"].to_list()
    ids = frame["doc_id"].to_list()
    n_bytes = int(frame["text"].str.len_bytes().sum() or 0)
    methods: list[dict[str, object]] = []

    def add(name: str, setting: str, wall: float, cores: int, labels: Sequence[str],
            note: str = "", **extra: object) -> None:  # fmt: skip
        row: dict[str, object] = {
            "method": name, "setting": setting, "wall": wall, "cores": cores,
            "docs_s": docs / wall if wall else float("nan"), "note": note,
            **_score(truth, ids, labels), **extra,
        }  # fmt: skip
        methods.append(row)
        print(f"[planted] {name} {setting}: F1 {row['f1']:.3f}, {wall:.1f} s",
              file=sys.stderr, flush=True)  # fmt: skip

    for threads in (1, 2):
        rep = _dedup_child(sub, threads)
        add("dedup", f"defaults, {threads} thread(s)", float(rep["wall"]), threads,
            rep["labels"], cpu=rep["cpu"], stages=rep["stages"])  # fmt: skip
        id_order = rep["ids"]
        assert sorted(id_order) == sorted(ids)

    t0 = time.perf_counter()
    sh = accuracy.shingles(texts)
    t_sh = time.perf_counter() - t0
    mhs, t_mh = accuracy.datasketch_minhashes(sh)
    for thr, why in ((0.9, "MinHashLSH default"), (0.5, "best F1 on Reuters gold")):
        labels, t_lsh, (b, r) = accuracy.datasketch_labels(mhs, thr)
        add("datasketch", f"MinHashLSH(threshold={thr}) ({why})",
            t_sh + t_mh + t_lsh, 1, labels.tolist(), f"{b} bands x {r} rows",
            parts={"shingles": t_sh, "minhash": t_mh, "lsh": t_lsh})  # fmt: skip
    if accuracy.rensa_available():
        for thr, why in ((0.8, "README example"), (0.4, "best F1 on Reuters gold")):
            labels, t_r = accuracy.rensa_labels(sh, thr)
            add("rensa", f"RMinHashDeduplicator(threshold={thr}) ({why})",
                t_sh + t_r, 1, labels.tolist(),
                parts={"shingles": t_sh, "rensa": t_r})  # fmt: skip
    peer_notes: dict[str, str] = {}
    for name in peers:
        print(f"[planted] {name} ...", file=sys.stderr, flush=True)
        pr = run_peer(name, sub, WORK / f"peer-{name}", 1)
        if not pr.ok:
            peer_notes[name] = pr.error
            continue
        labels = [pr.clusters.get(i, f"_single_{i}") for i in ids]
        add(name, f"{pr.setting} (version {pr.version})", pr.wall, 1, labels,
            parts=pr.seconds, peak_rss=pr.peak_rss)  # fmt: skip
    return {
        "docs": docs,
        "text_bytes": n_bytes,
        "copies": int((truth["kind"] != corpus.ORIGINAL).sum()),
        "methods": methods,
        "peer_errors": peer_notes,
        "load": os.getloadavg(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--no-peers", action="store_true", help="skip the venv peers")
    ap.add_argument("--out", type=Path, help="also write the JSON here")
    ap.add_argument("--corpus", type=Path, help="corpus folder")
    args = ap.parse_args(argv)
    peers = () if args.no_peers else ("text-dedup", "datatrove")
    res = run(args.docs, peers, args.corpus)
    text = json.dumps(res, default=lambda o: o.tolist() if isinstance(o, np.ndarray)
                      else str(o))  # fmt: skip
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
