"""Predict a stride: ``rm.predict(runner, speed=3.5, grade=0.05) -> GaitCycle``, the front door.

``predict`` declares the problem (:func:`runmuscles.ocp.problem.predictive`), picks the gait a
person would choose at that speed and grade when none is given (:func:`preferred_gait`), starts
from the nearest solved stride it knows (a :class:`StrideStore`: the strides solved before on this
machine, and the ones shipped with the package) when there is one, solves it
(:func:`runmuscles.ocp.build.solve`, the one way to solve) and hands out the full stride.
Every solve converges or raises :class:`~runmuscles.errors.ConvergenceError`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.conventions import Gait, cache_root
from runmuscles.cycle import GaitCycle
from runmuscles.errors import InputError
from runmuscles.gait import transition_speed
from runmuscles.model.runner import Runner
from runmuscles.ocp.build import solve
from runmuscles.ocp.problem import Problem, WarmStart, predictive
from runmuscles.ocp.solution import Solution
from runmuscles.ocp.solve import SolverOptions

__all__ = [
    "Problem",
    "Solution",
    "SolverOptions",
    "StrideStore",
    "WarmStart",
    "predict",
    "predictive",
    "preferred_gait",
    "solve",
    "stride_stores",
]


def preferred_gait(speed: float, grade: float = 0.0) -> Gait:
    """The gait a person would choose at ``speed`` (m/s) on ``grade``: walking below the
    preferred walk-run transition speed for the grade (:func:`runmuscles.gait.transition_speed`:
    about 2 m/s on the level, lower on climbs; Hreljac 1993, Minetti et al. 1994, Brill & Kram
    2021), running at or above it."""
    return Gait.WALK if speed < transition_speed(grade) else Gait.RUN


#: How far (in these units) one step of the nearest-stride search reaches: 1 m/s counts as much
#: as 10 % grade (this project's choice, about what one warm start bridges either way).
_GRADE_PER_SPEED = 0.10


class StrideStore:
    """A folder of solved strides, one compressed ``.npz`` per stride: the scaled NLP point and
    its multipliers, its condition, gait, mesh and runner fingerprint. It is
    what ``predict`` starts from: the user's cache (written after each solve) and the strides
    shipped with the package (read only)."""

    def __init__(self, path: str | Path, *, writable: bool = True) -> None:
        self.path = Path(path)
        self.writable = writable

    def __repr__(self) -> str:
        return f"StrideStore({str(self.path)!r})"

    def _files(self) -> list[Path]:
        return sorted(self.path.glob("*.npz")) if self.path.is_dir() else []

    def entries(self) -> list[dict[str, Any]]:
        """Metadata of every stored stride (condition, gait, mesh, fingerprint, file)."""
        out = []
        for f in self._files():
            try:
                with np.load(f, allow_pickle=False) as data:
                    meta = json.loads(str(data["meta"]))
            except (OSError, ValueError, KeyError):
                continue  # a damaged or foreign file is skipped, never trusted
            out.append({**meta, "file": f})
        return out

    def save(self, solution: Solution) -> Path | None:
        """Store ``solution`` (atomically); returns the file, or None for a read-only store."""
        if solution.runner is None:
            return None
        return self.save_warm_start(solution.warm_start(), solution.objective)

    def save_warm_start(self, ws: WarmStart, objective: float = float("nan")) -> Path | None:
        """Store a warm start (point, multipliers, condition) atomically, single precision (a
        starting point needs no more: relative rounding 6e-8); None for a read-only store."""
        if not self.writable:
            return None
        self.path.mkdir(parents=True, exist_ok=True)
        fp = ws.runner_fingerprint
        meta = {
            "speed": ws.speed,
            "grade": ws.grade,
            "gait": ws.gait,
            "n_intervals": ws.n_intervals,
            "fingerprint": fp,
            "objective": None if not np.isfinite(objective) else float(objective),
        }
        arrays: dict[str, Any] = {"z": np.asarray(ws.z, dtype=np.float32)}
        if ws.lam_g is not None and ws.lam_x is not None:
            arrays["lam_g"] = np.asarray(ws.lam_g, dtype=np.float32)
            arrays["lam_x"] = np.asarray(ws.lam_x, dtype=np.float32)
        name = f"{ws.gait}_{ws.speed:.3f}_{ws.grade:+.4f}_{fp}.npz"
        target = self.path / name
        fd, tmp = tempfile.mkstemp(dir=self.path, suffix=".npz.partial")
        os.close(fd)
        try:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target

    def nearest(
        self, runner: Runner, gait: str, speed: float, grade: float, n_intervals: int
    ) -> WarmStart | None:
        """The stored stride of this gait and mesh nearest (speed, grade), or None: this
        runner's when it has one near, else another body's (a starting point only: the solve
        is this runner's physics). A stride of another runner counts as one step farther."""
        fp = runner.fingerprint()
        best, rank = None, (np.inf, np.inf)
        for e in self.entries():
            if e.get("gait") != gait or e.get("n_intervals") != n_intervals:
                continue
            same = e.get("fingerprint") == fp
            r = _rank(e["speed"], e["grade"], same, _objective(e), speed, grade)
            if r < rank:
                best, rank = e, r
        if best is None:
            return None
        with np.load(best["file"], allow_pickle=False) as data:
            z = np.asarray(data["z"], dtype=float)
            lam_g = np.asarray(data["lam_g"], dtype=float) if "lam_g" in data else None
            lam_x = np.asarray(data["lam_x"], dtype=float) if "lam_x" in data else None
        return WarmStart(
            z=z,
            speed=float(best["speed"]),
            grade=float(best["grade"]),
            gait=gait,
            n_intervals=n_intervals,
            runner_fingerprint=str(best.get("fingerprint", "")),
            source=f"stored stride at {best['speed']:g} m/s, {best['grade'] * 100:+g} % "
            f"({best['file'].name})",
            lam_g=lam_g,
            lam_x=lam_x,
            objective=None if not np.isfinite(rank[1]) else rank[1],
        )


def stride_stores() -> list[StrideStore]:
    """The stores ``predict`` looks in: the user's cache (``$RUNMUSCLES_CACHE`` or the
    platform's user cache folder, e.g. ``~/.cache/runmuscles/strides``), then the package's."""
    cache = cache_root()
    shipped = Path(str(resources.files("runmuscles").joinpath("data", "strides")))
    return [StrideStore(cache / "strides"), StrideStore(shipped, writable=False)]


def _objective(entry: dict[str, Any]) -> float:
    """A stored stride's objective, or infinity when it was not recorded."""
    value = entry.get("objective")
    return float(value) if value is not None and np.isfinite(value) else np.inf


def _rank(
    v: float, g: float, same_runner: bool, objective: float, speed: float, grade: float
) -> tuple[float, float]:
    """How good a start a stored stride at (``v``, ``g``) is for (``speed``, ``grade``), lowest
    first: the distance (another runner's stride one step farther), then its objective."""
    d = np.hypot(v - speed, (g - grade) / _GRADE_PER_SPEED) + (0.0 if same_runner else 1.0)
    return round(float(d), 9), objective


def _nearest(stores: Iterable[StrideStore], problem: Problem) -> WarmStart | None:
    """The nearest stored stride over ``stores`` (the first store wins a tie), and of two at the
    same distance of the same runner the one solved to the lower objective: a stride the user's
    cache holds must not shadow a better one shipped for the same condition (the shipped 3.5 m/s
    level stride was replaced by one 16 % lower when the atlas was polished)."""
    best: WarmStart | None = None
    best_rank = (np.inf, np.inf)
    fp = problem.runner.fingerprint()
    for store in stores:
        found = store.nearest(
            problem.runner, problem.gait.value, problem.speed, problem.grade, problem.n_intervals
        )
        if found is None:
            continue
        obj = found.objective if found.objective is not None else np.inf
        same = found.runner_fingerprint == fp
        rank = _rank(found.speed, found.grade, same, obj, problem.speed, problem.grade)
        if rank < best_rank:
            best, best_rank = found, rank
    return best


def predict(
    runner: Runner | None = None,
    speed: float = 3.5,
    grade: float = 0.0,
    *,
    gait: Gait | str | None = None,
    guess: Solution | WarmStart | str | None = "nearest",
    options: SolverOptions | None = None,
    progress: Callable[[int, float], None] | None = None,
    stores: list[StrideStore] | None = None,
    **problem_fields: Any,
) -> GaitCycle:
    """Predict one stride of ``runner`` at ``speed`` (m/s) on ``grade`` (rise/run).

    ``gait``: "run" or "walk"; default :func:`preferred_gait`. ``guess``: ``"nearest"`` (start from
    the nearest stored stride of this runner, gait and mesh, else cold), ``None`` (cold: measured
    kinematics and the kinematic template are both tried, the better kept), or a previous
    :class:`Solution` / :class:`WarmStart`. The solved stride is added to the user's store.
    Raises :class:`~runmuscles.errors.ConvergenceError` when the solve fails.

    >>> import runmuscles as rm
    >>> cycle = rm.predict(rm.Runner(), speed=3.5, grade=0.05)  # doctest: +SKIP
    >>> cycle.summary()["cadence_steps_per_min"]  # doctest: +SKIP
    174.2
    """
    runner = runner or Runner()
    chosen = Gait(gait) if gait is not None else preferred_gait(speed, grade)
    problem = predictive(runner, speed, grade, gait=chosen, **problem_fields)
    stores = stride_stores() if stores is None else stores
    if isinstance(guess, str):
        if guess != "nearest":
            raise InputError(f"guess {guess!r}: use 'nearest', None, or a Solution")
        problem.guess = _nearest(stores, problem)
    else:
        problem.guess = guess
    solution = solve(problem, options, progress)
    for store in stores:
        if store.writable:
            # a read-only or full cache folder must not lose the solved stride
            with contextlib.suppress(OSError):
                store.save(solution)
            break
    return solution.cycle()
