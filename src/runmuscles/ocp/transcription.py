"""Direct collocation (trapezoidal, implicit dynamics) of a periodic gait problem.

The transcription is generic: it knows nothing of muscles or skeletons, only of a
:class:`NodeModel` — named, scaled states ``x`` and controls ``u`` with CasADi functions for the
state derivative, the algebraic path residuals and the running cost at one mesh node. Everything
physical lives in :mod:`runmuscles.ocp.node`.

Decision vector (all scaled to order one): states and controls at the N+1 nodes and the duration
``T`` of the simulated interval (a half stride when ``mirror`` periodicity is used). Conditions
(speed, grade) enter as NLP *parameters*, so one built NLP serves every condition and warm starts
need no rebuild.

Constraints, in this order:
1. trapezoidal defects ``x[k+1] - x[k] - h/2 (xdot[k] + xdot[k+1]) = 0`` (scaled by state scale);
2. path residuals (implicit skeletal dynamics, tendon equilibrium) at every node;
3. periodicity ``x[N] = P x[0] + speed*T e_tx`` and ``u[N] = P u[0]``, where ``P`` swaps left and
   right for a half stride (identity for a full stride) and ``e_tx`` adds the distance travelled
   to the forward position.

Objective: the running cost integrated with trapezoidal weights, divided by the distance
``speed*T`` (effort per metre, the usual choice for gait: Falisse et al. 2019; Dembia et al. 2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import casadi as ca
import numpy as np

__all__ = ["NodeModel", "Transcription", "transcribe"]


@dataclass(frozen=True)
class NodeModel:
    """Physics at one collocation node, as CasADi functions of (x, u, p).

    ``p`` holds the condition parameters ``[speed (m/s), grade (rise/run)]``. States and controls
    are in physical units; ``*_scale`` give their typical magnitudes (the NLP works on x/scale).
    ``f_dot(x, u, p) -> xdot``; ``f_path(x, u, p) -> residuals`` (already scaled to order one);
    ``f_cost(x, u, p) -> running cost`` (a scalar, per second); ``f_out(x, u, p) -> outputs``.
    """

    states: tuple[str, ...]
    controls: tuple[str, ...]
    x_scale: np.ndarray
    u_scale: np.ndarray
    x_lb: np.ndarray
    x_ub: np.ndarray
    u_lb: np.ndarray
    u_ub: np.ndarray
    f_dot: ca.Function
    f_path: ca.Function
    f_cost: ca.Function
    f_out: ca.Function
    output_names: tuple[str, ...]
    x_mirror: np.ndarray  # (nx, nx) periodicity map for states
    u_mirror: np.ndarray  # (nu, nu) periodicity map for controls
    forward_state: str = "pelvis_tx"
    n_path: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def nx(self) -> int:
        return len(self.states)

    @property
    def nu(self) -> int:
        return len(self.controls)


@dataclass(frozen=True)
class Transcription:
    """A built NLP and the maps between its flat vectors and named trajectories."""

    model: NodeModel
    n_intervals: int
    nlp: dict[str, ca.MX]
    lbx: np.ndarray
    ubx: np.ndarray
    lbg: np.ndarray
    ubg: np.ndarray
    duration_bounds: tuple[float, float]
    n_defects: int
    n_path_total: int

    @property
    def n_nodes(self) -> int:
        return self.n_intervals + 1

    @property
    def n_variables(self) -> int:
        return int(self.lbx.size)

    # -- packing -------------------------------------------------------------------------
    def pack(self, x: np.ndarray, u: np.ndarray, duration: float) -> np.ndarray:
        """Physical trajectories ``x (N+1, nx)``, ``u (N+1, nu)`` and duration -> scaled vector."""
        m = self.model
        xs = (np.asarray(x, float) / m.x_scale).T.ravel(order="F")
        us = (np.asarray(u, float) / m.u_scale).T.ravel(order="F")
        return np.concatenate([xs, us, [duration]])

    def unpack(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Scaled vector -> ``x (N+1, nx)``, ``u (N+1, nu)`` in physical units, duration (s)."""
        m, n = self.model, self.n_nodes
        z = np.asarray(z, float).ravel()
        nxs, nus = m.nx * n, m.nu * n
        x = z[:nxs].reshape(n, m.nx) * m.x_scale
        u = z[nxs : nxs + nus].reshape(n, m.nu) * m.u_scale
        return x, u, float(z[-1])


def transcribe(
    model: NodeModel, n_intervals: int, duration_bounds: tuple[float, float]
) -> Transcription:
    """Build the trapezoidal collocation NLP with parameters ``p = [speed, grade]``."""
    n = n_intervals + 1
    nx, nu = model.nx, model.nu
    xs = ca.MX.sym("xs", nx, n)
    us = ca.MX.sym("us", nu, n)
    duration = ca.MX.sym("T")
    p = ca.MX.sym("p", 2)
    z = ca.vertcat(ca.vec(xs), ca.vec(us), duration)

    x_scale = ca.DM(model.x_scale)
    u_scale = ca.DM(model.u_scale)
    x = xs * ca.repmat(x_scale, 1, n)
    u = us * ca.repmat(u_scale, 1, n)
    pp = ca.repmat(p, 1, n)
    h = duration / n_intervals

    xdot = model.f_dot.map(n)(x, u, pp)
    defects = (x[:, 1:] - x[:, :-1] - h / 2 * (xdot[:, 1:] + xdot[:, :-1])) / ca.repmat(
        x_scale, 1, n_intervals
    )
    path = model.f_path.map(n)(x, u, pp)
    cost_k = model.f_cost.map(n)(x, u, pp)
    weights = np.ones(n)
    weights[0] = weights[-1] = 0.5
    distance = p[0] * duration
    objective = h * ca.mtimes(cost_k, ca.DM(weights)) / distance

    tx = model.states.index(model.forward_state)
    shift = np.zeros(nx)
    shift[tx] = 1.0
    per_x = (
        x[:, -1] - ca.mtimes(ca.DM(model.x_mirror), x[:, 0]) - distance * ca.DM(shift)
    ) / x_scale
    per_u = (u[:, -1] - ca.mtimes(ca.DM(model.u_mirror), u[:, 0])) / u_scale

    g = ca.vertcat(ca.vec(defects), ca.vec(path), per_x, per_u)
    n_def = nx * n_intervals
    n_path = int(path.numel())
    ng = int(g.numel())

    lbx = np.concatenate(
        [
            np.tile(model.x_lb / model.x_scale, n),
            np.tile(model.u_lb / model.u_scale, n),
            [duration_bounds[0]],
        ]
    )
    ubx = np.concatenate(
        [
            np.tile(model.x_ub / model.x_scale, n),
            np.tile(model.u_ub / model.u_scale, n),
            [duration_bounds[1]],
        ]
    )
    # the forward position starts at zero (removes the translation invariance)
    lbx[tx] = ubx[tx] = 0.0
    return Transcription(
        model=model,
        n_intervals=n_intervals,
        nlp={"x": z, "p": p, "f": objective, "g": g},
        lbx=lbx,
        ubx=ubx,
        lbg=np.zeros(ng),
        ubg=np.zeros(ng),
        duration_bounds=duration_bounds,
        n_defects=n_def,
        n_path_total=n_path,
    )
