"""What the atlas stores per condition, extracted from a :class:`~runmuscles.cycle.GaitCycle`.

Per stride (right foot strike to right foot strike), SI units:

* per catalogue **group**, both legs summed (unpaired trunk muscles counted once):
  ``concentric_work_j`` and ``eccentric_work_j`` (fibre work, J), ``impulse_ns`` (integral of the
  members' summed force over the stride, N s), ``metabolic_energy_j`` (J); ``peak_force_n`` is the
  peak over the stride of the summed force of the group's members in ONE leg, the larger of the
  two legs (left and right peaks occur at different times, so adding them would describe no
  instant of the stride);
* **tendons** (achilles = soleus + gastroc, patellar = vasti + rect_fem, per leg; see
  :data:`runmuscles.cycle.TENDON_MUSCLES`): ``*_peak_force_n`` the larger per-leg peak (N),
  ``*_impulse_ns`` summed over both legs (N s);
* **stride**: the keys of :meth:`GaitCycle.summary` (stride and contact times s, cadence
  steps/min, duty factor, flight fraction, GRF peaks and mean in body weights, cost of transport
  J/kg/m), all muscles' ``total_metabolic_energy_j`` and joint contact load peaks
  ``{hip,knee,ankle}_load_peak_bw`` (larger leg, BW; NaN when the cycle has none);
* per **muscle** (each side separately): fibre works, metabolic energy (J), peak force (N), peak
  and mean activation and mean activation in stance/swing/float (NaN where a phase does not
  occur), and the activation curve resampled to :data:`CURVE_POINTS` points over the stride.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runmuscles.conventions import GROUP_IDS
from runmuscles.cycle import JOINTS, SIDES, TENDON_MUSCLES, GaitCycle

__all__ = [
    "CATALOGUE_GROUPS",
    "CURVE_POINTS",
    "GRF_COMPONENTS",
    "GRF_SIDES",
    "GROUP_VARS",
    "MUSCLE_VARS",
    "SCALAR_VARS",
    "Record",
    "record_from_cycle",
]

#: Catalogue group ids, in report order (COMMON conventions).
CATALOGUE_GROUPS = GROUP_IDS
#: Samples of the stored activation curves (0, 2, ..., 100 % of the stride).
CURVE_POINTS = 51
#: Per-group variables -> unit.
GROUP_VARS = {
    "concentric_work_j": "J",
    "eccentric_work_j": "J",
    "impulse_ns": "N s",
    "peak_force_n": "N",
    "metabolic_energy_j": "J",
}
#: Per-condition scalars -> unit.
SCALAR_VARS = {
    "achilles_peak_force_n": "N",
    "patellar_peak_force_n": "N",
    "achilles_impulse_ns": "N s",
    "patellar_impulse_ns": "N s",
    "stride_time_s": "s",
    "stride_length_m": "m",
    "cadence_steps_per_min": "1/min",
    "contact_time_s": "s",
    "duty_factor": "1",
    "flight_fraction": "1",
    "peak_vertical_grf_bw": "1",
    "mean_vertical_grf_bw": "1",
    "peak_braking_grf_bw": "1",
    "peak_propulsive_grf_bw": "1",
    "cost_of_transport_j_per_kg_m": "J/kg/m",
    "total_metabolic_energy_j": "J",
    **{f"{j}_load_peak_bw": "1" for j in JOINTS},
    "peak_knee_flexion_swing_deg": "degree",
    "foot_angle_at_contact_deg": "degree",
    "double_support_fraction": "1",
    "trunk_lean_deg": "degree",
}
#: Sides and GRF components of the ``grf`` curves.
GRF_SIDES = ("r", "l")
GRF_COMPONENTS = ("fx", "fy")
#: Per-muscle variables (stored as ``muscle_<name>``) -> unit; keys of ``muscle_summary``.
MUSCLE_VARS = {
    "concentric_work_j": "J",
    "eccentric_work_j": "J",
    "metabolic_energy_j": "J",
    "peak_force_n": "N",
    "peak_activation": "1",
    "mean_activation": "1",
    "activation_stance": "1",
    "activation_swing": "1",
    "activation_float": "1",
}


@dataclass
class Record:
    """The atlas content of one condition (arrays by variable name; see the module docstring)."""

    groups: tuple[str, ...]
    muscles: tuple[str, ...]
    muscle_groups: tuple[str, ...]
    muscle_sides: tuple[str, ...]
    group: dict[str, np.ndarray] = field(default_factory=dict)
    scalar: dict[str, float] = field(default_factory=dict)
    muscle: dict[str, np.ndarray] = field(default_factory=dict)
    #: activation (muscle, CURVE_POINTS), 0..1
    activation: np.ndarray = field(default_factory=lambda: np.zeros((0, CURVE_POINTS)))
    #: coordinates of ``joint_angle``, model order
    dofs: tuple[str, ...] = ()
    #: joint_angle (dof, CURVE_POINTS): rad (m for pelvis_tx, pelvis_ty)
    joint_angle: np.ndarray = field(default_factory=lambda: np.zeros((0, CURVE_POINTS)))
    #: grf (side, component, CURVE_POINTS), N
    grf: np.ndarray = field(default_factory=lambda: np.zeros((2, 2, CURVE_POINTS)))
    #: per muscle: True when the model resolves its numbers
    resolved: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def check(self) -> None:
        """Shapes and names complete (a solve_fn must return every variable)."""
        ng, nm, nd = len(self.groups), len(self.muscles), len(self.dofs)
        missing = (
            [k for k in GROUP_VARS if k not in self.group or self.group[k].shape != (ng,)]
            + [k for k in SCALAR_VARS if k not in self.scalar]
            + [k for k in MUSCLE_VARS if k not in self.muscle or self.muscle[k].shape != (nm,)]
        )
        shapes = {
            "activation": (self.activation.shape, (nm, CURVE_POINTS)),
            "joint_angle": (self.joint_angle.shape, (nd, CURVE_POINTS)),
            "grf": (self.grf.shape, (len(GRF_SIDES), len(GRF_COMPONENTS), CURVE_POINTS)),
            "resolved": (np.shape(self.resolved), (nm,)),
        }
        missing += [f"{k} {got} != {want}" for k, (got, want) in shapes.items() if got != want]
        if nd == 0:
            missing.append("dofs")
        if missing:
            raise ValueError(f"atlas record incomplete or misshaped: {missing}")

    def group_resolved(self) -> np.ndarray:
        """Per group: True when every member muscle is resolved."""
        res = np.asarray(self.resolved, dtype=bool)
        return np.array(
            [bool(all(res[i] for i, g in enumerate(self.muscle_groups) if g == grp))
             for grp in self.groups]
        )  # fmt: skip


def _trapz(y: np.ndarray, t: np.ndarray) -> float:
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(t)))


def record_from_cycle(cycle: GaitCycle) -> Record:
    """The atlas record of one stride (definitions in the module docstring)."""
    ds = cycle.ds
    t = cycle.time
    muscles = tuple(cycle.muscles)
    mgroups = tuple(str(g) for g in ds["muscle_group"].values)
    msides = tuple(str(s) for s in ds["muscle_side"].values)
    force = np.asarray(ds["force"].transpose("time", "muscle").values, dtype=float)
    groups = tuple(g for g in CATALOGUE_GROUPS if g in mgroups) + tuple(
        sorted({g for g in mgroups if g not in CATALOGUE_GROUPS})
    )
    table = cycle.muscle_table()
    per_muscle = {
        "concentric_work_j": table["concentric_work"].values,
        "eccentric_work_j": table["eccentric_work"].values,
        "metabolic_energy_j": table["metabolic_energy"].values,
        "peak_force_n": table["peak_force"].values,
        "peak_activation": table["peak_activation"].values,
        "mean_activation": table["mean_activation"].values,
        "activation_stance": table["activation_stance"].values,
        "activation_swing": table["activation_swing"].values,
        "activation_float": table["activation_float"].values,
    }
    rec = Record(groups, muscles, mgroups, msides)
    rec.muscle = {k: np.asarray(v, dtype=float) for k, v in per_muscle.items()}
    gv: dict[str, list[float]] = {k: [] for k in GROUP_VARS}
    for g in groups:
        idx = [i for i, mg in enumerate(mgroups) if mg == g]
        for k in ("concentric_work_j", "eccentric_work_j", "metabolic_energy_j"):
            gv[k].append(float(np.sum(rec.muscle[k][idx])))
        gv["impulse_ns"].append(sum(_trapz(force[:, i], t) for i in idx))
        peaks = [
            float(np.max(force[:, [i for i in idx if msides[i] == s]].sum(axis=1)))
            for s in sorted({msides[i] for i in idx})
        ]
        gv["peak_force_n"].append(max(peaks))
    rec.group = {k: np.asarray(v, dtype=float) for k, v in gv.items()}
    scal: dict[str, float | None] = {
        k: (None if v is None else float(v))
        for k, v in cycle.summary().items()
        if not isinstance(v, str)  # the strike class goes into the cell's provenance
    }
    scal["total_metabolic_energy_j"] = float(cycle.metabolic_energy())
    tnames = [str(n) for n in ds["tendon"].values] if "tendon" in ds else []
    for tendon in TENDON_MUSCLES:
        keys = [f"{tendon}_{s}" for s in SIDES if f"{tendon}_{s}" in tnames]
        series = [np.asarray(ds["tendon_force"].sel(tendon=k).values, float) for k in keys]
        scal[f"{tendon}_peak_force_n"] = max((float(y.max()) for y in series), default=np.nan)
        scal[f"{tendon}_impulse_ns"] = sum(_trapz(y, t) for y in series) if series else float("nan")
    for j in JOINTS:
        vals = [p for s in SIDES if (p := cycle.joint_load_peak_bw(j, s)) is not None]
        scal[f"{j}_load_peak_bw"] = max(vals) if vals else float("nan")
    rec.scalar = {k: np.nan if (x := scal.get(k)) is None else float(x) for k in SCALAR_VARS}
    rs = cycle.resample(CURVE_POINTS).ds
    rec.activation = np.asarray(rs["activation"].transpose("muscle", "time").values, dtype=float)
    rec.dofs = tuple(str(d) for d in rs["dof"].values)
    q = np.asarray(rs["q"].transpose("dof", "time").values, dtype=float).copy()
    if "pelvis_tx" in rec.dofs:
        tx = rec.dofs.index("pelvis_tx")
        q[tx] -= q[tx, 0]
    rec.joint_angle = q
    rec.grf = np.asarray(
        rs["grf"]
        .sel(side=list(GRF_SIDES), component=list(GRF_COMPONENTS))
        .transpose("side", "component", "time")
        .values,
        dtype=float,
    )
    rec.resolved = np.array([cycle.resolved(m) for m in muscles], dtype=bool)
    rec.check()
    return rec
