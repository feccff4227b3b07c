"""Inline SVG charts of a run's load (no plotting library; light, self-contained, escaped text).

* :func:`work_bars_svg`: concentric (right) and eccentric (left) work per group, largest first.
* :func:`profile_svg`: elevation over distance, each segment filled by its grade colour, a strip
  below showing the group that did the most work in each segment.
* :func:`terrain_bars_svg`: uphill / flat / downhill value per group.
* :func:`tendon_bars_svg`: tendon load by terrain with the peak force per stride.

Stride plots that need a GaitCycle live in :mod:`runmuscles.report.stride`.
Every element carrying a number has a ``<title>`` for hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from runmuscles.errors import InputError
from runmuscles.report.colour import GRADE_SPAN, grade_colour, group_colour
from runmuscles.report.data import GroupLoad, ProfileSegment, TendonLoad
from runmuscles.report.svg import el, svg, text, title

__all__ = [
    "TERRAIN_COLOURS",
    "grouped_bars_svg",
    "nice_max",
    "profile_svg",
    "tendon_bars_svg",
    "terrain_bars_svg",
    "vs_flat_text",
    "work_bars_svg",
]

CONCENTRIC, ECCENTRIC = "#d1495b", "#2e86ab"
TERRAIN_COLOURS: dict[str, str] = {"uphill": "#b2182b", "flat": "#8c8c8c", "downhill": "#2166ac"}
GRID = "#e3e3e3"
INK = "#333333"


def nice_max(x: float) -> float:
    """Smallest 1, 2, 2.5 or 5 x 10^k >= x (axis end); 1 for x <= 0."""
    if not (x > 0 and math.isfinite(x)):
        return 1.0
    k = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * k >= x * (1 - 1e-12):
            return m * k
    return 10.0 * k  # pragma: no cover


def _fmt(x: float) -> str:
    """Short number for axes and labels."""
    ax = abs(x)
    if ax >= 1e6:
        return f"{x / 1e6:.3g}M"
    if ax >= 1e4:
        return f"{x / 1e3:.3g}k"
    if ax >= 100 or ax == 0:
        return f"{x:.0f}"
    return f"{x:.3g}"


def work_bars_svg(groups: Sequence[GroupLoad], width: float = 760.0) -> str:
    """Butterfly bars: eccentric work left, concentric right (J), largest total first."""
    rows = sorted(groups, key=lambda g: -g.total_j)
    if not rows:
        raise InputError("work bars need at least one group")
    label_w, bar_h, gap, top = 150.0, 16.0, 8.0, 34.0
    half = (width - label_w - 30.0) / 2
    x0 = label_w + half  # zero line
    vmax = nice_max(max(max(g.concentric_j, g.eccentric_j) for g in rows))
    height = top + len(rows) * (bar_h + gap) + 30.0
    parts = [
        text(x0 - 6, 14, "eccentric (absorbed) ←", {"text-anchor": "end", "fill": ECCENTRIC}),
        text(x0 + 6, 14, "→ concentric (produced)", {"fill": CONCENTRIC}),
    ]
    for f in (-1.0, -0.5, 0.0, 0.5, 1.0):
        x = x0 + f * half
        parts.append(
            el("line", {"x1": x, "y1": top - 6, "x2": x, "y2": height - 24, "stroke": GRID})
        )
        parts.append(
            text(x, height - 10, f"{_fmt(abs(f) * vmax)} J", {"text-anchor": "middle", "fill": INK})
        )
    total = math.fsum(g.total_j for g in rows) or 1.0
    for i, g in enumerate(rows):
        y = top + i * (bar_h + gap)
        share = 100 * g.total_j / total
        parts.append(text(label_w - 8, y + bar_h - 4, g.name, {"text-anchor": "end", "fill": INK}))
        we = half * g.eccentric_j / vmax
        wc = half * g.concentric_j / vmax
        tip = f"{g.name}: concentric {g.concentric_j:.0f} J, eccentric {g.eccentric_j:.0f} J"
        tip += f" ({share:.1f} % of all work)"
        parts.append(
            el(
                "rect",
                {
                    "x": x0 - we,
                    "y": y,
                    "width": we,
                    "height": bar_h,
                    "fill": ECCENTRIC,
                    "data-muscle": g.id,
                    "data-kind": "eccentric",
                },
                title(tip),
            )
        )
        parts.append(
            el(
                "rect",
                {
                    "x": x0,
                    "y": y,
                    "width": wc,
                    "height": bar_h,
                    "fill": CONCENTRIC,
                    "data-muscle": g.id,
                    "data-kind": "concentric",
                },
                title(tip),
            )
        )
        parts.append(
            text(x0 + wc + 4, y + bar_h - 4, f"{share:.0f} %", {"fill": "#777", "font-size": "10"})
        )
    parts.append(el("line", {"x1": x0, "y1": top - 6, "x2": x0, "y2": height - 24, "stroke": INK}))
    return svg(width, height, "".join(parts), {"class": "chart work-bars"})


def grouped_bars_svg(
    rows: Sequence[tuple[str, str, Mapping[str, float], str]],
    series: Mapping[str, str],
    unit: str,
    width: float = 760.0,
) -> str:
    """Horizontal grouped bars. ``rows``: (id, label, {series: value}, extra label text);
    ``series``: series name -> colour, in order. Missing values are left out (no bar)."""
    if not rows:
        raise InputError("a bar chart needs at least one row")
    label_w, bar_h, top = 150.0, 10.0, 30.0
    n = len(series)
    row_h = n * bar_h + 10.0
    plot_w = width - label_w - 190.0
    values = [v for _, _, vals, _ in rows for v in vals.values()]
    vmax = nice_max(max(values, default=0.0))
    height = top + len(rows) * row_h + 28.0
    parts = []
    for k, (name, colour) in enumerate(series.items()):
        x = label_w + k * 90.0
        parts.append(el("rect", {"x": x, "y": 6.0, "width": 12.0, "height": 10.0, "fill": colour}))
        parts.append(text(x + 16, 15, name, {"fill": INK}))
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + f * plot_w
        parts.append(
            el("line", {"x1": x, "y1": top - 4, "x2": x, "y2": height - 22, "stroke": GRID})
        )
        parts.append(text(x, height - 8, _fmt(f * vmax), {"text-anchor": "middle", "fill": INK}))
    parts.append(text(label_w + plot_w + 24, height - 8, unit, {"fill": INK}))
    for i, (rid, label, vals, extra) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            text(label_w - 8, y + n * bar_h / 2 + 4, label, {"text-anchor": "end", "fill": INK})
        )
        for k, (name, colour) in enumerate(series.items()):
            if name not in vals:
                continue
            v = vals[name]
            parts.append(
                el(
                    "rect",
                    {
                        "x": label_w,
                        "y": y + k * bar_h,
                        "width": plot_w * v / vmax,
                        "height": bar_h - 1,
                        "fill": colour,
                        "data-id": rid,
                        "data-series": name,
                    },
                    title(f"{label}, {name}: {_fmt(v)} {unit}"),
                )
            )
        if extra:
            parts.append(text(label_w + plot_w + 8, y + n * bar_h / 2 + 4, extra, {"fill": "#666"}))
    return svg(width, height, "".join(parts), {"class": "chart bars"})


def vs_flat_text(ratio: float | None) -> str:
    """A ratio to the flat run as a signed percentage ("+12 % vs flat"); "" when unknown."""
    return "" if ratio is None else f"{round((ratio - 1) * 100):+d} % vs flat"


def terrain_bars_svg(groups: Sequence[GroupLoad], unit: str, width: float = 760.0) -> str:
    """Uphill / flat / downhill value of each group (``GroupLoad.by_terrain``, in ``unit``),
    with the whole run's work compared with a flat run at the right."""
    rows = [
        (g.id, g.name, dict(g.by_terrain), vs_flat_text(g.vs_flat))
        for g in sorted(groups, key=lambda g: -g.total_j)
        if g.by_terrain
    ]
    return grouped_bars_svg(rows, TERRAIN_COLOURS, unit, width)


