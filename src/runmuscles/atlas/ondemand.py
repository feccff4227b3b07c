"""Conditions outside the shipped grid, solved on demand and cached: nothing clipped, nothing
extrapolated.

:class:`OnDemandAtlas` is an :class:`~runmuscles.atlas.Atlas` (format 2) plus a cache of cells
solved on this machine. The analysis asks it first (:meth:`OnDemandAtlas.prepare`) which of its
conditions it can look up; for those outside the shipped grid it

1. maps each condition onto the *extension lattice* of its gait: the shipped axes continued
   outward with their edge spacing up to the model's range (:data:`MODEL_RANGE`), so a
   condition always lies in one lattice cell and is interpolated bilinearly between four solved
   strides exactly as inside the grid;
2. solves the corners of those cells that no stride covers yet, by continuation: nearest first,
   each warm-started from the nearest solved stride (the shipped strides and the ones solved here
   before, :class:`~runmuscles.prediction.StrideStore`), retried once from the next nearest,
   through the realism gate (:mod:`runmuscles.atlas.realism`);
3. caches every solved cell in the user's cache folder (``$RUNMUSCLES_CACHE`` or the platform's,
   e.g. ``~/.cache/runmuscles/atlas-cells/<model id>/``) and its stride in
   ``.../runmuscles/strides/`` where ``predict`` looks too; later analyses, the web app and
   ``explore`` reuse them.

Modes (:class:`Solving`): ``SOLVE`` solves everything needed, reporting each stride to
``progress``; ``NO_SOLVE`` (``--no-solve``) solves nothing; ``WAIT`` (the web app) hands the solves
to a background process, waits ``wait_s`` seconds, and says for whatever is not ready that it is
being solved. The reasons :meth:`prepare` returns name what was not computed and why; the
analysis turns them into the kilometres it could not compute.

A condition outside the model's range (a 9 m/s sprint, a walk up 60 %) is never solved: its
reason says so. Cells whose solve failed are remembered (``*.failed.json``) and not retried until
the model changes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles.atlas.cache import CellCache, cache_root, lattice_axis, model_id, overlay
from runmuscles.atlas.gaittable import GaitTable, fmt_grade
from runmuscles.atlas.grid import Condition
from runmuscles.atlas.guesses import NodeGuesses, StrideGuesses, distance
from runmuscles.atlas.parts import write_strides
from runmuscles.atlas.realism import check_realism
from runmuscles.atlas.solvers import SolveFn
from runmuscles.atlas.table import Atlas, cell_report
from runmuscles.errors import InputError

__all__ = [
    "MODEL_RANGE",
    "CellCache",
    "OnDemandAtlas",
    "OnDemandStatus",
    "Solving",
    "cache_root",
    "lattice_axis",
    "on_demand_atlas",
    "shutdown_background",
]

FloatArray = NDArray[np.float64]
#: gait -> its -ing form
_ING = {"run": "running", "walk": "walking"}
#: The model's range per gait (speed m/s, grade): conditions beyond it are never solved. The
#: same numbers as ``runmuscles.ocp.problem.SPEED_RANGE``/``GRADE_RANGE`` (checked by a test;
#: repeated here so that reading an atlas does not import the solver).
MODEL_RANGE: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "run": ((1.5, 8.0), (-0.40, 0.40)),
    "walk": ((0.5, 3.0), (-0.40, 0.50)),
}


#: Environment variable: "1" makes every on-demand atlas solve nothing (as ``--no-solve``).
NO_SOLVE_ENV = "RUNMUSCLES_NO_SOLVE"


class Solving(StrEnum):
    """What :class:`OnDemandAtlas` does about conditions outside the shipped grid."""

    SOLVE = "solve"
    NO_SOLVE = "no-solve"
    WAIT = "wait"


@dataclass(frozen=True)
class OnDemandStatus:
    """Progress of on-demand solving: strides needed, solved, failed; the last one and its time."""

    total: int
    done: int
    failed: int
    last: str = ""
    last_time_s: float = 0.0


# ------------------------------------------------------------------------------ the table
class OnDemandAtlas:
    """The shipped atlas extended by cells solved on demand (module docstring). A
    ``load.ConditionTable`` with the gait interface and :meth:`prepare`."""

    def __init__(
        self,
        base: Atlas,
        *,
        solve: SolveFn | None = None,
        guesses: Any = None,
        cache: CellCache | str | Path | None = None,
        solving: Solving | str = Solving.SOLVE,
        wait_s: float = 5.0,
        progress: Callable[[OnDemandStatus], None] | None = None,
        model_range: dict[str, tuple[tuple[float, float], tuple[float, float]]] | None = None,
    ) -> None:
        if getattr(base, "prepare", None) is None:
            raise InputError(
                "this atlas (format 1, built by an earlier engine) cannot be extended on demand; "
                "rebuild it: `runmuscles atlas build --grid shipped`"
            )
        self.base = base
        self.solving = Solving(solving)
        self.wait_s = float(wait_s)
        self.progress = progress
        self.model_range = model_range or MODEL_RANGE
        mid = model_id(base)
        if cache is None:
            cache = cache_root()
        self.cache = cache if isinstance(cache, CellCache) else CellCache(cache, mid)
        self._solve = solve
        self._guesses = guesses
        self._tables: dict[str, GaitTable] = {}
        self._lattice = {
            g: (
                lattice_axis(base.table(g).speeds, *self.model_range[g][0]),
                lattice_axis(base.table(g).grades, *self.model_range[g][1]),
            )
            for g in base.gaits
        }
        self._lock = threading.Lock()
        self.refresh()

    # ---------------------------------------------------------------- protocol
    @property
    def gaits(self) -> tuple[str, ...]:
        return self.base.gaits

    def has(self, gait: str) -> bool:
        return self.base.has(gait)

    def ranges(self, gait: str = "run") -> tuple[tuple[float, float], tuple[float, float]]:
        """The shipped grid of ``gait`` (conditions beyond it are solved on demand)."""
        return self.base.ranges(gait)

    @property
    def groups(self) -> tuple[str, ...]:
        return self.base.groups

    @property
    def muscles(self) -> tuple[str, ...]:
        return self.base.muscles

    @property
    def speed_range(self) -> tuple[float, float]:
        return self.base.speed_range

    @property
    def grade_range(self) -> tuple[float, float]:
        return self.base.grade_range

    @property
    def speeds(self) -> FloatArray:
        return self.base.speeds

    @property
    def grades(self) -> FloatArray:
        return self.base.grades

    @property
    def mass_kg(self) -> float:
        return self.base.mass_kg

    @property
    def height_m(self) -> float:
        return self.base.height_m

    @property
    def path(self) -> Path | None:
        return self.base.path

    @property
    def ds(self) -> xr.Dataset:
        return self.base.ds

    @property
    def provenance(self) -> dict[str, Any]:
        cached = {g: len(self.cache.cells(g)) for g in self.gaits}
        return {
            **self.base.provenance,
            "on_demand": {"cache": str(self.cache.folder), "cells": cached,
                          "solving": self.solving.value},
        }  # fmt: skip

    def missing(self, gait: str | None = None) -> list[dict[str, Any]]:
        return self.base.missing(gait)

    def table(self, gait: str = "run") -> GaitTable:
        """The extended table of ``gait`` (shipped grid plus cached cells)."""
        if gait not in self._tables:
            self.base.table(gait)  # the clear error for an unknown gait
        return self._tables[gait]

    def lookup(
        self, speed: ArrayLike, grade: ArrayLike, gait: str = "run"
    ) -> dict[str, FloatArray]:
        return self.table(gait).lookup(speed, grade)

    def at(self, speed: float, grade: float, gait: str = "run") -> xr.Dataset:
        return self.table(gait).at(speed, grade)

    def cell(self, speed: float, grade: float, gait: str = "run") -> dict[str, Any]:
        """:meth:`Atlas.cell` on the extended table (cells solved on demand included)."""
        return cell_report(self.table(gait), speed, grade)

    def info(self) -> dict[str, Any]:
        return {**self.base.info(), "provenance": self.provenance}

    # ---------------------------------------------------------------- cache
    def refresh(self) -> None:
        """Re-read the cache (cells another process solved meanwhile)."""
        with self._lock:
            for g in self.base.gaits:
                base = self.base.table(g)
                ds = overlay(base.ds, self.cache.cells(g))
                self._tables[g] = GaitTable(ds, g, "atlas (with the cells solved on demand)",
                                            self._fix)  # fmt: skip

    def _fix(self, gait: str, speed: float, grade: float, outside: bool = True) -> str:
        return (
            "not solved yet: `runmuscles analyze` solves it on demand (unless --no-solve); or "
            f"`runmuscles simulate --gait {gait} --speed {speed:g} --grade={fmt_grade(grade)}`"
        )

    # ---------------------------------------------------------------- what to solve
    def _needed(self, gait: str, v: float, g: float) -> tuple[str, list[tuple[float, float]]]:
        """('', nodes to solve) or (reason it cannot be computed, [])."""
        (vlo, vhi), (glo, ghi) = self.model_range[gait]
        what = "walking" if gait == "walk" else "running"
        if not (vlo - 1e-9 <= v <= vhi + 1e-9 and glo - 1e-9 <= g <= ghi + 1e-9):
            return (
                f"outside what the {what} model is built for ({vlo:g}..{vhi:g} m/s, "
                f"{fmt_grade(glo)}..{fmt_grade(ghi)})",
                [],
            )
        base = self.base.table(gait)
        if base.inside([v], [g])[0]:
            missing = []
            for i, j, _ in _corner_nodes(base.speeds, base.grades, v, g):
                if not base.solved()[i, j]:
                    missing.append(f"{base.speeds[i]:g} m/s {fmt_grade(base.grades[j])}")
            return (
                "next to a cell of the atlas whose solve failed or was refused ("
                + ", ".join(missing)
                + "); see `runmuscles atlas info --cell`",
                [],
            )
        ls, lg = self._lattice[gait]
        table = self._tables[gait]
        solved = table.solved()
        have = {
            (
                int(np.argmin(np.abs(ls - table.speeds[i]))),
                int(np.argmin(np.abs(lg - table.grades[j]))),
            )
            for i, j in zip(*np.nonzero(solved), strict=True)
        }
        nodes: list[tuple[float, float]] = []
        for i, j, _ in _corner_nodes(ls, lg, v, g):
            if (i, j) in have:
                continue
            # the corner and, when it is more than one lattice step from every solved stride,
            # the lattice nodes on the way to it from the nearest one: continuation in steps
            for a, b in _path_to((i, j), have):
                if (float(ls[a]), float(lg[b])) not in nodes:
                    nodes.append((float(ls[a]), float(lg[b])))
        return "", nodes

    def prepare(self, speed: ArrayLike, grade: ArrayLike, gait: str = "run") -> list[str]:
        """Per condition, "" when :meth:`lookup` can answer it (solving what is needed, as the
        mode allows), else why not; see the module docstring."""
        v = np.atleast_1d(np.asarray(speed, dtype=float)).reshape(-1)
        g = np.atleast_1d(np.asarray(grade, dtype=float)).reshape(-1)
        if gait not in self.base.gaits:
            return [f"this atlas has no {_ING.get(gait, gait)} strides"] * v.size
        self.refresh()
        reasons = [""] * v.size
        ok = self._tables[gait].corners_ok(v, g)
        todo: dict[tuple[float, float], list[int]] = {}
        for k in map(int, np.flatnonzero(~ok)):
            why, nodes = self._needed(gait, float(v[k]), float(g[k]))
            if why:
                reasons[k] = why
                continue
            for n in nodes:
                todo.setdefault(n, []).append(int(k))
            if not nodes:  # corners solved meanwhile
                continue
        if not todo:
            return reasons
        failed = {n: f for n in todo if (f := self.cache.failure(self._cond(gait, n)))}
        to_solve = [n for n in todo if n not in failed]
        if to_solve and self.solving == Solving.SOLVE:
            failed.update(self._solve_nodes(gait, to_solve))
        elif to_solve and self.solving == Solving.WAIT:
            failed.update(self._wait_for(gait, to_solve))
        self.refresh()
        ok = self._tables[gait].corners_ok(v, g)
        (v0, v1), (g0, g1) = self.base.ranges(gait)
        what = "walking" if gait == "walk" else "running"
        grid = f"the atlas's {what} grid ({v0:g}..{v1:g} m/s, {fmt_grade(g0)}..{fmt_grade(g1)})"
        needs: dict[int, list[tuple[float, float]]] = {}
        for n, ks in todo.items():
            for k in ks:
                needs.setdefault(k, []).append(n)
        for k, nodes in needs.items():
            if ok[k] or reasons[k]:
                continue
            bad = [n for n in nodes if n in failed]
            if bad:
                n = bad[0]
                reasons[k] = (
                    f"outside {grid}, and the stride at {n[0]:g} m/s {fmt_grade(n[1])} "
                    f"could not be solved ({failed[n].get('status')}: "
                    f"{failed[n].get('message', '')})"
                )
            elif self.solving == Solving.NO_SOLVE:
                reasons[k] = f"outside {grid}; not solved (--no-solve)"
            elif self.solving == Solving.WAIT:
                reasons[k] = (
                    f"outside {grid}; its strides are being solved in the background "
                    f"(not ready after {self.wait_s:g} s): analyse the run again in a few "
                    "minutes"
                )
            else:
                reasons[k] = f"outside {grid}; not solved"
        return reasons

    def _cond(self, gait: str, n: tuple[float, float]) -> Condition:
        return Condition(n[0], n[1], self.base.mass_kg, self.base.height_m, gait)

    def _solver(self) -> tuple[SolveFn, Any]:
        """The solve function and warm-start provider: as given, else the predictive solve on
        the atlas's mesh, starting from stored strides of the atlas's runner."""
        if self._solve is not None:
            return self._solve, self._guesses or NodeGuesses()
        import functools

        from runmuscles.atlas.solvers import _runner, predictive_solve

        model = json.loads(self.base.table(self.base.gaits[0]).ds.attrs.get("model", "{}"))
        n_int = int(model.get("n_intervals") or 50)
        runner = _runner(self.base.mass_kg, self.base.height_m)
        fp = runner.fingerprint()
        if model.get("runner_fingerprint") not in (None, fp):
            raise InputError(
                f"the model changed since this atlas was built (runner {fp}, atlas "
                f"{model.get('runner_fingerprint')}): its strides cannot be extended; rebuild "
                "the atlas (`runmuscles atlas build --grid shipped`)"
            )
        from importlib import resources

        shipped = Path(str(resources.files("runmuscles").joinpath("data", "strides")))
        guesses = self._guesses or StrideGuesses([self.cache.strides, shipped], fp, n_int)
        return functools.partial(predictive_solve, n_intervals=n_int), guesses

    def _solve_nodes(
        self, gait: str, nodes: Sequence[tuple[float, float]]
    ) -> dict[tuple[float, float], dict[str, Any]]:
        """Solve ``nodes`` in this process by continuation (nearest to a solved stride first);
        returns the ones that failed -> why."""
        try:
            solve, guesses = self._solver()
        except InputError as exc:  # e.g. the model changed: nothing can be solved
            return {n: {"status": "cannot_solve", "message": str(exc)} for n in nodes}
        left = list(nodes)
        failed: dict[tuple[float, float], dict[str, Any]] = {}
        done = 0
        total = len(left)
        if self.progress:
            self.progress(OnDemandStatus(total, 0, 0))
        while left:
            table = self._tables[gait]
            sol = table.solved()
            have = [(float(table.speeds[i]), float(table.grades[j]))
                    for i, j in zip(*np.nonzero(sol), strict=True)]  # fmt: skip
            left.sort(key=lambda n: min((distance(n, h) for h in have), default=0.0))
            n = left.pop(0)
            cond = self._cond(gait, n)
            t0 = time.perf_counter()
            why = self._solve_one(cond, solve, guesses, have)
            if why is not None:
                failed[n] = why
            else:
                done += 1
                self.refresh()
            if self.progress:
                self.progress(
                    OnDemandStatus(total, done, len(failed), cond.label(), time.perf_counter() - t0)
                )
        return failed

    def _solve_one(
        self, cond: Condition, solve: SolveFn, guesses: Any, have: list[tuple[float, float]]
    ) -> dict[str, Any] | None:
        """Solve one cell from each candidate warm start in turn; cache it; None when solved,
        else the failure record (also cached)."""
        tried = []
        for label, guess in guesses.candidates(cond, have) or [("cold", None)]:
            t0 = time.perf_counter()
            try:
                out = solve(cond, guess)
            except Exception as exc:
                tried.append({"from": label, "status": getattr(exc, "status", "") or
                              type(exc).__name__, "message": str(exc)})  # fmt: skip
                continue
            verdict = check_realism(out.info)
            if not verdict.ok:
                tried.append({"from": label, "status": "Refused_Realism",
                              "message": "; ".join(verdict.reasons)})  # fmt: skip
                continue
            info = {
                **out.info,
                "attempts": len(tried) + 1,
                "build_wall_time_s": time.perf_counter() - t0,
                "warm_start_from": None if guess is None else [
                    float(_attr(guess, "speed")), float(_attr(guess, "grade"))],
                "realism": verdict.to_dict(),
                "source": "solved on demand on this machine",
            }  # fmt: skip
            self.cache.save(cond, out, info)
            # a full or read-only cache: the cell is kept, its stride is not
            with contextlib.suppress(OSError):
                write_strides(self.cache.strides, [out.guess], [info])
            return None
        fail = {
            "status": tried[-1]["status"] if tried else "no_warm_start",
            "message": tried[-1]["message"] if tried else "no stored stride to start from",
            "attempts": tried,
        }
        self.cache.save_failure(cond, fail)
        return fail

    # ---------------------------------------------------------------- background (web app)
    def _wait_for(
        self, gait: str, nodes: Sequence[tuple[float, float]]
    ) -> dict[tuple[float, float], dict[str, Any]]:
        """Hand ``nodes`` to the background solver, wait up to ``wait_s``; the failures known
        by then."""
        try:
            solve, guesses = self._solver()
        except InputError as exc:
            return {n: {"status": "cannot_solve", "message": str(exc)} for n in nodes}
        job = _background().submit(self, gait, list(nodes), solve, guesses)
        with contextlib.suppress(cf.TimeoutError):
            job.result(timeout=self.wait_s)
        self.refresh()
        return {n: f for n in nodes if (f := self.cache.failure(self._cond(gait, n))) is not None}


def _attr(guess: Any, key: str) -> Any:
    return guess[key] if isinstance(guess, dict) else getattr(guess, key)


def _path_to(target: tuple[int, int], have: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lattice nodes (indices) from the solved node nearest ``target`` (Chebyshev steps, then
    Euclidean) to ``target``: the first step next to a solved node, the last ``target``."""
    if not have:
        return [target]
    i1, j1 = target
    i0, j0 = min(
        have,
        key=lambda n: (max(abs(n[0] - i1), abs(n[1] - j1)), math.hypot(n[0] - i1, n[1] - j1), n),
    )
    path = []
    i, j = i0, j0
    while (i, j) != target:
        i += int(np.sign(i1 - i))
        j += int(np.sign(j1 - j))
        if (i, j) not in have:
            path.append((i, j))
    return path


