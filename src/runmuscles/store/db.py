"""The run history database (SQLAlchemy 2): profiles, analysed runs, weekly loads.

By default a SQLite file in the user's data folder (:func:`default_url`, via platformdirs);
any SQLAlchemy URL works, e.g. ``postgresql+psycopg://user@localhost/runmuscles`` (a bare
``postgresql://`` URL is read as psycopg 3). Tables: :mod:`runmuscles.store.schema`.

Every write is one transaction (a run and its muscle rows are committed together or not at all);
SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` and a busy timeout, so concurrent uploads queue
instead of failing or corrupting the file. Reads never write (a profile that was never saved reads
as the defaults without being created).

Duplicates: a run is not stored twice. :meth:`Store.add_run` returns the existing run instead when
the same profile already holds a file with the same bytes (SHA-256), or a run that started within
:data:`SAME_START_S` seconds of this one (the same run exported twice, e.g. as FIT and as GPX).
The check and the insert happen in one transaction that holds the profile's write lock, so two
simultaneous uploads of one file store it once.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from runmuscles.errors import InputError
from runmuscles.store.schema import ProfileRow, RunMuscleRow, RunRow, upgrade
from runmuscles.store.weekly import WeeklyLoad, weekly_from_rows

__all__ = [
    "DEFAULT_PROFILE",
    "EARLIEST",
    "LATEST",
    "MAX_ID",
    "SAME_START_S",
    "Profile",
    "Saved",
    "Store",
    "default_url",
    "safe_filename",
]

DEFAULT_PROFILE = "default"
DEFAULT_MASS_KG, DEFAULT_HEIGHT_M = 70.0, 1.75
#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0
#: Two runs of one profile starting this close together (s) are the same run.
SAME_START_S = 60.0
#: Largest run id (SQL BIGINT); larger ids cannot exist.
MAX_ID = 2**63 - 1
#: Dates a history may hold or be asked about (a watch before 1990 or after 2100 is a bad clock).
EARLIEST, LATEST = _dt.date(1990, 1, 1), _dt.date(2100, 12, 31)
#: Longest weekly view, weeks (20 years).
MAX_WEEKS = 1044
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


@dataclass(frozen=True)
class Profile:
    """A runner: ``name``, body mass kg, height m; ``saved`` False for unsaved defaults."""

    name: str
    mass_kg: float
    height_m: float
    saved: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mass_kg": self.mass_kg, "height_m": self.height_m}


@dataclass(frozen=True)
class Saved:
    """What :meth:`Store.add_run` did: the run's ``id``; ``duplicate`` True when the run was
    already stored (``id`` is then the existing run's) and ``reason`` says why."""

    id: int
    duplicate: bool = False
    reason: str = ""


# ----------------------------------------------------------------------------------- helpers
def default_url() -> str:
    """``sqlite:///<user data dir>/runmuscles/history.sqlite3`` (folder created if needed)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("runmuscles", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'history.sqlite3'}"


def safe_filename(name: str | None) -> str:
    """A display-only version of a client's file name: last path component; letters, digits,
    dot, underscore, hyphen and space only; at most 100 characters; never used to build a
    path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    return base[:100] or "upload"


def utc(t: _dt.datetime) -> _dt.datetime:
    """Naive UTC (aware times converted; naive ones taken as UTC)."""
    if t.tzinfo is not None:
        t = t.astimezone(_dt.UTC).replace(tzinfo=None)
    return t


def _now() -> _dt.datetime:
    return utc(_dt.datetime.now(_dt.UTC))


def parse_time(value: Any) -> _dt.datetime | None:
    """An ISO time string as naive UTC, or None (not a time, or outside EARLIEST..LATEST)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        t = utc(_dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None
    return t if EARLIEST <= t.date() <= LATEST else None


def _num(value: Any) -> float | None:
    ok = isinstance(value, int | float) and math.isfinite(value)
    return float(value) if ok else None


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            f"profile name {name!r} is not allowed; use 1-64 letters, digits, spaces, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def check_date(value: _dt.date, what: str) -> _dt.date:
    """``value`` unchanged when inside EARLIEST..LATEST, else InputError naming it."""
    if not EARLIEST <= value <= LATEST:
        raise InputError(
            f"{what} {value.isoformat()} is outside {EARLIEST.isoformat()}..{LATEST.isoformat()}; "
            "give a date in YYYY-MM-DD form within that span"
        )
    return value


def _check_body(mass_kg: float, height_m: float) -> None:
    from runmuscles.load import HEIGHT_RANGE_M, MASS_RANGE_KG

    for what, v, (lo, hi), unit, eg in (
        ("body mass", mass_kg, MASS_RANGE_KG, "kg", "70"),
        ("height", height_m, HEIGHT_RANGE_M, "m", "1.75"),
    ):
        if not isinstance(v, int | float) or isinstance(v, bool) or not (lo <= float(v) <= hi):
            raise InputError(
                f"{what} {v!r} {unit} is outside {lo:g}..{hi:g} {unit}; "
                f"give it in {unit}, e.g. {eg}"
            )


def _normalise_url(url: str) -> URL:
    try:
        u = make_url(url)
    except ArgumentError:
        raise InputError(
            f"database URL {url!r} is not valid; use e.g. sqlite:///path/history.sqlite3 or "
            "postgresql://user@localhost/runmuscles"
        ) from None
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"database {u.get_backend_name()!r} is not supported; use SQLite or PostgreSQL"
        )
    return u


def _sqlite_engine(url: URL) -> Engine:
    db = url.database
    if db and db != ":memory:" and not db.startswith("file:"):
        folder = Path(db).expanduser().resolve().parent
        if not folder.is_dir():
            raise InputError(f"folder {folder} for the SQLite database does not exist; create it")
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: no read-then-write upgrade deadlocks
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _iso(t: _dt.datetime | None) -> str | None:
    return t.isoformat() + "Z" if t else None


def _to_dt(value: Any) -> _dt.datetime:
    """COALESCE over DateTime columns comes back as a string on SQLite."""
    if isinstance(value, _dt.datetime):
        return utc(value)
    return _dt.datetime.fromisoformat(str(value))


def finite(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None (null), tuples lists."""
    if isinstance(obj, Mapping):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def analysed_m(load: Mapping[str, Any]) -> float:
    """Distance with computed loads in a stored analysis (uphill + flat + downhill), m."""
    dist = load.get("terrain", {}).get("distance_m", {})
    return float(sum(float(dist.get(t) or 0.0) for t in ("uphill", "flat", "downhill")))


# ------------------------------------------------------------------------------------- store
class Store:
    """The run history in one database (``url`` None: :func:`default_url`).

    Thread-safe: each method uses its own session and transaction.
    """

    def __init__(self, url: str | None = None) -> None:
        u = _normalise_url(url or default_url())
        self.url = u.render_as_string(hide_password=True)
        self.backend = u.get_backend_name()
        if self.backend == "sqlite":
            self.engine = _sqlite_engine(u)
        else:
            self.engine = create_engine(u, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            self.upgraded = upgrade(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            raise InputError(
                f"cannot open the run history database {self.url}: {exc.orig}; check the URL, "
                "that the server runs and that you may connect"
            ) from None

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    # ---------------------------------------------------------------- profiles
    def _profile_row(self, s: Session, name: str, *, lock: bool = False) -> ProfileRow:
        """The profile's row, created with the defaults when absent (callers that write only)."""
        q = select(ProfileRow).where(ProfileRow.name == name)
        if lock and self.backend == "postgresql":
            q = q.with_for_update()  # SQLite: BEGIN IMMEDIATE already serialises writers
        row = s.scalars(q).first()
        if row is not None:
            return row
        now = _now()
        try:
            with s.begin_nested():  # a concurrent creator may win: then read theirs
                row = ProfileRow(
                    name=name,
                    mass_kg=DEFAULT_MASS_KG,
                    height_m=DEFAULT_HEIGHT_M,
                    created_at=now,
                    updated_at=now,
                )
                s.add(row)
        except IntegrityError:
            row = s.scalars(q).one()
        return row

    def profile(self, name: str = DEFAULT_PROFILE) -> Profile:
        """The saved profile, or the defaults (70 kg, 1.75 m, ``saved=False``); never writes."""
        check_name(name)
        with self._tx() as s:
            row = s.scalars(select(ProfileRow).where(ProfileRow.name == name)).first()
            if row is None:
                return Profile(name, DEFAULT_MASS_KG, DEFAULT_HEIGHT_M, saved=False)
            return Profile(row.name, row.mass_kg, row.height_m)

    def profiles(self) -> list[str]:
        """Names of the saved profiles."""
        with self._tx() as s:
            return list(s.scalars(select(ProfileRow.name).order_by(ProfileRow.name)))

    def set_profile(self, name: str, mass_kg: float, height_m: float) -> Profile:
        """Create or update a profile; mass kg and height m are checked against the model's
        ranges (InputError naming the value otherwise)."""
        check_name(name)
        _check_body(mass_kg, height_m)
        with self._tx() as s:
            row = self._profile_row(s, name)
            row.mass_kg, row.height_m, row.updated_at = float(mass_kg), float(height_m), _now()
            return Profile(row.name, row.mass_kg, row.height_m)

    # -------------------------------------------------------------------- runs
    def _duplicate(
        self, s: Session, profile_id: int, sha: str | None, start: _dt.datetime | None
    ) -> Saved | None:
        if sha:
            row = s.execute(
                select(RunRow.id, RunRow.filename).where(
                    RunRow.profile_id == profile_id, RunRow.content_sha256 == sha
                )
            ).first()
            if row is not None:
                return Saved(
                    row[0], True, f"the same file is already stored as run {row[0]} ({row[1]})"
                )
        if start is not None:
            lo = start - _dt.timedelta(seconds=SAME_START_S)
            hi = start + _dt.timedelta(seconds=SAME_START_S)
            near = s.execute(
                select(RunRow.id, RunRow.filename, RunRow.start_time)
                .where(
                    RunRow.profile_id == profile_id,
                    RunRow.start_time >= lo,
                    RunRow.start_time <= hi,
                )
                .order_by(RunRow.id)
            ).first()
            if near is not None and near[2] is not None:
                return Saved(
                    near[0],
                    True,
                    f"a run starting at {near[2].isoformat(timespec='seconds')}Z is already stored "
                    f"as run {near[0]} ({near[1]}): the same run exported twice?",
                )
        return None

    def find_duplicate(
        self, profile: str, *, sha256: str | None = None, start_time: _dt.datetime | None = None
    ) -> Saved | None:
        """The stored run this one would duplicate (same bytes, or same start), or None."""
        check_name(profile)
        with self._tx() as s:
            pid = s.scalar(select(ProfileRow.id).where(ProfileRow.name == profile))
            if pid is None:
                return None
            return self._duplicate(s, pid, sha256, utc(start_time) if start_time else None)

    def add_run(
        self,
        *,
        profile: str,
        filename: str,
        load: Mapping[str, Any],
        report_html: str = "",
        uploaded_at: _dt.datetime | None = None,
        content_sha256: str | None = None,
    ) -> Saved:
        """Store an analysed run (``load`` = the analysis as plain data, ``RunLoad.to_dict()``
        plus optional extra keys) in one transaction, unless it duplicates a stored one (module
        docstring); ``filename`` is sanitised with :func:`safe_filename`."""
        act = load.get("activity", {})
        body = load.get("body", {})
        muscles: Sequence[Mapping[str, Any]] = load.get("muscles", [])
        start = parse_time(act.get("start_time"))
        sha = content_sha256.lower() if content_sha256 else None
        if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise InputError(f"content_sha256 {content_sha256!r} is not a SHA-256 hex digest")
        with self._tx() as s:
            prof = self._profile_row(s, check_name(profile), lock=True)
            dup = self._duplicate(s, prof.id, sha, start)
            if dup is not None:
                return dup
            run = RunRow(
                profile_id=prof.id,
                uploaded_at=utc(uploaded_at) if uploaded_at else _now(),
                filename=safe_filename(filename),
                format=str(act.get("format") or "?")[:8],
                start_time=start,
                distance_m=_num(act.get("distance_m")),
                duration_s=_num(act.get("duration_s")),
                ascent_m=_num(act.get("ascent_m")),
                descent_m=_num(act.get("descent_m")),
                mass_kg=float(body.get("mass_kg", prof.mass_kg)),
                height_m=float(body.get("height_m", prof.height_m)),
                load_json=json.dumps(finite(load), allow_nan=False),
                report_html=report_html,
                content_sha256=sha,
            )
            s.add(run)
            s.flush()
            s.add_all(
                RunMuscleRow(
                    run_id=run.id,
                    group_id=str(m["group"]),
                    concentric_j=float(m["concentric_work_j"]),
                    eccentric_j=float(m["eccentric_work_j"]),
                    work_j=float(m["concentric_work_j"]) + float(m["eccentric_work_j"]),
                    impulse_ns=float(m["impulse_ns"]),
                )
                for m in muscles
                # a group the model does not resolve gets no weekly load or ratio (its numbers
                # stay in load_json, marked)
                if m.get("resolved", True) is not False
            )
            return Saved(run.id)

    @staticmethod
    def _summary(run: RunRow, profile: str) -> dict[str, Any]:
        return {
            "id": run.id,
            "profile": profile,
            "filename": run.filename,
            "format": run.format,
            "uploaded_at": _iso(run.uploaded_at),
            "start_time": _iso(run.start_time),
            "distance_m": run.distance_m,
            "duration_s": run.duration_s,
            "ascent_m": run.ascent_m,
            "descent_m": run.descent_m,
            "mass_kg": run.mass_kg,
            "height_m": run.height_m,
            "report_url": f"/runs/{run.id}",
        }

    def runs(
        self, profile: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Summaries of stored runs (all profiles when None), newest start first."""
        q = select(RunRow, ProfileRow.name).join(ProfileRow, RunRow.profile_id == ProfileRow.id)
        if profile is not None:
            q = q.where(ProfileRow.name == profile)
        q = q.order_by(
            func.coalesce(RunRow.start_time, RunRow.uploaded_at).desc(), RunRow.id.desc()
        )
        if limit is not None:
            q = q.limit(max(0, int(limit)))
        if offset:
            q = q.offset(max(0, int(offset)))
        with self._tx() as s:
            return [self._summary(r, n) for r, n in s.execute(q).all()]

    def count_runs(self, profile: str | None = None) -> int:
        q = select(func.count()).select_from(RunRow)
        if profile is not None:
            q = q.join(ProfileRow, RunRow.profile_id == ProfileRow.id).where(
                ProfileRow.name == profile
            )
        with self._tx() as s:
            return int(s.scalar(q) or 0)

    @staticmethod
    def _valid_id(run_id: int) -> bool:
        return isinstance(run_id, int) and 1 <= run_id <= MAX_ID

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run: its summary plus ``load`` (the stored analysis); None when absent."""
        if not self._valid_id(run_id):
            return None
        q = select(RunRow, ProfileRow.name).join(ProfileRow).where(RunRow.id == run_id)
        with self._tx() as s:
            row = s.execute(q).first()
            if row is None:
                return None
            r, n = row
            return {**self._summary(r, n), "load": json.loads(r.load_json)}

    def run_summary(self, run_id: int) -> dict[str, Any] | None:
        """One run's summary (no load); None when absent."""
        if not self._valid_id(run_id):
            return None
        q = select(RunRow, ProfileRow.name).join(ProfileRow).where(RunRow.id == run_id)
        with self._tx() as s:
            row = s.execute(q).first()
            return None if row is None else self._summary(*row)

    def report_html(self, run_id: int) -> str | None:
        """The report stored by an older version (empty for runs stored since)."""
        if not self._valid_id(run_id):
            return None
        with self._tx() as s:
            return s.scalar(select(RunRow.report_html).where(RunRow.id == run_id))

    def delete_run(self, run_id: int) -> bool:
        """Delete a run and its muscle rows; False when it did not exist."""
        if not self._valid_id(run_id):
            return False
        with self._tx() as s:
            s.execute(delete(RunMuscleRow).where(RunMuscleRow.run_id == run_id))
            res = s.execute(delete(RunRow).where(RunRow.id == run_id))
            return bool(getattr(res, "rowcount", 0))

    # ------------------------------------------------------------ aggregation
    def _when(self) -> Any:
        return func.coalesce(RunRow.start_time, RunRow.uploaded_at)

    def span(self, profile: str = DEFAULT_PROFILE) -> tuple[_dt.datetime, _dt.datetime] | None:
        """Start of the profile's first and last run (UTC), or None without runs."""
        when = self._when()
        q = (
            select(func.min(when), func.max(when))
            .join(ProfileRow, RunRow.profile_id == ProfileRow.id)
            .where(ProfileRow.name == profile)
        )
        with self._tx() as s:
            lo, hi = s.execute(q).one()
        if lo is None:
            return None
        return _to_dt(lo), _to_dt(hi)

    def group_rows(
        self,
        profile: str,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
        exclude: int | None = None,
    ) -> list[tuple[int, _dt.datetime, str, float, float]]:
        """(run id, start UTC, group, concentric J, eccentric J) of the profile's runs with
        ``since <= start < until``."""
        when = self._when()
        q = (
            select(
                RunRow.id,
                when,
                RunMuscleRow.group_id,
                RunMuscleRow.concentric_j,
                RunMuscleRow.eccentric_j,
            )
            .join(RunMuscleRow, RunMuscleRow.run_id == RunRow.id)
            .join(ProfileRow, RunRow.profile_id == ProfileRow.id)
            .where(ProfileRow.name == profile)
        )
        if since is not None:
            q = q.where(when >= since)
        if until is not None:
            q = q.where(when < until)
        if exclude is not None:
            q = q.where(RunRow.id != exclude)
        with self._tx() as s:
            return [
                (int(i), _to_dt(t), str(g), float(c), float(e)) for i, t, g, c, e in s.execute(q)
            ]

    def runs_between(
        self, profile: str, since: _dt.datetime, until: _dt.datetime, *, exclude: int | None = None
    ) -> list[dict[str, Any]]:
        """Summaries of the profile's runs with ``since <= start < until`` (oldest first), each
        with ``analysed_m``: the distance the analysis computed loads for (walking and standing
        left out), m."""
        when = self._when()
        q = (
            select(RunRow, ProfileRow.name)
            .join(ProfileRow, RunRow.profile_id == ProfileRow.id)
            .where(ProfileRow.name == profile, when >= since, when < until)
            .order_by(when)
        )
        if exclude is not None:
            q = q.where(RunRow.id != exclude)
        with self._tx() as s:
            return [
                {**self._summary(r, n), "analysed_m": analysed_m(json.loads(r.load_json))}
                for r, n in s.execute(q).all()
            ]

    def recent_loads(
        self, profile: str, until: _dt.datetime, *, days: int = 120
    ) -> list[dict[str, Any]]:
        """The stored analyses (plain data) of the profile's runs in the ``days`` days before
        ``until`` (exclusive), oldest first: the history the advice compares a new run with (an
        EWMA over 28 days has forgotten a run 120 days old: its weight is below 0.1 %)."""
        when = self._when()
        since = utc(until) - _dt.timedelta(days=days)
        q = (
            select(RunRow.load_json)
            .join(ProfileRow, RunRow.profile_id == ProfileRow.id)
            .where(ProfileRow.name == profile, when >= since, when < utc(until))
            .order_by(when)
        )
        with self._tx() as s:
            return [json.loads(j) for j in s.scalars(q)]

    def weekly_load(
        self,
        profile: str = DEFAULT_PROFILE,
        *,
        weeks: int | None = None,
        until: _dt.datetime | None = None,
        start: _dt.date | None = None,
        end: _dt.date | None = None,
    ) -> WeeklyLoad:
        """Per-group load per ISO week with acute:chronic ratios (:mod:`runmuscles.store.weekly`).

        The range: ``start``..``end`` (dates, inclusive); or the ``weeks`` weeks ending with the
        one holding ``until`` (default now); or, with none of these, the span of the profile's
        runs (the last 12 weeks when it has none). At most :data:`MAX_WEEKS` weeks.
        """
        check_name(profile)
        if weeks is not None and (
            not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= MAX_WEEKS
        ):
            raise InputError(f"weeks={weeks!r}: give a whole number of weeks from 1 to {MAX_WEEKS}")
        span = self.span(profile)
        if until is not None:
            until = utc(until)
            check_date(until.date(), "until")
        if start is not None or end is not None:
            if weeks is not None or until is not None:
                raise InputError("give either from/to dates or weeks/until, not both")
            last = check_date(end, "to") if end else (span[1].date() if span else _now().date())
            first = check_date(start, "from") if start else last - _dt.timedelta(weeks=11)
            if first > last:
                raise InputError(
                    f"from {first.isoformat()} is after to {last.isoformat()}; swap them"
                )
            stop = _dt.datetime.combine(last + _dt.timedelta(days=1), _dt.time())
        elif weeks is not None or until is not None or span is None:
            stop = until or _now()
            last = (stop - _dt.timedelta(microseconds=1)).date() if until else stop.date()
            first = (
                last - _dt.timedelta(days=last.weekday()) - _dt.timedelta(weeks=(weeks or 12) - 1)
            )
            stop = stop if until else _dt.datetime.combine(last + _dt.timedelta(days=1), _dt.time())
        else:
            first, last = span[0].date(), span[1].date()
            stop = _dt.datetime.combine(last + _dt.timedelta(days=1), _dt.time())
        n_weeks = (last - (first - _dt.timedelta(days=first.weekday()))).days // 7 + 1
        if n_weeks > MAX_WEEKS:
            raise InputError(
                f"{first.isoformat()}..{last.isoformat()} spans {n_weeks} weeks; the weekly view "
                f"shows at most {MAX_WEEKS} (20 years): narrow the range"
            )
        rows = [(t, g, c, e) for _, t, g, c, e in self.group_rows(profile, until=stop)]
        return weekly_from_rows(
            rows,
            history_start=span[0].date() if span else None,
            first_day=first,
            last_day=last,
            until=stop,
        )
