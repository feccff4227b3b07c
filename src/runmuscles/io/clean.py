"""Cleaning of recorded tracks with evidence: spikes, GPS jumps and physically impossible records.

Every reader hands its raw columns through :func:`clean_track` (via ``io.track.assemble``); the
counts of what was changed travel with the activity (:class:`Cleaning`) and are reported.

1. **Positions.** A Hampel filter (Hampel 1974, J Am Stat Assoc 69:383; Pearson 2002, "Outliers in
   process modeling and identification", IEEE Trans Control Syst Technol 10:55) on the local east
   and north coordinates (m): a sample farther from the median of the :data:`HALF_WINDOW` samples
   on each side than :data:`N_SIGMAS` scaled median absolute deviations (1.4826 x MAD, the normal
   standard deviation) AND than :data:`GPS_JUMP_FLOOR_M` is a GPS jump; its position is dropped and
   refilled by interpolation in time. The floor keeps ordinary GPS noise (a few metres) in place.
2. **Distance.** Per interval, a distance step beyond what a runner can cover
   (:data:`MAX_RUN_SPEED_M_S` x the interval, running sports; :data:`MAX_ANY_SPEED_M_S` for
   others) is impossible (a GPS jump or a corrupt record): it is replaced by the local pace (the
   median speed of the plausible intervals around it) x its duration. So is a step backwards
   larger than :data:`BACKWARD_TOLERANCE_M` (the way out of a corrupt record) and a speed spike
   (a speed that rises into one interval and falls out of it by more than
   :data:`MAX_ACCELERATION_M_S2` x the interval, e.g. a GPS jump while standing). Smaller steps
   backwards are a device correcting itself: the distance is held until it passes its maximum.
3. **Elevation.** The same Hampel filter on elevation with floor :data:`ALTITUDE_SPIKE_FLOOR_M`:
   spikes are replaced by the window median. A step faster than :data:`MAX_VERTICAL_SPEED_M_S`
   between two samples that another such step takes back within :data:`EXCURSION_SAMPLES`
   (a block of corrupt altitudes longer than the Hampel window) is impossible: the samples in
   between are refilled in time. A step that is not taken back is kept (a barometer catching up
   after a lag; the level after it persists and the device's own totals count it).
4. **Refusal.** When more than :data:`MAX_IMPOSSIBLE_SHARE` of the records are impossible the file
   is damaged beyond cleaning, and the caller refuses it.

The thresholds are this program's choices, labelled with what they are meant to exceed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runmuscles.units import DEG

__all__ = [
    "ALTITUDE_SPIKE_FLOOR_M",
    "FILTER",
    "GPS_JUMP_FLOOR_M",
    "HALF_WINDOW",
    "MAX_ACCELERATION_M_S2",
    "MAX_IMPOSSIBLE_SHARE",
    "MAX_RUN_SPEED_M_S",
    "MAX_VERTICAL_SPEED_M_S",
    "N_SIGMAS",
    "Cleaned",
    "Cleaning",
    "clean_track",
    "hampel",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Hampel filter: samples on each side of the centre, and the threshold in scaled MADs (the
#: classic 3-sigma rule).
HALF_WINDOW = 7
N_SIGMAS = 3.0
#: 1.4826 x MAD estimates the standard deviation of normally distributed data.
MAD_SCALE = 1.4826
#: Smallest deviation that counts as an altitude spike, m (barometric noise is a few tenths of a
#: metre; the ascent counter ignores reversals under 2 m anyway).
ALTITUDE_SPIKE_FLOOR_M = 2.0
#: Smallest position deviation that counts as a GPS jump, m (consumer GPS error is about 5 m).
GPS_JUMP_FLOOR_M = 25.0
#: Fastest speed a runner can reach, m/s: the fastest sprinters peak at about 12.4 m/s in a
#: 100 m race; anything above is a recording error.
MAX_RUN_SPEED_M_S = 12.5
#: For other sports (read, not analysed): only what no one on the ground moves at, m/s.
MAX_ANY_SPEED_M_S = 50.0
#: Speed changes faster than this over an interval, both into and out of it, are a spike, m/s^2
#: (about 1 g; no runner speeds up and slows down that hard within seconds).
MAX_ACCELERATION_M_S2 = 10.0
#: Vertical speed no runner reaches, m/s (fast descents on steep trails are about 1-2 m/s,
#: record uphill vertical kilometres about 0.6 m/s).
MAX_VERTICAL_SPEED_M_S = 3.0
#: An impossible elevation step taken back by another within this many samples is an excursion
#: (a block of corrupt altitudes); one that is not taken back is kept (a barometer catching up
#: after a lag: the level after it persists, and device totals count it).
EXCURSION_SAMPLES = 120
#: A backward distance step larger than this is impossible (smaller ones are device corrections).
BACKWARD_TOLERANCE_M = 10.0
#: More impossible records than this share and the file is refused.
MAX_IMPOSSIBLE_SHARE = 0.2
#: The filter, as named in reports.
FILTER = (
    f"Hampel filter, {2 * HALF_WINDOW + 1}-sample window, {N_SIGMAS:g} scaled MADs "
    f"(floor {ALTITUDE_SPIKE_FLOOR_M:g} m for altitude, {GPS_JUMP_FLOOR_M:g} m for positions); "
    f"impossible: speed > {MAX_RUN_SPEED_M_S:g} m/s, speed spikes > {MAX_ACCELERATION_M_S2:g} "
    f"m/s^2, vertical speed > {MAX_VERTICAL_SPEED_M_S:g} m/s"
)
#: Mean Earth radius, m (IUGG R1).
_EARTH_R = 6_371_008.8


def hampel(
    x: FloatArray,
    half_window: int = HALF_WINDOW,
    n_sigmas: float = N_SIGMAS,
    floor: float = 0.0,
) -> tuple[FloatArray, BoolArray]:
    """Hampel filter: (filtered copy, outlier mask). A finite sample is an outlier when it is
    farther from the median of the finite samples within ``half_window`` on each side (itself
    included) than ``n_sigmas`` x 1.4826 x their MAD and than ``floor``; it is replaced by that
    median. NaNs stay NaN and are not counted."""
    x = np.asarray(x, dtype=float)
    n = x.size
    out = x.copy()
    if n < 3 or half_window < 1:
        return out, np.zeros(n, dtype=bool)
    pad = np.concatenate([np.full(half_window, np.nan), x, np.full(half_window, np.nan)])
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half_window + 1)
    ok = np.isfinite(x)
    count = np.isfinite(win).sum(axis=1)
    usable = ok & (count >= 3)
    med = np.full(n, np.nan)
    mad = np.full(n, np.nan)
    if usable.any():
        w = win[usable]
        med_u = np.nanmedian(w, axis=1)
        mad_u = np.nanmedian(np.abs(w - med_u[:, None]), axis=1)
        med[usable], mad[usable] = med_u, mad_u
    dev = np.abs(x - med)
    limit = np.maximum(n_sigmas * MAD_SCALE * mad, floor)
    bad = usable & (dev > limit)
    out[bad] = med[bad]
    return out, bad


def _fill_by_time(t: FloatArray, y: FloatArray) -> FloatArray:
    ok = np.isfinite(y)
    if ok.all() or ok.sum() < 2:
        return y
    return np.interp(t, t[ok], y[ok])


def _local_xy(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
    """East and north offsets from the first valid point, m (equirectangular; fine over a run)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    i0 = int(np.argmax(ok))
    lat0, lon0 = lat[i0], lon[i0]
    x = (lon - lon0) * DEG * _EARTH_R * math.cos(lat0 * DEG)
    y = (lat - lat0) * DEG * _EARTH_R
    return x, y


