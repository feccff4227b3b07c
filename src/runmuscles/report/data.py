"""Plain, documented inputs of the HTML report (:class:`ReportData` and its parts).

The report layer knows nothing about how a load was computed: the run analysis (``load.RunLoad``),
the web app or a test fill these frozen dataclasses, and :func:`runmuscles.report.render_report`
draws them. Every number carries its unit in the field name or in a ``*_unit`` field. Lists may be
given as any sequence; they are stored as tuples. Bad values raise :class:`InputError` naming the
field and the entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from runmuscles.errors import InputError

__all__ = [
    "ADVICE_KINDS",
    "TERRAINS",
    "AdviceItem",
    "Comparison",
    "ComparisonRow",
    "Elevation",
    "GroupLoad",
    "ProfileSegment",
    "ReportData",
    "SourceRef",
    "TendonLoad",
]

#: terrain classes of a run, in display order
TERRAINS: tuple[str, ...] = ("uphill", "flat", "downhill")
#: kinds of advice items, in display order
ADVICE_KINDS: tuple[str, ...] = ("strength", "stretch", "warmup")


def _finite(where: str, x: float | None, *, nonneg: bool = False, optional: bool = False) -> None:
    if x is None and optional:
        return
    if not isinstance(x, int | float) or not math.isfinite(x):
        raise InputError(f"{where} = {x!r} must be a finite number")
    if nonneg and x < 0:
        raise InputError(f"{where} = {x!r} must be >= 0")


def _terrain_map(where: str, values: Mapping[str, float], keys: tuple[str, ...]) -> Any:
    for k, v in values.items():
        if k not in keys:
            raise InputError(f"{where}: unknown terrain {k!r}; use {', '.join(keys)}")
        _finite(f"{where}[{k!r}]", v, nonneg=True)
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class GroupLoad:
    """Load of one catalogue muscle group over the run, both sides together.

    :id: catalogue group id (``quadriceps``, ...); used as ``data-muscle`` in the body map.
    :name: display name ("Quadriceps").
    :concentric_j: J, positive fibre work (muscle shortening under load) over the run.
    :eccentric_j: J, work absorbed while lengthening, as a positive number.
    :by_terrain: terrain (``uphill``/``flat``/``downhill``) -> value in
        :attr:`ReportData.terrain_unit` (e.g. work per km on that terrain).
    :vs_flat: this run's total work of the group / the same distance and pace on the flat
        (1 = same; None if unknown).
    :vs_flat_by_kind: the same ratio for "concentric" and "eccentric" work separately, when
        the analysis gives it.
    :note: optional one-line remark shown on hover.
    """

    id: str
    name: str
    concentric_j: float
    eccentric_j: float
    by_terrain: Mapping[str, float] = field(default_factory=dict)
    vs_flat: float | None = None
    note: str = ""
    vs_flat_by_kind: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"group {self.id!r}"
        if not self.id:
            raise InputError("a GroupLoad needs a catalogue id")
        _finite(f"{where}.concentric_j", self.concentric_j, nonneg=True)
        _finite(f"{where}.eccentric_j", self.eccentric_j, nonneg=True)
        object.__setattr__(
            self, "by_terrain", _terrain_map(f"{where}.by_terrain", self.by_terrain, TERRAINS)
        )
        _finite(f"{where}.vs_flat", self.vs_flat, nonneg=True, optional=True)
        for k, v in self.vs_flat_by_kind.items():
            _finite(f"{where}.vs_flat_by_kind[{k!r}]", v, nonneg=True)
        object.__setattr__(self, "vs_flat_by_kind", MappingProxyType(dict(self.vs_flat_by_kind)))

    @property
    def total_j(self) -> float:
        """Concentric + eccentric work, J."""
        return self.concentric_j + self.eccentric_j


@dataclass(frozen=True)
class ProfileSegment:
    """One piece of the route (constant grade) for the elevation profile.

    :start_m, end_m: distance from the start, m (end > start).
    :elevation_start_m, elevation_end_m: elevation, m.
    :grade: rise/run (uphill positive), as used for the segment's load.
    :dominant: catalogue id of the group with the most work in this segment ("" if unknown).
    :speed_m_s: mean speed, m/s (optional).
    :excluded: True for a stretch left out of the muscle loads (walked or standing).
    """

    start_m: float
    end_m: float
    elevation_start_m: float
    elevation_end_m: float
    grade: float
    dominant: str = ""
    speed_m_s: float | None = None
    excluded: bool = False

    def __post_init__(self) -> None:
        where = f"segment at {self.start_m!r} m"
        for name in ("start_m", "end_m", "elevation_start_m", "elevation_end_m", "grade"):
            _finite(f"{where}.{name}", getattr(self, name))
        _finite(f"{where}.speed_m_s", self.speed_m_s, nonneg=True, optional=True)
        if not self.end_m > self.start_m:
            raise InputError(f"{where}: end_m {self.end_m!r} must be greater than start_m")


@dataclass(frozen=True)
class TendonLoad:
    """Load of one tendon (``achilles_tendon``, ``patellar_tendon``) over the run.

    :id, name: catalogue id and display name.
    :peak_bw: largest force in a stride, body weights (None if unknown).
    :by_terrain: terrain -> value in :attr:`ReportData.tendon_unit`.
    :vs_flat: this run's load / the same distance and pace on the flat (None if unknown).
    :note: optional remark.
    """

    id: str
    name: str
    peak_bw: float | None = None
    by_terrain: Mapping[str, float] = field(default_factory=dict)
    vs_flat: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        where = f"tendon {self.id!r}"
        _finite(f"{where}.peak_bw", self.peak_bw, nonneg=True, optional=True)
        _finite(f"{where}.vs_flat", self.vs_flat, nonneg=True, optional=True)
        object.__setattr__(
            self, "by_terrain", _terrain_map(f"{where}.by_terrain", self.by_terrain, TERRAINS)
        )


@dataclass(frozen=True)
class AdviceItem:
    """One entry of the advice plan.

    :kind: ``strength``, ``stretch`` or ``warmup`` (:data:`ADVICE_KINDS`).
    :title: short heading ("Eccentric calf raises").
    :text: what to do and why.
    :dosage: how much ("3 x 15, 2 sessions a week"), may be empty.
    :groups: catalogue ids it targets.
    :sources: keys of :attr:`ReportData.sources` that support it.
    """

    kind: str
    title: str
    text: str = ""
    dosage: str = ""
    groups: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ADVICE_KINDS:
            raise InputError(
                f"advice {self.title!r}: unknown kind {self.kind!r}; use {', '.join(ADVICE_KINDS)}"
            )
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "sources", tuple(self.sources))


@dataclass(frozen=True)
class SourceRef:
    """A cited source: ``key`` as advice items cite it, ``citation`` as plain one-line text."""

    key: str
    citation: str


@dataclass(frozen=True)
class Elevation:
    """The route's absolute elevation (m) over distance (m), smoothed, in order."""

    distance_m: Sequence[float]
    elevation_m: Sequence[float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "distance_m", tuple(float(x) for x in self.distance_m))
        object.__setattr__(self, "elevation_m", tuple(float(x) for x in self.elevation_m))
        if len(self.distance_m) != len(self.elevation_m) or len(self.distance_m) < 2:
            raise InputError("an elevation profile needs two or more (distance, elevation) points")
        for i, (d, z) in enumerate(zip(self.distance_m, self.elevation_m, strict=True)):
            _finite(f"elevation point {i} distance", d)
            _finite(f"elevation point {i} elevation", z)


