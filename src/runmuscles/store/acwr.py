"""The acute:chronic workload ratio (ACWR) of a daily load series: pure functions on arrays.

Two published definitions, both on DAILY loads (index 0 = the first day of the history):

* **Rolling averages, coupled** (Gabbett 2016; the 7-day window is part of the 28-day one):
  acute(d) = total of days d-6..d; chronic(d) = total of days d-27..d / 4 (mean weekly load);
  ratio = acute / chronic.
* **Exponentially weighted moving averages** (Williams et al. 2017):
  EWMA(d) = lambda x(d) + (1 - lambda) EWMA(d-1), lambda = 2 / (N + 1), N = 7 days (acute) and
  28 days (chronic), started at 0 the day before the history begins; ratio = acute / chronic.
  Recent days weigh more, and a single big day decays instead of falling off a cliff after 7 or
  28 days.

A ratio needs a chronic load: it is undefined (NaN here, null in JSON) until
:data:`MIN_HISTORY_DAYS` days of history exist (the first 27 days would divide a full week by a
partial month, e.g. 4.00 in the first week of a history) and whenever the chronic load is 0.

Zones (Gabbett 2016): under 0.8 under-prepared, 0.8-1.3 the "sweet spot", 1.3-1.5 caution, 1.5
and above the "danger zone". They come from team-sport training loads (session RPE, GPS distance);
applied to modelled per-muscle work they are a rough guide, not a validated injury predictor.
This module is the single home of that science in the package.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ACUTE_DAYS",
    "CHRONIC_DAYS",
    "METHODS",
    "MIN_HISTORY_DAYS",
    "SOURCES",
    "ZONES",
    "ewma",
    "ewma_acwr",
    "rolling_acwr",
    "zone_of",
]

FloatArray = NDArray[np.float64]

ACUTE_DAYS = 7
CHRONIC_DAYS = 28
#: Days of history (first day included) before a ratio is shown.
MIN_HISTORY_DAYS = CHRONIC_DAYS
#: Method id -> one-line definition shown with the numbers.
METHODS: dict[str, str] = {
    "rolling": "rolling averages (Gabbett 2016): total of the last 7 days / (total of the last "
    "28 days / 4), the 7 days included in the 28",
    "ewma": "exponentially weighted moving averages (Williams et al. 2017): EWMA of daily load "
    "with lambda = 2/(7+1) over EWMA with lambda = 2/(28+1)",
}
SOURCES: dict[str, str] = {
    "gabbett2016": "Gabbett TJ (2016) The training-injury prevention paradox: should athletes be "
    "training smarter and harder? Br J Sports Med 50:273-280",
    "williams2017": "Williams S, West S, Cross MJ, Stokes KA (2017) Better way to determine the "
    "acute:chronic workload ratio? Br J Sports Med 51:209-210",
}
#: (label, from, to) of Gabbett 2016; the last zone is open-ended (to = inf).
ZONES: tuple[tuple[str, float, float], ...] = (
    ("under-prepared", 0.0, 0.8),
    ("sweet spot", 0.8, 1.3),
    ("caution", 1.3, 1.5),
    ("danger", 1.5, float("inf")),
)


def _window_sum(x: FloatArray, days: int) -> FloatArray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.maximum(np.arange(x.size) + 1 - days, 0)
    out: FloatArray = c[1:] - c[lo]
    return out


def _ratio(acute: FloatArray, chronic: FloatArray) -> FloatArray:
    out = np.full(acute.shape, np.nan)
    ok = (chronic > 0) & (np.arange(acute.size) >= MIN_HISTORY_DAYS - 1)
    out[ok] = acute[ok] / chronic[ok]
    return out


def rolling_acwr(daily: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Acute (7-day total), chronic (28-day total / 4, per week) and their ratio per day.

    ``daily[0]`` is the first day of the history; the ratio is NaN before day
    ``MIN_HISTORY_DAYS - 1`` and where the chronic load is 0.
    """
    x = np.asarray(daily, dtype=float)
    acute = _window_sum(x, ACUTE_DAYS)
    chronic = _window_sum(x, CHRONIC_DAYS) / (CHRONIC_DAYS / ACUTE_DAYS)
    return acute, chronic, _ratio(acute, chronic)


def ewma(daily: FloatArray, days: int) -> FloatArray:
    """EWMA with lambda = 2 / (days + 1), started at 0 before ``daily[0]``."""
    lam = 2.0 / (days + 1.0)
    x = np.asarray(daily, dtype=float)
    out = np.empty(x.size)
    prev = 0.0
    for i, v in enumerate(x):
        prev = lam * v + (1.0 - lam) * prev
        out[i] = prev
    return out


def ewma_acwr(daily: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Acute EWMA, chronic EWMA (both per day) and their ratio (NaN as in :func:`rolling_acwr`)."""
    acute = ewma(daily, ACUTE_DAYS)
    chronic = ewma(daily, CHRONIC_DAYS)
    return acute, chronic, _ratio(acute, chronic)


def zone_of(ratio: float | None) -> int | None:
    """Index into :data:`ZONES`, or None for an undefined ratio."""
    if ratio is None or not np.isfinite(ratio):
        return None
    for i, (_, lo, hi) in enumerate(ZONES):
        if lo <= ratio < hi:
            return i
    return None
