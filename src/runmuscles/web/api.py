"""The JSON API (``/api``), module-level routes with dependencies.

::

    POST   /api/runs            multipart ``file`` -> 201 {"id", "report_url", "duplicate": false,
                                ...}; the same file again (or the same run in another format)
                                -> 200 {"id": <stored run>, "duplicate": true, "reason"}
    GET    /api/runs            ?limit&offset: the history, newest first
    GET    /api/runs/{id}       one run with its stored analysis
    DELETE /api/runs/{id}       204; 404 when absent
    POST   /api/import          multipart ``file`` (a Strava/Garmin export zip) -> the summary;
                                ?wait=false -> 202 {"job", "status_url"} at once
    GET    /api/imports/{job}   progress and, when done, the summary
    GET    /api/load/weekly     ?from=YYYY-MM-DD&to=YYYY-MM-DD (or ?weeks&until; default: the
                                span of the runs) -> per-week, per-group load and ratios
    GET    /api/explore         ?speed=3.5&grade=5%
    GET    /api/profile         {"name", "mass_kg", "height_m"} (never creates it)
    PUT    /api/profile         JSON {"mass_kg", "height_m"}

``profile`` is a query parameter everywhere (default ``default``). Every analysis goes through the
bounded pool (503 with Retry-After when it is full).
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from runmuscles.store import Store
from runmuscles.store.analysis import sha256
from runmuscles.store.db import check_name, safe_filename
from runmuscles.web.deps import (
    ApiError,
    ConfigDep,
    ProfileName,
    RunId,
    StoreDep,
    Tables,
    TablesDep,
    TooLarge,
    parse_day,
)
from runmuscles.web.pool import AnalysisPool, Busy

__all__ = ["ImportJobs", "router"]

router = APIRouter(prefix="/api")


def get_pool(request: Request) -> AnalysisPool:
    pool: AnalysisPool = request.app.state.pool
    return pool


def get_jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.jobs
    return jobs


PoolDep = Annotated[AnalysisPool, Depends(get_pool)]


def too_large(limit: int, what: str = "run") -> str:
    if what == "archive":
        return (
            f"the archive is larger than the {limit / 2**20:.4g} MB limit; split it, or start "
            "the server with a larger --max-import-mb (or use `runmuscles import` on this computer)"
        )
    return (
        f"the upload is larger than the {limit / 2**20:.3g} MB limit; is it really one run? "
        "Export a single activity, or start the server with a larger --max-upload-mb"
    )


@contextmanager
def admitted(pool: AnalysisPool) -> Iterator[None]:
    try:
        with pool.admit():
            yield
    except Busy as exc:
        raise ApiError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None


async def read_upload(request: Request, limit: int, what: str) -> tuple[FormData, UploadFile]:
    """The multipart form and its ``file`` (spooled to disk by the parser above 1 MB)."""
    try:
        form = await request.form(max_files=1, max_fields=4)
    except TooLarge:
        raise ApiError(413, too_large(limit, what)) from None
    except StarletteHTTPException as exc:  # malformed multipart
        raise ApiError(400, f"the upload could not be read: {exc.detail}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        await form.close()
        example = (
            "run.fit http://127.0.0.1:8000/api/runs"
            if what == "run"
            else ("export.zip http://127.0.0.1:8000/api/import")
        )
        raise ApiError(
            422,
            "no file: send it as multipart/form-data in the field 'file' "
            f"(e.g. curl -F file=@{example})",
        )
    size = upload.size if upload.size is not None else 0
    if size > limit:
        await form.close()
        raise ApiError(413, too_large(limit, what))
    return form, upload


def _hash_file(f: IO[bytes], limit: int) -> tuple[str, int]:
    import hashlib

    f.seek(0)
    h = hashlib.sha256()
    n = 0
    while chunk := f.read(1 << 20):
        n += len(chunk)
        if n > limit:
            break
        h.update(chunk)
    f.seek(0)
    return h.hexdigest(), n


def _analyse_upload(
    store: Store, tables: Tables, f: IO[bytes], name: str, profile: str, digest: str
) -> dict[str, Any]:
    from runmuscles.store.importer import store_file

    f.seek(0)
    data = f.read()
    if sha256(data) != digest:  # the spooled file changed under us: never store a mix
        raise ApiError(500, "the upload changed while it was read; send it again")
    out = store_file(store, tables.get(), data, name, profile, digest=digest)
    summary = store.run_summary(out.id) if out.id is not None else None
    result: dict[str, Any] = {
        "id": out.id,
        "duplicate": out.status == "duplicate",
        "report_url": f"/runs/{out.id}",
        "profile": profile,
        "filename": (summary or {}).get("filename", name),
        "format": (summary or {}).get("format"),
        "start_time": (summary or {}).get("start_time"),
        "distance_m": (summary or {}).get("distance_m"),
        "duration_s": (summary or {}).get("duration_s"),
    }
    if out.status == "duplicate":
        result["reason"] = out.reason
    else:
        result["headline"] = out.headline
        result["warnings"] = list(out.warnings)
    return result


@router.post("/runs", status_code=201)
async def upload_run(
    request: Request,
    store: StoreDep,
    tables: TablesDep,
    config: ConfigDep,
    pool: PoolDep,
    profile: ProfileName,
) -> JSONResponse:
    with admitted(pool):
        form, upload = await read_upload(request, config.max_upload_bytes, "run")
        try:
            name = safe_filename(upload.filename)
            field = form.get("profile")
            who = check_name(field) if isinstance(field, str) and field else profile
            digest, size = await run_in_threadpool(_hash_file, upload.file, config.max_upload_bytes)
            if size > config.max_upload_bytes:
                raise ApiError(413, too_large(config.max_upload_bytes))
            result, joined = await pool.run(
                _analyse_upload,
                store,
                tables,
                upload.file,
                name,
                who,
                digest,
                key=f"{who}:{digest}",
            )
        finally:
            await form.close()
    if joined and not result["duplicate"]:
        result = {
            **result,
            "duplicate": True,
            "reason": f"the same file was sent twice at once; stored once as run {result['id']}",
        }
    return JSONResponse(result, status_code=200 if result["duplicate"] else 201)


@router.get("/runs")
def list_runs(
    store: StoreDep,
    profile: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[dict[str, Any]]:
    if profile is not None:
        check_name(profile)
    return store.runs(profile, limit=limit, offset=offset)


@router.get("/runs/{run_id}")
def get_run(run_id: RunId, store: StoreDep) -> dict[str, Any]:
    run = store.run(run_id)
    if run is None:
        raise ApiError(404, f"run {run_id} is not in the history; GET /api/runs lists them")
    return run


@router.delete("/runs/{run_id}", status_code=204)
def delete_run(run_id: RunId, store: StoreDep) -> Response:
    if not store.delete_run(run_id):
        raise ApiError(404, f"run {run_id} is not in the history (already deleted?)")
    return Response(status_code=204)


@router.get("/load/weekly")
def weekly(
    store: StoreDep,
    profile: ProfileName,
    weeks: Annotated[int | None, Query(ge=1, le=1044)] = None,
    until: _dt.datetime | None = None,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> dict[str, Any]:
    return store.weekly_load(
        profile,
        weeks=weeks,
        until=until,
        start=parse_day(start, "from"),
        end=parse_day(end, "to"),
    ).to_dict()


def explore_data(tables: Tables, store: Store, speed: str, grade: str, profile: str) -> Any:
    from runmuscles.web.explore import explore, parse_condition
    from runmuscles.web.labels import group_labels

    t = tables.get()
    v, g = parse_condition(t, speed, grade)
    return explore(t, v, g, mass_kg=store.profile(profile).mass_kg, labels=group_labels())


@router.get("/explore")
def explore_api(
    store: StoreDep,
    tables: TablesDep,
    profile: ProfileName,
    speed: Annotated[str, Query(max_length=32)] = "3.0",
    grade: Annotated[str, Query(max_length=32)] = "0",
) -> Any:
    return explore_data(tables, store, speed, grade, profile)


@router.get("/profile")
def get_profile(store: StoreDep, profile: ProfileName) -> dict[str, Any]:
    return store.profile(profile).to_dict()


@router.put("/profile")
async def put_profile(request: Request, store: StoreDep, profile: ProfileName) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > 10_000:
        raise ApiError(413, "the profile is a small JSON object; this body is too large")
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(
            422, 'the body is not JSON; send {"mass_kg": 70, "height_m": 1.75}'
        ) from None
    if not isinstance(body, dict) or not {"mass_kg", "height_m"} <= body.keys():
        raise ApiError(422, 'send a JSON object {"mass_kg": 70, "height_m": 1.75} (kg, m)')
    name = body.get("name", profile)
    if not isinstance(name, str):
        raise ApiError(422, f"profile name {name!r} must be text")
    result = await run_in_threadpool(store.set_profile, name, body["mass_kg"], body["height_m"])
    return result.to_dict()


# ------------------------------------------------------------------------------------ import
class ImportJobs:
    """Import jobs of this server process: at most ``limit`` at once; the last 50 are kept."""

    def __init__(self, limit: int = 1) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._jobs: dict[str, dict[str, Any]] = {}

    def start(self, profile: str, filename: str) -> str:
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j["state"] == "running")
            if running >= self.limit:
                raise ApiError(
                    503,
                    "another import is running; wait for it to finish (its progress is on the "
                    "runs page)",
                    {"Retry-After": "30"},
                )
            job = secrets.token_urlsafe(12)
            self._jobs[job] = {
                "job": job,
                "state": "running",
                "profile": profile,
                "filename": filename,
                "done": 0,
                "total": None,
                "imported": 0,
                "last": None,
                "started": time.time(),
                "summary": None,
                "error": None,
            }
            while len(self._jobs) > 50:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest]["state"] == "running":
                    break
                del self._jobs[oldest]
            return job

    def update(self, job: str, **kw: Any) -> None:
        with self._lock:
            self._jobs[job].update(kw)

    def get(self, job: str) -> dict[str, Any] | None:
        with self._lock:
            j = self._jobs.get(job)
            return None if j is None else dict(j)


def _import_job(
    jobs: ImportJobs,
    job: str,
    store: Store,
    tables: Tables,
    pool: AnalysisPool,
    f: IO[bytes],
    filename: str,
    profile: str,
) -> dict[str, Any]:
    from runmuscles.errors import RunmusclesError
    from runmuscles.store.archive import open_archive
    from runmuscles.store.importer import import_archive

    def run_one(fn: Any) -> Any:
        fut, _ = pool.submit(fn)
        return fut.result()

    imported = 0

    def progress(done: int, total: int, outcome: Any) -> None:
        nonlocal imported
        imported += outcome.status == "imported"
        jobs.update(job, done=done, total=total, last=outcome.to_dict(), imported=imported)

    try:
        f.seek(0)
        with open_archive(f, label=filename) as archive:
            jobs.update(job, total=len(archive.candidates))
            summary = import_archive(
                archive, store, tables.get(), profile, progress=progress, run=run_one
            ).to_dict()
    except RunmusclesError as exc:
        jobs.update(job, state="failed", error=str(exc))
        raise
    except Exception as exc:
        jobs.update(job, state="failed", error=f"internal error ({type(exc).__name__})")
        raise
    jobs.update(job, state="done", summary=summary)
    return summary


@router.post("/import")
async def import_history(
    request: Request,
    store: StoreDep,
    tables: TablesDep,
    config: ConfigDep,
    pool: PoolDep,
    profile: ProfileName,
    wait: bool = True,
) -> JSONResponse:
    import asyncio

    jobs = get_jobs(request)
    form, upload = await read_upload(request, config.max_archive_bytes, "archive")
    try:
        name = safe_filename(upload.filename)
        job = jobs.start(profile, name)
    except BaseException:
        await form.close()
        raise
    loop = asyncio.get_running_loop()
    task = loop.run_in_executor(
        None, _import_job, jobs, job, store, tables, pool, upload.file, name, profile
    )

    async def finish() -> None:
        try:
            await task
        except Exception:  # the job records the error; nothing is left half-written
            pass
        finally:
            await form.close()

    closer = asyncio.ensure_future(finish())
    if not wait:
        request.app.state.background.add(closer)
        closer.add_done_callback(request.app.state.background.discard)
        return JSONResponse(
            {"job": job, "status_url": f"/api/imports/{job}", "state": "running"}, 202
        )
    await closer
    state = jobs.get(job) or {}
    if state.get("state") != "done":
        task.result()  # re-raise the job's error through the error handlers
    return JSONResponse(state["summary"], 200)


@router.get("/imports/{job}")
def import_status(request: Request, job: Annotated[str, Path(max_length=64)]) -> Any:
    state = get_jobs(request).get(job)
    if state is None:
        raise ApiError(
            404,
            f"no import job {job!r} on this server (finished long ago, or the server restarted)",
        )
    return state
