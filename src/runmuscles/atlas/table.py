"""The :class:`Atlas`: solved strides on a speed x grade grid, saved as netCDF, looked up fast.

Lookup is bilinear interpolation between the four grid nodes around each condition, vectorised
with NumPy. Outside the grid, or where a node with a non-zero weight is a missing cell (a condition
that failed to solve), :class:`~runmuscles.errors.OutOfRangeError` says what to run instead: never
silent extrapolation. ``stride_length_m`` and ``cadence_steps_per_min`` are derived from the
interpolated stride time (``speed * T`` and ``120 / T``) so that they stay consistent.
"""

from __future__ import annotations

import json
import math
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
from runmuscles.atlas.content import CURVE_POINTS, GROUP_VARS, MUSCLE_VARS, SCALAR_VARS
from runmuscles.atlas.grid import Grid
from runmuscles.atlas.parts import PartStore
from runmuscles.errors import FileFormatError, InputError, OutOfRangeError

__all__ = ["ENV_PATH", "KIND", "SCALING_LAW", "Atlas", "assemble", "default_path"]

FloatArray = NDArray[np.float64]
KIND = "runmuscles.Atlas"
FORMAT_VERSION = 1
#: Environment variable naming an atlas file that replaces the shipped default.
ENV_PATH = "RUNMUSCLES_ATLAS"
#: cell_status codes
SOLVED, FAILED, NOT_ATTEMPTED = 0, 1, 2
SCALING_LAW = (
    "The atlas is for one body (mass_kg, height_m). At equal speed and grade, works, impulses, "
    "forces and metabolic energies (J, N s, N) are taken as proportional to body mass; values "
    "in body weights (BW), per kg, times, lengths, cadence and activations are taken as "
    "independent of it. Height is not rescaled."
)
#: Keys of Atlas.lookup: per group (n, n_groups), then per condition (n,).
_DERIVED = ("stride_length_m", "cadence_steps_per_min")
#: Conditions per block in lookup (the gathered rows stay in cache).
_CHUNK = 4096


def default_path() -> Path:
    """``$RUNMUSCLES_ATLAS`` when set, else the atlas shipped in the package data."""
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env)
    return Path(str(resources.files("runmuscles").joinpath("data", "atlas.nc")))


def _fmt_grade(g: float) -> str:
    return f"{g * 100:+g}%"


def _axis_arg(values: NDArray[np.float64], x: float, pct: bool) -> str:
    """START:STOP:STEP of an axis widened (by whole steps) to include ``x``."""
    step = float(np.min(np.diff(values)))
    lo, hi = float(values[0]), float(values[-1])
    if x < lo:
        lo -= math.ceil((lo - x) / step - 1e-9) * step
    if x > hi:
        hi += math.ceil((x - hi) / step - 1e-9) * step
    scale, unit = (100.0, "%") if pct else (1.0, "")
    return f"{lo * scale:.6g}{unit}:{hi * scale:.6g}{unit}:{step * scale:.6g}{unit}"


