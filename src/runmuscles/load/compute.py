"""The computation: segments x condition table -> :class:`~runmuscles.load.result.RunLoad`.

Method (SI units throughout; :func:`of_run`):

1. **Gait.** Each segment is running or walking (``Segment.gait`` from the segmentation, else
   :func:`runmuscles.gait.classify` from its speed, grade and cadence).
2. **Per-stride picture.** The table (the muscle atlas, :mod:`runmuscles.load.table`) gives, at
   each segment's speed, grade and gait, per-stride quantities for both legs: concentric and
   eccentric work (J), force impulse (N s), peak force (N) and metabolic energy (J) per group;
   Achilles and patellar tendon peak force (N, the larger leg) and impulse (N s, both legs);
   stride time (s). A gait the table has no strides for is not computed: its distance is
   reported as walked ("not computed (no walking strides in this atlas)").
3. **Edges, never extrapolated.** A table with ``prepare`` (the atlas) is asked for every
   condition as measured: it looks it up, solves it on demand, or says why not; a segment it
   cannot answer is not computed, and the warning, the coverage (``not_solved_m``, the
   kilometres) and the headline say which kilometres and why. Nothing is clipped. A table
   without ``prepare`` (a format-1 atlas, a test table) has speeds and grades outside its grid
   looked up at its edge (clipped), with a warning naming the distance affected; the coverage
   counts it as clipped and the headline says so.
4. **Body mass.** The table is for a body of ``table.mass_kg``. Works, impulses, forces and
   energies are taken as proportional to body mass at equal speed and grade (ground reaction
   forces of running scale with body weight: peak vertical GRF 2.2-2.9 BW whatever the runner's
   size, Keller et al. 1996, Clin Biomech 11:253), so each is multiplied by
   ``mass / table.mass_kg``. Height is NOT rescaled: a warning says so when the runner's height
   differs from the table's by more than :data:`HEIGHT_TOLERANCE`.
5. **Strides.** Per segment from the recorded cadence when the segment has it (dropouts left
   out, ``runmuscles.activity``), else ``duration / stride_time(speed, grade)`` from the table.
   Loading cycles of a group or tendon are strides (each stride loads it once in each leg).
6. **Totals.** Work, impulse and energy: sum over segments of strides x per-stride value; peak
   force: the largest per-stride peak over the segments; peak tendon force also in body weights.
7. **Terrain.** Uphill at grade >= +2 %, downhill <= -2 %, flat in between
   (:data:`runmuscles.conventions.FLAT_GRADE`).
8. **Versus flat.** The same segments at the same speed, gait and duration (same distance and
   pace) on grade 0. The flat strides keep the runner's own cadence offset: ``strides x
   stride_time(v, g) / stride_time(v, 0)``. Concentric and eccentric work are compared
   separately (a loop's climbs and descents do not cancel out), per group, per terrain, per
   kilometre and per run; a tendon by its impulse and by its muscle-tendon unit's work.
9. **Resolved.** A group the model does not resolve (the table's ``"resolved"`` is 0 in any
   computed segment) gets no ratio and no finding. Until the atlas carries ``"resolved"``, the arm
   groups (:data:`ARM_GROUPS`) are treated as unresolved when they do less than
   :data:`ARM_RESOLVED_SHARE` of the run's work: the sagittal model barely loads them, and what
   it gives is floor noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from runmuscles.conventions import ARM_GROUPS, TERRAINS
from runmuscles.cycle.gaitcycle import CROUCH_LIMIT_DEG, stance_peak_deg
from runmuscles.gait import classify
from runmuscles.load.body import check_body
from runmuscles.load.findings import find, headline
from runmuscles.load.result import (
    Coverage,
    GroupLoad,
    KilometreLoad,
    RunLoad,
    SegmentLoad,
    TendonLoad,
    frozen,
    km_ranges,
    ratio,
    terrain_of,
)
from runmuscles.load.table import (
    GROUP_KEYS,
    MASS_SCALED,
    SCALAR_KEYS,
    TENDON_GROUPS,
    TENDONS,
    ConditionTable,
    GaitView,
)
from runmuscles.units import MINUTE, G

if TYPE_CHECKING:
    from runmuscles.activity import Segment
    from runmuscles.io.track import Activity

__all__ = [
    "ARM_GROUPS",
    "ARM_RESOLVED_SHARE",
    "CROUCH_CAVEAT",
    "CROUCH_LIMIT_DEG",
    "DESCENT_CAVEAT",
    "HEIGHT_TOLERANCE",
    "of_run",
]

FloatArray = NDArray[np.float64]

#: Runner's height may differ from the table's by this fraction before a warning (no rescaling).
HEIGHT_TOLERANCE = 0.10
#: An arm group doing less than this share of the run's work is treated as unresolved.
ARM_RESOLVED_SHARE = 0.01
#: Said of every run with descents costed by the predictive engine. Measured on the shipped
#: strides (runmuscles engine, contact diagnostics of ``GaitCycle.provenance["contact_sliding"]``):
#: at 3.5 m/s and -10 % the feet's contact dissipates 1.4 J/kg per stride against 3.7 J/kg of
#: eccentric muscle work, at 3.0 m/s and -20 % 3.5 against 1.4 J/kg; charging that dissipation in
#: the objective raised the eccentric muscle work at 3.5 m/s, -10 % by 67 %.
DESCENT_CAVEAT = (
    "descents ({km}): in the model part of the braking is done by the feet's contact (heels that "
    "skid and stamp at touchdown dissipate energy at no muscular cost), so the eccentric work of "
    "the descents, quadriceps above all, is a lower bound ({why})"
)
#: Why, for a table whose cells do not record the contact's dissipation (strides solved before
#: it was measured, and before the objective charged it).
DESCENT_CAVEAT_UNMEASURED = (
    "the contact's share is not recorded in this table; in strides solved without a charge on "
    "it, at 3.5 m/s on -10 % the contact absorbed 1.4 J/kg per stride against 3.7 J/kg of "
    "eccentric muscle work"
)
#: The contact's share of the braking energy of the descents (contact / (contact + muscles'
#: eccentric work)) above which the caveat is shown. This project's choice.
DESCENT_CONTACT_SHARE = 0.2
#: Said of a run whose running strides crouch (stance knee past
#: :data:`runmuscles.cycle.gaitcycle.CROUCH_LIMIT_DEG`, distance-weighted).
CROUCH_CAVEAT = (
    "running ({km}): the model's strides run on a crouched knee ({deg:.0f} deg of stance knee "
    "flexion, distance-weighted, where runners bend about 42 deg: Fukuchi et al. 2017), so the "
    "quadriceps' force and work are likely overstated and the calves' understated; compare them "
    "between runs rather than with each other"
)
#: Shown in segment notes and the coverage when a gait has no strides in the table.
NOT_COMPUTED = "not computed (no {gait}ing strides in this atlas)"


def _contact_j_per_kg(table: Any, gait: str, speed: float, grade: float) -> float | None:
    """Energy the foot contact dissipates per stride (friction and damping, J/kg) at a condition,
    interpolated like the loads from the cells' provenance; None where a cell does not record it
    (or the table has no cells)."""
    try:
        gt = table.table(gait)
        total = 0.0
        for i, j, w in gt.weights(float(speed), float(grade)):
            cs = (gt.cell(i, j).get("provenance") or {}).get("contact_sliding")
            if not cs:
                return None
            total += w * (float(cs["friction_work_j_per_kg"]) + float(cs["damping_work_j_per_kg"]))
        return total
    except (AttributeError, KeyError, TypeError, ValueError):  # InputError is a ValueError
        return None


def _stance_knee_deg(table: Any, gait: str, speed: float, grade: float) -> float | None:
    """Peak knee flexion in stance (deg, right leg) at a condition, interpolated from the cells'
    stored joint-angle and ground-force curves; None where the table stores no curves."""
    try:
        gt = table.table(gait)
        knee = gt.ds["joint_angle"].sel(dof="knee_r")
        fy = gt.ds["grf"].sel(side="r", component="fy")
        total = 0.0
        for i, j, w in gt.weights(float(speed), float(grade)):
            peak = stance_peak_deg(
                knee.isel(speed=i, grade=j).values, fy.isel(speed=i, grade=j).values
            )
            if peak is None:
                return None
            total += w * peak
        return total
    except (AttributeError, KeyError, TypeError, ValueError):  # InputError is a ValueError
        return None


def _by_terrain(terrain: Sequence[str], values: FloatArray) -> dict[str, float]:
    """Sum of per-segment ``values`` per terrain."""
    out = dict.fromkeys(TERRAINS, 0.0)
    for t, v in zip(terrain, values, strict=True):
        out[t] += float(v)
    return out


def _summary(activity: Activity | Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    if isinstance(activity, Mapping):
        summary = dict(activity)
    elif activity is not None:
        from runmuscles.activity import summarize

        summary = summarize(activity)
    else:
        return {}, []
    return summary, list(summary.pop("warnings", []))


def _positions(segs: Sequence[Segment]) -> FloatArray:
    """Start of each segment along the run, m: as recorded, or end to end for hand-made
    segments that all start at 0."""
    start = np.array([s.start_m for s in segs], dtype=float)
    if len(segs) > 1 and not np.any(start):
        dist = np.array([max(s.distance_m, 0.0) for s in segs], dtype=float)
        start = np.concatenate([[0.0], np.cumsum(dist)[:-1]])
    return start


def _fmt_km(m: float) -> str:
    return f"{m / 1000:.2f} km"


def of_run(
    activity: Activity | Mapping[str, Any] | None,
    segments: Sequence[Segment],
    table: ConditionTable,
    mass: float = 70.0,
    height: float = 1.75,
    *,
    warnings: Sequence[str] = (),
) -> RunLoad:
    """The per-muscle load of a run from its segments (method in the module docstring).

    ``activity`` is the recording (its summary goes into the result), a ready summary mapping,
    or None; ``mass`` kg and ``height`` m are the runner's; ``warnings`` from earlier steps are
    carried into the result.
    """
    mass, height = check_body(mass, height)
    summary, warn = _summary(activity)
    warn += list(warnings)
    view = GaitView(table)
    groups = view.groups
    k = len(groups)
    scale = mass / float(table.mass_kg)
    if abs(height / float(table.height_m) - 1.0) > HEIGHT_TOLERANCE:
        warn.append(
            f"the muscle table is for a {table.height_m:.2f} m runner; loads were scaled to "
            f"{mass:.0f} kg by mass only, not to your height of {height:.2f} m"
        )
    segs = list(segments)
    n_seg = len(segs)
    v = np.array([s.speed_m_s for s in segs], dtype=float)
    g = np.array([s.grade for s in segs], dtype=float)
    g = np.where(np.isfinite(g), g, 0.0)
    dist = np.array([s.distance_m for s in segs], dtype=float)
    dur = np.array([s.duration_s for s in segs], dtype=float)
    start_m = _positions(segs)
    gaits: list[str] = []
    gait_notes: list[str] = []
    for s, vi, gi, di in zip(segs, v, g, dur, strict=True):
        if s.gait in ("run", "walk"):
            gaits.append(s.gait)
            gait_notes.append(s.gait_note)
            continue
        cad = s.cadence_steps_per_min
        if cad is None and s.strides is not None and di > 0:
            cad = s.strides * 2.0 * MINUTE / di
        gait, why = classify(float(vi), float(gi), cad)
        gaits.append(gait)
        gait_notes.append(why)
    timed = np.isfinite(v) & (dur > 0) & np.isfinite(dist)
    computed = np.array([timed[i] and view.has(gaits[i]) for i in range(n_seg)], dtype=bool)
    # looked-up conditions, per gait's grid
    v_used = np.where(np.isfinite(v), v, 0.0).copy()
    g_used = g.copy()
    g_flat = np.zeros(n_seg)
    slower = np.zeros(n_seg, dtype=bool)
    faster = np.zeros(n_seg, dtype=bool)
    steeper = np.zeros(n_seg, dtype=bool)
    not_solved = np.zeros(n_seg, dtype=bool)
    unsolved_why: dict[int, str] = {}
    prepare = getattr(table, "prepare", None)
    for gait in view.gaits:
        sel = computed & np.array([x == gait for x in gaits], dtype=bool)
        if not sel.any():
            continue
        if callable(prepare):
            # the table answers every condition as measured, solving what lies outside its
            # grid when it may, or says why not: nothing is clipped (method, step 3)
            ii = np.flatnonzero(sel)
            why = prepare(np.concatenate([v[ii], v[ii]]), np.concatenate([g[ii], g_flat[ii]]), gait)
            for a, i in enumerate(ii):
                reason = why[a] or why[a + ii.size]
                if reason:
                    not_solved[i] = True
                    unsolved_why[int(i)] = reason
            continue
        (v0, v1), (g0, g1) = view.ranges(gait)
        slower |= sel & (v < v0)
        faster |= sel & (v > v1)
        steeper |= sel & ((g < g0) | (g > g1))
        v_used[sel] = np.clip(v[sel], v0, v1)
        g_used[sel] = np.clip(g[sel], g0, g1)
        g_flat[sel] = min(max(0.0, g0), g1)
    computed &= ~not_solved
    clipped = slower | faster | steeper
    run_v0 = view.ranges("run")[0][0] if view.has("run") else 0.0
    for mask, text in (
        (slower & np.array([x == "run" for x in gaits]),
         "slower than the table's {lo:.1f} m/s but running ({why}): loads taken at {lo:.1f} m/s "
         "(clipped to the table's edge, probably an overestimate)"),
        (faster, "faster than the table's {hi:.1f} m/s (fastest {top:.1f} m/s): loads taken at "
         "{hi:.1f} m/s (clipped, not extrapolated)"),
    ):  # fmt: skip
        if mask.any():
            (lo, hi), _ = view.ranges(gaits[int(np.argmax(mask))])
            why = "cadence or speed above the walk-run transition"
            warn.append(
                f"{int(mask.sum())} segment(s) ({_fmt_km(dist[mask].sum())}) "
                + text.format(lo=lo, hi=hi, top=float(v[mask].max()), why=why)
            )
    if steeper.any():
        worst = g[steeper][np.argmax(np.abs(g[steeper]))]
        (_, _), (lo_g, hi_g) = view.ranges(gaits[int(np.argmax(steeper))])
        warn.append(
            f"{int(steeper.sum())} segment(s) steeper than the table's {lo_g:+.0%}..{hi_g:+.0%} "
            f"({_fmt_km(dist[steeper].sum())}, steepest {worst:+.0%}): loads taken at the "
            "table's limit (clipped, not extrapolated)"
        )
    for reason in dict.fromkeys(unsolved_why.values()):
        m = np.zeros(n_seg, dtype=bool)
        m[[i for i, r in unsolved_why.items() if r == reason]] = True
        km_nums = _km_numbers(start_m, dist, m)
        warn.append(
            f"{int(m.sum())} segment(s) ({_fmt_km(dist[m].sum())}, km {km_ranges(km_nums)}; "
            f"{float(v[m].min()):.1f}-{float(v[m].max()):.1f} m/s, "
            f"{float(g[m].min()):+.0%}..{float(g[m].max()):+.0%}) not computed: {reason}"
        )
    not_table = timed & ~computed & ~not_solved
    if not_table.any():
        missing = sorted({gaits[i] for i in np.flatnonzero(not_table)})
        for gait in missing:
            m = not_table & np.array([x == gait for x in gaits])
            warn.append(
                f"{int(m.sum())} {gait}ing segment(s) ({_fmt_km(dist[m].sum())}, "
                f"{dur[m].sum() / 60:.1f} min) {NOT_COMPUTED.format(gait=gait)}"
                + (
                    f"; running slower than {run_v0:.1f} m/s would be looked up at the table's "
                    "edge, but these were walked"
                    if gait == "walk"
                    else ""
                )
            )
    idx = np.flatnonzero(computed)
    n = idx.size
    empty: dict[str, FloatArray] = {
        **{key: np.zeros((n, k)) for key in GROUP_KEYS},
        **{key: np.zeros(n) for key in SCALAR_KEYS},
    }
    run_q = {key: a.copy() for key, a in empty.items()}
    flat_q = {key: a.copy() for key, a in empty.items()}
    resolved_q = np.ones((n, k))
    has_resolved = False
    pos = {int(i): j for j, i in enumerate(idx)}
    for gait in view.gaits:
        rows = [j for j, i in enumerate(idx) if gaits[i] == gait]
        if not rows:
            continue
        ii = idx[rows]
        r = view.lookup(v_used[ii], g_used[ii], gait)
        f = view.lookup(v_used[ii], g_flat[ii], gait)
        for key in run_q:
            run_q[key][rows] = r[key]
            flat_q[key][rows] = f[key]
        if "resolved" in r:
            has_resolved = True
            resolved_q[rows] = np.minimum(r["resolved"], f["resolved"])
    if n == 0:
        warn.append("no segment could be computed (no running part): no muscle loads")
    for key in MASS_SCALED:
        run_q[key] = run_q[key] * scale
        flat_q[key] = flat_q[key] * scale
    strides = np.empty(n)
    source: list[str] = []
    for j, i in enumerate(idx):
        rec = segs[i].strides
        if rec is not None and math.isfinite(rec) and rec > 0:
            strides[j] = rec
            source.append("cadence")
        else:
            strides[j] = dur[i] / run_q["stride_time_s"][j]
            source.append("model")
    flat_strides = (
        strides
        * run_q["stride_time_s"]
        / np.where(flat_q["stride_time_s"] > 0, flat_q["stride_time_s"], 1.0)
    )
    terrain = [terrain_of(float(g[i])) for i in idx]

    def total(q: dict[str, FloatArray], key: str, s: FloatArray) -> FloatArray:
        return q[key] * (s[:, None] if q[key].ndim == 2 else s)

    conc = total(run_q, "concentric_work_j", strides)
    ecc = total(run_q, "eccentric_work_j", strides)
    f_conc = total(flat_q, "concentric_work_j", flat_strides)
    f_ecc = total(flat_q, "eccentric_work_j", flat_strides)
    work = conc + ecc
    impulse = total(run_q, "impulse_ns", strides)
    energy = total(run_q, "metabolic_energy_j", strides)
    grand = float(work.sum())
    # resolution per group (method, step 9)
    resolved: dict[str, tuple[bool, str]] = {}
    for c, name in enumerate(groups):
        if has_resolved:
            ok = bool(n == 0 or np.all(resolved_q[:, c] >= 0.5))
            bad_m = float(dist[idx][resolved_q[:, c] < 0.5].sum()) if n else 0.0
            note = "" if ok else f"not resolved by the model on {_fmt_km(bad_m)} of the run"
        elif name in ARM_GROUPS:
            share = float(work[:, c].sum()) / grand if grand > 0 else 0.0
            ok = share >= ARM_RESOLVED_SHARE
            note = (
                ""
                if ok
                else f"{share * 100:.1f} % of the work (under {ARM_RESOLVED_SHARE * 100:.0f} %): "
                "the sagittal "
                "model does not resolve this arm group"
            )
        else:
            ok, note = True, ""
        resolved[name] = (ok, note)
    unresolved = [name for name, (ok, _) in resolved.items() if not ok]
    if unresolved and n:
        warn.append(
            "not resolved by the model, so left out of every comparison, finding and advice: "
            + "; ".join(f"{name.replace('_', ' ')} ({resolved[name][1]})" for name in unresolved)
        )
    muscles = []
    for c, name in enumerate(groups):
        ok, note = resolved[name]
        w = float(work[:, c].sum())
        fw = float(f_conc[:, c].sum() + f_ecc[:, c].sum())
        muscles.append(
            GroupLoad(
                group=name,
                concentric_work_j=float(conc[:, c].sum()),
                eccentric_work_j=float(ecc[:, c].sum()),
                concentric_work_j_per_kg=float(conc[:, c].sum()) / mass,
                eccentric_work_j_per_kg=float(ecc[:, c].sum()) / mass,
                impulse_ns=float(impulse[:, c].sum()),
                peak_force_n=float(run_q["peak_force_n"][:, c].max()) if n else 0.0,
                metabolic_energy_j=float(energy[:, c].sum()),
                cycles=float(strides.sum()),
                share=w / grand if grand > 0 else 0.0,
                by_terrain=frozen(_by_terrain(terrain, work[:, c])),
                eccentric_by_terrain=frozen(_by_terrain(terrain, ecc[:, c])),
                flat_work_j=fw,
                vs_flat=ratio(w, fw) if ok else None,
                concentric_by_terrain=frozen(_by_terrain(terrain, conc[:, c])),
                flat_concentric_work_j=float(f_conc[:, c].sum()),
                flat_eccentric_work_j=float(f_ecc[:, c].sum()),
                flat_concentric_by_terrain=frozen(_by_terrain(terrain, f_conc[:, c])),
                flat_eccentric_by_terrain=frozen(_by_terrain(terrain, f_ecc[:, c])),
                resolved=ok,
                resolved_note=note,
            )
        )
    body_weight = mass * G
    tendons = []
    col = {name: c for c, name in enumerate(groups)}
    for tid, key in TENDONS.items():
        imp = total(run_q, f"{key}_impulse_ns", strides)
        fimp = total(flat_q, f"{key}_impulse_ns", flat_strides)
        peak = float(run_q[f"{key}_peak_force_n"].max()) if n else 0.0
        grp = TENDON_GROUPS[tid]
        ci = col.get(grp)
        ok = resolved[grp][0] if ci is not None else True
        tendons.append(
            TendonLoad(
                tendon=tid,
                impulse_ns=float(imp.sum()),
                cycles=float(strides.sum()),
                peak_force_n=peak,
                peak_force_bw=peak / body_weight,
                by_terrain=frozen(_by_terrain(terrain, imp)),
                flat_impulse_ns=float(fimp.sum()),
                vs_flat=ratio(float(imp.sum()), float(fimp.sum())) if ok else None,
                group=grp if ci is not None else "",
                flat_by_terrain=frozen(_by_terrain(terrain, fimp)),
                concentric_work_j=float(conc[:, ci].sum()) if ci is not None else 0.0,
                eccentric_work_j=float(ecc[:, ci].sum()) if ci is not None else 0.0,
                flat_concentric_work_j=float(f_conc[:, ci].sum()) if ci is not None else 0.0,
                flat_eccentric_work_j=float(f_ecc[:, ci].sum()) if ci is not None else 0.0,
                resolved=ok,
            )
        )
    seg_loads = []
    for si, s in enumerate(segs):
        jj = pos.get(si)
        if jj is None:
            why = (
                f"not computed: {unsolved_why[si]}"
                if si in unsolved_why
                else NOT_COMPUTED.format(gait=gaits[si])
                if timed[si]
                else "no duration or speed: not computed"
            )
            seg_loads.append(
                SegmentLoad(
                    s.start_s, s.duration_s, s.distance_m, s.speed_m_s, s.grade, "excluded",
                    None, None, None, None, frozen({}),
                    note=f"{gaits[si]}ing ({gait_notes[si]}): {why}" if gait_notes[si] else why,
                    gait=gaits[si], start_m=float(start_m[si]),
                )
            )  # fmt: skip
            continue
        j = jj
        notes = []
        if v_used[si] != v[si]:
            notes.append(f"speed clipped to {v_used[si]:.2f} m/s")
        if g_used[si] != g[si]:
            notes.append(f"grade clipped to {g_used[si]:+.1%}")

        def per_group(a: FloatArray, row: int = j) -> Mapping[str, float]:
            return frozen({name: float(a[row, c]) for c, name in enumerate(groups)})

        seg_loads.append(
            SegmentLoad(
                s.start_s, s.duration_s, s.distance_m, s.speed_m_s, s.grade, terrain[j],
                float(v_used[si]), float(g_used[si]), float(strides[j]), source[j],
                per_group(work), note="; ".join(notes), gait=gaits[si],
                start_m=float(start_m[si]), clipped=bool(clipped[si]),
                concentric_j=per_group(conc), eccentric_j=per_group(ecc),
                flat_concentric_j=per_group(f_conc), flat_eccentric_j=per_group(f_ecc),
            )
        )  # fmt: skip
    t_dist = _by_terrain(terrain, dist[idx])
    t_time = _by_terrain(terrain, dur[idx])
    prov = getattr(table, "provenance", None)
    engine = isinstance(prov, Mapping) and "predictive_solve" in str(prov.get("solve_fn", ""))
    if engine and t_dist.get("downhill", 0.0) > 0:
        down = [j for j in range(n) if terrain[j] == "downhill"]
        contact = [
            _contact_j_per_kg(table, gaits[idx[j]], v_used[idx[j]], g_used[idx[j]]) for j in down
        ]
        per_kg = [c for c in contact if c is not None]
        if len(per_kg) < len(contact):
            why = DESCENT_CAVEAT_UNMEASURED
        else:
            contact_j = mass * float(np.dot(per_kg, strides[down]))
            muscle_j = float(ecc[down].sum())
            share = contact_j / (contact_j + muscle_j) if contact_j + muscle_j > 0 else 0.0
            why = (
                f"the contact absorbs {share:.0%} of the braking energy there: "
                f"{contact_j / 1000:.1f} kJ against {muscle_j / 1000:.1f} kJ of eccentric "
                "muscle work"
                if share > DESCENT_CONTACT_SHARE
                else ""
            )
        if why:
            warn.append(DESCENT_CAVEAT.format(km=_fmt_km(t_dist["downhill"]), why=why))
    running = [j for j in range(n) if gaits[idx[j]] == "run"]
    if engine and running:
        knee = [_stance_knee_deg(table, "run", v_used[idx[j]], g_used[idx[j]]) for j in running]
        if None not in knee:
            run_dist = dist[idx][running]
            deg = float(np.dot(np.asarray(knee, dtype=float), run_dist) / max(run_dist.sum(), 1e-9))
            if deg > CROUCH_LIMIT_DEG:
                warn.append(CROUCH_CAVEAT.format(km=_fmt_km(float(run_dist.sum())), deg=deg))
    t_dist["excluded"] = float(dist[~computed].sum())
    t_time["excluded"] = float(dur[~computed].sum())
    total_m = summary.get("distance_m")
    seg_total = float(np.nansum(dist))
    distance_m = float(total_m) if isinstance(total_m, int | float) else seg_total
    distance_m = max(distance_m, seg_total)
    lost_m = 0.0
    device_m = (summary.get("device_totals") or {}).get("distance_m")
    if summary.get("damaged") and isinstance(device_m, int | float) and device_m > distance_m:
        lost_m = float(device_m) - distance_m  # the file lost the rest of the run
        distance_m = float(device_m)
    walked_nc = float(dist[timed & ~computed & ~not_solved].sum())
    unsolved_m = float(dist[not_solved].sum())
    computed_m = float(dist[computed].sum())
    coverage = Coverage(
        distance_m=distance_m,
        computed_m=computed_m,
        clipped_m=float(dist[clipped].sum()),
        walked_m=walked_nc,
        dropped_m=max(distance_m - computed_m - walked_nc - unsolved_m, 0.0),
        by_gait_m=frozen(
            {gait: float(dist[[x == gait for x in gaits]].sum()) for gait in ("run", "walk")}
        ),
        clipped_by=frozen(
            {
                "slower": float(dist[slower].sum()),
                "faster": float(dist[faster].sum()),
                "steeper": float(dist[steeper].sum()),
            }
        ),
        walking_in_table=view.has("walk"),
        speed_range=view.ranges("run")[0] if view.has("run") else (0.0, 0.0),
        grade_range=view.ranges("run")[1] if view.has("run") else (0.0, 0.0),
        lost_m=lost_m,
        not_solved_m=unsolved_m,
        not_solved_km=tuple(_km_numbers(start_m, dist, not_solved)),
        not_solved_why=tuple(dict.fromkeys(unsolved_why.values())),
    )
    kms = _kilometres(
        start_m, dist, g, v, computed, timed & ~not_solved, idx, groups,
        (conc, ecc, f_conc, f_ecc), distance_m, not_solved,
    )  # fmt: skip
    table_info: dict[str, Any] = {
        "kind": type(table).__name__,
        "groups": list(groups),
        "gaits": list(view.gaits),
        "mass_kg": float(table.mass_kg),
        "height_m": float(table.height_m),
        "speed_range": list(table.speed_range),
        "grade_range": list(table.grade_range),
        "mass_scale": scale,
    }
    if isinstance(prov, Mapping):
        table_info["provenance"] = dict(prov)
    run = RunLoad(
        mass_kg=float(mass),
        height_m=float(height),
        muscles=tuple(muscles),
        tendons=tuple(tendons),
        segments=tuple(seg_loads),
        activity=frozen(summary),
        terrain_distance_m=frozen(t_dist),
        terrain_time_s=frozen(t_time),
        table=frozen(table_info),
        warnings=tuple(dict.fromkeys(warn)),
        coverage=coverage,
        kilometres=kms,
    )
    return replace(run, findings=find(run), headline=headline(run))


def _kilometres(
    start_m: FloatArray,
    dist: FloatArray,
    grade: FloatArray,
    speed: FloatArray,
    computed: NDArray[np.bool_],
    timed: NDArray[np.bool_],
    idx: NDArray[np.intp],
    groups: tuple[str, ...],
    works: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    distance_m: float,
    not_solved: NDArray[np.bool_] | None = None,
) -> tuple[KilometreLoad, ...]:
    """Each segment's work spread over the kilometres it spans, in proportion to distance (a
    segment is steady by construction)."""
    if distance_m <= 0 or dist.size == 0:
        return ()
    end_run = max(distance_m, float(np.max(start_m + np.maximum(dist, 0.0))))
    n_km = max(math.ceil(end_run / 1000.0 - 1e-9), 1)
    k = len(groups)
    acc = np.zeros((4, n_km, k))
    comp = np.zeros(n_km)
    walked = np.zeros(n_km)
    unsolved = np.zeros(n_km)
    g_sum = np.zeros(n_km)
    v_sum = np.zeros(n_km)
    w_sum = np.zeros(n_km)
    row = {int(i): j for j, i in enumerate(idx)}
    for i in range(dist.size):
        if dist[i] <= 0 or not np.isfinite(dist[i]):
            continue
        a, b = float(start_m[i]), float(start_m[i] + dist[i])
        for km in range(int(a // 1000.0), min(math.ceil(b / 1000.0), n_km)):
            overlap = min(b, (km + 1) * 1000.0) - max(a, km * 1000.0)
            if overlap <= 0:
                continue
            frac = overlap / dist[i]
            g_sum[km] += grade[i] * overlap
            v_sum[km] += speed[i] * overlap
            w_sum[km] += overlap
            if computed[i]:
                comp[km] += overlap
                for q in range(4):
                    acc[q, km] += works[q][row[i]] * frac
            elif timed[i]:
                walked[km] += overlap
            elif not_solved is not None and not_solved[i]:
                unsolved[km] += overlap
    out = []
    for km in range(n_km):

        def per(q: int, km: int = km) -> Mapping[str, float]:
            return frozen({name: float(acc[q, km, c]) for c, name in enumerate(groups)})

        out.append(
            KilometreLoad(
                km=km + 1,
                start_m=km * 1000.0,
                end_m=min((km + 1) * 1000.0, end_run),
                computed_m=float(comp[km]),
                walked_m=float(walked[km]),
                grade=float(g_sum[km] / w_sum[km]) if w_sum[km] > 0 else None,
                speed_m_s=float(v_sum[km] / w_sum[km]) if w_sum[km] > 0 else None,
                concentric_j=per(0),
                eccentric_j=per(1),
                flat_concentric_j=per(2),
                flat_eccentric_j=per(3),
                not_solved_m=float(unsolved[km]),
            )
        )
    return tuple(out)


def _km_numbers(start_m: FloatArray, dist: FloatArray, mask: NDArray[np.bool_]) -> list[int]:
    """The kilometres (from 1) that the segments in ``mask`` lie in."""
    kms: set[int] = set()
    for i in np.flatnonzero(mask):
        a, b = float(start_m[i]), float(start_m[i] + max(dist[i], 0.0))
        first = int(a // 1000.0)
        last = max(first, math.ceil(b / 1000.0) - 1)
        kms.update(range(first + 1, last + 2))
    return sorted(kms)
