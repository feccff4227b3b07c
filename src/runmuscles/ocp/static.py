"""Static optimisation: muscle activations from joint moments, every frame at once.

Per frame (index n), with activations ``a`` (one per muscle) and reserve moments ``r`` (one per
actuated DOF)::

    minimise   sum_i a_i^2 + sum_j (r_j / rho_j)^2
    subject to sum_i R_ji(q) F0_i (a_i fl_i fv_i + fpe_i) cos(alpha_i) + r_j = tau_j - tau_pas_j
               0 <= a_i <= 1

``R`` are the moment arms (m), ``F0`` the maximum isometric forces (N), ``fl``, ``fv``, ``fpe`` the
De Groote 2016 active force-length, force-velocity and passive force-length curves, ``tau`` the
net joint moments from inverse dynamics and ``tau_pas`` the model's joint range-of-motion and
damping moments (N m). Reserves are ideal torque actuators penalised with "optimal moment"
``rho`` (default 1 N m, so one N m of reserve costs as much as one fully active muscle); they are
what OpenSim calls reserve actuators.

**Rigid tendons** (an accepted approximation for static optimisation, e.g. Anderson & Pandy 2001;
the compliant Achilles tendon of the dynamic model is treated as rigid here): fibre length from
the muscle-tendon length ``l_M cos(alpha) = l_MT - l_ts`` (constant-thickness pennation), fibre
velocity ``v_M = cos(alpha) v_MT`` from the muscle-tendon velocity; fibres are kept at least at
0.3 l_opt (a rigid tendon can otherwise demand impossibly short fibres at extreme angles; the
number of clamped samples is reported).

Solving the constraint for ``r`` turns each frame into a box-constrained least-squares problem in
``a`` alone. Muscles that share no DOF are independent, so the problem splits into small blocks
(one per leg, trunk, each arm joint); each block is solved for all frames at once by a batched
projected Newton method (Bertsekas 1982, SIAM J Control Optim 20:221) with an Armijo search along
the projection arc: exact for this strictly convex QP at convergence, checked against
``scipy.optimize.lsq_linear`` in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from runmuscles.errors import ConvergenceError, InputError
from runmuscles.model.geometry import moment_arms, mtu_length
from runmuscles.model.metabolics import umberger_rate
from runmuscles.model.muscle import (
    MuscleParams,
    active_force_length,
    force_velocity,
    passive_force_length,
)

__all__ = [
    "MIN_FIBRE_LENGTH",
    "StaticResult",
    "muscle_coefficients",
    "solve_box_qp",
    "static_optimisation",
]

Array = npt.NDArray[np.float64]
#: Shortest normalised fibre length allowed by the rigid-tendon kinematics (l_opt).
MIN_FIBRE_LENGTH = 0.3


@dataclass(frozen=True)
class StaticResult:
    """Static optimisation over N frames, M muscles, D actuated DOFs (arrays are (N, M) or (N, D)).

    activation (0..1), force (tendon force, N), fibre_length (m), fibre_velocity (m/s,
    lengthening +), mtu_velocity (m/s), reserve (N m), muscle_moment (N m, muscles only),
    target (tau - passive joint moments, N m); ``muscles`` and ``dofs`` name the columns.
    ``iterations`` is the largest Newton iteration count of any block; ``warnings`` lists large
    reserves and clamped fibres.
    """

    muscles: tuple[str, ...]
    dofs: tuple[str, ...]
    activation: Array
    force: Array
    fibre_length: Array
    fibre_velocity: Array
    mtu_velocity: Array
    reserve: Array
    muscle_moment: Array
    target: Array
    iterations: int
    warnings: tuple[str, ...] = field(default=())

    def series(self, muscles: Sequence[MuscleParams]) -> dict[str, dict[str, Array]]:
        """Per muscle (``muscles``: the solved ones, in column order) the GaitCycle series:
        excitation = activation (static: no activation dynamics), force, fibre length and
        velocity, MTU velocity and the Umberger 2010 metabolic rate (W)."""
        out: dict[str, dict[str, Array]] = {}
        for i, m in enumerate(muscles):
            a = self.activation[:, i]
            lm_n = self.fibre_length[:, i] / m.optimal_fiber_length
            vm_n = np.clip(self.fibre_velocity[:, i] / m.max_contraction_velocity, -1.0, 1.0)
            out[m.name] = {
                "excitation": a,
                "activation": a,
                "force": self.force[:, i],
                "fibre_length": self.fibre_length[:, i],
                "fibre_velocity": self.fibre_velocity[:, i],
                "mtu_velocity": self.mtu_velocity[:, i],
                "metabolic_rate": np.asarray(umberger_rate(m, a, a, lm_n, vm_n).total, dtype=float),
            }
        return out

    def reserve_peak_fraction(self) -> dict[str, float]:
        """Peak |reserve| / peak |target moment| per DOF (0 when the DOF carries no moment)."""
        out = {}
        for j, d in enumerate(self.dofs):
            peak = float(np.max(np.abs(self.target[:, j])))
            res = float(np.max(np.abs(self.reserve[:, j])))
            out[d] = res / peak if peak > 1e-9 else 0.0
        return out


def muscle_coefficients(
    muscles: Sequence[MuscleParams], q: dict[str, Array], qd: dict[str, Array], dofs: Sequence[str]
) -> dict[str, Array]:
    """Rigid-tendon muscle quantities for all frames.

    Returns ``arm`` (N, D, M) moment arms (m), ``active`` (N, M) force per unit activation along
    the tendon (N), ``passive`` (N, M) passive tendon force (N), ``fibre_length`` (N, M, m),
    ``fibre_velocity`` (N, M, m/s), ``mtu_velocity`` (N, M, m/s), ``clamped`` (N, M, bool).
    """
    n = next(iter(q.values())).size
    col = {d: j for j, d in enumerate(dofs)}
    arm = np.zeros((n, len(dofs), len(muscles)))
    active = np.zeros((n, len(muscles)))
    passive = np.zeros_like(active)
    l_fib = np.zeros_like(active)
    v_fib = np.zeros_like(active)
    v_mtu = np.zeros_like(active)
    clamped = np.zeros(active.shape, dtype=bool)
    for i, m in enumerate(muscles):
        v = np.zeros(n)
        for dof, r in moment_arms(m, q).items():
            if dof in col:
                arm[:, col[dof], i] = r
            v = v - r * qd[dof]
        along = mtu_length(m, q) - m.tendon_slack_length
        h = m.fiber_height
        l_min = MIN_FIBRE_LENGTH * m.optimal_fiber_length
        along_min = np.sqrt(max(l_min**2 - h**2, 0.0))
        clamped[:, i] = along < along_min
        along = np.maximum(along, along_min)
        length = np.sqrt(h * h + along * along)
        cos_a = along / length
        vel = cos_a * v
        lm_n = length / m.optimal_fiber_length
        vm_n = np.clip(vel / m.max_contraction_velocity, -1.0, 1.0)
        f0 = m.max_isometric_force * cos_a
        active[:, i] = f0 * active_force_length(lm_n) * force_velocity(vm_n)
        passive[:, i] = f0 * np.maximum(
            passive_force_length(lm_n, strain_at_one=m.passive_strain), 0.0
        )
        l_fib[:, i] = length
        v_fib[:, i] = vel
        v_mtu[:, i] = v
    return {
        "arm": arm,
        "active": active,
        "passive": passive,
        "fibre_length": l_fib,
        "fibre_velocity": v_fib,
        "mtu_velocity": v_mtu,
        "clamped": clamped,
    }


def solve_box_qp(
    h: Array,
    g: Array,
    lower: float = 0.0,
    upper: float = 1.0,
    tol: float = 1e-10,
    max_iter: int = 60,
) -> tuple[Array, int]:
    """Minimise 0.5 x'H x + g'x subject to lower <= x <= upper, batched over the first axis.

    h: (N, K, K) symmetric positive definite; g: (N, K). Projected Newton with an Armijo search
    along the projection arc; each iteration works only on the problems not yet converged.
    Returns (x (N, K), iterations). Raises ConvergenceError when the projected gradient has not
    vanished after ``max_iter`` iterations.
    """
    k = g.shape[1]
    x = np.clip(np.linalg.solve(h, -g[..., None])[..., 0], lower, upper)
    eye = np.eye(k)
    scale = np.maximum(1.0, np.abs(g).max(axis=1))
    live = np.arange(g.shape[0])
    iterations = 0
    for it in range(1, max_iter + 1):
        hh, gg, xx = h[live], g[live], x[live]
        grad = (hh @ xx[..., None])[..., 0] + gg
        pg = xx - np.clip(xx - grad, lower, upper)  # projected gradient
        pmax = np.abs(pg).max(axis=1)
        todo = pmax / scale[live] > tol
        if not todo.any():
            break
        iterations = it
        live, hh, gg, xx, grad, pmax = (
            live[todo],
            hh[todo],
            gg[todo],
            xx[todo],
            grad[todo],
            pmax[todo],
        )
        eps = np.minimum(1e-6, pmax)[:, None]
        fixed = ((xx <= lower + eps) & (grad > 0)) | ((xx >= upper - eps) & (grad < 0))
        free = ~fixed
        hm = np.where(free[:, :, None] & free[:, None, :], hh, eye)
        d = np.linalg.solve(hm, np.where(free, -grad, 0.0)[..., None])[..., 0]
        d = np.where(free, d, -grad)  # fixed variables move along -grad (then projected)

        def cost(z: Array, hh: Array = hh, gg: Array = gg) -> Array:
            return 0.5 * np.einsum("ni,ni->n", z, (hh @ z[..., None])[..., 0]) + np.einsum(
                "ni,ni->n", gg, z
            )

        f0 = cost(xx)
        new = xx.copy()
        pending = np.arange(xx.shape[0])
        t = 1.0
        for _ in range(30):
            cand = np.clip(xx[pending] + t * d[pending], lower, upper)
            dec = np.einsum("ni,ni->n", grad[pending], xx[pending] - cand)
            sub = cost(cand, hh[pending], gg[pending])
            ok = sub <= f0[pending] - 1e-4 * dec
            new[pending[ok]] = cand[ok]
            pending = pending[~ok]
            if pending.size == 0:
                break
            t *= 0.5
        x[live] = new
    hh, gg, xx = h[live], g[live], x[live]
    grad = (hh @ xx[..., None])[..., 0] + gg
    err = np.abs(xx - np.clip(xx - grad, lower, upper)).max(axis=1) / scale[live]
    if np.any(err > 1e-6):
        raise ConvergenceError(
            f"static optimisation did not converge in {max_iter} Newton iterations (worst "
            f"projected gradient {err.max():.2e}); check the joint moments for NaN or huge values"
        )
    return x, iterations


def _blocks(arm: Array) -> list[tuple[list[int], list[int]]]:
    """Groups of (dof columns, muscle columns) that share no DOF with other groups."""
    d, m = arm.shape[1:]
    uses = np.any(arm != 0.0, axis=0)  # (D, M)
    parent = list(range(m))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for j in range(d):
        cols = np.nonzero(uses[j])[0]
        for c in cols[1:]:
            parent[find(int(c))] = find(int(cols[0]))
    groups: dict[int, list[int]] = {}
    for i in range(m):
        groups.setdefault(find(i), []).append(i)
    out = []
    for mus in groups.values():
        dof_cols = [j for j in range(d) if uses[j, mus].any()]
        out.append((dof_cols, mus))
    return out


def static_optimisation(
    muscles: Sequence[MuscleParams],
    q: dict[str, Array],
    qd: dict[str, Array],
    tau: dict[str, Array],
    *,
    reserve_optimal_moment: float = 1.0,
    reserve_warning_fraction: float = 0.05,
) -> StaticResult:
    """Activations minimising the summed squares (module docstring) for all frames at once.

    q, qd: DOF name -> (N,) angles (rad) and speeds (rad/s) for every DOF the muscles cross;
    tau: actuated DOF name -> (N,) moment the muscles and reserves must produce (N m), i.e. the
    net inverse-dynamics moment minus the model's passive joint moments. Reserves above
    ``reserve_warning_fraction`` of a DOF's peak moment are reported in ``warnings``.
    """
    if reserve_optimal_moment <= 0:
        raise InputError("reserve_optimal_moment must be a positive number of N m")
    dofs = tuple(tau)
    missing = sorted({d for m in muscles for d in m.dofs} - set(q))
    if missing:
        raise InputError(f"joint angles missing for {', '.join(missing)}; give every DOF crossed")
    target = np.stack([np.asarray(tau[d], dtype=float) for d in dofs], axis=1)
    if not np.all(np.isfinite(target)):
        raise InputError("joint moments contain NaN or infinite values; check the input motion")
    n = target.shape[0]
    for name, series in (*q.items(), *qd.items()):
        if np.shape(series) != (n,):
            raise InputError(
                f"{name}: {np.shape(series)} samples, but the joint moments have ({n},); give "
                "angles, speeds and moments on the same frames"
            )
    c = muscle_coefficients(muscles, q, qd, dofs)
    arm = c["arm"]
    passive_moment = np.einsum("ndm,nm->nd", arm, c["passive"])
    rhs = target - passive_moment
    a = np.zeros((n, len(muscles)))
    iterations = 0
    rho2 = reserve_optimal_moment**2
    for dof_cols, mus in _blocks(arm):
        coef = arm[:, dof_cols][:, :, mus] * c["active"][:, None, mus]  # (N, d, k)
        h = 2.0 * (np.eye(len(mus)) + np.einsum("ndi,ndj->nij", coef, coef) / rho2)
        g = -2.0 * np.einsum("ndi,nd->ni", coef, rhs[:, dof_cols]) / rho2
        x, it = solve_box_qp(h, g)
        a[:, mus] = x
        iterations = max(iterations, it)
    force = a * c["active"] + c["passive"]
    moment = np.einsum("ndm,nm->nd", arm, force)
    reserve = target - moment
    res = StaticResult(
        muscles=tuple(m.name for m in muscles),
        dofs=dofs,
        activation=a,
        force=force,
        fibre_length=c["fibre_length"],
        fibre_velocity=c["fibre_velocity"],
        mtu_velocity=c["mtu_velocity"],
        reserve=reserve,
        muscle_moment=moment,
        target=target,
        iterations=iterations,
    )
    warnings = []
    for d, frac in res.reserve_peak_fraction().items():
        if frac > reserve_warning_fraction:
            j = dofs.index(d)
            warnings.append(
                f"reserve at {d} reaches {np.max(np.abs(reserve[:, j])):.1f} N m "
                f"({100 * frac:.0f} % of its peak moment): the muscles cannot produce it"
            )
    nclamp = int(c["clamped"].sum())
    if nclamp:
        names = sorted({res.muscles[i] for i in np.nonzero(c["clamped"].any(axis=0))[0]})
        warnings.append(
            f"{nclamp} muscle-frames needed fibres shorter than {MIN_FIBRE_LENGTH} l_opt with a "
            f"rigid tendon and were clamped ({', '.join(names)})"
        )
    return StaticResult(**{**res.__dict__, "warnings": tuple(warnings)})
