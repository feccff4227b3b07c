"""A whole history in one step: Strava- and Garmin-shaped exports built here from the real files
in ../shared/data/activities (time-shifted copies; nothing is copied into the repository),
imported through ``POST /api/import``, ``runmuscles import`` and the library; archive safety
(zip and gzip bombs, path traversal, nesting, links, limits)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import stat
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
from fastapi.testclient import TestClient

from runmuscles.errors import FileFormatError
from runmuscles.store import Store
from runmuscles.store.archive import ArchiveTooLarge, Limits, open_archive
from runmuscles.store.importer import import_archive
from tests.conftest import shared_data
from tests.fixture_table import FixtureTable
from tests.history_files import garmin_zip, history, real, shifted, strava_zip

DAYS = [dt.date(2024, 3, 4) + dt.timedelta(days=2 * i) for i in range(8)]


def _export() -> tuple[bytes, dict[str, Any]]:
    """A Strava export: 8 runs on 8 days, one of them twice, a ride, a walk-only file, and the
    same run as two different files (the fr410 test file and its damaged copy)."""
    runs = history(DAYS, names=("fr620.tcx", "tomtom.gpx"))
    fr410 = shared_data("activities", "tcx", "tcxparser_fr410_hilly_test.tcx").read_bytes()
    damaged = shared_data("activities", "tcx", "runpandas_malformed.tcx").read_bytes()
    walk = shared_data("activities", "tcx", "heartandsole_fr220_testdata.tcx").read_bytes()
    ride = shared_data(
        "activities", "fit", "fitparse_coros-pace-2-cycling-misaligned-fields.fit"
    ).read_bytes()
    extra = [
        ("again.tcx", runs[0][1], "Run"),  # the same bytes twice
        ("ride.fit", ride, "Ride"),  # another sport, marked so in activities.csv
        ("walk.tcx", walk, "Walk"),  # 160 m at walking pace: nothing the model computes yet
        ("fr410.tcx", fr410, "Run"),
        ("fr410-copy.tcx", damaged, "Run"),  # same start time as fr410: the same run
    ]
    return strava_zip(runs, extra=extra), {"runs": len(runs) + 1}


def _import(client: TestClient, data: bytes, name: str = "export.zip", **params: Any) -> Any:
    return client.post("/api/import", files={"file": (name, data)}, params=params)


def test_strava_export_through_the_api(client: TestClient) -> None:
    data, expect = _export()
    r = _import(client, data)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"] == 13 and s["ignored_files"] == 3  # the two CSV files and a photo
    assert s["imported"] == expect["runs"] == 9
    assert s["duplicates"] == 2 and s["skipped"] == 2 and s["failed"] == 0
    assert s["by_reason"] == {
        "duplicate: same file": 1,
        "duplicate: same start time": 1,
        "not running or walking": 1,
        "nothing to analyse": 1,
    }
    items = {i["name"]: i for i in s["items"]}
    ride = next(i for i in s["items"] if i["category"] == "not running or walking")
    assert "Ride in activities.csv" in ride["reason"]
    same = next(i for i in s["items"] if i["category"] == "duplicate: same start time")
    assert "2012-12-26T21:29:53Z is already stored" in same["reason"]
    walk = next(i for i in s["items"] if i["category"] == "nothing to analyse")
    assert "km walked" in walk["reason"] and "no report" in walk["reason"]
    assert all(i["id"] for i in items.values() if i["status"] in ("imported", "duplicate"))
    runs = client.get("/api/runs").json()
    assert len(runs) == 9
    starts = sorted(r["start_time"][:10] for r in runs)
    assert starts[0] == "2012-12-26" and set(d.isoformat() for d in DAYS) <= set(starts)
    assert {r["filename"].rsplit(".", 1)[-1] for r in runs} == {"tcx", "gpx"}  # .gz dropped
    # importing the same export again adds nothing, and says why for every file
    again = _import(client, data).json()
    assert again["imported"] == 0 and again["duplicates"] == 11
    assert len(client.get("/api/runs").json()) == 9
    # a single upload of a run that the import stored answers with the stored run
    one = client.post("/api/runs", files={"file": ("x.tcx", history(DAYS[:1])[0][1])})
    assert one.status_code == 200 and one.json()["duplicate"] is True


def test_garmin_export_with_activities_in_an_inner_zip(client: TestClient) -> None:
    fit = shared_data("activities", "fit", "runpandas_fr645m_hilly_run.fit").read_bytes()
    files = [("hilly.fit", fit), *history(DAYS[:3], names=("tomtom.gpx",))]
    s = _import(client, garmin_zip(files), "garmin.zip").json()
    assert s["imported"] == 4 and s["ignored_files"] == 1, s
    names = [i["name"] for i in s["items"]]
    assert all(n.startswith("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles") for n in names)


def test_import_in_the_background_reports_progress(client: TestClient) -> None:
    data = strava_zip(history(DAYS[:4]))
    r = _import(client, data, wait="false")
    assert r.status_code == 202
    url = r.json()["status_url"]
    deadline = time.monotonic() + 60
    while (state := client.get(url).json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["state"] == "done" and state["done"] == state["total"] == 4
    assert state["summary"]["imported"] == 4 and state["imported"] == 4
    assert client.get("/api/imports/nothing-here").status_code == 404


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"this is not a zip", "not a readable zip archive"),
        (lambda: real("fr620.tcx"), "not a readable zip archive"),
        (b"PK\x03\x04" + b"\x00" * 100, "not a readable zip archive"),
    ],
)
def test_not_an_archive_is_a_clear_422(client: TestClient, data: Any, words: str) -> None:
    r = _import(client, data() if callable(data) else data)
    assert r.status_code == 422 and words in r.json()["error"], r.text
    assert client.get("/api/runs").json() == []


def test_the_archive_limit_is_413(make_app: Any, sqlite_url: str) -> None:
    app = make_app(sqlite_url, max_archive_bytes=200_000)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = _import(c, b"PK" + b"\x00" * 300_000)
        assert r.status_code == 413 and "--max-import-mb" in r.json()["error"]
    app.state.store.close()


# --------------------------------------------------------------------------- archive safety
def _mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of one member in its local and central headers (zipfile cannot
    write encrypted members)."""
    raw = bytearray(data)
    key = name.encode()
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = raw.find(sig)
        while i >= 0:
            if raw[i + name_at : i + name_at + len(key)] == key:
                raw[i + flag_at] |= 0x1
            i = raw.find(sig, i + 4)
    return bytes(raw)


