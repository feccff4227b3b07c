"""Reading a whole history safely: a Strava bulk export, a Garmin export, any zip or a folder.

What is read: files whose name ends in ``.fit``, ``.gpx`` or ``.tcx``, optionally gzip-compressed
(``.fit.gz``; Strava exports compress most activities), found anywhere in the zip or folder, and
inside zips nested one level deep (a Garmin export keeps its activities in
``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_*.zip``). Everything else (photos, JSON,
routes) is counted as ignored. A Strava ``activities.csv`` is read for each file's activity type,
date and name: a ride or a swim is skipped before its file is even opened.

Nothing is ever extracted to a path taken from the archive: members are read into memory one at a
time through size caps, and their names are shown only (sanitised), so ``../../`` names, absolute
paths and symbolic links in an archive can write nothing anywhere. Limits (:class:`Limits`): the
number of members, the decompressed size of one activity (a zip or gzip bomb stops at the cap, it
is never inflated in full), the decompressed total, and the nesting depth (a zip inside a zip
inside a zip is refused). Encrypted members and symbolic links are skipped with the reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from runmuscles.errors import FileFormatError, InputError

__all__ = ["ACTIVITY_SUFFIXES", "RUN_TYPES", "Archive", "Candidate", "Limits", "open_archive"]

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
#: Strava activity types (activities.csv) that are running or walking.
RUN_TYPES = frozenset(
    {
        "run",
        "trail run",
        "virtual run",
        "walk",
        "hike",
        "virtualrun",
        "trailrun",
        "running",
        "walking",
        "hiking",
    }
)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Safety limits of an archive (bytes are decompressed sizes)."""

    max_members: int = 200_000
    max_file_bytes: int = 100 * 2**20
    max_total_bytes: int = 20 * 2**30
    max_nested_bytes: int = 4 * 2**30
    max_csv_bytes: int = 64 * 2**20
    max_depth: int = 1


class _TooBig(Exception):
    pass


class ArchiveTooLarge(InputError):
    """The archive as a whole passes a limit (members, decompressed total): the import stops."""


def display_name(path: str) -> str:
    """A member path for display: components sanitised, no '..', no leading '/'."""
    import re

    parts = [p for p in re.split(r"[\\/]+", path) if p not in ("", ".", "..")]
    clean = [re.sub(r"[^A-Za-z0-9._ -]", "_", p)[:80] for p in parts]
    return "/".join(clean)[-160:] or "unnamed"


def _suffix(name: str) -> tuple[str | None, bool]:
    """(activity suffix, gzipped) of a member name, or (None, False)."""
    low = name.lower()
    gz = low.endswith(".gz")
    if gz:
        low = low[:-3]
    for s in ACTIVITY_SUFFIXES:
        if low.endswith(s):
            return s, gz
    return None, False


def _read_capped(f: IO[bytes], cap: int) -> bytes:
    """Up to ``cap`` bytes of ``f``; _TooBig when there is more."""
    buf = io.BytesIO()
    while True:
        chunk = f.read(min(_CHUNK, cap + 1 - buf.tell()))
        if not chunk:
            return buf.getvalue()
        buf.write(chunk)
        if buf.tell() > cap:
            raise _TooBig


