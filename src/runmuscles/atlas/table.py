"""The :class:`Atlas`: solved strides per gait on speed x grade grids, saved as netCDF, looked up
fast; it is the ``ConditionTable`` of :mod:`runmuscles.load`.

File format 2 (this version writes it): a netCDF-4 file whose root carries the attributes
(``kind``, ``format_version``, ``gaits`` as a JSON list, body ``mass_kg``/``height_m``, the
``scaling_law``, the build ``provenance``) and one group per gait (``/run``, ``/walk``), each a
Dataset laid out as :mod:`runmuscles.atlas.assemble` describes (grids may differ between gaits
and be non-uniform). Each gait is looked up by a
:class:`~runmuscles.atlas.gaittable.GaitTable`: bilinear, no clipping, no extrapolation.

File format 1 (the atlas shipped before the engine's second version: running only, no curves
besides activation, no per-cell provenance or resolved flags) is still read, as a running-only
:class:`LegacyAtlas` whose edges the analysis clips with a warning, as it always did; it cannot
be extended on demand (its strides were solved by another engine).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles import __version__
from runmuscles.atlas.gaittable import GaitTable, fmt_grade
from runmuscles.errors import DataError, FileFormatError, InputError

__all__ = [
    "ENV_PATH",
    "FORMAT_VERSION",
    "KIND",
    "SCALING_LAW",
    "Atlas",
    "LegacyAtlas",
    "assemble",
    "default_path",
]

FloatArray = NDArray[np.float64]
#: gait -> its -ing form
_ING = {"run": "running", "walk": "walking"}
KIND = "runmuscles.Atlas"
FORMAT_VERSION = 2
#: Environment variable naming an atlas file that replaces the shipped default.
ENV_PATH = "RUNMUSCLES_ATLAS"
SCALING_LAW = (
    "The atlas is for one body (mass_kg, height_m). At equal speed and grade, works, impulses, "
    "forces and metabolic energies (J, N s, N) are taken as proportional to body mass; values "
    "in body weights (BW), per kg, times, lengths, cadence and activations are taken as "
    "independent of it. Height is not rescaled."
)


def default_path() -> Path:
    """``$RUNMUSCLES_ATLAS`` when set, else the atlas shipped in the package data."""
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env)
    return Path(str(resources.files("runmuscles").joinpath("data", "atlas.nc")))


class Atlas:
    """Per-stride quantities over a speed x grade grid per gait (implements
    ``load.ConditionTable`` with its gait interface: ``gaits``, ``ranges(gait)``, ``has(gait)``,
    ``lookup(speed, grade, gait)``).

    Build it with :func:`runmuscles.atlas.build_atlas` or read it with :meth:`load`. Variables,
    units and definitions: :mod:`runmuscles.atlas.content` and :mod:`runmuscles.atlas.assemble`;
    body size: :data:`SCALING_LAW`. ``speeds``, ``grades``, ``speed_range``, ``grade_range``,
    ``ds`` and ``at(speed, grade)`` without a gait are the running table's (or the only gait's).
    """

    format_version = FORMAT_VERSION

    def __init__(
        self,
        tables: Mapping[str, xr.Dataset],
        attrs: Mapping[str, Any],
        path: str | Path | None = None,
    ) -> None:
        if attrs.get("kind") != KIND:
            raise FileFormatError(f"{path or 'dataset'} is not a runmuscles atlas")
        self.attrs = dict(attrs)
        self.path = None if path is None else Path(path)
        where = f"atlas {self.path.name}" if self.path else "atlas"
        self.tables = {
            g: GaitTable(ds, g, where, self._fix)
            for g, ds in tables.items()
            if g in ("run", "walk")
        }
        if not self.tables:
            raise FileFormatError(f"{path or 'atlas'} holds no gait (run, walk)")
        first = next(iter(self.tables.values()))
        for g, t in self.tables.items():
            if t.groups != first.groups:
                raise FileFormatError(f"{path or 'atlas'}: the {g} table has other groups")

    # ------------------------------------------------------------------ ConditionTable
    @property
    def gaits(self) -> tuple[str, ...]:
        return tuple(g for g in ("run", "walk") if g in self.tables)

    def has(self, gait: str) -> bool:
        return gait in self.tables

    def table(self, gait: str = "run") -> GaitTable:
        """The :class:`GaitTable` of ``gait`` (InputError naming the gaits it has otherwise)."""
        if gait not in self.tables:
            raise InputError(
                f"this atlas holds no {gait!r} strides (it has {', '.join(self.gaits)})"
            )
        return self.tables[gait]

    def ranges(self, gait: str = "run") -> tuple[tuple[float, float], tuple[float, float]]:
        """(speed range m/s, grade range) of the grid of ``gait``."""
        return self.table(gait).ranges()

    @property
    def _main(self) -> GaitTable:
        return self.tables.get("run") or next(iter(self.tables.values()))

    @property
    def groups(self) -> tuple[str, ...]:
        return self._main.groups

    @property
    def muscles(self) -> tuple[str, ...]:
        return self._main.muscles

    @property
    def speeds(self) -> FloatArray:
        return self._main.speeds

    @property
    def grades(self) -> FloatArray:
        return self._main.grades

    @property
    def speed_range(self) -> tuple[float, float]:
        return self._main.speed_range

    @property
    def grade_range(self) -> tuple[float, float]:
        return self._main.grade_range

    @property
    def ds(self) -> xr.Dataset:
        """The running table's Dataset (the only gait's when there is no running table)."""
        return self._main.ds

    @property
    def mass_kg(self) -> float:
        return float(self.attrs["mass_kg"])

    @property
    def height_m(self) -> float:
        return float(self.attrs["height_m"])

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(json.loads(self.attrs.get("provenance", "{}")))

    @property
    def scaling_law(self) -> str:
        return str(self.attrs.get("scaling_law", SCALING_LAW))

    def missing(self, gait: str | None = None) -> list[dict[str, Any]]:
        """Cells without a stride (failed, refused, not attempted): gait, speed, grade, status,
        message; of one gait or all."""
        gaits = self.gaits if gait is None else (gait,)
        return [m for g in gaits for m in self.table(g).missing()]

    def _fix(self, gait: str, speed: float, grade: float, outside: bool = True) -> str:
        return (
            f"`runmuscles analyze` solves such conditions on demand (unless --no-solve), or "
            f"solve it yourself: `runmuscles simulate --gait {gait} --speed {speed:g} "
            f"--grade={fmt_grade(grade)}`"
        )

    def lookup(
        self, speed: ArrayLike, grade: ArrayLike, gait: str = "run"
    ) -> Mapping[str, FloatArray]:
        """Per-stride quantities of ``gait`` at each (speed m/s, grade) pair, bilinearly
        interpolated: per group (:data:`~runmuscles.atlas.content.GROUP_VARS`) shape
        ``(n, len(groups))``, per condition (``SCALAR_VARS``) shape ``(n,)``, and ``resolved``
        ``(n, len(groups))`` (1.0 where every member muscle of the group is resolved in every
        weighted corner), for the atlas body (``mass_kg``, ``height_m``; :data:`SCALING_LAW`).
        Raises :class:`~runmuscles.errors.OutOfRangeError` outside the grid or next to a
        missing cell."""
        return self.table(gait).lookup(speed, grade)

    def prepare(self, speed: ArrayLike, grade: ArrayLike, gait: str = "run") -> list[str]:
        """Per condition, "" when :meth:`lookup` can answer it, else why not (this atlas does not
        solve; :class:`~runmuscles.atlas.ondemand.OnDemandAtlas` does). With ``prepare`` a
        table tells the analysis not to clip."""
        v = np.atleast_1d(np.asarray(speed, dtype=float)).reshape(-1)
        g = np.atleast_1d(np.asarray(grade, dtype=float)).reshape(-1)
        if gait not in self.tables:
            return [f"this atlas has no {_ING.get(gait, gait)} strides"] * v.size
        t = self.tables[gait]
        ok = t.corners_ok(v, g)
        inside = t.inside(v, g)
        (v0, v1), (g0, g1) = t.ranges()
        out = []
        for k in range(v.size):
            if ok[k]:
                out.append("")
            elif not inside[k]:
                out.append(
                    f"outside the atlas's {_ING.get(gait, gait)} grid ({v0:g}..{v1:g} m/s, "
                    f"{fmt_grade(g0)}..{fmt_grade(g1)}) and solving on demand is off"
                )
            else:
                out.append("next to a cell of the atlas whose solve failed or was refused")
        return out

    def at(self, speed: float, grade: float, gait: str = "run") -> xr.Dataset:
        """Every variable of ``gait`` interpolated at one condition (see
        :meth:`GaitTable.at`)."""
        return self.table(gait).at(speed, grade)

    def cell(self, speed: float, grade: float, gait: str = "run") -> dict[str, Any]:
        """The provenance behind (speed, grade): the node's cell when it is a grid node, else
        the weighted corner cells interpolation uses (``cells``, each with its ``weight``)."""
        return cell_report(self.table(gait), speed, grade)

    def info(self) -> dict[str, Any]:
        """What ``runmuscles atlas info --json`` prints."""
        run = self._main
        return {
            "path": str(self.path) if self.path else None,
            "format_version": self.format_version,
            "speeds_m_s": run.speeds.tolist(),
            "grades": run.grades.tolist(),
            "gaits": {
                g: {
                    "speeds_m_s": t.speeds.tolist(),
                    "grades": t.grades.tolist(),
                    "cells": int(t.speeds.size * t.grades.size),
                    "solved": int(t.solved().sum()),
                }
                for g, t in self.tables.items()
            },
            "mass_kg": self.mass_kg,
            "height_m": self.height_m,
            "groups": list(self.groups),
            "missing": self.missing(),
            "scaling_law": self.scaling_law,
            "provenance": self.provenance,
        }

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        """Write the atlas as compressed netCDF-4 (format 2; h5netcdf), atomically."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            try:
                root = {**self.attrs, "format_version": FORMAT_VERSION,
                        "gaits": json.dumps(list(self.gaits))}  # fmt: skip
                xr.Dataset(attrs=root).to_netcdf(tmp, engine="h5netcdf", mode="w")
                for g, t in self.tables.items():
                    enc = {
                        v: {"compression": "gzip", "compression_opts": 6, "shuffle": True}
                        for v in t.ds.data_vars
                    }
                    t.ds.to_netcdf(tmp, engine="h5netcdf", mode="a", group=g, encoding=enc)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc}; check the folder is writable") from exc
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> Atlas:
        """Read an atlas file (format 2, or format 1 as a :class:`LegacyAtlas`); ``path`` None:
        ``$RUNMUSCLES_ATLAS`` or the shipped default."""
        default = path is None
        p = default_path() if path is None else Path(path)
        if not p.is_file():
            if default:
                raise DataError(
                    f"no muscle atlas at {p}: this installation ships none yet; build one with "
                    "`runmuscles atlas build --grid shipped -o atlas.nc` and point "
                    f"{ENV_PATH} at it"
                )
            raise InputError(f"no such atlas file: {p}")
        try:
            with xr.open_dataset(p, engine="h5netcdf") as opened:
                root = opened.load()
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"{p} is not a readable netCDF file: {exc}") from exc
        if root.attrs.get("kind") != KIND:
            raise FileFormatError(f"{p} is netCDF but not a runmuscles atlas")
        version = int(root.attrs.get("format_version", 1))
        if version == 1:
            return LegacyAtlas({"run": root}, root.attrs, p)
        if version != FORMAT_VERSION:
            raise FileFormatError(
                f"{p} is an atlas of format {version}; this runmuscles ({__version__}) reads "
                f"formats 1 and {FORMAT_VERSION}: upgrade runmuscles or rebuild the atlas"
            )
        try:
            gaits = [str(g) for g in json.loads(root.attrs.get("gaits", "[]"))]
        except ValueError:
            raise FileFormatError(f"{p}: its 'gaits' attribute is not a JSON list") from None
        tables = {}
        for g in gaits:
            try:
                with xr.open_dataset(p, engine="h5netcdf", group=g) as opened:
                    tables[g] = opened.load()
            except (OSError, ValueError) as exc:
                raise FileFormatError(f"{p}: cannot read its {g!r} table: {exc}") from exc
        return cls(tables, root.attrs, p)

    def __repr__(self) -> str:
        parts = []
        for g, t in self.tables.items():
            (v0, v1), (g0, g1) = t.ranges()
            parts.append(
                f"{g} {v0:g}..{v1:g} m/s x {fmt_grade(g0)}..{fmt_grade(g1)} "
                f"({t.speeds.size}x{t.grades.size})"
            )
        return f"<Atlas {'; '.join(parts)}, {len(self.missing())} missing>"


