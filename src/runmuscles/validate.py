"""Predicted running and walking vs published figures, and the popular hill claims.

:func:`predictive_rows` compares solved strides with published ranges, each row with its source;
:func:`hill_claims` states what the model says about three popular claims about hills, agreeing or
not. ``runmuscles validate`` prints both, plus the inverse-dynamics checks of
:func:`runmuscles.inverse.inverse_validation_rows` and, side by side, the predicted and the
measured-motion (static optimisation) strides at 3.5 m/s.

Rows are dicts: quantity, value, published, source, pass (True/False).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from runmuscles.conventions import RESERVE_LIMIT, TRUNK_AND_ARM_GROUPS
from runmuscles.cycle import GaitCycle

__all__ = [
    "CONDITIONS",
    "QUICK_CONDITIONS",
    "WALK_CONDITIONS",
    "hill_claims",
    "minetti_cost",
    "passive_rows",
    "predictive_rows",
    "reserve_rows",
    "riener_edrich_1999",
    "solve_conditions",
    "stance_knee_rows",
    "walking_rows",
]

#: (speed m/s, grade) solved by `runmuscles validate`, in continuation order (each warm-starts
#: from the nearest one solved before it, the first from a cold start).
CONDITIONS: tuple[tuple[float, float], ...] = (
    (3.5, 0.0),
    (3.0, 0.0),
    (2.5, 0.0),
    (4.5, 0.0),
    (3.5, 0.10),
    (3.5, -0.10),
)
QUICK_CONDITIONS = CONDITIONS[:1]
#: Walking strides solved by `runmuscles validate` (speed m/s, grade), in continuation order.
WALK_CONDITIONS: tuple[tuple[float, float], ...] = ((1.3, 0.0), (1.3, 0.15))

MINETTI = "Minetti et al. 2002 J Appl Physiol 93:1039"


def minetti_cost(grade: float) -> float:
    """Net metabolic cost of running (J/kg/m) at ``grade``: the polynomial fit of Minetti et al.
    2002 (J Appl Physiol 93:1039), C = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6,
    valid for -0.45 <= i <= 0.45 (level: 3.40 +- 0.24 measured)."""
    i = grade
    return 155.4 * i**5 - 30.4 * i**4 - 43.3 * i**3 + 46.3 * i**2 + 19.5 * i + 3.6


def _row(quantity: str, value: str, published: str, source: str, ok: bool) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "value": value,
        "published": published,
        "source": source,
        "pass": bool(ok),
    }


#: Tolerances this project chose (not published): labelled so in every row that uses them.
OURS = "tolerance chosen by this project"


RIENER_EDRICH = (
    "Riener & Edrich 1999 J Biomech 32:539 (relaxed leg, all passive structures; the model's "
    "passive strains and hip spring were fitted to these data: a calibration check)"
)


def riener_edrich_1999(hip: float, knee: float, ankle: float) -> dict[str, float]:
    """Passive moments (N m) of the relaxed leg measured by Riener & Edrich 1999 (J Biomech
    32:539): their exponential fits, in degrees, rewritten in this model's signs (hip and knee
    flexion positive, ankle dorsiflexion positive; moments positive in the same sense). The knee
    fit is used from 30 deg of flexion, clear of its hyperextension term."""
    h, k, a = hip, knee, ankle
    e = math.exp
    return {
        "hip": e(1.4655 - 0.0034 * k - 0.0750 * h) - e(1.3403 - 0.0226 * k + 0.0305 * h) + 8.072,
        "knee": e(1.800 + 0.0460 * a - 0.0352 * k + 0.0217 * h)
        - e(-3.971 + 0.0004 * a + 0.0495 * k - 0.0128 * h)
        - 4.820
        + e(2.220 - 0.150 * k),
        "ankle": e(-7.9763 - 0.1949 * a + 0.0008 * k) - e(2.1016 + 0.0843 * a - 0.0176 * k) + 1.792,
    }


#: Poses (hip, knee, ankle in degrees) and the joint checked: where running takes the leg
#: (mid-stance dorsiflexion, swing knee flexion, late-swing hamstring stretch, hip extension
#: at toe-off).
PASSIVE_POSES: tuple[tuple[str, float, float, float], ...] = (
    ("ankle", 0.0, 0.0, 20.0),
    ("ankle", 0.0, 60.0, 20.0),
    ("ankle", 0.0, 30.0, 30.0),
    ("knee", 0.0, 90.0, 0.0),
    ("knee", -20.0, 110.0, 0.0),
    ("hip", 60.0, 0.0, 0.0),
    ("hip", -20.0, 0.0, 0.0),
)
#: Agreement band of a relaxed moment: within 5 N m or half the measured value, whichever is
#: larger (this project's tolerance; Riener & Edrich fit a few subjects).
PASSIVE_TOLERANCE = (5.0, 0.5)


def passive_rows(runner: Any = None) -> list[dict[str, Any]]:
    """The model's relaxed joint moments (range-of-motion springs + passive muscle force,
    :meth:`Runner.relaxed_moments`) against Riener & Edrich 1999 at running poses. No solve."""
    from runmuscles.model.runner import Runner

    runner = runner or Runner()
    rows = []
    floor, share = PASSIVE_TOLERANCE
    for joint, h, k, a in PASSIVE_POSES:
        pose = {"hip_r": math.radians(h), "knee_r": math.radians(k), "ankle_r": math.radians(a)}
        model = runner.relaxed_moments(pose)[f"{joint}_r"]
        measured = riener_edrich_1999(h, k, a)[joint]
        rows.append(
            _row(
                f"relaxed {joint} moment at hip {h:+g}, knee {k:g}, ankle {a:+g} deg",
                f"{model:+.1f} N m",
                f"{measured:+.1f} N m (within {floor:g} N m or {share:.0%}: {OURS})",
                RIENER_EDRICH,
                abs(model - measured) <= max(floor, share * abs(measured)),
            )
        )
    return rows


def reserve_rows(tag: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per joint: peak reserve <= 5 % of the joint's peak moment (project's threshold)."""
    rows = []
    for joint, share in sorted((data.get("reserves") or {}).items()):
        rows.append(
            _row(
                f"{tag} {joint} reserve",
                f"{share * 100:.1f} % of peak moment",
                f"<= {RESERVE_LIMIT * 100:.0f} %",
                OURS + " (muscles, not ideal torque actuators, must carry the joint)",
                share <= RESERVE_LIMIT,
            )
        )
    return rows


