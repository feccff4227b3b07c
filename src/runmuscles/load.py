"""Per-muscle load of a whole run: work, impulse, peak force, loading cycles, tendons, hills.

Method (SI units throughout; see :func:`of_run`):

1. **Per-stride picture.** A :class:`ConditionTable` (the muscle atlas) gives, at each segment's
   speed and grade, per-stride quantities for both legs together: concentric and eccentric work
   (J), force impulse (N s), peak force (N) and metabolic energy (J) per catalogue group; Achilles
   and patellar tendon peak force (N, the larger of the two legs) and impulse (N s, both legs);
   stride time (s).
2. **Body mass.** The table is for a body of ``table.mass_kg``. Works, impulses, forces and
   energies are taken as proportional to body mass at equal speed and grade (ground reaction
   forces of running scale with body weight: peak vertical GRF 2.2-2.9 BW whatever the runner's
   size, Keller et al. 1996, Clin Biomech 11:253), so each is multiplied by
   ``mass / table.mass_kg``. Height is NOT rescaled: a warning says so when the runner's height
   differs from the table's by more than :data:`HEIGHT_TOLERANCE`.
3. **Strides.** Per segment from the recorded cadence when the segment has it
   (``Segment.strides``), else ``duration / stride_time(speed, grade)`` from the table. Loading
   cycles of a group or tendon are strides (each stride loads it once in each leg).
4. **Totals.** Work, impulse and energy: sum over segments of strides x per-stride value; peak
   force: the largest per-stride peak over the segments; peak tendon force also in body weights
   (BW = mass x g).
5. **Terrain.** A segment is uphill when its grade >= +:data:`FLAT_GRADE` (2 %), downhill when
   <= -2 %, flat otherwise (GPS/barometric grade noise over a segment is about 1 %).
6. **Out of range, never extrapolated.** Grades beyond ``table.grade_range`` are clipped to it,
   and speeds above ``table.speed_range`` clipped to its top, with a warning naming how much
   distance was affected. A segment slower than ``table.speed_range[0]`` counts as slow running
   (looked up at the table's slowest speed, with a warning) when its recorded cadence is at least
   :data:`RUN_CADENCE` (140 steps/min) and its speed at least :data:`SLOW_RUN_MIN_SPEED`, or its
   speed is at least :data:`RUN_SPEED` (2.2 m/s, above the walk-run transition);
   otherwise it is walking, hiking a steep bit or standing: it is excluded from the muscle loads
   with a warning, and its distance and time are reported.
7. **Versus flat.** The same segments at the same speed and duration (same distance and pace)
   on grade 0. The flat strides keep the runner's own cadence offset: ``strides x
   stride_time(v, g) / stride_time(v, 0)``. Per group the ratio is total work (concentric +
   eccentric) of the run over the flat run; per tendon, impulse over impulse.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import DataError, InputError, OutOfRangeError
from runmuscles.units import MINUTE, G

if TYPE_CHECKING:
    from runmuscles.activity import Segment
    from runmuscles.io.track import Activity

__all__ = [
    "FLAT_GRADE",
    "GROUP_KEYS",
    "HEIGHT_RANGE_M",
    "HEIGHT_TOLERANCE",
    "MASS_RANGE_KG",
    "RUN_CADENCE",
    "RUN_SPEED",
    "SAME_AS_FLAT",
    "SCALAR_KEYS",
    "SLOW_RUN_MIN_SPEED",
    "TENDONS",
    "TERRAINS",
    "ConditionTable",
    "GroupLoad",
    "RunLoad",
    "SegmentLoad",
    "TendonLoad",
    "analyze",
    "analyze_activity",
    "default_table",
    "of_run",
    "terrain_of",
]

FloatArray = NDArray[np.float64]

#: |grade| below this (rise/run) is flat; at or above it uphill, at or below minus it downhill.
FLAT_GRADE = 0.02
#: Terrain classes, in report order.
TERRAINS = ("uphill", "flat", "downhill")
#: Runner's height may differ from the table's by this fraction before a warning (no rescaling).
HEIGHT_TOLERANCE = 0.10
#: Step cadence (steps/min) that marks running rather than walking for a segment slower than the
#: table: walking cadence is typically 100-130 steps/min, running 150-185 steps/min at 3 m/s
#: (Lieberman et al. 2015), and slow jogging stays above ~140 (see io.track.STRIDE_CADENCE_LIMIT).
#: On the real files, uphill hiking segments at 1.4-1.9 m/s had 110-139 steps/min, slow trail
#: running at 1.6-2.0 m/s 146-160 steps/min.
RUN_CADENCE = 140.0
#: Slower than this a segment is never counted as running, m/s.
SLOW_RUN_MIN_SPEED = 1.0
#: At or above this speed a segment counts as running whatever its cadence (or when the file has
#: none): people switch from walking to running near 2.0-2.1 m/s (Hreljac 1993, J Biomech
#: 26:63), so steady walking at 2.2 m/s is rare.
RUN_SPEED = 2.2
#: Work ratios vs flat within this of 1 read "about as much as a flat run" (the grade of a GPS
#: track is uncertain by about 1 %, which moves hill loads by a few percent).
SAME_AS_FLAT = 0.03
#: Plausible adult runner (kg, m); outside, the mass scaling is not trusted.
MASS_RANGE_KG = (30.0, 200.0)
HEIGHT_RANGE_M = (1.2, 2.3)
#: Per-stride, per-group quantities a table lookup returns, shape (n, len(groups)).
GROUP_KEYS = (
    "concentric_work_j",
    "eccentric_work_j",
    "impulse_ns",
    "peak_force_n",
    "metabolic_energy_j",
)
#: Per-stride scalar quantities a table lookup returns, shape (n,).
SCALAR_KEYS = (
    "achilles_peak_force_n",
    "patellar_peak_force_n",
    "achilles_impulse_ns",
    "patellar_impulse_ns",
    "stride_time_s",
    "stride_length_m",
    "cadence_steps_per_min",
    "contact_time_s",
    "cost_of_transport_j_per_kg_m",
)
#: Tendon id (catalogue) -> lookup key prefix.
TENDONS = {"achilles_tendon": "achilles", "patellar_tendon": "patellar"}
#: Lookup keys scaled by body mass (works, impulses, forces, energies).
_MASS_SCALED = (
    *GROUP_KEYS,
    *(f"{p}_{q}" for p in TENDONS.values() for q in ("peak_force_n", "impulse_ns")),
)


class ConditionTable(Protocol):
    """Per-stride muscle and tendon quantities over a speed x grade grid (the muscle atlas).

    ``lookup(speed, grade)`` is vectorised over equal-length arrays (m/s, rise/run) and returns,
    per stride of BOTH legs for a body of ``mass_kg`` and ``height_m``, the keys of
    :data:`GROUP_KEYS` with shape ``(n, len(groups))`` and of :data:`SCALAR_KEYS` with shape
    ``(n,)``. It raises :class:`~runmuscles.errors.OutOfRangeError` outside its grid.
    """

    @property
    def groups(self) -> tuple[str, ...]: ...
    @property
    def speed_range(self) -> tuple[float, float]: ...
    @property
    def grade_range(self) -> tuple[float, float]: ...
    @property
    def mass_kg(self) -> float: ...
    @property
    def height_m(self) -> float: ...
    def lookup(self, speed: FloatArray, grade: FloatArray) -> Mapping[str, FloatArray]: ...


def terrain_of(grade: float) -> str:
    """'uphill', 'flat' or 'downhill' for a grade (rise/run), thresholds :data:`FLAT_GRADE`."""
    if grade >= FLAT_GRADE:
        return "uphill"
    if grade <= -FLAT_GRADE:
        return "downhill"
    return "flat"


def _frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


def _plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict, mappings turned into dicts (asdict cannot copy proxies)."""
    return {
        f.name: dict(v) if isinstance(v := getattr(obj, f.name), Mapping) else v
        for f in fields(obj)
        if not f.name.startswith("_")
    }


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


