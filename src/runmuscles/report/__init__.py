"""Presentation of results: the self-contained HTML report, the SVG body heat map and charts.

Build a :class:`ReportData` (plain, documented dataclasses; see :mod:`runmuscles.report.data`),
usually with :func:`report_data` from a run analysis, and call :func:`render_report` (HTML text,
Jinja2 templates with autoescape) or :func:`write_report` (atomic file write). Pieces:
:func:`body_map_svg` (front/back heat map), :mod:`runmuscles.report.plots` (bars, route),
:mod:`runmuscles.report.stride` (activation and joint-angle curves, stick figure),
:func:`comparison_from_history` (this run against the runner's last four weeks).
"""

from runmuscles.report.bodymap import body_map_svg, body_view_svg
from runmuscles.report.compare import comparison_from_history
from runmuscles.report.data import (
    AdviceItem,
    Comparison,
    ComparisonRow,
    Elevation,
    GroupLoad,
    ProfileSegment,
    ReportData,
    SourceRef,
    TendonLoad,
)
from runmuscles.report.html import SECTIONS, render_report, render_sections, write_report
from runmuscles.report.runload import report_data

__all__ = [
    "SECTIONS",
    "AdviceItem",
    "Comparison",
    "ComparisonRow",
    "Elevation",
    "GroupLoad",
    "ProfileSegment",
    "ReportData",
    "SourceRef",
    "TendonLoad",
    "body_map_svg",
    "body_view_svg",
    "comparison_from_history",
    "render_report",
    "render_sections",
    "report_data",
    "write_report",
]
