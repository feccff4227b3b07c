"""The pages (Jinja2 templates in ``web/templates``, autoescaped), module-level routes.

::

    GET  /                        upload one run or a whole export, your body, the run history
    GET  /runs/{id}               the run's report (drawn from the stored analysis and the
                                  runner's history at the time of viewing)
    GET  /runs/{id}/report.html   the same report as one self-contained file (download)
    GET  /history                 ?from=YYYY-MM-DD&to=YYYY-MM-DD&kind=work|concentric|eccentric:
                                  weekly load per muscle group and acute:chronic ratios
    GET  /explore                 speed and slope sliders over the muscle table
    GET  /login, POST /login, POST /logout    only with ``--auth``

No page changes anything on GET; the forms post to the API from the page's script
(``/static/app.js``), or, for login, as a same-origin form.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from runmuscles.store import Store
from runmuscles.web.api import explore_data
from runmuscles.web.deps import (
    ApiError,
    ConfigDep,
    ProfileName,
    RunId,
    StoreDep,
    TablesDep,
    parse_day,
    templates,
)

__all__ = ["router"]

router = APIRouter()

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" '
    'fill="#6a2c91"/><text x="16" y="22" font-size="18" text-anchor="middle" fill="#fff" '
    'font-family="sans-serif">m</text></svg>'
)
#: Runs listed on the home page at once.
PAGE_RUNS = 100
KINDS = ("work", "concentric", "eccentric")


def _page(request: Request, name: str, profile: str, here: str, **ctx: Any) -> HTMLResponse:
    auth = request.app.state.auth is not None
    return templates(request).TemplateResponse(
        request, name, {"profile": profile, "here": here, "auth": auth, **ctx}
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(FAVICON_SVG, media_type="image/svg+xml")


@router.get("/report.css", include_in_schema=False)
def report_css() -> Response:
    from runmuscles.report.html import report_css as css

    return Response(css(), media_type="text/css")


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    store: StoreDep,
    config: ConfigDep,
    profile: ProfileName,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> HTMLResponse:
    prof = store.profile(profile)
    runs = store.runs(prof.name, limit=PAGE_RUNS, offset=offset)
    return _page(
        request,
        "home.html",
        prof.name,
        "home",
        body=prof.to_dict(),
        runs=runs,
        total=store.count_runs(prof.name),
        offset=offset,
        page=PAGE_RUNS,
        max_mb=config.max_upload_bytes / 2**20,
        max_archive_mb=config.max_archive_bytes / 2**20,
    )


def _report_data(store: Store, run: dict[str, Any]) -> Any:
    from runmuscles.report import comparison_from_history, report_data

    load = run["load"]
    when = run["start_time"] or run["uploaded_at"]
    t = _dt.datetime.fromisoformat(when.replace("Z", ""))
    since = t - _dt.timedelta(days=28)
    others = store.runs_between(run["profile"], since, t, exclude=run["id"])
    rows = store.group_rows(run["profile"], since=since, until=t, exclude=run["id"])
    comparison = comparison_from_history(load, others, rows, since=since, until=t)
    return report_data(load, comparison=comparison)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def report(request: Request, run_id: RunId, store: StoreDep) -> HTMLResponse:
    from runmuscles.report import render_sections

    run = store.run(run_id)
    if run is None:
        raise ApiError(404, f"run {run_id} is not in the history (deleted?)")
    data = _report_data(store, run)
    return _page(
        request,
        "report.html",
        run["profile"],
        "",
        run=run,
        data=data,
        sections=Markup(render_sections(data)),
    )


@router.get("/runs/{run_id}/report.html")
def report_file(run_id: RunId, store: StoreDep) -> Response:
    from runmuscles.report import render_report

    run = store.run(run_id)
    if run is None:
        raise ApiError(404, f"run {run_id} is not in the history (deleted?)")
    page = render_report(_report_data(store, run))
    day = (run["start_time"] or run["uploaded_at"] or "")[:10]
    headers = {
        "Content-Disposition": f'attachment; filename="runmuscles-{day}-run{run_id}.html"',
        # the self-contained file has its CSS inline and no script at all
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    }
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request,
    store: StoreDep,
    profile: ProfileName,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    kind: Annotated[str, Query(pattern="^(work|concentric|eccentric)$")] = "work",
    group: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    from runmuscles.web.charts import acwr_chart_svg, weekly_chart_svg
    from runmuscles.web.labels import group_labels

    prof = store.profile(profile)
    first, last = parse_day(start, "from"), parse_day(end, "to")
    weekly = (
        store.weekly_load(prof.name, start=first, end=last)
        if (first or last)
        else (store.weekly_load(prof.name))
    )
    data = weekly.to_dict()
    labels = group_labels()
    span = store.span(prof.name)
    chosen = group if group in weekly.groups else _busiest(data, kind)
    chart = weekly_chart_svg(data, labels, kind=kind) if weekly.groups else ""
    ratio_chart = acwr_chart_svg(data, chosen, labels) if chosen else ""
    return _page(
        request,
        "history.html",
        prof.name,
        "history",
        weekly=data,
        labels=labels,
        kind=kind,
        kinds=KINDS,
        group=chosen,
        chart=Markup(chart),
        ratio_chart=Markup(ratio_chart),
        span=[t.date().isoformat() for t in span] if span else None,
    )


def _busiest(data: dict[str, Any], kind: str) -> str | None:
    totals = {g: sum(v) for g, v in data["load_j"][kind].items()}
    return max(totals, key=totals.__getitem__) if totals and max(totals.values()) > 0 else None


@router.get("/explore", response_class=HTMLResponse)
def explore_view(
    request: Request,
    store: StoreDep,
    tables: TablesDep,
    profile: ProfileName,
    speed: Annotated[str, Query(max_length=32)] = "3.0",
    grade: Annotated[str, Query(max_length=32)] = "0",
) -> HTMLResponse:
    from runmuscles.report.bodymap import body_map_svg

    data = explore_data(tables, store, speed, grade, profile)
    body_map = body_map_svg(
        {g["id"]: g["work_j_per_km"] for g in data["groups"]},
        labels={g["id"]: g["name"] for g in data["groups"]},
        vmax=data["scale_max_j_per_km"],
        unit="J/km",
        caption="work per km of each muscle group",
    )
    return _page(request, "explore.html", profile, "explore", data=data, body_map=Markup(body_map))


# ------------------------------------------------------------------------------------- login
@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next: Annotated[str, Query(max_length=2000)] = "/"
) -> HTMLResponse:
    from runmuscles.web.security import safe_next

    if request.app.state.auth is None:
        return RedirectResponse("/", 303)  # type: ignore[return-value]
    return _page(request, "login.html", "default", "", next=safe_next(next), error="")


@router.post("/login")
def login(
    request: Request,
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    from runmuscles.web.security import SESSION_COOKIE, client_of, safe_next

    auth = request.app.state.auth
    if auth is None:
        return RedirectResponse("/", 303)
    client = client_of(request.scope)
    wait = auth.retry_after(client)
    if wait:
        raise ApiError(
            429, f"too many wrong passwords; try again in {wait} s", {"Retry-After": str(wait)}
        )
    if not auth.check(password, client):
        page = _page(
            request, "login.html", "default", "", next=safe_next(next), error="wrong password"
        )
        page.status_code = 401
        return page
    resp = RedirectResponse(safe_next(next), 303)
    resp.set_cookie(
        SESSION_COOKIE,
        auth.new_session(),
        max_age=auth.SESSION_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return resp


@router.post("/logout")
def logout() -> Response:
    from runmuscles.web.security import SESSION_COOKIE

    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
