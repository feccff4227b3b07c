"""From solved cells to the per-gait Datasets of an atlas file (format 2).

One :class:`xarray.Dataset` per gait, dimensions ``speed`` x ``grade`` (any spacing), holding
for every cell (NaN where the cell has no stride):

* the lookup quantities: per group (``group``) :data:`~runmuscles.atlas.content.GROUP_VARS` and
  ``group_resolved`` (1 where every member muscle is resolved); per condition
  :data:`~runmuscles.atlas.content.SCALAR_VARS`; per muscle (``muscle``) ``muscle_<var>`` and
  ``muscle_resolved``;
* curves over ``stride_fraction``: ``activation`` (muscle), ``joint_angle`` (dof; rad, m for
  the pelvis translations), ``grf`` (side, component; N), stored in single precision;
* provenance: ``cell_status`` (0 solved, 1 failed, 2 not attempted, 3 refused by the realism
  gate), the numbers ``attempts``, ``solve_time_s``, ``iterations``, ``objective``,
  ``peak_reserve_share``, ``stance_slip_m_s``, ``bounds_touched_count``, ``warm_start_speed``
  and ``warm_start_grade`` (NaN: a cold start), and ``cell_provenance``: one JSON object per
  cell (IPOPT status and iterations, objective, wall time, the guesses tried and kept, the warm
  start it continued from, reserves per joint, foot slip, bounds touched, strike, the realism
  verdict; failed or refused cells: why). Solver options common to every cell are stored once
  in the attribute ``solver_options``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from runmuscles.atlas.content import (
    CURVE_POINTS,
    GRF_COMPONENTS,
    GRF_SIDES,
    GROUP_VARS,
    MUSCLE_VARS,
    SCALAR_VARS,
    Record,
)
from runmuscles.atlas.gaittable import FAILED, NOT_ATTEMPTED, REFUSED, SOLVED
from runmuscles.errors import InputError

__all__ = ["REFUSED_STATUS", "gait_dataset"]

#: The status a build gives a stride refused by the realism gate.
REFUSED_STATUS = "Refused_Realism"
#: Keys of a solved cell's info kept in its ``cell_provenance``.
_PROV_KEYS = (
    "status", "iterations", "objective", "wall_time_s", "build_wall_time_s", "attempts",
    "warm_start_from", "warm_start", "guesses_tried", "guess_kept", "reserves",
    "stance_slip_m_s", "contact_sliding", "bounds_touched", "strike", "realism",
    "solver_options", "source", "polished",
)  # fmt: skip


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def gait_dataset(
    gait: str,
    speeds: Sequence[float],
    grades: Sequence[float],
    records: Mapping[tuple[int, int], tuple[Record, Mapping[str, Any]]],
    failures: Mapping[tuple[int, int], Mapping[str, Any]] | None = None,
) -> xr.Dataset:
    """The Dataset of one gait (module docstring) from solved cells ``(i, j) -> (record, info)``
    and failed ones ``(i, j) -> {"status", "message", ...}`` (other cells: not attempted)."""
    ns, ng = len(speeds), len(grades)
    if not records:
        raise InputError(
            f"no {gait} condition of the grid was solved, so there is no {gait} table to write; "
            "see the failures and try a grid around the seeds (3.5 m/s running, 1.4 m/s walking)"
        )
    first = records[min(records)][0]
    groups, muscles, dofs = first.groups, first.muscles, first.dofs
    for (i, j), (rec, _) in records.items():
        if rec.groups != groups or rec.muscles != muscles or rec.dofs != dofs:
            raise InputError(
                f"the cell at {speeds[i]:g} m/s, {grades[j]:+g} has other groups, muscles or "
                "coordinates than the others"
            )

    def full(*shape: int, dtype: Any = float, fill: Any = np.nan) -> np.ndarray:
        return np.full((ns, ng, *shape), fill, dtype=dtype)

    gv = {k: full(len(groups)) for k in GROUP_VARS}
    sv = {k: full() for k in SCALAR_VARS}
    mv = {k: full(len(muscles)) for k in MUSCLE_VARS}
    act = full(len(muscles), CURVE_POINTS, dtype=np.float32)
    ja = full(len(dofs), CURVE_POINTS, dtype=np.float32)
    grf = full(len(GRF_SIDES), len(GRF_COMPONENTS), CURVE_POINTS, dtype=np.float32)
    m_res = full(len(muscles), dtype=np.int8, fill=0)
    g_res = full(len(groups), dtype=np.int8, fill=0)
    status = full(dtype=np.int8, fill=NOT_ATTEMPTED)
    nums = {
        k: full()
        for k in (
            "attempts", "solve_time_s", "iterations", "objective", "peak_reserve_share",
            "stance_slip_m_s", "bounds_touched_count", "warm_start_speed", "warm_start_grade",
        )
    }  # fmt: skip
    prov = np.full((ns, ng), "", dtype=object)
    options = [json.dumps(_jsonable(inf.get("solver_options")), sort_keys=True, default=str)
               for _, inf in records.values()]  # fmt: skip
    common = max(set(options), key=options.count)
    for (i, j), (rec, inf) in records.items():
        for k in GROUP_VARS:
            gv[k][i, j] = rec.group[k]
        for k in SCALAR_VARS:
            sv[k][i, j] = rec.scalar[k]
        for k in MUSCLE_VARS:
            mv[k][i, j] = rec.muscle[k]
        act[i, j] = rec.activation
        ja[i, j] = rec.joint_angle
        grf[i, j] = rec.grf
        m_res[i, j] = np.asarray(rec.resolved, dtype=np.int8)
        g_res[i, j] = rec.group_resolved().astype(np.int8)
        status[i, j] = SOLVED
        nums["attempts"][i, j] = _num(inf.get("attempts", 1))
        nums["solve_time_s"][i, j] = _num(inf.get("build_wall_time_s", inf.get("wall_time_s")))
        nums["iterations"][i, j] = _num(inf.get("iterations"))
        nums["objective"][i, j] = _num(inf.get("objective"))
        reserves = inf.get("reserves") or {}
        vals = [float(v) for v in reserves.values() if v is not None]
        nums["peak_reserve_share"][i, j] = max(vals) if vals else math.nan
        nums["stance_slip_m_s"][i, j] = _num(inf.get("stance_slip_m_s"))
        touched = inf.get("bounds_touched")
        nums["bounds_touched_count"][i, j] = math.nan if touched is None else len(touched)
        src = inf.get("warm_start_from")
        if src is not None:
            nums["warm_start_speed"][i, j], nums["warm_start_grade"][i, j] = src
        cell = {k: inf[k] for k in _PROV_KEYS if k in inf}
        if json.dumps(_jsonable(cell.get("solver_options")), sort_keys=True, default=str) == common:
            cell.pop("solver_options", None)
        prov[i, j] = json.dumps(_jsonable(cell), sort_keys=True, default=str)
    fails: dict[str, list[str]] = {}
    for (i, j), fail in (failures or {}).items():
        if (i, j) in records:
            continue
        st = str(fail.get("status", "not_attempted"))
        status[i, j] = (
            NOT_ATTEMPTED if st == "not_attempted" else REFUSED if st == REFUSED_STATUS else FAILED
        )
        fails[f"{speeds[i]:g},{grades[j]:g}"] = [st, str(fail.get("message", ""))]
        nums["attempts"][i, j] = _num(fail.get("attempts"))
        realism = fail.get("realism") or {}
        nums["peak_reserve_share"][i, j] = _num(realism.get("peak_reserve_share"))
        nums["stance_slip_m_s"][i, j] = _num(realism.get("stance_slip_m_s"))
        if st != "not_attempted":
            prov[i, j] = json.dumps(_jsonable(dict(fail)), sort_keys=True, default=str)
    dims2 = ("speed", "grade")
    data: dict[str, Any] = {}
    for k, unit in GROUP_VARS.items():
        data[k] = ((*dims2, "group"), gv[k], {"units": unit})
    for k, unit in SCALAR_VARS.items():
        data[k] = (dims2, sv[k], {"units": unit})
    for k, unit in MUSCLE_VARS.items():
        data[f"muscle_{k}"] = ((*dims2, "muscle"), mv[k], {"units": unit})
    data["muscle_resolved"] = ((*dims2, "muscle"), m_res, {"flag_values": [0, 1],
                               "flag_meanings": "not_resolved resolved"})  # fmt: skip
    data["group_resolved"] = (
        (*dims2, "group"),
        g_res,
        {"flag_values": [0, 1], "flag_meanings": "not_resolved resolved",
         "note": "1 when every member muscle of the group is resolved in this cell"},
    )  # fmt: skip
    data["activation"] = ((*dims2, "muscle", "stride_fraction"), act, {"units": "1"})
    data["joint_angle"] = (
        (*dims2, "dof", "stride_fraction"),
        ja,
        {"units": "rad (m for pelvis_tx, pelvis_ty; pelvis_tx from its first sample)"},
    )
    data["grf"] = (
        (*dims2, "side", "component", "stride_fraction"),
        grf,
        {"units": "N", "long_name": "ground reaction force; fx fore-aft (+ forward), fy vertical"},
    )
    data["cell_status"] = (
        dims2,
        status,
        {
            "flag_values": [SOLVED, FAILED, NOT_ATTEMPTED, REFUSED],
            "flag_meanings": "solved failed not_attempted refused_by_realism_gate",
        },
    )
    units = {"attempts": "1", "solve_time_s": "s", "iterations": "1", "objective": "1",
             "peak_reserve_share": "1", "stance_slip_m_s": "m/s", "bounds_touched_count": "1",
             "warm_start_speed": "m/s", "warm_start_grade": "1"}  # fmt: skip
    for k, arr in nums.items():
        attrs = {"units": units[k]}
        if k.startswith("warm_start"):
            attrs["note"] = "NaN: a cold start"
        data[k] = (dims2, arr, attrs)
    data["cell_provenance"] = (dims2, prov.astype(str), {"note": "JSON per cell"})
    first_info = records[min(records)][1]
    model = {
        k: _jsonable(first_info.get(k))
        for k in ("model", "runner_fingerprint", "n_intervals", "parameter_sources")
    }
    ds = xr.Dataset(
        data,
        coords={
            "speed": ("speed", np.asarray(speeds, dtype=float), {"units": "m/s"}),
            "grade": ("grade", np.asarray(grades, dtype=float), {"units": "1",
                                                                 "note": "rise/run"}),
            "group": list(groups),
            "muscle": list(muscles),
            "muscle_group": ("muscle", list(first.muscle_groups)),
            "muscle_side": ("muscle", list(first.muscle_sides)),
            "dof": list(dofs),
            "side": list(GRF_SIDES),
            "component": list(GRF_COMPONENTS),
            "stride_fraction": np.linspace(0.0, 1.0, CURVE_POINTS),
        },
        attrs={
            "gait": gait,
            "failures": json.dumps(fails),
            "solver_options": common,
            "model": json.dumps(model),
        },
    )  # fmt: skip
    return ds
