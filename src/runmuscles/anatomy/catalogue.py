"""Typed, immutable objects of the running-muscle catalogue and the :class:`Catalogue` lookups.

Durations are in seconds (``hold_s``, ``duration_s``); everything else is text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from runmuscles.conventions import TERRAINS as _TERRAINS
from runmuscles.errors import UnknownNameError

__all__ = [
    "FACES",
    "KINDS",
    "PHASES",
    "REGIONS",
    "TERRAINS",
    "Catalogue",
    "Dosage",
    "Exercise",
    "HillChange",
    "JointAction",
    "MuscleGroup",
    "PhaseRole",
    "Rehabilitation",
    "Routine",
    "Source",
    "Statement",
    "WarmUp",
    "WarmUpStep",
    "normalise_name",
]

KINDS = ("muscle_group", "tendon", "ligament", "fascia")
REGIONS = ("trunk", "arm", "hip", "thigh", "leg", "foot")
#: Which face of the body a group lies on (``MuscleGroup.side``); body sides are
#: ``runmuscles.conventions.SIDES``.
FACES = ("front", "back", "both")
PHASES = ("stance", "swing", "float")
#: The hills the catalogue describes against level running: the hill terrains of
#: ``runmuscles.conventions.TERRAINS``.
TERRAINS = tuple(t for t in _TERRAINS if t != "flat")
DEMANDS = ("higher", "lower", "similar", "mixed", "unknown")
CONTRACTIONS = ("concentric", "eccentric", "both", "isometric", "passive", "unknown")
EVIDENCE = ("measured", "inferred")
EXERCISE_KINDS = ("strength", "stretch")


def normalise_name(name: str) -> str:
    """Lower case, ``_`` and ``-`` as spaces, single spaces: the form names are matched in."""
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


# --------------------------------------------------------------------------------------- objects
@dataclass(frozen=True)
class Source:
    """A reference: paper, book or guideline. ``key`` is how statements cite it."""

    key: str
    authors: str
    year: int
    title: str
    journal: str = ""
    publisher: str = ""
    doi: str = ""
    url: str = ""

    def citation(self) -> str:
        """One-line citation: authors (year). title. journal/publisher. doi/url."""
        parts = [f"{self.authors} ({self.year}). {self.title}.", self.journal or self.publisher]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        elif self.url:
            parts.append(self.url)
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if v != ""}
        d["citation"] = self.citation()
        return d


@dataclass(frozen=True)
class Statement:
    """A sourced piece of text; ``topic`` is an optional stable tag (e.g. ``"weak_core"``)."""

    text: str
    sources: tuple[str, ...]
    topic: str = ""


@dataclass(frozen=True)
class JointAction:
    """A joint the group crosses and what it does there."""

    joint: str
    action: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PhaseRole:
    """Role in one gait phase; ``active``: the group works (muscle) or carries load (tissue)."""

    phase: str
    active: bool
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class HillChange:
    """How demand changes on a hill compared with level running at the same speed."""

    terrain: str
    demand: str
    contraction: str
    evidence: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MuscleGroup:
    """A muscle group, tendon, ligament set or fascia of the catalogue, with a stable ``id``."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    region: str
    side: str
    members: tuple[str, ...]
    shared_members: tuple[str, ...]
    model_muscles: tuple[str, ...]
    anatomy_sources: tuple[str, ...]
    summary: Statement
    joints: tuple[JointAction, ...]
    phases: tuple[PhaseRole, ...]
    hills: tuple[HillChange, ...]
    weaknesses: tuple[Statement, ...]

    @property
    def all_members(self) -> tuple[str, ...]:
        """Own members, then members shared with (and looked up under) another group."""
        return self.members + self.shared_members

    @property
    def active_in(self) -> tuple[str, ...]:
        """Phases (of ``PHASES``) in which the group is active."""
        return tuple(p.phase for p in self.phases if p.active)

    def phase(self, name: str) -> PhaseRole:
        for p in self.phases:
            if p.phase == name:
                return p
        raise UnknownNameError(f"unknown phase {name!r}", _close(name, PHASES))

    def hill(self, terrain: str) -> HillChange:
        for h in self.hills:
            if h.terrain == terrain:
                return h
        raise UnknownNameError(f"unknown terrain {terrain!r}", _close(terrain, TERRAINS))

    def source_keys(self) -> tuple[str, ...]:
        """Every source key the group cites, in order of first use."""
        keys: list[str] = [*self.summary.sources, *self.anatomy_sources]
        items: tuple[JointAction | PhaseRole | HillChange | Statement, ...] = (
            *self.joints,
            *self.phases,
            *self.hills,
            *self.weaknesses,
        )
        for item in items:
            keys += item.sources
        return tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class Dosage:
    """How much: ``sets`` of ``reps`` (text, may be a range) or holds of ``hold_s`` seconds;
    ``sources`` the dosage's own sources (empty: the exercise's)."""

    sets: int
    reps: str
    hold_s: float | None
    sessions_per_week: str
    weeks: int | None
    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rehabilitation:
    """A published protocol for a painful ``condition`` (a catalogue id, e.g. achilles_tendon):
    for runners who say it hurts, never as routine prevention. Its ``dosage`` cites the trial."""

    condition: str
    dosage: Dosage


