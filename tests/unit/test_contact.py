"""Foot contact: Hertz law, damping, friction, standing equilibrium on level and sloped belts."""

from __future__ import annotations

import math

import casadi as ca
import numpy as np
import pytest
from scipy.optimize import brentq, fsolve

from runmuscles.model.contact import load_contact_params, sphere_force
from runmuscles.model.runner import Runner
from runmuscles.units import G

P = load_contact_params()
R = 0.035


def test_parameters_are_the_cited_moco_values() -> None:
    # OpenSim Moco 2D_gait.osim SmoothSphereHalfSpaceForce values
    assert P.stiffness == 3067776.0 and P.dissipation == 2.0 and P.friction == 0.8
    assert P.radii == {"heel": 0.035, "ball": 0.015, "toe": 0.015}


def test_hertz_law_static() -> None:
    # Hertz: F = (4/3) E_eff sqrt(R) d^1.5 with Simbody's E_eff^(...) = k^(3/2), k = E^(2/3)/2
    k = 0.5 * 3067776.0 ** (2 / 3)
    for d in (0.002, 0.005, 0.01):
        _, fn = sphere_force(R - d, 0.0, 0.0, R, P)
        assert fn == pytest.approx(4 / 3 * k**1.5 * math.sqrt(R) * d**1.5, rel=1e-3)
    f1 = sphere_force(R - 0.004, 0.0, 0.0, R, P)[1]
    f2 = sphere_force(R - 0.008, 0.0, 0.0, R, P)[1]
    assert f2 / f1 == pytest.approx(2**1.5, rel=1e-3)


def test_normal_force_is_never_negative_and_vanishes_in_the_air() -> None:
    ys = np.linspace(R - 0.03, R + 0.05, 401)
    for vy in (-3.0, -0.5, 0.0, 0.5, 3.0):
        _, fn = sphere_force(ys, 0.0, vy, R, P)
        assert np.all(fn >= 0)
    _, fn_air = sphere_force(R + 0.01, 0.0, 0.0, R, P)
    assert fn_air < 1e-3  # 1 cm above the ground: less than a milli-newton


def test_hunt_crossley_damping() -> None:
    d, v = 0.006, 0.1
    f0 = sphere_force(R - d, 0.0, 0.0, R, P)[1]
    f_in = sphere_force(R - d, 0.0, -v, R, P)[1]  # moving into the ground
    f_out = sphere_force(R - d, 0.0, v, R, P)[1]
    # exact up to the smooth max's width (smooth_rate 0.01 -> relative error ~2e-5)
    assert f_in / f0 == pytest.approx(1 + 1.5 * 2.0 * v, rel=1e-4)
    assert f_out / f0 == pytest.approx(1 - 1.5 * 2.0 * v, rel=1e-4)


def test_friction_opposes_slip_and_saturates_at_mu() -> None:
    d = 0.006
    for vx in (-1.0, -0.01, 0.01, 1.0):
        ft, fn = sphere_force(R - d, vx, 0.0, R, P)
        assert np.sign(ft) == -np.sign(vx)
        assert abs(ft) <= (0.8 + 0.5 * abs(vx)) * fn + 1e-12
    ft, fn = sphere_force(R - d, 2.0, 0.0, R, P)
    assert abs(ft) / fn == pytest.approx(0.8 * math.tanh(10.0) + 0.5 * 2.0, rel=1e-9)


def test_contact_force_is_smooth_for_the_optimiser() -> None:
    y, vx, vy = ca.SX.sym("y"), ca.SX.sym("vx"), ca.SX.sym("vy")
    fx, fy = sphere_force(y, vx, vy, R, P)
    jac = ca.Function("j", [y, vx, vy], [ca.jacobian(ca.vertcat(fx, fy), ca.vertcat(y, vx, vy))])
    for point in ((R - 0.004, 0.03, -0.2), (R + 0.0, 0.0, 0.0), (R + 0.003, -0.1, 0.4)):
        exact = np.array(jac(*point))
        fd = np.zeros((2, 3))
        h = 1e-7
        for k in range(3):
            plus, minus = list(point), list(point)
            plus[k] += h
            minus[k] -= h
            fd[:, k] = (
                np.array(sphere_force(*plus, R, P)) - np.array(sphere_force(*minus, R, P))
            ) / (2 * h)
        np.testing.assert_allclose(exact, fd, rtol=1e-5, atol=1e-4)


RUNNER = Runner()


def _standing_q(ty: float) -> np.ndarray:
    q = np.zeros(16)
    q[1] = ty
    return q


