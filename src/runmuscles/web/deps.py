"""Shared pieces of the routes: the app's services as FastAPI dependencies, validated parameters,
the error type and the HTML/JSON error responses."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from runmuscles.errors import InputError
from runmuscles.load import ConditionTable
from runmuscles.store import DEFAULT_PROFILE, MAX_ID, Store
from runmuscles.store.db import check_name

__all__ = [
    "ApiError",
    "Config",
    "ConfigDep",
    "ProfileName",
    "RunId",
    "StoreDep",
    "TablesDep",
    "TooLarge",
    "error_response",
]


class ApiError(Exception):
    """An HTTP error with a message for the user (and optional headers, e.g. Retry-After)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class TooLarge(Exception):
    """Raised by the body-limit middleware when a request body passes its limit."""


@dataclass(frozen=True)
class Config:
    """What the app was started with (see :func:`runmuscles.web.app.create_app`)."""

    max_upload_bytes: int
    max_archive_bytes: int
    allowed_hosts: tuple[str, ...]
    auth: bool


#: Seconds a request waits for strides solved on demand before answering without them.
ATLAS_WAIT_S = 5.0


class Tables:
    """The condition table: the injected one, or the shipped atlas loaded once on first use."""

    def __init__(self, table: ConditionTable | None) -> None:
        import threading

        self._table = table
        self._lock = threading.Lock()

    def get(self) -> ConditionTable:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    from runmuscles.load import default_table

                    # beyond the atlas's grid: solved in the background; a request waits
                    # ATLAS_WAIT_S, then says which kilometres are still being solved
                    self._table = default_table(solving="wait", wait_s=ATLAS_WAIT_S)
        return self._table


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_tables(request: Request) -> Tables:
    tables: Tables = request.app.state.tables
    return tables


def get_config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def profile_name(profile: Annotated[str, Query(max_length=64)] = DEFAULT_PROFILE) -> str:
    return check_name(profile)


StoreDep = Annotated[Store, Depends(get_store)]
TablesDep = Annotated[Tables, Depends(get_tables)]
ConfigDep = Annotated[Config, Depends(get_config)]
ProfileName = Annotated[str, Depends(profile_name)]
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="run id")]


def parse_day(value: str | None, what: str) -> _dt.date | None:
    """A YYYY-MM-DD query value (None when empty); InputError naming it otherwise."""
    if value is None or value == "":
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date; give it as YYYY-MM-DD") from None


def templates(request: Request) -> Jinja2Templates:
    t: Jinja2Templates = request.app.state.templates
    return t


def error_response(
    request_path: str,
    status: int,
    message: str,
    *,
    templates: Jinja2Templates | None = None,
    headers: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
) -> Response:
    """JSON ``{"error", "status"}`` under /api, else the error page (HTML)."""
    if request_path.startswith("/api") or templates is None:
        return JSONResponse({"error": message, "status": status}, status, headers=headers)
    html = templates.get_template("error.html").render(
        {
            "status": status,
            "message": message,
            "profile": DEFAULT_PROFILE,
            "here": "",
            "auth": False,
            **(context or {}),
        }
    )
    return HTMLResponse(html, status, headers=headers)
