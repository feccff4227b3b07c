"""``runmuscles inverse``: muscle forces from measured motion (inverse dynamics + static
optimisation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from runmuscles.cli.options import json_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "inverse"]

EXAMPLES = """\b
examples:
  runmuscles inverse RBDS001processed.txt --speed 3.5     a Fukuchi 2017 table at 3.5 m/s
  runmuscles inverse run.mot --grf grf.mot --speed 3.2 --mass 68
  runmuscles inverse RBDS001processed.txt --speed 4.5 -o cycle.nc --sto cycle.sto
  runmuscles inverse RBDS001processed.txt --speed 2.5 --json   the GaitCycle JSON contract"""


@click.command(
    short_help="Muscle forces from measured motion (static optimisation).",
    epilog=EXAMPLES,
)
@click.argument("data", metavar="DATA", type=click.Path(path_type=Path))
@click.option(
    "--grf",
    metavar="GRF",
    type=click.Path(path_type=Path),
    help="A separate .mot/.sto file with the ground reaction forces.",
)
@click.option("--speed", type=float, metavar="M/S", help="Running speed, m/s (e.g. 3.5).")
@click.option("--mass", type=float, metavar="KG", help="Body mass, kg (default: from the file).")
@click.option(
    "--height", type=float, metavar="M", help="Body height, m (default: from the file or 1.75)."
)
@click.option(
    "-o",
    "--output",
    metavar="CYCLE.nc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the GaitCycle (netCDF).",
)
@click.option(
    "--sto",
    metavar="OUT.sto",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Export coordinates, activations and forces (OpenSim .sto).",
)
@json_option
def inverse(
    data: Path,
    grf: Path | None,
    speed: float | None,
    mass: float | None,
    height: float | None,
    output: Path | None,
    sto: Path | None,
    as_json: bool,
) -> None:
    """Estimate muscle activations and forces over one stride of measured running: net joint
    moments of the 2D runner from joint angles and ground reaction forces, then static
    optimisation (least summed squared activation, rigid tendons, reserve actuators). DATA is a
    Fukuchi 2017 processed table (needs --speed), an OpenSim .mot/.sto or a C3D file."""
    from runmuscles.inverse import inverse as motion_to_cycle
    from runmuscles.inverse import runner_for, write_cycle_sto

    motion = _load(data, grf, speed, mass)
    runner = runner_for(motion, mass, height)
    cycle = motion_to_cycle(motion, runner)
    if output:
        cycle.save(output)
    if sto:
        write_cycle_sto(cycle, sto)
    if as_json:
        print_json(cycle.to_json())
        return
    _print_text(motion, runner, cycle)
    if output:
        print(f"saved {output}")
    if sto:
        print(f"exported {sto}")


COMMANDS = (inverse,)


def _load(data: Path, grf: Path | None, speed: float | None, mass: float | None) -> Any:
    import dataclasses

    from runmuscles.errors import InputError
    from runmuscles.io.mocap import read_motion
    from runmuscles.io.motion import GroundForce

    fukuchi = str(data).lower().endswith(".txt")  # only that reader takes body_mass
    options = {"body_mass": mass} if mass is not None and fukuchi else {}
    motion = read_motion(data, speed=speed, **options)
    changes: dict[str, Any] = {}
    if grf:
        import numpy as np

        forces = read_motion(grf)
        if not forces.grf:
            raise InputError(f"{grf}: no ground reaction force columns (ground_force_*_v*)")

        def at(y: Any) -> Any:
            return np.interp(motion.time, forces.time, y)

        changes["grf"] = {
            s: GroundForce(at(g.fx), at(g.fy), None if g.cop_x is None else at(g.cop_x))
            for s, g in forces.grf.items()
        }
    if speed is not None and motion.speed != speed:
        changes["speed"] = speed
    if mass is not None:
        changes["body_mass"] = mass
    return dataclasses.replace(motion, **changes) if changes else motion


def _print_text(motion: Any, runner: Any, cycle: Any) -> None:
    prov = cycle.provenance
    print(
        f"{motion.source}: {cycle.condition['speed_m_s']:g} m/s, {runner.mass:g} kg, stride "
        f"{cycle.stride_time:.3f} s, mean vertical GRF "
        f"{prov['inverse_dynamics']['mean_vertical_grf_bw']:.3f} BW"
    )
    rows = [
        [
            ms["name"],
            f"{ms['peak_activation']:.2f}",
            f"{ms['peak_force_n']:.0f}",
            f"{ms['metabolic_energy_j']:.1f}",
        ]
        for ms in (cycle.muscle_summary(m) for m in cycle.muscles if m.endswith("_r"))
    ]
    print_table(["muscle (right)", "peak activation", "peak force N", "energy J"], rows)
    for w in prov.get("warnings", []):
        print(f"warning: {w}")
