"""A strength, stretching and warm-up plan aimed at what a run loaded, from the cited catalogue.

Every item is an exercise of the catalogue (``runmuscles/data/catalogue.toml``) with its dosage
and sources, plus the reason it was chosen, quoting the run's numbers. The rules:

1. **Most loaded.** The :data:`TOP` groups with the largest share of the run's muscle work each
   get one strength exercise and one static stretch (the catalogue's first of each kind for the
   group).
2. **Harder than flat.** Groups whose work was at least :data:`HARDER` (10 %) above the same
   distance and pace on the flat get a strength exercise.
3. **Weak links.** The catalogue's weakness topics that hills aggravate (:data:`WEAK_LINKS`):
   downhill-heavy runs (at least :data:`HILLY` = 10 % of the running distance downhill, or the
   related group/tendon at least 10 % above flat) -> hamstrings vs quadriceps (Nordic hamstring),
   patellar tendon (heavy slow resistance), shin (tibialis raise); uphill-heavy runs -> Achilles
   tendon (eccentric heel drops), stiff ankles (calf stretch). The item cites the weakness
   statement's sources as well as the exercise's.
4. **Warm-up** always: the catalogue's warm-up (at least 5 minutes of easy running before any
   stretching, then dynamic drills).

These thresholds are rules of thumb of this program, not published cut-offs; the catalogue's
routine notes (strength work is no guaranteed shield against injury) go with every plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runmuscles.anatomy import Catalogue, load_catalogue
from runmuscles.errors import DataError
from runmuscles.load import RunLoad

__all__ = ["HARDER", "HILLY", "TOP", "WEAK_LINKS", "AdviceItem", "Plan", "WeakLink", "plan"]

#: Number of most-loaded groups that get exercises.
TOP = 3
#: A group or tendon this much above the flat run (ratio - 1) counts as "worked harder".
HARDER = 0.10
#: Fraction of the running distance downhill (or uphill) that makes a run downhill- (uphill-)heavy.
HILLY = 0.10


@dataclass(frozen=True)
class AdviceItem:
    """One exercise of the plan: catalogue ``exercise`` id, its ``name`` and ``kind`` (strength or
    stretch), ``dosage`` text, the run's ``groups`` it is aimed at, ``reasons`` (with the run's
    numbers), ``topics`` ("most_loaded", "harder_than_flat" or a catalogue weakness topic) and
    ``sources`` (catalogue source keys)."""

    exercise: str
    name: str
    kind: str
    dosage: str
    groups: tuple[str, ...]
    reasons: tuple[str, ...]
    topics: tuple[str, ...]
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}


@dataclass(frozen=True)
class Plan:
    """The plan: ``items`` (strength first, then stretches), the catalogue ``warmup`` record,
    ``notes`` (caveats with sources) and ``sources`` (every cited source as plain data)."""

    items: tuple[AdviceItem, ...]
    warmup: Mapping[str, Any]
    notes: tuple[Mapping[str, Any], ...]
    sources: tuple[Mapping[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [i.to_dict() for i in self.items],
            "warmup": dict(self.warmup),
            "notes": [dict(n) for n in self.notes],
            "sources": [dict(s) for s in self.sources],
        }


@dataclass(frozen=True)
class WeakLink:
    """A catalogue weakness ``topic`` (stated under ``group``) answered by ``exercise`` when
    ``when`` finds a reason in the run (it returns None otherwise)."""

    topic: str
    group: str
    exercise: str
    when: Callable[[RunLoad], str | None] = field(repr=False)


# --------------------------------------------------------------------------------- run figures
def _frac(run: RunLoad, terrain: str) -> float:
    total = sum(run.terrain_distance_m.get(t, 0.0) for t in ("uphill", "flat", "downhill"))
    return run.terrain_distance_m.get(terrain, 0.0) / total if total > 0 else 0.0


def _pct(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{(ratio - 1) * 100:+.0f} %"


def _hilly(run: RunLoad, terrain: str) -> str | None:
    frac = _frac(run, terrain)
    if frac < HILLY:
        return None
    return f"{run.terrain_distance_m[terrain] / 1000:.1f} km ({frac:.0%}) of the run was {terrain}"


def _ratio_of(run: RunLoad, name: str) -> float | None:
    if name in run.groups:
        return run.group(name).vs_flat
    for t in run.tendons:
        if t.tendon == name:
            return t.vs_flat
    return None


def _above(run: RunLoad, name: str) -> str | None:
    r = _ratio_of(run, name)
    if r is None or r < 1 + HARDER:
        return None
    what = "impulse" if name.endswith("_tendon") else "work"
    return f"{name.replace('_', ' ')} {what} {_pct(r)} vs a flat run of the same distance and pace"


def _join(*parts: str | None) -> str | None:
    found = [p for p in parts if p]
    return "; ".join(found) if found else None


def _hamstring_quadriceps(run: RunLoad) -> str | None:
    if "quadriceps" not in run.groups:
        return None
    why = _join(_hilly(run, "downhill"), _above(run, "quadriceps"))
    if why is None:
        return None
    q = run.group("quadriceps")
    extra = (
        f"; quadriceps eccentric (braking) work downhill {q.eccentric_by_terrain['downhill']:.0f} J"
    )
    if "hamstrings" in run.groups and run.group("hamstrings").work_j > 0:
        extra += f", quadriceps/hamstrings work {q.work_j / run.group('hamstrings').work_j:.1f}"
    return why + extra


def _patellar(run: RunLoad) -> str | None:
    why = _join(_hilly(run, "downhill"), _above(run, "patellar_tendon"))
    if why is None:
        return None
    t = run.tendon("patellar_tendon")
    return (
        f"{why}; patellar tendon impulse {t.impulse_ns / 1000:.0f} kN s over "
        f"{t.cycles:.0f} cycles, peak {t.peak_force_bw:.1f} BW"
    )


def _shin(run: RunLoad) -> str | None:
    return _join(_hilly(run, "downhill"), _above(run, "tibialis_anterior"))


def _achilles(run: RunLoad) -> str | None:
    why = _join(_hilly(run, "uphill"), _above(run, "achilles_tendon"), _above(run, "calves"))
    if why is None:
        return None
    t = run.tendon("achilles_tendon")
    return (
        f"{why}; Achilles tendon impulse {t.impulse_ns / 1000:.0f} kN s over {t.cycles:.0f} "
        f"cycles, peak {t.peak_force_bw:.1f} BW"
    )


def _stiff_ankles(run: RunLoad) -> str | None:
    return _join(_hilly(run, "uphill"), _above(run, "calves"))


#: Weak links that hills aggravate, in plan order.
WEAK_LINKS: tuple[WeakLink, ...] = (
    WeakLink("hamstring_quadriceps_ratio", "hamstrings", "nordic_hamstring", _hamstring_quadriceps),
    WeakLink("patellar_tendinopathy", "patellar_tendon", "heavy_slow_squat", _patellar),
    WeakLink("downhill_shin_pain", "tibialis_anterior", "toe_raise", _shin),
    WeakLink("achilles_tendinopathy", "achilles_tendon", "eccentric_heel_drop", _achilles),
    WeakLink("stiff_ankles", "calves", "wall_calf_stretch", _stiff_ankles),
)


# ---------------------------------------------------------------------------------- the plan
class _Builder:
    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.items: dict[str, dict[str, Any]] = {}

    def add(
        self, exercise: str, group: str, reason: str, topic: str, extra: tuple[str, ...] = ()
    ) -> None:
        e = self.cat.exercise(exercise)
        item = self.items.setdefault(
            exercise, {"groups": [], "reasons": [], "topics": [], "sources": list(e.sources)}
        )
        for key, value in (("groups", group), ("reasons", reason), ("topics", topic)):
            if value not in item[key]:
                item[key].append(value)
        item["sources"] += [k for k in extra if k not in item["sources"]]

    def first(self, group: str, kind: str) -> str | None:
        """The first exercise of ``kind`` for the group, preferring those naming the group itself
        as a target over those reaching it through one member (e.g. rectus femoris)."""
        found = [e for e in self.cat.exercises_for(group) if e.kind == kind and not e.dynamic]
        found.sort(key=lambda e: group not in e.targets)
        return found[0].id if found else None

    def build(self) -> tuple[AdviceItem, ...]:
        out = []
        for ex, item in self.items.items():
            e = self.cat.exercise(ex)
            out.append(
                AdviceItem(
                    exercise=ex,
                    name=e.name,
                    kind=e.kind,
                    dosage=e.dosage.text,
                    groups=tuple(item["groups"]),
                    reasons=tuple(item["reasons"]),
                    topics=tuple(item["topics"]),
                    sources=tuple(item["sources"]),
                )
            )
        return tuple(sorted(out, key=lambda i: i.kind != "strength"))


def _name(cat: Catalogue, gid: str) -> str:
    try:
        return cat.group(gid).name
    except KeyError:
        return gid.replace("_", " ")


def plan(run: RunLoad, catalogue: Catalogue | None = None, *, top: int = TOP) -> Plan:
    """The training plan for a run (rules in the module docstring)."""
    cat = catalogue or load_catalogue()
    b = _Builder(cat)
    loaded = [g for g in run.top(top, by="share") if g.share > 0]
    for g in loaded:
        reason = (
            f"{_name(cat, g.group)} did {g.share:.0%} of this run's muscle work "
            f"({g.work_j / 1000:.1f} kJ, {g.work_j / run.mass_kg:.0f} J/kg; "
            f"{g.eccentric_work_j / g.work_j:.0%} of it eccentric)"
        )
        for kind in ("strength", "stretch"):
            ex = b.first(g.group, kind)
            if ex:
                b.add(ex, g.group, reason, "most_loaded")
    harder = [g for g in run.top(len(run.muscles), by="vs_flat") if (g.vs_flat or 0) >= 1 + HARDER]
    for g in harder[:top]:
        ex = b.first(g.group, "strength")
        if ex:
            reason = (
                f"{_name(cat, g.group)} did {_pct(g.vs_flat)} work compared with a flat run of "
                "the same distance and pace"
            )
            b.add(ex, g.group, reason, "harder_than_flat")
    for link in WEAK_LINKS:
        why = link.when(run)
        if why is None:
            continue
        group = cat.group(link.group)
        weak = [w for w in group.weaknesses if w.topic == link.topic]
        if not weak:
            raise DataError(
                f"advice rule {link.topic!r}: the catalogue's {link.group} has no weakness with "
                "that topic; fix WEAK_LINKS in runmuscles/advice.py or the catalogue"
            )
        reason = f"{why}. Weak link ({_name(cat, link.group)}): {weak[0].text}"
        b.add(link.exercise, link.group, reason, link.topic, weak[0].sources)
    items = b.build()
    record = cat.warmup_record()
    notes = tuple({"text": n.text, "sources": list(n.sources)} for n in cat.routine.notes)
    keys = [k for i in items for k in i.sources]
    keys += [k for s in cat.warmup.steps for k in s.sources] + list(cat.warmup.summary.sources)
    keys += [k for n in cat.routine.notes for k in n.sources]
    return Plan(
        items=items,
        warmup=record["warmup"],
        notes=notes,
        sources=tuple(s.as_dict() for s in cat.cite(keys)),
    )