def tendon_bars_svg(tendons: Sequence[TendonLoad], unit: str, width: float = 760.0) -> str:
    """Tendon load by terrain (``unit``), with the peak force per stride (BW) at the right."""
    rows = [
        (
            t.id,
            t.name,
            dict(t.by_terrain),
            ", ".join(
                x
                for x in (
                    f"peak {t.peak_bw:.1f} BW" if t.peak_bw is not None else "",
                    vs_flat_text(t.vs_flat),
                )
                if x
            ),
        )
        for t in tendons
    ]
    return grouped_bars_svg(rows, TERRAIN_COLOURS, unit, width)


def profile_svg(segments: Sequence[ProfileSegment], width: float = 760.0) -> str:
    """Elevation (m) over distance (km), segments filled by grade colour (blue down, red up),
    a grade trace, and a strip of the dominant group per segment with a legend."""
    segs = sorted(segments, key=lambda s: s.start_m)
    if not segs:
        raise InputError("the profile needs at least one segment")
    left, right, top, plot_h = 50.0, 20.0, 12.0, 170.0
    strip_y = top + plot_h + 26.0
    plot_w = width - left - right
    d0, d1 = segs[0].start_m, segs[-1].end_m
    elev = [e for s in segs for e in (s.elevation_start_m, s.elevation_end_m)]
    lo, hi = min(elev), max(elev)
    pad = max(5.0, 0.1 * (hi - lo))
    lo, hi = lo - pad, hi + pad

    def X(d: float) -> float:
        return left + plot_w * (d - d0) / (d1 - d0)

    def Y(e: float) -> float:
        return top + plot_h * (hi - e) / (hi - lo)

    parts = []
    for k in range(5):  # horizontal grid with elevation labels
        e = lo + (hi - lo) * k / 4
        parts.append(
            el("line", {"x1": left, "y1": Y(e), "x2": left + plot_w, "y2": Y(e), "stroke": GRID})
        )
        parts.append(text(left - 4, Y(e) + 4, f"{e:.0f}", {"text-anchor": "end", "fill": INK}))
    parts.append(text(4, top + 10, "m", {"fill": INK}))
    groups_seen: dict[str, None] = {}
    base = Y(lo)
    for s in segs:
        x_a, x_b = X(s.start_m), X(s.end_m)
        tip = (
            f"{s.start_m / 1000:.2f}-{s.end_m / 1000:.2f} km, grade {100 * s.grade:+.1f} %"
            + (f", {s.speed_m_s:.2f} m/s" if s.speed_m_s is not None else "")
            + (f", most work: {s.dominant.replace('_', ' ')}" if s.dominant else "")
        )
        pts = (
            f"{x_a:.2f},{base:.2f} {x_a:.2f},{Y(s.elevation_start_m):.2f} "
            f"{x_b:.2f},{Y(s.elevation_end_m):.2f} {x_b:.2f},{base:.2f}"
        )
        parts.append(
            el(
                "polygon",
                {"points": pts, "fill": grade_colour(s.grade), "data-grade": f"{s.grade:.4f}"},
                title(tip),
            )
        )
        if s.dominant:
            groups_seen[s.dominant] = None
            parts.append(
                el(
                    "rect",
                    {
                        "x": x_a,
                        "y": strip_y,
                        "width": max(x_b - x_a, 0.5),
                        "height": 14.0,
                        "fill": group_colour(s.dominant),
                        "data-muscle": s.dominant,
                    },
                    title(tip),
                )
            )
    line = " ".join(
        f"{X(d):.2f},{Y(e):.2f}"
        for s in segs
        for d, e in ((s.start_m, s.elevation_start_m), (s.end_m, s.elevation_end_m))
    )
    parts.append(
        el("polyline", {"points": line, "fill": "none", "stroke": INK, "stroke-width": "1.2"})
    )
    nticks = 6
    for k in range(nticks + 1):
        d = d0 + (d1 - d0) * k / nticks
        parts.append(
            text(X(d), top + plot_h + 14, f"{d / 1000:.1f}", {"text-anchor": "middle", "fill": INK})
        )
    parts.append(text(width - right, top + plot_h - 4, "km", {"text-anchor": "end", "fill": INK}))
    parts.append(text(4, strip_y + 11, "most", {"fill": INK, "font-size": "10"}))
    # legends: grade scale and groups
    ly = strip_y + 34
    for k, g in enumerate((-GRADE_SPAN, -GRADE_SPAN / 2, 0.0, GRADE_SPAN / 2, GRADE_SPAN)):
        x = left + k * 52.0
        parts.append(
            el("rect", {"x": x, "y": ly, "width": 50.0, "height": 10.0, "fill": grade_colour(g)})
        )
        label = f"{100 * g:+.0f} %" + ("+" if k == 4 else "") if g else "0 %"
        parts.append(
            text(x + 25, ly + 22, label, {"text-anchor": "middle", "fill": INK, "font-size": "10"})
        )
    parts.append(text(left + 5 * 52.0 + 6, ly + 9, "grade", {"fill": INK}))
    gx = left + 340.0
    for k, gid in enumerate(groups_seen):
        x = gx + (k % 3) * 125.0
        y = ly + (k // 3) * 15.0
        parts.append(
            el("rect", {"x": x, "y": y, "width": 10.0, "height": 10.0, "fill": group_colour(gid)})
        )
        parts.append(text(x + 14, y + 9, gid.replace("_", " "), {"fill": INK, "font-size": "10"}))
    height = ly + max(30.0, 15.0 * ((len(groups_seen) + 2) // 3) + 8)
    return svg(width, height, "".join(parts), {"class": "chart profile"})
