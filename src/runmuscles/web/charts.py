"""Hand-drawn SVG charts of the weekly view (escaped text through :mod:`runmuscles.report.svg`).

* :func:`weekly_chart_svg`: stacked bars of one load kind (work, concentric or eccentric) per
  muscle group per ISO week, a round, unit-labelled y axis (J, kJ or MJ) and date labels with
  the year that never overlap, at any range (a week is never narrower than 0.5 px).
* :func:`acwr_chart_svg`: one group's acute:chronic ratios over the weeks, concentric and
  eccentric, EWMA (solid) and rolling (dashed), over Gabbett's zones; gaps where no ratio exists.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from runmuscles.report.axes import date_ticks, energy_unit, nice_ticks, tick_label
from runmuscles.report.colour import group_colour
from runmuscles.report.svg import el, svg, text, title

__all__ = ["acwr_chart_svg", "weekly_chart_svg"]

INK, GRID = "#333333", "#e3e3e3"
KIND_WORDS = {"work": "work", "concentric": "concentric work", "eccentric": "eccentric work"}
ZONE_FILLS = ("#e3ecf7", "#dff3e2", "#fff0cc", "#f9d3d3")
SERIES = (("concentric", "#d1495b"), ("eccentric", "#2e86ab"))


def weekly_chart_svg(
    weekly: Mapping[str, Any], labels: Mapping[str, str], *, kind: str = "work"
) -> str:
    """Stacked bars of ``weekly["load_j"][kind]`` per group and week (module docstring)."""
    weeks = [_dt.date.fromisoformat(w) for w in weekly["weeks"]]
    groups: list[str] = list(weekly["groups"])
    load = weekly["load_j"][kind]
    n = len(weeks)
    totals = [sum(load[g][i] for g in groups) for i in range(n)]
    unit, div = energy_unit(max(totals, default=0.0))
    ticks = nice_ticks(0.0, max(max(totals, default=0.0) / div, 1e-9), 5)
    top = ticks[-1] * div or 1.0
    w, h, left, right, top_m, bottom = 820.0, 330.0, 70.0, 170.0, 34.0, 46.0
    plot_w, plot_h = w - left - right, h - top_m - bottom
    bw = plot_w / max(n, 1)
    gap = min(2.0, 0.25 * bw)
    base = top_m + plot_h
    parts = [
        text(6.0, 14.0, f"{KIND_WORDS[kind]} per week, {unit}", {"fill": INK, "font-weight": "600"})
    ]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for t in ticks:
        y = base - plot_h * t * div / top
        parts.append(
            el("line", {"x1": left, "y1": y, "x2": left + plot_w, "y2": y, "stroke": GRID})
        )
        parts.append(
            text(
                left - 6,
                y + 4,
                tick_label(t, step),
                {"text-anchor": "end", "fill": INK, "class": "ytick"},
            )
        )
    for i in range(n):
        x = left + i * bw + gap / 2
        y = base
        for g in groups:
            v = load[g][i]
            if v <= 0:
                continue
            bh = plot_h * v / top
            y -= bh
            rect = {
                "x": x,
                "y": y,
                "width": max(bw - gap, 0.5),
                "height": bh,
                "fill": group_colour(g),
                "data-group": g,
                "data-week": weeks[i].isoformat(),
            }
            tip = f"week of {weeks[i].isoformat()}: {labels.get(g, g)} {v / div:.3g} {unit}"
            parts.append(el("rect", rect, title(tip)))
    for i, label in date_ticks(weeks, int(plot_w // 78)):
        x = left + i * bw + bw / 2
        parts.append(el("line", {"x1": x, "y1": base, "x2": x, "y2": base + 4, "stroke": INK}))
        parts.append(
            text(x, base + 17, label, {"text-anchor": "middle", "fill": INK, "class": "xtick"})
        )
    parts.append(
        el("line", {"x1": left, "y1": base, "x2": left + plot_w, "y2": base, "stroke": INK})
    )
    parts.append(
        text(
            left + plot_w / 2,
            h - 6,
            "ISO week (Monday, UTC)",
            {"text-anchor": "middle", "fill": "#666"},
        )
    )
    for j, g in enumerate(groups):
        y = top_m + 16 * j
        parts.append(
            el(
                "rect",
                {
                    "x": w - right + 14,
                    "y": y - 9,
                    "width": 10.0,
                    "height": 10.0,
                    "fill": group_colour(g),
                },
            )
        )
        parts.append(text(w - right + 29, y, labels.get(g, g.replace("_", " ")), {"fill": INK}))
    attrs = {
        "class": "weekly",
        "role": "img",
        "aria-label": f"weekly {KIND_WORDS[kind]} per muscle group",
        "data-kind": kind,
        "data-weeks": str(n),
    }
    return svg(w, h, "".join(parts), attrs)


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    d, pen = [], False
    for p in points:
        if p is None:
            pen = False
            continue
        d.append(f"{'L' if pen else 'M'}{p[0]:.1f} {p[1]:.1f}")
        pen = True
    return "".join(d)


def acwr_chart_svg(weekly: Mapping[str, Any], group: str, labels: Mapping[str, str]) -> str:
    """Ratios of one group over the weeks (module docstring)."""
    weeks = [_dt.date.fromisoformat(w) for w in weekly["weeks"]]
    n = len(weeks)
    ratios = weekly["ratios"]
    values = [
        r
        for m in ("rolling", "ewma")
        for k, _ in SERIES
        for r in ratios[m][k].get(group, ())
        if r is not None
    ]
    ymax = max(2.0, nice_ticks(0.0, max(values, default=2.0), 4)[-1])
    ticks = nice_ticks(0.0, ymax, 4)
    ymax = ticks[-1]
    w, h, left, right, top_m, bottom = 820.0, 240.0, 70.0, 170.0, 30.0, 40.0
    plot_w, plot_h = w - left - right, h - top_m - bottom
    bw = plot_w / max(n, 1)
    base = top_m + plot_h

    def Y(r: float) -> float:
        return base - plot_h * min(r, ymax) / ymax

    name = labels.get(group, group.replace("_", " "))
    parts = [
        text(
            6.0,
            14.0,
            f"{name}: acute:chronic ratio at the end of each week",
            {"fill": INK, "font-weight": "600"},
        )
    ]
    for i, (label, lo, hi) in enumerate(
        (z["label"], z["from"], z["to"] if z["to"] is not None else ymax) for z in weekly["zones"]
    ):
        if lo >= ymax:
            continue
        y0, y1 = Y(min(hi, ymax)), Y(lo)
        parts.append(
            el(
                "rect",
                {
                    "x": left,
                    "y": y0,
                    "width": plot_w,
                    "height": y1 - y0,
                    "fill": ZONE_FILLS[i % 4],
                    "class": "zone",
                },
                title(label),
            )
        )
    step = ticks[1] - ticks[0]
    for t in ticks:
        parts.append(
            text(left - 6, Y(t) + 4, tick_label(t, step), {"text-anchor": "end", "fill": INK})
        )
    for kind, colour in SERIES:
        for method, dash in (("ewma", None), ("rolling", "5 4")):
            series = ratios[method][kind].get(group, [None] * n)
            pts = [
                None if r is None else (left + (i + 0.5) * bw, Y(r)) for i, r in enumerate(series)
            ]
            d = _path(pts)
            if d:
                attrs = {
                    "d": d,
                    "fill": "none",
                    "stroke": colour,
                    "stroke-width": "2",
                    "stroke-dasharray": dash,
                    "data-kind": kind,
                    "data-method": method,
                }
                parts.append(el("path", attrs, title(f"{name}, {kind}, {method}")))
    for i, label in date_ticks(weeks, int(plot_w // 78)):
        x = left + i * bw + bw / 2
        parts.append(text(x, base + 16, label, {"text-anchor": "middle", "fill": INK}))
    parts.append(
        el("line", {"x1": left, "y1": base, "x2": left + plot_w, "y2": base, "stroke": INK})
    )
    y = top_m + 4
    for kind, colour in SERIES:
        for method, dash in (("ewma", None), ("rolling", "5 4")):
            parts.append(
                el(
                    "line",
                    {
                        "x1": w - right + 12,
                        "y1": y,
                        "x2": w - right + 34,
                        "y2": y,
                        "stroke": colour,
                        "stroke-width": "2",
                        "stroke-dasharray": dash,
                    },
                )
            )
            parts.append(
                text(
                    w - right + 40,
                    y + 4,
                    f"{kind}, {method.upper() if method == 'ewma' else method}",
                    {"fill": INK},
                )
            )
            y += 16
    attrs = {
        "class": "acwr-chart",
        "role": "img",
        "data-group": group,
        "aria-label": f"acute:chronic ratios of {name}",
    }
    return svg(w, h, "".join(parts), attrs)
