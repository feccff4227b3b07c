"""``runmuscles atlas build|info`` and ``runmuscles explore``: the muscle atlas from the shell."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from runmuscles.cli.options import (
    GRADE,
    body_options,
    grade_option,
    json_option,
    speed_option,
)
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "atlas", "explore", "explore_data", "solve_progress"]

#: The shipped atlas and its strides must stay under this size together, bytes.
SIZE_BUDGET = 20_000_000

BUILD_EXAMPLES = """\b
examples:
  runmuscles atlas build --grid shipped --workers 2 --polish -o atlas.nc --strides strides/
  runmuscles atlas build --speeds 3:4:0.5 --grades 0%:10%:5%          a small running grid
  runmuscles atlas build --gait walk --speeds 1:1.6:0.2 --grades=-10%:10%:5%
  runmuscles atlas build --grid my_grid.toml --scheduler tcp://login01:8786   on a Dask cluster
  runmuscles atlas info atlas.nc                                      grids, provenance, gaps
  runmuscles atlas info --cell 3.5 +5% --json                         one cell's provenance

Interrupted? Re-run the same command: finished conditions are kept in atlas.nc.parts/ (also
reused by a wider or finer grid with the same -o)."""

EXPLORE_EXAMPLES = """\b
examples:
  runmuscles explore --speed 4 --grade -10%     the muscle picture of a downhill stride
  runmuscles explore --speed 1.4 --grade 20% --gait walk
  runmuscles explore --speed 3 --grade 8% --json
  runmuscles explore --speed 3.5 --plot cell.png   joint angles, ground force, activations
  runmuscles explore --speed 7 --no-solve        say so instead of solving beyond the atlas"""


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


def gait_option(default: str | None = "run") -> Callable[[Any], Any]:
    return click.option(
        "--gait",
        type=click.Choice(["run", "walk"]),
        default=default,
        show_default=default is not None,
        help="Running or walking strides.",
    )


@contextmanager
def solve_progress(show: bool = True) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on stderr for strides solved on demand (an ``OnDemandStatus`` callback),
    or a line per stride when stderr is not a terminal; nothing when ``show`` is False."""
    if not show:
        yield None
        return
    if not sys.stderr.isatty():

        def line(s: Any) -> None:
            if s.last:
                print(
                    f"solved on demand: {s.last} ({s.last_time_s:.0f} s); {s.done + s.failed} "
                    f"of {s.total} strides, {s.failed} failed",
                    file=sys.stderr,
                )

        yield line
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("solving strides beyond the atlas"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def show_bar(s: Any) -> None:
            bar.update(
                task,
                total=s.total,
                completed=s.done + s.failed,
                description=f"last: {s.last} ({s.last_time_s:.0f} s)" if s.last else "",
            )

        yield show_bar


@click.group(
    short_help="Build or inspect the muscle atlas (strides over speed x slope).",
    epilog=BUILD_EXAMPLES,
)
def atlas() -> None:
    """The muscle atlas: predicted running and walking strides over speed x grade grids, solved
    by continuation in parallel, looked up instantly by `explore` and `analyze`."""


@atlas.command(short_help="Solve every condition of a grid (resumable).", epilog=BUILD_EXAMPLES)
@click.option(
    "--grid",
    "grid_spec",
    metavar="shipped|GRID.toml",
    help="A grid spec: 'shipped' (runmuscles/data/atlas_grid.toml: running and walking) or a "
    "TOML file; replaces --speeds/--grades/--gait.",
)
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
@gait_option()
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
@click.option(
    "--strides",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the solved strides there (what predict and on-demand solving start from).",
)
@click.option(
    "--stride-cells",
    type=click.Choice(["border+even", "all", "none"]),
    default="border+even",
    show_default=True,
    help="Which cells' strides --strides writes.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MINUTES",
    help="Start no new condition after this many minutes; the atlas is written with the rest "
    "marked not attempted (re-run the same command to continue).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try again, from any solved neighbour, the conditions a previous run of the same "
    "model failed or refused (by default only a neighbour not tried before is).",
)
@click.option(
    "--polish",
    is_flag=True,
    help="After the grid is solved, solve again from their neighbours the cells whose objective "
    "stands out from their neighbours' (a worse local optimum kept by continuation), and keep "
    "the better stride.",
)
@json_option
def build(
    grid_spec: str | None,
    speeds: tuple[float, ...],
    grades: tuple[float, ...],
    gait: str,
    mass: float,
    height: float,
    workers: int,
    scheduler: str | None,
    nodes: int,
    max_iter: int,
    output: Path,
    strides: Path | None,
    stride_cells: str,
    time_limit: float | None,
    retry_failed: bool,
    polish: bool,
    as_json: bool,
) -> None:
    """Solve every condition of the grid in parallel, warm-starting each from a solved neighbour,
    refuse strides that fail the realism gate, and write the atlas. Finished conditions are kept
    in OUTPUT.parts/, so an interrupted build continues where it stopped."""
    import functools

    import runmuscles.atlas as ra
    from runmuscles.atlas.build import BuildStatus
    from runmuscles.errors import InputError

    if grid_spec is not None:
        grid = ra.shipped_grid() if grid_spec == "shipped" else ra.Grid.load(grid_spec)
        if (mass, height) != (70.0, 1.75):
            grid = ra.Grid(grid.gaits, mass, height, source=grid.source)
    else:
        grid = ra.Grid.from_axes(speeds, grades, mass, height, gait=gait)
    if scheduler is not None:
        executor: Any = ra.Dask(scheduler)
    elif workers == 0:
        executor = ra.InProcess()
    elif workers > 0:
        executor = ra.LocalProcesses(workers)
    else:
        raise InputError(f"--workers {workers}: give 0 (in this process) or more")
    solve = functools.partial(ra.predictive_solve, n_intervals=nodes, max_iter=max_iter)
    command = "runmuscles " + " ".join(sys.argv[1:]) if sys.argv else None
    quiet = as_json or not sys.stderr.isatty()
    kw: dict[str, Any] = dict(
        executor=executor,
        output=output,
        solve=solve,
        command=command,
        strides=strides,
        stride_cells=stride_cells,
        time_limit_s=None if time_limit is None else 60.0 * time_limit,
        retry_failed=retry_failed,
        polish=polish,
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

            report = ra.build_atlas(grid, progress=log, **kw)
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

                report = ra.build_atlas(grid, progress=show, **kw)
    except KeyboardInterrupt:
        print(
            f"runmuscles: interrupted; finished conditions are saved in {parts}: re-run the "
            "same command to continue",
            file=sys.stderr,
        )
        raise click.exceptions.Exit(130) from None
    size = report.output.stat().st_size
    data = {
        "output": str(report.output),
        "solved": len(report.solved),
        "reused": len(report.reused),
        "failed": report.failed,
        "not_attempted": report.not_attempted,
        "wall_time_s": report.wall_s,
        "solve_times_s": report.times_s,
        "atlas_bytes": size,
        "strides_written": report.strides_written,
        "strides_bytes": report.strides_bytes,
        "size_budget_bytes": SIZE_BUDGET,
        "polished": report.polished,
        "polish_attempts": report.polish_attempts,
    }
    if as_json:
        print_json(data)
    else:
        print(
            f"wrote {report.output}: {len(report.solved)} conditions solved now, "
            f"{len(report.reused)} reused, {len(report.failed)} failed or refused, "
            f"{len(report.not_attempted)} not attempted, {report.wall_s:.0f} s"
        )
        total = size + report.strides_bytes
        print(
            f"size: atlas {size / 1e6:.1f} MB + {report.strides_written} strides "
            f"{report.strides_bytes / 1e6:.1f} MB = {total / 1e6:.1f} MB "
            f"(budget for the shipped atlas {SIZE_BUDGET / 1e6:.0f} MB"
            + (": OVER" if total > SIZE_BUDGET else "")
            + ")"
        )
        if polish:
            print(
                f"polish: {len(report.polished)} cell(s) replaced by a better stride, "
                f"{report.polish_attempts} solve(s) tried"
            )
            for key, p in report.polished.items():
                print(
                    f"  {key}: objective {p['objective_before']:.4f} -> {p['objective']:.4f} "
                    f"(from {p['from']})"
                )
        for key, st in report.failed.items():
            print(f"  missing {key}: {st}")
    if report.not_attempted:
        print(
            f"runmuscles: {len(report.not_attempted)} condition(s) not attempted (time limit); "
            f"re-run the same command to continue from {parts}",
            file=sys.stderr,
        )
    if report.failed or report.not_attempted:
        raise click.exceptions.Exit(5)


def _cell_text(data: dict[str, Any]) -> None:
    what = "walking" if data["gait"] == "walk" else "running"
    head = f"{what} {data['speed_m_s']:g} m/s, grade {data['grade'] * 100:+g} %"
    if data["node"]:
        print(f"{head}: a cell of the atlas")
    else:
        print(f"{head}: interpolated from {len(data['cells'])} cell(s)")
    if data.get("note"):
        print(f"  {data['note']}")
    for c in data["cells"]:
        p = c.get("provenance") or {}
        w = "" if c.get("weight") in (None, 1.0) else f" (weight {c['weight']:.2f})"
        print(f"\ncell {c['speed_m_s']:g} m/s {c['grade'] * 100:+g} %{w}: {c['status']}")
        ws = c.get("warm_start_speed")
        if p.get("warm_start"):
            start = p["warm_start"]
        elif ws is not None:
            start = f"the cell at {ws:g} m/s {c['warm_start_grade'] * 100:+g} %"
        elif c["status"] == "solved":
            start = "cold start"
        else:
            start = None
        # a fact the cell does not carry (an older atlas) is left out, never shown as "none"
        rows = [
            ("solver status", p.get("status")),
            ("iterations", c.get("iterations")),
            ("objective", c.get("objective")),
            ("solve time s", c.get("solve_time_s")),
            ("continued from", start),
            ("guess kept", p.get("guess_kept")),
            ("peak reserve share", c.get("peak_reserve_share")),
            ("foot slip m/s", c.get("stance_slip_m_s")),
            (
                "bounds touched",
                ", ".join(p["bounds_touched"]) or "none" if "bounds_touched" in p else None,
            ),
            ("strike", p.get("strike")),
            (
                "groups not resolved",
                ", ".join(c["groups_not_resolved"]) or "none"
                if "groups_not_resolved" in c
                else None,
            ),
        ]
        polished = p.get("polished")
        if polished:
            before, src = polished.get("objective_before"), polished.get("from") or [None, None]
            rows.insert(
                5,
                (
                    "polished",
                    f"replaced a stride of objective {before:.4g}, re-solved from the cell at "
                    f"{src[0]:g} m/s {src[1] * 100:+g} %",
                ),
            )
        if p.get("message"):
            rows.append(("why", p["message"]))
        refused = (p.get("realism") or {}).get("refused_because")
        if refused:
            rows.append(("refused because", "; ".join(refused)))
        for key, value in rows:
            if value is None:
                continue
            if isinstance(value, float):
                value = f"{value:.4g}"
            print(f"  {key + ':':22s}{value}")
        if "provenance" not in c:
            print("  (an atlas of format 1 stores no more about its cells)")


@atlas.command(short_help="Grids, provenance and gaps of an atlas; or one cell's provenance.")
@click.argument("path", required=False, metavar="[ATLAS.nc]", type=click.Path(path_type=Path))
@click.option(
    "--cell",
    type=(float, GRADE),
    metavar="SPEED GRADE",
    help="Show the provenance of the cell at SPEED m/s and GRADE (e.g. --cell 3.5 +5%): solver "
    "status, iterations, options, warm start, reserves, foot slip, bounds touched.",
)
@gait_option()
@json_option
def info(path: Path | None, cell: tuple[float, float] | None, gait: str, as_json: bool) -> None:
    """Grids per gait, body, provenance and missing cells of an atlas (default: the shipped one,
    with the cells solved on demand on this machine); with --cell, one cell's provenance."""
    from runmuscles.atlas import Atlas, on_demand_atlas

    table: Any = Atlas.load(path) if path is not None else on_demand_atlas(solving="no-solve")
    if cell is not None:
        data = table.cell(cell[0], cell[1], gait)
        if as_json:
            print_json(data)
        else:
            _cell_text(data)
        return
    data = table.info()
    if as_json:
        print_json(data)
        return
    prov = data["provenance"]
    print(
        f"{data['path']} (format {data['format_version']}): {data['mass_kg']:g} kg, "
        f"{data['height_m']:g} m"
    )
    for g, grid in data["gaits"].items():
        s, r = grid["speeds_m_s"], grid["grades"]
        print(
            f"  {g}: {s[0]:g}..{s[-1]:g} m/s ({len(s)} speeds) x {r[0] * 100:+g}..{r[-1] * 100:+g} "
            f"% ({len(r)} grades): {grid['solved']} of {grid['cells']} cells solved"
        )
    print(
        f"built {prov.get('date')} by runmuscles {prov.get('runmuscles_version')}: "
        f"{prov.get('command')}"
    )
    od = prov.get("on_demand")
    if od:
        cells = ", ".join(f"{n} {g}" for g, n in od["cells"].items())
        print(f"solved on demand on this machine: {cells} (cache {od['cache']})")
    for m in data["missing"]:
        print(
            f"  missing {m.get('gait', 'run')} {m['speed']:g} m/s {m['grade'] * 100:+g} %: "
            f"{m['status']}"
        )


def _num(x: Any) -> float | None:
    import math

    v = float(x)
    return None if math.isnan(v) else v


def explore_data(atlas: Any, speed: float, grade: float, gait: str = "run") -> dict[str, Any]:
    """The JSON answer of ``explore``: keys of ``simulate --json`` where they apply (condition,
    summary, muscles, tendons, joint_loads) plus ``groups`` (both legs), ``curves`` (joint
    angles rad, ground force N, activation, over ``stride_fraction``) and ``atlas``."""
    import numpy as np

    from runmuscles.atlas.content import GROUP_VARS
    from runmuscles.units import G

    at = atlas.at(speed, grade, gait) if _gait_aware(atlas) else atlas.at(speed, grade)
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
        "peak_knee_flexion_swing_deg",
        "foot_angle_at_contact_deg",
        "double_support_fraction",
        "trunk_lean_deg",
    )
    muscles = []
    act = at["activation"].values
    frac = at["stride_fraction"].values
    res = at["muscle_resolved"].values if "muscle_resolved" in at else None
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
                "resolved": None if res is None else bool(res[k]),
            }
        )
    gres = at["group_resolved"].values if "group_resolved" in at else None
    groups = {
        g: {
            **{var: _num(at[var].values[i]) for var in GROUP_VARS},
            "resolved": None if gres is None else bool(gres[i]),
        }
        for i, g in enumerate(atlas.groups)
    }
    curves: dict[str, Any] = {"stride_fraction": [float(x) for x in frac]}
    if "joint_angle" in at:
        curves["joint_angle_rad"] = {
            str(d): [float(x) for x in at["joint_angle"].sel(dof=d).values]
            for d in at["dof"].values
        }
    if "grf" in at:
        curves["grf_n"] = {
            f"{c}_{s}": [float(x) for x in at["grf"].sel(side=s, component=c).values]
            for s in at["side"].values
            for c in at["component"].values
        }
    curves["activation"] = {
        name: [float(x) for x in act[k]] for k, name in enumerate(atlas.muscles)
    }
    return {
        "condition": {
            "speed_m_s": float(speed),
            "grade": float(grade),
            "gait": gait,
            "mass_kg": atlas.mass_kg,
            "height_m": atlas.height_m,
        },
        "summary": {k: _num(at[k]) for k in summary_keys if k in at},
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
        "curves": curves,
        "atlas": {
            "path": str(atlas.path),
            "interpolated": True,
            "built": atlas.provenance.get("date"),
        },
    }


