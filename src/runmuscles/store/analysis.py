"""From the bytes of an activity file to what the history stores: the one path shared by the web
app's upload and ``runmuscles import``.

:func:`prepare` parses the file (content sniffed, never the extension), analyses it with the
one pipeline (:func:`runmuscles.analyze_run`: load, findings, two or three pieces of advice, and
the change against the runner's recent weeks when the history is given) with the runner's body
and the condition table, and returns a :class:`Prepared` run: the analysis as plain data
(``RunReport.to_dict()``, the ``analyze --json`` object) plus

* ``plan``: the advice as one object (``RunReport.plan.to_dict()``: items, warm-up, notes,
  sources);
* ``stride``: the atlas cell that carried most of the run (:func:`stride_cell`): its speed and
  grade, the share of the analysed time it stands for, stride and contact times, and per group
  the right-side activation curve over the stride (0..1, from right foot strike); joint-angle
  curves (degrees) when the table stores them;
* ``elevation``: the smoothed absolute elevation over distance (``activity.elevation_profile``,
  at most :data:`PROFILE_POINTS` points), for the report's route chart.

A file in which nothing could be analysed (no running, or only walking the table cannot cost)
raises :class:`NothingToAnalyse` with the reason: no empty report is ever stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from runmuscles.errors import InputError
from runmuscles.store.db import Profile, finite, parse_time

__all__ = ["PROFILE_POINTS", "NothingToAnalyse", "Prepared", "prepare", "sha256", "stride_cell"]

#: Most points kept of the elevation profile.
PROFILE_POINTS = 400
#: Joints whose angle curves the stride section draws, if the table stores them.
ANGLE_DOFS = ("hip_r", "knee_r", "ankle_r")


class NothingToAnalyse(InputError):
    """The file holds no running or walking that the model can compute: no report."""


@dataclass(frozen=True)
class Prepared:
    """A run ready to store: display ``filename``, ``sha256`` of the bytes, ``load`` (plain data,
    JSON-ready) and its ``start_time`` (ISO text or None)."""

    filename: str
    sha256: str
    load: Mapping[str, Any]

    @property
    def start_time(self) -> str | None:
        st = self.load.get("activity", {}).get("start_time")
        return str(st) if st else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _nearest(axis: np.ndarray, x: float) -> int:
    return int(np.argmin(np.abs(axis - x)))


def stride_cell(table: Any, segments: Any) -> dict[str, Any] | None:
    """The table cell (grid node) nearest to the analysed segments for the longest time, and its
    stride curves; None when the table has no grid or curves (e.g. a test table)."""
    speeds = getattr(table, "speeds", None)
    grades = getattr(table, "grades", None)
    at = getattr(table, "at", None)
    if speeds is None or grades is None or at is None:
        return None
    weight: dict[tuple[int, int], float] = {}
    for s in segments:
        if s.speed_used is None or s.grade_used is None:
            continue
        key = (
            _nearest(np.asarray(speeds), s.speed_used),
            _nearest(np.asarray(grades), s.grade_used),
        )
        weight[key] = weight.get(key, 0.0) + float(s.duration_s)
    total = sum(weight.values())
    if total <= 0:
        return None
    from runmuscles.errors import RunmusclesError

    # the heaviest node with a stride (a node the atlas lacks, e.g. refused, is passed over)
    for node in sorted(weight.items(), key=lambda kv: -kv[1]):
        (i, j), w = node
        v, g = float(speeds[i]), float(grades[j])
        try:
            ds = at(v, g)
        except RunmusclesError:
            continue
        break
    else:
        return None
    if "activation" not in ds:
        return None
    frac = np.asarray(ds["stride_fraction"].values, dtype=float)
    act = np.asarray(ds["activation"].transpose("muscle", "stride_fraction").values, dtype=float)
    groups = np.asarray(ds["muscle_group"].values).astype(str)
    sides = np.asarray(ds["muscle_side"].values).astype(str)
    res = (
        np.asarray(ds["muscle_resolved"].values, dtype=float) > 0.5
        if "muscle_resolved" in ds
        else np.ones(groups.size, dtype=bool)
    )
    curves: dict[str, list[float]] = {}
    resolved: dict[str, bool] = {}
    for grp in dict.fromkeys(groups):
        pick = (groups == grp) & (sides == "r")
        if not pick.any():
            pick = (groups == grp) & (sides == "mid")
        if pick.any():
            curves[grp] = [round(float(x), 4) for x in np.clip(act[pick].mean(axis=0), 0, 1)]
            resolved[grp] = bool(res[groups == grp].all())
    out: dict[str, Any] = {
        "speed_m_s": v,
        "grade": g,
        "share": w / total,
        "stride_fraction": [round(float(x), 4) for x in frac],
        "activation": curves,
        "resolved": resolved,
        "source": "muscle atlas cell (predicted stride), interpolation-free grid node",
    }
    for name in (
        "stride_time_s",
        "contact_time_s",
        "duty_factor",
        "flight_fraction",
        "cadence_steps_per_min",
    ):
        if name in ds:
            val = float(ds[name])
            if np.isfinite(val):
                out[name] = val
    if "joint_angle" in ds and "dof" in ds["joint_angle"].dims:
        ja = ds["joint_angle"]
        have = [str(d) for d in ja["dof"].values]
        out["joint_angle_deg"] = {
            d: [round(float(x), 2) for x in np.degrees(ja.sel(dof=d).values)]
            for d in ANGLE_DOFS
            if d in have
        }
    return out


def _elevation(activity: Any) -> dict[str, list[float]] | None:
    from runmuscles.activity import elevation_profile

    prof = elevation_profile(activity)
    if prof is None:
        return None
    d, z = np.asarray(prof.distance_m), np.asarray(prof.elevation_m)
    if d.size > PROFILE_POINTS:
        idx = np.unique(np.linspace(0, d.size - 1, PROFILE_POINTS).round().astype(int))
        d, z = d[idx], z[idx]
    return {
        "distance_m": [round(float(x), 1) for x in d],
        "elevation_m": [round(float(x), 1) for x in z],
    }


def _nothing_reason(run: Any) -> str | None:
    cov = run.coverage
    if cov.computed_m > 0 and run.total_work_j > 0:
        return None
    walked = float(cov.walked_m)
    if walked >= 10.0:
        return (
            f"no running or walking the model can compute: {walked / 1000:.2f} km walked, and "
            "this muscle table has no walking strides; no report was made"
        )
    return "no running or walking was found in this file (no moving stretch); no report was made"


def prepare(
    data: bytes,
    filename: str,
    profile: Profile,
    table: Any,
    *,
    digest: str | None = None,
    history: Callable[[Any], Iterable[Mapping[str, Any]]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Prepared:
    """Parse and analyse one activity file for ``profile`` (module docstring).

    ``history(start)``: the runner's stored analyses before ``start`` (naive UTC), for the
    change against the recent weeks in the advice (None: no history).
    Raises :class:`~runmuscles.errors.FileFormatError` for an unreadable file, InputError for
    a file that is not a run, :class:`NothingToAnalyse` when nothing could be analysed.
    """
    from runmuscles.io import parse_activity
    from runmuscles.load import analyze_run
    from runmuscles.load.acwr import naive_utc
    from runmuscles.load.history import History

    activity = parse_activity(data, filename)
    past = None
    if history is not None and activity.start_time is not None:
        start = naive_utc(activity.start_time)
        if parse_time(start.isoformat()) is not None:
            past = History.from_loads(history(start))
    report = analyze_run(activity, profile, past, table=table, progress=progress)
    why = _nothing_reason(report.load)
    if why is not None:
        raise NothingToAnalyse(f"{filename}: {why}")
    load: dict[str, Any] = dict(report.to_dict())
    load["plan"] = report.plan.to_dict()
    load["stride"] = stride_cell(table, report.load.segments)
    load["elevation"] = _elevation(activity)
    if parse_time(load["activity"].get("start_time")) is None:
        load["activity"]["start_time"] = None  # a device clock, not a date (e.g. FIT ticks)
    return Prepared(filename=filename, sha256=digest or sha256(data), load=finite(load))
