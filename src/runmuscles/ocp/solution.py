"""The result of a predictive solve: named trajectories, outputs and solver facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from runmuscles.cycle import GaitCycle
from runmuscles.ocp.problem import WarmStart
from runmuscles.ocp.stride import cycle_from_solution

__all__ = ["Solution"]


@dataclass(frozen=True)
class Solution:
    """Trajectories over the simulated interval (a half stride), time first.

    ``states`` / ``controls`` map names such as ``"q:knee_r"``, ``"a:soleus_r"`` to arrays over
    the N+1 nodes (physical units); ``outputs`` maps output names to arrays ``(N+1, k)``.
    ``z`` and the multipliers allow warm starts of neighbouring conditions.
    """

    speed: float
    grade: float
    time: np.ndarray
    states: dict[str, np.ndarray]
    controls: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    objective: float
    status: str
    iterations: int
    wall_time_s: float
    function_time_s: float
    nlp_variables: int
    nlp_constraints: int
    z: np.ndarray
    lam_g: np.ndarray
    lam_x: np.ndarray
    n_intervals: int
    solver_options: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    gait: str = "run"
    #: the objective split by term (:data:`~runmuscles.ocp.node.COST_TERMS`, weighted; they sum
    #: to ``objective``): which goal the stride is paying for
    objective_terms: dict[str, float] = field(default_factory=dict)
    #: the :class:`~runmuscles.model.runner.Runner` that was solved (for :meth:`cycle`)
    runner: Any = field(default=None, repr=False, compare=False)
    #: cold starts: the guesses tried, with outcome, and the one kept
    guesses: tuple[dict[str, Any], ...] = ()

    def warm_start(self) -> WarmStart:
        """What a neighbouring condition starts from (point and sensitivity)."""
        return WarmStart(
            z=self.z,
            speed=self.speed,
            grade=self.grade,
            gait=self.gait,
            n_intervals=self.n_intervals,
            runner_fingerprint=self.runner.fingerprint() if self.runner is not None else "",
            dz_dp=self.meta.get("dz_dp"),
            source=f"solution at {self.speed:g} m/s, {self.grade * 100:+g} %",
            lam_g=self.lam_g,
            lam_x=self.lam_x,
        )

    def cycle(self) -> GaitCycle:
        """The full stride as a :class:`~runmuscles.cycle.GaitCycle` (the second half mirrors
        the first; arm muscles resolved; joint loads; reserves; provenance)."""
        if self.runner is None:
            raise ValueError("this Solution does not know its runner; solve it with solve()")
        return cycle_from_solution(self.runner, self)

    @property
    def duration(self) -> float:
        """Simulated interval (s): a half stride."""
        return float(self.time[-1])

    @property
    def muscles(self) -> tuple[str, ...]:
        """Names of the solved muscles (those with activation states), in model order."""
        return tuple(k[2:] for k in self.states if k.startswith("a:"))

    def q(self, dof: str) -> np.ndarray:
        return self.states[f"q:{dof}"]

    def solver_info(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "iterations": self.iterations,
            "wall_time_s": self.wall_time_s,
            "function_time_s": self.function_time_s,
            "nlp_variables": self.nlp_variables,
            "nlp_constraints": self.nlp_constraints,
            "objective": self.objective,
            "objective_terms": dict(self.objective_terms) or None,
            "guesses_tried": [dict(g) for g in self.guesses] or None,
            "guess_kept": next((g["guess"] for g in self.guesses if g.get("kept")), None),
        }
