"""The web API with FastAPI's TestClient on a temporary SQLite file and the fixture table (and
once on a real PostgreSQL server): upload real files, list, report, delete, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
from fastapi.testclient import TestClient
from sqlalchemy import text

from runmuscles.errors import DataError
from runmuscles.load import analyze
from tests.conftest import shared_data
from tests.fixture_table import FixtureTable
from tests.history_files import shifted


def _upload(client: TestClient, path: Path, name: str | None = None, **kw: Any) -> Any:
    return client.post(
        "/api/runs", files={"file": (name or path.name, path.read_bytes(), "text/plain")}, **kw
    )


def _count(client: TestClient) -> int:
    return int(client.app.state.store.count_runs())  # type: ignore[attr-defined]


def _no_traceback(r: Any) -> None:
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_upload_list_report_delete(client: TestClient, hilly_fit: Path) -> None:
    r = _upload(client, hilly_fit)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["report_url"] == f"/runs/{rid}"
    # the stored load is what the library computes for the same file, body and table
    expected = analyze(hilly_fit, 70.0, 1.75, FixtureTable())
    run = client.get(f"/api/runs/{rid}").json()
    got = {m["group"]: m["concentric_work_j"] for m in run["load"]["muscles"]}
    assert got == pytest.approx({g.group: g.concentric_work_j for g in expected.muscles})
    assert run["distance_m"] == pytest.approx(5838.17, abs=1)  # MANIFEST: 5840 m
    (listed,) = client.get("/api/runs").json()
    assert listed["id"] == rid and listed["format"] == "fit"
    assert listed["filename"] == hilly_fit.name
    assert listed["start_time"] == "2019-09-14T15:22:05Z"
    page = client.get(f"/runs/{rid}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'data-muscle="quadriceps"' in page.text and "Calves" in page.text
    assert "all runs" in page.text  # the navigation bar
    home = client.get("/")
    assert f'data-delete="{rid}"' in home.text
    assert client.delete(f"/api/runs/{rid}").status_code == 204
    assert client.get("/api/runs").json() == []
    gone = client.get(f"/runs/{rid}")
    assert gone.status_code == 404 and "not in the history" in gone.text
    again = client.delete(f"/api/runs/{rid}")
    assert again.status_code == 404 and "not in the history" in again.json()["error"]


_FIT = ("activities", "fit", "runpandas_fr645m_hilly_run.fit")
_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]><gpx>&b;</gpx>'
)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"hello, I am not a run\n", "not a FIT, GPX or TCX"),
        (b"#!/bin/sh\nrm -rf /\n", "not a FIT, GPX or TCX"),  # never executed, just refused
        (lambda: shared_data(*_FIT).read_bytes()[:40], "cut short"),  # truncated FIT header
        (lambda: shared_data(*_FIT).read_bytes()[:14] + b"\xff" * 500, "damaged"),
        (b'<?xml version="1.0"?><gpx></gpx>', "no timed track points"),
        (_BOMB, "entities"),
        (lambda: shared_data("activities", "mocap", "ezc3d_Optotrak.c3d").read_bytes(),
         "not a FIT, GPX or TCX"),
        (lambda: shared_data(
            "activities", "fit", "fitparse_coros-pace-2-cycling-misaligned-fields.fit"
        ).read_bytes(), "not running"),
    ],
)  # fmt: skip
def test_bad_files_are_4xx_with_a_message_and_store_nothing(
    client: TestClient, content: Any, words: str
) -> None:
    data = content() if callable(content) else content
    r = client.post("/api/runs", files={"file": ("run.fit", data)})
    assert r.status_code == 422, r.text
    assert words in r.json()["error"], r.json()
    _no_traceback(r)
    assert _count(client) == 0


def test_damaged_but_salvageable_files_are_stored_with_warnings(client: TestClient) -> None:
    """The readers keep what precedes the damage (io layer design); the warning is passed on."""
    path = shared_data("activities", "tcx", "runpandas_malformed.tcx")
    r = _upload(client, path)
    assert r.status_code == 201
    assert any("malformed XML" in w for w in r.json()["warnings"])


def test_empty_and_missing_file_field(client: TestClient) -> None:
    r = client.post("/api/runs", files={"file": ("run.fit", b"")})
    assert r.status_code == 422 and "empty" in r.json()["error"]
    r = client.post("/api/runs", data={"note": "no file"})
    assert r.status_code == 422 and "field 'file'" in r.json()["error"]
    r = client.post("/api/runs", json={"file": "run.fit"})
    assert r.status_code == 422 and "multipart" in r.json()["error"]
    assert _count(client) == 0


def test_oversized_upload_is_413(client: TestClient) -> None:
    big = b"\x0e\x10" + b"x" * 1_200_000  # the client fixture's limit is 1 MB
    r = client.post("/api/runs", files={"file": ("big.fit", big)})
    assert r.status_code == 413 and "1 MB limit" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: caught while streaming
        yield b"--b\r\nContent-Disposition: form-data; name=file; filename=a.fit\r\n\r\n"
        for _ in range(40):
            yield b"y" * 65536
        yield b"\r\n--b--\r\n"

    r = client.post(
        "/api/runs", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert r.status_code == 413 and "limit" in r.json()["error"]
    assert _count(client) == 0


def test_content_decides_not_the_extension(client: TestClient, hilly_fit: Path) -> None:
    r = _upload(client, hilly_fit, name="my-run.gpx")
    assert r.status_code == 201 and r.json()["format"] == "fit"
    tcx = shared_data("activities", "tcx", "tcxparser_fr410_hilly_test.tcx")
    r = _upload(client, tcx, name="notes.txt")
    assert r.status_code == 201 and r.json()["format"] == "tcx"
    assert _count(client) == 2


def test_path_traversal_filename_is_harmless(
    client: TestClient, small_run: Path, tmp_path: Path
) -> None:
    target = tmp_path / "evil.fit"
    name = "../" * 12 + str(target).lstrip("/")
    r = _upload(client, small_run, name=name)
    assert r.status_code == 201
    assert r.json()["filename"] == "evil.fit"
    assert not target.exists()
    other = shifted(small_run.read_bytes(), dt.timedelta(days=1))  # another run, same shape
    r = client.post("/api/runs", files={"file": ('<img src=x onerror="alert(1)">.fit', other)})
    assert r.status_code == 201
    home = client.get("/").text
    assert "<img src=x" not in home  # stored names are escaped on every page


def test_failed_store_mid_transaction_stores_nothing(
    client: TestClient, small_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import runmuscles.store.db as store_mod

    def broken(**kw: Any) -> Any:
        raise RuntimeError("disk on fire")  # after the run row was flushed

    monkeypatch.setattr(store_mod, "RunMuscleRow", broken)
    r = _upload(client, small_run)
    assert r.status_code == 500 and r.json()["error"].startswith("internal error")
    _no_traceback(r)
    assert _count(client) == 0
    with client.app.state.store.engine.connect() as c:  # type: ignore[attr-defined]
        assert c.execute(text("SELECT COUNT(*) FROM runs")).scalar() == 0


def test_failed_analysis_stores_nothing(make_app: Any, sqlite_url: str, hilly_fit: Path) -> None:
    class BrokenTable(FixtureTable):
        def lookup(self, speed: Any, grade: Any) -> Any:
            out = dict(super().lookup(speed, grade))
            del out["stride_time_s"]
            return out

    app = make_app(sqlite_url, table=BrokenTable())
    with TestClient(app, raise_server_exceptions=False) as c:
        r = _upload(c, hilly_fit)
        assert r.status_code == 503 and "stride_time_s" in r.json()["error"]
        assert _count(c) == 0


def test_missing_atlas_is_a_clear_503(
    sqlite_url: str, small_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import runmuscles.load as load_mod
    from runmuscles.web import create_app

    def missing(**_: Any) -> Any:
        raise DataError("the muscle atlas is missing from this installation (test)")

    monkeypatch.setattr(load_mod, "default_table", missing)
    app = create_app(sqlite_url)  # default Host allow-list: localhost names
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as c:
        r = _upload(c, small_run)
        assert r.status_code == 503 and "atlas is missing" in r.json()["error"]
        page = c.get("/explore")
        assert page.status_code == 503 and "atlas is missing" in page.text
        assert c.get("/").status_code == 200  # the history still works
        assert _count(c) == 0


def test_profile_is_used_by_the_analysis(client: TestClient, small_run: Path) -> None:
    assert client.get("/api/profile").json() == {
        "name": "default", "mass_kg": 70.0, "height_m": 1.75,
    }  # fmt: skip
    heavy = client.post("/api/runs", files={"file": ("a.tcx", small_run.read_bytes())}).json()
    r = client.put("/api/profile", json={"mass_kg": 56.0, "height_m": 1.62})
    assert r.status_code == 200 and r.json()["mass_kg"] == 56.0
    next_day = shifted(small_run.read_bytes(), dt.timedelta(days=1))  # the same run a day later
    light = client.post("/api/runs", files={"file": ("b.tcx", next_day)}).json()
    a = client.get(f"/api/runs/{heavy['id']}").json()
    b = client.get(f"/api/runs/{light['id']}").json()
    assert b["mass_kg"] == 56.0 and b["load"]["body"]["height_m"] == 1.62
    # loads scale with body mass (runmuscles.load, step 2): 56/70 of the 70 kg run
    for ma, mb in zip(a["load"]["muscles"], b["load"]["muscles"], strict=True):
        assert mb["concentric_work_j"] == pytest.approx(ma["concentric_work_j"] * 56 / 70)
    # another user's profile is separate
    client.put("/api/profile?profile=kim", json={"mass_kg": 80, "height_m": 1.9})
    assert client.get("/api/profile").json()["mass_kg"] == 56.0
    assert client.get("/api/profile?profile=kim").json()["mass_kg"] == 80.0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not JSON"),
        (b'{"mass_kg": 70}', "height_m"),
        (b'{"mass_kg": 700, "height_m": 1.7}', "body mass 700"),
        (b'{"mass_kg": "heavy", "height_m": 1.7}', "body mass 'heavy'"),
        (b"[1, 2]", "JSON object"),
    ],
)
def test_bad_profile_is_422(client: TestClient, body: bytes, words: str) -> None:
    r = client.put("/api/profile", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and words in r.json()["error"]
    assert client.get("/api/profile").json()["mass_kg"] == 70.0


def test_explore_matches_the_table_by_hand(client: TestClient) -> None:
    r = client.get("/api/explore", params={"speed": "3", "grade": "5%"})
    assert r.status_code == 200, r.text
    d = r.json()
    quads = next(g for g in d["groups"] if g["id"] == "quadriceps")
    # fixture table at v = 3 m/s, g = 0.05: conc (20 + 100 g), ecc (25 - 200 g), J per stride;
    # stride length = v (0.72 - 0.1 g) m
    assert quads["concentric_j_per_stride"] == pytest.approx(25.0)
    assert quads["eccentric_j_per_stride"] == pytest.approx(15.0)
    assert quads["work_j_per_km"] == pytest.approx(40.0 * 1000 / (3 * 0.715))
    assert d["stride"]["cadence_steps_per_min"] == pytest.approx(120 / 0.715)
    assert sum(g["share"] for g in d["groups"]) == pytest.approx(1.0)
    flat = client.get("/api/explore", params={"speed": "3", "grade": "0"}).json()
    assert flat["groups"][0]["eccentric_j_per_stride"] == pytest.approx(25.0)
    assert flat["groups"][0]["colour"] != quads["colour"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"speed": "9", "grade": "0"}, "speed 9 m/s is outside"),
        ({"speed": "3", "grade": "30%"}, "grade +30.0 % is outside"),
        ({"speed": "fast", "grade": "0"}, "speed 'fast' is not a number"),
        ({"speed": "3", "grade": "steep"}, "grade 'steep' is not a number"),
        ({"speed": "nan", "grade": "0"}, "outside"),
    ],
)
def test_explore_bad_input_is_422(client: TestClient, params: dict[str, str], words: str) -> None:
    r = client.get("/api/explore", params=params)
    assert r.status_code == 422 and words in r.json()["error"], r.text


def test_weekly_endpoint_and_pages(client: TestClient, hilly_fit: Path) -> None:
    rid = _upload(client, hilly_fit).json()["id"]
    load = client.get(f"/api/runs/{rid}").json()["load"]
    w = client.get("/api/load/weekly", params={"until": "2019-09-15T00:00:00", "weeks": 4}).json()
    assert w["weeks"][-1] == "2019-09-09"  # the run's ISO week (Saturday 14 Sept 2019)
    for m in load["muscles"]:
        g = m["group"]
        assert w["work_j"][g][-1] == pytest.approx(m["work_j"])
        assert w["load_j"]["eccentric"][g][-1] == pytest.approx(m["eccentric_work_j"])
        # one run is a history of one day: no ratio (it would read 4.00 "danger" otherwise)
        assert w["acwr_now"][g] is None and w["ratios"]["ewma"]["eccentric"][g][-1] is None
    assert w["history_start"] == "2019-09-14" and w["acwr_from"] == "2019-10-11"
    # the same through from/to, and the default range is the span of the runs
    r = client.get("/api/load/weekly", params={"from": "2019-09-01", "to": "2019-09-30"}).json()
    assert r["weeks"][0] == "2019-08-26" and r["weeks"][-1] == "2019-09-30"  # Monday 30th
    assert len(r["weeks"]) == 6
    assert r["work_j"]["calves"][2] == pytest.approx(w["work_j"]["calves"][-1])
    default = client.get("/api/load/weekly").json()
    assert default["from"] == default["to"] == "2019-09-14"
    page = client.get("/history")
    assert page.status_code == 200 and 'id="acwr"' in page.text and 'class="weekly"' in page.text
    assert 'id="acwr-wait"' in page.text and "28 days of history" in page.text
    assert 'data-group="calves"' in page.text
    assert 'value="2019-09-14"' in page.text  # the date control shows the range
    empty = client.get("/history", params={"from": "2018-01-01", "to": "2018-03-01"})
    assert empty.status_code == 200 and 'id="no-runs"' in empty.text
    ex = client.get("/explore")
    assert ex.status_code == 200 and 'type="range"' in ex.text and "data-muscle" in ex.text
    assert "http://" not in ex.text and "https://" not in ex.text  # no CDN, works offline


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"weeks": "0"}, "weeks"),
        ({"from": "2019-02-30"}, "not a date"),
        ({"from": "2019-13-01"}, "not a date"),
        ({"to": "yesterday"}, "not a date"),
        ({"from": "1800-01-01", "to": "1800-02-01"}, "outside 1990-01-01..2100-12-31"),
        ({"from": "2019-01-01", "to": "9999-12-31"}, "outside"),
        ({"from": "2020-01-01", "to": "2019-01-01"}, "after"),
        ({"from": "1990-01-01", "to": "2100-12-31"}, "at most 1044"),
        ({"until": "9999-12-31T00:00:00"}, "outside"),
        ({"until": "0001-01-01T00:00:00"}, "outside"),
        ({"from": "2019-01-01", "weeks": "4"}, "not both"),
    ],
)
def test_weekly_bad_dates_are_422(client: TestClient, params: dict[str, str], words: str) -> None:
    pages = ("/history",) if set(params) <= {"from", "to"} else ()  # the page has no weeks/until
    for url in ("/api/load/weekly", *pages):
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, r.text)
        assert words in r.text
        _no_traceback(r)


def test_errors_are_json_never_tracebacks(client: TestClient) -> None:
    for method, url, status in [
        ("GET", "/api/nothing", 404),
        ("GET", "/api/runs/abc", 422),
        ("GET", "/api/runs/999", 404),
        ("PATCH", "/api/runs", 405),
        ("GET", "/api/profile?profile=../../x", 422),
        ("GET", f"/api/runs/{2**63}", 422),  # beyond any SQL id: 4xx, not an overflow 500
        ("GET", f"/api/runs/{2**64 + 5}", 422),
        ("GET", "/api/runs/0", 422),
        ("GET", "/api/runs/-3", 422),
        ("DELETE", f"/api/runs/{2**63}", 422),
        ("GET", f"/api/runs/{2**63 - 1}", 404),
        ("GET", "/api/runs?limit=0", 422),
    ]:
        r = client.request(method, url)
        assert r.status_code == status, (url, r.text)
        assert r.json()["error"] and r.json()["status"] == status
        _no_traceback(r)
    page = client.get("/runs/999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    page = client.get(f"/runs/{10**30}")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")


def test_postgresql_round_trip(make_app: Any, postgres_url: str, hilly_fit: Path) -> None:
    app = make_app(postgres_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        rid = _upload(c, hilly_fit).json()["id"]
        assert [r["id"] for r in c.get("/api/runs").json()] == [rid]
        assert 'data-muscle="calves"' in c.get(f"/runs/{rid}").text
        w = c.get("/api/load/weekly", params={"until": "2019-09-15T00:00:00"}).json()
        assert w["work_j"]["calves"][-1] > 0 and w["acwr_now"]["calves"] is None
        assert c.delete(f"/api/runs/{rid}").status_code == 204
        assert c.get("/api/runs").json() == []
    app.state.store.close()
