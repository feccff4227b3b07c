"""Muscle set, scaling and geometry (MTU length and moment arms).

Independent truths: the moment arm is -dL/dq (checked by central finite differences and by CasADi's
symbolic Jacobian), published moment-arm ranges (sources quoted per case), positive fibre length
over the running range of motion, scaling laws, and the fixed names/groups of COMMON.md.
"""

from __future__ import annotations

import itertools
import math

import casadi as ca
import numpy as np
import pytest

from runmuscles.errors import InputError, OutOfRangeError
from runmuscles.model import geometry as geo
from runmuscles.model.muscle import fiber_from_tendon_length
from runmuscles.units import DEG

#: Running range of motion (deg) over which fibre length must stay positive.
ROM = {
    "hip": (-30, 70),
    "knee": (0, 130),
    "ankle": (-40, 30),
    "mtp": (-10, 50),
    "lumbar": (-30, 20),
    "shoulder": (-60, 60),
    "elbow": (0, 140),
}
REF = geo.load_muscle_set(75.16, 1.80)  # the reference body: numbers as in muscles.toml
BY_NAME = {m.name: m for m in REF}


def _pose(deg: dict[str, float], side: str = "r") -> dict[str, float]:
    return {(k if k == "lumbar" else f"{k}_{side}"): v * DEG for k, v in deg.items()}


def _base(dof: str) -> str:
    return dof if dof == "lumbar" else dof.rsplit("_", 1)[0]


def test_forty_muscles_names_groups_sides() -> None:
    muscles = geo.load_muscle_set()
    assert len(muscles) == 40
    names = [m.name for m in muscles]
    assert len(set(names)) == 40
    expected_group = {
        "glut_max": "gluteals",
        "iliopsoas": "hip_flexors",
        "hamstrings": "hamstrings",
        "bifemsh": "hamstrings",
        "rect_fem": "quadriceps",
        "vasti": "quadriceps",
        "gastroc": "calves",
        "soleus": "calves",
        "tib_ant": "tibialis_anterior",
        "toe_flexors": "foot",
        "foot_intrinsics": "foot",
        "rect_abd": "abdominals",
        "erector_spinae": "back_extensors",
        "delt_ant": "deltoids",
        "delt_post": "deltoids",
        "lat_dorsi": "lats",
        "teres_major": "lats",
        "biceps": "biceps",
        "triceps": "triceps",
        "tri_long": "triceps",
    }
    for base, group in expected_group.items():
        for side in ("r", "l"):
            m = next(x for x in muscles if x.name == f"{base}_{side}")
            assert m.group == group and m.side == side and m.base == base
    assert {m.group for m in muscles} == set(geo.GROUPS)  # every group has a muscle
    for m in muscles:
        assert m.sources, m.name
        assert m.max_contraction_velocity == pytest.approx(10 * m.optimal_fiber_length)
        assert 0.0 <= m.fast_twitch_fraction <= 1.0
        for dof in m.dofs:
            assert dof == "lumbar" or dof.endswith("_" + m.side)


