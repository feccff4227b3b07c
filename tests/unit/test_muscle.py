"""De Groote et al. 2016 (Ann Biomed Eng 44:2922) muscle curves and formulations.

Independent truths: the curve landmarks stated in the paper (fl peaks at ~1 at optimal length,
fv(0) = 1, fv(-1) ~ 0, passive force = Fmax at 60 % strain, tendon force ~ Fmax at 4.9 % strain
with kT = 35), exact inverses, finite differences, and equality of NumPy and CasADi results.
"""

from __future__ import annotations

import math

import casadi as ca
import numpy as np
import pytest

from runmuscles.model import muscle as mu
from runmuscles.model.geometry import load_muscle_set


@pytest.fixture(scope="module")
def soleus() -> mu.MuscleParams:
    return next(m for m in load_muscle_set(75.16, 1.80) if m.name == "soleus_r")


@pytest.fixture(scope="module")
def vasti() -> mu.MuscleParams:
    return next(m for m in load_muscle_set(75.16, 1.80) if m.name == "vasti_r")


def test_active_force_length_landmarks() -> None:
    # De Groote 2016: "the active force-length curve equals 1 at optimal fibre length". With the
    # published coefficients it is 0.99943 there, peaking at 1.0005 at lm_n = 1.0133.
    assert mu.active_force_length(1.0) == pytest.approx(0.999433, abs=1e-6)
    x = np.linspace(0.4, 1.8, 14001)
    y = mu.active_force_length(x)
    assert y.max() == pytest.approx(1.0005, abs=2e-4)
    assert x[np.argmax(y)] == pytest.approx(1.0133, abs=2e-3)
    # descending and ascending limbs: well below the peak at 0.5 and 1.6 l_opt
    assert mu.active_force_length(0.5) < 0.25
    assert mu.active_force_length(1.6) < 0.25


def test_passive_force_length_landmarks() -> None:
    # kPE = 4, e0 = 0.6: zero at l_opt, Fmax at 1.6 l_opt (De Groote 2016 Eq. S3)
    # De Groote 2016: 0 at l_opt, 1 at 1.6 l_opt; the smooth positive part (width 1e-3, the
    # project's choice) moves these by at most w/2 and w^2/4
    assert mu.passive_force_length(1.0) == pytest.approx(0.0, abs=6e-4)
    assert mu.passive_force_length(1.6) == pytest.approx(1.0, abs=1e-6)
    # a muscle never pushes: the published curve's dip below zero under l_opt is removed
    for lm in (0.2, 0.5, 0.8, 0.99):
        assert 0.0 <= mu.passive_force_length(lm) < 1e-3


def test_force_velocity_landmarks() -> None:
    # fv(0) = 1 and fv(-1) ~ 0 (max shortening velocity); eccentric plateau about 1.8
    assert mu.force_velocity(0.0) == pytest.approx(1.0021, abs=1e-4)
    assert mu.force_velocity(-1.0) == pytest.approx(0.0108, abs=1e-4)
    assert mu.force_velocity(1.0) == pytest.approx(1.789, abs=1e-3)
    v = np.linspace(-1, 1, 201)
    assert np.all(np.diff(mu.force_velocity(v)) > 0)  # monotonic


def test_force_velocity_inverse_round_trip() -> None:
    v = np.linspace(-1.0, 1.0, 41)
    assert np.allclose(mu.force_velocity_inverse(mu.force_velocity(v)), v, atol=1e-12)
    f = np.linspace(0.05, 1.7, 30)
    assert np.allclose(mu.force_velocity(mu.force_velocity_inverse(f)), f, atol=1e-12)


def test_tendon_curve_landmarks() -> None:
    # shifted to zero at slack; with kT = 35, 4.9 % strain gives 1.0856 Fmax (SCIENCE.md: strain
    # 0.049 at Fmax), i.e. within 10 % of Fmax
    assert mu.tendon_force_length(1.0) == pytest.approx(0.0, abs=1e-12)
    assert mu.tendon_force_length(1.049) == pytest.approx(1.0856, abs=1e-3)
    assert abs(mu.tendon_force_length(1.049) - 1.0) < 0.1
    f = np.linspace(0.0, 2.0, 21)
    assert np.allclose(mu.tendon_force_length(mu.tendon_length_from_force(f)), f, atol=1e-12)


def test_tendon_stiffness_is_derivative() -> None:
    lt = np.linspace(0.99, 1.06, 15)
    h = 1e-6
    fd = (mu.tendon_force_length(lt + h) - mu.tendon_force_length(lt - h)) / (2 * h)
    assert np.allclose(mu.tendon_stiffness(lt), fd, rtol=1e-6)


def test_activation_dynamics() -> None:
    # at e = a nothing changes; rising e -> da/dt > 0; falling -> < 0
    assert mu.activation_rate(0.3, 0.3) == pytest.approx(0.0)
    assert mu.activation_rate(1.0, 0.0) > 0
    assert mu.activation_rate(0.0, 1.0) < 0
    # near a = 0, e = 1 the rate approaches (e - a) / (tau_act * 0.5) * (f + 0.5) + ... ;
    # with a sharp switch it is activation-limited: 1 / (0.015 * 0.5)
    sharp = mu.activation_rate(1.0, 0.0, smoothing=1000.0)
    assert sharp == pytest.approx(1.0 / (mu.TAU_ACTIVATION * 0.5), rel=1e-6)
    sharp_down = mu.activation_rate(0.0, 1.0, smoothing=1000.0)
    assert sharp_down == pytest.approx(-2.0 / mu.TAU_DEACTIVATION, rel=1e-6)