@dataclass(frozen=True)
class GroupLoad:
    """Load of one catalogue muscle group over the run (both legs).

    Works J (and J/kg of body mass), impulse N s, peak force N (largest per-stride peak),
    metabolic energy J, ``cycles`` strides, ``share`` of the run's total work (0..1),
    ``by_terrain`` total work J per terrain, ``flat_work_j`` total work of the flat run J and
    ``vs_flat`` = work / flat work (None when the flat work is 0).
    """

    group: str
    concentric_work_j: float
    eccentric_work_j: float
    concentric_work_j_per_kg: float
    eccentric_work_j_per_kg: float
    impulse_ns: float
    peak_force_n: float
    metabolic_energy_j: float
    cycles: float
    share: float
    by_terrain: Mapping[str, float]
    eccentric_by_terrain: Mapping[str, float]
    flat_work_j: float
    vs_flat: float | None

    @property
    def work_j(self) -> float:
        """Concentric plus eccentric work, J."""
        return self.concentric_work_j + self.eccentric_work_j

    def to_dict(self) -> dict[str, Any]:
        d = _plain(self)
        d["work_j"] = self.work_j
        return d


@dataclass(frozen=True)
class TendonLoad:
    """Cumulative load of a tendon (both legs): impulse N s, cycles (strides; each stride loads
    each leg's tendon once), peak force N and in body weights (largest per-stride peak of one
    leg), impulse per terrain N s, flat-run impulse N s and ``vs_flat`` impulse ratio."""

    tendon: str
    impulse_ns: float
    cycles: float
    peak_force_n: float
    peak_force_bw: float
    by_terrain: Mapping[str, float]
    flat_impulse_ns: float
    vs_flat: float | None

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class SegmentLoad:
    """One segment of the run and its load.

    Times s, distance m, speed m/s and grade (rise/run) as segmented; ``speed_used`` and
    ``grade_used`` are what was looked up (after clipping; None when excluded); ``terrain`` is
    uphill/flat/downhill, or "excluded" for walking/standing; ``strides`` (None when excluded)
    and their source ("cadence" or "model"); ``work_j`` total work per group J.
    """

    start_s: float
    duration_s: float
    distance_m: float
    speed_m_s: float
    grade: float
    terrain: str
    speed_used: float | None
    grade_used: float | None
    strides: float | None
    strides_source: str | None
    work_j: Mapping[str, float]
    note: str = ""

    @property
    def included(self) -> bool:
        return self.terrain != "excluded"

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class RunLoad:
    """The per-muscle load of a run (immutable). Build it with :func:`of_run` or :func:`analyze`.

    ``muscles``: one :class:`GroupLoad` per table group, in table order; ``tendons``: Achilles
    and patellar :class:`TendonLoad`; ``segments``: every segment, excluded ones too;
    ``activity``: headline numbers of the recording (``runmuscles.activity.summarize`` keys);
    ``terrain_distance_m``/``terrain_time_s``: included distance m and time s per terrain plus
    "excluded"; ``table``: what the loads were computed with; ``warnings``: everything that was
    clipped, excluded or assumed.
    """

    mass_kg: float
    height_m: float
    muscles: tuple[GroupLoad, ...]
    tendons: tuple[TendonLoad, ...]
    segments: tuple[SegmentLoad, ...]
    activity: Mapping[str, Any]
    terrain_distance_m: Mapping[str, float]
    terrain_time_s: Mapping[str, float]
    table: Mapping[str, Any]
    warnings: tuple[str, ...] = ()
    example: str = ""
    _index: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {g.group: i for i, g in enumerate(self.muscles)})

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(g.group for g in self.muscles)

    def group(self, name: str) -> GroupLoad:
        """The load of one group by catalogue id."""
        if name not in self._index:
            from runmuscles.errors import UnknownNameError

            raise UnknownNameError(f"group {name!r} is not in this analysis", self.groups)
        return self.muscles[self._index[name]]

    def tendon(self, name: str) -> TendonLoad:
        for t in self.tendons:
            if t.tendon == name:
                return t
        from runmuscles.errors import UnknownNameError

        raise UnknownNameError(f"tendon {name!r} is not in this analysis", tuple(TENDONS))

    @property
    def total_work_j(self) -> float:
        """Concentric + eccentric work of all groups, J."""
        return sum(g.work_j for g in self.muscles)

    @property
    def vs_flat(self) -> dict[str, float | None]:
        """Group id -> total work of this run / the same distance and pace on the flat."""
        return {g.group: g.vs_flat for g in self.muscles}

    def top(self, n: int = 3, *, by: str = "share") -> tuple[GroupLoad, ...]:
        """The ``n`` most loaded groups by ``share`` of work or by ``vs_flat`` ratio."""
        if by == "share":
            return tuple(sorted(self.muscles, key=lambda g: -g.share)[:n])
        if by == "vs_flat":
            return tuple(sorted(self.muscles, key=lambda g: -(g.vs_flat or 0.0))[:n])
        raise InputError(f"top(by={by!r}): choose 'share' or 'vs_flat'")

    @property
    def headline(self) -> str:
        """One sentence comparing this run with the same distance and pace on the flat."""
        if not self.muscles or self.total_work_j <= 0:
            return "no running segment could be analysed, so there is no comparison with a flat run"
        big = [g for g in self.muscles if g.share >= 0.05 and g.vs_flat is not None]
        if not big:
            return "no muscle group did a comparable share of the work on a flat run"
        g = max(big, key=lambda g: abs((g.vs_flat or 1.0) - 1.0))
        ratio = g.vs_flat or 1.0
        name = g.group.replace("_", " ")
        pct = round(abs(ratio - 1.0) * 100)
        if abs(ratio - 1.0) < SAME_AS_FLAT:
            return (
                "this run loaded your muscles about as much as a flat run of the same distance "
                "and pace"
            )
        word = "harder" if ratio > 1 else "less"
        return (
            f"this run worked your {name} {pct} % {word} than a flat run of the same distance "
            "and pace"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready, see the ``runmuscles analyze --json`` shape)."""
        return {
            "activity": dict(self.activity),
            "body": {"mass_kg": self.mass_kg, "height_m": self.height_m},
            "segments": [s.to_dict() for s in self.segments],
            "terrain": {
                "distance_m": dict(self.terrain_distance_m),
                "time_s": dict(self.terrain_time_s),
                "flat_grade": FLAT_GRADE,
            },
            "muscles": [g.to_dict() for g in self.muscles],
            "tendons": [t.to_dict() for t in self.tendons],
            "vs_flat": self.vs_flat,
            "headline": self.headline,
            "table": dict(self.table),
            "warnings": list(self.warnings),
            **({"example": self.example} if self.example else {}),
        }


# ------------------------------------------------------------------------------------ compute
def _check_body(mass: float, height: float) -> None:
    lo, hi = MASS_RANGE_KG
    if not (math.isfinite(mass) and lo <= mass <= hi):
        raise OutOfRangeError(
            f"body mass {mass} kg is outside {lo:.0f}..{hi:.0f} kg; give it in kilograms, "
            "e.g. --mass 70"
        )
    lo, hi = HEIGHT_RANGE_M
    if not (math.isfinite(height) and lo <= height <= hi):
        raise OutOfRangeError(
            f"height {height} m is outside {lo}..{hi} m; give it in metres, e.g. --height 1.75"
        )


def _lookup(table: ConditionTable, speed: FloatArray, grade: FloatArray) -> dict[str, FloatArray]:
    """Table lookup with its output validated (shapes, finite values)."""
    out = table.lookup(speed, grade)
    n, k = speed.size, len(table.groups)
    checked: dict[str, FloatArray] = {}
    for key, shape in [*((g, (n, k)) for g in GROUP_KEYS), *((s, (n,)) for s in SCALAR_KEYS)]:
        if key not in out:
            raise DataError(f"the condition table's lookup returned no {key!r}; rebuild the atlas")
        arr = np.asarray(out[key], dtype=float)
        if arr.shape != shape:
            raise DataError(
                f"the condition table's {key!r} has shape {arr.shape}, expected {shape}"
            )
        if not np.isfinite(arr).all():
            raise DataError(
                f"the condition table's {key!r} has missing (NaN) values in the looked-up range; "
                "rebuild the atlas or fill its missing cells"
            )
        checked[key] = arr
    if np.any(checked["stride_time_s"] <= 0):
        raise DataError("the condition table's stride_time_s must be > 0")
    return checked


def _by_terrain(terrain: Sequence[str], values: FloatArray) -> dict[str, float]:
    """Sum of ``values`` (per segment, or per segment x group -> caller passes a column)."""
    return {
        t: float(sum(v for tt, v in zip(terrain, values, strict=True) if tt == t)) for t in TERRAINS
    }


def of_run(
    activity: Activity | Mapping[str, Any] | None,
    segments: Sequence[Segment],
    table: ConditionTable,
    mass: float = 70.0,
    height: float = 1.75,
    *,
    warnings: Sequence[str] = (),
) -> RunLoad:
    """The per-muscle load of a run from its segments (method in the module docstring).

    ``activity`` is the recording (its summary goes into the result), a ready summary mapping,
    or None; ``mass`` kg and ``height`` m are the runner's; ``warnings`` from earlier steps are
    carried into the result.
    """
    _check_body(mass, height)
    warn = list(warnings)
    if isinstance(activity, Mapping):
        summary: dict[str, Any] = dict(activity)
        warn = [*summary.pop("warnings", []), *warn]
    elif activity is not None:
        from runmuscles.activity import summarize

        summary = summarize(activity)
        warn = [*summary.pop("warnings", []), *warn]
    else:
        summary = {}
    groups = tuple(table.groups)
    scale = mass / float(table.mass_kg)
    if abs(height / float(table.height_m) - 1.0) > HEIGHT_TOLERANCE:
        warn.append(
            f"the muscle table is for a {table.height_m:.2f} m runner; loads were scaled to "
            f"{mass:.0f} kg by mass only, not to your height of {height:.2f} m"
        )
    v_lo, v_hi = table.speed_range
    g_lo, g_hi = table.grade_range
    segs = list(segments)
    v = np.array([s.speed_m_s for s in segs], dtype=float)
    g = np.array([s.grade for s in segs], dtype=float)
    dist = np.array([s.distance_m for s in segs], dtype=float)
    dur = np.array([s.duration_s for s in segs], dtype=float)
    recorded = np.array([np.nan if s.strides is None else s.strides for s in segs], dtype=float)
    cadence = np.divide(
        recorded * 2.0 * MINUTE,
        dur,
        out=np.full(v.shape, np.nan),
        where=np.isfinite(recorded) & (dur > 0),
    )
    slow_run = (v < v_lo) & (
        ((v >= SLOW_RUN_MIN_SPEED) & (cadence >= RUN_CADENCE)) | (v >= RUN_SPEED)
    )
    keep = np.isfinite(v) & ((v >= v_lo) | slow_run) & (dur > 0)
    if slow_run.any():
        warn.append(
            f"{int(slow_run.sum())} segment(s) slower than the table's {v_lo:.1f} m/s but running "
            f"(cadence >= {RUN_CADENCE:.0f} steps/min or speed >= {RUN_SPEED:.1f} m/s; "
            f"{dist[slow_run].sum() / 1000:.2f} km): loads taken at {v_lo:.1f} m/s (clipped, "
            "probably an overestimate)"
        )
    if (~keep).any():
        warn.append(
            f"{int((~keep).sum())} segment(s) slower than the table's {v_lo:.1f} m/s without a "
            f"running cadence ({dist[~keep].sum() / 1000:.2f} km, {dur[~keep].sum() / 60:.1f} "
            "min) count as walking or standing and are left out of the muscle loads"
        )
    v_used = np.clip(v, v_lo, v_hi)
    g_clean = np.where(np.isfinite(g), g, 0.0)
    g_used = np.clip(g_clean, g_lo, g_hi)
    fast = keep & (v > v_hi)
    if fast.any():
        warn.append(
            f"{int(fast.sum())} segment(s) faster than the table's {v_hi:.1f} m/s "
            f"({dist[fast].sum() / 1000:.2f} km, fastest {v[fast].max():.1f} m/s): loads taken "
            f"at {v_hi:.1f} m/s (clipped, not extrapolated)"
        )
    steep = keep & (g_clean != g_used)
    if steep.any():
        worst = g_clean[steep][np.argmax(np.abs(g_clean[steep]))]
        warn.append(
            f"{int(steep.sum())} segment(s) steeper than the table's {g_lo:+.0%}..{g_hi:+.0%} "
            f"({dist[steep].sum() / 1000:.2f} km, steepest {worst:+.0%}): loads taken at the "
            "table's limit (clipped, not extrapolated)"
        )
    idx = np.flatnonzero(keep)
    n = idx.size
    k = len(groups)
    if n:
        run = _lookup(table, v_used[idx], g_used[idx])
        flat = _lookup(table, v_used[idx], np.zeros(n))
    else:
        warn.append("no segment is fast enough to count as running: no muscle loads")
        zeros = {key: np.zeros((0, k)) for key in GROUP_KEYS}
        run = flat = {**zeros, **{key: np.zeros(0) for key in SCALAR_KEYS}}
    for key in _MASS_SCALED:
        run[key] = run[key] * scale
        flat[key] = flat[key] * scale
    # strides: cadence when recorded, else from the table's stride time
    strides = np.empty(n)
    source: list[str] = []
    for j, i in enumerate(idx):
        rec = segs[i].strides
        if rec is not None and math.isfinite(rec) and rec > 0:
            strides[j] = rec
            source.append("cadence")
        else:
            strides[j] = dur[i] / run["stride_time_s"][j]
            source.append("model")
    flat_strides = strides * run["stride_time_s"] / flat["stride_time_s"]
    terrain = [terrain_of(float(g_clean[i])) for i in idx]

    def total(q: dict[str, FloatArray], key: str, s: FloatArray) -> FloatArray:
        return q[key] * (s[:, None] if q[key].ndim == 2 else s)

    conc = total(run, "concentric_work_j", strides)
    ecc = total(run, "eccentric_work_j", strides)
    work = conc + ecc
    flat_work = total(flat, "concentric_work_j", flat_strides) + total(
        flat, "eccentric_work_j", flat_strides
    )
    impulse = total(run, "impulse_ns", strides)
    energy = total(run, "metabolic_energy_j", strides)
    grand = float(work.sum())
    muscles = []
    for c, name in enumerate(groups):
        w = float(work[:, c].sum())
        fw = float(flat_work[:, c].sum())
        muscles.append(
            GroupLoad(
                group=name,
                concentric_work_j=float(conc[:, c].sum()),
                eccentric_work_j=float(ecc[:, c].sum()),
                concentric_work_j_per_kg=float(conc[:, c].sum()) / mass,
                eccentric_work_j_per_kg=float(ecc[:, c].sum()) / mass,
                impulse_ns=float(impulse[:, c].sum()),
                peak_force_n=float(run["peak_force_n"][:, c].max()) if n else 0.0,
                metabolic_energy_j=float(energy[:, c].sum()),
                cycles=float(strides.sum()),
                share=w / grand if grand > 0 else 0.0,
                by_terrain=_frozen(_by_terrain(terrain, work[:, c])),
                eccentric_by_terrain=_frozen(_by_terrain(terrain, ecc[:, c])),
                flat_work_j=fw,
                vs_flat=_ratio(w, fw),
            )
        )
    body_weight = mass * G
    tendons = []
    for tid, key in TENDONS.items():
        imp = total(run, f"{key}_impulse_ns", strides)
        fimp = float(total(flat, f"{key}_impulse_ns", flat_strides).sum())
        peak = float(run[f"{key}_peak_force_n"].max()) if n else 0.0
        tendons.append(
            TendonLoad(
                tendon=tid,
                impulse_ns=float(imp.sum()),
                cycles=float(strides.sum()),
                peak_force_n=peak,
                peak_force_bw=peak / body_weight,
                by_terrain=_frozen(_by_terrain(terrain, imp)),
                flat_impulse_ns=fimp,
                vs_flat=_ratio(float(imp.sum()), fimp),
            )
        )
    seg_loads = []
    pos = {int(i): j for j, i in enumerate(idx)}
    for si, s in enumerate(segs):
        jj = pos.get(si)
        if jj is None:
            seg_loads.append(
                SegmentLoad(
                    s.start_s,
                    s.duration_s,
                    s.distance_m,
                    s.speed_m_s,
                    s.grade,
                    "excluded",
                    None,
                    None,
                    None,
                    None,
                    _frozen({}),
                    note=f"slower than {RUN_SPEED:.1f} m/s without a running cadence: walking",
                )
            )
            continue
        j = jj
        notes = []
        if v_used[si] != v[si]:
            notes.append(f"speed clipped to {v_used[si]:.2f} m/s")
        if g_used[si] != g_clean[si]:
            notes.append(f"grade clipped to {g_used[si]:+.1%}")
        seg_loads.append(
            SegmentLoad(
                s.start_s,
                s.duration_s,
                s.distance_m,
                s.speed_m_s,
                s.grade,
                terrain[j],
                float(v_used[si]),
                float(g_used[si]),
                float(strides[j]),
                source[j],
                _frozen({name: float(work[j, c]) for c, name in enumerate(groups)}),
                note="; ".join(notes),
            )
        )
    t_dist = _by_terrain(terrain, dist[idx])
    t_time = _by_terrain(terrain, dur[idx])
    t_dist["excluded"] = float(dist[~keep].sum())
    t_time["excluded"] = float(dur[~keep].sum())
    table_info = {
        "kind": type(table).__name__,
        "groups": list(groups),
        "mass_kg": float(table.mass_kg),
        "height_m": float(table.height_m),
        "speed_range": list(table.speed_range),
        "grade_range": list(table.grade_range),
        "mass_scale": scale,
    }
    prov = getattr(table, "provenance", None)
    if isinstance(prov, Mapping):
        table_info["provenance"] = dict(prov)
    return RunLoad(
        mass_kg=float(mass),
        height_m=float(height),
        muscles=tuple(muscles),
        tendons=tuple(tendons),
        segments=tuple(seg_loads),
        activity=_frozen(summary),
        terrain_distance_m=_frozen(t_dist),
        terrain_time_s=_frozen(t_time),
        table=_frozen(table_info),
        warnings=tuple(dict.fromkeys(warn)),
    )


# ------------------------------------------------------------------------------ whole analysis
def default_table() -> ConditionTable:
    """The shipped muscle atlas (``runmuscles.atlas.Atlas.load()``), imported lazily."""
    try:
        from runmuscles.atlas import Atlas  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:
        if (exc.name or "").startswith("runmuscles.atlas") or "Atlas" in str(exc):
            raise DataError(
                "the muscle atlas is missing from this installation (runmuscles.atlas not "
                "found), so runs cannot be analysed yet; reinstall runmuscles or build the "
                "atlas with `runmuscles atlas build`"
            ) from None
        raise
    table: ConditionTable = Atlas.load()
    return table


def analyze_activity(
    activity: Activity,
    mass: float = 70.0,
    height: float = 1.75,
    table: ConditionTable | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> RunLoad:
    """Segment a recorded run and compute its :class:`RunLoad` (``table`` None: the atlas)."""
    from runmuscles.activity import segment

    _check_body(mass, height)
    if not activity.is_running:
        raise InputError(
            f"{Path(activity.source).name or 'this activity'} records sport "
            f"'{activity.sport}', not running: runmuscles computes running muscle loads only"
        )
    if table is None:
        table = default_table()
    if progress:
        progress("segmenting")
    segs = segment(activity, grade_range=_wide(table.grade_range))
    if progress:
        progress("computing loads")
    return of_run(activity, segs.segments, table, mass, height, warnings=segs.warnings)


def _wide(rng: tuple[float, float]) -> tuple[float, float]:
    """Segmentation clips grades to the table's range or +-30 %, whichever is wider, so that
    :func:`of_run` sees the measured grade and reports its own clipping."""
    lo, hi = rng
    return (min(lo, -0.30), max(hi, 0.30))


def analyze(
    path: str | Path,
    mass: float = 70.0,
    height: float = 1.75,
    table: ConditionTable | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> RunLoad:
    """Read a FIT, GPX or TCX run and compute its per-muscle load (:func:`of_run`).

    ``mass`` kg and ``height`` m are the runner's; ``table`` defaults to the shipped muscle
    atlas. ``progress`` (optional) is called with the name of each stage.
    """
    from runmuscles.io import read_activity

    _check_body(mass, height)
    if progress:
        progress("reading")
    act = read_activity(path)
    return analyze_activity(act, mass, height, table, progress=progress)
