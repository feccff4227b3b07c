"""The local web app (FastAPI): upload runs, view reports, weekly load and ACWR, explore the table.

Build it with :func:`create_app`; ``runmuscles serve`` runs it with uvicorn on 127.0.0.1.

Routes (``profile`` is an optional query parameter everywhere, default ``default``)::

    GET    /                    upload form, body profile, run history with delete buttons
    GET    /runs/{id}           the run's HTML report
    GET    /history             weekly work per muscle group and ACWR per group
    GET    /explore             speed and slope sliders over the muscle table
    POST   /api/runs            multipart field ``file`` -> 201 {"id", "report_url", ...}
    GET    /api/runs            run history (newest first)
    GET    /api/runs/{id}       one run with its full load (RunLoad.to_dict())
    DELETE /api/runs/{id}       204; 404 when absent
    GET    /api/load/weekly     ?weeks=12 -> WeeklyLoad.to_dict()
    GET    /api/explore         ?speed=3.5&grade=0.05 (or 5%) -> per-group picture
    GET    /api/profile         {"name", "mass_kg", "height_m"}
    PUT    /api/profile         JSON {"mass_kg", "height_m"} -> the saved profile

Safety: uploads are parsed from bytes in memory (content sniffed, never the extension), never
written under a client-chosen name and never executed; bodies larger than ``max_upload_bytes``
get 413 (checked on Content-Length and while streaming); the analysis runs before anything is
stored and a run is stored in one transaction, so a failure stores nothing. Errors are JSON
``{"error": message, "status": code}`` on ``/api`` (an HTML page elsewhere), never a traceback:
bad input 4xx, a missing muscle atlas 503.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from runmuscles.errors import DataError, InputError, RunmusclesError
from runmuscles.load import ConditionTable
from runmuscles.store import DEFAULT_PROFILE, Store, safe_filename
from runmuscles.web import pages

__all__ = ["MAX_UPLOAD_BYTES", "ApiError", "create_app"]

log = logging.getLogger("runmuscles.web")

#: Default largest upload, bytes (a 24-hour 1 Hz FIT is about 5 MB; a long TCX can be 20+ MB).
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
#: Room for the multipart envelope around the file, bytes.
MULTIPART_OVERHEAD = 64 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ApiError(Exception):
    """An HTTP error with a message for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _TooLarge(Exception):
    pass


def _too_large_message(limit: int) -> str:
    return (
        f"the upload is larger than the {limit / 2**20:.3g} MB limit; is it really one run? "
        "Export a single activity, or start the server with a larger --max-upload-mb"
    )