def test_activation_half_times_match_analytic_solution() -> None:
    # With a sharp switch the ODE separates: from a = 0 with e = 1,
    # t(a) = tau_act (-1.5 a - 2 ln(1 - a)); from a = 1 with e = 0,
    # t(a) = 2 tau_deact ln(0.5 (0.5 + 1.5 a) / a). Integrate numerically and compare at a = 0.5.
    def time_to_half(e: float, a: float) -> float:
        t, dt = 0.0, 1e-6
        while (a - 0.5) * (e - 0.5) < 0:
            a += dt * mu.activation_rate(e, a, smoothing=1000.0)
            t += dt
        return t

    t_up = mu.TAU_ACTIVATION * (-0.75 - 2 * math.log(0.5))
    t_down = 2 * mu.TAU_DEACTIVATION * math.log(0.5 * 1.25 / 0.5)
    assert time_to_half(1.0, 0.0) == pytest.approx(t_up, rel=2e-3)
    assert time_to_half(0.0, 1.0) == pytest.approx(t_down, rel=2e-3)
    assert t_down > 2 * t_up  # deactivation is slower


def test_rigid_tendon_isometric_at_optimum(soleus: mu.MuscleParams) -> None:
    # at l_MT = l_ts + l_opt cos(alpha_opt): fibre at l_opt, pennation alpha_opt
    l_mt = soleus.tendon_slack_length + soleus.optimal_fiber_length * math.cos(
        soleus.pennation_angle
    )
    force = mu.rigid_tendon_force(soleus, 1.0, l_mt, 0.0)
    expected = (
        (mu.active_force_length(1.0) * mu.force_velocity(0.0) + mu.passive_force_length(1.0))
        * math.cos(soleus.pennation_angle)
        * soleus.max_isometric_force
    )
    assert force == pytest.approx(expected, rel=1e-9)
    # the passive part at l_opt is the smooth floor's w/2 = 0.0005 Fmax (project's choice)
    assert mu.passive_force_length(1.0) == pytest.approx(mu.PASSIVE_SMOOTHING / 2, rel=1e-3)


def test_implicit_residuals_agree_with_each_other(vasti: mu.MuscleParams) -> None:
    # Solve the tendon-force formulation, then check the fibre-length formulation at the same
    # state gives zero residual (two formulations of the same equilibrium).
    l_mt = vasti.tendon_slack_length + 0.9 * vasti.optimal_fiber_length
    ft = float(mu.equilibrium_tendon_force(vasti, 0.6, l_mt))
    assert abs(float(mu.implicit_residual_tendon_force(vasti, 0.6, ft, 0.0, l_mt, 0.0))) < 1e-9
    st = mu.fiber_from_tendon_force(vasti, ft, 0.0, l_mt, 0.0)
    r = mu.implicit_residual_fiber_length(vasti, 0.6, st.length, st.velocity, l_mt)
    assert abs(float(r)) < 1e-9


def test_fiber_velocity_from_tendon_force_derivative(soleus: mu.MuscleParams) -> None:
    # v_M from the implicit formulation equals d(l_M)/dt of a finite-difference trajectory.
    def lm(t: float) -> float:
        l_mt = 0.32 + 0.02 * t
        ft = 0.5 + 0.3 * t
        return float(mu.fiber_from_tendon_force(soleus, ft, 0.0, l_mt, 0.0).length)

    h = 1e-6
    fd = (lm(0.1 + h) - lm(0.1 - h)) / (2 * h) * soleus.optimal_fiber_length
    st = mu.fiber_from_tendon_force(soleus, 0.5 + 0.03, 0.3, 0.32 + 0.002, 0.02)
    assert float(st.velocity) * soleus.max_contraction_velocity == pytest.approx(fd, rel=1e-6)


def test_numpy_and_casadi_agree(soleus: mu.MuscleParams) -> None:
    x = ca.SX.sym("x")
    cases = [
        (mu.active_force_length, 0.83),
        (mu.passive_force_length, 1.21),
        (mu.force_velocity, -0.37),
        (mu.force_velocity_inverse, 0.64),
        (mu.tendon_force_length, 1.03),
        (mu.tendon_length_from_force, 0.7),
        (lambda v: mu.activation_rate(v, 0.2), 0.9),
        (lambda v: mu.rigid_tendon_force(soleus, v, 0.31, -0.05), 0.8),
        (lambda v: mu.implicit_residual_tendon_force(soleus, 0.7, v, 0.4, 0.31, -0.05), 0.6),
        (lambda v: mu.implicit_residual_fiber_length(soleus, 0.7, v, -0.1, 0.31), 0.95),
    ]
    for fn, value in cases:
        f = ca.Function("f", [x], [fn(x)])
        assert float(f(value)) == pytest.approx(float(fn(value)), rel=1e-12, abs=1e-12)
        assert float(fn(np.array([value]))[0]) == pytest.approx(float(fn(value)), rel=1e-12)


def test_casadi_mx_works(soleus: mu.MuscleParams) -> None:
    x = ca.MX.sym("x")
    f = ca.Function("f", [x], [mu.implicit_residual_tendon_force(soleus, 0.5, x, 0.0, 0.31, 0.0)])
    assert math.isfinite(float(f(0.4)))
