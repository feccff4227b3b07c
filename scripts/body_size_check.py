"""Check the atlas's body-size law (``runmuscles.atlas.SCALING_LAW``) against fresh solves.

Solves level running at 3.5 m/s for the reference body (70 kg, 1.75 m) and for other bodies
(mass: from the shipped stride; height: by continuation in 5 cm steps), and prints the error of
the mass-scaled reference against each fresh solve: total concentric and eccentric work, cost of
transport, Achilles peak, stride time, and the worst group doing at least 2 % of the work::

    PYTHONPATH=src python scripts/body_size_check.py            # 55/90 kg, 1.60/1.95 m
    PYTHONPATH=src python scripts/body_size_check.py --body 62 1.68

A few minutes per body on 2 cores (height continuation: about 3 minutes per 5 cm).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import runmuscles as rm
from runmuscles.atlas.content import Record, record_from_cycle
from runmuscles.prediction import predictive, solve, stride_stores

REFERENCE = (70.0, 1.75)
SPEED = 3.5


def _heights(start: float, stop: float, step: float = 0.05) -> list[float]:
    n = max(1, round(abs(stop - start) / step))
    return [start + (stop - start) * k / n for k in range(1, n + 1)]


def fresh(mass: float, height: float) -> Record:
    """The stride of a body, continued from the shipped reference stride in height steps."""
    store = stride_stores()[-1]
    guess: object = store.nearest(rm.Runner(), "run", SPEED, 0.0, 50)
    for h in _heights(REFERENCE[1], height) if height != REFERENCE[1] else [height]:
        sol = solve(predictive(rm.Runner(mass=mass, height=h), SPEED, 0.0, guess=guess))
        print(f"  {mass:g} kg {h:.3f} m: {sol.status}, {sol.iterations} iterations", flush=True)
        guess = sol
    return record_from_cycle(sol.cycle())


def errors(rec: Record, ref: Record, mass: float) -> dict[str, object]:
    k = mass / REFERENCE[0]
    out: dict[str, object] = {}
    worst: list[tuple[float, str]] = []
    for kind in ("concentric_work_j", "eccentric_work_j"):
        a, b = rec.group[kind], ref.group[kind] * k
        tot = float(np.sum(b))
        out[kind + "_total"] = abs(float(np.sum(a)) - tot) / tot
        for g, x, y in zip(rec.groups, a, b, strict=True):
            if y >= 0.02 * tot:
                worst.append((abs(x - y) / y, f"{g} {kind.split('_')[0]}"))
    for key in ("cost_of_transport_j_per_kg_m", "stride_time_s"):
        out[key] = abs(rec.scalar[key] - ref.scalar[key]) / ref.scalar[key]
    ach = k * ref.scalar["achilles_peak_force_n"]
    out["achilles_peak"] = abs(rec.scalar["achilles_peak_force_n"] - ach) / ach
    e, name = max(worst)
    out["worst_group"] = f"{name} {e:.0%}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--body", nargs=2, type=float, action="append", metavar=("KG", "M"))
    args = ap.parse_args()
    bodies = args.body or [(55.0, 1.75), (90.0, 1.75), (70.0, 1.60), (70.0, 1.95)]
    ref = fresh(*REFERENCE)
    for mass, height in bodies:
        out = errors(fresh(mass, height), ref, mass)
        print(json.dumps({"mass_kg": mass, "height_m": height, **out}, default=str), flush=True)


if __name__ == "__main__":
    main()
