"""The condition table a run is looked up in (the muscle atlas), as a protocol, and its checked use.

:class:`ConditionTable` is what :func:`runmuscles.load.of_run` needs: per-stride quantities of
both legs over a speed x grade grid, for one body. It grows a gait dimension (the contract with the
engine/atlas work): a table MAY also have

* ``gaits`` -> ``("run",)`` or ``("run", "walk")``: the gaits it holds strides for;
* ``ranges(gait)`` -> ``((speed_lo, speed_hi), (grade_lo, grade_hi))``: its grid for that gait;
* ``lookup(speed, grade, gait="run")``: the same keys for strides of that gait; the result may
  carry ``"resolved"`` with shape ``(n, len(groups))``: 1.0 where every member muscle of the
  group is resolved in every interpolation corner, else 0.0 (absent: all resolved);
* ``prepare(speed, grade, gait)`` -> one string per condition: "" when ``lookup`` can answer
  it (the table solves what lies beyond its grid when it may), else why not. A table with
  ``prepare`` is never clipped: what it cannot answer is reported as not computed, with the
  reason (``runmuscles.load.compute``, step 3).

A table without ``gaits`` is a running-only table whose ``speed_range``/``grade_range`` are its
running grid (today's atlas). :class:`GaitView` gives every table the grown interface, so the
analysis uses walking strides and a wider grid as soon as the atlas file holds them, with no
change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import DataError, InputError

__all__ = [
    "GAITS",
    "GROUP_KEYS",
    "SCALAR_KEYS",
    "TENDONS",
    "TENDON_GROUPS",
    "ConditionTable",
    "GaitView",
    "default_table",
    "lookup_checked",
]

FloatArray = NDArray[np.float64]

#: Gaits a table may hold strides for.
GAITS = ("run", "walk")
#: Per-stride, per-group quantities a table lookup returns, shape (n, len(groups)).
GROUP_KEYS = (
    "concentric_work_j",
    "eccentric_work_j",
    "impulse_ns",
    "peak_force_n",
    "metabolic_energy_j",
)
#: Per-stride scalar quantities a table lookup returns, shape (n,).
SCALAR_KEYS = (
    "achilles_peak_force_n",
    "patellar_peak_force_n",
    "achilles_impulse_ns",
    "patellar_impulse_ns",
    "stride_time_s",
    "stride_length_m",
    "cadence_steps_per_min",
    "contact_time_s",
    "cost_of_transport_j_per_kg_m",
)
#: Tendon id (catalogue) -> lookup key prefix.
TENDONS = {"achilles_tendon": "achilles", "patellar_tendon": "patellar"}
#: Tendon id -> the muscle group whose muscles pull on it: the Achilles tendon carries soleus and
#: gastrocnemius (the model's calves group), the patellar tendon rectus femoris and vasti (its
#: quadriceps group); see ``runmuscles.cycle.TENDON_MUSCLES`` and ``conventions.MUSCLE_GROUPS``.
#: A tendon's concentric/eccentric work is that muscle-tendon unit's.
TENDON_GROUPS = {"achilles_tendon": "calves", "patellar_tendon": "quadriceps"}
#: Lookup keys scaled by body mass (works, impulses, forces, energies).
MASS_SCALED = (
    *GROUP_KEYS,
    *(f"{p}_{q}" for p in TENDONS.values() for q in ("peak_force_n", "impulse_ns")),
)


class ConditionTable(Protocol):
    """Per-stride muscle and tendon quantities over a speed x grade grid (the muscle atlas).

    ``lookup(speed, grade)`` is vectorised over equal-length arrays (m/s, rise/run) and returns,
    per stride of BOTH legs for a body of ``mass_kg`` and ``height_m``, the keys of
    :data:`GROUP_KEYS` with shape ``(n, len(groups))`` and of :data:`SCALAR_KEYS` with shape
    ``(n,)``. It raises :class:`~runmuscles.errors.OutOfRangeError` outside its grid.
    ``speed_range``/``grade_range`` are its running grid. The optional gait interface is in the
    module docstring.
    """

    @property
    def groups(self) -> tuple[str, ...]: ...
    @property
    def speed_range(self) -> tuple[float, float]: ...
    @property
    def grade_range(self) -> tuple[float, float]: ...
    @property
    def mass_kg(self) -> float: ...
    @property
    def height_m(self) -> float: ...
    def lookup(self, speed: FloatArray, grade: FloatArray) -> Mapping[str, FloatArray]: ...


class GaitView:
    """Any :class:`ConditionTable` seen through the gait interface (module docstring)."""

    def __init__(self, table: ConditionTable) -> None:
        self.table = table
        raw = getattr(table, "gaits", None)
        self.gait_aware = raw is not None
        gaits = tuple(str(g) for g in raw) if raw is not None else ("run",)
        unknown = [g for g in gaits if g not in GAITS]
        if unknown or not gaits:
            raise DataError(
                f"the condition table lists gaits {gaits!r}; known gaits are {', '.join(GAITS)}"
            )
        self.gaits = gaits

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.table.groups)

    def has(self, gait: str) -> bool:
        return gait in self.gaits

    def ranges(self, gait: str) -> tuple[tuple[float, float], tuple[float, float]]:
        """(speed range m/s, grade range) of the table's grid for ``gait``."""
        if gait not in self.gaits:
            raise InputError(f"the condition table holds no {gait!r} strides")
        ranges = getattr(self.table, "ranges", None)
        if self.gait_aware and callable(ranges):
            (v0, v1), (g0, g1) = ranges(gait)
            return (float(v0), float(v1)), (float(g0), float(g1))
        v0, v1 = self.table.speed_range
        g0, g1 = self.table.grade_range
        return (float(v0), float(v1)), (float(g0), float(g1))

    def lookup(self, speed: FloatArray, grade: FloatArray, gait: str) -> dict[str, FloatArray]:
        """:func:`lookup_checked` for ``gait`` (a running-only table is asked without gait)."""
        if gait not in self.gaits:
            raise InputError(f"the condition table holds no {gait!r} strides")
        return lookup_checked(self.table, speed, grade, gait=gait if self.gait_aware else None)


