"""Elevation, grade, moving time and segmentation on synthetic runs with known answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from runmuscles.activity import (
    ascent_descent,
    elevation_profile,
    grade,
    hysteresis_climb,
    moving_mask,
    segment,
    summarize,
)
from runmuscles.errors import InputError
from runmuscles.io import sniff_format
from runmuscles.io.track import Activity, steps_per_minute


def make_run(
    speed: np.ndarray,
    slope: np.ndarray,
    *,
    dt: float = 1.0,
    noise_m: float = 0.0,
    cadence: float | None = 170.0,
    paused: np.ndarray | None = None,
    seed: int = 0,
) -> Activity:
    """A 1/dt Hz run whose elevation follows ``slope`` (rise/run) exactly along the distance."""
    speed = np.asarray(speed, float)
    t = np.arange(speed.size) * dt
    step = 0.5 * (speed[1:] + speed[:-1]) * dt
    d = np.concatenate([[0.0], np.cumsum(step)])
    z = 200.0 + np.concatenate([[0.0], np.cumsum(step * np.asarray(slope, float)[1:])])
    z += np.random.default_rng(seed).normal(0.0, noise_m, z.size) if noise_m else 0.0
    return Activity(
        time_s=t,
        distance_m=d,
        speed_m_s=speed,
        elevation_m=z,
        paused=np.zeros(t.size, bool) if paused is None else paused,
        cadence_steps_per_min=None if cadence is None else np.full(t.size, cadence),
    )


@pytest.mark.parametrize("slope", [0.0, 0.05, -0.08, 0.25])
def test_constant_slope_grade_is_recovered_exactly(slope: float) -> None:
    act = make_run(np.full(1200, 3.0), np.full(1200, slope))
    g, warnings = grade(act)
    assert warnings == ()
    np.testing.assert_allclose(g, slope, atol=1e-9)
    up, down = ascent_descent(act)
    rise = slope * act.distance_m[-1]
    assert up == pytest.approx(max(rise, 0.0), abs=1e-6)
    assert down == pytest.approx(max(-rise, 0.0), abs=1e-6)


def test_steep_grade_is_clipped_with_a_warning() -> None:
    act = make_run(np.full(600, 2.0), np.full(600, 0.45))
    g, warnings = grade(act, grade_range=(-0.3, 0.3))
    assert np.all(g == pytest.approx(0.3))
    assert warnings and "clipped" in warnings[0] and "+45%" in warnings[0]
    seg = segment(act)
    assert all(s.grade == pytest.approx(0.3) for s in seg)
    assert any("clipped" in w for w in seg.warnings)


def test_noise_below_threshold_invents_no_climbing() -> None:
    # flat 10 km with 0.5 m barometric noise: raw sum of rises would be hundreds of metres
    act = make_run(np.full(3000, 3.3), np.zeros(3000), noise_m=0.5)
    raw_gain = np.clip(np.diff(act.elevation_m), 0, None).sum()
    assert raw_gain > 500
    up, down = ascent_descent(act)
    assert up is not None and down is not None
    assert up < 2.0 and down < 2.0


def test_standing_still_with_drift_adds_no_climbing() -> None:
    # 10 minutes stopped while the barometer drifts 6 m up, inside a flat run
    v = np.r_[np.full(600, 3.0), np.zeros(600), np.full(600, 3.0)]
    act = make_run(v, np.zeros(v.size))
    z = act.elevation_m.copy()
    z[600:1200] += np.linspace(0, 6, 600)
    z[1200:] += 6
    act = dataclasses.replace(act, elevation_m=z)
    up, _ = ascent_descent(act)
    # the 6 m drift happens at one distance: counted at most once, not as a climb per sample
    assert up is not None and up <= 6.0 + 1e-6
    moving = moving_mask(act)
    assert 560 <= (~moving).sum() <= 620


def test_hysteresis_counts_only_reversals_beyond_threshold() -> None:
    z = np.array([0, 1, 0, 1, 0, 5, 4, 5, 0, 3.0])
    up, down = hysteresis_climb(z, threshold_m=2.0)
    assert (up, down) == (5.0 + 3.0, 5.0)
    # threshold 0: every rise and fall counts (1+1+5+1+3 up, 1+1+1+5 down)
    assert hysteresis_climb(z, threshold_m=0.0) == pytest.approx((11.0, 8.0))


def test_flat_hill_flat_segments() -> None:
    n1, n2 = round(2000 / 3.5), round(1000 / 2.8)
    v = np.r_[np.full(n1, 3.5), np.full(n2, 2.8), np.full(n1, 3.5)]
    g = np.r_[np.zeros(n1), np.full(n2, 0.08), np.zeros(n1)]
    act = make_run(v, g, noise_m=0.3)
    seg = segment(act)
    assert len(seg) == 3, seg
    flat1, hill, flat2 = seg
    assert hill.grade == pytest.approx(0.08, abs=0.01)
    assert hill.speed_m_s == pytest.approx(2.8, abs=0.05)
    assert flat1.grade == pytest.approx(0.0, abs=0.01)
    assert flat2.grade == pytest.approx(0.0, abs=0.01)
    assert hill.start_s == pytest.approx(n1, abs=40)  # within ~one 100 m window
    assert hill.gain_m == pytest.approx(80.0, abs=8.0)
    assert hill.strides == pytest.approx(170 * hill.duration_s / 60 / 2)
    assert sum(s.distance_m for s in seg) == pytest.approx(act.distance_m[-1])
    assert sum(s.duration_s for s in seg) == pytest.approx(act.duration_s)


def test_pause_splits_segments_and_is_not_moving_time() -> None:
    v = np.full(1200, 3.0)
    paused = np.zeros(1200, bool)
    t = np.arange(1200.0)
    t[600:] += 300  # a 5-minute timer stop between samples 599 and 600
    paused[600] = True
    act = make_run(v, np.zeros(1200), paused=paused)
    act = dataclasses.replace(act, time_s=t)
    summary = summarize(act)
    assert summary["duration_s"] == pytest.approx(1499.0)
    assert summary["moving_time_s"] == pytest.approx(1198.0, abs=1.0)
    seg = segment(act)
    assert all(not (s.start_s < 600 < s.start_s + s.duration_s) for s in seg)


def test_no_elevation_means_flat_with_a_warning() -> None:
    act = make_run(np.full(600, 3.0), np.zeros(600), cadence=None)
    act = dataclasses.replace(act, elevation_m=np.full(600, np.nan))
    assert elevation_profile(act) is None
    seg = segment(act)
    assert all(s.grade == 0.0 and s.strides is None for s in seg)
    assert any("no elevation" in w for w in seg.warnings)
    assert summarize(act)["ascent_m"] is None


def test_segment_rejects_bad_options() -> None:
    act = make_run(np.full(100, 3.0), np.zeros(100))
    with pytest.raises(InputError):
        segment(act, window_m=0)


def test_activity_is_immutable_and_checked() -> None:
    act = make_run(np.full(10, 3.0), np.zeros(10))
    with pytest.raises(ValueError):
        act.time_s[0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        act.device = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="shape"):
        dataclasses.replace(act, speed_m_s=np.zeros(3))


def test_cadence_units() -> None:
    strides = np.array([0, 80, 85, 90.0])
    out, warn = steps_per_minute(strides, "strides")
    np.testing.assert_allclose(out, [0, 160, 170, 180])
    assert warn is None
    steps = np.array([0, 165, 170, 175.0])
    out, warn = steps_per_minute(steps, "strides")  # device stored steps after all
    np.testing.assert_allclose(out, steps)
    assert warn and "kept as steps" in warn
    out, _ = steps_per_minute(strides, None)  # unknown unit: decided by magnitude
    np.testing.assert_allclose(out, 2 * strides)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", "fit"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- x --><gpx version="1.1">', "gpx"),
        (b"<TrainingCenterDatabase xmlns='x'>", "tcx"),
        (b"<ns0:TrainingCenterDatabase>", "tcx"),
        (b"<html><body>", None),
        (b"PK\x03\x04zipped", None),
        (b"<", None),
    ],
)
def test_sniff_format(head: bytes, fmt: str | None) -> None:
    assert sniff_format(head) == fmt
