"""The speed x grade grid of the atlas and the continuation order over it.

Grid axes are given as ``START:STOP:STEP`` (both ends included) or comma lists; grades accept
percentages (``-30%:30%:5%``). Conditions are solved by *continuation*: the first is the node
nearest :data:`START_CONDITION` (3.5 m/s, level), solved cold; every other node is warm-started
from an already solved neighbour (8-connected), the nearest one in the normalised distance
:func:`step_cost`. :func:`bfs_order` gives the breadth-first order from the start, which the
scheduler uses as its priority.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from runmuscles.errors import InputError
from runmuscles.units import parse_grade

__all__ = [
    "GRADE_SCALE",
    "SPEED_SCALE",
    "START_CONDITION",
    "Condition",
    "Grid",
    "bfs_order",
    "neighbours",
    "parse_axis",
    "step_cost",
]

#: The cold start: the node nearest this (speed m/s, grade) is solved first.
START_CONDITION = (3.5, 0.0)
#: Distances on the grid are measured in these units (1 m/s of speed ~ 10 % of grade: both
#: warm-start in a few seconds, ../shared/SCIENCE.md section 4).
SPEED_SCALE = 1.0
GRADE_SCALE = 0.10
#: Axis values are rounded to this many decimals (keys of part files, exact node lookups).
DECIMALS = 6


@dataclass(frozen=True, order=True)
class Condition:
    """One running condition of the atlas: speed m/s, grade (rise/run), body mass kg, height m."""

    speed: float
    grade: float
    mass: float = 70.0
    height: float = 1.75

    @property
    def key(self) -> str:
        """File-name-safe key, e.g. ``v3.500000_g-0.050000``."""
        return f"v{self.speed:.{DECIMALS}f}_g{self.grade:+.{DECIMALS}f}"

    def label(self) -> str:
        return f"{self.speed:g} m/s, grade {self.grade * 100:+g} %"


def parse_axis(text: str | Sequence[float], what: str) -> np.ndarray:
    """Grid values from ``"2:6:0.5"``, ``"-30%:30%:5%"``, ``"3,3.5,4"`` or a sequence.

    ``what`` is "speed" or "grade" (grades go through :func:`runmuscles.units.parse_grade`).
    Values are sorted, unique, rounded to :data:`DECIMALS` decimals; at least two are needed.
    """

    def num(s: str) -> float:
        if what == "grade":
            return parse_grade(s)
        try:
            return float(s)
        except ValueError:
            raise InputError(f"{what} {s!r} is not a number (m/s)") from None

    if isinstance(text, str):
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise InputError(
                    f"{what} grid {text!r}: write START:STOP:STEP, e.g. "
                    + ("'2:6:0.5'" if what == "speed" else "'-30%:30%:5%'")
                )
            start, stop, step = (num(p) for p in parts)
            if not step > 0 or stop < start:
                raise InputError(f"{what} grid {text!r}: STEP must be > 0 and STOP >= START")
            n = round((stop - start) / step)
            if abs(start + n * step - stop) > 1e-6 * max(1.0, abs(step)):
                raise InputError(
                    f"{what} grid {text!r}: STOP is not START plus a whole number of STEPs"
                )
            values = start + step * np.arange(n + 1)
        else:
            values = np.array([num(p) for p in text.split(",") if p.strip()])
    else:
        values = np.asarray([float(v) for v in text])
    values = np.unique(np.round(values.astype(float), DECIMALS))
    if values.size < 2 or not np.all(np.isfinite(values)):
        raise InputError(
            f"the {what} grid needs at least two finite values to interpolate between, got "
            f"{values.tolist()}"
        )
    return values


@dataclass(frozen=True)
class Grid:
    """Regular speed x grade grid (both axes strictly increasing) for one body size."""

    speeds: tuple[float, ...]
    grades: tuple[float, ...]
    mass: float = 70.0
    height: float = 1.75

    @classmethod
    def from_axes(
        cls, speeds: Sequence[float], grades: Sequence[float], mass: float, height: float
    ) -> Grid:
        s = parse_axis(speeds, "speed")
        g = parse_axis(grades, "grade")
        return cls(tuple(map(float, s)), tuple(map(float, g)), float(mass), float(height))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.speeds), len(self.grades)

    def condition(self, node: tuple[int, int]) -> Condition:
        i, j = node
        return Condition(self.speeds[i], self.grades[j], self.mass, self.height)

    def nodes(self) -> Iterator[tuple[int, int]]:
        for i in range(len(self.speeds)):
            for j in range(len(self.grades)):
                yield (i, j)

    def start(self) -> tuple[int, int]:
        """The node nearest :data:`START_CONDITION` (ties: the lower speed, then grade)."""
        v0, g0 = START_CONDITION
        return min(
            self.nodes(),
            key=lambda n: (
                math.hypot(
                    (self.speeds[n[0]] - v0) / SPEED_SCALE, (self.grades[n[1]] - g0) / GRADE_SCALE
                ),
                n,
            ),
        )


def neighbours(grid: Grid, node: tuple[int, int]) -> list[tuple[int, int]]:
    """The up to 8 nodes around ``node``."""
    ns, ng = grid.shape
    i, j = node
    return [
        (i + di, j + dj)
        for di in (-1, 0, 1)
        for dj in (-1, 0, 1)
        if (di or dj) and 0 <= i + di < ns and 0 <= j + dj < ng
    ]


def step_cost(grid: Grid, a: tuple[int, int], b: tuple[int, int]) -> float:
    """Normalised distance between two nodes (speed / :data:`SPEED_SCALE`, grade /
    :data:`GRADE_SCALE`): the warm-start source of a node is its solved neighbour of least cost."""
    dv = (grid.speeds[a[0]] - grid.speeds[b[0]]) / SPEED_SCALE
    dg = (grid.grades[a[1]] - grid.grades[b[1]]) / GRADE_SCALE
    return math.hypot(dv, dg)


def bfs_order(grid: Grid) -> dict[tuple[int, int], int]:
    """Breadth-first rank of every node from :meth:`Grid.start` over 4-connected steps (ties
    broken by distance from the start): the order in which a serial build solves the grid."""
    start = grid.start()
    depth = {start: 0}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        for m in neighbours(grid, n):
            if m not in depth and (m[0] == n[0] or m[1] == n[1]):
                depth[m] = depth[n] + 1
                queue.append(m)
    ranked = sorted(grid.nodes(), key=lambda n: (depth[n], step_cost(grid, start, n), n))
    return {n: r for r, n in enumerate(ranked)}
