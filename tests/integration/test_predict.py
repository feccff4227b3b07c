"""Predictive simulation of level running at 3.5 m/s from a cold start (the CI case).

One solve (a few minutes on 2 cores) shared by the module. Checks are independent truths (Newton's
laws on the solved stride recomputed outside the optimiser) and the published ranges of
../shared/SCIENCE.md section 3, each quoted with its source.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import runmuscles as rm
from runmuscles.cycle import GaitCycle
from runmuscles.model.runner import Runner
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solution import Solution
from runmuscles.ocp.solve import solve
from runmuscles.predict import cycle_from_solution
from runmuscles.units import G


@pytest.fixture(scope="module")
def solved() -> tuple[Runner, Solution, GaitCycle]:
    runner = Runner()
    solution = solve(predictive(runner, 3.5, 0.0))
    return runner, solution, cycle_from_solution(runner, solution)


def test_converges_from_a_cold_start(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    _, solution, cycle = solved
    assert solution.status in ("Solve_Succeeded", "Solved_To_Acceptable_Level")
    assert all(np.all(np.isfinite(v)) for v in solution.states.values())
    assert cycle.to_json()["solver"]["iterations"] == solution.iterations


def test_json_contract(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    """Every key of issue 4 section 3, finite numbers where numbers are due."""
    d = solved[2].to_json()
    assert set(d["condition"]) >= {"speed_m_s", "grade", "mass_kg", "height_m"}
    summary_keys = {
        "cadence_steps_per_min", "stride_length_m", "stride_time_s", "contact_time_s",
        "duty_factor", "flight_fraction", "peak_vertical_grf_bw", "mean_vertical_grf_bw",
        "peak_braking_grf_bw", "peak_propulsive_grf_bw", "cost_of_transport_j_per_kg_m",
    }  # fmt: skip
    assert summary_keys <= set(d["summary"])
    assert all(math.isfinite(d["summary"][k]) for k in summary_keys)
    joint_keys = {"peak_extension_moment_nm_per_kg", "peak_flexion_moment_nm_per_kg",
                  "positive_work_j_per_kg", "negative_work_j_per_kg"}  # fmt: skip
    for joint in ("hip", "knee", "ankle"):
        assert joint_keys <= set(d["joints"][joint])
        for phase in ("stance", "swing"):
            assert joint_keys <= set(d["joints"][joint][phase])
    muscle_keys = {
        "name", "group", "side", "peak_activation", "mean_activation", "peak_force_n",
        "concentric_work_j", "eccentric_work_j", "metabolic_energy_j", "activation_by_phase",
        "peak_activation_at",
    }  # fmt: skip
    assert len(d["muscles"]) == 34
    for m in d["muscles"]:
        assert muscle_keys <= set(m)
        assert set(m["activation_by_phase"]) == {"stance", "swing", "float"}
    assert set(d["tendons"]) >= {"achilles_peak_force_bw", "patellar_peak_force_bw"}
    assert set(d["joint_loads"]) >= {"hip", "knee", "ankle"}
    assert set(d["solver"]) >= {"status", "iterations", "wall_time_s", "nlp_variables"}


def test_newton_vertical_impulse_equals_weight(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    """Steady running: mean vertical GRF over a stride = body weight (1.00 BW +- 3 %)."""
    assert solved[2].to_json()["summary"]["mean_vertical_grf_bw"] == pytest.approx(1.0, abs=0.03)


def test_dynamics_hold_when_recomputed_outside_the_optimiser(
    solved: tuple[Runner, Solution, GaitCycle],
) -> None:
    """The skeleton's equations of motion (NumPy backend) with the solved muscle, reserve and
    passive moments: residual tiny compared with body weight."""
    runner, solution, _ = solved
    dofs = runner.dofs
    q = np.array([solution.q(d) for d in dofs])
    qd = np.array([solution.states[f"qd:{d}"] for d in dofs])
    qdd = np.array([solution.controls[f"qdd:{d}"] for d in dofs])
    tau = solution.outputs["moment"].T - np.asarray(runner.passive_moments(q, qd))
    resid = np.asarray(runner.implicit_residual(q, qd, qdd, tau, 0.0))
    assert np.abs(resid).max() < 1e-3 * runner.weight


def test_stance_foot_does_not_skate(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    """Where the ball of the foot carries more than half body weight it barely slides."""
    runner, solution, _ = solved
    dofs = runner.dofs
    q = np.array([solution.q(d) for d in dofs])
    qd = np.array([solution.states[f"qd:{d}"] for d in dofs])
    forces = runner.contact_forces(q, qd)
    vel = runner.skeleton.point_velocities(q, qd, ("ball_r",))["ball_r"]
    loaded = np.asarray(forces["ball_r"][1]) > 0.5 * runner.weight
    assert loaded.any()
    assert np.abs(np.asarray(vel[0])[loaded]).max() < 0.15


def test_published_ranges_level_3_5(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    s = solved[2].to_json()["summary"]
    # Keller 1996 Clin Biomech 11:253; Cavanagh & Lafortune 1980: 2.2-2.9 BW at 3.5 m/s
    assert 2.2 <= s["peak_vertical_grf_bw"] <= 2.9
    # Gazendam & Hof 2007 Gait Posture 25:604: stance 30-37 % of the stride in running
    assert 0.30 <= s["duty_factor"] <= 0.37
    # Minetti et al. 2002 J Appl Physiol 93:1039: net cost 3.40 +- 0.24 J/kg/m (3.0-4.6 accepted)
    assert 3.0 <= s["cost_of_transport_j_per_kg_m"] <= 4.6
    # Lieberman 2015: 150-185 steps/min around 3 m/s (cadence rises a little with speed)
    assert 150 <= s["cadence_steps_per_min"] <= 190


def test_muscle_timing_and_reserves(solved: tuple[Runner, Solution, GaitCycle]) -> None:
    """Hamner et al. 2010 (J Biomech 43:2709): quadriceps brake and support in early stance, the
    plantarflexors propel in late stance; hamstrings peak in late swing (Novacheck 1998).
    Reserve actuators stay below 2 % of body weight x 1 m."""
    _, solution, cycle = solved
    d = cycle.to_json()
    duty = d["summary"]["duty_factor"]
    m = {x["name"]: x for x in d["muscles"]}
    assert m["vasti_r"]["peak_activation_at"] < 0.6 * duty
    assert 0.25 * duty < m["soleus_r"]["peak_activation_at"] < duty
    assert m["hamstrings_r"]["peak_activation_at"] > 0.75
    assert np.abs(solution.outputs["reserve_moment"]).max() < 0.02 * 70 * G


def test_netcdf_round_trip(solved: tuple[Runner, Solution, GaitCycle], tmp_path: Path) -> None:
    cycle = solved[2]
    cycle.save(tmp_path / "stride.nc")
    again = rm.GaitCycle.load(tmp_path / "stride.nc")
    assert again.to_json()["summary"] == cycle.to_json()["summary"]
