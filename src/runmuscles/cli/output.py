"""What every command prints: strict JSON and tables through rich.

Tables are plain when stdout is not a terminal (no colour codes, no wrapping), so that piping a
command into ``grep`` or a file gives the same columns a person sees. Rich is imported inside
:func:`print_table`, so that ``runmuscles --help`` stays fast.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["print_json", "print_table"]


def _clean(obj: Any) -> Any:
    """Make an object strict-JSON safe: NaN/inf become null, tuples lists, numpy scalars floats."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented strict JSON (NaN and infinities become ``null``)."""
    json.dump(_clean(obj), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    """An aligned table: headers, a rule, one line per row; ``title`` above it.

    On a terminal the header is bold and the table fits the window; elsewhere it is plain text
    as wide as its content, never wrapped.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold",
    )
    for h in headers:
        table.add_column(Text(h))
    for row in rows:
        table.add_row(*(Text(str(c)) for c in row))
    console = Console(file=sys.stdout, highlight=False)
    if console.is_terminal:
        if title:
            console.print(Text(title), soft_wrap=True)
        console.print(table)
        return
    # not a terminal: as wide as the content, no colour, no trailing blanks
    plain = Console(file=sys.stdout, width=10_000, color_system=None, highlight=False)
    plain = Console(
        file=sys.stdout, width=plain.measure(table).maximum, color_system=None, highlight=False
    )
    with plain.capture() as captured:
        plain.print(table)
    if title:
        sys.stdout.write(title + "\n")
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
