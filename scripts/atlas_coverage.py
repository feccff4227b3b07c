"""How much of the real runs in ../shared/data/activities a grid covers (no solve, no physiology).

Builds an atlas on the given grid with the STAND-IN solve (deterministic formulas, NOT
physiology: only which conditions the grid holds matters here), analyses every running file with
on-demand solving off, and sums per gait the distance inside the grid, the distance beyond it
that on-demand solving would compute (inside the model's range), and the distance beyond the
model (never computed)::

    PYTHONPATH=src python scripts/atlas_coverage.py [--grid shipped|GRID.toml]

With ``--shipped`` it reads the shipped atlas itself (the real strides) instead: the distance
computed, and what was not computed, by reason (a missing cell inside the grid: failed, refused
by the realism gate or not attempted; beyond the grid; beyond the model).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runmuscles.atlas import (
    Atlas,
    Grid,
    InProcess,
    OnDemandAtlas,
    build_atlas,
    shipped_grid,
    standin_solve,
)
from runmuscles.errors import RunmusclesError
from runmuscles.load import analyze

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", default="shipped", help="'shipped' or a TOML grid spec")
    ap.add_argument("--data", default=None, help="the activities folder")
    ap.add_argument("--shipped", action="store_true", help="read the shipped atlas (real strides)")
    args = ap.parse_args()
    data = Path(args.data) if args.data else None
    if data is None:
        for up in [ROOT, *ROOT.parents]:
            if (up / "shared" / "data" / "activities").is_dir():
                data = up / "shared" / "data" / "activities"
                break
    if data is None or not data.is_dir():
        raise SystemExit("no ../shared/data/activities folder: give --data")
    if args.shipped:
        shipped_coverage(data)
        return
    grid = shipped_grid() if args.grid == "shipped" else Grid.load(args.grid)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "a.nc"
        build_atlas(grid, executor=InProcess(), output=out, solve=standin_solve)
        table = OnDemandAtlas(Atlas.load(out), solve=standin_solve, cache=Path(tmp) / "c",
                              solving="no-solve")  # fmt: skip
        tot = {"run": 0.0, "walk": 0.0}
        inside = {"run": 0.0, "walk": 0.0}
        on_demand = {"run": 0.0, "walk": 0.0}
        beyond = {"run": 0.0, "walk": 0.0}
        beyond_by: dict[str, dict[str, float]] = {"run": {}, "walk": {}}
        files = _files(data)
        for gait, s in _segments(files, table):
            tot[gait] += s.distance_m
            if s.terrain != "excluded":
                inside[gait] += s.distance_m
            elif "not solved (--no-solve)" in s.note:
                on_demand[gait] += s.distance_m
                (v0, v1), _ = table.ranges(gait if table.has(gait) else "run")
                why = ("slower" if s.speed_m_s < v0 else "faster" if s.speed_m_s > v1
                       else "steeper")  # fmt: skip
                beyond_by[gait][why] = beyond_by[gait].get(why, 0.0) + s.distance_m
            elif "built for" in s.note:
                beyond[gait] += s.distance_m
    print(f"grid: {grid.source or args.grid}; {len(files)} files in {data}")
    for gait in ("run", "walk"):
        if tot[gait] <= 0:
            continue
        t = tot[gait]
        print(
            f"  {gait}: {t / 1000:.1f} km in segments; inside the grid {inside[gait] / t:.0%}, "
            f"beyond it but solvable on demand {on_demand[gait] / t:.0%}, beyond the model "
            f"{beyond[gait] / t:.0%}"
            + (
                " (beyond the grid: "
                + ", ".join(f"{k} {m / 1000:.1f} km" for k, m in beyond_by[gait].items())
                + ")"
                if beyond_by[gait]
                else ""
            )
        )


def _files(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*") if p.suffix.lower() in (".fit", ".gpx", ".tcx"))


def _segments(files: list[Path], table: object) -> Iterator[tuple[str, Any]]:
    """(gait "run"/"walk", segment) of every analysable file; the others are named, skipped."""
    for path in files:
        try:
            run = analyze(path, table=table)
        except RunmusclesError as exc:
            print(f"  skipped {path.name}: {str(exc)[:80]}")
            continue
        for s in run.segments:
            yield (s.gait if s.gait in ("run", "walk") else "run"), s


def shipped_coverage(data: Path) -> None:
    """Per gait: distance computed with the shipped atlas (no solve), the rest by reason."""
    table = OnDemandAtlas(Atlas.load(), solving="no-solve")
    tot: dict[str, float] = {"run": 0.0, "walk": 0.0}
    computed: dict[str, float] = {"run": 0.0, "walk": 0.0}
    why: dict[str, dict[str, float]] = {"run": {}, "walk": {}}
    files = _files(data)
    for gait, s in _segments(files, table):
        tot[gait] += s.distance_m
        if s.terrain != "excluded":
            computed[gait] += s.distance_m
            continue
        note = s.note.lower()
        reason = (
            "beyond the model" if "built for" in note
            else "missing cell (refused, failed or not attempted)" if "atlas" in note
            and ("refused" in note or "failed" in note or "not attempted" in note)
            else "beyond the grid" if "outside" in note
            else "other: " + s.note[:60]
        )  # fmt: skip
        why[gait][reason] = why[gait].get(reason, 0.0) + s.distance_m
    print(f"shipped atlas; {len(files)} files in {data}")
    for gait in ("run", "walk"):
        t = tot[gait]
        if t <= 0:
            continue
        rest = ", ".join(f"{k} {m / t:.0%}" for k, m in sorted(why[gait].items()))
        print(f"  {gait}: {t / 1000:.1f} km; computed {computed[gait] / t:.0%}; not: {rest}")


if __name__ == "__main__":
    main()
