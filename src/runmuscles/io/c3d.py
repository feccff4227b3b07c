"""C3D motion-capture files (markers and force platforms) via the optional ``ezc3d`` package.

Install it with ``pip install 'runmuscles[mocap]'``; it is imported only when a C3D file is read.

Conversions:

* markers: ``POINT:UNITS`` (m, cm, mm) -> m; invalid samples are NaN; positions stay in the file's
  laboratory frame; ``time = (first_frame + i) / POINT:RATE`` s (0-based first frame).
* force platforms (``FORCE_PLATFORM`` group, decoded by ezc3d into lab-frame force and centre of
  pressure at the analog rate): sampled at the marker frames (every analog-per-frame-th sample),
  then mapped to the sagittal model with ``vertical`` (default ``"+z"``, the usual C3D lab frame)
  -> ``fy`` and ``forward`` (default ``"+x"``) -> ``fx`` and ``cop_x`` (``FORCE_PLATFORM`` position
  unit -> m). The ground reaction force on a runner points up during contact; if the mapped vertical
  force is mostly negative (the file stores the force on the plate) all components are negated and
  a warning says so. Plates are named ``plate1``, ``plate2``, ... unless ``sides=("r", "l")`` names
  the foot on each plate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from runmuscles.errors import FileFormatError, InputError
from runmuscles.io.motion import GroundForce, Motion
from runmuscles.units import length_factor

__all__ = ["read_c3d"]

Array = npt.NDArray[np.float64]
_AXES = {"x": 0, "y": 1, "z": 2}


def _axis(text: str, name: str) -> tuple[int, float]:
    t = text.strip().lower()
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.lstrip("+-")
    if t not in _AXES:
        raise InputError(f"{name}={text!r} is not an axis; use '+x', '-x', '+y', '-y', '+z', '-z'")
    return _AXES[t], sign


def _load(path: Path) -> Any:
    try:
        import ezc3d
    except ImportError:
        raise FileFormatError(
            f"{path}: reading C3D files needs the optional package ezc3d; install it with "
            "pip install 'runmuscles[mocap]'"
        ) from None
    try:
        head = path.read_bytes()[:2]
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(head) < 2 or head[1] != 0x50:
        raise FileFormatError(f"{path}: not a C3D file (byte 2 of a C3D file is 0x50)")
    try:
        return ezc3d.c3d(str(path), extract_forceplat_data=True)
    except Exception as exc:  # ezc3d raises assorted errors on corrupt files
        raise FileFormatError(f"{path}: corrupt or truncated C3D file ({exc})") from None


def _param(c3d: Any, group: str, name: str, default: Any = None) -> Any:
    try:
        return c3d["parameters"][group][name]["value"]
    except KeyError:
        return default


def read_c3d(
    path: str | Path,
    *,
    vertical: str = "+z",
    forward: str = "+x",
    sides: Sequence[str] | None = None,
) -> Motion:
    """Read markers and force platforms of a C3D file into a :class:`Motion` (module docstring)."""
    path = Path(path)
    iv, sv = _axis(vertical, "vertical")
    ifw, sf = _axis(forward, "forward")
    if iv == ifw:
        raise InputError(f"vertical={vertical!r} and forward={forward!r} name the same axis")
    c3d = _load(path)
    warnings: list[str] = []
    points = np.asarray(c3d["data"]["points"], dtype=np.float64)
    labels = [str(s).strip() for s in _param(c3d, "POINT", "LABELS", [])]
    rate = float(c3d["header"]["points"]["frame_rate"])
    if points.ndim != 3 or points.shape[2] == 0 or rate <= 0:
        raise FileFormatError(f"{path}: the C3D file holds no marker frames")
    n_frames = points.shape[2]
    units = _param(c3d, "POINT", "UNITS", ["mm"])
    unit = units[0] if isinstance(units, list | tuple) and units else str(units or "mm")
    try:
        scale = length_factor(unit)
    except InputError as exc:
        raise FileFormatError(f"{path}: POINT:UNITS: {exc}") from None
    markers: dict[str, Array] = {}
    for i in range(points.shape[1]):
        name = labels[i] if i < len(labels) and labels[i] else f"marker{i + 1}"
        if name in markers:
            name = f"{name}#{i + 1}"
        markers[name] = scale * points[:3, i, :].T
    first = int(c3d["header"]["points"]["first_frame"])
    time = (first + np.arange(n_frames)) / rate
    grf: dict[str, GroundForce] = {}
    plates = c3d["data"].get("platform", []) if hasattr(c3d["data"], "get") else []
    names = list(sides) if sides is not None else [f"plate{k + 1}" for k in range(len(plates))]
    if len(names) != len(plates):
        raise InputError(
            f"sides={tuple(names)} names {len(names)} plates; the file has {len(plates)}"
        )
    if plates and sides is None:
        warnings.append(
            "force plates are named plate1, plate2, ...; pass sides=('r', 'l') to "
            "say which foot was on which plate"
        )
    for name, pf in zip(names, plates, strict=True):
        force = np.asarray(pf["force"], dtype=np.float64)
        cop = np.asarray(pf["center_of_pressure"], dtype=np.float64)
        if str(pf["unit_force"]).strip() != "N":
            raise FileFormatError(f"{path}: force plate unit {pf['unit_force']!r}; expected N")
        per_frame = max(1, force.shape[1] // n_frames)
        idx = np.arange(n_frames) * per_frame
        if force.shape[1] < idx[-1] + 1:
            raise FileFormatError(f"{path}: force plate {name} has fewer samples than frames")
        fy, fx = sv * force[iv, idx], sf * force[ifw, idx]
        loaded = np.abs(fy) > 0.05 * np.nanmax(np.abs(fy)) if np.any(fy) else fy != 0
        if np.any(loaded) and np.nanmean(fy[loaded]) < 0:
            fy, fx = -fy, -fx
            warnings.append(
                f"{name}: vertical force was negative (force on the plate); negated to "
                "the ground reaction force on the runner"
            )
        cop_x = sf * length_factor(str(pf["unit_position"])) * cop[ifw, idx]
        grf[name] = GroundForce(fx, fy, cop_x)
    return Motion(
        time=time,
        grf=grf,
        markers=markers,
        metadata={"format": "c3d", "rate_hz": rate, "units": unit, "n_plates": len(plates)},
        warnings=tuple(warnings),
        source=str(path),
    )