def test_reference_numbers_match_rajagopal_2016() -> None:
    # Rajagopal et al. 2016 (IEEE TBME 63:2068), Rajagopal2016.osim, per leg: Fmax summed over the
    # members of a group (N), l_opt and l_ts force-weighted (m, 1.70 m model), pennation (deg).
    # The project stores lengths scaled to its 1.80 m reference body (x 1.80/1.70).
    table = {
        "glut_max": (983.8 + 1406.0 + 947.8, 0.1569, 0.0628, 21.1),
        "iliopsoas": (1021.1 + 1426.8, 0.1126, 0.0981, 13.9),
        "hamstrings": (2201.0 + 591.3 + 1313.2, 0.0960, 0.3260, 13.0),
        "bifemsh": (557.1, 0.1103, 0.1058, 15.1),
        "vasti": (1697.4 + 5148.8 + 2747.8, 0.0986, 0.2114, 15.3),
        "gastroc": (1575.1 + 3115.5, 0.0536, 0.3911, 10.3),
        "soleus": (6194.8, 0.0440, 0.2768, 21.9),
        "tib_ant": (1227.5, 0.0683, 0.2405, 11.2),
        "toe_flexors": (907.8 + 423.2, 0.0501, 0.3621, 14.2),
    }
    k = 1.80 / 1.70
    for base, (f, lo, lt, pen) in table.items():
        m = BY_NAME[base + "_r"]
        assert m.max_isometric_force == pytest.approx(f, abs=1.0), base
        assert m.optimal_fiber_length == pytest.approx(lo * k, abs=1e-4), base
        assert m.tendon_slack_length == pytest.approx(lt * k, abs=1e-4), base
        assert m.pennation_angle == pytest.approx(pen * DEG), base
    # rectus femoris: Rajagopal's Fmax with the gait10dof18musc lengths (see muscles.toml)
    rf = BY_NAME["rect_fem_r"]
    assert rf.max_isometric_force == pytest.approx(2191.7, abs=1.0)
    assert (rf.optimal_fiber_length, rf.tendon_slack_length) == pytest.approx((0.114, 0.310))


def test_compliant_tendons() -> None:
    for base in ("gastroc", "soleus", "vasti", "rect_fem"):  # Achilles and patellar tendons
        assert BY_NAME[base + "_r"].compliant_tendon
        assert BY_NAME[base + "_r"].tendon_stiffness == 35.0


def test_scaling_laws() -> None:
    ref = geo.load_muscle_set(75.16, 1.80)
    tall = geo.load_muscle_set(75.16, 2.16)  # 1.2 x height
    heavy = geo.load_muscle_set(150.32, 1.80)  # 2 x mass
    q = _pose({"hip": 20, "knee": 40, "ankle": 10})
    for a, b, c in zip(ref, tall, heavy, strict=True):
        # lengths and moment arms scale with height, not with mass
        assert b.optimal_fiber_length == pytest.approx(1.2 * a.optimal_fiber_length)
        assert b.tendon_slack_length == pytest.approx(1.2 * a.tendon_slack_length)
        assert c.optimal_fiber_length == pytest.approx(a.optimal_fiber_length)
        qq = {d: q.get(d, 0.1) for d in a.dofs}
        assert geo.mtu_length(b, qq) == pytest.approx(1.2 * geo.mtu_length(a, qq))
        for d in a.dofs:
            assert geo.moment_arms(b, qq)[d] == pytest.approx(1.2 * geo.moment_arms(a, qq)[d])
        # Fmax: Handsfield et al. 2014 volume (47 m h + 1285 cm^3) / fibre length
        v = lambda m_, h_: 47.0 * m_ * h_ + 1285.0  # noqa: E731
        assert b.max_isometric_force == pytest.approx(
            a.max_isometric_force * v(75.16, 2.16) / v(75.16, 1.80) / 1.2
        )
        assert c.max_isometric_force == pytest.approx(
            a.max_isometric_force * v(150.32, 1.80) / v(75.16, 1.80)
        )
        # pennation and compliance are size-independent
        assert b.pennation_angle == a.pennation_angle
    # geometric similarity (mass ~ height^3) gives about Fmax ~ mass^(2/3)
    small = geo.load_muscle_set(75.16 * 0.8**3, 1.80 * 0.8)
    ratio = small[0].max_isometric_force / ref[0].max_isometric_force
    assert ratio == pytest.approx((0.8**3) ** (2 / 3), rel=0.02)


def test_bad_body_is_a_clear_error() -> None:
    with pytest.raises(OutOfRangeError, match=r"1\.75, not 175"):
        geo.load_muscle_set(70.0, 175.0)
    with pytest.raises(OutOfRangeError, match="kilograms"):
        geo.load_muscle_set(0.5, 1.75)
    with pytest.raises(InputError, match="knee_r"):
        geo.mtu_length(BY_NAME["vasti_r"], {"hip_r": 0.0})