@dataclass(frozen=True)
class ComparisonRow:
    """One group: this run's and the recent runs' concentric and eccentric work per km (J/km)."""

    id: str
    name: str
    concentric_j_per_km: float
    eccentric_j_per_km: float
    recent_concentric_j_per_km: float
    recent_eccentric_j_per_km: float

    @staticmethod
    def _change(a: float, b: float) -> float | None:
        return a / b - 1.0 if b > 0 else None

    @property
    def concentric_change(self) -> float | None:
        """This run / recent runs - 1, per km (None without recent work)."""
        return self._change(self.concentric_j_per_km, self.recent_concentric_j_per_km)

    @property
    def eccentric_change(self) -> float | None:
        return self._change(self.eccentric_j_per_km, self.recent_eccentric_j_per_km)


@dataclass(frozen=True)
class Comparison:
    """This run against the runner's runs in the 28 days before it.

    :since, until: the window (ISO dates; until = this run's start).
    :runs: number of runs in the window; km_per_week: their analysed distance per week (km).
    :run_km: this run's analysed distance (km); longest_km: the window's longest (km).
    :rows: per-group work per km, this run vs the window's runs together.
    :sentences: the largest differences in words (computed, not canned).
    """

    since: str
    until: str
    runs: int
    km_per_week: float
    run_km: float
    longest_km: float
    rows: Sequence[ComparisonRow] = ()
    sentences: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "sentences", tuple(self.sentences))


