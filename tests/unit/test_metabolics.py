"""Smooth Umberger (2010) metabolic energy model with no credit for negative work.

Independent truths: the model's own limiting cases (zero activation, isometric contraction), the
definition of mechanical power (-F v), Umberger 2010's rule that eccentric work is never paid back
(a lengthening muscle never returns energy), the minimum heat rate of 1 W/kg muscle (Umberger et
al. 2003 p. 104), and NumPy/CasADi agreement.
"""

from __future__ import annotations

import casadi as ca
import numpy as np
import pytest

from runmuscles.model import metabolics as me
from runmuscles.model.geometry import load_muscle_set
from runmuscles.model.muscle import active_force_length, force_velocity

MUSCLES = {m.name: m for m in load_muscle_set(75.16, 1.80)}
SOLEUS = MUSCLES["soleus_r"]
VASTI = MUSCLES["vasti_r"]


def test_muscle_mass() -> None:
    # density * Fmax / 0.25 MPa * l_opt (Umberger et al. 2003)
    m = SOLEUS
    expected = 1059.7 * m.max_isometric_force / 0.25e6 * m.optimal_fiber_length
    assert me.muscle_mass(SOLEUS) == pytest.approx(expected)
    total = sum(me.muscle_mass(m) for m in MUSCLES.values())
    # all model muscles together: a plausible fraction of a 75 kg body (lower limb muscle alone
    # is about 20-30 % of body mass; Handsfield 2014) -- only the order of magnitude is checked
    assert 8.0 < total < 40.0


def test_zero_activation_costs_only_the_minimum_heat() -> None:
    # Umberger et al. 2003: heat rate >= 1 W/kg of muscle; no work without activation
    for v in (-0.5, 0.0, 0.3):
        rate = me.umberger_rate(SOLEUS, 0.0, 0.0, 1.0, v)
        assert abs(rate.activation_maintenance) < 1e-3
        assert abs(rate.mechanical_work) < 1.0  # smoothing of max(0, P), W (project's choice)
        floor = me.MIN_HEAT_RATE * me.muscle_mass(SOLEUS)
        assert rate.total == pytest.approx(floor, abs=0.1 * me.muscle_mass(SOLEUS) + 1.0)


def test_isometric_is_maintenance_heat_only() -> None:
    rate = me.umberger_rate(SOLEUS, 0.5, 0.5, 1.0, 0.0)
    # h_AM = (128 f + 25) A^0.6 S W/kg at l <= 1, with A = a when e = a (Umberger 2003 Eq. 3)
    f = SOLEUS.fast_twitch_fraction
    mass = me.muscle_mass(SOLEUS)
    expected = (128 * f + 25) * 0.5**0.6 * 1.5 * mass
    # the length switch is a tanh step (sharpness 10/l_opt): at l = 1 it is half on, and
    # fl(1) = 0.99943, so the switch changes h_AM by < 0.02 %
    assert rate.activation_maintenance == pytest.approx(expected, rel=1e-3)
    # the smooth minimum-heat floor adds w^2 / (4 h) W/kg (w = 0.1 W/kg): < 1e-4 W/kg here
    assert rate.shortening_lengthening == pytest.approx(0.0, abs=1e-4 * mass)
    # smoothed max(0, P) at P = 0 is half the smoothing width (1 W, project's choice)
    assert rate.mechanical_work == pytest.approx(0.5, abs=1e-9)
    assert rate.total == pytest.approx(rate.activation_maintenance + 0.5, rel=1e-5)


def test_long_fibres_cut_maintenance_heat() -> None:
    # l > 1: h_AM scaled by 0.4 + 0.6 fl(l) (the tanh length switch is fully on at l = 1.5)
    short = me.umberger_rate(SOLEUS, 0.5, 0.5, 0.5, 0.0).activation_maintenance
    long_ = me.umberger_rate(SOLEUS, 0.5, 0.5, 1.5, 0.0).activation_maintenance
    assert long_ / short == pytest.approx(0.4 + 0.6 * active_force_length(1.5), rel=1e-3)


def test_mechanical_work_is_positive_fibre_power_only() -> None:
    for v in (-0.4, -0.1):  # shortening: -F v, exactly as Umberger 2003/2010
        rate = me.umberger_rate(VASTI, 0.7, 0.7, 0.95, v)
        f_ce = 0.7 * active_force_length(0.95) * force_velocity(v) * VASTI.max_isometric_force
        v_ce = v * VASTI.max_contraction_velocity
        assert rate.mechanical_work == pytest.approx(-f_ce * v_ce, rel=1e-6)
    # lengthening: negative fibre work is not counted (Umberger 2010), never below zero
    for v in (0.05, 0.2, 0.6):
        rate = me.umberger_rate(VASTI, 0.7, 0.7, 0.95, v)
        assert 0.0 <= rate.mechanical_work < 1e-3


