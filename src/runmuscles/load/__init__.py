"""Per-muscle load of a whole run: work (concentric, eccentric), impulse, force, tendons, hills.

The package, by concern:

* :mod:`~runmuscles.load.table`: the condition table protocol (the muscle atlas, with its gait
  dimension) and its checked lookup;
* :mod:`~runmuscles.load.body`: the runner's body (mass, height), checked in one place;
* :mod:`~runmuscles.load.result`: the result types (:class:`RunLoad` and its parts);
* :mod:`~runmuscles.load.compute`: the computation, segments x table -> :class:`RunLoad`
  (method in its docstring);
* :mod:`~runmuscles.load.findings`: the real changes against a flat run and the headline;
* :mod:`~runmuscles.load.acwr`: acute:chronic workload ratio (pure functions);
* :mod:`~runmuscles.load.history`: a runner's past runs and the change against recent weeks;
* :mod:`~runmuscles.load.pipeline`: :func:`analyze_run`, the one way from a file to load,
  findings and advice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from runmuscles.conventions import (
    BODY_HEIGHT_RANGE_M as HEIGHT_RANGE_M,
)
from runmuscles.conventions import (
    BODY_MASS_RANGE_KG as MASS_RANGE_KG,
)
from runmuscles.conventions import FLAT_GRADE, TERRAINS
from runmuscles.gait import RUN_CADENCE, RUN_SPEED, SLOW_RUN_MIN_SPEED
from runmuscles.load.body import Body, as_body, check_body
from runmuscles.load.compute import ARM_GROUPS, HEIGHT_TOLERANCE, of_run
from runmuscles.load.findings import SAME_AS_FLAT
from runmuscles.load.pipeline import RunReport, analyze, analyze_activity, analyze_run
from runmuscles.load.result import (
    KINDS,
    Coverage,
    Finding,
    GroupLoad,
    KilometreLoad,
    RunLoad,
    SegmentLoad,
    TendonLoad,
    terrain_of,
)
from runmuscles.load.table import (
    GROUP_KEYS,
    SCALAR_KEYS,
    TENDONS,
    ConditionTable,
    GaitView,
    default_table,
    lookup_checked,
)

__all__ = [
    "ARM_GROUPS",
    "FLAT_GRADE",
    "GROUP_KEYS",
    "HEIGHT_RANGE_M",
    "HEIGHT_TOLERANCE",
    "KINDS",
    "MASS_RANGE_KG",
    "RUN_CADENCE",
    "RUN_SPEED",
    "SAME_AS_FLAT",
    "SCALAR_KEYS",
    "SLOW_RUN_MIN_SPEED",
    "TENDONS",
    "TERRAINS",
    "Body",
    "ConditionTable",
    "Coverage",
    "Finding",
    "GaitView",
    "GroupLoad",
    "KilometreLoad",
    "RunLoad",
    "RunReport",
    "SegmentLoad",
    "TendonLoad",
    "analyze",
    "analyze_activity",
    "analyze_run",
    "as_body",
    "check_body",
    "default_table",
    "lookup_checked",
    "of_run",
    "terrain_of",
]


def _lookup(table: ConditionTable, speed: Any, grade: Any) -> dict[str, NDArray[np.float64]]:
    """Checked running lookup (kept for ``runmuscles.web.explore``; use :func:`lookup_checked`)."""
    return lookup_checked(table, np.asarray(speed, float), np.asarray(grade, float))