def _corner_nodes(
    speeds: ArrayLike, grades: ArrayLike, v: float, g: float
) -> list[tuple[int, int, float]]:
    """The nodes (i, j) of the axes' cell around (v, g) with a non-zero bilinear weight."""
    s = np.asarray(speeds, dtype=float)
    r = np.asarray(grades, dtype=float)
    i = int(np.clip(np.searchsorted(s, v, side="right") - 1, 0, s.size - 2))
    j = int(np.clip(np.searchsorted(r, g, side="right") - 1, 0, r.size - 2))
    tv = float(np.clip((v - s[i]) / (s[i + 1] - s[i]), 0, 1))
    tg = float(np.clip((g - r[j]) / (r[j + 1] - r[j]), 0, 1))
    out = []
    for di, wv in ((0, 1 - tv), (1, tv)):
        for dj, wg in ((0, 1 - tg), (1, tg)):
            if wv * wg > 0:
                out.append((i + di, j + dj, wv * wg))
    return out


class _Background:
    """One background worker process (spawned, one solver thread) solving cells for ``WAIT``
    tables: a solve neither blocks the caller (the web app's request) nor can crash it. A cell
    is queued once however many requests ask for it; the worker writes into the cache, which
    the caller re-reads."""

    def __init__(self) -> None:
        import multiprocessing as mp

        self._pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
        self._jobs: dict[tuple[str, str, float, float], cf.Future[Any]] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        table: OnDemandAtlas,
        gait: str,
        nodes: list[tuple[float, float]],
        solve: Any,
        guesses: Any,
    ) -> cf.Future[Any]:
        if table.base.path is None:
            raise InputError("background solving needs an atlas read from a file")
        job = (str(table.base.path), str(table.cache.root), table.cache.model_id)
        with self._lock:
            futs = []
            for n in nodes:
                key = (str(table.cache.folder), gait, n[0], n[1])
                fut = self._jobs.get(key)
                if fut is None or fut.done():
                    try:
                        fut = self._pool.submit(_solve_in_background, job, gait, n, solve, guesses)
                    except RuntimeError:  # a broken pool (a worker died): start a new one
                        self.__init__()  # type: ignore[misc]
                        fut = self._pool.submit(_solve_in_background, job, gait, n, solve, guesses)
                    self._jobs[key] = fut
                futs.append(fut)
        return _all_of(futs)


