"""Weekly muscle-group load of a runner and its acute:chronic ratios (pure: rows in, data out).

Load of a group = its modelled mechanical work, concentric and eccentric separately (J), summed
over the runs by their start time (upload time when the recording has none). Days and ISO weeks
(Monday 00:00 to Monday 00:00) are in UTC. Ratios (:mod:`runmuscles.load.acwr`) are computed on
the daily series from the runner's FIRST run on, so a ratio never sees a week that "starts" the
history; each week's value is the ratio at the end of its last day (or of the range's end).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from runmuscles.load import acwr as _acwr

__all__ = ["KINDS", "WeeklyLoad", "weekly_from_rows"]

#: Load kinds: concentric work, eccentric work and their sum ("work").
KINDS = ("concentric", "eccentric", "work")
Series = tuple[float | None, ...]


def _opt(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True)
class WeeklyLoad:
    """Per-group load per ISO week and the acute:chronic ratios (see the module docstring).

    ``weeks``: Monday dates, oldest first; ``load_j[kind][group][i]``: J in week i (kind in
    :data:`KINDS`); ``ratios[method][kind][group][i]``: the ratio at the end of week i (method
    ``rolling`` or ``ewma``), None before 28 days of history or without chronic load;
    ``history_start``: the day of the runner's first run (None: no runs); ``until``: the end of
    the range (exclusive instant). The older single-kind fields stay: ``work_j`` (= load_j
    work), ``acwr`` (rolling ratio of work), ``acute_j``/``chronic_j``/``acwr_now`` at ``until``.
    """

    until: _dt.datetime
    weeks: tuple[_dt.date, ...]
    groups: tuple[str, ...]
    load_j: Mapping[str, Mapping[str, tuple[float, ...]]]
    ratios: Mapping[str, Mapping[str, Mapping[str, Series]]]
    now: Mapping[str, Mapping[str, Mapping[str, float | None]]]
    acute_j: Mapping[str, float]
    chronic_j: Mapping[str, float]
    history_start: _dt.date | None
    first_day: _dt.date
    last_day: _dt.date

    @property
    def work_j(self) -> Mapping[str, tuple[float, ...]]:
        return self.load_j["work"]

    @property
    def acwr(self) -> Mapping[str, Series]:
        return self.ratios["rolling"]["work"]

    @property
    def acwr_now(self) -> Mapping[str, float | None]:
        return {g: self.now["rolling"]["work"][g] for g in self.groups}

    @property
    def acwr_from(self) -> _dt.date | None:
        """First day with a ratio (28 days of history), or None without runs."""
        if self.history_start is None:
            return None
        return self.history_start + _dt.timedelta(days=_acwr.MIN_HISTORY_DAYS - 1)

    def to_dict(self) -> dict[str, Any]:
        def plain(m: Mapping[str, Any]) -> Any:
            return {k: plain(v) if isinstance(v, Mapping) else list(v) for k, v in m.items()}

        zones = [
            {"label": z, "from": lo, "to": None if math.isinf(hi) else hi}
            for z, lo, hi in _acwr.ZONES
        ]
        start = self.history_start
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "until": self.until.isoformat() + "Z",
            "weeks": [w.isoformat() for w in self.weeks],
            "groups": list(self.groups),
            "unit": "J",
            "load_j": plain(self.load_j),
            "work_j": plain(self.work_j),
            "acwr": plain(self.acwr),
            "ratios": plain(self.ratios),
            "now": {m: {k: dict(v) for k, v in kinds.items()} for m, kinds in self.now.items()},
            "acute_j": dict(self.acute_j),
            "chronic_j_per_week": dict(self.chronic_j),
            "acwr_now": dict(self.acwr_now),
            "history_start": start.isoformat() if start else None,
            "acwr_from": self.acwr_from.isoformat() if self.acwr_from else None,
            "methods": dict(_acwr.METHODS),
            "definition": (
                "load = modelled mechanical work of the group, J, concentric and eccentric "
                "separately and summed ('work'); "
                + "; ".join(f"{k}: {v}" for k, v in _acwr.METHODS.items())
                + f"; no ratio before {_acwr.MIN_HISTORY_DAYS} days of history"
            ),
            "zones": zones,
            "sources": dict(_acwr.SOURCES),
            "source": _acwr.SOURCES["gabbett2016"],
            "caveat": _acwr.CAVEAT,
        }


def weekly_from_rows(
    rows: Iterable[tuple[_dt.datetime, str, float, float]],
    *,
    history_start: _dt.date | None,
    first_day: _dt.date,
    last_day: _dt.date,
    until: _dt.datetime,
) -> WeeklyLoad:
    """Weekly loads for the ISO weeks from the one holding ``first_day`` to the one holding
    ``last_day``; ``rows`` = (start time UTC, group, concentric J, eccentric J) of every run of
    the runner up to ``until`` (older ones too: the ratios need them); ``history_start`` = the
    day of the first run."""
    monday0 = first_day - _dt.timedelta(days=first_day.weekday())
    n_weeks = (last_day - monday0).days // 7 + 1
    mondays = [monday0 + _dt.timedelta(weeks=i) for i in range(n_weeks)]
    rows = [r for r in rows if r[0] < until]
    groups = tuple(sorted({g for _, g, _, _ in rows}))
    origin = history_start or monday0
    origin = min(origin, monday0)
    n_days = (last_day - origin).days + 1
    daily = {k: {g: np.zeros(n_days) for g in groups} for k in KINDS}
    for t, g, c, e in rows:
        d = (t.date() - origin).days
        if 0 <= d < n_days:
            daily["concentric"][g][d] += c
            daily["eccentric"][g][d] += e
            daily["work"][g][d] += c + e
    week_slices = [((m - origin).days, min((m - origin).days + 7, n_days)) for m in mondays]
    ends = [b - 1 for _, b in week_slices]
    # ratios are undefined before the runner's history starts, whatever the view's range
    shift = (history_start - origin).days if history_start else n_days
    load: dict[str, dict[str, tuple[float, ...]]] = {k: {} for k in KINDS}
    ratios: dict[str, dict[str, dict[str, Series]]] = {
        m: {k: {} for k in KINDS} for m in ("rolling", "ewma")
    }
    now: dict[str, dict[str, dict[str, float | None]]] = {
        m: {k: {} for k in KINDS} for m in ("rolling", "ewma")
    }
    acute_now: dict[str, float] = {}
    chronic_now: dict[str, float] = {}
    for k in KINDS:
        for g in groups:
            x = daily[k][g]
            load[k][g] = tuple(float(x[a:b].sum()) for a, b in week_slices)
            for method, fn in (("rolling", _acwr.rolling_acwr), ("ewma", _acwr.ewma_acwr)):
                ratio = np.full(n_days, np.nan)
                if shift < n_days:
                    acute_s, chronic_s, ratio_s = fn(x[shift:])
                    ratio[shift:] = ratio_s
                    if method == "rolling" and k == "work":
                        acute_now[g] = float(acute_s[-1])
                        chronic_now[g] = float(chronic_s[-1])
                ratios[method][k][g] = tuple(_opt(ratio[e]) if e >= 0 else None for e in ends)
                now[method][k][g] = _opt(ratio[-1])
            acute_now.setdefault(g, 0.0)
            chronic_now.setdefault(g, 0.0)
    return WeeklyLoad(
        until=until,
        weeks=tuple(mondays),
        groups=groups,
        load_j=load,
        ratios=ratios,
        now=now,
        acute_j=acute_now,
        chronic_j=chronic_now,
        history_start=history_start,
        first_day=first_day,
        last_day=last_day,
    )
