"""Runner: named access, input validation, implicit residual on both backends, CLI."""

from __future__ import annotations

import json
import math

import casadi as ca
import numpy as np
import pytest

import runmuscles as rm
from runmuscles.cli import main
from runmuscles.errors import InputError, OutOfRangeError, UnknownNameError
from runmuscles.model.runner import Runner
from runmuscles.units import G

RUNNER = Runner()


def _state(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    q = rng.uniform(-0.4, 0.4, 16)
    q[1] = 0.92  # hip height: one foot touches the belt in most draws
    q[5], q[9] = 0.3, 1.2
    return q, rng.uniform(-1, 1, 16), rng.uniform(-3, 3, 16)


def test_named_access() -> None:
    r = rm.Runner()
    assert r.mass == 70.0 and r.height == 1.75
    assert r.dofs[:4] == ("pelvis_tx", "pelvis_ty", "pelvis_tilt", "lumbar")
    assert r.dof_index["knee_r"] == 5 and r.dof_index["elbow_l"] == 15
    assert r.index("ankle_l") == 10
    assert set(r.segments) >= {"pelvis", "torso", "femur_r", "toes_l", "forearm_r"}
    assert r.segments["femur_r"].mass == pytest.approx(0.1416 * 70)
    assert math.isclose(r.total_mass, 70.0, rel_tol=1e-14)
    assert r.contact_points == ("heel_r", "ball_r", "toe_r", "heel_l", "ball_l", "toe_l")
    with pytest.raises(UnknownNameError) as err:
        r.index("knee")
    assert "knee_r" in err.value.suggestions


@pytest.mark.parametrize(
    ("kwargs", "error", "word"),
    [
        ({"mass": 0.0}, InputError, "mass"),
        ({"mass": -70.0}, InputError, "mass"),
        ({"mass": float("nan")}, InputError, "mass"),
        ({"mass": 300.0}, OutOfRangeError, "20..250"),
        ({"mass": 12.0}, OutOfRangeError, "mass"),
        ({"height": 175.0}, OutOfRangeError, "height"),
        ({"height": 0.9}, OutOfRangeError, "1..2.5"),
        ({"height": float("inf")}, InputError, "height"),
        ({"mass": "heavy"}, InputError, "not a number"),
    ],
)
def test_impossible_bodies_are_refused_clearly(kwargs: dict, error: type, word: str) -> None:
    with pytest.raises(error, match=word):
        Runner(**kwargs)


def test_runner_is_immutable_and_comparable() -> None:
    with pytest.raises(AttributeError):
        RUNNER.mass = 80.0  # type: ignore[misc]
    assert Runner(70, 1.75) == RUNNER


def test_implicit_residual_vanishes_on_forward_dynamics() -> None:
    q, qd, _ = _state()
    tau = np.random.default_rng(5).uniform(-50, 50, 16)
    for grade in (0.0, 0.08):
        qdd = RUNNER.forward_dynamics(q, qd, tau, grade)
        res = RUNNER.implicit_residual(q, qd, qdd, tau, grade)
        np.testing.assert_allclose(res, 0.0, atol=1e-8)
        # and inverse dynamics returns the applied forces
        np.testing.assert_allclose(RUNNER.inverse_dynamics(q, qd, qdd, grade), tau, atol=1e-8)


def test_implicit_residual_numpy_equals_casadi() -> None:
    q, qd, qdd = _state(2)
    tau = np.linspace(-20, 20, 16)
    syms = [ca.SX.sym(n, 16) for n in ("q", "qd", "qdd", "tau")]
    grade = ca.SX.sym("grade")
    f = ca.Function("res", [*syms, grade], [RUNNER.implicit_residual(*syms, grade)])
    np.testing.assert_allclose(
        np.array(f(q, qd, qdd, tau, -0.1)).ravel(),
        RUNNER.implicit_residual(q, qd, qdd, tau, -0.1),
        rtol=1e-11,
        atol=1e-9,
    )


def test_ground_reaction_sums_the_spheres() -> None:
    q, qd, _ = _state(3)
    per = RUNNER.contact_forces(q, qd)
    grf = RUNNER.ground_reaction(q, qd)
    for side in ("r", "l"):
        assert grf[side][1] == pytest.approx(
            sum(per[f"{s}_{side}"][1] for s in ("heel", "ball", "toe"))
        )
        assert grf[side][1] >= 0


def test_to_dict_is_json_ready() -> None:
    d = json.loads(json.dumps(RUNNER.to_dict()))
    assert d["total_mass_kg"] == pytest.approx(70.0)
    assert len(d["dofs"]) == 16 and len(d["segments"]) == 14
    assert any("de Leva" in s for s in d["sources"])


def test_cli_model_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "--mass", "60", "--height", "1.65", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["total_mass_kg"] == pytest.approx(60.0)
    assert sum(s["mass_kg"] for s in d["segments"]) == pytest.approx(60.0)
    assert d["dofs"][5] == "knee_r"


def test_cli_model_text_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model"]) == 0
    out = capsys.readouterr().out
    assert "femur_r" in out and "de Leva" in out
    assert main(["model", "--mass", "500"]) == OutOfRangeError.exit_code
    err = capsys.readouterr().err
    assert "mass 500 kg" in err and "Traceback" not in err


def test_weight() -> None:
    assert RUNNER.weight == pytest.approx(70.0 * G)


def test_joint_reactions_include_contact() -> None:
    q, qd, qdd = _state(3)  # right toe loaded in this draw
    jr = RUNNER.joint_reaction_forces(q, qd, qdd)
    toe = RUNNER.contact_forces(q, qd)["toe_r"]
    assert toe[1] > 100.0
    seg = RUNNER.segments
    # Newton on the toe segment: parent force + ground force + gravity = m a (a from kinematics)
    free = RUNNER.skeleton.joint_reaction_forces(q, qd, qdd)
    assert jr["mtp_r"][1] == pytest.approx(free["mtp_r"][1] - toe[1], rel=1e-9)
    assert seg["toes_r"].mass > 0


def test_named_vectors_and_standing_height() -> None:
    q = np.arange(16.0)
    named = RUNNER.named(q)
    assert named["knee_r"] == 5.0 and list(named) == list(RUNNER.dofs)
    h = RUNNER.standing_hip_height
    assert 0.50 * 1.75 < h < 0.56 * 1.75  # standing hip height ~0.53 H (Winter 2009 Fig 4.1)
    z = np.zeros(16)
    z[1] = h + 1e-3  # one millimetre above: practically no force
    assert sum(f[1] for f in RUNNER.ground_reaction(z, np.zeros(16)).values()) < 1.0


def test_with_contact_changes_the_law_only() -> None:
    sticky = RUNNER.with_contact(transition_velocity=0.05)
    assert sticky.contact.transition_velocity == 0.05 and RUNNER.contact.transition_velocity == 0.2
    q = np.zeros(16)
    q[1] = RUNNER.standing_hip_height - 0.005
    qd = np.zeros(16)
    qd[0] = 0.02  # slow slip: the sticky law resists it more
    fx_soft = RUNNER.ground_reaction(q, qd)["r"][0]
    fx_sticky = sticky.ground_reaction(q, qd)["r"][0]
    assert fx_sticky < fx_soft < 0
    with pytest.raises(InputError, match="transition_velocity"):
        RUNNER.with_contact(stifness=1.0)


CATALOGUE_GROUPS = {
    "abdominals",
    "back_extensors",
    "deltoids",
    "lats",
    "biceps",
    "triceps",
    "hip_flexors",
    "gluteals",
    "quadriceps",
    "hamstrings",
    "calves",
    "tibialis_anterior",
    "foot",
}


def test_muscles_are_attached_and_cover_every_group() -> None:
    assert len(RUNNER.muscles) >= 30
    assert {m.group for m in RUNNER.muscles} == CATALOGUE_GROUPS
    assert RUNNER.muscle("soleus_r").side == "r"
    for m in RUNNER.muscles:
        assert set(m.dofs) <= set(RUNNER.dofs), m.name
    with pytest.raises(UnknownNameError):
        RUNNER.muscle("soleus")


def test_muscle_moments_are_virtual_work_of_lengths() -> None:
    """tau_k = -sum_m dL_m/dq_k F_m (virtual work), checked by finite differences."""
    q, _, _ = _state(4)
    forces = np.random.default_rng(9).uniform(0, 1000, len(RUNNER.muscles))
    tau = RUNNER.muscle_moments(q, forces)
    h = 1e-6
    expected = np.zeros(16)
    for k in range(16):
        e = np.zeros(16)
        e[k] = h
        lp, lm = RUNNER.muscle_lengths(q + e), RUNNER.muscle_lengths(q - e)
        dl = np.array([(lp[n] - lm[n]) / (2 * h) for n in RUNNER.muscle_names])
        expected[k] = -dl @ forces
    np.testing.assert_allclose(tau, expected, atol=1e-5)
    assert np.all(tau[:3] == 0)


def test_muscle_actions_follow_the_sign_conventions() -> None:
    q = np.zeros(16)
    q[RUNNER.index("knee_r")] = 0.5

    def action(name: str) -> np.ndarray:
        return RUNNER.muscle_moments(
            q, {n: (1000.0 if n == name else 0.0) for n in RUNNER.muscle_names}
        )

    assert action("vasti_r")[RUNNER.index("knee_r")] < 0  # knee extension
    assert action("soleus_r")[RUNNER.index("ankle_r")] < 0  # plantarflexion
    assert action("tib_ant_l")[RUNNER.index("ankle_l")] > 0  # dorsiflexion
    assert action("glut_max_r")[RUNNER.index("hip_r")] < 0  # hip extension
    assert action("iliopsoas_l")[RUNNER.index("hip_l")] > 0  # hip flexion
    assert action("erector_spinae_r")[RUNNER.index("lumbar")] > 0  # trunk extension
    assert action("biceps_r")[RUNNER.index("elbow_r")] > 0  # elbow flexion


def test_muscle_moments_numpy_equals_casadi() -> None:
    q, _, _ = _state(6)
    n = len(RUNNER.muscles)
    forces = np.linspace(0, 2000, n)
    qs, fs = ca.SX.sym("q", 16), ca.SX.sym("f", n)
    f = ca.Function("m", [qs, fs], [RUNNER.muscle_moments(qs, fs)])
    np.testing.assert_allclose(
        np.array(f(q, forces)).ravel(), RUNNER.muscle_moments(q, forces), atol=1e-10
    )


def test_cli_model_json_lists_muscles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert len(d["muscles"]) >= 30
    assert {m["group"] for m in d["muscles"]} == CATALOGUE_GROUPS
    soleus = next(m for m in d["muscles"] if m["name"] == "soleus_r")
    assert soleus["joints"] == ["ankle_r"] and soleus["max_isometric_force_N"] > 1000
    for key in ("side", "optimal_fiber_length_m", "tendon_slack_length_m"):
        assert key in soleus


def test_the_shipped_strides_were_solved_for_the_default_runner() -> None:
    # every shipped stride's file name carries the fingerprint of the runner it was solved for;
    # a parameter or field change that moves the default runner's digest makes them unusable
    # as warm starts and on-demand extensions, so it must come with a re-solved atlas
    from importlib import resources
    from pathlib import Path

    folder = Path(str(resources.files("runmuscles").joinpath("data", "strides")))
    digests = {p.stem.rsplit("_", 1)[-1] for p in folder.glob("*.npz")}
    assert digests == {Runner().fingerprint()}