class Atlas:
    """Per-stride quantities over a speed x grade grid (implements ``load.ConditionTable``).

    Build it with :func:`runmuscles.atlas.build_atlas` or read it with :meth:`load`. Variables,
    units and definitions: :mod:`runmuscles.atlas.content`; body size: :data:`SCALING_LAW`.
    """

    def __init__(self, ds: xr.Dataset, path: str | Path | None = None) -> None:
        if ds.attrs.get("kind") != KIND:
            raise FileFormatError(f"{path or 'dataset'} is not a runmuscles atlas")
        self.ds = ds
        self.path = None if path is None else Path(path)
        self.speeds = np.asarray(ds["speed"].values, dtype=float)
        self.grades = np.asarray(ds["grade"].values, dtype=float)
        ns, ng = self.speeds.size, self.grades.size
        if (
            ns < 2
            or ng < 2
            or np.any(np.diff(self.speeds) <= 0)
            or np.any(np.diff(self.grades) <= 0)
        ):
            raise FileFormatError(f"{path or 'atlas'}: speed and grade axes must increase")
        self._uniform_speed = bool(
            np.allclose(np.diff(self.speeds), self.speeds[1] - self.speeds[0])
        )
        self._uniform_grade = bool(
            np.allclose(np.diff(self.grades), self.grades[1] - self.grades[0])
        )
        self._ok = np.asarray(ds["cell_status"].values == SOLVED).reshape(-1)
        cols: list[np.ndarray] = []
        self._slices: dict[str, slice | int] = {}
        k = 0
        for var in GROUP_VARS:
            a = np.asarray(ds[var].transpose("speed", "grade", "group").values, dtype=float)
            cols.append(a.reshape(ns * ng, -1))
            self._slices[var] = slice(k, k + a.shape[-1])
            k += a.shape[-1]
        for var in SCALAR_VARS:
            if var in _DERIVED:
                continue
            cols.append(np.asarray(ds[var].transpose("speed", "grade").values).reshape(-1, 1))
            self._slices[var] = k
            k += 1
        packed = np.concatenate(cols, axis=1)
        self._packed = np.ascontiguousarray(np.where(np.isfinite(packed), packed, 0.0))
        self._nan = ~np.isfinite(packed)

    # ------------------------------------------------------------------ ConditionTable
    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(str(g) for g in self.ds["group"].values)

    @property
    def muscles(self) -> tuple[str, ...]:
        return tuple(str(m) for m in self.ds["muscle"].values)

    @property
    def speed_range(self) -> tuple[float, float]:
        return float(self.speeds[0]), float(self.speeds[-1])

    @property
    def grade_range(self) -> tuple[float, float]:
        return float(self.grades[0]), float(self.grades[-1])

    @property
    def mass_kg(self) -> float:
        return float(self.ds.attrs["mass_kg"])

    @property
    def height_m(self) -> float:
        return float(self.ds.attrs["height_m"])

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(json.loads(self.ds.attrs.get("provenance", "{}")))

    def missing(self) -> list[dict[str, Any]]:
        """Cells without a solution: speed, grade, status, message."""
        fails = json.loads(self.ds.attrs.get("failures", "{}"))
        st = self.ds["cell_status"].values
        out = []
        for i, j in zip(*np.nonzero(st != SOLVED), strict=True):
            v, g = float(self.speeds[i]), float(self.grades[j])
            status, msg = fails.get(f"{v:g},{g:g}", ["not_attempted", ""])
            out.append({"speed": v, "grade": g, "status": status, "message": msg})
        return out

    def _fix(self, speed: float, grade: float) -> str:
        return (
            f"rebuild with a wider grid: `runmuscles atlas build --speeds="
            f"{_axis_arg(self.speeds, speed, False)} --grades="
            f"{_axis_arg(self.grades, grade, True)}` (finished cells are reused when -o names "
            f"the same file), or solve this condition: `runmuscles simulate --speed {speed:g} "
            f"--grade={_fmt_grade(grade)}`"
        )

    def _locate(
        self, speed: ArrayLike, grade: ArrayLike
    ) -> tuple[FloatArray, FloatArray, NDArray[np.intp], FloatArray, FloatArray]:
        """(speed, grade, flat index of the lower-left node, fractions along speed and grade),
        after the range and missing-cell checks."""
        v, g = np.broadcast_arrays(
            np.atleast_1d(np.asarray(speed, dtype=float)),
            np.atleast_1d(np.asarray(grade, dtype=float)),
        )
        v, g = v.reshape(-1), g.reshape(-1)
        s, r = self.speeds, self.grades
        tol = 1e-9
        bad = ~((v >= s[0] - tol) & (v <= s[-1] + tol) & (g >= r[0] - tol) & (g <= r[-1] + tol))
        if np.any(bad):
            k = int(np.argmax(bad))
            more = int(bad.sum()) - 1
            raise OutOfRangeError(
                f"speed {v[k]:g} m/s, grade {_fmt_grade(g[k])} is outside the atlas "
                f"({s[0]:g}..{s[-1]:g} m/s, {_fmt_grade(r[0])}..{_fmt_grade(r[-1])})"
                + (f" (and {more} more conditions)" if more else "")
                + f"; {self._fix(float(v[k]), float(g[k]))}"
            )
        i, tv = self._axis(s, v, self._uniform_speed)
        j, tg = self._axis(r, g, self._uniform_grade)
        ng = r.size
        base = i * ng + j
        if not self._ok.all():
            self._check_missing(v, g, base, tv, tg)
        return v, g, base, tv, tg

    @staticmethod
    def _axis(
        axis: FloatArray, x: FloatArray, uniform: bool
    ) -> tuple[NDArray[np.intp], FloatArray]:
        """Lower node index and fraction (0..1) of each ``x`` on a sorted axis."""
        if uniform:
            f = np.clip((x - axis[0]) / (axis[1] - axis[0]), 0.0, axis.size - 1)
            i = np.minimum(f.astype(np.intp), axis.size - 2)
            return i, f - i
        i = np.clip(np.searchsorted(axis, x, side="right") - 1, 0, axis.size - 2)
        return i, np.clip((x - axis[i]) / (axis[i + 1] - axis[i]), 0.0, 1.0)

    def _corners(
        self, base: NDArray[np.intp], tv: FloatArray, tg: FloatArray
    ) -> list[tuple[NDArray[np.intp], FloatArray]]:
        ng = self.grades.size
        return [
            (base, (1 - tv) * (1 - tg)),
            (base + ng, tv * (1 - tg)),
            (base + 1, (1 - tv) * tg),
            (base + ng + 1, tv * tg),
        ]

    def _check_missing(
        self, v: FloatArray, g: FloatArray, base: NDArray[np.intp], tv: FloatArray, tg: FloatArray
    ) -> None:
        ng = self.grades.size
        corners = self._corners(base, tv, tg)
        missing = np.zeros(v.shape, dtype=bool)
        for ix, wx in corners:
            missing |= (wx > 0) & ~self._ok[ix]
        if np.any(missing):
            k = int(np.argmax(missing))
            cells = [
                f"{self.speeds[ix[k] // ng]:g} m/s {_fmt_grade(self.grades[ix[k] % ng])}"
                for ix, wx in corners
                if wx[k] > 0 and not self._ok[ix[k]]
            ]
            raise OutOfRangeError(
                f"speed {v[k]:g} m/s, grade {_fmt_grade(g[k])} lies next to a missing atlas cell "
                f"({', '.join(cells)}: its solve failed); solve this condition: `runmuscles "
                f"simulate --speed {v[k]:g} --grade={_fmt_grade(g[k])}`, or re-run the atlas "
                "build (it retries failed cells)"
            )

    def lookup(self, speed: ArrayLike, grade: ArrayLike) -> Mapping[str, FloatArray]:
        """Per-stride quantities at each (speed m/s, grade) pair, bilinearly interpolated.

        Returns the per-group variables (:data:`~runmuscles.atlas.content.GROUP_VARS`) with shape
        ``(n, len(groups))`` and the per-condition ones (``SCALAR_VARS``) with shape ``(n,)``,
        for the atlas body (``mass_kg``, ``height_m``; :data:`SCALING_LAW`).
        """
        v, _, base, tv, tg = self._locate(speed, grade)
        p, ng = self._packed, self.grades.size
        out = np.empty((v.size, p.shape[1]))
        buf = np.empty((min(_CHUNK, v.size), p.shape[1]))
        # in chunks that stay in cache: gather each corner's row and add it with its weight
        for a in range(0, v.size, _CHUNK):
            b = min(a + _CHUNK, v.size)
            o, bb, ix = out[a:b], buf[: b - a], base[a:b]
            x, y = tv[a:b, None], tg[a:b, None]
            np.take(p, ix, axis=0, out=o)
            o *= (1 - x) * (1 - y)
            for off, w in ((ng, x * (1 - y)), (1, (1 - x) * y), (ng + 1, x * y)):
                np.take(p, ix + off, axis=0, out=bb)
                bb *= w
                o += bb
        if self._nan.any():  # NaN stored (e.g. no joint loads): NaN where any corner has it
            nanmask = np.zeros(out.shape, dtype=bool)
            for ix, wx in self._corners(base, tv, tg):
                nanmask |= self._nan[ix] & (wx > 0)[:, None]
            out[nanmask] = np.nan
        res: dict[str, FloatArray] = {k: out[:, sl] for k, sl in self._slices.items()}
        t = res["stride_time_s"]
        res["stride_length_m"] = v * t
        res["cadence_steps_per_min"] = 120.0 / t
        return res

    def at(self, speed: float, grade: float) -> xr.Dataset:
        """Every variable of the atlas interpolated at one condition (a Dataset without the speed
        and grade dimensions; NaN where a corner holds NaN)."""
        _, _, base, tv, tg = self._locate(speed, grade)
        ng = self.grades.size
        out = None
        for ix, wx in self._corners(base, tv, tg):
            if wx[0] == 0:
                continue
            term = self.ds.drop_vars(
                [v for v in self.ds.data_vars if not {"speed", "grade"} <= set(self.ds[v].dims)]
            ).isel(speed=int(ix[0] // ng), grade=int(ix[0] % ng)).astype(float) * float(wx[0])
            out = term if out is None else out + term
        assert out is not None
        out = out.drop_vars(["speed", "grade"], errors="ignore")
        t = float(out["stride_time_s"])
        out["stride_length_m"] = float(speed) * t
        out["cadence_steps_per_min"] = 120.0 / t
        return out.assign_attrs(speed_m_s=float(speed), grade=float(grade))

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        """Write the atlas as compressed netCDF-4 (h5netcdf), atomically; returns the path."""
        path = Path(path)
        enc = {v: {"compression": "gzip", "compression_opts": 4} for v in self.ds.data_vars}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            self.ds.to_netcdf(tmp, engine="h5netcdf", encoding=enc)
            os.replace(tmp, path)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc}; check the folder is writable") from exc
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> Atlas:
        """Read an atlas file; ``path`` None: ``$RUNMUSCLES_ATLAS`` or the shipped default."""
        default = path is None
        p = default_path() if path is None else Path(path)
        if not p.is_file():
            if default:
                from runmuscles.errors import DataError

                raise DataError(
                    f"no muscle atlas at {p}: this installation ships none yet; build one with "
                    "`runmuscles atlas build --speeds 2:6:0.5 --grades=-30%:30%:5% -o atlas.nc` "
                    f"and point {ENV_PATH} at it"
                )
            raise InputError(f"no such atlas file: {p}")
        try:
            with xr.open_dataset(p, engine="h5netcdf") as opened:
                ds = opened.load()
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"{p} is not a readable netCDF file: {exc}") from exc
        return cls(ds, p)

    def __repr__(self) -> str:
        (v0, v1), (g0, g1) = self.speed_range, self.grade_range
        return (
            f"<Atlas {v0:g}..{v1:g} m/s x {_fmt_grade(g0)}..{_fmt_grade(g1)}, "
            f"{self.speeds.size}x{self.grades.size} cells, {len(self.missing())} missing>"
        )


