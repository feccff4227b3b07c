"""The muscle atlas: solved running and walking strides over speed x grade grids, looked up
instantly, extended on demand.

* :func:`build_atlas` (``runmuscles atlas build``) solves every condition of a
  :class:`Grid` (per gait, any spacing; the shipped one is :func:`shipped_grid`) by continuation,
  on an executor (:class:`InProcess`, :class:`LocalProcesses`, :class:`Dask`), resumably, with
  the realism gate of :mod:`runmuscles.atlas.realism` (:mod:`runmuscles.atlas.build`).
* :class:`Atlas` holds the result (netCDF, format 2: one table per gait with per-cell provenance
  and curves, :mod:`runmuscles.atlas.table`); ``Atlas.lookup(speed, grade, gait)`` interpolates
  bilinearly within each gait's grid and never clips or extrapolates; it is the
  ``ConditionTable`` of :mod:`runmuscles.load`.
* :class:`OnDemandAtlas` (:mod:`runmuscles.atlas.ondemand`) adds the conditions outside the
  shipped grid, solved by continuation from the nearest cell and cached in the user's cache
  folder; :func:`on_demand_atlas` is what the analysis uses.
* :func:`interpolation_error` (:mod:`runmuscles.atlas.harness`): the error of bilinear lookup
  against fresh solves from the same continuation, per group, concentric and eccentric work.
* What each condition stores: :mod:`runmuscles.atlas.content`, :mod:`runmuscles.atlas.assemble`.

Body size: one body per atlas (default 70 kg, 1.75 m); other runners use the scaling law
:data:`SCALING_LAW` (works, impulses, forces, energies proportional to body mass; BW-normalised
values, times and activations unchanged; height not rescaled), as :mod:`runmuscles.load` does.

The shipped atlas ``runmuscles/data/atlas.nc`` and its strides ``runmuscles/data/strides/`` are
regenerated with (resumable: re-run the same command after an interruption; parts are kept in
``src/runmuscles/data/atlas.nc.parts/``, which is not shipped)::

    python -m runmuscles atlas build --grid shipped --workers 2 \\
        -o src/runmuscles/data/atlas.nc --strides src/runmuscles/data/strides

``Atlas.load()`` reads the file named by ``$RUNMUSCLES_ATLAS`` instead when that variable is set.
"""

from typing import TYPE_CHECKING, Any

from runmuscles.atlas.build import (
    BuildReport,
    BuildStatus,
    Dask,
    InProcess,
    LocalProcesses,
    build_atlas,
)
from runmuscles.atlas.content import Record, record_from_cycle
from runmuscles.atlas.grid import Condition, GaitGrid, Grid, parse_axis, shipped_grid
from runmuscles.atlas.ondemand import OnDemandAtlas, on_demand_atlas
from runmuscles.atlas.solvers import Outcome, predictive_solve, standin_solve
from runmuscles.atlas.table import SCALING_LAW, Atlas, LegacyAtlas

if TYPE_CHECKING:
    from runmuscles.atlas.harness import interpolation_error


def __getattr__(name: str) -> Any:
    # the harness is imported on first use, so that ``python -m runmuscles.atlas.harness`` runs
    # the module once, as __main__, instead of finding it already imported (a RuntimeWarning)
    if name == "interpolation_error":
        from runmuscles.atlas.harness import interpolation_error

        return interpolation_error
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SCALING_LAW",
    "Atlas",
    "BuildReport",
    "BuildStatus",
    "Condition",
    "Dask",
    "GaitGrid",
    "Grid",
    "InProcess",
    "LegacyAtlas",
    "LocalProcesses",
    "OnDemandAtlas",
    "Outcome",
    "Record",
    "build_atlas",
    "interpolation_error",
    "on_demand_atlas",
    "parse_axis",
    "predictive_solve",
    "record_from_cycle",
    "shipped_grid",
    "standin_solve",
]
