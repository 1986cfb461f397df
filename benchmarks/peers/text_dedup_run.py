"""text-dedup's MinHash pipeline (``python -m text_dedup.minhash``) in its venv.

    python text_dedup_run.py INPUT_DIR WORK_DIR NUM_PROC

Runs the module's CLI with its defaults (5-grams, 250 permutations, threshold
0.7, sha1) on the Parquet files of INPUT_DIR (``doc_id``, ``text``), with
``--debug`` so the union-find is saved, and prints one JSON line: seconds
(text-dedup's own timer, per stage, read from its log), peak RSS and the path
of a JSON file mapping doc_id to its cluster (the smallest doc_id of it).
"""

import glob
import json
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import time

STAGES = "Total|Loading|MinHashing|Clustering|Filtering|Saving|Cleaning"
STAGE = re.compile(rf"({STAGES})\s*:\s*([\d.]+)s")

STAGE = re.compile(
    r"(Total|Loading|MinHashing|Clustering|Filtering|Saving|Cleaning)\s*:\s*([\d.]+)s"
)


def main() -> None:
    src, work, num_proc = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    files = sorted(glob.glob(os.path.join(src, "*.parquet")))
    env = dict(
        os.environ,
        HF_DATASETS_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        HF_DATASETS_CACHE=os.path.join(work, "hf"),
    )
    cmd = [
        sys.executable,
        "-m",
        "text_dedup.minhash",
        "--path",
        "parquet",
        "--data_files",
        json.dumps(files) if len(files) > 1 else files[0],
        "--split",
        "train",
        "--cache_dir",
        os.path.join(work, "cache"),
        "--output",
        os.path.join(work, "out"),
        "--column",
        "text",
        "--idx_column",
        "doc_id",
        "--num_proc",
        num_proc,
        "--debug",
    ]
    if len(files) > 1:  # load_dataset takes a list; the CLI a string
        cmd[cmd.index("--data_files") + 1] = os.path.join(src, "*.parquet")
    t0 = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if run.returncode:
        sys.stderr.write(run.stderr[-3000:])
        sys.exit(run.returncode)
    seconds = {}
    for line in (run.stdout + run.stderr).splitlines():
        m = STAGE.search(line)
        if m:
            seconds[m.group(1)] = float(m.group(2))
    seconds["wall"] = wall
    sys.path.insert(0, os.path.dirname(os.__file__))
    with open(os.path.join(work, "out", "uf.pkl"), "rb") as f:
        uf = pickle.load(f)
    clusters = {str(k): str(uf.find(k)) for k in uf.parent}
    out = os.path.join(work, "clusters.json")
    with open(out, "w") as f:
        json.dump(clusters, f)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss": rss,
                "clusters": out,
                "setting": "python -m text_dedup.minhash defaults: 5-grams, "
                "250 permutations, threshold 0.7, sha1",
            }
        )
    )


if __name__ == "__main__":
    main()
