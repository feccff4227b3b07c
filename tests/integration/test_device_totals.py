"""Cleaned totals against the device's own, on every real file; and the damaged files that the
tests build from real ones (altitude spikes, a GPS jump, 400 corrupt bytes, a truncated file).

Goals (issue 13): distance within 1 %, ascent and descent within 10 % of the device's session
totals, or a warning that says why not.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

from runmuscles.activity import summarize
from runmuscles.errors import FileFormatError
from runmuscles.io import parse_activity, read_activity
from runmuscles.io.clean import MAX_RUN_SPEED_M_S
from runmuscles.io.track import Activity
from runmuscles.load import analyze_activity
from tests.conftest import SHARED_DATA, shared_data
from tests.fixture_table import FixtureTable

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
#: (file, quantity) -> words the warning must contain, where a total misses its goal for a
#: known reason: the Strava file is cut after 8 % of the run; the fr220's 1 m and 2 m are below
#: the elevation noise.
KNOWN_MISSES = {
    ("fit/fitparse_strava-android-app-201.10-b1218918.fit", "distance_m"): "damaged",
    ("fit/heartandsole_fr220_testdata.fit", "ascent_m"): "elevation noise",
    ("fit/heartandsole_fr220_testdata.fit", "descent_m"): "elevation noise",
}


@functools.cache
def _read(rel: str) -> Activity:
    return read_activity(ACTIVITIES / rel)


@functools.cache
def _summary(rel: str) -> dict:
    return summarize(_read(rel))


@pytest.mark.parametrize("rel", FILES)
def test_totals_meet_the_goal_or_say_why(rel: str) -> None:
    shared_data("activities")
    try:
        s = _summary(rel)
    except FileFormatError:  # pragma: no cover - every file reads today
        return
    for key, row in s["vs_device"].items():
        assert row["ours"] - row["device"] == pytest.approx(row["difference"])
        if (rel, key) in KNOWN_MISSES:
            assert not row["within_goal"], (rel, key, row)
            word = key.removesuffix("_m")
            why = [w for w in s["warnings"] if w.startswith(f"our {word} ")]
            assert why and KNOWN_MISSES[(rel, key)] in why[0], s["warnings"]
        else:
            assert row["within_goal"], (rel, key, row)
    assert set(s["device_totals"]) <= {
        "distance_m", "ascent_m", "descent_m", "timer_time_s", "elapsed_time_s",
    }  # fmt: skip
    assert all(v is not None for v in s["device_totals"].values())


def test_every_device_total_in_the_folder_is_compared() -> None:
    shared_data("activities")
    compared = {(rel, k) for rel in FILES for k in _summary(rel)["vs_device"]}
    # 13 files carry a device distance, 6 an ascent and descent (MANIFEST.md)
    assert sum(1 for _, k in compared if k == "distance_m") >= 13
    assert sum(1 for _, k in compared if k == "ascent_m") >= 6


def test_fenix2_start_spike_no_longer_makes_a_descent() -> None:
    """Three altitude samples at 142 m at the start (the run starts at 55 m) made 97 m of
    descent against the watch's 61 m; the Hampel filter removes them."""
    rel = "fit/fitdecode_fenix2_activity-small-fenix2-run.fit"
    shared_data("activities", rel)
    act, s = _read(rel), _summary(rel)
    assert act.cleaning.altitude_spikes == 3
    assert s["descent_m"] == pytest.approx(61.0, rel=0.10)
    assert s["ascent_m"] == pytest.approx(64.0, rel=0.10)
    assert act.elevation_source == "barometric"


def test_truncated_file_says_how_much_is_lost() -> None:
    rel = "fit/fitparse_strava-android-app-201.10-b1218918.fit"
    shared_data("activities", rel)
    s = _summary(rel)
    note = next(w for w in s["warnings"] if "of the run is lost" in w)
    assert "11.27 km" in note and "0.93 km" in note and "10.35 km (92 %)" in note


def test_truncated_file_headline_says_the_run_is_mostly_lost() -> None:
    rel = "fit/fitparse_strava-android-app-201.10-b1218918.fit"
    shared_data("activities", rel)
    run = analyze_activity(_read(rel), table=FixtureTable())
    c = run.coverage
    assert c is not None and c.distance_m == pytest.approx(11274.04)
    assert c.lost_m == pytest.approx(11274.04 - 928.25, abs=1.0)
    assert c.computed_share < 0.09
    assert "computed on 8 % of the distance" in run.headline
    assert "10.3 km lost: the file is damaged" in run.headline


def test_file_cut_after_its_last_record_loses_nothing() -> None:
    rel = "fit/fitdecode_invalid_activity-unexpected-eof.fit"
    shared_data("activities", rel)
    assert any("nothing of the run is lost" in w for w in _summary(rel)["warnings"])


def _corrupt(data: bytes, seed: int, at: float, size: int = 400) -> bytes:
    rng = np.random.default_rng(seed)
    b = bytearray(data)
    off = int(len(b) * at)
    b[off : off + size] = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    return bytes(b)


def test_fit_with_400_corrupt_bytes_is_cleaned_with_a_message() -> None:
    """400 random bytes at 65 % of the fr645m file: before cleaning this read as 34,854 km at
    up to 34.8 million m/s (the issue's 28,068 km case); cleaned, it is the 5.84 km run."""
    path = shared_data("activities", "fit", "runpandas_fr645m_hilly_run.fit")
    act = parse_activity(_corrupt(path.read_bytes(), seed=3, at=0.65), "damaged.fit")
    assert act.distance_m[-1] == pytest.approx(5839.8, rel=0.01)
    speeds = np.diff(act.distance_m) / np.diff(act.time_s)
    assert speeds.max() <= MAX_RUN_SPEED_M_S
    note = next(w for w in act.warnings if "physically impossible" in w)
    assert "worst speed" in note and "m/s" in note
    clean = _summary("fit/runpandas_fr645m_hilly_run.fit")
    assert summarize(act)["ascent_m"] == pytest.approx(clean["ascent_m"], rel=0.05)