#: The measured runner of Fukuchi et al. 2017 (PeerJ 5:e3298, CC BY 4.0; runner RBDS001, 62 kg,
#: treadmill), right leg, read from its processed file: knee flexion at first contact and its
#: stance peak (deg), peak knee extension moment in stance (N m/kg), at 2.5 / 3.5 / 4.5 m/s.
FUKUCHI_STANCE_KNEE: dict[float, tuple[float, float, float]] = {
    2.5: (13.4, 42.2, 2.58),
    3.5: (16.3, 42.2, 2.79),
    4.5: (16.8, 43.6, 3.14),
}
FUKUCHI = "Fukuchi et al. 2017 PeerJ 5:e3298, runner RBDS001"


def stance_knee_rows(tag: str, speed: float, cycle: GaitCycle) -> list[dict[str, Any]]:
    """Stance knee flexion and extension moment vs the measured runner at the nearest of its
    speeds (within 0.5 m/s): +-10 deg and +-35 % around it (tolerances chosen by this project)."""
    near = min(FUKUCHI_STANCE_KNEE, key=lambda v: abs(v - speed))
    if abs(near - speed) > 0.5:
        return []
    contact, peak, moment = FUKUCHI_STANCE_KNEE[near]
    source = f"{FUKUCHI} ({near:g} m/s)"
    rows = []
    checks = (
        ("knee flexion at first contact", cycle.knee_flexion_at_contact_deg, contact, "deg"),
        ("peak knee flexion in stance", cycle.peak_knee_flexion_stance_deg, peak, "deg"),
    )
    for what, value, ref, unit in checks:
        if value is not None:
            rows.append(
                _row(
                    f"{tag} {what}",
                    f"{value:.0f} {unit}",
                    f"{ref - 10:.0f}-{ref + 10:.0f} {unit} ({ref:.0f} measured +- 10, {OURS})",
                    source,
                    abs(value - ref) <= 10.0,
                )
            )
    km = cycle.peak_knee_extension_moment_n_m_kg
    if km is not None:
        rows.append(
            _row(
                f"{tag} peak knee extension moment in stance",
                f"{km:.2f} N m/kg",
                f"{moment * 0.65:.1f}-{moment * 1.35:.1f} N m/kg ({moment:.2f} measured +- 35 %, "
                f"{OURS})",
                source,
                abs(km / moment - 1.0) <= 0.35,
            )
        )
    return rows