class _BodyLimit:
    """ASGI middleware: 413 for POST bodies to ``/api/runs`` beyond the limit (by Content-Length
    before reading, else while streaming), before the multipart parser buffers them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reply(self, send: Send) -> None:
        body = json.dumps({"error": _too_large_message(self.max_bytes), "status": 413}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + MULTIPART_OVERHEAD
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > limit:
                await self._reply(send)
                return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracked)
        except _TooLarge:
            if not started:
                await self._reply(send)


class _Tables:
    """The condition table: the injected one, or the shipped atlas loaded once on first use."""

    def __init__(self, table: ConditionTable | None) -> None:
        self._table = table
        self._lock = threading.Lock()

    def get(self) -> ConditionTable:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    from runmuscles.load import default_table

                    self._table = default_table()
        return self._table


def _status_of(exc: RunmusclesError) -> int:
    if isinstance(exc, DataError):
        return 503  # the server's own data (the atlas) is missing or invalid
    return 422  # bad input: an unreadable file, an impossible value, a condition out of range


def _labels() -> dict[str, str]:
    from runmuscles.anatomy import load_catalogue

    try:
        cat = load_catalogue()
        return {g.id: str(g.name) for g in cat.groups}
    except RunmusclesError:
        return {}


def create_app(
    db_url: str | None = None,
    table: ConditionTable | None = None,
    *,
    store: Store | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The web app over the history at ``db_url`` (None: the default SQLite file) or ``store``,
    analysing with ``table`` (None: the shipped muscle atlas, loaded on first use)."""
    if max_upload_bytes <= 0:
        raise InputError(f"max_upload_bytes={max_upload_bytes}: give a positive number of bytes")
    db = store if store is not None else Store(db_url)
    tables = _Tables(table)
    labels = _labels()
    app = FastAPI(
        title="runmuscles",
        summary="What muscles does running work? Local run history and reports.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = db
    app.state.tables = tables
    app.add_middleware(_BodyLimit, max_bytes=max_upload_bytes)

    # ------------------------------------------------------------------ errors
    def _error(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return HTMLResponse(pages.error_page(status, message), status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.status, exc.message)

    @app.exception_handler(RunmusclesError)
    async def _rm_error(request: Request, exc: RunmusclesError) -> Response:
        return _error(request, _status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            where = f"{loc[0]} parameter {'.'.join(loc[1:])!r}" if len(loc) > 1 else "request"
            parts.append(f"{where}: {e.get('msg', 'invalid')} (got {e.get('input')!r})")
        return _error(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        msg = {404: f"nothing at {request.url.path}; see / for your runs"}.get(
            exc.status_code, str(exc.detail)
        )
        if exc.status_code == 405:
            msg = f"{request.method} is not allowed on {request.url.path}"
        return _error(request, exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal error in runmuscles; see the server log")

    # ---------------------------------------------------------------- analysis
    def analyse_and_store(data: bytes, filename: str, profile: str) -> dict[str, Any]:
        from runmuscles.io import parse_activity
        from runmuscles.load import analyze_activity
        from runmuscles.report import render_report, report_data

        prof = db.profile(profile)
        activity = parse_activity(data, filename)
        run = analyze_activity(activity, prof.mass_kg, prof.height_m, tables.get())
        html = render_report(report_data(run))
        load = run.to_dict()
        run_id = db.add_run(profile=prof.name, filename=filename, load=load, report_html=html)
        act = load["activity"]
        return {
            "id": run_id,
            "report_url": f"/runs/{run_id}",
            "profile": prof.name,
            "filename": filename,
            "format": act.get("format"),
            "start_time": act.get("start_time"),
            "distance_m": act.get("distance_m"),
            "duration_s": act.get("duration_s"),
            "headline": load["headline"],
            "warnings": load["warnings"],
        }

    # ------------------------------------------------------------------- API
    @app.post("/api/runs", status_code=201)
    async def upload_run(request: Request, profile: str = DEFAULT_PROFILE) -> JSONResponse:
        try:
            form = await request.form(max_files=1, max_fields=4)
        except _TooLarge:
            raise ApiError(413, _too_large_message(max_upload_bytes)) from None
        except StarletteHTTPException as exc:  # malformed multipart
            raise ApiError(400, f"the upload could not be read: {exc.detail}") from None
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ApiError(
                    422,
                    "no file: send the activity as multipart/form-data in the field 'file' "
                    "(e.g. curl -F file=@run.fit http://127.0.0.1:8000/api/runs)",
                )
            data = await upload.read(max_upload_bytes + 1)
            name = safe_filename(upload.filename)
            form_profile = form.get("profile")
        finally:
            await form.close()
        if len(data) > max_upload_bytes:
            raise ApiError(413, _too_large_message(max_upload_bytes))
        who = form_profile if isinstance(form_profile, str) and form_profile else profile
        result = await run_in_threadpool(analyse_and_store, data, name, who)
        return JSONResponse(result, status_code=201)

    @app.get("/api/runs")
    def list_runs(profile: str | None = None) -> list[dict[str, Any]]:
        return db.runs(profile)

    @app.get("/api/runs/{run_id}")
    def get_run(run_id: int) -> dict[str, Any]:
        run = db.run(run_id)
        if run is None:
            raise ApiError(404, f"run {run_id} is not in the history; GET /api/runs lists them")
        return run

    @app.delete("/api/runs/{run_id}", status_code=204)
    def delete_run(run_id: int) -> Response:
        if not db.delete_run(run_id):
            raise ApiError(404, f"run {run_id} is not in the history (already deleted?)")
        return Response(status_code=204)

    @app.get("/api/load/weekly")
    def weekly(
        profile: str = DEFAULT_PROFILE, weeks: int = 12, until: _dt.datetime | None = None
    ) -> dict[str, Any]:
        return db.weekly_load(profile, weeks=weeks, until=until).to_dict()

    def explore_data(speed: str, grade: str, profile: str) -> dict[str, Any]:
        from runmuscles.web.explore import explore, parse_condition

        t = tables.get()
        v, g = parse_condition(t, speed, grade)
        return explore(t, v, g, mass_kg=db.profile(profile).mass_kg, labels=labels)

    @app.get("/api/explore")
    def explore_api(speed: str = "3.0", grade: str = "0", profile: str = DEFAULT_PROFILE) -> Any:
        return explore_data(speed, grade, profile)

    @app.get("/api/profile")
    def get_profile(profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
        return db.profile(profile).to_dict()

    @app.put("/api/profile")
    async def put_profile(request: Request, profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
        try:
            body = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(
                422, 'the body is not JSON; send {"mass_kg": 70, "height_m": 1.75}'
            ) from None
        if not isinstance(body, dict) or not {"mass_kg", "height_m"} <= body.keys():
            raise ApiError(422, 'send a JSON object {"mass_kg": 70, "height_m": 1.75} (kg, m)')
        name = body.get("name", profile)
        result = await run_in_threadpool(db.set_profile, name, body["mass_kg"], body["height_m"])
        return result.to_dict()

    # ----------------------------------------------------------------- pages
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(pages.FAVICON_SVG, media_type="image/svg+xml")

    @app.get("/", response_class=HTMLResponse)
    def home(profile: str = DEFAULT_PROFILE) -> str:
        prof = db.profile(profile)
        return pages.home_page(prof.to_dict(), db.runs(prof.name), max_upload_bytes / 2**20)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def report(run_id: int) -> str:
        run = db.run_summary(run_id)
        html = db.report_html(run_id)
        if run is None or html is None:
            raise ApiError(404, f"run {run_id} is not in the history (deleted?)")
        return pages.report_page(html, profile=run["profile"], run_id=run_id)

    @app.get("/history", response_class=HTMLResponse)
    def history(profile: str = DEFAULT_PROFILE, weeks: int = 12) -> str:
        data = db.weekly_load(profile, weeks=weeks).to_dict()
        return pages.history_page(data, labels, profile=db.profile(profile).name)

    @app.get("/explore", response_class=HTMLResponse)
    def explore_view(profile: str = DEFAULT_PROFILE, speed: str = "3.0", grade: str = "0") -> str:
        from runmuscles.report.bodymap import body_map_svg

        data = explore_data(speed, grade, profile)
        body_map = body_map_svg(
            {g["id"]: g["work_j_per_km"] for g in data["groups"]},
            labels={g["id"]: g["name"] for g in data["groups"]},
            vmax=data["scale_max_j_per_km"],
            unit="J/km",
            caption="work per km of each muscle group",
        )
        return pages.explore_page(data, body_map, profile=db.profile(profile).name)

    return app