def assemble(
    grid: Grid,
    store: PartStore,
    info: Mapping[tuple[int, int], Mapping[str, Any]],
    failures: Mapping[tuple[int, int], tuple[str, str]],
    provenance: Mapping[str, Any],
) -> Atlas:
    """The atlas of ``grid`` from the solved parts in ``store`` (missing cells NaN)."""
    ns, ng = grid.shape
    records = {}
    for n in grid.nodes():
        if n in info:
            part = store.load_done(grid.condition(n))
            if part is not None:
                records[n] = part["record"]
    if not records:
        raise InputError(
            "no condition of the grid was solved, so there is no atlas to write; see the failures "
            "above and try a grid around 3.5 m/s, 0 %"
        )
    first = records[min(records)]
    groups, muscles = first.groups, first.muscles
    for n, rec in records.items():
        if rec.groups != groups or rec.muscles != muscles:
            raise InputError(f"part {grid.condition(n).key} has other groups or muscles")

    def full(*shape: int, dtype: Any = float) -> np.ndarray:
        return np.full((ns, ng, *shape), np.nan, dtype=dtype)

    gv = {k: full(len(groups)) for k in GROUP_VARS}
    sv = {k: full() for k in SCALAR_VARS}
    mv = {k: full(len(muscles)) for k in MUSCLE_VARS}
    act = full(len(muscles), CURVE_POINTS, dtype=np.float32)
    status = np.full((ns, ng), NOT_ATTEMPTED, dtype=np.int8)
    attempts = np.zeros((ns, ng), dtype=np.int8)
    times, iters, wv, wg = full(), full(), full(), full()
    for (i, j), rec in records.items():
        for k in GROUP_VARS:
            gv[k][i, j] = rec.group[k]
        for k in SCALAR_VARS:
            sv[k][i, j] = rec.scalar[k]
        for k in MUSCLE_VARS:
            mv[k][i, j] = rec.muscle[k]
        act[i, j] = rec.activation
        meta = info[(i, j)]
        status[i, j] = SOLVED
        attempts[i, j] = int(meta.get("attempts", 1))
        times[i, j] = float(meta.get("build_wall_time_s", np.nan))
        iters[i, j] = float(meta.get("iterations", np.nan))
        src = meta.get("warm_start_from")
        if src is not None:
            wv[i, j], wg[i, j] = src
    fails: dict[str, list[str]] = {}
    for (i, j), (st, msg) in failures.items():
        if (i, j) not in records:
            status[i, j] = FAILED if st != "not_attempted" else NOT_ATTEMPTED
            fails[f"{grid.speeds[i]:g},{grid.grades[j]:g}"] = [st, msg]
    dims2 = ("speed", "grade")
    data: dict[str, Any] = {}
    for k, unit in GROUP_VARS.items():
        data[k] = ((*dims2, "group"), gv[k], {"units": unit})
    for k, unit in SCALAR_VARS.items():
        data[k] = (dims2, sv[k], {"units": unit})
    for k, unit in MUSCLE_VARS.items():
        data[f"muscle_{k}"] = ((*dims2, "muscle"), mv[k], {"units": unit})
    data["activation"] = ((*dims2, "muscle", "stride_fraction"), act, {"units": "1"})
    data["cell_status"] = (
        dims2,
        status,
        {
            "flag_values": [SOLVED, FAILED, NOT_ATTEMPTED],
            "flag_meanings": "solved failed not_attempted",
        },
    )
    data["attempts"] = (dims2, attempts, {"units": "1"})
    data["solve_time_s"] = (dims2, times, {"units": "s"})
    data["iterations"] = (dims2, iters, {"units": "1"})
    data["warm_start_speed"] = (dims2, wv, {"units": "m/s", "note": "NaN: cold start"})
    data["warm_start_grade"] = (dims2, wg, {"units": "1", "note": "NaN: cold start"})
    model_prov = dict(info[min(records)].get("provenance") or {})
    prov = {**provenance, "runmuscles_version": __version__, "model": model_prov}
    ds = xr.Dataset(
        data,
        coords={
            "speed": ("speed", np.asarray(grid.speeds), {"units": "m/s"}),
            "grade": ("grade", np.asarray(grid.grades), {"units": "1", "note": "rise/run"}),
            "group": list(groups),
            "muscle": list(muscles),
            "muscle_group": ("muscle", list(first.muscle_groups)),
            "muscle_side": ("muscle", list(first.muscle_sides)),
            "stride_fraction": np.linspace(0.0, 1.0, CURVE_POINTS),
        },
        attrs={
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "mass_kg": grid.mass,
            "height_m": grid.height,
            "scaling_law": SCALING_LAW,
            "provenance": json.dumps(prov, default=str),
            "failures": json.dumps(fails),
        },
    )
    return Atlas(ds)
