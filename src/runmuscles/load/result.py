"""The result types of a run's load: per group, per tendon, per segment, per kilometre, coverage.

All plain, immutable data; :meth:`RunLoad.to_dict` is the ``runmuscles analyze --json`` shape of
the load. Works are J (both legs), impulses N s, forces N, distances m, times s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from types import MappingProxyType
from typing import Any

from runmuscles.conventions import FLAT_GRADE
from runmuscles.errors import InputError, UnknownNameError
from runmuscles.load.table import TENDONS

__all__ = [
    "KINDS",
    "Coverage",
    "Finding",
    "GroupLoad",
    "KilometreLoad",
    "RunLoad",
    "SegmentLoad",
    "TendonLoad",
    "frozen",
    "km_ranges",
    "ratio",
    "terrain_of",
]

#: The two kinds of muscle work, compared with the flat run separately.
KINDS = ("concentric", "eccentric")


def terrain_of(grade: float) -> str:
    """'uphill', 'flat' or 'downhill' for a grade (rise/run), thresholds :data:`FLAT_GRADE`."""
    if grade >= FLAT_GRADE:
        return "uphill"
    if grade <= -FLAT_GRADE:
        return "downhill"
    return "flat"


def frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


def ratio(a: float, b: float) -> float | None:
    """a / b, or None when b is not positive."""
    return a / b if b > 0 else None


def _plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict, mappings turned into dicts (asdict cannot copy proxies)."""
    return {
        f.name: dict(v) if isinstance(v := getattr(obj, f.name), Mapping) else v
        for f in fields(obj)
        if not f.name.startswith("_")
    }


def _km(m: float) -> float:
    return m / 1000.0


@dataclass(frozen=True)
class GroupLoad:
    """Load of one catalogue muscle group over the run's computed segments (both legs).

    Works J (and J/kg of body mass), impulse N s, peak force N (largest per-stride peak),
    metabolic energy J, ``cycles`` strides, ``share`` of the run's total work (0..1);
    ``by_terrain`` total work J per terrain and ``concentric_by_terrain``/``eccentric_by_terrain``
    per kind. The flat run (the same segments at the same speed and duration on grade 0, see
    :mod:`runmuscles.load`) is ``flat_concentric_work_j``/``flat_eccentric_work_j`` and their
    terrain splits. ``resolved`` is False when the model does not resolve the group
    (``resolved_note`` says why): then no ratio is given and nothing is built on it.
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
    concentric_by_terrain: Mapping[str, float] = field(default_factory=dict)
    flat_concentric_work_j: float = 0.0
    flat_eccentric_work_j: float = 0.0
    flat_concentric_by_terrain: Mapping[str, float] = field(default_factory=dict)
    flat_eccentric_by_terrain: Mapping[str, float] = field(default_factory=dict)
    resolved: bool = True
    resolved_note: str = ""

    @property
    def work_j(self) -> float:
        """Concentric plus eccentric work, J."""
        return self.concentric_work_j + self.eccentric_work_j

    def work(self, kind: str, terrain: str | None = None, *, flat: bool = False) -> float:
        """Work of one kind ("concentric"/"eccentric"), J, over the run or one terrain; of the
        flat run when ``flat``."""
        if kind not in KINDS:
            raise InputError(f"kind {kind!r}: choose one of {', '.join(KINDS)}")
        if terrain is None:
            return float(getattr(self, f"{'flat_' if flat else ''}{kind}_work_j"))
        split = getattr(self, f"{'flat_' if flat else ''}{kind}_by_terrain")
        return float(split.get(terrain, 0.0))

    def vs_flat_of(self, kind: str, terrain: str | None = None) -> float | None:
        """Work of ``kind`` over the flat run's, over the run or one terrain (None when not
        resolved or the flat work is 0)."""
        if not self.resolved:
            return None
        return ratio(self.work(kind, terrain), self.work(kind, terrain, flat=True))

    def to_dict(self) -> dict[str, Any]:
        d = _plain(self)
        d["work_j"] = self.work_j
        d["vs_flat_total"] = self.vs_flat
        d["vs_flat"] = {k: self.vs_flat_of(k) for k in KINDS}
        return d


@dataclass(frozen=True)
class TendonLoad:
    """Cumulative load of a tendon (both legs): impulse N s, cycles (strides; each stride loads
    each leg's tendon once), peak force N and in body weights (largest per-stride peak of one
    leg), impulse per terrain N s, flat-run impulse N s and ``vs_flat`` impulse ratio. ``group``
    is the muscle group pulling on it (:data:`runmuscles.load.table.TENDON_GROUPS`): its
    concentric and eccentric work are the muscle-tendon unit's, compared with the flat run in
    ``vs_flat_of``. ``resolved`` follows that group."""

    tendon: str
    impulse_ns: float
    cycles: float
    peak_force_n: float
    peak_force_bw: float
    by_terrain: Mapping[str, float]
    flat_impulse_ns: float
    vs_flat: float | None
    group: str = ""
    flat_by_terrain: Mapping[str, float] = field(default_factory=dict)
    concentric_work_j: float = 0.0
    eccentric_work_j: float = 0.0
    flat_concentric_work_j: float = 0.0
    flat_eccentric_work_j: float = 0.0
    resolved: bool = True

    def vs_flat_of(self, kind: str) -> float | None:
        """ "impulse", "concentric" or "eccentric" (of its muscle-tendon unit) over the flat
        run's; None when not resolved or the flat value is 0."""
        if not self.resolved:
            return None
        if kind == "impulse":
            return ratio(self.impulse_ns, self.flat_impulse_ns)
        if kind not in KINDS:
            raise InputError(f"kind {kind!r}: choose impulse, concentric or eccentric")
        return ratio(getattr(self, f"{kind}_work_j"), getattr(self, f"flat_{kind}_work_j"))

    def to_dict(self) -> dict[str, Any]:
        d = _plain(self)
        d["vs_flat_impulse"] = self.vs_flat
        d["vs_flat"] = {k: self.vs_flat_of(k) for k in (*KINDS, "impulse")}
        return d


