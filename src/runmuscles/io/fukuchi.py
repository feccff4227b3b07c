"""The processed tables of the Fukuchi 2017 running dataset (``RBDSnnnprocessed.txt``).

Fukuchi, Fukuchi & Duarte 2017, "A public dataset of running biomechanics and the effects of running
speed on lower extremity kinematics and kinetics", PeerJ 5:e3298 (CC BY 4.0). Each file holds one
runner's mean stride at 2.5, 3.5 and 4.5 m/s on a treadmill: 101 samples (``PercGcycle`` 0..100 %),
columns ``<side><joint><quantity><axis><speed>`` such as ``RkneeAngZ35``. Each side is normalised
to its OWN stride (0 % = that foot's strike); Z is the sagittal axis.

Column -> Motion (``s`` = R/L -> ``_r``/``_l``; mass m from ``RBDSinfo.txt``):

===================  =================  ======  ===============================================
column               Motion field       factor  sign evidence (runner RBDS001, 3.5 m/s)
===================  =================  ======  ===============================================
shipAngZ (deg)       hip_s (rad)        +DEG    +39 deg at strike, -5 deg at toe-off (extended),
                                                +53 deg in swing: positive = flexion
skneeAngZ (deg)      knee_s (rad)       +DEG    +16 deg at strike, +42 deg mid-stance, +99 deg
                                                peak in swing: positive = flexion
sankleAngZ (deg)     ankle_s (rad)      +DEG    -8 deg at (forefoot) strike, +22 deg in mid-
                                                stance, -28 deg after toe-off: + = dorsiflexion
shipMomZ (N m/kg)    moments hip_s      +m      power identity below; -1.0 N m/kg at strike =
                                                hip extensor moment
skneeMomZ (N m/kg)   moments knee_s     -m      +2.8 N m/kg mid-stance in the file = extensor
                                                (quadriceps) moment -> negative in the model
sankleMomZ (N m/kg)  moments ankle_s    -m      +2.4 N m/kg in stance = plantarflexor moment ->
                                                negative in the model (dorsiflexion +)
sgrfY (N/kg)         grf[s].fy (N)      +m      peak +23.5 N/kg = 2.4 BW: positive = up
sgrfX (N/kg)         grf[s].fx (N)      +m      -2.6 N/kg early stance (braking), +2.9 late
                                                (push-off): positive = forward
shipPow etc. (W/kg)  extra power_<j>_s  +m      W (joint power as given by the dataset)
===================  =================  ======  ===============================================

Power identity: joint power = moment x angular velocity. With the model signs above, knee and ankle
power correlate with moment x d(angle)/dt at r >= 0.995 at every speed (hip: r = 0.7-0.93, its
power includes the other planes); with the file's own moment signs they would anticorrelate.

Stride time: the table is time-normalised and the metadata holds no cadence. Vertical GRF cannot
give it either (mean vertical GRF = body weight holds for any stride time), so the stride time T is
fitted from the same power identity: P = M * (d theta / d phi) / T, phi = stride fraction, least
squares over knee and ankle of both sides. RBDS001 gives T = 0.755, 0.695, 0.650 s (158, 173,
185 steps/min) at 2.5, 3.5, 4.5 m/s. Pass ``stride_time=`` to override.

The left side is shifted by half a stride (its strike put at 50 % of the right stride, assuming a
symmetric gait; recorded as a warning). GRF is NaN in the file outside stance (below the force
threshold) and set to 0 N there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from runmuscles.errors import FileFormatError, InputError, OutOfRangeError
from runmuscles.io.motion import GroundForce, Motion
from runmuscles.units import DEG, LENGTH_UNITS

__all__ = ["SPEEDS", "read_fukuchi", "read_fukuchi_info"]

Array = npt.NDArray[np.float64]

#: speed (m/s) -> column suffix
SPEEDS: dict[float, str] = {2.5: "25", 3.5: "35", 4.5: "45"}
#: joint -> moment sign (file -> model), from the sign evidence in the module docstring
_MOMENT_SIGN = {"hip": 1.0, "knee": -1.0, "ankle": -1.0}
_SOURCE = "Fukuchi, Fukuchi & Duarte 2017, PeerJ 5:e3298 (CC BY 4.0)"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise FileFormatError(f"{path}: empty file")
    return lines[0].split("\t"), [ln.split("\t") for ln in lines[1:]]


def _table(path: Path) -> dict[str, Array]:
    labels, rows = _rows(path)
    labels = [s.strip() for s in labels]
    if labels[0] != "PercGcycle":
        raise FileFormatError(
            f"{path}: not a Fukuchi 2017 processed table (first column {labels[0][:30]!r}, "
            "expected 'PercGcycle')"
        )
    values = []
    for i, row in enumerate(rows, start=2):
        if len(row) != len(labels):
            raise FileFormatError(
                f"{path}: line {i} has {len(row)} values for {len(labels)} columns; the file is "
                "truncated or damaged"
            )
        try:
            values.append([float(x) for x in row])
        except ValueError:
            raise FileFormatError(f"{path}: line {i} holds a value that is not a number") from None
    if len(values) < 2:
        raise FileFormatError(f"{path}: fewer than two data rows; the file is truncated")
    data = np.array(values, dtype=np.float64)
    table = {label: data[:, j] for j, label in enumerate(labels)}
    phase = table["PercGcycle"]
    if not np.all(np.isfinite(phase)) or np.any(np.diff(phase) <= 0):
        raise FileFormatError(f"{path}: PercGcycle is not finite and strictly increasing")
    if phase[0] != 0 or phase[-1] != 100:
        raise FileFormatError(
            f"{path}: PercGcycle must run from 0 to 100 %, found "
            f"{phase[0]:g}..{phase[-1]:g} (the file is truncated)"
        )
    return table


def read_fukuchi_info(path: str | Path, subject: int) -> dict[str, str]:
    """The metadata row of one subject in ``RBDSinfo.txt`` (column name -> text)."""
    path = Path(path)
    labels, rows = _rows(path)
    labels = [s.strip() for s in labels]
    if "Subject" not in labels or "Mass" not in labels:
        raise FileFormatError(f"{path}: not an RBDSinfo table (no 'Subject' and 'Mass' columns)")
    k = labels.index("Subject")
    for row in rows:
        if len(row) > k and row[k].strip() == str(subject):
            return dict(zip(labels, (s.strip() for s in row), strict=False))
    raise InputError(f"{path}: subject {subject} is not listed; pass body_mass= instead")


def _column(table: dict[str, Array], name: str, path: Path) -> Array:
    if name not in table:
        raise FileFormatError(
            f"{path}: column {name!r} is missing; a Fukuchi processed table has Z (sagittal) "
            "angles, moments, powers and grfX/grfY for both sides at every speed"
        )
    return table[name]


def _half_shift(values: Array) -> Array:
    """Move a periodic 101-sample curve (last = first) by half a stride."""
    n = values.size - 1
    out = np.roll(values[:n], n // 2)
    return np.append(out, out[0])


def _stride_time(x: list[Array], power: list[Array]) -> tuple[float, float]:
    """Fit P = x / T (least squares): returns (T in s, correlation r)."""
    xs, ps = np.concatenate(x), np.concatenate(power)
    ok = np.isfinite(xs) & np.isfinite(ps)
    xs, ps = xs[ok], ps[ok]
    return float(xs @ xs / (xs @ ps)), float(np.corrcoef(xs, ps)[0, 1])


def read_fukuchi(
    path: str | Path,
    speed: float,
    *,
    info: str | Path | None = None,
    body_mass: float | None = None,
    stride_time: float | None = None,
) -> Motion:
    """Read one speed of a Fukuchi 2017 processed table as a one-stride :class:`Motion`.

    Args:
        path: ``RBDSnnnprocessed.txt``.
        speed: treadmill speed, m/s: 2.5, 3.5 or 4.5.
        info: ``RBDSinfo.txt`` (default: next to ``path``) for body mass, height, strike pattern.
        body_mass: kg; overrides the info file (needed when it is absent).
        stride_time: s; overrides the power-identity fit (module docstring).

    Returns a Motion over one right stride (time 0 = right foot strike, 101 samples) with hip, knee
    and ankle angles (rad) and moments (N m) of both sides, GRF (N) of both feet, joint powers (W)
    in ``extra``, and the stride-time fit in ``metadata``.
    """
    path = Path(path)
    suffix = next((v for k, v in SPEEDS.items() if abs(float(speed) - k) < 1e-9), None)
    if suffix is None:
        raise OutOfRangeError(
            f"speed {speed} m/s is not in the Fukuchi table {path.name}; choose 2.5, 3.5 or 4.5"
        )
    table = _table(path)
    metadata: dict[str, Any] = {"format": "fukuchi2017", "dataset": _SOURCE}
    m = re.search(r"RBDS0*(\d+)", path.name)
    if m:
        metadata["subject"] = int(m.group(1))
    if body_mass is None:
        info_path = Path(info) if info is not None else path.parent / "RBDSinfo.txt"
        if "subject" not in metadata or not info_path.exists():
            raise InputError(
                f"{path}: body mass unknown (no RBDSinfo.txt next to it or no subject number in "
                "the file name); pass body_mass= in kg or info= the RBDSinfo.txt path"
            )
        row = read_fukuchi_info(info_path, metadata["subject"])
        try:
            body_mass = float(row["Mass"])
            metadata["height_m"] = float(row["Height"]) * LENGTH_UNITS["cm"]
        except (KeyError, ValueError):
            raise FileFormatError(
                f"{info_path}: Mass/Height of subject {metadata['subject']} are not numbers"
            ) from None
        for side in "RL":
            strike = row.get(f"{side}FSI{suffix}")
            if strike:
                metadata[f"foot_strike_{side.lower()}"] = strike
    if not (np.isfinite(body_mass) and body_mass > 0):
        raise InputError(f"body_mass must be a positive number of kg, got {body_mass}")
    mass = float(body_mass)
    phase = table["PercGcycle"] / 100.0
    coords: dict[str, Array] = {}
    moments: dict[str, Array] = {}
    extra: dict[str, Array] = {}
    grf: dict[str, GroundForce] = {}
    xs: list[Array] = []
    ps: list[Array] = []
    warnings: list[str] = []
    for side in "RL":
        s = side.lower()
        shift = _half_shift if side == "L" else (lambda v: v)
        for joint, sign in _MOMENT_SIGN.items():
            angle = DEG * _column(table, f"{side}{joint}AngZ{suffix}", path)
            moment = sign * mass * _column(table, f"{side}{joint}MomZ{suffix}", path)
            power = mass * _column(table, f"{side}{joint}Pow{suffix}", path)
            if joint != "hip":  # sagittal-dominated joints: used for the stride time fit
                xs.append(moment * np.gradient(angle, phase))
                ps.append(power)
            coords[f"{joint}_{s}"] = shift(angle)
            moments[f"{joint}_{s}"] = shift(moment)
            extra[f"power_{joint}_{s}"] = shift(power)
        fx = mass * _column(table, f"{side}grfX{suffix}", path)
        fy = mass * _column(table, f"{side}grfY{suffix}", path)
        metadata[f"stance_fraction_{s}"] = float(np.isfinite(fy[:-1]).mean())
        grf[s] = GroundForce(shift(np.nan_to_num(fx)), shift(np.nan_to_num(fy)))
    fitted, r = _stride_time(xs, ps)
    metadata["stride_time_fit_s"] = fitted
    metadata["stride_time_fit_r"] = r
    if stride_time is None:
        if not (0.3 < fitted < 1.5) or r < 0.95:
            raise FileFormatError(
                f"{path}: the stride time cannot be fitted from joint powers (T = {fitted:.3g} s, "
                f"r = {r:.3f}); pass stride_time= in s"
            )
        stride_time = fitted
        metadata["stride_time_method"] = "power = moment x angular velocity, knee and ankle fit"
    else:
        if not (np.isfinite(stride_time) and stride_time > 0):
            raise InputError(f"stride_time must be a positive number of s, got {stride_time}")
        metadata["stride_time_method"] = "given"
    metadata["stride_time_s"] = float(stride_time)
    metadata["step_frequency_hz"] = 2.0 / float(stride_time)  # two steps per stride
    metadata["extra_units"] = {name: "W" for name in extra}
    warnings.append(
        "left side shifted by half a stride (the table normalises each side to its own strike; "
        "a symmetric gait is assumed)"
    )
    return Motion(
        time=phase * float(stride_time),
        coordinates=coords,
        moments=moments,
        grf=grf,
        extra=extra,
        body_mass=mass,
        speed=float(speed),
        metadata=metadata,
        warnings=tuple(warnings),
        source=str(path),
    )
