"""From a run analysis (:class:`runmuscles.load.RunLoad` and its advice plan) to a ReportData.

What is shown, and how it is derived (nothing here adds physics):

* Groups: concentric/eccentric work J as computed; names from the catalogue. Terrain values are
  work per kilometre on that terrain (J/km = work on the terrain / its included distance), so a
  short climb and a long flat compare fairly; ``vs_flat`` is RunLoad's whole-run ratio.
* Tendons: peak force in body weights as computed; impulse per kilometre on each terrain in body
  weight seconds (BW s/km = N s / (mass g) / km).
* Profile: RunLoad segments carry distance and grade but no absolute elevation, so the elevation
  drawn is relative to the start, the sum of grade x distance (grade = rise/run). The group with
  the most work in each included segment is marked.
* Advice: :func:`runmuscles.advice.plan` items (strength and stretch, with their reasons), the
  catalogue warm-up steps and the routine notes; sources are the plan's.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from runmuscles.errors import InputError
from runmuscles.report.data import (
    TERRAINS,
    AdviceItem,
    GroupLoad,
    ProfileSegment,
    ReportData,
    SourceRef,
    TendonLoad,
)
from runmuscles.units import MINUTE, G, format_pace

__all__ = ["report_data"]


def _name(catalogue: Any, gid: str) -> str:
    try:
        return str(catalogue.group(gid).name)
    except Exception:  # an id the catalogue lacks: show the id readably
        return gid.replace("_", " ")


def _per_km(total: Mapping[str, float], dist: Mapping[str, float], scale: float = 1.0) -> Any:
    return {
        t: total.get(t, 0.0) * scale / (dist[t] / 1000.0)
        for t in TERRAINS
        if dist.get(t, 0.0) > 0.0
    }


def _summary(run: Any) -> list[tuple[str, str]]:
    a = run.activity
    rows: list[tuple[str, str]] = [("In short", str(run.headline).capitalize() + ".")]
    if a.get("start_time"):
        rows.append(("Start", str(a["start_time"]).replace("T", " ")[:16]))
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
    td = run.terrain_distance_m
    split = ", ".join(f"{t} {td.get(t, 0.0) / 1000:.2f} km" for t in (*TERRAINS, "excluded"))
    rows.append(("Terrain", split))
    rows.append(("Muscle work", f"{run.total_work_j / 1000:.0f} kJ (all groups, both legs)"))
    rows.append(("Body", f"{run.mass_kg:.0f} kg, {run.height_m:.2f} m"))
    if a.get("device"):
        rows.append(("Device", str(a["device"])))
    return rows


def _profile(run: Any) -> list[ProfileSegment]:
    segs: list[ProfileSegment] = []
    d = elev = 0.0
    for s in run.segments:
        if s.distance_m <= 0:
            continue
        rise = s.grade * s.distance_m
        work = {g: w for g, w in s.work_j.items() if w > 0} if s.included else {}
        dom = max(work, key=work.__getitem__) if work else ""
        segs.append(
            ProfileSegment(d, d + s.distance_m, elev, elev + rise, s.grade, dom, s.speed_m_s)
        )
        d, elev = d + s.distance_m, elev + rise
    return segs


def _advice(plan: Any) -> tuple[list[AdviceItem], list[SourceRef], list[str]]:
    items = [
        AdviceItem(
            kind=i.kind,
            title=i.name,
            text=" ".join(r.rstrip(".") + "." for r in i.reasons),
            dosage=i.dosage,
            groups=tuple(i.groups),
            sources=tuple(i.sources),
        )
        for i in plan.items
    ]
    w = plan.warmup
    summary = w.get("summary", {})
    if summary.get("text"):
        items.append(
            AdviceItem(
                "warmup",
                "Warm up first",
                summary["text"],
                f"at least {w.get('minimum_easy_running_s', 300) / MINUTE:.0f} min easy running",
                sources=tuple(summary.get("sources", ())),
            )
        )
    for step in w.get("steps", ()):
        items.append(
            AdviceItem(
                "warmup",
                step["name"],
                step.get("text", ""),
                f"{step['duration_s'] / MINUTE:.0f} min" if step.get("duration_s") else "",
                sources=tuple(step.get("sources", ())),
            )
        )
    sources = [SourceRef(s["key"], s["citation"]) for s in plan.sources]
    notes = [n["text"] for n in plan.notes]
    return items, sources, notes


def report_data(
    run: Any,
    *,
    cycle: Any = None,
    plan: Any = None,
    catalogue: Any = None,
    title: str | None = None,
) -> ReportData:
    """A :class:`ReportData` for a :class:`~runmuscles.load.RunLoad`.

    Args:
        run: the RunLoad.
        cycle: a GaitCycle of the run's typical stride for the stride section (optional).
        plan: an :class:`~runmuscles.advice.Plan` (default: ``advice.plan(run)``).
        catalogue: the anatomy catalogue (default: ``load_catalogue()``).
        title: page title (default from the run's date and distance).
    """
    if not hasattr(run, "muscles") or not hasattr(run, "segments"):
        raise InputError(f"a report needs a RunLoad or a ReportData, not {type(run).__name__}")
    if catalogue is None:
        from runmuscles.anatomy import load_catalogue

        catalogue = load_catalogue()
    if plan is None:
        from runmuscles.advice import plan as make_plan

        plan = make_plan(run, catalogue)
    td = run.terrain_distance_m
    groups = [
        GroupLoad(
            id=g.group,
            name=_name(catalogue, g.group),
            concentric_j=g.concentric_work_j,
            eccentric_j=g.eccentric_work_j,
            by_terrain=_per_km(g.by_terrain, td),
            vs_flat=g.vs_flat,
            note=f"{g.cycles:.0f} strides; peak force {g.peak_force_n:.0f} N",
        )
        for g in run.muscles
    ]
    bw = run.mass_kg * G
    tendons = [
        TendonLoad(
            id=t.tendon,
            name=_name(catalogue, t.tendon),
            peak_bw=t.peak_force_bw,
            by_terrain=_per_km(t.by_terrain, td, 1.0 / bw),
            vs_flat=t.vs_flat,
            note=f"{t.cycles:.0f} loading cycles per leg, total impulse "
            f"{t.impulse_ns / bw:.0f} body-weight seconds.",
        )
        for t in run.tendons
    ]
    items, sources, notes = _advice(plan)
    warnings: list[str] = []
    if getattr(run, "example", ""):
        warnings.append(str(run.example))
    warnings += [str(w) for w in run.warnings]
    label = ""
    if cycle is not None:
        c = cycle.condition
        label = f"{c['speed_m_s']:.2f} m/s, grade {100 * c['grade']:+.1f} %"
    dist = float(run.activity.get("distance_m") or 0.0)
    day = str(run.activity.get("start_time") or "")[:10]
    from runmuscles import __version__

    table: Mapping[str, Any] = run.table
    model = str(table.get("name") or table.get("model") or table.get("kind") or "")
    footer = f"runmuscles {__version__}" + (f"; loads from {model}" if model else "")
    footer += f"; written {_dt.date.today().isoformat()}"
    return ReportData(
        title=title or f"Your run{' of ' + day if day else ''}: {dist / 1000:.1f} km",
        summary=_summary(run),
        groups=groups,
        segments=_profile(run),
        tendons=tendons,
        advice=items,
        sources=_dedupe(sources),
        warnings=warnings,
        advice_notes=notes,
        terrain_unit="J/km",
        tendon_unit="BW s/km",
        cycle=cycle,
        cycle_label=label,
        footer=footer,
    )


def _dedupe(sources: Sequence[SourceRef]) -> list[SourceRef]:
    return list({s.key: s for s in sources}.values())
