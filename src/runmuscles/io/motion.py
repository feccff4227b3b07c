"""``Motion``: measured movement in SI units and the model's conventions.

Every motion reader (OpenSim ``.mot``/``.sto``/``.trc``, C3D, the Fukuchi 2017 table) returns a
:class:`Motion`. Conversions to SI and to the model's sign conventions happen in the readers; code
that consumes a ``Motion`` never converts.

Conventions (planar sagittal model seen from the runner's right side, x forward, y up, angles
counter-clockwise positive except the knee):

============  ====  ==========================================================
DOF           unit  positive direction
============  ====  ==========================================================
pelvis_tx     m     pelvis origin forward
pelvis_ty     m     pelvis origin up
pelvis_tilt   rad   posterior (backward) tilt, CCW
lumbar        rad   trunk extension (backward), CCW
hip_r/_l      rad   flexion
knee_r/_l     rad   FLEXION (clockwise; 0 = straight)
ankle_r/_l    rad   dorsiflexion
mtp_r/_l      rad   toe dorsiflexion (toes up)
shoulder_r/_l rad   flexion (arm forward)
elbow_r/_l    rad   flexion
============  ====  ==========================================================

Joint moments are generalised forces in the same sign convention (N m; N for translations).
Ground reaction forces act on the body: ``fx`` fore-aft (+ forward), ``fy`` vertical (+ up), in N;
``cop_x`` is the centre of pressure along x in m when known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from runmuscles.conventions import DOFS
from runmuscles.errors import InputError, UnknownNameError

__all__ = ["DOFS", "GroundForce", "Motion"]


Array = npt.NDArray[np.float64]
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen(values: Any, name: str, shape: tuple[int, ...]) -> Array:
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: values are not numbers ({exc})") from None
    if arr.shape != shape:
        raise InputError(f"{name}: shape {arr.shape} does not match the time axis {shape}")
    arr.setflags(write=False)
    return arr


def _same(a: Array | None, b: Array | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


@dataclass(frozen=True, eq=False)
class GroundForce:
    """Ground reaction force on one foot (or one force plate), acting on the body.

    ``fx`` fore-aft (N, + forward), ``fy`` vertical (N, + up), ``cop_x`` centre of pressure along
    the forward axis (m) or ``None`` when the source does not give it. Arrays share the motion's
    time axis.
    """

    fx: Array
    fy: Array
    cop_x: Array | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroundForce):
            return NotImplemented
        return (
            _same(self.fx, other.fx) and _same(self.fy, other.fy) and _same(self.cop_x, other.cop_x)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class Motion:
    """Measured motion: time first, SI units, model DOF names and sign conventions.

    Attributes:
        time: sample times (s), shape (N,), strictly increasing.
        coordinates: DOF name (see :data:`DOFS`) -> values, shape (N,), rad or m.
        moments: DOF name -> net joint moment (N m; N for translations), same sign convention.
        grf: side ("r", "l"; or "plate1", ... when the source does not say which foot) ->
            :class:`GroundForce` in N (and m).
        markers: marker name -> positions, shape (N, 3), m, in the source's laboratory frame.
        extra: source columns that have no model DOF, name -> values (N,), with the unit given in
            ``metadata["extra_units"]`` when known.
        body_mass: kg, when known.
        speed: running speed, m/s, when known.
        metadata: free-form facts about the source (strings and numbers).
        warnings: things the reader had to assume or repair; show them to the user.
        source: the file it came from.

    Arrays are read-only copies. ``==`` compares the data (time, coordinates, moments, grf,
    markers, extra, body mass, speed), not metadata, warnings or source.
    """

    time: Array
    coordinates: Mapping[str, Array] = field(default_factory=lambda: _EMPTY)
    moments: Mapping[str, Array] = field(default_factory=lambda: _EMPTY)
    grf: Mapping[str, GroundForce] = field(default_factory=lambda: _EMPTY)
    markers: Mapping[str, Array] = field(default_factory=lambda: _EMPTY)
    extra: Mapping[str, Array] = field(default_factory=lambda: _EMPTY)
    body_mass: float | None = None
    speed: float | None = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    warnings: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        time = np.array(self.time, dtype=np.float64)
        if time.ndim != 1 or time.size == 0:
            raise InputError(f"time must be a non-empty 1-D array, got shape {time.shape}")
        if not np.all(np.isfinite(time)) or np.any(np.diff(time) <= 0):
            raise InputError("time must be finite and strictly increasing (s)")
        time.setflags(write=False)
        n = (time.size,)
        set_ = object.__setattr__
        set_(self, "time", time)
        for kind in ("coordinates", "moments"):
            values = getattr(self, kind)
            for name in values:
                if name not in DOFS:
                    raise UnknownNameError(
                        f"{kind}: {name!r} is not a model DOF; use one of {', '.join(DOFS)}"
                    )
            set_(
                self,
                kind,
                MappingProxyType({k: _frozen(v, f"{kind}[{k!r}]", n) for k, v in values.items()}),
            )
        grf = {}
        for side, g in self.grf.items():
            if not isinstance(g, GroundForce):
                raise InputError(f"grf[{side!r}] must be a GroundForce")
            cop = None if g.cop_x is None else _frozen(g.cop_x, f"grf[{side!r}].cop_x", n)
            fx = _frozen(g.fx, f"grf[{side!r}].fx", n)
            fy = _frozen(g.fy, f"grf[{side!r}].fy", n)
            grf[side] = GroundForce(fx, fy, cop)
        set_(self, "grf", MappingProxyType(grf))
        markers = {k: _frozen(v, f"markers[{k!r}]", (*n, 3)) for k, v in self.markers.items()}
        set_(self, "markers", MappingProxyType(markers))
        extra = {k: _frozen(v, f"extra[{k!r}]", n) for k, v in self.extra.items()}
        set_(self, "extra", MappingProxyType(extra))
        set_(self, "metadata", MappingProxyType(dict(self.metadata)))
        set_(self, "warnings", tuple(self.warnings))
        for name in ("body_mass", "speed"):
            value = getattr(self, name)
            if value is not None:
                value = float(value)
                if not np.isfinite(value) or value < 0 or (name == "body_mass" and value == 0):
                    raise InputError(f"{name} must be a positive number, got {value}")
                set_(self, name, value)

    @property
    def n_frames(self) -> int:
        """Number of samples."""
        return int(self.time.size)

    @property
    def duration(self) -> float:
        """Last minus first sample time (s)."""
        return float(self.time[-1] - self.time[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Motion):
            return NotImplemented
        if not _same(self.time, other.time):
            return False
        for kind in ("coordinates", "moments", "markers", "extra"):
            mine, theirs = getattr(self, kind), getattr(other, kind)
            if mine.keys() != theirs.keys():
                return False
            if not all(_same(mine[k], theirs[k]) for k in mine):
                return False
        if self.grf.keys() != other.grf.keys():
            return False
        if any(self.grf[k] != other.grf[k] for k in self.grf):
            return False
        return self.body_mass == other.body_mass and self.speed == other.speed

    __hash__ = None  # type: ignore[assignment]
