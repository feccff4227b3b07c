"""Benchmark: parsing vs analysis (summary + segmentation) of activity files.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_activity.py

For each real file in ../shared/data/activities and for a synthetic 3-hour 1 Hz run it prints the
parse time, the analysis time (``summarize`` + ``segment``) and both as ratios to a baseline
measured in the same run: ``numpy.load`` of the same arrays from an in-memory ``.npz`` (the cost
of merely getting the numbers into memory). Target (issue 6): analysis of a 3-hour 1 Hz activity
after parsing <= 100 ms.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from runmuscles.activity import segment, summarize
from runmuscles.errors import FileFormatError
from runmuscles.io import read_activity
from runmuscles.io.track import Activity

ROOT = Path(__file__).resolve().parents[1]


def _data_dir() -> Path | None:
    for up in [ROOT, *ROOT.parents]:
        cand = up / "shared" / "data" / "activities"
        if cand.is_dir():
            return cand
    return None


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` calls, s."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def baseline(act: Activity) -> float:
    """Time to load the activity's arrays from an in-memory .npz, s."""
    buf = io.BytesIO()
    np.savez(buf, t=act.time_s, d=act.distance_m, v=act.speed_m_s, z=act.elevation_m)
    raw = buf.getvalue()

    def load() -> None:
        with np.load(io.BytesIO(raw)) as f:
            for k in f.files:
                f[k]

    return best_of(load, 20)


def analyse(act: Activity) -> None:
    summarize(act)
    segment(act)


def synthetic(hours: float = 3.0, seed: int = 0) -> Activity:
    """A hilly, noisy 1 Hz run: speed 2.5-3.5 m/s, grades +-8 %, 0.5 m elevation noise."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600)
    t = np.arange(n, dtype=float)
    v = np.clip(3.0 + 0.5 * np.sin(t / 900) + rng.normal(0, 0.2, n), 0.0, None)
    d = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]))])
    g = 0.08 * np.sin(d / 700)
    z = 300 + np.concatenate([[0.0], np.cumsum(np.diff(d) * g[1:])]) + rng.normal(0, 0.5, n)
    return Activity(
        time_s=t,
        distance_m=d,
        speed_m_s=v,
        elevation_m=z,
        paused=np.zeros(n, bool),
        cadence_steps_per_min=np.full(n, 172.0),
        source="synthetic 3 h 1 Hz",
        format="synthetic",
    )


def main() -> int:
    print(
        f"{'file':48s} {'records':>7s} {'base ms':>8s} {'parse ms':>9s} {'x base':>7s} "
        f"{'analysis ms':>11s} {'x base':>7s} {'parse/analysis':>14s}"
    )
    folder = _data_dir()
    rows = []
    if folder is None:
        print("(../shared/data/activities not found: real files skipped)")
    else:
        for path in sorted(folder.glob("*/*")):
            if path.suffix.lower() not in {".fit", ".gpx", ".tcx"}:
                continue
            try:
                act = read_activity(path)
            except FileFormatError:
                continue
            parse = best_of(lambda p=path: read_activity(p), 3)
            ana = best_of(lambda a=act: analyse(a), 5)
            rows.append((path.parent.name + "/" + path.name, len(act), baseline(act), parse, ana))
    act = synthetic()
    rows.append(
        (
            "SYNTHETIC 3 h @ 1 Hz (analysis only)",
            len(act),
            baseline(act),
            float("nan"),
            best_of(lambda: analyse(act), 7),
        )
    )
    for name, n, base, parse, ana in rows:
        print(
            f"{name[:48]:48s} {n:7d} {base * 1e3:8.2f} {parse * 1e3:9.1f} {parse / base:7.0f} "
            f"{ana * 1e3:11.1f} {ana / base:7.0f} {parse / ana:14.1f}"
        )
    synth = rows[-1][4]
    verdict = "meets" if synth <= 0.100 else "MISSES"
    print(
        f"\n3-hour 1 Hz analysis after parsing: {synth * 1e3:.1f} ms ({verdict} the 100 ms target)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
