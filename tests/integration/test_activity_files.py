"""Every real activity file in ../shared/data/activities reads, or fails with a clear message.

Expected outcomes come from MANIFEST.md in that folder (what each file is and how it is broken).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from runmuscles.activity import ascent_descent, segment, summarize
from runmuscles.cli import main
from runmuscles.errors import FileFormatError
from runmuscles.io import read_activity as _read_activity
from runmuscles.io.track import Activity
from tests.conftest import SHARED_DATA, shared_data


@functools.cache
def read_activity(path: Path) -> Activity:
    """Each file is parsed once per test session (an Activity is immutable, so sharing is safe)."""
    return _read_activity(path)


ACTIVITIES = SHARED_DATA / "activities"
FILES = (
    sorted(
        p.relative_to(ACTIVITIES).as_posix()
        for p in ACTIVITIES.glob("*/*")
        if p.suffix.lower() in {".fit", ".gpx", ".tcx"}
    )
    if ACTIVITIES.is_dir()
    else []
)

#: file -> substring every warning list must contain (files that are damaged or odd, per MANIFEST)
EXPECTED_WARNING = {
    "fit/fitdecode_invalid_activity-filecrc.fit": "CRC",
    "fit/fitdecode_invalid_activity-unexpected-eof.fit": "cut short",
    "fit/fitparse_sigma_truncated_nick.fit": "cut short",
    "fit/fitparse_strava-android-app-201.10-b1218918.fit": "local message 11 not defined",
    "fit/fitparse_coros-pace-2-cycling-misaligned-fields.fit": "not running",
    "fit/gc_fr15_noalt_10kUNLP2014-Garmin15.fit": "no elevation",
    "fit/fitdecode_fr70_nogps_compressed-speed-distance.fit": "no elevation",
    "gpx/runpandas_nikerun_sparse_ele_00978fad.gpx": "elevation recorded on only 315",
    "tcx/runpandas_malformed.tcx": "malformed XML",
}


def test_shared_activity_folder_present() -> None:
    shared_data("activities")
    assert len(FILES) >= 20


@pytest.mark.parametrize("rel", FILES)
def test_every_file_reads_or_fails_clearly(rel: str) -> None:
    path = ACTIVITIES / rel
    try:
        act = read_activity(path)
    except FileFormatError as exc:  # pragma: no cover - no file in the folder does this today
        assert path.name in str(exc)
        return
    assert len(act) >= 2
    assert np.all(np.diff(act.time_s) > 0)
    assert np.all(np.diff(act.distance_m) >= 0)
    assert np.all(np.isfinite(act.distance_m)) and np.all(np.isfinite(act.speed_m_s))
    lo, hi = -450.0, 9000.0
    z = act.elevation_m[np.isfinite(act.elevation_m)]
    assert np.all((z >= lo) & (z <= hi))
    if act.cadence_steps_per_min is not None:  # steps/min, never strides/min
        c = act.cadence_steps_per_min
        assert 120 < np.median(c[c > 100]) < 220
    if rel in EXPECTED_WARNING:
        assert any(EXPECTED_WARNING[rel] in w for w in act.warnings), act.warnings
    # the analysis layer copes with every readable file
    summary = summarize(act)
    assert summary["distance_m"] == pytest.approx(act.distance_m[-1])
    assert 0 <= summary["moving_time_s"] <= summary["duration_s"]
    seg = segment(act)
    assert sum(s.distance_m for s in seg) <= act.distance_m[-1] + 1e-6


def test_c3d_is_refused_clearly() -> None:
    path = shared_data("activities", "mocap", "ezc3d_Optotrak.c3d")
    with pytest.raises(FileFormatError, match=r"ezc3d_Optotrak\.c3d: not a FIT, GPX or TCX"):
        read_activity(path)


def test_truncated_fit_keeps_records_before_the_break() -> None:
    cut = read_activity(
        shared_data("activities", "fit", "fitdecode_invalid_activity-unexpected-eof.fit")
    )
    whole = read_activity(
        shared_data("activities", "fit", "fitdecode_invalid_activity-filecrc.fit")
    )
    # the same FIT SDK sample, once cut short and once complete (bad CRC): 14 records each
    assert len(cut) == len(whole) == 14
    np.testing.assert_allclose(cut.distance_m, whole.distance_m)
    assert any("kept the 14 records" in w for w in cut.warnings)


def test_real_truncated_ride_keeps_its_records() -> None:
    act = read_activity(shared_data("activities", "fit", "fitparse_sigma_truncated_nick.fit"))
    assert len(act) > 14000  # MANIFEST: 14391 records before the break
    assert act.distance_m[-1] == pytest.approx(113551, rel=1e-3)
    assert act.sport == "cycling" and not act.is_running
    assert act.cadence_steps_per_min is None  # pedal rpm is not a step rate


def test_malformed_tcx_recovers_every_point_before_the_break() -> None:
    bad = read_activity(shared_data("activities", "tcx", "runpandas_malformed.tcx"))
    good = read_activity(shared_data("activities", "tcx", "tcxparser_fr410_hilly_test.tcx"))
    assert len(bad) == len(good) == 384  # same run; the damage is after the last trackpoint
    np.testing.assert_allclose(bad.distance_m, good.distance_m)


def test_nogps_foot_pod_run_uses_device_distance() -> None:
    act = read_activity(
        shared_data("activities", "fit", "fitdecode_fr70_nogps_compressed-speed-distance.fit")
    )
    assert not act.has_position and not act.has_elevation
    assert act.totals.distance_m is not None
    assert act.distance_m[-1] == pytest.approx(act.totals.distance_m, rel=1e-3)
    assert act.start_time is None  # device-relative timestamps carry no date
    assert all(s.grade == 0.0 for s in segment(act))


# --- the same run as FIT, GPX and TCX -------------------------------------------------------


def _three() -> dict[str, object]:
    return {
        ext: read_activity(shared_data("activities", ext, f"heartandsole_fr220_testdata.{ext}"))
        for ext in ("fit", "gpx", "tcx")
    }


def test_same_run_three_formats_agree() -> None:
    acts = _three()
    fit, gpx, tcx = (acts[k] for k in ("fit", "gpx", "tcx"))
    assert isinstance(fit, type(gpx)) and isinstance(tcx, type(gpx))
    # duration: identical timestamps in all three (tolerance 1 s)
    assert fit.duration_s == pytest.approx(gpx.duration_s, abs=1.0)
    assert fit.duration_s == pytest.approx(tcx.duration_s, abs=1.0)
    # distance: TCX carries the device distance (tolerance 0.5 %) ...
    assert tcx.distance_m[-1] == pytest.approx(fit.distance_m[-1], rel=0.005)
    # ... GPX only positions and no pauses: the watch stopped its timer twice while the runner
    # moved ~35 m; outside those pauses GPS distance matches the device within 5 %
    moving = ~fit.paused[1:]
    gps_moving = np.diff(gpx.distance_m)[moving].sum()
    assert gps_moving == pytest.approx(fit.distance_m[-1], rel=0.05)
    assert gpx.distance_m[-1] == pytest.approx(fit.distance_m[-1], rel=0.25)
    # ascent: a 160 m jog on the flat; the FIT's barometric altitude and the exports' corrected
    # altitude differ by ~8 m in level but agree on climbing within 5 m
    ups = [ascent_descent(a)[0] for a in (fit, gpx, tcx)]
    assert all(u is not None for u in ups)
    assert max(ups) - min(ups) < 5.0  # type: ignore[operator]


# --- ascent against the device's own total: tests/integration/test_device_totals.py ---------


# --- CLI -------------------------------------------------------------------------------------


def test_cli_activity_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_data("activities", "fit", "runpandas_fr645m_hilly_run.fit")
    assert main(["activity", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    act = out["activity"]
    for key in ("duration_s", "moving_time_s", "distance_m", "ascent_m", "descent_m", "device"):
        assert key in act
    assert act["device"] == "garmin fr645m"
    assert act["distance_m"] == pytest.approx(5839.8, abs=2)
    segs = out["segments"]
    assert segs and {"start_s", "duration_s", "distance_m", "speed_m_s", "grade"} <= set(segs[0])
    assert any(s["grade"] > 0.05 for s in segs) and any(s["grade"] < -0.05 for s in segs)


def test_cli_activity_text(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_data("activities", "tcx", "tcxparser_fr410_hilly_test.tcx")
    assert main(["activity", str(path)]) == 0
    out = capsys.readouterr().out
    assert "steady segments" in out and "ascent / descent" in out


@pytest.mark.parametrize("content", [b"", b"garbage bytes, not a run", b"<html></html>"])
def test_cli_bad_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "run.fit"
    path.write_bytes(content)
    assert main(["activity", str(path)]) == FileFormatError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run.fit" in err and "Traceback" not in err
