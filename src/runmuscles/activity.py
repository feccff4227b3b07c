"""A recorded run as the model sees it: smoothed elevation, grade, moving time and steady segments.

Method (all distances in metres along the run, from :attr:`Activity.distance_m`):

1. **Elevation profile.** Samples are binned every ``step_m`` of distance; each bin holds the
   mean distance and mean elevation of its samples, so time spent standing still collapses into
   one point (barometric drift at a traffic light cannot make climbing). Bins are interpolated
   onto a uniform grid and smoothed with a centred moving average ``window_m`` wide, padded by
   point reflection at the ends so that a constant slope is reproduced exactly. Barometric
   elevation (``Activity.elevation_source``) is kept close to as recorded (25 m window);
   GPS or unknown elevation is smoothed more (100 m), see :data:`SMOOTH_M`. Spikes and
   impossible steps were already removed on reading (:mod:`runmuscles.io.clean`).
2. **Ascent/descent.** Hysteresis counting on the smoothed profile: a climb or descent counts
   only once the profile has moved ``threshold_m`` away from the last turning point, so noise
   smaller than the threshold adds nothing (2 m barometric, 3 m GPS, :data:`THRESHOLD_M`). The
   defaults were chosen on real watch files that carry the device's own totals: with them the
   cleaned ascent and descent of five barometric recordings (Garmin fenix 2, fenix 6X,
   Forerunner 645M and 955, Coros Pace 2) were within 10 % of the device's.
3. **Grade** = rise/run of the smoothed profile across ``grade_window_m`` (central difference),
   clipped to ``grade_range`` with a warning.
4. **Moving.** An interval between two samples is moving when the file does not mark it paused
   and the speed from distance over a ``speed_window_s`` centred window is at least ``min_speed``.
5. **Segments.** Each moving stretch is cut into pieces of ``window_m``; each piece gets a gait
   (run or walk, :func:`runmuscles.gait.classify` from its speed, grade and mean valid cadence).
   Adjacent pieces of the same gait are merged, most similar pair first, while their speeds
   differ by less than ``speed_tol`` and their grades by less than ``grade_tol``; then pieces
   shorter than ``min_distance_m`` join their more similar neighbour of the same gait.
6. **Strides.** Cadence samples below :data:`runmuscles.gait.MIN_VALID_CADENCE` (a recorded 0
   while moving is a sensor dropout) are left out. When valid cadence covers at least
   :data:`CADENCE_COVERAGE` of a segment's time, its strides are the time-weighted mean valid
   cadence x the segment's duration / 2 (dropouts filled with that mean, never counted as zero);
   otherwise, or when that cadence would mean implausibly long steps
   (:func:`runmuscles.gait.plausible_cadence`), None (the model's stride frequency fills in).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import InputError
from runmuscles.gait import MIN_VALID_CADENCE, classify, plausible_cadence
from runmuscles.io.track import Activity
from runmuscles.units import MINUTE

__all__ = [
    "Profile",
    "Segment",
    "Segmentation",
    "ascent_descent",
    "compare_with_device",
    "elevation_profile",
    "grade",
    "hysteresis_climb",
    "moving_mask",
    "segment",
    "summarize",
]

FloatArray = NDArray[np.float64]

#: Defaults (see the module docstring). Step of the distance grid, m.
STEP_M = 5.0
#: Width of the elevation smoothing window, m, by elevation source: barometric elevation is kept
#: close to as recorded; GPS (or unknown) elevation wanders by metres and is smoothed more.
SMOOTH_M = {"barometric": 25.0, "gps": 100.0}
#: Hysteresis threshold for ascent/descent counting, m, by elevation source.
THRESHOLD_M = {"barometric": 2.0, "gps": 3.0}
#: Distance over which grade is taken, m.
GRADE_WINDOW_M = 50.0
#: Grades outside this range are clipped (rise/run); the atlas grid may narrow it.
GRADE_RANGE = (-0.30, 0.30)
#: Below this speed a runner is standing, m/s (slow walking is ~1 m/s).
MIN_SPEED_M_S = 0.5
#: Window for the moving/standing speed, s.
SPEED_WINDOW_S = 10.0
#: Share of a segment's time that valid cadence must cover to count its strides from cadence.
CADENCE_COVERAGE = 0.3


@dataclass(frozen=True, eq=False)
class Profile:
    """Smoothed elevation on a uniform distance grid: ``distance_m`` (m), ``elevation_m`` (m)."""

    distance_m: FloatArray
    elevation_m: FloatArray

    def at(self, distance_m: FloatArray) -> FloatArray:
        """Smoothed elevation at the given distances, m."""
        return np.interp(distance_m, self.distance_m, self.elevation_m)


@dataclass(frozen=True)
class Segment:
    """A steady piece of a run: times s, distance m, speed m/s, grade rise/run, gain/loss m.

    ``strides`` (None without enough valid cadence), ``start_m`` distance along the run at its
    start (m), ``gait`` "run" or "walk" (None: not decided, e.g. a hand-made segment), its mean
    valid ``cadence_steps_per_min`` (None when not recorded) and ``gait_note`` (why that gait).
    """

    start_s: float
    duration_s: float
    distance_m: float
    speed_m_s: float
    grade: float
    gain_m: float
    loss_m: float
    strides: float | None
    start_m: float = 0.0
    gait: str | None = None
    cadence_steps_per_min: float | None = None
    gait_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Segmentation(Sequence[Segment]):
    """The segments of a run (a sequence) and the warnings raised while finding them."""

    segments: tuple[Segment, ...]
    warnings: tuple[str, ...] = ()

    @overload
    def __getitem__(self, i: int) -> Segment: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Segment]: ...
    def __getitem__(self, i: int | slice) -> Segment | Sequence[Segment]:
        return self.segments[i]

    def __len__(self) -> int:
        return len(self.segments)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)


def _moving_average(z: FloatArray, k: int) -> FloatArray:
    """Centred mean over ``2k+1`` points, point-reflected at the ends (exact for lines)."""
    if k <= 0 or z.size < 2:
        return z.copy()
    k = min(k, z.size - 1)
    head = 2 * z[0] - z[k:0:-1]
    tail = 2 * z[-1] - z[-2 : -k - 2 : -1]
    padded = np.concatenate([head, z, tail])
    c = np.concatenate([[0.0], np.cumsum(padded)])
    return (c[2 * k + 1 :] - c[: -2 * k - 1]) / (2 * k + 1)


def _source(act: Activity) -> str:
    return "barometric" if act.elevation_source == "barometric" else "gps"


def elevation_profile(
    act: Activity, *, step_m: float = STEP_M, window_m: float | None = None
) -> Profile | None:
    """The smoothed elevation profile of a run (module docstring, step 1), or None without
    elevation data. ``window_m`` None: :data:`SMOOTH_M` for the activity's elevation source."""
    if window_m is None:
        window_m = SMOOTH_M[_source(act)]
    if step_m <= 0 or window_m < 0:
        raise InputError(f"step_m ({step_m}) must be > 0 and window_m ({window_m}) >= 0")
    ok = np.isfinite(act.elevation_m)
    if ok.sum() < 2:
        return None
    d = act.distance_m[ok]
    z = act.elevation_m[ok]
    total = float(d[-1])
    if total <= 0:
        return Profile(np.array([0.0, 0.0]), np.full(2, float(np.mean(z))))
    idx = np.floor(d / step_m).astype(np.int64)
    nb = int(idx[-1]) + 1
    count = np.bincount(idx, minlength=nb)
    filled = count > 0
    mean_d = np.bincount(idx, weights=d, minlength=nb)[filled] / count[filled]
    mean_z = np.bincount(idx, weights=z, minlength=nb)[filled] / count[filled]
    n_grid = max(int(np.ceil(total / step_m)) + 1, 2)
    grid = np.linspace(0.0, total, n_grid)
    if mean_d.size == 1:
        zg = np.full(n_grid, mean_z[0])
    else:
        # linear extrapolation beyond the first/last bin means keeps slopes at the ends
        zg = np.interp(grid, mean_d, mean_z)
        lo, hi = grid < mean_d[0], grid > mean_d[-1]
        s0 = (mean_z[1] - mean_z[0]) / max(mean_d[1] - mean_d[0], 1e-9)
        s1 = (mean_z[-1] - mean_z[-2]) / max(mean_d[-1] - mean_d[-2], 1e-9)
        zg[lo] = mean_z[0] + s0 * (grid[lo] - mean_d[0])
        zg[hi] = mean_z[-1] + s1 * (grid[hi] - mean_d[-1])
    spacing = grid[1] - grid[0]
    k = round(window_m / spacing / 2)
    return Profile(grid, _moving_average(zg, k))


