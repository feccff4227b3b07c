"""Bounded load test on loopback: 50 concurrent uploads of 50 distinct runs (a real TCX moved to 50
different days) to a real uvicorn server, on SQLite and on a real PostgreSQL server: all stored,
none lost, no 5xx. Then 10 simultaneous uploads of ONE file (a double click, ten times): stored
once, every answer names the same run."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
from sqlalchemy import text

from tests.history_files import shifted
from tests.web.servers import live_server

N_UPLOADS = 50
#: Generous bound for the whole burst on a busy 2-core machine (not a timing assertion: a hang
#: fails the test instead of blocking CI).
BOUND_S = 300.0


async def _burst(url: str, files: list[bytes]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(files), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=BOUND_S, limits=limits) as client:
        start = asyncio.Event()

        async def one(i: int) -> httpx.Response:
            await start.wait()  # all requests leave together
            return await client.post("/api/runs", files={"file": (f"run{i}.tcx", files[i])})

        tasks = [asyncio.create_task(one(i)) for i in range(len(files))]
        await asyncio.sleep(0.05)
        start.set()
        return list(await asyncio.wait_for(asyncio.gather(*tasks), BOUND_S))


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_fifty_concurrent_uploads(
    db: str, request: pytest.FixtureRequest, make_app: Any, small_run: Path
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "postgres_url")
    app = make_app(url, queue=N_UPLOADS)  # room for the whole burst: none is refused
    base = small_run.read_bytes()
    files = [shifted(base, dt.timedelta(days=i)) for i in range(N_UPLOADS)]
    with live_server(app) as srv:
        responses = asyncio.run(_burst(srv.url, files))
        statuses = [r.status_code for r in responses]
        assert statuses == [201] * N_UPLOADS, sorted(set(statuses))
        ids = {r.json()["id"] for r in responses}
        assert len(ids) == N_UPLOADS
        listed = httpx.get(srv.url + "/api/runs", timeout=60).json()
        assert {r["id"] for r in listed} == ids
        assert {r["filename"] for r in listed} == {f"run{i}.tcx" for i in range(N_UPLOADS)}
        reports = [httpx.get(f"{srv.url}/runs/{i}", timeout=60) for i in sorted(ids)[:3]]
        assert all(r.status_code == 200 and "data-muscle" in r.text for r in reports)
    store = app.state.store
    with store.engine.connect() as c:
        n_groups = len(store.run(listed[0]["id"])["load"]["muscles"])
        rows = c.execute(text("SELECT COUNT(*) FROM run_muscles")).scalar()
        assert rows == N_UPLOADS * n_groups  # every run complete with its muscle rows
        if db == "sqlite":
            assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    store.close()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_ten_simultaneous_uploads_of_one_file_store_it_once(
    db: str, request: pytest.FixtureRequest, make_app: Any, small_run: Path
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "postgres_url")
    app = make_app(url)
    with live_server(app) as srv:
        responses = asyncio.run(_burst(srv.url, [small_run.read_bytes()] * 10))
        got = [(r.status_code, r.json()["id"], r.json()["duplicate"]) for r in responses]
        assert sorted(s for s, _, _ in got) == [200] * 9 + [201], got
        assert len({i for _, i, _ in got}) == 1
        assert sum(d for _, _, d in got) == 9
        assert len(httpx.get(srv.url + "/api/runs", timeout=60).json()) == 1
    app.state.store.close()
