"""Static optimisation throughput: batched projected Newton vs per-frame SciPy, same run.

Input: the Fukuchi 2017 runner RBDS001 at 3.5 m/s (inverse dynamics once), its 101 frames tiled
to ``--frames`` frames with small random perturbations of the joint moments (so no two frames are
identical). Times the whole static optimisation (muscle kinematics + solve) of runmuscles and, on
a subset, two per-frame SciPy baselines on the same problem:

* ``scipy.optimize.minimize(method="SLSQP")`` with activations and reserves as variables and the
  moment equalities as constraints (how OpenSim's static optimisation poses it);
* ``scipy.optimize.lsq_linear`` on the reduced bounded least-squares problem (a strong baseline).

OpenSim's own StaticOptimization needs an .osim model of this runner, which does not exist, so it
is not compared (the ``opensim`` 4.6 wheel installs; see the issue note).

Run: ``PYTHONPATH=src python benchmarks/bench_static.py [--frames 10100] [--baseline 60]``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np


def main() -> None:
    from runmuscles.inverse import _ACTUATED
    from runmuscles.io.fukuchi import read_fukuchi
    from runmuscles.model.runner import Runner
    from runmuscles.ocp.inverse import inverse_dynamics
    from runmuscles.ocp.static import _blocks, muscle_coefficients, static_optimisation

    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=10100)
    ap.add_argument("--baseline", type=int, default=60, help="frames for the SciPy baselines")
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    here = Path(__file__).resolve()
    data = args.data or next(
        str(up / "shared/data/fukuchi2017/RBDS001processed.txt")
        for up in here.parents
        if (up / "shared/data/fukuchi2017/RBDS001processed.txt").is_file()
    )
    motion = read_fukuchi(data, 3.5)
    runner = Runner(motion.body_mass or 70.0, motion.metadata["height_m"])
    ident = inverse_dynamics(runner, motion)
    idx = runner.dof_index
    reps = int(np.ceil(args.frames / ident.time.size))
    rng = np.random.default_rng(0)

    def tile(y: np.ndarray) -> np.ndarray:
        return np.tile(y, reps)[: args.frames]

    q = {d: tile(ident.q[i]) for d, i in idx.items()}
    qd = {d: tile(ident.qd[i]) for d, i in idx.items()}
    tau = {
        d: tile(ident.tau[idx[d]] - ident.passive[idx[d]]) + rng.normal(0, 1.0, args.frames)
        for d in _ACTUATED
    }
    print(f"cpu count {os.cpu_count()}, threads OMP={os.environ.get('OMP_NUM_THREADS', '-')}")

    def head(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: v[:200] for k, v in x.items()}

    static_optimisation(runner.muscles, head(q), head(qd), head(tau))  # warm-up
    t0 = time.perf_counter()
    so = static_optimisation(runner.muscles, q, qd, tau)
    dt = time.perf_counter() - t0
    fps = args.frames / dt
    print(
        f"runmuscles batched:  {args.frames} frames in {dt:.3f} s = {fps:,.0f} frames/s "
        f"(max {so.iterations} Newton iterations)"
    )

    # per-frame baselines on the first frames
    from scipy.optimize import lsq_linear, minimize

    nb = args.baseline
    sub_q = {d: v[:nb] for d, v in q.items()}
    sub_qd = {d: v[:nb] for d, v in qd.items()}
    dofs = tuple(tau)
    c = muscle_coefficients(runner.muscles, sub_q, sub_qd, dofs)
    target = np.stack([tau[d][:nb] for d in dofs], axis=1)
    rhs = target - np.einsum("ndm,nm->nd", c["arm"], c["passive"])
    coef = c["arm"] * c["active"][:, None, :]  # (n, D, M)
    m, d = coef.shape[2], coef.shape[1]
    blocks = _blocks(c["arm"])

    t0 = time.perf_counter()
    a_lsq = np.zeros((nb, m))
    for n in range(nb):
        for dc, mc in blocks:
            a_mat = coef[n][np.ix_(dc, mc)]
            res = lsq_linear(
                np.vstack([np.eye(len(mc)), a_mat]),
                np.concatenate([np.zeros(len(mc)), rhs[n, dc]]),
                bounds=(0.0, 1.0),
                tol=1e-10,
            )
            a_lsq[n, mc] = res.x
    t_lsq = time.perf_counter() - t0
    print(
        f"scipy lsq_linear per frame: {nb / t_lsq:,.0f} frames/s  "
        f"(ratio {fps / (nb / t_lsq):,.0f}x); max |a - a_lsq| = "
        f"{np.abs(so.activation[:nb] - a_lsq).max():.1e}"
    )

    t0 = time.perf_counter()
    a_slsqp = np.zeros((nb, m))
    for n in range(nb):

        def cost(x: np.ndarray) -> float:
            return float(x @ x)

        def jac(x: np.ndarray) -> np.ndarray:
            return 2 * x

        big = np.hstack([coef[n], np.eye(d)])  # activations then reserves (rho = 1 N m)
        cons = {
            "type": "eq",
            "fun": lambda x, b=big, r=rhs[n]: b @ x - r,
            "jac": lambda x, b=big: b,
        }
        x0 = np.concatenate([np.full(m, 0.1), rhs[n] - coef[n] @ np.full(m, 0.1)])
        res = minimize(
            cost,
            x0,
            jac=jac,
            constraints=[cons],
            method="SLSQP",
            bounds=[(0, 1)] * m + [(None, None)] * d,
            options={"maxiter": 500, "ftol": 1e-12},
        )
        a_slsqp[n] = res.x[:m]
    t_slsqp = time.perf_counter() - t0
    print(
        f"scipy SLSQP per frame:      {nb / t_slsqp:,.0f} frames/s  "
        f"(ratio {fps / (nb / t_slsqp):,.0f}x); max |a - a_slsqp| = "
        f"{np.abs(so.activation[:nb] - a_slsqp).max():.1e}"
    )


if __name__ == "__main__":
    main()
