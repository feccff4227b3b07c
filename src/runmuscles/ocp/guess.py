"""A kinematic template of running, used as the cold-start initial guess.

Following the measurement in ../shared/SCIENCE.md section 4 (a kinematic template converged where a
standing pose moved forward did not): the stance foot rests on the ground while the body moves at
the target speed, first flat, then rolling over the ball of the foot (heel rise with the toes
flat); the swing foot follows an arc to the next foot strike; hip and knee angles follow from
two-link inverse kinematics of the leg; the body sinks about 1 cm into the soft contact
spheres (about body weight).
The arms are not part of the guess: they follow the measured arm swing. Muscles start at 10 %
activation with tendon forces in static equilibrium.

Typical gait figures used only to shape the template (not as targets). Running: cadence about
150 + 6 v steps/min (Lieberman 2015 reports ~170 at 3 m/s, SCIENCE.md), duty factor about
0.45 - 0.03 v (Gazendam & Hof 2007: 30-37 % stance at running speeds). Walking: cadence about
70 + 35 v steps/min (about 115 at 1.3 m/s) and duty factor 0.62 (about 12 % double support per
step), the textbook walking figures (e.g. Winter 2009), with a stance leg that stays nearly
straight.
"""

from __future__ import annotations

import functools
import math
import tomllib
from importlib import resources
from typing import Any

import numpy as np

from runmuscles.model import geometry, muscle
from runmuscles.model.runner import Runner
from runmuscles.ocp.node import Q_BOUNDS, NodeLayout

__all__ = ["measured_block", "measured_guess", "template_guess", "template_timing"]


def template_timing(speed: float, gait: str = "run") -> tuple[float, float]:
    """(half-stride duration s, contact time s) of the template at ``speed`` m/s."""
    if gait == "walk":
        cadence = 70.0 + 35.0 * speed
        duty = 0.62
    else:
        cadence = 150.0 + 6.0 * speed
        duty = min(max(0.45 - 0.03 * speed, 0.25), 0.45)
    half = 60.0 / cadence
    return half, duty * 2.0 * half


def _leg_angles(
    runner: Runner,
    t: float,
    speed: float,
    half: float,
    tc: float,
    y_hip: float,
    tilt: float,
    lift_scale: float = 1.0,
) -> tuple[float, float, float, float]:
    """(hip, knee, ankle, mtp) of a leg whose foot strike is at t = 0, at time t in the stride."""
    sk = runner.skeleton
    seg = {s.name: s for s in sk.segments}
    lt, ls = seg["femur_r"].length, seg["tibia_r"].length
    _, ball_local = sk.points["ball_r"]
    r_ball = sk.sphere_radii["ball"]
    stride = 2.0 * half
    t = t % stride
    x_fs = 0.3 * speed * tc  # the hip passes over the ankle about a third into stance
    pen = 0.015  # about body weight on the soft contact spheres (contact.toml)
    ankle_rel: float | None = None  # ankle angle imposed directly (swing)
    if t <= tc:
        s = t / tc
        phi = -math.radians(35.0) * max(0.0, (s - 0.45) / 0.55) ** 2  # heel rise
        # ball fixed on the ground; ankle from the ball by the foot rotation
        bx = x_fs + ball_local[0]
        by = r_ball - pen
        c, sn = math.cos(phi), math.sin(phi)
        ax = bx - (c * ball_local[0] - sn * ball_local[1])
        ay = by - (sn * ball_local[0] + c * ball_local[1])
        toes_abs = 0.0
    else:
        s = (t - tc) / (stride - tc)
        smooth = s * s * (3 - 2 * s)
        x_to = x_fs + ball_local[0] - ball_local[0] * math.cos(math.radians(35.0))
        x_next = x_fs + speed * stride
        ax = x_to + (x_next - x_to) * smooth
        lift = lift_scale * (0.12 + 0.05 * speed) * math.sin(math.pi * s) ** 1.5
        ay = -ball_local[1] + r_ball - pen + lift
        ankle_rel = math.radians(-25.0) * (1.0 - smooth)
        phi = 0.0
        toes_abs = 0.0
    hx, hy = speed * t, y_hip
    dx, dy = ax - hx, ay - hy
    dist = min(math.hypot(dx, dy), 0.995 * (lt + ls))
    dist = max(dist, abs(lt - ls) + 0.05)
    knee = math.pi - math.acos((lt**2 + ls**2 - dist**2) / (2 * lt * ls))
    beta = math.atan2(dx, -dy)
    alpha = math.acos(min(1.0, (lt**2 + dist**2 - ls**2) / (2 * lt * dist)))
    thigh = beta + alpha
    shank = thigh - knee
    if ankle_rel is not None:
        return thigh - tilt, knee, ankle_rel, 0.0
    return thigh - tilt, knee, phi - shank, toes_abs - phi


