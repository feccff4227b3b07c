"""The :class:`Activity` type (a recorded run in SI units, time first) and the shared clean-up
that turns the raw columns of any reader into one.

Every reader (:mod:`.fit`, :mod:`.gpx`, :mod:`.tcx`) collects plain per-record rows and hands them
to :func:`assemble`, which does the same checks for all formats:

* records are put in time order; records at the same time are merged; records that go back in
  time or jump more than :data:`MAX_TIME_JUMP_S` ahead (corrupt timestamps) are dropped, with a
  warning;
* elevations outside :data:`ELEVATION_RANGE_M` (sentinels such as the FIT -500 m "invalid") become
  NaN; an elevation channel present on fewer than half the records is dropped (grade then 0);
* distance comes from the file (foot pod / device), else from positions (haversine), else from
  integrated speed; speed from the file, else from distance over time;
* GPS jumps, altitude spikes and physically impossible records are cleaned by
  :func:`runmuscles.io.clean.clean_track` (named filter and thresholds there); what it changed is
  ``Activity.cleaning``; a file with too many impossible records is refused;
* cadence is converted to steps per minute (see :func:`steps_per_minute`);
* ``paused`` marks samples that close a recording gap or a device timer stop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import FileFormatError
from runmuscles.io.clean import MAX_IMPOSSIBLE_SHARE, Cleaning, clean_track
from runmuscles.units import DEG

__all__ = [
    "BAROMETRIC_DEVICES",
    "ELEVATION_RANGE_M",
    "MAX_TIME_JUMP_S",
    "RUNNING_SPORTS",
    "Activity",
    "DeviceTotals",
    "assemble",
    "haversine_cumulative",
    "normalize_sport",
    "parse_time",
    "steps_per_minute",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Plausible elevation on Earth's land surface, m: Dead Sea shore about -430 m; Everest 8849 m.
#: Anything outside (the FIT "invalid" raw 0 reads as -500 m) is treated as missing.
ELEVATION_RANGE_M = (-450.0, 9000.0)
#: A forward time jump larger than this between two records is a corrupt timestamp, s.
MAX_TIME_JUMP_S = 12 * 3600.0
#: Lower-case parts of FIT device names (maker and product, as fitdecode names them) of watch
#: and bike-computer families that carry a barometric altimeter: Garmin fenix, epix, Enduro,
#: Instinct, Forerunner 645/745/935/945/955/965, Edge; Coros; Sigma bike computers. Others (and
#: every GPX/TCX export) count as GPS elevation, which is smoothed more.
BAROMETRIC_DEVICES = (
    "fenix", "epix", "enduro", "instinct", "fr645", "fr745", "fr935", "fr945", "fr955",
    "fr965", "edge", "coros", "sigmasport",
)  # fmt: skip
#: A recording gap longer than this is a pause even without a timer event, s.
GAP_PAUSE_S = 60.0
#: Mean Earth radius, m (IUGG mean radius R1 = 6 371 008.8 m; Moritz 2000, J Geodesy 74:128).
EARTH_RADIUS_M = 6_371_008.8
#: Sports treated as running (or close enough for a running model: walking, hiking). Lower case.
RUNNING_SPORTS = frozenset(
    {"running", "run", "trail_running", "treadmill", "walking", "walk", "hiking", "hike"}
)
#: Below this median (per minute, over records with a cadence > 0) a running cadence is
#: strides/min, not steps/min: running step cadence is 150-185 steps/min at 3 m/s (Lieberman
#: et al. 2015) and even slow jogging stays above ~140 steps/min, while
#: one-foot stride rates are 70-95 per minute.
STRIDE_CADENCE_LIMIT = 120.0


@dataclass(frozen=True)
class DeviceTotals:
    """Session totals as recorded by the device itself (None where the file has none)."""

    ascent_m: float | None = None
    descent_m: float | None = None
    distance_m: float | None = None
    timer_time_s: float | None = None
    elapsed_time_s: float | None = None


def _ro(a: Any, dtype: Any = np.float64) -> Any:
    arr = np.array(a, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Activity:
    """A recorded activity, SI units, time as the first (only) axis; arrays are read-only.

    Attributes:
        time_s: time since the first record, s (strictly increasing; includes pauses).
        distance_m: cumulative distance, m (non-decreasing).
        speed_m_s: speed, m/s (device or derived; NaN unknown).
        elevation_m: elevation, m (barometric/enhanced when available; NaN unknown).
        lat_deg, lon_deg: position, degrees (None when the file has no positions; NaN gaps).
        cadence_steps_per_min: cadence in steps (both feet) per minute, or None.
        heart_rate_bpm: heart rate, beats/min, or None.
        power_w: running power, W, or None.
        paused: True where the interval ending at this sample was a pause (timer stopped or a
            recording gap), so it does not count as moving time.
        source: the file path; format: "fit", "gpx" or "tcx"; device: maker and product;
        sport: lower-case sport name from the file, or None; start_time: UTC start or None;
        totals: the device's own session totals; warnings: what was repaired or dropped;
        cleaning: what the cleaning changed (:class:`~runmuscles.io.clean.Cleaning`);
        distance_source: where the distance comes from ("device", "positions" or "speed");
        elevation_source: "barometric" (a device known to carry a barometric altimeter,
        :data:`BAROMETRIC_DEVICES`) or "gps" (GPS, exported or unknown elevation);
        damaged: True when the reader stopped at damage, so records after it are lost.
    """

    time_s: FloatArray
    distance_m: FloatArray
    speed_m_s: FloatArray
    elevation_m: FloatArray
    paused: BoolArray
    lat_deg: FloatArray | None = None
    lon_deg: FloatArray | None = None
    cadence_steps_per_min: FloatArray | None = None
    heart_rate_bpm: FloatArray | None = None
    power_w: FloatArray | None = None
    source: str = ""
    format: str = ""
    device: str = ""
    sport: str | None = None
    start_time: datetime | None = None
    totals: DeviceTotals = field(default_factory=DeviceTotals)
    warnings: tuple[str, ...] = ()
    cleaning: Cleaning = field(default_factory=Cleaning)
    distance_source: str = "device"
    damaged: bool = False
    elevation_source: str = "gps"

    def __post_init__(self) -> None:
        n = len(self.time_s)
        for name in (
            "time_s",
            "distance_m",
            "speed_m_s",
            "elevation_m",
            "lat_deg",
            "lon_deg",
            "cadence_steps_per_min",
            "heart_rate_bpm",
            "power_w",
        ):
            value = getattr(self, name)
            if value is None:
                continue
            arr = _ro(value)
            if arr.shape != (n,):
                raise ValueError(f"Activity.{name} has shape {arr.shape}, expected ({n},)")
            object.__setattr__(self, name, arr)
        paused = _ro(self.paused, bool)
        if paused.shape != (n,):
            raise ValueError(f"Activity.paused has shape {paused.shape}, expected ({n},)")
        object.__setattr__(self, "paused", paused)
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def __len__(self) -> int:
        return len(self.time_s)

    @property
    def duration_s(self) -> float:
        """Elapsed time from the first to the last record, s."""
        return float(self.time_s[-1] - self.time_s[0]) if len(self.time_s) else 0.0

    @property
    def has_elevation(self) -> bool:
        return bool(np.isfinite(self.elevation_m).any())

    @property
    def has_position(self) -> bool:
        return self.lat_deg is not None

    @property
    def is_running(self) -> bool:
        """True when the sport is a running-like one or unknown."""
        return self.sport is None or self.sport in RUNNING_SPORTS


def steps_per_minute(raw: FloatArray, unit: str | None) -> tuple[FloatArray, str | None]:
    """Cadence to steps/min. ``unit`` is "strides" (one foot, FIT/TCX running), "steps" or None.

    The magnitude decides when the unit is unknown and overrides a declared unit that contradicts
    it (median of the non-zero values below :data:`STRIDE_CADENCE_LIMIT` means strides). Returns the
    converted array and a warning (or None).
    """
    moving = raw[np.isfinite(raw) & (raw > 0)]
    if moving.size == 0:
        return raw.astype(float), None
    median = float(np.median(moving))
    looks_strides = median < STRIDE_CADENCE_LIMIT
    warning = None
    if unit == "strides" and not looks_strides:
        warning = (
            f"cadence declared as strides/min but its median is {median:.0f}/min, "
            "which is a step rate; kept as steps/min"
        )
    elif unit == "steps" and looks_strides:
        warning = (
            f"cadence declared as steps/min but its median is {median:.0f}/min, "
            "which is a stride rate; doubled"
        )
    return (raw * 2.0 if looks_strides else raw.astype(float)), warning


def haversine_cumulative(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Cumulative great-circle distance along a track, m (NaN positions are skipped)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    dist = np.zeros(lat.shape)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return dist
    p1, l1 = lat[idx[:-1]] * DEG, lon[idx[:-1]] * DEG
    p2, l2 = lat[idx[1:]] * DEG, lon[idx[1:]] * DEG
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    cum = np.concatenate([[0.0], np.cumsum(step)])
    dist[idx] = cum
    # positions missing in between: hold the last known distance
    return np.maximum.accumulate(np.where(ok, dist, 0.0))


def _fill_by_time(t: FloatArray, y: FloatArray) -> FloatArray:
    ok = np.isfinite(y)
    if ok.all() or not ok.any():
        return y
    return np.interp(t, t[ok], y[ok])


def _loss_note(distance_m: float, duration_s: float, totals: DeviceTotals | None) -> str:
    """How much of a damaged file's run is lost, measured against the device's own totals."""
    dev = totals.distance_m if totals is not None else None
    if dev is None or dev <= 0:
        return (
            f"the records read cover {distance_m / 1000:.2f} km and {duration_s / 60:.1f} min; the "
            "rest of the run is lost, and the file has no session totals to say how much"
        )
    lost = dev - distance_m
    head = (
        f"the watch's own totals say {dev / 1000:.2f} km"
        + (
            f" and {totals.elapsed_time_s / 60:.1f} min"
            if totals is not None and totals.elapsed_time_s
            else ""
        )
        + f"; the records read cover {distance_m / 1000:.2f} km and {duration_s / 60:.1f} min"
    )
    if lost <= 0.01 * dev:
        return f"{head}: nothing of the run is lost (the damage is after the last record)"
    return f"{head}: {lost / 1000:.2f} km ({lost / dev * 100:.0f} %) of the run is lost"


def _impossible_text(c: Cleaning) -> str:
    words = {
        "speed": "faster than a runner can run",
        "acceleration": "speed spikes",
        "backwards": "distance going back",
        "climb_rate": "climbing or falling faster than a runner can",
    }
    parts = [f"{n} {words.get(k, k)}" for k, n in c.impossible_by.items() if n]
    if c.max_bad_speed_m_s is not None:
        parts.append(f"worst speed {c.max_bad_speed_m_s:,.0f} m/s")
    return ", ".join(parts)


def _cleaning_notes(c: Cleaning) -> list[str]:
    """One warning per kind of cleaning that changed something."""
    notes = []
    if c.gps_jumps:
        notes.append(f"removed {c.gps_jumps} GPS jump(s) (positions refilled in time)")
    if c.altitude_spikes:
        notes.append(f"removed {c.altitude_spikes} altitude spike(s)")
    if c.impossible_records:
        lost = (
            f"; {c.removed_distance_m:,.0f} m of impossible distance taken out"
            if c.removed_distance_m >= 1
            else ""
        )
        notes.append(
            f"corrected {c.impossible_records} physically impossible record(s) "
            f"({_impossible_text(c)}){lost}"
        )
    return notes


COLUMNS = ("distance", "speed", "elevation", "lat", "lon", "cadence", "heart_rate", "power")


def assemble(
    path: Path,
    fmt: str,
    times: Sequence[float],
    rows: Iterable[dict[str, float | None]],
    *,
    warnings: list[str],
    pause_before: Sequence[bool] | None = None,
    stopped_intervals: Sequence[tuple[float, float]] = (),
    cadence_unit: str | None = None,
    device: str = "",
    sport: str | None = None,
    start_time: datetime | None = None,
    totals: DeviceTotals | None = None,
    damaged: bool = False,
    elevation_source: str = "gps",
) -> Activity:
    """Clean raw records into an :class:`Activity` (see the module docstring for the rules).

    ``times`` are absolute seconds on any fixed scale (one per row); ``rows`` map column names of
    :data:`COLUMNS` to floats or None; ``pause_before[i]`` says the file marks a break before row i
    (a new GPX segment, a new TCX track); ``stopped_intervals`` are (start, stop) times of device
    timer stops on the same scale; ``damaged``: the reader stopped at damage (the records after
    it are lost; the loss is measured against the device's totals when the file has them).
    Raises :class:`FileFormatError` when fewer than two usable records remain, or when too many
    are physically impossible to clean.
    """
    name = path.name
    t_all = np.asarray(times, dtype=float)
    row_list = list(rows)
    pb = list(pause_before) if pause_before is not None else [False] * len(row_list)
    # keep records in time order, merging equal times, dropping corrupt jumps
    keep_t: list[float] = []
    keep_rows: list[dict[str, float | None]] = []
    keep_pause: list[bool] = []
    dropped_back = dropped_jump = 0
    for t, row, brk in zip(t_all, row_list, pb, strict=True):
        if not math.isfinite(t):
            dropped_back += 1
            continue
        if keep_t:
            last = keep_t[-1]
            if t == last:
                merged = keep_rows[-1]
                for key, value in row.items():
                    if value is not None and merged.get(key) is None:
                        merged[key] = value
                continue
            if t < last:
                dropped_back += 1
                continue
            if t - last > MAX_TIME_JUMP_S:
                dropped_jump += 1
                continue
        keep_t.append(float(t))
        keep_rows.append(dict(row))
        keep_pause.append(bool(brk))
    if dropped_back:
        warnings.append(
            f"dropped {dropped_back} record(s) whose time went backwards or was missing"
        )
    if dropped_jump:
        warnings.append(
            f"dropped {dropped_jump} record(s) with a timestamp more than "
            f"{MAX_TIME_JUMP_S / 3600:.0f} h after the previous one (corrupt time)"
        )
    n = len(keep_t)
    if n < 2:
        raise FileFormatError(
            f"{name}: only {n} usable timed record(s) in this {fmt.upper()} file; "
            "an activity needs at least two. Nothing could be recovered."
        )
    t = np.asarray(keep_t)

    def col(key: str) -> FloatArray:
        return np.array(
            [np.nan if (v := r.get(key)) is None else v for r in keep_rows], dtype=float
        )

    cols = {k: col(k) for k in COLUMNS}
    # positions
    lat, lon = cols["lat"], cols["lon"]
    bad_pos = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    has_pos = int(np.isfinite(lat).sum()) >= 2
    # elevation: sentinels and absurd values -> NaN; sparse channel dropped
    elev = cols["elevation"]
    lo, hi = ELEVATION_RANGE_M
    absurd = np.isfinite(elev) & ((elev < lo) | (elev > hi))
    if absurd.any():
        warnings.append(
            f"{int(absurd.sum())} elevation value(s) outside {lo:.0f}..{hi:.0f} m "
            "(device 'invalid' sentinels) ignored"
        )
        elev[absurd] = np.nan
    n_elev = int(np.isfinite(elev).sum())
    if n_elev == 0:
        warnings.append("no elevation in this file: grade is taken as 0 (flat)")
    elif n_elev < 0.5 * n:
        warnings.append(
            f"elevation recorded on only {n_elev} of {n} records: ignored, grade taken as 0"
        )
        elev[:] = np.nan
    # distance: file > positions > integrated speed (raw here; cleaned below)
    dist, speed = cols["distance"], cols["speed"]
    speed[speed < 0] = np.nan
    dist[dist < 0] = np.nan
    if np.isfinite(dist).sum() >= max(2, 0.5 * n):
        d = _fill_by_time(t, dist)
        source = "device"
    elif has_pos:
        d = haversine_cumulative(lat, lon)
        source = "positions"
    elif np.isfinite(speed).sum() >= 2:
        v = _fill_by_time(t, speed)
        d = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t))])
        warnings.append("no distance or position in this file: distance integrated from speed")
        source = "speed"
    else:
        raise FileFormatError(
            f"{name}: no distance, position or speed in any record; cannot follow the run. "
            f"Recovered {n} timed records without movement data."
        )
    running = sport is None or sport in RUNNING_SPORTS
    cleaned = clean_track(
        t, d, speed, elev, lat, lon, running=running, distance_from_positions=source == "positions"
    )
    cleaning = cleaned.cleaning
    warnings += cleaned.warnings
    if cleaning.impossible_records > MAX_IMPOSSIBLE_SHARE * n:
        raise FileFormatError(
            f"{name}: {cleaning.impossible_records} of its {n} records are physically impossible "
            f"({_impossible_text(cleaning)}): the file is damaged beyond cleaning. Export the "
            "activity again from the watch or its app."
        )
    warnings += _cleaning_notes(cleaning)
    d = cleaned.distance
    elev = cleaned.elevation
    if has_pos:
        lat, lon = cleaned.lat, cleaned.lon
    speed = cleaned.speed
    if np.isfinite(speed).sum() >= max(2, 0.5 * n):
        v = _fill_by_time(t, speed)
    else:
        v = np.gradient(d, t)
    # pauses: file breaks, timer stops, long recording gaps
    paused = np.asarray(keep_pause, dtype=bool)
    paused[0] = False
    gaps = np.concatenate([[False], np.diff(t) > GAP_PAUSE_S])
    paused |= gaps
    for start, stop in stopped_intervals:
        # a sample whose preceding interval overlaps a timer stop
        prev = np.concatenate([[t[0]], t[:-1]])
        paused |= (prev < stop) & (t > start) & (np.arange(n) > 0)
    # cadence
    cadence: FloatArray | None = None
    if np.isfinite(cols["cadence"]).any() and running:
        cadence, warn = steps_per_minute(cols["cadence"], cadence_unit)
        if warn:
            warnings.append(warn)
    hr = cols["heart_rate"] if np.isfinite(cols["heart_rate"]).any() else None
    power = cols["power"] if np.isfinite(cols["power"]).any() else None
    if not running:
        warnings.append(
            f"this file records sport '{sport}', not running: runmuscles models running, so "
            "muscle loads for it would be wrong (distance, time and elevation are still read; "
            "its cadence is not a step rate and is left out)"
        )
    if damaged:
        warnings.append(_loss_note(float(d[-1]), float(t[-1] - t[0]), totals))
    return Activity(
        time_s=t - t[0],
        distance_m=d,
        speed_m_s=v,
        elevation_m=elev,
        paused=paused,
        lat_deg=lat if has_pos else None,
        lon_deg=lon if has_pos else None,
        cadence_steps_per_min=cadence,
        heart_rate_bpm=hr,
        power_w=power,
        source=str(path),
        format=fmt,
        device=device,
        sport=sport,
        start_time=start_time,
        totals=totals or DeviceTotals(),
        warnings=tuple(warnings),
        cleaning=cleaning,
        distance_source=source,
        damaged=damaged,
        elevation_source=elevation_source,
    )


_SPORT_ALIASES = {
    "run": "running",
    "running": "running",
    "9": "running",  # Strava's activity type code for Run in its GPX export
    "trail_running": "running",
    "ride": "cycling",
    "biking": "cycling",
    "cycling": "cycling",
    "1": "cycling",  # Strava: Ride
    "walk": "walking",
    "hike": "hiking",
    "other": None,
    "generic": None,
    "none": None,
    "": None,
}


def normalize_sport(text: str | None) -> str | None:
    """A file's sport label as a lower-case name ("running", "cycling", ...) or None if unknown."""
    if text is None:
        return None
    key = text.strip().lower().replace(" ", "_")
    return _SPORT_ALIASES.get(key, key)


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp (GPX/TCX) as an aware UTC datetime; naive times are taken as UTC."""
    from datetime import UTC

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
