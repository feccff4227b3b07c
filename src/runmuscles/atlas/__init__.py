"""The muscle atlas: solved running strides over a speed x grade grid, looked up instantly.

* :func:`build_atlas` (``runmuscles atlas build``) solves every condition by continuation, in
  parallel (local processes or a Dask cluster), resumably (:mod:`runmuscles.atlas.build`).
* :class:`Atlas` holds the result (netCDF), and ``Atlas.lookup(speed, grade)`` interpolates it
  bilinearly, vectorised (:mod:`runmuscles.atlas.table`); it is the ``ConditionTable`` of
  :mod:`runmuscles.load`.
* What each condition stores: :mod:`runmuscles.atlas.content`.

Body size: one body per atlas (default 70 kg, 1.75 m); other runners use the scaling law
:data:`SCALING_LAW` (works, impulses, forces, energies proportional to body mass; BW-normalised
values, times and activations unchanged; height not rescaled), as :mod:`runmuscles.load` does.

The default atlas shipped in ``runmuscles/data/atlas.nc`` is regenerated with::

    python -m runmuscles atlas build --speeds 3:4:0.5 --grades=-10%:10%:5% --workers 2 \\
        --max-iter 1500 -o src/runmuscles/data/atlas.nc

(resumable: re-run the same command after an interruption; parts are kept in
``src/runmuscles/data/atlas.nc.parts/``, which is not shipped). ``Atlas.load()`` reads the file
named by ``$RUNMUSCLES_ATLAS`` instead when that variable is set.
"""

from runmuscles.atlas.build import BuildReport, BuildStatus, build_atlas
from runmuscles.atlas.content import Record, record_from_cycle
from runmuscles.atlas.grid import Condition, Grid, parse_axis
from runmuscles.atlas.solvers import Outcome, predictive_solve, standin_solve
from runmuscles.atlas.table import SCALING_LAW, Atlas

__all__ = [
    "SCALING_LAW",
    "Atlas",
    "BuildReport",
    "BuildStatus",
    "Condition",
    "Grid",
    "Outcome",
    "Record",
    "build_atlas",
    "parse_axis",
    "predictive_solve",
    "record_from_cycle",
    "standin_solve",
]