@dataclass(frozen=True)
class SegmentLoad:
    """One segment of the run and its load.

    Times s, distance m, speed m/s and grade (rise/run) as segmented; ``gait`` "run" or "walk";
    ``speed_used`` and ``grade_used`` are what was looked up (after clipping; None when not
    computed); ``terrain`` is uphill/flat/downhill, or "excluded" when not computed (walking
    without walking strides in the table, or no duration); ``strides`` (None when not computed)
    and their source ("cadence" or "model"); ``work_j`` total work per group J and
    ``concentric_j``/``eccentric_j`` per kind, with the flat run's in ``flat_concentric_j`` and
    ``flat_eccentric_j``; ``start_m`` its distance from the start, m; ``note`` what was clipped
    or why it was not computed.
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
    gait: str = "run"
    start_m: float = 0.0
    clipped: bool = False
    concentric_j: Mapping[str, float] = field(default_factory=dict)
    eccentric_j: Mapping[str, float] = field(default_factory=dict)
    flat_concentric_j: Mapping[str, float] = field(default_factory=dict)
    flat_eccentric_j: Mapping[str, float] = field(default_factory=dict)

    @property
    def included(self) -> bool:
        """True when the segment's loads were computed."""
        return self.terrain != "excluded"

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class KilometreLoad:
    """One kilometre of the run (``km`` counts from 1; the last may be shorter): its distance
    ``start_m``..``end_m``, the part ``computed_m``, ``walked_m`` (walked, not computed: no
    walking strides in the table) and ``not_solved_m`` (not computed: outside the table and not
    solved, see :attr:`Coverage.not_solved_m`), the distance-weighted mean ``grade`` and
    ``speed_m_s`` of its segments, and per group the
    concentric and eccentric work J of the run and of the flat run over the computed part."""

    km: int
    start_m: float
    end_m: float
    computed_m: float
    walked_m: float
    grade: float | None
    speed_m_s: float | None
    concentric_j: Mapping[str, float]
    eccentric_j: Mapping[str, float]
    flat_concentric_j: Mapping[str, float]
    flat_eccentric_j: Mapping[str, float]
    not_solved_m: float = 0.0

    def vs_flat_of(self, group: str, kind: str) -> float | None:
        run = getattr(self, f"{kind}_j").get(group, 0.0)
        return ratio(run, getattr(self, f"flat_{kind}_j").get(group, 0.0))

    def to_dict(self, resolved: Mapping[str, bool] | None = None) -> dict[str, Any]:
        groups = {}
        for g in self.concentric_j:
            ok = resolved is None or resolved.get(g, True)
            groups[g] = {
                "concentric_j": self.concentric_j[g],
                "eccentric_j": self.eccentric_j[g],
                "vs_flat": {k: self.vs_flat_of(g, k) if ok else None for k in KINDS},
            }
        return {
            "km": self.km,
            "start_m": self.start_m,
            "end_m": self.end_m,
            "computed_m": self.computed_m,
            "walked_m": self.walked_m,
            "not_solved_m": self.not_solved_m,
            "grade": self.grade,
            "speed_m_s": self.speed_m_s,
            "groups": groups,
        }