@dataclass(frozen=True)
class Cleaning:
    """What cleaning changed: ``altitude_spikes`` (samples replaced), ``gps_jumps`` (positions
    dropped), ``impossible_records`` (samples with an impossible speed, speed spike, backward
    step or climb rate; ``impossible_by`` splits them), ``max_bad_speed_m_s`` (the worst
    speed removed), ``removed_distance_m`` (distance taken out by the corrections) and
    ``filter`` (the method)."""

    altitude_spikes: int = 0
    gps_jumps: int = 0
    impossible_records: int = 0
    impossible_by: dict[str, int] = field(default_factory=dict)
    max_bad_speed_m_s: float | None = None
    removed_distance_m: float = 0.0
    filter: str = FILTER

    def to_dict(self) -> dict[str, Any]:
        return {
            "altitude_spikes": self.altitude_spikes,
            "gps_jumps": self.gps_jumps,
            "impossible_records": self.impossible_records,
            "impossible_by": dict(self.impossible_by),
            "max_bad_speed_m_s": self.max_bad_speed_m_s,
            "removed_distance_m": self.removed_distance_m,
            "filter": self.filter,
        }


@dataclass(frozen=True)
class Cleaned:
    """The cleaned columns (same length as the input) and the :class:`Cleaning` record."""

    distance: FloatArray
    speed: FloatArray
    elevation: FloatArray
    lat: FloatArray
    lon: FloatArray
    cleaning: Cleaning
    warnings: tuple[str, ...]


