"""GaitCycle: one running stride as named time series, its phases and its summaries.

A :class:`GaitCycle` wraps an :class:`xarray.Dataset` (``cycle.ds``). It is built from plain arrays
(:meth:`GaitCycle.from_arrays`), so predictive simulation, static optimisation and file readers all
produce the same object.

Conventions
-----------
* Time: ``time`` (s) holds N >= 3 strictly increasing samples from a right foot strike ``t0`` to the
  next right foot strike ``t0 + T`` **included** (the last sample closes the stride; periodic
  quantities repeat their first value there). The stride time is ``T = time[-1] - time[0]``.
  ``stride_fraction`` (0..1) is the matching coordinate on ``time``.
* Integrals over time treat every series as piecewise linear between samples and split each interval
  exactly where a sign or a contact changes, so positive/negative parts and phase splits add up to
  the trapezoidal integral over the stride.
* Phases, per side, from that foot's vertical GRF ``fy`` and a threshold (default 20 N): stance
  where ``fy > threshold``, swing otherwise; float where both feet are in swing.
* Signs follow the project convention (knee + = flexion, ankle + = dorsiflexion, hip + = flexion),
  so for hip, knee and ankle an *extension* moment (plantarflexion at the ankle) is negative.
* Body weight BW = mass * g (g = units.G). "per kg" divides by mass.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles import __version__
from runmuscles.errors import FileFormatError, InputError, UnknownNameError
from runmuscles.units import G

__all__ = ["DOFS", "MUSCLE_GROUPS", "PHASES", "GaitCycle"]

#: Generalised coordinates of the runner model (COMMON conventions); a cycle may hold a subset.
DOFS: tuple[str, ...] = (
    "pelvis_tx", "pelvis_ty", "pelvis_tilt", "lumbar",
    "hip_r", "hip_l", "knee_r", "knee_l", "ankle_r", "ankle_l", "mtp_r", "mtp_l",
    "shoulder_r", "shoulder_l", "elbow_r", "elbow_l",
)  # fmt: skip
#: Model muscle base name -> catalogue group id (the project conventions; anatomy catalogue).
MUSCLE_GROUPS: dict[str, str] = {
    "glut_max": "gluteals", "iliopsoas": "hip_flexors", "hamstrings": "hamstrings",
    "bifemsh": "hamstrings", "rect_fem": "quadriceps", "vasti": "quadriceps",
    "gastroc": "calves", "soleus": "calves", "tib_ant": "tibialis_anterior",
    "toe_flexors": "foot", "foot_intrinsics": "foot", "rect_abd": "abdominals",
    "erector_spinae": "back_extensors", "delt_ant": "deltoids", "delt_post": "deltoids",
    "biceps": "biceps", "triceps": "triceps",
}  # fmt: skip
#: Per-muscle series: name -> (unit, description). All are required by ``from_arrays``.
MUSCLE_FIELDS: dict[str, tuple[str, str]] = {
    "excitation": ("1", "neural excitation, 0..1"),
    "activation": ("1", "muscle activation, 0..1"),
    "force": ("N", "muscle (tendon) force"),
    "fibre_length": ("m", "fibre length"),
    "fibre_velocity": ("m/s", "fibre lengthening velocity; negative = shortening"),
    "mtu_velocity": ("m/s", "muscle-tendon unit lengthening velocity; negative = shortening"),
    "metabolic_rate": ("W", "muscle metabolic rate (heat + work), basal excluded"),
}
#: Tendon -> muscles whose forces it carries (simplification: patellar = quadriceps tendon force).
TENDON_MUSCLES: dict[str, tuple[str, ...]] = {
    "achilles": ("soleus", "gastroc"),
    "patellar": ("vasti", "rect_fem"),
}
JOINTS: tuple[str, ...] = ("hip", "knee", "ankle")
SIDES: tuple[str, ...] = ("r", "l")
PHASES: tuple[str, ...] = ("stance", "swing", "float")
CONDITION_KEYS: tuple[str, ...] = ("speed_m_s", "grade", "mass_kg", "height_m")
DEFAULT_CONTACT_THRESHOLD_N = 20.0
_KIND = "runmuscles.GaitCycle"

Series = Mapping[str, ArrayLike]
Summary = dict[str, Any]


def _close(name: str, known: Iterable[str]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(name, list(known), n=3))


def _series(what: str, key: str, value: ArrayLike, n: int) -> NDArray[np.float64]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{what} {key!r} is not numeric ({exc}); give one number per sample"
        ) from exc
    if arr.shape != (n,):
        raise InputError(
            f"{what} {key!r} has shape {arr.shape}, expected ({n},): one value per time sample"
        )
    return arr


def _split_side(name: str) -> tuple[str, str]:
    """'soleus_r' -> ('soleus', 'r'); a name without _r/_l is unpaired ('mid')."""
    if name.endswith(("_r", "_l")):
        return name[:-2], name[-1]
    return name, "mid"


def _crossings(t: NDArray[np.float64], y: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    """Times where the piecewise-linear interpolant of ``y`` crosses ``level`` strictly."""
    g = y - level
    idx = np.nonzero(g[:-1] * g[1:] < 0)[0]
    frac = g[idx] / (g[idx] - g[idx + 1])
    return np.asarray(t[idx] + frac * (t[idx + 1] - t[idx]))


class GaitCycle:
    """One stride of running as an xarray Dataset with derived quantities.

    Build it with :meth:`from_arrays` or :meth:`load`; the constructor only validates a Dataset
    (finite values, the variables and attributes this class needs). See the module docstring for the
    time, phase and sign conventions.
    """

    def __init__(self, ds: xr.Dataset) -> None:
        if ds.attrs.get("kind") != _KIND:
            raise InputError(
                "this Dataset is not a GaitCycle; build one with GaitCycle.from_arrays"
            )
        for name in ("q", "qd", "moment", "grf", "stance"):
            if name not in ds:
                raise InputError(f"GaitCycle dataset lacks the variable {name!r}")
        _check_finite(ds)
        self.ds = ds

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
        """
        t = np.asarray(time, dtype=float)
        if t.ndim != 1 or t.size < 3 or not np.all(np.isfinite(t)):
            raise InputError("time must be a finite 1-D array of at least 3 samples (s)")
        if np.any(np.diff(t) <= 0):
            raise InputError("time must be strictly increasing (s); sort or de-duplicate samples")
        n = t.size
        cond = _condition(condition)
        if not np.isfinite(contact_threshold_n) or contact_threshold_n <= 0:
            raise InputError(f"contact_threshold_n={contact_threshold_n} must be a positive force")

        dofs = list(q)
        for name in dofs:
            if name not in DOFS:
                raise UnknownNameError(
                    f"unknown DOF {name!r} in q; known: {', '.join(DOFS)}", _close(name, DOFS)
                )
        _same_keys("moments", moments, dofs)
        qa = np.stack([_series("q", k, q[k], n) for k in dofs], axis=1)
        ma = np.stack([_series("moment", k, moments[k], n) for k in dofs], axis=1)
        derived = []
        if qd is None:
            qda = np.gradient(qa, t, axis=0)
            derived.append("qd")
        else:
            _same_keys("qd", qd, dofs)
            qda = np.stack([_series("qd", k, qd[k], n) for k in dofs], axis=1)
        if qdd is None:
            qdda = np.gradient(qda, t, axis=0)
            derived.append("qdd")
        else:
            _same_keys("qdd", qdd, dofs)
            qdda = np.stack([_series("qdd", k, qdd[k], n) for k in dofs], axis=1)

        if set(grf) != set(SIDES):
            raise InputError("grf must map both sides 'r' and 'l' to {'fx': ..., 'fy': ...} (N)")
        grfa = np.zeros((n, 2, 2))
        for j, side in enumerate(SIDES):
            for c, comp in enumerate(("fx", "fy")):
                if comp not in grf[side]:
                    raise InputError(f"grf[{side!r}] lacks {comp!r} (N)")
                grfa[:, j, c] = _series("grf", f"{comp}_{side}", grf[side][comp], n)

        groups_map = {**MUSCLE_GROUPS, **(muscle_groups or {})}
        names = list(muscles)
        m_group, m_side = [], []
        fields = {f: np.zeros((n, len(names))) for f in MUSCLE_FIELDS}
        for i, name in enumerate(names):
            base, side = _split_side(name)
            if base not in groups_map:
                raise UnknownNameError(
                    f"unknown muscle {name!r}; known base names (suffix _r/_l): "
                    f"{', '.join(groups_map)}; or pass muscle_groups={{{base!r}: 'group_id'}}",
                    _close(base, groups_map),
                )
            m_group.append(groups_map[base])
            m_side.append(side)
            for f in MUSCLE_FIELDS:
                if f not in muscles[name]:
                    raise InputError(f"muscle {name!r} lacks {f!r} ({MUSCLE_FIELDS[f][0]})")
                fields[f][:, i] = _series(f"muscle {name}", f, muscles[name][f], n)

        if tendons is None:
            tendons = {}
            for tendon, members in TENDON_MUSCLES.items():
                for side in SIDES:
                    have = [names.index(f"{m}_{side}") for m in members if f"{m}_{side}" in names]
                    if have:
                        tendons[f"{tendon}_{side}"] = fields["force"][:, have].sum(axis=1)
            tendon_source = "sum of muscle forces: " + json.dumps(TENDON_MUSCLES)
        else:
            tendon_source = "given"
        t_names = list(tendons)
        ta = np.zeros((n, len(t_names)))
        for i, k in enumerate(t_names):
            if k.rsplit("_", 1)[0] not in TENDON_MUSCLES or _split_side(k)[1] == "mid":
                raise UnknownNameError(f"unknown tendon {k!r}; use achilles_r/l, patellar_r/l")
            ta[:, i] = _series("tendon", k, tendons[k], n)

        ds = xr.Dataset(
            coords={
                "time": ("time", t, {"units": "s", "long_name": "time from right foot strike"}),
                "stride_fraction": ("time", (t - t[0]) / (t[-1] - t[0]), {"units": "1"}),
                "dof": dofs,
                "side": list(SIDES),
                "component": ["fx", "fy"],
                "muscle": names,
                "muscle_group": ("muscle", m_group, {"long_name": "catalogue group id"}),
                "muscle_side": ("muscle", m_side, {"long_name": "r, l or mid"}),
                "tendon": t_names,
            }
        )
        unit_q = "rad (m for pelvis_tx, pelvis_ty)"
        ds["q"] = (("time", "dof"), qa, {"units": unit_q, "long_name": "generalised coordinate"})
        ds["qd"] = (("time", "dof"), qda, {"units": unit_q + " per s"})
        ds["qdd"] = (("time", "dof"), qdda, {"units": unit_q + " per s^2"})
        ds["moment"] = (("time", "dof"), ma, {"units": "N m (N for translations)"})
        ds["power"] = (("time", "dof"), ma * qda, {"units": "W", "long_name": "moment * qd"})
        ds["grf"] = (
            ("time", "side", "component"),
            grfa,
            {
                "units": "N",
                "long_name": "ground reaction force; fx fore-aft (+ forward), fy vertical",
            },
        )
        ds["stance"] = (
            ("time", "side"),
            grfa[:, :, 1] > contact_threshold_n,
            {"long_name": "foot in stance: vertical GRF above contact_threshold_n"},
        )
        for f, (unit, text) in MUSCLE_FIELDS.items():
            ds[f] = (("time", "muscle"), fields[f], {"units": unit, "long_name": text})
        ds["tendon_force"] = (("time", "tendon"), ta, {"units": "N", "source": tendon_source})
        if joint_reactions is not None:
            ja = np.zeros((n, len(JOINTS), 2))
            for k in joint_reactions:
                base, side = _split_side(k)
                if base not in JOINTS or side == "mid":
                    raise UnknownNameError(f"unknown joint reaction {k!r}; use e.g. 'knee_r'")
            for i, joint in enumerate(JOINTS):
                for j, side in enumerate(SIDES):
                    key = f"{joint}_{side}"
                    if key not in joint_reactions:
                        raise InputError(
                            f"joint_reactions lacks {key!r} (N); give all of hip, "
                            "knee, ankle for both sides or none"
                        )
                    ja[:, i, j] = _series("joint reaction", key, joint_reactions[key], n)
            ds = ds.assign_coords(joint=list(JOINTS))
            ds["joint_reaction"] = (
                ("time", "joint", "side"),
                ja,
                {"units": "N", "long_name": "joint reaction force magnitude"},
            )

        prov = dict(provenance or {})
        prov.setdefault("runmuscles_version", __version__)
        prov.setdefault("created", _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
        try:
            prov_json = json.dumps(prov, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            msg = f"provenance must be JSON-serialisable (plain numbers, text): {exc}"
            raise InputError(msg) from exc
        ds.attrs = {
            "kind": _KIND,
            **cond,
            "contact_threshold_n": float(contact_threshold_n),
            "qd_source": "finite differences of q: " + ", ".join(derived) if derived else "given",
            "provenance": prov_json,
            "time_convention": "right foot strike to next right foot strike, endpoint included",
            "units_note": "SI; see each variable's 'units' attribute",
        }
        return cls(ds)

    # ------------------------------------------------------------------ basics
    @property
    def condition(self) -> dict[str, float]:
        """speed_m_s, grade, mass_kg, height_m."""
        return {k: float(self.ds.attrs[k]) for k in CONDITION_KEYS}

    @property
    def provenance(self) -> dict[str, Any]:
        """Model, parameter sources, solver facts, version, date (decoded from JSON)."""
        return dict(json.loads(self.ds.attrs["provenance"]))

    @property
    def time(self) -> NDArray[np.float64]:
        return np.asarray(self.ds["time"].values, dtype=float)

    @property
    def mass(self) -> float:
        return float(self.ds.attrs["mass_kg"])

    @property
    def body_weight_n(self) -> float:
        """Body weight, N."""
        return self.mass * G

    @property
    def muscles(self) -> list[str]:
        return [str(m) for m in self.ds["muscle"].values]

    def __repr__(self) -> str:
        c = self.condition
        return (
            f"<GaitCycle {c['speed_m_s']:.2f} m/s, grade {c['grade']:+.3f}, "
            f"{self.time.size} samples, {len(self.muscles)} muscles>"
        )

    # ------------------------------------------------------------------ integration over phases
    def _fy(self, side: str) -> NDArray[np.float64]:
        return np.asarray(self.ds["grf"].sel(side=side, component="fy").values, dtype=float)

    def _integral(self, y: ArrayLike, phase: str = "stride", part: str = "all") -> float:
        """Integral over time of piecewise-linear ``y`` restricted to a phase and a sign.

        phase: 'stride', 'stance_r', 'swing_r', 'stance_l', 'swing_l' or 'float'.
        part: 'all', 'pos' (positive part) or 'neg' (negative part, a value <= 0).
        """
        t = self.time
        yv = np.asarray(y, dtype=float)
        thr = float(self.ds.attrs["contact_threshold_n"])
        fr, fl = self._fy("r"), self._fy("l")
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
        return self._integral(np.ones(self.time.size), phase)

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
        reported as positive numbers in body weights. The mean vertical GRF is time-weighted.
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
        }

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
                f"unknown joint {joint!r}; use hip, knee or ankle", _close(joint, JOINTS)
            )
        dofs = [str(d) for d in self.ds["dof"].values]
        sides = [side] if side else [s for s in SIDES if f"{joint}_{s}" in dofs]
        if not sides or any(f"{joint}_{s}" not in dofs for s in sides):
            raise InputError(f"this cycle has no {joint} moment for side {side or 'r/l'}")
        parts = [self._joint_side(f"{joint}_{s}") for s in sides]
        return _mean_dicts(parts)

    # ------------------------------------------------------------------ muscles
    def _muscle(self, var: str, name: str) -> NDArray[np.float64]:
        if name not in self.muscles:
            raise UnknownNameError(
                f"unknown muscle {name!r} in this cycle", _close(name, self.muscles)
            )
        return np.asarray(self.ds[var].sel(muscle=name).values, dtype=float)

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
        }

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
                _close(group, known),
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
        """The JSON contract of issue 4 section 3 (SI units, per stride): plain Python values."""
        solver = self.provenance.get("solver") or {}
        return {
            "condition": self.condition,
            "summary": self.summary(),
            "joints": {j: self.joint_summary(j) for j in JOINTS},
            "muscles": [self.muscle_summary(m) for m in self.muscles],
            "tendons": {
                "achilles_peak_force_bw": self.tendon_peak_bw("achilles"),
                "patellar_peak_force_bw": self.tendon_peak_bw("patellar"),
            },
            "joint_loads": {j: self.joint_load_peak_bw(j) for j in JOINTS},
            "solver": {
                k: solver.get(k) for k in ("status", "iterations", "wall_time_s", "nlp_variables")
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
        if ds.attrs.get("kind") != _KIND:
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
            arr = np.moveaxis(var.values, var.dims.index("time"), 0)
            flat = arr.reshape(arr.shape[0], -1)
            new = np.stack([np.interp(t2, t, flat[:, k]) for k in range(flat.shape[1])], axis=1)
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


# ---------------------------------------------------------------------- helpers
def _condition(condition: Mapping[str, float]) -> dict[str, float]:
    missing = [k for k in CONDITION_KEYS if k not in condition]
    if missing:
        raise InputError(f"condition lacks {', '.join(missing)}; give {', '.join(CONDITION_KEYS)}")
    out = {}
    for k in CONDITION_KEYS:
        try:
            out[k] = float(condition[k])
        except (TypeError, ValueError) as exc:
            raise InputError(f"condition {k}={condition[k]!r} is not a number") from exc
        if not np.isfinite(out[k]):
            raise InputError(f"condition {k}={condition[k]!r} is not finite")
    for k in ("speed_m_s", "mass_kg", "height_m"):
        if out[k] <= 0:
            raise InputError(f"condition {k}={out[k]} must be positive")
    return out


def _same_keys(what: str, given: Mapping[str, Any], dofs: list[str]) -> None:
    if set(given) != set(dofs):
        raise InputError(
            f"{what} must have the same DOFs as q; differ in {sorted(set(given) ^ set(dofs))}"
        )


def _check_finite(ds: xr.Dataset) -> None:
    """Refuse NaN/inf anywhere: name the variable, the sample and its time."""
    for name, var in [*ds.data_vars.items(), *ds.coords.items()]:
        values = np.asarray(var.values)
        if values.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(values)
        if bad.any():
            where = np.unravel_index(int(np.argmax(bad)), values.shape)
            label = ", ".join(
                f"{d}={ds[d].values[i]}" if d in ds.coords else f"{d}[{i}]"
                for d, i in zip(var.dims, where, strict=True)
            )
            raise InputError(
                f"GaitCycle variable {name!r} is not finite at {label}; a stride must be finite: "
                "check that the solve converged or that the input file is complete"
            )


def _mean_dicts(items: list[Any]) -> Any:
    """Element-wise mean of equally shaped nested dicts of numbers (None stays None)."""
    first = items[0]
    if isinstance(first, dict):
        return {k: _mean_dicts([it[k] for it in items]) for k in first}
    values = [v for v in items if v is not None]
    return float(np.mean(values)) if values else None
