"""GaitCycle: one stride as an xarray Dataset with its phases and summaries (see the package
docstring of :mod:`runmuscles.cycle` for the time, phase and sign conventions)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles.cycle.dataset import (
    CONDITION_KEYS,
    DEFAULT_CONTACT_THRESHOLD_N,
    JOINTS,
    KIND,
    PHASES,
    SIDES,
    build_dataset,
    check_dataset,
    close_names,
    resolution,
)
from runmuscles.errors import FileFormatError, InputError, UnknownNameError
from runmuscles.units import G

__all__ = ["CROUCH_LIMIT_DEG", "GaitCycle", "crouch_note", "stance_peak_deg"]

#: Peak stance knee flexion (deg) above which a running stride is said to crouch: the measured
#: runner of Fukuchi et al. 2017 (PeerJ 5:e3298, RBDS001) bends 42-44 deg at 2.5-4.5 m/s; +10 deg
#: is this project's tolerance (the same as ``runmuscles validate``'s).
CROUCH_LIMIT_DEG = 52.0


def stance_peak_deg(
    angle_rad: ArrayLike, fy: ArrayLike, threshold: float = DEFAULT_CONTACT_THRESHOLD_N
) -> float | None:
    """Peak of a joint angle (deg) over the samples where the same foot's vertical ground force
    exceeds ``threshold`` (N); None when the foot never touches down."""
    stance = np.asarray(fy, dtype=float) > threshold
    if not stance.any():
        return None
    return float(np.degrees(np.asarray(angle_rad, dtype=float)[stance].max()))


def crouch_note(stance_knee_peak_deg: float | None) -> str | None:
    """The warning a running stride carries when its stance knee bends past
    :data:`CROUCH_LIMIT_DEG`, else None."""
    if stance_knee_peak_deg is None or stance_knee_peak_deg <= CROUCH_LIMIT_DEG:
        return None
    return (
        f"the stride runs on a crouched knee ({stance_knee_peak_deg:.0f} deg of stance knee "
        "flexion, where runners bend about 42 deg: Fukuchi et al. 2017), so the quadriceps' "
        "force and work are likely overstated and the calves' understated"
    )


Series = Mapping[str, ArrayLike]
Summary = dict[str, Any]


def _crossings(t: NDArray[np.float64], y: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    """Times where the piecewise-linear interpolant of ``y`` crosses ``level`` strictly."""
    g = y - level
    idx = np.nonzero(g[:-1] * g[1:] < 0)[0]
    frac = g[idx] / (g[idx] - g[idx + 1])
    return np.asarray(t[idx] + frac * (t[idx + 1] - t[idx]))


class GaitCycle:
    """One stride of running as an xarray Dataset with derived quantities.

    Build it with :meth:`from_arrays` or :meth:`load`; the constructor only validates a Dataset
    (finite values, the variables and attributes this class needs). The time, phase and sign
    conventions are in the docstring of :mod:`runmuscles.cycle`.
    """

    def __init__(self, ds: xr.Dataset) -> None:
        check_dataset(ds)
        self.ds = ds  # treat as read-only: summaries cache the time and contact series
        self._t = np.asarray(ds["time"].values, dtype=float)
        fy = ds["grf"].sel(component="fy")
        self._fy = {s: np.asarray(fy.sel(side=s).values, dtype=float) for s in SIDES}
        self._thr = float(ds.attrs["contact_threshold_n"])
        self._muscles = [str(m) for m in ds["muscle"].values]
        self._series: dict[str, NDArray[np.float64]] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        time: ArrayLike,
        *,
        q: Series,
        moments: Series,
        grf: Mapping[str, Series],
        muscles: Mapping[str, Series],
        condition: Mapping[str, float],
        qd: Series | None = None,
        qdd: Series | None = None,
        tendons: Series | None = None,
        joint_reactions: Series | None = None,
        provenance: Mapping[str, Any] | None = None,
        muscle_groups: Mapping[str, str] | None = None,
        contact_threshold_n: float = DEFAULT_CONTACT_THRESHOLD_N,
        unresolved: Mapping[str, str] | None = None,
    ) -> GaitCycle:
        """Build a GaitCycle from named 1-D arrays, one value per time sample (SI units).

        Args:
            time: (N,) s, strictly increasing, from right foot strike to the next one included.
            q: DOF name -> coordinate (rad; m for pelvis_tx/pelvis_ty). Names from :data:`DOFS`.
            moments: DOF name -> generalised force (N m; N for translations); same keys as ``q``.
            grf: side ('r', 'l') -> {'fx': fore-aft (+ forward), 'fy': vertical (+ up)} in N.
            muscles: muscle name (e.g. 'soleus_r') -> {field: series} for every field of
                :data:`MUSCLE_FIELDS` (excitation, activation, force N, fibre_length m,
                fibre_velocity m/s, mtu_velocity m/s, metabolic_rate W).
            condition: speed_m_s (> 0), grade (rise/run), mass_kg, height_m.
            qd, qdd: DOF velocities/accelerations; when omitted, central finite differences of ``q``
                (``numpy.gradient``) are stored instead and ``attrs['qd_source']`` says so.
            tendons: 'achilles_r' ... -> force (N); when omitted, summed from the muscle forces
                (achilles = soleus + gastroc, patellar = vasti + rect_fem) of the sides present.
            joint_reactions: 'hip_r', 'knee_l', ... -> joint reaction force magnitude (N).
            provenance: JSON-serialisable facts (model, parameter sources, ``solver``: {status,
                iterations, wall_time_s, nlp_variables, options}, ...). Version and date are added.
            muscle_groups: muscle base name -> catalogue group, overriding :data:`MUSCLE_GROUPS`.
            contact_threshold_n: vertical GRF (N) above which a foot is in stance.
            unresolved: muscle name -> why the model cannot resolve it (e.g. beyond a sagittal
                model); other muscles are judged by their activation (``dataset.resolution``).
        """
        return cls(
            build_dataset(
                time,
                q=q,
                moments=moments,
                grf=grf,
                muscles=muscles,
                condition=condition,
                qd=qd,
                qdd=qdd,
                tendons=tendons,
                joint_reactions=joint_reactions,
                provenance=provenance,
                muscle_groups=muscle_groups,
                contact_threshold_n=contact_threshold_n,
                unresolved=unresolved,
            )
        )

    # ------------------------------------------------------------------ basics
    @property
    def condition(self) -> dict[str, Any]:
        """speed_m_s, grade, mass_kg, height_m (numbers) and gait ("run" or "walk")."""
        out: dict[str, Any] = {k: float(self.ds.attrs[k]) for k in CONDITION_KEYS}
        out["gait"] = str(self.ds.attrs.get("gait", "run"))
        return out

    @property
    def gait(self) -> str:
        """ "run" or "walk"."""
        return str(self.ds.attrs.get("gait", "run"))

    @property
    def provenance(self) -> dict[str, Any]:
        """Model, parameter sources, solver facts, version, date (decoded from JSON)."""
        return dict(json.loads(self.ds.attrs["provenance"]))

    @property
    def time(self) -> NDArray[np.float64]:
        """Sample times (s), a copy."""
        return self._t.copy()

    @property
    def mass(self) -> float:
        return float(self.ds.attrs["mass_kg"])

    @property
    def body_weight_n(self) -> float:
        """Body weight, N."""
        return self.mass * G

    @property
    def muscles(self) -> list[str]:
        """Muscle names, in the order of the ``muscle`` dimension."""
        return list(self._muscles)

    def __repr__(self) -> str:
        c = self.condition
        return (
            f"<GaitCycle {c['speed_m_s']:.2f} m/s, grade {c['grade']:+.3f}, "
            f"{self._t.size} samples, {len(self.muscles)} muscles>"
        )

    # ------------------------------------------------------------------ integration over phases
    def _integral(self, y: ArrayLike, phase: str = "stride", part: str = "all") -> float:
        """Integral over time of piecewise-linear ``y`` restricted to a phase and a sign.

        phase: 'stride', 'stance_r', 'swing_r', 'stance_l', 'swing_l' or 'float'.
        part: 'all', 'pos' (positive part) or 'neg' (negative part, a value <= 0).
        """
        t, thr = self._t, self._thr
        yv = np.asarray(y, dtype=float)
        fr, fl = self._fy["r"], self._fy["l"]
        cuts = [t]
        if phase != "stride":
            cuts += [_crossings(t, fr, thr), _crossings(t, fl, thr)]
        if part != "all":
            cuts.append(_crossings(t, yv, 0.0))
        t2 = np.unique(np.concatenate(cuts))
        dt = np.diff(t2)

        def mid(v: NDArray[np.float64]) -> NDArray[np.float64]:
            v2 = np.interp(t2, t, v)
            return np.asarray(0.5 * (v2[:-1] + v2[1:]))

        ym = mid(yv)
        keep = np.ones(dt.shape, dtype=bool)
        if phase != "stride":
            on = {"r": mid(fr) > thr, "l": mid(fl) > thr}
            if phase == "float":
                keep = ~on["r"] & ~on["l"]
            else:
                kind, _, side = phase.partition("_")
                if kind not in ("stance", "swing") or side not in on:
                    raise InputError(f"unknown phase {phase!r}; use stance_r, swing_l, float, ...")
                keep = on[side] if kind == "stance" else ~on[side]
        if part == "pos":
            keep = keep & (ym > 0)
        elif part == "neg":
            keep = keep & (ym < 0)
        return float(np.sum(ym * dt * keep))

    def phase_duration(self, phase: str) -> float:
        """Time (s) per stride spent in a phase ('stance_r', 'swing_l', 'float', 'stride')."""
        return self._integral(np.ones(self._t.size), phase)

    def phase_mean(self, y: ArrayLike, phase: str) -> float | None:
        """Time-weighted mean of ``y`` over a phase; None when the phase does not occur."""
        d = self.phase_duration(phase)
        return self._integral(y, phase) / d if d > 0 else None

    def phases(self) -> xr.Dataset:
        """Boolean masks at the samples: stance and swing (time, side), float (time)."""
        stance = self.ds["stance"]
        return xr.Dataset({"stance": stance, "swing": ~stance, "float": ~stance.any("side")})

    # ------------------------------------------------------------------ stride summaries
    @property
    def stride_time(self) -> float:
        """Stride time T (s), right foot strike to right foot strike."""
        t = self.time
        return float(t[-1] - t[0])

    @property
    def cadence(self) -> float:
        """Steps per minute = 120 / stride time (two steps per stride)."""
        return 120.0 / self.stride_time

    @property
    def stride_length(self) -> float:
        """Stride length (m) = speed * stride time (distance along the treadmill belt)."""
        return self.condition["speed_m_s"] * self.stride_time

    @property
    def contact_time(self) -> float:
        """Contact (stance) time (s): mean over both feet of the time in stance per stride."""
        return 0.5 * (self.phase_duration("stance_r") + self.phase_duration("stance_l"))

    @property
    def duty_factor(self) -> float:
        """Contact time / stride time."""
        return self.contact_time / self.stride_time

    @property
    def flight_fraction(self) -> float:
        """Fraction of the stride with both feet off the ground (float phases)."""
        return self.phase_duration("float") / self.stride_time

    def _grf_total(self, comp: str) -> NDArray[np.float64]:
        return np.asarray(self.ds["grf"].sel(component=comp).sum("side").values, dtype=float)

    def summary(self) -> Summary:
        """Stride summary (keys of the JSON contract's ``summary``); GRF of both feet summed.

        Braking is a backward (negative) fore-aft force, propulsion a forward one; both peaks are
        reported as positive numbers in body weights. The mean vertical GRF is time-weighted; it
        is 1 BW in steady running only when ``fy`` is along gravity (on a slope in the belt's frame
        it is cos(atan(grade)) BW). Cost of transport: see :attr:`cost_of_transport`.
        """
        bw = self.body_weight_n
        fy, fx = self._grf_total("fy"), self._grf_total("fx")
        return {
            "cadence_steps_per_min": self.cadence,
            "stride_length_m": self.stride_length,
            "stride_time_s": self.stride_time,
            "contact_time_s": self.contact_time,
            "duty_factor": self.duty_factor,
            "flight_fraction": self.flight_fraction,
            "peak_vertical_grf_bw": float(fy.max()) / bw,
            "mean_vertical_grf_bw": self._integral(fy) / self.stride_time / bw,
            "peak_braking_grf_bw": max(0.0, float(-fx.min())) / bw,
            "peak_propulsive_grf_bw": max(0.0, float(fx.max())) / bw,
            "cost_of_transport_j_per_kg_m": self.cost_of_transport,
            "peak_knee_flexion_swing_deg": self.peak_knee_flexion_swing_deg,
            "foot_angle_at_contact_deg": self.foot_angle_at_contact_deg,
            "strike": self.strike,
            "double_support_fraction": self.double_support_fraction,
            "trunk_lean_deg": self.trunk_lean_deg,
        }

    # ------------------------------------------------------------------ posture and strike
    def _q(self, dof: str) -> NDArray[np.float64] | None:
        dofs = [str(d) for d in self.ds["dof"].values]
        if dof not in dofs:
            return None
        return np.asarray(self.ds["q"].sel(dof=dof).values, dtype=float)

    @property
    def peak_knee_flexion_swing_deg(self) -> float | None:
        """Peak knee flexion (deg) while the same leg is in swing, mean of the legs present."""
        peaks = []
        for side in SIDES:
            knee = self._q(f"knee_{side}")
            if knee is None:
                continue
            swing = ~np.asarray(self.ds["stance"].sel(side=side).values, dtype=bool)
            if swing.any():
                peaks.append(float(np.degrees(knee[swing].max())))
        return float(np.mean(peaks)) if peaks else None

    @cached_property
    def _stance_knee(self) -> list[tuple[float, float, float]]:
        """Per leg present: knee flexion at first contact and its stance peak (deg), and the peak
        knee extension moment in stance (N m per kg body mass)."""
        out = []
        for side in SIDES:
            knee = self._q(f"knee_{side}")
            if knee is None:
                continue
            stance = np.asarray(self.ds["stance"].sel(side=side).values, dtype=bool)
            onsets = np.nonzero(stance & ~np.roll(stance, 1))[0]  # the stride is periodic
            if not stance.any() or onsets.size == 0:
                continue
            moment = np.asarray(self.ds["moment"].sel(dof=f"knee_{side}").values, dtype=float)
            out.append(
                (
                    float(np.degrees(knee[onsets[0]])),
                    float(np.degrees(knee[stance].max())),
                    float(-moment[stance].min() / self.mass),  # knee + is flexion: extension < 0
                )
            )
        return out

    @property
    def knee_flexion_at_contact_deg(self) -> float | None:
        """Knee flexion (deg) at first contact, mean of the legs present."""
        legs = self._stance_knee
        return float(np.mean([leg[0] for leg in legs])) if legs else None

    @property
    def peak_knee_flexion_stance_deg(self) -> float | None:
        """Peak knee flexion (deg) while the same leg is in stance, mean of the legs present."""
        legs = self._stance_knee
        return float(np.mean([leg[1] for leg in legs])) if legs else None

    @property
    def peak_knee_extension_moment_n_m_kg(self) -> float | None:
        """Peak knee extension moment in stance (N m per kg body mass), mean of the legs."""
        legs = self._stance_knee
        return float(np.mean([leg[2] for leg in legs])) if legs else None

    def _foot_angle(self, side: str) -> NDArray[np.float64] | None:
        """Sole angle to the belt (rad, + toes up): pelvis tilt + hip - knee + ankle."""
        tilt, hip = self._q("pelvis_tilt"), self._q(f"hip_{side}")
        knee, ankle = self._q(f"knee_{side}"), self._q(f"ankle_{side}")
        if tilt is None or hip is None or knee is None or ankle is None:
            return None
        return tilt + hip - knee + ankle

    @property
    def foot_angle_at_contact_deg(self) -> float | None:
        """Sole-to-belt angle (deg) at first contact, + = toes up (heel first); mean of the legs'
        contacts (the instant the foot's vertical GRF rises through the contact threshold)."""
        angles = []
        for side in SIDES:
            foot = self._foot_angle(side)
            fy = np.asarray(self.ds["grf"].sel(side=side, component="fy").values, dtype=float)
            if foot is None:
                continue
            thr = float(self.ds.attrs["contact_threshold_n"])
            up = np.nonzero((fy[:-1] <= thr) & (fy[1:] > thr))[0]
            if up.size == 0 and fy[0] > thr and fy[-1] <= thr * 1.5:
                up = np.array([0])  # contact at the start of the stride
            for k in up[:1]:
                w = 0.0 if fy[k + 1] == fy[k] else (thr - fy[k]) / (fy[k + 1] - fy[k])
                w = float(np.clip(w, 0.0, 1.0))
                angles.append(float(np.degrees(foot[k] + w * (foot[k + 1] - foot[k]))))
        return float(np.mean(angles)) if angles else None

    @property
    def strike(self) -> str | None:
        """ "rearfoot", "midfoot" or "forefoot" from the foot angle at contact, with the
        thresholds of Altman & Davis 2012 (Gait Posture 35:298): above 8.0 deg rearfoot, below
        -1.6 deg forefoot, midfoot between."""
        angle = self.foot_angle_at_contact_deg
        if angle is None:
            return None
        if angle > 8.0:
            return "rearfoot"
        if angle < -1.6:
            return "forefoot"
        return "midfoot"

    @property
    def double_support_fraction(self) -> float:
        """Fraction of the stride with both feet on the ground (0 in running)."""
        st = np.asarray(self.ds["stance"].transpose("time", "side").values, dtype=bool)
        both = st.all(axis=1).astype(float)
        return self._integral(both) / self.stride_time

    @property
    def trunk_lean_deg(self) -> float | None:
        """Mean trunk angle from the vertical of gravity (deg), + forward. The trunk's absolute
        angle in the belt frame is pelvis_tilt + lumbar (counter-clockwise = backward); on a
        slope the belt normal is tilted back from the vertical by atan(grade)."""
        tilt, lumbar = self._q("pelvis_tilt"), self._q("lumbar")
        if tilt is None or lumbar is None:
            return None
        lean = -(tilt + lumbar) - np.arctan(float(self.ds.attrs["grade"]))
        return float(np.degrees(self._integral(lean) / self.stride_time))

    # ------------------------------------------------------------------ joints
    def _joint_side(self, dof: str) -> Summary:
        m = np.asarray(self.ds["moment"].sel(dof=dof).values, dtype=float)
        p = np.asarray(self.ds["power"].sel(dof=dof).values, dtype=float)
        side = dof[-1]
        mass = self.mass

        def block(phase: str) -> Summary:
            return {
                "positive_work_j_per_kg": self._integral(p, phase, "pos") / mass,
                "negative_work_j_per_kg": self._integral(p, phase, "neg") / mass,
            }

        out: Summary = {
            "peak_extension_moment_nm_per_kg": max(0.0, float(-m.min())) / mass,
            "peak_flexion_moment_nm_per_kg": max(0.0, float(m.max())) / mass,
            **block("stride"),
        }
        stance = np.asarray(self.ds["stance"].sel(side=side).values, dtype=bool)
        for ph, mask in (("stance", stance), ("swing", ~stance)):
            part = m[mask]  # peaks within a phase: over the samples in that phase
            out[ph] = {
                "peak_extension_moment_nm_per_kg": max(0.0, float(-part.min(initial=0.0))) / mass,
                "peak_flexion_moment_nm_per_kg": max(0.0, float(part.max(initial=0.0))) / mass,
                **block(f"{ph}_{side}"),
            }
        return out

    def joint_summary(self, joint: str, side: str | None = None) -> Summary:
        """Peak moments (N m/kg, >= 0) and work (J/kg per stride) of hip, knee or ankle.

        Extension (plantarflexion at the ankle) = negative moment, flexion = positive moment.
        Positive work integrates the positive part of power, negative work the negative part
        (reported <= 0). Each is also split by the same leg's stance and swing. With ``side=None``
        every number is the mean of the sides present (per leg, per stride).
        """
        if joint not in JOINTS:
            raise UnknownNameError(
                f"unknown joint {joint!r}; use hip, knee or ankle", close_names(joint, JOINTS)
            )
        dofs = [str(d) for d in self.ds["dof"].values]
        sides = [side] if side else [s for s in SIDES if f"{joint}_{s}" in dofs]
        if not sides or any(f"{joint}_{s}" not in dofs for s in sides):
            raise InputError(f"this cycle has no {joint} moment for side {side or 'r/l'}")
        parts = [self._joint_side(f"{joint}_{s}") for s in sides]
        return _mean_dicts(parts)

    def _has(self, joint: str) -> bool:
        dofs = {str(d) for d in self.ds["dof"].values}
        return any(f"{joint}_{s}" in dofs for s in SIDES)

    # ------------------------------------------------------------------ muscles
    def _muscle(self, var: str, name: str) -> NDArray[np.float64]:
        if name not in self._muscles:
            raise UnknownNameError(
                f"unknown muscle {name!r} in this cycle", close_names(name, self._muscles)
            )
        if var not in self._series:
            values = self.ds[var].transpose("time", "muscle").values
            self._series[var] = np.asarray(values, dtype=float)
        return self._series[var][:, self._muscles.index(name)]

    def unresolved_reason(self, name: str) -> str:
        """Why the model does not resolve this muscle's numbers ("" when it does): at its
        activation floor all stride, pinned at full activation, or beyond a sagittal model."""
        self._muscle("activation", name)  # checks the name
        i = self._muscles.index(name)
        if "unresolved_reason" in self.ds:
            return str(self.ds["unresolved_reason"].values[i])
        return resolution(self._muscle("activation", name))

    def resolved(self, name: str) -> bool:
        """True when the model resolves this muscle's numbers (see :meth:`unresolved_reason`)."""
        return not self.unresolved_reason(name)

    def fibre_work(self, name: str) -> tuple[float, float]:
        """(concentric, eccentric) fibre work per stride (J), both >= 0.

        Concentric = integral of F * (-v_fibre) while shortening (v < 0), work done by the muscle;
        eccentric = integral of F * v_fibre while lengthening, work absorbed. F is the stored muscle
        force, so concentric - eccentric = -integral(F v_fibre dt).
        """
        p = -self._muscle("force", name) * self._muscle("fibre_velocity", name)
        return self._integral(p, "stride", "pos"), -self._integral(p, "stride", "neg")

    def metabolic_energy(self, name: str | None = None) -> float:
        """Metabolic energy per stride (J) of one muscle, or of all muscles when name is None."""
        names = [name] if name else self.muscles
        return float(sum(self._integral(self._muscle("metabolic_rate", m)) for m in names))

    @property
    def cost_of_transport(self) -> float:
        """Net metabolic cost of transport (J/kg/m) = muscle metabolic energy per stride / (mass *
        stride length). Net: only the muscles' metabolic rates (basal rate excluded)."""
        return self.metabolic_energy() / (self.mass * self.stride_length)

    def _phase_name(self, phase: str, side: str) -> str:
        # unpaired (mid) muscles use the right foot's stance and swing
        return "float" if phase == "float" else f"{phase}_{'r' if side == 'mid' else side}"

    def muscle_summary(self, name: str) -> Summary:
        """Per-muscle summary (keys of the JSON contract's ``muscles`` items).

        activation_by_phase: time-weighted mean activation over stance and swing of the muscle's own
        side (right for unpaired muscles) and over float; None where the phase does not occur.
        peak_activation_at: fraction of the stride (0..1) from right foot strike.
        """
        a = self._muscle("activation", name)
        i = self.muscles.index(name)
        side = str(self.ds["muscle_side"].values[i])
        conc, ecc = self.fibre_work(name)
        t = self.time
        return {
            "name": name,
            "group": str(self.ds["muscle_group"].values[i]),
            "side": side,
            "peak_activation": float(a.max()),
            "mean_activation": self._integral(a) / self.stride_time,
            "peak_force_n": float(self._muscle("force", name).max()),
            "concentric_work_j": conc,
            "eccentric_work_j": ecc,
            "metabolic_energy_j": self.metabolic_energy(name),
            "activation_by_phase": {
                ph: self.phase_mean(a, self._phase_name(ph, side)) for ph in PHASES
            },
            "peak_activation_at": float((t[int(np.argmax(a))] - t[0]) / self.stride_time),
            "resolved": self.resolved(name),
            "unresolved_reason": self.unresolved_reason(name) or None,
        }

    def muscle_table(self) -> xr.Dataset:
        """Per-muscle scalars per stride along ``muscle`` (for load and atlas code).

        Variables: concentric_work, eccentric_work, metabolic_energy (J), peak_force (N),
        peak_activation, mean_activation (1), and activation_stance/_swing/_float (1; NaN where
        the phase does not occur, e.g. no float phase in slow jogging).
        """
        rows = [self.muscle_summary(m) for m in self.muscles]
        spec = {
            "concentric_work": ("concentric_work_j", "J"),
            "eccentric_work": ("eccentric_work_j", "J"),
            "metabolic_energy": ("metabolic_energy_j", "J"),
            "peak_force": ("peak_force_n", "N"),
            "peak_activation": ("peak_activation", "1"),
            "mean_activation": ("mean_activation", "1"),
        }
        out = xr.Dataset(coords={k: self.ds[k] for k in ("muscle", "muscle_group", "muscle_side")})
        for var, (key, unit) in spec.items():
            out[var] = ("muscle", np.array([r[key] for r in rows], dtype=float), {"units": unit})
        for ph in PHASES:
            vals = [r["activation_by_phase"][ph] for r in rows]
            arr = np.array([np.nan if v is None else v for v in vals], dtype=float)
            out[f"activation_{ph}"] = ("muscle", arr, {"units": "1"})
        return out

    def group_summary(self, group: str, side: str) -> Summary:
        """Sum over the muscles of a catalogue group on one side ('r', 'l' or 'mid').

        Works (J), metabolic energy (J) and the peak of the summed force (N) are sums over members;
        activation_by_phase and mean/peak activation are unweighted means over members.
        """
        members = [
            m
            for m, g, s in zip(
                self.muscles,
                self.ds["muscle_group"].values,
                self.ds["muscle_side"].values,
                strict=True,
            )
            if g == group and s == side
        ]
        if not members:
            known = sorted(set(map(str, self.ds["muscle_group"].values)))
            raise UnknownNameError(
                f"no muscle of group {group!r} on side {side!r}; groups: {', '.join(known)}",
                close_names(group, known),
            )
        items = [self.muscle_summary(m) for m in members]
        force = sum(self._muscle("force", m) for m in members)
        out: Summary = {"group": group, "side": side, "muscles": members}
        for k in ("concentric_work_j", "eccentric_work_j", "metabolic_energy_j"):
            out[k] = float(sum(it[k] for it in items))
        out["peak_force_n"] = float(np.max(force))
        for k in ("peak_activation", "mean_activation"):
            out[k] = float(np.mean([it[k] for it in items]))
        out["activation_by_phase"] = _mean_dicts([it["activation_by_phase"] for it in items])
        return out

    # ------------------------------------------------------------------ tendons, joint loads
    def tendon_peak_bw(self, tendon: str, side: str | None = None) -> float | None:
        """Peak force of 'achilles' or 'patellar' in BW (mean of side peaks if side is None)."""
        names = [str(n) for n in self.ds["tendon"].values]
        keys = [f"{tendon}_{s}" for s in ([side] if side else SIDES) if f"{tendon}_{s}" in names]
        if not keys:
            return None
        peaks = [float(self.ds["tendon_force"].sel(tendon=k).max()) for k in keys]
        return float(np.mean(peaks)) / self.body_weight_n

    def joint_load_peak_bw(self, joint: str, side: str | None = None) -> float | None:
        """Peak joint reaction force of hip/knee/ankle in BW (mean of side peaks if side is None);
        None when the cycle carries no joint reactions."""
        if "joint_reaction" not in self.ds:
            return None
        jr = self.ds["joint_reaction"].sel(joint=joint)
        peaks = [float(jr.sel(side=s).max()) for s in ([side] if side else SIDES)]
        return float(np.mean(peaks)) / self.body_weight_n

    # ------------------------------------------------------------------ JSON, files, resampling
    def to_json(self) -> Summary:
        """The JSON contract of issue 4 section 3 (SI units, per stride): plain Python values.

        Quantities the cycle does not carry are None (null): a joint without moments, tendons
        without their muscles, joint loads without joint reactions, solver facts not in the
        provenance, a float phase that does not occur.
        """
        solver = self.provenance.get("solver") or {}
        return {
            "condition": self.condition,
            "summary": self.summary(),
            "joints": {j: self.joint_summary(j) if self._has(j) else None for j in JOINTS},
            "muscles": [self.muscle_summary(m) for m in self.muscles],
            "tendons": {
                "achilles_peak_force_bw": self.tendon_peak_bw("achilles"),
                "patellar_peak_force_bw": self.tendon_peak_bw("patellar"),
            },
            "joint_loads": {j: self.joint_load_peak_bw(j) for j in JOINTS},
            "reserves": self.provenance.get("reserves"),
            "warnings": list(self.provenance.get("warnings") or []),
            "solver": {
                k: solver.get(k)
                for k in (
                    "status",
                    "iterations",
                    "wall_time_s",
                    "nlp_variables",
                    "objective",
                    "objective_terms",
                    "guesses_tried",
                    "guess_kept",
                )
            },
        }

    def save(self, path: str | Path) -> Path:
        """Write the cycle as netCDF-4 (h5netcdf engine); returns the path."""
        path = Path(path)
        try:
            self.ds.to_netcdf(path, engine="h5netcdf")
        except OSError as exc:
            msg = f"cannot write {path}: {exc}; check the folder exists and is writable"
            raise InputError(msg) from exc
        return path

    @classmethod
    def load(cls, path: str | Path) -> GaitCycle:
        """Read a cycle written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"no such file: {path}")
        try:
            with xr.open_dataset(path, engine="h5netcdf") as opened:
                ds = opened.load()
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"{path} is not a readable netCDF file: {exc}") from exc
        if ds.attrs.get("kind") != KIND:
            raise FileFormatError(f"{path} is netCDF but not a runmuscles GaitCycle")
        return cls(ds)

    def resample(self, n: int = 101) -> GaitCycle:
        """The same stride on ``n`` equally spaced samples (0..100 % of the stride, both ends).

        Every series is linearly interpolated; stance masks are recomputed from the resampled GRF.
        Peaks can only shrink (linear interpolation does not overshoot).
        """
        if int(n) < 3:
            raise InputError(f"resample needs n >= 3 samples, got {n}")
        t = self.time
        t2 = t[0] + self.stride_time * np.linspace(0.0, 1.0, int(n))
        out = xr.Dataset(attrs=dict(self.ds.attrs))
        coords = {k: v for k, v in self.ds.coords.items() if "time" not in v.dims}
        out = out.assign_coords(coords)
        for name, var in self.ds.data_vars.items():
            if name == "stance":
                continue
            if "time" not in var.dims:
                out[name] = var
                continue
            arr = np.moveaxis(var.values, var.dims.index("time"), 0)
            flat = arr.reshape(arr.shape[0], -1)
            new = np.empty((t2.size, flat.shape[1]))
            for k in range(flat.shape[1]):
                new[:, k] = np.interp(t2, t, flat[:, k])
            new = new.reshape((t2.size, *arr.shape[1:]))
            out[name] = (("time", *(d for d in var.dims if d != "time")), new, dict(var.attrs))
        out = out.assign_coords(
            time=("time", t2, dict(self.ds["time"].attrs)),
            stride_fraction=("time", (t2 - t2[0]) / (t2[-1] - t2[0]), {"units": "1"}),
        )
        fy = out["grf"].sel(component="fy").transpose("time", "side").values
        thr = float(self.ds.attrs["contact_threshold_n"])
        out["stance"] = (("time", "side"), fy > thr, dict(self.ds["stance"].attrs))
        return GaitCycle(out[list(self.ds.data_vars)])


def _mean_dicts(items: list[Any]) -> Any:
    """Element-wise mean of equally shaped nested dicts of numbers (None stays None)."""
    first = items[0]
    if isinstance(first, dict):
        return {k: _mean_dicts([it[k] for it in items]) for k in first}
    values = [v for v in items if v is not None]
    return float(np.mean(values)) if values else None
