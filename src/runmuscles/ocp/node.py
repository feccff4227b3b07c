"""The runner's physics at one collocation node, as CasADi functions for the transcription.

The arms follow measured arm swing (:mod:`runmuscles.model.prescribed`): their angles, speeds and
accelerations are known functions of the stride phase and the time step, not decision variables,
and their muscles are resolved after the solve (:mod:`runmuscles.ocp.arms`). Everything else is
solved. States ``x``: the solved joint coordinates ``q`` and speeds ``qd`` (12 each: pelvis, lumbar,
legs), activations ``a`` of the solved muscles (legs and trunk) and normalised tendon forces ``ft``
of the compliant-tendon muscles. Controls ``u``:
muscle excitations ``e``, joint accelerations ``qdd`` (implicit skeletal dynamics), tendon-force
rates ``dft`` (implicit muscle dynamics, De Groote et al. 2016) and normalised reserve actuators
``res`` at every joint that a muscle crosses (weighted heavily; reported, never hidden).

Node functions take ``(x, u, p, t)``: ``p = [speed m/s, grade]`` and ``t = [phi, dphi/dt]``, the
stride fraction of the node (0 at right foot strike) and its rate (1/s), from which the prescribed
arm motion follows.

Path constraints: the skeleton's implicit dynamics residual of the solved DOFs (contact and passive
joint moments included), scaled per degree of freedom, and the tendon-equilibrium residual of every
compliant muscle. Outputs for post-processing: muscle forces, fibre lengths and velocities, MTU
velocities, metabolic rates, ground reaction forces, net joint moments of all 16 DOFs (for the arms:
the moment their motion needs), reserve moments and the dynamics residual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import casadi as ca
import numpy as np

from runmuscles.conventions import PRESCRIBED_DOFS
from runmuscles.model import geometry, muscle
from runmuscles.model.metabolics import umberger_rate
from runmuscles.model.prescribed import PrescribedMotion, prescribed_motion
from runmuscles.model.runner import Runner
from runmuscles.ocp.goals import Goals
from runmuscles.ocp.transcription import NodeModel
from runmuscles.units import DEG, G

__all__ = [
    "COST_TERMS",
    "NodeLayout",
    "build_node_model",
    "damping_power",
    "friction_power",
    "mirror_name",
]

#: Bounds of the coordinates (rad or m): numerical safety limits, wider than the range of motion
#: the passive joint moments allow (Anderson 1999 / Falisse 2019 double exponentials, e.g. 69 N m
#: at 50 deg hip extension and 1,000 N m at 57 deg), so that the passive moments, not these
#: bounds, limit the motion; wide enough for running (knee flexion > 100 deg in swing). A stride
#: that reaches one is reported (``bounds_touched``) and refused by the atlas.
Q_BOUNDS: dict[str, tuple[float, float]] = {
    "pelvis_tx": (-1.0, 5.0),
    "pelvis_ty": (0.5, 1.5),
    # forward lean (negative) relative to the belt: steep climbs need it (measured: -44 deg
    # walking at +30 %, i.e. 27 deg from the vertical); no passive moment limits the pelvis.
    # Backward: on a -30 % slope (-16.7 deg) an upright pelvis is already +16.7 deg from the
    # belt's normal; at +30 deg the 2.0 and 2.5 m/s -30 % strides pressed against the bound
    "pelvis_tilt": (-70 * DEG, 45 * DEG),
    "lumbar": (-40 * DEG, 30 * DEG),
    "hip": (-65 * DEG, 120 * DEG),
    "knee": (-15 * DEG, 150 * DEG),
    "ankle": (-60 * DEG, 45 * DEG),
    # toe dorsiflexion: the passive limit starts at 65 deg (Falisse 2019) and is weak (3 N m at
    # 70 deg, 44 N m at 80 deg), so the bound sits at 90 deg (590 N m) where it cannot bind
    "mtp": (-30 * DEG, 90 * DEG),
}


def friction_power(runner: Runner, q: Any, qd: Any) -> Any:
    """Power the contact friction dissipates, W: sum over spheres of ``-F_t v`` (never negative:
    the smooth Coulomb-viscous law always opposes the sliding velocity). NumPy or CasADi."""
    forces = runner.contact_forces(q, qd)
    vel = runner.skeleton.point_velocities(q, qd, runner.contact_points)
    total: Any = 0.0
    for name in runner.contact_points:
        total = total - forces[name][0] * vel[name][0]
    return total


def damping_power(runner: Runner, q: Any, qd: Any) -> Any:
    """Power the Hunt-Crossley damping of the contact's normal force dissipates, W: sum over
    spheres of ``-(F_n - F_n,elastic) v_y`` (the normal force less its undamped part). NumPy or
    CasADi."""
    forces = runner.contact_forces(q, qd)
    elastic = runner.with_contact(dissipation=0.0).contact_forces(q, qd)
    vel = runner.skeleton.point_velocities(q, qd, runner.contact_points)
    total: Any = 0.0
    for name in runner.contact_points:
        total = total - (forces[name][1] - elastic[name][1]) * vel[name][1]
    return total


#: Lower bound of excitations and activations (numerical: keeps the activation dynamics regular).
MIN_ACTIVATION = 0.01
#: The objective's terms (:class:`~runmuscles.ocp.goals.Goals`), in the order of the node output
#: ``cost_terms``: each weighted, so that at every node they sum to the node's cost.
COST_TERMS: tuple[str, ...] = (
    "friction", "damping", "metabolic", "activation", "reserve", "acceleration", "tendon_rate",
    "passive",
)  # fmt: skip
QD_SCALE = {"pelvis_tx": 4.0, "pelvis_ty": 1.0}
QDD_SCALE = {"pelvis_tx": 10.0, "pelvis_ty": 30.0}
#: Reserve actuator capacity, N m (normalised control in -1..1).
RESERVE_MAX = {
    "lumbar": 30.0,
    "hip": 30.0,
    "knee": 30.0,
    "ankle": 30.0,
    "mtp": 10.0,
}
#: Typical generalised force per DOF, to scale the dynamics residual (fraction of m g or m g * 1 m).
TAU_SCALE = {
    "pelvis_tx": 1.0,
    "pelvis_ty": 1.0,
    "pelvis_tilt": 0.2,
    "lumbar": 0.2,
    "hip": 0.2,
    "knee": 0.2,
    "ankle": 0.2,
    "mtp": 0.03,
}


def _joint(dof: str) -> str:
    return dof.removesuffix("_r").removesuffix("_l")


def mirror_name(name: str) -> str:
    """Left <-> right for a DOF or muscle name; unpaired names stay."""
    if name.endswith("_r"):
        return name[:-2] + "_l"
    if name.endswith("_l"):
        return name[:-2] + "_r"
    return name


def _permutation(names: tuple[str, ...]) -> np.ndarray:
    idx = {n: i for i, n in enumerate(names)}
    p = np.zeros((len(names), len(names)))
    for i, n in enumerate(names):
        p[i, idx[mirror_name(n)]] = 1.0
    return p


@dataclass(frozen=True)
class NodeLayout:
    """Names and slices of the node state and control vectors.

    ``dofs`` are the solved degrees of freedom, ``prescribed`` those that follow the measured arm
    swing; ``muscles`` the solved muscles (those crossing solved DOFs only).
    """

    dofs: tuple[str, ...]
    muscles: tuple[str, ...]
    compliant: tuple[str, ...]
    reserves: tuple[str, ...]
    prescribed: tuple[str, ...] = ()

    @property
    def states(self) -> tuple[str, ...]:
        return (
            tuple(f"q:{d}" for d in self.dofs)
            + tuple(f"qd:{d}" for d in self.dofs)
            + tuple(f"a:{m}" for m in self.muscles)
            + tuple(f"ft:{m}" for m in self.compliant)
        )

    @property
    def controls(self) -> tuple[str, ...]:
        return (
            tuple(f"e:{m}" for m in self.muscles)
            + tuple(f"qdd:{d}" for d in self.dofs)
            + tuple(f"dft:{m}" for m in self.compliant)
            + tuple(f"res:{d}" for d in self.reserves)
        )


def build_node_model(
    runner: Runner, goals: Goals | None = None, swing: PrescribedMotion | None = None
) -> tuple[NodeModel, NodeLayout]:
    """CasADi node functions of ``runner`` for :func:`runmuscles.ocp.transcription.transcribe`.

    ``swing``: the prescribed arm motion (default: measured running arm swing).
    """
    goals = goals or Goals()
    swing = swing or prescribed_motion("run")
    all_dofs = runner.dofs
    prescribed = tuple(d for d in all_dofs if d in PRESCRIBED_DOFS)
    dofs = tuple(d for d in all_dofs if d not in prescribed)
    muscles = tuple(m for m in runner.muscles if not set(m.dofs) & set(prescribed))
    compliant = tuple(m for m in muscles if m.compliant_tendon)
    crossed = {d for m in muscles for d in m.dofs}
    reserves = tuple(d for d in dofs if d in crossed)
    layout = NodeLayout(
        dofs, tuple(m.name for m in muscles), tuple(m.name for m in compliant), reserves, prescribed
    )
    nq, nm, nc, nr = len(dofs), len(muscles), len(compliant), len(reserves)
    mass = runner.total_mass
    weight = mass * G

    x = ca.SX.sym("x", len(layout.states))
    u = ca.SX.sym("u", len(layout.controls))
    p = ca.SX.sym("p", 2)
    t = ca.SX.sym("t", 2)  # stride fraction phi, dphi/dt
    grade = p[1]
    q, qd = x[:nq], x[nq : 2 * nq]
    a = x[2 * nq : 2 * nq + nm]
    ft = x[2 * nq + nm :]
    e, qdd = u[:nm], u[nm : nm + nq]
    dft = u[nm + nq : nm + nq + nc]
    res = u[nm + nq + nc :]

    # prescribed arms: theta(phi), dtheta/dt = theta' phi_dot, d2theta/dt2 = theta'' phi_dot^2
    arm_q = swing.angles(t[0], 0)
    arm_qd = {d: v * t[1] for d, v in swing.angles(t[0], 1).items()}
    arm_qdd = {d: v * t[1] ** 2 for d, v in swing.angles(t[0], 2).items()}
    qmap = {d: q[i] for i, d in enumerate(dofs)} | arm_q
    qdmap = {d: qd[i] for i, d in enumerate(dofs)} | arm_qd
    qddmap = {d: qdd[i] for i, d in enumerate(dofs)} | arm_qdd
    q_all = ca.vertcat(*[qmap[d] for d in all_dofs])
    qd_all = ca.vertcat(*[qdmap[d] for d in all_dofs])
    qdd_all = ca.vertcat(*[qddmap[d] for d in all_dofs])
    comp_index = {m.name: k for k, m in enumerate(compliant)}

    forces, fiber_len, fiber_vel, mtu_vel, edot = [], [], [], [], []
    hill = []
    tau_mus: dict[str, Any] = {d: 0.0 for d in all_dofs}
    for i, m in enumerate(muscles):
        l_mt = geometry.mtu_length(m, qmap)
        arms = geometry.moment_arms(m, qmap)
        v_mt = -sum(arms[d] * qdmap[d] for d in m.dofs)  # dL/dt = -sum r_j qd_j
        if m.name in comp_index:
            k = comp_index[m.name]
            st = muscle.fiber_from_tendon_force(m, ft[k], dft[k], l_mt, v_mt)
            lm_n, vm_n = st.length, st.velocity
            f = ft[k] * m.max_isometric_force
            hill.append(muscle.implicit_residual_tendon_force(m, a[i], ft[k], dft[k], l_mt, v_mt))
        else:
            f = muscle.rigid_tendon_force(m, a[i], l_mt, v_mt)
            l_m, cos_a = muscle.fiber_from_tendon_length(m, l_mt, m.tendon_slack_length)
            lm_n = l_m / m.optimal_fiber_length
            vm_n = cos_a * v_mt / m.max_contraction_velocity
        forces.append(f)
        fiber_len.append(lm_n * m.optimal_fiber_length)
        fiber_vel.append(vm_n * m.max_contraction_velocity)
        mtu_vel.append(v_mt)
        # the energy model sees the activation above the numerical floor: a muscle held at the
        # floor is off (its minimum heat, 1 W/kg, is in the model); at the floor itself
        # Umberger's A^0.6 would charge 6 % of full maintenance heat for a muscle doing nothing
        # (measured: 2.3 J/kg/m of a 1.3 m/s walk)
        e_on = (e[i] - MIN_ACTIVATION) / (1.0 - MIN_ACTIVATION)
        a_on = (a[i] - MIN_ACTIVATION) / (1.0 - MIN_ACTIVATION)
        edot.append(umberger_rate(m, e_on, a_on, lm_n, vm_n).total)
        for d, r in arms.items():
            tau_mus[d] = tau_mus[d] + r * f

    res_max = np.array([RESERVE_MAX[_joint(d)] for d in reserves])
    tau_res = {d: res[k] * res_max[k] for k, d in enumerate(reserves)}
    tau_applied = ca.vertcat(*[tau_mus[d] + tau_res.get(d, 0.0) for d in all_dofs])
    # the arms get exactly the moment their prescribed motion needs: their rows are not imposed
    resid_all = runner.implicit_residual(q_all, qd_all, qdd_all, tau_applied, grade)
    solved = [all_dofs.index(d) for d in dofs]
    resid = ca.vertcat(*[resid_all[i] for i in solved])
    tau_scale = np.array([weight * TAU_SCALE[_joint(d)] for d in dofs])
    path = ca.vertcat(resid / tau_scale, *hill)

    adot = muscle.activation_rate(e, a, smoothing=10.0)
    xdot = ca.vertcat(qd, qdd, adot, dft)

    qdd_scale = np.array([QDD_SCALE.get(d, 100.0) for d in dofs])
    edot_v = ca.vertcat(*edot)
    passive_all = runner.passive_moments(q_all, qd_all)
    rotational = [all_dofs.index(d) for d in dofs if not d.startswith("pelvis")]
    passive_solved = ca.vertcat(*[passive_all[i] for i in rotational]) / (0.1 * weight)
    friction = friction_power(runner, q_all, qd_all) / mass if goals.friction else 0.0
    damping = damping_power(runner, q_all, qd_all) / mass if goals.damping else 0.0
    terms = {
        "friction": goals.friction * friction,
        "damping": goals.damping * damping,
        "metabolic": goals.metabolic * ca.sum1(edot_v) / mass,
        "activation": goals.activation * ca.sum1(a**goals.activation_exponent) / nm,
        "reserve": goals.reserve * ca.sumsqr(res) / max(nr, 1),
        "acceleration": goals.acceleration * ca.sumsqr(qdd / qdd_scale) / nq,
        "tendon_rate": goals.tendon_rate * ca.sumsqr(dft / 10.0) / max(nc, 1),
        "passive": goals.passive * ca.sumsqr(passive_solved) / max(len(rotational), 1),
    }
    assert tuple(terms) == COST_TERMS
    cost = sum(terms.values(), ca.SX(0))

    grf = runner.ground_reaction(q_all, qd_all)
    passive = passive_all
    # net moment: muscles + reserves + passive; for the arms, the moment the motion needs
    arm_rows = {all_dofs.index(d) for d in prescribed}
    net = ca.vertcat(
        *[
            resid_all[i] + tau_applied[i] + passive[i]
            if i in arm_rows
            else tau_applied[i] + passive[i]
            for i in range(len(all_dofs))
        ]
    )
    outputs = {
        "force": ca.vertcat(*forces),
        "fiber_length": ca.vertcat(*fiber_len),
        "fiber_velocity": ca.vertcat(*fiber_vel),
        "mtu_velocity": ca.vertcat(*mtu_vel),
        "metabolic_rate": edot_v,
        "grf_r": ca.vertcat(*grf["r"]),
        "grf_l": ca.vertcat(*grf["l"]),
        "moment": net,
        "reserve_moment": ca.vertcat(*[tau_res[d] for d in reserves]) if nr else ca.SX(0, 1),
        "residual": resid,
        "q_all": q_all,
        "qd_all": qd_all,
        "qdd_all": qdd_all,
        # the weighted objective terms at this node, in COST_TERMS order (they sum to the cost)
        "cost_terms": ca.vertcat(*terms.values()),
    }
    names = tuple(outputs)
    args = [x, u, p, t]
    arg_names = ["x", "u", "p", "t"]
    f_out = ca.Function("node_out", args, list(outputs.values()), arg_names, list(names))

    lb, ub = _bounds(layout)
    xs, us = _scales(layout)
    model = NodeModel(
        states=layout.states,
        controls=layout.controls,
        x_scale=xs,
        u_scale=us,
        x_lb=lb[: len(layout.states)],
        x_ub=ub[: len(layout.states)],
        u_lb=lb[len(layout.states) :],
        u_ub=ub[len(layout.states) :],
        f_dot=ca.Function("node_dot", args, [xdot]),
        f_path=ca.Function("node_path", args, [path]),
        f_cost=ca.Function("node_cost", args, [cost]),
        f_out=f_out,
        output_names=names,
        x_mirror=_permutation(layout.states),
        u_mirror=_permutation(layout.controls),
        forward_state="q:pelvis_tx",
        n_path=int(path.numel()),
        meta={"reserve_max_nm": dict(zip(reserves, res_max.tolist(), strict=True))},
    )
    return model, layout


def _bounds(layout: NodeLayout) -> tuple[np.ndarray, np.ndarray]:
    lo: list[float] = []
    hi: list[float] = []
    for name in (*layout.states, *layout.controls):
        kind, _, what = name.partition(":")
        j = _joint(what)
        if kind == "q":
            b = Q_BOUNDS[what] if what in Q_BOUNDS else Q_BOUNDS[j]
        elif kind == "qd":
            b = (0.0, 10.0) if what == "pelvis_tx" else (-50.0, 50.0)
        elif kind == "qdd":
            b = (-100.0, 100.0) if what.startswith("pelvis_t") else (-1000.0, 1000.0)
        elif kind in ("a", "e"):
            b = (MIN_ACTIVATION, 1.0)
        elif kind == "ft":
            b = (0.0, 5.0)
        elif kind == "dft":
            b = (-200.0, 200.0)
        else:  # res
            b = (-1.0, 1.0)
        lo.append(b[0])
        hi.append(b[1])
    return np.array(lo), np.array(hi)


def _scales(layout: NodeLayout) -> tuple[np.ndarray, np.ndarray]:
    def scale(name: str) -> float:
        kind, _, what = name.partition(":")
        if kind == "qd":
            return QD_SCALE.get(what, 10.0)
        if kind == "qdd":
            return QDD_SCALE.get(what, 100.0)
        if kind == "dft":
            return 10.0
        return 1.0

    return (
        np.array([scale(n) for n in layout.states]),
        np.array([scale(n) for n in layout.controls]),
    )


def describe(layout: NodeLayout) -> dict[str, Any]:
    return {"states": len(layout.states), "controls": len(layout.controls)}
