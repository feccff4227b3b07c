"""Acute:chronic workload ratio (runmuscles.load.acwr) by hand, and the comparison of a run with
the runner's recent weeks (runmuscles.load.history), from stored loads and from a folder."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from runmuscles.errors import InputError
from runmuscles.load import analyze_run
from runmuscles.load.acwr import (
    MIN_HISTORY_DAYS,
    daily,
    ewma,
    ewma_acwr,
    rolling_acwr,
    zone_label,
    zone_of,
)
from runmuscles.load.history import History, PastRun
from tests.fixture_table import FixtureTable


def test_rolling_acwr_by_hand() -> None:
    x = np.zeros(35)
    x[::7] = 100.0  # one run a week: days 0, 7, 14, 21, 28
    x[34] = 300.0  # and a big one on the last day
    acute, chronic, ratio = rolling_acwr(x)
    assert acute[-1] == pytest.approx(400.0)  # days 28..34
    assert chronic[-1] == pytest.approx((100 * 4 + 300) / 4)  # days 7..34 / 4
    assert ratio[-1] == pytest.approx(400 / 175)
    assert np.isnan(ratio[: MIN_HISTORY_DAYS - 1]).all()  # no ratio on a partial month
    assert zone_label(ratio[-1]) == "danger" and zone_of(1.0) == 1 and zone_of(None) is None


def test_ewma_by_hand() -> None:
    x = np.array([10.0, 0.0, 0.0])
    lam = 2 / 8
    np.testing.assert_allclose(
        ewma(x, 7), [lam * 10, (1 - lam) * lam * 10, (1 - lam) ** 2 * lam * 10]
    )
    _, _, r = ewma_acwr(np.ones(40))
    assert math.isnan(r[0]) and r[-1] > 1.0  # the acute average fills up faster


def test_daily_sums_by_utc_day() -> None:
    first = dt.date(2024, 6, 1)
    events = [
        (dt.datetime(2024, 6, 1, 7), 1.0),
        (dt.datetime(2024, 6, 1, 19), 2.0),
        (
            dt.datetime(2024, 6, 3, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            4.0,
        ),  # 2 June UTC
        (dt.datetime(2024, 7, 1), 8.0),  # outside
    ]
    np.testing.assert_allclose(daily(events, first, dt.date(2024, 6, 3)), [3.0, 4.0, 0.0])


def _past(days_before: float, quad_ecc: float, when: dt.datetime) -> PastRun:
    return PastRun(
        when - dt.timedelta(days=days_before),
        {"concentric": {"quadriceps": 1.0}, "eccentric": {"quadriceps": quad_ecc}},
        {"patellar_tendon": 10.0},
    )


def test_compare_needs_four_weeks_of_history() -> None:
    from tests.unit.test_advice import run_of

    run = run_of(0.0, -0.08)
    when = dt.datetime(2024, 6, 30, 8)
    short = History((_past(10, 5.0, when), _past(3, 5.0, when)))
    cmp = short.compare(run, when)
    assert cmp.changes == () and "needs 28 days of history" in cmp.notes[-1]
    undated = History((_past(40, 1, when),)).compare(run)  # the run itself has no date
    assert undated.changes == () and "no date" in undated.notes[-1]


def test_compare_by_hand() -> None:
    from tests.unit.test_advice import run_of

    run = run_of(0.0, -0.08)
    when = dt.datetime(2024, 6, 30, 8)
    this = run.group("quadriceps").eccentric_work_j
    past = tuple(_past(d, 1000.0, when) for d in (30, 21, 14, 7, 2))
    cmp = History(past).compare(run, when)
    ch = next(c for c in cmp.changes if (c.subject, c.kind) == ("quadriceps", "eccentric"))
    assert ch.acute == pytest.approx(1000.0 + this)  # days 24..30 of June: the 2-day-old run
    assert ch.chronic == pytest.approx((4 * 1000.0 + this) / 4)  # the 30-day-old run is out
    assert ch.acwr == pytest.approx(ch.acute / ch.chronic) and ch.this_run == pytest.approx(this)
    assert cmp.runs_used == 4 and cmp.since == past[0].start
    same_start = History((*past, _past(0, 1e9, when))).compare(run, when)  # a stored copy
    ch2 = next(c for c in same_start.changes if (c.subject, c.kind) == ("quadriceps", "eccentric"))
    assert ch2.acute == pytest.approx(ch.acute)  # never counted twice


def test_from_loads_reads_stored_runs() -> None:
    from tests.unit.test_advice import run_of

    d = run_of(0.0, 0.05).to_dict()
    d["activity"]["start_time"] = "2024-06-01T07:00:00+00:00"
    h = History.from_loads([d, {"activity": {}, "muscles": []}])
    assert len(h.runs) == 1 and h.runs[0].start == dt.datetime(2024, 6, 1, 7)
    assert h.runs[0].work_j["eccentric"]["quadriceps"] == pytest.approx(
        d["muscles"][0]["eccentric_work_j"]
    )
    assert "without a start time" in h.notes[0]


def _gpx(path: Path, start: dt.datetime, grade: float = 0.0, n: int = 900) -> Path:
    """A straight synthetic run at 3 m/s, 1 Hz (a test file, not a recording)."""
    lines = ['<?xml version="1.0"?>', '<gpx version="1.1" creator="runmuscles test">',
             "<trk><type>running</type><trkseg>"]  # fmt: skip
    for i in range(n):
        lat = 45.0 + i * 3.0 / 111_195.0
        t = (start + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ele = 100.0 + grade * 3.0 * i
        lines.append(
            f'<trkpt lat="{lat:.7f}" lon="7.0"><ele>{ele:.2f}</ele><time>{t}</time></trkpt>'
        )
    lines.append("</trkseg></trk></gpx>")
    path.write_text("\n".join(lines))
    return path


def test_analyze_run_with_a_history_folder(tmp_path: Path) -> None:
    when = dt.datetime(2024, 6, 30, 8)
    folder = tmp_path / "runs"
    folder.mkdir()
    for d in (35, 28, 21, 14, 7):
        _gpx(folder / f"run{d}.gpx", when - dt.timedelta(days=d))
    (folder / "notes.txt").write_text("not a run")
    (folder / "broken.gpx").write_text("<gpx><trk></trk></gpx>")
    this = _gpx(folder / "today.gpx", when, grade=-0.06)
    report = analyze_run(this, (70, 1.75), history=folder, table=FixtureTable())
    h = report.history
    assert h is not None and h.runs_used == 3 and h.changes  # 21, 14, 7 days before
    assert any("broken.gpx was left out" in n for n in h.notes)
    top = h.changes[0]
    assert top.acwr is not None and top.acwr > 1.0
    assert report.to_dict()["history"]["changes"][0]["subject"] == top.subject
    with pytest.raises(InputError, match="not a folder"):
        analyze_run(this, None, history=tmp_path / "nowhere", table=FixtureTable())