@dataclass(frozen=True)
class ReportData:
    """Everything the HTML report shows; each part is optional (a section then says "no data").

    :title: page title.
    :summary: (label, value text) rows of the summary table, e.g. ("Distance", "10.2 km").
    :groups: per-group loads (body map, work bars, terrain comparison).
    :segments: route pieces in order (elevation and grade profile).
    :tendons: tendon loads.
    :advice: the plan (strength, stretching, warm-up).
    :sources: every source the report cites, in display order.
    :warnings: plain sentences shown under the summary (data gaps, extrapolation, ...).
    :advice_notes: caveats shown under the plan (plain sentences).
    :terrain_unit: unit of ``GroupLoad.by_terrain`` (e.g. "J/km").
    :tendon_unit: unit of ``TendonLoad.by_terrain`` (e.g. "kN s/km", the plan's unit).
    :cycle: a :class:`~runmuscles.cycle.GaitCycle` of the run's typical stride, or None.
    :cycle_label: what that stride is ("3.2 m/s, grade +1.0 %").
    :runner: a :class:`~runmuscles.model.runner.Runner` for the stick figure; None builds one
        from the cycle's mass and height.
    :footer: provenance line (model, version, date).
    :headline: the analysis' one-sentence finding.
    :stride: the atlas cell that carried most of the run, as stored by the history
        (``runmuscles.store.analysis.stride_cell``): curves over the stride; used when
        ``cycle`` is None.
    :elevation: the route's absolute elevation profile (or None: relative to the start).
    :comparison: this run against the runner's last four weeks (None without a history).
    """

    title: str = "What your run worked"
    summary: Sequence[tuple[str, str]] = ()
    groups: Sequence[GroupLoad] = ()
    segments: Sequence[ProfileSegment] = ()
    tendons: Sequence[TendonLoad] = ()
    advice: Sequence[AdviceItem] = ()
    sources: Sequence[SourceRef] = ()
    warnings: Sequence[str] = ()
    advice_notes: Sequence[str] = ()
    terrain_unit: str = "J/km"
    tendon_unit: str = "kN s/km"
    cycle: Any = None
    cycle_label: str = ""
    runner: Any = None
    footer: str = ""
    headline: str = ""
    stride: Mapping[str, Any] | None = None
    elevation: Elevation | None = None
    comparison: Comparison | None = None

    def __post_init__(self) -> None:
        lists = ("summary", "groups", "segments", "tendons", "advice", "sources", "warnings")
        for name in (*lists, "advice_notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for row in self.summary:
            if len(row) != 2:
                raise InputError(f"summary row {row!r} must be (label, value text)")
        ids = [g.id for g in self.groups]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise InputError(f"groups listed twice: {', '.join(dup)}")
        keys = {s.key for s in self.sources}
        for a in self.advice:
            missing = [k for k in a.sources if k not in keys]
            if missing:
                raise InputError(
                    f"advice {a.title!r} cites {', '.join(missing)}, which is not in sources"
                )

    @property
    def total_work_j(self) -> float:
        """Sum of all groups' concentric + eccentric work, J."""
        return math.fsum(g.total_j for g in self.groups)

    def share(self, group_id: str) -> float | None:
        """A group's fraction of the total work (0..1); None without work or group."""
        total = self.total_work_j
        for g in self.groups:
            if g.id == group_id:
                return g.total_j / total if total > 0 else None
        return None
