"""Evaluations per second of the runner's implicit dynamics residual and its sparse Jacobian.

Compares, in the same run:
  * NumPy, one state per call (plain Python on floats) and a batch of states per call
    (the same code broadcasting over a 16 x N array);
  * CasADi SX ``Function`` of the residual, one state per call (includes Python call overhead)
    and mapped over N states in one call (``Function.map``: the C virtual machine's own speed);
  * the sparse Jacobian of the residual w.r.t. (q, qd, qdd, tau), per call and mapped.

Run:  PYTHONPATH=src python benchmarks/bench_dynamics.py [--n 2000]
Ratios are relative to the NumPy single-state evaluation measured here.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import casadi as ca
import numpy as np

from runmuscles.model.runner import Runner


def rate(fn: Callable[[], object], calls_per_run: int, min_time: float = 0.5) -> float:
    """Evaluations per second (each fn() does ``calls_per_run`` evaluations)."""
    fn()
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt > min_time:
            return n * calls_per_run / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000, help="states per batched call")
    args = ap.parse_args()
    n = args.n
    runner = Runner()
    rng = np.random.default_rng(0)
    q = rng.uniform(-0.4, 0.4, (16, n))
    q[1] = rng.uniform(0.90, 0.95, n)  # feet near the belt: contact active in many states
    qd, qdd, tau = (rng.uniform(-2, 2, (16, n)) for _ in range(3))
    grade = 0.05

    t0 = time.perf_counter()
    syms = [ca.SX.sym(name, 16) for name in ("q", "qd", "qdd", "tau")]
    res = runner.implicit_residual(*syms, grade)
    f = ca.Function("residual", syms, [res])
    x = ca.vertcat(*syms)
    jac = ca.jacobian(res, x)
    fj = ca.Function("residual_jac", syms, [jac])
    build = time.perf_counter() - t0
    print(
        f"CasADi SX build: {build:.2f} s; residual {f.n_instructions()} instructions, "
        f"Jacobian 16 x 64 with {jac.nnz()} non-zeros ({fj.n_instructions()} instructions)"
    )

    # correctness first: the three paths agree
    one = [a[:, 0] for a in (q, qd, qdd, tau)]
    r_np = runner.implicit_residual(*one, grade)
    r_ca = np.array(f(*one)).ravel()
    r_batch = runner.implicit_residual(q, qd, qdd, tau, grade)[:, 0]
    assert np.allclose(r_np, r_ca, atol=1e-8) and np.allclose(r_np, r_batch, atol=1e-8)

    # the residual with 34 muscle tendon forces mapped through their moment arms + reserves
    forces = ca.SX.sym("F", len(runner.muscles))
    res_m = runner.implicit_residual(
        syms[0], syms[1], syms[2], syms[3] + runner.muscle_moments(syms[0], forces), grade
    )
    xm = ca.vertcat(x, forces)
    fmus = ca.Function("residual_muscles", [*syms, forces], [res_m])
    fmus_j = ca.Function("residual_muscles_jac", [*syms, forces], [ca.jacobian(res_m, xm)])
    print(
        f"with muscles: residual {fmus.n_instructions()} instructions, Jacobian "
        f"{ca.jacobian(res_m, xm).nnz()} non-zeros"
    )
    f_one = rng.uniform(0, 1000, len(runner.muscles))

    fm = f.map(n)
    fjm = fj.map(n)
    results = {
        "numpy, 1 state/call": rate(lambda: runner.implicit_residual(*one, grade), 1),
        f"numpy, {n} states/call": rate(
            lambda: runner.implicit_residual(q, qd, qdd, tau, grade), n
        ),
        "casadi residual, 1 state/call": rate(lambda: f(*one), 1),
        f"casadi residual, map {n}": rate(lambda: fm(q, qd, qdd, tau), n),
        "casadi sparse Jacobian, 1 state/call": rate(lambda: fj(*one), 1),
        f"casadi sparse Jacobian, map {n}": rate(lambda: fjm(q, qd, qdd, tau), n),
        "casadi residual + 34 muscles, 1 state/call": rate(lambda: fmus(*one, f_one), 1),
        "casadi Jacobian + 34 muscles, 1 state/call": rate(lambda: fmus_j(*one, f_one), 1),
    }
    base = results["numpy, 1 state/call"]
    print(f"{'evaluation':42s} {'evals/s':>12s} {'vs numpy 1/call':>16s}")
    for name, value in results.items():
        print(f"{name:42s} {value:12.0f} {value / base:15.1f}x")


if __name__ == "__main__":
    main()
