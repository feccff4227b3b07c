"""Every locked door of the web app, through its HTTP API: a cross-origin POST refused, a
DNS-rebinding Host refused, GET that changes nothing, security headers on every answer, the
bounded analysis pool (503 with Retry-After), the optional login."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text

from runmuscles.errors import InputError
from runmuscles.web.security import CSP, hash_password, host_allowed, verify_password
from tests.fixture_table import FixtureTable
from tests.web.servers import live_server

EVIL = "http://evil.example"


def _counts(client: TestClient) -> dict[str, int]:
    with client.app.state.store.engine.connect() as c:  # type: ignore[attr-defined]
        return {
            t: int(c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() or 0)
            for t in ("profiles", "runs", "run_muscles")
        }


def _upload(client: TestClient, data: bytes, **headers: str) -> Any:
    return client.post("/api/runs", files={"file": ("run.tcx", data)}, headers=headers)


# ------------------------------------------------------------------------ cross-site requests
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Origin": "http://testserver:8080"},  # same host, another port: another origin
        {"Origin": "https://testserver.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
        {"Referer": EVIL + "/page.html"},  # no Origin, a foreign Referer
    ],
)
def test_a_cross_origin_post_is_refused_and_stores_nothing(
    client: TestClient, small_run: Path, headers: dict[str, str]
) -> None:
    before = _counts(client)
    r = _upload(client, small_run.read_bytes(), **headers)
    assert r.status_code == 403, r.text
    assert "refused" in r.json()["error"] and "own pages" in r.json()["error"]
    assert _counts(client) == before


def test_a_cross_site_html_form_post_is_refused(client: TestClient, small_run: Path) -> None:
    """What a page on another site can do without script: a form POST (browsers send Origin)."""
    boundary = "----x"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.tcx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + small_run.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = client.post(
        "/api/runs",
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": EVIL,
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "navigate",
        },
    )
    assert r.status_code == 403
    assert _counts(client)["runs"] == 0


def test_cross_origin_delete_and_profile_change_are_refused(
    client: TestClient, small_run: Path
) -> None:
    rid = _upload(client, small_run.read_bytes()).json()["id"]
    assert client.delete(f"/api/runs/{rid}", headers={"Origin": EVIL}).status_code == 403
    bad = client.put(
        "/api/profile", json={"mass_kg": 99, "height_m": 1.9}, headers={"Origin": EVIL}
    )
    assert bad.status_code == 403
    assert client.get(f"/api/runs/{rid}").status_code == 200
    assert client.get("/api/profile").json()["mass_kg"] == 70.0
    # the app's own pages (same origin) and scripts without a browser (no Origin) may
    ok = client.put(
        "/api/profile",
        json={"mass_kg": 64, "height_m": 1.7},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert ok.status_code == 200
    assert client.delete(f"/api/runs/{rid}").status_code == 204


# ---------------------------------------------------------------------------- DNS rebinding
def test_a_rebinding_host_is_refused(client: TestClient, small_run: Path) -> None:
    _upload(client, small_run.read_bytes())
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", "", "a b", "[::1"):
        r = client.get("/api/runs", headers={"Host": host})
        assert r.status_code == 400, (host, r.text)
        assert "does not answer to the host name" in r.json()["error"]
        assert "filename" not in r.text  # the history is not read
    page = client.get("/", headers={"Host": "evil.example"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert client.get("/api/runs", headers={"Host": "localhost:8000"}).status_code == 200


def test_host_allow_list_rules() -> None:
    local = ("localhost", "127.0.0.1", "::1")
    assert host_allowed("localhost:8000", local) and host_allowed("127.0.0.1", local)
    assert host_allowed("[::1]:8000", local) and host_allowed("LOCALHOST.", local)
    assert not host_allowed("localhost.evil.example", local)
    assert not host_allowed("evil.example", local) and not host_allowed(None, local)
    assert not host_allowed("user@localhost", local) and not host_allowed("localhost:99999", local)
    lan = (*local, "192.168.1.20", ".runs.lan")
    assert host_allowed("192.168.1.20:8000", lan) and host_allowed("kim.runs.lan", lan)
    assert host_allowed("runs.lan", lan) and not host_allowed("evilruns.lan", lan)
    assert host_allowed("anything.example", ("*",))


def test_allowed_hosts_are_checked_when_the_app_is_built(sqlite_url: str) -> None:
    from runmuscles.web import create_app

    with pytest.raises(InputError, match="not a host name"):
        create_app(sqlite_url, FixtureTable(), allowed_hosts=("http://x/",))


# ------------------------------------------------------------------------ GET changes nothing
def _get_routes() -> list[str]:
    from runmuscles.web import api, views

    routes = [*api.router.routes, *views.router.routes]
    return [r.path for r in routes if "GET" in getattr(r, "methods", set())]


def test_no_get_changes_anything(client: TestClient, small_run: Path) -> None:
    rid = _upload(client, small_run.read_bytes()).json()["id"]
    before = _counts(client)
    paths = _get_routes()
    assert {"/", "/history", "/explore", "/api/profile", "/api/load/weekly"} <= set(paths)
    for path in paths:
        url = path.replace("{run_id}", str(rid)).replace("{job}", "nojob")
        for profile in ("default", "newcomer", "someone else"):
            for method in ("GET", "HEAD"):
                r = client.request(method, url, params={"profile": profile})
                assert r.status_code < 500, (url, r.text[:300])
    assert _counts(client) == before  # in particular no profile was created by a GET
    assert client.get("/api/profile?profile=newcomer").json()["mass_kg"] == 70.0


# ----------------------------------------------------------------------------------- headers
def _check_headers(r: Any) -> None:
    assert r.headers["content-security-policy"] in (CSP, r.headers["content-security-policy"])
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"


def test_security_headers_on_every_kind_of_answer(
    client: TestClient, small_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = _upload(client, small_run.read_bytes()).json()["id"]
    answers = [
        client.get("/"),
        client.get(f"/runs/{rid}"),
        client.get(f"/runs/{rid}/report.html"),
        client.get("/api/runs"),
        client.get("/static/app.js"),
        client.get("/report.css"),
        client.get("/nothing"),  # 404
        client.get("/api/runs", headers={"Host": "evil.example"}),  # 400
        client.post("/api/runs", headers={"Origin": EVIL}),  # 403
        client.post("/api/runs", files={"file": ("big", b"x" * (2**20 + 2**17))}),  # 413
    ]
    import runmuscles.store.db as db_mod

    monkeypatch.setattr(db_mod.Store, "runs", lambda *a, **k: 1 / 0)
    answers.append(client.get("/api/runs"))  # 500
    assert [a.status_code for a in answers] == [200] * 6 + [404, 400, 403, 413, 500]
    for a in answers:
        _check_headers(a)
    assert "script-src 'self'" in answers[0].headers["content-security-policy"]
    # the downloaded report is one file with its CSS inline and no script at all
    download = answers[2]
    assert download.headers["content-disposition"].startswith("attachment")
    assert "script-src" not in download.headers["content-security-policy"]


def test_pages_hold_no_inline_script_or_style_the_policy_would_block(
    client: TestClient, small_run: Path
) -> None:
    rid = _upload(client, small_run.read_bytes()).json()["id"]
    for url in ("/", f"/runs/{rid}", "/history", "/explore", "/nothing"):
        page = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url  # no inline script
        assert not re.search(r"\son[a-z]+\s*=", page), url  # no inline event handlers
        assert not re.search(r"\sstyle\s*=", page), url  # no style attributes
        assert "<style" not in page, url  # style sheets come from this server


# ------------------------------------------------------------------------------ bounded pool
class _SlowTable(FixtureTable):
    """The fixture table, holding every lookup until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "release", threading.Event())
        object.__setattr__(self, "entered", threading.Event())

    def lookup(self, speed: Any, grade: Any) -> Any:
        self.entered.set()  # type: ignore[attr-defined]
        assert self.release.wait(60)  # type: ignore[attr-defined]
        return super().lookup(speed, grade)


