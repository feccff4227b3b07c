"""The self-contained HTML report: one file, inline CSS and SVG, no script, no external resource.

:func:`render_report` turns a :class:`~runmuscles.report.data.ReportData` into the page text
through Jinja2 templates with autoescape (``report/templates``: ``report_standalone.html`` wraps
``report_sections.html`` and inlines ``report.css``); the web app shows the same sections inside its
own page (:func:`render_sections`, :func:`report_css`). :func:`write_report` renders first and then
writes atomically (temporary file in the same folder, then ``os.replace``), so a failure never
leaves a half-written report and an existing one survives.

Sections, in order (each a ``<section id=...>``; see :data:`SECTIONS`): summary, comparison with
the runner's last four weeks, body heat map (front/back), work (concentric/eccentric bars), route
(absolute elevation, grade, walked stretches), terrain (uphill vs flat vs downhill), tendons,
stride (activation and joint-angle curves with the phases shaded, stick figure), plan and
sources. A section without data says so instead of disappearing. Every text is escaped by the
template engine; the charts are built by the project's SVG helpers (:mod:`runmuscles.report.svg`,
which escape their text) and passed in as markup. Source URLs are plain text, never links.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from functools import lru_cache
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

__all__ = [
    "SECTIONS",
    "render_report",
    "render_sections",
    "report_css",
    "template_filters",
    "write_report",
]

#: section id -> heading, in page order
SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "compare": "This run and your last four weeks",
    "bodymap": "Which muscles worked",
    "work": "Concentric and eccentric work",
    "profile": "Route: elevation, grade and the muscles that worked",
    "terrain": "Uphill, flat and downhill",
    "tendons": "Tendons",
    "stride": "One stride: when each muscle works",
    "advice": "Your plan: two or three things to do",
    "sources": "Sources",
}
_ADVICE_HEADINGS = {"strength": "Strength", "stretch": "Stretching", "warmup": "Warm-up"}
HERE = Path(__file__).resolve().parent


def _km(m: Any) -> str:
    return f"{m / 1000:.2f}" if isinstance(m, int | float) else "-"


def _hms(s: Any) -> str:
    if not isinstance(s, int | float):
        return "-"
    s = round(s)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def template_filters() -> dict[str, Any]:
    """Filters the report's templates use (the web app's environment adds them too)."""
    return {"km": _km, "hms": _hms, "vs_flat": vs_flat_text}


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(template_filters())
    return env


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report's style sheet (inlined in the file, served by the web app)."""
    return (HERE / "templates" / "report.css").read_text(encoding="utf-8")


def _labels(data: ReportData) -> dict[str, str]:
    """Display names: the groups' own, else the id in words ("Tibialis anterior")."""
    out = {gid: gid.replace("_", " ").capitalize() for gid in GROUP_IDS}
    out.update({g.id: g.name for g in data.groups})
    return out


def _bodymap(data: ReportData) -> str:
    mapped = [g for g in data.groups if g.id in GROUP_IDS]
    if not mapped:
        return ""
    total = data.total_work_j or 1.0
    values = {g.id: g.total_j for g in mapped}
    details = {
        g.id: f"concentric {g.concentric_j:.0f} J, eccentric {g.eccentric_j:.0f} J, "
        f"{100 * g.total_j / total:.1f} % of all work" + (f". {g.note}" if g.note else "")
        for g in mapped
    }
    caption = "Muscle work over the run (J), front and back; hover a muscle for its numbers"
    return body_map_svg(values, labels=_labels(data), details=details, unit="J", caption=caption)


def _stride(data: ReportData) -> dict[str, Any] | None:
    from markupsafe import Markup

    from runmuscles.report import stride as st

    labels = _labels(data)
    if data.cycle is not None:
        label = f" ({data.cycle_label})" if data.cycle_label else ""
        return {
            "what": f"The typical stride of this run{label}, right leg; activation 0 = relaxed, "
            "1 = fully active.",
            "activation": Markup(st.activation_curves_svg(data.cycle, labels=labels)),
            "angles": Markup(st.joint_angles_svg(data.cycle)),
            "figure": Markup(st.stick_figure_svg(data.cycle, data.runner)),
            "missing": "",
        }
    if data.stride and data.stride.get("activation"):
        cell = data.stride
        cycle = st.cycle_from_cell(cell)
        what = (
            f"The predicted stride at {cell['speed_m_s']:.1f} m/s and {100 * cell['grade']:+.0f} % "
            f"grade, the muscle atlas cell nearest to {cell.get('share', 0):.0%} of this run's "
            "analysed time (the cell that carried most of the run). Right leg, from right foot "
            "strike; activation 0 = relaxed, 1 = fully active."
        )
        angles = st.joint_angles_svg(cycle) if "q" in cycle.ds else ""
        return {
            "what": what,
            "activation": Markup(st.activation_curves_svg(cycle, labels=labels)),
            "angles": Markup(angles),
            "figure": Markup(st.stick_figure_svg(cycle)) if st.has_full_pose(cycle) else "",
            "missing": "Joint-angle curves and the animated stick figure need the stride's joint "
            "angles, which this muscle atlas does not store yet"
            if not angles
            else "The animated stick figure needs every joint's angle, which this muscle atlas "
            "does not store yet.",
        }
    return None


def _context(data: ReportData) -> dict[str, Any]:
    from markupsafe import Markup

    svgs = {
        "bodymap": _bodymap(data),
        "work": work_bars_svg(data.groups) if data.groups else "",
        "profile": profile_svg(data.segments, data.elevation) if data.segments else "",
        "terrain": terrain_bars_svg(data.groups, data.terrain_unit)
        if any(g.by_terrain for g in data.groups)
        else "",
        "tendons": tendon_bars_svg(data.tendons, data.tendon_unit)
        if any(t.by_terrain for t in data.tendons)
        else "",
    }
    top = (
        sorted(data.groups, key=lambda g: -g.total_j)[:3]
        if data.groups and data.total_work_j > 0
        else []
    )
    advice = [(k, [a for a in data.advice if a.kind == k]) for k in ADVICE_KINDS]
    return {
        "data": data,
        "headings": SECTIONS,
        "svg": {k: Markup(v) for k, v in svgs.items()},
        "top": top,
        "stride": _stride(data),
        "advice": [(k, items) for k, items in advice if items],
        "advice_headings": _ADVICE_HEADINGS,
    }


def render_sections(data: ReportData) -> str:
    """The report's sections (HTML fragment), as the web app embeds them."""
    if not isinstance(data, ReportData):
        raise InputError(f"render_report needs a ReportData, not {type(data).__name__}")
    return str(_env().get_template("report_sections.html").render(_context(data)))


def render_report(data: ReportData) -> str:
    """The whole report as one self-contained HTML document (str)."""
    from markupsafe import Markup

    sections = render_sections(data)
    page = (
        _env()
        .get_template("report_standalone.html")
        .render(data=data, css=Markup(report_css()), sections=Markup(sections))
    )
    return str(page) + "\n"


def write_report(data: Any, path: str | os.PathLike[str], cycle: Any = None) -> Path:
    """Render and write the report to ``path`` atomically; returns the path.

    ``data`` is a :class:`ReportData`, or a :class:`~runmuscles.load.RunLoad` (or its
    ``to_dict()``) that is turned into one by :func:`runmuscles.report.runload.report_data` (with
    its advice plan and, when given, ``cycle``, a GaitCycle of the run's typical stride).
    ``cycle`` replaces the ReportData's own.

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
