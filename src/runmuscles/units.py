"""SI everywhere. This module is the only place with conversion factors.

Physics code works in metres, kilograms, seconds, newtons and radians; readers and the CLI convert
at the boundary with these helpers.
"""

from __future__ import annotations

import math
import re

from runmuscles.errors import InputError

__all__ = [
    "DEG",
    "KMH",
    "MINUTE",
    "SEMICIRCLE",
    "G",
    "deg",
    "format_pace",
    "parse_grade",
    "rad_to_deg",
]

#: Standard gravity, m/s^2 (CGPM 1901).
G = 9.80665
#: One degree in radians.
DEG = math.pi / 180.0
#: One km/h in m/s.
KMH = 1000.0 / 3600.0
#: One minute in seconds (cadence per minute -> per second: divide by MINUTE).
MINUTE = 60.0
#: One FIT "semicircle" (the FIT protocol's position unit, 2**31 per 180 degrees) in degrees.
SEMICIRCLE = 180.0 / 2**31


def deg(x: float) -> float:
    """Degrees to radians."""
    return x * DEG


def rad_to_deg(x: float) -> float:
    """Radians to degrees."""
    return x / DEG


_GRADE_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*(%?)\s*$")


def parse_grade(text: str | float) -> float:
    """Parse a grade given as ``"5%"``, ``"-10 %"`` or ``"0.05"`` into rise/run (dimensionless).

    A bare number is a fraction (0.05 = 5 %). Grades steeper than 100 % are refused.

    >>> parse_grade("5%"), parse_grade("-10 %"), parse_grade("0.05")
    (0.05, -0.1, 0.05)
    """
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = _GRADE_RE.match(text)
        if not m:
            raise InputError(
                f"grade {text!r} is not a number; write it as a percentage ('5%', '-10%') "
                "or a fraction ('0.05')"
            )
        value = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
    if not math.isfinite(value) or abs(value) > 1.0:
        raise InputError(
            f"grade {text!r} is outside -100%..100%; give rise/run, e.g. '5%' or '0.05'"
        )
    return value


def format_pace(speed_m_s: float) -> str:
    """Speed in m/s as a running pace 'm:ss /km'.

    >>> format_pace(4.0)
    '4:10 /km'
    """
    if speed_m_s <= 0 or not math.isfinite(speed_m_s):
        return "--:-- /km"
    total = round(1000.0 / speed_m_s)
    return f"{total // 60}:{total % 60:02d} /km"


# --- lengths (motion capture files: .trc, .c3d) ---

#: Metres per unit of length, for the unit strings found in motion-capture files.
LENGTH_UNITS: dict[str, float] = {"m": 1.0, "cm": 1e-2, "mm": 1e-3}


def length_factor(unit: str) -> float:
    """Metres per ``unit`` ('m', 'cm', 'mm'; case and spaces ignored).

    Raises :class:`InputError` naming the unit and the supported ones when unknown.
    """
    key = unit.strip().lower()
    if key not in LENGTH_UNITS:
        raise InputError(f"length unit {unit!r} is not known; supported: {', '.join(LENGTH_UNITS)}")
    return LENGTH_UNITS[key]


__all__ += ["LENGTH_UNITS", "length_factor"]
