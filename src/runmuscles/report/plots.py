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

import numpy as np

from runmuscles.errors import InputError
from runmuscles.report.axes import energy_unit, nice_ticks, tick_label
from runmuscles.report.colour import GRADE_SPAN, grade_colour, group_colour
from runmuscles.report.data import Elevation, GroupLoad, ProfileSegment, TendonLoad
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
    biggest = max(max(g.concentric_j, g.eccentric_j) for g in rows)
    unit, div = energy_unit(biggest)
    ticks = nice_ticks(0.0, max(biggest / div, 1e-9), 3)
    vmax = ticks[-1] * div
    step = ticks[1] - ticks[0]
    height = top + len(rows) * (bar_h + gap) + 30.0
    parts = [
        text(x0 - 6, 14, "eccentric (absorbed) ←", {"text-anchor": "end", "fill": ECCENTRIC}),
        text(x0 + 6, 14, "→ concentric (produced)", {"fill": CONCENTRIC}),
    ]
    for t in [-x for x in reversed(ticks[1:])] + ticks:
        x = x0 + half * t * div / vmax
        parts.append(
            el("line", {"x1": x, "y1": top - 6, "x2": x, "y2": height - 24, "stroke": GRID})
        )
        label = tick_label(abs(t), step) + (f" {unit}" if t == ticks[-1] else "")
        parts.append(text(x, height - 10, label, {"text-anchor": "middle", "fill": INK}))
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
    ticks = nice_ticks(0.0, max(max(values, default=0.0), 1e-9), 4)
    vmax = ticks[-1]
    step = ticks[1] - ticks[0]
    height = top + len(rows) * row_h + 28.0
    parts = []
    for k, (name, colour) in enumerate(series.items()):
        x = label_w + k * 90.0
        parts.append(el("rect", {"x": x, "y": 6.0, "width": 12.0, "height": 10.0, "fill": colour}))
        parts.append(text(x + 16, 15, name, {"fill": INK}))
    for t in ticks:
        x = label_w + plot_w * t / vmax
        parts.append(
            el("line", {"x1": x, "y1": top - 4, "x2": x, "y2": height - 22, "stroke": GRID})
        )
        parts.append(
            text(x, height - 8, tick_label(t, step), {"text-anchor": "middle", "fill": INK})
        )
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


def vs_flat_text(ratio: float | None, by_kind: Mapping[str, float] | None = None) -> str:
    """A ratio to the flat run as a signed percentage ("+12 % vs flat"), or per kind
    ("concentric +3 %, eccentric +46 % vs flat"); "" when unknown."""
    if by_kind:
        parts = [f"{k} {round((v - 1) * 100):+d} %" for k, v in by_kind.items()]
        return ", ".join(parts) + " vs flat"
    return "" if ratio is None else f"{round((ratio - 1) * 100):+d} % vs flat"


