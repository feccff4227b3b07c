"""Benchmark the muscle atlas: lookups per second, and build throughput on 1 and 2 workers.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_atlas.py [--n 1000000] [--work 0.5] [--real]

1. **Lookup.** ``Atlas.lookup`` vectorised over N random conditions vs a scalar Python loop over
   the same conditions (one ``lookup`` call each), on an atlas with the shipped grid's layout
   (running 19 x 19 and walking 10 x 21, non-uniform grades, 12 groups); ratios in the same run.
2. **Build throughput, STAND-IN solve.** The stand-in is a deterministic formula (NOT
   physiology) that takes ``--work`` seconds per condition, asleep (the scheduler alone: the
   continuation order must keep two workers busy) or in a busy loop (two workers compete for the
   cores as real solves do). A 6 x 6 running grid is built by continuation with
   ``LocalProcesses(1)`` and ``LocalProcesses(2)`` (and a Dask LocalCluster of two single-thread
   workers when Dask is installed): cells per minute and the scaling efficiency
   ``rate(2) / (2 x rate(1))``, with the machine's load average printed alongside (on a shared
   machine the busy-loop figure is bounded by the free cores). Process start-up, part files and
   assembly are included; the solver is not.
3. ``--real``: the same on a 2 x 3 grid of REAL predictive solves (3.5-4.0 m/s x 0..+5 %, the
   cold seed included), with each cell's IPOPT iterations, and the build time of the shipped grid
   projected from the warm cells' rate (an estimate, labelled so).

Numbers depend on the machine and its load; the ratios in one run are the figure to read.
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.atlas import (
    Atlas,
    Dask,
    InProcess,
    LocalProcesses,
    build_atlas,
    shipped_grid,
    standin_solve,
)
from runmuscles.atlas.grid import Grid


def bench_lookup(n: int, folder: Path) -> None:
    out = folder / "lookup.nc"
    build_atlas(shipped_grid(), executor=InProcess(), output=out, solve=standin_solve)
    atlas = Atlas.load(out)
    rng = np.random.default_rng(0)
    v = rng.uniform(2.0, 6.5, n)
    g = rng.uniform(-0.3, 0.3, n)
    atlas.lookup(v[:1000], g[:1000])  # warm up
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        atlas.lookup(v, g)
        best = min(best, time.perf_counter() - t0)
    m = min(n, 5_000)
    t0 = time.perf_counter()
    for k in range(m):
        atlas.lookup(v[k], g[k])
    loop = (time.perf_counter() - t0) / m
    rate = n / best
    size = out.stat().st_size
    print(f"lookup (shipped grid layout, stand-in numbers; file {size / 1e6:.1f} MB):")
    print(f"  vectorised   {rate:14,.0f} conditions/s  ({best * 1e3:.0f} ms for {n:,})")
    print(f"  scalar loop  {1 / loop:14,.0f} conditions/s  (one lookup call per condition)")
    print(f"  speed-up     {rate * loop:14,.0f} x")


def _build(folder: Path, name: str, grid: Grid, solve: Any, executor: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    rep = build_atlas(grid, executor=executor, output=folder / f"{name}.nc", solve=solve)
    wall = time.perf_counter() - t0
    n = len(rep.solved)
    print(
        f"  {name:<16} {n:3d} cells in {wall:7.1f} s = {60 * n / wall:7.1f} cells/min"
        + (f", failed {len(rep.failed)}" if rep.failed else "")
    )
    return 60 * n / wall, rep


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {one:.1f} (1 min), {five:.1f} (5 min)"


def bench_build(folder: Path, work: float) -> None:
    grid = Grid.from_axes("3:5.5:0.5", "-10%:15%:5%")  # 6 x 6
    print(f"build throughput, STAND-IN solve (NOT physiology), {grid.size} cells by continuation")
    for mode, solve in (
        ("sleep", functools.partial(standin_solve, delay=work)),
        ("busy", functools.partial(standin_solve, work_s=work)),
    ):
        what = (
            f"{work:g} s asleep per cell: the scheduler alone, no competition for cores"
            if mode == "sleep"
            else f"{work:g} s of CPU per cell in a busy loop: competes for cores like a solve"
        )
        print(f" {mode}: {what}; {_load()}")
        r1, _ = _build(folder, f"{mode} 1 worker", grid, solve, LocalProcesses(1))
        r2, _ = _build(folder, f"{mode} 2 workers", grid, solve, LocalProcesses(2))
        rd = float("nan")
        if mode == "busy":
            try:
                import distributed
            except ImportError:
                print("  dask: not installed (pip install 'runmuscles[cluster]')")
            else:
                with (
                    distributed.LocalCluster(
                        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                    ) as cluster,
                    distributed.Client(cluster) as client,
                ):
                    rd, _ = _build(folder, "busy dask 2 x 1", grid, solve, Dask(client))
        ideal = 60 / work
        print(f"  ideal 1-worker rate {ideal:.0f} cells/min; 1 worker reaches {r1 / ideal:.0%}")
        print(f"  scaling efficiency, 2 workers vs 1: {r2 / (2 * r1):.0%}")
        if mode == "busy":
            print(f"  Dask 2 workers vs 2 x 1 local worker: {rd / (2 * r1):.0%}")
    print(
        "  (busy-loop scaling below the sleep figure means the cores were not free: other "
        "processes' load, see the load average)"
    )


def bench_real(folder: Path) -> None:
    grid = Grid.from_axes("3.5:4:0.5", "0%:5%:2.5%")  # 2 x 3, the cold seed at (3.5, 0)
    print(f"REAL predictive solves, {grid.size} cells (3.5-4.0 m/s x 0..+5 %), seed cold:")
    rates = {}
    for workers in (1, 2):
        rate, rep = _build(folder, f"real {workers} worker(s)", grid, None, LocalProcesses(workers))
        rates[workers] = rate
        atlas = Atlas.load(rep.output)
        t = atlas.table("run")
        it = t.ds["iterations"].values
        st = t.ds["solve_time_s"].values
        for i, v in enumerate(t.speeds):
            for j, g in enumerate(t.grades):
                print(
                    f"    {v:g} m/s {g * 100:+g} %: {it[i, j]:.0f} iterations, {st[i, j]:.1f} s"
                    + ("  (cold seed)" if np.isnan(t.ds["warm_start_speed"].values[i, j]) else "")
                )
        warm = ~np.isnan(t.ds["warm_start_speed"].values)
        if workers == 2 and warm.any():
            per_cell = float(np.nanmean(st[warm]))
            n = shipped_grid().size
            print(
                f"  ESTIMATE: the shipped grid ({n} cells) at {per_cell:.1f} s per warm cell on "
                f"2 workers: about {n * per_cell / 2 / 60:.0f} min (ignores harder steep cells "
                "and retries)"
            )
    print(f"  scaling efficiency, 2 workers vs 1: {rates[2] / (2 * rates[1]):.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="conditions per vectorised lookup")
    ap.add_argument("--work", type=float, default=0.5, help="stand-in CPU seconds per cell")
    ap.add_argument("--real", action="store_true", help="also build 2 x 3 real conditions")
    ap.add_argument("--skip-lookup", action="store_true", help="only the build benchmarks")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_lookup:
            bench_lookup(args.n, folder)
        bench_build(folder, args.work)
        if args.real:
            bench_real(folder)


if __name__ == "__main__":
    main()
