"""Catalogue commands: ``runmuscles muscles``, ``runmuscles muscle NAME``, ``runmuscles warmup``.

Text output numbers the sources ([1], [2], ...) and lists them at the end; ``--json`` prints one
object with every field and the sources resolved.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable

import click

from runmuscles.anatomy.catalogue import (
    PHASES,
    REGIONS,
    TERRAINS,
    Catalogue,
    MuscleGroup,
    Source,
)
from runmuscles.cli.options import json_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "muscle", "muscles", "warmup"]

WIDTH = 100

MUSCLES_EPILOG = """\b
examples:
  runmuscles muscles                        every group, tendon and ligament
  runmuscles muscles --phase swing          groups working while the foot is in the air
  runmuscles muscles --region thigh         quadriceps and hamstrings
  runmuscles muscles --terrain downhill     groups with higher demand running downhill
  runmuscles muscles --json                 all fields and sources, for scripts
"""

MUSCLE_EPILOG = """\b
examples:
  runmuscles muscle quads                   by common name
  runmuscles muscle "vastus lateralis"      by member muscle (gives the quadriceps)
  runmuscles muscle achilles_tendon --json  by id, as JSON"""

WARMUP_EPILOG = """\b
examples:
  runmuscles warmup                         warm-up steps and the general routine
  runmuscles warmup --json                  the same as JSON with exercises and sources"""


@click.command(
    short_help="The muscle groups, tendons and ligaments running works.",
    epilog=MUSCLES_EPILOG,
)
@click.option("--phase", type=click.Choice(PHASES), help="Only groups active in this gait phase.")
@click.option("--region", type=click.Choice(REGIONS), help="Only groups in this body region.")
@click.option(
    "--terrain",
    type=click.Choice(TERRAINS),
    help="Only groups with higher demand on this terrain.",
)
@json_option
def muscles(phase: str | None, region: str | None, terrain: str | None, as_json: bool) -> None:
    """The running-muscle catalogue as a table, optionally filtered."""
    cat = _catalogue()
    groups = cat.filter(phase=phase, region=region, terrain=terrain)
    filters = {"phase": phase, "region": region, "terrain": terrain}
    if as_json:
        print_json(
            {
                "filters": {k: v for k, v in filters.items() if v},
                "count": len(groups),
                "groups": [cat.record(g.id) for g in groups],
            }
        )
        return
    headers = ["id", "name", "kind", "region", "front/back", "active in"]
    if terrain:
        headers += [f"{terrain} demand", "evidence"]
    rows = []
    for g in groups:
        row = [g.id, g.name, g.kind.replace("_", " "), g.region, g.side]
        row.append(", ".join(g.active_in) or "-")
        if terrain:
            hill = g.hill(terrain)
            row += [f"{hill.demand} ({hill.contraction})", hill.evidence]
        rows.append(row)
    chosen = ", ".join(f"{k} {v}" for k, v in filters.items() if v)
    title = f"{len(groups)} of {len(cat.groups)} groups" + (f" ({chosen})" if chosen else "")
    if not groups:
        print(title + ": none match; try fewer filters.")
        return
    print_table(headers, rows, title=title)
    print("\nDetails and sources: runmuscles muscle ID")


@click.command(
    short_help="One muscle group in full: roles, hills, injuries, exercises.",
    epilog=MUSCLE_EPILOG,
)
@click.argument("name", metavar="NAME")
@json_option
def muscle(name: str, as_json: bool) -> None:
    """One group in full. NAME may be an id, a common name or a member muscle."""
    cat = _catalogue()
    g = cat.find(name)
    if as_json:
        print_json(cat.record(g.id))
        return
    _print_group(cat, g)


@click.command(
    short_help="Warm-up and the general strength and stretching routine.",
    epilog=WARMUP_EPILOG,
)
@json_option
def warmup(as_json: bool) -> None:
    """Warm-up (at least 5 minutes of easy running before stretching) and routine."""
    cat = _catalogue()
    if as_json:
        print_json(cat.warmup_record())
        return
    _print_warmup(cat)


COMMANDS = (muscles, muscle, warmup)


def _catalogue() -> Catalogue:
    from runmuscles.anatomy import load_catalogue

    return load_catalogue()


class _Refs:
    """Numbers sources in order of first use and renders markers such as ``[1,3]``."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat, self.order = cat, dict[str, int]()

    def mark(self, keys: Iterable[str]) -> str:
        nums = [self.order.setdefault(k, len(self.order) + 1) for k in keys]
        return "[" + ",".join(str(n) for n in dict.fromkeys(nums)) + "]" if nums else ""

    def listing(self) -> list[tuple[int, Source]]:
        return [(n, self.cat.sources[k]) for k, n in self.order.items()]


