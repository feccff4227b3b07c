"""The user's cache of atlas cells solved on demand, and the tables it extends.

* :func:`cache_root`: ``$RUNMUSCLES_CACHE`` or the platform's user cache folder;
* :class:`CellCache`: one small ``.npz`` per solved cell (the one-cell layout of
  :mod:`runmuscles.atlas.assemble`), a JSON note per failed one, under a folder named after the
  atlas's model (:func:`model_id`), so cells of another model or body are never mixed in;
* :func:`overlay`: a gait's table with the cached cells added (union of the axes);
* :func:`lattice_axis`: a grid axis continued outward with its edge spacing (the extension
  lattice on which cells are solved).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from runmuscles.atlas.gaittable import NOT_ATTEMPTED, SOLVED
from runmuscles.atlas.grid import DECIMALS, Condition
from runmuscles.atlas.solvers import Outcome
from runmuscles.conventions import cache_root

__all__ = ["CellCache", "cache_root", "lattice_axis", "model_id", "overlay"]


def lattice_axis(axis: Any, lo: float, hi: float) -> np.ndarray:
    """``axis`` continued outward with its edge steps down to ``lo`` and up to ``hi`` (the last
    step shortened to end exactly there)."""
    a = [float(x) for x in axis]
    low, high = a[1] - a[0], a[-1] - a[-2]
    out = list(a)
    x = a[0]
    while x - low > lo + 1e-9:
        x -= low
        out.insert(0, x)
    if out[0] > lo + 1e-9:
        out.insert(0, lo)
    x = a[-1]
    while x + high < hi - 1e-9:
        x += high
        out.append(x)
    if out[-1] < hi - 1e-9:
        out.append(hi)
    return np.unique(np.round(np.array(out), DECIMALS))


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _to_npz(ds: xr.Dataset) -> bytes:
    """A small Dataset as the bytes of an ``.npz`` (arrays, no pickles) with its layout in JSON:
    reading it back costs milliseconds, where a netCDF of as many variables costs a second."""
    import io

    arrays: dict[str, np.ndarray] = {}
    layout: dict[str, Any] = {"attrs": dict(ds.attrs), "vars": {}, "coords": {}}
    for kind, items in (("coords", ds.coords.items()), ("vars", ds.data_vars.items())):
        for name, var in items:
            key = f"{kind[0]}{len(arrays)}"
            values = np.asarray(var.values)
            if values.dtype == object:
                values = values.astype(str)
            arrays[key] = values
            layout[kind][str(name)] = {"key": key, "dims": list(var.dims),
                                       "attrs": dict(var.attrs)}  # fmt: skip
    arrays["layout"] = np.array(json.dumps(layout, default=str))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def _from_npz(path: Path) -> xr.Dataset:
    with np.load(path, allow_pickle=False) as data:
        layout = json.loads(str(data["layout"]))
        coords = {n: (v["dims"], data[v["key"]], v["attrs"]) for n, v in layout["coords"].items()}
        vars_ = {n: (v["dims"], data[v["key"]], v["attrs"]) for n, v in layout["vars"].items()}
    return xr.Dataset(vars_, coords=coords, attrs=layout["attrs"])


class CellCache:
    """Cells solved on demand for one model: ``<root>/atlas-cells/<model_id>/<key>.npz`` (a
    one-cell table in the :mod:`runmuscles.atlas.assemble` layout, as NumPy arrays) or
    ``<key>.failed.json``, and their strides in ``<root>/strides`` (a
    :class:`~runmuscles.prediction.StrideStore`)."""

    def __init__(self, root: str | Path, model_id: str) -> None:
        self.root = Path(root)
        self.model_id = model_id
        self.folder = self.root / "atlas-cells" / model_id
        self.strides = self.root / "strides"
        self._loaded: dict[str, xr.Dataset] = {}

    def _ensure(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return True
        except OSError:
            return False

    def cells(self, gait: str) -> list[xr.Dataset]:
        """Every solved cell of ``gait`` in the cache (unreadable files skipped, never trusted)."""
        if not self.folder.is_dir():
            return []
        out = []
        for f in sorted(self.folder.glob(f"{gait}_v*.npz")):
            key = f.name
            if key not in self._loaded:
                try:
                    ds = _from_npz(f)
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                if ds.attrs.get("gait") != gait or ds.attrs.get("model_id") != self.model_id:
                    continue
                self._loaded[key] = ds
            out.append(self._loaded[key])
        return out

    def failure(self, cond: Condition) -> dict[str, Any] | None:
        path = self.folder / f"{cond.key}.failed.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, cond: Condition, outcome: Outcome, info: dict[str, Any]) -> Path | None:
        """Write a solved cell (atomically); None when the cache folder is not writable."""
        from runmuscles.atlas.assemble import gait_dataset

        if not self._ensure():
            return None
        ds = gait_dataset(cond.gait, [cond.speed], [cond.grade], {(0, 0): (outcome.record, info)})
        ds.attrs["model_id"] = self.model_id
        path = self.folder / f"{cond.key}.npz"
        try:
            _atomic_bytes(path, _to_npz(ds))
        except OSError:
            return None
        (self.folder / f"{cond.key}.failed.json").unlink(missing_ok=True)
        return path

    def save_failure(self, cond: Condition, data: dict[str, Any]) -> None:
        if self._ensure():
            _atomic_bytes(
                self.folder / f"{cond.key}.failed.json",
                json.dumps(data, indent=1, default=str).encode(),
            )


def overlay(base: xr.Dataset, cells: Sequence[xr.Dataset]) -> xr.Dataset:
    """``base`` on the union of its axes and the cells' (cells fill what the base lacks)."""
    if not cells:
        return base
    speeds = np.unique(np.round(np.concatenate(
        [base["speed"].values, *(c["speed"].values for c in cells)]), DECIMALS))  # fmt: skip
    grades = np.unique(np.round(np.concatenate(
        [base["grade"].values, *(c["grade"].values for c in cells)]), DECIMALS))  # fmt: skip

    def index(axis: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.searchsorted(axis, np.round(values, DECIMALS))

    out: dict[str, Any] = {}
    si, gi = index(speeds, base["speed"].values), index(grades, base["grade"].values)
    placed = []
    for c in cells:
        placed.append((c, index(speeds, c["speed"].values), index(grades, c["grade"].values)))
    ok = np.zeros((speeds.size, grades.size), dtype=bool)
    ok[np.ix_(si, gi)] = base["cell_status"].values == SOLVED
    for name, var in base.data_vars.items():
        dims = var.dims
        if dims[:2] != ("speed", "grade"):
            out[str(name)] = var
            continue
        arr = var.values
        if name == "cell_status":
            fill: Any = NOT_ATTEMPTED
        elif arr.dtype.kind in "iub":
            fill = 0
        elif arr.dtype.kind in "US":
            fill = ""
            arr = arr.astype(object)
        else:
            fill = np.nan
        new = np.full((speeds.size, grades.size, *arr.shape[2:]), fill, dtype=arr.dtype)
        new[np.ix_(si, gi)] = arr
        for c, cs, cg in placed:
            if name in c:
                for a, i in enumerate(cs):
                    for b, j in enumerate(cg):
                        if not ok[i, j]:
                            new[i, j] = c[name].values[a, b]
        if new.dtype == object:
            new = new.astype(str)
        out[str(name)] = (dims, new, var.attrs)
    for c, cs, cg in placed:
        for a, i in enumerate(cs):
            for b, j in enumerate(cg):
                if int(c["cell_status"].values[a, b]) == SOLVED:
                    ok[i, j] = True
    coords = {k: v for k, v in base.coords.items() if k not in ("speed", "grade")}
    coords["speed"] = ("speed", speeds, base["speed"].attrs)
    coords["grade"] = ("grade", grades, base["grade"].attrs)
    return xr.Dataset(out, coords=coords, attrs=base.attrs)


def model_id(base: Any) -> str:
    """What cells solved on demand must share with the atlas: body, model fingerprint, mesh,
    solve function."""
    models = {g: base.table(g).ds.attrs.get("model", "{}") for g in base.gaits}
    key = json.dumps(
        {"mass": base.mass_kg, "height": base.height_m, "models": models,
         "solve_fn": base.provenance.get("solve_fn")},
        sort_keys=True,
    )  # fmt: skip
    return hashlib.sha256(key.encode()).hexdigest()[:16]
