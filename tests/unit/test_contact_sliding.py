"""Contact sliding diagnostics and the contact goals (friction and damping, on by default),
checked on analytic cases: a body standing on one loaded sphere and moved at a constant speed,
where the smooth Coulomb-viscous law gives the friction force and its power in closed form."""

from __future__ import annotations

import casadi as ca
import numpy as np
import pytest

from runmuscles.model.runner import Runner
from runmuscles.ocp.goals import Goals
from runmuscles.ocp.node import damping_power, friction_power
from runmuscles.ocp.stride import contact_sliding

RUNNER = Runner()
DOFS = RUNNER.dofs
TX, TY = DOFS.index("pelvis_tx"), DOFS.index("pelvis_ty")


def _standing_on(load_bw: float) -> np.ndarray:
    """An upright pose whose most loaded contact sphere carries ``load_bw`` body weights."""
    q = np.zeros(len(DOFS))

    def peak(ty: float) -> float:
        q[TY] = ty
        forces = RUNNER.contact_forces(q, np.zeros(len(DOFS)))
        return max(float(f[1]) for f in forces.values()) / RUNNER.weight

    lo, hi = 0.5, 1.5  # pelvis height, m: deep in the ground .. in the air
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if peak(mid) > load_bw else (lo, mid)
    q[TY] = 0.5 * (lo + hi)
    return q


def _qd(vx: float) -> np.ndarray:
    qd = np.zeros(len(DOFS))
    qd[TX] = vx  # every point of the body, the contact spheres too, moves forward at vx
    return qd


def _analytic_power(q: np.ndarray, vx: float) -> float:
    """sum_s F_n,s (mu tanh(v / v_t) + mu_v v) v: the law's friction power (contact.toml)."""
    c = RUNNER.contact
    fn = sum(float(f[1]) for f in RUNNER.contact_forces(q, _qd(vx)).values())
    return fn * (c.friction * np.tanh(vx / c.transition_velocity) + c.viscous_friction * vx) * vx


@pytest.mark.parametrize("vx", [-1.5, -0.1, 0.0, 0.05, 0.3, 2.0])
def test_friction_power_is_the_laws_and_never_negative(vx: float) -> None:
    q = _standing_on(1.0)
    p = float(friction_power(RUNNER, q, _qd(vx)))
    assert p >= 0.0
    assert p == pytest.approx(_analytic_power(q, vx), rel=1e-9, abs=1e-12)
    qs, qds = ca.SX.sym("q", len(DOFS)), ca.SX.sym("qd", len(DOFS))
    f = ca.Function("p", [qs, qds], [friction_power(RUNNER, qs, qds)])
    assert float(f(q, _qd(vx))) == pytest.approx(p, rel=1e-12, abs=1e-12)


def test_sliding_diagnostics_on_a_constant_slide() -> None:
    q1 = _standing_on(1.0)
    time = np.linspace(0.0, 0.2, 21)
    vt = RUNNER.contact.transition_velocity

    def run(vx: float) -> dict[str, float]:
        q = {d: np.full(time.size, q1[i]) for i, d in enumerate(DOFS)}
        qd = {d: np.full(time.size, _qd(vx)[i]) for i, d in enumerate(DOFS)}
        return contact_sliding(RUNNER, q, qd, time)

    creep = run(0.5 * vt)  # the law's creep: braking, but not sliding
    assert creep["sliding_braking_share"] == 0.0 and creep["peak_slide_m_s"] == 0.0
    slide = run(1.0)  # forward at 1 m/s: friction brakes, all of it from the sliding sphere
    assert slide["sliding_braking_share"] == pytest.approx(1.0)
    assert slide["peak_slide_m_s"] == pytest.approx(1.0)
    expected = _analytic_power(q1, 1.0) * 0.2 / RUNNER.total_mass  # J/kg over 0.2 s
    assert slide["friction_work_j_per_kg"] == pytest.approx(expected, rel=1e-9)
    assert slide["damping_work_j_per_kg"] == pytest.approx(0.0, abs=1e-9)  # no vertical motion


