"""The collocation transcription on small problems with known answers."""

from __future__ import annotations

import casadi as ca
import numpy as np
import pytest

from runmuscles.errors import ConvergenceError, InputError, OutOfRangeError
from runmuscles.ocp.problem import check_condition
from runmuscles.ocp.solve import SolverOptions, solve_nlp
from runmuscles.ocp.transcription import NodeModel, transcribe


def cart(cost_offset: float = 0.0, with_path: bool = False) -> NodeModel:
    """A point mass on a line: x = [position, velocity], u = [acceleration]; cost u^2 + c.

    ``with_path``: a second control, a force f, with the path residual f - u = 0 (unit mass)."""
    x = ca.SX.sym("x", 2)
    u = ca.SX.sym("u", 2 if with_path else 1)
    p = ca.SX.sym("p", 2)
    t = ca.SX.sym("t", 2)
    path = ca.vertcat(u[1] - u[0]) if with_path else ca.SX(0, 1)
    return NodeModel(
        states=("q:pelvis_tx", "qd:pelvis_tx"),
        controls=("qdd:pelvis_tx", "f:pelvis_tx")[: 2 if with_path else 1],
        x_scale=np.array([1.0, 2.0]),
        u_scale=np.array([5.0, 5.0][: 2 if with_path else 1]),
        x_lb=np.array([-10.0, -10.0]),
        x_ub=np.array([10.0, 10.0]),
        u_lb=np.full(2 if with_path else 1, -50.0),
        u_ub=np.full(2 if with_path else 1, 50.0),
        f_dot=ca.Function("dot", [x, u, p, t], [ca.vertcat(x[1], u[0])]),
        f_path=ca.Function("path", [x, u, p, t], [path]),
        f_cost=ca.Function("cost", [x, u, p, t], [u[0] ** 2 + cost_offset]),
        f_out=ca.Function("out", [x, u, p, t], [x[1], t]),
        output_names=("velocity", "phase"),
        x_mirror=np.eye(2),
        u_mirror=np.eye(2 if with_path else 1),
        forward_state="q:pelvis_tx",
        n_path=1 if with_path else 0,
    )


def test_pack_unpack_round_trip() -> None:
    tr = transcribe(cart(), 10, (0.2, 0.6))
    rng = np.random.default_rng(0)
    x, u = rng.normal(size=(11, 2)), rng.normal(size=(11, 1))
    x2, u2, d = tr.unpack(tr.pack(x, u, 0.37))
    np.testing.assert_allclose(x2, x)
    np.testing.assert_allclose(u2, u)
    assert d == pytest.approx(0.37, rel=1e-12)
    # one time step per node, chained: N + 1 steps of duration / N
    assert tr.n_variables == 11 * 3 + 11


def test_constraint_jacobian_has_full_row_rank_with_periodic_controls() -> None:
    """States and controls periodic plus a path residual at every node would repeat the first
    node's residual at the last (a rank-deficient Jacobian: the multipliers blow up). The
    transcription imposes the path residuals at nodes 0..N-1 only: full row rank."""
    tr = transcribe(cart(with_path=True), 6, (0.2, 0.6))
    rng = np.random.default_rng(3)
    z = tr.pack(rng.normal(size=(7, 2)), rng.normal(size=(7, 2)), 0.4)
    jac = ca.Function("J", [tr.nlp["x"], tr.nlp["p"]], [ca.jacobian(tr.nlp["g"], tr.nlp["x"])])
    j = np.asarray(jac(z, [2.0, 0.0]).full())
    assert np.linalg.matrix_rank(j) == j.shape[0]


def test_node_functions_get_the_stride_phase_and_its_rate() -> None:
    """t = [phi, dphi/dt]: over a half stride phi = k / (2N) and dphi/dt = 1 / (2 T)."""
    tr = transcribe(cart(), 10, (0.2, 0.6))
    np.testing.assert_allclose(tr.phases, np.arange(11) / 20)
    assert tr.phase_rate(0.4) == pytest.approx(1 / 0.8)
    full = transcribe(cart(), 10, (0.2, 0.6), half_stride=False)
    np.testing.assert_allclose(full.phases, np.arange(11) / 10)


def test_trapezoidal_defects_vanish_for_constant_acceleration() -> None:
    """Trapezoidal integration is exact when velocity is linear in time (constant acceleration)."""
    n, duration, acc, v0 = 20, 0.5, 3.0, 1.2
    tr = transcribe(cart(), n, (0.1, 1.0))
    t = np.linspace(0, duration, n + 1)
    x = np.stack([v0 * t + 0.5 * acc * t**2, v0 + acc * t], axis=1)
    u = np.full((n + 1, 1), acc)
    g = ca.Function("g", [tr.nlp["x"], tr.nlp["p"]], [tr.nlp["g"]])
    values = np.asarray(g(tr.pack(x, u, duration), [2.0, 0.0])).ravel()
    np.testing.assert_allclose(values[: tr.n_defects], 0.0, atol=1e-12)


def test_periodic_cart_moves_at_the_imposed_speed() -> None:
    """Least effort between periodic ends at an imposed average speed: no acceleration at all."""
    tr = transcribe(cart(), 15, (0.4, 0.4))
    rng = np.random.default_rng(1)
    z0 = tr.pack(rng.normal(size=(16, 2)), rng.normal(size=(16, 1)), 0.4)
    res = solve_nlp(tr, z0, (3.0, 0.0), SolverOptions(hessian="exact"), "cart")
    res.raise_for_status()
    x, u, duration = tr.unpack(res.z)
    np.testing.assert_allclose(u, 0.0, atol=1e-6)
    np.testing.assert_allclose(x[:, 1], 3.0, atol=1e-6)
    assert x[-1, 0] - x[0, 0] == pytest.approx(3.0 * duration)


def test_objective_is_effort_per_distance() -> None:
    """A constant running cost c integrates to c T over the interval and the distance is v T, so
    the objective is exactly c / v whatever the duration."""
    tr = transcribe(cart(cost_offset=1.0), 10, (0.2, 0.6))
    z0 = tr.pack(np.zeros((11, 2)), np.zeros((11, 1)), 0.3)
    res = solve_nlp(tr, z0, (2.0, 0.0), SolverOptions(hessian="exact"), "cart")
    assert res.success
    assert res.objective == pytest.approx(1.0 / 2.0, rel=1e-6)


def test_failed_solve_raises_with_status_and_advice() -> None:
    tr = transcribe(cart(), 10, (0.2, 0.6))
    z0 = tr.pack(np.zeros((11, 2)), np.zeros((11, 1)), 0.3)
    res = solve_nlp(tr, z0, (2.0, 0.0), SolverOptions(max_iter=0), "2.00 m/s, grade +0.0 %")
    assert not res.success
    with pytest.raises(ConvergenceError, match=r"2.00 m/s.*IPOPT: Maximum_Iterations_Exceeded"):
        res.raise_for_status()


@pytest.mark.parametrize(
    ("speed", "grade", "error"),
    [
        (float("nan"), 0.0, InputError),
        (-1.0, 0.0, InputError),
        (12.0, 0.0, OutOfRangeError),
        (3.5, 0.9, OutOfRangeError),
    ],
)
def test_impossible_conditions_are_refused(speed: float, grade: float, error: type) -> None:
    with pytest.raises(error):
        check_condition(speed, grade)