@pytest.mark.parametrize("muscle", REF, ids=lambda m: m.name)
def test_moment_arm_is_minus_derivative_of_length(muscle: geo.MuscleParams) -> None:
    rng = np.random.default_rng(3)
    h = 1e-6
    for _ in range(5):
        q = {d: float(rng.uniform(*ROM[_base(d)])) * DEG for d in muscle.dofs}
        arms = geo.moment_arms(muscle, q)
        for d in muscle.dofs:
            up = dict(q, **{d: q[d] + h})
            dn = dict(q, **{d: q[d] - h})
            fd = -(geo.mtu_length(muscle, up) - geo.mtu_length(muscle, dn)) / (2 * h)
            assert arms[d] == pytest.approx(fd, abs=1e-9)


def test_moment_arms_match_casadi_jacobian() -> None:
    for muscle in REF[::3]:
        sym = {d: ca.SX.sym(d) for d in muscle.dofs}
        qv = ca.vertcat(*sym.values())
        jac = ca.Function("j", [qv], [ca.jacobian(geo.mtu_length(muscle, sym), qv)])
        values = [0.3 * (i + 1) for i in range(len(sym))]
        j = np.array(jac(values)).ravel()
        arms = geo.moment_arms(muscle, dict(zip(sym, values, strict=True)))
        assert np.allclose(-j, [arms[d] for d in sym], atol=1e-14)
        # float, NumPy and CasADi give the same length
        f = ca.Function("L", [qv], [geo.mtu_length(muscle, sym)])
        qf = dict(zip(sym, values, strict=True))
        qn = {k: np.array([v, v]) for k, v in qf.items()}
        assert float(f(values)) == pytest.approx(geo.mtu_length(muscle, qf), abs=1e-14)
        assert geo.mtu_length(muscle, qn)[1] == pytest.approx(geo.mtu_length(muscle, qf))


# (muscle, dof, angles in deg of that dof, low, high) in metres, sign as generalised force
PUBLISHED = [
    # Achilles tendon 4-6 cm: Rugg et al. 1990 J Biomech 23:495; Maganaris et al. 1998 J Physiol
    ("soleus_r", "ankle", (-30, 0, 20), -0.060, -0.040),
    ("gastroc_r", "ankle", (-30, 0, 20), -0.060, -0.040),
    # patellar mechanism 3.5-5 cm over 0-90 deg: Herzog & Read 1993 J Anat; Buford et al. 1997
    ("vasti_r", "knee", (0, 30, 60, 90), -0.050, -0.035),
    ("rect_fem_r", "knee", (0, 30, 60, 90), -0.050, -0.035),
    # hamstrings: hip extension 5-8 cm (Nemeth & Ohlsen 1985 J Biomech 18:129) at 0-70 deg,
    # knee flexion 2-4 cm (Buford 1997) over 20-130 deg
    ("hamstrings_r", "hip", (0, 30, 70), -0.080, -0.050),
    ("hamstrings_r", "knee", (20, 60, 90, 130), 0.020, 0.040),
    # gluteus maximus hip extension 5-7 cm (Nemeth & Ohlsen 1985)
    ("glut_max_r", "hip", (-30, 0, 30, 70), -0.070, -0.050),
    # iliopsoas hip flexion 2-4 cm; rectus femoris 3-5 cm (Dostal et al. 1986 Phys Ther 66:351)
    ("iliopsoas_r", "hip", (-30, 0, 30, 70), 0.020, 0.040),
    ("rect_fem_r", "hip", (-30, 0, 30, 70), 0.030, 0.050),
    # tibialis anterior 3-5 cm (Maganaris et al. 1999 J Physiol 516:307)
    ("tib_ant_r", "ankle", (-40, 0, 30), 0.030, 0.050),
    # trunk at L3-L4: rectus abdominis 8-11 cm, erector spinae 5-6 cm (McGill et al. 1988 Spine)
    ("rect_abd_r", "lumbar", (-30, 0, 20), -0.110, -0.080),
    ("erector_spinae_l", "lumbar", (-30, 0, 20), 0.050, 0.060),
    # elbow: biceps 3-5 cm at 45-120 deg, triceps about 2 cm (1.5-2.5) (Murray et al. 1995)
    ("biceps_r", "elbow", (45, 90, 120), 0.030, 0.050),
    ("triceps_r", "elbow", (0, 45, 90, 140), -0.025, -0.015),
    # shoulder: posterior deltoid 2-4 cm (this project's range; Holzbaur-family geometries
    # disagree: 4.5-4.9 cm at 0 deg in MoBL-ARMS 4.1, about 0 in the push-up model)
    ("delt_post_r", "shoulder", (-60, 0, 60), -0.040, -0.020),
    # anterior deltoid flexion: 3.8 cm at -30, 5.0 at 0, 5.2 at +30 deg, computed from MoBL-ARMS
    # 4.1 (glenohumeral joint alone) and the opensim-models push-up model, which agree within
    # 0.3 cm (Holzbaur 2005 descendants; no cadaver value): the band is theirs +- 0.3 cm (ours)
    ("delt_ant_r", "shoulder", (-30, 0, 30), 0.035, 0.0555),
    # triceps long head: shoulder extension 2.5-3.75 cm over -30..+30 deg flexion, computed from
    # the geometry of OpenSim arm26 and MoBL-ARMS 4.1 (Holzbaur 2005 descendants; no cadaver value)
    ("tri_long_r", "shoulder", (-30, 0, 30), -0.0375, -0.025),
    ("tri_long_r", "elbow", (0, 45, 90, 140), -0.025, -0.015),
]


