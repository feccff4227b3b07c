"""OpenSim files: ``.mot``/``.sto`` (coordinates, moments, ground reaction forces) and ``.trc``.

``.mot``/``.sto``: a header of ``key=value`` lines (``version=1`` or ``version=3`` styles, old
``name``/``datacolumns``/``datarows``/``range`` lines) closed by ``endheader``, then a line of
column labels (first ``time``) and rows of numbers, tab or space separated. ``inDegrees=yes``
converts the rotational coordinates (not translations, moments or forces) from degrees to radians;
a file without ``inDegrees`` is assumed to be in degrees (OpenSim's ``.mot`` default), with a
warning.

Column -> model DOF (COMMON conventions), for both sides (``_r``/``_l``):

=======================  =============  =====  =================================================
OpenSim column           DOF            sign   note
=======================  =============  =====  =================================================
pelvis_tx, pelvis_ty     pelvis_tx/ty   +1     m, never converted
pelvis_tilt              pelvis_tilt    +1     + = CCW about the lateral axis = posterior tilt
lumbar_extension         lumbar         +1     + = trunk extension
hip_flexion_r            hip_r          +1     + = flexion
knee_angle_r             knee_r         -1     gait2392/gait10dof: flexion negative -> flipped;
                                               Rajagopal-style files (flexion positive) are
                                               detected (values > +20 deg) and kept, with a
                                               warning; ``knee_flexion_sign=+1/-1`` in the
                                               header overrides the detection
ankle_angle_r            ankle_r        +1     + = dorsiflexion
mtp_angle_r              mtp_r          +1     + = toe extension (toes up)
arm_flex_r               shoulder_r     +1     + = flexion
elbow_flex_r             elbow_r        +1     + = flexion
<column>_moment/_force   moments[DOF]   as     inverse-dynamics output, N m (N)
                                        above
=======================  =============  =====  =================================================

Model DOF names themselves (``hip_r``, ...) are accepted unchanged (sign +1), and so are Moco state
paths (``/jointset/knee_r/knee_angle_r/value`` -> ``knee_angle_r``; ``/speed`` columns and
other paths go to ``extra``). Ground reaction
force columns ``ground_force_r_vx`` / ``r_ground_force_vx`` / ``R_ground_force_vx`` (and ``_l``),
or the unsided ``ground_force_vx`` (first plate -> "r") and ``1_ground_force_vx`` (second plate ->
"l", with a warning): ``vx`` -> ``fx`` (N, + forward), ``vy`` -> ``fy`` (N, + up), ``px`` ->
``cop_x`` (m); ``vz``, ``py``, ``pz`` and torques have no place in the sagittal model and are kept
in ``extra``. Other unmapped columns also go to ``extra`` unchanged.

``.trc``: marker trajectories; ``Units`` from the header (m, cm, mm) converted to m; missing
markers (empty fields) become NaN. Positions stay in the file's laboratory frame.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from runmuscles.conventions import DOFS, TRANSLATIONS
from runmuscles.errors import FileFormatError, InputError
from runmuscles.io.motion import GroundForce, Motion
from runmuscles.units import DEG, length_factor

__all__ = ["Table", "read_opensim", "read_table", "read_trc", "write_sto"]

Array = npt.NDArray[np.float64]

#: OpenSim coordinate name (right side; left by swapping the suffix) -> (model DOF, sign).
_COORDS: dict[str, tuple[str, float]] = {
    "pelvis_tx": ("pelvis_tx", 1.0),
    "pelvis_ty": ("pelvis_ty", 1.0),
    "pelvis_tilt": ("pelvis_tilt", 1.0),
    "lumbar_extension": ("lumbar", 1.0),
}
for _s in ("r", "l"):
    _COORDS |= {
        f"hip_flexion_{_s}": (f"hip_{_s}", 1.0),
        f"knee_angle_{_s}": (f"knee_{_s}", -1.0),
        f"ankle_angle_{_s}": (f"ankle_{_s}", 1.0),
        f"mtp_angle_{_s}": (f"mtp_{_s}", 1.0),
        f"arm_flex_{_s}": (f"shoulder_{_s}", 1.0),
        f"elbow_flex_{_s}": (f"elbow_{_s}", 1.0),
    }
_COORDS |= {dof: (dof, 1.0) for dof in DOFS}
#: model DOF -> OpenSim name used when writing.
_TO_OPENSIM: dict[str, str] = {dof: name for name, (dof, _) in _COORDS.items() if name != dof}

_GRF_RE = re.compile(
    r"^(?:(?P<pre>r|l|right|left)_)?(?:(?P<plate>\d+)_)?ground_force(?:_(?P<post>r|l))?"
    r"_(?P<kind>v|p)(?P<axis>[xyz])$",
    re.IGNORECASE,
)
_KNEE_POSITIVE_LIMIT = 20.0 * DEG  # a knee cannot hyperextend this far: such values are flexion


class Table:
    """A parsed ``.mot``/``.sto`` file: header (key -> value text), column labels, data (rows)."""

    def __init__(self, header: dict[str, str], labels: list[str], data: Array) -> None:
        self.header = header
        self.labels = labels
        self.data = data

    def column(self, label: str) -> Array:
        """Values of one column."""
        return self.data[:, self.labels.index(label)]


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in raw[:4096]:
        raise FileFormatError(f"{path}: is a binary file, not an OpenSim text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _split(line: str) -> list[str]:
    return [s.strip() for s in line.split("\t")] if "\t" in line else line.split()


def _number(text: str, path: Path, lineno: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise FileFormatError(
            f"{path}: line {lineno}: {text[:30]!r} is not a number; the file is damaged or not an "
            "OpenSim table"
        ) from None


def read_table(path: str | Path) -> Table:
    """Parse an OpenSim ``.mot``/``.sto`` file without interpreting its columns.

    Raises :class:`FileFormatError` naming the file and the line for a missing ``endheader``, a
    missing ``time`` column, a non-numeric value, a short (truncated) row, fewer rows than the
    header's ``nRows``/``datarows``, or time that does not increase.
    """
    path = Path(path)
    lines = _text(path).splitlines()
    end = next((i for i, ln in enumerate(lines) if ln.strip().lower() == "endheader"), None)
    if end is None:
        raise FileFormatError(
            f"{path}: no 'endheader' line; an OpenSim .mot/.sto file needs a header closed by "
            "'endheader' (export it again from OpenSim)"
        )
    header: dict[str, str] = {}
    for ln in lines[:end]:
        if "=" in ln:
            key, _, value = ln.partition("=")
            header[key.strip()] = value.strip()
        else:
            parts = ln.split(None, 1)
            if len(parts) == 2 and parts[0] in {"name", "datacolumns", "datarows", "range"}:
                header[parts[0]] = parts[1].strip()
    body = [(i + 1, ln) for i, ln in enumerate(lines[end + 1 :], start=end + 1) if ln.strip()]
    if not body:
        raise FileFormatError(f"{path}: no column labels after 'endheader'; the file is truncated")
    label_line, label_text = body[0]
    labels = _split(label_text)
    if labels[0].lower() != "time":
        raise FileFormatError(
            f"{path}: line {label_line}: the first column is {labels[0][:30]!r}, expected 'time'"
        )
    if len(set(labels)) != len(labels):
        dup = sorted({s for s in labels if labels.count(s) > 1})
        raise FileFormatError(f"{path}: duplicate column labels {dup}; rename them")
    rows = []
    for lineno, ln in body[1:]:
        fields = ln.split()
        if len(fields) != len(labels):
            raise FileFormatError(
                f"{path}: line {lineno} has {len(fields)} values for {len(labels)} columns; the "
                "file is truncated or damaged"
            )
        rows.append([_number(f, path, lineno) for f in fields])
    if not rows:
        raise FileFormatError(f"{path}: no data rows after the column labels")
    for key in ("nRows", "datarows"):
        if key in header:
            try:
                expected = int(header[key])
            except ValueError:
                raise FileFormatError(
                    f"{path}: header {key}={header[key]!r} is not a number"
                ) from None
            if expected > len(rows):
                raise FileFormatError(
                    f"{path}: header says {key}={expected} but only {len(rows)} rows were found; "
                    "the file is truncated"
                )
    data = np.array(rows, dtype=np.float64)
    time = data[:, 0]
    if not np.all(np.isfinite(time)) or np.any(np.diff(time) <= 0):
        raise FileFormatError(f"{path}: the time column is not finite and strictly increasing")
    return Table(header, labels, data)


def _yes(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in {"yes", "true", "1"} else False if v in {"no", "false", "0"} else None


def _float_header(header: Mapping[str, str], key: str, path: Path) -> float | None:
    if key not in header:
        return None
    try:
        return float(header[key])
    except ValueError:
        raise FileFormatError(f"{path}: header {key}={header[key]!r} is not a number") from None


def read_opensim(path: str | Path) -> Motion:
    """Read an OpenSim ``.mot``/``.sto`` file into a :class:`Motion` (see the module table).

    Header keys ``body_mass`` (kg) and ``speed`` (m/s), as written by :func:`write_sto`, are read
    back when present.
    """
    path = Path(path)
    table = read_table(path)
    warnings: list[str] = []
    in_deg = _yes(table.header.get("inDegrees", ""))
    if in_deg is None:
        in_deg = True
        warnings.append(
            "no 'inDegrees' in the header: angles assumed in degrees (OpenSim's .mot default); "
            "add 'inDegrees=no' to the header if they are radians"
        )
    coords: dict[str, Array] = {}
    moments: dict[str, Array] = {}
    grf_parts: dict[str, dict[str, Array]] = {}
    extra: dict[str, Array] = {}
    knee_sign = _knee_sign(table, in_deg, path, warnings)
    for j, label in enumerate(table.labels[1:], start=1):
        values = table.data[:, j]
        label = _plain(label)
        base, is_moment = label, False
        for suffix in ("_moment", "_force"):
            if label.endswith(suffix) and label.removesuffix(suffix) in _COORDS:
                base, is_moment = label.removesuffix(suffix), True
        m = _GRF_RE.match(label)
        if base in _COORDS:
            dof, sign = _COORDS[base]
            if base.startswith("knee_angle_"):
                sign = knee_sign
            target = moments if is_moment else coords
            if dof in target:
                raise FileFormatError(f"{path}: two columns map to {dof!r} (one is {label!r})")
            scale = DEG if (in_deg and not is_moment and dof not in TRANSLATIONS) else 1.0
            target[dof] = sign * scale * values
        elif m and (m["kind"].lower(), m["axis"].lower()) in {("v", "x"), ("v", "y"), ("p", "x")}:
            side = _grf_side(m, warnings)
            key = {"vx": "fx", "vy": "fy", "px": "cop_x"}[m["kind"].lower() + m["axis"].lower()]
            grf_parts.setdefault(side, {})[key] = values
        else:
            extra[label] = values
    grf = {}
    for side, parts in grf_parts.items():
        if "fx" not in parts or "fy" not in parts:
            raise FileFormatError(
                f"{path}: ground reaction force of side {side!r} lacks its "
                f"{'vx' if 'fx' not in parts else 'vy'} column; both vx and vy are needed"
            )
        grf[side] = GroundForce(parts["fx"], parts["fy"], parts.get("cop_x"))
    metadata: dict[str, Any] = {"format": "opensim", "header": dict(table.header)}
    return Motion(
        time=table.column(table.labels[0]),
        coordinates=coords,
        moments=moments,
        grf=grf,
        extra=extra,
        body_mass=_positive(_float_header(table.header, "body_mass", path), "body_mass", path),
        speed=_float_header(table.header, "speed", path),
        metadata=metadata,
        warnings=tuple(dict.fromkeys(warnings)),
        source=str(path),
    )


def _positive(value: float | None, key: str, path: Path) -> float | None:
    if value is not None and not (np.isfinite(value) and value > 0):
        raise FileFormatError(f"{path}: header {key}={value} must be a positive number")
    return value


def _grf_side(m: re.Match[str], warnings: list[str]) -> str:
    side = (m["pre"] or m["post"] or "").lower()[:1]
    if side:
        return side
    plate = int(m["plate"] or 0)
    warnings.append(
        "ground force columns name no foot: 'ground_force_*' taken as the right foot and "
        "'1_ground_force_*' as the left (OpenSim gait2392 example convention)"
    )
    if plate > 1:
        return f"plate{plate + 1}"
    return "r" if plate == 0 else "l"


def _plain(label: str) -> str:
    """``/jointset/knee_r/knee_angle_r/value`` (Moco states) -> ``knee_angle_r``."""
    parts = label.split("/")
    if label.startswith("/jointset/") and len(parts) == 5 and parts[4] == "value":
        return parts[3]
    return label


def _knee_sign(table: Table, in_deg: bool, path: Path, warnings: list[str]) -> float:
    """-1 for gait2392-style knees (flexion negative), +1 for flexion-positive files."""
    given = table.header.get("knee_flexion_sign")
    if given is not None:
        if given.strip() not in {"1", "+1", "-1"}:
            raise FileFormatError(f"{path}: header knee_flexion_sign={given!r}; use +1 or -1")
        return float(given)
    for label in table.labels:
        if _plain(label).startswith("knee_angle_"):
            values = table.column(label) * (DEG if in_deg else 1.0)
            finite = values[np.isfinite(values)]
            if finite.size and np.percentile(finite, 95) > _KNEE_POSITIVE_LIMIT:
                warnings.append(
                    f"{label} is mostly positive: read as flexion-positive (Rajagopal-style "
                    "model); add 'knee_flexion_sign=-1' to the header if flexion is negative"
                )
                return 1.0
    return -1.0


def write_sto(motion: Motion | Mapping[str, Any], path: str | Path) -> Path:
    """Write a :class:`Motion` (or a table: column name -> 1-D values, with ``time`` first) as an
    OpenSim ``.sto`` (version 1 header, ``inDegrees=no``, tab separated, 17 significant digits).

    A Motion is written with OpenSim names and signs (``knee_angle_r`` = -knee flexion, header
    ``knee_flexion_sign=-1``), moments as ``<coordinate>_moment`` (``_force`` for translations),
    ground forces as ``ground_force_<side>_vx/vy/px``, ``extra`` columns unchanged, body mass and
    speed as header keys, so that :func:`read_opensim` returns an equal Motion. Markers are not
    written (use a ``.trc`` for them). Returns the path.
    """
    path = Path(path)
    header: dict[str, str] = {}
    columns: dict[str, Array] = {}
    if isinstance(motion, Motion):
        columns["time"] = motion.time
        for dof, values in motion.coordinates.items():
            name = _TO_OPENSIM.get(dof, dof)
            columns[name] = -values if dof.startswith("knee_") else values
        for dof, values in motion.moments.items():
            name = _TO_OPENSIM.get(dof, dof) + ("_force" if dof in TRANSLATIONS else "_moment")
            columns[name] = -values if dof.startswith("knee_") else values
        for side, g in motion.grf.items():
            columns[f"ground_force_{side}_vx"] = g.fx
            columns[f"ground_force_{side}_vy"] = g.fy
            if g.cop_x is not None:
                columns[f"ground_force_{side}_px"] = g.cop_x
        for name, values in motion.extra.items():
            if name in columns:
                raise InputError(f"extra column {name!r} clashes with a model column; rename it")
            columns[name] = values
        header["knee_flexion_sign"] = "-1"
        if motion.body_mass is not None:
            header["body_mass"] = repr(motion.body_mass)
        if motion.speed is not None:
            header["speed"] = repr(motion.speed)
    else:
        columns = {str(k): np.asarray(v, dtype=np.float64) for k, v in motion.items()}
        if not columns or next(iter(columns)).lower() != "time":
            raise InputError("write_sto: the first column of a table must be 'time'")
    n = len(next(iter(columns.values())))
    for name, values in columns.items():
        if values.shape != (n,):
            raise InputError(
                f"write_sto: column {name!r} has shape {values.shape}, expected ({n},)"
            )
        if any(c.isspace() for c in name) or not name:
            raise InputError(f"write_sto: column name {name!r} must be non-empty without spaces")
    lines = [
        path.stem,
        "version=1",
        f"nRows={n}",
        f"nColumns={len(columns)}",
        "inDegrees=no",
        *(f"{k}={v}" for k, v in header.items()),
        "endheader",
        "\t".join(columns),
    ]
    data = np.column_stack(list(columns.values()))
    lines += ["\t".join(f"{x:.17g}" for x in row) for row in data]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


def read_trc(path: str | Path) -> Motion:
    """Read an OpenSim/Vicon ``.trc`` marker file into a :class:`Motion` with markers in m.

    The ``Units`` header value (m, cm, mm) sets the conversion. Raises :class:`FileFormatError`
    for a wrong header, fewer rows than ``NumFrames`` (truncated) or non-numeric values.
    """
    path = Path(path)
    lines = _text(path).splitlines()
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise FileFormatError(
            f"{path}: not a .trc file (the first line must start with 'PathFileType' and five "
            "header lines are needed)"
        )
    keys, values = _split(lines[1]), _split(lines[2])
    info = dict(zip(keys, values, strict=False))
    for key in ("DataRate", "NumFrames", "NumMarkers", "Units"):
        if key not in info:
            raise FileFormatError(f"{path}: header line 2 lacks {key!r}")
    try:
        n_frames, n_markers = int(info["NumFrames"]), int(info["NumMarkers"])
        rate = float(info["DataRate"])
    except ValueError:
        raise FileFormatError(f"{path}: NumFrames/NumMarkers/DataRate are not numbers") from None
    try:
        scale = length_factor(info["Units"])
    except InputError as exc:
        raise FileFormatError(f"{path}: {exc}") from None
    names = [s for s in lines[3].split("\t")[2:] if s.strip()]
    names = [s.strip() for s in names]
    if len(names) != n_markers:
        raise FileFormatError(
            f"{path}: NumMarkers={n_markers} but {len(names)} marker names on line 4"
        )
    width = 2 + 3 * n_markers
    rows = []
    for lineno, ln in enumerate(lines[5:], start=6):
        if not ln.strip():
            continue
        fields = ln.rstrip("\r\n").split("\t") if "\t" in ln else ln.split()
        if len(fields) > width:
            raise FileFormatError(f"{path}: line {lineno} has more values than {n_markers} markers")
        fields += [""] * (width - len(fields))
        rows.append([np.nan if not f.strip() else _number(f, path, lineno) for f in fields])
    if len(rows) < n_frames:
        raise FileFormatError(
            f"{path}: header says NumFrames={n_frames} but {len(rows)} rows were found; the file "
            "is truncated"
        )
    data = np.array(rows, dtype=np.float64).reshape(len(rows), width)
    time = data[:, 1]
    if not np.all(np.isfinite(time)) or np.any(np.diff(time) <= 0):
        raise FileFormatError(f"{path}: the Time column is not finite and strictly increasing")
    markers = {name: scale * data[:, 2 + 3 * i : 5 + 3 * i] for i, name in enumerate(names)}
    warnings = []
    if len(rows) > n_frames:
        warnings.append(f"header says NumFrames={n_frames}, {len(rows)} rows read")
    return Motion(
        time=time,
        markers=markers,
        metadata={"format": "trc", "rate_hz": rate, "units": info["Units"]},
        warnings=tuple(warnings),
        source=str(path),
    )
