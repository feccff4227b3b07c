"""TCX reader (Garmin Training Center XML v2).

Parsed with the safe pull parser of :mod:`.xmlpull`: a document broken part way (e.g. an unbound
namespace prefix near the end) keeps every track point closed before the break, with a warning.
Treadmill and indoor points without ``<Position>`` are kept (distance from ``DistanceMeters``);
points without a time are skipped. Cadence comes from ``<Cadence>`` or the ``RunCadence``
extension (strides/min on Garmin and Polar; decided by magnitude), speed and power from the
``TPX`` extension. Lap totals (time, distance) are kept as the device's totals; each ``<Track>``
after the first starts after a pause.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from xml.etree.ElementTree import Element

from runmuscles.errors import FileFormatError
from runmuscles.io.track import Activity, DeviceTotals, assemble, normalize_sport, parse_time
from runmuscles.io.xmlpull import child, child_float, local, pull, recovered_note

__all__ = ["read_tcx"]

_TPX = {"speed": "speed", "runcadence": "cadence", "watts": "power"}


def read_tcx(path: Path, data: bytes) -> Activity:
    """Read the track points of a TCX file into an :class:`Activity`."""
    name = path.name
    times: list[float] = []
    rows: list[dict[str, float | None]] = []
    breaks: list[bool] = []
    meta: dict[str, str] = {}
    lap_time: list[float] = []
    lap_dist: list[float] = []
    state = {"tracks": 0, "new_track": False, "untimed": 0}
    start_time = None

    def on_start(elem: Element, stack: list[Element]) -> None:
        tag = local(elem.tag)
        if not stack:
            meta["root"] = tag
        elif tag == "Activity" and "sport" not in meta:
            meta["sport"] = elem.get("Sport", "")
        elif tag == "Track":
            state["tracks"] += 1
            state["new_track"] = state["tracks"] > 1

    def on_end(elem: Element, stack: list[Element]) -> None:
        nonlocal start_time
        tag = local(elem.tag)
        if tag == "Trackpoint":
            when = child(elem, "Time")
            t = parse_time(when.text if when is not None else None)
            if t is None:
                state["untimed"] += 1
                elem.clear()
                return
            row: dict[str, float | None] = {
                "lat": child_float(elem, "Position", "LatitudeDegrees"),
                "lon": child_float(elem, "Position", "LongitudeDegrees"),
                "elevation": child_float(elem, "AltitudeMeters"),
                "distance": child_float(elem, "DistanceMeters"),
                "heart_rate": child_float(elem, "HeartRateBpm", "Value"),
                "cadence": child_float(elem, "Cadence"),
            }
            ext = child(elem, "Extensions")
            if ext is not None:
                for node in ext.iter():
                    key = _TPX.get(local(node.tag).lower())
                    if key and node.text and row.get(key) is None:
                        with contextlib.suppress(ValueError):
                            row[key] = float(node.text)
            if start_time is None:
                start_time = t
            times.append(t.timestamp())
            rows.append(row)
            breaks.append(bool(state["new_track"]))
            state["new_track"] = False
            elem.clear()
        elif tag == "Lap":
            for store, key in ((lap_time, "TotalTimeSeconds"), (lap_dist, "DistanceMeters")):
                value = child_float(elem, key)
                if value is not None:
                    store.append(value)
            elem.clear()
        elif (
            tag == "Name"
            and len(stack) >= 2
            and local(stack[-1].tag) == "Creator"
            and local(stack[-2].tag) == "Activity"
        ):
            meta["device"] = (elem.text or "").strip()

    error = pull(path, data, on_end, on_start)
    root = meta.get("root", "TrainingCenterDatabase")
    if root not in {"TrainingCenterDatabase", "Activities"}:
        raise FileFormatError(f"{name}: the XML root is <{root}>, not a TCX document")
    notes: list[str] = []
    if root == "Activities":
        notes.append("no <TrainingCenterDatabase> root: read as a bare TCX <Activities> body")
    if state["untimed"]:
        notes.append(f"skipped {state['untimed']} track point(s) without a readable time")
    damage = recovered_note(name, error, len(rows))
    if damage:
        notes.append(damage)
    if not rows:
        raise FileFormatError(f"{name}: this TCX has no timed track points; nothing to analyse")
    totals = DeviceTotals(
        distance_m=sum(lap_dist) if lap_dist else None,
        timer_time_s=sum(lap_time) if lap_time else None,
    )
    return assemble(
        path,
        "tcx",
        times,
        rows,
        warnings=notes,
        pause_before=breaks,
        device=meta.get("device", ""),
        sport=normalize_sport(meta.get("sport")),
        start_time=start_time,
        totals=totals,
        damaged=damage is not None,
    )
