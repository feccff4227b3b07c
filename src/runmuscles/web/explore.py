"""The explore view: the condition table's per-group picture at one speed and grade.

Pure functions (no web framework): the app's ``GET /api/explore`` returns :func:`explore`'s dict.
Per stride of both legs, scaled to the runner's body mass like a run analysis
(:mod:`runmuscles.load`, step 2: loads proportional to body mass at equal speed and grade; height
not rescaled). Work per km = work per stride x 1000 / stride length.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from runmuscles.errors import InputError, OutOfRangeError
from runmuscles.load import ConditionTable, _lookup
from runmuscles.units import G, format_pace, parse_grade

__all__ = ["colour_scale_max", "explore", "parse_condition"]

#: Grid points per axis over the table's range used to fix the colour scale of the explore map.
SCALE_GRID = 9


def parse_condition(
    table: ConditionTable, speed: str | float, grade: str | float
) -> tuple[float, float]:
    """Speed m/s and grade (rise/run; ``"5%"`` accepted), checked against the table's ranges."""
    try:
        v = float(speed)
    except (TypeError, ValueError):
        raise InputError(
            f"speed {speed!r} is not a number; give it in m/s, e.g. speed=3.5"
        ) from None
    g = parse_grade(grade if isinstance(grade, float | int) else str(grade))
    (vlo, vhi), (glo, ghi) = table.speed_range, table.grade_range
    if not (math.isfinite(v) and vlo <= v <= vhi):
        raise OutOfRangeError(
            f"speed {v:g} m/s is outside the muscle table ({vlo:g}..{vhi:g} m/s); "
            "move the slider inside that range"
        )
    if not glo - 1e-12 <= g <= ghi + 1e-12:
        raise OutOfRangeError(
            f"grade {100 * g:+.1f} % is outside the muscle table "
            f"({100 * glo:+.0f} %..{100 * ghi:+.0f} %); move the slider inside that range"
        )
    return v, min(max(g, glo), ghi)


def _per_km(table: ConditionTable, speed: np.ndarray, grade: np.ndarray) -> np.ndarray:
    out = _lookup(table, speed, grade)
    work = out["concentric_work_j"] + out["eccentric_work_j"]
    result: np.ndarray = work * 1000.0 / out["stride_length_m"][:, None]
    return result


def _scale_max(table: ConditionTable) -> float:
    (vlo, vhi), (glo, ghi) = table.speed_range, table.grade_range
    vv, gg = np.meshgrid(np.linspace(vlo, vhi, SCALE_GRID), np.linspace(glo, ghi, SCALE_GRID))
    top = float(np.max(_per_km(table, vv.ravel(), gg.ravel())))
    return top if top > 0 else 1.0


def colour_scale_max(table: ConditionTable, mass_kg: float) -> float:
    """Largest group work per km (J/km) anywhere on the table's grid, for ``mass_kg``: the
    fixed top of the explore colour scale, so colours compare across conditions."""
    return _scale_max(table) * mass_kg / table.mass_kg


def explore(
    table: ConditionTable,
    speed: float,
    grade: float,
    *,
    mass_kg: float = 70.0,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Per-group and whole-stride numbers at ``speed`` m/s and ``grade`` (checked values).

    Returns ``condition``, ``stride`` (cadence steps/min, stride length m, contact time s, cost
    of transport J/kg/m, Achilles and patellar peak force in body weights) and ``groups``: per
    group id, name, concentric and eccentric work per stride J, work per km J/km, share of the
    total work and the heat-map colour (scale top ``scale_max_j_per_km``).
    """
    from runmuscles.report.colour import load_colour

    v, g = np.array([speed]), np.array([grade])
    out = _lookup(table, v, g)
    k = mass_kg / table.mass_kg
    conc = out["concentric_work_j"][0] * k
    ecc = out["eccentric_work_j"][0] * k
    length = float(out["stride_length_m"][0])
    per_km = (conc + ecc) * 1000.0 / length
    total = float(np.sum(conc + ecc))
    top = colour_scale_max(table, mass_kg)
    labels = labels or {}
    bw = mass_kg * G
    groups = [
        {
            "id": gid,
            "name": labels.get(gid, gid.replace("_", " ")),
            "concentric_j_per_stride": float(conc[i]),
            "eccentric_j_per_stride": float(ecc[i]),
            "work_j_per_km": float(per_km[i]),
            "share": float((conc[i] + ecc[i]) / total) if total > 0 else 0.0,
            "colour": load_colour(float(per_km[i]) / top),
        }
        for i, gid in enumerate(table.groups)
    ]
    return {
        "condition": {
            "speed_m_s": float(speed),
            "grade": float(grade),
            "pace": format_pace(float(speed)),
            "mass_kg": float(mass_kg),
        },
        "stride": {
            "cadence_steps_per_min": float(out["cadence_steps_per_min"][0]),
            "stride_length_m": length,
            "contact_time_s": float(out["contact_time_s"][0]),
            "cost_of_transport_j_per_kg_m": float(out["cost_of_transport_j_per_kg_m"][0]),
            "achilles_peak_bw": float(out["achilles_peak_force_n"][0]) * k / bw,
            "patellar_peak_bw": float(out["patellar_peak_force_n"][0]) * k / bw,
        },
        "groups": groups,
        "scale_max_j_per_km": top,
        "table": {
            "speed_range": list(table.speed_range),
            "grade_range": list(table.grade_range),
            "mass_kg": table.mass_kg,
        },
    }
