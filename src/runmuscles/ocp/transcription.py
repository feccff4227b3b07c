"""Direct collocation (trapezoidal, implicit dynamics) of a periodic gait problem.

The transcription is generic: it knows nothing of muscles or skeletons, only of a
:class:`NodeModel` — named, scaled states ``x`` and controls ``u`` with CasADi functions for the
state derivative, the algebraic path residuals and the running cost at one mesh node. Everything
physical lives in :mod:`runmuscles.ocp.node`.

Decision vector (all scaled to order one): states and controls at the N+1 nodes and one time step
``h_k`` per node, chained by equalities ``h_{k+1} = h_k`` (the simulated interval, a half stride
when ``mirror`` periodicity is used, lasts ``T = N h``). A single duration variable would couple
every defect constraint and make the KKT matrix factorise slowly; a chain keeps it banded
(measured in a feasibility probe of this problem class: 9 DOF, 16 muscles, 50 nodes).
Conditions (speed, grade) enter as NLP *parameters*, so one built NLP serves every condition and
warm starts need no rebuild.

Node functions take ``(x, u, p, t)`` with ``t = [phi, dphi/dt]``: the node's stride fraction
(``k / (2N)`` over a half stride, ``k / N`` over a full one) and its rate ``1 / (2 N h)`` or
``1 / (N h)``, for motions prescribed as functions of the stride phase.

Constraints, in this order:
1. trapezoidal defects ``x[k+1] - x[k] - h_k/2 (xdot[k] + xdot[k+1]) = 0`` (scaled by state scale);
2. path residuals (implicit skeletal dynamics, tendon equilibrium) at every node but the last:
   with states and controls periodic, the residuals at the last node are those of the first
   mapped by ``P``, and imposing both makes the constraint Jacobian rank-deficient (measured:
   one zero singular value per residual; the multipliers then blow up and the exact-Hessian
   solve fails);
3. periodicity ``x[N] = P x[0] + speed*T e_tx`` and ``u[N] = P u[0]``, where ``P`` swaps left and
   right for a half stride (identity for a full stride) and ``e_tx`` adds the distance travelled
   to the forward position;
4. the time-step chain ``h_{k+1} - h_k = 0``.

Objective: the running cost integrated with trapezoidal weights, divided by the distance
``speed*T`` (effort per metre, the usual choice for gait: Falisse et al. 2019; Dembia et al. 2020).
With equal steps ``h (sum_k w_k c_k) / (speed N h)``: the step cancels, so the objective is the
trapezoidal mean of the running cost over the nodes divided by the speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import casadi as ca
import numpy as np

__all__ = ["H_SCALE", "NodeModel", "Transcription", "transcribe"]


@dataclass(frozen=True)
class NodeModel:
    """Physics at one collocation node, as CasADi functions of (x, u, p).

    ``p`` holds the condition parameters ``[speed (m/s), grade (rise/run)]`` and ``t`` the node's
    ``[stride fraction, its rate 1/s]``. States and controls are in physical units; ``*_scale`` give
    their typical magnitudes (the NLP works on x/scale). ``f_dot(x, u, p, t) -> xdot``;
    ``f_path(x, u, p, t) -> residuals`` (already scaled to order one); ``f_cost(x, u, p, t) ->
    running cost`` (a scalar, per second); ``f_out(x, u, p, t) -> outputs``.
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
    half_stride: bool = True

    @property
    def n_nodes(self) -> int:
        return self.n_intervals + 1

    @property
    def n_variables(self) -> int:
        return int(self.lbx.size)

    @property
    def phases(self) -> np.ndarray:
        """Stride fraction of every node (0 at the first node)."""
        span = 0.5 if self.half_stride else 1.0
        return span * np.arange(self.n_nodes) / self.n_intervals

    def phase_rate(self, duration: float) -> float:
        """d(stride fraction)/dt (1/s) for a simulated interval of ``duration`` s."""
        return (0.5 if self.half_stride else 1.0) / duration

    # -- packing -------------------------------------------------------------------------
    def pack(self, x: np.ndarray, u: np.ndarray, duration: float) -> np.ndarray:
        """Physical trajectories ``x (N+1, nx)``, ``u (N+1, nu)`` and duration -> scaled vector."""
        m = self.model
        xs = (np.asarray(x, float) / m.x_scale).T.ravel(order="F")
        us = (np.asarray(u, float) / m.u_scale).T.ravel(order="F")
        hs = np.full(self.n_nodes, duration / self.n_intervals / H_SCALE)
        return np.concatenate([xs, us, hs])

    def unpack(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Scaled vector -> ``x (N+1, nx)``, ``u (N+1, nu)`` in physical units, duration (s)."""
        m, n = self.model, self.n_nodes
        z = np.asarray(z, float).ravel()
        nxs, nus = m.nx * n, m.nu * n
        x = z[:nxs].reshape(n, m.nx) * m.x_scale
        u = z[nxs : nxs + nus].reshape(n, m.nu) * m.u_scale
        h = z[nxs + nus :] * H_SCALE
        return x, u, float(np.mean(h)) * self.n_intervals


def cost_weights(n_intervals: int) -> np.ndarray:
    """Trapezoidal weights of the N+1 nodes' running costs (times h; h is equal at all nodes):
    the objective is ``weights @ cost / (N speed)``."""
    weights = np.ones(n_intervals + 1)
    weights[0] = weights[-1] = 0.5
    return weights


#: Typical time step (s): the NLP works on h / H_SCALE.
H_SCALE = 0.01


def transcribe(
    model: NodeModel,
    n_intervals: int,
    duration_bounds: tuple[float, float],
    half_stride: bool = True,
) -> Transcription:
    """Build the trapezoidal collocation NLP with parameters ``p = [speed, grade]``."""
    n = n_intervals + 1
    nx, nu = model.nx, model.nu
    xs = ca.MX.sym("xs", nx, n)
    us = ca.MX.sym("us", nu, n)
    hs = ca.MX.sym("hs", 1, n)
    p = ca.MX.sym("p", 2)
    z = ca.vertcat(ca.vec(xs), ca.vec(us), ca.vec(hs))

    x_scale = ca.DM(model.x_scale)
    u_scale = ca.DM(model.u_scale)
    x = xs * ca.repmat(x_scale, 1, n)
    u = us * ca.repmat(u_scale, 1, n)
    h = hs * H_SCALE
    pp = ca.repmat(p, 1, n)
    span = 0.5 if half_stride else 1.0
    phi = ca.DM(span * np.arange(n) / n_intervals).T
    tt = ca.vertcat(phi, span / (n_intervals * h))

    xdot = model.f_dot.map(n)(x, u, pp, tt)
    defects = (
        x[:, 1:] - x[:, :-1] - ca.repmat(h[:, :-1], nx, 1) / 2 * (xdot[:, 1:] + xdot[:, :-1])
    ) / ca.repmat(x_scale, 1, n_intervals)
    path = model.f_path.map(n_intervals)(x[:, :-1], u[:, :-1], pp[:, :-1], tt[:, :-1])
    cost_k = model.f_cost.map(n)(x, u, pp, tt)
    objective = ca.mtimes(cost_k, ca.DM(cost_weights(n_intervals))) / (n_intervals * p[0])
    distance = p[0] * n_intervals * h[0, 0]

    tx = model.states.index(model.forward_state)
    shift = np.zeros(nx)
    shift[tx] = 1.0
    per_x = (
        x[:, -1] - ca.mtimes(ca.DM(model.x_mirror), x[:, 0]) - distance * ca.DM(shift)
    ) / x_scale
    per_u = (u[:, -1] - ca.mtimes(ca.DM(model.u_mirror), u[:, 0])) / u_scale
    chain = (hs[0, 1:] - hs[0, :-1]).T

    g = ca.vertcat(ca.vec(defects), ca.vec(path), per_x, per_u, chain)
    n_def = nx * n_intervals
    n_path = int(path.numel())
    ng = int(g.numel())

    h_lo, h_hi = (b / n_intervals / H_SCALE for b in duration_bounds)
    lbx = np.concatenate(
        [
            np.tile(model.x_lb / model.x_scale, n),
            np.tile(model.u_lb / model.u_scale, n),
            np.full(n, h_lo),
        ]
    )
    ubx = np.concatenate(
        [
            np.tile(model.x_ub / model.x_scale, n),
            np.tile(model.u_ub / model.u_scale, n),
            np.full(n, h_hi),
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
        half_stride=half_stride,
    )
