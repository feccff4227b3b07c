"""Findings: the real changes of a run against a flat run of the same distance and pace.

A finding compares one resolved muscle group's concentric OR eccentric work (or one tendon's
impulse) with the flat run, over one scope: the whole run, its climbs or its descents. Keeping
concentric and eccentric apart matters on a loop: descents raise the quadriceps' eccentric work
while climbs lower it, so their total can read "about as much as a flat run" while the descents
alone changed a lot.

A change counts as real (all of these; the thresholds are this program's choices, labelled):

* the group is resolved by the model (``GroupLoad.resolved``; a tendon follows its muscles);
* it did at least :data:`MIN_SHARE` of the work of that kind over the scope (a group doing
  little of it can swing by large percentages on a few joules);
* the scope covers at least :data:`MIN_SCOPE_M` and :data:`MIN_SCOPE_SHARE` of the computed
  distance (the whole run always counts);
* the ratio differs from 1 by at least :data:`runmuscles.load.SAME_AS_FLAT` (grade from a GPS
  track is uncertain by about 1 %, which moves hill loads by a few percent).

Findings are ranked by the size of the change against the run's total work of that kind
(``|run - flat| / total``, so a large percentage on a short stretch does not outrank a smaller
one over many kilometres), a fall counting half as much as a rise of the same size
(:data:`FALL_WEIGHT`: a rise is what the runner must recover from, so on a loop "descents raised
the quadriceps' eccentric work" leads rather than "climbs cut it"); muscle findings come before
tendon findings. The headline is the first finding, followed by what the computation covered.
"""

from __future__ import annotations

from runmuscles.load.result import KINDS, Coverage, Finding, RunLoad, km_ranges

__all__ = [
    "MIN_SCOPE_M",
    "MIN_SCOPE_SHARE",
    "MIN_SHARE",
    "SAME_AS_FLAT",
    "Finding",
    "find",
    "headline",
]

#: Work ratios vs flat within this of 1 read "about as much as a flat run" (this program's choice).
SAME_AS_FLAT = 0.03
#: A group must do at least this share of the work of a kind over a scope to be a finding.
MIN_SHARE = 0.05
#: A climbs or descents scope must cover at least this distance, m ...
MIN_SCOPE_M = 300.0
#: ... and this share of the computed distance.
MIN_SCOPE_SHARE = 0.10
#: Weight of a fall in load against a rise of the same size in the ranking (this program's choice).
FALL_WEIGHT = 0.5
#: Scope -> the words used in a finding.
SCOPE_WORDS = {"run": "this run", "uphill": "climbs", "downhill": "descents"}


def _name(subject: str) -> str:
    return subject.replace("_", " ")


def _sentence(subject: str, kind: str, scope: str, r: float) -> str:
    pct = round(abs(r - 1.0) * 100)
    what = (
        f"{_name(subject)} {kind} work" if kind != "impulse" else f"{_name(subject)} load (impulse)"
    )
    verb = "raised" if r > 1 else "cut"
    prep = "over" if r > 1 else "below"
    same = "the same distance and pace" if scope == "run" else "the same pace"
    return f"{SCOPE_WORDS[scope]} {verb} your {what} {pct} % {prep} a flat run of {same}"


