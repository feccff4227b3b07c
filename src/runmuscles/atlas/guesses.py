"""Warm starts for solving one atlas cell from its neighbours (on demand, in the harness).

A provider's ``candidates(condition, solved)`` lists ``(label, guess)`` pairs, nearest first, at
most :data:`MAX_ATTEMPTS`: the first is tried, the next on failure.

* :class:`NodeGuesses`: the nearest solved nodes as ``{speed, grade, gait}`` (the stand-in);
* :class:`StrideGuesses`: the nearest stored strides (:class:`~runmuscles.prediction.StrideStore`
  folders) of the same runner fingerprint, gait and mesh, as
  :class:`~runmuscles.prediction.WarmStart` (the predictive solve).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.atlas.gaittable import fmt_grade
from runmuscles.atlas.grid import GRADE_SCALE, SPEED_SCALE, Condition

__all__ = ["MAX_ATTEMPTS", "NodeGuesses", "StrideGuesses", "distance"]

#: Attempts per cell (the nearest warm start, then the next nearest).
MAX_ATTEMPTS = 2


class NodeGuesses:
    """Warm starts for the stand-in solve: the nearest solved nodes as ``{speed, grade, gait}``."""

    def candidates(
        self, cond: Condition, solved: Sequence[tuple[float, float]]
    ) -> list[tuple[str, Any]]:
        ranked = sorted(solved, key=lambda n: distance(n, (cond.speed, cond.grade)))
        return [
            (f"{v:g} m/s {fmt_grade(g)}", {"speed": v, "grade": g, "gait": cond.gait})
            for v, g in ranked[:MAX_ATTEMPTS]
        ]


class StrideGuesses:
    """Warm starts for the predictive solve: the nearest stored strides of the same runner
    fingerprint, gait and mesh (the user's cache first, then the shipped strides)."""

    def __init__(self, folders: Sequence[Path], fingerprint: str, n_intervals: int) -> None:
        self.folders = list(folders)
        self.fingerprint = fingerprint
        self.n_intervals = n_intervals

    def candidates(
        self, cond: Condition, solved: Sequence[tuple[float, float]]
    ) -> list[tuple[str, Any]]:
        from runmuscles.prediction import StrideStore, WarmStart

        entries = []
        for folder in self.folders:
            for e in StrideStore(folder, writable=False).entries():
                if (
                    e.get("fingerprint") == self.fingerprint
                    and e.get("gait") == cond.gait
                    and e.get("n_intervals") == self.n_intervals
                ):
                    entries.append(e)
        entries.sort(key=lambda e: distance((e["speed"], e["grade"]), (cond.speed, cond.grade)))
        out = []
        seen = set()
        for e in entries:
            at = (round(e["speed"], 6), round(e["grade"], 6))
            if at in seen:
                continue
            seen.add(at)
            try:
                with np.load(e["file"], allow_pickle=False) as data:
                    z = np.asarray(data["z"], dtype=float)
            except (OSError, ValueError, KeyError):
                continue
            label = f"stored stride at {e['speed']:g} m/s, {fmt_grade(e['grade'])}"
            ws = WarmStart(
                z,
                float(e["speed"]),
                float(e["grade"]),
                cond.gait,
                self.n_intervals,
                self.fingerprint,
                source=f"{label} ({Path(e['file']).name})",
            )
            out.append((label, ws))
            if len(out) >= MAX_ATTEMPTS:
                break
        return out


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot((a[0] - b[0]) / SPEED_SCALE, (a[1] - b[1]) / GRADE_SCALE)
