"""Run history: profiles, analysed runs and their reports in a SQL database (SQLAlchemy 2).

By default a SQLite file in the user's data folder (:func:`default_url`, via platformdirs);
any SQLAlchemy URL works, e.g. ``postgresql+psycopg://user@localhost/runmuscles`` (a bare
``postgresql://`` URL is read as psycopg 3).

Tables::

    profiles     id, name (unique), mass_kg, height_m, created_at, updated_at
    runs         id, profile_id -> profiles, uploaded_at, filename (sanitised, display only,
                 never a path), format, start_time, distance_m, duration_s, ascent_m,
                 descent_m, mass_kg, height_m (the body used), load_json (RunLoad.to_dict()),
                 report_html (the rendered report)
    run_muscles  run_id -> runs (cascade), group_id, concentric_j, eccentric_j, work_j,
                 impulse_ns   (one row per muscle group, for the weekly aggregation)

Times are stored as naive UTC. Every write is one transaction (a run and its muscle rows are
committed together or not at all); SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` and a busy
timeout, so concurrent uploads queue instead of failing or corrupting the file.

Weekly load and the acute:chronic workload ratio (ACWR)
-------------------------------------------------------
Muscle-group load is the group's mechanical work, concentric + eccentric (J), summed over runs by
their start time (upload time when the recording has none). Weeks are ISO weeks (Monday 00:00 to
Monday 00:00, UTC). The ACWR at an instant ``t`` follows the rolling-average definition of
Gabbett 2016 (Br J Sports Med 50:273, "The training-injury prevention paradox"):

* acute load = total work in the 7 days up to ``t``, i.e. the window ``(t - 7 d, t]``;
* chronic load = mean weekly work over the 28 days up to ``t`` = total work in
  ``(t - 28 d, t]`` / 4 (a coupled rolling average: the acute week is part of it);
* ACWR = acute / chronic; undefined (None) when the chronic load is 0.

Gabbett 2016 reports the lowest injury risk for ratios of about 0.8-1.3 and a sharply higher
risk at 1.5 and above (:data:`ACWR_ZONES`). Those figures come from team-sport training loads
(session RPE, GPS distance); applying them to modelled per-muscle work is an extrapolation and is
labelled as such wherever it is shown.
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

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from runmuscles.errors import InputError

__all__ = [
    "ACWR_ZONES",
    "DEFAULT_PROFILE",
    "Profile",
    "Store",
    "WeeklyLoad",
    "default_url",
    "safe_filename",
]

DEFAULT_PROFILE = "default"
#: ACWR zones from Gabbett 2016, Br J Sports Med 50:273 (team-sport data; see module docstring).
ACWR_ZONES: tuple[tuple[str, float, float], ...] = (
    ("low (under-prepared)", 0.0, 0.8),
    ("sweet spot", 0.8, 1.3),
    ("caution", 1.3, 1.5),
    ("danger", 1.5, float("inf")),
)
ACWR_SOURCE = (
    "Gabbett TJ (2016) The training-injury prevention paradox: should athletes be training "
    "smarter and harder? Br J Sports Med 50:273-280"
)
#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


class _Base(DeclarativeBase):
    pass


class _Profile(_Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    mass_kg: Mapped[float] = mapped_column(Float, nullable=False)
    height_m: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[_dt.datetime] = mapped_column(DateTime, nullable=False)


class _Run(_Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True, nullable=False
    )
    uploaded_at: Mapped[_dt.datetime] = mapped_column(DateTime, nullable=False)
    filename: Mapped[str] = mapped_column(String(128), nullable=False)
    format: Mapped[str] = mapped_column(String(8), nullable=False)
    start_time: Mapped[_dt.datetime | None] = mapped_column(DateTime, nullable=True)
    distance_m: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)
    ascent_m: Mapped[float | None] = mapped_column(Float)
    descent_m: Mapped[float | None] = mapped_column(Float)
    mass_kg: Mapped[float] = mapped_column(Float, nullable=False)
    height_m: Mapped[float] = mapped_column(Float, nullable=False)
    load_json: Mapped[str] = mapped_column(Text, nullable=False)
    report_html: Mapped[str] = mapped_column(Text, nullable=False)


class _RunMuscle(_Base):
    __tablename__ = "run_muscles"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    concentric_j: Mapped[float] = mapped_column(Float, nullable=False)
    eccentric_j: Mapped[float] = mapped_column(Float, nullable=False)
    work_j: Mapped[float] = mapped_column(Float, nullable=False)
    impulse_ns: Mapped[float] = mapped_column(Float, nullable=False)


@dataclass(frozen=True)
class Profile:
    """A runner: ``name``, body mass kg, height m."""

    name: str
    mass_kg: float
    height_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mass_kg": self.mass_kg, "height_m": self.height_m}


@dataclass(frozen=True)
class WeeklyLoad:
    """Per-group work per ISO week and the ACWR at each week's end (see the module docstring).

    ``weeks``: Monday dates (UTC) of the weeks, oldest first; ``work_j[group][i]``: total work
    J in week i; ``acwr[group][i]``: ACWR at the end of week i (or at ``until`` for the current
    week), None when the chronic load is 0; ``acute_j``/``chronic_j``: the windows at ``until``
    (J and J/week); ``acwr_now``: their ratio.
    """

    until: _dt.datetime
    weeks: tuple[_dt.date, ...]
    groups: tuple[str, ...]
    work_j: Mapping[str, tuple[float, ...]]
    acwr: Mapping[str, tuple[float | None, ...]]
    acute_j: Mapping[str, float]
    chronic_j: Mapping[str, float]
    acwr_now: Mapping[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "until": self.until.isoformat() + "Z",
            "weeks": [w.isoformat() for w in self.weeks],
            "groups": list(self.groups),
            "work_j": {g: list(v) for g, v in self.work_j.items()},
            "acwr": {g: list(v) for g, v in self.acwr.items()},
            "acute_j": dict(self.acute_j),
            "chronic_j_per_week": dict(self.chronic_j),
            "acwr_now": dict(self.acwr_now),
            "definition": (
                "load = concentric + eccentric work of the group, J; acute = total of the 7 "
                "days up to the instant; chronic = total of the 28 days up to it / 4 (rolling "
                "mean weekly load, acute week included); ACWR = acute / chronic"
            ),
            "zones": [{"label": z, "from": lo, "to": hi} for z, lo, hi in ACWR_ZONES[:-1]]
            + [{"label": ACWR_ZONES[-1][0], "from": ACWR_ZONES[-1][1], "to": None}],
            "source": ACWR_SOURCE,
            "caveat": "ACWR zones were derived from team-sport training loads; applied here to "
            "modelled muscle work they are a rough guide, not a validated injury predictor",
        }


# ----------------------------------------------------------------------------------- helpers
def default_url() -> str:
    """``sqlite:///<user data dir>/runmuscles/history.sqlite3`` (folder created if needed)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("runmuscles", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'history.sqlite3'}"


