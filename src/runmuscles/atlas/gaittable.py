"""One gait's table of the atlas: a speed x grade grid (any spacing) looked up bilinearly.

:class:`GaitTable` wraps the per-gait :class:`xarray.Dataset` of an atlas file (layout:
:mod:`runmuscles.atlas.assemble`). Lookup interpolates bilinearly between the four grid nodes
around each condition, vectorised with NumPy. Outside the grid, or where a node with a non-zero
weight is a missing cell (a condition that failed to solve or was refused by the realism gate),
:class:`~runmuscles.errors.OutOfRangeError` says what to do instead: never clipping, never
extrapolation. ``stride_length_m`` and ``cadence_steps_per_min`` are derived from the
interpolated stride time (``speed * T`` and ``120 / T``) so that they stay consistent. The
``resolved`` flags of the groups are 1.0 only where the group is resolved in every node with a
non-zero weight.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from runmuscles.atlas.content import GROUP_VARS, SCALAR_VARS
from runmuscles.errors import FileFormatError, OutOfRangeError

__all__ = ["CELL_STATUS", "FAILED", "NOT_ATTEMPTED", "REFUSED", "SOLVED", "GaitTable"]

FloatArray = NDArray[np.float64]
#: cell_status codes
SOLVED, FAILED, NOT_ATTEMPTED, REFUSED = 0, 1, 2, 3
CELL_STATUS = {SOLVED: "solved", FAILED: "failed", NOT_ATTEMPTED: "not_attempted",
               REFUSED: "refused"}  # fmt: skip
#: Derived from the interpolated stride time, not interpolated themselves.
_DERIVED = ("stride_length_m", "cadence_steps_per_min")
#: Conditions per block in lookup (the gathered rows stay in cache).
_CHUNK = 4096
#: Per-cell numbers of the provenance (besides the JSON ``cell_provenance``).
CELL_NUMBERS = (
    "attempts", "solve_time_s", "iterations", "objective", "peak_reserve_share",
    "stance_slip_m_s", "bounds_touched_count", "warm_start_speed", "warm_start_grade",
)  # fmt: skip


def fmt_grade(g: float) -> str:
    return f"{g * 100:+g}%"


class GaitTable:
    """The strides of one gait over its speed x grade grid (see the module docstring).

    ``fix(speed, grade)`` returns the sentence that tells the user what to do about a condition
    outside the table (the owner knows whether it can solve on demand).
    """

    def __init__(
        self,
        ds: xr.Dataset,
        gait: str = "run",
        where: str = "atlas",
        fix: Callable[[str, float, float, bool], str] | None = None,
    ) -> None:
        self.ds = ds
        self.gait = gait
        self.where = where
        self._fix = fix
        try:
            self.speeds = np.asarray(ds["speed"].values, dtype=float)
            self.grades = np.asarray(ds["grade"].values, dtype=float)
            status = ds["cell_status"].values
        except KeyError as exc:
            raise FileFormatError(f"{where}: the {gait} table lacks {exc.args[0]!r}") from None
        ns, ng = self.speeds.size, self.grades.size
        if (
            ns < 2
            or ng < 2
            or np.any(np.diff(self.speeds) <= 0)
            or np.any(np.diff(self.grades) <= 0)
        ):
            raise FileFormatError(f"{where}: speed and grade axes must increase ({gait})")
        self._ok = np.asarray(status == SOLVED).reshape(-1)
        cols: list[np.ndarray] = []
        self._slices: dict[str, slice | int] = {}
        k = 0
        for var in GROUP_VARS:
            if var not in ds:
                raise FileFormatError(f"{where}: the {gait} table lacks {var!r}")
            a = np.asarray(ds[var].transpose("speed", "grade", "group").values, dtype=float)
            cols.append(a.reshape(ns * ng, -1))
            self._slices[var] = slice(k, k + a.shape[-1])
            k += a.shape[-1]
        for var in SCALAR_VARS:
            if var in _DERIVED or var not in ds:
                continue  # a format-1 file lacks the posture numbers
            cols.append(np.asarray(ds[var].transpose("speed", "grade").values).reshape(-1, 1))
            self._slices[var] = k
            k += 1
        packed = np.concatenate(cols, axis=1)
        self._packed = np.ascontiguousarray(np.where(np.isfinite(packed), packed, 0.0))
        self._nan = ~np.isfinite(packed)
        self._resolved: np.ndarray | None = None
        if "group_resolved" in ds:
            r = np.asarray(ds["group_resolved"].transpose("speed", "grade", "group").values)
            self._resolved = (r.reshape(ns * ng, -1) > 0).astype(float)

    # ------------------------------------------------------------------ grid
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

    def ranges(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self.speed_range, self.grade_range

    def solved(self) -> NDArray[np.bool_]:
        """(speed, grade) mask of the solved cells."""
        return self._ok.reshape(self.speeds.size, self.grades.size).copy()

    def node(self, speed: float, grade: float) -> tuple[int, int] | None:
        """Indices of the grid node at (speed, grade) (within 1e-6), or None."""
        i = np.flatnonzero(np.abs(self.speeds - speed) < 1e-6)
        j = np.flatnonzero(np.abs(self.grades - grade) < 1e-6)
        return (int(i[0]), int(j[0])) if i.size and j.size else None

    def failures(self) -> dict[str, Any]:
        return dict(json.loads(self.ds.attrs.get("failures", "{}")))

    def missing(self) -> list[dict[str, Any]]:
        """Cells without a usable stride: gait, speed, grade, status, message."""
        fails = self.failures()
        st = self.ds["cell_status"].values
        out = []
        for i, j in zip(*np.nonzero(st != SOLVED), strict=True):
            v, g = float(self.speeds[i]), float(self.grades[j])
            status, msg = fails.get(f"{v:g},{g:g}", ["not_attempted", ""])[:2]
            out.append(
                {"gait": self.gait, "speed": v, "grade": g, "status": status, "message": msg}
            )
        return out

    # ------------------------------------------------------------------ interpolation
    def inside(self, speed: ArrayLike, grade: ArrayLike) -> NDArray[np.bool_]:
        """Which conditions lie on the grid (edges included)."""
        v = np.atleast_1d(np.asarray(speed, dtype=float))
        g = np.atleast_1d(np.asarray(grade, dtype=float))
        s, r, tol = self.speeds, self.grades, 1e-9
        return np.asarray(
            (v >= s[0] - tol) & (v <= s[-1] + tol) & (g >= r[0] - tol) & (g <= r[-1] + tol)
        )

    def corners_ok(self, speed: ArrayLike, grade: ArrayLike) -> NDArray[np.bool_]:
        """Which conditions lie on the grid with every weighted corner solved."""
        v = np.atleast_1d(np.asarray(speed, dtype=float)).reshape(-1)
        g = np.atleast_1d(np.asarray(grade, dtype=float)).reshape(-1)
        ok = self.inside(v, g).reshape(-1)
        if not ok.any():
            return ok
        i, tv = _axis(self.speeds, np.where(ok, v, self.speeds[0]))
        j, tg = _axis(self.grades, np.where(ok, g, self.grades[0]))
        base = i * self.grades.size + j
        for ix, wx in self._corners(base, tv, tg):
            ok &= ~((wx > 0) & ~self._ok[ix])
        return ok

    def _fix_text(self, speed: float, grade: float, outside: bool = True) -> str:
        if not outside:
            return (
                "re-run the atlas build with --retry-failed, or solve this condition: "
                f"`runmuscles simulate --gait {self.gait} --speed {speed:g} "
                f"--grade={fmt_grade(grade)}`"
            )
        if self._fix is not None:
            return self._fix(self.gait, speed, grade, outside)
        return (
            f"solve it: `runmuscles simulate --gait {self.gait} --speed {speed:g} "
            f"--grade={fmt_grade(grade)}`"
        )

    def locate(
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
        bad = ~self.inside(v, g)
        what = "walking" if self.gait == "walk" else "running"
        if np.any(bad):
            k = int(np.argmax(bad))
            more = int(bad.sum()) - 1
            raise OutOfRangeError(
                f"{what} at {v[k]:g} m/s, grade {fmt_grade(g[k])} is outside the {self.where}'s "
                f"{what} grid ({s[0]:g}..{s[-1]:g} m/s, {fmt_grade(r[0])}..{fmt_grade(r[-1])})"
                + (f" (and {more} more conditions)" if more else "")
                + f"; {self._fix_text(float(v[k]), float(g[k]))}"
            )
        i, tv = _axis(s, v)
        j, tg = _axis(r, g)
        base = i * r.size + j
        if not self._ok.all():
            self._check_missing(v, g, base, tv, tg)
        return v, g, base, tv, tg

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
            fails = self.failures()
            cells = []
            for ix, wx in corners:
                if wx[k] > 0 and not self._ok[ix[k]]:
                    sv, gv = self.speeds[ix[k] // ng], self.grades[ix[k] % ng]
                    why = fails.get(f"{sv:g},{gv:g}", ["not attempted"])[0]
                    cells.append(f"{sv:g} m/s {fmt_grade(gv)} ({why})")
            what = "walking" if self.gait == "walk" else "running"
            raise OutOfRangeError(
                f"{what} at {v[k]:g} m/s, grade {fmt_grade(g[k])} lies next to a missing cell of "
                f"the {self.where} ({', '.join(cells)}); "
                f"{self._fix_text(float(v[k]), float(g[k]), outside=False)}"
            )

    def lookup(self, speed: ArrayLike, grade: ArrayLike) -> dict[str, FloatArray]:
        """Per-stride quantities at each (speed m/s, grade) pair, bilinearly interpolated: the
        per-group variables with shape ``(n, len(groups))``, the per-condition ones ``(n,)``,
        and ``resolved`` ``(n, len(groups))`` when the table has the flags."""
        v, _, base, tv, tg = self.locate(speed, grade)
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
        corners = self._corners(base, tv, tg)
        if self._nan.any():  # NaN stored (e.g. no joint loads): NaN where any corner has it
            nanmask = np.zeros(out.shape, dtype=bool)
            for ix, wx in corners:
                nanmask |= self._nan[ix] & (wx > 0)[:, None]
            out[nanmask] = np.nan
        res: dict[str, FloatArray] = {k: out[:, sl] for k, sl in self._slices.items()}
        t = res["stride_time_s"]
        res["stride_length_m"] = v * t
        res["cadence_steps_per_min"] = 120.0 / t
        if self._resolved is not None:
            flags = np.ones((v.size, self._resolved.shape[1]))
            for ix, wx in corners:
                flags = np.where((wx > 0)[:, None], np.minimum(flags, self._resolved[ix]), flags)
            res["resolved"] = flags
        return res

    def at(self, speed: float, grade: float) -> xr.Dataset:
        """Every numeric variable interpolated at one condition (a Dataset without the speed and
        grade dimensions; NaN where a corner holds NaN); the ``resolved`` flags are the
        minimum over the weighted corners."""
        _, _, base, tv, tg = self.locate(speed, grade)
        ng = self.grades.size
        keep = [
            str(v)
            for v in self.ds.data_vars
            if {"speed", "grade"} <= set(self.ds[v].dims)
            and np.issubdtype(self.ds[v].dtype, np.number)
        ]
        flags = [v for v in keep if v.endswith("resolved")]
        numeric = self.ds[keep]
        out: xr.Dataset | None = None
        low: Any = None
        for ix, wx in self._corners(base, tv, tg):
            if wx[0] == 0:
                continue
            node = numeric.isel(speed=int(ix[0] // ng), grade=int(ix[0] % ng))
            term = node.drop_vars(flags).astype(float) * float(wx[0])
            out = term if out is None else out + term
            fl = node[flags]
            low = fl if low is None else np.minimum(low, fl)
        assert out is not None and low is not None
        out = xr.merge([out, low]).drop_vars(["speed", "grade"], errors="ignore")
        t = float(out["stride_time_s"])
        out["stride_length_m"] = float(speed) * t
        out["cadence_steps_per_min"] = 120.0 / t
        return out.assign_attrs(speed_m_s=float(speed), grade=float(grade), gait=self.gait)

    def cell(self, i: int, j: int) -> dict[str, Any]:
        """Provenance of the cell at node (i, j): status, per-cell numbers and the JSON record."""
        st = int(self.ds["cell_status"].values[i, j])
        out: dict[str, Any] = {
            "gait": self.gait,
            "speed_m_s": float(self.speeds[i]),
            "grade": float(self.grades[j]),
            "status": CELL_STATUS.get(st, str(st)),
        }
        for name in CELL_NUMBERS:
            if name in self.ds:
                x = float(self.ds[name].values[i, j])
                out[name] = None if math.isnan(x) else x
        if "cell_provenance" in self.ds:
            text = str(self.ds["cell_provenance"].values[i, j])
            if text:
                out["provenance"] = json.loads(text)
        else:
            fails = self.failures()
            key = f"{self.speeds[i]:g},{self.grades[j]:g}"
            if key in fails:
                out["provenance"] = {"status": fails[key][0], "message": fails[key][1]}
        opts = self.ds.attrs.get("solver_options")
        if opts and "provenance" in out and "solver_options" not in out["provenance"]:
            out["provenance"]["solver_options"] = json.loads(opts)
        if "group_resolved" in self.ds and st == SOLVED:
            flags = self.ds["group_resolved"].values[i, j]
            out["groups_not_resolved"] = [
                g for g, f in zip(self.groups, flags, strict=True) if not f
            ]
        return out

    def weights(self, speed: float, grade: float) -> list[tuple[int, int, float]]:
        """The nodes (i, j) with non-zero weight at (speed, grade) and their weights."""
        _, _, base, tv, tg = self.locate(speed, grade)
        ng = self.grades.size
        return [
            (int(ix[0] // ng), int(ix[0] % ng), float(wx[0]))
            for ix, wx in self._corners(base, tv, tg)
            if wx[0] > 0
        ]


def _axis(axis: FloatArray, x: FloatArray) -> tuple[NDArray[np.intp], FloatArray]:
    """Lower node index and fraction (0..1) of each ``x`` on a sorted axis (any spacing)."""
    i = np.clip(np.searchsorted(axis, x, side="right") - 1, 0, axis.size - 2)
    return i, np.clip((x - axis[i]) / (axis[i + 1] - axis[i]), 0.0, 1.0)
