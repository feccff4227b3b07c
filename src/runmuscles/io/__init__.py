"""Readers and writers: every file format is converted to SI and model conventions here.

Activity files (FIT, GPX, TCX) -> :class:`~runmuscles.io.track.Activity` in SI units; motion
capture (OpenSim .mot/.sto/.trc, C3D, the Fukuchi 2017 table) ->
:class:`~runmuscles.io.motion.Motion` (:func:`runmuscles.io.mocap.read_motion`).

:func:`read_activity` decides the format from the file's CONTENT (a FIT header, or the XML root
``<gpx>`` / ``<TrainingCenterDatabase>``), never from its extension, and refuses empty, oversized
and unrecognised files with a :class:`~runmuscles.errors.FileFormatError` that names the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from runmuscles.errors import FileFormatError

if TYPE_CHECKING:
    from runmuscles.io.track import Activity

__all__ = ["MAX_FILE_BYTES", "parse_activity", "read_activity", "sniff_format"]

#: Largest activity file accepted, bytes (a 24-hour 1 Hz FIT is ~5 MB, a TCX ~40 MB).
MAX_FILE_BYTES = 200 * 1024 * 1024
_SNIFF_BYTES = 4096


def sniff_format(head: bytes) -> str | None:
    """'fit', 'gpx', 'tcx' or None, from the first bytes of a file."""
    if len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT":
        return "fit"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    # skip the XML declaration, comments and processing instructions to the root tag
    i = 0
    while i < len(text):
        j = text.find(b"<", i)
        if j < 0:
            return None
        if text.startswith((b"<?", b"<!"), j):
            i = j + 2
            continue
        words = text[j + 1 : j + 64].split(None, 1)
        if not words:
            return None
        root = words[0].split(b">", 1)[0]
        root = root.rsplit(b":", 1)[-1]
        # a bare <Activities> is a TCX body without its <TrainingCenterDatabase> wrapper
        return {b"gpx": "gpx", b"TrainingCenterDatabase": "tcx", b"Activities": "tcx"}.get(root)
    return None


def read_activity(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Activity:
    """Read a FIT, GPX or TCX activity file (format detected from its content).

    Raises :class:`FileFormatError` naming the file and the problem when it cannot be read;
    repairs that kept the file usable are listed in ``Activity.warnings``.
    """
    p = Path(path)
    name = p.name or str(p)
    if not p.exists():
        raise FileFormatError(f"{p}: no such file; check the path")
    if p.is_dir():
        raise FileFormatError(f"{p}: is a folder, not an activity file")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise FileFormatError(
                f"{name}: {size / 2**20:.0f} MB is larger than the {max_bytes / 2**20:.0f} MB "
                "limit for an activity file; is it really one run? Split it or pass max_bytes"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    return parse_activity(data, p)


def parse_activity(data: bytes, path: str | Path = "<bytes>") -> Activity:
    """Parse the bytes of an activity file (e.g. an upload); ``path`` names it in messages."""
    p = Path(path)
    name = p.name or str(p)
    if not data.strip():
        raise FileFormatError(f"{name}: the file is empty; nothing to read")
    fmt = sniff_format(data[:_SNIFF_BYTES])
    if fmt == "fit":
        from runmuscles.io.fit import read_fit

        return read_fit(p, data)
    if fmt == "gpx":
        from runmuscles.io.gpx import read_gpx

        return read_gpx(p, data)
    if fmt == "tcx":
        from runmuscles.io.tcx import read_tcx

        return read_tcx(p, data)
    raise FileFormatError(
        f"{name}: not a FIT, GPX or TCX activity file (its content matches none of them, "
        "whatever its extension); export the run from your watch or app as FIT, GPX or TCX"
    )