def _para(text: str, indent: str = "  ", first: str | None = None) -> None:
    lead = indent if first is None else first
    sys.stdout.write(
        textwrap.fill(text, WIDTH, initial_indent=lead, subsequent_indent=indent) + "\n"
    )


def _print_group(cat: Catalogue, g: MuscleGroup) -> None:
    refs = _Refs(cat)
    out = sys.stdout
    out.write(f"{g.name}  (id {g.id}; {g.kind.replace('_', ' ')}; {g.region}, {g.side})\n")
    if g.aliases:
        _para("also called: " + ", ".join(g.aliases), indent="  ")
    members = ", ".join(g.members)
    if g.shared_members:
        members += "; shared: " + ", ".join(g.shared_members)
    _para(f"members: {members} {refs.mark(g.anatomy_sources)}")
    for m in g.members:
        others = [x.id for x in cat.groups_with_member(m) if x.id != g.id]
        if others:
            _para(f"({m} also belongs to: {', '.join(others)})")
    if g.model_muscles:
        _para("model muscles: " + ", ".join(g.model_muscles))
    out.write("\n")
    _para(f"{g.summary.text} {refs.mark(g.summary.sources)}", indent="")

    out.write("\nJoints and actions\n")
    for j in g.joints:
        _para(f"{j.joint}: {j.action} {refs.mark(j.sources)}")
    out.write("\nGait phases (active in: " + (", ".join(g.active_in) or "none") + ")\n")
    for p in g.phases:
        state = "active" if p.active else "quiet"
        _para(f"{p.phase} ({state}): {p.text} {refs.mark(p.sources)}", indent="    ", first="  ")
    out.write("\nHills (compared with level running)\n")
    for h in g.hills:
        head = f"{h.terrain}: demand {h.demand}, {h.contraction}, {h.evidence}."
        _para(f"{head} {h.text} {refs.mark(h.sources)}", indent="    ", first="  ")
    out.write("\nWeaknesses and injury links\n")
    for w in g.weaknesses:
        _para(f"- {w.text} {refs.mark(w.sources)}", indent="    ", first="  ")
    out.write("\nExercises\n")
    exercises = cat.exercises_for(g.id)
    if not exercises:
        _para("none in the catalogue for this group")
    for e in exercises:
        label = "stretch (dynamic)" if e.dynamic else e.kind
        _para(f"{e.name} [{label}] {refs.mark(e.sources)}", indent="    ", first="  ")
        _para(f"dose: {e.dosage.text}", indent="      ", first="    ")
        _para(e.instructions, indent="    ")
    _sources(refs)


def _sources(refs: _Refs) -> None:
    sys.stdout.write("\nSources\n")
    for n, src in refs.listing():
        _para(src.citation(), indent="       ", first=f"  [{n}] ".ljust(7))


def _print_warmup(cat: Catalogue) -> None:
    w, r, refs = cat.warmup, cat.routine, _Refs(cat)
    minutes = w.minimum_easy_running_s / 60.0
    sys.stdout.write(f"Warm-up: at least {minutes:g} minutes of easy running before stretching\n")
    _para(f"{w.summary.text} {refs.mark(w.summary.sources)}", indent="")
    for i, step in enumerate(w.steps, 1):
        mins = step.duration_s / 60.0
        sys.stdout.write(f"\n{i}. {step.name} (about {mins:g} min)\n")
        _para(f"{step.text} {refs.mark(step.sources)}", indent="   ")
        for x in step.exercises:
            e = cat.exercise(x)
            _para(f"- {e.name}: {e.dosage.text} {refs.mark(e.sources)}", "     ", "   ")
    if w.notes:
        sys.stdout.write("\nNotes\n")
        for n in w.notes:
            _para(f"- {n.text} {refs.mark(n.sources)}", indent="    ", first="  ")
    sys.stdout.write("\nGeneral strength and stretching routine\n")
    _para(f"{r.text} {refs.mark(r.sources)}", indent="")
    for n in r.notes:
        _para(f"- {n.text} {refs.mark(n.sources)}", indent="    ", first="  ")
    for title, ids in (("Strength", r.strength), ("Stretching", r.stretch)):
        sys.stdout.write(f"\n{title}\n")
        for x in ids:
            e = cat.exercise(x)
            targets = ", ".join(e.group_ids)
            _para(f"- {e.name} ({targets}) {refs.mark(e.sources)}", indent="    ", first="  ")
            _para(f"dose: {e.dosage.text}", indent="      ", first="    ")
    _sources(refs)
