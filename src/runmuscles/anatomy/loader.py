"""Loading and strict validation of catalogue files (TOML) into :class:`Catalogue` objects.

Every problem raises :class:`~runmuscles.errors.DataError` naming the file and the entry.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from runmuscles.anatomy.catalogue import (
    CONTRACTIONS,
    DEMANDS,
    EVIDENCE,
    EXERCISE_KINDS,
    FACES,
    KINDS,
    PHASES,
    REGIONS,
    TERRAINS,
    Catalogue,
    Dosage,
    Exercise,
    HillChange,
    JointAction,
    MuscleGroup,
    PhaseRole,
    Rehabilitation,
    Routine,
    Source,
    Statement,
    WarmUp,
    WarmUpStep,
    _close,
    normalise_name,
)
from runmuscles.errors import DataError

__all__ = ["load_catalogue"]


class _Table:
    """Reads one TOML table strictly: typed getters, then :meth:`done` rejects unknown keys."""

    def __init__(self, data: object, where: str, path: str) -> None:
        if not isinstance(data, dict):
            raise DataError(f"{path}: {where}: expected a table, got {type(data).__name__}")
        self.data, self.where, self.path, self.used = data, where, path, set[str]()

    def fail(self, message: str) -> DataError:
        return DataError(f"{self.path}: {self.where}: {message}")

    def _get(self, key: str, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise self.fail(f"missing required key '{key}'")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = True, choices: tuple[str, ...] = ()) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(f"'{key}' = {value!r} is not one of {', '.join(choices)}")
        return value.strip()

    def texts(self, key: str, *, required: bool = True, nonempty: bool = True) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{key}' must be a list of non-empty strings, got {value!r}")
        if nonempty and not value:
            raise self.fail(f"'{key}' must not be empty")
        if len(set(value)) != len(value):
            raise self.fail(f"'{key}' lists a name twice: {value!r}")
        return tuple(v.strip() for v in value)

    def num(self, key: str, *, required: bool = True, integer: bool = False) -> Any:
        value = self._get(key, required)
        if value is None:
            return None
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or value <= 0:
            kind = "a positive integer" if integer else "a positive number"
            raise self.fail(f"'{key}' must be {kind}, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if value is not None and not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false, got {value!r}")
        return bool(value)

    def table(self, key: str, where: str = "") -> _Table:
        return _Table(self._get(key, True), f"{self.where}.{where or key}", self.path)

    def tables(self, key: str, *, required: bool = True) -> list[_Table]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.fail(f"'{key}' must be a non-empty array of tables ([[{key}]])")
        return [_Table(v, f"{self.where}.{key}[{i}]", self.path) for i, v in enumerate(value)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(
                f"unknown key(s) {', '.join(repr(k) for k in unknown)} "
                f"(allowed: {', '.join(sorted(self.used))})"
            )


def _statement(t: _Table, topic: bool = False) -> Statement:
    s = Statement(
        t.text("text"), t.texts("sources"), t.text("topic", required=False) if topic else ""
    )
    t.done()
    return s


def _group(t: _Table) -> MuscleGroup:
    gid = t.text("id")
    t.where = f"group '{gid}'"
    joints = []
    for j in t.tables("joints"):
        joints.append(JointAction(j.text("joint"), j.text("action"), j.texts("sources")))
        j.done()
    pt = t.table("phases")
    phases = []
    for name in PHASES:
        p = pt.table(name, f"{name}")
        phases.append(PhaseRole(name, p.flag("active"), p.text("text"), p.texts("sources")))
        if "active" not in p.data:
            raise p.fail("missing required key 'active' (true or false)")
        p.done()
    pt.done()
    hills: dict[str, HillChange] = {}
    for h in t.tables("hills"):
        terrain = h.text("terrain", choices=TERRAINS)
        if terrain in hills:
            raise h.fail(f"terrain {terrain!r} given twice")
        hills[terrain] = HillChange(
            terrain,
            h.text("demand", choices=DEMANDS),
            h.text("contraction", choices=CONTRACTIONS),
            h.text("evidence", choices=EVIDENCE),
            h.text("text"),
            h.texts("sources"),
        )
        h.done()
    missing = [x for x in TERRAINS if x not in hills]
    if missing:
        raise t.fail(f"no [[groups.hills]] entry for {', '.join(missing)}")
    group = MuscleGroup(
        id=gid,
        kind=t.text("kind", choices=KINDS),
        name=t.text("name"),
        aliases=t.texts("aliases", required=False, nonempty=False),
        region=t.text("region", choices=REGIONS),
        side=t.text("side", choices=FACES),
        members=t.texts("members"),
        shared_members=t.texts("shared_members", required=False, nonempty=False),
        model_muscles=t.texts("model_muscles", required=False, nonempty=False),
        anatomy_sources=t.texts("anatomy_sources"),
        summary=_statement(t.table("summary")),
        joints=tuple(joints),
        phases=tuple(phases),
        hills=tuple(hills[x] for x in TERRAINS),
        weaknesses=tuple(_statement(w, topic=True) for w in t.tables("weaknesses")),
    )
    t.done()
    return group


def _dosage(d: _Table, *, sources_required: bool = False) -> Dosage:
    hold = d.num("hold_s", required=False)
    return Dosage(
        sets=d.num("sets", integer=True),
        reps=d.text("reps", required=hold is None),
        hold_s=None if hold is None else float(hold),
        sessions_per_week=d.text("sessions_per_week"),
        weeks=d.num("weeks", required=False, integer=True),
        text=d.text("text"),
        sources=d.texts("sources", required=sources_required),
    )


def _exercise(t: _Table) -> tuple[Exercise, _Table]:
    eid = t.text("id")
    t.where = f"exercise '{eid}'"
    d = t.table("dosage")
    dosage = _dosage(d)
    d.done()
    rehab = None
    if "rehabilitation" in t.data:
        r = t.table("rehabilitation")
        condition = r.text("condition")
        rehab = Rehabilitation(condition, _dosage(r, sources_required=True))
        r.done()
    else:
        t.used.add("rehabilitation")
    ex = Exercise(
        id=eid,
        name=t.text("name"),
        kind=t.text("kind", choices=EXERCISE_KINDS),
        targets=t.texts("targets"),
        group_ids=(),
        dosage=dosage,
        instructions=t.text("instructions"),
        sources=t.texts("sources"),
        dynamic=t.flag("dynamic"),
        rehabilitation=rehab,
    )
    t.done()
    return ex, t


def _source(key: str, data: object, path: str) -> Source:
    t = _Table(data, f"source '{key}'", path)
    src = Source(
        key=key,
        authors=t.text("authors"),
        year=t.num("year", integer=True),
        title=t.text("title"),
        journal=t.text("journal", required=False),
        publisher=t.text("publisher", required=False),
        doi=t.text("doi", required=False),
        url=t.text("url", required=False),
    )
    if not (src.journal or src.publisher):
        raise t.fail("needs 'journal' or 'publisher'")
    t.done()
    return src


def _check_names(groups: list[MuscleGroup], path: str) -> None:
    owner: dict[str, str] = {}
    for g in groups:
        for label in dict.fromkeys(normalise_name(x) for x in (g.id, g.name, *g.aliases)):
            if label in owner:
                raise DataError(
                    f"{path}: group '{g.id}': name {label!r} is already used by group "
                    f"'{owner[label]}' (ids, names and aliases must be unique)"
                )
            owner[label] = g.id
    primary: dict[str, str] = {}
    for g in groups:
        for m in g.members:
            key = normalise_name(m)
            other = owner.get(key)
            if other is not None and other != g.id:
                raise DataError(
                    f"{path}: group '{g.id}': member {m!r} is the name of group '{other}'"
                )
            if key in primary:
                raise DataError(
                    f"{path}: group '{g.id}': member {m!r} is already a member of group "
                    f"'{primary[key]}'; list it under 'shared_members' in one of them"
                )
            primary[key] = g.id
    for g in groups:
        for m in g.shared_members:
            if primary.get(normalise_name(m)) in (None, g.id):
                raise DataError(
                    f"{path}: group '{g.id}': shared member {m!r} must be a member of another group"
                )
    model: dict[str, str] = {}
    for g in groups:
        for m in g.model_muscles:
            if m in model:
                raise DataError(
                    f"{path}: group '{g.id}': model muscle {m!r} already in group '{model[m]}'"
                )
            model[m] = g.id


def _cited(where: str, keys: Iterable[str], sources: Mapping[str, Source], path: str) -> set[str]:
    keys = list(keys)
    for k in keys:
        if k not in sources:
            hint = _close(k, sources)
            extra = f" (did you mean {' or '.join(hint)}?)" if hint else ""
            raise DataError(f"{path}: {where}: unknown source key {k!r}{extra}")
    return set(keys)


def _parse(raw: dict[str, Any], path: str) -> Catalogue:
    top = _Table(raw, "top level", path)
    schema = top.num("schema", integer=True)
    if schema != 1:
        raise top.fail(f"schema {schema} is not supported (expected 1)")
    src_table = top._get("sources", True)
    if not isinstance(src_table, dict) or not src_table:
        raise top.fail("'sources' must be a non-empty table of [sources.KEY] entries")
    sources = {k: _source(k, v, path) for k, v in src_table.items()}

    groups: list[MuscleGroup] = []
    for t in top.tables("groups"):
        g = _group(t)
        if any(x.id == g.id for x in groups):
            raise DataError(f"{path}: group '{g.id}': duplicate id")
        groups.append(g)
    _check_names(groups, path)
    cat_probe = Catalogue(tuple(groups), (), sources, _EMPTY_WARMUP, _EMPTY_ROUTINE)

    exercises: list[Exercise] = []
    for t in top.tables("exercises"):
        ex, et = _exercise(t)
        if any(x.id == ex.id for x in exercises):
            raise et.fail("duplicate id")
        if ex.rehabilitation is not None and ex.rehabilitation.condition not in cat_probe.ids:
            raise et.fail(
                f"rehabilitation condition {ex.rehabilitation.condition!r} is not a catalogue id"
            )
        gids: list[str] = []
        for target in ex.targets:
            hits = cat_probe.resolve_target(target)
            if not hits:
                raise et.fail(
                    f"targets {target!r}, which the catalogue lacks (use a group id or a member "
                    f"muscle name; group ids: {', '.join(cat_probe.ids)})"
                )
            gids += hits
        exercises.append(dataclasses.replace(ex, group_ids=tuple(dict.fromkeys(gids))))
    ex_ids = {e.id: e for e in exercises}

    w = top.table("warmup")
    steps = []
    for s in w.tables("steps"):
        names = s.texts("exercises", nonempty=False)
        for n in names:
            if n not in ex_ids:
                raise s.fail(f"unknown exercise {n!r}")
        step = WarmUpStep(
            s.text("name"), float(s.num("duration_s")), s.text("text"), s.texts("sources"), names
        )
        steps.append(step)
        s.done()
    warmup = WarmUp(
        minimum_easy_running_s=float(w.num("minimum_easy_running_s")),
        summary=_statement(w.table("summary")),
        steps=tuple(steps),
        notes=tuple(_statement(n) for n in w.tables("notes", required=False)),
    )
    w.done()

    r = top.table("routine")
    routine = Routine(
        r.text("text"),
        r.texts("sources"),
        r.texts("strength"),
        r.texts("stretch"),
        tuple(_statement(n) for n in r.tables("notes", required=False)),
    )
    for kind, ids in (("strength", routine.strength), ("stretch", routine.stretch)):
        for n in ids:
            if n not in ex_ids:
                raise r.fail(f"unknown exercise {n!r} in '{kind}'")
            if ex_ids[n].kind != kind:
                raise r.fail(f"exercise {n!r} is a {ex_ids[n].kind} exercise, listed in '{kind}'")
    r.done()
    top.done()

    used: set[str] = set()
    for g in groups:
        where = f"group '{g.id}'"
        used |= _cited(f"{where}.summary", g.summary.sources, sources, path)
        used |= _cited(f"{where}.anatomy_sources", g.anatomy_sources, sources, path)
        for j in g.joints:
            used |= _cited(f"{where}.joints ({j.joint})", j.sources, sources, path)
        for role in g.phases:
            used |= _cited(f"{where}.phases.{role.phase}", role.sources, sources, path)
        for h in g.hills:
            used |= _cited(f"{where}.hills ({h.terrain})", h.sources, sources, path)
        for i, weak in enumerate(g.weaknesses):
            used |= _cited(f"{where}.weaknesses[{i}]", weak.sources, sources, path)
    for e in exercises:
        used |= _cited(f"exercise '{e.id}'", e.sources, sources, path)
        used |= _cited(f"exercise '{e.id}'.dosage", e.dosage.sources, sources, path)
        if e.rehabilitation is not None:
            used |= _cited(
                f"exercise '{e.id}'.rehabilitation", e.rehabilitation.dosage.sources, sources, path
            )
    keys = [*warmup.summary.sources, *routine.sources]
    keys += [k for step in warmup.steps for k in step.sources]
    keys += [k for note in (*warmup.notes, *routine.notes) for k in note.sources]
    used |= _cited("warmup/routine", keys, sources, path)
    unused = sorted(set(sources) - used)
    if unused:
        raise DataError(f"{path}: sources never cited: {', '.join(unused)} (remove or cite them)")
    frozen = MappingProxyType(sources)
    return Catalogue(tuple(groups), tuple(exercises), frozen, warmup, routine, path)


_EMPTY_WARMUP = WarmUp(0.0, Statement("", ()), (), ())
_EMPTY_ROUTINE = Routine("", (), (), ())


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file; ``None``: the built-in one (loaded once, cached)."""
    if path is None:
        return _default()
    p = Path(path)
    try:
        text = p.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read catalogue {p}: {exc.strerror or exc}") from exc
    return _loads(text, str(p))


def _loads(data: bytes, where: str) -> Catalogue:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: not valid TOML: {exc}") from exc
    return _parse(raw, where)


@functools.cache
def _default() -> Catalogue:
    ref = resources.files("runmuscles") / "data" / "catalogue.toml"
    return _loads(ref.read_bytes(), "catalogue.toml")
