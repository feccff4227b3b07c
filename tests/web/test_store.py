"""Run history store on SQLite and on a real PostgreSQL server: profiles, runs, transactions,
concurrency, weekly load and ACWR against hand-computed values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
from sqlalchemy import text

from runmuscles.errors import InputError
from runmuscles.store import Store, safe_filename


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    s = Store(url)
    yield s
    s.close()


def _load(start: str | None, **work: float) -> dict[str, Any]:
    """A minimal RunLoad-shaped dict: ``work`` group -> concentric J (eccentric 0)."""
    return {
        "activity": {"format": "fit", "start_time": start, "distance_m": 1000.0},
        "body": {"mass_kg": 70.0, "height_m": 1.75},
        "muscles": [
            {"group": g, "concentric_work_j": w, "eccentric_work_j": 0.0, "impulse_ns": 1.0}
            for g, w in work.items()
        ],
    }


def _add(store: Store, start: str | None, **work: float) -> int:
    return store.add_run(
        profile="default", filename="r.fit", load=_load(start, **work), report_html="<p>r</p>"
    ).id


def test_profile_defaults_update_and_validation(store: Store) -> None:
    assert store.profile().to_dict() == {"name": "default", "mass_kg": 70.0, "height_m": 1.75}
    store.set_profile("ann", 58.5, 1.66)
    assert store.profile("ann").mass_kg == 58.5
    assert store.profile().mass_kg == 70.0  # profiles are separate
    with pytest.raises(InputError, match="body mass 500"):
        store.set_profile("ann", 500, 1.66)
    with pytest.raises(InputError, match="height 17"):
        store.set_profile("ann", 60, 17)
    with pytest.raises(InputError, match="profile name"):
        store.profile("../etc/passwd")
    assert store.profile("ann").mass_kg == 58.5  # the failed updates changed nothing


def test_run_round_trip_and_delete(store: Store) -> None:
    rid = _add(store, "2026-03-04T07:00:00+01:00", calves=100.0, quadriceps=50.0)
    (summary,) = store.runs()
    assert summary["id"] == rid
    assert summary["start_time"] == "2026-03-04T06:00:00Z"  # stored as UTC
    assert store.run(rid)["load"]["muscles"][0]["group"] == "calves"  # type: ignore[index]
    assert store.report_html(rid) == "<p>r</p>"
    assert store.delete_run(rid) is True
    assert store.delete_run(rid) is False
    assert store.run(rid) is None and store.runs() == []


def test_failed_insert_stores_nothing(store: Store) -> None:
    bad = _load("2026-03-04T07:00:00Z", calves=1.0)
    del bad["muscles"][0]["impulse_ns"]  # fails after the run row was flushed
    with pytest.raises(KeyError):
        store.add_run(profile="default", filename="x.fit", load=bad, report_html="")
    assert store.count_runs() == 0
    assert store.profiles() == []  # the profile row of the failed run went with it
    with store.engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM run_muscles")).scalar() == 0


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    """20 threads: each creates the same new profile and adds a run at the same time."""

    def work(i: int) -> int:
        store.profile("newcomer")
        return store.add_run(
            profile="newcomer", filename=f"{i}.fit", load=_load(None, calves=float(i)),
            report_html="x",
        ).id  # fmt: skip

    with ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(work, range(20)))
    assert len(set(ids)) == 20
    runs = store.runs("newcomer")
    assert sorted(r["id"] for r in runs) == sorted(ids)
    with store.engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM profiles WHERE name='newcomer'")).scalar() == 1
        total = c.execute(text("SELECT SUM(work_j) FROM run_muscles")).scalar()
    assert total == pytest.approx(sum(range(20)))


def test_weekly_buckets_are_iso_weeks_in_utc(store: Store) -> None:
    # 2026-03-02 is a Monday
    _add(store, "2026-03-01T23:58:00Z", calves=1.0)  # Sunday: previous week
    _add(store, "2026-03-02T00:00:00Z", calves=10.0)  # Monday 00:00: this week
    _add(store, "2026-03-02T00:30:00+02:00", calves=100.0)  # = Sunday 22:30 UTC
    _add(store, "2026-03-08T23:00:00Z", calves=1000.0)  # Sunday of this week
    w = store.weekly_load(weeks=2, until=dt.datetime(2026, 3, 8, 23, 30))
    assert w.weeks == (dt.date(2026, 2, 23), dt.date(2026, 3, 2))
    assert w.work_j["calves"] == (101.0, 1010.0)
    same = store.weekly_load(start=dt.date(2026, 2, 25), end=dt.date(2026, 3, 8))
    assert same.weeks == w.weeks and same.work_j["calves"] == (101.0, 1010.0)


def test_acwr_rolling_and_ewma_by_hand(store: Store) -> None:
    """Gabbett 2016 rolling averages and Williams 2017 EWMA on daily loads, hand-computed."""
    # eight weekly runs on Mondays (9:00 UTC): calves 100 J concentric + 50 J eccentric every
    # week, quadriceps 100 J concentric always and eccentric 0 J except 400 J in week 8 (a hilly
    # run): the two kinds must give different ratios
    for i in range(8):
        day = dt.date(2026, 3, 2) + dt.timedelta(weeks=i)
        load = _load(f"{day.isoformat()}T09:00:00Z", calves=100.0, quadriceps=100.0)
        load["muscles"][0]["eccentric_work_j"] = 50.0
        load["muscles"][1]["eccentric_work_j"] = 400.0 if i == 7 else 0.0
        store.add_run(profile="default", filename="r.fit", load=load)
    last_sunday = dt.date(2026, 4, 26)  # end of week 8
    w = store.weekly_load(start=dt.date(2026, 3, 2), end=last_sunday)
    assert w.history_start == dt.date(2026, 3, 2) and w.acwr_from == dt.date(2026, 3, 29)
    ratios = w.ratios["rolling"]
    # weeks 1-3 end before 28 days of history: no ratio (today's bug showed 4.00 in week 1)
    assert ratios["concentric"]["calves"][:3] == (None, None, None)
    # week 4 ends on day 28: acute 100, chronic (4 x 100) / 4 = 100 -> 1.0
    assert ratios["concentric"]["calves"][3] == pytest.approx(1.0)
    assert w.now["rolling"]["concentric"]["calves"] == pytest.approx(1.0)  # steady load
    assert w.now["rolling"]["eccentric"]["calves"] == pytest.approx(1.0)
    # quadriceps eccentric in week 8: acute 400, chronic (0 + 0 + 0 + 400) / 4 = 100 -> 4.0,
    # while its concentric ratio stays 1.0
    assert w.now["rolling"]["eccentric"]["quadriceps"] == pytest.approx(4.0)
    assert w.now["rolling"]["concentric"]["quadriceps"] == pytest.approx(1.0)
    assert w.ratios["rolling"]["eccentric"]["quadriceps"][6] is None  # chronic 0: undefined
    # EWMA by hand: lambda = 2/(N+1); x = 100 on days 0, 7, 14, ...; ratio on day 55 (Sunday)
    days = 56
    x = [100.0 if d % 7 == 0 else 0.0 for d in range(days)]

    def ewma(n: int) -> float:
        lam, e = 2 / (n + 1), 0.0
        for v in x:
            e = lam * v + (1 - lam) * e
        return e

    assert w.now["ewma"]["concentric"]["calves"] == pytest.approx(ewma(7) / ewma(28))
    # window edges on whole days: a run 7 days before is out of the acute window
    later = store.weekly_load(start=dt.date(2026, 4, 27), end=dt.date(2026, 5, 3))
    assert later.now["rolling"]["concentric"]["calves"] == 0.0  # no run that week
    # nothing in the last 28 days: undefined, not zero or infinite
    empty = store.weekly_load(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 7))
    assert empty.now["rolling"]["concentric"]["calves"] is None
    assert w.to_dict()["source"].startswith("Gabbett TJ (2016)")
    assert "Williams" in w.to_dict()["sources"]["williams2017"]


def test_duplicates_by_content_and_by_start_time(store: Store) -> None:
    first = store.add_run(
        profile="default", filename="a.fit", load=_load("2026-03-04T07:00:00Z", calves=1.0),
        content_sha256="a" * 64,
    )  # fmt: skip
    assert not first.duplicate
    again = store.add_run(
        profile="default", filename="b.fit", load=_load("2025-01-01T00:00:00Z", calves=1.0),
        content_sha256="A" * 64,
    )  # fmt: skip
    assert again.duplicate and again.id == first.id and "same file" in again.reason
    gpx = store.add_run(  # the same run exported as GPX: other bytes, start 30 s apart
        profile="default", filename="a.gpx", load=_load("2026-03-04T07:00:30Z", calves=1.0),
        content_sha256="b" * 64,
    )  # fmt: skip
    assert gpx.duplicate and gpx.id == first.id and "starting at 2026-03-04T07:00:00Z" in gpx.reason
    later = store.add_run(
        profile="default", filename="c.fit", load=_load("2026-03-04T07:01:01Z", calves=1.0)
    )
    assert not later.duplicate  # 61 s later is another run
    other = store.add_run(  # another runner may hold the same file
        profile="kim", filename="a.fit", load=_load("2026-03-04T07:00:00Z", calves=1.0),
        content_sha256="a" * 64,
    )  # fmt: skip
    assert not other.duplicate
    assert store.count_runs() == 3 and store.count_runs("default") == 2
    assert store.find_duplicate("default", sha256="a" * 64).id == first.id  # type: ignore[union-attr]
    assert store.find_duplicate("nobody", sha256="a" * 64) is None


def test_groups_the_model_does_not_resolve_get_no_weekly_load(store: Store) -> None:
    load = _load("2026-03-04T07:00:00Z", calves=100.0, deltoids=1.0)
    load["muscles"][1]["resolved"] = False  # e.g. an arm group at its activation bound
    rid = store.add_run(profile="default", filename="r.fit", load=load).id
    w = store.weekly_load(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8))
    assert w.groups == ("calves",)
    assert store.run(rid)["load"]["muscles"][1]["group"] == "deltoids"  # type: ignore[index]


def test_reading_never_writes(store: Store) -> None:
    assert store.profile("ghost").to_dict() == {"name": "ghost", "mass_kg": 70.0, "height_m": 1.75}
    store.weekly_load("ghost")
    store.runs("ghost")
    assert store.profiles() == []
    with store.engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM profiles")).scalar() == 0


def test_an_older_history_file_is_upgraded_in_place(tmp_path: Any) -> None:
    """A history written before the duplicate check keeps its runs and gains the column."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE profiles (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE,
            mass_kg FLOAT NOT NULL, height_m FLOAT NOT NULL, created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL);
        CREATE TABLE runs (id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES
            profiles(id) ON DELETE CASCADE, uploaded_at DATETIME NOT NULL, filename VARCHAR(128)
            NOT NULL, format VARCHAR(8) NOT NULL, start_time DATETIME, distance_m FLOAT,
            duration_s FLOAT, ascent_m FLOAT, descent_m FLOAT, mass_kg FLOAT NOT NULL,
            height_m FLOAT NOT NULL, load_json TEXT NOT NULL, report_html TEXT NOT NULL);
        CREATE TABLE run_muscles (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE
            CASCADE, group_id VARCHAR(32) NOT NULL, concentric_j FLOAT NOT NULL, eccentric_j
            FLOAT NOT NULL, work_j FLOAT NOT NULL, impulse_ns FLOAT NOT NULL,
            PRIMARY KEY (run_id, group_id));
        INSERT INTO profiles VALUES (1, 'default', 61, 1.7, '2025-01-01', '2025-01-01');
        INSERT INTO runs VALUES (7, 1, '2025-01-02 10:00:00', 'old.fit', 'fit',
            '2025-01-02 08:00:00', 5000, 1800, 10, 10, 61, 1.7, '{"muscles": []}', '<p>old</p>');
        INSERT INTO run_muscles VALUES (7, 'calves', 10, 5, 15, 1);
        """
    )
    con.commit()
    con.close()
    s = Store(f"sqlite:///{path}")
    assert "runs.content_sha256" in s.upgraded
    assert [r["id"] for r in s.runs()] == [7] and s.report_html(7) == "<p>old</p>"
    assert s.profile().mass_kg == 61
    dup = s.add_run(profile="default", filename="x.gpx", load=_load("2025-01-02T08:00:10Z"))
    assert dup.duplicate and dup.id == 7
    assert Store(f"sqlite:///{path}").upgraded == []  # nothing left to do the second time
    s.close()


def test_runs_without_a_start_time_use_the_upload_time(store: Store) -> None:
    rid = store.add_run(
        profile="default", filename="r.fit", load=_load("17217864", calves=5.0),
        report_html="", uploaded_at=dt.datetime(2026, 3, 4, 8),
    ).id  # fmt: skip
    assert store.run(rid)["start_time"] is None  # type: ignore[index]
    w = store.weekly_load(weeks=1, until=dt.datetime(2026, 3, 5))
    assert w.work_j["calves"] == (5.0,)


def test_weekly_validates_weeks(store: Store) -> None:
    with pytest.raises(InputError, match="weeks=0"):
        store.weekly_load(weeks=0)
    with pytest.raises(InputError, match="outside"):
        store.weekly_load(start=dt.date(1, 1, 1))
    with pytest.raises(InputError, match="after"):
        store.weekly_load(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))
    assert store.run(2**63) is None and store.run(0) is None and not store.delete_run(2**70)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\run.fit", "run.fit"),
        ("<script>alert(1)</script>.fit", "script_.fit"),  # "/" splits
        ("<b>x\x00y;rm -rf.fit", "_b_x_y_rm -rf.fit"),
        ("..", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("a" * 300 + ".fit", "a" * 100),
        ("run 1.FIT", "run 1.FIT"),
    ],
)
def test_safe_filename(raw: str | None, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_bad_urls_are_input_errors(tmp_path: Any) -> None:
    with pytest.raises(InputError, match="not valid"):
        Store("not a url")
    with pytest.raises(InputError, match="not supported"):
        Store("mysql://me@localhost/x")
    with pytest.raises(InputError, match="does not exist"):
        Store(f"sqlite:///{tmp_path}/missing/h.db")
    with pytest.raises(InputError, match="cannot open"):
        Store("postgresql://nobody@127.0.0.1:1/none")
