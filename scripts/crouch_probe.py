"""Which of the objective's terms keep the predicted runner crouched?

The predicted 3.5 m/s level stride lands on a bent knee and crouches (README, "Realism"). This
probe solves the same condition three ways and prints the objective split by term for each:

1. the shipped stride (evaluated, not solved);
2. the same problem with the right knee held under ``--knee`` degrees over the right stance
   (stride fraction 0 to ``--stance``, a window taken from the shipped stride), warm from (1);
3. the problem without that bound, warm from (2): where the optimiser goes when released.

If (3) returns to the crouch with a lower objective than (2), the crouch is what this model
and objective prefer, and the terms that rise from (3) to (2) say what pays for it. Run it again
after any change to the model or the goals::

    PYTHONPATH=src python scripts/crouch_probe.py                 # default model
    PYTHONPATH=src python scripts/crouch_probe.py --knee 40 --json probe.json

About 3-5 minutes on 2 cores (two warm solves).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import runmuscles as rm
from runmuscles.ocp.build import solution_at, solve
from runmuscles.ocp.node import COST_TERMS
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import SolverOptions
from runmuscles.prediction import stride_stores

SPEED, GRADE = 3.5, 0.0


def _row(label: str, solution: Any) -> dict[str, Any]:
    cycle = solution.cycle()
    s = cycle.summary()
    vasti = max(cycle.muscle_summary(m)["peak_activation"] for m in ("vasti_r", "vasti_l"))
    return {
        "stride": label,
        "iterations": solution.iterations,
        "objective": solution.objective,
        "terms": dict(solution.objective_terms),
        "knee_at_contact_deg": cycle.knee_flexion_at_contact_deg,
        "knee_stance_peak_deg": cycle.peak_knee_flexion_stance_deg,
        "knee_extension_moment_n_m_kg": cycle.peak_knee_extension_moment_n_m_kg,
        "cadence_steps_per_min": s["cadence_steps_per_min"],
        "cost_of_transport_j_per_kg_m": s["cost_of_transport_j_per_kg_m"],
        "trunk_lean_deg": s["trunk_lean_deg"],
        "vasti_peak_activation": vasti,
    }


def _stored(runner: rm.Runner) -> Any:
    """The shipped stride as a Solution (its point evaluated, nothing solved)."""
    problem = predictive(runner, SPEED, GRADE)
    ws = stride_stores()[-1].nearest(runner, "run", SPEED, GRADE, problem.n_intervals)
    if ws is None:
        raise SystemExit("no shipped stride at 3.5 m/s level: reinstall runmuscles")
    return solution_at(problem, ws.z, ws.lam_g, ws.lam_x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--knee", type=float, default=45.0, help="stance knee bound, deg (45)")
    ap.add_argument("--stance", type=float, default=0.31, help="end of right stance (0.31)")
    ap.add_argument("--json", help="write the rows as JSON to this file")
    args = ap.parse_args()
    runner = rm.Runner()
    options = SolverOptions(max_iter=3000)
    shipped = _stored(runner)
    bounded_problem = predictive(runner, SPEED, GRADE, guess=shipped.warm_start())
    bounded_problem.bounds = {
        "q:knee_r": (-0.5, math.radians(args.knee), (0.0, args.stance)),
    }
    bounded = solve(bounded_problem, options)
    released = solve(predictive(runner, SPEED, GRADE, guess=bounded.warm_start()), options)
    rows = [
        _row("shipped", shipped),
        _row(f"knee <= {args.knee:g} deg in stance", bounded),
        _row("released", released),
    ]
    cols = [r["stride"] for r in rows]
    print(f"{'3.5 m/s level':34s}" + "".join(f"{c:>26s}" for c in cols))
    for term in (*COST_TERMS, "objective"):
        vals = [r["terms"][term] if term != "objective" else r["objective"] for r in rows]
        print(f"{term:34s}" + "".join(f"{v:26.4f}" for v in vals))
    for key in (
        "knee_at_contact_deg", "knee_stance_peak_deg", "knee_extension_moment_n_m_kg",
        "cadence_steps_per_min", "cost_of_transport_j_per_kg_m", "trunk_lean_deg",
        "vasti_peak_activation", "iterations",
    ):  # fmt: skip
        print(f"{key:34s}" + "".join(f"{float(r[key]):26.3f}" for r in rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
