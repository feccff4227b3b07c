"""``runmuscles import ARCHIVE``: a whole history into the run store in one step.

ARCHIVE is a Strava bulk export (zip with ``activities/*.fit.gz|.gpx.gz|.tcx.gz`` and
``activities.csv``), a Garmin export (zip with the activities in inner zips), any zip of FIT, GPX
and TCX files, a folder of them, or one file. Each activity is analysed and stored as
``runmuscles serve`` would store an upload; files already in the history (same bytes, or a run
that starts within a minute of a stored one), rides and swims, and files with nothing to analyse
are skipped and listed with the reason. Heavy imports happen inside the command.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from runmuscles.errors import InputError

__all__ = ["COMMANDS", "import_history"]

EXAMPLES = """\b
examples:
  runmuscles import export_12345.zip          a Strava bulk export into your history
  runmuscles import ~/garmin-export.zip --profile kim
  runmuscles import ~/runs/                   every FIT, GPX and TCX file in a folder
  runmuscles import export.zip --json         the summary as JSON (for scripts)"""


def _summary_text(s: dict[str, Any]) -> str:
    lines = [
        f"{s['imported']} imported, {s['duplicates']} already in the history, {s['skipped']} "
        f"skipped, {s['failed']} failed ({s['total']} activity files, {s['ignored_files']} other "
        f"files ignored) in {s['seconds']:.1f} s"
    ]
    for why, n in sorted(s["by_reason"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {n:5d}  {why}")
    rest = [i for i in s["items"] if i["status"] in ("skipped", "failed")]
    if rest:
        lines.append("not imported:")
        lines += [f"  {i['name']}: {i['reason']}" for i in rest[:200]]
        if len(rest) > 200:
            lines.append(f"  ... and {len(rest) - 200} more (--json lists them all)")
    lines += [f"note: {n}" for n in s["notes"]]
    return "\n".join(lines)


@click.command(
    "import",
    short_help="Import a whole history: a Strava or Garmin export, or a folder.",
    epilog=EXAMPLES,
)
@click.argument("archive", type=click.Path(path_type=str))
@click.option(
    "--db",
    metavar="URL",
    default=None,
    help="Database URL (default: the SQLite file `runmuscles serve` uses).",
)
@click.option("--profile", default="default", show_default=True, help="Whose history.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_history(archive: str, db: str | None, profile: str, as_json: bool) -> None:
    """Import every run and walk of ARCHIVE (a Strava or Garmin export zip, a zip or folder of
    FIT, GPX and TCX files) into the run history, skipping duplicates and other sports, with a
    progress bar and a summary of what was skipped and why."""
    import importlib.util

    if importlib.util.find_spec("sqlalchemy") is None:
        raise InputError(
            "the run history needs the 'web' extra (sqlalchemy missing); install it with "
            "pip install 'runmuscles[web]'"
        )
    from runmuscles.load import default_table
    from runmuscles.store import Store
    from runmuscles.store.archive import open_archive
    from runmuscles.store.db import check_name
    from runmuscles.store.importer import import_archive

    check_name(profile)
    store = Store(db)
    try:
        with open_archive(archive) as src:
            table = default_table()
            total = len(src.candidates)
            if sys.stderr.isatty() and not as_json and total:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

                with Progress(
                    TextColumn("importing"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.description}"),
                    console=Console(stderr=True),
                    transient=True,
                ) as bar:
                    task = bar.add_task("", total=total)

                    def show(done: int, n: int, outcome: Any) -> None:
                        bar.update(task, completed=done, description=outcome.name[-40:])

                    summary = import_archive(src, store, table, profile, progress=show)
            else:
                step = max(1, total // 10)

                def log(done: int, n: int, outcome: Any) -> None:
                    if not as_json and (done % step == 0 or done == n):
                        click.echo(f"runmuscles: {done}/{n} files", err=True)

                summary = import_archive(src, store, table, profile, progress=log)
    finally:
        store.close()
    data = summary.to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(_summary_text(data))
        click.echo(f"history: {store.url} (profile {profile}); see it with `runmuscles serve`")


COMMANDS = (import_history,)