def safe_filename(name: str | None) -> str:
    """A display-only version of a client's file name: last path component, letters, digits
    and ``._- `` only, at most 100 characters; never used to build a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    return base[:100] or "upload"


def _utc(t: _dt.datetime) -> _dt.datetime:
    """Naive UTC (aware times converted; naive ones taken as UTC)."""
    if t.tzinfo is not None:
        t = t.astimezone(_dt.UTC).replace(tzinfo=None)
    return t


def _now() -> _dt.datetime:
    return _utc(_dt.datetime.now(_dt.UTC))


def _parse_time(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return _utc(_dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _num(value: Any) -> float | None:
    ok = isinstance(value, int | float) and math.isfinite(value)
    return float(value) if ok else None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            f"profile name {name!r} is not allowed; use 1-64 letters, digits, spaces, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def _check_body(mass_kg: float, height_m: float) -> None:
    from runmuscles.load import HEIGHT_RANGE_M, MASS_RANGE_KG

    for what, v, (lo, hi), unit, eg in (
        ("body mass", mass_kg, MASS_RANGE_KG, "kg", "70"),
        ("height", height_m, HEIGHT_RANGE_M, "m", "1.75"),
    ):
        if not isinstance(v, int | float) or not (lo <= float(v) <= hi):
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


# ------------------------------------------------------------------------------------- store
class Store:
    """The run history in one database (``url`` None: :func:`default_url`).

    Thread-safe: each method uses its own session and transaction.
    """

    def __init__(self, url: str | None = None) -> None:
        u = _normalise_url(url or default_url())
        self.url = u.render_as_string(hide_password=True)
        if u.get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(u)
        else:
            self.engine = create_engine(u, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            _Base.metadata.create_all(self.engine)
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
    def _profile_row(self, s: Session, name: str) -> _Profile:
        row = s.scalars(select(_Profile).where(_Profile.name == name)).first()
        if row is not None:
            return row
        now = _now()
        try:
            with s.begin_nested():  # a concurrent creator may win: then read theirs
                row = _Profile(
                    name=name, mass_kg=70.0, height_m=1.75, created_at=now, updated_at=now
                )
                s.add(row)
        except IntegrityError:
            row = s.scalars(select(_Profile).where(_Profile.name == name)).one()
        return row

    def profile(self, name: str = DEFAULT_PROFILE) -> Profile:
        """The profile (created with the defaults 70 kg, 1.75 m on first use)."""
        _check_name(name)
        with self._tx() as s:
            row = self._profile_row(s, name)
            return Profile(row.name, row.mass_kg, row.height_m)

    def set_profile(self, name: str, mass_kg: float, height_m: float) -> Profile:
        """Create or update a profile; mass kg and height m are checked against the model's
        ranges (InputError naming the value otherwise)."""
        _check_name(name)
        _check_body(mass_kg, height_m)
        with self._tx() as s:
            row = self._profile_row(s, name)
            row.mass_kg, row.height_m, row.updated_at = float(mass_kg), float(height_m), _now()
            return Profile(row.name, row.mass_kg, row.height_m)

    # -------------------------------------------------------------------- runs
    def add_run(
        self,
        *,
        profile: str,
        filename: str,
        load: Mapping[str, Any],
        report_html: str,
        uploaded_at: _dt.datetime | None = None,
    ) -> int:
        """Store an analysed run (``load`` = ``RunLoad.to_dict()``) in one transaction; returns
        its id. ``filename`` is sanitised with :func:`safe_filename`."""
        act = load.get("activity", {})
        body = load.get("body", {})
        muscles: Sequence[Mapping[str, Any]] = load.get("muscles", [])
        with self._tx() as s:
            prof = self._profile_row(s, _check_name(profile))
            run = _Run(
                profile_id=prof.id,
                uploaded_at=_utc(uploaded_at) if uploaded_at else _now(),
                filename=safe_filename(filename),
                format=str(act.get("format") or "?")[:8],
                start_time=_parse_time(act.get("start_time")),
                distance_m=_num(act.get("distance_m")),
                duration_s=_num(act.get("duration_s")),
                ascent_m=_num(act.get("ascent_m")),
                descent_m=_num(act.get("descent_m")),
                mass_kg=float(body.get("mass_kg", prof.mass_kg)),
                height_m=float(body.get("height_m", prof.height_m)),
                load_json=json.dumps(_finite(load), allow_nan=False),
                report_html=report_html,
            )
            s.add(run)
            s.flush()
            s.add_all(
                _RunMuscle(
                    run_id=run.id,
                    group_id=str(m["group"]),
                    concentric_j=float(m["concentric_work_j"]),
                    eccentric_j=float(m["eccentric_work_j"]),
                    work_j=float(m["concentric_work_j"]) + float(m["eccentric_work_j"]),
                    impulse_ns=float(m["impulse_ns"]),
                )
                for m in muscles
            )
            return run.id

    @staticmethod
    def _summary(run: _Run, profile: str) -> dict[str, Any]:
        def iso(t: _dt.datetime | None) -> str | None:
            return t.isoformat() + "Z" if t else None

        return {
            "id": run.id,
            "profile": profile,
            "filename": run.filename,
            "format": run.format,
            "uploaded_at": iso(run.uploaded_at),
            "start_time": iso(run.start_time),
            "distance_m": run.distance_m,
            "duration_s": run.duration_s,
            "ascent_m": run.ascent_m,
            "descent_m": run.descent_m,
            "mass_kg": run.mass_kg,
            "height_m": run.height_m,
            "report_url": f"/runs/{run.id}",
        }

    def runs(self, profile: str | None = None) -> list[dict[str, Any]]:
        """Summaries of stored runs (all profiles when None), newest start first."""
        q = select(_Run, _Profile.name).join(_Profile, _Run.profile_id == _Profile.id)
        if profile is not None:
            q = q.where(_Profile.name == profile)
        q = q.order_by(func.coalesce(_Run.start_time, _Run.uploaded_at).desc(), _Run.id.desc())
        with self._tx() as s:
            return [self._summary(r, n) for r, n in s.execute(q).all()]

    def count_runs(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count()).select_from(_Run)) or 0)

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run: its summary plus ``load`` (the RunLoad dict); None when absent."""
        q = select(_Run, _Profile.name).join(_Profile).where(_Run.id == run_id)
        with self._tx() as s:
            row = s.execute(q).first()
            if row is None:
                return None
            r, n = row
            return {**self._summary(r, n), "load": json.loads(r.load_json)}

    def run_summary(self, run_id: int) -> dict[str, Any] | None:
        """One run's summary (no load); None when absent."""
        q = select(_Run, _Profile.name).join(_Profile).where(_Run.id == run_id)
        with self._tx() as s:
            row = s.execute(q).first()
            return None if row is None else self._summary(*row)

    def report_html(self, run_id: int) -> str | None:
        with self._tx() as s:
            return s.scalar(select(_Run.report_html).where(_Run.id == run_id))

    def delete_run(self, run_id: int) -> bool:
        """Delete a run and its muscle rows; False when it did not exist."""
        with self._tx() as s:
            s.execute(delete(_RunMuscle).where(_RunMuscle.run_id == run_id))
            res = s.execute(delete(_Run).where(_Run.id == run_id))
            return bool(getattr(res, "rowcount", 0))

    # ------------------------------------------------------------ aggregation
    def weekly_load(
        self,
        profile: str = DEFAULT_PROFILE,
        *,
        weeks: int = 12,
        until: _dt.datetime | None = None,
    ) -> WeeklyLoad:
        """Work per group per ISO week for the ``weeks`` weeks ending with the one holding
        ``until`` (default now, UTC), and the ACWR (module docstring) at each week's end."""
        if not isinstance(weeks, int) or not 1 <= weeks <= 520:
            raise InputError(f"weeks={weeks!r}: give a whole number of weeks from 1 to 520")
        end = _utc(until) if until else _now()
        this_monday = _dt.datetime.combine(
            end.date() - _dt.timedelta(days=end.weekday()), _dt.time()
        )
        first = this_monday - _dt.timedelta(weeks=weeks - 1)
        since = first - _dt.timedelta(days=28)  # the chronic window of the first week
        when = func.coalesce(_Run.start_time, _Run.uploaded_at)
        q = (
            select(when, _RunMuscle.group_id, _RunMuscle.work_j)
            .join(_RunMuscle, _RunMuscle.run_id == _Run.id)
            .join(_Profile, _Run.profile_id == _Profile.id)
            .where(_Profile.name == profile, when > since, when <= end)
        )
        with self._tx() as s:
            rows = [(_to_dt(t), g, float(w)) for t, g, w in s.execute(q).all()]
        groups = tuple(dict.fromkeys(g for _, g, _ in sorted(rows, key=lambda r: r[1])))
        mondays = [first + _dt.timedelta(weeks=i) for i in range(weeks)]
        ends = [min(m + _dt.timedelta(weeks=1), end) for m in mondays]

        def window(g: str, t: _dt.datetime, days: int) -> float:
            lo = t - _dt.timedelta(days=days)
            return sum(w for tt, gg, w in rows if gg == g and lo < tt <= t)

        def ratio(g: str, t: _dt.datetime) -> float | None:
            chronic = window(g, t, 28) / 4.0
            return window(g, t, 7) / chronic if chronic > 0 else None

        work = {
            g: tuple(
                sum(w for tt, gg, w in rows if gg == g and m <= tt < m + _dt.timedelta(weeks=1))
                for m in mondays
            )
            for g in groups
        }
        return WeeklyLoad(
            until=end,
            weeks=tuple(m.date() for m in mondays),
            groups=groups,
            work_j=work,
            acwr={g: tuple(ratio(g, e) for e in ends) for g in groups},
            acute_j={g: window(g, end, 7) for g in groups},
            chronic_j={g: window(g, end, 28) / 4.0 for g in groups},
            acwr_now={g: ratio(g, end) for g in groups},
        )


def _finite(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None (null), tuples lists."""
    if isinstance(obj, Mapping):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _to_dt(value: Any) -> _dt.datetime:
    """COALESCE over DateTime columns comes back as a string on SQLite."""
    if isinstance(value, _dt.datetime):
        return _utc(value)
    return _dt.datetime.fromisoformat(str(value))
