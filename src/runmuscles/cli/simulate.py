"""``runmuscles simulate``: predict one running or walking stride at a speed and slope."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from runmuscles.cli.options import body_options, grade_option, json_option, speed_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "check_outputs", "simulate", "solve_with_progress"]

EXAMPLES = """\b
examples:
  runmuscles simulate --speed 3.5                       level running at 3.5 m/s
  runmuscles simulate --speed 4 --grade 5% -o up.nc     uphill, saving the stride as netCDF
  runmuscles simulate --speed 3 --grade -10% --json     downhill, one JSON object
  runmuscles simulate --speed 3.5 --plot stride.png     with a picture of the stride
  runmuscles simulate --speed 1.2 --grade 25%           a steep climb: walked (the gait a
                                                        person would choose), or --gait run"""


@click.command(
    short_help="Predict a running or walking stride at a speed and slope.",
    epilog=EXAMPLES,
)
@speed_option()
@grade_option()
@body_options
@click.option(
    "-o",
    "--output",
    metavar="STRIDE.nc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the stride as netCDF (.nc).",
)
@click.option(
    "--plot",
    metavar="PICTURE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save a picture of the stride (.png, .svg or .pdf; needs the 'plot' extra).",
)
@click.option(
    "--gait",
    type=click.Choice(["run", "walk"]),
    default=None,
    help="Running or walking; default: the gait a person would choose at that speed and grade "
    "(walking below the walk-run transition speed: about 2 m/s on the level, lower uphill).",
)
@click.option(
    "--cold",
    is_flag=True,
    help="Start from the initial guesses, not from the nearest stride solved before.",
)
@click.option(
    "--nodes", type=int, default=50, show_default=True, help="Mesh intervals per half stride."
)
@click.option(
    "--max-iter", type=int, default=3000, show_default=True, help="IPOPT iteration limit."
)
@json_option
def simulate(
    speed: float,
    grade: float,
    mass: float,
    height: float,
    output: Path | None,
    plot: Path | None,
    gait: str | None,
    cold: bool,
    nodes: int,
    max_iter: int,
    as_json: bool,
) -> None:
    """Predict one stride by direct collocation (CasADi + IPOPT): phases, muscle activations,
    forces, concentric/eccentric work, tendon and joint loads, ground forces, metabolic cost.
    It starts from the nearest stride solved before (yours, or one shipped) unless --cold."""
    check_outputs(output, plot)
    cycle = solve_with_progress(
        speed, grade, mass, height, nodes, max_iter, as_json, gait=gait, cold=cold
    )
    if output:
        cycle.save(output)
    if plot:
        from runmuscles.report.figure import save_stride_plot

        save_stride_plot(cycle, plot)
    data = cycle.to_json()
    if as_json:
        print_json(data)
        return
    print_cycle(data)
    if output:
        print(f"\nsaved the stride to {output}")
    if plot:
        print(f"saved a picture of the stride to {plot}")


COMMANDS = (simulate,)


def solve_with_progress(
    speed: float,
    grade: float,
    mass: float,
    height: float,
    nodes: int,
    max_iter: int,
    quiet: bool,
    *,
    gait: str | None = None,
    cold: bool = False,
) -> Any:
    """Predict with a progress bar on stderr; returns the GaitCycle."""
    from runmuscles.model.runner import Runner
    from runmuscles.ocp.solve import SolverOptions
    from runmuscles.prediction import predict, preferred_gait

    runner = Runner(mass=mass, height=height)
    chosen = gait or preferred_gait(speed, grade).value
    options = SolverOptions(max_iter=max_iter)
    kwargs: dict[str, Any] = {
        "gait": chosen,
        "options": options,
        "n_intervals": nodes,
        "guess": None if cold else "nearest",
    }
    if quiet or not sys.stderr.isatty():
        return predict(runner, speed, grade, **kwargs)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    what = "walking" if chosen == "walk" else "running"
    with Progress(
        TextColumn("[bold]solving[/] {task.description}"),
        BarColumn(),
        TextColumn("iteration {task.completed:.0f}, effort {task.fields[obj]}"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(
            f"{what} {speed:g} m/s, grade {grade * 100:+g} %", total=max_iter, obj="-"
        )

        def progress(it: int, obj: float) -> None:
            bar.update(task, completed=it, obj=f"{obj:.4g}")

        return predict(runner, speed, grade, progress=progress, **kwargs)


def check_outputs(output: str | Path | None, plot: str | Path | None) -> None:
    """Refuse unusable output paths, or a picture without matplotlib, before minutes of solving."""
    import importlib.util

    from runmuscles.errors import InputError

    for path, kind, suffixes in (
        (output, "-o", (".nc",)),
        (plot, "--plot", (".png", ".svg", ".pdf")),
    ):
        if path is None:
            continue
        p = Path(path)
        if p.suffix.lower() not in suffixes:
            raise InputError(f"{kind} {path}: give a file name ending in {' or '.join(suffixes)}")
        if not p.parent.exists():
            raise InputError(f"{kind} {path}: the folder {p.parent} does not exist")
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        raise InputError(
            "--plot needs matplotlib, which is not installed: "
            "pip install 'runmuscles[plot]' (or leave out --plot)"
        )


def print_cycle(data: dict[str, Any]) -> None:
    """The text answer: summary, then per muscle group what it does in each phase."""
    c, s = data["condition"], data["summary"]
    what = "Walking" if c.get("gait") == "walk" else "Running"
    print(
        f"{what} at {c['speed_m_s']:.2f} m/s on {c['grade'] * 100:+.1f} % grade "
        f"({c['mass_kg']:.0f} kg, {c['height_m']:.2f} m)\n"
    )

    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    rows = [
        ("cadence", fmt(s["cadence_steps_per_min"], ".0f"), "steps/min"),
        ("stride length", fmt(s["stride_length_m"], ".2f"), "m"),
        ("contact time", fmt(s["contact_time_s"], ".3f"), "s"),
        ("duty factor", fmt(s["duty_factor"], ".2f"), "stance / stride"),
        ("flight", fmt(s["flight_fraction"], ".2f"), "of the stride"),
        ("double support", fmt(s.get("double_support_fraction"), ".2f"), "of the stride"),
        ("peak vertical force", fmt(s["peak_vertical_grf_bw"], ".2f"), "body weights"),
        ("peak braking force", fmt(s["peak_braking_grf_bw"], ".2f"), "body weights"),
        ("cost of transport", fmt(s["cost_of_transport_j_per_kg_m"], ".2f"), "J/kg/m (net)"),
        ("swing knee flexion", fmt(s.get("peak_knee_flexion_swing_deg"), ".0f"), "deg (peak)"),
        (
            "foot strike",
            f"{s.get('strike') or '-'} ({fmt(s.get('foot_angle_at_contact_deg'), '+.0f')})",
            "deg, sole to ground at contact (+ toes up)",
        ),
        ("trunk lean", fmt(s.get("trunk_lean_deg"), ".1f"), "deg forward (mean)"),
    ]
    print_table(("stride", "value", "unit"), rows)
    groups: dict[str, dict[str, float]] = {}
    unresolved: dict[str, str] = {}
    for m in data["muscles"]:
        if not m.get("resolved", True):
            unresolved.setdefault(m["group"], m.get("unresolved_reason") or "")
        g = groups.setdefault(
            m["group"],
            {"stance": 0.0, "swing": 0.0, "float": 0.0, "conc": 0.0, "ecc": 0.0, "n": 0.0},
        )
        for ph in ("stance", "swing", "float"):
            g[ph] += m["activation_by_phase"].get(ph) or 0.0
        g["conc"] += m["concentric_work_j"]
        g["ecc"] += m["eccentric_work_j"]
        g["n"] += 1
    rows2 = []
    for name, g in sorted(groups.items(), key=lambda kv: -(kv[1]["conc"] + kv[1]["ecc"])):
        n = g["n"]
        rows2.append(
            (
                name + (" (not resolved)" if name in unresolved else ""),
                f"{g['stance'] / n:.2f}",
                f"{g['swing'] / n:.2f}",
                f"{g['float'] / n:.2f}",
                f"{g['conc']:.1f}",
                f"{g['ecc']:.1f}",
            )
        )
    print()
    print_table(
        ("muscle group", "stance", "swing", "float", "concentric J", "eccentric J"),
        rows2,
        title="Mean activation by phase (0-1) and work per stride (both legs):",
    )
    for name, why in sorted(unresolved.items()):
        print(f"  {name}: not resolved by the model: {why}")
    t = data["tendons"]
    print(
        f"\nAchilles tendon peak {fmt(t['achilles_peak_force_bw'], '.1f')} BW, "
        f"patellar tendon peak {fmt(t['patellar_peak_force_bw'], '.1f')} BW"
    )
    res = data.get("reserves") or {}
    if res:
        worst = max(res, key=res.__getitem__)
        print(f"reserves: at most {res[worst] * 100:.1f} % of a joint's peak moment ({worst})")
    sol = data["solver"]
    print(
        f"solver: {sol['status']}, {sol['iterations']} iterations, "
        f"{fmt(sol['wall_time_s'], '.0f')} s, {sol['nlp_variables']} variables; "
        f"started from {sol.get('guess_kept') or '-'}"
    )
    terms = sol.get("objective_terms") or {}
    if terms and sol.get("objective"):
        shares = sorted(terms.items(), key=lambda kv: -abs(kv[1]))
        print(
            f"objective {sol['objective']:.4g}: "
            + ", ".join(f"{k} {v / sol['objective'] * 100:.0f} %" for k, v in shares if v)
        )
