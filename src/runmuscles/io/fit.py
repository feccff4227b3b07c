"""FIT reader (Garmin/ANT+ Flexible and Interoperable data Transfer), via fitdecode.

What it does with awkward files:

* a bad file CRC, an undefined local message or a file cut short: the records decoded before the
  damage are kept and the damage is reported in ``Activity.warnings``;
* compressed-timestamp records and compressed speed/distance (older foot-pod watches) are
  expanded by fitdecode; device-relative timestamps (no date) give ``start_time=None``;
* developer fields: Stryd's "Power" is used when the record has no native power;
* running cadence in FIT is strides per minute plus ``fractional_cadence``; it is doubled to
  steps per minute (the magnitude check in :func:`~runmuscles.io.track.steps_per_minute` catches
  devices that already store steps);
* files without GPS keep the device's (foot pod) distance and speed;
* a non-running sport (cycling, ...) is read, with a warning, and ``Activity.sport`` says so:
  callers that need a run check :attr:`Activity.is_running` (the decision: the data are still
  useful, e.g. to show the elevation profile, so refusing is left to the analysis).
"""

from __future__ import annotations

import warnings as _warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from runmuscles.errors import FileFormatError
from runmuscles.io.track import BAROMETRIC_DEVICES, Activity, DeviceTotals, assemble
from runmuscles.units import SEMICIRCLE

__all__ = ["read_fit"]

#: FIT timestamps count seconds from 1989-12-31T00:00:00Z, i.e. this many after the Unix epoch.
FIT_EPOCH_UNIX_S = 631065600.0
_STOP_EVENTS = {"stop", "stop_all", "stop_disable", "stop_disable_all"}
_MAX_READER_WARNINGS = 3


def _start_time(seconds: float) -> datetime | None:
    """UTC start from a FIT timestamp; None for device-relative times (below 0x10000000)."""
    from datetime import UTC

    if seconds < 0x10000000:
        return None
    return datetime.fromtimestamp(seconds + FIT_EPOCH_UNIX_S, tz=UTC)


