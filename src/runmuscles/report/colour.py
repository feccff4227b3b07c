"""Colour scales of the report: sequential load scale, diverging grade scale, categorical groups.

* :func:`load_colour` maps 0..1 to a perceptual sequential scale: the matplotlib *magma* colour map
  (van der Walt & Smith 2015, CC0) read from pale (low) to dark (high), sampled from 0.98 down to
  0.15 of magma. Linear interpolation in sRGB between 9 stops keeps its lightness monotone (tested),
  so "darker" always means "more load", also in grey-scale print.
* :func:`grade_colour` maps a grade (rise/run) to a diverging blue (downhill) - grey (flat) -
  red (uphill) scale, saturating at +-``GRADE_SPAN``.
* :data:`GROUP_COLOURS`: a qualitative palette (Tableau 10 and two more), one per catalogue group.
"""

from __future__ import annotations

import math

__all__ = [
    "GRADE_SPAN",
    "GROUP_COLOURS",
    "NO_DATA",
    "grade_colour",
    "group_colour",
    "load_colour",
    "relative_luminance",
]

#: magma rows 250, 223, 197, 171, 144, 118, 91, 65, 38 of its 256 (fractions 0.98 .. 0.15 in equal
#: steps): pale yellow -> orange -> magenta -> deep purple.
LOAD_STOPS: tuple[str, ...] = (
    "#fcf4b6",
    "#fec287",
    "#fd9266",
    "#f2625d",
    "#d0416f",
    "#a6317d",
    "#7b2382",
    "#52137c",
    "#251255",
)
#: colour of a region without a value
NO_DATA = "#dadada"
#: grade (rise/run) at which the grade colour saturates
GRADE_SPAN = 0.10
_DOWN, _FLAT, _UP = "#2166ac", "#d9d9d9", "#b2182b"

GROUP_COLOURS: dict[str, str] = {
    "abdominals": "#4e79a7",
    "back_extensors": "#a0cbe8",
    "deltoids": "#f28e2b",
    "lats": "#d37295",
    "biceps": "#ffbe7d",
    "triceps": "#8cd17d",
    "hip_flexors": "#59a14f",
    "gluteals": "#e15759",
    "quadriceps": "#b07aa1",
    "hamstrings": "#76b7b2",
    "calves": "#edc948",
    "tibialis_anterior": "#9c755f",
    "foot": "#bab0ac",
}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(255.0, max(0.0, c))):02x}" for c in rgb)


def _mix(a: str, b: str, f: float) -> str:
    ra, rb = _rgb(a), _rgb(b)
    return _hex(
        (ra[0] + f * (rb[0] - ra[0]), ra[1] + f * (rb[1] - ra[1]), ra[2] + f * (rb[2] - ra[2]))
    )


def _along(stops: tuple[str, ...], x: float) -> str:
    x = min(1.0, max(0.0, x)) * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    return _mix(stops[i], stops[i + 1], x - i)


def load_colour(fraction: float | None) -> str:
    """Colour of a load as a fraction of the largest (0..1, clipped); None or NaN -> NO_DATA."""
    if fraction is None or not math.isfinite(fraction):
        return NO_DATA
    return _along(LOAD_STOPS, fraction)


def grade_colour(grade: float) -> str:
    """Diverging colour of a grade (rise/run): blue downhill, grey flat, red uphill."""
    f = min(1.0, abs(grade) / GRADE_SPAN) if math.isfinite(grade) else 0.0
    return _mix(_FLAT, _UP if grade > 0 else _DOWN, f)


def group_colour(group_id: str) -> str:
    """Categorical colour of a catalogue group (grey for an unknown id)."""
    return GROUP_COLOURS.get(group_id, "#999999")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance (0 black .. 1 white) of an sRGB colour."""

    def lin(c: int) -> float:
        v = c / 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = _rgb(hex_colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def text_colour_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on the background."""
    return "#111111" if relative_luminance(hex_colour) > 0.25 else "#ffffff"