def cell_report(t: GaitTable, speed: float, grade: float) -> dict[str, Any]:
    """What :meth:`Atlas.cell` returns, for one gait's table."""
    gait = t.gait
    node = t.node(speed, grade)
    if node is not None:
        return {"gait": gait, "speed_m_s": speed, "grade": grade, "node": True,
                "cells": [{**t.cell(*node), "weight": 1.0}]}  # fmt: skip
    try:
        weights = t.weights(speed, grade)
    except Exception:
        # outside or next to a missing cell: show the nearest cell anyway
        i = int(np.argmin(np.abs(t.speeds - speed)))
        j = int(np.argmin(np.abs(t.grades - grade)))
        return {
            "gait": gait, "speed_m_s": speed, "grade": grade, "node": False,
            "cells": [{**t.cell(i, j), "weight": None}],
            "note": "not interpolated: outside the grid or next to a missing cell; the "
            "nearest cell is shown",
        }  # fmt: skip
    return {
        "gait": gait,
        "speed_m_s": speed,
        "grade": grade,
        "node": False,
        "cells": [{**t.cell(i, j), "weight": w} for i, j, w in weights],
    }


class LegacyAtlas(Atlas):
    """An atlas file of format 1 (running only, no curves besides activation, no per-cell
    provenance, no resolved flags). Read so that analyses keep working until a format-2 atlas
    is shipped; it has no :meth:`prepare`, so the analysis clips at its edges with a warning (as
    it did for this file) instead of solving on demand (its strides were solved by an earlier
    engine, and new strides would not match them)."""

    format_version = 1
    prepare = None  # type: ignore[assignment]

    def _fix(self, gait: str, speed: float, grade: float, outside: bool = True) -> str:
        return (
            "this atlas (format 1, built by an earlier engine) cannot be extended; solve the "
            f"condition: `runmuscles simulate --speed {speed:g} --grade={fmt_grade(grade)}`, "
            "or rebuild the atlas: `runmuscles atlas build --grid shipped`"
        )


