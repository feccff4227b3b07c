"""Predicted running vs published figures (../shared/SCIENCE.md), and the popular hill claims.

:func:`predictive_rows` compares solved strides with published ranges, each row with its source;
:func:`hill_claims` states what the model says about three popular claims about hills, agreeing or
not. ``runmuscles validate`` prints both, plus the inverse-dynamics checks of
:func:`runmuscles.inverse.inverse_validation_rows` and, side by side, the predicted and the
measured-motion (static optimisation) strides at 3.5 m/s.

Rows are dicts: quantity, value, published, source, pass (True/False).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runmuscles.cycle import GaitCycle

__all__ = [
    "CONDITIONS",
    "QUICK_CONDITIONS",
    "hill_claims",
    "minetti_cost",
    "predictive_rows",
    "solve_conditions",
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


def _group_work(data: Mapping[str, Any], group: str) -> float:
    return sum(
        m["concentric_work_j"] + m["eccentric_work_j"]
        for m in data["muscles"]
        if m["group"] == group
    )


def _group_ecc(data: Mapping[str, Any], group: str) -> float:
    return sum(m["eccentric_work_j"] for m in data["muscles"] if m["group"] == group)


def predictive_rows(cycles: Mapping[tuple[float, float], GaitCycle]) -> list[dict[str, Any]]:
    """Published checks on solved strides (keys: (speed, grade))."""
    rows: list[dict[str, Any]] = []
    for (speed, grade), cycle in cycles.items():
        d = cycle.to_json()
        s = d["summary"]
        tag = f"{speed:g} m/s {grade * 100:+.0f} %"
        rows.append(
            _row(
                f"{tag} mean vertical GRF",
                f"{s['mean_vertical_grf_bw']:.3f} BW",
                "1.00 BW +- 3 %",
                "Newton's second law (steady running)",
                abs(s["mean_vertical_grf_bw"] - 1.0) <= 0.03,
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
                    f"{ref:.2f} J/kg/m +- 30 %",
                    MINETTI,
                    abs(c / ref - 1) <= 0.30,
                )
            )
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
        leg = {
            m["name"]: m["peak_force_n"]
            for m in d["muscles"]
            if m["side"] == "r"
            and m["group"] not in ("abdominals", "back_extensors", "deltoids", "biceps", "triceps")
        }
        top = max(leg, key=leg.__getitem__)
        rows.append(
            _row(
                f"{tag} largest leg-muscle force",
                f"{top} ({leg[top]:.0f} N)",
                "soleus (largest vertical support)",
                "Hamner & Delp 2013 J Biomech 46:780",
                top.startswith("soleus"),
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
    return rows


def hill_claims(cycles: Mapping[tuple[float, float], GaitCycle]) -> list[dict[str, Any]]:
    """What the model says about the popular hill claims (../shared/SCIENCE.md section 1)."""
    keys = {g for _, g in cycles}
    speeds = {s for s, g in cycles if g != 0.0}
    out: list[dict[str, Any]] = []
    for speed in sorted(speeds):
        if not {0.0, 0.10, -0.10} <= keys or (speed, 0.0) not in cycles:
            continue
        lv = cycles[(speed, 0.0)].to_json()
        up = cycles.get((speed, 0.10))
        dn = cycles.get((speed, -0.10))
        if up is None or dn is None:
            continue
        u, d = up.to_json(), dn.to_json()
        ratio = {
            g: (_group_work(u, g) / max(_group_work(lv, g), 1e-9))
            for g in ("quadriceps", "hamstrings", "calves", "gluteals")
        }
        agrees = ratio["quadriceps"] > 1.0 and ratio["hamstrings"] < 1.0
        out.append(
            {
                "claim": "uphill running engages the vasti more and the hamstrings less",
                "model": f"at +10 % the quadriceps do {ratio['quadriceps']:.2f}x and the "
                f"hamstrings "
                f"{ratio['hamstrings']:.2f}x their level work",
                "agrees": agrees,
            }
        )
        ecc_ratio = {
            g: _group_ecc(d, g) / max(_group_ecc(lv, g), 1e-9)
            for g in ("quadriceps", "gluteals", "hamstrings")
        }
        agrees = ecc_ratio["quadriceps"] > 1.0 and (
            ecc_ratio["gluteals"] > 1.0 or ecc_ratio["hamstrings"] > 1.0
        )
        out.append(
            {
                "claim": "downhill running works the hip extensors and quadriceps harder",
                "model": f"at -10 % eccentric work: quadriceps {ecc_ratio['quadriceps']:.2f}x, "
                f"gluteals {ecc_ratio['gluteals']:.2f}x, hamstrings "
                f"{ecc_ratio['hamstrings']:.2f}x level",
                "agrees": agrees,
            }
        )
        out.append(
            {
                "claim": "uphill shifts strike toward the forefoot and loads the calves",
                "model": f"at +10 % the calves do {ratio['calves']:.2f}x their level work",
                "agrees": ratio["calves"] > 1.0,
            }
        )
    return out


def solve_conditions(
    conditions: tuple[tuple[float, float], ...] = CONDITIONS,
    mass: float = 70.0,
    height: float = 1.75,
    progress: Callable[[str], None] | None = None,
) -> dict[tuple[float, float], GaitCycle]:
    """Solve the strides by continuation (each warm-started from the nearest solved one)."""
    from runmuscles.model.runner import Runner
    from runmuscles.ocp.problem import predictive
    from runmuscles.prediction import solve

    runner = Runner(mass=mass, height=height)
    cycles: dict[tuple[float, float], GaitCycle] = {}
    solved: dict[tuple[float, float], Any] = {}
    for speed, grade in conditions:
        if progress:
            progress(f"solving {speed:g} m/s, grade {grade * 100:+.0f} %")
        # warm start from the nearest solved condition (1 m/s counted like 10 % grade)
        nearest = min(
            solved, key=lambda c: abs(c[0] - speed) + 10 * abs(c[1] - grade), default=None
        )
        guess = solved[nearest] if nearest is not None else None
        solved[(speed, grade)] = solve(predictive(runner, speed, grade, guess=guess))
        cycles[(speed, grade)] = solved[(speed, grade)].cycle()
    return cycles
