"""Benchmark continuation: iterations and seconds of warm neighbour solves, against a baseline
engine in the same run.

From the shipped 3.5 m/s level stride, each engine first re-solves 3.5 m/s level (its own base),
then walks four chains of neighbours, each step warm-started from the previous solution with its
multipliers (the atlas build's and ``predict``'s continuation):

* 3.5 -> 3.75 -> 4.0 m/s and 3.5 -> 3.25 -> 3.0 m/s (level), steps of 0.25 m/s;
* 0 -> +2.5 -> +5 % and 0 -> -2.5 -> -5 % (3.5 m/s), steps of 2.5 %.

Engines:

* ``current``: this version's defaults;
* ``baseline``: the engine before Umberger's A^0.6 was smoothed near A = 0 and before MUMPS's
  permuting scaling was turned off (``activation_smoothing=0``,
  ``mumps_permuting_scaling=7``);
* ``inertia_free`` (measured, not the default): the current engine with IPOPT's inertia-free
  curvature test (``neg_curv_test_tol=1e-8``, Chiang & Zavala 2016), which accepts a step of
  positive curvature without refactorising the KKT matrix until its inertia is right;
* ``predictor`` (measured, not the default): the current engine with the first-order predictor
  (``SolverOptions(predictor=True)``: each step starts from the previous solution moved along
  its interior-point sensitivity, :mod:`runmuscles.ocp.continuation`).

Prints per step: iterations, seconds, seconds per iteration, cost of transport, cadence and trunk
lean (a neighbour that changes its posture a lot has jumped to another local optimum, which costs
iterations whatever the engine), then per engine the median and total iterations and the mean
seconds per iteration, and the ratios to ``--reference`` (default baseline). The issue's target
for a warm neighbour (0.25 m/s or 2.5 % away) is <= 40 iterations and <= 5 s on 2 cores. Nothing
here asserts a time. Run: ``python benchmarks/bench_neighbours.py [--engines current,predictor
--reference current]`` (about
10-20 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import importlib.resources as ir
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # MUMPS threads only add contention on 2 cores

from runmuscles.errors import ConvergenceError
from runmuscles.model import metabolics
from runmuscles.model.runner import Runner
from runmuscles.ocp import build as ocp_build
from runmuscles.ocp.build import solve
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import SolverOptions
from runmuscles.prediction import StrideStore

CHAINS = (
    ((3.75, 0.0), (4.0, 0.0)),
    ((3.25, 0.0), (3.0, 0.0)),
    ((3.5, 0.025), (3.5, 0.05)),
    ((3.5, -0.025), (3.5, -0.05)),
)


@dataclass
class Engine:
    name: str
    activation_smoothing: float
    extra: dict[str, Any]
    #: (iterations, seconds) of each neighbour step
    steps: list[tuple[int, float]] = field(default_factory=list)
    #: neighbour steps that did not converge (the rest of that chain is skipped)
    failures: int = 0
    #: move a warm start along the solution's sensitivity first (SolverOptions.predictor)
    predictor: bool = False

    def use(self) -> None:
        """Make the model and solver this engine's (the transcriptions are rebuilt)."""
        kw = metabolics.umberger_rate.__kwdefaults__
        assert kw is not None
        kw["activation_smoothing"] = self.activation_smoothing
        ocp_build._CACHE.clear()


def _step(engine: Engine, runner: Runner, target: tuple[float, float], guess: Any) -> Any:
    problem = predictive(runner, target[0], target[1])
    problem.guess = guess
    t0 = time.perf_counter()
    label = f"{target[0]:.2f} m/s {100 * target[1]:+.1f} %"
    try:
        opts = SolverOptions(max_iter=3000, extra=dict(engine.extra), predictor=engine.predictor)
        sol = solve(problem, opts)
    except ConvergenceError as exc:
        engine.failures += 1
        print(f"{engine.name:9s} {label:18s} failed: {exc}", flush=True)
        return None
    wall = time.perf_counter() - t0
    s = sol.cycle().summary()
    print(
        f"{engine.name:9s} {label:18s} {sol.iterations:5d} {sol.wall_time_s:7.1f} "
        f"{sol.wall_time_s / max(sol.iterations, 1):6.3f} {s['cost_of_transport_j_per_kg_m']:6.2f} "
        f"{s['cadence_steps_per_min']:6.1f} {s['trunk_lean_deg']:6.1f} ({wall:.0f} s all)",
        flush=True,
    )
    return sol


def run(engine: Engine, runner: Runner, start: Any) -> None:
    engine.use()
    base = _step(engine, runner, (3.5, 0.0), start)
    for chain in CHAINS:
        guess = base
        for target in chain:
            guess = _step(engine, runner, target, guess)
            if guess is None:
                break
            engine.steps.append((guess.iterations, guess.wall_time_s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="current,baseline")
    ap.add_argument("--reference", default="baseline", help="the engine the ratios are against")
    args = ap.parse_args()
    engines = {
        "current": Engine("current", metabolics.ACTIVATION_SMOOTHING, {}),
        "baseline": Engine("baseline", 0.0, {"mumps_permuting_scaling": 7}),
        "inertia_free": Engine(
            "inertia_free", metabolics.ACTIVATION_SMOOTHING, {"neg_curv_test_tol": 1e-8}
        ),
        "predictor": Engine("predictor", metabolics.ACTIVATION_SMOOTHING, {}, predictor=True),
    }
    chosen = [engines[n] for n in args.engines.split(",")]
    runner = Runner()
    shipped = StrideStore(str(ir.files("runmuscles") / "data" / "strides"), writable=False)
    problem = predictive(runner, 3.5, 0.0)
    start = shipped.nearest(runner, "run", 3.5, 0.0, problem.n_intervals)
    if start is None:
        raise SystemExit("no shipped 3.5 m/s running stride to start from")
    print(f"machine: {os.cpu_count()} cores; start: {start.source}")
    print(
        f"{'engine':9s} {'condition':18s} {'iter':>5s} {'wall s':>7s} {'s/it':>6s} "
        f"{'J/kg/m':>6s} {'cad':>6s} {'lean':>6s}"
    )
    for engine in chosen:
        run(engine, runner, start)
    summary = {}
    for e in chosen:
        its = [s[0] for s in e.steps]
        secs = [s[1] for s in e.steps]
        summary[e.name] = (statistics.median(its), sum(its), sum(secs) / max(sum(its), 1))
        print(
            f"{e.name}: neighbour steps {len(its)}, median {statistics.median(its):.0f} "
            f"iterations, total {sum(its)}, within 40 iterations {sum(i <= 40 for i in its)}, "
            f"{summary[e.name][2]:.3f} s per iteration, failed {e.failures}"
        )
    ref = args.reference if args.reference in summary else "baseline"
    if ref in summary:
        b = summary[ref]
        for name, c in summary.items():
            if name == ref:
                continue
            print(
                f"{name} / {ref}: median iterations {c[0] / b[0]:.2f}x, total iterations "
                f"{c[1] / b[1]:.2f}x, seconds per iteration {c[2] / b[2]:.2f}x"
            )


if __name__ == "__main__":
    main()
