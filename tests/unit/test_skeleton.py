"""Skeleton: scaling laws, kinematics vs finite differences, conservation laws, dual backend."""

from __future__ import annotations

import math

import casadi as ca
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from runmuscles.model.skeleton import DOFS, build_skeleton
from runmuscles.units import DEG, G

SK = build_skeleton(70.0, 1.75)
RNG = np.random.default_rng(7)


def random_state(rng: np.random.Generator = RNG) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = rng.uniform(-0.6, 0.6, 16)
    q[5], q[9] = rng.uniform(0.1, 1.5, 2)  # knees flexed
    qd = rng.uniform(-2, 2, 16)
    qdd = rng.uniform(-5, 5, 16)
    return q, qd, qdd


def test_dof_order_is_the_common_convention() -> None:
    expected = (
        "pelvis_tx pelvis_ty pelvis_tilt lumbar hip_r knee_r ankle_r mtp_r "
        "hip_l knee_l ankle_l mtp_l shoulder_r elbow_r shoulder_l elbow_l"
    )
    assert expected.split(" ") == list(DOFS)


@pytest.mark.parametrize(("mass", "height"), [(70.0, 1.75), (48.3, 1.52), (121.7, 2.03)])
def test_total_mass_is_exact(mass: float, height: float) -> None:
    assert math.isclose(build_skeleton(mass, height).total_mass, mass, rel_tol=1e-14)


def test_segment_masses_follow_de_leva_fractions() -> None:
    # de Leva 1996 Table 4 (male): thigh 14.16 %, shank 4.33 %, upper arm 2.71 %, forearm + hand
    # 1.62 + 0.61 %, trunk + head 43.46 + 6.94 % (= pelvis + torso), foot 1.37 % (foot + toes).
    seg = {s.name: s for s in SK.segments}
    assert seg["femur_r"].mass == pytest.approx(0.1416 * 70)
    assert seg["tibia_l"].mass == pytest.approx(0.0433 * 70)
    assert seg["humerus_r"].mass == pytest.approx(0.0271 * 70)
    assert seg["forearm_l"].mass == pytest.approx(0.0223 * 70)
    assert seg["pelvis"].mass + seg["torso"].mass == pytest.approx(0.5040 * 70)
    assert seg["foot_r"].mass + seg["toes_r"].mass == pytest.approx(0.0137 * 70)
    # thigh length HJC-KJC 422.2 mm of a 1741 mm reference stature
    assert seg["femur_r"].length == pytest.approx(0.4222 * 1.75 / 1.741)


def test_scaling_laws() -> None:
    a, b = build_skeleton(70.0, 1.75), build_skeleton(91.0, 1.60)
    km, kh = 91.0 / 70.0, 1.60 / 1.75
    for sa, sb in zip(a.segments, b.segments, strict=True):
        assert sb.mass == pytest.approx(sa.mass * km, rel=1e-12)
        assert sb.length == pytest.approx(sa.length * kh, rel=1e-12)
        assert sb.inertia == pytest.approx(sa.inertia * km * kh**2, rel=1e-12)
        for k in range(2):
            assert sb.com[k] == pytest.approx(sa.com[k] * kh, rel=1e-12, abs=1e-15)


def test_standing_pose_geometry_is_plausible() -> None:
    p = SK.point_positions(np.zeros(16))
    sole = p["ball_r"][1] - SK.sphere_radii["ball"]
    hip_height = -sole
    # standing hip (greater trochanter) height ~0.53 H (Winter 2009 Fig 4.1); vertex = stature
    assert 0.50 * 1.75 < hip_height < 0.56 * 1.75
    assert p["head"][1] - sole == pytest.approx(1.75, rel=0.03)
    # heel and ball sphere bottoms on the same sole plane
    assert p["heel_r"][1] - SK.sphere_radii["heel"] == pytest.approx(sole)
    assert p["toe_l"][1] - SK.sphere_radii["toe"] == pytest.approx(sole)
    assert p["toe_r"][0] - p["heel_r"][0] + 0.035 + 0.015 == pytest.approx(0.2581 * 1.75 / 1.741)