@dataclass(frozen=True)
class Exercise:
    """A strength or stretching exercise; ``targets`` as written, ``group_ids`` resolved."""

    id: str
    name: str
    kind: str
    targets: tuple[str, ...]
    group_ids: tuple[str, ...]
    dosage: Dosage
    instructions: str
    sources: tuple[str, ...]
    dynamic: bool = False
    rehabilitation: Rehabilitation | None = None


@dataclass(frozen=True)
class WarmUpStep:
    name: str
    duration_s: float
    text: str
    sources: tuple[str, ...]
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class WarmUp:
    """Warm-up guidance; ``minimum_easy_running_s``: easy running before any stretching (s)."""

    minimum_easy_running_s: float
    summary: Statement
    steps: tuple[WarmUpStep, ...]
    notes: tuple[Statement, ...]


@dataclass(frozen=True)
class Routine:
    """The general strength and stretching routine (exercise ids)."""

    text: str
    sources: tuple[str, ...]
    strength: tuple[str, ...]
    stretch: tuple[str, ...]
    notes: tuple[Statement, ...] = ()


def _plain(obj: object) -> dict[str, Any]:
    """A flat dataclass as a dict with tuples turned into lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(obj).items()}


def _close(name: str, choices: Iterable[str]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6))


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue; look groups up with :meth:`group`, :meth:`find` and :meth:`filter`."""

    groups: tuple[MuscleGroup, ...]
    exercises: tuple[Exercise, ...]
    sources: Mapping[str, Source]
    warmup: WarmUp
    routine: Routine
    path: str = ""
    _names: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: dict[str, tuple[str, str]] = {}  # normalised name -> (group id, display)
        for g in self.groups:
            for label in (g.id, g.name, *g.aliases):  # the id is the display form first
                names.setdefault(normalise_name(label), (g.id, label))
        for g in self.groups:  # members never shadow ids, names or aliases
            for m in g.members:
                names.setdefault(normalise_name(m), (g.id, m))
        object.__setattr__(self, "_names", MappingProxyType(names))

    def resolve_target(self, name: str) -> tuple[str, ...]:
        """Group ids for an exercise target: a group id or a member muscle (own or shared)."""
        key = normalise_name(name)
        ids = [g.id for g in self.groups if normalise_name(g.id) == key]
        ids += [g.id for g in self.groups if key in {normalise_name(m) for m in g.members}]
        ids += [g.id for g in self.groups if key in {normalise_name(m) for m in g.shared_members}]
        return tuple(dict.fromkeys(ids))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    def group(self, group_id: str) -> MuscleGroup:
        """The group with this exact id."""
        for g in self.groups:
            if g.id == group_id:
                return g
        raise UnknownNameError(f"unknown group id {group_id!r}", _close(group_id, self.ids))

    def find(self, name: str) -> MuscleGroup:
        """The group for an id, name, alias or member muscle (case, space, ``_``, ``-`` ignored).

        Raises :class:`UnknownNameError` with close matches (best first, one per group).
        """
        key = normalise_name(name)
        hit = self._names.get(key)
        if hit is not None:
            return self.group(hit[0])
        seen: dict[str, str] = {}
        for match in difflib.get_close_matches(key, list(self._names), n=8, cutoff=0.6):
            gid, label = self._names[match]
            seen.setdefault(gid, label)
        raise UnknownNameError(
            f"no muscle, group or tissue called {name!r}; `runmuscles muscles` lists them",
            tuple(seen.values())[:3],
        )

    def groups_with_member(self, member: str) -> tuple[MuscleGroup, ...]:
        key = normalise_name(member)
        return tuple(g for g in self.groups if key in {normalise_name(m) for m in g.all_members})

    def group_for_model_muscle(self, muscle: str) -> MuscleGroup:
        """Group of a model muscle name such as ``"vasti_r"`` or ``"soleus"``."""
        base = muscle.removesuffix("_r").removesuffix("_l")
        for g in self.groups:
            if base in g.model_muscles:
                return g
        known = [m for g in self.groups for m in g.model_muscles]
        raise UnknownNameError(f"unknown model muscle {muscle!r}", _close(base, known))

    def filter(
        self,
        *,
        phase: str | None = None,
        region: str | None = None,
        terrain: str | None = None,
        kind: str | None = None,
    ) -> tuple[MuscleGroup, ...]:
        """Groups active in ``phase``, in ``region``, with higher demand on ``terrain``."""
        for value, allowed, what in (
            (phase, PHASES, "phase"),
            (region, REGIONS, "region"),
            (terrain, TERRAINS, "terrain"),
            (kind, KINDS, "kind"),
        ):
            if value is not None and value not in allowed:
                raise UnknownNameError(
                    f"unknown {what} {value!r} (choose from {', '.join(allowed)})",
                    _close(value, allowed),
                )
        out = []
        for g in self.groups:
            if phase is not None and phase not in g.active_in:
                continue
            if region is not None and g.region != region:
                continue
            if terrain is not None and g.hill(terrain).demand != "higher":
                continue
            if kind is not None and g.kind != kind:
                continue
            out.append(g)
        return tuple(out)

    def exercise(self, exercise_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        ids = [e.id for e in self.exercises]
        raise UnknownNameError(f"unknown exercise {exercise_id!r}", _close(exercise_id, ids))

    def exercises_for(self, group_id: str) -> tuple[Exercise, ...]:
        """Exercises with at least one target in the group (strength first)."""
        self.group(group_id)
        found = [e for e in self.exercises if group_id in e.group_ids]
        return tuple(sorted(found, key=lambda e: EXERCISE_KINDS.index(e.kind)))

    def record(self, group_id: str) -> dict[str, Any]:
        """One group as plain data (JSON-ready): every field, its exercises and its sources."""
        g = self.group(group_id)
        exercises = self.exercises_for(g.id)
        keys = [*g.source_keys(), *(k for e in exercises for k in e.sources)]
        return {
            "id": g.id,
            "kind": g.kind,
            "name": g.name,
            "aliases": list(g.aliases),
            "region": g.region,
            "side": g.side,
            "members": list(g.members),
            "shared_members": list(g.shared_members),
            "model_muscles": list(g.model_muscles),
            "active_in": list(g.active_in),
            "summary": _plain(g.summary),
            "anatomy_sources": list(g.anatomy_sources),
            "joints": [_plain(j) for j in g.joints],
            "phases": {p.phase: _plain(p) for p in g.phases},
            "hills": {h.terrain: _plain(h) for h in g.hills},
            "weaknesses": [_plain(w) for w in g.weaknesses],
            "exercises": [self.exercise_record(e.id) for e in exercises],
            "sources": [s.as_dict() for s in self.cite(keys)],
        }

    def exercise_record(self, exercise_id: str) -> dict[str, Any]:
        """One exercise as plain data, including its dosage."""
        e = self.exercise(exercise_id)
        out = _plain(e)
        out["dosage"] = _plain(e.dosage)
        out["rehabilitation"] = (
            None
            if e.rehabilitation is None
            else {
                "condition": e.rehabilitation.condition,
                "dosage": _plain(e.rehabilitation.dosage),
            }
        )
        return out

    def warmup_record(self) -> dict[str, Any]:
        """Warm-up and routine as plain data, with the exercises they name and all sources."""
        w, r = self.warmup, self.routine
        ids = [*(x for s in w.steps for x in s.exercises), *r.strength, *r.stretch]
        keys = [*w.summary.sources, *(k for s in w.steps for k in s.sources)]
        keys += [k for n in (*w.notes, *r.notes) for k in n.sources] + list(r.sources)
        keys += [k for x in dict.fromkeys(ids) for k in self.exercise(x).sources]
        keys += [k for x in dict.fromkeys(ids) for k in self.exercise(x).dosage.sources]
        return {
            "warmup": {
                "minimum_easy_running_s": w.minimum_easy_running_s,
                "summary": _plain(w.summary),
                "steps": [_plain(s) for s in w.steps],
                "notes": [_plain(n) for n in w.notes],
            },
            "routine": {**_plain(r), "notes": [_plain(n) for n in r.notes]},
            "exercises": {x: self.exercise_record(x) for x in dict.fromkeys(ids)},
            "sources": [s.as_dict() for s in self.cite(keys)],
        }

    def cite(self, keys: Iterable[str]) -> tuple[Source, ...]:
        """Sources for keys, in the given order, duplicates dropped."""
        return tuple(self.sources[k] for k in dict.fromkeys(keys))
