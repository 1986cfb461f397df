"""Shared test settings."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings

# The first call of a numba kernel compiles it; no per-example deadline.
settings.register_profile(
    "dedup", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("dedup")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"
