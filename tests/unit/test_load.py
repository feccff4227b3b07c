"""Run loads against hand-computed values with the fixture table (tests/fixture_table.py)."""

from __future__ import annotations

import math

import pytest

from runmuscles.activity import Segment
from runmuscles.errors import DataError, OutOfRangeError
from runmuscles.load import ConditionTable, RunLoad, of_run, terrain_of
from runmuscles.units import G
from tests.fixture_table import FixtureTable


def seg(start: float, dur: float, v: float, g: float, strides: float | None) -> Segment:
    return Segment(start, dur, v * dur, v, g, 0.0, 0.0, strides)


# A: 10 min uphill 5 % at 3 m/s with 420 strides from cadence;
# B: 12 min downhill -5 % at 4 m/s without cadence (strides from the table's stride time).
A = seg(0.0, 600.0, 3.0, 0.05, 420.0)
B = seg(600.0, 720.0, 4.0, -0.05, None)
ST_B = 0.72 - 0.02 * 1.0 - 0.1 * -0.05  # 0.705 s
N_B = 720.0 / ST_B


def two_segments(mass: float = 70.0) -> RunLoad:
    return of_run(None, [A, B], FixtureTable(), mass=mass, height=1.75)


def test_fixture_satisfies_the_protocol() -> None:
    table: ConditionTable = FixtureTable()  # mypy checks the structural type
    assert table.groups == ("quadriceps", "hamstrings", "calves")


def test_works_impulse_peak_and_cycles_by_hand() -> None:
    r = two_segments()
    q = r.group("quadriceps")
    # per stride: A conc 20+100*0.05 = 25, ecc 25-200*0.05 = 15 (v/3 = 1);
    #             B conc (20-5)*4/3 = 20, ecc (25+10)*4/3 = 140/3
    assert q.concentric_work_j == pytest.approx(420 * 25 + N_B * 20)
    assert q.eccentric_work_j == pytest.approx(420 * 15 + N_B * 140 / 3)
    assert q.concentric_work_j_per_kg == pytest.approx(q.concentric_work_j / 70)
    assert q.impulse_ns == pytest.approx((420 + N_B) * 100)
    assert q.peak_force_n == pytest.approx(2000 * 1.05)  # the uphill segment's peak
    assert q.cycles == pytest.approx(420 + N_B)
    calves = r.group("calves")
    assert calves.concentric_work_j == pytest.approx(420 * 37.5 + N_B * 22.5 * 4 / 3)
    assert calves.metabolic_energy_j == pytest.approx(
        4 * calves.concentric_work_j + calves.eccentric_work_j
    )
    sources = [s.strides_source for s in r.segments]
    assert sources == ["cadence", "model"]
    assert r.segments[1].strides == pytest.approx(N_B)


def test_terrain_split_and_shares() -> None:
    r = two_segments()
    q = r.group("quadriceps")
    assert q.by_terrain["uphill"] == pytest.approx(420 * 40)
    assert q.by_terrain["downhill"] == pytest.approx(N_B * (20 + 140 / 3))
    assert q.by_terrain["flat"] == 0.0
    assert sum(q.by_terrain.values()) == pytest.approx(q.work_j)
    assert q.eccentric_by_terrain["uphill"] == pytest.approx(420 * 15)
    assert sum(g.share for g in r.muscles) == pytest.approx(1.0)
    assert q.share == pytest.approx(q.work_j / r.total_work_j)
    assert r.terrain_distance_m["uphill"] == pytest.approx(1800.0)
    assert r.terrain_distance_m["downhill"] == pytest.approx(2880.0)
    assert [s.terrain for s in r.segments] == ["uphill", "downhill"]
    assert [terrain_of(x) for x in (0.02, 0.0199, -0.0199, -0.02)] == [
        "uphill",
        "flat",
        "flat",
        "downhill",
    ]


