"""Benchmark the predictive solve: where the time goes, cold and warm, iterations and seconds.

Prints, measured in this run on this machine (iteration counts are the machine-independent
figure):

1. the NLP (variables, constraints, non-zeros) and the one-off costs: building the transcription
   and generating the exact derivatives (shared by every later solve in the process);
2. cold solves at 3.5 m/s level from each cold guess (measured kinematics, kinematic template)
   with the default strategy (exact Hessian, monotone barrier from mu = 0.1), and the baseline
   strategy of the previous engine (limited-memory phase, then an exact polish) from the
   measured guess: iterations, seconds, objective, and the ratio to that baseline;
3. warm solves from the 3.5 m/s level stride to neighbours 0.25 m/s and 2.5 % away, and the
   ratio to the cold solve;
4. the profile of one exact-Hessian solve: time in function evaluation (derivatives included)
   vs in IPOPT itself (the linear algebra), from IPOPT's own timers.

Targets of the engine issue (2 cores): cold <= 30 s and <= 300 iterations; warm <= 5 s and <= 40
iterations. Run: ``python benchmarks/bench_predict.py [--quick]`` (``--quick``: no baseline).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

os.environ.setdefault("OMP_NUM_THREADS", "1")  # MUMPS threads only add contention on 2 cores

from runmuscles.model.runner import Runner
from runmuscles.ocp.build import COLD_GUESSES, get_transcription
from runmuscles.ocp.compiled import NodeDerivatives, node_derivatives
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import SolverOptions, derivatives, solve_nlp


def row(name: str, res, base: float | None = None, base_it: int | None = None) -> str:  # type: ignore[no-untyped-def]
    ratio = (
        "" if base is None else f"{res.wall_time_s / base:7.2f}x {res.iterations / base_it:6.2f}x"
    )
    return (
        f"{name:38s} {res.status:28s} {res.iterations:5d} {res.wall_time_s:8.1f} "
        f"{res.function_time_s:7.1f} {res.objective:9.5f} {ratio}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the baseline strategy")
    args = ap.parse_args()
    runner = Runner()
    t0 = time.perf_counter()
    problem = predictive(runner, 3.5, 0.0)
    tr, layout = get_transcription(problem)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = node_derivatives(tr) or derivatives(tr)  # what the solver uses
    t_deriv = time.perf_counter() - t0
    kind = "compiled node" if isinstance(d, NodeDerivatives) else "interpreted SX"
    nnz_j = d.jac_g.sparsity_out(1).nnz()
    nnz_h = d.hess_lag.sparsity_out(0).nnz()
    print(
        f"machine: {os.cpu_count()} cores; NLP: {tr.n_variables} variables, {tr.lbg.size} "
        f"constraints, Jacobian {nnz_j} and Hessian {nnz_h} non-zeros; transcription "
        f"{t_build:.1f} s, exact derivatives ({kind}) {t_deriv:.1f} s (once per process)"
    )
    header = (
        f"{'solve':38s} {'status':28s} {'iter':>5s} {'wall s':>8s} {'func s':>7s} "
        f"{'objective':>9s} {'ratio (s, iter)':>15s}"
    )
    print(header)
    params = (3.5, 0.0)
    cold = {}
    for name, fn in COLD_GUESSES.items():
        x, u, T = fn(runner, layout, 3.5, problem.n_intervals, "run")
        cold[name] = solve_nlp(tr, tr.pack(x, u, T), params, SolverOptions(), "cold " + name)
    base = None
    if not args.quick:
        x, u, T = COLD_GUESSES["measured"](runner, layout, 3.5, problem.n_intervals, "run")
        first = solve_nlp(
            tr, tr.pack(x, u, T), params, SolverOptions(hessian="limited-memory", max_iter=300)
        )
        polish = solve_nlp(
            tr,
            first.z,
            params,
            SolverOptions(hessian="exact", warm_start=True),
            lam_g0=first.lam_g,
            lam_x0=first.lam_x,
        )
        base = replace(
            polish,
            iterations=first.iterations + polish.iterations,
            wall_time_s=first.wall_time_s + polish.wall_time_s,
            function_time_s=first.function_time_s + polish.function_time_s,
        )
        print(
            row("baseline: 300 L-BFGS + exact, measured", base, base.wall_time_s, base.iterations)
        )
    for name, res in cold.items():
        print(
            row(
                f"cold, {name} guess",
                res,
                None if base is None else base.wall_time_s,
                None if base is None else base.iterations,
            )
        )
    best = min((r for r in cold.values() if r.success), key=lambda r: r.objective, default=None)
    if best is None:
        print("no cold solve converged: no warm starts measured")
        return
    for label, target in (
        ("warm 3.5 -> 3.75 m/s", (3.75, 0.0)),
        ("warm 0 -> +2.5 %", (3.5, 0.025)),
    ):
        res = solve_nlp(tr, best.z, target, SolverOptions(warm_start=True), label)
        print(row(label, res, best.wall_time_s, best.iterations))
    # profile of one exact solve: IPOPT's own timers
    res = solve_nlp(tr, best.z, (3.75, 0.0), SolverOptions(warm_start=True), "profile")
    print(
        f"profile (warm exact solve, {res.iterations} iterations): {res.wall_time_s:.1f} s, of "
        f"which {res.function_time_s:.1f} s in function and derivative evaluation and "
        f"{res.wall_time_s - res.function_time_s:.1f} s in IPOPT (linear algebra: MUMPS); "
        f"{res.wall_time_s / max(res.iterations, 1):.3f} s per iteration"
    )


if __name__ == "__main__":
    main()
