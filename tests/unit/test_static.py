"""Static optimisation and the inverse-dynamics filters against independent truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import lsq_linear

from runmuscles.errors import InputError
from runmuscles.model.runner import Runner
from runmuscles.ocp.inverse import _point_forces, butterworth_zero_lag, fourier_lowpass
from runmuscles.ocp.static import solve_box_qp, static_optimisation


def test_box_qp_matches_scipy_bounded_least_squares() -> None:
    """min ||a||^2 + ||A a - b||^2, 0 <= a <= 1, equals scipy's lsq_linear on [I; A] a = [0; b]."""
    rng = np.random.default_rng(1)
    n, d, k = 40, 3, 7
    a_mat = rng.normal(scale=30.0, size=(n, d, k))
    b = rng.normal(scale=60.0, size=(n, d))
    h = 2.0 * (np.eye(k) + np.einsum("ndi,ndj->nij", a_mat, a_mat))
    g = -2.0 * np.einsum("ndi,nd->ni", a_mat, b)
    x, _ = solve_box_qp(h, g)
    bounds_hit = 0
    for i in range(n):
        ref = lsq_linear(
            np.vstack([np.eye(k), a_mat[i]]),
            np.concatenate([np.zeros(k), b[i]]),
            bounds=(0.0, 1.0),
            tol=1e-12,
        ).x
        np.testing.assert_allclose(x[i], ref, atol=1e-6)
        bounds_hit += int(np.any((ref < 1e-9) | (ref > 1 - 1e-9)))
    assert bounds_hit > n // 2  # the test exercises the active set, not only interior optima


def _one_frame(runner: Runner, n: int = 5) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    pose = {"hip_r": 0.3, "knee_r": 0.7, "ankle_r": 0.2}  # mid-stance-like (rad)
    q = {d: np.full(n, pose.get(d, 0.0)) for d in runner.dofs}
    qd = {d: np.zeros(n) for d in runner.dofs}
    return q, qd


def test_static_optimisation_reproduces_feasible_moments_without_reserves() -> None:
    runner = Runner()
    q, qd = _one_frame(runner)
    tau = {d: np.zeros(5) for d in ("hip_r", "knee_r", "ankle_r")}
    tau["knee_r"] = np.linspace(-20.0, -80.0, 5)  # extensor moments the vasti can make
    tau["ankle_r"] = np.linspace(-10.0, -60.0, 5)
    legs = [m for m in runner.muscles if m.side == "r" and set(m.dofs) <= set(tau)]
    so = static_optimisation(legs, q, qd, tau)
    assert so.warnings == ()
    # muscle moments + reserves equal the target exactly; reserves are tiny for feasible moments
    np.testing.assert_allclose(so.muscle_moment + so.reserve, so.target, atol=1e-9)
    assert np.max(np.abs(so.reserve)) < 0.05 * np.max(np.abs(so.target))
    assert np.all((so.activation >= 0) & (so.activation <= 1))
    # more knee extension moment -> more vasti activation (monotone)
    vasti = so.activation[:, so.muscles.index("vasti_r")]
    assert np.all(np.diff(vasti) > 0)


def test_static_optimisation_warns_on_impossible_moment() -> None:
    runner = Runner()
    q, qd = _one_frame(runner, 2)
    tau = {"ankle_r": np.array([-5000.0, -10.0])}  # 5 kN m: far beyond the calves
    legs = [m for m in runner.muscles if m.dofs == ("ankle_r",)]
    so = static_optimisation(legs, q, qd, tau)
    assert so.activation[0, so.muscles.index("soleus_r")] == pytest.approx(1.0)
    assert any("reserve at ankle_r" in w for w in so.warnings)


def test_static_optimisation_rejects_bad_input() -> None:
    runner = Runner()
    q, qd = _one_frame(runner, 2)
    with pytest.raises(InputError, match="NaN"):
        static_optimisation(runner.muscles[:2], q, qd, {"hip_r": np.array([np.nan, 1.0])})
    with pytest.raises(InputError, match="missing"):
        static_optimisation(runner.muscles[:2], {}, {}, {"hip_r": np.zeros(2)})


def test_fourier_lowpass_differentiates_exactly() -> None:
    period, n = 0.7, 101
    t = np.linspace(0.0, period, n)
    w = 2 * np.pi * 3 / period
    y = np.sin(w * t) + 0.2 * np.sin(2 * np.pi * 40 / period * t)  # 3rd and 40th harmonic
    val, d1, d2 = fourier_lowpass(y, period, cutoff_hz=12.0)  # keeps k <= 8
    np.testing.assert_allclose(val, np.sin(w * t), atol=1e-12)
    np.testing.assert_allclose(d1, w * np.cos(w * t), atol=1e-9)
    np.testing.assert_allclose(d2, -w * w * np.sin(w * t), atol=1e-7)


def test_butterworth_zero_lag_keeps_slow_signal_without_delay() -> None:
    dt = 0.005
    t = np.arange(0.0, 4.0, dt)
    slow = np.sin(2 * np.pi * 1.5 * t)
    out = butterworth_zero_lag(slow + 0.3 * np.sin(2 * np.pi * 60 * t), dt, 12.0)
    inner = slice(100, -100)
    assert np.max(np.abs(out[inner] - slow[inner])) < 0.02


def test_grf_split_acts_through_the_centre_of_pressure() -> None:
    """Heel + ball forces have the same resultant and moment as the force at (cop_x, 0)."""
    runner = Runner()
    n = 6
    q = np.zeros((16, n))
    q[1] = runner.standing_hip_height
    q[runner.dof_index["ankle_r"]] = np.linspace(-0.3, 0.3, n)
    fx, fy = np.linspace(-200, 300, n), np.linspace(500, 1800, n)
    cop = np.linspace(-0.05, 0.2, n)
    grf = {"r": (fx, fy, cop), "l": (np.zeros(n), np.zeros(n), np.full(n, np.nan))}
    forces = _point_forces(runner, q, grf, 0.005)
    pos = runner.skeleton.point_positions(q, ("heel_r", "ball_r"))
    fsum_x = forces["heel_r"][0] + forces["ball_r"][0]
    fsum_y = forces["heel_r"][1] + forces["ball_r"][1]
    moment = sum(pos[p][0] * forces[p][1] - pos[p][1] * forces[p][0] for p in ("heel_r", "ball_r"))
    np.testing.assert_allclose(fsum_x, fx, atol=1e-9)
    np.testing.assert_allclose(fsum_y, fy, atol=1e-9)
    np.testing.assert_allclose(moment, cop * fy, atol=1e-6)  # about the origin: r x F at y = 0
