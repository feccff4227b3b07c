"""Gaits, coverage, resolved groups, concentric/eccentric findings and kilometres of a run load,
against hand-computed values with the fixture tables (tests/fixture_table.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pytest

from runmuscles.activity import Segment
from runmuscles.load import GaitView, of_run
from tests.fixture_table import FixtureTable, GaitFixtureTable, stride_time


def seg(start_m: float, dur: float, v: float, g: float, strides: float | None = None,
        gait: str | None = None) -> Segment:  # fmt: skip
    return Segment(0.0, dur, v * dur, v, g, 0.0, 0.0, strides, start_m=start_m, gait=gait)


def hill_loop() -> list[Segment]:
    """1 km flat, 1 km up at +8 %, 1 km down at -8 %, 1 km flat, all at 3.5 m/s."""
    d = 1000.0 / 3.5
    return [seg(0, d, 3.5, 0.0), seg(1000, d, 3.5, 0.08), seg(2000, d, 3.5, -0.08),
            seg(3000, d, 3.5, 0.0)]  # fmt: skip


def test_a_hill_loop_does_not_cancel_out() -> None:
    r = of_run(None, hill_loop(), FixtureTable())
    q = r.group("quadriceps")
    d = 1000.0 / 3.5
    n = {g: d / stride_time(3.5, g) for g in (0.0, 0.08, -0.08)}
    flat_n = {g: n[g] * stride_time(3.5, g) / stride_time(3.5, 0.0) for g in n}  # = d / T(v, 0)
    f = 3.5 / 3.0
    # eccentric quadriceps per stride: 25 - 200 g (x v/3); concentric 20 + 100 g
    ecc_down = n[-0.08] * (25 + 16) * f
    ecc_flat_down = flat_n[-0.08] * 25 * f
    assert q.work("eccentric", "downhill") == pytest.approx(ecc_down)
    assert q.work("eccentric", "downhill", flat=True) == pytest.approx(ecc_flat_down)
    # the total (concentric + eccentric) over the loop is within 2 % of the flat run: it cancels
    assert q.vs_flat == pytest.approx(1.0, abs=0.02)
    top = r.findings[0]
    assert (top.subject, top.kind, top.scope) == ("quadriceps", "eccentric", "downhill")
    assert top.ratio == pytest.approx(ecc_down / ecc_flat_down)
    assert r.headline.startswith(
        f"descents raised your quadriceps eccentric work {round((top.ratio - 1) * 100)} % over "
        "a flat run of the same pace"
    )
    assert top.per_km == pytest.approx(ecc_down)  # the descent is exactly 1 km
    # climbs cut it: a finding too, with the right sign
    up = next(
        x
        for x in r.findings
        if (x.subject, x.kind, x.scope) == ("quadriceps", "eccentric", "uphill")
    )
    assert up.ratio == pytest.approx(n[0.08] * 9 / (flat_n[0.08] * 25)) and "cut" in up.text


def test_kilometres_add_up_to_the_run() -> None:
    segs = [*hill_loop(), seg(4000, 150.0, 3.0, 0.0)]  # 450 m more: a short fifth kilometre
    r = of_run(None, segs, FixtureTable())
    assert [k.km for k in r.kilometres] == [1, 2, 3, 4, 5]
    assert r.kilometres[-1].computed_m == pytest.approx(450.0)
    for g in r.muscles:
        for kind in ("concentric", "eccentric"):
            total = sum(getattr(k, f"{kind}_j")[g.group] for k in r.kilometres)
            assert total == pytest.approx(g.work(kind))
    assert r.kilometres[2].grade == pytest.approx(-0.08)
    assert r.kilometres[2].vs_flat_of("quadriceps", "eccentric") == pytest.approx(
        r.findings[0].ratio
    )


def test_a_segment_across_a_kilometre_mark_is_split_by_distance() -> None:
    r = of_run(None, [seg(600, 800 / 4.0, 4.0, 0.05)], FixtureTable())
    k1, k2 = r.kilometres
    assert k1.computed_m == pytest.approx(400.0) and k2.computed_m == pytest.approx(400.0)
    q = r.group("quadriceps")
    assert k1.concentric_j["quadriceps"] == pytest.approx(q.concentric_work_j / 2)


def test_walking_and_a_wide_grid_come_from_the_table_alone() -> None:
    """With a table that holds walking strides and a wide grid (as the lead's atlas will), walked
    segments are computed with the walking strides: nothing changes but the table."""
    calls: list = []
    table = GaitFixtureTable(calls=calls)
    walk = seg(0, 600, 1.2, 0.25, 600 * 105 / 120, gait="walk")  # steep hike
    run = seg(720, 300, 3.5, -0.20, gait="run")
    r = of_run(None, [walk, run], table)
    assert [s.gait for s in r.segments] == ["walk", "run"]
    assert all(s.included and not s.clipped for s in r.segments)
    assert {c[0] for c in calls} == {"run", "walk"}
    assert r.coverage is not None
    assert r.coverage.walking_in_table and r.coverage.walked_m == 0.0
    assert r.coverage.computed_share == pytest.approx(1.0)
    # walking strides do half the running works (fixture): check one number by hand
    q = r.group("quadriceps")
    strides_walk = 600 * 105 / 120
    conc_walk = strides_walk * 0.5 * (20 + 100 * 0.25) * 1.2 / 3
    conc_run = 300 / stride_time(3.5, -0.20) * (20 - 20) * 3.5 / 3
    assert q.concentric_work_j == pytest.approx(conc_walk + conc_run)
    assert "edge" not in r.headline and "computed on" not in r.headline


def test_the_running_only_atlas_reports_walking_as_not_computed() -> None:
    walk = seg(0, 600, 1.2, 0.25, 600 * 105 / 120, gait="walk")
    run = seg(720, 300, 3.5, -0.20, gait="run")
    r = of_run(None, [walk, run], FixtureTable())
    assert r.coverage is not None
    assert r.coverage.walked_m == pytest.approx(720.0)
    assert r.coverage.clipped_by["steeper"] == pytest.approx(1050.0)
    assert "computed on 59 % of the distance (720 m walked not computed" in r.headline


def test_gait_view_of_a_running_only_table() -> None:
    view = GaitView(FixtureTable())
    assert view.gaits == ("run",) and not view.has("walk")
    assert view.ranges("run") == ((2.0, 6.0), (-0.10, 0.10))
    wide = GaitView(GaitFixtureTable())
    assert wide.gaits == ("run", "walk") and wide.ranges("walk") == ((0.5, 2.5), (-0.40, 0.40))


def test_an_unresolved_group_is_never_a_finding() -> None:
    r = of_run(None, hill_loop(), GaitFixtureTable(unresolved=("quadriceps",)))
    q = r.group("quadriceps")
    assert not q.resolved and q.vs_flat is None and q.vs_flat_of("eccentric") is None
    assert "not resolved" in q.resolved_note
    assert all(f.subject not in ("quadriceps", "patellar_tendon") for f in r.findings)
    assert "quadriceps" not in r.headline
    assert not r.tendon("patellar_tendon").resolved  # the tendon follows its muscles
    assert any("not resolved by the model" in w for w in r.warnings)


class ArmTable(FixtureTable):
    """The fixture plus a biceps group doing a tiny, grade-sensitive amount of work."""

    def __init__(self, biceps_j: float) -> None:
        super().__init__()
        object.__setattr__(self, "groups", ("quadriceps", "hamstrings", "calves", "biceps"))
        object.__setattr__(self, "biceps_j", biceps_j)

    def lookup(self, speed: np.ndarray, grade: np.ndarray) -> Mapping[str, np.ndarray]:
        out = dict(FixtureTable().lookup(speed, grade))
        for key in ("concentric_work_j", "eccentric_work_j", "impulse_ns", "peak_force_n",
                    "metabolic_energy_j"):  # fmt: skip
            extra = self.biceps_j * (1 + 5 * np.asarray(grade))[:, None]
            out[key] = np.concatenate([out[key], extra], axis=1)
        return out


def test_arm_groups_under_one_percent_are_unresolved() -> None:
    tiny = of_run(None, hill_loop(), ArmTable(0.2))
    b = tiny.group("biceps")
    assert b.share < 0.01 and not b.resolved and b.vs_flat is None
    assert "sagittal model does not resolve" in b.resolved_note
    assert all(f.subject != "biceps" for f in tiny.findings)
    big = of_run(None, hill_loop(), ArmTable(20.0))
    assert big.group("biceps").share >= 0.01 and big.group("biceps").resolved


def test_json_has_the_issue_keys() -> None:
    r = of_run(None, hill_loop(), FixtureTable())
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d["coverage"]) >= {
        "distance_km", "computed_km", "computed_share", "walked_km", "clipped_km", "dropped_km",
    }  # fmt: skip
    for m in d["muscles"]:
        assert set(m["vs_flat"]) == {"concentric", "eccentric"}
        assert set(m["per_km"]) == {"concentric_j", "eccentric_j", "flat_concentric_j",
                                    "flat_eccentric_j"}  # fmt: skip
    for t in d["tendons"]:
        assert set(t["vs_flat"]) == {"concentric", "eccentric", "impulse"}
    ach = r.tendon("achilles_tendon")
    assert ach.group == "calves"
    assert ach.vs_flat_of("eccentric") == pytest.approx(r.group("calves").vs_flat_of("eccentric"))
    assert d["headline"] == r.headline and d["findings"][0]["scope"] == "downhill"
    assert isinstance(d["vs_flat"]["quadriceps"], float)  # the whole-run ratio keeps its meaning
    assert len(d["kilometres"]) == 4 and not math.isnan(d["kilometres"][0]["grade"])
