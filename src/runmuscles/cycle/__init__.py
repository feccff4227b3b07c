"""GaitCycle: one running stride as named time series, its phases and its summaries.

A :class:`GaitCycle` wraps an :class:`xarray.Dataset` (``cycle.ds``). It is built from plain arrays
(:meth:`GaitCycle.from_arrays`), so predictive simulation, static optimisation and file readers all
produce the same object.

Conventions
-----------
* Time: ``time`` (s) holds N >= 3 strictly increasing samples from a right foot strike ``t0`` to the
  next right foot strike ``t0 + T`` **included** (the last sample closes the stride; periodic
  quantities repeat their first value there). The stride time is ``T = time[-1] - time[0]``.
  ``stride_fraction`` (0..1) is the matching coordinate on ``time``.
* Integrals over time treat every series as piecewise linear between samples and split each interval
  exactly where a sign or a contact changes, so positive/negative parts and phase splits add up to
  the trapezoidal integral over the stride.
* Phases, per side, from that foot's vertical GRF ``fy`` and a threshold (default 20 N): stance
  where ``fy > threshold``, swing otherwise; float where both feet are in swing.
* Signs follow the project convention (knee + = flexion, ankle + = dorsiflexion, hip + = flexion),
  so for hip, knee and ankle an *extension* moment (plantarflexion at the ankle) is negative.
* Body weight BW = mass * g (g = units.G). "per kg" divides by mass.
"""

from runmuscles.cycle.dataset import (
    DOFS,
    JOINTS,
    MUSCLE_FIELDS,
    MUSCLE_GROUPS,
    PHASES,
    SIDES,
    TENDON_MUSCLES,
)
from runmuscles.cycle.gaitcycle import GaitCycle

__all__ = [
    "DOFS",
    "JOINTS",
    "MUSCLE_FIELDS",
    "MUSCLE_GROUPS",
    "PHASES",
    "SIDES",
    "TENDON_MUSCLES",
    "GaitCycle",
]
