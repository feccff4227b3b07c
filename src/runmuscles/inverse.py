"""From measured motion to muscle forces: ``rm.motion_to_cycle(motion) -> GaitCycle``.

(:func:`motion_to_cycle` is :func:`inverse`; the public API uses the longer name because the
package attribute ``runmuscles.inverse`` is this module.)

Inverse dynamics (:mod:`runmuscles.ocp.inverse`) gives the net joint moments of one stride;
static optimisation (:mod:`runmuscles.ocp.static`: rigid tendons, summed squared activations,
reserve actuators) shares them among the muscles. The result is the same
:class:`~runmuscles.cycle.GaitCycle` as the predictive path: excitation = activation (static
optimisation has no activation dynamics), fibre lengths and velocities from rigid-tendon
kinematics, metabolic rate from the smooth Umberger model. :func:`write_cycle_sto` exports it for
OpenSim; :func:`inverse_validation_rows` checks the Fukuchi 2017 runner against published EMG
timing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles import __version__
from runmuscles.conventions import MUSCLE_GROUPS, TRUNK_AND_ARM_GROUPS
from runmuscles.cycle import GaitCycle
from runmuscles.errors import InputError
from runmuscles.io.motion import Motion
from runmuscles.model.runner import Runner
from runmuscles.ocp.inverse import InverseDynamics, InverseOptions, inverse_dynamics
from runmuscles.ocp.static import StaticResult, static_optimisation

__all__ = [
    "TIMING_CHECKS",
    "inverse",
    "inverse_validation_rows",
    "motion_to_cycle",
    "runner_for",
    "timing_checks",
    "write_cycle_sto",
]

#: DOFs actuated by muscles (+ reserves) in static optimisation: all but the pelvis.
_ACTUATED = (
    "lumbar", "hip_r", "knee_r", "ankle_r", "mtp_r", "hip_l", "knee_l", "ankle_l", "mtp_l",
    "shoulder_r", "elbow_r", "shoulder_l", "elbow_l",
)  # fmt: skip


def runner_for(motion: Motion, mass: float | None = None, height: float | None = None) -> Runner:
    """A runner scaled to the motion's body (mass from the file or ``mass``; height from the
    metadata ``height_m`` or ``height``, default 1.75 m)."""
    mass = mass if mass is not None else motion.body_mass
    if mass is None:
        raise InputError(
            f"{motion.source or 'motion'}: body mass unknown; pass mass= in kg (--mass 70)"
        )
    if height is None:
        height = float(motion.metadata.get("height_m", 1.75))
    return Runner(mass=mass, height=height)


def inverse(
    motion: Motion,
    runner: Runner | None = None,
    *,
    options: InverseOptions | None = None,
    reserve_optimal_moment: float = 1.0,
) -> GaitCycle:
    """Muscle activations and forces over one stride of ``motion`` as a :class:`GaitCycle`.

    ``motion`` needs hip, knee and ankle angles of both legs, both feet's GRF and the speed; the
    runner defaults to :func:`runner_for` (body from the motion). Warnings (assumed coordinates,
    large reserves) and the reserve peaks are stored in the provenance.
    """
    runner = runner or runner_for(motion)
    ident = inverse_dynamics(runner, motion, options)
    so = _static(runner, ident, reserve_optimal_moment)
    return _cycle(runner, motion, ident, so, options or InverseOptions(), reserve_optimal_moment)


motion_to_cycle = inverse


def _static(runner: Runner, ident: InverseDynamics, rho: float) -> StaticResult:
    idx = runner.dof_index
    q = {d: ident.q[i] for d, i in idx.items()}
    qd = {d: ident.qd[i] for d, i in idx.items()}
    tau = {d: ident.tau[idx[d]] - ident.passive[idx[d]] for d in _ACTUATED}
    return static_optimisation(runner.muscles, q, qd, tau, reserve_optimal_moment=rho)


def _cycle(
    runner: Runner,
    motion: Motion,
    ident: InverseDynamics,
    so: StaticResult,
    options: InverseOptions,
    rho: float,
) -> GaitCycle:
    muscles: dict[str, dict[str, Any]] = dict(so.series(runner.muscles))
    dofs = runner.dofs
    reserve_peak = {d: float(np.max(np.abs(so.reserve[:, j]))) for j, d in enumerate(so.dofs)}
    provenance = {
        "model": runner.label,
        "method": "inverse dynamics + static optimisation (sum of squared activations, rigid "
        "tendons, reserve actuators)",
        "source": motion.source,
        "runner": {"mass_kg": runner.mass, "height_m": runner.height},
        "parameter_sources": runner.to_dict().get("sources", []),
        "inverse_dynamics": {
            "cutoff_hz": options.cutoff_hz,
            "trunk_lean_rad": options.trunk_lean,
            "elbow_flexion_rad": options.elbow_flexion,
            "measured_dofs": list(ident.measured),
            **dict(ident.info),
        },
        "solver": {
            "status": "solved",
            "iterations": so.iterations,
            "options": {"reserve_optimal_moment_nm": rho, "cost": "sum a^2"},
        },
        "reserve_peak_nm": reserve_peak,
        "reserve_peak_fraction": so.reserve_peak_fraction(),
        "reserves": _pooled(so.reserve_peak_fraction()),
        "warnings": [*ident.warnings, *so.warnings],
        "runmuscles_version": __version__,
    }
    return GaitCycle.from_arrays(
        ident.time,
        q={d: ident.q[i] for i, d in enumerate(dofs)},
        qd={d: ident.qd[i] for i, d in enumerate(dofs)},
        qdd={d: ident.qdd[i] for i, d in enumerate(dofs)},
        moments={d: ident.tau[i] for i, d in enumerate(dofs)},
        grf={s: {"fx": ident.grf[s][0], "fy": ident.grf[s][1]} for s in ("r", "l")},
        muscles=muscles,
        condition={
            "speed_m_s": ident.speed,
            "grade": 0.0,
            "mass_kg": runner.mass,
            "height_m": runner.height,
        },
        provenance=provenance,
    )


def _pooled(per_dof: dict[str, float]) -> dict[str, float]:
    """Per joint (both sides pooled, the larger): peak reserve as a share of the peak moment."""
    out: dict[str, float] = {}
    for dof, share in per_dof.items():
        joint = dof.removesuffix("_r").removesuffix("_l")
        out[joint] = max(out.get(joint, 0.0), float(share))
    return out


def write_cycle_sto(cycle: GaitCycle, path: str | Path) -> Path:
    """Write a cycle as an OpenSim ``.sto``: coordinates (OpenSim names and signs), net moments,
    ground forces, and per muscle ``<name>_activation`` and ``<name>_tendon_force`` (N).

    :func:`runmuscles.io.opensim.read_opensim` reads it back to the same numbers (coordinates and
    moments as model DOFs, muscle columns in ``extra``).
    """
    from runmuscles.io.opensim import write_sto

    return write_sto(cycle_motion(cycle), path)


def cycle_motion(cycle: GaitCycle) -> Motion:
    """The cycle as a :class:`Motion` (coordinates, moments, GRF, muscle columns in ``extra``)."""
    ds = cycle.ds
    dofs = [str(d) for d in ds["dof"].values]
    extra: dict[str, Any] = {}
    for m in cycle.muscles:
        extra[f"{m}_activation"] = ds["activation"].sel(muscle=m).values
        extra[f"{m}_tendon_force"] = ds["force"].sel(muscle=m).values
    from runmuscles.io.motion import GroundForce

    grf = ds["grf"]
    return Motion(
        time=ds["time"].values,
        coordinates={d: ds["q"].sel(dof=d).values for d in dofs},
        moments={d: ds["moment"].sel(dof=d).values for d in dofs},
        grf={
            s: GroundForce(
                grf.sel(side=s, component="fx").values, grf.sel(side=s, component="fy").values
            )
            for s in ("r", "l")
        },
        extra=extra,
        body_mass=cycle.mass,
        speed=cycle.condition["speed_m_s"],
    )


# -- validation against published EMG timing ---------------------------------------------------
_CAPPELLINI = "Cappellini et al. 2006 J Neurophysiol 95:3426"
_NOVACHECK = "Novacheck 1998 Gait Posture 7:77"
#: (muscle base, kind, window as stride fractions from right foot strike, published phase, source)
#: kind "peak": the activation peak lies in the window; "more": mean activation in the window
#: exceeds the mean in the comparison window (fourth entry).
_EARLY = f"quadriceps active in early stance ({_CAPPELLINI}; {_NOVACHECK})"
_CALF = f"calves in mid-to-late stance ({_CAPPELLINI}; {_NOVACHECK})"
_HAMS = f"hamstrings in late swing ({_NOVACHECK}; {_CAPPELLINI})"
_TA_SWING = f"tibialis anterior in swing, not in mid-stance ({_CAPPELLINI})"
_TA_STRIKE = f"tibialis anterior at foot strike ({_NOVACHECK})"
Window = tuple[float, float]
TIMING_CHECKS: tuple[tuple[str, str, Window, Window | None, str], ...] = (
    ("vasti", "peak", (0.0, 0.2), None, _EARLY),
    ("soleus", "peak", (0.1, 0.35), None, _CALF),
    ("gastroc", "peak", (0.1, 0.35), None, _CALF),
    ("hamstrings", "peak", (0.75, 1.0), None, _HAMS),
    ("tib_ant", "more", (0.4, 1.0), (0.1, 0.3), _TA_SWING),
    ("tib_ant", "more", (0.95, 1.0), (0.1, 0.3), _TA_STRIKE),
)


def _window(frac: np.ndarray, w: tuple[float, float]) -> np.ndarray:
    return (frac >= w[0]) & (frac <= w[1])


def timing_checks(cycle: GaitCycle, side: str = "r") -> list[dict[str, Any]]:
    """Evaluate :data:`TIMING_CHECKS` on one side's muscles (stride fraction from that side's
    strike; the left side is shifted by half a stride). One dict per check."""
    t = cycle.time
    frac = (t - t[0]) / (t[-1] - t[0])
    if side == "l":
        frac = (frac - 0.5) % 1.0
    rows = []
    for base, kind, win, other, source in TIMING_CHECKS:
        a = cycle.ds["activation"].sel(muscle=f"{base}_{side}").values
        if kind == "peak":
            at = float(frac[int(np.argmax(a))])
            # the stride is periodic: a peak at 0 % is the previous stride's 100 %
            ok = any(win[0] <= at + k <= win[1] for k in (-1.0, 0.0, 1.0))
            value = f"peak at {100 * at:.0f} % of stride"
        else:
            assert other is not None
            inside = float(a[_window(frac, win)].mean())
            outside = float(a[_window(frac, other)].mean())
            ok = inside > outside
            value = (
                f"mean {inside:.2f} vs {outside:.2f} at {100 * other[0]:.0f}-{100 * other[1]:.0f} %"
            )
        rows.append(
            {
                "quantity": f"{base}_{side} activation timing",
                "value": value,
                "published": f"{100 * win[0]:.0f}-{100 * win[1]:.0f} % of stride",
                "source": source,
                "pass": bool(ok),
            }
        )
    return rows


def inverse_validation_rows(
    path: str | Path | None = None, speeds: tuple[float, ...] = (2.5, 3.5, 4.5)
) -> list[dict[str, Any]]:
    """Validation rows of the inverse path on a Fukuchi 2017 runner (default: the shared
    ``fukuchi2017/RBDS001processed.txt``): timing vs published EMG phases per speed, mean vertical
    GRF, joint-moment RMS vs the dataset's own moments, and forces growing with speed.

    Each row: quantity, value (measured/predicted), published (range), source, pass.
    """
    from runmuscles.io.fukuchi import read_fukuchi

    path = Path(path) if path is not None else default_fukuchi()
    if not path.is_file():
        raise InputError(f"no Fukuchi table at {path}; pass the RBDSnnnprocessed.txt path")
    rows: list[dict[str, Any]] = []
    peaks: dict[str, list[float]] = {"soleus": [], "vasti": [], "impulse": []}
    for speed in speeds:
        motion = read_fukuchi(path, speed)
        cycle = inverse(motion)
        for side in ("r", "l"):
            for row in timing_checks(cycle, side):
                rows.append({**row, "quantity": f"{speed:g} m/s {row['quantity']}"})
        prov = cycle.provenance["inverse_dynamics"]
        bw = prov["mean_vertical_grf_bw"]
        rows.append(
            {
                "quantity": f"{speed:g} m/s mean vertical GRF over the stride",
                "value": f"{bw:.3f} BW",
                "published": "1.00 BW +- 3 %",
                "source": "Newton's second law (steady running)",
                "pass": abs(bw - 1.0) <= 0.03,
            }
        )
        for joint, tol in MOMENT_RMS_TOLERANCE.items():
            rms = moment_rms(cycle, motion, joint)
            rows.append(
                {
                    "quantity": f"{speed:g} m/s {joint} moment RMS vs dataset",
                    "value": f"{rms:.2f} N m/kg",
                    "published": f"<= {tol:g} N m/kg (2D model, assumed pelvis and CoP)",
                    "source": "Fukuchi et al. 2017 PeerJ 5:e3298 (inverse dynamics, 3D)",
                    "pass": rms <= tol,
                }
            )
        f = cycle.ds["force"]
        for base in ("soleus", "vasti"):
            peaks[base].append(
                float(np.mean([f.sel(muscle=f"{base}_{s}").max() for s in ("r", "l")]))
            )
        leg = [m for m in cycle.muscles if MUSCLE_GROUPS[m[:-2]] not in TRUNK_AND_ARM_GROUPS]
        impulse = sum(float(np.trapezoid(f.sel(muscle=m).values, cycle.time)) for m in leg)
        peaks["impulse"].append(impulse / (cycle.time[-1] - cycle.time[0]))
    for key, label in (
        ("soleus", "peak soleus force"),
        ("vasti", "peak vasti force"),
        ("impulse", "leg-muscle force impulse per second"),
    ):
        vals = peaks[key]
        rows.append(
            {
                "quantity": f"{label} at {', '.join(f'{s:g}' for s in speeds)} m/s",
                "value": ", ".join(f"{v:.0f}" for v in vals) + " N",
                "published": "grows with speed",
                "source": "Dorn et al. 2012 J Exp Biol 215:1944; "
                "Hamner & Delp 2013 J Biomech 46:780",
                "pass": bool(np.all(np.diff(vals) > 0)),
            }
        )
    return rows


def default_fukuchi() -> Path:
    """``shared/data/fukuchi2017/RBDS001processed.txt`` next to a parent of the package."""
    rel = Path("shared", "data", "fukuchi2017", "RBDS001processed.txt")
    for up in Path(__file__).resolve().parents:
        if (up / rel).is_file():
            return up / rel
    return rel


#: Honest tolerances for the RMS difference between the model's and the dataset's joint moments
#: (N m/kg): the 2D model with an assumed pelvis tilt, trunk and centre of pressure (see
#: runmuscles.ocp.inverse) against the dataset's 3D inverse dynamics. Measured on RBDS001: hip
#: 0.48-0.60, knee 0.16-0.40, ankle 0.24-0.31.
MOMENT_RMS_TOLERANCE: Mapping[str, float] = {"hip": 0.7, "knee": 0.5, "ankle": 0.4}


def moment_rms(cycle: GaitCycle, motion: Motion, joint: str) -> float:
    """RMS (both sides) of model minus dataset moment of a joint, N m/kg."""
    diffs = []
    for s in ("r", "l"):
        model = cycle.ds["moment"].sel(dof=f"{joint}_{s}").values
        diffs.append(model - np.asarray(motion.moments[f"{joint}_{s}"]))
    return float(np.sqrt(np.mean(np.concatenate(diffs) ** 2)) / cycle.mass)
