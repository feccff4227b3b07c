"""Predictive simulation of level running at 3.5 m/s through the front door, ``rm.predict``.

The default suite solves from the nearest shipped stride (the warm start every user gets; about a
minute on 2 cores); the cold start from the measured and template guesses is ``slow``. Checks are
independent truths: Newton's laws recomputed outside the optimiser with the NumPy backend, the
metabolic model's rule that no muscle returns energy, and published ranges quoted with their
sources. A published band the model still misses is a strict xfail that names the gap.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import runmuscles as rm
from runmuscles.cycle import GaitCycle
from runmuscles.model.runner import Runner
from runmuscles.prediction import predictive, solve, stride_stores
from runmuscles.units import DEG, G


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> GaitCycle:
    shipped = stride_stores()[-1]
    if not shipped.entries():
        pytest.skip("no shipped strides in this checkout (src/runmuscles/data/strides)")
    cache = rm.prediction.StrideStore(tmp_path_factory.mktemp("cache"))
    return rm.predict(Runner(), 3.5, 0.0, stores=[cache, shipped])


def test_converges_and_says_where_it_started(cycle: GaitCycle) -> None:
    solver = cycle.to_json()["solver"]
    assert solver["status"] in ("Solve_Succeeded", "Solved_To_Acceptable_Level")
    assert solver["iterations"] >= 0
    assert cycle.condition["gait"] == "run"
    assert all(np.all(np.isfinite(cycle.ds[v].values)) for v in ("q", "activation", "force"))


def test_json_contract(cycle: GaitCycle) -> None:
    """Every key of the JSON contract, finite numbers where numbers are due."""
    d = cycle.to_json()
    assert d["condition"]["gait"] == "run"
    numbers = {
        "cadence_steps_per_min", "stride_length_m", "stride_time_s", "contact_time_s",
        "duty_factor", "flight_fraction", "peak_vertical_grf_bw", "mean_vertical_grf_bw",
        "peak_braking_grf_bw", "peak_propulsive_grf_bw", "cost_of_transport_j_per_kg_m",
        "peak_knee_flexion_swing_deg", "foot_angle_at_contact_deg", "double_support_fraction",
        "trunk_lean_deg",
    }  # fmt: skip
    assert numbers <= set(d["summary"])
    assert all(math.isfinite(d["summary"][k]) for k in numbers)
    assert d["summary"]["strike"] in ("rearfoot", "midfoot", "forefoot")
    assert len(d["muscles"]) == 40
    for m in d["muscles"]:
        assert isinstance(m["resolved"], bool)
        assert m["resolved"] == (m["unresolved_reason"] is None)
    assert set(d["reserves"]) >= {"hip", "knee", "ankle", "mtp", "lumbar", "shoulder", "elbow"}
    assert set(d["solver"]) >= {"status", "iterations", "wall_time_s", "guesses_tried"}


def test_newton_vertical_impulse_equals_weight(cycle: GaitCycle) -> None:
    """Steady running: mean vertical GRF over a stride = body weight (1.00 BW +- 3 %, the 3 %
    being this project's tolerance for the discretisation)."""
    assert cycle.summary()["mean_vertical_grf_bw"] == pytest.approx(1.0, abs=0.03)


def test_dynamics_hold_when_recomputed_outside_the_optimiser(cycle: GaitCycle) -> None:
    """The skeleton's equations of motion (NumPy backend) for all 16 DOFs, the arms included,
    with the stride's net moments: residual below 1e-3 body weight (project's tolerance)."""
    runner = Runner()
    dofs = runner.dofs
    q = np.array([cycle.ds["q"].sel(dof=d).values for d in dofs])
    qd = np.array([cycle.ds["qd"].sel(dof=d).values for d in dofs])
    qdd = np.array([cycle.ds["qdd"].sel(dof=d).values for d in dofs])
    tau = np.array([cycle.ds["moment"].sel(dof=d).values for d in dofs])
    tau = tau - np.asarray(runner.passive_moments(q, qd))
    resid = np.asarray(runner.implicit_residual(q, qd, qdd, tau, 0.0))
    assert np.abs(resid).max() < 1e-3 * runner.weight


def test_no_muscle_returns_energy(cycle: GaitCycle) -> None:
    """Umberger 2010 with a 1 W/kg minimum heat: every muscle's metabolic rate stays positive at
    every instant, however much eccentric work it does."""
    assert float(cycle.ds["metabolic_rate"].min()) > 0.0


def test_arms_swing_as_measured(cycle: GaitCycle) -> None:
    """Elbow held near 90 deg and the shoulder swinging behind the trunk line, as in Hamner et al.
    2010's runner at 3.96 m/s (elbow mean 88 deg, shoulder mean -19 deg)."""
    elbow = np.degrees(cycle.ds["q"].sel(dof="elbow_r").values)
    shoulder = np.degrees(cycle.ds["q"].sel(dof="shoulder_r").values)
    assert 80 <= elbow.mean() <= 96
    assert -25 <= shoulder.mean() <= -12
    assert 20 <= shoulder.max() - shoulder.min() <= 50


def test_stance_foot_does_not_skate(cycle: GaitCycle) -> None:
    """A contact sphere carrying more than half body weight slides under 0.15 m/s (project's
    tolerance for smooth friction)."""
    assert cycle.provenance["stance_slip_m_s"] < 0.15


def test_reserves_stay_small_at_the_legs(cycle: GaitCycle) -> None:
    """Peak reserve <= 5 % of each leg joint's peak moment (project's threshold)."""
    r = cycle.to_json()["reserves"]
    for joint in ("hip", "knee", "ankle", "lumbar"):
        assert r[joint] <= 0.05, joint


def test_peak_vertical_force_in_published_band(cycle: GaitCycle) -> None:
    # Keller 1996 Clin Biomech 11:253; Cavanagh & Lafortune 1980: 2.2-2.9 BW at 3.5 m/s
    assert 2.2 <= cycle.summary()["peak_vertical_grf_bw"] <= 2.9


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the polished 3.5 m/s stride (the model's better optimum, objective 0.795 "
    "against 0.944) stays on the ground 41 % of the stride (contact 0.27 s at 186 steps/min); "
    "the stride shipped before it, on a worse optimum, passed with 32 %",
)
def test_stance_share_in_published_band(cycle: GaitCycle) -> None:
    # Gazendam & Hof 2007 Gait Posture 25:604: stance 30-37 % of the stride in running
    assert 0.30 <= cycle.summary()["duty_factor"] <= 0.37


def test_cadence_in_published_band(cycle: GaitCycle) -> None:
    # Lieberman 2015: 150-185 steps/min around 3 m/s, about 170 optimal; at 3.5 m/s runners
    # step a little faster, so this project asks for 155-190
    assert 155 <= cycle.summary()["cadence_steps_per_min"] <= 190


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the predicted stride costs about 4.9 J/kg/m (stance knee flexion about "
    "61 deg; Umberger's activation heat is 60-70 % of the cost)",
)
def test_cost_of_transport_in_published_band(cycle: GaitCycle) -> None:
    # Minetti et al. 2002 J Appl Physiol 93:1039: net cost 3.40 +- 0.24 J/kg/m on the level; the
    # band 3.0-4.6 (above the published mean for a model that counts gross muscle heat) is this
    # project's
    assert 3.0 <= cycle.summary()["cost_of_transport_j_per_kg_m"] <= 4.6


def test_swing_knee_in_published_band(cycle: GaitCycle) -> None:
    # Novacheck 1998; Fukuchi et al. 2017 (100 deg at 3.5 m/s)
    assert 90 <= cycle.summary()["peak_knee_flexion_swing_deg"] <= 120


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the polished 3.5 m/s stride brakes at 0.21 BW (a long, crouched contact); "
    "the stride shipped before it, on a worse optimum, braked at 0.33 BW",
)
def test_braking_in_published_band(cycle: GaitCycle) -> None:
    # Hamner et al. 2010 data (0.37-0.43 BW at 3.96 m/s); the band 0.3-0.5 is this project's
    assert 0.3 <= cycle.summary()["peak_braking_grf_bw"] <= 0.5


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the predicted runner lands on a knee bent about 44 deg and crouches to "
    "about 61 deg at 3.5 m/s (measured runner: 16 and 42 deg; 49 and 68 before the relaxed leg "
    "was fitted to Riener & Edrich 1999); not moved by contact damping, "
    "effort weights, vasti pose or strength, calf or toe-flexor strength, Achilles or patellar "
    "tendon stiffness, an upright trunk or passive muscle stiffness, even when released from a "
    "stride held under 45 deg (scripts/crouch_probe.py)",
)
def test_stance_knee_as_the_measured_runner(cycle: GaitCycle) -> None:
    # Fukuchi et al. 2017 runner RBDS001 at 3.5 m/s: 16 deg at contact, 42 deg stance peak, 2.79
    # N m/kg peak extension moment; the +-10 deg and +-35 % bands are this project's
    from runmuscles.validate import stance_knee_rows

    rows = stance_knee_rows("3.5 m/s", 3.5, cycle)
    assert len(rows) == 3
    assert all(r["pass"] for r in rows), [(r["quantity"], r["value"]) for r in rows]