def template_guess(
    runner: Runner, layout: NodeLayout, speed: float, n_intervals: int, gait: str = "run"
) -> tuple[np.ndarray, np.ndarray, float]:
    """Physical state and control trajectories ``x (N+1, nx)``, ``u (N+1, nu)`` and duration."""
    walking = gait == "walk"
    half, tc = template_timing(speed, gait)
    sk = runner.skeleton
    seg = {s.name: s for s in sk.segments}
    lt, ls = seg["femur_r"].length, seg["tibia_r"].length
    _, ankle_pt = sk.points["ball_r"]
    ankle_h = -ankle_pt[1] + sk.sphere_radii["ball"]
    # hip height at mid-stance (knee 45 deg running, nearly straight walking); the hip is lowest
    # at mid-stance in running and highest there in walking (inverted pendulum)
    knee_mid = math.radians(5.0 if walking else 45.0)
    y_mid = ankle_h + math.sqrt(lt**2 + ls**2 + 2 * lt * ls * math.cos(knee_mid)) - 0.015
    amp = -0.025 if walking else 0.03
    tilt = -math.radians(4.0 if walking else 8.0)
    lift_scale = 0.35 if walking else 1.0

    def q_at(t: float) -> dict[str, float]:
        y = y_mid + amp * (1.0 - math.cos(2 * math.pi * (t - tc / 2) / half))
        q = {d: 0.0 for d in layout.dofs}
        q["pelvis_tx"] = speed * t
        q["pelvis_ty"] = y
        q["pelvis_tilt"] = tilt
        for side, shift in (("r", 0.0), ("l", half)):
            hip, knee, ankle, mtp = _leg_angles(
                runner, t + shift, speed, half, tc, y, tilt, lift_scale
            )
            q[f"hip_{side}"], q[f"knee_{side}"] = hip, knee
            q[f"ankle_{side}"], q[f"mtp_{side}"] = ankle, mtp
        for d in layout.dofs:
            lo, hi = Q_BOUNDS.get(d, Q_BOUNDS[d.removesuffix("_r").removesuffix("_l")])
            if d != "pelvis_tx":
                q[d] = min(max(q[d], lo + 0.05), hi - 0.05)
        return q

    times = np.linspace(0.0, half, n_intervals + 1)
    dt = 1e-3

    def vec(t: float) -> np.ndarray:
        qq = q_at(t)
        return np.array([qq[d] for d in layout.dofs])

    q = np.array([vec(t) for t in times])
    qd = np.array([(vec(t + dt) - vec(t - dt)) / (2 * dt) for t in times])
    qdd = np.array([(vec(t + dt) - 2 * vec(t) + vec(t - dt)) / dt**2 for t in times])
    qdd = np.clip(qdd, -900.0, 900.0)

    muscles = [m for m in runner.muscles if m.name in layout.muscles]
    a0 = 0.1
    ft = np.zeros((len(times), len(layout.compliant)))
    comp = [m for m in muscles if m.compliant_tendon]
    for k in range(len(times)):
        qmap = {d: q[k, i] for i, d in enumerate(layout.dofs)}
        for j, m in enumerate(comp):
            lmt = geometry.mtu_length(m, qmap)
            ft[k, j] = float(muscle.equilibrium_tendon_force(m, a0, lmt))
    dft = np.gradient(ft, times, axis=0) if len(comp) else ft

    nm = len(muscles)
    x = np.hstack([q, qd, np.full((len(times), nm), a0), ft])
    u = np.hstack(
        [np.full((len(times), nm), a0), qdd, dft, np.zeros((len(times), len(layout.reserves)))]
    )
    assert x.shape[1] == len(layout.states) and u.shape[1] == len(layout.controls)
    return x, u, half