def predictive_rows(cycles: Mapping[tuple[float, float], GaitCycle]) -> list[dict[str, Any]]:
    """Published checks on solved running strides (keys: (speed, grade))."""
    rows: list[dict[str, Any]] = []
    for (speed, grade), cycle in cycles.items():
        d = cycle.to_json()
        s = d["summary"]
        tag = f"{speed:g} m/s {grade * 100:+.0f} %"
        # the belt-normal force averages m g cos(atan(grade)) over a steady stride
        mean_ref = math.cos(math.atan(grade))
        rows.append(
            _row(
                f"{tag} mean vertical GRF (belt normal)",
                f"{s['mean_vertical_grf_bw']:.3f} BW",
                f"{mean_ref:.3f} BW +- 3 % ({OURS})",
                "Newton's second law (steady running on a slope)",
                abs(s["mean_vertical_grf_bw"] / mean_ref - 1.0) <= 0.03,
            )
        )
        c = s["cost_of_transport_j_per_kg_m"]
        ref = minetti_cost(grade)
        if grade == 0.0:
            rows.append(
                _row(
                    f"{tag} net cost of transport",
                    f"{c:.2f} J/kg/m",
                    "3.0-4.6 J/kg/m (3.40 +- 0.24)",
                    MINETTI,
                    3.0 <= c <= 4.6,
                )
            )
        else:
            rows.append(
                _row(
                    f"{tag} net cost of transport",
                    f"{c:.2f} J/kg/m",
                    f"{ref:.2f} J/kg/m +- 30 % ({OURS})",
                    MINETTI + " (running polynomial)",
                    abs(c / ref - 1) <= 0.30,
                )
            )
        rows.extend(reserve_rows(tag, d))
        if grade != 0.0:
            continue
        duty = s["duty_factor"] * 100
        rows.append(
            _row(
                f"{tag} stance as % of stride",
                f"{duty:.0f} %",
                "30-37 % (running)",
                "Gazendam & Hof 2007 Gait Posture 25:604",
                30 <= duty <= 37,
            )
        )
        brk = s["peak_braking_grf_bw"]
        if 3.0 <= speed <= 4.0:
            rows.append(
                _row(
                    f"{tag} peak braking GRF",
                    f"{brk:.2f} BW",
                    "0.3-0.5 BW",
                    "Hamner et al. 2010 J Biomech 43:2709 data (0.37-0.43 BW at 3.96 m/s); "
                    "Fukuchi et al. 2017 PeerJ 5:e3298 (0.27-0.35 BW at 3.5-4.5 m/s)",
                    0.3 <= brk <= 0.5,
                )
            )
        knee = s["peak_knee_flexion_swing_deg"]
        if knee is not None:
            rows.append(
                _row(
                    f"{tag} peak knee flexion in swing",
                    f"{knee:.0f} deg",
                    "90-120 deg",
                    "Novacheck 1998 Gait Posture 7:77; Fukuchi et al. 2017 (85/100/115 deg at "
                    "2.5/3.5/4.5 m/s)",
                    90 <= knee <= 120,
                )
            )
        rows.extend(stance_knee_rows(tag, speed, cycle))
        lean = s["trunk_lean_deg"]
        if lean is not None:
            rows.append(
                _row(
                    f"{tag} mean trunk lean",
                    f"{lean:.1f} deg forward",
                    "3-12 deg forward",
                    "Teng & Powers 2015 Med Sci Sports Exerc 47:625 (3.6 and 10.8 deg groups); "
                    "Hamner et al. 2010 data (8.5 deg)",
                    3 <= lean <= 12,
                )
            )
        t = d["tendons"]
        ach, pat = t["achilles_peak_force_bw"], t["patellar_peak_force_bw"]
        if ach is not None:
            rows.append(
                _row(
                    f"{tag} peak Achilles tendon force",
                    f"{ach:.1f} BW",
                    "5-10 BW",
                    "Reiter et al. 2024 (tensiometry, 8.2-10.1 BW at 2.7-4.5 m/s); Hamner 2010 "
                    "CMC (about 5 BW)",
                    5.0 <= ach <= 10.0,
                )
            )
        if ach is not None and pat is not None:
            rows.append(
                _row(
                    f"{tag} Achilles vs patellar (quadriceps) tendon force",
                    f"{ach:.1f} vs {pat:.1f} BW",
                    "Achilles larger (6.1-8.2 vs 4.7-6.9 BW)",
                    "Scott & Winter 1990 Med Sci Sports Exerc 22:357 (figures recalled, not "
                    "re-read: verify)",
                    ach > pat,
                )
            )
        if abs(speed - 3.5) < 1e-9:
            pk = s["peak_vertical_grf_bw"]
            rows.append(
                _row(
                    f"{tag} peak vertical GRF",
                    f"{pk:.2f} BW",
                    "2.2-2.9 BW",
                    "Keller 1996 Clin Biomech 11:253; Cavanagh & Lafortune 1980",
                    2.2 <= pk <= 2.9,
                )
            )
            leg = [
                m
                for m in d["muscles"]
                if m["side"] == "r" and m["group"] not in TRUNK_AND_ARM_GROUPS
            ]
            top = max(leg, key=lambda m: m["peak_activation"])
            rows.append(
                _row(
                    f"{tag} highest leg-muscle peak activation",
                    f"{top['name']} {top['peak_activation']:.2f}",
                    "<= 0.90 (ordinary running is not a maximal effort)",
                    OURS,
                    top["peak_activation"] <= 0.90,
                )
            )
        if abs(speed - 3.0) < 1e-9:
            cad = s["cadence_steps_per_min"]
            rows.append(
                _row(
                    f"{tag} cadence",
                    f"{cad:.0f} steps/min",
                    "150-185 steps/min",
                    "Lieberman 2015 (about 170 at 3 m/s)",
                    150 <= cad <= 185,
                )
            )
            ct = s["contact_time_s"]
            rows.append(
                _row(
                    f"{tag} contact time",
                    f"{ct:.3f} s",
                    "0.23-0.32 s",
                    "Munro et al. 1987 J Biomech 20:147",
                    0.23 <= ct <= 0.32,
                )
            )
        by_name = {m["name"]: m for m in d["muscles"]}
        contact = s["duty_factor"]
        vasti_at = by_name["vasti_r"]["peak_activation_at"]
        rows.append(
            _row(
                f"{tag} vasti peak activation",
                f"{vasti_at * 100:.0f} % of stride",
                f"early stance (0-{contact * 60:.0f} %)",
                "Hamner et al. 2010 J Biomech 43:2709",
                vasti_at <= 0.6 * contact,
            )
        )
        sol_at = by_name["soleus_r"]["peak_activation_at"]
        rows.append(
            _row(
                f"{tag} soleus peak activation",
                f"{sol_at * 100:.0f} % of stride",
                f"mid-late stance ({contact * 25:.0f}-{contact * 100:.0f} %)",
                "Hamner et al. 2010 J Biomech 43:2709",
                0.25 * contact <= sol_at <= contact,
            )
        )
    level = sorted((k[0], v) for k, v in cycles.items() if k[1] == 0.0)
    if len(level) >= 2:
        (v0, c0), (v1, c1) = level[0], level[-1]
        s0, s1 = c0.to_json()["summary"], c1.to_json()["summary"]
        dl = s1["stride_length_m"] / s0["stride_length_m"] - 1
        df = s1["cadence_steps_per_min"] / s0["cadence_steps_per_min"] - 1
        rows.append(
            _row(
                f"{v0:g} -> {v1:g} m/s: stride length vs cadence increase",
                f"+{dl * 100:.0f} % vs +{df * 100:.0f} %",
                "speed rises mostly through stride length below ~7 m/s",
                "Dorn et al. 2012 J Exp Biol 215:1944",
                dl > df,
            )
        )
    strike = {g: cycles[(sp, g)] for sp, g in cycles if abs(sp - 3.5) < 1e-9}
    if {-0.10, 0.0, 0.10} <= set(strike):
        angles = {g: strike[g].summary()["foot_angle_at_contact_deg"] for g in (-0.10, 0.0, 0.10)}
        if None not in angles.values():
            rows.append(
                _row(
                    "3.5 m/s foot angle at contact, -10 / 0 / +10 %",
                    " / ".join(f"{angles[g]:+.0f} deg" for g in (-0.10, 0.0, 0.10)),
                    "falls uphill (toward the forefoot), rises downhill (toward the heel)",
                    "Vernillo et al. 2017 Sports Med 47:615 (review)",
                    angles[-0.10] > angles[0.0] > angles[0.10],
                )
            )
    return rows


