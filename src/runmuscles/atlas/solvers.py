"""Solve functions for the atlas build: the real predictive solve and a test stand-in.

A *solve function* is ``solve_fn(condition, guess) -> Outcome``: it solves one
:class:`~runmuscles.atlas.grid.Condition` (speed, grade, body, gait), warm-started from ``guess``
(what a solved neighbour's :attr:`Outcome.guess` was, or None for a cold start), and raises
:class:`~runmuscles.errors.ConvergenceError` (with ``status``) when it fails. It runs in worker
processes, so it must be picklable: a module-level function or a :func:`functools.partial` of one.

:attr:`Outcome.info` carries the cell's provenance: solver status, iterations, objective, wall
time, options, the guesses tried on a cold start and the one kept, the warm start it continued
from, and the stride's realism facts (``reserves``, ``stance_slip_m_s``, ``bounds_touched``)
that the realism gate (:mod:`runmuscles.atlas.realism`) reads.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from runmuscles.atlas.content import (
    CATALOGUE_GROUPS,
    CURVE_POINTS,
    GRF_COMPONENTS,
    GRF_SIDES,
    GROUP_VARS,
    MUSCLE_VARS,
    SCALAR_VARS,
    Record,
    record_from_cycle,
)
from runmuscles.atlas.grid import Condition
from runmuscles.conventions import ARM_GROUPS, DOFS, MUSCLE_GROUPS
from runmuscles.errors import ConvergenceError

__all__ = ["STANDIN_LABEL", "Outcome", "SolveFn", "predictive_solve", "standin_solve"]

#: What every stand-in result says it is.
STANDIN_LABEL = "STAND-IN for tests and benchmarks (deterministic formulas, NOT physiology)"


@dataclass
class Outcome:
    """A solved condition: its atlas record, what neighbours get as a warm start (``guess``:
    a :class:`~runmuscles.prediction.WarmStart` for the real solve), and the cell's provenance
    (``info``: see the module docstring)."""

    record: Record
    guess: Any
    info: dict[str, Any] = field(default_factory=dict)


class SolveFn(Protocol):
    def __call__(self, condition: Condition, guess: Any) -> Outcome: ...


_RUNNERS: dict[tuple[float, float], Any] = {}


def _runner(mass: float, height: float) -> Any:
    from runmuscles.model.runner import Runner

    body = (mass, height)
    if body not in _RUNNERS:
        _RUNNERS[body] = Runner(mass=mass, height=height)
    return _RUNNERS[body]


def predictive_solve(
    condition: Condition,
    guess: Any = None,
    *,
    n_intervals: int = 50,
    max_iter: int = 3000,
    options: dict[str, Any] | None = None,
) -> Outcome:
    """The product solve: the predictive stride of ``condition`` (its gait) through the one
    front door (:func:`runmuscles.prediction.solve`), warm-started from a neighbour's
    :class:`~runmuscles.prediction.WarmStart` when given (cold: the solver tries its cold guesses
    and keeps the best). ``options``: more :class:`~runmuscles.prediction.SolverOptions` fields."""
    from runmuscles.prediction import SolverOptions, predictive, solve, stride_stores

    runner = _runner(condition.mass, condition.height)
    if guess is None:
        # a seed: start from the nearest stride stored (shipped or cached), cold without one
        for store in stride_stores():
            guess = store.nearest(
                runner, condition.gait, condition.speed, condition.grade, n_intervals
            )
            if guess is not None:
                break
    problem = predictive(
        runner,
        condition.speed,
        condition.grade,
        gait=condition.gait,
        n_intervals=n_intervals,
        guess=guess,
    )
    t0 = time.perf_counter()
    solution = solve(problem, SolverOptions(max_iter=max_iter, **(options or {})))
    wall = time.perf_counter() - t0
    cycle = solution.cycle()
    prov = cycle.provenance
    solver = prov.get("solver") or {}
    info = {
        "status": solution.status,
        "iterations": solution.iterations,
        "objective": solution.objective,
        "objective_terms": solution.objective_terms,
        "wall_time_s": wall,
        "solver_options": solution.solver_options,
        "guesses_tried": solver.get("guesses_tried"),
        "guess_kept": solver.get("guess_kept"),
        "warm_start": getattr(guess, "source", None) if guess is not None else None,
        "reserves": prov.get("reserves"),
        "stance_slip_m_s": prov.get("stance_slip_m_s"),
        "contact_sliding": prov.get("contact_sliding"),
        "bounds_touched": prov.get("bounds_touched"),
        "strike": cycle.strike,
        "n_intervals": n_intervals,
        "runner_fingerprint": runner.fingerprint(),
        "model": prov.get("model"),
        "parameter_sources": prov.get("parameter_sources"),
        "warnings": prov.get("warnings"),
    }
    return Outcome(record_from_cycle(cycle), solution.warm_start(), info)


# ---------------------------------------------------------------------------------------------
# The stand-in: NOT physiology.

#: Muscles of the stand-in (same names, groups and sides as the runner model).
_STANDIN_MUSCLES = tuple((f"{m}_{s}", g, s) for m, g in MUSCLE_GROUPS.items() for s in ("r", "l"))
#: Groups the stand-in marks unresolved below this speed when running, always when walking (to
#: exercise the ``resolved`` flags; NOT a statement about the model).
_STANDIN_ARMS = ARM_GROUPS
STANDIN_ARMS_RESOLVED_FROM = 3.25


def standin_value(v: float, g: float, k: float, gait: str = "run", curvature: float = 0.0) -> float:
    """The stand-in's value number ``k``: bilinear in speed and grade (so atlas interpolation of
    stand-in records is exact, a check on the lookup), plus ``curvature * v**2`` (so the
    interpolation error is known exactly: ``curvature * h**2 / 4`` at the middle of a speed
    step ``h``)."""
    off = 0.0 if gait == "run" else 0.37
    return (1.0 + 0.1 * k + off) * (1.0 + 0.5 * v + 2.0 * g + 0.3 * v * g + curvature * v * v)


def standin_bilinear(v: float, g: float, k: float) -> float:
    """:func:`standin_value` of running with no curvature (bilinear)."""
    return standin_value(v, g, k)


def standin_solve(
    condition: Condition,
    guess: Any = None,
    *,
    delay: float = 0.0,
    work_s: float = 0.0,
    fail: frozenset[tuple[float, float]] = frozenset(),
    fail_from: frozenset[tuple[tuple[float, float], tuple[float, float] | None]] = frozenset(),
    crash_once: tuple[str, tuple[float, float]] | None = None,
    unrealistic: frozenset[tuple[float, float]] = frozenset(),
    curvature: float = 0.0,
    warm_start_objects: bool = False,
    high_from: frozenset[tuple[tuple[float, float], tuple[float, float] | None]] = frozenset(),
) -> Outcome:
    """A TEST STAND-IN for :func:`predictive_solve`, NOT physiology: a deterministic, cheap
    record whose every number is :func:`standin_value` of speed and grade, for testing and
    benchmarking the build machinery (ordering, warm starts, resume, retries, realism gate,
    on-demand solving, Dask).

    ``delay`` s of sleep or ``work_s`` s of busy work (a tight loop that occupies a core like a
    solve; for benchmarks of parallel scaling) imitate solve time.
    Conditions ``(speed, grade)`` in ``fail`` always fail; ``((speed, grade), source)`` in
    ``fail_from`` fails when warm-started from ``source`` (None: cold). ``crash_once =
    (marker_path, (speed, grade))`` kills the worker process (``os._exit``) at that condition
    unless the marker file exists, which it creates first (a worker that dies once). Conditions
    in ``unrealistic`` converge with a reserve share of 8 % (refused by the realism gate);
    ``curvature`` adds a term quadratic in speed. ``((speed, grade), source)`` in ``high_from``
    lands on a worse local optimum (objective 20 % higher; every value else the same). The guess
    it returns is ``{"speed", "grade", "gait"}``, or with ``warm_start_objects`` a tiny
    :class:`~runmuscles.prediction.WarmStart` (fingerprint ``"standin"``) that a
    :class:`~runmuscles.prediction.StrideStore` can hold.
    """
    v, g, gait = condition.speed, condition.grade, condition.gait
    source = None
    if guess is not None:
        source = (float(_get(guess, "speed")), float(_get(guess, "grade")))
        if str(_get(guess, "gait")) != gait:
            raise ValueError(f"stand-in: a {_get(guess, 'gait')} guess for a {gait} condition")
    if delay > 0:
        time.sleep(delay)
    if work_s > 0:
        end = time.process_time() + work_s
        while time.process_time() < end:
            pass
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

    def val(k: float) -> float:
        return standin_value(v, g, k, gait, curvature)

    high = (here, source) in high_from

    names = tuple(m for m, _, _ in _STANDIN_MUSCLES)
    mgroups = tuple(gr for _, gr, _ in _STANDIN_MUSCLES)
    rec = Record(
        groups=CATALOGUE_GROUPS,
        muscles=names,
        muscle_groups=mgroups,
        muscle_sides=tuple(s for _, _, s in _STANDIN_MUSCLES),
        dofs=DOFS,
    )
    k = 0.0
    for var in GROUP_VARS:
        rec.group[var] = np.array([val(k + i) for i in range(len(CATALOGUE_GROUPS))])
        k += len(CATALOGUE_GROUPS)
    for var in MUSCLE_VARS:
        rec.muscle[var] = np.array([val(k + i) for i in range(len(names))])
        k += len(names)
    for var in SCALAR_VARS:
        rec.scalar[var] = val(k)
        k += 1
    # stride quantities consistent with each other: stride_length = v T, cadence = 120 / T
    stride = 0.8 - 0.02 * v - 0.1 * g + 0.01 * v * g + (0.3 if gait == "walk" else 0.0)
    rec.scalar.update(
        stride_time_s=stride, stride_length_m=v * stride, cadence_steps_per_min=120.0 / stride
    )
    x = np.linspace(0.0, 1.0, CURVE_POINTS)
    shape = 0.5 + 0.5 * np.sin(2 * math.pi * x)
    rec.activation = np.array([shape * 0.01 * val(i) for i in range(len(names))])
    rec.joint_angle = np.array(
        [0.1 * val(i) * np.sin(2 * math.pi * x + i) for i in range(len(DOFS))]
    )
    rec.grf = np.array(
        [
            [100.0 * val(50 + 2 * s) * np.sin(2 * math.pi * (x + 0.5 * s)),
             700.0 * val(51 + 2 * s) * np.clip(np.sin(2 * math.pi * (x + 0.5 * s)), 0, None)]
            for s in range(len(GRF_SIDES))
        ]
    )  # fmt: skip
    assert rec.grf.shape == (len(GRF_SIDES), len(GRF_COMPONENTS), CURVE_POINTS)
    arms_resolved = gait == "run" and v >= STANDIN_ARMS_RESOLVED_FROM
    rec.resolved = np.array([arms_resolved or grp not in _STANDIN_ARMS for grp in mgroups])
    rec.check()
    realistic = here not in unrealistic
    info = {
        "status": "StandIn_Succeeded",
        "iterations": 0 if guess is None else 1,
        "objective": val(0.5) * (1.2 if high else 1.0),
        "wall_time_s": delay + work_s,
        "solver_options": {"solver": "stand-in"},
        "guesses_tried": [{"guess": "standin", "kept": True}] if guess is None else None,
        "guess_kept": "standin" if guess is None else None,
        "warm_start": None if source is None else f"stand-in at {source[0]:g} m/s, {source[1]:+g}",
        "reserves": {"hip": 0.01 if realistic else 0.08, "knee": 0.005},
        "stance_slip_m_s": 0.02,
        "bounds_touched": [],
        "strike": "rearfoot",
        "n_intervals": 0,
        "runner_fingerprint": "standin",
        "model": STANDIN_LABEL,
    }
    if warm_start_objects:
        from runmuscles.prediction import WarmStart

        ws: Any = WarmStart(
            z=np.array([v, g, val(0)]),
            speed=v,
            grade=g,
            gait=gait,
            n_intervals=0,
            runner_fingerprint="standin",
            source=f"stand-in at {v:g} m/s, {g:+g}",
        )
    else:
        ws = {"speed": v, "grade": g, "gait": gait}
    return Outcome(rec, ws, info)


def _get(guess: Any, key: str) -> Any:
    return guess[key] if isinstance(guess, dict) else getattr(guess, key)
