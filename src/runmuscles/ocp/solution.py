"""The result of a predictive solve: named trajectories, outputs and solver facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

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

    @property
    def duration(self) -> float:
        """Simulated interval (s): a half stride."""
        return float(self.time[-1])

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
        }
