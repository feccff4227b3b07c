"""The runner's body as the analysis needs it: mass (kg) and height (m), checked in one place.

The accepted ranges are :data:`runmuscles.conventions.BODY_MASS_RANGE_KG` and
:data:`~runmuscles.conventions.BODY_HEIGHT_RANGE_M` (the same for the model, the analysis and
stored profiles).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runmuscles.conventions import BODY_HEIGHT_RANGE_M, BODY_MASS_RANGE_KG
from runmuscles.errors import InputError, OutOfRangeError

__all__ = ["Body", "as_body", "check_body"]


def check_body(mass_kg: Any, height_m: Any) -> tuple[float, float]:
    """(mass kg, height m) as floats, or an error naming the value, the range and the unit."""
    out = []
    for what, value, (lo, hi), unit, flag in (
        ("body mass", mass_kg, BODY_MASS_RANGE_KG, "kg", "kilograms, e.g. --mass 70"),
        ("height", height_m, BODY_HEIGHT_RANGE_M, "m", "metres, e.g. --height 1.75"),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{what} {value!r} is not a number; give it in {flag}")
        v = float(value)
        if not (math.isfinite(v) and lo <= v <= hi):
            raise OutOfRangeError(
                f"{what} {v:g} {unit} is outside {lo:g}..{hi:g} {unit}; give it in {flag}"
            )
        out.append(v)
    return out[0], out[1]


@dataclass(frozen=True)
class Body:
    """A runner's body mass ``mass_kg`` (kg) and height ``height_m`` (m), checked on creation."""

    mass_kg: float = 70.0
    height_m: float = 1.75

    def __post_init__(self) -> None:
        mass, height = check_body(self.mass_kg, self.height_m)
        object.__setattr__(self, "mass_kg", mass)
        object.__setattr__(self, "height_m", height)

    def to_dict(self) -> dict[str, float]:
        return {"mass_kg": self.mass_kg, "height_m": self.height_m}


def as_body(body: Any) -> Body:
    """A :class:`Body` from ``None`` (70 kg, 1.75 m), a Body, anything with ``mass_kg`` and
    ``height_m`` (a stored profile) or ``mass`` and ``height`` (a :class:`runmuscles.Runner`),
    a mapping with those keys, or a ``(mass kg, height m)`` pair."""
    if body is None:
        return Body()
    if isinstance(body, Body):
        return body
    if isinstance(body, Mapping):
        if {"mass_kg", "height_m"} <= body.keys():
            return Body(body["mass_kg"], body["height_m"])
        if {"mass", "height"} <= body.keys():
            return Body(body["mass"], body["height"])
    elif hasattr(body, "mass_kg") and hasattr(body, "height_m"):
        return Body(body.mass_kg, body.height_m)
    elif hasattr(body, "mass") and hasattr(body, "height"):
        return Body(body.mass, body.height)
    elif isinstance(body, tuple | list) and len(body) == 2:
        return Body(body[0], body[1])
    raise InputError(
        f"body {body!r} is not a body: give runmuscles.load.Body(mass_kg=70, height_m=1.75), a "
        "runmuscles.Runner, a mapping with mass_kg and height_m, or (mass kg, height m)"
    )
