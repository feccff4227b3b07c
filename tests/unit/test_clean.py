"""Track cleaning (runmuscles.io.clean) on synthetic tracks with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from runmuscles.errors import FileFormatError
from runmuscles.io.clean import (
    MAX_RUN_SPEED_M_S,
    clean_distance,
    clean_elevation,
    hampel,
)
from runmuscles.io.track import assemble


def test_hampel_removes_spikes_and_keeps_ramps_and_steps() -> None:
    ramp = np.linspace(0.0, 50.0, 200)
    out, bad = hampel(ramp, floor=2.0)
    assert not bad.any() and np.array_equal(out, ramp)  # a straight climb is left alone
    step = np.r_[np.zeros(100), np.full(100, 30.0)]
    out, bad = hampel(step, floor=2.0)
    assert not bad.any()  # a level change is not a spike (the window median follows it)
    spiky = ramp.copy()
    spiky[[50, 51, 52]] += 90.0  # three spiked samples, like the fenix2 start
    out, bad = hampel(spiky, floor=2.0)
    assert np.flatnonzero(bad).tolist() == [50, 51, 52]
    np.testing.assert_allclose(out[50:53], ramp[50:53], atol=1.0)  # the window median
    nan = spiky.copy()
    nan[10] = np.nan
    out, bad = hampel(nan, floor=2.0)
    assert np.isnan(out[10]) and not bad[10] and bad[50]


def test_impossible_distance_steps_take_the_local_pace() -> None:
    t = np.arange(601.0)
    d = 3.0 * t
    d[300] += 34_000_000.0  # a corrupt record: 34,000 km at one sample
    d[450:] += 374.0  # a GPS jump of 374 m in 1 s that the device kept
    clean, counts, worst, removed, _ = clean_distance(t, d, max_speed=MAX_RUN_SPEED_M_S)
    assert clean[-1] == pytest.approx(1800.0)  # 600 s at 3 m/s, nothing more
    assert counts["speed"] == 2 and counts["backwards"] == 1
    assert worst is not None and worst > 1e6
    assert removed == pytest.approx(34_000_000.0 + 374.0, rel=1e-6)


def test_small_backward_steps_are_held_not_counted() -> None:
    t = np.arange(11.0)
    d = 3.0 * t
    d[5] -= 4.0  # a device correction of 4 m, then on
    clean, counts, _, _, notes = clean_distance(t, d, max_speed=MAX_RUN_SPEED_M_S)
    assert counts["backwards"] == 0 and np.all(np.diff(clean) >= 0)
    assert clean[-1] == pytest.approx(30.0)  # the dip is held, not counted twice
    assert notes and "went back" in notes[0]


def test_a_jump_while_standing_is_a_speed_spike() -> None:
    t = np.arange(101.0)
    d = np.r_[3.0 * t[:40], np.full(30, 117.0), 117.0 + 3.0 * np.arange(1, 32)]
    d[55:] += 11.0  # standing at a crossing, the device adds an 11 m jump in one second
    clean, counts, _, removed, _ = clean_distance(t, d, max_speed=MAX_RUN_SPEED_M_S)
    assert counts["acceleration"] == 1 and counts["speed"] == 0
    assert clean[-1] == pytest.approx(117.0 + 93.0) and removed == pytest.approx(11.0)


def test_corrupt_altitude_blocks_are_removed_but_level_changes_kept() -> None:
    t = np.arange(400.0)
    z = 100.0 + 0.05 * t
    z[100:130] = 5000.0  # 30 corrupt samples: longer than the Hampel window
    z[300:] += 12.0  # a barometer catching up by 12 m in one second, and staying there
    out, spikes, impossible = clean_elevation(t, z)
    assert impossible == 30 and spikes == 0
    np.testing.assert_allclose(out[100:130], 100.0 + 0.05 * t[100:130], atol=0.1)
    assert out[-1] == pytest.approx(z[-1])  # the persistent level change is kept


def _rows(n: int, bad_every: int | None = None) -> list[dict[str, float | None]]:
    rows = []
    for i in range(n):
        d = 3.0 * i
        if bad_every and i % bad_every == 0 and i:
            d = 1e7 * (i % 7 + 1)
        rows.append({"distance": d, "elevation": 100.0})
    return rows


def test_a_file_mostly_impossible_is_refused_clearly() -> None:
    n = 300
    with pytest.raises(FileFormatError) as err:
        assemble(Path("damaged.fit"), "fit", np.arange(n, dtype=float), _rows(n, bad_every=3),
                 warnings=[], sport="running")  # fmt: skip
    msg = str(err.value)
    assert msg.startswith("damaged.fit: ") and "physically impossible" in msg
    assert "export the activity again" in msg.lower()


def test_a_few_impossible_records_are_cleaned_with_a_message() -> None:
    n = 300
    act = assemble(Path("ok.fit"), "fit", np.arange(n, dtype=float), _rows(n, bad_every=100),
                   warnings=[], sport="running")  # fmt: skip
    assert act.distance_m[-1] == pytest.approx(3.0 * (n - 1))
    assert act.cleaning.impossible_records == 4  # 2 records: a step in and a step out each
    assert any("physically impossible" in w for w in act.warnings)
    assert act.cleaning.to_dict()["impossible_by"] == {"speed": 2, "backwards": 2}


def test_a_cycling_file_keeps_cycling_speeds() -> None:
    """Speed bounds are a runner's only for running: a 20 m/s descent on a bike is real."""
    n = 200
    rows = [{"distance": 20.0 * i, "elevation": 100.0} for i in range(n)]
    act = assemble(Path("ride.fit"), "fit", np.arange(n, dtype=float), rows, warnings=[],
                   sport="cycling")  # fmt: skip
    assert act.distance_m[-1] == pytest.approx(20.0 * (n - 1))
    assert act.cleaning.impossible_records == 0