@pytest.mark.parametrize(("seed", "at"), [(0, 0.2), (1, 0.35), (2, 0.5), (3, 0.65)])
def test_corrupt_fit_never_gives_impossible_numbers(seed: int, at: float) -> None:
    path = shared_data("activities", "fit", "fitdecode_fenix2_activity-small-fenix2-run.fit")
    try:
        act = parse_activity(_corrupt(path.read_bytes(), seed, at), "damaged.fit")
    except FileFormatError as exc:  # refusing is fine, with the file's name and the fix
        assert str(exc).startswith("damaged.fit: ")
        return
    assert act.distance_m[-1] <= 9100.0  # never more than the whole run
    assert np.max(np.diff(act.distance_m) / np.diff(act.time_s)) <= MAX_RUN_SPEED_M_S
    up = summarize(act)["ascent_m"]
    assert up is None or up <= 1.2 * 64.0
    assert any("lost" in w for w in act.warnings)  # damage after which records are gone


def _tomtom() -> str:
    return shared_data("activities", "gpx", "runpandas_tomtom_run.gpx").read_text()


def test_three_altitude_spikes_do_not_make_a_hill() -> None:
    """A flat 4.8 km GPX with three spiked samples (+150 m) in the middle: the issue's
    "-28 % descent" case. Cleaned, its climbing, grades and headline are the original's."""
    text = _tomtom()
    eles = list(re.finditer(r"<ele>([-\d.]+)</ele>", text))
    out, last = [], 0
    for m in eles[700:703]:
        out += [text[last : m.start(1)], f"{float(m.group(1)) + 150.0:.1f}"]
        last = m.end(1)
    spiked = "".join([*out, text[last:]])
    a = parse_activity(_tomtom().encode(), "run.gpx")
    b = parse_activity(spiked.encode(), "run.gpx")
    assert b.cleaning.altitude_spikes == 3
    sa, sb = summarize(a), summarize(b)
    assert sb["ascent_m"] == pytest.approx(sa["ascent_m"], abs=1.0)
    assert sb["descent_m"] == pytest.approx(sa["descent_m"], abs=1.0)
    la = analyze_activity(a, table=FixtureTable())
    lb = analyze_activity(b, table=FixtureTable())
    assert max(abs(s.grade) for s in lb.segments) == pytest.approx(
        max(abs(s.grade) for s in la.segments), abs=0.005
    )
    assert lb.headline == la.headline


def test_a_gps_jump_is_not_running() -> None:
    """One position 1.1 km off (374 m/s at the file's 3 s sampling) in a flat GPX: removed;
    the distance and the fastest segment are the original's."""
    path = shared_data("activities", "gpx", "runpandas_strava_export.gpx")
    text = path.read_text()
    pts = list(re.finditer(r'<trkpt lat="([-\d.]+)"', text))
    m = pts[800]
    jumped = text[: m.start(1)] + f"{float(m.group(1)) + 0.0101:.7f}" + text[m.end(1) :]
    a = parse_activity(text.encode(), "run.gpx")
    b = parse_activity(jumped.encode(), "run.gpx")
    assert b.cleaning.gps_jumps >= 1
    assert b.distance_m[-1] == pytest.approx(a.distance_m[-1], rel=0.002)
    lb = analyze_activity(b, table=FixtureTable())
    la = analyze_activity(a, table=FixtureTable())
    assert max(s.speed_m_s for s in lb.segments) == pytest.approx(
        max(s.speed_m_s for s in la.segments), rel=0.01
    )


def test_gps_elevation_is_smoothed_more_than_barometric() -> None:
    shared_data("activities")
    assert _read("fit/gc_fenix6x_trailrun_4077461142.fit").elevation_source == "barometric"
    assert _read("tcx/tcxparser_fr410_hilly_test.tcx").elevation_source == "gps"
    assert _read("gpx/runpandas_tomtom_run.gpx").elevation_source == "gps"
    assert _read("fit/heartandsole_fr220_testdata.fit").elevation_source == "gps"  # no barometer


def test_files_cut_short_say_how_much_is_lost_when_they_can() -> None:
    """Real files cut at 60 % of their bytes. The fenix 2 writes its session totals at the end,
    so they are gone and the note says so; the Forerunner 955 file carries them before the
    records, so the loss is measured."""
    fenix = shared_data("activities", "fit", "fitdecode_fenix2_activity-small-fenix2-run.fit")
    data = fenix.read_bytes()
    act = parse_activity(data[: int(len(data) * 0.6)], "cut.fit")
    assert act.damaged and act.totals.distance_m is None
    note = next(w for w in act.warnings if "rest of the run is lost" in w)
    assert "no session totals to say how much" in note
    assert f"{act.distance_m[-1] / 1000:.2f} km" in note
    fr955 = shared_data("activities", "fit", "gc_fr955_stryd_Fr955v19.28andStryd.fit")
    data = fr955.read_bytes()
    act = parse_activity(data[: int(len(data) * 0.6)], "cut.fit")
    lost = 10021.48 - act.distance_m[-1]
    note = next(w for w in act.warnings if "of the run is lost" in w)
    assert f"{lost / 1000:.2f} km ({lost / 10021.48 * 100:.0f} %)" in note
