"""The gait rule (runmuscles.gait) and segmentation by gait with cadence dropouts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from runmuscles.activity import segment
from runmuscles.gait import (
    RUN_CADENCE,
    RUN_SPEED,
    TRANSITION_SPEEDS_M_S,
    classify,
    transition_speed,
)
from tests.unit.test_activity_synthetic import make_run


@pytest.mark.parametrize(
    ("speed", "grade", "cadence", "gait"),
    [
        (0.8, 0.0, 170.0, "walk"),  # slower than 1 m/s: never running
        (2.3, 0.0, 120.0, "run"),  # above 2.2 m/s: running whatever the cadence
        (1.8, 0.0, 150.0, "run"),  # a slow jog with a running cadence
        (1.8, 0.0, 125.0, "walk"),  # brisk walking cadence
        (1.8, 0.0, None, "walk"),  # no cadence: below the level transition (1.95 m/s)
        (2.0, 0.0, None, "run"),
        (1.6, 0.20, None, "run"),  # on a 20 % climb the transition is lower (about 1.58 m/s)
        (1.4, 0.25, None, "walk"),
        (1.9, -0.10, None, "walk"),  # downhill: the level value
        (1.8, 0.0, 0.0, "walk"),  # a zero cadence is a dropout, not a cadence: speed decides
    ],
)
def test_classify(speed: float, grade: float, cadence: float | None, gait: str) -> None:
    assert classify(speed, grade, cadence)[0] == gait


def test_transition_speed_follows_the_published_points() -> None:
    for deg, v in zip((0, 5, 10, 15), TRANSITION_SPEEDS_M_S, strict=True):
        assert transition_speed(np.tan(np.radians(deg))) == pytest.approx(v)
    assert transition_speed(-0.2) == TRANSITION_SPEEDS_M_S[0]
    assert transition_speed(0.5) == TRANSITION_SPEEDS_M_S[-1]
    assert TRANSITION_SPEEDS_M_S[0] < RUN_SPEED and RUN_CADENCE == 140.0


def test_zero_cadence_dropouts_do_not_change_the_stride_count() -> None:
    """A Polar-like cadence channel with runs of zeros while running: strides come from the
    valid samples, the dropouts filled with their mean (never counted as zero)."""
    n = 1200
    whole = make_run(np.full(n, 3.0), np.zeros(n), cadence=170.0)
    cad = np.full(n, 170.0)
    cad[np.arange(n) % 10 < 6] = 0.0  # 60 % of the samples drop out
    holed = dataclasses.replace(whole, cadence_steps_per_min=cad)
    a, b = segment(whole), segment(holed)
    assert len(a) == len(b)
    for s, t in zip(a, b, strict=True):
        assert t.strides == pytest.approx(s.strides, rel=1e-9)
        assert t.cadence_steps_per_min == pytest.approx(170.0)
        assert t.gait == "run"
    # the old mean including zeros would have counted 40 % of the strides
    assert b[0].strides == pytest.approx(170 * b[0].duration_s / 120)


def test_mostly_missing_cadence_falls_back_to_the_model() -> None:
    n = 600
    cad = np.zeros(n)
    cad[::5] = 170.0  # valid cadence covers 20 % of the time
    act = dataclasses.replace(make_run(np.full(n, 3.0), np.zeros(n)), cadence_steps_per_min=cad)
    seg = segment(act)
    assert all(s.strides is None for s in seg)  # the model's stride time fills in


def test_a_walk_run_is_segmented_by_gait() -> None:
    """8 min of running at 2.0 m/s and 160 steps/min, 5 min walking at 1.9 m/s and 120
    steps/min, 8 min running again: similar speeds, but three segments of two gaits."""
    v = np.r_[np.full(480, 2.0), np.full(300, 1.9), np.full(480, 2.0)]
    cad = np.r_[np.full(480, 160.0), np.full(300, 120.0), np.full(480, 160.0)]
    act = dataclasses.replace(make_run(v, np.zeros(v.size)), cadence_steps_per_min=cad)
    seg = segment(act)
    gaits = [s.gait for s in seg]
    assert gaits[0] == "run" and "walk" in gaits and gaits[-1] == "run"
    walked = sum(s.distance_m for s in seg if s.gait == "walk")
    assert walked == pytest.approx(300 * 1.9, rel=0.25)  # one 100 m piece of slack either side
    for s in seg:
        if s.gait == "walk":
            assert s.cadence_steps_per_min == pytest.approx(120.0, abs=15)
            assert "cadence" in s.gait_note


def test_a_steep_trail_climb_without_cadence_is_walked() -> None:
    """A 25 % trail climb at 1.1 m/s without cadence, between runs at 3 m/s: walked by the speed
    rule (the transition on such a climb is about 1.5 m/s), the runs are running."""
    v = np.r_[np.full(400, 3.0), np.full(900, 1.1), np.full(400, 3.0)]
    g = np.r_[np.zeros(400), np.full(900, 0.25), np.full(400, -0.05)]
    act = make_run(v, g, cadence=None)
    seg = segment(act)
    climb = [s for s in seg if s.grade > 0.2]
    assert climb and all(s.gait == "walk" for s in climb)
    assert sum(s.distance_m for s in climb) == pytest.approx(990.0, rel=0.15)
    assert all(s.gait == "run" for s in seg if s.speed_m_s > 2.5)


def test_a_steep_trail_climb_is_reported_as_walked_in_the_analysis() -> None:
    """The issue's case: a 25 % trail climb without cadence read "36 % less than flat" because the
    climb was silently dropped. Now the coverage and the headline say it was walked."""
    from runmuscles.load import analyze_activity
    from tests.fixture_table import FixtureTable

    v = np.r_[np.full(400, 3.0), np.full(900, 1.1), np.full(400, 3.0)]
    g = np.r_[np.zeros(400), np.full(900, 0.25), np.full(400, -0.05)]
    act = dataclasses.replace(make_run(v, g, cadence=None), sport="running")
    run = analyze_activity(act, table=FixtureTable(speed_range=(3.0, 6.0)))
    c = run.coverage
    assert c is not None and c.walked_m == pytest.approx(990.0, rel=0.15)
    assert c.computed_share == pytest.approx(1 - c.walked_m / c.distance_m)
    assert "walked not computed: no walking strides in this atlas" in run.headline
    assert "computed on" in run.headline


def test_a_cadence_that_means_impossible_steps_is_not_used() -> None:
    """64 steps/min at 3.9 m/s would be 3.7 m steps (a Polar file has such stretches): the
    model's stride time is used instead."""
    n = 400
    act = dataclasses.replace(
        make_run(np.full(n, 3.9), np.zeros(n)), cadence_steps_per_min=np.full(n, 64.0)
    )
    seg = segment(act)
    assert all(s.gait == "run" and s.strides is None for s in seg)
    assert "not used for strides" in seg[0].gait_note
