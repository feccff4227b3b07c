"""``runmuscles validate``: predicted and measured-motion running vs published figures."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from runmuscles.cli.output import add_common, print_json, print_table

__all__ = ["register"]

EXAMPLES = """\
examples:
  runmuscles validate            level running at 2.5-4.5 m/s and +-10 % grade vs published data
  runmuscles validate --quick    only the 3.5 m/s level stride (one solve, a few minutes)
  runmuscles validate --json     the same as one JSON object
"""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="compare predicted running with published figures (with sources)",
        description="Solve strides at several speeds and slopes, compare them with published "
        "ranges (../shared/SCIENCE.md) and say where the model disagrees with popular claims "
        "about hills; also check the measured-motion path on the Fukuchi 2017 runner when its "
        "data is present.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="only the 3.5 m/s level stride")
    p.add_argument("--fukuchi", help="path to a Fukuchi 2017 RBDSnnnprocessed.txt table")
    add_common(p)
    p.set_defaults(handler=run)


def _mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def run(args: argparse.Namespace) -> int:
    from runmuscles.errors import InputError
    from runmuscles.validate import (
        CONDITIONS,
        QUICK_CONDITIONS,
        hill_claims,
        predictive_rows,
        solve_conditions,
    )

    conditions = QUICK_CONDITIONS if args.quick else CONDITIONS

    def say(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr, flush=True)

    cycles = solve_conditions(conditions, progress=say)
    rows = predictive_rows(cycles)
    claims = hill_claims(cycles)
    inverse_rows: list[dict[str, Any]] = []
    side_by_side: list[dict[str, Any]] = []
    try:
        from runmuscles.inverse import inverse_validation_rows

        inverse_rows = inverse_validation_rows(args.fukuchi) if not args.quick else []
        side_by_side = _side_by_side(cycles.get((3.5, 0.0)), args.fukuchi)
    except InputError as exc:
        say(f"measured-motion checks skipped: {exc}")
    if args.json:
        print_json(
            {
                "predictive": rows,
                "hill_claims": claims,
                "inverse": inverse_rows,
                "predicted_vs_measured_3_5": side_by_side,
            }
        )
        return 0
    print_table(
        ("check", "model", "published", "", "source"),
        [(r["quantity"], r["value"], r["published"], _mark(r["pass"]), r["source"]) for r in rows],
        title="Predicted running vs published figures",
    )
    if claims:
        print()
        print_table(
            ("popular claim", "the model says", "agrees"),
            [(c["claim"], c["model"], "yes" if c["agrees"] else "NO") for c in claims],
            title="Popular claims about hills",
        )
    if inverse_rows:
        print()
        print_table(
            ("check", "value", "published", "", "source"),
            [
                (r["quantity"], r["value"], r["published"], _mark(r["pass"]), r["source"])
                for r in inverse_rows
            ],
            title="Measured motion (Fukuchi 2017 runner): inverse dynamics + static optimisation",
        )
    if side_by_side:
        print()
        print_table(
            ("quantity at 3.5 m/s", "predicted", "from measured motion"),
            [(r["quantity"], r["predicted"], r["measured"]) for r in side_by_side],
            title="Predictive vs inverse, side by side",
        )
    failed = sum(not r["pass"] for r in rows + inverse_rows)
    total = len(rows) + len(inverse_rows)
    print(f"\n{total - failed} passed, {failed} failed")
    return 0


def _side_by_side(predicted: Any, fukuchi: str | None) -> list[dict[str, Any]]:
    if predicted is None:
        return []
    from runmuscles.inverse import default_fukuchi, inverse
    from runmuscles.io.fukuchi import read_fukuchi

    path = fukuchi or default_fukuchi()
    measured = inverse(read_fukuchi(path, 3.5))
    a, b = predicted.to_json(), measured.to_json()
    out = []
    for key, label, fmt in (
        ("cadence_steps_per_min", "cadence (steps/min)", ".0f"),
        ("duty_factor", "duty factor", ".2f"),
        ("peak_vertical_grf_bw", "peak vertical GRF (BW)", ".2f"),
    ):
        va, vb = a["summary"].get(key), b["summary"].get(key)
        out.append(
            {
                "quantity": label,
                "predicted": "-" if va is None else format(va, fmt),
                "measured": "-" if vb is None else format(vb, fmt),
            }
        )
    for name in ("vasti_r", "soleus_r", "gastroc_r", "hamstrings_r", "glut_max_r", "tib_ant_r"):
        ma = next(m for m in a["muscles"] if m["name"] == name)
        mb = next(m for m in b["muscles"] if m["name"] == name)
        out.append(
            {
                "quantity": f"{name} peak force (N)",
                "predicted": f"{ma['peak_force_n']:.0f}",
                "measured": f"{mb['peak_force_n']:.0f}",
            }
        )
    return out