def hysteresis_climb(z: FloatArray, threshold_m: float) -> tuple[float, float]:
    """Total ascent and descent of an elevation sequence, m, ignoring reversals < threshold."""
    if z.size < 2:
        return 0.0, 0.0
    up = down = 0.0
    ref = float(z[0])  # last turning point
    direction = 0  # +1 climbing, -1 descending, 0 undecided
    extreme = ref
    for value in z[1:].tolist():
        if direction >= 0 and value > extreme:
            extreme = value
            if direction == 0 and extreme - ref >= threshold_m:
                direction = 1
        elif direction <= 0 and value < extreme:
            extreme = value
            if direction == 0 and ref - extreme >= threshold_m:
                direction = -1
        if direction == 1 and extreme - value >= threshold_m:
            up += extreme - ref
            ref, extreme, direction = extreme, value, -1
        elif direction == -1 and value - extreme >= threshold_m:
            down += ref - extreme
            ref, extreme, direction = extreme, value, 1
    if direction == 1 and extreme - ref >= threshold_m:
        up += extreme - ref
    elif direction == -1 and ref - extreme >= threshold_m:
        down += ref - extreme
    return up, down


def ascent_descent(
    act: Activity, *, window_m: float | None = None, threshold_m: float | None = None
) -> tuple[float | None, float | None]:
    """Total ascent and descent, m (module docstring, step 2); None without elevation data.
    Defaults by the activity's elevation source (:data:`SMOOTH_M`, :data:`THRESHOLD_M`)."""
    if threshold_m is None:
        threshold_m = THRESHOLD_M[_source(act)]
    prof = elevation_profile(act, window_m=window_m)
    if prof is None:
        return None, None
    return hysteresis_climb(prof.elevation_m, threshold_m)


