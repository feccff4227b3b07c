"""Fixtures of the web tests: the app on a temporary SQLite file with the fixture table, a real
PostgreSQL server started for the session, real activity files from ../shared/data."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_data
from tests.fixture_table import FixtureTable
from tests.web.servers import PostgresCluster

#: A real, complete Garmin run (5.8 km, 212 m climb; runpandas, MIT; see the MANIFEST).
HILLY_FIT = ("activities", "fit", "runpandas_fr645m_hilly_run.fit")
#: A small real run (Garmin Forerunner 620 TCX, 2.2 km, 14 min; runpandas, MIT): cheap to analyse.
SMALL_RUN = ("activities", "tcx", "runpandas_fr620_run_garmin.tcx")


@pytest.fixture
def hilly_fit() -> Path:
    return shared_data(*HILLY_FIT)


@pytest.fixture
def small_run() -> Path:
    return shared_data(*SMALL_RUN)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'history.sqlite3'}"


@pytest.fixture
def make_app() -> Callable[..., Any]:
    from runmuscles.web import create_app

    def make(db_url: str, **kw: Any) -> Any:
        kw.setdefault("table", FixtureTable())
        kw.setdefault("allowed_hosts", ("testserver", "127.0.0.1", "localhost"))
        return create_app(db_url, **kw)

    return make


@pytest.fixture
def client(make_app: Callable[..., Any], sqlite_url: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = make_app(sqlite_url, max_upload_bytes=2**20)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.store.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server for the whole session (skips when not installed)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


_db_numbers = itertools.count()


@pytest.fixture
def postgres_url(postgres: PostgresCluster) -> str:
    """An empty database on the session's PostgreSQL server."""
    return postgres.new_database(f"runmuscles_test_{next(_db_numbers)}")