def test_the_stride_says_when_it_crouches(cycle: GaitCycle) -> None:
    # the solver's warning (right knee over the right foot's stance) and the GaitCycle's own
    # stance knee peak (both legs) must agree on the crouch
    from runmuscles.cycle.gaitcycle import CROUCH_LIMIT_DEG

    peak = cycle.peak_knee_flexion_stance_deg
    assert peak is not None
    said = [w for w in cycle.provenance["warnings"] if "crouched knee" in w]
    assert len(said) == (1 if peak > CROUCH_LIMIT_DEG else 0)
    if said:
        assert f"{peak:.0f} deg" in said[0]


def test_braking_not_done_by_skidding_heels(cycle: GaitCycle) -> None:
    # strides solved without charging the contact's dissipation took a third of the braking
    # impulse from heels skidding faster than the friction law's transition velocity; the 20 %
    # limit is this project's (the stride's own warning threshold)
    assert cycle.provenance["contact_sliding"]["sliding_braking_share"] <= 0.2


@pytest.mark.xfail(
    strict=True,
    reason="known gap: hamstrings peak activation about 0.97 at 3.5 m/s level (issue 11 asked 0.9)",
)
def test_no_leg_muscle_saturates(cycle: GaitCycle) -> None:
    # the engine issue's target (this project's): no leg muscle above 0.9 peak activation
    legs = {"glut_max", "iliopsoas", "hamstrings", "bifemsh", "rect_fem", "vasti", "gastroc",
            "soleus", "tib_ant"}  # fmt: skip
    peaks = {m: float(cycle.ds["activation"].sel(muscle=f"{m}_r").max()) for m in legs}
    assert max(peaks.values()) <= 0.9, peaks


