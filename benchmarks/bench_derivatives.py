"""Benchmark the NLP's derivatives: one compiled node (``ocp/compiled.py``) against CasADi's
expanded SX functions of the whole NLP (the baseline), in the same run.

Prints, measured here (iteration counts are the machine-independent figure):

1. the one-off costs: generating the SX derivatives; building, compiling (or loading from the
   cache) the node derivatives;
2. their agreement at the shipped 3.5 m/s level stride: the largest difference of every output;
3. per-call times (medians of interleaved calls) of f/g, the gradient, the Jacobian and the
   Hessian, and the ratio;
4. the same warm solves with each (3.5 -> 3.75 m/s and 0 -> +2.5 %, from the shipped stride and
   its multipliers): iterations, seconds, seconds per iteration and the ratio.

Run: ``python benchmarks/bench_derivatives.py [--reps 20]``. A fresh cache compiles once (about
30 s with gcc); ``RUNMUSCLES_CACHE`` moves the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from importlib import resources
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import casadi as ca
import numpy as np

from runmuscles.model.runner import Runner
from runmuscles.ocp import compiled
from runmuscles.ocp.build import get_transcription
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import SolverOptions, derivatives, solve_nlp


def shipped_stride() -> dict[str, np.ndarray]:
    folder = Path(str(resources.files("runmuscles").joinpath("data", "strides")))
    path = next(folder.glob(f"run_3.500_+0.0000_{Runner().fingerprint()}.npz"))
    data = np.load(path, allow_pickle=True)
    return {k: np.asarray(data[k], float) for k in ("z", "lam_g", "lam_x")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20, help="interleaved calls per function")
    args = ap.parse_args()
    problem = predictive(Runner(), 3.5, 0.0)
    tr, _ = get_transcription(problem)
    t0 = time.perf_counter()
    sx = derivatives(tr)
    t_sx = time.perf_counter() - t0
    t0 = time.perf_counter()
    node = compiled.node_derivatives(tr)
    t_node = time.perf_counter() - t0
    if node is None:
        raise SystemExit("no compiled derivatives (no C compiler, or RUNMUSCLES_DERIVATIVES=sx)")
    print(
        f"machine: {os.cpu_count()} cores. SX derivatives {t_sx:.1f} s; node derivatives "
        f"{t_node:.1f} s ({node.library.name}; built, compiled or loaded once per process)"
    )
    stride = shipped_stride()
    z, lam_g, p = stride["z"], stride["lam_g"], [3.5, 0.0]
    calls = {
        "f, g": lambda d: d.nlp(z, p),
        "grad_f": lambda d: d.grad_f(z, p),
        "jac_g": lambda d: d.jac_g(z, p),
        "hess_lag": lambda d: [d.hess_lag(z, p, 1.0, lam_g)],
    }
    print(
        f"{'function':10s} {'max |diff|':>11s} {'max |SX|':>10s} {'SX ms':>8s} {'node ms':>8s} "
        f"{'ratio':>6s}"
    )
    for name, call in calls.items():
        a, b = call(sx), call(node)
        diff = max(
            float(np.abs(ca.DM(x).full() - ca.DM(y).full()).max())
            for x, y in zip(a, b, strict=True)
        )
        scale = max(float(np.abs(ca.DM(x).full()).max()) for x in a)
        times: dict[str, list[float]] = {"sx": [], "node": []}
        for _ in range(args.reps):
            for label, d in (("sx", sx), ("node", node)):
                t0 = time.perf_counter()
                call(d)
                times[label].append(time.perf_counter() - t0)
        ms = {k: 1e3 * statistics.median(v) for k, v in times.items()}
        print(
            f"{name:10s} {diff:11.2e} {scale:10.2e} {ms['sx']:8.2f} {ms['node']:8.2f} "
            f"{ms['sx'] / ms['node']:5.1f}x"
        )
    print(
        f"{'warm solve':22s} {'derivatives':12s} {'iter':>5s} {'wall s':>7s} {'s/iter':>7s} "
        f"{'ratio s':>8s}"
    )
    options = SolverOptions(warm_start=True)
    for label, params in (("3.5 -> 3.75 m/s", (3.75, 0.0)), ("0 -> +2.5 %", (3.5, 0.025))):
        results = {}
        for mode in ("sx", "compiled"):
            os.environ[compiled.DERIVATIVES_ENV] = mode
            results[mode] = solve_nlp(
                tr, z, params, options, label, lam_g0=stride["lam_g"], lam_x0=stride["lam_x"]
            )
        base = results["sx"].wall_time_s
        for mode, res in results.items():
            print(
                f"{label:22s} {mode:12s} {res.iterations:5d} {res.wall_time_s:7.1f} "
                f"{res.wall_time_s / max(res.iterations, 1):7.3f} {res.wall_time_s / base:7.2f}x"
                f"  {res.status}, objective {res.objective:.5f}"
            )
    os.environ.pop(compiled.DERIVATIVES_ENV, None)


if __name__ == "__main__":
    main()
