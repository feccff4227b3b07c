"""Presentation of results: the self-contained HTML report, the SVG body heat map and charts.

Build a :class:`ReportData` (plain, documented dataclasses; see :mod:`runmuscles.report.data`) and
call :func:`render_report` (HTML text) or :func:`write_report` (atomic file write). Pieces:
:func:`body_map_svg` (front/back heat map), :mod:`runmuscles.report.plots` (bars, profile),
:mod:`runmuscles.report.stride` (activation curves and stick figure from a GaitCycle).
"""

from runmuscles.report.bodymap import body_map_svg, body_view_svg
from runmuscles.report.data import (
    AdviceItem,
    GroupLoad,
    ProfileSegment,
    ReportData,
    SourceRef,
    TendonLoad,
)
from runmuscles.report.html import SECTIONS, render_report, write_report
from runmuscles.report.runload import report_data

__all__ = [
    "SECTIONS",
    "AdviceItem",
    "GroupLoad",
    "ProfileSegment",
    "ReportData",
    "SourceRef",
    "TendonLoad",
    "body_map_svg",
    "body_view_svg",
    "render_report",
    "report_data",
    "write_report",
]
