"""The grid of the atlas (per gait: speeds x grades, any spacing) and the continuation order.

A :class:`Grid` holds one :class:`GaitGrid` per gait (``"run"``, ``"walk"``), each with its own
strictly increasing speed and grade axes (non-uniform spacing allowed: finer where the muscles
change fast) and its cold-start *seeds*, for one body size. Axes are written ``START:STOP:STEP``
(both ends included), comma lists, or several such pieces joined (``-30%:-15%:5%`` plus
``-12.5%:12.5%:2.5%``); grades accept percentages.

Conditions are solved by *continuation* within each gait: the grid nodes nearest the seeds (by
default 3.5 m/s level running, 1.4 m/s level walking) are solved cold; every other node is
warm-started from an already solved neighbour (8-connected) of the same gait, the nearest one in
the normalised distance :func:`step_cost`. :func:`bfs_order` gives the breadth-first order from
the seeds, which the scheduler uses as its priority (both gaits advance together).

The shipped atlas's grid is data: ``runmuscles/data/atlas_grid.toml`` (:func:`shipped_grid`).
"""

from __future__ import annotations

import math
import tomllib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.conventions import Gait
from runmuscles.errors import InputError
from runmuscles.units import parse_grade

__all__ = [
    "DEFAULT_SEEDS",
    "GRADE_SCALE",
    "SPEED_SCALE",
    "Condition",
    "GaitGrid",
    "Grid",
    "Node",
    "bfs_order",
    "neighbours",
    "parse_axis",
    "shipped_grid",
    "step_cost",
]

#: Cold starts per gait (speed m/s, grade): the grid node nearest each is solved first. 3.5 m/s
#: is a middle running speed (the Fukuchi runners' 2.5/3.5/4.5 m/s); 1.4 m/s is about the
#: preferred walking speed of adults on the level (Bohannon 1997, Age Ageing 26:15: 1.3-1.5 m/s).
DEFAULT_SEEDS: dict[str, tuple[tuple[float, float], ...]] = {
    "run": ((3.5, 0.0),),
    "walk": ((1.4, 0.0),),
}
#: Distances on the grid are measured in these units (1 m/s of speed counts as much as 10 % of
#: grade: both are about what one warm start bridges; the same scale as ``prediction``'s search
#: for the nearest stored stride).
SPEED_SCALE = 1.0
GRADE_SCALE = 0.10
#: Axis values are rounded to this many decimals (keys of part files, exact node lookups).
DECIMALS = 6

#: A node of the grid: (gait, speed index, grade index).
Node = tuple[str, int, int]


@dataclass(frozen=True, order=True)
class Condition:
    """One condition of the atlas: speed m/s, grade (rise/run), body mass kg, height m, gait."""

    speed: float
    grade: float
    mass: float = 70.0
    height: float = 1.75
    gait: str = "run"

    @property
    def key(self) -> str:
        """File-name-safe key, e.g. ``run_v3.500000_g-0.050000``."""
        return f"{self.gait}_v{self.speed:.{DECIMALS}f}_g{self.grade:+.{DECIMALS}f}"

    def label(self) -> str:
        what = "walking" if self.gait == "walk" else "running"
        return f"{what} {self.speed:g} m/s, grade {self.grade * 100:+g} %"


def _check_gait(gait: str) -> str:
    try:
        return Gait(gait).value
    except ValueError:
        raise InputError(f"gait {gait!r}: use 'run' or 'walk'") from None


