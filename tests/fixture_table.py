"""A TEST FIXTURE, not physiology: a tiny condition table with explicit, made-up per-stride numbers
(simple linear formulas) so that run loads can be checked against hand-computed values.

It implements the :class:`runmuscles.load.ConditionTable` protocol that the muscle atlas
implements. Per stride of both legs, for a 70 kg, 1.75 m body, at speed v (m/s) and grade g:

* concentric work J = (C0 + C1 g) v/3, eccentric work J = (E0 + E1 g) v/3 (per group below)
* impulse N s = IMPULSE; peak force N = PEAK (1 + g); metabolic energy J = 4 conc + ecc
* Achilles: peak 5000 (1 + g) N, impulse 300 (1 + g) N s; patellar: 4000 (1 - g) N, 200 (1 - g)
* stride time s = 0.72 - 0.02 (v - 3) - 0.1 g
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import OutOfRangeError

GROUPS = ("quadriceps", "hamstrings", "calves")
C0 = np.array([20.0, 10.0, 30.0])
C1 = np.array([100.0, 50.0, 150.0])
E0 = np.array([25.0, 8.0, 15.0])
E1 = np.array([-200.0, -20.0, -50.0])
IMPULSE = np.array([100.0, 50.0, 200.0])
PEAK = np.array([2000.0, 1000.0, 4000.0])


def stride_time(v: float, g: float) -> float:
    return 0.72 - 0.02 * (v - 3.0) - 0.1 * g


@dataclass(frozen=True)
class FixtureTable:
    groups: tuple[str, ...] = GROUPS
    speed_range: tuple[float, float] = (2.0, 6.0)
    grade_range: tuple[float, float] = (-0.10, 0.10)
    mass_kg: float = 70.0
    height_m: float = 1.75
    calls: list[tuple[NDArray[np.float64], NDArray[np.float64]]] | None = None

    def lookup(
        self, speed: NDArray[np.float64], grade: NDArray[np.float64]
    ) -> Mapping[str, NDArray[np.float64]]:
        v = np.asarray(speed, dtype=float)
        g = np.asarray(grade, dtype=float)
        (vlo, vhi), (glo, ghi) = self.speed_range, self.grade_range
        if np.any((v < vlo) | (v > vhi)) or np.any((g < glo) | (g > ghi)):
            raise OutOfRangeError(
                f"fixture table: condition outside {self.speed_range} x {self.grade_range}"
            )
        if self.calls is not None:
            self.calls.append((v.copy(), g.copy()))
        f = (v / 3.0)[:, None]
        gg = g[:, None]
        conc = (C0 + C1 * gg) * f
        ecc = (E0 + E1 * gg) * f
        st = 0.72 - 0.02 * (v - 3.0) - 0.1 * g
        return {
            "concentric_work_j": conc,
            "eccentric_work_j": ecc,
            "impulse_ns": np.broadcast_to(IMPULSE, conc.shape).copy(),
            "peak_force_n": PEAK * (1.0 + gg),
            "metabolic_energy_j": 4.0 * conc + ecc,
            "achilles_peak_force_n": 5000.0 * (1.0 + g),
            "patellar_peak_force_n": 4000.0 * (1.0 - g),
            "achilles_impulse_ns": 300.0 * (1.0 + g),
            "patellar_impulse_ns": 200.0 * (1.0 - g),
            "stride_time_s": st,
            "stride_length_m": v * st,
            "cadence_steps_per_min": 120.0 / st,
            "contact_time_s": np.full(v.shape, 0.25),
            "cost_of_transport_j_per_kg_m": np.full(v.shape, 3.8),
        }


@dataclass(frozen=True)
class GaitFixtureTable:
    """A TEST FIXTURE shaped like the atlas the engine/atlas work will provide: running AND
    walking strides over a wide grid, and a ``"resolved"`` flag per group. Walking strides do
    half the running works at the same speed and grade (made-up numbers); groups named in
    ``unresolved`` carry 0.0 in ``"resolved"``."""

    groups: tuple[str, ...] = GROUPS
    gaits: tuple[str, ...] = ("run", "walk")
    mass_kg: float = 70.0
    height_m: float = 1.75
    unresolved: tuple[str, ...] = ()
    calls: list[tuple[str, NDArray[np.float64], NDArray[np.float64]]] | None = None

    @property
    def speed_range(self) -> tuple[float, float]:
        return self.ranges("run")[0]

    @property
    def grade_range(self) -> tuple[float, float]:
        return self.ranges("run")[1]

    def ranges(self, gait: str) -> tuple[tuple[float, float], tuple[float, float]]:
        return ((1.5, 7.0), (-0.35, 0.35)) if gait == "run" else ((0.5, 2.5), (-0.40, 0.40))

    def lookup(
        self, speed: NDArray[np.float64], grade: NDArray[np.float64], gait: str = "run"
    ) -> Mapping[str, NDArray[np.float64]]:
        (vlo, vhi), (glo, ghi) = self.ranges(gait)
        v, g = np.asarray(speed, float), np.asarray(grade, float)
        if np.any((v < vlo) | (v > vhi)) or np.any((g < glo) | (g > ghi)):
            raise OutOfRangeError(f"gait fixture: {gait} condition outside its grid")
        if self.calls is not None:
            self.calls.append((gait, v.copy(), g.copy()))
        run = FixtureTable(speed_range=(0.0, 99.0), grade_range=(-1.0, 1.0))
        out = dict(run.lookup(v, g))
        if gait == "walk":
            for key in ("concentric_work_j", "eccentric_work_j", "metabolic_energy_j"):
                out[key] = out[key] * 0.5
        out["resolved"] = np.array(
            [[0.0 if name in self.unresolved else 1.0 for name in self.groups]] * v.size
        ).reshape(v.size, len(self.groups))
        return out
