"""Fit the relaxed leg to Riener & Edrich 1999: one passive strain per leg muscle + a hip
extension spring.

Riener R, Edrich T (1999) Identification of passive elastic joint moments in the lower
extremities. J Biomech 32:539-544: exponential fits of the passive hip, knee and ankle moments
of relaxed subjects as functions of the three angles (``validate.riener_edrich_1999``).

Fitted parameters (everything else in the model is left as it is):

* ``passive_strain`` (e0, the fibre strain at which passive force reaches Fmax) of the nine leg
  muscles that cross hip, knee or ankle, within 0.4-1.2 (this project's bounds; the De Groote
  2016 / Thelen 2003 default is 0.6). It changes passive force only: optimal fibre lengths,
  optimal poses and the active force-length curve stay as they are.
* the amplitude C (N m) of a hip extension spring ``C exp(-B q_hip)`` with B = 5 /rad (this
  project's choice: at the hip's extension stop of Anderson 1999 / Falisse 2019, 21.9 /rad, the
  stop would have to move from -40 to -13 deg, and a runner's hip passes -13 deg at every toe-off;
  warm solves from today's strides then land on reserve-driven points). It replaces the extension
  side of that stop (``falisse_2019_joint_limits.toml``, ``hip``: k3 = C, k4 = -B, lower = 0) and
  stands in for the anterior hip capsule, which no muscle of the model represents.

Residual per pose and joint: (model - measured) / (|measured| + 5 N m) on a grid of hip -20..60,
knee 0..110, ankle -20..30 deg (the knee fit only from 30 deg knee flexion, the ankle only up to
60 deg; the shapes R&E measured). Prints the fitted values for the TOML files and the seven
poses that ``runmuscles validate`` checks. About 30 s on 2 cores.

    python scripts/fit_passive.py
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

import runmuscles as rm
from runmuscles.model import geometry
from runmuscles.model.muscle import PASSIVE_STRAIN_AT_ONE, equilibrium_tendon_force
from runmuscles.validate import PASSIVE_POSES, PASSIVE_TOLERANCE, riener_edrich_1999

LEG = ("glut_max", "iliopsoas", "hamstrings", "bifemsh", "rect_fem", "vasti", "gastroc", "soleus")
LEG = (*LEG, "tib_ant")
STRAIN_BOUNDS = (0.4, 1.2)
HIP_SPRING_RATE = 5.0
HIP_SPRING_BOUNDS = (0.0, 30.0)
JOINTS = ("hip", "knee", "ankle")


def main() -> None:
    runner = rm.Runner()
    grid = np.array(
        list(itertools.product((-20, 0, 30, 60), (0, 30, 60, 90, 110), (-20, 0, 10, 20, 30))),
        float,
    )
    grid = np.vstack([grid, [(h, k, a) for _, h, k, a in PASSIVE_POSES]])
    h, k, a = grid.T
    measured = {j: np.array([riener_edrich_1999(*g)[j] for g in grid]) for j in JOINTS}
    used = {"hip": np.ones(len(grid), bool), "knee": k >= 30, "ankle": k <= 60}
    q = {d: np.zeros(len(grid)) for d in runner.dofs}
    q["hip_r"], q["knee_r"], q["ankle_r"] = np.radians(h), np.radians(k), np.radians(a)
    qm = np.array([q[d] for d in runner.dofs])
    rom = np.asarray(runner.passive_moments(qm, np.zeros_like(qm)), float)
    stop = runner.skeleton.limits["hip"]
    extension_side = stop.k[2] * np.exp(stop.k[3] * (np.radians(h) - stop.lower))
    legs = [m for m in runner.muscles if m.side == "r" and any(d[-2:] == "_r" for d in m.dofs)]
    pre = {}
    for m in legs:
        arms = geometry.moment_arms(m, q)
        pre[m.name] = (
            np.asarray(geometry.mtu_length(m, q), float),
            {j: np.asarray(arms.get(f"{j}_r", 0.0), float) * np.ones(len(grid)) for j in JOINTS},
        )

    def moments(x: np.ndarray) -> dict[str, np.ndarray]:
        strain = dict(zip(LEG, x[:-1], strict=True))
        th = np.radians(h)
        out = {j: rom[runner.dofs.index(f"{j}_r")].copy() for j in JOINTS}
        out["hip"] += x[-1] * np.exp(-HIP_SPRING_RATE * th) - extension_side
        for m in legs:
            length, arms = pre[m.name]
            fitted = replace(m, passive_strain=strain.get(m.base, m.passive_strain))
            f = equilibrium_tendon_force(fitted, np.zeros(len(grid)), length, iterations=60)
            for j in JOINTS:
                out[j] = out[j] + arms[j] * f * m.max_isometric_force
        return out

    def residual(x: np.ndarray) -> np.ndarray:
        mom = moments(x)
        return np.concatenate(
            [((mom[j] - measured[j]) / (np.abs(measured[j]) + 5.0))[used[j]] for j in JOINTS]
        )

    x0 = np.array([PASSIVE_STRAIN_AT_ONE] * len(LEG) + [1.0])
    lo = np.array([STRAIN_BOUNDS[0]] * len(LEG) + [HIP_SPRING_BOUNDS[0]])
    hi = np.array([STRAIN_BOUNDS[1]] * len(LEG) + [HIP_SPRING_BOUNDS[1]])
    fit = least_squares(residual, x0, bounds=(lo, hi), diff_step=1e-3)
    rms = float(np.sqrt(np.mean(fit.fun**2)))
    print(f"rms relative error: {rms:.3f}")
    for base, e0 in zip(LEG, fit.x[:-1], strict=True):
        edge = (
            " (bound)" if min(abs(e0 - STRAIN_BOUNDS[0]), abs(e0 - STRAIN_BOUNDS[1])) < 1e-3 else ""
        )
        print(f"[muscles.{base}] passive_strain = {e0:.3f}{edge}")
    k = stop.k
    print(f"[joints.hip] k = [{k[0]}, {k[1]}, {fit.x[-1]:.3f}, {-HIP_SPRING_RATE}], lower = 0.0")
    mom = moments(fit.x)
    floor, share = PASSIVE_TOLERANCE
    n = len(grid) - len(PASSIVE_POSES)
    for i, (joint, hh, kk, aa) in enumerate(PASSIVE_POSES):
        model, ref = float(mom[joint][n + i]), float(measured[joint][n + i])
        ok = abs(model - ref) <= max(floor, share * abs(ref))
        print(
            f"{joint:5s} at hip {hh:+4.0f} knee {kk:3.0f} ankle {aa:+3.0f}: "
            f"model {model:+6.1f}  R&E {ref:+6.1f}  {'ok' if ok else 'outside the band'}"
        )


if __name__ == "__main__":
    main()