def _seconds(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp() - FIT_EPOCH_UNIX_S
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _first(vals: dict[str, Any], *names: str) -> float | None:
    for name in names:
        v = _num(vals.get(name))
        if v is not None:
            return v
    return None


def _record_row(vals: dict[str, Any]) -> dict[str, float | None]:
    lat = _num(vals.get("position_lat"))
    lon = _num(vals.get("position_long"))
    cad = _num(vals.get("cadence"))
    if cad is not None:
        cad += _num(vals.get("fractional_cadence")) or 0.0
    return {
        "distance": _num(vals.get("distance")),
        "speed": _first(vals, "enhanced_speed", "speed"),
        "elevation": _first(vals, "enhanced_altitude", "altitude"),
        "lat": None if lat is None else lat * SEMICIRCLE,
        "lon": None if lon is None else lon * SEMICIRCLE,
        "cadence": cad,
        "heart_rate": _num(vals.get("heart_rate")),
        "power": _first(vals, "power", "Power"),
    }


def _name(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).lower()


def read_fit(path: Path, data: bytes) -> Activity:
    """Read a FIT file's records into an :class:`Activity` (``data`` is the file's bytes)."""
    import io

    import fitdecode

    name = path.name
    times: list[float] = []
    rows: list[dict[str, float | None]] = []
    notes: list[str] = []
    stops: list[tuple[float, float]] = []
    stop_at: float | None = None
    sessions: list[dict[str, Any]] = []
    file_id: dict[str, Any] = {}
    sport: str | None = None
    first_time: datetime | None = None
    first_seen = False
    damage: str | None = None
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            # the base processor leaves timestamps as FIT seconds (ints): ~1/3 faster than the
            # default one, which builds a datetime for every record
            reader = fitdecode.FitReader(
                io.BytesIO(data),
                processor=fitdecode.DataProcessorBase(),
                check_crc=fitdecode.CrcCheck.WARN,
                error_handling=fitdecode.ErrorHandling.WARN,
            )
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                msg = frame.name
                if msg == "record":
                    vals = {fd.name: fd.value for fd in frame.fields}
                    ts = vals.get("timestamp")
                    sec = _seconds(ts)
                    if sec is None:
                        continue
                    if not first_seen:
                        first_seen = True
                        first_time = _start_time(sec)
                    times.append(sec)
                    rows.append(_record_row(vals))
                elif msg == "event":
                    vals = {fd.name: fd.value for fd in frame.fields}
                    if vals.get("event") != "timer":
                        continue
                    sec = _seconds(vals.get("timestamp"))
                    kind = vals.get("event_type")
                    if sec is None:
                        continue
                    if kind in _STOP_EVENTS and stop_at is None:
                        stop_at = sec
                    elif kind == "start" and stop_at is not None:
                        stops.append((stop_at, sec))
                        stop_at = None
                elif msg == "session":
                    sessions.append({fd.name: fd.value for fd in frame.fields})
                elif msg == "sport" and sport is None:
                    sport = _name(frame.get_value("sport", fallback=None))
                elif msg == "file_id" and not file_id:
                    file_id = {fd.name: fd.value for fd in frame.fields}
        except fitdecode.FitHeaderError as exc:
            if not rows:
                raise FileFormatError(
                    f"{name}: not a valid FIT file ({exc}); nothing was recovered. "
                    "Export the activity again from the watch or its app."
                ) from None
            damage = f"bad header after the data ({exc})"
        except fitdecode.FitEOFError as exc:
            damage = f"the file ends early, it was cut short ({exc})"
        except Exception as exc:  # any decoder failure on damaged bytes
            damage = f"the data are damaged ({type(exc).__name__}: {exc})"
    reader_notes = [str(w.message) for w in caught]
    if reader_notes:
        shown = "; ".join(reader_notes[:_MAX_READER_WARNINGS])
        more = len(reader_notes) - _MAX_READER_WARNINGS
        notes.append(f"FIT decoder: {shown}" + (f" (and {more} more)" if more > 0 else ""))
    if damage is not None:
        if not rows:
            raise FileFormatError(
                f"{name}: {damage}; no record could be read before the damage, "
                "so nothing was recovered."
            )
        notes.append(f"{damage}: kept the {len(rows)} records read before the damage")
    if not rows:
        raise FileFormatError(
            f"{name}: this FIT file holds no activity records (file type "
            f"{file_id.get('type', 'unknown')!s}); nothing to analyse."
        )
    totals = _totals(sessions)
    if sport is None and sessions:
        sport = _name(sessions[0].get("sport"))
    if sport in {"generic", "all"}:
        sport = None
    return assemble(
        path,
        "fit",
        times,
        rows,
        warnings=notes,
        stopped_intervals=stops,
        cadence_unit="strides" if sport in {None, "running", "walking", "hiking"} else None,
        device=_device(file_id),
        sport=sport,
        start_time=first_time,
        totals=totals,
        damaged=damage is not None,
        elevation_source="barometric" if _barometric(_device(file_id)) else "gps",
    )


def _barometric(device: str) -> bool:
    name = device.lower()
    return any(part in name for part in BAROMETRIC_DEVICES)


def _device(file_id: dict[str, Any]) -> str:
    maker = file_id.get("manufacturer")
    product = file_id.get("garmin_product") or file_id.get("product")
    parts = [str(p) for p in (maker, product) if p is not None]
    return " ".join(parts)


def _totals(sessions: list[dict[str, Any]]) -> DeviceTotals:
    def total(key: str) -> float | None:
        values = [_num(s.get(key)) for s in sessions]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    return DeviceTotals(
        ascent_m=total("total_ascent"),
        descent_m=total("total_descent"),
        distance_m=total("total_distance"),
        timer_time_s=total("total_timer_time"),
        elapsed_time_s=total("total_elapsed_time"),
    )
