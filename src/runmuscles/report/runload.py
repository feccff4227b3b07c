"""From a run analysis to a :class:`ReportData`: a :class:`runmuscles.load.RunLoad`, or the same
analysis as plain data (``RunLoad.to_dict()``, as the history stores it, with its ``plan``,
``stride`` and ``elevation``).

What is shown, and how it is derived (nothing here adds physics):

* Groups: concentric/eccentric work J as computed; names from the catalogue. Terrain values are
  work per kilometre on that terrain (J/km = work on the terrain / its analysed distance), so a
  short climb and a long flat compare fairly; ``vs_flat`` as the analysis gives it (one ratio, or
  concentric and eccentric separately).
* Tendons: peak force in body weights as computed; impulse in kN s, per kilometre on each terrain
  in kN s/km: the unit of the plan's reasons, so one quantity has one unit everywhere.
* Profile: segments in order along the moving distance; elevation absolute from the stored
  smoothed profile (relative to the start, the sum of grade x distance, when there is none);
  walked or standing stretches are marked as excluded.
* Plan: at most :data:`PLAN_ITEMS` items. The analysis' own ``advice`` list when it has one,
  else the plan's items ranked: a hill-related weak link first, then a group clearly harder than
  on the flat, then the most loaded groups; one item per group. The warm-up goes with them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from runmuscles.errors import InputError
from runmuscles.report.data import (
    TERRAINS,
    AdviceItem,
    Comparison,
    Elevation,
    GroupLoad,
    ProfileSegment,
    ReportData,
    SourceRef,
    TendonLoad,
)
from runmuscles.units import MINUTE, format_pace

__all__ = ["PLAN_ITEMS", "choose_plan_items", "report_data"]

#: Most plan items a report lists.
PLAN_ITEMS = 3
_TOPIC_RANK = {"harder_than_flat": 1, "most_loaded": 2}


def _name(catalogue: Any, gid: str) -> str:
    try:
        return str(catalogue.group(gid).name)
    except Exception:  # an id the catalogue lacks: show the id readably
        return gid.replace("_", " ")


def _per_km(total: Mapping[str, float], dist: Mapping[str, float], scale: float = 1.0) -> Any:
    return {
        t: float(total.get(t, 0.0)) * scale / (dist[t] / 1000.0)
        for t in TERRAINS
        if dist.get(t, 0.0) > 0.0
    }


def _summary(d: Mapping[str, Any], total_work_j: float) -> list[tuple[str, str]]:
    a = d.get("activity", {})
    rows: list[tuple[str, str]] = []
    if d.get("headline"):
        rows.append(("In short", str(d["headline"])[:1].upper() + str(d["headline"])[1:] + "."))
    if a.get("start_time"):
        rows.append(("Start", str(a["start_time"]).replace("T", " ")[:16] + " UTC"))
    dist = float(a.get("distance_m") or 0.0)
    rows.append(("Distance", f"{dist / 1000:.2f} km"))
    moving = float(a.get("moving_time_s") or 0.0)
    if moving > 0:
        rows.append(("Moving time", f"{moving / MINUTE:.1f} min"))
        if dist > 0:
            rows.append(("Average pace", format_pace(dist / moving)))
    if a.get("ascent_m") is not None:
        up, down = a["ascent_m"], a.get("descent_m") or 0.0
        rows.append(("Climb / descent", f"+{up:.0f} m / -{down:.0f} m"))
    td = d.get("terrain", {}).get("distance_m", {})
    split = ", ".join(f"{t} {float(td.get(t, 0.0)) / 1000:.2f} km" for t in TERRAINS)
    walked = float(td.get("excluded", 0.0))
    rows.append(
        (
            "Terrain",
            split
            + (
                f"; walked or standing {walked / 1000:.2f} km (not in the loads)"
                if walked > 0
                else ""
            ),
        )
    )
    cov = d.get("coverage")
    if isinstance(cov, Mapping) and cov.get("distance_km"):
        rows.append(
            (
                "Analysed",
                f"{float(cov.get('computed_km') or 0):.2f} of {float(cov['distance_km']):.2f} km "
                f"({100 * float(cov.get('computed_share') or 0):.0f} %)"
                + (
                    f"; {float(cov['clipped_km']):.2f} km looked up at the table's edge"
                    if float(cov.get("clipped_km") or 0) > 0
                    else ""
                ),
            )
        )
    rows.append(("Muscle work", f"{total_work_j / 1000:.0f} kJ (all groups, both legs)"))
    body = d.get("body", {})
    if body:
        rows.append(("Body", f"{float(body['mass_kg']):.0f} kg, {float(body['height_m']):.2f} m"))
    if a.get("device"):
        rows.append(("Device", str(a["device"])))
    return rows


def _profile(
    segments: Sequence[Mapping[str, Any]], elevation: Elevation | None
) -> list[ProfileSegment]:
    segs: list[ProfileSegment] = []
    d = elev = 0.0
    if elevation is not None:
        dd, zz = np.asarray(elevation.distance_m), np.asarray(elevation.elevation_m)

        def z_at(x: float) -> float:
            return float(np.interp(x, dd, zz))

    for s in segments:
        dist = float(s.get("distance_m") or 0.0)
        if dist <= 0:
            continue
        grade = float(s.get("grade") or 0.0)
        excluded = s.get("terrain") == "excluded"
        work = {g: w for g, w in (s.get("work_j") or {}).items() if w and w > 0}
        dom = "" if excluded or not work else max(work, key=work.__getitem__)
        if elevation is not None:
            e0, e1 = z_at(d), z_at(d + dist)
        else:
            e0, e1 = elev, elev + grade * dist
        speed = s.get("speed_m_s")
        segs.append(
            ProfileSegment(
                d,
                d + dist,
                e0,
                e1,
                grade,
                dom,
                float(speed) if speed is not None else None,
                excluded,
            )
        )
        d, elev = d + dist, elev + grade * dist
    return segs


def choose_plan_items(
    items: Sequence[Mapping[str, Any]], n: int = PLAN_ITEMS
) -> list[Mapping[str, Any]]:
    """At most ``n`` items, one per group, ranked as the module docstring says."""

    def rank(item: Mapping[str, Any]) -> int:
        topics = list(item.get("topics") or [])
        return min((_TOPIC_RANK.get(t, 0) for t in topics), default=3)

    order = sorted(enumerate(items), key=lambda p: (rank(p[1]), p[0]))
    chosen: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    for _, item in order:
        groups = set(item.get("groups") or [])
        if groups & seen:
            continue
        chosen.append(item)
        seen |= groups
        if len(chosen) == n:
            break
    return chosen


def _advice(load: Mapping[str, Any]) -> tuple[list[AdviceItem], list[SourceRef], list[str]]:
    plan = load.get("plan") or {}
    raw = load.get("advice") if isinstance(load.get("advice"), list) else None
    picked = raw[:PLAN_ITEMS] if raw is not None else choose_plan_items(plan.get("items", []))
    items = []
    for i in picked:
        reasons = i.get("reasons") or ([i["reason"]] if i.get("reason") else [])
        items.append(
            AdviceItem(
                kind=i.get("kind", "strength")
                if i.get("kind") in ("strength", "stretch")
                else "strength",
                title=str(i.get("name") or i.get("title") or i.get("exercise") or "exercise"),
                text=" ".join(str(r).rstrip(".") + "." for r in reasons),
                dosage=str(i.get("dosage", "")),
                groups=tuple(i.get("groups") or ()),
                sources=tuple(i.get("sources") or ()),
            )
        )
    w = plan.get("warmup") or {}
    summary = w.get("summary") or {}
    if summary.get("text"):
        minimum = float(w.get("minimum_easy_running_s", 300))
        items.append(
            AdviceItem(
                "warmup",
                "Warm up first",
                str(summary["text"]),
                f"at least {minimum / MINUTE:.0f} min easy running",
                sources=tuple(summary.get("sources", ())),
            )
        )
    cited = {k for a in items for k in a.sources}
    sources = [SourceRef(s["key"], s["citation"]) for s in plan.get("sources", ())]
    notes = [str(n["text"]) for n in plan.get("notes", ())]
    cited |= {k for n in plan.get("notes", ()) for k in n.get("sources", ())}
    sources = [s for s in sources if s.key in cited]
    known = {s.key for s in sources}
    items = [
        AdviceItem(
            a.kind, a.title, a.text, a.dosage, a.groups, tuple(k for k in a.sources if k in known)
        )
        for a in items
    ]
    return items, sources, notes


def _vs_flat(value: Any) -> tuple[float | None, dict[str, float]]:
    if isinstance(value, Mapping):
        kinds = {k: float(v) for k, v in value.items() if isinstance(v, int | float)}
        return None, kinds
    return (float(value) if isinstance(value, int | float) else None), {}


def report_data(
    run: Any,
    *,
    cycle: Any = None,
    plan: Any = None,
    catalogue: Any = None,
    title: str | None = None,
    comparison: Comparison | None = None,
) -> ReportData:
    """A :class:`ReportData` for a run analysis.

    :run: a :class:`~runmuscles.load.RunLoad`, a ``RunReport`` (:func:`runmuscles.analyze_run`),
        or their plain-data form (``to_dict()``, possibly with ``plan``, ``stride`` and
        ``elevation`` as the history stores them).
    :cycle: a GaitCycle of the run's typical stride for the stride section (optional).
    :plan: an :class:`~runmuscles.advice.Plan` (default: the stored one, or ``advice.plan``).
    :catalogue: the anatomy catalogue (default: ``load_catalogue()``).
    :title: page title (default from the run's date and distance).
    :comparison: this run against the runner's recent weeks (web app).
    """
    if isinstance(run, Mapping):
        load: dict[str, Any] = dict(run)
    elif hasattr(run, "to_dict") and hasattr(run, "load") and hasattr(run, "plan"):
        load = dict(run.to_dict())  # a RunReport from runmuscles.analyze_run
        load.setdefault("plan", run.plan.to_dict())
    elif hasattr(run, "to_dict") and hasattr(run, "muscles"):
        load = dict(run.to_dict())
        if plan is None and "plan" not in load:
            from runmuscles.advice import plan as make_plan

            plan = make_plan(run, catalogue)
    else:
        raise InputError(f"a report needs a RunLoad or its to_dict(), not {type(run).__name__}")
    if plan is not None:
        load["plan"] = plan.to_dict() if hasattr(plan, "to_dict") else dict(plan)
    if "muscles" not in load or "segments" not in load:
        raise InputError("the run data has no 'muscles' or 'segments': not a run analysis")
    if catalogue is None:
        from runmuscles.anatomy import load_catalogue

        catalogue = load_catalogue()
    td = load.get("terrain", {}).get("distance_m", {})
    groups = []
    for g in load["muscles"]:
        ratio, kinds = _vs_flat(g.get("vs_flat"))
        if ratio is None and isinstance(g.get("vs_flat_total"), int | float):
            ratio = float(g["vs_flat_total"])
        unresolved = g.get("resolved", True) is False
        note = f"{float(g.get('cycles', 0)):.0f} strides; peak force " + (
            f"{float(g.get('peak_force_n', 0)):.0f} N"
        )
        if unresolved:
            note += ". " + str(g.get("resolved_note") or "not resolved by the model")
        groups.append(
            GroupLoad(
                id=g["group"],
                name=_name(catalogue, g["group"]),
                concentric_j=float(g["concentric_work_j"]),
                eccentric_j=float(g["eccentric_work_j"]),
                by_terrain=_per_km(g.get("by_terrain", {}), td),
                vs_flat=None if unresolved else ratio,
                vs_flat_by_kind={} if unresolved else kinds,
                note=note,
            )
        )
    tendons = []
    for t in load.get("tendons", []):
        ratio, kinds = _vs_flat(t.get("vs_flat"))
        if isinstance(t.get("vs_flat_impulse"), int | float):
            ratio = float(t["vs_flat_impulse"])
        elif ratio is None and "impulse" in kinds:
            ratio = kinds["impulse"]
        if t.get("resolved", True) is False:
            ratio = None
        tendons.append(
            TendonLoad(
                id=t["tendon"],
                name=_name(catalogue, t["tendon"]),
                peak_bw=t.get("peak_force_bw"),
                by_terrain=_per_km(t.get("by_terrain", {}), td, 1e-3),
                vs_flat=ratio,
                note=f"{float(t.get('cycles', 0)):.0f} loading cycles per leg, total impulse "
                f"{float(t.get('impulse_ns', 0)) / 1000:.0f} kN s.",
            )
        )
    items, sources, notes = _advice(load)
    warnings: list[str] = []
    if load.get("example"):
        warnings.append(str(load["example"]))
    warnings += [str(w) for w in load.get("warnings", ())]
    label = ""
    if cycle is not None:
        c = cycle.condition
        label = f"{c['speed_m_s']:.2f} m/s, grade {100 * c['grade']:+.1f} %"
    elev = load.get("elevation")
    elevation = None
    if isinstance(elev, Mapping) and len(elev.get("distance_m") or ()) >= 2:
        elevation = Elevation(elev["distance_m"], elev["elevation_m"])
    act = load.get("activity", {})
    dist = float(act.get("distance_m") or 0.0)
    day = str(act.get("start_time") or "")[:10]
    from runmuscles import __version__

    table: Mapping[str, Any] = load.get("table", {})
    model = str(table.get("name") or table.get("model") or table.get("kind") or "")
    footer = f"runmuscles {__version__}" + (f"; loads from {model}" if model else "")
    footer += f"; drawn {_dt.date.today().isoformat()}"
    total = sum(g.total_j for g in groups)
    return ReportData(
        title=title or f"Your run{' of ' + day if day else ''}: {dist / 1000:.1f} km",
        summary=_summary(load, total),
        groups=groups,
        segments=_profile(load["segments"], elevation),
        tendons=tendons,
        advice=items,
        sources=list({s.key: s for s in sources}.values()),
        warnings=warnings,
        advice_notes=notes,
        terrain_unit="J/km",
        tendon_unit="kN s/km",
        cycle=cycle,
        cycle_label=label,
        footer=footer,
        headline=str(load.get("headline", "")),
        stride=load.get("stride") if isinstance(load.get("stride"), Mapping) else None,
        elevation=elevation,
        comparison=comparison,
    )
