"""Finished conditions of a build, one small file each, written atomically (resumable builds).

The folder ``<output>.parts/`` holds ``manifest.json`` (body size of the build) and per condition
``<key>.done.pkl`` (the :class:`~runmuscles.atlas.content.Record`, the warm-start guess, the
cell's provenance; a pickle of plain data and NumPy arrays written by this program for itself: do
not load parts from untrusted sources) or ``<key>.failed.json`` (status, message, the attempts
and, for a stride refused by the realism gate, its facts). Each file is written to a temporary
name and renamed into place (``os.replace`` is atomic), so a crash, Ctrl-C or kill leaves either
the whole file or none. Parts are keyed by gait, speed and grade only (``run_v3.500000_g+0.0...``),
so re-running with a wider or finer grid reuses every condition already solved.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runmuscles.atlas.grid import Condition
from runmuscles.atlas.solvers import Outcome
from runmuscles.errors import InputError

__all__ = ["PartStore", "write_strides"]

_KIND = "runmuscles.atlas.parts"
_VERSION = 2


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PartStore:
    """The parts folder of one build output (``<output>.parts``) for one body size."""

    def __init__(self, output: str | Path, mass: float, height: float, solver: str) -> None:
        self.folder = Path(f"{output}.parts")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create {self.folder}: {exc}; choose another -o") from exc
        manifest = {
            "kind": _KIND,
            "version": _VERSION,
            "mass_kg": mass,
            "height_m": height,
            "solver": solver,
        }
        mpath = self.folder / "manifest.json"
        if mpath.exists():
            try:
                old = json.loads(mpath.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if old != manifest:
                raise InputError(
                    f"{self.folder} holds parts of another build ({old}); this build is "
                    f"{manifest}: use another output (-o) or delete that folder"
                )
        else:
            _atomic_write(mpath, json.dumps(manifest, indent=1).encode())
        # leftovers of writes interrupted before their rename
        for tmp in self.folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    def done_path(self, cond: Condition) -> Path:
        return self.folder / f"{cond.key}.done.pkl"

    def failed_path(self, cond: Condition) -> Path:
        return self.folder / f"{cond.key}.failed.json"

    def save_done(self, cond: Condition, outcome: Outcome, meta: dict[str, Any]) -> None:
        """Write a solved condition (record, guess, solver facts and build ``meta``)."""
        blob = {
            "version": _VERSION,
            "speed": cond.speed,
            "grade": cond.grade,
            "gait": cond.gait,
            "record": outcome.record,
            "guess": outcome.guess,
            "info": {**outcome.info, **meta},
        }
        _atomic_write(self.done_path(cond), pickle.dumps(blob, protocol=pickle.HIGHEST_PROTOCOL))
        self.failed_path(cond).unlink(missing_ok=True)

    def save_failed(self, cond: Condition, info: dict[str, Any]) -> None:
        """Record a condition that failed every attempt (status, message, attempts)."""
        _atomic_write(self.failed_path(cond), json.dumps(info, indent=1, default=str).encode())

    def load_done(self, cond: Condition) -> dict[str, Any] | None:
        """The saved part of ``cond``, or None (absent or unreadable: it will be solved again)."""
        path = self.done_path(cond)
        if not path.is_file():
            return None
        try:
            with path.open("rb") as fh:
                blob = pickle.load(fh)
        except Exception:  # a part from another version or a damaged disk: solve again
            return None
        if not isinstance(blob, dict) or blob.get("version") != _VERSION:
            return None
        if blob.get("gait") != cond.gait:
            return None
        return blob

    def load_failed(self, cond: Condition) -> dict[str, Any] | None:
        path = self.failed_path(cond)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def write_strides(
    folder: Path, guesses: Sequence[Any], infos: Sequence[dict[str, Any]]
) -> tuple[int, int]:
    """Write the warm starts among ``guesses`` to the StrideStore ``folder``; (count, bytes)."""
    from runmuscles.prediction import StrideStore, WarmStart

    store = StrideStore(folder)
    count = size = 0
    for ws, inf in zip(guesses, infos, strict=True):
        if not isinstance(ws, WarmStart):
            continue
        path = store.save_warm_start(ws, float(inf.get("objective") or float("nan")))
        if path is not None:
            count += 1
            size += path.stat().st_size
    return count, size
