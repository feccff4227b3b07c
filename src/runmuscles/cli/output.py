"""Shared output helpers for CLI commands: JSON printing and plain tables."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["add_common", "print_json", "print_table"]


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that has a data answer."""
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


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
    json.dump(_clean(obj), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    """A plain, aligned text table (no colour, so it pipes cleanly)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    out = sys.stdout
    if title:
        out.write(title + "\n")
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