@dataclass(frozen=True)
class Coverage:
    """How much of the run was computed, m.

    ``distance_m`` the run's distance; ``computed_m`` what the loads cover (inside the table or
    looked up at its edge); ``clipped_m`` the part of it looked up at the table's edge instead of
    its measured speed or grade (``clipped_by`` splits it: "slower", "faster", "steeper", one
    segment may count under two); ``walked_m`` walked and not computed (no walking strides in the
    table); ``dropped_m`` the rest (standing, pauses, stretches too short to time).
    ``by_gait_m``: segment distance per gait, computed or not. ``walking_in_table`` says whether
    the table has walking strides. ``lost_m``: the part of the run a damaged file lost (the
    device's own total minus what the records cover; included in ``distance_m`` and
    ``dropped_m``). ``not_solved_m``: not computed because the table has no stride there and did
    not solve one (outside its grid with solving off or unfinished, a failed solve, outside the
    model's range); ``not_solved_km`` the kilometres (from 1) it lies in; ``not_solved_why``
    each reason once. A table that solves on demand is never clipped: ``clipped_m`` is then 0.
    """

    distance_m: float
    computed_m: float
    clipped_m: float
    walked_m: float
    dropped_m: float
    by_gait_m: Mapping[str, float]
    clipped_by: Mapping[str, float]
    walking_in_table: bool
    speed_range: tuple[float, float] = (0.0, 0.0)
    grade_range: tuple[float, float] = (0.0, 0.0)
    lost_m: float = 0.0
    not_solved_m: float = 0.0
    not_solved_km: tuple[int, ...] = ()
    not_solved_why: tuple[str, ...] = ()

    @property
    def computed_share(self) -> float:
        """computed / distance (0..1; 0 for a run of no distance)."""
        return min(self.computed_m / self.distance_m, 1.0) if self.distance_m > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "distance_km": _km(self.distance_m),
            "computed_km": _km(self.computed_m),
            "computed_share": self.computed_share,
            "walked_km": _km(self.walked_m),
            "clipped_km": _km(self.clipped_m),
            "dropped_km": _km(self.dropped_m),
            "by_gait_km": {g: _km(m) for g, m in self.by_gait_m.items()},
            "clipped_by_km": {k: _km(m) for k, m in self.clipped_by.items()},
            "walking_in_table": self.walking_in_table,
            "lost_km": _km(self.lost_m),
            "not_solved_km": _km(self.not_solved_m),
            "not_solved_kilometres": list(self.not_solved_km),
            "not_solved_why": list(self.not_solved_why),
        }


@dataclass(frozen=True)
class Finding:
    """A real change against the flat run (see :mod:`runmuscles.load.findings`).

    ``subject`` a group or tendon id; ``kind`` "concentric", "eccentric" or "impulse"; ``scope``
    "run", "uphill" or "downhill"; ``ratio`` run / flat; ``run_value``/``flat_value`` over the
    scope (J, or N s for impulse) and per km of it (``per_km``/``flat_per_km``);
    ``distance_m`` the scope's computed distance; ``clipped_share`` of it looked up at the
    table's edge; ``score`` the ranking key; ``text`` one sentence.
    """

    subject: str
    kind: str
    scope: str
    ratio: float
    run_value: float
    flat_value: float
    per_km: float
    flat_per_km: float
    distance_m: float
    clipped_share: float
    score: float
    text: str

    @property
    def change(self) -> float:
        """ratio - 1 (+0.46 = 46 % more than the flat run)."""
        return self.ratio - 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["change"] = self.change
        return d