def test_joint_signs() -> None:
    """Flexion conventions of COMMON.md seen from the right: x forward, y up."""

    def pt(name: str, dof: str, angle: float) -> np.ndarray:
        q = np.zeros(16)
        q[DOFS.index(dof)] = angle
        return np.array(SK.point_positions(q, (name,))[name])

    assert pt("knee_r", "hip_r", 0.5)[0] > 0.1  # hip flexion swings the thigh forward
    assert pt("ankle_r", "knee_r", 0.5)[0] < -0.1  # knee flexion takes the shank backward
    assert pt("toe_r", "ankle_r", 0.3)[1] > pt("toe_r", "ankle_r", 0.0)[1]  # dorsiflexion: up
    assert pt("toe_l", "mtp_l", 0.3)[1] > pt("toe_l", "mtp_l", 0.0)[1]  # toe extension: up
    assert pt("head", "lumbar", 0.3)[0] < -0.1  # trunk extension leans backward
    assert pt("head", "pelvis_tilt", 0.3)[0] < -0.1  # posterior tilt, CCW
    assert pt("elbow_l", "shoulder_l", 0.5)[0] > 0.1  # shoulder flexion: arm forward
    assert pt("wrist_r", "elbow_r", 0.5)[0] > 0.05  # elbow flexion: forearm forward


def test_point_jacobian_matches_finite_differences() -> None:
    q, _, _ = random_state()
    h = 1e-6
    for name in ("toe_r", "heel_l", "wrist_r", "head", "ball_l"):
        jac = SK.point_jacobian(q, name)
        fd = np.zeros((2, 16))
        for k in range(16):
            e = np.zeros(16)
            e[k] = h
            fd[:, k] = (
                np.array(SK.point_positions(q + e, (name,))[name])
                - np.array(SK.point_positions(q - e, (name,))[name])
            ) / (2 * h)
        np.testing.assert_allclose(jac, fd, atol=1e-8)


def test_mass_matrix_is_spd_and_gives_kinetic_energy() -> None:
    q, qd, _ = random_state()
    m = SK.mass_matrix(q)
    np.testing.assert_allclose(m, m.T, atol=1e-12)
    assert np.linalg.eigvalsh(m).min() > 0
    # 1/2 qd' M qd equals the kinetic energy summed segment by segment (independent code path)
    assert 0.5 * qd @ m @ qd == pytest.approx(SK.kinetic_energy(q, qd), rel=1e-12)
    # M[0,0] = M[1,1] = total mass (pelvis translation moves the whole body)
    assert m[0, 0] == pytest.approx(70.0) and m[1, 1] == pytest.approx(70.0)


def test_inverse_then_forward_dynamics_round_trip() -> None:
    q, qd, qdd = random_state()
    forces = {"heel_r": (120.0, 800.0), "toe_l": (-30.0, 250.0), "wrist_r": (5.0, -3.0)}
    for grade in (0.0, 0.15, -0.2):
        tau = SK.inverse_dynamics(q, qd, qdd, forces, grade)
        back = SK.forward_dynamics(q, qd, tau, forces, grade)
        np.testing.assert_allclose(back, qdd, atol=1e-9)


def test_external_force_is_jacobian_transpose() -> None:
    q, qd, qdd = random_state()
    f = np.array([40.0, 600.0])
    diff = SK.inverse_dynamics(q, qd, qdd) - SK.inverse_dynamics(q, qd, qdd, {"ball_r": f})
    np.testing.assert_allclose(diff, SK.point_jacobian(q, "ball_r").T @ f, atol=1e-10)


def test_gravity_on_a_slope() -> None:
    gx, gy = SK.gravity(0.10)
    assert math.hypot(gx, gy) == pytest.approx(G)
    assert gx == pytest.approx(-G * math.sin(math.atan(0.10)))  # uphill pulls backwards
    # a body at rest: the base generalised force balances gravity, m*g along each axis
    tau = SK.inverse_dynamics(np.zeros(16), np.zeros(16), np.zeros(16), None, 0.10)
    assert tau[0] == pytest.approx(-70.0 * gx) and tau[1] == pytest.approx(-70.0 * gy)


def _numbers(x: object) -> np.ndarray:
    return np.array(ca.DM(x)).squeeze()


def test_numpy_and_casadi_agree() -> None:
    q, qd, qdd = random_state()
    qs, qds, qdds = ca.SX.sym("q", 16), ca.SX.sym("qd", 16), ca.SX.sym("qdd", 16)
    grade = ca.SX.sym("grade")
    forces = {"heel_r": (120.0, 800.0)}
    fun = ca.Function(
        "f",
        [qs, qds, qdds, grade],
        [
            SK.inverse_dynamics(qs, qds, qdds, forces, grade),
            SK.mass_matrix(qs),
            SK.point_jacobian(qs, "toe_r"),
            SK.passive_moments(qs, qds),
            SK.kinetic_energy(qs, qds),
        ],
    )
    out = fun(q, qd, qdd, 0.07)
    np.testing.assert_allclose(
        _numbers(out[0]), SK.inverse_dynamics(q, qd, qdd, forces, 0.07), rtol=1e-12, atol=1e-10
    )
    np.testing.assert_allclose(_numbers(out[1]), SK.mass_matrix(q), atol=1e-12)
    np.testing.assert_allclose(_numbers(out[2]), SK.point_jacobian(q, "toe_r"), atol=1e-12)
    np.testing.assert_allclose(_numbers(out[3]), SK.passive_moments(q, qd), atol=1e-12)
    assert float(out[4]) == pytest.approx(SK.kinetic_energy(q, qd), rel=1e-12)


