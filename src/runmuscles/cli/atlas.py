"""``runmuscles atlas build|info`` and ``runmuscles explore``: the muscle atlas from the shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from runmuscles.cli.options import body_options, grade_option, json_option, speed_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "atlas", "explore", "explore_data"]

BUILD_EXAMPLES = """\b
examples:
  runmuscles atlas build --speeds 2:6:0.5 --grades -30%:30%:5% --workers 2 -o atlas.nc
  runmuscles atlas build --speeds 3:4:0.5 --grades 0%:10%:5%          a small trial grid
  runmuscles atlas build ... --scheduler tcp://login01:8786           on a Dask cluster
  runmuscles atlas info atlas.nc                                      grid, provenance, gaps

Interrupted? Re-run the same command: finished conditions are kept in atlas.nc.parts/ (also
reused by a wider grid with the same -o)."""

EXPLORE_EXAMPLES = """\b
examples:
  runmuscles explore --speed 4 --grade -10%     the muscle picture of a downhill stride
  runmuscles explore --speed 3 --grade 8% --json
  runmuscles explore --speed 3.5 --atlas my_atlas.nc"""


class AxisType(click.ParamType):
    """One axis of the atlas grid: ``START:STOP:STEP`` or a comma list -> sorted values (SI)."""

    name = "axis"

    def __init__(self, what: str) -> None:
        self.what = what  # "speed" or "grade"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[float, ...]:
        if isinstance(value, tuple):
            return value
        from runmuscles.atlas import parse_axis
        from runmuscles.errors import InputError

        try:
            return tuple(float(v) for v in parse_axis(value, self.what))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


@click.group(
    short_help="Build or inspect the muscle atlas (strides over speed x slope).",
    epilog=BUILD_EXAMPLES,
)
def atlas() -> None:
    """The muscle atlas: predicted strides over a speed x grade grid, solved by continuation in
    parallel, looked up instantly by `explore` and `analyze`."""


@atlas.command(short_help="Solve every condition of a grid (resumable).", epilog=BUILD_EXAMPLES)
@click.option(
    "--speeds",
    type=AxisType("speed"),
    default="2:6:0.5",
    show_default=True,
    metavar="START:STOP:STEP",
    help="Speeds, m/s (or a list: 3,3.5,4).",
)
@click.option(
    "--grades",
    type=AxisType("grade"),
    default="-30%:30%:5%",
    show_default=True,
    metavar="START:STOP:STEP",
    help="Grades: '-30%:30%:5%', fractions, or a list.",
)
@body_options
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Local worker processes (0: solve in this process).",
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786."
)
@click.option(
    "--nodes", type=int, default=50, show_default=True, help="Mesh intervals per half stride."
)
@click.option(
    "--max-iter", type=int, default=3000, show_default=True, help="IPOPT iteration limit."
)
@click.option(
    "-o",
    "--output",
    default="atlas.nc",
    show_default=True,
    metavar="ATLAS.nc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The atlas file to write.",
)
@json_option
def build(
    speeds: tuple[float, ...],
    grades: tuple[float, ...],
    mass: float,
    height: float,
    workers: int,
    scheduler: str | None,
    nodes: int,
    max_iter: int,
    output: Path,
    as_json: bool,
) -> None:
    """Solve every (speed, grade) condition of the grid in parallel, warm-starting each from a
    solved neighbour, and write the atlas. Finished conditions are kept in OUTPUT.parts/, so an
    interrupted build continues where it stopped."""
    import functools

    from runmuscles.atlas import build_atlas, predictive_solve
    from runmuscles.atlas.build import BuildStatus

    solve_fn = functools.partial(predictive_solve, n_intervals=nodes, max_iter=max_iter)
    command = "runmuscles " + " ".join(sys.argv[1:]) if sys.argv else None
    quiet = as_json or not sys.stderr.isatty()
    kw: dict[str, Any] = dict(
        mass=mass,
        height=height,
        workers=workers,
        scheduler=scheduler,
        output=output,
        solve_fn=solve_fn,
        command=command,
    )
    parts = f"{output}.parts"
    try:
        if quiet:

            def log(s: BuildStatus) -> None:
                if s.last:
                    print(
                        f"{s.last}: {s.last_time_s:.0f} s; done {s.done}, failed {s.failed}, "
                        f"remaining {s.remaining}",
                        file=sys.stderr,
                    )

            report = build_atlas(speeds, grades, progress=log, **kw)
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

                report = build_atlas(speeds, grades, progress=show, **kw)
    except KeyboardInterrupt:
        print(
            f"runmuscles: interrupted; finished conditions are saved in {parts}: re-run the "
            "same command to continue",
            file=sys.stderr,
        )
        raise click.exceptions.Exit(130) from None
    data = {
        "output": str(report.output),
        "solved": len(report.solved),
        "reused": len(report.reused),
        "failed": report.failed,
        "wall_time_s": report.wall_s,
        "solve_times_s": report.times_s,
    }
    if as_json:
        print_json(data)
    else:
        print(
            f"wrote {report.output}: {len(report.solved)} conditions solved now, "
            f"{len(report.reused)} reused, {len(report.failed)} failed, {report.wall_s:.0f} s"
        )
        for key, st in report.failed.items():
            print(f"  missing {key}: {st}")
    if report.failed:
        raise click.exceptions.Exit(5)


@atlas.command(short_help="Grid, body, provenance and missing cells of an atlas.")
@click.argument("path", required=False, metavar="[ATLAS.nc]", type=click.Path(path_type=Path))
@json_option
def info(path: Path | None, as_json: bool) -> None:
    """Grid, body, provenance and missing cells of an atlas (default: the shipped one)."""
    from runmuscles.atlas import Atlas

    atlas = Atlas.load(path)
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
    if as_json:
        print_json(data)
        return
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


@click.command(
    short_help="The muscle picture at a speed and slope, from the atlas.",
    epilog=EXPLORE_EXAMPLES,
)
@speed_option()
@grade_option()
@click.option(
    "--atlas",
    "atlas_path",
    metavar="ATLAS.nc",
    type=click.Path(path_type=Path),
    help="Atlas file (default: the shipped one).",
)
@json_option
def explore(speed: float, grade: float, atlas_path: Path | None, as_json: bool) -> None:
    """Per-muscle-group work, forces, activation and tendon loads of one stride, interpolated
    from the muscle atlas (no solve)."""
    from runmuscles.atlas import Atlas

    atlas = Atlas.load(atlas_path)
    data = explore_data(atlas, speed, grade)
    if as_json:
        print_json(data)
        return
    s = data["summary"]

    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print(
        f"Running at {speed:g} m/s on {grade * 100:+.1f} % grade "
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


COMMANDS = (atlas, explore)
