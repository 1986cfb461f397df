"""datatrove's MinHash deduplication (its four documented stages), run in its own venv.

    python datatrove_run.py INPUT_DIR WORK_DIR WORKERS

INPUT_DIR holds Parquet files with ``doc_id`` and ``text``. Prints one JSON
line: seconds per stage, peak RSS of this process and its workers, and the
path of a JSON file mapping doc_id to datatrove's cluster id (documents in no
cluster are left out). Defaults of ``MinhashConfig`` (5-grams, 14 buckets x 8
hashes); ``save_cluster_id=True`` only to read the clusters back.
"""

import json
import os
import resource
import shutil
import sys
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.readers import ParquetReader
from datatrove.pipeline.writers import JsonlWriter


def main() -> None:
    src, work, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    n_files = len([f for f in os.listdir(src) if f.endswith(".parquet")])
    cfg = MinhashConfig()
    logs = os.path.join(work, "logs")

    def reader():
        return ParquetReader(
            src, text_key="text", id_key="doc_id", glob_pattern="*.parquet"
        )

    def executor(pipeline, tasks, workers, n):
        return LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=workers, logging_dir=f"{logs}/{n}"
        )

    sigs, buckets, remove = f"{work}/sigs", f"{work}/buckets", f"{work}/remove"
    stages = {
        "signatures": executor(
            [reader(), MinhashDedupSignature(output_folder=sigs, config=cfg)],
            n_files, workers, 1,
        ),
        "buckets": executor(
            [MinhashDedupBuckets(input_folder=sigs, output_folder=buckets, config=cfg)],
            cfg.num_buckets, workers, 2,
        ),
        "clusters": executor(
            [MinhashDedupCluster(input_folder=buckets, output_folder=remove,
                                 config=cfg, save_cluster_id=True)],
            1, 1, 3,
        ),
        "filter": executor(
            [reader(),
             MinhashDedupFilter(input_folder=remove, load_cluster_ids=True,
                                exclusion_writer=JsonlWriter(f"{work}/removed")),
             JsonlWriter(f"{work}/kept")],
            n_files, workers, 4,
        ),
    }  # fmt: skip
    seconds = {}
    for name, ex in stages.items():
        t0 = time.perf_counter()
        ex.run()
        seconds[name] = time.perf_counter() - t0
    # Read the clusters back from both outputs.
    import gzip

    clusters = {}
    for sub in ("kept", "removed"):
        folder = os.path.join(work, sub)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            opener = gzip.open if name.endswith(".gz") else open
            with opener(os.path.join(folder, name), "rt") as f:
                for line in f:
                    doc = json.loads(line)
                    cid = doc.get("metadata", {}).get("minhash_cluster_id", -1)
                    if cid is not None and cid >= 0:
                        clusters[doc["id"]] = f"dt{cid}"
    out = os.path.join(work, "clusters.json")
    with open(out, "w") as f:
        json.dump(clusters, f)
    rss = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        * 1024
    )
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss": rss,
                "clusters": out,
                "setting": f"MinhashConfig() defaults: {cfg.n_grams}-grams, "
                f"{cfg.num_buckets} buckets x {cfg.hashes_per_bucket} hashes",
            }
        )
    )


if __name__ == "__main__":
    main()
