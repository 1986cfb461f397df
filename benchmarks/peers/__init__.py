"""Peers that need their own virtual environment, and the scripts run in them.

:func:`ensure_venv` makes ``benchmarks/.work/venvs/NAME`` with the ordinary
``pip`` from PyPI (once; cached) and :func:`run_peer` runs the peer's driver
script there on a folder of Parquet files. When a peer will not install, the
reason (pip's last lines) is returned instead, for the results to record.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENVS = HERE.parents[0] / ".work" / "venvs"

#: name -> (pip requirements, driver script). datatrove's MinHash steps import
#: spaCy (word tokenizer), pyarrow (Parquet reader) and orjson (JSONL writer)
#: without declaring them for the "processing" extra.
PEERS: dict[str, tuple[list[str], str]] = {
    "text-dedup": (["text-dedup"], "text_dedup_run.py"),
    "datatrove": (
        ["datatrove[processing]", "pyarrow", "spacy", "orjson"],
        "datatrove_run.py",
    ),
}


@dataclass
class PeerRun:
    """What a peer's driver reported, or why it could not run."""

    name: str
    ok: bool
    seconds: dict[str, float]
    wall: float
    peak_rss: int
    clusters: dict[str, str]
    setting: str
    version: str
    error: str = ""


def _python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def ensure_venv(name: str) -> tuple[bool, str]:
    """(installed, pip's last words on failure) for peer *name*."""
    reqs, _ = PEERS[name]
    py = _python(name)
    marker = VENVS / name / ".installed"
    if marker.is_file() and marker.read_text() == json.dumps(reqs):
        return True, ""
    VENVS.mkdir(parents=True, exist_ok=True)
    try:
        if not py.exists():
            subprocess.run(
                [sys.executable, "-m", "venv", str(VENVS / name)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", *reqs],
            check=True, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        tail = [ln for ln in (exc.stderr or "").splitlines() if "WARNING" not in ln]
        return False, " ".join(tail[-3:])[:400] or f"exit status {exc.returncode}"
    except subprocess.TimeoutExpired:
        return False, "pip install did not finish in 30 minutes"
    marker.write_text(json.dumps(reqs))
    return True, ""


def version(name: str) -> str:
    dist = name.replace("-", "_") if name == "text-dedup" else name
    out = subprocess.run(
        [str(_python(name)), "-c",
         f"from importlib.metadata import version; print(version({dist!r}))"],
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip() or "?"


def run_peer(name: str, folder: Path, work: Path, cores: int) -> PeerRun:
    """Run peer *name* on the Parquet files of *folder* with *cores* processes."""
    ok, why = ensure_venv(name)
    if not ok:
        return PeerRun(name, False, {}, 0.0, 0, {}, "", "", f"install failed: {why}")
    _, script = PEERS[name]
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(_python(name)), str(HERE / script), str(folder), str(work), str(cores)],
        capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    if out.returncode:
        tail = " ".join(out.stderr.strip().splitlines()[-2:])[:400]
        return PeerRun(name, False, {}, wall, 0, {}, "", version(name), tail)
    rep = json.loads(out.stdout.strip().splitlines()[-1])
    clusters = json.loads(Path(rep["clusters"]).read_text())
    return PeerRun(
        name, True, rep["seconds"], wall, int(rep["peak_rss"]), clusters,
        rep["setting"], version(name),
    )  # fmt: skip