def grade(
    act: Activity,
    *,
    window_m: float = GRADE_WINDOW_M,
    grade_range: tuple[float, float] = GRADE_RANGE,
    profile: Profile | None = None,
) -> tuple[FloatArray, tuple[str, ...]]:
    """Grade (rise/run) at each sample over ``window_m`` of distance, clipped to ``grade_range``.

    Returns the grades and warnings (no elevation: all 0; clipping: how much was clipped).
    """
    lo, hi = grade_range
    if not lo < hi:
        raise InputError(f"grade_range {grade_range} must be (low, high) with low < high")
    prof = profile if profile is not None else elevation_profile(act)
    if prof is None:
        return np.zeros(len(act)), ("no elevation data: grade taken as 0 (flat) everywhere",)
    s, z = prof.distance_m, prof.elevation_m
    h = max(round(window_m / 2 / max(s[1] - s[0], 1e-9)), 1)
    i = np.arange(s.size)
    a, b = np.maximum(i - h, 0), np.minimum(i + h, s.size - 1)
    run = s[b] - s[a]
    g_grid = np.divide(z[b] - z[a], run, out=np.zeros_like(z), where=run > 0)
    g = np.interp(act.distance_m, s, g_grid)
    warnings: tuple[str, ...] = ()
    outside = (g < lo) | (g > hi)
    if outside.any():
        warnings = (
            f"grade outside {lo:+.0%}..{hi:+.0%} on {int(outside.sum())} of {g.size} samples "
            f"(steepest {g[outside].flat[np.argmax(np.abs(g[outside]))]:+.0%}): clipped",
        )
        g = np.clip(g, lo, hi)
    return g, warnings


