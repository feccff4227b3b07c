"""A runner's past runs, and how this run changes their load against the recent weeks.

:class:`History` holds, per past run, its start (naive UTC) and per resolved group its concentric
and eccentric work (J) and per tendon its impulse (N s). It comes from the web app's store
(:meth:`History.from_loads` with the stored ``RunLoad.to_dict()``) or from a folder of activity
files analysed by the same pipeline (:meth:`History.from_folder`).

:meth:`History.compare` computes, on this run's day with this run included, the acute:chronic
workload ratio (:mod:`runmuscles.load.acwr`: rolling averages, Gabbett 2016, and EWMA, Williams
et al. 2017) of every resolved group's concentric and eccentric work and every tendon's impulse,
largest first. It needs this run's date and a history that began at least
:data:`~runmuscles.load.acwr.MIN_HISTORY_DAYS` days before (a chronic average of a partial month
overstates the ratio); otherwise it says so in ``notes`` and gives no ratios.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from runmuscles.errors import InputError, RunmusclesError
from runmuscles.load.acwr import (
    CAVEAT,
    METHODS,
    MIN_HISTORY_DAYS,
    SOURCES,
    daily,
    ewma_acwr,
    naive_utc,
    rolling_acwr,
    zone_label,
)
from runmuscles.load.result import KINDS, RunLoad

if TYPE_CHECKING:
    from runmuscles.io.track import Activity

__all__ = [
    "ACTIVITY_SUFFIXES",
    "History",
    "HistoryChange",
    "HistoryComparison",
    "PastRun",
]

#: Files :meth:`History.from_folder` reads.
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


def _parse_time(value: Any) -> _dt.datetime | None:
    if isinstance(value, _dt.datetime):
        return naive_utc(value)
    if isinstance(value, str) and len(value) >= 10:
        try:
            return naive_utc(_dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class PastRun:
    """One past run: ``start`` (naive UTC), ``work_j[kind][group]`` J for resolved groups,
    ``impulse_ns[tendon]`` N s for resolved tendons, ``distance_m`` and a ``label``."""

    start: _dt.datetime
    work_j: Mapping[str, Mapping[str, float]]
    impulse_ns: Mapping[str, float]
    distance_m: float = 0.0
    label: str = ""

    @classmethod
    def from_load(
        cls, load: RunLoad | Mapping[str, Any], start: Any = None, label: str = ""
    ) -> PastRun | None:
        """From a :class:`RunLoad` or its ``to_dict()`` (a stored run); None without a date."""
        if isinstance(load, RunLoad):
            when = _parse_time(start) or _parse_time(load.activity.get("start_time"))
            if when is None:
                return None
            ok = [g for g in load.muscles if g.resolved]
            return cls(
                when,
                {k: {g.group: g.work(k) for g in ok} for k in KINDS},
                {t.tendon: t.impulse_ns for t in load.tendons if t.resolved},
                float(load.activity.get("distance_m") or 0.0),
                label,
            )
        d = load
        when = _parse_time(start) or _parse_time(d.get("activity", {}).get("start_time"))
        if when is None:
            return None
        work: dict[str, dict[str, float]] = {k: {} for k in KINDS}
        for m in d.get("muscles", []):
            if m.get("resolved", True) is False:
                continue
            for k in KINDS:
                work[k][str(m["group"])] = float(m.get(f"{k}_work_j", 0.0))
        impulse = {
            str(t["tendon"]): float(t.get("impulse_ns", 0.0))
            for t in d.get("tendons", [])
            if t.get("resolved", True) is not False
        }
        dist = float(d.get("activity", {}).get("distance_m") or 0.0)
        return cls(when, work, impulse, dist, label)


@dataclass(frozen=True)
class HistoryChange:
    """The acute:chronic ratio of one load on this run's day: ``subject`` (group or tendon),
    ``kind`` ("concentric", "eccentric" or "impulse"), ``acute`` total of the last 7 days and
    ``chronic`` mean per week of the last 28 (J or N s; this run included), ``acwr`` their ratio
    and its ``zone`` (Gabbett 2016), ``ewma_acwr`` the EWMA ratio (Williams et al. 2017),
    ``this_run`` its value in this run."""

    subject: str
    kind: str
    acute: float
    chronic: float
    acwr: float | None
    zone: str | None
    this_run: float
    ewma_acwr: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class HistoryComparison:
    """This run against the recent weeks: ``changes`` largest ratio first, the number of past
    runs used, ``since`` the first of them, and ``notes`` on what could not be compared."""

    at: _dt.datetime | None
    runs_used: int
    since: _dt.datetime | None
    changes: tuple[HistoryChange, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat() + "Z" if self.at else None,
            "runs_used": self.runs_used,
            "since": self.since.isoformat() + "Z" if self.since else None,
            "changes": [c.to_dict() for c in self.changes],
            "notes": list(self.notes),
            "methods": dict(METHODS),
            "sources": dict(SOURCES),
            "caveat": CAVEAT,
        }


@dataclass(frozen=True)
class History:
    """A runner's past runs (module docstring); ``notes`` says what could not be read."""

    runs: tuple[PastRun, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_loads(cls, loads: Iterable[Any]) -> History:
        """From stored runs: each a ``RunLoad``, its ``to_dict()``, or a ``(start, load)`` pair."""
        runs, notes = [], []
        for item in loads:
            start, load = item if isinstance(item, tuple) else (None, item)
            past = PastRun.from_load(load, start)
            if past is None:
                notes.append("a stored run without a start time was left out of the history")
                continue
            runs.append(past)
        return cls(tuple(sorted(runs, key=lambda r: r.start)), tuple(dict.fromkeys(notes)))

    @classmethod
    def from_folder(
        cls,
        folder: str | Path,
        analyze: Callable[[Activity], RunLoad],
        *,
        exclude: str | Path | None = None,
    ) -> History:
        """Every FIT, GPX and TCX file in ``folder`` (not its subfolders), each read and given to
        ``analyze`` (the same analysis as this run: body and table included); ``exclude``: the
        run itself, when it lies in the folder. Files that cannot be read or have no date are
        left out, each with a note."""
        from runmuscles.io import read_activity

        root = Path(folder)
        if not root.is_dir():
            raise InputError(f"history folder {root} does not exist or is not a folder")
        skip = Path(exclude).resolve() if exclude is not None else None
        runs, notes = [], []
        for p in sorted(root.iterdir()):
            if not p.is_file() or p.suffix.lower() not in ACTIVITY_SUFFIXES:
                continue
            if skip is not None and p.resolve() == skip:
                continue
            try:
                act = read_activity(p)
                if act.start_time is None:
                    notes.append(f"history: {p.name} has no date and was left out")
                    continue
                load = analyze(act)
            except RunmusclesError as exc:
                notes.append(f"history: {p.name} was left out ({exc})")
                continue
            past = PastRun.from_load(load, act.start_time, p.name)
            if past is not None:
                runs.append(past)
        if not runs:
            notes.append(f"history: no dated run could be read from {root}")
        return cls(tuple(sorted(runs, key=lambda r: r.start)), tuple(notes))

    def compare(self, load: RunLoad, start: Any = None) -> HistoryComparison:
        """This run's loads against the recent weeks (module docstring)."""
        at = _parse_time(start) or _parse_time(load.activity.get("start_time"))
        notes = list(self.notes)
        if at is None:
            notes.append("this run has no date, so it cannot be compared with your recent weeks")
            return HistoryComparison(None, 0, None, (), tuple(notes))
        # earlier runs only (a stored copy of this very run, same start, is not counted twice)
        past = [r for r in self.runs if r.start < at]
        if not past or (at.date() - past[0].start.date()).days + 1 < MIN_HISTORY_DAYS:
            first = past[0].start.date().isoformat() if past else "none"
            notes.append(
                f"history: the earliest earlier run is {first}; a comparison with your recent "
                f"weeks needs {MIN_HISTORY_DAYS} days of history before this run"
            )
            return HistoryComparison(at, len(past), None, (), tuple(notes))
        this = PastRun.from_load(load, at)
        assert this is not None
        runs = [*past, this]
        first_day = past[0].start.date()
        window = [r for r in past if (at - r.start).days < MIN_HISTORY_DAYS]
        subjects: list[tuple[str, str]] = [
            (g, k) for k in KINDS for g in this.work_j.get(k, {})
        ] + [(t, "impulse") for t in this.impulse_ns]
        changes = []
        for subject, kind in subjects:

            def value(r: PastRun, subject: str = subject, kind: str = kind) -> float | None:
                if kind == "impulse":
                    return r.impulse_ns.get(subject)
                return r.work_j.get(kind, {}).get(subject)

            events = [(r.start, v) for r in runs if (v := value(r)) is not None]
            x = daily(events, first_day, at.date())
            acute, chronic, ratio = (float(a[-1]) for a in rolling_acwr(x))
            e_ratio = float(ewma_acwr(x)[2][-1])
            r = ratio if np.isfinite(ratio) else None
            changes.append(
                HistoryChange(
                    subject, kind, acute, chronic, r, zone_label(r), float(value(this) or 0.0),
                    e_ratio if np.isfinite(e_ratio) else None,
                )
            )  # fmt: skip
        changes.sort(key=lambda c: -(c.acwr or 0.0))
        return HistoryComparison(at, len(window), past[0].start, tuple(changes), tuple(notes))