def clean_positions(
    t: FloatArray, lat: FloatArray, lon: FloatArray
) -> tuple[FloatArray, FloatArray, int]:
    """GPS jumps removed (module docstring, step 1): (lat, lon, jumps)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 3:
        return lat, lon, 0
    x, y = _local_xy(lat, lon)
    _, bad_x = hampel(x, floor=GPS_JUMP_FLOOR_M)
    _, bad_y = hampel(y, floor=GPS_JUMP_FLOOR_M)
    bad = bad_x | bad_y
    if not bad.any():
        return lat, lon, 0
    lat2, lon2 = lat.copy(), lon.copy()
    lat2[bad], lon2[bad] = np.nan, np.nan
    keep = np.isfinite(lat2)
    # refill the dropped samples (not the ones missing in the file) by time
    fill_lat = np.interp(t, t[keep], lat2[keep])
    fill_lon = np.interp(t, t[keep], lon2[keep])
    lat2[bad], lon2[bad] = fill_lat[bad], fill_lon[bad]
    return lat2, lon2, int(bad.sum())


def clean_distance(
    t: FloatArray, d: FloatArray, *, max_speed: float
) -> tuple[FloatArray, dict[str, int], float | None, float, list[str]]:
    """Impossible distance steps replaced (module docstring, step 2): (distance from 0,
    counts by reason, worst speed removed, distance removed, notes)."""
    dt = np.diff(t)
    step = np.diff(d)
    raw_total = float(np.nansum(np.clip(step, 0.0, None)))
    counts = {"speed": 0, "acceleration": 0, "backwards": 0}
    notes: list[str] = []
    speed = np.divide(step, dt, out=np.zeros_like(step), where=dt > 0)
    too_fast = step > max_speed * dt
    backwards = step < 0
    big_back = step < -BACKWARD_TOLERANCE_M
    counts["speed"] = int(too_fast.sum())
    counts["backwards"] = int(big_back.sum())
    small_back = backwards & ~big_back
    if small_back.any():
        notes.append(
            f"recorded distance went back {int(small_back.sum())} time(s) by up to "
            f"{-float(step[small_back].min()):.1f} m (device corrections); held, not counted twice"
        )
    # speed spikes among the plausible steps: into and out of one interval by > a_max x dt
    plausible = ~too_fast & ~backwards
    spike = np.zeros_like(too_fast)
    if step.size >= 3 and plausible.any():
        v = np.where(plausible, speed, np.nan)
        rise = np.full(v.size, np.nan)
        fall = np.full(v.size, np.nan)
        rise[1:] = (v[1:] - v[:-1]) / np.maximum(dt[1:], 1e-9)
        fall[:-1] = (v[:-1] - v[1:]) / np.maximum(dt[1:], 1e-9)
        lim = MAX_ACCELERATION_M_S2
        spike = np.isfinite(rise) & np.isfinite(fall) & (rise > lim) & (fall > lim)
        counts["acceleration"] = int(spike.sum())
    replace = too_fast | spike | big_back
    worst = float(speed[too_fast | spike].max()) if (too_fast | spike).any() else None
    new = step.copy()
    if replace.any():
        good = plausible & ~spike & (dt > 0)
        v_good = np.where(good, speed, np.nan)
        k = 2 * HALF_WINDOW + 1
        pad = np.concatenate([np.full(HALF_WINDOW, np.nan), v_good, np.full(HALF_WINDOW, np.nan)])
        win = np.lib.stride_tricks.sliding_window_view(pad, k)[replace]
        local = np.array(
            [np.nanmedian(w) if np.isfinite(w).any() else np.nan for w in win], dtype=float
        )
        overall = float(np.nanmedian(v_good)) if np.isfinite(v_good).any() else 0.0
        local = np.where(np.isfinite(local), local, overall)
        new[replace] = np.minimum(local * dt[replace], max_speed * dt[replace])
    cum = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(new), new, 0.0))])
    d_clean = np.maximum.accumulate(cum)  # small corrections backwards are held
    removed = max(raw_total - float(d_clean[-1]), 0.0)
    return d_clean, counts, worst, removed, notes


def clean_elevation(t: FloatArray, z: FloatArray) -> tuple[FloatArray, int, int]:
    """Altitude spikes and impossible climb rates removed (module docstring, step 3):
    (elevation, spikes, impossible steps)."""
    if np.isfinite(z).sum() < 3:
        return z, 0, 0
    z2, bad = hampel(z, floor=ALTITUDE_SPIKE_FLOOR_M)
    ok = np.flatnonzero(np.isfinite(z2))
    dz = np.diff(z2[ok])
    dt = np.diff(t[ok])
    jump = np.flatnonzero(
        np.abs(dz) > np.maximum(MAX_VERTICAL_SPEED_M_S * dt, ALTITUDE_SPIKE_FLOOR_M)
    )
    removed = 0
    used: set[int] = set()
    for a in jump:
        if a in used:
            continue
        # an excursion: an impossible step that a later one (within EXCURSION_SAMPLES) takes
        # back to within the spike floor; the samples in between are dropped and refilled
        level = z2[ok[a]]
        for b in jump[(jump > a) & (jump <= a + EXCURSION_SAMPLES)]:
            if abs(z2[ok[b + 1]] - level) <= max(ALTITUDE_SPIKE_FLOOR_M, abs(dz[a]) * 0.25):
                z2[ok[a + 1 : b + 1]] = np.nan
                removed += b - a
                used.update(int(j) for j in jump[(jump >= a) & (jump <= b)])
                break
    if removed:
        z2 = _fill_by_time(t, z2) if np.isfinite(z).all() else _refill_inside(t, z2, z)
    return z2, int(bad.sum()), removed


def _refill_inside(t: FloatArray, z2: FloatArray, z: FloatArray) -> FloatArray:
    """Refill dropped samples by time where the input had a value (gaps in the file stay NaN)."""
    keep = np.isfinite(z2)
    out = z2.copy()
    fill = np.isfinite(z) & ~keep
    out[fill] = np.interp(t[fill], t[keep], z2[keep])
    return out


def clean_track(
    t: FloatArray,
    distance: FloatArray,
    speed: FloatArray,
    elevation: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    *,
    running: bool,
    distance_from_positions: bool,
) -> Cleaned:
    """Clean one track's columns (module docstring). ``distance`` is cumulative metres (from
    the file, or from the positions when ``distance_from_positions``, recomputed here after
    the GPS jumps are removed); ``speed`` m/s (NaN unknown)."""
    from runmuscles.io.track import haversine_cumulative

    max_speed = MAX_RUN_SPEED_M_S if running else MAX_ANY_SPEED_M_S
    warnings: list[str] = []
    lat2, lon2, jumps = clean_positions(t, lat, lon)
    if distance_from_positions and jumps:
        distance = haversine_cumulative(lat2, lon2)
    d, counts, worst, removed, notes = clean_distance(t, distance, max_speed=max_speed)
    warnings += notes
    v = speed.copy()
    bad_v = np.isfinite(v) & ((v < 0) | (v > max_speed))
    v[bad_v] = np.nan
    z, spikes, climbs = clean_elevation(t, elevation)
    counts["climb_rate"] = climbs
    impossible = counts["speed"] + counts["acceleration"] + counts["backwards"] + climbs
    cleaning = Cleaning(
        altitude_spikes=spikes,
        gps_jumps=jumps,
        impossible_records=impossible,
        impossible_by={k: v for k, v in counts.items() if v},
        max_bad_speed_m_s=worst,
        removed_distance_m=removed,
    )
    return Cleaned(d, v, z, lat2, lon2, cleaning, tuple(warnings))