def test_a_full_pool_answers_503_with_retry_after(
    make_app: Any, sqlite_url: str, small_run: Path
) -> None:
    from tests.history_files import shifted

    table = _SlowTable()
    app = make_app(sqlite_url, table=table, workers=1, queue=1)
    base = small_run.read_bytes()
    import datetime as dt

    files = [shifted(base, dt.timedelta(days=i)) for i in range(3)]
    results: dict[int, httpx.Response] = {}
    with live_server(app) as srv:

        def send(i: int) -> None:
            results[i] = httpx.post(
                srv.url + "/api/runs", files={"file": (f"{i}.tcx", files[i])}, timeout=60
            )

        first = threading.Thread(target=send, args=(0,))
        first.start()
        assert table.entered.wait(30)  # type: ignore[attr-defined]
        second = threading.Thread(target=send, args=(1,))  # waits in the queue
        second.start()
        deadline = time.monotonic() + 30
        while app.state.pool.admitted < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        send(2)  # the pool is full: refused at once, not buffered
        refused = results[2]
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["retry-after"]) >= 1
        assert "busy" in refused.json()["error"]
        table.release.set()  # type: ignore[attr-defined]
        first.join(60)
        second.join(60)
        assert results[0].status_code == 201 and results[1].status_code == 201
        assert app.state.pool.peak_admitted == 2
        assert len(httpx.get(srv.url + "/api/runs").json()) == 2
    app.state.store.close()


