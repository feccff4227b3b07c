"""runmuscles: what muscles does running work?

A sagittal-plane musculoskeletal model of a runner, predictive simulation of running strides at any
speed and slope, and per-muscle load of real runs from GPS watch files.

The public API is small and listed in ``__all__``. Importing this package is cheap: names are
resolved lazily, so heavy libraries (CasADi, xarray, ...) load only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_LAZY: dict[str, str] = {
    # errors
    "RunmusclesError": "runmuscles.errors",
    "InputError": "runmuscles.errors",
    "UnknownNameError": "runmuscles.errors",
    "OutOfRangeError": "runmuscles.errors",
    "FileFormatError": "runmuscles.errors",
    "DataError": "runmuscles.errors",
    "ConvergenceError": "runmuscles.errors",
    # cycle
    "GaitCycle": "runmuscles.cycle",
    # units
    "parse_grade": "runmuscles.units",
    # io: motion capture (issue 8)
    "Motion": "runmuscles.io.motion",
    "read_motion": "runmuscles.io.mocap",
    "write_sto": "runmuscles.io.opensim",
    "motion_to_cycle": "runmuscles.inverse",
    # model
    "Runner": "runmuscles.model.runner",
    # anatomy
    "Catalogue": "runmuscles.anatomy",
    "MuscleGroup": "runmuscles.anatomy",
    "load_catalogue": "runmuscles.anatomy",
    # activities (readers, grade, segments)
    "Activity": "runmuscles.io.track",
    "read_activity": "runmuscles.io",
    "Segment": "runmuscles.activity",
    "segment": "runmuscles.activity",
    "summarize": "runmuscles.activity",
    # per-muscle load of a run, advice (issue 6)
    "RunLoad": "runmuscles.load",
    "analyze": "runmuscles.load",
    # muscle atlas (issue 5)
    "Atlas": "runmuscles.atlas",
    "build_atlas": "runmuscles.atlas",
    # HTML report (issue 7)
    "ReportData": "runmuscles.report",
    "render_report": "runmuscles.report",
    "write_report": "runmuscles.report",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'runmuscles' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