def moving_mask(
    act: Activity, *, min_speed: float = MIN_SPEED_M_S, window_s: float = SPEED_WINDOW_S
) -> NDArray[np.bool_]:
    """Per interval (sample i-1 -> i, so length n-1): True when moving (docstring, step 4)."""
    t, d = act.time_s, act.distance_m
    mid = 0.5 * (t[1:] + t[:-1])
    half = 0.5 * max(window_s, 1e-9)
    t0 = np.maximum(mid - half, t[0])
    t1 = np.minimum(mid + half, t[-1])
    dd = np.interp(t1, t, d) - np.interp(t0, t, d)
    speed = np.divide(dd, t1 - t0, out=np.zeros_like(dd), where=(t1 - t0) > 0)
    result: NDArray[np.bool_] = (speed >= min_speed) & ~act.paused[1:]
    return result


def _pieces(d: FloatArray, moving: NDArray[np.bool_], window_m: float) -> list[tuple[int, int]]:
    """(first, last) sample indices of base pieces ~window_m long inside moving stretches."""
    pieces: list[tuple[int, int]] = []
    mv = np.concatenate([[False], moving, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(mv))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        # moving intervals start..stop-1 -> samples start..stop
        seg_d = d[start : stop + 1] - d[start]
        marks = np.floor(seg_d / window_m).astype(np.int64)
        cuts = np.flatnonzero(np.diff(marks)) + 1 + start
        bounds = [start, *cuts.tolist(), stop]
        bounds = sorted(set(bounds))
        if len(bounds) > 2 and d[bounds[-1]] - d[bounds[-2]] < 0.5 * window_m:
            bounds.pop(-2)  # a short tail joins the piece before it
        pieces += list(itertools.pairwise(bounds))
        pieces.append((-1, -1))  # run separator
    return pieces


def _merge_pieces(
    dur: list[float],
    dist: list[float],
    rise: list[float],
    run: list[int],
    *,
    speed_tol: float,
    grade_tol: float,
    min_distance_m: float,
    gait: list[str] | None = None,
) -> list[tuple[int, int]]:
    """Agglomerate adjacent pieces (docstring, step 5); returns (first, last) piece per segment.

    Pieces of different moving stretches (``run`` ids) or different ``gait`` never merge. A doubly
    linked list with a heap of pair scores and lazy invalidation: O(n log n).
    """
    n = len(dur)
    nxt = list(range(1, n + 1))
    prv = list(range(-1, n - 1))
    last = list(range(n))
    alive = [True] * n
    version = [0] * n

    def score(i: int, j: int) -> float:
        if run[i] != run[j] or (gait is not None and gait[i] != gait[j]):
            return math.inf
        vi = dist[i] / dur[i] if dur[i] > 0 else 0.0
        vj = dist[j] / dur[j] if dur[j] > 0 else 0.0
        gi = rise[i] / dist[i] if dist[i] > 0 else 0.0
        gj = rise[j] / dist[j] if dist[j] > 0 else 0.0
        return max(abs(vi - vj) / speed_tol, abs(gi - gj) / grade_tol)

    def join(i: int, j: int) -> None:  # j (right neighbour of i) into i
        dur[i] += dur[j]
        dist[i] += dist[j]
        rise[i] += rise[j]
        last[i] = last[j]
        alive[j] = False
        nxt[i] = nxt[j]
        if nxt[j] < n:
            prv[nxt[j]] = i
        version[i] += 1

    heap = [(score(i, i + 1), i, i + 1, 0, 0) for i in range(n - 1)]
    heapq.heapify(heap)
    while heap:
        sc, i, j, vi, vj = heapq.heappop(heap)
        if sc >= 1.0:
            break
        if not (alive[i] and alive[j]) or version[i] != vi or version[j] != vj or nxt[i] != j:
            continue
        join(i, j)
        if prv[i] >= 0:
            heapq.heappush(heap, (score(prv[i], i), prv[i], i, version[prv[i]], version[i]))
        if nxt[i] < n:
            heapq.heappush(heap, (score(i, nxt[i]), i, nxt[i], version[i], version[nxt[i]]))
    # pieces shorter than min_distance_m join their more similar neighbour, shortest first
    short = [(dist[i], i, version[i]) for i in range(n) if alive[i] and dist[i] < min_distance_m]
    heapq.heapify(short)
    while short:
        _, k, vk = heapq.heappop(short)
        if not alive[k] or version[k] != vk:
            continue
        left = score(prv[k], k) if prv[k] >= 0 else math.inf
        right = score(k, nxt[k]) if nxt[k] < n else math.inf
        if math.isinf(left) and math.isinf(right):
            continue  # a whole moving stretch shorter than the minimum stays on its own
        keep = prv[k] if left <= right else k
        join(keep, nxt[keep])
        if dist[keep] < min_distance_m:
            heapq.heappush(short, (dist[keep], keep, version[keep]))
    return [(i, last[i]) for i in range(n) if alive[i]]


def _valid_cadence(act: Activity) -> tuple[FloatArray | None, FloatArray | None]:
    """Per interval (sample i-1 -> i): the cadence at its end sample where valid (else 0) and the
    interval's duration where valid (else 0), s; (None, None) without cadence."""
    cad = act.cadence_steps_per_min
    if cad is None:
        return None, None
    c = np.asarray(cad[1:], dtype=float)
    ok = np.isfinite(c) & (c >= MIN_VALID_CADENCE)
    dt = np.diff(act.time_s)
    return np.where(ok, c * dt, 0.0), np.where(ok, dt, 0.0)


def _mean_cadence(
    cad_t: FloatArray | None, cad_dt: FloatArray | None, dt: FloatArray, a: int, b: int
) -> tuple[float | None, float]:
    """Time-weighted mean valid cadence over samples a..b (steps/min, None without any) and the
    share of that time that valid cadence covers."""
    if cad_t is None or cad_dt is None or b <= a:
        return None, 0.0
    covered = float(cad_dt[a:b].sum())
    total = float(dt[a:b].sum())
    if covered <= 0:
        return None, 0.0
    return float(cad_t[a:b].sum()) / covered, covered / total if total > 0 else 0.0


def segment(
    act: Activity,
    *,
    window_m: float = 100.0,
    speed_tol: float = 0.3,
    grade_tol: float = 0.02,
    min_distance_m: float = 200.0,
    grade_window_m: float = GRADE_WINDOW_M,
    grade_range: tuple[float, float] = GRADE_RANGE,
    min_speed: float = MIN_SPEED_M_S,
) -> Segmentation:
    """Split the moving part of a run into steady segments of speed x grade (docstring, step 5).

    ``speed_tol`` m/s and ``grade_tol`` (rise/run) are the largest differences merged;
    ``min_distance_m`` is the shortest segment kept on its own (unless a whole moving stretch is
    shorter). Stops are left out; segment distances add up to the moving distance.
    """
    if window_m <= 0 or speed_tol <= 0 or grade_tol <= 0 or min_distance_m < 0:
        raise InputError(
            "segment(): window_m, speed_tol and grade_tol must be > 0 and min_distance_m >= 0"
        )
    warnings: list[str] = []
    prof = elevation_profile(act)
    t, d = act.time_s, act.distance_m
    if prof is None:
        z = np.zeros(len(act))
        warnings.append("no elevation data: every segment is taken as flat (grade 0)")
    else:
        z = prof.at(d)
    moving = moving_mask(act, min_speed=min_speed)
    raw = _pieces(d, moving, window_m)
    if not any(a >= 0 for a, _ in raw):
        return Segmentation((), (*warnings, "no moving part found in this activity"))
    # per piece sums: duration, distance, rise; run id
    starts, ends, runs = [], [], []
    run = 0
    for a, b in raw:
        if a < 0:
            run += 1
            continue
        starts.append(a)
        ends.append(b)
        runs.append(run)
    st_i = np.array(starts)
    en_i = np.array(ends)
    dt = np.diff(t)
    cad_t, cad_dt = _valid_cadence(act)
    piece_dur = t[en_i] - t[st_i]
    piece_dist = d[en_i] - d[st_i]
    piece_rise = z[en_i] - z[st_i]
    piece_gait = []
    for a, b, du, di, ri in zip(st_i, en_i, piece_dur, piece_dist, piece_rise, strict=True):
        cad, _ = _mean_cadence(cad_t, cad_dt, dt, int(a), int(b))
        v_piece = di / du if du > 0 else 0.0
        g_piece = ri / di if di > 0 else 0.0
        piece_gait.append(classify(v_piece, g_piece, cad)[0])
    groups = _merge_pieces(
        piece_dur.tolist(),
        piece_dist.tolist(),
        piece_rise.tolist(),
        runs,
        speed_tol=speed_tol,
        grade_tol=grade_tol,
        min_distance_m=min_distance_m,
        gait=piece_gait,
    )
    first = np.array([a for a, _ in groups])
    last = np.array([b for _, b in groups])
    seg_gait = [piece_gait[int(i)] for i in first]
    st_i, en_i = st_i[first], en_i[last]
    dur = t[en_i] - t[st_i]
    dist = d[en_i] - d[st_i]
    rise = z[en_i] - z[st_i]
    v = np.divide(dist, dur, out=np.zeros_like(dist), where=dur > 0)
    g = np.divide(rise, dist, out=np.zeros_like(dist), where=dist > 0)
    lo, hi = grade_range
    clipped = (g < lo) | (g > hi)
    if clipped.any():
        warnings.append(
            f"{int(clipped.sum())} segment(s) steeper than {lo:+.0%}..{hi:+.0%} "
            f"(steepest {g[clipped].flat[np.argmax(np.abs(g[clipped]))]:+.0%}): grade clipped"
        )
        g = np.clip(g, lo, hi)
    dz = np.diff(z)
    segments = []
    for k in range(st_i.size):
        a, b = int(st_i[k]), int(en_i[k])
        step = dz[a:b]
        cad, covered = _mean_cadence(cad_t, cad_dt, dt, a, b)
        strides = None
        if cad is not None and covered >= CADENCE_COVERAGE:
            strides = cad * float(dur[k]) / MINUTE / 2.0
        gait, why = classify(float(v[k]), float(g[k]), cad if covered >= CADENCE_COVERAGE else None)
        if gait != seg_gait[k]:  # the pieces decided; say why the whole reads otherwise
            why = f"{why} over the whole segment, but its pieces were {seg_gait[k]}"
            gait = seg_gait[k]
        if strides is not None and cad is not None and not plausible_cadence(v[k], cad, gait):
            why += (
                f"; cadence {cad:.0f} steps/min would mean {v[k] * 60 / cad:.1f} m steps: "
                "not used for strides"
            )
            strides = None
        segments.append(
            Segment(
                start_s=float(t[a]),
                duration_s=float(dur[k]),
                distance_m=float(dist[k]),
                speed_m_s=float(v[k]),
                grade=float(g[k]),
                gain_m=float(step[step > 0].sum()),
                loss_m=float(-step[step < 0].sum()) + 0.0,
                strides=strides,
                start_m=float(d[a]),
                gait=gait,
                cadence_steps_per_min=cad,
                gait_note=why,
            )
        )
    return Segmentation(tuple(segments), tuple(warnings))


#: Goals for our totals against the device's own (the issue's): distance within 1 %, ascent and
#: descent within 10 %; outside them a warning says why.
DISTANCE_GOAL = 0.01
CLIMB_GOAL = 0.10


def _why_distance(act: Activity, ours: float, dev: float) -> str:
    if act.damaged:
        return "the file is damaged, so records after the damage are missing"
    if act.cleaning.removed_distance_m > 0.5 * abs(ours - dev):
        return (
            f"{act.cleaning.removed_distance_m:.0f} m of physically impossible distance "
            "(GPS jumps, corrupt records) was taken out; the device kept it"
        )
    if act.distance_source == "positions":
        return "the distance is measured here from the GPS positions, the device's its own way"
    return "the device's total is not the sum of its records (timer stops or its own filtering)"


def _why_climb(act: Activity, ours: float, dev: float) -> str:
    if act.damaged:
        return "the file is damaged, so records after the damage are missing"
    if max(ours, dev) < 10.0:
        th = THRESHOLD_M[_source(act)]
        return (
            f"totals this small are elevation noise: reversals under {th:g} m are not counted "
            "here, and the device rounds to whole metres"
        )
    if _source(act) == "gps":
        return (
            "the elevation is GPS or exported (no barometer known), which each device smooths "
            "its own way"
        )
    return "the device counts climbing with its own (unpublished) filter"


def compare_with_device(
    act: Activity, distance_m: float, ascent_m: float | None, descent_m: float | None
) -> tuple[dict[str, Any], list[str]]:
    """Our totals against the device's own (FIT session, TCX laps) where the file has them:
    per quantity the device's value, ours, the difference (ours - device) and whether it is
    within :data:`DISTANCE_GOAL` / :data:`CLIMB_GOAL`; plus a warning for each outside it."""
    tot = act.totals
    out: dict[str, Any] = {}
    warnings: list[str] = []
    for key, ours, dev, goal, why in (
        ("distance_m", distance_m, tot.distance_m, DISTANCE_GOAL, _why_distance),
        ("ascent_m", ascent_m, tot.ascent_m, CLIMB_GOAL, _why_climb),
        ("descent_m", descent_m, tot.descent_m, CLIMB_GOAL, _why_climb),
    ):
        if dev is None or ours is None:
            continue
        diff = ours - dev
        rel = diff / dev if dev > 0 else None
        ok = abs(diff) <= goal * dev if dev > 0 else abs(diff) < 1.0
        out[key] = {
            "device": dev,
            "ours": ours,
            "difference": diff,
            "relative": rel,
            "goal": goal,
            "within_goal": ok,
        }
        if not ok:
            word = key.removesuffix("_m")
            rel_txt = f" ({rel * 100:+.0f} %)" if rel is not None else ""
            warnings.append(
                f"our {word} {ours:,.0f} m differs from the device's {dev:,.0f} m by "
                f"{diff:+,.0f} m{rel_txt}, beyond the {goal * 100:.0f} % goal: "
                f"{why(act, ours, dev)}"
            )
    return out, warnings


def summarize(act: Activity) -> dict[str, Any]:
    """Headline numbers of a run: times s, distance m, ascent/descent m, device, the device's
    own totals (``device_totals``: only those the file has) and ours against them
    (``vs_device``), what cleaning changed (``cleaning``) and warnings."""
    moving = moving_mask(act)
    dt = np.diff(act.time_s)
    ascent, descent = ascent_descent(act)
    distance = float(act.distance_m[-1])
    versus, notes = compare_with_device(act, distance, ascent, descent)
    cleaning = act.cleaning.to_dict()
    cleaning["elevation_source"] = act.elevation_source if act.has_elevation else None
    cleaning["distance_source"] = act.distance_source
    return {
        "duration_s": act.duration_s,
        "moving_time_s": float(dt[moving].sum()),
        "distance_m": distance,
        "ascent_m": ascent,
        "descent_m": descent,
        "device": act.device,
        "sport": act.sport,
        "format": act.format,
        "start_time": act.start_time.isoformat() if act.start_time else None,
        "records": len(act),
        "damaged": act.damaged,
        "device_totals": {k: v for k, v in asdict(act.totals).items() if v is not None},
        "vs_device": versus,
        "cleaning": cleaning,
        "warnings": [*act.warnings, *notes],
    }
