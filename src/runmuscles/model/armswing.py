"""Measured arm swing: shoulder and elbow angles over the stride, per gait.

A sagittal model cannot reproduce what arm swing is for (balancing the legs' angular momentum
about the vertical axis, Hinrichs 1987; Pontzer et al. 2009 J Exp Biol 212:523): left free, an
effort-minimising optimiser would hold the arms still. So the predictive model prescribes the arm
angles from measured running and walking (``params/arm_swing.toml``, sources cited there) and the
arm muscles are resolved afterwards for what holding and swinging the arms costs.

Each angle is a Fourier series of the stride fraction ``phi`` (0 at right foot strike, 1 at the
next): ``theta(phi) = c0 + sum_n a_n cos(2 pi n phi) + b_n sin(2 pi n phi)``, degrees in the file,
radians here. The left arm is the right arm half a stride later. ``phi`` may be a float, a NumPy
array or a CasADi symbol; derivatives are taken with respect to ``phi`` (the caller scales them by
dphi/dt).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from runmuscles.conventions import Gait
from runmuscles.errors import DataError
from runmuscles.model.backend import ops_for
from runmuscles.units import DEG

__all__ = ["ArmSwing", "arm_swing"]


@dataclass(frozen=True)
class ArmSwing:
    """Fourier coefficients (rad) of the right shoulder and elbow angle over the stride."""

    gait: str
    shoulder: tuple[float, ...]
    elbow: tuple[float, ...]
    source: str

    def _series(self, coeffs: tuple[float, ...], phi: Any, order: int) -> Any:
        """d^order theta / d phi^order at stride fraction ``phi``."""
        ops = ops_for(phi)
        out: Any = coeffs[0] if order == 0 else 0.0
        for n in range(1, (len(coeffs) - 1) // 2 + 1):
            a, b = coeffs[2 * n - 1], coeffs[2 * n]
            w = 2.0 * math.pi * n
            c, s = ops.cos(w * phi), ops.sin(w * phi)
            # derivatives of a cos + b sin cycle through (a, b) -> (b w, -a w) -> ...
            for _ in range(order):
                a, b = b * w, -a * w
            out = out + a * c + b * s
        return out

    def angles(self, phi: Any, order: int = 0) -> dict[str, Any]:
        """Arm DOF name -> angle (rad) or its ``order``-th derivative with respect to ``phi``."""
        phi_l = phi + 0.5
        return {
            "shoulder_r": self._series(self.shoulder, phi, order),
            "elbow_r": self._series(self.elbow, phi, order),
            "shoulder_l": self._series(self.shoulder, phi_l, order),
            "elbow_l": self._series(self.elbow, phi_l, order),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "gait": self.gait,
            "source": self.source,
            "shoulder_deg": [c / DEG for c in self.shoulder],
            "elbow_deg": [c / DEG for c in self.elbow],
        }


@cache
def arm_swing(gait: str = "run") -> ArmSwing:
    """The measured arm swing of ``gait`` ("run" or "walk") from ``params/arm_swing.toml``."""
    gait = Gait(gait).value
    text = (
        resources.files("runmuscles.model")
        .joinpath("params", "arm_swing.toml")
        .read_text(encoding="utf-8")
    )
    try:
        entry = tomllib.loads(text)[gait]
        shoulder = tuple(float(c) * DEG for c in entry["shoulder_deg"])
        elbow = tuple(float(c) * DEG for c in entry["elbow_deg"])
        source = str(entry["source"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"model/params/arm_swing.toml: bad or missing [{gait}] entry: {exc}"
        ) from exc
    if len(shoulder) % 2 == 0 or len(elbow) % 2 == 0:
        raise DataError("model/params/arm_swing.toml: give c0 then (a_n, b_n) pairs")
    return ArmSwing(gait, shoulder, elbow, source)