def walking_rows(cycles: Mapping[tuple[float, float], GaitCycle]) -> list[dict[str, Any]]:
    """Checks on solved walking strides (keys: (speed, grade))."""
    rows: list[dict[str, Any]] = []
    for (speed, grade), cycle in cycles.items():
        d = cycle.to_json()
        s = d["summary"]
        tag = f"walking {speed:g} m/s {grade * 100:+.0f} %"
        ds = s["double_support_fraction"]
        rows.append(
            _row(
                f"{tag} double support",
                f"{ds * 100:.0f} % of stride",
                "> 0 (walking; about 20 % at normal speed)",
                "Perry 1992 Gait Analysis (textbook figure, recalled)",
                ds > 0.0,
            )
        )
        rows.append(
            _row(
                f"{tag} flight phase",
                f"{s['flight_fraction'] * 100:.0f} % of stride",
                "0 (a walk never leaves the ground)",
                "definition of walking",
                s["flight_fraction"] < 0.01,
            )
        )
        rows.extend(reserve_rows(tag, d))
        if grade == 0.0:
            c = s["cost_of_transport_j_per_kg_m"]
            rows.append(
                _row(
                    f"{tag} net cost of transport",
                    f"{c:.2f} J/kg/m",
                    "0.6-2.7 J/kg/m (1.64 +- 0.50 at the optimal speed, +-2 SD)",
                    MINETTI + " (walking, measured)",
                    0.6 <= c <= 2.7,
                )
            )
            pk = s["peak_vertical_grf_bw"]
            rows.append(
                _row(
                    f"{tag} peak vertical GRF",
                    f"{pk:.2f} BW",
                    "1.0-1.4 BW",
                    "Winter 2009 Biomechanics and Motor Control (textbook figure, recalled)",
                    1.0 <= pk <= 1.4,
                )
            )
    return rows