def parse_axis(text: str | Sequence[Any], what: str) -> np.ndarray:
    """Grid values from ``"2:6:0.5"``, ``"-30%:30%:5%"``, ``"3,3.5,4"``, a sequence of numbers,
    or a sequence of such strings (their union: a non-uniform axis).

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

    def piece(text: str) -> np.ndarray:
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
            return np.asarray(start + step * np.arange(n + 1), dtype=float)
        return np.array([num(p) for p in text.split(",") if p.strip()], dtype=float)

    if isinstance(text, str):
        values = piece(text)
    elif all(isinstance(t, str) for t in text) and len(text) > 0:
        values = np.concatenate([piece(str(t)) for t in text])
    else:
        try:
            values = np.asarray([float(v) for v in text], dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{what} grid {text!r}: give numbers or START:STOP:STEP") from None
    values = np.unique(np.round(values.astype(float), DECIMALS))
    if values.size < 2 or not np.all(np.isfinite(values)):
        raise InputError(
            f"the {what} grid needs at least two finite values to interpolate between, got "
            f"{values.tolist()}"
        )
    return values


@dataclass(frozen=True)
class GaitGrid:
    """The speed x grade grid of one gait: strictly increasing axes (m/s, rise/run) and the
    conditions solved cold (``seeds``; default :data:`DEFAULT_SEEDS`)."""

    gait: str
    speeds: tuple[float, ...]
    grades: tuple[float, ...]
    seeds: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "gait", _check_gait(self.gait))
        s = parse_axis(list(self.speeds), "speed")
        g = parse_axis(list(self.grades), "grade")
        object.__setattr__(self, "speeds", tuple(map(float, s)))
        object.__setattr__(self, "grades", tuple(map(float, g)))
        seeds = self.seeds or DEFAULT_SEEDS[self.gait]
        object.__setattr__(self, "seeds", tuple((float(v), float(gr)) for v, gr in seeds))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.speeds), len(self.grades)

    def nearest(self, speed: float, grade: float) -> tuple[int, int]:
        """The (i, j) node nearest (speed, grade) in :func:`step_cost` units (ties: lower)."""
        i_s = np.asarray(self.speeds)
        j_g = np.asarray(self.grades)
        best = min(
            ((i, j) for i in range(i_s.size) for j in range(j_g.size)),
            key=lambda n: (
                math.hypot((i_s[n[0]] - speed) / SPEED_SCALE, (j_g[n[1]] - grade) / GRADE_SCALE),
                n,
            ),
        )
        return best


@dataclass(frozen=True)
class Grid:
    """The atlas grid: one :class:`GaitGrid` per gait, for one body (mass kg, height m)."""

    gaits: tuple[GaitGrid, ...]
    mass: float = 70.0
    height: float = 1.75
    #: where the grid came from (a spec file), for the provenance
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        names = [g.gait for g in self.gaits]
        if not names or len(set(names)) != len(names):
            raise InputError(f"a grid needs each gait at most once and one at least, got {names}")

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_axes(
        cls,
        speeds: str | Sequence[Any],
        grades: str | Sequence[Any],
        mass: float = 70.0,
        height: float = 1.75,
        gait: str = "run",
    ) -> Grid:
        """A one-gait grid from two axes (strings as in :func:`parse_axis`, or numbers)."""
        s = parse_axis(speeds, "speed")
        g = parse_axis(grades, "grade")
        return cls((GaitGrid(gait, tuple(s), tuple(g)),), float(mass), float(height))

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], source: str = "") -> Grid:
        """A grid from a mapping such as the TOML spec (see ``data/atlas_grid.toml``)::

        [body]  mass_kg, height_m
        [run]   speeds_m_s = "2:6.5:0.25", grades = ["-30%:-15%:5%", ...], seeds = [[3.5, 0]]
        [walk]  ...
        """
        body = spec.get("body", {})
        gaits = []
        for gait in ("run", "walk"):
            if gait not in spec:
                continue
            sec = spec[gait]
            try:
                speeds, grades = sec["speeds_m_s"], sec["grades"]
            except KeyError as exc:
                raise InputError(f"grid spec [{gait}] lacks {exc.args[0]!r}") from None
            seeds = tuple(tuple(map(float, s)) for s in sec.get("seeds", ()))
            gaits.append(
                GaitGrid(
                    gait,
                    tuple(parse_axis(speeds, "speed")),
                    tuple(parse_axis(grades, "grade")),
                    seeds,  # type: ignore[arg-type]
                )
            )
        unknown = set(spec) - {"body", "run", "walk", "note", "spacing"}
        if unknown:
            raise InputError(f"grid spec: unknown sections {sorted(unknown)}; use body, run, walk")
        return cls(
            tuple(gaits),
            float(body.get("mass_kg", 70.0)),
            float(body.get("height_m", 1.75)),
            source=source,
        )

    @classmethod
    def load(cls, path: str | Path) -> Grid:
        """A grid from a TOML spec file."""
        p = Path(path)
        try:
            spec = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read the grid spec {p}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{p} is not valid TOML: {exc}") from None
        return cls.from_spec(spec, source=str(p))

    # ---------------------------------------------------------------- access
    @property
    def gait_names(self) -> tuple[str, ...]:
        return tuple(g.gait for g in self.gaits)

    def of(self, gait: str) -> GaitGrid:
        for g in self.gaits:
            if g.gait == gait:
                return g
        raise InputError(f"this grid has no {gait!r} strides (it has {', '.join(self.gait_names)})")

    @property
    def size(self) -> int:
        return sum(a * b for a, b in (g.shape for g in self.gaits))

    def condition(self, node: Node) -> Condition:
        gait, i, j = node
        gg = self.of(gait)
        return Condition(gg.speeds[i], gg.grades[j], self.mass, self.height, gait)

    def nodes(self) -> Iterator[Node]:
        for gg in self.gaits:
            for i in range(len(gg.speeds)):
                for j in range(len(gg.grades)):
                    yield (gg.gait, i, j)

    def starts(self) -> list[Node]:
        """The seed nodes: per gait, the node nearest each seed (duplicates removed)."""
        out: list[Node] = []
        for gg in self.gaits:
            for v, g in gg.seeds:
                i, j = gg.nearest(v, g)
                n: Node = (gg.gait, i, j)
                if n not in out:
                    out.append(n)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "mass_kg": self.mass,
            "height_m": self.height,
            "source": self.source,
            **{
                g.gait: {
                    "speeds_m_s": list(g.speeds),
                    "grades": list(g.grades),
                    "seeds": [list(s) for s in g.seeds],
                }
                for g in self.gaits
            },
        }


def shipped_grid() -> Grid:
    """The grid of the shipped atlas (``runmuscles/data/atlas_grid.toml``)."""
    path = Path(str(resources.files("runmuscles").joinpath("data", "atlas_grid.toml")))
    grid = Grid.load(path)
    return Grid(grid.gaits, grid.mass, grid.height, source="runmuscles/data/atlas_grid.toml")


def neighbours(grid: Grid, node: Node) -> list[Node]:
    """The up to 8 nodes of the same gait around ``node``."""
    gait, i, j = node
    ns, ng = grid.of(gait).shape
    return [
        (gait, i + di, j + dj)
        for di in (-1, 0, 1)
        for dj in (-1, 0, 1)
        if (di or dj) and 0 <= i + di < ns and 0 <= j + dj < ng
    ]


def step_cost(grid: Grid, a: Node, b: Node) -> float:
    """Normalised distance between two nodes of one gait (speed / :data:`SPEED_SCALE`, grade /
    :data:`GRADE_SCALE`): the warm-start source of a node is its solved neighbour of least cost.
    Nodes of different gaits are infinitely far apart (no warm start across gaits)."""
    if a[0] != b[0]:
        return math.inf
    gg = grid.of(a[0])
    dv = (gg.speeds[a[1]] - gg.speeds[b[1]]) / SPEED_SCALE
    dg = (gg.grades[a[2]] - gg.grades[b[2]]) / GRADE_SCALE
    return math.hypot(dv, dg)


def bfs_order(grid: Grid) -> dict[Node, int]:
    """Breadth-first rank of every node from the seeds (:meth:`Grid.starts`) over 4-connected
    steps within each gait (ties broken by distance from the nearest seed, then gait): the order
    in which a serial build solves the grid; both gaits advance together."""
    starts = grid.starts()
    depth = dict.fromkeys(starts, 0)
    queue = deque(starts)
    while queue:
        n = queue.popleft()
        for m in neighbours(grid, n):
            if m not in depth and (m[1] == n[1] or m[2] == n[2]):
                depth[m] = depth[n] + 1
                queue.append(m)

    def seed_cost(n: Node) -> float:
        return min(step_cost(grid, s, n) for s in starts)

    ranked = sorted(grid.nodes(), key=lambda n: (depth[n], seed_cost(n), n))
    return {n: r for r, n in enumerate(ranked)}