def _gunzip_capped(data: bytes, cap: int) -> bytes:
    """Gzip-decompress at most ``cap`` bytes; _TooBig beyond (a bomb is never inflated)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    buf: bytes = data
    while buf and not d.eof:
        out += d.decompress(buf, cap + 1 - len(out))
        if len(out) > cap:
            raise _TooBig
        buf = d.unconsumed_tail
    if not d.eof:
        raise gzip.BadGzipFile("the compressed data ends early (truncated .gz)")
    return bytes(out)


@dataclass
class Candidate:
    """One activity file in the archive: ``name`` (display path), ``read()`` its bytes
    (decompressed, capped), ``meta`` from activities.csv (type, date, name) when known, or
    ``skip`` a reason not to read it."""

    name: str
    read: Callable[[], bytes]
    meta: dict[str, str] = field(default_factory=dict)
    skip: str = ""
    category: str = ""


@dataclass
class Archive:
    """The activity files of an archive or folder (:func:`open_archive`), with what was ignored."""

    source: str
    candidates: list[Candidate]
    ignored: int = 0
    notes: list[str] = field(default_factory=list)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        for c in reversed(self._closers):
            c()
        self._closers.clear()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Reader:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0
        self.out: list[Candidate] = []
        self.ignored = 0
        self.notes: list[str] = []
        self.csv_meta: dict[str, dict[str, str]] = {}
        self.closers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------- budget
    def _charge(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.max_total_bytes:
            raise ArchiveTooLarge(
                f"the archive decompresses to more than {self.limits.max_total_bytes / 2**30:.0f}"
                " GB of activities; split it (e.g. import a year at a time) or raise the limit"
            )

    def _count(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveTooLarge(
                f"the archive has more than {self.limits.max_members} entries; is it really an "
                "export of activities? Split it"
            )

    def _payload(self, raw: Callable[[], bytes], gz: bool) -> Callable[[], bytes]:
        cap = self.limits.max_file_bytes

        def read() -> bytes:
            data = raw()
            if gz:
                data = _gunzip_capped(data, cap)
            self._charge(len(data))
            return data

        return read

    def _add(self, name: str, raw: Callable[[], bytes], gz: bool) -> None:
        self.out.append(Candidate(display_name(name), self._payload(raw, gz)))

    def _skip(self, name: str, reason: str, category: str) -> None:
        self.out.append(Candidate(display_name(name), lambda: b"", skip=reason, category=category))

    # ---------------------------------------------------------------------- zip
    def zip(self, f: IO[bytes], label: str, depth: int) -> None:
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            if depth == 0:
                raise FileFormatError(
                    f"{label}: not a readable zip archive ({exc}); give the export zip as "
                    "downloaded, or a folder"
                ) from None
            self._skip(label, f"a damaged zip inside the archive ({exc})", "unreadable archive")
            return
        self.closers.append(zf.close)
        infos = zf.infolist()
        for info in infos:
            if info.filename.lower().endswith("activities.csv") and depth == 0:
                self._csv(zf, info)
        for info in infos:
            self._count()
            name = info.filename
            shown = f"{label}/{name}" if depth else name
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            suffix, gz = _suffix(name)
            is_zip = name.lower().endswith(".zip")
            if not suffix and not is_zip:
                self.ignored += 1
                continue
            if stat.S_ISLNK(mode):
                self._skip(shown, "a symbolic link in the archive, not a file", "not a file")
                continue
            if info.flag_bits & 0x1:
                self._skip(
                    shown, "encrypted in the archive; export it without a password", "encrypted"
                )
                continue
            if is_zip:
                self._nested(zf, info, shown, depth)
                continue
            if info.file_size > self.limits.max_file_bytes and not gz:
                self._skip(shown, self._too_big_text(), "too large")
                continue
            self._add(shown, self._member_reader(zf, info, gz), gz)
            meta = self._meta_for(name)
            if meta:
                self.out[-1].meta = meta

    def _too_big_text(self) -> str:
        return (
            f"larger than {self.limits.max_file_bytes / 2**20:.0f} MB decompressed: not one "
            "activity (or a zip bomb); left out"
        )

    def _member_reader(
        self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, gz: bool
    ) -> Callable[[], bytes]:
        # a .gz member may legitimately be larger than the cap only after decompression
        cap = self.limits.max_file_bytes

        def raw() -> bytes:
            with zf.open(info) as m:
                return _read_capped(m, cap)

        return raw

    def _nested(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, depth: int) -> None:
        if depth >= self.limits.max_depth:
            self._skip(
                shown,
                "a zip inside a zip inside the archive: too deeply nested, left "
                "out (unpack it and import it on its own)",
                "nested too deep",
            )
            return
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 2**20)  # noqa: SIM115 (closed by the Archive)
        self.closers.append(spool.close)
        try:
            with zf.open(info) as m:
                while chunk := m.read(_CHUNK):
                    spool.write(chunk)
                    self._charge(len(chunk))
                    if spool.tell() > self.limits.max_nested_bytes:
                        raise _TooBig
        except _TooBig:
            self._skip(
                shown,
                f"an inner zip larger than {self.limits.max_nested_bytes / 2**30:.0f}"
                " GB decompressed; left out",
                "too large",
            )
            return
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            self._skip(shown, f"a damaged zip inside the archive ({exc})", "unreadable archive")
            return
        spool.seek(0)
        self.zip(spool, shown, depth + 1)

    # ---------------------------------------------------------------- strava csv
    def _csv(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        try:
            with zf.open(info) as m:
                text = _read_capped(m, self.limits.max_csv_bytes).decode("utf-8-sig", "replace")
        except (_TooBig, zipfile.BadZipFile, zlib.error, OSError):
            self.notes.append("activities.csv could not be read; activity types come from files")
            return
        self._csv_text(text)

    def _csv_text(self, text: str) -> None:
        rows = csv.reader(io.StringIO(text))
        header = next(rows, [])
        col = {h.strip().lower(): i for i, h in enumerate(header)}
        need = ("filename", "activity type")
        if not all(k in col for k in need):
            self.notes.append("activities.csv has no Filename/Activity Type columns; ignored")
            return
        for r in rows:
            if len(r) <= max(col[k] for k in need):
                continue
            fname = r[col["filename"]].strip()
            if not fname:
                continue
            meta = {"type": r[col["activity type"]].strip()}
            for key, label in (("activity date", "date"), ("activity name", "title")):
                if key in col and col[key] < len(r):
                    meta[label] = r[col[key]].strip()[:120]
            self.csv_meta[fname.lower().lstrip("/")] = meta

    def _meta_for(self, name: str) -> dict[str, str]:
        return self.csv_meta.get(name.lower().lstrip("/"), {})

    # ------------------------------------------------------------------- folder
    def folder(self, root: Path) -> None:
        csv_path = root / "activities.csv"
        if csv_path.is_file() and not csv_path.is_symlink():
            try:
                with csv_path.open("rb") as f:
                    self._csv_text(
                        _read_capped(f, self.limits.max_csv_bytes).decode("utf-8-sig", "replace")
                    )
            except (_TooBig, OSError):
                self.notes.append("activities.csv could not be read")
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for fn in sorted(filenames):
                self._count()
                p = Path(dirpath) / fn
                rel = p.relative_to(root).as_posix()
                suffix, gz = _suffix(fn)
                is_zip = fn.lower().endswith(".zip")
                if not suffix and not is_zip:
                    self.ignored += 1
                    continue
                if p.is_symlink() or not p.is_file():
                    self._skip(rel, "a symbolic link or special file, not read", "not a file")
                    continue
                if is_zip:
                    f = p.open("rb")
                    self.closers.append(f.close)
                    self.zip(f, rel, 1)
                    continue

                def raw(p: Path = p) -> bytes:
                    with p.open("rb") as f:
                        return _read_capped(f, self.limits.max_file_bytes)

                self._add(rel, raw, gz)
                meta = self._meta_for(rel)
                if meta:
                    self.out[-1].meta = meta


def _wrap_errors(read: Callable[[], bytes], reader: _Reader) -> Callable[[], bytes]:
    def safe() -> bytes:
        try:
            return read()
        except _TooBig:
            raise InputError(reader._too_big_text()) from None
        except (zipfile.BadZipFile, zlib.error, gzip.BadGzipFile, EOFError) as exc:
            raise FileFormatError(f"the compressed file is damaged ({exc})") from None
        except OSError as exc:
            raise FileFormatError(f"cannot be read ({exc})") from None

    return safe


def open_archive(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    limits: Limits | None = None,
    label: str | None = None,
) -> Archive:
    """The activity files of a zip archive (path or binary file object), a folder, or one
    activity file. Raises FileFormatError when the source is not a zip or a folder, InputError
    when a limit is exceeded."""
    lim = limits or Limits()
    r = _Reader(lim)
    name = label or (str(source) if isinstance(source, str | os.PathLike) else "upload")
    if isinstance(source, str | os.PathLike):
        p = Path(source)
        if not p.exists():
            raise FileFormatError(f"{p}: no such file or folder; check the path")
        if p.is_dir():
            r.folder(p)
        elif zipfile.is_zipfile(p):
            f = p.open("rb")
            r.closers.append(f.close)
            r.zip(f, p.name, 0)
        elif _suffix(p.name)[0]:

            def raw(p: Path = p) -> bytes:
                with p.open("rb") as fh:
                    return _read_capped(fh, lim.max_file_bytes)

            r._add(p.name, raw, _suffix(p.name)[1])
        else:
            raise FileFormatError(
                f"{p.name}: not a zip archive, a folder or an activity file; give the export zip "
                "from Strava (Settings > My Account > Download or delete your account) or "
                "Garmin, or a folder of FIT, GPX and TCX files"
            )
    else:
        r.zip(source, name, 0)
    for c in r.out:
        if not c.skip:
            c.read = _wrap_errors(c.read, r)
    return Archive(name, r.out, r.ignored, r.notes, r.closers)


def is_run_type(meta: dict[str, Any]) -> bool | None:
    """From activities.csv: True (running/walking), False (another sport) or None (unknown)."""
    t = str(meta.get("type", "")).strip().lower()
    if not t:
        return None
    return t in RUN_TYPES
