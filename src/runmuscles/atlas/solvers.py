"""Solve functions for the atlas build: the real predictive solve and a test stand-in.

A *solve function* is ``solve_fn(condition, guess) -> Outcome``: it solves one
:class:`~runmuscles.atlas.grid.Condition`, warm-started from ``guess`` (what a solved neighbour's
:attr:`Outcome.guess` was, or None for a cold start), and raises
:class:`~runmuscles.errors.ConvergenceError` (with ``status``) when it fails. It runs in worker
processes, so it must be picklable: a module-level function or a :func:`functools.partial` of one.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from runmuscles.atlas.content import CATALOGUE_GROUPS, CURVE_POINTS, Record, record_from_cycle
from runmuscles.atlas.grid import Condition
from runmuscles.conventions import MUSCLE_GROUPS
from runmuscles.errors import ConvergenceError

__all__ = ["Outcome", "SolveFn", "predictive_solve", "standin_solve"]


@dataclass
class Outcome:
    """A solved condition: its atlas record, what neighbours get as a warm start, solver facts
    (``status``, ``iterations``, ``wall_time_s``, ``provenance``)."""

    record: Record
    guess: Any
    info: dict[str, Any] = field(default_factory=dict)


class SolveFn(Protocol):
    def __call__(self, condition: Condition, guess: Any) -> Outcome: ...


_RUNNERS: dict[tuple[float, float], Any] = {}


def predictive_solve(
    condition: Condition,
    guess: Any = None,
    *,
    n_intervals: int = 50,
    max_iter: int = 3000,
) -> Outcome:
    """The product solve: predictive simulation of one stride (:mod:`runmuscles.ocp`), warm-started
    from a neighbour's :class:`~runmuscles.ocp.solution.Solution` when given."""
    from runmuscles.model.runner import Runner
    from runmuscles.prediction import SolverOptions, predictive, solve

    body = (condition.mass, condition.height)
    if body not in _RUNNERS:
        _RUNNERS[body] = Runner(mass=condition.mass, height=condition.height)
    runner = _RUNNERS[body]
    problem = predictive(
        runner, condition.speed, condition.grade, n_intervals=n_intervals, guess=guess
    )
    t0 = time.perf_counter()
    solution = solve(problem, SolverOptions(max_iter=max_iter))
    cycle = solution.cycle()
    return Outcome(
        record_from_cycle(cycle),
        solution.warm_start(),
        {
            "status": solution.status,
            "iterations": solution.iterations,
            "wall_time_s": time.perf_counter() - t0,
            "provenance": cycle.provenance,
        },
    )


# ---------------------------------------------------------------------------------------------
# The stand-in: NOT physiology.

#: Muscles of the stand-in (same names, groups and sides as the runner model).
_STANDIN_MUSCLES = tuple(
    (f"{m}_{s}" if s != "mid" else m, g, s)
    for m, g in MUSCLE_GROUPS.items()
    for s in (("mid",) if m in ("rect_abd", "erector_spinae") else ("r", "l"))
)


def standin_bilinear(v: float, g: float, k: float) -> float:
    """The stand-in's value number ``k``: bilinear in speed and grade, so atlas interpolation of
    stand-in records is exact (a check on the lookup)."""
    return (1.0 + 0.1 * k) * (1.0 + 0.5 * v + 2.0 * g + 0.3 * v * g)


def standin_solve(
    condition: Condition,
    guess: Any = None,
    *,
    delay: float = 0.0,
    fail: frozenset[tuple[float, float]] = frozenset(),
    fail_from: frozenset[tuple[tuple[float, float], tuple[float, float] | None]] = frozenset(),
    crash_once: tuple[str, tuple[float, float]] | None = None,
) -> Outcome:
    """A TEST STAND-IN for :func:`predictive_solve`, NOT physiology: a deterministic, cheap
    record whose every number is :func:`standin_bilinear` of speed and grade, for testing and
    benchmarking the build machinery (ordering, warm starts, resume, retries, Dask).

    ``delay`` s of sleep imitates solve time. Conditions ``(speed, grade)`` in ``fail`` always
    fail; ``((speed, grade), source)`` in ``fail_from`` fails when warm-started from ``source``
    (None: cold). ``crash_once = (marker_path, (speed, grade))`` kills the worker process
    (``os._exit``) at that condition unless the marker file exists, which it creates first (a
    worker that dies once). The guess it returns is ``{"speed", "grade"}`` of the condition.
    """
    v, g = condition.speed, condition.grade
    source = None if guess is None else (float(guess["speed"]), float(guess["grade"]))
    if delay > 0:
        time.sleep(delay)
    here = (round(v, 6), round(g, 6))
    if crash_once is not None and crash_once[1] == here:
        marker = Path(crash_once[0])
        if not marker.exists():
            marker.touch()
            os._exit(1)
    if here in fail or (here, source) in fail_from:
        raise ConvergenceError(
            f"stand-in failure at {condition.label()} (from {source})", status="StandIn_Failure"
        )
    names = tuple(m for m, _, _ in _STANDIN_MUSCLES)
    rec = Record(
        groups=CATALOGUE_GROUPS,
        muscles=names,
        muscle_groups=tuple(gr for _, gr, _ in _STANDIN_MUSCLES),
        muscle_sides=tuple(s for _, _, s in _STANDIN_MUSCLES),
    )
    from runmuscles.atlas.content import GROUP_VARS, MUSCLE_VARS, SCALAR_VARS

    k = 0.0
    for var in GROUP_VARS:
        rec.group[var] = np.array(
            [standin_bilinear(v, g, k + i) for i in range(len(CATALOGUE_GROUPS))]
        )
        k += len(CATALOGUE_GROUPS)
    for var in MUSCLE_VARS:
        rec.muscle[var] = np.array([standin_bilinear(v, g, k + i) for i in range(len(names))])
        k += len(names)
    for var in SCALAR_VARS:
        rec.scalar[var] = standin_bilinear(v, g, k)
        k += 1
    # stride quantities consistent with each other: stride_length = v T, cadence = 120 / T
    stride = 0.8 - 0.02 * v - 0.1 * g + 0.01 * v * g
    rec.scalar.update(
        stride_time_s=stride, stride_length_m=v * stride, cadence_steps_per_min=120.0 / stride
    )
    x = np.linspace(0.0, 1.0, CURVE_POINTS)
    shape = 0.5 + 0.5 * np.sin(2 * math.pi * x)
    rec.activation = np.array([shape * 0.01 * standin_bilinear(v, g, i) for i in range(len(names))])
    rec.check()
    info = {
        "status": "StandIn_Succeeded",
        "iterations": 0,
        "wall_time_s": delay,
        "provenance": {"model": "STAND-IN for tests (not physiology)"},
    }
    return Outcome(rec, {"speed": v, "grade": g}, info)
