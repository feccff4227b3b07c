"""The Dataset behind a GaitCycle: names, layout, units, and its validation.

Layout (dimensions): ``time``; ``dof`` (generalised coordinates); ``side`` ('r', 'l');
``component`` ('fx' fore-aft, 'fy' vertical); ``muscle`` (with coordinates ``muscle_group`` and
``muscle_side``); ``tendon``; ``joint`` (only with joint reactions). Attributes are netCDF-safe:
numbers and text only (provenance is a JSON string).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles import __version__
from runmuscles.conventions import DOFS, MUSCLE_GROUPS, SIDES
from runmuscles.errors import InputError, UnknownNameError

__all__ = [
    "CONDITION_KEYS",
    "DEFAULT_CONTACT_THRESHOLD_N",
    "DOFS",
    "GAITS",
    "JOINTS",
    "KIND",
    "MUSCLE_FIELDS",
    "MUSCLE_GROUPS",
    "PHASES",
    "SIDES",
    "TENDON_MUSCLES",
    "build_dataset",
    "check_dataset",
    "close_names",
    "resolution",
    "split_side",
]

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
PHASES: tuple[str, ...] = ("stance", "swing", "float")
CONDITION_KEYS: tuple[str, ...] = ("speed_m_s", "grade", "mass_kg", "height_m")
DEFAULT_CONTACT_THRESHOLD_N = 20.0
GAITS: tuple[str, ...] = ("run", "walk")
#: Activation bounds a muscle is "pinned" at when it never leaves them (floor) or sits at the top
#: for more than SATURATION_FRACTION of the stride: its work is then set by a bound, not resolved.
FLOOR_ACTIVATION = 0.02
SATURATED_ACTIVATION = 0.98
SATURATION_FRACTION = 0.05


def resolution(activation: NDArray[np.float64]) -> str:
    """Why a muscle's numbers are not resolved by the model ("" when they are), from its
    activation over the stride: at the floor all stride long (nothing for it to do in a sagittal
    model: floor noise), or pinned at full activation (its strength, not its use, sets the load)."""
    a = np.asarray(activation, dtype=float)
    if float(a.max()) < FLOOR_ACTIVATION:
        return (
            f"activation stays below {FLOOR_ACTIVATION} all stride: at its floor, the model gives "
            "this muscle nothing to do in this stride"
        )
    if float(np.mean(a >= SATURATED_ACTIVATION)) > SATURATION_FRACTION:
        return (
            f"activation at its upper bound for over {SATURATION_FRACTION:.0%} of the stride: "
            "its load is set by its strength limit"
        )
    return ""


KIND = "runmuscles.GaitCycle"

Series = Mapping[str, ArrayLike]


def close_names(name: str, known: Iterable[str]) -> tuple[str, ...]:
    """Up to three known names close to ``name`` (for "did you mean" suggestions)."""
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


def split_side(name: str) -> tuple[str, str]:
    """'soleus_r' -> ('soleus', 'r'); a name without _r/_l is unpaired ('mid')."""
    if name.endswith(("_r", "_l")):
        return name[:-2], name[-1]
    return name, "mid"


def build_dataset(
    time: ArrayLike,
    *,
    q: Series,
    moments: Series,
    grf: Mapping[str, Series],
    muscles: Mapping[str, Series],
    condition: Mapping[str, Any],
    qd: Series | None = None,
    qdd: Series | None = None,
    tendons: Series | None = None,
    joint_reactions: Series | None = None,
    provenance: Mapping[str, Any] | None = None,
    muscle_groups: Mapping[str, str] | None = None,
    contact_threshold_n: float = DEFAULT_CONTACT_THRESHOLD_N,
    unresolved: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """The Dataset of a GaitCycle from named 1-D arrays (arguments: GaitCycle.from_arrays)."""
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
                f"unknown DOF {name!r} in q; known: {', '.join(DOFS)}", close_names(name, DOFS)
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
        base, side = split_side(name)
        if base not in groups_map:
            raise UnknownNameError(
                f"unknown muscle {name!r}; known base names (suffix _r/_l): "
                f"{', '.join(groups_map)}; or pass muscle_groups={{{base!r}: 'group_id'}}",
                close_names(base, groups_map),
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
        if k.rsplit("_", 1)[0] not in TENDON_MUSCLES or split_side(k)[1] == "mid":
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
    notes = [
        (unresolved or {}).get(name) or resolution(fields["activation"][:, i])
        for i, name in enumerate(names)
    ]
    ds["resolved"] = (
        "muscle",
        np.array([not note for note in notes]),
        {"long_name": "the model resolves this muscle's numbers (see unresolved_reason)"},
    )
    ds["unresolved_reason"] = ("muscle", np.array(notes, dtype=object), {"long_name": "why not"})
    ds["tendon_force"] = (("time", "tendon"), ta, {"units": "N", "source": tendon_source})
    if joint_reactions is not None:
        ja = np.zeros((n, len(JOINTS), 2))
        for k in joint_reactions:
            base, side = split_side(k)
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
    gait = str(condition.get("gait", "run"))
    if gait not in GAITS:
        raise InputError(f"condition gait={gait!r} must be one of {', '.join(GAITS)}")
    ds.attrs = {
        "kind": KIND,
        **cond,
        "gait": gait,
        "contact_threshold_n": float(contact_threshold_n),
        "qd_source": "finite differences of q: " + ", ".join(derived) if derived else "given",
        "provenance": prov_json,
        "time_convention": "right foot strike to next right foot strike, endpoint included",
        "units_note": "SI; see each variable's 'units' attribute",
    }
    return ds


def check_dataset(ds: xr.Dataset) -> None:
    """Refuse a Dataset that is not a complete, finite GaitCycle (InputError naming the culprit)."""
    if ds.attrs.get("kind") != KIND:
        raise InputError("this Dataset is not a GaitCycle; build one with GaitCycle.from_arrays")
    for name in (
        "q",
        "qd",
        "qdd",
        "moment",
        "power",
        "grf",
        "stance",
        "tendon_force",
        *MUSCLE_FIELDS,
    ):
        if name not in ds:
            raise InputError(f"GaitCycle dataset lacks the variable {name!r}")
    for key in (*CONDITION_KEYS, "contact_threshold_n", "provenance"):
        if key not in ds.attrs:
            raise InputError(f"GaitCycle dataset lacks the attribute {key!r}")
    _check_finite(ds)


def _condition(condition: Mapping[str, Any]) -> dict[str, float]:
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
