"""Advice a runner can act on: two or three items chosen from this run, from the cited catalogue.

Every item is an exercise of the catalogue (``runmuscles/data/catalogue.toml``) with its dosage,
why it was chosen (quoting this run's number) and its sources. Items are picked in this order,
at most :data:`MAX_ITEMS`, never the same exercise twice:

1. **Pain.** For each tendon (or the plantar fascia) the runner says hurts: the catalogue's
   rehabilitation protocol for it (``[exercises.rehabilitation]``), with this run's load on it.
   Rehabilitation protocols (e.g. 180 heel drops a day for 12 weeks) are given ONLY then.
2. **Recent weeks.** With a history: the group or tendon whose load over the last 7 days rose
   furthest above its weekly average of the last 4 weeks, when that acute:chronic ratio reaches
   the "caution" zone (1.3, Gabbett 2016): its strength exercise, with the ratio in the reason.
3. **This run's changes.** The findings that raised a load against a flat run of the same
   distance and pace (:mod:`runmuscles.load.findings`, largest first): the strength exercise
   for that group (or, for a tendon, for that tendon).
4. **Most loaded.** When fewer than :data:`MIN_ITEMS` items were found (a flat run, no
   history), the resolved groups doing the largest share of the work.

Healthy runners get the exercise's prevention dosage (``[exercises.dosage]``). Only resolved
groups are ever named. The catalogue's warm-up and routine notes (strength work is no guaranteed
shield against injury; raise load gradually) go with every plan. The order and the thresholds are
rules of this program, not published cut-offs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runmuscles.anatomy import Catalogue, Exercise, load_catalogue
from runmuscles.errors import InputError, UnknownNameError
from runmuscles.load import RunLoad

if TYPE_CHECKING:
    from runmuscles.load.findings import Finding
    from runmuscles.load.history import HistoryComparison

__all__ = [
    "CAUTION_ACWR",
    "MAX_ITEMS",
    "MIN_ITEMS",
    "Advice",
    "AdviceItem",
    "Plan",
    "advise",
    "pain_conditions",
    "parse_pain",
    "plan",
]

#: At most this many items.
MAX_ITEMS = 3
#: At least this many items when the run loaded any resolved group (rule 4 fills up).
MIN_ITEMS = 2
#: An acute:chronic ratio at or above this ("caution" in Gabbett 2016) makes a history item.
CAUTION_ACWR = 1.3
#: What a clinician should look at, said with every rehabilitation item (no diagnosis here).
REHAB_NOTE = (
    "this is the protocol of a published trial for that pain, not a diagnosis: have pain that is "
    "sharp, swollen or lasts more than a few weeks examined by a physiotherapist or doctor"
)


@dataclass(frozen=True)
class AdviceItem:
    """One item: catalogue ``exercise`` id, its ``name`` and ``kind`` (strength or stretch),
    ``purpose`` ("prevention" or "rehabilitation"), ``dosage`` text, the ``groups`` it is aimed
    at, ``why`` (one sentence with this run's number), all ``reasons`` (why first), ``topics``
    ("pain", "recent_weeks", "this_run", "most_loaded"), ``numbers`` (the figures quoted) and
    ``sources`` (catalogue source keys)."""

    exercise: str
    name: str
    kind: str
    dosage: str
    groups: tuple[str, ...]
    reasons: tuple[str, ...]
    topics: tuple[str, ...]
    sources: tuple[str, ...]
    purpose: str = "prevention"
    why: str = ""
    numbers: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, Mapping) else v
            for k, v in vars(self).items()
        }


@dataclass(frozen=True)
class Advice:
    """The advice: ``items`` (at most :data:`MAX_ITEMS`), the catalogue ``warmup`` record,
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


#: The former name of :class:`Advice`.
Plan = Advice


# ------------------------------------------------------------------------------------- pain
def pain_conditions(cat: Catalogue | None = None) -> tuple[str, ...]:
    """Catalogue ids that have a rehabilitation protocol (what ``pain`` may name)."""
    cat = cat or load_catalogue()
    found = [e.rehabilitation.condition for e in cat.exercises if e.rehabilitation is not None]
    return tuple(dict.fromkeys(found))


def parse_pain(pain: Iterable[str] | str | None, cat: Catalogue | None = None) -> tuple[str, ...]:
    """Catalogue ids for what the runner says hurts: "achilles", "achilles_tendon", "patellar",
    "plantar fascia", ... (case, spaces and "-" ignored). Unknown names are an
    :class:`~runmuscles.errors.UnknownNameError` listing the choices."""
    if pain is None:
        return ()
    items = [pain] if isinstance(pain, str) else list(pain)
    known = pain_conditions(cat)
    out = []
    for raw in items:
        if not isinstance(raw, str):
            raise InputError(f"pain {raw!r}: give the name of a tendon, e.g. 'achilles'")
        key = raw.strip().lower().replace("-", "_").replace(" ", "_")
        if not key:
            continue
        hits = [c for c in known if key in (c, c.removesuffix("_tendon"))]
        if not hits:
            raise UnknownNameError(
                f"no rehabilitation protocol for {raw!r}; choose from "
                + ", ".join(c.removesuffix("_tendon") for c in known),
                tuple(c.removesuffix("_tendon") for c in known),
            )
        out.append(hits[0])
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------------- helpers
def _label(cat: Catalogue, gid: str) -> str:
    try:
        return str(cat.group(gid).name)
    except UnknownNameError:
        return gid.replace("_", " ")


def _strength_for(cat: Catalogue, subject: str) -> Exercise | None:
    """The first static strength exercise of the catalogue for a group or tendon, preferring
    those naming it as a target over those reaching it through one member muscle."""
    found = [e for e in cat.exercises_for(subject) if e.kind == "strength" and not e.dynamic]
    found.sort(key=lambda e: subject not in e.targets)
    return found[0] if found else None


def _pct(r: float) -> str:
    return f"{(r - 1) * 100:+.0f} %"


class _Picker:
    def __init__(self, cat: Catalogue, limit: int) -> None:
        self.cat = cat
        self.limit = limit
        self.items: list[AdviceItem] = []

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def has(self, exercise: str) -> bool:
        return any(i.exercise == exercise for i in self.items)

    def add(
        self,
        e: Exercise,
        *,
        groups: tuple[str, ...],
        why: str,
        topic: str,
        numbers: Mapping[str, float],
        rehab: bool = False,
        extra: tuple[str, ...] = (),
        extra_sources: tuple[str, ...] = (),
    ) -> None:
        if self.full or self.has(e.id):
            return
        if rehab:
            assert e.rehabilitation is not None
            dosage = e.rehabilitation.dosage
            sources = (*dosage.sources, *e.sources)
        else:
            dosage = e.dosage
            sources = (*dosage.sources, *e.sources)
        self.items.append(
            AdviceItem(
                exercise=e.id,
                name=e.name,
                kind=e.kind,
                dosage=dosage.text,
                groups=groups,
                reasons=(why, *extra),
                topics=(topic,),
                sources=tuple(dict.fromkeys((*sources, *extra_sources))),
                purpose="rehabilitation" if rehab else "prevention",
                why=why,
                numbers=dict(numbers),
            )
        )


def _resolved(run: RunLoad, subject: str) -> bool:
    if subject in run.groups:
        return run.group(subject).resolved
    for t in run.tendons:
        if t.tendon == subject:
            return t.resolved
    return False


def _pain_items(p: _Picker, run: RunLoad, pain: tuple[str, ...]) -> None:
    for condition in pain:
        ex = next(
            (
                e
                for e in p.cat.exercises
                if e.rehabilitation is not None and e.rehabilitation.condition == condition
            ),
            None,
        )
        if ex is None:
            continue
        name = _label(p.cat, condition)
        numbers: dict[str, float] = {}
        load = ""
        tendon = next((t for t in run.tendons if t.tendon == condition), None)
        if tendon is not None and tendon.impulse_ns > 0:
            numbers = {"impulse_ns": tendon.impulse_ns, "cycles": tendon.cycles}
            load = (
                f"; this run loaded it {tendon.cycles:.0f} times per leg "
                f"({tendon.impulse_ns / 1000:.0f} kN s"
            )
            r = tendon.vs_flat_of("impulse")
            if r is not None:
                numbers["vs_flat"] = r
                load += f", {_pct(r)} against a flat run of the same distance and pace"
            load += ")"
        why = f"you said your {name.lower()} hurts{load}"
        p.add(ex, groups=(condition,), why=why, topic="pain", numbers=numbers, rehab=True,
              extra=(REHAB_NOTE,))  # fmt: skip


def _history_items(p: _Picker, run: RunLoad, history: HistoryComparison | None) -> None:
    if history is None:
        return
    for ch in history.changes:
        if p.full:
            return
        if ch.acwr is None or ch.acwr < CAUTION_ACWR or not _resolved(run, ch.subject):
            continue
        ex = _strength_for(p.cat, ch.subject)
        if ex is None:
            continue
        noun = "load" if ch.kind == "impulse" else "work"
        what = f"{_label(p.cat, ch.subject).lower()} {ch.kind} {noun}"
        why = (
            f"your {what} over the last 7 days, this run included, is {ch.acwr:.1f} times its "
            f"weekly average of the last 4 weeks ({ch.zone} zone of the acute:chronic ratio; "
            "team-sport figures, a rough guide): build it up gradually, and keep it strong"
        )
        p.add(ex, groups=(ch.subject,), why=why, topic="recent_weeks",
              numbers={"acwr": ch.acwr, "acute": ch.acute, "chronic_per_week": ch.chronic},
              extra_sources=("gabbett2016",))  # fmt: skip


def _finding_items(p: _Picker, run: RunLoad, found: Iterable[Finding]) -> None:
    for f in found:
        if p.full:
            return
        if f.ratio <= 1.0 or not _resolved(run, f.subject):
            continue
        ex = _strength_for(p.cat, f.subject)
        if ex is None:
            continue
        unit = "kN s" if f.kind == "impulse" else "kJ"
        why = (
            f"{f.text} ({f.per_km / 1000:.1f} against {f.flat_per_km / 1000:.1f} {unit} per km "
            f"over {f.distance_m / 1000:.1f} km)"
        )
        extra: tuple[str, ...] = ()
        if f.clipped_share > 0.25:
            extra = (
                f"{f.clipped_share * 100:.0f} % of that distance was computed at the atlas's edge "
                "(see the coverage)",
            )
        p.add(ex, groups=(f.subject,), why=why, topic="this_run",
              numbers={"ratio": f.ratio, "per_km": f.per_km, "flat_per_km": f.flat_per_km,
                       "distance_m": f.distance_m}, extra=extra)  # fmt: skip


def _most_loaded(p: _Picker, run: RunLoad, minimum: int) -> None:
    computed_km = run.computed_m / 1000.0
    for g in run.top(len(run.muscles), by="share"):
        if len(p.items) >= minimum or g.share <= 0:
            return
        ex = _strength_for(p.cat, g.group)
        if ex is None:
            continue
        per_km = g.work_j / computed_km if computed_km > 0 else 0.0
        why = (
            f"your {_label(p.cat, g.group).lower()} did {g.share * 100:.0f} % of this run's "
            "muscle work "
            f"({per_km / 1000:.1f} kJ per km, {g.eccentric_work_j / g.work_j * 100:.0f} % of it "
            "eccentric), the most of any group; the run changed no load enough to point elsewhere"
        )
        p.add(ex, groups=(g.group,), why=why, topic="most_loaded",
              numbers={"share": g.share, "work_j_per_km": per_km})  # fmt: skip


# ------------------------------------------------------------------------------------ advice
def advise(
    run: RunLoad,
    *,
    history: HistoryComparison | None = None,
    pain: Iterable[str] = (),
    catalogue: Catalogue | None = None,
    max_items: int = MAX_ITEMS,
) -> Advice:
    """The advice for a run (rules in the module docstring)."""
    cat = catalogue or load_catalogue()
    if not 1 <= max_items <= MAX_ITEMS:
        raise InputError(f"max_items={max_items}: give 1 to {MAX_ITEMS}")
    sore = parse_pain(pain, cat)
    p = _Picker(cat, max_items)
    _pain_items(p, run, sore)
    _history_items(p, run, history)
    _finding_items(p, run, run.findings)
    if run.total_work_j > 0:
        _most_loaded(p, run, min(MIN_ITEMS, max_items))
    items = tuple(p.items)
    record = cat.warmup_record()
    notes = tuple({"text": n.text, "sources": list(n.sources)} for n in cat.routine.notes)
    keys = [k for i in items for k in i.sources]
    keys += [k for s in cat.warmup.steps for k in s.sources] + list(cat.warmup.summary.sources)
    keys += [k for n in cat.routine.notes for k in n.sources]
    return Advice(
        items=items,
        warmup=record["warmup"],
        notes=notes,
        sources=tuple(s.as_dict() for s in cat.cite(keys)),
    )


def plan(run: RunLoad, catalogue: Catalogue | None = None, **kwargs: Any) -> Advice:
    """:func:`advise` without history or pain (the name the report module uses)."""
    kwargs.pop("top", None)
    return advise(run, catalogue=catalogue, **kwargs)
