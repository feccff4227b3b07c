"""Measured motion of the arms and the lumbar spine over the stride, per gait.

A sagittal model cannot reproduce what arm swing is for (balancing the legs' angular momentum
about the vertical axis, Hinrichs 1987; Pontzer et al. 2009 J Exp Biol 212:523): left free, an
effort-minimising optimiser would hold the arms still. The lumbar joint, left free beside a free
pelvis tilt, makes a near-symmetry (tilt the pelvis back, flex the spine, extend the hips: the
segments barely move) that the optimiser slides along for hundreds of iterations and ends on the
lumbar ligaments (measured: pelvis 21 deg back, lumbar at its flexion limit in walking). So the
predictive model prescribes the shoulder, elbow and lumbar angles from measured running and
walking (``params/prescribed_motion.toml``, sources cited there), solves the pelvis tilt, and
resolves the arm and trunk muscles afterwards for what holding and moving them costs.

Each angle is a Fourier series of the stride fraction ``phi`` (0 at right foot strike, 1 at the
next): ``theta(phi) = c0 + sum_n a_n cos(2 pi n phi) + b_n sin(2 pi n phi)``, degrees in the file,
radians here. The left arm is the right arm half a stride later. The lumbar joint lies on the
midline, so in a left-right symmetric stride (what the predictive model solves: half a stride, the
other half mirrored) it repeats every half stride: only its even harmonics are kept; the odd ones
(1.3 deg in the running data, 1.6 deg in the walking data) are the measured subject's asymmetry,
and kept they would make the mirrored half stride disagree with its own dynamics. ``phi`` may be
a float, a NumPy array or a CasADi symbol; derivatives are taken with respect to ``phi`` (the
caller scales them by dphi/dt).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from runmuscles.conventions import Gait
from runmuscles.errors import DataError, InputError
from runmuscles.model.backend import ops_for
from runmuscles.units import DEG

__all__ = ["PrescribedMotion", "prescribed_motion"]


@dataclass(frozen=True)
class PrescribedMotion:
    """Fourier coefficients (rad) of the right shoulder, right elbow and lumbar angles."""

    gait: str
    shoulder: tuple[float, ...]
    elbow: tuple[float, ...]
    lumbar: tuple[float, ...]
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
        """Prescribed DOF name -> angle (rad) or its ``order``-th derivative w.r.t. ``phi``."""
        phi_l = phi + 0.5
        return {
            "lumbar": self._series(self.lumbar, phi, order),
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
            "lumbar_deg": [c / DEG for c in self.lumbar],
        }


@cache
def prescribed_motion(gait: str = "run") -> PrescribedMotion:
    """The measured arm swing of ``gait`` ("run" or "walk") from ``params/arm_swing.toml``."""
    try:
        gait = Gait(gait).value
    except ValueError:
        raise InputError(f"gait {gait!r} must be 'run' or 'walk'") from None
    text = (
        resources.files("runmuscles.model")
        .joinpath("params", "prescribed_motion.toml")
        .read_text(encoding="utf-8")
    )
    try:
        entry = tomllib.loads(text)[gait]
        shoulder = tuple(float(c) * DEG for c in entry["shoulder_deg"])
        elbow = tuple(float(c) * DEG for c in entry["elbow_deg"])
        lumbar = tuple(
            0.0 if (i + 1) // 2 % 2 else float(c) * DEG  # coefficients of odd n dropped
            for i, c in enumerate(entry["lumbar_deg"])
        )
        source = str(entry["source"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"model/params/prescribed_motion.toml: bad or missing [{gait}] entry: {exc}"
        ) from exc
    if any(len(c) % 2 == 0 for c in (shoulder, elbow, lumbar)):
        raise DataError("model/params/prescribed_motion.toml: give c0 then (a_n, b_n) pairs")
    return PrescribedMotion(gait, shoulder, elbow, lumbar, source)