def terrain_bars_svg(groups: Sequence[GroupLoad], unit: str, width: float = 760.0) -> str:
    """Uphill / flat / downhill value of each group (``GroupLoad.by_terrain``, in ``unit``),
    with the whole run's work compared with a flat run at the right."""
    rows = [
        (g.id, g.name, dict(g.by_terrain), vs_flat_text(g.vs_flat, g.vs_flat_by_kind))
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


def profile_svg(
    segments: Sequence[ProfileSegment], elevation: Elevation | None = None, width: float = 760.0
) -> str:
    """Elevation (m) over distance (km): the absolute elevation line when ``elevation`` is given
    (else the segments' own, relative to the start), each segment filled by its grade colour (blue
    down, red up), walked or standing stretches hatched grey, round ticks, and a strip of the
    dominant group per segment with a legend."""
    segs = sorted(segments, key=lambda s: s.start_m)
    if not segs:
        raise InputError("the profile needs at least one segment")
    left, right, top, plot_h = 56.0, 20.0, 12.0, 170.0
    strip_y = top + plot_h + 30.0
    plot_w = width - left - right
    d0, d1 = segs[0].start_m, segs[-1].end_m
    if elevation is not None:
        line_pts = [
            (d, z)
            for d, z in zip(elevation.distance_m, elevation.elevation_m, strict=True)
            if d0 <= d <= d1
        ]
    else:
        line_pts = []
    if len(line_pts) < 2:
        line_pts = [
            (d, e)
            for s in segs
            for d, e in ((s.start_m, s.elevation_start_m), (s.end_m, s.elevation_end_m))
        ]
    elev = [e for _, e in line_pts] + [
        e for s in segs for e in (s.elevation_start_m, s.elevation_end_m)
    ]
    lo, hi = min(elev), max(elev)
    if hi - lo < 10.0:  # a flat run: at least 10 m of axis, centred
        mid = 0.5 * (hi + lo)
        lo, hi = mid - 5.0, mid + 5.0
    yt = nice_ticks(lo, hi, 4)
    lo, hi = yt[0], yt[-1]
    ystep = yt[1] - yt[0]

    def X(d: float) -> float:
        return left + plot_w * (d - d0) / (d1 - d0)

    def Y(e: float) -> float:
        return top + plot_h * (hi - e) / (hi - lo)

    parts = [
        el(
            "defs",
            {},
            el(
                "pattern",
                {
                    "id": "walked",
                    "width": 6.0,
                    "height": 6.0,
                    "patternUnits": "userSpaceOnUse",
                    "patternTransform": "rotate(45)",
                },
                el("rect", {"width": 6.0, "height": 6.0, "fill": "#eeeeee"})
                + el(
                    "line",
                    {
                        "x1": 0.0,
                        "y1": 0.0,
                        "x2": 0.0,
                        "y2": 6.0,
                        "stroke": "#9a9a9a",
                        "stroke-width": "2",
                    },
                ),
            ),
        ),
    ]
    for e in yt:  # horizontal grid with elevation labels
        parts.append(
            el("line", {"x1": left, "y1": Y(e), "x2": left + plot_w, "y2": Y(e), "stroke": GRID})
        )
        parts.append(
            text(
                left - 4,
                Y(e) + 4,
                tick_label(e, ystep),
                {"text-anchor": "end", "fill": INK, "class": "ytick"},
            )
        )
    parts.append(text(4, top + 10, "m" if elevation is not None else "m (rel.)", {"fill": INK}))
    groups_seen: dict[str, None] = {}
    base = Y(lo)
    dd = np.array([d for d, _ in line_pts])
    zz = np.array([z for _, z in line_pts])
    for s in segs:
        x_a, x_b = X(s.start_m), X(s.end_m)
        tip = (
            f"{s.start_m / 1000:.2f}-{s.end_m / 1000:.2f} km, grade {100 * s.grade:+.1f} %"
            + (f", {s.speed_m_s:.2f} m/s" if s.speed_m_s is not None else "")
            + (", walked or standing: not in the muscle loads" if s.excluded else "")
            + (f", most work: {s.dominant.replace('_', ' ')}" if s.dominant else "")
        )
        inside = (dd > s.start_m) & (dd < s.end_m)
        top_pts = [(s.start_m, float(np.interp(s.start_m, dd, zz)))]
        top_pts += list(zip(dd[inside].tolist(), zz[inside].tolist(), strict=True))
        top_pts += [(s.end_m, float(np.interp(s.end_m, dd, zz)))]
        pts = " ".join(
            [f"{x_a:.2f},{base:.2f}"]
            + [f"{X(d):.2f},{Y(z):.2f}" for d, z in top_pts]
            + [f"{x_b:.2f},{base:.2f}"]
        )
        fill = "url(#walked)" if s.excluded else grade_colour(s.grade)
        attrs = {"points": pts, "fill": fill, "data-grade": f"{s.grade:.4f}"}
        if s.excluded:
            attrs["class"] = "excluded"
        parts.append(el("polygon", attrs, title(tip)))
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
    line = " ".join(f"{X(d):.2f},{Y(e):.2f}" for d, e in line_pts)
    parts.append(
        el(
            "polyline",
            {
                "points": line,
                "fill": "none",
                "stroke": INK,
                "stroke-width": "1.2",
                "class": "elevation",
            },
        )
    )
    xt = [
        t for t in nice_ticks(d0 / 1000, d1 / 1000, 6) if d0 / 1000 - 1e-9 <= t <= d1 / 1000 + 1e-9
    ]
    xstep = xt[1] - xt[0] if len(xt) > 1 else 1.0
    for t in xt:
        parts.append(
            text(
                X(t * 1000),
                top + plot_h + 14,
                tick_label(t, xstep),
                {"text-anchor": "middle", "fill": INK, "class": "xtick"},
            )
        )
    parts.append(text(width - right, top + plot_h + 26, "km", {"text-anchor": "end", "fill": INK}))
    parts.append(text(4, strip_y + 11, "most", {"fill": INK, "font-size": "10"}))
    # legends: grade scale, walked, and groups
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
    if any(s.excluded for s in segs):
        parts.append(
            el(
                "rect",
                {"x": left, "y": ly + 30, "width": 50.0, "height": 10.0, "fill": "url(#walked)"},
            )
        )
        parts.append(
            text(
                left + 56,
                ly + 39,
                "walked or standing (not in the loads)",
                {"fill": INK, "font-size": "10"},
            )
        )
    gx = left + 340.0
    for k, gid in enumerate(groups_seen):
        x = gx + (k % 3) * 125.0
        y = ly + (k // 3) * 15.0
        parts.append(
            el("rect", {"x": x, "y": y, "width": 10.0, "height": 10.0, "fill": group_colour(gid)})
        )
        parts.append(text(x + 14, y + 9, gid.replace("_", " "), {"fill": INK, "font-size": "10"}))
    height = ly + max(48.0, 15.0 * ((len(groups_seen) + 2) // 3) + 8)
    return svg(width, height, "".join(parts), {"class": "chart profile"})