def _fourier(coeffs: list[float], phi: np.ndarray, order: int = 0) -> np.ndarray:
    """d^order/dphi^order of c0 + sum a_n cos(2 pi n phi) + b_n sin(2 pi n phi)."""
    out = np.full_like(phi, coeffs[0] if order == 0 else 0.0, dtype=float)
    for n in range(1, (len(coeffs) - 1) // 2 + 1):
        a, b = coeffs[2 * n - 1], coeffs[2 * n]
        w = 2.0 * math.pi * n
        for _ in range(order):
            a, b = b * w, -a * w
        out = out + a * np.cos(w * phi) + b * np.sin(w * phi)
    return out


@functools.cache
def _measured_table() -> dict[str, Any]:
    text = (
        resources.files("runmuscles.model")
        .joinpath("params", "measured_kinematics.toml")
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


def measured_block(speed: float, gait: str = "run") -> tuple[str, dict[str, Any]]:
    """The measured kinematics (name, block) nearest ``speed`` for ``gait``."""
    table = _measured_table()
    names = [k for k in table if k.startswith("walk" if gait == "walk" else "run")]
    name = min(names, key=lambda k: abs(float(table[k]["speed_m_s"]) - speed))
    return name, table[name]


def measured_guess(
    runner: Runner, layout: NodeLayout, speed: float, n_intervals: int, gait: str = "run"
) -> tuple[np.ndarray, np.ndarray, float]:
    """A cold guess from measured joint angles (``params/measured_kinematics.toml``: Fukuchi et
    al. 2017 running at 2.5/3.5/4.5 m/s, OpenSim Moco's 2D walking example), the nearest speed.

    The measured stride time is kept; the hip moves forward at ``speed``; its height is set so
    that the contact spheres carry body weight on average over the stride; toes flat (mtp 0);
    arms as in the measured arm swing. Muscles as in :func:`template_guess`.
    """
    _, block = measured_block(speed, gait)
    half = 0.5 * float(block["stride_time_s"])
    times = np.linspace(0.0, half, n_intervals + 1)
    phi = times / (2.0 * half)
    rate = 1.0 / (2.0 * half)
    nq = len(layout.dofs)
    q = np.zeros((times.size, nq))
    qd = np.zeros_like(q)
    qdd = np.zeros_like(q)
    for i, d in enumerate(layout.dofs):
        base, side = (d[:-2], d[-1]) if d[-2:] in ("_r", "_l") else (d, "")
        shift = 0.5 if side == "l" else 0.0
        key = f"{base}_r" if side else base
        if key in block:
            for order, target in enumerate((q, qd, qdd)):
                target[:, i] = _fourier(block[key], phi + shift, order) * rate**order
    ix, iy = layout.dofs.index("pelvis_tx"), layout.dofs.index("pelvis_ty")
    q[:, ix], qd[:, ix] = speed * times, speed
    q[:, iy] += _support_height(runner, layout, q, phi, gait)
    for i, d in enumerate(layout.dofs):
        lo, hi = Q_BOUNDS.get(d, Q_BOUNDS[d.removesuffix("_r").removesuffix("_l")])
        if d not in ("pelvis_tx", "pelvis_ty"):
            q[:, i] = np.clip(q[:, i], lo + 0.02, hi - 0.02)
    x, u = _with_muscles(runner, layout, times, q, qd, qdd)
    return x, u, half


def _full_q(
    runner: Runner, layout: NodeLayout, q: np.ndarray, phi: np.ndarray, gait: str = "run"
) -> np.ndarray:
    """(16, n) coordinates: the solved ones from ``q`` (n, nq), the others prescribed."""
    from runmuscles.model.prescribed import prescribed_motion

    arms = prescribed_motion(gait).angles(phi)
    full = np.zeros((len(runner.dofs), q.shape[0]))
    for i, d in enumerate(runner.dofs):
        full[i] = q[:, layout.dofs.index(d)] if d in layout.dofs else arms[d]
    return full


def _support_height(
    runner: Runner, layout: NodeLayout, q: np.ndarray, phi: np.ndarray, gait: str
) -> float:
    """Hip height offset (m) at which the mean vertical contact force is body weight."""
    qd_full = np.zeros((len(runner.dofs), q.shape[0]))  # contact damping left out

    def mean_force(dy: float) -> float:
        qq = q.copy()
        qq[:, layout.dofs.index("pelvis_ty")] += dy
        full = _full_q(runner, layout, qq, phi, gait)
        grf = runner.ground_reaction(full, qd_full)
        return float(np.mean(grf["r"][1] + grf["l"][1])) - runner.weight

    lo, hi = 0.5, 1.3  # m: the hip between these heights
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if mean_force(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _with_muscles(
    runner: Runner,
    layout: NodeLayout,
    times: np.ndarray,
    q: np.ndarray,
    qd: np.ndarray,
    qdd: np.ndarray,
    a0: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """States and controls: the kinematics, activations ``a0`` and tendon forces in equilibrium."""
    muscles = [m for m in runner.muscles if m.name in layout.muscles]
    comp = [m for m in muscles if m.compliant_tendon]
    ft = np.zeros((len(times), len(comp)))
    for k in range(len(times)):
        qmap = {d: q[k, i] for i, d in enumerate(layout.dofs)}
        for j, m in enumerate(comp):
            ft[k, j] = float(muscle.equilibrium_tendon_force(m, a0, geometry.mtu_length(m, qmap)))
    dft = np.gradient(ft, times, axis=0) if comp else ft
    nm = len(muscles)
    x = np.hstack([q, qd, np.full((len(times), nm), a0), ft])
    u = np.hstack(
        [np.full((len(times), nm), a0), qdd, dft, np.zeros((len(times), len(layout.reserves)))]
    )
    return x, u
