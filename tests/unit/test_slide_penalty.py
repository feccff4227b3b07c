"""The slide penalty of the predictive objective: zero (with its derivatives) for a loaded foot
that creeps below the friction law's transition velocity, positive for one that slides, and its
gradient checked against finite differences."""

from __future__ import annotations

import casadi as ca
import numpy as np
import pytest

from runmuscles.model.runner import Runner
from runmuscles.ocp.node import SLIP_LOAD_BW, slide_penalty

RUNNER = Runner()
DOFS = RUNNER.dofs
TX, TY = DOFS.index("pelvis_tx"), DOFS.index("pelvis_ty")


def _standing_on(load_bw: float) -> np.ndarray:
    """An upright pose whose lowest contact sphere carries ``load_bw`` body weights (at rest)."""
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
    assert peak(q[TY]) == pytest.approx(load_bw, rel=1e-6)
    return q


def _qd(vx: float) -> np.ndarray:
    qd = np.zeros(len(DOFS))
    qd[TX] = vx  # the whole body moves forward: every point, the spheres too, at vx
    return qd


def test_zero_unless_a_loaded_sphere_slides_faster_than_the_transition_velocity() -> None:
    vt = RUNNER.contact.transition_velocity
    loaded = _standing_on(1.0)
    assert slide_penalty(RUNNER, loaded, _qd(0.0)) == 0.0
    assert slide_penalty(RUNNER, loaded, _qd(0.9 * vt)) == 0.0  # creep: how friction holds
    assert slide_penalty(RUNNER, _standing_on(0.9 * SLIP_LOAD_BW), _qd(5 * vt)) == 0.0  # light
    sliding = slide_penalty(RUNNER, loaded, _qd(1.5))
    assert sliding > 0.0
    assert slide_penalty(RUNNER, loaded, _qd(-1.5)) > 0.0  # backwards too


def test_derivatives_vanish_where_it_is_zero_and_match_finite_differences() -> None:
    q, qd = ca.SX.sym("q", len(DOFS)), ca.SX.sym("qd", len(DOFS))
    expr = slide_penalty(RUNNER, q, qd)
    z = ca.vertcat(q, qd)
    grad = ca.Function("g", [z], [ca.gradient(expr, z)])
    hess = ca.Function("h", [z], [ca.hessian(expr, z)[0]])
    fun = ca.Function("f", [z], [expr])
    loaded = _standing_on(1.0)
    creep = np.concatenate([loaded, _qd(0.1)])
    assert np.all(np.asarray(grad(creep)) == 0.0) and np.all(np.asarray(hess(creep)) == 0.0)
    slide = np.concatenate([loaded, _qd(0.8)])
    g = np.asarray(grad(slide)).ravel()
    assert np.abs(g).max() > 0
    step = 1e-6  # central differences (this project's tolerance: 1e-5 relative)
    fd = np.array(
        [
            (float(fun(slide + step * e)) - float(fun(slide - step * e))) / (2 * step)
            for e in np.eye(len(slide))
        ]
    )
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-6 * np.abs(g).max())