@dataclass(frozen=True)
class RunLoad:
    """The per-muscle load of a run (immutable). Build it with :func:`runmuscles.load.of_run`.

    ``muscles``: one :class:`GroupLoad` per table group, in table order; ``tendons``: Achilles
    and patellar :class:`TendonLoad`; ``segments``: every segment, uncomputed ones too;
    ``kilometres``: the run kilometre by kilometre; ``coverage``: how much was computed;
    ``findings``: the real changes against a flat run, largest first, and ``headline``: one
    sentence, the largest of them and what the numbers cover (both from
    :mod:`runmuscles.load.findings`); ``activity``: headline numbers of the recording
    (``runmuscles.activity.summarize`` keys);
    ``terrain_distance_m``/``terrain_time_s``: computed distance m and time s per terrain plus
    "excluded"; ``table``: what the loads were computed with; ``warnings``: everything that was
    clipped, left out or assumed.
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
    coverage: Coverage | None = None
    kilometres: tuple[KilometreLoad, ...] = ()
    findings: tuple[Finding, ...] = ()
    headline: str = ""
    _index: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {g.group: i for i, g in enumerate(self.muscles)})

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(g.group for g in self.muscles)

    def group(self, name: str) -> GroupLoad:
        """The load of one group by catalogue id."""
        if name not in self._index:
            raise UnknownNameError(f"group {name!r} is not in this analysis", self.groups)
        return self.muscles[self._index[name]]

    def tendon(self, name: str) -> TendonLoad:
        for t in self.tendons:
            if t.tendon == name:
                return t
        raise UnknownNameError(f"tendon {name!r} is not in this analysis", tuple(TENDONS))

    @property
    def total_work_j(self) -> float:
        """Concentric + eccentric work of all groups, J."""
        return sum(g.work_j for g in self.muscles)

    @property
    def computed_m(self) -> float:
        """Distance whose loads were computed, m."""
        return sum(s.distance_m for s in self.segments if s.included)

    @property
    def vs_flat(self) -> dict[str, float | None]:
        """Group id -> total work of this run / the same distance and pace on the flat (None
        for groups the model does not resolve)."""
        return {g.group: g.vs_flat for g in self.muscles}

    def top(self, n: int = 3, *, by: str = "share") -> tuple[GroupLoad, ...]:
        """The ``n`` most loaded resolved groups by ``share`` of work or by ``vs_flat`` ratio."""
        ok = [g for g in self.muscles if g.resolved]
        if by == "share":
            return tuple(sorted(ok, key=lambda g: -g.share)[:n])
        if by == "vs_flat":
            return tuple(sorted(ok, key=lambda g: -(g.vs_flat or 0.0))[:n])
        raise InputError(f"top(by={by!r}): choose 'share' or 'vs_flat'")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready, see the ``runmuscles analyze --json`` shape)."""
        computed_km = self.computed_m / 1000.0
        muscles = []
        for g in self.muscles:
            d = g.to_dict()
            d["per_km"] = (
                {
                    "concentric_j": g.concentric_work_j / computed_km,
                    "eccentric_j": g.eccentric_work_j / computed_km,
                    "flat_concentric_j": g.flat_concentric_work_j / computed_km,
                    "flat_eccentric_j": g.flat_eccentric_work_j / computed_km,
                }
                if computed_km > 0
                else None
            )
            muscles.append(d)
        tendons = []
        for t in self.tendons:
            d = t.to_dict()
            d["per_km"] = (
                {
                    "impulse_ns": t.impulse_ns / computed_km,
                    "flat_impulse_ns": t.flat_impulse_ns / computed_km,
                }
                if computed_km > 0
                else None
            )
            tendons.append(d)
        resolved = {g.group: g.resolved for g in self.muscles}
        return {
            "activity": dict(self.activity),
            "body": {"mass_kg": self.mass_kg, "height_m": self.height_m},
            "segments": [s.to_dict() for s in self.segments],
            "kilometres": [k.to_dict(resolved) for k in self.kilometres],
            "terrain": {
                "distance_m": dict(self.terrain_distance_m),
                "time_s": dict(self.terrain_time_s),
                "flat_grade": FLAT_GRADE,
            },
            "coverage": self.coverage.to_dict() if self.coverage else None,
            "muscles": muscles,
            "tendons": tendons,
            "vs_flat": self.vs_flat,
            "findings": [f.to_dict() for f in self.findings],
            "headline": self.headline,
            "table": dict(self.table),
            "warnings": list(self.warnings),
            **({"example": self.example} if self.example else {}),
        }


def km_ranges(kms: Sequence[int]) -> str:
    """Kilometre numbers as text: ``[1, 2, 3, 7]`` -> ``'1-3, 7'``."""
    runs: list[list[int]] = []
    for k in kms:
        if runs and k == runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
