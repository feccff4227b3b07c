"""The self-contained HTML report: one file, inline CSS and SVG, no external resources, offline.

:func:`render_report` turns a :class:`~runmuscles.report.data.ReportData` into the page text;
:func:`write_report` renders first and then writes atomically (temporary file in the same folder,
then ``os.replace``), so a failure never leaves a half-written report and an existing one survives.

Sections, in order (each a ``<section id=...>``; see :data:`SECTIONS`): summary, body heat map
(front/back), work (concentric/eccentric bars), profile (elevation and grade), terrain (uphill vs
flat vs downhill), tendons, stride (activation curves and animated stick figure), advice (strength,
stretching, warm-up) and sources. A section without data says so instead of disappearing.
Every text passes through ``html.escape``; source URLs are shown as plain text, never as links.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runmuscles.errors import InputError
from runmuscles.report.bodymap import GROUP_IDS, body_map_svg
from runmuscles.report.data import ADVICE_KINDS, ReportData
from runmuscles.report.plots import (
    profile_svg,
    tendon_bars_svg,
    terrain_bars_svg,
    vs_flat_text,
    work_bars_svg,
)
from runmuscles.report.svg import esc

__all__ = ["SECTIONS", "render_report", "write_report"]

#: section id -> heading, in page order
SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "bodymap": "Which muscles worked",
    "work": "Concentric and eccentric work",
    "profile": "Route: elevation, grade and the muscles that worked",
    "terrain": "Uphill, flat and downhill",
    "tendons": "Tendons",
    "stride": "One stride: when each muscle works",
    "advice": "Your plan: strength, stretching, warm-up",
    "sources": "Sources",
}
_ADVICE_HEADINGS = {"strength": "Strength", "stretch": "Stretching", "warmup": "Warm-up"}

_CSS = """
:root{--ink:#222;--muted:#666;--line:#e4e1dc;--bg:#faf9f7;--card:#fff;--accent:#7b2382}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}
header{background:#2b1a3a;color:#fff;padding:22px 32px}
header h1{margin:0;font-size:26px;font-weight:650}
header p{margin:4px 0 0;color:#d9cce6}
main{max-width:1060px;margin:0 auto;padding:18px 24px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:16px 22px;margin:16px 0}
h2{margin:0 0 10px;font-size:19px;color:#3a2350}
h3{margin:12px 0 6px;font-size:15px}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.empty{color:var(--muted);font-style:italic}
.warn{background:#fff4e0;border-left:4px solid #e8a33d;padding:6px 10px;margin:6px 0;
font-size:14px}
table.kv{border-collapse:collapse}
table.kv td{padding:3px 18px 3px 0;border-bottom:1px solid var(--line)}
table.kv td:first-child{color:var(--muted)}
.top{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}
.chip{border-radius:14px;padding:3px 12px;font-size:14px;border:1px solid var(--line)}
.chart-wrap{overflow-x:auto}
svg{max-width:100%;height:auto}
svg [data-muscle]{transition:stroke-width .1s}
svg [data-muscle]:hover{stroke:#000;stroke-width:2.5}
.two{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:14px}
.item{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:0 0 10px}
.item b{display:block}
.dose{color:var(--accent);font-size:13px}
.cite{color:var(--muted);font-size:12px}
ol.sources li{margin:3px 0;font-size:13px;word-break:break-word}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
@media print{section{break-inside:avoid}header{background:none;color:#000}}
"""


def _empty(what: str) -> str:
    return f'<p class="empty">{esc(what)}</p>'


def _summary(data: ReportData) -> str:
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in data.summary)
    out = f'<table class="kv">{rows}</table>' if rows else _empty("No run summary available.")
    if data.groups and data.total_work_j > 0:
        top = sorted(data.groups, key=lambda g: -g.total_j)[:3]
        chips = "".join(
            f'<span class="chip" data-muscle="{esc(g.id)}">{esc(g.name)} '
            f"{100 * g.total_j / data.total_work_j:.0f} %</span>"
            for g in top
        )
        out += '<p class="note">Most work (share of all muscle work):</p>'
        out += f'<div class="top">{chips}</div>'
    out += "".join(f'<p class="warn">{esc(w)}</p>' for w in data.warnings)
    return out


def _labels(data: ReportData) -> dict[str, str]:
    """Display names: the groups' own, else the id in words ("Tibialis anterior")."""
    out = {gid: gid.replace("_", " ").capitalize() for gid in GROUP_IDS}
    out.update({g.id: g.name for g in data.groups})
    return out


def _bodymap(data: ReportData) -> str:
    mapped = [g for g in data.groups if g.id in GROUP_IDS]
    if not mapped:
        return _empty("No muscle loads to map.")
    total = data.total_work_j or 1.0
    values = {g.id: g.total_j for g in mapped}
    details = {
        g.id: f"concentric {g.concentric_j:.0f} J, eccentric {g.eccentric_j:.0f} J, "
        f"{100 * g.total_j / total:.1f} % of all work" + (f". {g.note}" if g.note else "")
        for g in mapped
    }
    caption = "Muscle work over the run (J), front and back; hover a region for its numbers"
    svg_text = body_map_svg(
        values, labels=_labels(data), details=details, unit="J", caption=caption
    )
    return (
        f'<div class="chart-wrap">{svg_text}</div>'
        '<p class="note">Colour: concentric + eccentric work of each group over the whole run, '
        "both sides together; darker = more. Grey: no value.</p>"
    )


def _work(data: ReportData) -> str:
    if not data.groups:
        return _empty("No muscle work available.")
    return (
        f'<div class="chart-wrap">{work_bars_svg(data.groups)}</div>'
        '<p class="note">Concentric: the muscle shortens and produces energy (propulsion, '
        "lifting). Eccentric: it lengthens while resisting and absorbs energy (braking, landing, "
        "downhill); eccentric work is what makes muscles sore after long descents.</p>"
    )


def _profile(data: ReportData) -> str:
    if not data.segments:
        return _empty("No elevation profile available.")
    return f'<div class="chart-wrap">{profile_svg(data.segments)}</div>'


def _terrain(data: ReportData) -> str:
    if not any(g.by_terrain for g in data.groups):
        return _empty(
            "No terrain comparison available (the run needs uphill, flat or downhill parts)."
        )
    return (
        f'<div class="chart-wrap">{terrain_bars_svg(data.groups, data.terrain_unit)}</div>'
        f'<p class="note">Values in {esc(data.terrain_unit)}; at the right, how much more (or '
        "less) work the whole run took than the same distance and pace on the flat.</p>"
    )


def _tendons(data: ReportData) -> str:
    if not data.tendons:
        return _empty("No tendon loads available.")
    chart = ""
    if any(t.by_terrain for t in data.tendons):
        chart = f'<div class="chart-wrap">{tendon_bars_svg(data.tendons, data.tendon_unit)}</div>'
    notes = "".join(
        f'<p class="note"><b>{esc(t.name)}</b>: '
        + (f"peak {t.peak_bw:.1f} body weights per stride. " if t.peak_bw is not None else "")
        + (f"{esc(vs_flat_text(t.vs_flat))}. " if t.vs_flat is not None else "")
        + f"{esc(t.note)}</p>"
        for t in data.tendons
    )
    return chart + notes


def _stride(data: ReportData) -> str:
    if data.cycle is None:
        return _empty("No simulated stride available.")
    from runmuscles.report.stride import activation_curves_svg, stick_figure_svg

    label = f" ({data.cycle_label})" if data.cycle_label else ""
    curves = activation_curves_svg(data.cycle, labels=_labels(data))
    figure = stick_figure_svg(data.cycle, data.runner)
    return (
        f'<p class="note">The typical stride of this run{esc(label)}, right leg; activation 0 = '
        "relaxed, 1 = fully active.</p>"
        f'<div class="chart-wrap">{curves}</div>'
        f'<div class="two"><div>{figure}</div><p class="note" style="max-width:420px">'
        "Animated stride, seen from the right. Muscles are drawn as lines coloured by activation "
        "(pale = relaxed, dark = fully active); the far (left) side is faded. Attachment points "
        "are schematic.</p></div>"
    )


def _advice(data: ReportData) -> str:
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in data.advice_notes)
    if not data.advice:
        return _empty("No advice available.") + notes
    cols = []
    for kind in ADVICE_KINDS:
        items = [a for a in data.advice if a.kind == kind]
        if not items:
            continue
        body = "".join(
            '<div class="item">'
            f"<b>{esc(a.title)}</b>"
            + (f'<span class="dose">{esc(a.dosage)}</span>' if a.dosage else "")
            + (f"<div>{esc(a.text)}</div>" if a.text else "")
            + (
                '<div class="cite">for: '
                + esc(", ".join(g.replace("_", " ") for g in a.groups))
                + "</div>"
                if a.groups
                else ""
            )
            + (f'<div class="cite">sources: {esc(", ".join(a.sources))}</div>' if a.sources else "")
            + "</div>"
            for a in items
        )
        cols.append(f'<div data-advice="{kind}"><h3>{_ADVICE_HEADINGS[kind]}</h3>{body}</div>')
    return f'<div class="cols">{"".join(cols)}</div>' + notes


def _sources(data: ReportData) -> str:
    if not data.sources:
        return _empty("No sources listed.")
    items = "".join(
        f'<li id="src-{esc(s.key)}"><span class="cite">[{esc(s.key)}]</span> {esc(s.citation)}</li>'
        for s in data.sources
    )
    return f'<ol class="sources">{items}</ol>'


_RENDERERS: dict[str, Callable[[ReportData], str]] = {
    "summary": _summary,
    "bodymap": _bodymap,
    "work": _work,
    "profile": _profile,
    "terrain": _terrain,
    "tendons": _tendons,
    "stride": _stride,
    "advice": _advice,
    "sources": _sources,
}


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document (str). Raises InputError for unusable data."""
    if not isinstance(data, ReportData):
        raise InputError(f"render_report needs a ReportData, not {type(data).__name__}")
    body = "".join(
        f'<section id="{sid}" data-section="{sid}"><h2>{esc(heading)}</h2>'
        f"{_RENDERERS[sid](data)}</section>"
        for sid, heading in SECTIONS.items()
    )
    footer = f"<footer>{esc(data.footer)}</footer>" if data.footer else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(data.title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{esc(data.title)}</h1><p>What your run worked, from a simulated "
        "musculoskeletal model of a runner</p></header>"
        f"<main>{body}</main>{footer}</body></html>\n"
    )


def write_report(data: Any, path: str | os.PathLike[str], cycle: Any = None) -> Path:
    """Render and write the report to ``path`` atomically; returns the path.

    ``data`` is a :class:`ReportData`, or a :class:`~runmuscles.load.RunLoad` that is turned into
    one by :func:`runmuscles.report.runload.report_data` (with its advice plan and, when given,
    ``cycle``, a GaitCycle of the run's typical stride). ``cycle`` replaces the ReportData's own.

    The page is rendered completely before the file system is touched; it is written to a
    temporary file in the target folder and renamed over ``path``, so an error at any point leaves
    no partial file (and keeps an existing report intact).
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name such as {target / 'report.html'}")
    if not target.parent.is_dir():
        raise InputError(f"folder {target.parent} does not exist; create it or choose another path")
    if not isinstance(data, ReportData):
        from runmuscles.report.runload import report_data

        data = report_data(data, cycle=cycle)
    elif cycle is not None:
        data = dataclasses.replace(data, cycle=cycle)
    page = render_report(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is an ordinary readable file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