def _gait_aware(table: Any) -> bool:
    return getattr(table, "gaits", None) is not None


@click.command(
    short_help="The muscle picture at a speed and slope, from the atlas.",
    epilog=EXPLORE_EXAMPLES,
)
@speed_option()
@grade_option()
@gait_option(default=None)
@click.option(
    "--atlas",
    "atlas_path",
    metavar="ATLAS.nc",
    type=click.Path(path_type=Path),
    help="Atlas file (default: the shipped one, extended on demand).",
)
@click.option(
    "--no-solve",
    is_flag=True,
    help="Do not solve strides beyond the atlas's grid; say so instead.",
)
@click.option(
    "--plot",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the stride's curves (joint angles, ground force, activations) to FILE "
    "(.png, .svg or .pdf; needs matplotlib: pip install 'runmuscles[plot]').",
)
@json_option
def explore(
    speed: float,
    grade: float,
    gait: str | None,
    atlas_path: Path | None,
    no_solve: bool,
    plot: Path | None,
    as_json: bool,
) -> None:
    """Per-muscle-group work, forces, activation and tendon loads of one stride, interpolated
    from the muscle atlas; a condition beyond the atlas's grid is solved on demand (cached)."""
    from runmuscles.atlas import Atlas, OnDemandAtlas
    from runmuscles.errors import OutOfRangeError
    from runmuscles.gait import transition_speed

    # the gait a person would choose (the rule of runmuscles.prediction.preferred_gait)
    gait = gait or ("walk" if speed < transition_speed(grade) else "run")
    base = Atlas.load(atlas_path)
    table: Any = base
    if getattr(base, "prepare", None) is not None:
        with solve_progress(not as_json and not no_solve) as bar:
            table = OnDemandAtlas(base, solving="no-solve" if no_solve else "solve", progress=bar)
            why = table.prepare([speed], [grade], gait)[0]
        if why:
            raise OutOfRangeError(f"{_label(gait, speed, grade)}: not computed: {why}")
    if _gait_aware(table) and not table.has(gait):
        raise OutOfRangeError(
            f"this atlas has no {'walking' if gait == 'walk' else 'running'} strides "
            f"(format {getattr(table, 'format_version', 1)}); give --gait run or use a newer atlas"
        )
    data = explore_data(table, speed, grade, gait)
    if plot is not None:
        from runmuscles.report.cellplot import plot_cell

        plot_cell(data, plot)
    if as_json:
        if plot is not None:
            data["plot"] = str(plot)
        print_json(data)
        return
    s = data["summary"]

    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print(
        f"{_label(gait, speed, grade)} ({table.mass_kg:g} kg, {table.height_m:.2f} m), "
        "from the muscle atlas\n"
    )
    print_table(
        ("stride", "value", "unit"),
        [
            ("cadence", fmt(s.get("cadence_steps_per_min"), ".0f"), "steps/min"),
            ("stride length", fmt(s.get("stride_length_m"), ".2f"), "m"),
            ("contact time", fmt(s.get("contact_time_s"), ".3f"), "s"),
            ("peak vertical force", fmt(s.get("peak_vertical_grf_bw"), ".2f"), "body weights"),
            (
                "cost of transport",
                fmt(s.get("cost_of_transport_j_per_kg_m"), ".2f"),
                "J/kg/m (net)",
            ),
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
                g + ("" if v.get("resolved") in (None, True) else " (not resolved)"),
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
    if any(v.get("resolved") is False for v in data["groups"].values()):
        print(
            "not resolved: the model cannot resolve these groups here (beyond a sagittal model, "
            "or activation at a bound); their numbers are shown, never compared or advised on"
        )
    if plot is not None:
        print(f"\ncurves drawn to {plot}")


def _label(gait: str, speed: float, grade: float) -> str:
    what = "Walking" if gait == "walk" else "Running"
    return f"{what} at {speed:g} m/s on {grade * 100:+.1f} % grade"


COMMANDS = (atlas, explore)