def _zip(members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def store(sqlite_url: str) -> Any:
    s = Store(sqlite_url)
    yield s
    s.close()


def _run_import(data: bytes, store: Store, limits: Limits | None = None) -> dict[str, Any]:
    with open_archive(io.BytesIO(data), limits=limits) as arch:
        return import_archive(arch, store, FixtureTable(), "default").to_dict()


def test_zip_and_gzip_bombs_stop_at_the_cap(store: Store) -> None:
    limits = Limits(max_file_bytes=2**20)
    zeros = b"<gpx>" + b"\x00" * (20 * 2**20)  # 20 MB that compress to about 20 kB
    data = _zip(
        [
            ("activities/1.gpx.gz", gzip.compress(zeros)),
            ("activities/2.gpx", zeros),
            ("activities/3.tcx.gz", gzip.compress(real("fr620.tcx"))),
        ]
    )
    assert len(data) < 200_000
    s = _run_import(data, store, limits)
    items = {i["name"]: i for i in s["items"]}
    for name in ("activities/1.gpx.gz", "activities/2.gpx"):
        assert items[name]["status"] == "skipped" and "zip bomb" in items[name]["reason"]
    assert items["activities/3.tcx.gz"]["status"] == "imported"


def test_path_traversal_names_write_nothing(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "evil.tcx"
    sneaky = "../" * 12 + str(target).lstrip("/")
    data = _zip([(sneaky, real("fr620.tcx")), ("/etc/cron.d/x.gpx", real("tomtom.gpx"))])
    s = _run_import(data, store)
    assert s["imported"] == 2
    assert not target.exists()
    names = [i["name"] for i in s["items"]]
    assert names[0].endswith("/evil.tcx") and ".." not in names[0]
    assert names[1] == "etc/cron.d/x.gpx"
    assert {r["filename"] for r in store.runs()} == {"evil.tcx", "x.gpx"}


def test_nesting_links_encryption_and_damage_are_skipped_with_reasons(store: Store) -> None:
    inner = _zip([("a.tcx", real("fr620.tcx"))])
    innermost = _zip([("deep.zip", inner)])
    link = zipfile.ZipInfo("activities/link.fit")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = _zip(
        [
            ("UploadedFiles_1.zip", inner),  # one level: read (Garmin)
            ("nested.zip", innermost),  # two levels: refused
            (link, b"/etc/passwd"),
            ("activities/locked.tcx", b"\x00" * 64),
            ("activities/bad.gpx.gz", b"\x1f\x8b\x08\x00garbage"),
        ]
    )
    data = _mark_encrypted(data, "activities/locked.tcx")
    s = _run_import(data, store)
    by_name = {i["name"]: i for i in s["items"]}
    assert by_name["UploadedFiles_1.zip/a.tcx"]["status"] == "imported"
    assert "too deeply nested" in by_name["nested.zip/deep.zip"]["reason"]
    assert "symbolic link" in by_name["activities/link.fit"]["reason"]
    assert "encrypted" in by_name["activities/locked.tcx"]["reason"]
    assert by_name["activities/bad.gpx.gz"]["status"] == "failed"
    assert "damaged" in by_name["activities/bad.gpx.gz"]["reason"]


def test_whole_archive_limits_stop_the_import(store: Store) -> None:
    many = _zip([(f"n{i}.txt", b"x") for i in range(30)])
    with pytest.raises(ArchiveTooLarge, match="more than 20 entries"):
        open_archive(io.BytesIO(many), limits=Limits(max_members=20))
    files = [(f"{d}.tcx", b) for d, b in history(DAYS[:4])]
    with pytest.raises(ArchiveTooLarge, match="decompresses to more than"):
        _run_import(_zip(files), store, Limits(max_total_bytes=2 * len(files[0][1])))
    assert store.count_runs() == 2  # what was imported before the limit stays
    with pytest.raises(FileFormatError, match="not a readable zip"):
        open_archive(io.BytesIO(b"nope"))


# ----------------------------------------------------------------------------- the command
def test_runmuscles_import_a_folder_and_a_zip(tmp_path: Path, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    import runmuscles.load as load_mod
    from runmuscles.cli import cli

    monkeypatch.setattr(load_mod, "default_table", FixtureTable)
    folder = tmp_path / "runs"
    (folder / "2024").mkdir(parents=True)
    for name, data in history(DAYS[:3]):
        (folder / "2024" / name).write_bytes(data)
    (folder / "notes.txt").write_text("not a run")
    (folder / "link.tcx").symlink_to("/etc/hostname")
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    r = CliRunner().invoke(cli, ["import", str(folder), "--db", db])
    assert r.exit_code == 0, r.output
    assert "3 imported, 0 already in the history, 1 skipped, 0 failed" in r.stdout
    assert "link.tcx: a symbolic link" in r.stdout
    zipped = tmp_path / "export.zip"
    zipped.write_bytes(strava_zip(history(DAYS[:4])))
    r = CliRunner().invoke(cli, ["import", str(zipped), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["imported"] == 1 and s["duplicates"] == 3
    r = CliRunner().invoke(cli, ["import", str(tmp_path / "missing.zip"), "--db", db])
    assert r.exit_code == 3 and "no such file or folder" in r.stderr
    r = CliRunner().invoke(cli, ["import", str(folder / "notes.txt"), "--db", db])
    assert r.exit_code == 3 and "not a zip archive, a folder or an activity file" in r.stderr
    assert Store(db).count_runs() == 4


def test_shifted_copies_are_distinct_runs() -> None:
    """The test histories are honest: a shifted copy differs in bytes and start, nothing else."""
    base = real("fr620.tcx")
    moved = shifted(base, dt.timedelta(days=3))
    assert moved != base and len(moved) == len(base)
    assert moved.count(b"2018-11-28T") > 10 and b"2018-11-25T" not in moved
