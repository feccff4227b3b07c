"""``runmuscles activity FILE``: read a FIT/GPX/TCX run and print its summary and steady segments.

Heavy imports (NumPy, fitdecode) happen inside the command so that ``runmuscles --help`` stays
fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from runmuscles.cli.options import json_option
from runmuscles.cli.output import print_json, print_table

__all__ = ["COMMANDS", "activity"]

EXAMPLES = """\b
examples:
  runmuscles activity run.fit             summary and segments of a watch file
  runmuscles activity run.gpx --json      the same as one JSON object"""


@click.command(
    short_help="A FIT/GPX/TCX run: distance, climbing and steady segments.",
    epilog=EXAMPLES,
)
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@json_option
def activity(file: Path, as_json: bool) -> None:
    """Read a recorded run (FIT, GPX or TCX; the format is detected from the content) and print
    its summary and its steady segments of speed and grade."""
    from runmuscles.activity import segment, summarize
    from runmuscles.io import read_activity
    from runmuscles.units import KMH, format_pace

    act = read_activity(file)
    summary = summarize(act)
    segs = segment(act)
    warnings = [*summary.pop("warnings"), *segs.warnings]
    if as_json:
        print_json(
            {
                "activity": summary,
                "segments": [s.to_dict() for s in segs],
                "warnings": warnings,
            }
        )
        return

    def num(x: float | None, fmt: str) -> str:
        return "-" if x is None else format(x, fmt)

    rows = [
        ("file", act.source),
        ("device", summary["device"] or "-"),
        ("sport", summary["sport"] or "unknown"),
        ("start", summary["start_time"] or "-"),
        ("duration", f"{summary['duration_s'] / 60:.1f} min"),
        ("moving time", f"{summary['moving_time_s'] / 60:.1f} min"),
        ("distance", f"{summary['distance_m'] / 1000:.2f} km"),
        (
            "ascent / descent",
            f"{num(summary['ascent_m'], '.0f')} / {num(summary['descent_m'], '.0f')} m",
        ),
    ]
    for key, value in rows:
        print(f"{key + ':':18s}{value}")
    print()
    print_table(
        ("start", "min", "km", "pace", "km/h", "grade", "gain m", "loss m", "strides"),
        [
            (
                f"{s.start_s / 60:.1f}",
                f"{s.duration_s / 60:.1f}",
                f"{s.distance_m / 1000:.2f}",
                format_pace(s.speed_m_s),
                f"{s.speed_m_s / KMH:.1f}",
                f"{s.grade:+.1%}",
                f"{s.gain_m:.0f}",
                f"{s.loss_m:.0f}",
                num(s.strides, ".0f"),
            )
            for s in segs
        ],
        title=f"{len(segs)} steady segments",
    )
    for w in warnings:
        print(f"warning: {w}")


COMMANDS = (activity,)