def find(run: RunLoad) -> tuple[Finding, ...]:
    """Every real change of ``run`` against its flat run, largest first (module docstring)."""
    computed = run.computed_m
    if computed <= 0 or not run.muscles:
        return ()
    scopes: dict[str, float] = {"run": computed}
    for t in ("uphill", "downhill"):
        d = float(run.terrain_distance_m.get(t, 0.0))
        if d >= MIN_SCOPE_M and d >= MIN_SCOPE_SHARE * computed and d < 0.99 * computed:
            scopes[t] = d
    clipped = {scope: 0.0 for scope in scopes}
    for s in run.segments:
        if s.included and s.clipped:
            clipped["run"] += s.distance_m
            if s.terrain in clipped:
                clipped[s.terrain] += s.distance_m
    resolved = [g for g in run.muscles if g.resolved]
    out: list[Finding] = []
    for kind in KINDS:
        run_total = sum(g.work(kind) for g in resolved)
        if run_total <= 0:
            continue
        for scope, dist in scopes.items():
            terrain = None if scope == "run" else scope
            scope_total = sum(g.work(kind, terrain) for g in resolved)
            for g in resolved:
                a, b = g.work(kind, terrain), g.work(kind, terrain, flat=True)
                if b <= 0 or scope_total <= 0 or a < MIN_SHARE * scope_total:
                    continue
                r = a / b
                if abs(r - 1.0) < SAME_AS_FLAT:
                    continue
                out.append(
                    Finding(
                        subject=g.group, kind=kind, scope=scope, ratio=r, run_value=a,
                        flat_value=b, per_km=a / (dist / 1000.0), flat_per_km=b / (dist / 1000.0),
                        distance_m=dist, clipped_share=clipped[scope] / dist,
                        score=abs(a - b) / run_total * (1.0 if a > b else FALL_WEIGHT),
                        text=_sentence(g.group, kind, scope, r),
                    )
                )  # fmt: skip
    muscle_findings = sorted(out, key=lambda f: -f.score)
    tendon_findings: list[Finding] = []
    for tl in run.tendons:
        if not tl.resolved or tl.impulse_ns <= 0:
            continue
        for scope, dist in scopes.items():
            a = tl.impulse_ns if scope == "run" else float(tl.by_terrain.get(scope, 0.0))
            b = tl.flat_impulse_ns if scope == "run" else float(tl.flat_by_terrain.get(scope, 0.0))
            if b <= 0 or abs(a / b - 1.0) < SAME_AS_FLAT:
                continue
            tendon_findings.append(
                Finding(
                    subject=tl.tendon, kind="impulse", scope=scope, ratio=a / b, run_value=a,
                    flat_value=b, per_km=a / (dist / 1000.0), flat_per_km=b / (dist / 1000.0),
                    distance_m=dist, clipped_share=clipped[scope] / dist,
                    score=abs(a - b) / tl.impulse_ns * (1.0 if a > b else FALL_WEIGHT),
                    text=_sentence(tl.tendon, "impulse", scope, a / b),
                )
            )  # fmt: skip
    tendon_findings.sort(key=lambda f: -f.score)
    return (*muscle_findings, *tendon_findings)


def _coverage_clause(c: Coverage | None) -> str:
    """What the numbers cover, for the headline ('' when everything was computed as measured)."""
    if c is None or c.distance_m <= 0:
        return ""
    parts = []
    share = c.computed_share
    if share < 0.995:
        why = []
        if c.walked_m > 0:
            why.append(f"{_len(c.walked_m)} walked not computed: no walking strides in this atlas")
        if c.lost_m > 0:
            why.append(f"{_len(c.lost_m)} lost: the file is damaged")
        if c.not_solved_m > 0:
            why.append(
                f"{_len(c.not_solved_m)} not computed (km {km_ranges(c.not_solved_km)}): "
                + "; ".join(c.not_solved_why)
            )
        rest = c.dropped_m - c.lost_m
        if rest >= 0.005 * c.distance_m and rest >= 10.0:
            why.append(f"{_len(rest)} standing, stopped or too short to time")
        parts.append(
            f"computed on {share * 100:.0f} % of the distance"
            + (f" ({'; '.join(why)})" if why else "")
        )
    if c.clipped_m > 0:
        edges = []
        (v0, v1), (g0, g1) = c.speed_range, c.grade_range
        if c.clipped_by.get("slower", 0) > 0:
            edges.append(f"{_len(c.clipped_by['slower'])} slower than {v0:.1f} m/s")
        if c.clipped_by.get("faster", 0) > 0:
            edges.append(f"{_len(c.clipped_by['faster'])} faster than {v1:.1f} m/s")
        if c.clipped_by.get("steeper", 0) > 0:
            edges.append(
                f"{_len(c.clipped_by['steeper'])} steeper than {g0 * 100:+.0f}..{g1 * 100:+.0f} %"
            )
        share_clipped = c.clipped_m / max(c.computed_m, 1e-9)
        parts.append(
            f"{share_clipped * 100:.0f} % of the computed distance looked up at the atlas's edge "
            f"({', '.join(edges)})"
        )
    return "; ".join(parts)


def _len(m: float) -> str:
    """A distance for a sentence: metres under 1 km, else km with one decimal."""
    return f"{m:.0f} m" if m < 950.0 else f"{m / 1000:.1f} km"


def headline(run: RunLoad) -> str:
    """One sentence: the largest real change and what the numbers cover."""
    c = run.coverage
    if run.computed_m <= 0 or run.total_work_j <= 0:
        why = ""
        if c is not None and c.walked_m > 0:
            why = f": {_len(c.walked_m)} walked, and this atlas has no walking strides"
        elif c is not None and c.not_solved_m > 0:
            why = f": {'; '.join(c.not_solved_why)}"
        return (
            f"no part of this run could be computed, so there is no comparison with a flat run{why}"
        )
    found = find(run)
    if found:
        lead = found[0].text
    else:
        lead = (
            "this run loaded your muscles about as much as a flat run of the same distance and "
            f"pace (no concentric or eccentric change of {SAME_AS_FLAT * 100:.0f} % or more)"
        )
    clause = _coverage_clause(c)
    return f"{lead}; {clause}" if clause else lead
