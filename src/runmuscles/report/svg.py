"""Tiny SVG/HTML string builders shared by the report modules (pure strings, no dependencies).

Every text and attribute value passes through :func:`esc` (``html.escape`` with quotes), so labels
from files or users can never inject markup. Numbers are written compactly by :func:`num`.
SVG produced here has no ``xmlns`` (inline SVG in HTML5 needs none); :func:`standalone` adds it
for a separate ``.svg`` file.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

__all__ = ["el", "esc", "num", "standalone", "svg", "text", "title"]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

Attrs = Mapping[str, object]


def esc(value: object) -> str:
    """Text safe inside an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def num(x: float, digits: int = 2) -> str:
    """Compact decimal for coordinates: ``1.50`` -> ``1.5``, ``-0.0`` -> ``0``."""
    if not math.isfinite(x):
        raise ValueError(f"non-finite coordinate {x!r}")
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _attrs(attrs: Attrs | None) -> str:
    if not attrs:
        return ""
    parts = []
    for k, v in attrs.items():
        if v is None:
            continue
        parts.append(f' {k}="{esc(num(v) if isinstance(v, float) else v)}"')
    return "".join(parts)


def el(tag: str, attrs: Attrs | None = None, inner: str = "") -> str:
    """``<tag attrs>inner</tag>``; ``inner`` is trusted markup (build it with these helpers)."""
    if inner:
        return f"<{tag}{_attrs(attrs)}>{inner}</{tag}>"
    return f"<{tag}{_attrs(attrs)}/>"


def text(x: float, y: float, label: object, attrs: Attrs | None = None) -> str:
    """A ``<text>`` element with escaped content."""
    a: dict[str, object] = {"x": float(x), "y": float(y)}
    a.update(attrs or {})
    return f"<text{_attrs(a)}>{esc(label)}</text>"


def title(label: object) -> str:
    """A ``<title>`` child (tooltip on hover)."""
    return f"<title>{esc(label)}</title>"


def svg(width: float, height: float, inner: str, attrs: Attrs | None = None) -> str:
    """An inline ``<svg>`` with a viewBox of ``width`` x ``height`` user units."""
    a: dict[str, object] = {
        "viewBox": f"0 0 {num(width)} {num(height)}",
        "width": float(width),
        "height": float(height),
        "font-family": FONT,
        "font-size": "11",
    }
    a.update(attrs or {})
    return el("svg", a, inner)


def standalone(svg_markup: str) -> str:
    """The same SVG with the namespace declared, for writing a separate ``.svg`` file."""
    if not svg_markup.startswith("<svg"):
        raise ValueError("not an <svg> element")
    return f'<svg xmlns="{SVG_NS}"' + svg_markup[4:]
