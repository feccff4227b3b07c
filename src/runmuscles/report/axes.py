"""Axis helpers of the hand-drawn charts: round ticks, unit choice and dates with the year.

* :func:`nice_ticks`: ticks at 1, 2, 2.5 or 5 x 10^k steps covering a range (0..9 000 J gives
  0, 2 000, 4 000, 6 000, 8 000, 10 000), never "8.99e+03".
* :func:`energy_unit`: J, kJ or MJ so that tick labels stay short; :func:`tick_label` writes a
  value with thin-space thousands and only the decimals the step needs.
* :func:`date_ticks`: which weeks get a date label (every week, every 2 or 4 weeks, each month,
  quarter, half year or year) so that labels never overlap; every label carries its year.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence

__all__ = ["date_ticks", "energy_unit", "nice_step", "nice_ticks", "tick_label"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 x 10^k) giving about ``target`` intervals over ``span``."""
    if not (span > 0 and math.isfinite(span)):
        return 1.0
    raw = span / max(target, 1)
    k = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * k >= raw * (1 - 1e-9):
            return m * k
    return 10.0 * k  # pragma: no cover


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round ticks from a multiple of the step at or below ``lo`` to one at or above ``hi``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    step = nice_step(hi - lo, target)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    n = round((stop - start) / step)
    return [round(start + i * step, 10) for i in range(n + 1)]


def energy_unit(vmax_j: float) -> tuple[str, float]:
    """(unit, divisor) for an energy axis whose largest value is ``vmax_j`` joules."""
    if vmax_j >= 1e6:
        return "MJ", 1e6
    if vmax_j >= 1e3:
        return "kJ", 1e3
    return "J", 1.0


def tick_label(value: float, step: float) -> str:
    """``value`` with as many decimals as ``step`` needs and thin-space thousands."""
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    text = f"{value:,.{decimals}f}".replace(",", "\u2009")
    return "0" if text.strip("0.\u2009-") == "" else text


def _label(day: _dt.date, scheme: str) -> str:
    if scheme == "year":
        return str(day.year)
    if scheme in ("month", "quarter", "half"):
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def date_ticks(mondays: Sequence[_dt.date], max_labels: int) -> list[tuple[int, str]]:
    """(week index, label) of the weeks to label, at most ``max_labels`` (>= 1), with years."""
    n = len(mondays)
    if n == 0:
        return []
    max_labels = max(1, max_labels)
    for every in (1, 2, 4):
        if math.ceil(n / every) <= max_labels:
            return [(i, _label(mondays[i], "week")) for i in range(0, n, every)]
    for scheme, months in (("month", 1), ("quarter", 3), ("half", 6), ("year", 12)):
        picks = []
        prev = None
        for i, m in enumerate(mondays):
            # the first Monday of a month (or of the first month of a quarter/half/year)
            key = (m.year, (m.month - 1) // months)
            if key != prev and (m.month - 1) % months == 0 and m.day <= 7:
                picks.append(i)
            prev = key
        if len(picks) <= max_labels:
            return [(i, _label(mondays[i], scheme)) for i in picks] or [
                (0, _label(mondays[0], scheme))
            ]
    step = math.ceil(n / max_labels)
    return [(i, str(mondays[i].year)) for i in range(0, n, step)]
