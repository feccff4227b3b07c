"""``runmuscles inverse``: muscle forces from measured motion (inverse dynamics + static
optimisation)."""

from __future__ import annotations

import argparse
from typing import Any

from runmuscles.cli.output import add_common, print_json, print_table

__all__ = ["register"]

EXAMPLES = """\
examples:
  runmuscles inverse RBDS001processed.txt --speed 3.5     a Fukuchi 2017 table at 3.5 m/s
  runmuscles inverse run.mot --grf grf.mot --speed 3.2 --mass 68
  runmuscles inverse RBDS001processed.txt --speed 4.5 -o cycle.nc --sto cycle.sto
  runmuscles inverse RBDS001processed.txt --speed 2.5 --json   the GaitCycle JSON contract
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inverse",
        help="muscle forces from measured motion (inverse dynamics + static optimisation)",
        description=(
            "Estimate muscle activations and forces over one stride of measured running: net "
            "joint moments of the 2D runner from joint angles and ground reaction forces, then "
            "static optimisation (least summed squared activation, rigid tendons, reserve "
            "actuators). DATA is a Fukuchi 2017 processed table (needs --speed), an OpenSim "
            ".mot/.sto or a C3D file."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", metavar="DATA", help="motion file (.txt Fukuchi table, .mot/.sto, .c3d)")
    p.add_argument("--grf", metavar="GRF", help="separate .mot/.sto with ground reaction forces")
    p.add_argument("--speed", type=float, help="running speed in m/s (e.g. 3.5)")
    p.add_argument("--mass", type=float, help="body mass in kg (default: from the file)")
    p.add_argument("--height", type=float, help="stature in m (default: from the file or 1.75)")
    p.add_argument("-o", "--output", metavar="CYCLE.nc", help="save the GaitCycle (netCDF)")
    p.add_argument("--sto", metavar="OUT.sto", help="export coordinates, activations, forces")
    add_common(p)
    p.set_defaults(handler=_run)


def _load(args: argparse.Namespace) -> Any:
    import dataclasses

    from runmuscles.errors import InputError
    from runmuscles.io.mocap import read_motion
    from runmuscles.io.motion import GroundForce

    fukuchi = str(args.data).lower().endswith(".txt")  # only that reader takes body_mass
    options = {"body_mass": args.mass} if args.mass is not None and fukuchi else {}
    motion = read_motion(args.data, speed=args.speed, **options)
    changes: dict[str, Any] = {}
    if args.grf:
        import numpy as np

        forces = read_motion(args.grf)
        if not forces.grf:
            raise InputError(f"{args.grf}: no ground reaction force columns (ground_force_*_v*)")

        def at(y: Any) -> Any:
            return np.interp(motion.time, forces.time, y)

        changes["grf"] = {
            s: GroundForce(at(g.fx), at(g.fy), None if g.cop_x is None else at(g.cop_x))
            for s, g in forces.grf.items()
        }
    if args.speed is not None and motion.speed != args.speed:
        changes["speed"] = args.speed
    if args.mass is not None:
        changes["body_mass"] = args.mass
    return dataclasses.replace(motion, **changes) if changes else motion


def _run(args: argparse.Namespace) -> int:
    from runmuscles.inverse import inverse, runner_for, write_cycle_sto

    motion = _load(args)
    runner = runner_for(motion, args.mass, args.height)
    cycle = inverse(motion, runner)
    if args.output:
        cycle.save(args.output)
    if args.sto:
        write_cycle_sto(cycle, args.sto)
    if args.json:
        print_json(cycle.to_json())
        return 0
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
    if args.output:
        print(f"saved {args.output}")
    if args.sto:
        print(f"exported {args.sto}")
    return 0