def test_numpy_broadcasts_over_a_time_series() -> None:
    qs = np.stack([random_state()[0] for _ in range(5)], axis=1)  # 16 x 5
    zero = np.zeros_like(qs)
    batch = SK.inverse_dynamics(qs, zero, zero)
    for j in range(5):
        np.testing.assert_allclose(
            batch[:, j], SK.inverse_dynamics(qs[:, j], zero[:, 0], zero[:, 0])
        )


def _casadi_fd(mask: np.ndarray | None = None) -> ca.Function:
    """qdd of the passive skeleton (no contact, no joint moments) as a fast CasADi function."""
    q, qd = ca.SX.sym("q", 16), ca.SX.sym("qd", 16)
    m = SK.mass_matrix(q)
    h = SK.bias(q, qd)
    if mask is None:
        qdd = ca.solve(m, -h)
    else:  # locked DOFs: qdd = 0 there; workless constraint forces
        free = [int(i) for i in np.flatnonzero(mask)]
        sol = ca.solve(m[free, free], -h[free])
        qdd = ca.SX.zeros(16)
        for j, i in enumerate(free):
            qdd[i] = sol[j]
    return ca.Function("fd", [q, qd], [qdd])


def _energy(q: np.ndarray, qd: np.ndarray) -> float:
    return float(SK.kinetic_energy(q, qd) + SK.potential_energy(q))


def test_free_flight_conserves_energy_and_com_falls_parabolically() -> None:
    fd = _casadi_fd()
    q0, qd0, _ = random_state(np.random.default_rng(3))
    qd0 *= 0.5

    def rhs(_t: float, x: np.ndarray) -> np.ndarray:
        return np.concatenate([x[16:], np.array(fd(x[:16], x[16:])).ravel()])

    t_end = 0.4
    sol = solve_ivp(
        rhs,
        (0, t_end),
        np.concatenate([q0, qd0]),
        method="DOP853",
        rtol=1e-10,
        atol=1e-10,
        dense_output=True,
    )
    assert sol.success
    e0 = _energy(q0, qd0)
    ts = np.linspace(0, t_end, 9)
    drift = max(abs(_energy(sol.sol(t)[:16], sol.sol(t)[16:]) - e0) for t in ts)
    print(f"free flight: energy {e0:.3f} J, drift {drift:.2e} J")
    assert drift < 1e-6 * (abs(e0) + SK.kinetic_energy(q0, qd0))
    # the centre of mass follows a parabola: x linear in t, y with -G t^2 / 2
    c0 = np.array(SK.center_of_mass(q0))
    eps = 1e-6
    v0 = (
        np.array(SK.center_of_mass(q0 + eps * qd0)) - np.array(SK.center_of_mass(q0 - eps * qd0))
    ) / (2 * eps)
    for t in ts:
        c = np.array(SK.center_of_mass(sol.sol(t)[:16]))
        expected = c0 + v0 * t + np.array([0.0, -0.5 * G * t * t])
        np.testing.assert_allclose(c, expected, atol=1e-7)


