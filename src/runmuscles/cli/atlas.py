"""``runmuscles atlas build|info`` and ``runmuscles explore``: the muscle atlas from the shell."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from runmuscles.cli.output import add_common, print_json, print_table

__all__ = ["explore_data", "register"]

BUILD_EXAMPLES = """\
examples:
  runmuscles atlas build --speeds 2:6:0.5 --grades=-30%:30%:5% --workers 2 -o atlas.nc
  runmuscles atlas build --speeds 3:4:0.5 --grades 0%:10%:5%          a small trial grid
  runmuscles atlas build ... --scheduler tcp://login01:8786           on a Dask cluster
  runmuscles atlas info atlas.nc                                      grid, provenance, gaps

Negative values need '=': --grades=-30%:30%:5%. Interrupted? Re-run the same command:
finished conditions are kept in atlas.nc.parts/ (also reused by a wider grid with the same -o).
"""

EXPLORE_EXAMPLES = """\
examples:
  runmuscles explore --speed 4 --grade=-10%     the muscle picture of a downhill stride
  runmuscles explore --speed 3 --grade 8% --json
  runmuscles explore --speed 3.5 --atlas my_atlas.nc
"""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "atlas",
        help="build or inspect the muscle atlas (solved strides over speed x slope)",
        description="The muscle atlas: predicted strides over a speed x grade grid, solved by "
        "continuation in parallel, looked up instantly by `explore` and `analyze`.",
        epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    asub = p.add_subparsers(dest="atlas_command", metavar="ACTION")
    b = asub.add_parser(
        "build",
        help="solve every condition of a grid (resumable)",
        epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--speeds", default="2:6:0.5", help="START:STOP:STEP m/s (default 2:6:0.5)")
    b.add_argument(
        "--grades", default="-30%:30%:5%", help="START:STOP:STEP grades (default -30%%:30%%:5%%)"
    )
    b.add_argument("--mass", type=float, default=70.0, help="body mass, kg (default 70)")
    b.add_argument("--height", type=float, default=1.75, help="height, m (default 1.75)")
    b.add_argument(
        "--workers", type=int, default=1, help="local worker processes (default 1; 0: in-process)"
    )
    b.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    b.add_argument("--nodes", type=int, default=50, help="mesh intervals per half stride")
    b.add_argument("--max-iter", type=int, default=3000, help="IPOPT iteration limit")
    b.add_argument("-o", "--output", default="atlas.nc", help="atlas file (default atlas.nc)")
    add_common(b)
    b.set_defaults(handler=run_build)
    i = asub.add_parser("info", help="grid, body, provenance and missing cells of an atlas")
    i.add_argument("path", nargs="?", help="atlas file (default: the shipped one)")
    add_common(i)
    i.set_defaults(handler=run_info)
    p.set_defaults(handler=lambda args: (p.print_help(), 1)[1])

    e = sub.add_parser(
        "explore",
        help="the muscle picture at a speed and slope, instantly from the atlas",
        description="Per-muscle-group work, forces, activation and tendon loads of one stride, "
        "interpolated from the muscle atlas (no solve).",
        epilog=EXPLORE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("--speed", type=float, default=3.5, help="running speed, m/s (default 3.5)")
    e.add_argument("--grade", default="0", help="grade: '5%%', '-10%%' or 0.05")
    e.add_argument("--atlas", help="atlas file (default: the shipped one)")
    add_common(e)
    e.set_defaults(handler=run_explore)


def run_build(args: argparse.Namespace) -> int:
    import functools

    from runmuscles.atlas import build_atlas, predictive_solve
    from runmuscles.atlas.build import BuildStatus

    solve_fn = functools.partial(predictive_solve, n_intervals=args.nodes, max_iter=args.max_iter)
    command = "runmuscles " + " ".join(sys.argv[1:]) if sys.argv else None
    quiet = args.json or not sys.stderr.isatty()
    kw: dict[str, Any] = dict(
        mass=args.mass,
        height=args.height,
        workers=args.workers,
        scheduler=args.scheduler,
        output=args.output,
        solve_fn=solve_fn,
        command=command,
    )
    parts = f"{args.output}.parts"
    try:
        if quiet:

            def log(s: BuildStatus) -> None:
                if s.last:
                    print(
                        f"{s.last}: {s.last_time_s:.0f} s; done {s.done}, failed {s.failed}, "
                        f"remaining {s.remaining}",
                        file=sys.stderr,
                    )

            report = build_atlas(args.speeds, args.grades, progress=log, **kw)
        else:
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            with Progress(
                TextColumn("[bold]atlas[/]"),
                BarColumn(),
                TextColumn(
                    "done {task.fields[done]}, failed {task.fields[failed]}, "
                    "remaining {task.fields[left]}, running {task.fields[running]}"
                ),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
            ) as bar:
                task = bar.add_task("", total=None, done=0, failed=0, left="?", running=0)

                def show(s: BuildStatus) -> None:
                    bar.update(
                        task,
                        total=s.total,
                        completed=s.done + s.failed,
                        done=s.done,
                        failed=s.failed,
                        left=s.remaining,
                        running=s.running,
                        description=f"last: {s.last} ({s.last_time_s:.0f} s)" if s.last else "",
                    )

                report = build_atlas(args.speeds, args.grades, progress=show, **kw)
    except KeyboardInterrupt:
        print(
            f"runmuscles: interrupted; finished conditions are saved in {parts}: re-run the "
            "same command to continue",
            file=sys.stderr,
        )
        return 130
    data = {
        "output": str(report.output),
        "solved": len(report.solved),
        "reused": len(report.reused),
        "failed": report.failed,
        "wall_time_s": report.wall_s,
        "solve_times_s": report.times_s,
    }
    if args.json:
        print_json(data)
        return 0
    print(
        f"wrote {report.output}: {len(report.solved)} conditions solved now, "
        f"{len(report.reused)} reused, {len(report.failed)} failed, {report.wall_s:.0f} s"
    )
    for key, st in report.failed.items():
        print(f"  missing {key}: {st}")
    return 0 if not report.failed else 5


def run_info(args: argparse.Namespace) -> int:
    from runmuscles.atlas import Atlas

    atlas = Atlas.load(args.path)
    prov = atlas.provenance
    data = {
        "path": str(atlas.path),
        "speeds_m_s": atlas.speeds.tolist(),
        "grades": atlas.grades.tolist(),
        "mass_kg": atlas.mass_kg,
        "height_m": atlas.height_m,
        "groups": list(atlas.groups),
        "missing": atlas.missing(),
        "scaling_law": atlas.ds.attrs.get("scaling_law"),
        "provenance": prov,
    }
    if args.json:
        print_json(data)
        return 0
    (v0, v1), (g0, g1) = atlas.speed_range, atlas.grade_range
    print(
        f"{atlas.path}: {v0:g}..{v1:g} m/s x {g0 * 100:+g}..{g1 * 100:+g} % "
        f"({atlas.speeds.size} x {atlas.grades.size}), {atlas.mass_kg:g} kg, "
        f"{atlas.height_m:g} m"
    )
    print(
        f"built {prov.get('date')} by runmuscles {prov.get('runmuscles_version')}: "
        f"{prov.get('command')}"
    )
    for m in data["missing"]:
        print(f"  missing {m['speed']:g} m/s {m['grade'] * 100:+g} %: {m['status']}")
    return 0


def _num(x: Any) -> float | None:
    import math

    v = float(x)
    return None if math.isnan(v) else v


def explore_data(atlas: Any, speed: float, grade: float) -> dict[str, Any]:
    """The JSON answer of ``explore``: keys of ``simulate --json`` where they apply (condition,
    summary, muscles, tendons, joint_loads) plus ``groups`` (both legs) and ``atlas``."""
    import numpy as np

    from runmuscles.atlas.content import GROUP_VARS
    from runmuscles.units import G

    at = atlas.at(speed, grade)
    bw = atlas.mass_kg * G
    summary_keys = (
        "cadence_steps_per_min",
        "stride_length_m",
        "stride_time_s",
        "contact_time_s",
        "duty_factor",
        "flight_fraction",
        "peak_vertical_grf_bw",
        "mean_vertical_grf_bw",
        "peak_braking_grf_bw",
        "peak_propulsive_grf_bw",
        "cost_of_transport_j_per_kg_m",
    )
    muscles = []
    act = at["activation"].values
    frac = at["stride_fraction"].values
    for k, name in enumerate(atlas.muscles):
        m = {
            key: at[f"muscle_{key}"].values[k]
            for key in (
                "peak_activation",
                "mean_activation",
                "peak_force_n",
                "concentric_work_j",
                "eccentric_work_j",
                "metabolic_energy_j",
            )
        }
        muscles.append(
            {
                "name": name,
                "group": str(at["muscle_group"].values[k]),
                "side": str(at["muscle_side"].values[k]),
                **{key: _num(v) for key, v in m.items()},
                "activation_by_phase": {
                    ph: _num(at[f"muscle_activation_{ph}"].values[k])
                    for ph in ("stance", "swing", "float")
                },
                "peak_activation_at": float(frac[int(np.argmax(act[k]))]),
            }
        )
    groups = {
        g: {var: _num(at[var].values[i]) for var in GROUP_VARS} for i, g in enumerate(atlas.groups)
    }
    return {
        "condition": {
            "speed_m_s": float(speed),
            "grade": float(grade),
            "mass_kg": atlas.mass_kg,
            "height_m": atlas.height_m,
        },
        "summary": {k: _num(at[k]) for k in summary_keys},
        "muscles": muscles,
        "groups": groups,
        "tendons": {
            "achilles_peak_force_bw": _num(at["achilles_peak_force_n"])
            and float(at["achilles_peak_force_n"]) / bw,
            "patellar_peak_force_bw": _num(at["patellar_peak_force_n"])
            and float(at["patellar_peak_force_n"]) / bw,
            "achilles_impulse_ns": _num(at["achilles_impulse_ns"]),
            "patellar_impulse_ns": _num(at["patellar_impulse_ns"]),
        },
        "joint_loads": {j: _num(at[f"{j}_load_peak_bw"]) for j in ("hip", "knee", "ankle")},
        "atlas": {
            "path": str(atlas.path),
            "interpolated": True,
            "built": atlas.provenance.get("date"),
        },
    }


def run_explore(args: argparse.Namespace) -> int:
    from runmuscles.atlas import Atlas
    from runmuscles.units import parse_grade

    grade = parse_grade(args.grade)
    atlas = Atlas.load(args.atlas)
    data = explore_data(atlas, args.speed, grade)
    if args.json:
        print_json(data)
        return 0
    s = data["summary"]

    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print(
        f"Running at {args.speed:g} m/s on {grade * 100:+.1f} % grade "
        f"({atlas.mass_kg:g} kg, {atlas.height_m:.2f} m), from the muscle atlas\n"
    )
    print_table(
        ("stride", "value", "unit"),
        [
            ("cadence", fmt(s["cadence_steps_per_min"], ".0f"), "steps/min"),
            ("stride length", fmt(s["stride_length_m"], ".2f"), "m"),
            ("contact time", fmt(s["contact_time_s"], ".3f"), "s"),
            ("peak vertical force", fmt(s["peak_vertical_grf_bw"], ".2f"), "body weights"),
            ("cost of transport", fmt(s["cost_of_transport_j_per_kg_m"], ".2f"), "J/kg/m (net)"),
        ],
    )
    acts: dict[str, list[float]] = {}
    for m in data["muscles"]:
        acts.setdefault(m["group"], []).append(m["mean_activation"] or 0.0)
    rows = []
    order = sorted(
        data["groups"].items(),
        key=lambda kv: -((kv[1]["concentric_work_j"] or 0) + (kv[1]["eccentric_work_j"] or 0)),
    )
    for g, v in order:
        a = acts.get(g, [0.0])
        rows.append(
            (
                g,
                fmt(sum(a) / len(a), ".2f"),
                fmt(v["concentric_work_j"], ".1f"),
                fmt(v["eccentric_work_j"], ".1f"),
                fmt(v["peak_force_n"], ".0f"),
                fmt(v["impulse_ns"], ".0f"),
            )
        )
    print()
    print_table(
        (
            "muscle group",
            "mean act.",
            "concentric J",
            "eccentric J",
            "peak N (1 leg)",
            "impulse N s",
        ),
        rows,
        title="Per stride, both legs:",
    )
    t = data["tendons"]
    print(
        f"\nAchilles tendon peak {fmt(t['achilles_peak_force_bw'], '.1f')} BW, "
        f"patellar tendon peak {fmt(t['patellar_peak_force_bw'], '.1f')} BW"
    )
    return 0