@pytest.mark.parametrize(("name", "dof", "angles", "low", "high"), PUBLISHED)
def test_moment_arms_in_published_ranges(
    name: str, dof: str, angles: tuple[float, ...], low: float, high: float
) -> None:
    m = BY_NAME[name]
    side = m.side
    for angle in angles:
        q = {d: 0.0 for d in m.dofs}
        q[dof if dof == "lumbar" else f"{dof}_{side}"] = angle * DEG
        r = geo.moment_arms(m, q)[dof if dof == "lumbar" else f"{dof}_{side}"]
        assert low - 1e-9 <= r <= high + 1e-9, f"{name} {dof} {angle} deg: {r * 100:.2f} cm"


def test_moment_arm_signs_follow_coordinates() -> None:
    q = _pose({"hip": 10, "knee": 30, "ankle": 0, "mtp": 10, "shoulder": 0, "elbow": 60})
    q["lumbar"] = 0.0
    sign = {
        ("vasti_r", "knee_r"): -1,  # knee + is flexion: extensors negative
        ("soleus_r", "ankle_r"): -1,  # plantarflexion negative
        ("tib_ant_r", "ankle_r"): 1,
        ("hamstrings_r", "knee_r"): 1,
        ("hamstrings_r", "hip_r"): -1,
        ("iliopsoas_r", "hip_r"): 1,
        ("toe_flexors_r", "mtp_r"): -1,
        ("foot_intrinsics_r", "mtp_r"): -1,
        ("erector_spinae_r", "lumbar"): 1,  # lumbar + is extension
        ("rect_abd_r", "lumbar"): -1,
        ("biceps_r", "elbow_r"): 1,
        ("triceps_r", "elbow_r"): -1,
        ("tri_long_r", "elbow_r"): -1,
        ("tri_long_r", "shoulder_r"): -1,  # shoulder + is flexion: extensors negative
    }
    for (name, dof), s in sign.items():
        assert math.copysign(1, geo.moment_arms(BY_NAME[name], q)[dof]) == s, (name, dof)


