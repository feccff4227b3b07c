"""Tables of the run history (SQLAlchemy 2 declarative) and the in-place upgrade of older files.

::

    profiles     id, name (unique), mass_kg, height_m, created_at, updated_at
    runs         id, profile_id -> profiles, uploaded_at, filename (sanitised, display only,
                 never a path), format, start_time, distance_m, duration_s, ascent_m,
                 descent_m, mass_kg, height_m (the body used), load_json (the stored analysis:
                 RunLoad.to_dict() plus "plan", "stride", "elevation"), report_html (legacy,
                 written empty: reports are drawn when shown), content_sha256 (of the file's
                 bytes; unique per profile: the same file is never stored twice)
    run_muscles  run_id -> runs (cascade), group_id, concentric_j, eccentric_j, work_j,
                 impulse_ns   (one row per muscle group the model resolves, for the weekly
                 aggregation: a group at a bound gets no weekly load or ratio)

Times are naive UTC. :func:`upgrade` adds the columns and indexes a file written by an older
version lacks (``ALTER TABLE ... ADD COLUMN``, nullable), so an existing history keeps every run.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ProfileRow", "RunMuscleRow", "RunRow", "upgrade"]


class Base(DeclarativeBase):
    """The declarative base of the history's tables."""


class ProfileRow(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    mass_kg: Mapped[float] = mapped_column(Float, nullable=False)
    height_m: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[_dt.datetime] = mapped_column(DateTime, nullable=False)


class RunRow(Base):
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
    report_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_runs_profile_sha", "profile_id", "content_sha256", unique=True),
        Index("ix_runs_profile_start", "profile_id", "start_time"),
    )


class RunMuscleRow(Base):
    __tablename__ = "run_muscles"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    concentric_j: Mapped[float] = mapped_column(Float, nullable=False)
    eccentric_j: Mapped[float] = mapped_column(Float, nullable=False)
    work_j: Mapped[float] = mapped_column(Float, nullable=False)
    impulse_ns: Mapped[float] = mapped_column(Float, nullable=False)


#: Columns added since the first version: name -> SQL type (added nullable to old files).
_ADDED_COLUMNS = {"content_sha256": "VARCHAR(64)"}


def upgrade(engine: Engine) -> list[str]:
    """Create missing tables, add missing columns and indexes; returns what was added."""
    Base.metadata.create_all(engine)
    done: list[str] = []
    have = {c["name"] for c in inspect(engine).get_columns("runs")}
    with engine.begin() as conn:
        for name, sql_type in _ADDED_COLUMNS.items():
            if name not in have:
                conn.exec_driver_sql(f"ALTER TABLE runs ADD COLUMN {name} {sql_type}")
                done.append(f"runs.{name}")
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("runs")}
    table: Any = RunRow.__table__
    for ix in table.indexes:
        if ix.name not in indexes:
            ix.create(engine, checkfirst=True)
            done.append(str(ix.name))
    return done