def test_netcdf_round_trip(cycle: GaitCycle, tmp_path: Path) -> None:
    cycle.save(tmp_path / "stride.nc")
    again = rm.GaitCycle.load(tmp_path / "stride.nc")
    assert again.to_json()["summary"] == cycle.to_json()["summary"]
    assert again.gait == "run"


@pytest.mark.slow
def test_cold_start_tries_the_guesses_and_keeps_the_best() -> None:
    """From no previous stride: both cold guesses are tried; the kept one has the lowest
    objective of those that converged, and the result says which it was."""
    runner = Runner()
    solution = solve(predictive(runner, 3.5, 0.0))
    tried = solution.guesses
    assert {t["guess"] for t in tried} == {"measured", "template"}
    kept = [t for t in tried if t["kept"]]
    assert len(kept) == 1
    converged = [t["objective"] for t in tried if t["objective"] is not None]
    assert kept[0]["objective"] == min(converged) == pytest.approx(solution.objective)
    assert solution.cycle().provenance["solver"]["guess_kept"] == kept[0]["guess"]


@pytest.mark.slow
def test_walking_has_double_support_and_no_flight() -> None:
    cycle = rm.predict(Runner(), 1.3, 0.0, gait="walk", guess=None)
    s = cycle.summary()
    assert s["double_support_fraction"] > 0.05
    assert s["flight_fraction"] < 0.01
    # prescribed walking arm swing (Falisse et al. 2019's subject: elbow mean 26 deg)
    assert 20 <= np.degrees(cycle.ds["q"].sel(dof="elbow_r").values).mean() <= 33
    assert DEG > 0 and G > 0
