"""``runmuscles validate``: predicted and measured-motion running vs published figures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from runmuscles.cli.options import json_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "VALIDATION_FAILED", "validate"]

#: Exit code of `runmuscles validate` when a check fails (documented in `runmuscles --help`).
VALIDATION_FAILED = 6

EXAMPLES = """\b
examples:
  runmuscles validate            running at 2.5-4.5 m/s and +-10 %, walking, vs published data
  runmuscles validate --quick    only the 3.5 m/s level stride (one solve)
  runmuscles validate --json     the same as one JSON object

exits 6 when any check fails (each row names its source, or says the tolerance is ours)"""


@click.command(
    short_help="Predicted running vs published figures, with sources.",
    epilog=EXAMPLES,
)
@click.option("--quick", is_flag=True, help="Only the 3.5 m/s level stride.")
@click.option(
    "--fukuchi",
    metavar="TABLE",
    type=click.Path(path_type=Path),
    help="A Fukuchi 2017 RBDSnnnprocessed.txt table (default: the shared data folder's).",
)
@json_option
def validate(quick: bool, fukuchi: Path | None, as_json: bool) -> None:
    """Solve strides at several speeds and slopes, compare them with published ranges (each row
    names its source) and say where the model disagrees with popular claims about hills; also
    check the measured-motion path on the Fukuchi 2017 runner when its data is present."""
    _run(quick, None if fukuchi is None else str(fukuchi), as_json)


COMMANDS = (validate,)


def _check_table(rows: list[dict[str, Any]], title: str, heads: tuple[str, str]) -> None:
    """One table of validation rows: check, value, reference, pass mark, source."""
    print_table(
        ("check", *heads, "", "source"),
        [(r["quantity"], r["value"], r["published"], _mark(r["pass"]), r["source"]) for r in rows],
        title=title,
    )


def _mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def _run(quick: bool, fukuchi: str | None, as_json: bool) -> None:
    from runmuscles.errors import InputError
    from runmuscles.validate import (
        CONDITIONS,
        QUICK_CONDITIONS,
        WALK_CONDITIONS,
        hill_claims,
        passive_rows,
        predictive_rows,
        solve_conditions,
        walking_rows,
    )

    conditions = QUICK_CONDITIONS if quick else CONDITIONS

    def say(msg: str) -> None:
        if not as_json:
            print(msg, file=sys.stderr, flush=True)

    cycles = solve_conditions(conditions, progress=say)
    rows = predictive_rows(cycles)
    if not quick:
        rows += walking_rows(solve_conditions(WALK_CONDITIONS, progress=say, gait="walk"))
    claims = hill_claims(cycles)
    inverse_rows: list[dict[str, Any]] = []
    side_by_side: list[dict[str, Any]] = []
    try:
        from runmuscles.inverse import inverse_validation_rows

        inverse_rows = inverse_validation_rows(fukuchi) if not quick else []
        side_by_side = _side_by_side(cycles.get((3.5, 0.0)), fukuchi)
    except InputError as exc:
        say(f"measured-motion checks skipped: {exc}")
    passive = passive_rows()
    failed = sum(not r["pass"] for r in rows + inverse_rows + passive)
    if as_json:
        print_json(
            {
                "predictive": rows,
                "hill_claims": claims,
                "inverse": inverse_rows,
                "predicted_vs_measured_3_5": side_by_side,
                "passive": passive,
                "passed": len(rows) + len(inverse_rows) + len(passive) - failed,
                "failed": failed,
            }
        )
        if failed:
            sys.exit(VALIDATION_FAILED)
        return
    _check_table(rows, "Predicted running vs published figures", ("model", "published"))
    if claims:
        print()
        print_table(
            ("popular claim", "the model says", "agrees", "judged on"),
            [
                (c["claim"], c["model"], "yes" if c["agrees"] else "NO", c["judged_on"])
                for c in claims
            ],
            title="Popular claims about hills",
        )
    if inverse_rows:
        print()
        _check_table(
            inverse_rows,
            "Measured motion (Fukuchi 2017 runner): inverse dynamics + static optimisation",
            ("value", "published"),
        )
    if side_by_side:
        print()
        print_table(
            ("quantity at 3.5 m/s", "predicted", "from measured motion"),
            [(r["quantity"], r["predicted"], r["measured"]) for r in side_by_side],
            title="Predictive vs inverse, side by side",
        )
    print()
    _check_table(passive, "The relaxed leg (no solve): joint moments", ("model", "measured"))
    total = len(rows) + len(inverse_rows) + len(passive)
    print(f"\n{total - failed} passed, {failed} failed")
    if failed:
        sys.exit(VALIDATION_FAILED)


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
