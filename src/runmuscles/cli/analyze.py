"""``runmuscles analyze RUN`` and ``runmuscles demo``: per-muscle load of a run, with advice.

``analyze`` reads a FIT/GPX/TCX file; ``demo`` runs the same path on the built-in GENERATED
example run (:func:`runmuscles.examples.hilly_run`). Both call
:func:`runmuscles.load.analyze_run` (the one pipeline, shared with the web app) and print the
headline, what was computed, the findings, tables and at most three pieces of advice, or with
``--json`` :meth:`runmuscles.load.RunReport.to_dict` (keys ``activity``, ``body``, ``segments``,
``kilometres``, ``terrain``, ``coverage``, ``muscles``, ``tendons``, ``vs_flat``, ``findings``,
``headline``, ``table``, ``advice``, ``warmup``, ``advice_notes``, ``sources``, ``history``,
``pain``, ``warnings``, and ``example`` for the demo).

Heavy imports happen inside the handlers so that ``runmuscles --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runmuscles.cli.options import body_options, json_option
from runmuscles.cli.output import print_json, print_table
from runmuscles.conventions import Terrain

if TYPE_CHECKING:
    from runmuscles.load import ConditionTable, RunReport

__all__ = ["COMMANDS", "TABLE_FACTORY", "analyze", "demo"]

#: Dependency-injection hook for tests and embedding: when set, ``analyze`` and ``demo`` use the
#: condition table it returns instead of the shipped muscle atlas (``runmuscles.atlas``).
TABLE_FACTORY: Callable[[], ConditionTable] | None = None

#: Files larger than this get a progress bar (when stderr is a terminal), bytes.
PROGRESS_BYTES = 1_000_000

ANALYZE_EXAMPLES = """\b
examples:
  runmuscles analyze run.fit                    per-muscle load, tendons, hills, advice
  runmuscles analyze run.gpx --mass 62 --height 1.68
  runmuscles analyze run.tcx --json             one JSON object for scripts
  runmuscles analyze run.fit -o report.html     also write an HTML report
  runmuscles analyze run.fit --history runs/    compare with your recent weeks (a folder of runs)
  runmuscles analyze run.fit --tendon-pain achilles   rehabilitation advice for a sore tendon"""

DEMO_EXAMPLES = """\b
examples:
  runmuscles demo                a generated 8 km hilly run, analysed
  runmuscles demo --json         the same as one JSON object"""


def _report_options(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option(
        "--tendon-pain",
        "pain",
        multiple=True,
        metavar="NAME",
        help="A tendon that hurts: achilles, patellar or plantar_fascia (repeatable). Only then "
        "does the advice include rehabilitation protocols.",
    )(f)
    return click.option(
        "-o",
        "--html",
        metavar="REPORT.html",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write a self-contained HTML report to this file.",
    )(f)


def _no_solve_option(f: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--no-solve",
        is_flag=True,
        help="Do not solve strides beyond the muscle atlas's grid (a sprint, a steep walk); "
        "say which kilometres were not computed instead.",
    )(f)


@click.command(
    short_help="Per-muscle load of a recorded run (FIT/GPX/TCX), hills, advice.",
    epilog=ANALYZE_EXAMPLES,
)
@click.argument("file", metavar="RUN", type=click.Path(path_type=Path))
@body_options
@click.option(
    "--history",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your past runs (FIT/GPX/TCX): compare this run with your recent weeks.",
)
@_report_options
@_no_solve_option
@json_option
def analyze(
    file: Path,
    mass: float,
    height: float,
    history: Path | None,
    html: Path | None,
    pain: tuple[str, ...],
    no_solve: bool,
    as_json: bool,
) -> None:
    """Analyse a recorded run (.fit, .gpx or .tcx): it is cleaned (spikes, GPS jumps, impossible
    records) and checked against the watch's own totals; every kilometre gets a gait; concentric
    and eccentric work per muscle group and tendon are compared with the same run on the flat;
    the largest real change is the headline; and two or three pieces of advice come with why
    and their sources."""
    from runmuscles.load import analyze_run

    _check_report_path(html)
    big = file.is_file() and file.stat().st_size > PROGRESS_BYTES
    with _progress(big or history is not None) as step, _solving(step, as_json) as solved:
        report = analyze_run(
            file, (mass, height), history, pain=pain, table=_table(no_solve, solved), progress=step
        )
        _emit(report, html, as_json)


@click.command(
    short_help="Analyse a generated hilly example run (no file needed).",
    epilog=DEMO_EXAMPLES,
)
@body_options
@_report_options
@_no_solve_option
@json_option
def demo(
    mass: float,
    height: float,
    html: Path | None,
    pain: tuple[str, ...],
    no_solve: bool,
    as_json: bool,
) -> None:
    """The whole analysis on a run that runmuscles GENERATES itself (8 km with a 60 m climb and
    descent; not a recording), so you can see an answer without a file."""
    from dataclasses import replace

    from runmuscles.examples import HILLY_RUN_DESCRIPTION, hilly_run
    from runmuscles.load import analyze_run

    _check_report_path(html)
    with _solving(None, as_json) as solved:
        report = analyze_run(hilly_run(), (mass, height), pain=pain, table=_table(no_solve, solved))
    report = replace(report, load=replace(report.load, example=HILLY_RUN_DESCRIPTION))
    _emit(report, html, as_json)


COMMANDS = (analyze, demo)


def _check_report_path(path: Path | None) -> None:
    """Refuse an unusable report path before the analysis, not after."""
    from runmuscles.errors import InputError

    if path is not None and not path.parent.exists():
        raise InputError(f"-o {path}: the folder {path.parent} does not exist")


def _table(no_solve: bool = False, progress: Callable[[Any], None] | None = None) -> Any:
    """The condition table: TABLE_FACTORY's, else the shipped atlas extended on demand
    (strides beyond its grid solved with a progress bar and cached, or with --no-solve not)."""
    if TABLE_FACTORY is not None:
        return TABLE_FACTORY()
    from runmuscles.atlas import on_demand_atlas

    return on_demand_atlas(solving="no-solve" if no_solve else "solve", progress=progress)


@contextmanager
def _solving(
    step: Callable[[str], None] | None, quiet: bool
) -> Iterator[Callable[[Any], None] | None]:
    """Progress of strides solved on demand: on the analysis's progress bar when it shows one,
    else on its own bar (nothing with --json)."""
    describe = getattr(step, "describe", None)
    if describe is not None:

        def on_bar(s: Any) -> None:
            describe(f"solving strides beyond the atlas: {s.done + s.failed}/{s.total}")

        yield on_bar
        return
    from runmuscles.cli.atlas import solve_progress

    with solve_progress(not quiet) as bar:
        yield bar


@contextmanager
def _progress(show: bool, stages: int = 4) -> Iterator[Callable[[str], None] | None]:
    """A rich progress bar on stderr advanced once per analysis stage (or nothing)."""
    if not (show and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("analysing", total=stages)

        def step(stage: str) -> None:
            bar.update(task, advance=1, description=stage)

        step.describe = lambda text: bar.update(task, description=text)  # type: ignore[attr-defined]
        yield step


def _emit(report: RunReport, html: Path | None, as_json: bool) -> None:
    if html is not None:
        from runmuscles.report.html import write_report
        from runmuscles.report.runload import report_data

        write_report(report_data(report.load, plan=report.plan), html)
    if as_json:
        data = report.to_dict()
        if html is not None:
            data["report"] = str(html)
        print_json(data)
        return
    _print_text(report)
    if html is not None:
        print(f"\nreport written to {html}")


def _vs(ratio: float | None) -> str:
    """A vs-flat ratio as a signed whole percentage ('+12 %'; never '-0 %')."""
    return "-" if ratio is None else f"{round((ratio - 1) * 100):+d} %"


MUSCLE_COLUMNS = ("muscle group", "share", "conc kJ", "ecc kJ", "J/kg", "up kJ", "flat kJ",
                  "down kJ", "conc vs flat", "ecc vs flat")  # fmt: skip


def _print_text(report: RunReport) -> None:
    from runmuscles.load.result import km_ranges
    from runmuscles.units import format_pace

    r = report.load
    a = r.activity
    if r.example:
        print(f"*** {r.example} ***\n")

    def num(x: float | None, fmt: str) -> str:
        return "-" if x is None else format(x, fmt)

    print(f"{report.headline[0].upper()}{report.headline[1:]}.\n")
    up, down = num(a.get("ascent_m"), ".0f"), num(a.get("descent_m"), ".0f")
    dev = a.get("device_totals") or {}
    c = r.coverage
    rows = [
        ("device", a.get("device") or "-"),
        ("duration", f"{a.get('duration_s', 0) / 60:.1f} min"),
        ("moving time", f"{a.get('moving_time_s', 0) / 60:.1f} min"),
        ("distance", f"{a.get('distance_m', 0) / 1000:.2f} km"
         + (f" (watch: {dev['distance_m'] / 1000:.2f} km)" if "distance_m" in dev else "")),
        ("ascent / descent", f"{up} / {down} m"
         + (f" (watch: {dev['ascent_m']:.0f} / {dev.get('descent_m', 0):.0f} m)"
            if "ascent_m" in dev else "")),
        ("body", f"{r.mass_kg:.0f} kg, {r.height_m:.2f} m"),
    ]  # fmt: skip
    if c is not None:
        rows.append(
            (
                "computed",
                f"{c.computed_m / 1000:.2f} of {c.distance_m / 1000:.2f} km "
                f"({c.computed_share * 100:.0f} %); walked, not computed "
                f"{c.walked_m / 1000:.2f} km; at the atlas's edge {c.clipped_m / 1000:.2f} km"
                + (
                    f"; not computed (beyond the atlas, not solved) {c.not_solved_m / 1000:.2f} "
                    f"km: km {km_ranges(c.not_solved_km)}"
                    if c.not_solved_m > 0
                    else ""
                ),
            )
        )
    cl = a.get("cleaning") or {}
    if cl:
        rows.append(
            (
                "cleaned",
                f"{cl.get('altitude_spikes', 0)} altitude spike(s), {cl.get('gps_jumps', 0)} "
                f"GPS jump(s), {cl.get('impossible_records', 0)} impossible record(s)",
            )
        )
    for key, value in rows:
        print(f"{key + ':':18s}{value}")
    print()
    print_table(
        ("start min", "min", "km", "pace", "grade", "gait", "terrain", "strides", "work kJ"),
        [
            (
                f"{s.start_s / 60:.1f}",
                f"{s.duration_s / 60:.1f}",
                f"{s.distance_m / 1000:.2f}",
                format_pace(s.speed_m_s),
                f"{s.grade:+.1%}",
                s.gait,
                s.terrain if s.included else "not computed",
                num(s.strides, ".0f"),
                f"{sum(s.work_j.values()) / 1000:.1f}" if s.included else "-",
            )
            for s in r.segments
        ],
        title=f"{len(r.segments)} segments",
    )
    print()
    print_table(
        MUSCLE_COLUMNS,
        [
            (
                g.group + ("" if g.resolved else " (not resolved)"),
                f"{g.share:.0%}",
                f"{g.concentric_work_j / 1000:.1f}",
                f"{g.eccentric_work_j / 1000:.1f}",
                f"{g.work_j / r.mass_kg:.0f}",
                *(f"{g.by_terrain[t] / 1000:.1f}" for t in Terrain),
                _vs(g.vs_flat_of("concentric")),
                _vs(g.vs_flat_of("eccentric")),
            )
            for g in sorted(r.muscles, key=lambda g: -g.share)
        ],
        title="muscle work over the computed part of the run (both legs), against a flat run",
    )
    print()
    print_table(
        ("tendon", "impulse kN s", "cycles", "peak BW", "vs flat"),
        [
            (
                t.tendon.replace("_", " "),
                f"{t.impulse_ns / 1000:.0f}",
                f"{t.cycles:.0f}",
                f"{t.peak_force_bw:.1f}",
                _vs(t.vs_flat),
            )
            for t in r.tendons
        ],
        title="tendon load",
    )
    if report.findings:
        print("\nChanges against a flat run of the same distance and pace:")
        for f in report.findings[:5]:
            print(f"  - {f.text}")
    if report.history is not None and report.history.changes:
        print("\nAgainst your recent weeks (acute:chronic ratio, Gabbett 2016; a rough guide):")
        for ch in report.history.changes[:3]:
            print(
                f"  - {ch.subject.replace('_', ' ')} {ch.kind}: {num(ch.acwr, '.2f')} ({ch.zone})"
            )
    print("\nWarm-up before running:")
    for s in report.warmup["steps"]:
        print(f"  - {s['name']} ({s['duration_s'] / 60:.0f} min): {s['text']}")
    print("\nChosen for this run:")
    for i, item in enumerate(report.advice, 1):
        print(f"  {i}. {item.name} ({item.purpose}): {item.dosage}")
        for reason in item.reasons:
            print(f"     why: {reason}")
        print(f"     sources: {', '.join(item.sources)}")
    for n in report.notes:
        print(f"\nnote: {n['text']} [{', '.join(n['sources'])}]")
    for w in report.warnings:
        print(f"warning: {w}")
