"""Benchmark the muscle atlas: lookups per second, and build throughput.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_atlas.py [--n 1000000] [--real]

1. **Lookup.** ``Atlas.lookup`` vectorised over N random conditions vs a scalar Python loop over
   the same conditions (one ``lookup`` call each), on a 9 x 13 atlas (2..6 m/s x -30..+30 %, 12
   groups); ratios in the same run. Target (issue 5): >= 1,000,000 conditions/s vectorised.
2. **Build machinery overhead.** A 4 x 5 grid with the stand-in solve (NOT physiology; a 0.2 s
   sleep imitates a solve) built with 1 and 2 local worker processes and with a Dask
   LocalCluster of 2 single-thread workers: conditions/s and parallel efficiency
   (throughput(2) / (2 x throughput(1))). This measures scheduling, process start-up, part files
   and assembly, not solver speed.
3. ``--real``: 2 x 2 real predictive conditions (3.5-4 m/s x 0-5 %) with 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from pathlib import Path

import numpy as np

from runmuscles.atlas import Atlas, build_atlas, standin_solve


def _atlas(folder: Path) -> Atlas:
    out = folder / "lookup.nc"
    build_atlas("2:6:0.5", "-30%:30%:5%", workers=0, output=out, solve_fn=standin_solve)
    return Atlas.load(out)


def bench_lookup(n: int, folder: Path) -> None:
    atlas = _atlas(folder)
    rng = np.random.default_rng(0)
    v = rng.uniform(2.0, 6.0, n)
    g = rng.uniform(-0.3, 0.3, n)
    atlas.lookup(v[:1000], g[:1000])  # warm up
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        atlas.lookup(v, g)
        best = min(best, time.perf_counter() - t0)
    m = min(n, 20_000)
    t0 = time.perf_counter()
    for k in range(m):
        atlas.lookup(v[k], g[k])
    loop = (time.perf_counter() - t0) / m
    rate = n / best
    print(f"lookup, {n:,} conditions x {len(atlas.groups)} groups (best of 3):")
    print(f"  vectorised   {rate:14,.0f} conditions/s  ({best * 1e3:.0f} ms)")
    print(f"  scalar loop  {1 / loop:14,.0f} conditions/s  (one lookup call per condition)")
    print(f"  speed-up     {rate * loop:14,.0f} x   target >= 1,000,000/s: "
          f"{'met' if rate >= 1e6 else 'NOT met'}")  # fmt: skip


def _build(
    folder: Path, name: str, speeds: str, grades: str, solve_fn: object, **kw: object
) -> float:
    t0 = time.perf_counter()
    rep = build_atlas(speeds, grades, output=folder / name, solve_fn=solve_fn, **kw)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    n = len(rep.solved)
    print(f"  {name:<14} {n} conditions in {wall:6.1f} s = {n / wall:6.2f} conditions/s"
          + (f", failed {len(rep.failed)}" if rep.failed else ""))  # fmt: skip
    return n / wall


def bench_build(folder: Path) -> None:
    solve = functools.partial(standin_solve, delay=0.2)
    grid = ("3:4.5:0.5", "-10%:10%:5%")
    print("build machinery overhead (stand-in solve, 0.2 s each, NOT physiology), 4 x 5 grid:")
    r0 = _build(folder, "in-process", *grid, solve, workers=0)
    r1 = _build(folder, "1 worker", *grid, solve, workers=1)
    r2 = _build(folder, "2 workers", *grid, solve, workers=2)
    try:
        import distributed
    except ImportError:
        print("  dask: not installed (pip install 'runmuscles[cluster]')")
        rd = float("nan")
    else:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            rd = _build(folder, "dask 2x1", *grid, solve, scheduler=client)
    ideal = 1 / 0.2
    print(f"  ideal serial rate {ideal:.2f}/s; in-process reaches {r0 / ideal:.0%} of it")
    print(f"  parallel efficiency 2 workers: {r2 / (2 * r1):.0%}; "
          f"dask 2 workers vs 1 local worker: {rd / (2 * r1):.0%}")  # fmt: skip


def bench_real(folder: Path) -> None:
    print("real predictive solves, 2 x 2 grid (3.5-4 m/s x 0-5 %):")
    for workers in (1, 2):
        _build(folder, f"real {workers}w", "3.5:4:0.5", "0%:5%:5%", None, workers=workers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="conditions per vectorised lookup")
    ap.add_argument("--real", action="store_true", help="also build 2 x 2 real conditions")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_lookup(args.n, folder)
        bench_build(folder)
        if args.real:
            bench_real(folder)


if __name__ == "__main__":
    main()
