"""runmuscles: what muscles does running work?

A sagittal-plane musculoskeletal model of a runner, predictive simulation of running strides at any
speed and slope, and per-muscle load of real runs from GPS watch files::

    >>> import runmuscles as rm
    >>> rm.load_catalogue().find("vastus lateralis").id
    'quadriceps'
    >>> rm.parse_grade("-10%")
    -0.1
    >>> rm.Terrain.UPHILL == "uphill"
    True

The public API is the list ``__all__`` below; everything else is reachable by its module path
(``runmuscles.load.GroupLoad``) but may change between versions. Importing this package is cheap:
each name is imported from its module on first use, so CasADi, xarray and the other heavy
libraries load only when a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Atlas",
    "Body",
    "Catalogue",
    "ConvergenceError",
    "DataError",
    "FileFormatError",
    "Gait",
    "GaitCycle",
    "InputError",
    "Motion",
    "MuscleGroup",
    "OutOfRangeError",
    "Problem",
    "ReportData",
    "RunLoad",
    "RunReport",
    "RunmusclesError",
    "Runner",
    "Segment",
    "Solution",
    "SolverOptions",
    "Terrain",
    "UnknownNameError",
    "WarmStart",
    "__version__",
    "analyze",
    "analyze_run",
    "build_atlas",
    "load_catalogue",
    "motion_to_cycle",
    "parse_grade",
    "predict",
    "predictive",
    "preferred_gait",
    "read_activity",
    "read_motion",
    "render_report",
    "segment",
    "solve",
    "summarize",
    "write_report",
    "write_sto",
]

#: module -> the public names it provides, lowest layer first.
_HOMES: dict[str, tuple[str, ...]] = {
    "runmuscles.errors": (
        "RunmusclesError",
        "InputError",
        "UnknownNameError",
        "OutOfRangeError",
        "FileFormatError",
        "DataError",
        "ConvergenceError",
    ),
    "runmuscles.units": ("parse_grade",),
    "runmuscles.conventions": ("Gait", "Terrain"),
    "runmuscles.anatomy": ("Catalogue", "MuscleGroup", "load_catalogue"),
    "runmuscles.io": ("read_activity",),
    "runmuscles.io.track": ("Activity",),
    "runmuscles.io.motion": ("Motion",),
    "runmuscles.io.mocap": ("read_motion",),
    "runmuscles.io.opensim": ("write_sto",),
    "runmuscles.model.runner": ("Runner",),
    "runmuscles.cycle": ("GaitCycle",),
    "runmuscles.prediction": (
        "Problem",
        "Solution",
        "SolverOptions",
        "WarmStart",
        "predict",
        "predictive",
        "preferred_gait",
        "solve",
    ),
    "runmuscles.inverse": ("motion_to_cycle",),
    "runmuscles.atlas": ("Atlas", "build_atlas"),
    "runmuscles.activity": ("Segment", "segment", "summarize"),
    "runmuscles.load": ("Body", "RunLoad", "RunReport", "analyze", "analyze_run"),
    "runmuscles.report": ("ReportData", "render_report", "write_report"),
}

#: public name -> the module it is imported from on first use.
_LAZY: dict[str, str] = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:  # what type checkers and editors see; at run time see __getattr__
    from runmuscles.activity import Segment, segment, summarize
    from runmuscles.anatomy import Catalogue, MuscleGroup, load_catalogue
    from runmuscles.atlas import Atlas, build_atlas
    from runmuscles.conventions import Gait, Terrain
    from runmuscles.cycle import GaitCycle
    from runmuscles.errors import (
        ConvergenceError,
        DataError,
        FileFormatError,
        InputError,
        OutOfRangeError,
        RunmusclesError,
        UnknownNameError,
    )
    from runmuscles.inverse import motion_to_cycle
    from runmuscles.io import read_activity
    from runmuscles.io.mocap import read_motion
    from runmuscles.io.motion import Motion
    from runmuscles.io.opensim import write_sto
    from runmuscles.io.track import Activity
    from runmuscles.load import Body, RunLoad, RunReport, analyze, analyze_run
    from runmuscles.model.runner import Runner
    from runmuscles.prediction import (
        Problem,
        Solution,
        SolverOptions,
        WarmStart,
        predict,
        predictive,
        preferred_gait,
        solve,
    )
    from runmuscles.report import ReportData, render_report, write_report
    from runmuscles.units import parse_grade


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'runmuscles' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
