"""Shared paths and loaders for the farm tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
LABELS = Path(__file__).resolve().parent / "seed_labels.json"


def shared_data() -> Path | None:
    """The shared data folder, or None when it is not there."""
    for cand in (os.environ.get("DEDUP_SHARED_DATA"), ROOT.parent / "shared" / "data"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


def seed_frame() -> pl.DataFrame:
    files = sorted(SEEDS.glob("*.txt"))
    return pl.DataFrame(
        {
            "doc_id": [f.stem for f in files],
            "text": [f.read_text("utf-8") for f in files],
        }
    )


def seed_label(doc: str, text: str) -> dict[str, object]:
    """The hand label entry of a seed paragraph ({"label": 0} when unlisted)."""
    spec = json.loads(LABELS.read_text("utf-8"))["docs"]
    doc = Path(doc).name.removesuffix(".txt")
    flat = " ".join(text.split())
    for entry in spec.get(doc, []):
        if flat.startswith(entry["starts"]):
            return dict(entry)
    return {"label": 0}