@pytest.mark.parametrize("muscle", [m for m in REF if m.side == "r"], ids=lambda m: m.name)
def test_fibre_length_positive_over_running_range(muscle: geo.MuscleParams) -> None:
    # Corners and interior of the ROM box: with the tendon at slack length the fibre keeps a
    # positive length along the tendon line (> 0.1 l_opt), so fibre length and cos(pennation)
    # stay positive (SCIENCE.md: a rigid soleus reached negative fibre length in a probe).
    grids = [np.linspace(*ROM[_base(d)], 11) * DEG for d in muscle.dofs]
    for combo in itertools.product(*grids):
        q = dict(zip(muscle.dofs, combo, strict=True))
        length = geo.mtu_length(muscle, q)
        along = length - muscle.tendon_slack_length
        assert along > 0.1 * muscle.optimal_fiber_length, (muscle.name, combo)
        # above 0.2 l_opt, clear of the pole of the active force-length curve at 0.1495 l_opt
        l_m, _ = fiber_from_tendon_length(muscle, length, muscle.tendon_slack_length)
        assert l_m > 0.2 * muscle.optimal_fiber_length, (muscle.name, combo)
        # passive (tendon slack) fibre length stays below 2 l_opt
        l_m, _ = fiber_from_tendon_length(muscle, length, muscle.tendon_slack_length)
        assert l_m < 2.0 * muscle.optimal_fiber_length, (muscle.name, combo)


def test_joint_moments_and_tendon_forces() -> None:
    muscles = [BY_NAME[n] for n in ("soleus_r", "gastroc_r", "vasti_r", "rect_fem_r")]
    q = _pose({"hip": 10, "knee": 30, "ankle": 5})
    forces = {"soleus_r": 3000.0, "gastroc_r": 1000.0, "vasti_r": 2000.0, "rect_fem_r": 500.0}
    tau = geo.muscle_joint_moments(muscles, q, forces)
    expected_ankle = sum(
        geo.moment_arms(BY_NAME[n], q)["ankle_r"] * forces[n] for n in ("soleus_r", "gastroc_r")
    )
    assert tau["ankle_r"] == pytest.approx(expected_ankle)
    assert tau["ankle_r"] < 0  # plantarflexion
    assert tau["knee_r"] < 0  # quadriceps dominate: extension
    loads = geo.tendon_forces(forces)
    assert loads == {"achilles_tendon_r": 4000.0, "patellar_tendon_r": 2500.0}
    with pytest.raises(InputError, match="soleus_r"):
        geo.muscle_joint_moments(muscles, q, {"gastroc_r": 1.0})


def test_vectorised_helper() -> None:
    q = _pose({"hip": 10, "knee": 30, "ankle": 5, "mtp": 0, "shoulder": 0, "elbow": 90}, "r")
    q |= _pose({"hip": 10, "knee": 30, "ankle": 5, "mtp": 0, "shoulder": 0, "elbow": 90}, "l")
    q["lumbar"] = 0.0
    lengths, arms = geo.mtu_lengths_and_moment_arms(REF, q)
    assert set(lengths) == {m.name for m in REF}
    assert lengths["soleus_r"] == pytest.approx(lengths["soleus_l"])
    assert arms["vasti_l"]["knee_l"] == pytest.approx(arms["vasti_r"]["knee_r"])


def test_mtu_velocity_is_time_derivative_of_length() -> None:
    # along q(t) = q0 + w t, dL/dt by central differences equals mtu_velocity
    m = BY_NAME["hamstrings_l"]
    q0 = {"hip_l": 0.4, "knee_l": 0.9}
    w = {"hip_l": -3.0, "knee_l": 7.0}
    h = 1e-6

    def length(t: float) -> float:
        return geo.mtu_length(m, {d: q0[d] + w[d] * t for d in q0})

    fd = (length(h) - length(-h)) / (2 * h)
    assert geo.mtu_velocity(m, q0, w) == pytest.approx(fd, rel=1e-7)
    with pytest.raises(InputError, match="knee_l"):
        geo.mtu_velocity(m, q0, {"hip_l": 1.0})