def test_damping_work_of_a_landing_sphere_is_the_laws() -> None:
    # sinking at 0.3 m/s: the Hunt-Crossley damping force 1.5 c v_in F_elastic opposes it
    q1 = _standing_on(1.0)
    time = np.linspace(0.0, 0.01, 11)
    qd1 = np.zeros(len(DOFS))
    qd1[TY] = -0.3
    q = {d: np.full(time.size, q1[i]) for i, d in enumerate(DOFS)}
    qd = {d: np.full(time.size, qd1[i]) for i, d in enumerate(DOFS)}
    out = contact_sliding(RUNNER, q, qd, time)
    elastic = RUNNER.with_contact(dissipation=0.0).contact_forces(q1, qd1)
    fe = sum(float(f[1]) for f in elastic.values())
    c = RUNNER.contact.dissipation
    expected = 1.5 * c * 0.3 * fe * 0.3 * 0.01 / RUNNER.total_mass
    # rel 1e-3: this project's tolerance for the smooth max of the damping factor
    assert out["damping_work_j_per_kg"] == pytest.approx(expected, rel=1e-3)
    assert out["damping_work_j_per_kg"] > 0
    light = contact_sliding(
        RUNNER,
        {d: np.full(time.size, _standing_on(0.05)[i]) for i, d in enumerate(DOFS)},
        {d: np.full(time.size, _qd(1.0)[i]) for i, d in enumerate(DOFS)},
        time,
    )
    assert light["sliding_braking_share"] == pytest.approx(1.0)
    assert light["peak_slide_m_s"] == 0.0  # sliding, but bearing under 0.1 BW


def test_the_default_objective_charges_the_contacts_dissipation_exactly() -> None:
    from runmuscles.ocp.node import build_node_model

    on, _ = build_node_model(RUNNER, Goals())
    off, _ = build_node_model(RUNNER, Goals(friction=0.0, damping=0.0))
    rng = np.random.default_rng(3)
    x = np.zeros(len(on.states))
    u = rng.uniform(0.05, 0.3, len(on.controls))
    # upright with one sphere per foot loaded, sinking and sliding forward: both terms act
    x[on.states.index("q:pelvis_ty")] = _standing_on(1.0)[TY]
    x[on.states.index("qd:pelvis_tx")] = 0.5
    x[on.states.index("qd:pelvis_ty")] = -0.2
    p, t = np.array([3.5, 0.0]), np.array([0.0, 0.7])
    outs = on.f_out(x, u, p, t)
    qa = np.asarray(outs[on.output_names.index("q_all")]).ravel()
    qda = np.asarray(outs[on.output_names.index("qd_all")]).ravel()
    extra = float(on.f_cost(x, u, p, t) - off.f_cost(x, u, p, t))
    goals = Goals()
    expected = (
        goals.friction * float(friction_power(RUNNER, qa, qda))
        + goals.damping * float(damping_power(RUNNER, qa, qda))
    ) / RUNNER.total_mass
    assert goals.friction == 10.0 and goals.damping == 1.0
    assert expected > 0.0
    assert extra == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("vy", [-0.3, -0.05, 0.0, 0.2])
def test_damping_power_is_the_laws(vy: float) -> None:
    q = _standing_on(1.0)
    qd = np.zeros(len(DOFS))
    qd[TY] = vy
    elastic = RUNNER.with_contact(dissipation=0.0).contact_forces(q, qd)
    fe = sum(float(f[1]) for f in elastic.values())
    c = RUNNER.contact.dissipation
    # F_n = F_elastic (1 + 1.5 c v_in), v_in = -vy: the damping part dissipates 1.5 c vy^2 F_e
    expected = 1.5 * c * vy * vy * fe
    p = float(damping_power(RUNNER, q, qd))
    # rel 1e-3: this project's tolerance for the smooth max of the damping factor
    assert p == pytest.approx(expected, rel=1e-3, abs=1e-6)
    qs, qds = ca.SX.sym("q", len(DOFS)), ca.SX.sym("qd", len(DOFS))
    f = ca.Function("p", [qs, qds], [damping_power(RUNNER, qs, qds)])
    assert float(f(q, qd)) == pytest.approx(p, rel=1e-12, abs=1e-12)
