"""This run against the runner's own recent weeks (the 28 days before it): per muscle group,
concentric and eccentric work per kilometre, and the distance against the weeks' runs.

Per km of ANALYSED distance for both sides (the distance the analysis computed loads for, walking
and standing left out: this run's work / its analysed distance; the weeks' summed work / their
summed analysed distance), so a long run and a short one, or one with walking breaks, compare
fairly. Sentences
name the largest changes of at least :data:`NOTABLE` (10 %) among groups that did at least
:data:`MIN_SHARE` (5 %) of this run's work; groups the model does not resolve (``resolved``
false in the analysis) are never named. The numbers are the model's, for the same body.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from runmuscles.report.data import Comparison, ComparisonRow

__all__ = ["MIN_SHARE", "NOTABLE", "WINDOW_DAYS", "comparison_from_history"]

WINDOW_DAYS = 28
NOTABLE = 0.10
MIN_SHARE = 0.05


def _label(gid: str, labels: Mapping[str, str]) -> str:
    return labels.get(gid, gid.replace("_", " ")).lower()


def comparison_from_history(
    load: Mapping[str, Any],
    others: Sequence[Mapping[str, Any]],
    rows: Sequence[tuple[int, _dt.datetime, str, float, float]],
    *,
    since: _dt.datetime,
    until: _dt.datetime,
    labels: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare ``load`` (a stored analysis) with the runs ``others`` (summaries with
    ``distance_m``) and their per-group ``rows`` (run id, start, group, concentric J, eccentric
    J) from the window ``since``..``until``."""
    if labels is None:
        from runmuscles.anatomy import load_catalogue

        try:
            labels = {g.id: str(g.name) for g in load_catalogue().groups}
        except Exception:
            labels = {}
    from runmuscles.store.db import analysed_m

    dist_km = analysed_m(load) / 1000
    ids = {int(o["id"]) for o in others}
    km = [float(o.get("analysed_m", o.get("distance_m")) or 0.0) / 1000 for o in others]
    recent_km = sum(km)
    conc: dict[str, float] = {}
    ecc: dict[str, float] = {}
    for rid, _, g, c, e in rows:
        if rid in ids:
            conc[g] = conc.get(g, 0.0) + c
            ecc[g] = ecc.get(g, 0.0) + e
    muscles = load.get("muscles", [])
    total = sum(float(m["concentric_work_j"]) + float(m["eccentric_work_j"]) for m in muscles)
    out_rows = []
    notable: list[tuple[float, str]] = []
    for m in muscles:
        g = str(m["group"])
        if dist_km <= 0 or recent_km <= 0:
            break
        if m.get("resolved", True) is False:
            continue  # the model does not resolve it: no comparison is built on it
        row = ComparisonRow(
            g,
            labels.get(g, g.replace("_", " ")),
            float(m["concentric_work_j"]) / dist_km,
            float(m["eccentric_work_j"]) / dist_km,
            conc.get(g, 0.0) / recent_km,
            ecc.get(g, 0.0) / recent_km,
        )
        out_rows.append(row)
        share = (
            (float(m["concentric_work_j"]) + float(m["eccentric_work_j"])) / total if total else 0
        )
        if share < MIN_SHARE:
            continue
        for kind, change in (
            ("eccentric", row.eccentric_change),
            ("concentric", row.concentric_change),
        ):
            if change is not None and abs(change) >= NOTABLE:
                word = "more" if change > 0 else "less"
                notable.append(
                    (
                        abs(change),
                        f"{kind} work of your {_label(g, labels)} per km: "
                        f"{abs(change):.0%} {word} than in your last 4 weeks",
                    )
                )
    sentences = [s for _, s in sorted(notable, key=lambda p: -p[0])[:3]]
    longest = max(km, default=0.0)
    if others and dist_km > longest > 0:
        sentences.insert(
            0,
            f"your longest run of the last 4 weeks: {dist_km:.1f} km against "
            f"{longest:.1f} km before",
        )
    if others and not notable and dist_km > 0:
        sentences.append("per km, every muscle group worked within 10 % of your last 4 weeks")
    return Comparison(
        since=since.date().isoformat(),
        until=until.date().isoformat(),
        runs=len(others),
        km_per_week=recent_km / (WINDOW_DAYS / 7),
        run_km=dist_km,
        longest_km=longest,
        rows=out_rows,
        sentences=sentences,
    )
