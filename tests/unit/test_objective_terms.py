"""The objective split by term (Solution.objective_terms) adds up to the objective IPOPT
minimises, and its metabolic term is the metabolic energy the stride reports.

Checked on the shipped 3.5 m/s stride, without solving: the NLP's own objective expression is
evaluated at the stored point and compared with the per-node terms integrated after the solve.
"""

from __future__ import annotations

from importlib import resources

import casadi as ca
import numpy as np
import pytest

import runmuscles as rm
from runmuscles.ocp.build import get_transcription, solution_at
from runmuscles.ocp.goals import Goals
from runmuscles.ocp.node import COST_TERMS
from runmuscles.ocp.problem import predictive
from runmuscles.prediction import StrideStore


@pytest.fixture(scope="module")
def solved() -> tuple[float, object]:
    runner = rm.Runner()
    problem = predictive(runner, 3.5, 0.0)
    shipped = StrideStore(str(resources.files("runmuscles") / "data" / "strides"), writable=False)
    ws = shipped.nearest(runner, "run", 3.5, 0.0, problem.n_intervals)
    if ws is None or (ws.speed, ws.grade) != (3.5, 0.0):
        pytest.skip("the package ships no 3.5 m/s level stride")
    # the NLP's own objective expression at the stored point
    tr, _ = get_transcription(problem)
    objective = float(ca.Function("f", [tr.nlp["x"], tr.nlp["p"]], [tr.nlp["f"]])(ws.z, [3.5, 0]))
    return objective, solution_at(problem, ws.z)


def test_terms_add_up_to_the_objective(solved: tuple[float, object]) -> None:
    objective, solution = solved
    terms = solution.objective_terms  # type: ignore[attr-defined]
    assert tuple(terms) == COST_TERMS
    # two integrations of the same integrand: equal to rounding (tolerance ours)
    assert sum(terms.values()) == pytest.approx(objective, rel=1e-9)
    assert all(v >= -1e-12 for v in terms.values()), terms


def test_metabolic_term_is_the_reported_energy(solved: tuple[float, object]) -> None:
    """w_metabolic x (metabolic energy of the half stride) / (body mass x distance), from the
    stride's own metabolic-rate output: the objective pays for the energy the runner reports."""
    _, solution = solved
    s = solution  # type: ignore[assignment]
    runner = rm.Runner()
    rate = s.outputs["metabolic_rate"].sum(axis=1)  # W, all solved muscles
    energy = float(np.trapezoid(rate, s.time))  # J over the half stride
    distance = s.speed * s.duration
    expected = Goals().metabolic * energy / (runner.total_mass * distance)
    assert s.objective_terms["metabolic"] == pytest.approx(expected, rel=1e-9)
    # the stored stride pays mostly for energy: metabolic is the largest term (measured: about half)
    assert max(s.objective_terms, key=s.objective_terms.__getitem__) == "metabolic"


def test_a_bound_can_hold_over_part_of_the_stride() -> None:
    """``Problem.bounds`` with a stride-fraction window bounds only the nodes inside it."""
    from runmuscles.errors import InputError
    from runmuscles.ocp.build import _apply_bounds

    problem = predictive(rm.Runner(), 3.5, 0.0)
    tr, _ = get_transcription(problem)
    m, n = tr.model, tr.n_nodes
    i = m.states.index("q:knee_r")
    problem.bounds = {"q:knee_r": (-0.2, 0.8, (0.0, 0.3))}
    lbx, ubx = _apply_bounds(tr, problem)
    knee_ub = ubx[i + m.nx * np.arange(n)] * m.x_scale[i]
    inside = tr.phases <= 0.3
    assert inside.sum() == 31  # nodes 0..30 of 50 intervals over half a stride
    assert np.allclose(knee_ub[inside], 0.8)
    assert np.allclose(knee_ub[~inside], m.x_ub[i])
    # every other variable keeps its bound
    others = np.ones(tr.n_variables, bool)
    others[i + m.nx * np.arange(n)] = False
    assert np.array_equal(ubx[others], tr.ubx[others])
    assert np.array_equal(lbx[others], tr.lbx[others])
    for bad in ((0.8, -0.2), (0, 1, (0.4, 0.2)), (0, 1, (0, 2)), ("a", 1), (0, 1, 2)):
        problem.bounds = {"q:knee_r": bad}
        with pytest.raises(InputError, match="q:knee_r"):
            problem.validate()