def test_static_standing_carries_exactly_body_weight() -> None:
    sk = RUNNER.skeleton
    sole = -(sk.point_positions(np.zeros(16), ("ball_r",))["ball_r"][1] - sk.sphere_radii["ball"])
    weight = RUNNER.total_mass * G

    def excess(ty: float) -> float:
        grf = RUNNER.ground_reaction(_standing_q(ty), np.zeros(16))
        return float(grf["r"][1] + grf["l"][1] - weight)

    ty = brentq(excess, sole - 0.03, sole + 0.01, xtol=1e-12)
    sink = sole - ty  # how far the spheres are pressed into the belt (m)
    print(f"standing sink depth {sink * 1000:.2f} mm")
    # six spheres share ~690 N: a few millimetres of indentation
    assert 0.001 < sink < 0.015
    q = _standing_q(ty)
    res = RUNNER.implicit_residual(q, np.zeros(16), np.zeros(16), np.zeros(16))
    # vertical and fore-aft balance of the whole body: no residual force on the pelvis
    assert abs(res[0]) < 1e-9 and abs(res[1]) < 1e-6
    # the two feet share the load equally
    grf = RUNNER.ground_reaction(q, np.zeros(16))
    assert grf["r"][1] == pytest.approx(weight / 2, rel=1e-9)


@pytest.mark.parametrize("grade", [0.10, -0.15])
def test_standing_on_a_slope_friction_carries_the_along_slope_weight(grade: float) -> None:
    """Smooth friction needs a tiny creep to carry load: find the depth and creep speed at which the
    contact forces balance gravity, then check the normal/tangential split against statics."""
    gx, gy = RUNNER.skeleton.gravity(grade)
    m = RUNNER.total_mass

    def unbalance(x: np.ndarray) -> np.ndarray:
        q = _standing_q(x[0])
        qd = np.zeros(16)
        qd[0] = x[1]  # the whole body creeps along the belt
        grf = RUNNER.ground_reaction(q, qd)
        fx = grf["r"][0] + grf["l"][0]
        fy = grf["r"][1] + grf["l"][1]
        return np.array([fx + m * gx, fy + m * gy]) / (m * G)

    x, _info, ok, msg = fsolve(unbalance, [0.93, 0.0], full_output=True, xtol=1e-13)
    assert ok == 1, msg
    np.testing.assert_allclose(unbalance(x), 0.0, atol=1e-10)
    q = _standing_q(x[0])
    qd = np.zeros(16)
    qd[0] = x[1]
    grf = RUNNER.ground_reaction(q, qd)
    fx, fy = grf["r"][0] + grf["l"][0], grf["r"][1] + grf["l"][1]
    theta = math.atan(grade)
    assert fy == pytest.approx(m * G * math.cos(theta), rel=1e-9)
    assert fx == pytest.approx(m * G * math.sin(theta), rel=1e-9)  # uphill: friction points up
    assert abs(fx) / fy == pytest.approx(abs(grade), rel=1e-9)
    assert abs(fx) / fy < P.friction  # well inside the friction cone
    print(f"grade {grade}: hip height {x[0]:.4f} m, creep {x[1]:.5f} m/s")
    assert abs(x[1]) < 0.05  # creep, not sliding (m/s)
    # and the implicit residual's base rows vanish at this state with zero pelvis actuation
    res = RUNNER.implicit_residual(q, qd, np.zeros(16), np.zeros(16), grade)
    assert abs(res[0]) < 1e-6 and abs(res[1]) < 1e-6


def _drop_test_absorption(v0: float, mass: float = 5.0) -> float:
    """Share of the impact energy the heel sphere absorbs when a free mass hits it at v0 (m/s),
    1 - (rebound speed / v0)^2 (no gravity: the contact alone, as a drop tester isolates it)."""
    from scipy.integrate import solve_ivp

    def rhs(_t: float, s: np.ndarray) -> list[float]:
        return [s[1], float(sphere_force(s[0], 0.0, s[1], R, P)[1]) / mass]

    def lift_off(_t: float, s: np.ndarray) -> float:
        return float(s[0] - (R + 0.002))

    lift_off.terminal = True  # type: ignore[attr-defined]
    lift_off.direction = 1  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs, (0.0, 0.5), [R + 0.001, -v0], events=lift_off, max_step=2e-5, rtol=1e-10, atol=1e-12
    )
    assert sol.status == 1  # lifted off
    return 1.0 - (float(sol.y[1, -1]) / v0) ** 2


@pytest.mark.parametrize(
    "v0",
    [
        0.72,
        pytest.param(
            0.93,
            marks=pytest.mark.xfail(
                strict=True,
                reason="known gap: the Moco dissipation (2 s/m) absorbs 89.5 % at 0.93 m/s, "
                "just above the living heel pad's 75-89 %; 1.2 s/m would give its mean, 79 %",
            ),
        ),
    ],
)
def test_heel_absorbs_impact_energy_like_the_living_heel_pad(v0: float) -> None:
    """Kinoshita et al. 1993 (Int J Sports Med 14:312), in vivo drop tests on the heel pad with a
    5 kg impactor at 0.72 and 0.93 m/s: 79 % of the impact energy absorbed (range 75-89 %).
    Measured with this contact when the test was written: 85 % at 0.72 m/s, 89.5 % at 0.93 m/s
    (1.2 s/m: 72 and 79 %; 0.5 s/m: 46 and 54 %)."""
    assert 0.75 <= _drop_test_absorption(v0) <= 0.89