def _muscle_work(data: Mapping[str, Any], names: tuple[str, ...], kind: str) -> float:
    return sum(m[f"{kind}_work_j"] for m in data["muscles"] if m["name"] in names)


def _ratio(a: float, b: float) -> float:
    return a / max(b, 1e-9)


def hill_claims(cycles: Mapping[tuple[float, float], GaitCycle]) -> list[dict[str, Any]]:
    """What the model says about the popular hill claims, concentric (the muscle shortening and
    doing work) and eccentric (lengthening, absorbing work) judged separately, at +-10 %."""
    out: list[dict[str, Any]] = []
    speeds = sorted({s for s, g in cycles if g == 0.0})
    for speed in speeds:
        lv_c, up_c, dn_c = (cycles.get((speed, g)) for g in (0.0, 0.10, -0.10))
        if lv_c is None or up_c is None or dn_c is None:
            continue
        lv, up, dn = lv_c.to_json(), up_c.to_json(), dn_c.to_json()
        vasti, ham = (
            ("vasti_r", "vasti_l"),
            ("hamstrings_r", "hamstrings_l", "bifemsh_r", "bifemsh_l"),
        )
        quads = ("vasti_r", "vasti_l", "rect_fem_r", "rect_fem_l")
        hipext = ("glut_max_r", "glut_max_l", "hamstrings_r", "hamstrings_l")
        calves = ("soleus_r", "soleus_l", "gastroc_r", "gastroc_l")
        r = {
            (n, k, w): _ratio(_muscle_work(w_data, names, k), _muscle_work(lv, names, k))
            for n, names in (("vasti", vasti), ("hamstrings", ham), ("quadriceps", quads),
                             ("hip extensors", hipext), ("calves", calves))
            for k in ("concentric", "eccentric")
            for w, w_data in (("up", up), ("down", dn))
        }  # fmt: skip
        out.append(
            {
                "claim": "uphill running engages the vasti more and the hamstrings less",
                "model": f"at +10 %: vasti concentric {r['vasti', 'concentric', 'up']:.2f}x, "
                f"eccentric {r['vasti', 'eccentric', 'up']:.2f}x; hamstrings concentric "
                f"{r['hamstrings', 'concentric', 'up']:.2f}x, eccentric "
                f"{r['hamstrings', 'eccentric', 'up']:.2f}x their level work",
                "agrees": r["vasti", "concentric", "up"] > 1.0
                and r["hamstrings", "concentric", "up"] < 1.0,
                "judged_on": "concentric work (vasti up, hamstrings down)",
            }
        )
        out.append(
            {
                "claim": "downhill running works the hip extensors and quadriceps harder",
                "model": "at -10 %: quadriceps eccentric "
                f"{r['quadriceps', 'eccentric', 'down']:.2f}x "
                f"(concentric {r['quadriceps', 'concentric', 'down']:.2f}x); hip extensors "
                f"eccentric {r['hip extensors', 'eccentric', 'down']:.2f}x (concentric "
                f"{r['hip extensors', 'concentric', 'down']:.2f}x) their level work",
                "agrees": r["quadriceps", "eccentric", "down"] > 1.0
                and r["hip extensors", "eccentric", "down"] > 1.0,
                "judged_on": "eccentric work (both groups up)",
            }
        )
        fa = {g: c.summary()["foot_angle_at_contact_deg"] for g, c in ((0, lv_c), (1, up_c))}
        shift = None if None in fa.values() else fa[1] - fa[0]
        out.append(
            {
                "claim": "uphill shifts strike toward the forefoot and loads the calves",
                "model": f"at +10 %: calves concentric {r['calves', 'concentric', 'up']:.2f}x "
                f"their level work; foot angle at contact "
                + ("not available" if shift is None else f"{shift:+.1f} deg vs level"),
                "agrees": r["calves", "concentric", "up"] > 1.0
                and (shift is not None and shift < 0.0),
                "judged_on": "calf concentric work up and a lower (toes-down) foot angle",
            }
        )
    return out


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Continuation distance between two conditions: 1 m/s counted like 10 % grade."""
    return abs(a[0] - b[0]) + 10 * abs(a[1] - b[1])


def solve_conditions(
    conditions: tuple[tuple[float, float], ...] = CONDITIONS,
    mass: float = 70.0,
    height: float = 1.75,
    progress: Callable[[str], None] | None = None,
    gait: str = "run",
) -> dict[tuple[float, float], GaitCycle]:
    """Solve the strides of ``gait`` by continuation: each warm-started from the nearest stride
    solved before it or stored (shipped or cached), cold when there is none."""
    from runmuscles.model.runner import Runner
    from runmuscles.prediction import predictive, solve, stride_stores

    runner = Runner(mass=mass, height=height)
    cycles: dict[tuple[float, float], GaitCycle] = {}
    solved: dict[tuple[float, float], Any] = {}
    for speed, grade in conditions:
        if progress:
            what = "walking" if gait == "walk" else "running"
            progress(f"solving {what} {speed:g} m/s, grade {grade * 100:+.0f} %")

        # warm start from the nearest stride solved before or stored: a stored stride of this
        # very condition re-solves in a few iterations
        problem = predictive(runner, speed, grade, gait=gait)
        options = [(_distance(c, (speed, grade)), solved[c]) for c in solved]
        for store in stride_stores():
            stored = store.nearest(runner, gait, speed, grade, problem.n_intervals)
            if stored is not None:
                options.append((_distance((stored.speed, stored.grade), (speed, grade)), stored))
        if options:
            problem.guess = min(options, key=lambda o: o[0])[1]
        solved[(speed, grade)] = solve(problem)
        cycles[(speed, grade)] = solved[(speed, grade)].cycle()
    return cycles
