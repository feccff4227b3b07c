"""``runmuscles analyze`` / ``demo`` with the fixture table injected (TABLE_FACTORY hook)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import runmuscles.cli.analyze as cli_analyze
from runmuscles.cli import main
from runmuscles.examples import hilly_run
from tests.fixture_table import FixtureTable

REQUIRED = {
    "activity": {"duration_s", "moving_time_s", "distance_m", "ascent_m", "descent_m", "device"},
    "segments": {"start_s", "duration_s", "distance_m", "speed_m_s", "grade"},
    "muscles": {"group", "concentric_work_j", "eccentric_work_j", "share", "by_terrain"},
}


@pytest.fixture
def fixture_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_analyze, "TABLE_FACTORY", FixtureTable)


def check_shape(data: dict[str, Any]) -> None:
    """Every key the issue asks for in ``--json``."""
    for key in ("activity", "segments", "muscles", "tendons", "vs_flat", "advice", "warnings",
                "headline", "coverage", "findings", "kilometres", "warmup"):  # fmt: skip
        assert key in data, key
    assert REQUIRED["activity"] <= set(data["activity"])
    assert data["segments"] and all(REQUIRED["segments"] <= set(s) for s in data["segments"])
    for m in data["muscles"]:
        assert REQUIRED["muscles"] <= set(m)
        assert set(m["by_terrain"]) == {"uphill", "flat", "downhill"}
    assert {t["tendon"] for t in data["tendons"]} == {"achilles_tendon", "patellar_tendon"}
    assert set(data["vs_flat"]) == {m["group"] for m in data["muscles"]}
    assert isinstance(data["advice"], list) and 1 <= len(data["advice"]) <= 3
    assert all(i["why"] and i["sources"] for i in data["advice"]) and data["warmup"]["steps"]
    assert isinstance(data["warnings"], list) and isinstance(data["headline"], str)
    for m in data["muscles"]:
        assert set(m["vs_flat"]) == {"concentric", "eccentric"}
    assert {"cleaning", "device_totals"} <= set(data["activity"])


@pytest.mark.usefixtures("fixture_table")
def test_demo_json_has_every_key_and_is_labelled_generated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    check_shape(data)
    assert "GENERATED" in data["example"]
    assert "generated" in data["activity"]["device"]
    assert data["activity"]["distance_m"] == pytest.approx(8000.0)
    # the generated course climbs and descends 60 m (plus 2 m of rolling top)
    assert 55.0 <= data["activity"]["ascent_m"] <= 70.0
    assert 55.0 <= data["activity"]["descent_m"] <= 70.0
    terrains = {s["terrain"] for s in data["segments"]}
    assert {"uphill", "flat", "downhill"} <= terrains
    assert sum(m["share"] for m in data["muscles"]) == pytest.approx(1.0)


@pytest.mark.usefixtures("fixture_table")
def test_demo_text_is_labelled_and_has_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--mass", "60"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("*** GENERATED example run")
    for text in ("muscle work over the computed part", "tendon load", "Warm-up", "sources:",
                 "60 kg", "computed:", "Descents raised your quadriceps"):  # fmt: skip
        assert text in out


def test_hilly_run_is_deterministic() -> None:
    a, b = hilly_run(), hilly_run()
    assert (a.elevation_m == b.elevation_m).all() and (a.time_s == b.time_s).all()


@pytest.mark.usefixtures("fixture_table")
def test_analyze_a_gpx_written_from_the_example(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    act = hilly_run()
    lines = ['<?xml version="1.0"?>', '<gpx version="1.1" creator="test"><trk><trkseg>']
    lat0 = 47.0
    for t, d, z in zip(act.time_s, act.distance_m, act.elevation_m, strict=True):
        lat = lat0 + d / 111_195.0  # due north: 1 degree of latitude ~ 111.2 km
        m, s = divmod(int(t), 60)
        h, m = divmod(m, 60)
        lines.append(
            f'<trkpt lat="{lat:.7f}" lon="8.0"><ele>{z:.2f}</ele>'
            f"<time>2024-06-01T{8 + h:02d}:{m:02d}:{s:02d}Z</time></trkpt>"
        )
    lines.append("</trkseg></trk></gpx>")
    path = tmp_path / "hilly.gpx"
    path.write_text("\n".join(lines))
    assert main(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    check_shape(data)
    assert data["activity"]["distance_m"] == pytest.approx(8000.0, rel=0.01)
    # no cadence in this GPX: strides come from the table's stride time
    assert {s["strides_source"] for s in data["segments"] if s["strides"]} == {"model"}


@pytest.mark.usefixtures("fixture_table")
@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["demo", "--mass", "700"], 2, "kilograms"),
        (["demo", "--height", "175"], 2, "metres"),
        (["analyze", "/nonexistent/run.fit"], 3, "no such file"),
    ],
)
def test_bad_input_is_one_line(
    argv: list[str], code: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert text in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.usefixtures("fixture_table")
def test_html_option_writes_a_report(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["demo", "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["report"] == str(out)
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_html_into_a_missing_folder_is_refused_before_the_analysis(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the analysis ran")

    monkeypatch.setattr(cli_analyze, "TABLE_FACTORY", fail)
    assert main(["demo", "-o", "/no/such/dir/r.html"]) == 2
    err = capsys.readouterr().err
    assert "the folder /no/such/dir does not exist" in err and err.count("\n") == 1


def test_progress_bar_advances_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    stages: list[str] = []
    with cli_analyze._progress(True) as step:
        assert step is not None
        for name in ("reading", "segmenting", "computing loads", "advice"):
            step(name)
            stages.append(name)
    assert len(stages) == 4
    with cli_analyze._progress(False) as none:
        assert none is None


@pytest.mark.usefixtures("fixture_table")
def test_tendon_pain_brings_the_rehabilitation_protocol(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--json"]) == 0
    healthy = json.loads(capsys.readouterr().out)
    assert all(i["purpose"] == "prevention" for i in healthy["advice"])
    assert main(["demo", "--json", "--tendon-pain", "achilles"]) == 0
    sore = json.loads(capsys.readouterr().out)
    assert sore["pain"] == ["achilles_tendon"]
    first = sore["advice"][0]
    assert first["purpose"] == "rehabilitation" and first["exercise"] == "eccentric_heel_drop"
    assert main(["demo", "--tendon-pain", "knee"]) == 2
    err = capsys.readouterr().err
    assert "no rehabilitation protocol for 'knee'" in err and err.count("\n") == 1


@pytest.mark.usefixtures("fixture_table")
def test_history_folder_option(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from tests.unit.test_history import _gpx

    when = dt.datetime(2024, 6, 30, 8)
    folder = tmp_path / "past"
    folder.mkdir()
    for d in (35, 28, 21, 14, 7):
        _gpx(folder / f"run{d}.gpx", when - dt.timedelta(days=d))
    run = _gpx(tmp_path / "today.gpx", when, grade=-0.06)
    assert main(["analyze", str(run), "--history", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["history"]["runs_used"] == 3 and data["history"]["changes"]
    assert main(["analyze", str(run), "--history", str(folder)]) == 0
    assert "Against your recent weeks" in capsys.readouterr().out
    assert main(["analyze", str(run), "--history", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
