"""The first-order predictor of a warm start (interior-point sensitivity of a solved stride,
:mod:`runmuscles.ocp.continuation`), checked against the NLP's own constraints without a solve:
moved along the predicted direction, the shipped 3.5 m/s level stride violates the constraints
of a neighbouring condition to second order in the step, where the stride as it is violates
them to first order (the periodicity of the pelvis's travel, speed x duration)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

import runmuscles as rm
from runmuscles.ocp.build import get_transcription
from runmuscles.ocp.continuation import predict_start
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import derivatives
from runmuscles.prediction import StrideStore


@pytest.fixture(scope="module")
def stride() -> tuple[object, object, np.ndarray, np.ndarray, np.ndarray]:
    runner = rm.Runner()
    problem = predictive(runner, 3.5, 0.0)
    shipped = StrideStore(str(resources.files("runmuscles") / "data" / "strides"), writable=False)
    ws = shipped.nearest(runner, "run", 3.5, 0.0, problem.n_intervals)
    if ws is None or (ws.speed, ws.grade) != (3.5, 0.0) or ws.lam_g is None:
        pytest.skip("the package ships no 3.5 m/s level stride with multipliers")
    tr, _ = get_transcription(problem)
    lam_g, lam_x = np.asarray(ws.lam_g, float), np.asarray(ws.lam_x, float)
    return tr, derivatives(tr), np.asarray(ws.z, float), lam_g, lam_x


def _violation(tr: object, d: object, z: np.ndarray, target: tuple[float, float]) -> float:
    g = np.ravel(np.asarray(d.nlp(z, np.array(target))[1]))  # type: ignore[attr-defined]
    lbg, ubg = tr.lbg, tr.ubg  # type: ignore[attr-defined]
    return float(np.max(np.maximum(lbg - g, 0.0) + np.maximum(g - ubg, 0.0)))


@pytest.mark.parametrize(("axis", "step"), [(0, 0.01), (1, 0.002)], ids=["speed", "grade"])
def test_the_predicted_start_is_feasible_to_second_order(
    stride: tuple[object, object, np.ndarray, np.ndarray, np.ndarray], axis: int, step: float
) -> None:
    tr, d, z, lam_g, lam_x = stride
    plain, predicted = [], []
    for h in (step, step / 2):
        target = (3.5 + h, 0.0) if axis == 0 else (3.5, h)
        zp, _ = predict_start(tr, z, lam_g, lam_x, (3.5, 0.0), target)  # type: ignore[arg-type]
        plain.append(_violation(tr, d, z, target))
        predicted.append(_violation(tr, d, zp, target))
    # the stride as it is: first order (halving the step halves the violation)
    assert plain[0] / plain[1] == pytest.approx(2.0, rel=0.05)
    # predicted: second order (measured ratios 3.8 and 4.0; 3 is this project's bound, the
    # stored stride's single precision floors the smallest violations) and smaller
    assert predicted[0] / predicted[1] > 3.0, predicted
    assert predicted[1] < plain[1] / 4, (plain, predicted)


def test_solve_with_the_predictor_reaches_the_same_stride() -> None:
    """``SolverOptions(predictor=True)`` from the shipped 3.5 m/s stride to 3.6 m/s +1 %: the
    predicted start is used and the solve ends at the plain warm start's optimum (measured
    objectives 0.82936 and 0.82928; 0.5 % is this project's tolerance)."""
    from runmuscles.ocp.build import solve
    from runmuscles.ocp.solve import SolverOptions
    from runmuscles.prediction import stride_stores

    runner = rm.Runner()
    out = {}
    for predictor in (False, True):
        problem = predictive(runner, 3.6, 0.01)
        problem.guess = stride_stores()[-1].nearest(runner, "run", 3.5, 0.0, problem.n_intervals)
        if problem.guess is None or problem.guess.lam_g is None:
            pytest.skip("the package ships no 3.5 m/s level stride with multipliers")
        out[predictor] = solve(problem, SolverOptions(predictor=predictor))
    used = out[True].guesses[0]["predictor"]
    assert used == "first-order (interior-point sensitivity)"
    assert out[False].guesses[0]["predictor"] == "none"
    assert out[True].objective == pytest.approx(out[False].objective, rel=5e-3)