def test_vs_flat_keeps_distance_pace_and_own_cadence() -> None:
    r = two_segments()
    # flat strides: A 420 * st(3, .05)/st(3, 0) = 420 * 0.715/0.72; B 720 s / st(4, 0) = 720/0.70
    na, nb = 420 * 0.715 / 0.72, 720 / 0.70
    flat_q = na * (20 + 25) + nb * (20 + 25) * 4 / 3
    q = r.group("quadriceps")
    assert q.flat_work_j == pytest.approx(flat_q)
    assert q.vs_flat == pytest.approx(q.work_j / flat_q)
    ach = r.tendon("achilles_tendon")
    assert ach.impulse_ns == pytest.approx(420 * 315 + N_B * 285)
    assert ach.flat_impulse_ns == pytest.approx((na + nb) * 300)
    assert ach.peak_force_bw == pytest.approx(5000 * 1.05 / (70 * G))
    assert ach.cycles == pytest.approx(420 + N_B)


def test_flat_run_ratio_is_one_and_headline_says_so() -> None:
    r = of_run(
        None, [seg(0, 600, 3.0, 0.0, None), seg(600, 600, 3.5, 0.001, 500.0)], FixtureTable()
    )
    for g in r.muscles:
        assert g.vs_flat == pytest.approx(1.0, abs=0.01)
        for kind in ("concentric", "eccentric"):
            assert g.vs_flat_of(kind) == pytest.approx(1.0, abs=0.01)
    assert r.findings == ()
    assert r.headline.startswith("this run loaded your muscles about as much as a flat run")


def test_headline_is_the_largest_finding() -> None:
    r = two_segments()
    found = r.findings
    assert found and r.headline.startswith(found[0].text)
    top = found[0]
    # by hand: the quadriceps' eccentric work on the -5 % descent (B) against the flat run:
    # per stride (25 + 10) * 4/3 against 25 * 4/3; strides N_B against 720 / 0.70
    assert (top.subject, top.kind, top.scope) == ("quadriceps", "eccentric", "downhill")
    assert top.ratio == pytest.approx((N_B * 35) / (720 / 0.70 * 25))
    assert f"{round((top.ratio - 1) * 100)} %" in r.headline and "descents raised" in r.headline


def test_mass_scaling_is_linear() -> None:
    light, heavy = two_segments(70.0), two_segments(84.0)
    for a, b in zip(light.muscles, heavy.muscles, strict=True):
        assert b.concentric_work_j == pytest.approx(1.2 * a.concentric_work_j)
        assert b.impulse_ns == pytest.approx(1.2 * a.impulse_ns)
        assert b.peak_force_n == pytest.approx(1.2 * a.peak_force_n)
        assert b.concentric_work_j_per_kg == pytest.approx(a.concentric_work_j_per_kg)
        assert b.share == pytest.approx(a.share)
        assert b.vs_flat == pytest.approx(a.vs_flat)
    for a_t, b_t in zip(light.tendons, heavy.tendons, strict=True):
        assert b_t.peak_force_bw == pytest.approx(a_t.peak_force_bw)
        assert b_t.impulse_ns == pytest.approx(1.2 * a_t.impulse_ns)


def test_steep_and_fast_segments_are_clipped_with_a_warning() -> None:
    calls: list = []
    table = FixtureTable(calls=calls)
    r = of_run(None, [seg(0, 300, 3.0, 0.15, None), seg(300, 200, 7.0, -0.02, None)], table)
    steep, fast = r.segments
    assert steep.grade_used == pytest.approx(0.10) and steep.grade == 0.15
    assert fast.speed_used == pytest.approx(6.0)
    text = " ".join(r.warnings)
    assert "steeper than the table's" in text and "+15%" in text
    assert "faster than the table's 6.0 m/s" in text
    assert "clipped" in steep.note
    for v, g in calls:  # the table is never asked outside its grid
        assert v.max() <= 6.0 and abs(g).max() <= 0.10


def test_walked_segments_are_not_computed_and_the_headline_says_so() -> None:
    walk = Segment(600, 300, 360, 1.2, 0.12, 0, 0, 300.0 * 110 / 120)  # 110 steps/min: walking
    r = of_run(None, [A, walk], FixtureTable())
    assert r.segments[1].terrain == "excluded" and r.segments[1].strides is None
    assert r.segments[1].gait == "walk"
    assert "not computed (no walking strides in this atlas)" in r.segments[1].note
    assert r.terrain_distance_m["excluded"] == pytest.approx(360.0)
    c = r.coverage
    assert c is not None
    assert c.walked_m == pytest.approx(360.0) and c.computed_m == pytest.approx(1800.0)
    assert c.computed_share == pytest.approx(1800 / 2160)
    assert "computed on 83 % of the distance" in r.headline
    assert "360 m walked not computed" in r.headline
    only_a = of_run(None, [A], FixtureTable())
    assert r.group("calves").work_j == pytest.approx(only_a.group("calves").work_j)


