"""GaitCycle against analytic strides whose every summary is known in closed form."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from runmuscles.cycle import GaitCycle
from runmuscles.errors import FileFormatError, InputError, UnknownNameError
from runmuscles.units import G

# The analytic stride: T = 0.7 s, each foot in contact for TC = 0.25 s with a half-sine vertical
# force, left foot half a stride after the right. Samples every 0.25 ms put every contact edge on
# the grid, so trapezoidal quadrature errors stay below 1e-6.
T, TC, N = 0.7, 0.25, 2801
MASS, SPEED = 70.0, 3.5
BW = MASS * G
W = 2 * math.pi / T
# amplitude such that the impulse of the two bumps, 2 * A * 2 TC / pi, equals m g T (Newton)
A = MASS * G * T * math.pi / (4 * TC)
THR = 20.0
B1, B2 = 200.0, 150.0  # braking and propulsive fore-aft amplitudes (N)
M0, M1, V0 = 100.0, 20.0, 5.0  # moment amplitude/offset (N m), velocity amplitude (rad/s)
F0, VF0, PMET = 2000.0, 0.3, 50.0  # muscle force (N), fibre velocity (m/s), metabolic rate (W)
GASTROC = 300.0


def _bump(t: np.ndarray) -> np.ndarray:
    """Unit half-sine contact starting at t = 0 of each stride."""
    tt = np.mod(t, T)
    return np.where(tt <= TC, np.sin(np.pi * np.clip(tt, 0, TC) / TC), 0.0)


def _fore_aft(t: np.ndarray) -> np.ndarray:
    tt = np.mod(t, T)
    s = -np.sin(2 * np.pi * np.clip(tt, 0, TC) / TC)
    return np.where(tt <= TC, np.where(tt < TC / 2, B1 * s, B2 * s), 0.0)


def _stride(
    time: np.ndarray | None = None, threshold: float = THR, **overrides: Any
) -> dict[str, Any]:
    t = np.linspace(0.0, T, N) if time is None else time
    s, c = np.sin(W * t), np.cos(W * t)
    sides = {"r": 0.0, "l": T / 2}
    q, qd, mom = {}, {}, {}
    muscles: dict[str, dict[str, np.ndarray]] = {}
    grf = {}
    reactions = {}
    for side, lag in sides.items():
        sgn = 1.0 if side == "r" else -1.0  # sin(w (t - T/2)) = -sin(w t)
        grf[side] = {"fx": _fore_aft(t - lag), "fy": A * _bump(t - lag)}
        q[f"hip_{side}"] = -sgn * V0 / W * c
        qd[f"hip_{side}"] = sgn * V0 * s
        mom[f"hip_{side}"] = sgn * M0 * s + M1
        q[f"knee_{side}"] = sgn * V0 / W * s
        qd[f"knee_{side}"] = sgn * V0 * c
        mom[f"knee_{side}"] = sgn * M0 * s
        q[f"ankle_{side}"] = np.zeros_like(t)
        qd[f"ankle_{side}"] = np.zeros_like(t)
        mom[f"ankle_{side}"] = -150.0 * _bump(t - lag)  # plantarflexion in stance
        ones = np.ones_like(t)
        muscles[f"soleus_{side}"] = {
            "excitation": 0.5 + 0.4 * sgn * s,
            "activation": 0.5 + 0.4 * sgn * s,
            "force": F0 * (1 + sgn * s) / 2,
            "fibre_length": 0.05 * ones,
            "fibre_velocity": VF0 * sgn * s,
            "mtu_velocity": VF0 * sgn * s,
            "metabolic_rate": PMET * ones,
        }
        muscles[f"gastroc_{side}"] = {
            "excitation": 0.2 * ones,
            "activation": 0.2 * ones,
            "force": GASTROC * ones,
            "fibre_length": 0.06 * ones,
            "fibre_velocity": 0 * ones,
            "mtu_velocity": 0 * ones,
            "metabolic_rate": 2 * PMET * ones,
        }
        reactions.update(
            {
                f"hip_{side}": 3 * BW * _bump(t - lag),
                f"knee_{side}": 8 * BW * _bump(t - lag),
                f"ankle_{side}": 10 * BW * _bump(t - lag),
            }
        )
    kwargs: dict[str, Any] = {
        "q": q,
        "qd": qd,
        "moments": mom,
        "grf": grf,
        "muscles": muscles,
        "joint_reactions": reactions,
        "condition": {"speed_m_s": SPEED, "grade": 0.0, "mass_kg": MASS, "height_m": 1.75},
        "provenance": {
            "model": "analytic test stride",
            "solver": {
                "status": "Solve_Succeeded",
                "iterations": 12,
                "wall_time_s": 1.5,
                "nlp_variables": 1234,
                "options": {"linear_solver": "mumps"},
            },
        },
        "contact_threshold_n": threshold,
    }
    kwargs.update(overrides)
    return {"time": t, **kwargs}


@pytest.fixture(scope="module")
def cycle() -> GaitCycle:
    return GaitCycle.from_arrays(**_stride())


# edges of a stance with the threshold: A sin(pi t / TC) = THR
EDGE = TC / math.pi * math.asin(THR / A)
STANCE = TC - 2 * EDGE


def _prim_act(t: float) -> float:
    """Primitive of the right soleus activation 0.5 + 0.4 sin(w t)."""
    return 0.5 * t - 0.4 * math.cos(W * t) / W


def _mean_act(intervals: list[tuple[float, float]]) -> float:
    total = sum(_prim_act(b) - _prim_act(a) for a, b in intervals)
    return total / sum(b - a for a, b in intervals)


def test_stride_timing_matches_the_analytic_contacts(cycle: GaitCycle) -> None:
    s = cycle.summary()
    assert s["stride_time_s"] == pytest.approx(T, rel=1e-12)
    assert s["cadence_steps_per_min"] == pytest.approx(120 / 0.7, rel=1e-12)  # 171.43 steps/min
    assert s["stride_length_m"] == pytest.approx(SPEED * T, rel=1e-12)
    assert s["contact_time_s"] == pytest.approx(STANCE, rel=1e-6)
    assert s["duty_factor"] == pytest.approx(STANCE / T, rel=1e-6)
    assert s["flight_fraction"] == pytest.approx((T - 2 * STANCE) / T, rel=1e-6)
    assert cycle.phase_duration("stance_r") + cycle.phase_duration("swing_r") == pytest.approx(T)


def test_lower_threshold_gives_the_true_contact_time() -> None:
    c = GaitCycle.from_arrays(**_stride(threshold=1e-6))
    assert c.contact_time == pytest.approx(TC, rel=1e-6)
    assert c.flight_fraction == pytest.approx((T - 2 * TC) / T, rel=1e-6)


def test_grf_summaries_in_body_weights(cycle: GaitCycle) -> None:
    s = cycle.summary()
    assert s["mean_vertical_grf_bw"] == pytest.approx(1.0, abs=1e-5)  # Newton over a stride
    assert s["peak_vertical_grf_bw"] == pytest.approx(A / BW, rel=1e-9)
    assert s["peak_braking_grf_bw"] == pytest.approx(B1 / BW, rel=1e-6)
    assert s["peak_propulsive_grf_bw"] == pytest.approx(B2 / BW, rel=1e-6)


def test_phase_masks_and_float(cycle: GaitCycle) -> None:
    ph = cycle.phases()
    t = cycle.time
    in_float = (t > TC) & (t < T / 2) | (t > T / 2 + TC)
    assert np.all(ph["float"].values[in_float])
    assert not ph["float"].values[(t > 0.05) & (t < 0.2)].any()
    assert np.array_equal(ph["swing"].sel(side="r").values, ~ph["stance"].sel(side="r").values)


def test_joint_work_of_sinusoidal_moment_and_velocity(cycle: GaitCycle) -> None:
    # knee: M = M0 sin(wt), qd = V0 cos(wt) -> P = c sin(2wt), c = M0 V0 / 2
    cpow = M0 * V0 / 2
    knee = cycle.joint_summary("knee")
    assert knee["positive_work_j_per_kg"] == pytest.approx(cpow * T / math.pi / MASS, rel=1e-5)
    assert knee["negative_work_j_per_kg"] == pytest.approx(-cpow * T / math.pi / MASS, rel=1e-5)

    def prim(t: float) -> float:
        return -cpow * math.cos(2 * W * t) / (2 * W)

    a, b = EDGE, TC - EDGE  # right stance; sin(2wt) changes sign at T/4 inside it
    st_pos, st_neg = prim(T / 4) - prim(a), prim(b) - prim(T / 4)
    assert knee["stance"]["positive_work_j_per_kg"] == pytest.approx(st_pos / MASS, rel=1e-5)
    assert knee["stance"]["negative_work_j_per_kg"] == pytest.approx(st_neg / MASS, rel=1e-5)
    assert knee["swing"]["positive_work_j_per_kg"] == pytest.approx(
        (cpow * T / math.pi - st_pos) / MASS, rel=1e-5
    )
    # hip: P = (M0 s + M1) V0 s; over a stride the M1 term integrates to 0 but not its parts
    hip = cycle.joint_summary("hip", "r")
    net = hip["positive_work_j_per_kg"] + hip["negative_work_j_per_kg"]
    assert net == pytest.approx(M0 * V0 * T / 2 / MASS, rel=1e-5)
    ankle = cycle.joint_summary("ankle")
    assert ankle["positive_work_j_per_kg"] == 0.0
    assert ankle["negative_work_j_per_kg"] == 0.0


def test_peak_moments_follow_the_sign_convention(cycle: GaitCycle) -> None:
    hip = cycle.joint_summary("hip")  # M = 100 sin(wt) + 20: flexion 120, extension 80 N m
    assert hip["peak_flexion_moment_nm_per_kg"] == pytest.approx((M0 + M1) / MASS, rel=1e-6)
    assert hip["peak_extension_moment_nm_per_kg"] == pytest.approx((M0 - M1) / MASS, rel=1e-6)
    assert hip["stance"]["peak_flexion_moment_nm_per_kg"] == pytest.approx((M0 + M1) / MASS)
    assert hip["stance"]["peak_extension_moment_nm_per_kg"] == 0.0  # M > 0 all stance
    assert hip["swing"]["peak_extension_moment_nm_per_kg"] == pytest.approx((M0 - M1) / MASS)
    ankle = cycle.joint_summary("ankle")  # -150 N m bump = plantarflexion = extension
    assert ankle["peak_extension_moment_nm_per_kg"] == pytest.approx(150 / MASS, rel=1e-9)
    assert ankle["peak_flexion_moment_nm_per_kg"] == 0.0


def test_muscle_fibre_work_metabolics_and_phases(cycle: GaitCycle) -> None:
    m = cycle.muscle_summary("soleus_r")
    conc = F0 * VF0 / 2 * (T / math.pi - T / 4)
    ecc = F0 * VF0 / 2 * (T / math.pi + T / 4)
    assert m["concentric_work_j"] == pytest.approx(conc, rel=1e-5)
    assert m["eccentric_work_j"] == pytest.approx(ecc, rel=1e-5)
    assert m["metabolic_energy_j"] == pytest.approx(PMET * T, rel=1e-12)
    assert (m["group"], m["side"]) == ("calves", "r")
    assert m["peak_activation"] == pytest.approx(0.9, rel=1e-9)
    assert m["mean_activation"] == pytest.approx(0.5, abs=1e-9)
    assert m["peak_activation_at"] == pytest.approx(0.25, abs=1e-9)
    assert m["peak_force_n"] == pytest.approx(F0, rel=1e-9)
    a, b = EDGE, TC - EDGE
    by = m["activation_by_phase"]
    assert by["stance"] == pytest.approx(_mean_act([(a, b)]), rel=1e-6)
    assert by["swing"] == pytest.approx(_mean_act([(0, a), (b, T)]), rel=1e-6)
    flt = [(0, a), (b, T / 2 + a), (T / 2 + b, T)]
    assert by["float"] == pytest.approx(_mean_act(flt), rel=1e-6)
    # left soleus: same shape half a stride later, its own stance
    ml = cycle.muscle_summary("soleus_l")
    assert ml["activation_by_phase"]["stance"] == pytest.approx(by["stance"], rel=1e-6)
    assert ml["peak_activation_at"] == pytest.approx(0.75, abs=1e-9)


def test_cost_of_transport_and_groups(cycle: GaitCycle) -> None:
    per_stride = 2 * (PMET * T + 2 * PMET * T)  # soleus + gastroc, both sides
    assert cycle.metabolic_energy() == pytest.approx(per_stride, rel=1e-12)
    assert cycle.cost_of_transport == pytest.approx(per_stride / (MASS * SPEED * T), rel=1e-12)
    g = cycle.group_summary("calves", "r")
    assert g["muscles"] == ["soleus_r", "gastroc_r"]
    assert g["metabolic_energy_j"] == pytest.approx(3 * PMET * T, rel=1e-12)
    assert g["peak_force_n"] == pytest.approx(F0 + GASTROC, rel=1e-9)
    with pytest.raises(UnknownNameError, match="calf"):
        cycle.group_summary("calf", "r")


def test_tendons_and_joint_loads(cycle: GaitCycle) -> None:
    assert cycle.tendon_peak_bw("achilles") == pytest.approx((F0 + GASTROC) / BW, rel=1e-9)
    assert cycle.tendon_peak_bw("patellar") is None  # no quadriceps in this stride
    assert cycle.joint_load_peak_bw("knee") == pytest.approx(8.0, rel=1e-9)
    assert cycle.joint_load_peak_bw("ankle", "l") == pytest.approx(10.0, rel=1e-9)


def test_json_has_exactly_the_contract_keys(cycle: GaitCycle) -> None:
    out = cycle.to_json()
    json.dumps(out, allow_nan=False)  # plain, strict JSON
    assert set(out) == {
        "condition",
        "summary",
        "joints",
        "muscles",
        "tendons",
        "joint_loads",
        "reserves",
        "warnings",
        "solver",
    }
    assert set(out["condition"]) == {"speed_m_s", "grade", "mass_kg", "height_m", "gait"}
    assert out["condition"]["gait"] == "run"
    assert set(out["summary"]) == {
        "cadence_steps_per_min",
        "stride_length_m",
        "stride_time_s",
        "contact_time_s",
        "duty_factor",
        "flight_fraction",
        "peak_vertical_grf_bw",
        "mean_vertical_grf_bw",
        "peak_braking_grf_bw",
        "peak_propulsive_grf_bw",
        "cost_of_transport_j_per_kg_m",
        "peak_knee_flexion_swing_deg",
        "foot_angle_at_contact_deg",
        "strike",
        "double_support_fraction",
        "trunk_lean_deg",
    }
    work = {
        "peak_extension_moment_nm_per_kg",
        "peak_flexion_moment_nm_per_kg",
        "positive_work_j_per_kg",
        "negative_work_j_per_kg",
    }
    assert set(out["joints"]) == {"hip", "knee", "ankle"}
    for j in out["joints"].values():
        assert set(j) == work | {"stance", "swing"}
        assert set(j["stance"]) == work and set(j["swing"]) == work
    assert len(out["muscles"]) == 4
    for m in out["muscles"]:
        assert set(m) == {
            "name",
            "group",
            "side",
            "peak_activation",
            "mean_activation",
            "peak_force_n",
            "concentric_work_j",
            "eccentric_work_j",
            "metabolic_energy_j",
            "activation_by_phase",
            "peak_activation_at",
            "resolved",
            "unresolved_reason",
        }
        assert set(m["activation_by_phase"]) == {"stance", "swing", "float"}
    assert set(out["tendons"]) == {"achilles_peak_force_bw", "patellar_peak_force_bw"}
    assert set(out["joint_loads"]) == {"hip", "knee", "ankle"}
    assert out["solver"] == {
        "status": "Solve_Succeeded",
        "iterations": 12,
        "wall_time_s": 1.5,
        "nlp_variables": 1234,
        "objective": None,
        "objective_terms": None,
        "guesses_tried": None,
        "guess_kept": None,
    }


def test_netcdf_round_trip_is_identical(cycle: GaitCycle, tmp_path: Path) -> None:
    path = cycle.save(tmp_path / "stride.nc")
    back = GaitCycle.load(path)
    xr.testing.assert_identical(back.ds, cycle.ds)
    assert back.ds["stance"].dtype == bool
    assert back.provenance == cycle.provenance
    assert back.provenance["solver"]["options"] == {"linear_solver": "mumps"}
    assert back.to_json() == cycle.to_json()


def test_load_refuses_other_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.nc"
    junk.write_bytes(b"not netcdf at all")
    with pytest.raises(FileFormatError, match=r"junk\.nc"):
        GaitCycle.load(junk)
    other = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", [1.0, 2.0])}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(FileFormatError, match="not a runmuscles GaitCycle"):
        GaitCycle.load(other)
    with pytest.raises(InputError, match="no such file"):
        GaitCycle.load(tmp_path / "missing.nc")


def test_resample_to_percent_of_stride(cycle: GaitCycle) -> None:
    r = cycle.resample(101)
    assert r.time.size == 101
    assert np.allclose(r.ds["stride_fraction"].values, np.linspace(0, 1, 101))
    t = r.time
    assert np.allclose(r.ds["q"].sel(dof="knee_r").values, V0 / W * np.sin(W * t), atol=1e-6)
    assert r.stride_time == pytest.approx(T)
    assert r.summary()["mean_vertical_grf_bw"] == pytest.approx(1.0, abs=0.01)
    stance_r = r.ds["stance"].sel(side="r").values
    assert stance_r[10] and not stance_r[40]  # 7 % of the stride in stance, 28 % not (TC = 36 %)


def test_velocities_default_to_finite_differences() -> None:
    c = GaitCycle.from_arrays(**_stride(qd=None))
    assert "finite differences" in c.ds.attrs["qd_source"]
    qd = c.ds["qd"].sel(dof="knee_r").values
    assert np.allclose(qd[1:-1], V0 * np.cos(W * c.time[1:-1]), atol=1e-3)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"time": np.linspace(0, T, N)[::-1]}, "strictly increasing"),
        ({"condition": {"speed_m_s": 3.0, "grade": 0.0, "mass_kg": 70.0}}, "height_m"),
        ({"condition": {"speed_m_s": 0.0, "grade": 0, "mass_kg": 70, "height_m": 1.7}}, "speed"),
        ({"provenance": {"bad": object()}}, "JSON"),
    ],
)
def test_bad_input_is_named(change: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        GaitCycle.from_arrays(**_stride(**change))


def test_nan_is_refused_with_its_location() -> None:
    kw = _stride()
    kw["muscles"]["soleus_l"]["force"] = kw["muscles"]["soleus_l"]["force"].copy()
    kw["muscles"]["soleus_l"]["force"][7] = np.nan
    with pytest.raises(InputError, match=r"'force'.*soleus_l"):
        GaitCycle.from_arrays(**kw)
    kw = _stride()
    kw["grf"]["r"]["fy"] = np.full(N, np.inf)
    with pytest.raises(InputError, match="grf"):
        GaitCycle.from_arrays(**kw)


def test_unknown_names_get_suggestions() -> None:
    kw = _stride()
    kw["muscles"]["solues_r"] = kw["muscles"].pop("soleus_r")
    with pytest.raises(UnknownNameError) as err:
        GaitCycle.from_arrays(**kw)
    assert "soleus" in err.value.suggestions
    kw = _stride()
    kw["q"]["nee_r"] = kw["q"].pop("knee_r")
    with pytest.raises(UnknownNameError, match="nee_r"):
        GaitCycle.from_arrays(**kw)
    kw = _stride()
    kw["muscles"]["soleus_r"]["force"] = np.ones(N - 1)
    with pytest.raises(InputError, match="shape"):
        GaitCycle.from_arrays(**kw)


def test_public_api_is_lazy() -> None:
    import runmuscles

    assert runmuscles.GaitCycle is GaitCycle


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 5), st.floats(0, 2000), st.floats(-1, 1)), min_size=3, max_size=40
    )
)
def test_parts_add_up_to_the_trapezoidal_integral(rows: list[tuple[float, float, float]]) -> None:
    # property: concentric - eccentric = -trapz(F v); stance + swing durations = stride
    n = len(rows)
    t = np.linspace(0.0, 1.0, n)
    fy, force, vel = (np.array(c) for c in zip(*rows, strict=True))
    ones = np.ones(n)
    musc = {
        k: ones
        for k in ("excitation", "activation", "fibre_length", "mtu_velocity", "metabolic_rate")
    }
    c = GaitCycle.from_arrays(
        t,
        q={"knee_r": 0 * t},
        moments={"knee_r": vel * 10},
        qd={"knee_r": vel},
        grf={"r": {"fx": 0 * t, "fy": fy * 100}, "l": {"fx": 0 * t, "fy": 0 * t}},
        muscles={"vasti_r": {**musc, "force": force, "fibre_velocity": vel}},
        condition={"speed_m_s": 3.0, "grade": 0.0, "mass_kg": 70.0, "height_m": 1.75},
    )
    conc, ecc = c.fibre_work("vasti_r")
    assert conc >= 0 and ecc >= 0
    assert conc - ecc == pytest.approx(-np.trapezoid(force * vel, t), abs=1e-9)
    total = c.phase_duration("stance_r") + c.phase_duration("swing_r")
    assert total == pytest.approx(1.0, abs=1e-12)
    knee = c.joint_summary("knee")
    pos = knee["stance"]["positive_work_j_per_kg"] + knee["swing"]["positive_work_j_per_kg"]
    assert pos == pytest.approx(knee["positive_work_j_per_kg"], abs=1e-9)


def test_muscle_table_matches_the_summaries(cycle: GaitCycle) -> None:
    table = cycle.muscle_table()
    conc = F0 * VF0 / 2 * (T / math.pi - T / 4)
    assert float(table["concentric_work"].sel(muscle="soleus_l")) == pytest.approx(conc, rel=1e-5)
    assert table["muscle_group"].sel(muscle="gastroc_r").item() == "calves"
    assert float(table["activation_float"].sel(muscle="gastroc_r")) == pytest.approx(0.2)


def test_time_origin_does_not_matter(cycle: GaitCycle) -> None:
    shifted = GaitCycle.from_arrays(**{**_stride(), "time": np.linspace(0.0, T, N) + 5.0})
    numbers = {k: v for k, v in cycle.to_json()["summary"].items() if isinstance(v, float)}
    moved = shifted.to_json()["summary"]
    assert {k: moved[k] for k in numbers} == pytest.approx(numbers, rel=1e-9)
    a, b = shifted.muscle_summary("soleus_r"), cycle.muscle_summary("soleus_r")
    by_a, by_b = a.pop("activation_by_phase"), b.pop("activation_by_phase")
    for key in ("name", "group", "side", "resolved", "unresolved_reason"):
        assert a.pop(key) == b.pop(key)
    assert a == pytest.approx(b, rel=1e-9)
    assert by_a == pytest.approx(by_b, rel=1e-9)


def test_unpaired_muscle_uses_the_right_foot_phases(cycle: GaitCycle) -> None:
    kw = _stride()
    kw["muscles"]["rect_abd"] = kw["muscles"]["soleus_r"]
    c = GaitCycle.from_arrays(**kw)
    mid = c.muscle_summary("rect_abd")
    assert (mid["group"], mid["side"]) == ("abdominals", "mid")
    assert mid["activation_by_phase"] == cycle.muscle_summary("soleus_r")["activation_by_phase"]


def test_torque_driven_cycle_without_muscles(tmp_path: Path) -> None:
    c = GaitCycle.from_arrays(**_stride(muscles={}, joint_reactions=None, provenance=None))
    out = c.to_json()
    assert out["muscles"] == []
    assert out["tendons"] == {"achilles_peak_force_bw": None, "patellar_peak_force_bw": None}
    assert out["joint_loads"] == {"hip": None, "knee": None, "ankle": None}
    assert out["solver"] == dict.fromkeys(
        (
            "status", "iterations", "wall_time_s", "nlp_variables", "objective",
            "objective_terms", "guesses_tried", "guess_kept",
        )
    )  # fmt: skip
    assert c.cost_of_transport == 0.0
    assert c.provenance["runmuscles_version"]
    assert c.resample(51).ds.sizes["muscle"] == 0
    back = GaitCycle.load(c.save(tmp_path / "torque.nc"))
    xr.testing.assert_identical(back.ds, c.ds)


def test_posture_and_strike_summaries() -> None:
    """Foot angle at contact, strike class, trunk lean, swing knee flexion and double support
    from poses whose values are known in closed form."""
    kw = _stride()
    t = kw["time"]
    tilt, lumbar, grade = -0.10, 0.05, 0.10
    kw["q"] = {**kw["q"], "pelvis_tilt": tilt + 0 * t, "lumbar": lumbar + 0 * t}
    kw["moments"] = {**kw["moments"], "pelvis_tilt": 0 * t, "lumbar": 0 * t}
    kw["qd"] = {**kw["qd"], "pelvis_tilt": 0 * t, "lumbar": 0 * t}
    kw["condition"] = {**kw["condition"], "grade": grade}
    c = GaitCycle.from_arrays(**kw)
    s = c.summary()
    # contact: the vertical force A sin(pi t / TC) crosses the threshold at t* (right foot)
    t_star = TC / math.pi * math.asin(THR / A)
    sgn = {"r": 1.0, "l": -1.0}
    expected = []
    for side, lag in (("r", 0.0), ("l", T / 2)):
        tt = lag + t_star
        hip = -sgn[side] * V0 / W * math.cos(W * tt)
        knee = sgn[side] * V0 / W * math.sin(W * tt)
        expected.append(math.degrees(tilt + hip - knee + 0.0))  # sole = tilt + hip - knee + ankle
    assert s["foot_angle_at_contact_deg"] == pytest.approx(np.mean(expected), abs=0.05)
    angle = s["foot_angle_at_contact_deg"]
    strike = "rearfoot" if angle > 8.0 else "forefoot" if angle < -1.6 else "midfoot"
    assert s["strike"] == strike  # Altman & Davis 2012 thresholds
    # trunk: -(tilt + lumbar) from the belt normal, minus the belt's tilt atan(grade)
    lean = math.degrees(-(tilt + lumbar) - math.atan(grade))
    assert s["trunk_lean_deg"] == pytest.approx(lean, abs=1e-9)
    # swing knee: peak of (V0/W) sin(w t) outside contact, right leg; left mirrors it
    swing = ~c.ds["stance"].sel(side="r").values
    peak_r = np.degrees((V0 / W * np.sin(W * t))[swing].max())
    assert s["peak_knee_flexion_swing_deg"] == pytest.approx(peak_r, abs=0.01)
    assert s["double_support_fraction"] == 0.0  # running: never both feet down


def test_a_dataset_with_nan_is_refused(cycle: GaitCycle) -> None:
    ds = cycle.ds.copy(deep=True)
    ds["activation"][100, 0] = np.nan
    with pytest.raises(InputError, match=r"'activation' is not finite at time=0\.025"):
        GaitCycle(ds)
    with pytest.raises(InputError, match="not a GaitCycle"):
        GaitCycle(xr.Dataset())


def test_no_float_phase_gives_null_not_nan() -> None:
    # both feet always loaded (standing): no float, every foot always in stance
    t = np.linspace(0.0, T, N)
    half = {"fx": 0 * t, "fy": 0.5 * BW + 0 * t}
    c = GaitCycle.from_arrays(**_stride(grf={"r": half, "l": half}))
    assert c.flight_fraction == 0.0
    assert c.duty_factor == pytest.approx(1.0)
    assert c.double_support_fraction == pytest.approx(1.0)
    assert c.summary()["mean_vertical_grf_bw"] == pytest.approx(1.0)
    assert c.muscle_summary("soleus_r")["activation_by_phase"]["float"] is None
    assert c.muscle_summary("soleus_r")["activation_by_phase"]["swing"] is None
    assert np.isnan(c.muscle_table()["activation_float"].values).all()
    json.dumps(c.to_json(), allow_nan=False)


def test_joint_absent_from_the_model_is_null() -> None:
    kw = _stride()
    for d in ("ankle_r", "ankle_l"):
        for key in ("q", "qd", "moments"):
            del kw[key][d]
    c = GaitCycle.from_arrays(**kw)
    assert c.to_json()["joints"]["ankle"] is None
    with pytest.raises(InputError, match="no ankle moment"):
        c.joint_summary("ankle")


def test_stance_knee_angles_and_moment_match_the_analytic_stride(cycle: GaitCycle) -> None:
    # right knee = V0/W sin(W t), in stance from EDGE to TC - EDGE: it rises to its crest V0/W at
    # t = T/4 (inside stance); the left leg mirrors it half a stride later
    at_contact = math.degrees(V0 / W * math.sin(W * EDGE))
    assert T / 4 < TC - EDGE
    # first contact is the first sample over the threshold: within one 0.25 ms sample (0.07 deg)
    assert cycle.knee_flexion_at_contact_deg == pytest.approx(at_contact, abs=0.08)
    assert cycle.peak_knee_flexion_stance_deg == pytest.approx(math.degrees(V0 / W), abs=0.01)
    # a knee extension moment of -150 N m x the contact bump: peak 150 N m at mid-stance
    stride = _stride()
    t = stride["time"]
    for side, lag in (("r", 0.0), ("l", T / 2)):
        stride["moments"][f"knee_{side}"] = -150.0 * _bump(t - lag)
    loaded = GaitCycle.from_arrays(**stride)
    assert loaded.peak_knee_extension_moment_n_m_kg == pytest.approx(150.0 / MASS, rel=1e-9)
