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
    )


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
    with store.engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM run_muscles")).scalar() == 0


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    """20 threads: each creates the same new profile and adds a run at the same time."""

    def work(i: int) -> int:
        store.profile("newcomer")
        return store.add_run(
            profile="newcomer", filename=f"{i}.fit", load=_load(None, calves=float(i)),
            report_html="x",
        )  # fmt: skip

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
    _add(store, "2026-03-01T23:59:00Z", calves=1.0)  # Sunday: previous week
    _add(store, "2026-03-02T00:00:00Z", calves=10.0)  # Monday 00:00: this week
    _add(store, "2026-03-02T00:30:00+02:00", calves=100.0)  # = Sunday 22:30 UTC
    _add(store, "2026-03-08T23:00:00Z", calves=1000.0)  # Sunday of this week
    w = store.weekly_load(weeks=2, until=dt.datetime(2026, 3, 8, 23, 30))
    assert w.weeks == (dt.date(2026, 2, 23), dt.date(2026, 3, 2))
    assert w.work_j["calves"] == (101.0, 1010.0)


def test_acwr_rolling_average_by_hand(store: Store) -> None:
    """Gabbett 2016 rolling averages: acute = 7-day total, chronic = 28-day total / 4."""
    # four weekly runs: 100, 200, 300, 400 J of calf work; Mondays 9:00 UTC
    for i, w in enumerate((100.0, 200.0, 300.0, 400.0)):
        _add(store, f"2026-03-{2 + 7 * i:02d}T09:00:00Z", calves=w, hamstrings=50.0)
    until = dt.datetime(2026, 3, 29, 12)  # Sunday of the 4th week
    w = store.weekly_load(weeks=4, until=until)
    assert w.work_j["calves"] == (100.0, 200.0, 300.0, 400.0)
    assert w.acute_j["calves"] == 400.0
    assert w.chronic_j["calves"] == pytest.approx((100 + 200 + 300 + 400) / 4)
    assert w.acwr_now["calves"] == pytest.approx(400 / 250)
    assert w.acwr_now["hamstrings"] == pytest.approx(1.0)  # steady load: ratio 1
    # at the end of week 1 (Monday 9 March 00:00): acute 100, chronic 100/4
    assert w.acwr["calves"][0] == pytest.approx(4.0)
    assert w.acwr["calves"][1] == pytest.approx(200 / (300 / 4))
    # window edges: (t - 7 d, t]: a run exactly 7 days before t is out of the acute window
    later = store.weekly_load(weeks=1, until=dt.datetime(2026, 3, 30, 9))
    assert later.acute_j["calves"] == 0.0
    assert later.chronic_j["calves"] == pytest.approx((200 + 300 + 400) / 4)
    assert later.acwr_now["calves"] == 0.0
    # nothing in the last 28 days: undefined, not zero or infinite
    empty = store.weekly_load(weeks=10, until=dt.datetime(2026, 6, 1))
    assert empty.acwr_now["calves"] is None
    assert empty.acwr["calves"][0] is not None and empty.acwr["calves"][-1] is None
    assert store.weekly_load(weeks=1, until=dt.datetime(2026, 6, 1)).groups == ()
    assert w.to_dict()["source"].startswith("Gabbett TJ (2016)")


def test_runs_without_a_start_time_use_the_upload_time(store: Store) -> None:
    rid = store.add_run(
        profile="default", filename="r.fit", load=_load("17217864", calves=5.0),
        report_html="", uploaded_at=dt.datetime(2026, 3, 4, 8),
    )  # fmt: skip
    assert store.run(rid)["start_time"] is None  # type: ignore[index]
    w = store.weekly_load(weeks=1, until=dt.datetime(2026, 3, 5))
    assert w.work_j["calves"] == (5.0,)


def test_weekly_validates_weeks(store: Store) -> None:
    with pytest.raises(InputError, match="weeks=0"):
        store.weekly_load(weeks=0)


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
