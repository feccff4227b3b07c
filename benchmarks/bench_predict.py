"""Benchmark the predictive simulation (issue 4 section 5).

Cold solve at 3.5 m/s level (kinematic-template guess), then warm solves 3.5 -> 4.0 m/s and
0 -> +10 % grade from that solution; prints iterations, NLP size, time in function evaluation vs in
IPOPT, and ratios against the cold solve measured in the same run. Targets (issue 4): cold <= 60 s,
warm <= 10 s. Published scale: a 2D predictive walking solve with AD, 18 muscles, 55 s and 408
iterations (Falisse et al. 2019); OpenSim Moco's 2D tracking example 147-405 s on a 2-core machine
(../shared/SCIENCE.md). Moco is compared only when the `opensim` package and its 2D example model
are importable (the PyPI wheel ships no example models, so usually it is skipped and said so).

Run: python benchmarks/bench_predict.py
"""

from __future__ import annotations

import os
import time

from runmuscles.model.runner import Runner
from runmuscles.ocp.build import get_transcription
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import SolverOptions, solve


def main() -> None:
    runner = Runner()
    t0 = time.perf_counter()
    problem = predictive(runner, 3.5, 0.0)
    tr, _ = get_transcription(problem)
    build = time.perf_counter() - t0
    print(
        f"machine: {os.cpu_count()} cores; NLP: {tr.n_variables} variables, "
        f"{tr.lbg.size} constraints; build {build:.1f} s"
    )
    rows = []
    cold = solve(problem, SolverOptions())
    rows.append(("cold 3.5 m/s level", cold))
    warm_speed = solve(predictive(runner, 4.0, 0.0, guess=cold))
    rows.append(("warm 3.5 -> 4.0 m/s", warm_speed))
    warm_grade = solve(predictive(runner, 3.5, 0.10, guess=cold))
    rows.append(("warm 0 -> +10 % grade", warm_grade))
    print(
        f"{'solve':24s} {'status':22s} {'iter':>5s} {'wall s':>8s} {'func s':>8s} "
        f"{'ipopt s':>8s} {'vs cold':>8s}"
    )
    for name, s in rows:
        print(
            f"{name:24s} {s.status:22s} {s.iterations:5d} {s.wall_time_s:8.1f} "
            f"{s.function_time_s:8.1f} {s.wall_time_s - s.function_time_s:8.1f} "
            f"{s.wall_time_s / cold.wall_time_s:8.2f}"
        )
    try:
        import opensim  # noqa: F401

        print(
            "opensim is importable, but Moco's 2D_gait example model is not shipped with the "
            "PyPI wheel: no Moco comparison in this run"
        )
    except ImportError:
        print("opensim not installed: no Moco comparison in this run")


if __name__ == "__main__":
    main()
