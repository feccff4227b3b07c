"""GPX reader (GPS Exchange Format 1.0/1.1 with Garmin/Strava track-point extensions).

Parsed point by point with the safe pull parser of :mod:`.xmlpull` rather than ``gpxpy.parse``:
gpxpy raises on the first point with an unreadable value and so loses the whole file, and it does
not refuse entity declarations. Here a bad point is skipped and counted, a file broken part way
keeps the points before the break, and each ``<trkseg>`` after the first starts after a pause.
GPX has no distance or speed: both come from the positions (haversine) over time. Heart rate,
cadence (``gpxtpx:cad``, strides/min for Garmin; decided by magnitude) and power are read from
the extensions when present.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from xml.etree.ElementTree import Element

from runmuscles.errors import FileFormatError
from runmuscles.io.track import Activity, assemble, normalize_sport, parse_time
from runmuscles.io.xmlpull import child, child_float, local, pull, recovered_note

__all__ = ["read_gpx"]

_EXT = {
    "hr": "heart_rate",
    "heartrate": "heart_rate",
    "cad": "cadence",
    "cadence": "cadence",
    "power": "power",
    "powerinwatts": "power",
    "watts": "power",
}


def _float_attr(elem: Element, key: str) -> float | None:
    text = elem.get(key)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) != float("inf") and value == value else None


def read_gpx(path: Path, data: bytes) -> Activity:
    """Read the timed track points of a GPX file into an :class:`Activity`."""
    name = path.name
    times: list[float] = []
    rows: list[dict[str, float | None]] = []
    breaks: list[bool] = []
    meta: dict[str, str] = {}
    state = {"new_segment": False, "segments": 0, "bad": 0, "untimed": 0}
    start_time = None

    def on_start(elem: Element, stack: list[Element]) -> None:
        tag = local(elem.tag)
        if not stack:
            meta["root"] = tag
            meta["creator"] = elem.get("creator", "")
        elif tag == "trkseg":
            state["segments"] += 1
            state["new_segment"] = state["segments"] > 1

    def on_end(elem: Element, stack: list[Element]) -> None:
        nonlocal start_time
        tag = local(elem.tag)
        if tag == "trkpt":
            lat, lon = _float_attr(elem, "lat"), _float_attr(elem, "lon")
            when = child(elem, "time")
            t = parse_time(when.text if when is not None else None)
            if t is None:
                state["untimed"] += 1
            elif lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
                state["bad"] += 1
            else:
                row: dict[str, float | None] = {
                    "lat": lat,
                    "lon": lon,
                    "elevation": child_float(elem, "ele"),
                }
                ext = child(elem, "extensions")
                if ext is not None:
                    for node in ext.iter():
                        key = _EXT.get(local(node.tag).lower())
                        if key and node.text:
                            with contextlib.suppress(ValueError):
                                row[key] = float(node.text)
                if start_time is None:
                    start_time = t
                times.append(t.timestamp())
                rows.append(row)
                breaks.append(bool(state["new_segment"]))
                state["new_segment"] = False
            elem.clear()
        elif tag == "type" and stack and local(stack[-1].tag) == "trk" and "type" not in meta:
            meta["type"] = (elem.text or "").strip()

    error = pull(path, data, on_end, on_start)
    if meta.get("root", "gpx") != "gpx":
        raise FileFormatError(f"{name}: the XML root is <{meta['root']}>, not <gpx>")
    notes: list[str] = []
    if state["bad"]:
        notes.append(f"skipped {state['bad']} track point(s) with an unreadable position")
    if state["untimed"]:
        notes.append(f"skipped {state['untimed']} track point(s) without a readable time")
    damage = recovered_note(name, error, len(rows))
    if damage:
        notes.append(damage)
    if not rows:
        raise FileFormatError(
            f"{name}: this GPX has no timed track points (a route or a planned course has no "
            "times); record the run with a watch or phone app and export it again"
        )
    return assemble(
        path,
        "gpx",
        times,
        rows,
        warnings=notes,
        pause_before=breaks,
        device=meta.get("creator", ""),
        sport=normalize_sport(meta.get("type")),
        start_time=start_time,
        damaged=damage is not None,
    )