@pytest.mark.parametrize("a", [0.01, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("v", [0.01, 0.1, 0.3, 0.8])
@pytest.mark.parametrize("length", [0.6, 1.0, 1.4])
def test_purely_eccentric_contraction_never_returns_energy(
    a: float, v: float, length: float
) -> None:
    # A lengthening, active muscle absorbs work; its metabolic rate stays at or above its minimum
    # heat (1 W/kg muscle, Umberger et al. 2003), never negative, for every muscle.
    for m in MUSCLES.values():
        rate = me.umberger_rate(m, a, a, length, v)
        assert rate.total >= me.MIN_HEAT_RATE * me.muscle_mass(m) - 1e-9, m.name
        assert rate.mechanical_work >= 0.0


def test_concentric_energy_is_positive_and_exceeds_work() -> None:
    # shortening: heat and work both positive, so the total exceeds the mechanical work
    # (efficiency below 1), for every activation and shortening speed tried
    for a in (0.1, 0.5, 1.0):
        for v in (-0.8, -0.3, -0.05):
            rate = me.umberger_rate(VASTI, a, a, 1.0, v)
            assert rate.shortening_lengthening > 0
            assert rate.mechanical_work > 0
            assert rate.total > rate.mechanical_work > 0
            efficiency = rate.mechanical_work / rate.total
            assert efficiency < 0.7


def test_excitation_above_activation_uses_excitation() -> None:
    rising = me.umberger_rate(SOLEUS, 0.8, 0.2, 1.0, 0.0).activation_maintenance
    same = me.umberger_rate(SOLEUS, 0.8, 0.8, 1.0, 0.0).activation_maintenance
    falling = me.umberger_rate(SOLEUS, 0.2, 0.8, 1.0, 0.0).activation_maintenance
    mean = me.umberger_rate(SOLEUS, 0.5, 0.5, 1.0, 0.0).activation_maintenance
    assert rising == pytest.approx(same, rel=1e-3)
    assert falling == pytest.approx(mean, rel=1e-3)


def test_fast_twitch_costs_more() -> None:
    from dataclasses import replace

    slow = replace(VASTI, fast_twitch_fraction=0.2)
    fast = replace(VASTI, fast_twitch_fraction=0.8)
    assert (
        me.umberger_rate(fast, 0.5, 0.5, 1.0, 0.0).total
        > me.umberger_rate(slow, 0.5, 0.5, 1.0, 0.0).total
    )


def test_basal_rate() -> None:
    assert me.basal_rate(70.0) == pytest.approx(84.0)  # 1.2 W/kg (Bhargava et al. 2004)


def test_numpy_and_casadi_agree() -> None:
    x = ca.SX.sym("x", 4)
    expr = me.umberger_rate(VASTI, x[0], x[1], x[2], x[3]).total
    f = ca.Function("E", [x], [expr])
    g = ca.Function("dE", [x], [ca.gradient(expr, x)])
    for vals in ([0.6, 0.4, 0.9, -0.2], [0.2, 0.5, 1.2, 0.3], [0.5, 0.5, 1.0, 0.0]):
        num = me.umberger_rate(VASTI, *vals).total
        assert float(f(vals)) == pytest.approx(float(num), rel=1e-10)
        assert np.all(np.isfinite(np.array(g(vals))))
    arr = me.umberger_rate(VASTI, np.array([0.6, 0.2]), np.array([0.4, 0.5]), 1.0, -0.2).total
    assert arr[0] == pytest.approx(float(f([0.6, 0.4, 1.0, -0.2])), rel=1e-10)


def test_smoothed_activation_power_matches_a_to_the_0_6_where_muscles_work() -> None:
    # the smoothing of A^0.6 is this project's numerical choice; the bound checked here follows
    # from its closed form A^0.6 (1 + d^2/A^2)^-0.2, not from a publication
    d = me.ACTIVATION_SMOOTHING
    for a in np.linspace(0.1, 1.0, 19):
        assert me.activation_power(a) == pytest.approx(a**0.6 * (1 + d * d / a / a) ** -0.2)
        assert me.activation_power(a) == pytest.approx(a**0.6, rel=0.008)
    for a in (0.05, 0.07):
        assert me.activation_power(a) == pytest.approx(a**0.6, rel=0.03)
    assert me.activation_power(0.3, smoothing=0.0) == pytest.approx(0.3**0.6)
    assert me.activation_power(0.0) == 0.0


def test_smoothed_activation_power_has_no_cusp_at_zero() -> None:
    # finite differences: slope d^-0.4 at 0 and a curvature bounded by a few d^-1.4, where A^0.6's
    # grow without bound as A -> 0 (the cusp that made the optimisation's Hessian indefinite)
    d = me.ACTIVATION_SMOOTHING
    h = 1e-6
    assert (me.activation_power(h) - me.activation_power(0.0)) / h == pytest.approx(
        d**-0.4, rel=1e-3
    )
    a = np.linspace(0.0, 1.0, 20001)
    g = me.activation_power(a)
    curvature = np.diff(g, 2) / (a[1] - a[0]) ** 2
    assert np.abs(curvature).max() < 2.0 * d**-1.4
    raw = (a[1:] + 1e-12) ** 0.6
    raw_curvature = np.diff(raw, 2) / (a[1] - a[0]) ** 2
    assert np.abs(raw_curvature).max() > 50 * np.abs(curvature).max()
    # CasADi and NumPy agree
    x = ca.SX.sym("x")
    f = ca.Function("f", [x], [me.activation_power(x)])
    assert float(f(0.3)) == pytest.approx(float(me.activation_power(0.3)))