def _solve_in_background(
    job: tuple[str, str, str], gait: str, n: tuple[float, float], solve: Any, guesses: Any
) -> None:
    """Worker side: solve one cell of the atlas at ``job[0]`` into the cache ``job[1:]``."""
    path, root, model_id = job
    table = OnDemandAtlas(Atlas.load(path), solve=solve, guesses=guesses,
                          cache=CellCache(root, model_id), solving=Solving.SOLVE)  # fmt: skip
    t = table.table(gait)
    if (node := t.node(*n)) is not None and t.solved()[node]:
        return
    have = [(float(t.speeds[i]), float(t.grades[j]))
            for i, j in zip(*np.nonzero(t.solved()), strict=True)]  # fmt: skip
    table._solve_one(table._cond(gait, n), solve, guesses, have)


def _all_of(futs: list[cf.Future[Any]]) -> cf.Future[Any]:
    """A future done when every one of ``futs`` is."""
    out: cf.Future[Any] = cf.Future()
    left = [len(futs)]
    lock = threading.Lock()

    def one(_: Any) -> None:
        with lock:
            left[0] -= 1
            if left[0] == 0 and not out.done():
                out.set_result(None)

    if not futs:
        out.set_result(None)
    for f in futs:
        f.add_done_callback(one)
    return out