def lookup_checked(
    table: ConditionTable, speed: FloatArray, grade: FloatArray, *, gait: str | None = None
) -> dict[str, FloatArray]:
    """Table lookup with its output validated (keys, shapes, finite values).

    ``gait`` None asks a running-only table (``lookup(speed, grade)``); a gait name is passed on
    as ``lookup(speed, grade, gait=...)``. ``"resolved"`` is kept when the table gives it.
    """
    out: Mapping[str, Any] = (
        table.lookup(speed, grade) if gait is None else table.lookup(speed, grade, gait=gait)  # type: ignore[call-arg]
    )
    n, k = speed.size, len(table.groups)
    checked: dict[str, FloatArray] = {}
    wanted = [*((g, (n, k)) for g in GROUP_KEYS), *((s, (n,)) for s in SCALAR_KEYS)]
    if "resolved" in out:
        wanted.append(("resolved", (n, k)))
    for key, shape in wanted:
        if key not in out:
            raise DataError(f"the condition table's lookup returned no {key!r}; rebuild the atlas")
        arr = np.asarray(out[key], dtype=float)
        if arr.shape != shape:
            raise DataError(
                f"the condition table's {key!r} has shape {arr.shape}, expected {shape}"
            )
        if not np.isfinite(arr).all():
            raise DataError(
                f"the condition table's {key!r} has missing (NaN) values in the looked-up range; "
                "rebuild the atlas or fill its missing cells"
            )
        checked[key] = arr
    if np.any(checked["stride_time_s"] <= 0):
        raise DataError("the condition table's stride_time_s must be > 0")
    return checked


def default_table(solving: str = "solve", wait_s: float = 5.0) -> ConditionTable:
    """The shipped muscle atlas, extended on demand (``runmuscles.atlas.on_demand_atlas``):
    ``solving`` "solve" (solve conditions beyond its grid, cached), "no-solve" (say which were
    not computed) or "wait" (the web app: solve in the background, wait ``wait_s`` s). A
    format-1 atlas file is returned as it is (clipped at its edges, with warnings). Imported
    lazily."""
    try:
        from runmuscles.atlas import on_demand_atlas  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:
        if (exc.name or "").startswith("runmuscles.atlas") or "on_demand_atlas" in str(exc):
            raise DataError(
                "the muscle atlas is missing from this installation (runmuscles.atlas not "
                "found), so runs cannot be analysed yet; reinstall runmuscles or build the "
                "atlas with `runmuscles atlas build`"
            ) from None
        raise
    table: ConditionTable = on_demand_atlas(solving=solving, wait_s=wait_s)
    return table
