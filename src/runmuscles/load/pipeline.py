"""The file pipeline: one way from a recorded run to its load, findings and advice.

:func:`analyze_run` (``rm.analyze_run``) reads the file (cleaned on reading, see
:mod:`runmuscles.io.clean`), segments it by gait, looks every segment up in the condition table,
finds the real changes against a flat run and picks two or three pieces of advice, using the
runner's history when one is given. The CLI (``runmuscles analyze``) and the web app both call it.
:func:`analyze` and :func:`analyze_activity` are the load-only steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runmuscles.errors import InputError
from runmuscles.load.body import Body, as_body, check_body
from runmuscles.load.compute import of_run
from runmuscles.load.result import RunLoad
from runmuscles.load.table import ConditionTable, default_table

if TYPE_CHECKING:
    from runmuscles.advice import Advice, AdviceItem
    from runmuscles.io.track import Activity
    from runmuscles.load.findings import Finding
    from runmuscles.load.history import History, HistoryComparison

__all__ = ["RunReport", "analyze", "analyze_activity", "analyze_run"]

Progress = Callable[[str], None] | None


def _wide(table: ConditionTable) -> tuple[float, float]:
    """Segmentation clips grades to the table's range or +-30 %, whichever is wider, so that
    :func:`of_run` sees the measured grade and reports its own clipping. A table with
    ``prepare`` (the atlas, solved on demand) gets every grade as measured: it computes it or
    says why not."""
    if callable(getattr(table, "prepare", None)):
        return (-1.0, 1.0)
    lo, hi = table.grade_range
    return (min(lo, -0.30), max(hi, 0.30))


def _table(table: ConditionTable | None) -> ConditionTable:
    return table if table is not None else default_table()


def analyze_activity(
    activity: Activity,
    mass: float = 70.0,
    height: float = 1.75,
    table: ConditionTable | None = None,
    *,
    progress: Progress = None,
) -> RunLoad:
    """Segment a recorded run and compute its :class:`RunLoad` (``table`` None: the atlas)."""
    from runmuscles.activity import segment

    check_body(mass, height)
    if not activity.is_running:
        raise InputError(
            f"{Path(activity.source).name or 'this activity'} records sport "
            f"'{activity.sport}', not running: runmuscles computes running muscle loads only"
        )
    table = _table(table)
    if progress:
        progress("segmenting")
    segs = segment(activity, grade_range=_wide(table))
    if progress:
        progress("computing loads")
    return of_run(activity, segs.segments, table, mass, height, warnings=segs.warnings)


def analyze(
    path: str | Path,
    mass: float = 70.0,
    height: float = 1.75,
    table: ConditionTable | None = None,
    *,
    progress: Progress = None,
) -> RunLoad:
    """Read a FIT, GPX or TCX run and compute its per-muscle load (:func:`of_run`)."""
    from runmuscles.io import read_activity

    check_body(mass, height)
    if progress:
        progress("reading")
    act = read_activity(path)
    return analyze_activity(act, mass, height, table, progress=progress)


@dataclass(frozen=True)
class RunReport:
    """Everything the analysis of one run says (immutable; :func:`analyze_run` builds it).

    ``load``: the per-muscle :class:`RunLoad` (segments, kilometres, coverage, groups, tendons);
    ``findings``: the real changes against a flat run, largest first; ``headline``: one sentence
    (the largest change and what the numbers cover); ``advice``: at most three items, each with
    why (this run's number) and its sources; ``history``: the change against the runner's recent
    weeks (None without a history); ``pain``: the tendons the runner said hurt; ``warmup``,
    ``notes`` and ``sources`` complete the advice; ``warnings``: everything cleaned, clipped,
    left out or assumed.
    """

    load: RunLoad
    findings: tuple[Finding, ...]
    headline: str
    advice: tuple[AdviceItem, ...]
    history: HistoryComparison | None
    pain: tuple[str, ...]
    warmup: Mapping[str, Any]
    notes: tuple[Mapping[str, Any], ...]
    sources: tuple[Mapping[str, Any], ...]
    warnings: tuple[str, ...] = ()
    body: Body = field(default_factory=Body)

    @property
    def plan(self) -> Advice:
        """The advice as one :class:`runmuscles.advice.Advice` (items, warm-up, notes, sources)."""
        from runmuscles.advice import Advice

        return Advice(self.advice, self.warmup, self.notes, self.sources)

    def to_dict(self) -> dict[str, Any]:
        """The ``runmuscles analyze --json`` object: the load's keys (``activity``, ``body``,
        ``segments``, ``kilometres``, ``terrain``, ``coverage``, ``muscles``, ``tendons``,
        ``vs_flat``, ``findings``, ``headline``, ``table``, ``warnings``) plus ``advice`` (a list
        of at most three items), ``warmup``, ``advice_notes``, ``sources``, ``history`` and
        ``pain``."""
        d = self.load.to_dict()
        d["headline"] = self.headline
        d["advice"] = [i.to_dict() for i in self.advice]
        d["warmup"] = dict(self.warmup)
        d["advice_notes"] = [dict(n) for n in self.notes]
        d["sources"] = [dict(s) for s in self.sources]
        d["history"] = self.history.to_dict() if self.history is not None else None
        d["pain"] = list(self.pain)
        d["warnings"] = list(self.warnings)
        return d


def report_of(
    load: RunLoad,
    *,
    body: Body | None = None,
    history: History | None = None,
    pain: Iterable[str] = (),
    start_time: Any = None,
) -> RunReport:
    """Findings, history comparison and advice for a computed :class:`RunLoad`."""
    from runmuscles.advice import advise, parse_pain

    sore = parse_pain(pain)
    comparison = None
    warnings = list(load.warnings)
    if history is not None:
        comparison = history.compare(load)
        warnings += list(comparison.notes)
    advice = advise(load, history=comparison, pain=sore)
    return RunReport(
        load=load,
        findings=load.findings,
        headline=load.headline,
        advice=advice.items,
        history=comparison,
        pain=sore,
        warmup=advice.warmup,
        notes=advice.notes,
        sources=advice.sources,
        warnings=tuple(dict.fromkeys(warnings)),
        body=body or Body(load.mass_kg, load.height_m),
    )


def analyze_run(
    path: str | Path | Activity,
    body: Any = None,
    history: History | str | Path | None = None,
    *,
    pain: Iterable[str] = (),
    table: ConditionTable | None = None,
    progress: Progress = None,
) -> RunReport:
    """Analyse one recorded run: load, findings and advice (the one pipeline).

    ``path``: a FIT, GPX or TCX file (or an already read :class:`~runmuscles.io.track.Activity`);
    ``body``: the runner (:class:`~runmuscles.load.body.Body`, a :class:`runmuscles.Runner`, a
    profile with ``mass_kg``/``height_m``, ``(mass, height)``; None: 70 kg, 1.75 m);
    ``history``: the runner's past runs (:class:`~runmuscles.load.history.History`, or a folder
    of activity files, each analysed the same way) for the change against recent weeks;
    ``pain``: tendons that hurt (``"achilles"``, ``"patellar"``, ...): only then are
    rehabilitation protocols advised; ``table``: the condition table (None: the shipped atlas);
    ``progress``: called with the name of each stage.
    """
    from runmuscles.io.track import Activity

    who = as_body(body)
    table = _table(table)
    if isinstance(path, Activity):
        act = path
    else:
        from runmuscles.io import read_activity

        if progress:
            progress("reading")
        act = read_activity(path)
    load = analyze_activity(act, who.mass_kg, who.height_m, table, progress=progress)
    past: History | None
    if history is None or not isinstance(history, str | Path):
        past = history
    else:
        from runmuscles.load.history import History

        if progress:
            progress("reading the history")
        past = History.from_folder(
            history,
            lambda a: analyze_activity(a, who.mass_kg, who.height_m, table),
            exclude=None if isinstance(path, Activity) else path,
        )
    if progress:
        progress("advice")
    return report_of(load, body=who, history=past, pain=pain, start_time=act.start_time)
