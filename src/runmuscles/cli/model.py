"""``runmuscles model``: describe the runner model scaled to a body mass and height."""

from __future__ import annotations

import click

from runmuscles.cli.options import body_options, json_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "model"]

EXAMPLES = """\b
examples:
  runmuscles model                          the default runner (70 kg, 1.75 m)
  runmuscles model --mass 58 --height 1.64  scaled to another body
  runmuscles model --json                   everything as one JSON object (for scripts)"""


@click.command(
    short_help="The runner model: joints, segments, muscles, sources.",
    epilog=EXAMPLES,
)
@body_options
@json_option
def model(mass: float, height: float, as_json: bool) -> None:
    """Describe the sagittal-plane runner model scaled to a body: degrees of freedom, segments
    (mass, length), muscles (group, side, max force, fiber and tendon lengths, joints crossed),
    foot contact, total mass and the sources of every number."""
    from runmuscles.model.runner import Runner

    runner = Runner(mass=mass, height=height)
    info = runner.to_dict()
    if as_json:
        print_json(info)
        return
    print(
        f"runner model: {info['mass_kg']:g} kg, {info['height_m']:g} m, "
        f"{len(info['dofs'])} degrees of freedom, total mass {info['total_mass_kg']:.3f} kg"
    )
    print("degrees of freedom: " + ", ".join(info["dofs"]))
    print()
    print_table(
        ["segment", "mass kg", "length m", "inertia kg m2", "joint"],
        [
            [
                s["name"],
                f"{s['mass_kg']:.3f}",
                f"{s['length_m']:.3f}",
                f"{s['inertia_kg_m2']:.4f}",
                s["dof"],
            ]
            for s in info["segments"]
        ],
        title="segments",
    )
    print()
    if info["muscles"]:
        rows = [
            [
                m.get("name", ""),
                m.get("group", ""),
                m.get("side", ""),
                f"{m['max_isometric_force_N']:.0f}",
                f"{m['optimal_fiber_length_m']:.4f}",
                f"{m['tendon_slack_length_m']:.4f}",
                "compliant" if m["compliant_tendon"] else "rigid",
                ",".join(m["joints"]),
            ]
            for m in info["muscles"]
        ]
        print_table(
            ["muscle", "group", "side", "Fmax N", "l_opt m", "l_ts m", "tendon", "joints"],
            rows,
            title=f"muscles ({len(rows)})",
        )
    else:
        print("muscles: none attached to this model build")
    print()
    c = info["contact"]
    print(
        f"contact: {c['law']}; stiffness {c['stiffness_N_per_m2']:g} N/m^2, dissipation "
        f"{c['dissipation_s_per_m']:g} s/m, friction {c['friction']:g}; spheres "
        + ", ".join(f"{k} {v:g} m" for k, v in c["sphere_radii_m"].items())
    )
    print()
    print("sources:")
    for s in info["sources"]:
        print(f"  - {s}")


COMMANDS = (model,)