# -------------------------------------------------------------------------------------- login
PASSWORD = "correct horse battery"


@pytest.fixture
def locked(make_app: Any, sqlite_url: str) -> Iterator[TestClient]:
    app = make_app(sqlite_url, auth=hash_password(PASSWORD, n=2**10))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c
    app.state.store.close()


def test_login_is_required_when_the_server_has_a_password(
    locked: TestClient, small_run: Path
) -> None:
    r = locked.get("/history?profile=kim")
    assert (
        r.status_code == 303 and r.headers["location"] == "/login?next=%2Fhistory%3Fprofile%3Dkim"
    )
    api = locked.get("/api/runs")
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Basic")
    assert _upload(locked, small_run.read_bytes()).status_code == 401
    assert (
        locked.get("/login").status_code == 200 and locked.get("/static/app.css").status_code == 200
    )
    wrong = locked.post("/login", data={"password": "nope", "next": "/history"})
    assert wrong.status_code == 401 and "wrong password" in wrong.text
    ok = locked.post("/login", data={"password": PASSWORD, "next": "/history"})
    assert ok.status_code == 303 and ok.headers["location"] == "/history"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert locked.get("/history").status_code == 200  # the client keeps the cookie
    assert _upload(locked, small_run.read_bytes()).status_code == 201
    out = locked.post("/logout")
    assert out.status_code == 303
    locked.cookies.clear()
    assert locked.get("/api/runs").status_code == 401


def test_http_basic_and_a_forged_cookie(locked: TestClient) -> None:
    assert locked.get("/api/runs", auth=("anyone", PASSWORD)).status_code == 200
    assert locked.get("/api/runs", auth=("anyone", "guess")).status_code == 401
    locked.cookies.set("runmuscles_session", "9999999999.abc.def")
    assert locked.get("/api/runs").status_code == 401


def test_login_redirects_only_to_this_site_and_counts_failures(locked: TestClient) -> None:
    ok = locked.post("/login", data={"password": PASSWORD, "next": "//evil.example/x"})
    assert ok.headers["location"] == "/"
    locked.cookies.clear()
    cross = locked.post("/login", data={"password": PASSWORD}, headers={"Origin": EVIL})
    assert cross.status_code == 403  # login CSRF
    for _ in range(5):
        assert locked.post("/login", data={"password": "x"}).status_code == 401
    r = locked.post("/login", data={"password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_password_hashes() -> None:
    h = hash_password(PASSWORD, n=2**10)
    assert h.startswith("scrypt$1024$8$1$") and PASSWORD not in h
    assert verify_password(PASSWORD, h) and not verify_password(PASSWORD + "!", h)
    assert hash_password(PASSWORD, n=2**10) != h  # salted
    with pytest.raises(InputError, match="too short"):
        hash_password("short")
    with pytest.raises(InputError, match="hash-password"):
        verify_password("x", "plain-text-password")
