"""``read_motion``: open any supported motion file, choosing the reader from its content.

=====================================  ==========================================================
content                                reader
=====================================  ==========================================================
second byte 0x50                       :func:`runmuscles.io.c3d.read_c3d` (needs ezc3d)
first line starts with ``PathFileType``  :func:`runmuscles.io.opensim.read_trc`
first line starts with ``PercGcycle``  :func:`runmuscles.io.fukuchi.read_fukuchi` (needs speed)
an ``endheader`` line                  :func:`runmuscles.io.opensim.read_opensim` (.mot/.sto)
=====================================  ==========================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runmuscles.errors import FileFormatError, InputError
from runmuscles.io.motion import Motion

__all__ = ["read_motion"]

_HEAD_BYTES = 65536


def read_motion(path: str | Path, *, speed: float | None = None, **options: Any) -> Motion:
    """Read a motion file of any supported format (module table) into a :class:`Motion`.

    ``speed`` (m/s) picks the speed of a Fukuchi table; other keyword ``options`` go to the
    reader (e.g. ``sides=("r", "l")`` for C3D, ``body_mass=`` for Fukuchi).
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(head) >= 2 and head[1] == 0x50 and head[0] < 0x20:
        from runmuscles.io.c3d import read_c3d

        return read_c3d(path, **options)
    text = head.decode("latin-1")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.startswith("PathFileType"):
        from runmuscles.io.opensim import read_trc

        return read_trc(path, **options)
    if first.startswith("PercGcycle"):
        from runmuscles.io.fukuchi import read_fukuchi

        if speed is None:
            raise InputError(
                f"{path}: a Fukuchi table holds three speeds; pass speed=2.5, 3.5 or 4.5 (m/s)"
            )
        return read_fukuchi(path, speed, **options)
    if any(line.strip().lower() == "endheader" for line in text.splitlines()):
        from runmuscles.io.opensim import read_opensim

        return read_opensim(path, **options)
    raise FileFormatError(
        f"{path}: not a known motion file; supported: OpenSim .mot/.sto (with 'endheader'), .trc, "
        "C3D and the Fukuchi 2017 processed table"
    )
