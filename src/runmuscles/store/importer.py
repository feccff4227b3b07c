"""Storing activity files in the history: one upload (:func:`store_file`) or a whole export
(:func:`import_archive`), with duplicates recognised and every skipped file explained.

Per file: the SHA-256 of its bytes is looked up first (the same file again costs nothing), files
that activities.csv marks as another sport are skipped unread, then the file is parsed and
analysed (:func:`runmuscles.store.analysis.prepare`) and stored; the store refuses a second run
that starts within a minute of a stored one (the same run exported twice). Files in one archive
are compared with each other the same way. Unreadable files, other sports and files with nothing
to analyse are listed with the reason and never stop the import; a missing muscle atlas does
(every file would fail the same way).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from runmuscles.errors import DataError, FileFormatError, InputError, RunmusclesError
from runmuscles.store.analysis import NothingToAnalyse, Prepared, prepare, sha256
from runmuscles.store.archive import Archive, ArchiveTooLarge, is_run_type
from runmuscles.store.db import Store, safe_filename

__all__ = ["ImportSummary", "Outcome", "import_archive", "store_file"]

log = logging.getLogger("runmuscles.store")

#: Outcome statuses.
IMPORTED, DUPLICATE, SKIPPED, FAILED = "imported", "duplicate", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: ``status`` (imported, duplicate, skipped, failed), the run
    ``id`` (new or existing), a ``category`` for the summary and the ``reason`` in words."""

    name: str
    status: str
    id: int | None = None
    category: str = ""
    reason: str = ""
    start_time: str | None = None
    distance_m: float | None = None
    format: str | None = None
    headline: str = ""
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["warnings"] = list(self.warnings)
        return d


@dataclass
class ImportSummary:
    """The result of an import: counts per status, per skip category, and every file's outcome."""

    source: str
    total: int
    items: list[Outcome] = field(default_factory=list)
    ignored: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.items if o.status == status)

    @property
    def by_reason(self) -> dict[str, int]:
        return dict(Counter(o.category for o in self.items if o.status != IMPORTED))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "total": self.total,
            "imported": self.count(IMPORTED),
            "duplicates": self.count(DUPLICATE),
            "skipped": self.count(SKIPPED),
            "failed": self.count(FAILED),
            "by_reason": self.by_reason,
            "ignored_files": self.ignored,
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
            "items": [o.to_dict() for o in self.items],
        }


def _duplicate(name: str, saved_id: int, reason: str) -> Outcome:
    category = "duplicate: same file" if "same file" in reason else "duplicate: same start time"
    return Outcome(name, DUPLICATE, saved_id, category, reason)


def store_prepared(store: Store, profile: str, prep: Prepared) -> Outcome:
    """Store an analysed file (or recognise it as a duplicate)."""
    saved = store.add_run(
        profile=profile, filename=prep.filename, load=prep.load, content_sha256=prep.sha256
    )
    if saved.duplicate:
        return _duplicate(prep.filename, saved.id, saved.reason)
    act = prep.load.get("activity", {})
    return Outcome(
        prep.filename,
        IMPORTED,
        saved.id,
        "imported",
        start_time=act.get("start_time"),
        distance_m=act.get("distance_m"),
        format=act.get("format"),
        headline=str(prep.load.get("headline", "")),
        warnings=tuple(prep.load.get("warnings", ())),
    )


def store_file(
    store: Store, table: Any, data: bytes, filename: str, profile: str, *, digest: str | None = None
) -> Outcome:
    """Analyse and store one file's bytes for ``profile`` (errors raise: the caller answers)."""
    name = safe_filename(filename)
    digest = digest or sha256(data)
    dup = store.find_duplicate(profile, sha256=digest)
    if dup is not None:
        return _duplicate(name, dup.id, dup.reason)
    prep = prepare(
        data,
        name,
        store.profile(profile),
        table,
        digest=digest,
        history=lambda start: store.recent_loads(profile, start),
    )
    return store_prepared(store, profile, prep)


def _classify(exc: Exception, name: str = "") -> tuple[str, str, str]:
    """(status, category, reason) of a file that could not be imported."""
    msg = str(exc)
    if name and msg.startswith(f"{name}: "):
        msg = msg[len(name) + 2 :]
    if isinstance(exc, NothingToAnalyse):
        return SKIPPED, "nothing to analyse", msg
    if isinstance(exc, FileFormatError):
        return FAILED, "unreadable file", msg
    if isinstance(exc, InputError):
        if "not running" in msg:
            return SKIPPED, "not running or walking", msg
        if "larger than" in msg:
            return SKIPPED, "too large", msg
        return FAILED, "refused", msg
    return FAILED, "error", msg


Analyse = Callable[[Callable[[], Any]], Any]


def import_archive(
    archive: Archive,
    store: Store,
    table: Any,
    profile: str,
    *,
    progress: Callable[[int, int, Outcome], None] | None = None,
    run: Analyse | None = None,
) -> ImportSummary:
    """Import every activity of ``archive`` for ``profile`` (module docstring).

    ``progress(done, total, outcome)`` is called after each file; ``run(fn)`` runs one file's
    analysis (default: here; the web app passes its bounded worker pool).
    """
    t0 = time.monotonic()
    total = len(archive.candidates)
    summary = ImportSummary(
        archive.source, total, ignored=archive.ignored, notes=list(archive.notes)
    )
    body = store.profile(profile)
    seen: dict[str, int | None] = {}
    execute = run or (lambda fn: fn())
    for done, cand in enumerate(archive.candidates, start=1):
        outcome = _one(cand, store, table, profile, body, seen, execute)
        summary.items.append(outcome)
        if progress is not None:
            progress(done, total, outcome)
    summary.seconds = time.monotonic() - t0
    return summary


def _one(
    cand: Any,
    store: Store,
    table: Any,
    profile: str,
    body: Any,
    seen: dict[str, int | None],
    execute: Analyse,
) -> Outcome:
    name = cand.name
    if cand.skip:
        return Outcome(name, SKIPPED, category=cand.category or "skipped", reason=cand.skip)
    sport_ok = is_run_type(cand.meta)
    if sport_ok is False:
        return Outcome(
            name,
            SKIPPED,
            category="not running or walking",
            reason=f"a {cand.meta.get('type')} in activities.csv: not running or walking",
        )
    stored = safe_filename(name.rsplit("/", 1)[-1].removesuffix(".gz").removesuffix(".GZ"))
    try:
        data = cand.read()
        digest = sha256(data)
        if digest in seen:
            return Outcome(
                name,
                DUPLICATE,
                seen[digest],
                "duplicate: same file",
                "the same file appears earlier in this archive",
            )
        seen[digest] = None
        dup = store.find_duplicate(profile, sha256=digest)
        if dup is not None:
            seen[digest] = dup.id
            return _duplicate(name, dup.id, dup.reason)
        prep = execute(
            lambda: prepare(
                data,
                stored,
                body,
                table,
                digest=digest,
                history=lambda start: store.recent_loads(profile, start),
            )
        )
        out = store_prepared(store, profile, prep)
        seen[digest] = out.id
        return Outcome(**{**asdict(out), "name": name})
    except (DataError, ArchiveTooLarge):
        raise  # the atlas is missing, or the archive passes a limit: stop the whole import
    except RunmusclesError as exc:
        status, category, reason = _classify(exc, stored)
        return Outcome(name, status, category=category, reason=reason)
    except Exception as exc:  # one bad file never stops an import
        log.exception("importing %s failed", name)
        return Outcome(
            name,
            FAILED,
            category="error",
            reason=f"internal error ({type(exc).__name__}); see the log",
        )
