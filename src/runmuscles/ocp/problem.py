"""Declare a predictive running problem: an editable, plain-data :class:`Problem`.

Declare, then solve, then inspect (../shared/DESIGN.md): :func:`predictive` returns a problem whose
fields may be edited (mesh size, goals, bounds by name, guess) before
:func:`runmuscles.ocp.solve.solve` turns it into a :class:`~runmuscles.ocp.solution.Solution`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from runmuscles.conventions import Gait
from runmuscles.errors import InputError, OutOfRangeError
from runmuscles.model.runner import Runner
from runmuscles.ocp.goals import Goals

__all__ = [
    "DURATION_BOUNDS",
    "GRADE_RANGE",
    "SPEED_RANGE",
    "Gait",
    "Problem",
    "WarmStart",
    "bound_window",
    "predictive",
]

#: Conditions the predictive model is built for, per gait (m/s, rise/run).
SPEED_RANGE = {Gait.RUN: (1.5, 8.0), Gait.WALK: (0.5, 3.0)}
GRADE_RANGE = {Gait.RUN: (-0.40, 0.40), Gait.WALK: (-0.40, 0.50)}
#: Bounds of the simulated half stride (s), per gait.
DURATION_BOUNDS = {Gait.RUN: (0.18, 0.60), Gait.WALK: (0.30, 1.00)}


@dataclass(frozen=True)
class WarmStart:
    """A solved stride to start from: its scaled NLP point ``z`` at ``speed``/``grade`` for a
    runner, gait and mesh, and optionally its sensitivity ``dz_dp`` (n, 2) to (speed, grade).
    ``runner_fingerprint`` names the runner it was solved for (another body's stride is used as a
    starting point only; the solve is the problem's runner's physics)."""

    z: Any
    speed: float
    grade: float
    gait: str
    n_intervals: int
    runner_fingerprint: str
    dz_dp: Any = None
    source: str = ""
    #: the solution's constraint and bound multipliers (a warm start of the dual point too)
    lam_g: Any = None
    lam_x: Any = None
    #: the objective it was solved to, when known (of two stored strides of one condition and
    #: runner, the lower is the better start)
    objective: float | None = None


@dataclass
class Problem:
    """A periodic running or walking stride at an imposed average speed on a treadmill of given
    grade.

    ``half_stride``: simulate from right foot strike to left foot strike with left/right symmetry
    (the full stride is the half stride followed by its mirror image). ``bounds`` overrides state or
    control bounds by name, e.g. ``{"q:knee_r": (0, 2.4)}`` (physical units); a third item
    ``(phi0, phi1)`` limits the override to the nodes whose stride fraction lies in that window
    (0 at right foot strike; the simulated half stride spans 0-0.5), e.g. ``{"q:knee_r": (-0.2,
    0.8, (0.0, 0.3))}`` keeps the right knee under 46 deg over the first 30 % of the stride (a
    probe of what the optimiser prefers, not a model of anything). ``duration_bounds``
    bound the simulated interval (s; default per gait). ``guess`` is a previous :class:`Solution`
    or a :class:`WarmStart` (warm start) or None (a cold start: the solver tries its cold
    guesses).
    """

    runner: Runner
    speed: float
    grade: float = 0.0
    gait: Gait = Gait.RUN
    n_intervals: int = 50
    half_stride: bool = True
    goals: Goals = field(default_factory=Goals)
    bounds: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    duration_bounds: tuple[float, float] | None = None
    guess: Any = None

    def __post_init__(self) -> None:
        try:
            self.gait = Gait(self.gait)
        except ValueError:
            raise InputError(f"gait {self.gait!r} must be 'run' or 'walk'") from None
        if self.duration_bounds is None:
            self.duration_bounds = DURATION_BOUNDS[self.gait]

    def condition(self) -> str:
        what = "walking" if self.gait == Gait.WALK else "running"
        return f"{what} {self.speed:.2f} m/s, grade {self.grade * 100:+.1f} %"

    def validate(self) -> None:
        check_condition(self.speed, self.grade, self.gait)
        if not (10 <= self.n_intervals <= 400):
            raise InputError(f"n_intervals {self.n_intervals} must be between 10 and 400")
        if not self.half_stride:
            raise InputError("only half-stride problems with left/right symmetry are supported")
        for name, bound in self.bounds.items():
            bound_window(name, bound)


def bound_window(name: str, bound: Any) -> tuple[float, float, float, float]:
    """``(lo, hi, phi0, phi1)`` of one entry of :attr:`Problem.bounds` (the window defaults to
    the whole stride); a clear error for a malformed one."""
    how = (
        f"bounds[{name!r}] = {bound!r}: give (lower, upper) in physical units, optionally with "
        "a stride-fraction window (phi0, phi1), e.g. (-0.2, 0.8, (0.0, 0.3))"
    )
    try:
        lo, hi, *rest = bound
        phi0, phi1 = rest[0] if rest else (0.0, 1.0)
        values = (float(lo), float(hi), float(phi0), float(phi1))
    except (TypeError, ValueError):
        raise InputError(how) from None
    if len(rest) > 1 or not all(math.isfinite(v) for v in values):
        raise InputError(how)
    if values[0] > values[1] or not 0.0 <= values[2] <= values[3] <= 1.0:
        raise InputError(how + " (lower <= upper, 0 <= phi0 <= phi1 <= 1)")
    return values


def check_condition(speed: float, grade: float, gait: Gait | str = Gait.RUN) -> None:
    """Raise a clear error for an impossible or unsupported condition of ``gait``."""
    if not (isinstance(speed, (int, float)) and math.isfinite(speed)) or speed <= 0:
        shown = f"{speed:g}" if isinstance(speed, (int, float)) else repr(speed)
        raise InputError(f"speed {shown} m/s must be a positive number")
    if not (isinstance(grade, (int, float)) and math.isfinite(grade)):
        raise InputError(f"grade {grade!r} must be a number (rise/run, e.g. 0.05 for 5 %)")
    gait = Gait(gait)
    lo, hi = SPEED_RANGE[gait]
    if not lo <= speed <= hi:
        why = (
            "below it people walk (gait='walk'); above it is sprinting, which this model is not "
            "built for"
            if gait == Gait.RUN
            else "above it people run (gait='run')"
        )
        raise OutOfRangeError(
            f"speed {speed:g} m/s is outside the {gait.value} model's range {lo:g}..{hi:g} m/s; "
            + why
        )
    glo, ghi = GRADE_RANGE[gait]
    if not glo <= grade <= ghi:
        raise OutOfRangeError(
            f"grade {grade * 100:+.0f} % is outside the {gait.value} model's range "
            f"{glo * 100:+.0f}..{ghi * 100:+.0f} %"
        )


def predictive(
    runner: Runner, speed: float, grade: float = 0.0, gait: Gait | str = Gait.RUN, **fields: Any
) -> Problem:
    """An editable predictive problem for ``runner`` at ``speed`` (m/s) and ``grade``."""
    problem = Problem(
        runner=runner, speed=float(speed), grade=float(grade), gait=Gait(gait), **fields
    )
    problem.validate()
    return problem