def assemble(
    grid: Any,
    store: Any,
    info: Mapping[tuple[str, int, int], Mapping[str, Any]],
    failures: Mapping[tuple[str, int, int], Mapping[str, Any]],
    provenance: Mapping[str, Any],
) -> Atlas:
    """The atlas of ``grid`` (:class:`~runmuscles.atlas.grid.Grid`) from the solved parts in
    ``store`` (a :class:`~runmuscles.atlas.parts.PartStore`); missing cells NaN."""
    from runmuscles.atlas.assemble import gait_dataset

    tables = {}
    for gg in grid.gaits:
        records = {}
        for n, inf in info.items():
            if n[0] != gg.gait:
                continue
            part = store.load_done(grid.condition(n))
            if part is not None:
                records[(n[1], n[2])] = (part["record"], inf)
        fails = {(n[1], n[2]): f for n, f in failures.items() if n[0] == gg.gait}
        if records:  # a gait none of whose conditions solved is left out (its failures listed)
            tables[gg.gait] = gait_dataset(gg.gait, gg.speeds, gg.grades, records, fails)
    if not tables:
        raise InputError(
            "no condition of the grid was solved, so there is no atlas to write; see the "
            "failures and try a grid around the seeds (3.5 m/s running, 1.4 m/s walking)"
        )
    attrs = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "mass_kg": grid.mass,
        "height_m": grid.height,
        "scaling_law": SCALING_LAW,
        "provenance": json.dumps({**provenance, "runmuscles_version": __version__}, default=str),
    }
    return Atlas(tables, attrs)
