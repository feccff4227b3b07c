"""Histories built by the tests from the REAL activity files in ../shared/data/activities (never
copied into the repository): GPX and TCX files shifted in time (every ISO timestamp moved by the
same amount, so each copy is a distinct file with its own start time and identical content
otherwise), and Strava- or Garmin-shaped export zips holding them."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.conftest import shared_data

#: Real runs that analyse quickly (name -> path parts under ../shared/data).
QUICK_RUNS = {
    "fr620.tcx": ("activities", "tcx", "runpandas_fr620_run_garmin.tcx"),  # 2.2 km, 14 min
    "tomtom.gpx": ("activities", "gpx", "runpandas_tomtom_run.gpx"),  # 4.8 km, 24 min
    "strava.gpx": ("activities", "gpx", "runpandas_strava_export.gpx"),  # 12.6 km, 85 min
    "polar.tcx": ("activities", "tcx", "sweatpy_polar_m400_3173437224.tcx"),  # 4.5 km
}
_ISO = re.compile(rb"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def real(name: str) -> bytes:
    return shared_data(*QUICK_RUNS[name]).read_bytes()


def start_of(data: bytes) -> dt.datetime:
    """The first timestamp of a GPX/TCX file (UTC)."""
    m = _ISO.search(data)
    assert m is not None, "no timestamp in the file"
    return _parse(m)


def _parse(m: re.Match[bytes]) -> dt.datetime:
    tz = (m.group(4) or b"Z").decode().replace("Z", "+00:00")
    t = dt.datetime.fromisoformat(f"{m.group(1).decode()}T{m.group(2).decode()}{tz}")
    return t.astimezone(dt.UTC)


def shifted(data: bytes, delta: dt.timedelta) -> bytes:
    """The same GPX/TCX file with every timestamp moved by ``delta`` (written in UTC)."""

    def move(m: re.Match[bytes]) -> bytes:
        t = _parse(m) + delta
        frac = m.group(3) or b""
        return t.strftime("%Y-%m-%dT%H:%M:%S").encode() + frac + b"Z"

    return _ISO.sub(move, data)


def starting_at(data: bytes, when: dt.datetime) -> bytes:
    """The file moved so that it starts at ``when`` (UTC)."""
    return shifted(data, when - start_of(data))


def history(
    days: Sequence[dt.date], names: Sequence[str] = ("fr620.tcx",)
) -> list[tuple[str, bytes]]:
    """One run a day on each of ``days`` (07:00 UTC), cycling through ``names``."""
    out = []
    for i, day in enumerate(days):
        name = names[i % len(names)]
        when = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
        stem, ext = name.rsplit(".", 1)
        out.append((f"{day.isoformat()}-{stem}.{ext}", starting_at(real(name), when)))
    return out


def strava_zip(
    files: Iterable[tuple[str, bytes]],
    *,
    extra: Iterable[tuple[str, bytes, str]] = (),
    gz: bool = True,
) -> bytes:
    """A Strava bulk export: ``activities/<id>.<ext>.gz`` plus ``activities.csv`` (Activity ID,
    Activity Date, Activity Name, Activity Type, Filename) and a few non-activity files.
    ``extra``: (name, bytes, activity type) added as they are (e.g. a ride)."""
    buf = io.BytesIO()
    rows = [["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Filename"]]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        items = [(n, d, "Run") for n, d in files] + list(extra)
        for i, (name, data, kind) in enumerate(items, start=1000):
            ext = name.rsplit(".", 1)[-1]
            member = f"activities/{i}.{ext}" + (".gz" if gz else "")
            zf.writestr(member, gzip.compress(data, mtime=0) if gz else data)
            rows.append([str(i), "Jan 1, 2024, 7:00:00 AM", name, kind, member])
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        zf.writestr("activities.csv", out.getvalue())
        zf.writestr("profile.csv", "Athlete ID,First Name\n1,Test\n")
        zf.writestr("media/photo.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    return buf.getvalue()


def garmin_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A Garmin export: the activities in an inner zip under DI_CONNECT, plus JSON files."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/me_summarizedActivities.json", b"[]")
    return outer.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
