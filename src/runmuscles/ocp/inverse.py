"""Inverse dynamics of the planar runner from measured motion (joint angles + ground forces).

Steps (all NumPy, vectorised over every frame of one stride):

1. **One stride.** Time 0 = right foot strike, last sample = the next right strike. A motion that
   is already one stride (the Fukuchi tables, ``metadata['format'] == 'fukuchi2017'``) is used as
   is; otherwise the first complete right stride is cut out at the vertical-GRF threshold crossings.
2. **Filter and differentiate.** One stride of steady running is periodic, so every measured angle
   is low-pass filtered by truncating its Fourier series at ``cutoff_hz`` (harmonics
   ``k <= cutoff_hz * T``, T = stride time) and differentiated exactly in the Fourier domain (no
   phase lag, no end effects). Non-periodic inputs are first filtered with a zero-lag (forward-
   backward) 4th-order Butterworth at the same cutoff over the whole trial. Default 12 Hz, within
   the 10-15 Hz commonly used for running kinematics. Ground forces are used as given (they carry
   the sharp touchdown; Fukuchi's are already processed by the authors).
3. **Complete the coordinates the measurement lacks** (documented assumptions, a warning each):
   ``mtp`` 0 (toes not measured); trunk held at a constant ``trunk_lean`` (absolute, forward
   negative; default -5 deg); arms still, shoulders 0, elbows at ``elbow_flexion`` (90 deg).
   ``pelvis_tilt``: a constant fitted so that the stance foot (ball and heel) is as still as
   possible in the belt frame (a treadmill belt is an inertial frame). ``pelvis_tx``/``pelvis_ty``:
   from Newton's law on the whole body, ``m x_com'' = sum fx`` and ``m y_com'' = sum fy - m g``,
   integrated twice in the Fourier domain (mean forward speed ``speed``; the mean of ``fy - m g``
   is removed, reported as a warning when above 3 % BW), minus the centre-of-mass offset of the
   limbs, and shifted up or down so that the stance foot touches the belt on average.
4. **Apply the measured force.** Each foot's force acts at its centre of pressure on the belt
   (``cop_x`` when given; otherwise estimated from kinematics: the lower of the heel and ball
   contact points, blended with a 5 mm height scale, so a forefoot strike loads the ball and a flat
   foot the midfoot). It is split exactly between the heel and ball points of the foot segment
   so that the resultant acts along the same line through the centre of pressure; the toe joint
   (not measured) therefore carries no ground moment.
5. **Newton-Euler** (``Skeleton.inverse_dynamics``) gives the net generalised forces. The pelvis
   entries are residuals (the motion and force do not match exactly); their size is reported.

Units: s, m, rad, N, N m. Angles follow the project conventions (knee + = flexion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from runmuscles.errors import DataError, InputError
from runmuscles.io.motion import Motion
from runmuscles.model.runner import Runner
from runmuscles.units import DEG, G

__all__ = [
    "InverseDynamics",
    "InverseOptions",
    "butterworth_zero_lag",
    "fourier_lowpass",
    "inverse_dynamics",
    "stride_of",
]

Array = npt.NDArray[np.float64]
_LEG_DOFS = ("hip", "knee", "ankle")
#: Vertical GRF (N) above which a foot is in stance (same default as GaitCycle).
STANCE_THRESHOLD_N = 20.0


@dataclass(frozen=True)
class InverseOptions:
    """Filtering and the assumptions for coordinates the measurement lacks.

    cutoff_hz: low-pass cutoff of the joint angles (Hz); trunk_lean: absolute trunk angle (rad,
    forward lean negative); elbow_flexion (rad); cop_height_scale (m) of the heel/ball blend.
    """

    cutoff_hz: float = 12.0
    trunk_lean: float = -5.0 * DEG
    elbow_flexion: float = 90.0 * DEG
    cop_height_scale: float = 0.005

    def __post_init__(self) -> None:
        if not (np.isfinite(self.cutoff_hz) and self.cutoff_hz > 0):
            raise InputError(f"cutoff_hz {self.cutoff_hz} must be a positive number of Hz")


@dataclass(frozen=True)
class InverseDynamics:
    """Result of :func:`inverse_dynamics` for one stride.

    ``time`` (N,) s from 0; ``q``, ``qd``, ``qdd``, ``tau`` (net generalised forces, N m / N) are
    (16, N) in ``Runner.dofs`` order; ``grf`` side -> (fx, fy, cop_x) arrays (N, N, m);
    ``passive`` (16, N) the model's joint range-of-motion and damping moments (N m);
    ``measured``: DOF names that came from the measurement (the rest were assumed);
    ``info``: fitted pelvis tilt, mean vertical GRF in BW, pelvis residuals; ``warnings``.
    """

    time: Array
    q: Array
    qd: Array
    qdd: Array
    tau: Array
    passive: Array
    grf: Mapping[str, tuple[Array, Array, Array]]
    speed: float
    measured: tuple[str, ...]
    info: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# -- filters -------------------------------------------------------------------------------------
def fourier_lowpass(y: Array, period: float, cutoff_hz: float) -> tuple[Array, Array, Array]:
    """Value, first and second time derivative of a periodic series low-passed at ``cutoff_hz``.

    ``y`` (N,) samples one period with the last sample repeating the first (N-1 distinct samples
    uniformly spaced over ``period`` s). Harmonics above ``cutoff_hz`` are dropped.
    """
    n = y.size - 1
    c = np.fft.rfft(y[:n])
    k = np.arange(c.size)
    c[k / period > cutoff_hz] = 0.0
    w = 2j * np.pi * k / period

    def back(coef: npt.NDArray[np.complex128]) -> Array:
        out = np.fft.irfft(coef, n)
        return np.append(out, out[0])

    return back(c), back(c * w), back(c * w * w)


def _periodic_double_integral(acc: Array, period: float, cutoff_hz: float) -> Array:
    """Periodic position (mean 0) whose second derivative is ``acc`` minus its mean."""
    n = acc.size - 1
    c = np.fft.rfft(acc[:n])
    k = np.arange(c.size)
    w = 2j * np.pi * k / period
    out = np.zeros_like(c)
    keep = (k > 0) & (k / period <= cutoff_hz)
    out[keep] = c[keep] / (w[keep] * w[keep])
    x = np.fft.irfft(out, n)
    return np.append(x, x[0])


def butterworth_zero_lag(y: Array, dt: float, cutoff_hz: float, order: int = 4) -> Array:
    """Zero-lag (forward-backward) Butterworth low-pass of ``y`` sampled every ``dt`` s."""
    from scipy.signal import butter, filtfilt

    nyquist = 0.5 / dt
    if cutoff_hz >= nyquist:
        return np.asarray(y, dtype=float).copy()
    b, a = butter(order // 2, cutoff_hz / nyquist)  # filtfilt doubles the order
    return np.asarray(filtfilt(b, a, y, padlen=min(3 * max(len(a), len(b)), y.size - 1)))


# -- stride selection ----------------------------------------------------------------------------
def _strikes(time: Array, fy: Array, threshold: float) -> Array:
    on = fy > threshold
    return np.asarray(np.nonzero(~on[:-1] & on[1:])[0] + 1, dtype=np.float64)


def stride_of(motion: Motion, cutoff_hz: float = 12.0) -> tuple[Motion, bool]:
    """One right stride of ``motion`` and whether it is periodic as given.

    A Fukuchi table is already one (periodic) stride. Otherwise the coordinates are Butterworth
    filtered over the whole trial (zero lag), then cut from the first right foot strike to the
    next and resampled to 101 uniform samples.
    """
    if motion.metadata.get("format") == "fukuchi2017":
        return motion, True
    if "r" not in motion.grf:
        raise InputError(
            f"{motion.source or 'motion'}: no right-foot ground reaction force; inverse dynamics "
            "needs the GRF of both feet (pass --grf FILE with ground_force_r_v*/l_v* columns)"
        )
    t = motion.time
    strikes = _strikes(t, motion.grf["r"].fy, STANCE_THRESHOLD_N)
    if strikes.size < 2:
        raise DataError(
            f"{motion.source or 'motion'}: fewer than two right foot strikes (vertical GRF > "
            f"{STANCE_THRESHOLD_N:g} N); give a trial with at least one complete stride"
        )
    dt = float(np.median(np.diff(t)))
    i0, i1 = int(strikes[0]), int(strikes[1])
    new_t = np.linspace(t[i0], t[i1], 101)

    def cut(y: Array, smooth: bool) -> Array:
        z = butterworth_zero_lag(y, dt, cutoff_hz) if smooth else y
        return np.interp(new_t, t, z)

    from runmuscles.io.motion import GroundForce

    grf = {
        s: GroundForce(
            cut(g.fx, False),
            cut(g.fy, False),
            None if g.cop_x is None else cut(g.cop_x, False),
        )
        for s, g in motion.grf.items()
    }
    stride = Motion(
        time=new_t - new_t[0],
        coordinates={k: cut(v, True) for k, v in motion.coordinates.items()},
        moments={k: cut(v, False) for k, v in motion.moments.items()},
        grf=grf,
        body_mass=motion.body_mass,
        speed=motion.speed,
        metadata=dict(motion.metadata),
        warnings=motion.warnings,
        source=motion.source,
    )
    return stride, False


# -- the pipeline --------------------------------------------------------------------------------
def _foot_points(runner: Runner, q: Array, side: str) -> dict[str, tuple[Array, Array]]:
    names = (f"heel_{side}", f"ball_{side}")
    pos = runner.skeleton.point_positions(q, names)
    return {n.rsplit("_", 1)[0]: (np.asarray(p[0]), np.asarray(p[1])) for n, p in pos.items()}


def _stance(grf: Mapping[str, tuple[Array, Array, Array]], side: str) -> Array:
    return np.asarray(grf[side][1] > STANCE_THRESHOLD_N)


def inverse_dynamics(
    runner: Runner, motion: Motion, options: InverseOptions | None = None
) -> InverseDynamics:
    """Net joint moments of ``runner`` over one stride of ``motion`` (module docstring)."""
    opt = options or InverseOptions()
    speed = motion.speed
    if speed is None or speed <= 0:
        raise InputError(
            f"{motion.source or 'motion'}: running speed unknown; pass speed= in m/s (--speed)"
        )
    for side in ("r", "l"):
        if side not in motion.grf:
            raise InputError(
                f"{motion.source or 'motion'}: no ground reaction force for side {side!r}; "
                "inverse dynamics needs both feet's GRF (ground_force_r_v*/ground_force_l_v*)"
            )
    stride, periodic = stride_of(motion, opt.cutoff_hz)
    missing = [
        f"{j}_{s}" for s in ("r", "l") for j in _LEG_DOFS if f"{j}_{s}" not in stride.coordinates
    ]
    if missing:
        raise InputError(
            f"{motion.source or 'motion'}: joint angles {', '.join(missing)} are missing; "
            "inverse dynamics needs hip, knee and ankle angles of both legs"
        )
    time = stride.time - stride.time[0]
    period = float(time[-1])
    n = time.size
    if n < 8 or not np.allclose(np.diff(time), period / (n - 1), rtol=1e-6, atol=1e-9):
        raise InputError("the stride must have >= 8 uniformly spaced samples")
    dofs = runner.dofs
    idx = runner.dof_index
    q = np.zeros((len(dofs), n))
    qd = np.zeros_like(q)
    qdd = np.zeros_like(q)
    warnings = list(stride.warnings)
    measured = tuple(d for d in dofs if d in stride.coordinates and d not in ("pelvis_tx",))
    for d in measured:
        y = np.asarray(stride.coordinates[d], dtype=float)
        if not periodic:
            y = y - np.linspace(0.0, 1.0, n) * (y[-1] - y[0])  # close the cut stride
        q[idx[d]], qd[idx[d]], qdd[idx[d]] = fourier_lowpass(y, period, opt.cutoff_hz)
    assumed = [d for d in dofs if d not in measured]
    for side in ("r", "l"):
        if f"elbow_{side}" not in measured:
            q[idx[f"elbow_{side}"]] = opt.elbow_flexion
    grf = {}
    for s in ("r", "l"):
        g = stride.grf[s]
        cop = np.full(n, np.nan) if g.cop_x is None else np.asarray(g.cop_x, dtype=float)
        grf[s] = (np.asarray(g.fx, dtype=float), np.asarray(g.fy, dtype=float), cop)
    mass = runner.total_mass
    fx_sum = grf["r"][0] + grf["l"][0]
    fy_sum = grf["r"][1] + grf["l"][1]

    def mean(y: Array) -> float:
        return float(np.trapezoid(y, time) / period)

    mean_fy_bw = mean(fy_sum) / (mass * G)
    info: dict[str, float] = {"mean_vertical_grf_bw": mean_fy_bw}
    if abs(mean_fy_bw - 1.0) > 0.03:
        warnings.append(
            f"mean vertical GRF is {mean_fy_bw:.3f} body weights over the stride (1.00 expected "
            "in steady running); the mean excess was removed before integrating the pelvis height"
        )
    com_x = _periodic_double_integral(fx_sum / mass, period, opt.cutoff_hz)
    com_y = _periodic_double_integral(fy_sum / mass - G, period, opt.cutoff_hz)
    com_xd = fourier_lowpass(com_x, period, opt.cutoff_hz)
    com_yd = fourier_lowpass(com_y, period, opt.cutoff_hz)

    def place(tilt: float, q: Array) -> tuple[Array, Array, Array]:
        """Set pelvis/trunk for a pelvis tilt; returns q, qd, qdd with the pelvis translations."""
        q = q.copy()
        q[idx["pelvis_tilt"]] = tilt
        if "lumbar" not in measured:
            q[idx["lumbar"]] = opt.trunk_lean - tilt
        q[idx["pelvis_tx"]] = 0.0
        q[idx["pelvis_ty"]] = 0.0
        cx, cy = runner.skeleton.center_of_mass(q)
        ox = fourier_lowpass(np.asarray(cx), period, opt.cutoff_hz)
        oy = fourier_lowpass(np.asarray(cy), period, opt.cutoff_hz)
        qv, qa = qd.copy(), qdd.copy()
        q[idx["pelvis_tx"]] = speed * time + com_x - (ox[0] - ox[0].mean())
        qv[idx["pelvis_tx"]] = speed + com_xd[1] - ox[1]
        qa[idx["pelvis_tx"]] = com_xd[2] - ox[2]
        q[idx["pelvis_ty"]] = com_y - oy[0]
        qv[idx["pelvis_ty"]] = com_yd[1] - oy[1]
        qa[idx["pelvis_ty"]] = com_yd[2] - oy[2]
        return q, qv, qa

    def foot_speed(tilt: float) -> float:
        qq, qv, _ = place(tilt, q)
        total = 0.0
        for s in ("r", "l"):
            on = _stance(grf, s)
            vel = runner.skeleton.point_velocities(qq, qv, (f"ball_{s}", f"heel_{s}"))
            for vx, vy in vel.values():
                total += float(np.sum(np.asarray(vx)[on] ** 2 + np.asarray(vy)[on] ** 2))
        return total

    grid = np.arange(-40.0, 20.01, 2.0) * DEG
    best = float(grid[np.argmin([foot_speed(t) for t in grid])])
    fine = np.linspace(best - 2 * DEG, best + 2 * DEG, 41)
    tilt = float(fine[np.argmin([foot_speed(t) for t in fine])])
    q, qd, qdd = place(tilt, q)
    warnings.append(
        "not measured, assumed: " + ", ".join(assumed) + f" (pelvis tilt fitted {tilt / DEG:.1f} "
        f"deg; trunk {opt.trunk_lean / DEG:.0f} deg; elbows {opt.elbow_flexion / DEG:.0f} deg; "
        "toes 0; pelvis translations from the GRF)"
    )
    info["pelvis_tilt_deg"] = tilt / DEG
    info["stance_foot_speed_rms_m_s"] = float(
        np.sqrt(foot_speed(tilt) / max(1, sum(_stance(grf, s).sum() for s in "rl") * 2))
    )
    # vertical offset: the stance foot touches the belt on average
    lows = []
    for s in ("r", "l"):
        on = _stance(grf, s)
        pts = _foot_points(runner, q, s)
        ground = np.minimum(
            pts["heel"][1] - runner.contact.radii["heel"],
            pts["ball"][1] - runner.contact.radii["ball"],
        )
        lows.append(ground[on])
    q[idx["pelvis_ty"]] -= float(np.mean(np.concatenate(lows)))
    forces = _point_forces(runner, q, grf, opt.cop_height_scale)
    tau = np.asarray(runner.skeleton.inverse_dynamics(q, qd, qdd, forces))
    passive = np.asarray(runner.passive_moments(q, qd))
    bw = mass * G
    for d in ("pelvis_tx", "pelvis_ty"):
        info[f"residual_{d}_rms_bw"] = float(np.sqrt(np.mean(tau[idx[d]] ** 2)) / bw)
    info["residual_pelvis_tilt_rms_nm"] = float(np.sqrt(np.mean(tau[idx["pelvis_tilt"]] ** 2)))
    for s in ("r", "l"):
        if np.all(np.isnan(grf[s][2])):
            warnings.append(
                f"no centre of pressure for side {s!r}: estimated from the heel/ball heights"
            )
    return InverseDynamics(
        time=time,
        q=q,
        qd=qd,
        qdd=qdd,
        tau=tau,
        passive=passive,
        grf=grf,
        speed=float(speed),
        measured=measured,
        info=info,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _point_forces(
    runner: Runner,
    q: Array,
    grf: Mapping[str, tuple[Array, Array, Array]],
    height_scale: float,
) -> dict[str, tuple[Any, Any]]:
    """GRF of each foot as two parallel forces at heel and ball acting through the CoP."""
    out: dict[str, tuple[Any, Any]] = {}
    for s in ("r", "l"):
        fx, fy, cop = grf[s]
        pts = _foot_points(runner, q, s)
        (hx, hy), (bx, by) = pts["heel"], pts["ball"]
        if np.all(np.isnan(cop)):
            gh = hy - runner.contact.radii["heel"]
            gb = by - runner.contact.radii["ball"]
            low = np.minimum(gh, gb)
            wh = np.exp(-(gh - low) / height_scale)
            wb = np.exp(-(gb - low) / height_scale)
            cop = (wh * hx + wb * bx) / (wh + wb)
        # heel weight w: (B - P + w (H - B)) x F = 0 with P = (cop, 0)
        cross_bp = (bx - cop) * fy - by * fx
        cross_hb = (hx - bx) * fy - (hy - by) * fx
        ok = np.abs(fy) > 1.0
        w = np.where(ok, -cross_bp / np.where(ok, cross_hb, 1.0), 0.5)
        out[f"heel_{s}"] = (w * fx, w * fy)
        out[f"ball_{s}"] = ((1 - w) * fx, (1 - w) * fy)
    return out
