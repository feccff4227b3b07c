"""The measured arm and lumbar motion the predictive model prescribes."""

from __future__ import annotations

import casadi as ca
import numpy as np
import pytest

from runmuscles.errors import InputError
from runmuscles.model.prescribed import prescribed_motion
from runmuscles.units import DEG


@pytest.mark.parametrize("gait", ["run", "walk"])
def test_derivatives_match_finite_differences(gait: str) -> None:
    motion = prescribed_motion(gait)
    phi = np.linspace(0.0, 1.0, 41)
    h = 1e-5
    for order in (1, 2):
        exact = motion.angles(phi, order)
        lo, hi = motion.angles(phi - h, order - 1), motion.angles(phi + h, order - 1)
        for dof in exact:
            fd = (hi[dof] - lo[dof]) / (2 * h)
            np.testing.assert_allclose(exact[dof], fd, rtol=1e-5, atol=1e-4)


def test_left_arm_is_the_right_half_a_stride_later() -> None:
    motion = prescribed_motion("run")
    a = motion.angles(np.array([0.1, 0.3]))
    b = motion.angles(np.array([0.6, 0.8]))
    np.testing.assert_allclose(a["shoulder_l"], b["shoulder_r"], atol=1e-12)
    np.testing.assert_allclose(a["elbow_l"], b["elbow_r"], atol=1e-12)


def test_means_are_the_measured_ones() -> None:
    """Stride means equal c0: Hamner et al. 2010 running elbow 88.1 deg, shoulder -18.8 deg,
    lumbar -7.3 deg; Falisse et al. 2019 walking elbow 26.5 deg."""
    phi = np.linspace(0.0, 1.0, 1000, endpoint=False)
    run, walk = prescribed_motion("run").angles(phi), prescribed_motion("walk").angles(phi)
    assert run["elbow_r"].mean() / DEG == pytest.approx(88.104, abs=1e-6)
    assert run["shoulder_r"].mean() / DEG == pytest.approx(-18.833, abs=1e-6)
    assert run["lumbar"].mean() / DEG == pytest.approx(-7.274, abs=1e-6)
    assert walk["elbow_r"].mean() / DEG == pytest.approx(26.496, abs=1e-6)


def test_numpy_and_casadi_agree() -> None:
    motion = prescribed_motion("walk")
    x = ca.SX.sym("phi")
    f = ca.Function("f", [x], [ca.vertcat(*motion.angles(x, 2).values())])
    num = motion.angles(0.37, 2)
    np.testing.assert_allclose(np.ravel(f(0.37)), list(num.values()), rtol=1e-12)


def test_unknown_gait_is_refused() -> None:
    with pytest.raises(InputError, match="'run' or 'walk'"):
        prescribed_motion("skip")


@pytest.mark.parametrize("gait", ["run", "walk"])
def test_the_midline_lumbar_repeats_every_half_stride(gait: str) -> None:
    """The model solves half a stride and mirrors it: a midline joint must repeat every half
    stride (its odd harmonics, the measured subject's asymmetry, are dropped), the arms swap."""
    m = prescribed_motion(gait)
    phi = np.linspace(0.0, 0.5, 11)
    a, b = m.angles(phi), m.angles(phi + 0.5)
    np.testing.assert_allclose(a["lumbar"], b["lumbar"], atol=1e-12)
    np.testing.assert_allclose(a["shoulder_r"], b["shoulder_l"], atol=1e-12)
