"""The local web app (FastAPI): upload runs or a whole export, reports, weekly load, explore.

:func:`create_app` builds it; ``runmuscles serve`` runs it with uvicorn on 127.0.0.1. Routes live
at module level in :mod:`runmuscles.web.api` (JSON, ``/api``) and :mod:`runmuscles.web.views`
(pages, Jinja2 templates with autoescape in ``web/templates``); the services they use (store,
condition table, analysis pool, configuration) are FastAPI dependencies on ``app.state``.

Doors (:mod:`runmuscles.web.security`): Host allow-list, same-origin check on every
state-changing request, security headers, optional login (``auth``). Work: analyses run in a
bounded pool (:mod:`runmuscles.web.pool`); bodies above the limit get 413 before the multipart
parser buffers them (by Content-Length, else while streaming); a failed analysis stores nothing.
Errors are JSON ``{"error": message, "status": code}`` under ``/api`` and an HTML page elsewhere,
never a traceback: bad input 4xx, a missing muscle atlas 503, a full pool 503 with Retry-After.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from runmuscles.errors import DataError, InputError, RunmusclesError
from runmuscles.load import ConditionTable
from runmuscles.store import Store
from runmuscles.web.deps import ApiError, Config, Tables, TooLarge, error_response
from runmuscles.web.security import (
    LOCAL_HOSTS,
    Auth,
    HostCheck,
    Login,
    SameOrigin,
    SecurityHeaders,
    check_allowed_hosts,
)

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_UPLOAD_BYTES", "ApiError", "create_app"]

log = logging.getLogger("runmuscles.web")

#: Default largest upload of one activity, bytes (a 24-hour 1 Hz FIT is about 5 MB; a long TCX
#: can be 20+ MB).
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
#: Default largest archive upload, bytes (a Strava export with photos can be several GB).
MAX_ARCHIVE_BYTES = 4 * 1024**3
#: Room for the multipart envelope around the file, bytes.
MULTIPART_OVERHEAD = 64 * 1024

HERE = Path(__file__).resolve().parent

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyLimit:
    """413 for POST bodies beyond the limit (``/api/import``: the archive limit), by
    Content-Length before reading, else while streaming, before the multipart parser buffers."""

    def __init__(self, app: ASGIApp, config: Config, error: Any) -> None:
        self.app = app
        self.config = config
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH")):
            await self.app(scope, receive, send)
            return
        from runmuscles.web.api import too_large

        archive = scope.get("path") == "/api/import"
        max_bytes = self.config.max_archive_bytes if archive else self.config.max_upload_bytes
        message = too_large(max_bytes, "archive" if archive else "run")
        limit = max_bytes + MULTIPART_OVERHEAD
        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > limit:
                await self.error(scope, 413, message, {"Connection": "close"})(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracked)
        except TooLarge:
            if not started:
                await self.error(scope, 413, message, {"Connection": "close"})(scope, receive, send)


class _CatchAll:
    """Innermost: an unexpected exception becomes a 500 with a message (logged), so the answer
    still passes the security middleware; never a traceback to the client."""

    def __init__(self, app: ASGIApp, error: Any) -> None:
        self.app = app
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if scope["type"] != "http":
                raise
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                msg = "internal error in runmuscles; see the server log"
                await self.error(scope, 500, msg, {})(scope, receive, send)


def _status_of(exc: RunmusclesError) -> int:
    if isinstance(exc, DataError):
        return 503  # the server's own data (the atlas) is missing or invalid
    return 422  # bad input: an unreadable file, an impossible value, a condition out of range


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescape over the web templates and the report's (one environment)."""
    import jinja2

    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(HERE / "templates"),
            jinja2.PackageLoader("runmuscles.report", "templates"),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from runmuscles.load.acwr import ZONES, zone_of
    from runmuscles.report.html import template_filters

    env.filters.update(template_filters())
    env.filters["zone"] = lambda r: "" if zone_of(r) is None else zone_of(r)
    env.filters["zone_label"] = lambda r: "" if zone_of(r) is None else ZONES[zone_of(r) or 0][0]
    return Jinja2Templates(env=env)


def create_app(
    db_url: str | None = None,
    table: ConditionTable | None = None,
    *,
    store: Store | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_archive_bytes: int = MAX_ARCHIVE_BYTES,
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS,
    auth: str | None = None,
    workers: int = 2,
    queue: int = 8,
) -> FastAPI:
    """The web app over the history at ``db_url`` (None: the default SQLite file) or ``store``,
    analysing with ``table`` (None: the shipped muscle atlas, loaded on first use).

    ``allowed_hosts``: names the Host header may carry (module :mod:`runmuscles.web.security`);
    ``auth``: a password hash (``runmuscles serve --hash-password``) to require a login;
    ``workers``/``queue``: analyses at once / waiting before 503.
    """
    if max_upload_bytes <= 0 or max_archive_bytes <= 0:
        raise InputError(
            f"upload limits ({max_upload_bytes}, {max_archive_bytes} bytes) must be positive"
        )
    if workers < 1 or queue < 0:
        raise InputError(f"workers={workers}, queue={queue}: give workers >= 1 and queue >= 0")
    from runmuscles.web import api, views
    from runmuscles.web.pool import AnalysisPool

    hosts = check_allowed_hosts(tuple(allowed_hosts))
    login = Auth(auth) if auth else None
    db = store if store is not None else Store(db_url)
    config = Config(max_upload_bytes, max_archive_bytes, hosts, login is not None)
    templates = make_templates()
    app = FastAPI(
        title="runmuscles",
        summary="What muscles does running work? Local run history and reports.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = db
    app.state.tables = Tables(table)
    app.state.config = config
    app.state.templates = templates
    app.state.pool = AnalysisPool(workers, queue)
    app.state.jobs = api.ImportJobs()
    app.state.auth = login
    app.state.background = set()

    def error_app(scope: Scope, status: int, message: str, headers: dict[str, str]) -> ASGIApp:
        return error_response(
            scope.get("path", ""), status, message, templates=templates, headers=headers
        )

    # innermost first: add_middleware puts each new one outside the previous ones
    app.add_middleware(_CatchAll, error=error_app)
    app.add_middleware(_BodyLimit, config=config, error=error_app)
    if login is not None:
        app.add_middleware(Login, auth=login, error=error_app)
    app.add_middleware(SameOrigin, error=error_app)
    app.add_middleware(HostCheck, allowed=hosts, error=error_app)
    app.add_middleware(SecurityHeaders)

    def _error(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        return error_response(
            request.url.path, status, message, templates=templates, headers=headers
        )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(RunmusclesError)
    async def _rm_error(request: Request, exc: RunmusclesError) -> Response:
        return _error(request, _status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            where = f"{loc[0]} parameter {'.'.join(loc[1:])!r}" if len(loc) > 1 else "request"
            got = e.get("input")
            shown = repr(got) if len(repr(got)) < 80 else repr(got)[:77] + "..."
            parts.append(f"{where}: {e.get('msg', 'invalid')} (got {shown})")
        return _error(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        msg = {404: f"nothing at {request.url.path}; see / for your runs"}.get(
            exc.status_code, str(exc.detail)
        )
        if exc.status_code == 405:
            msg = f"{request.method} is not allowed on {request.url.path}"
        return _error(request, exc.status_code, msg)

    app.include_router(api.router)
    app.include_router(views.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def dumps(obj: Any) -> str:
    """Compact JSON (used by templates to hand data to the page's script)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)