_BACKGROUND: _Background | None = None


def shutdown_background(wait: bool = True) -> None:
    """Stop the background solver process (if one was started); queued solves are dropped."""
    global _BACKGROUND
    if _BACKGROUND is not None:
        _BACKGROUND._pool.shutdown(wait=wait, cancel_futures=True)
        _BACKGROUND = None


def _background() -> _Background:
    global _BACKGROUND
    if _BACKGROUND is None:
        _BACKGROUND = _Background()
    return _BACKGROUND


def on_demand_atlas(
    atlas: Atlas | None = None,
    *,
    solving: Solving | str = Solving.SOLVE,
    wait_s: float = 5.0,
    progress: Callable[[OnDemandStatus], None] | None = None,
) -> Atlas | OnDemandAtlas:
    """The table the analysis uses: the shipped (or ``$RUNMUSCLES_ATLAS``) atlas extended on
    demand, or the atlas itself when it cannot be extended (a format-1 file: analysed as before,
    clipped at its edges with a warning). With the environment variable
    :data:`NO_SOLVE_ENV` set to 1 nothing is solved, whatever ``solving`` says (a machine
    without time for solves: the analysis names the kilometres not computed)."""
    import os

    base = atlas if atlas is not None else Atlas.load()
    if getattr(base, "prepare", None) is None:
        return base
    if os.environ.get(NO_SOLVE_ENV, "").strip() not in ("", "0"):
        solving = Solving.NO_SOLVE
    return OnDemandAtlas(base, solving=solving, wait_s=wait_s, progress=progress)