def test_leg_pendulum_conserves_energy_and_has_compound_pendulum_period() -> None:
    """Only hip_r free (pelvis fixed, other joints locked): a compound pendulum."""
    mask = np.zeros(16, bool)
    mask[DOFS.index("hip_r")] = True
    fd = _casadi_fd(mask)
    i_hip = DOFS.index("hip_r")

    def gravity_moment(a: float) -> float:
        q = np.zeros(16)
        q[i_hip] = a
        return float(SK.inverse_dynamics(q, np.zeros(16), np.zeros(16))[i_hip])

    a0 = brentq(gravity_moment, -0.3, 0.3)  # equilibrium (leg COM straight below the hip)
    # analytic small-oscillation period T = 2 pi sqrt(I_hip / (m g d)) from the segment tables
    leg = [
        s
        for s in SK.segments
        if s.name.endswith("_r") and s.name[:4] in ("femu", "tibi", "foot", "toes")
    ]
    q = np.zeros(16)
    q[i_hip] = a0
    frames = SK.segment_frames(q)
    inertia, m, mx, my = 0.0, 0.0, 0.0, 0.0
    for s in leg:
        ox, oy, ang = frames[s.name]
        c, sn = math.cos(ang), math.sin(ang)
        px, py = ox + c * s.com[0] - sn * s.com[1], oy + sn * s.com[0] + c * s.com[1]
        inertia += s.inertia + s.mass * (px * px + py * py)
        m += s.mass
        mx, my = mx + s.mass * px, my + s.mass * py
    d = math.hypot(mx, my) / m
    period = 2 * math.pi * math.sqrt(inertia / (m * G * d))

    amp = 0.02
    x0 = np.zeros(32)
    x0[i_hip] = a0 + amp

    def rhs(_t: float, x: np.ndarray) -> np.ndarray:
        return np.concatenate([x[16:], np.array(fd(x[:16], x[16:])).ravel()])

    def crossing(_t: float, x: np.ndarray) -> float:
        return x[16 + i_hip]  # angular velocity zero at each extreme

    crossing.direction = 1.0  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs, (0, 2.5 * period), x0, method="DOP853", rtol=1e-11, atol=1e-12, events=crossing
    )
    t_ev = sol.t_events[0]
    assert len(t_ev) >= 2
    measured = t_ev[1] - t_ev[0]
    print(f"pendulum period measured {measured:.6f} s, analytic {period:.6f} s")
    # small-angle error ~ amp^2/16 = 2.5e-5
    assert measured == pytest.approx(period, rel=2e-4)
    energies = [_energy(x[:16], x[16:]) for x in sol.y.T]
    assert max(energies) - min(energies) < 1e-8 * m * G * d


def test_passive_joint_limits_push_back_and_allow_running_knee_flexion() -> None:
    def moment(dof: str, angle: float) -> float:
        q = np.zeros(16)
        q[DOFS.index(dof)] = angle
        return float(SK.passive_moments(q, np.zeros(16))[DOFS.index(dof)])

    # running swing needs ~130 deg knee flexion: only a few N m there (Falisse 2019 coefficients)
    assert abs(moment("knee_r", 130 * DEG)) < 5.0
    assert moment("knee_r", 160 * DEG) < -50.0  # beyond the range: strong extending moment
    assert moment("knee_l", -15 * DEG) > 10.0  # hyperextension resisted
    assert moment("hip_r", 130 * DEG) < -5.0 and moment("hip_l", -60 * DEG) > 5.0
    assert moment("ankle_r", 45 * DEG) < -5.0 and moment("ankle_r", -60 * DEG) > 5.0
    assert moment("lumbar", 40 * DEG) < -5.0
    assert moment("elbow_r", -20 * DEG) > 5.0
    # mid-range: nearly free
    for dof in ("knee_r", "ankle_r", "lumbar", "shoulder_r"):
        assert abs(moment(dof, 0.05 if dof != "knee_r" else 0.6)) < 2.0
    # but the hip's extension spring, fitted to the relaxed hip of Riener & Edrich 1999 (8.6 N m
    # of flexion moment at neutral, knee straight, muscles included), holds a few N m there and
    # fades with flexion
    assert 2.0 < moment("hip_r", 0.05) < 5.0 and abs(moment("hip_r", 0.6)) < 0.5


def test_joint_reaction_forces_balance_the_segments_below() -> None:
    """Standing still on one heel: the ankle carries everything below it, the hip the whole leg,
    and the pelvis residual is the rest of the weight (Newton's second law per sub-tree)."""
    zero = np.zeros(16)
    seg = {s.name: s for s in SK.segments}
    grf = (0.0, 300.0)
    jr = SK.joint_reaction_forces(zero, zero, zero, {"heel_r": grf})
    w = lambda *names: sum(seg[n].mass for n in names) * G  # noqa: E731
    # parent-on-child force holds the sub-tree's weight minus the ground force on it
    assert jr["mtp_r"][1] == pytest.approx(w("toes_r"))
    assert jr["ankle_r"][1] == pytest.approx(w("foot_r", "toes_r") - grf[1])
    assert jr["hip_r"][1] == pytest.approx(w("femur_r", "tibia_r", "foot_r", "toes_r") - grf[1])
    assert jr["hip_l"][1] == pytest.approx(w("femur_l", "tibia_l", "foot_l", "toes_l"))
    assert jr["pelvis_tilt"][1] == pytest.approx(70.0 * G - grf[1])
    assert abs(jr["knee_r"][0]) < 1e-12