def test_slow_segment_with_running_cadence_counts_as_running() -> None:
    jog = seg(0, 600, 1.8, 0.0, 750.0)  # 150 steps/min: running, slower than the table
    hike = seg(600, 600, 1.8, 0.1, 650.0)  # 130 steps/min: walking
    r = of_run(None, [jog, hike], FixtureTable())
    assert [s.terrain for s in r.segments] == ["flat", "excluded"]
    assert [s.gait for s in r.segments] == ["run", "walk"]
    assert r.segments[0].speed_used == pytest.approx(2.0) and r.segments[0].clipped
    assert r.group("quadriceps").work_j == pytest.approx(750 * 45 * 2 / 3)
    assert any("slower than the table's 2.0 m/s but running" in w for w in r.warnings)
    assert r.coverage is not None and r.coverage.clipped_by["slower"] == pytest.approx(1080.0)
    assert "looked up at the atlas's edge (1.1 km slower than 2.0 m/s" in r.headline


def test_segment_above_walking_speed_counts_as_running_without_cadence() -> None:
    """Below the table but at 2.5 m/s (above the walk-run transition near 2.0-2.1 m/s,
    Hreljac 1993) a segment is running even when the file records no cadence."""

    easy = seg(0, 600, 2.5, 0.0, None)
    stroll = seg(600, 600, 1.5, 0.0, None)
    r = of_run(None, [easy, stroll], FixtureTable(speed_range=(3.0, 6.0)))
    assert [s.terrain for s in r.segments] == ["flat", "excluded"]
    assert r.segments[0].speed_used == pytest.approx(3.0)
    assert "walk-run transition" in r.segments[1].note


def test_steep_climb_without_cadence_is_walked_at_a_lower_speed() -> None:
    """Uphill the walk-run transition comes at lower speeds (Minetti 1994): 1.75 m/s is running
    on a 15 % climb but walking on the level (Brill & Kram 2021 speeds, runmuscles.gait)."""
    r = of_run(
        None, [seg(0, 600, 1.75, 0.15, None), seg(600, 600, 1.75, 0.0, None)], FixtureTable()
    )
    assert [s.gait for s in r.segments] == ["run", "walk"]


def test_nothing_running_gives_zero_loads_not_nan() -> None:
    r = of_run(None, [seg(0, 300, 1.0, 0.0, None)], FixtureTable())
    assert r.total_work_j == 0.0
    assert all(g.share == 0.0 and g.vs_flat is None for g in r.muscles)
    assert r.headline.startswith("no part of this run could be computed")
    assert "walked" in r.headline and r.findings == ()


def test_height_difference_warns_mass_range_refused() -> None:
    r = of_run(None, [A], FixtureTable(), mass=70, height=2.0)
    assert any("by mass only" in w for w in r.warnings)
    with pytest.raises(OutOfRangeError, match="kilograms"):
        of_run(None, [A], FixtureTable(), mass=700)
    with pytest.raises(OutOfRangeError, match="metres"):
        of_run(None, [A], FixtureTable(), height=175)


def test_bad_table_output_is_a_data_error() -> None:
    class Broken(FixtureTable):
        def lookup(self, speed, grade):  # type: ignore[no-untyped-def]
            out = dict(super().lookup(speed, grade))
            out["impulse_ns"] = out["impulse_ns"] * math.nan
            return out

    with pytest.raises(DataError, match="impulse_ns"):
        of_run(None, [A], Broken())


def test_to_dict_is_plain_data() -> None:
    d = two_segments().to_dict()
    assert set(d["muscles"][0]) >= {
        "group",
        "concentric_work_j",
        "eccentric_work_j",
        "share",
        "by_terrain",
    }
    assert set(d["muscles"][0]["by_terrain"]) == {"uphill", "flat", "downhill"}
    assert d["vs_flat"]["quadriceps"] == pytest.approx(two_segments().group("quadriceps").vs_flat)
