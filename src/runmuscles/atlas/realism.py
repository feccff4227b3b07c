"""The realism gate: a solved stride that is not a believable stride is refused like a failed one.

A converged optimum can still be a stride no runner makes. A cell is refused (kept out of the
atlas, recorded with why, retried from another neighbour like an unconverged cell) when

* a **reserve** carries more than :data:`MAX_RESERVE_SHARE` of a solved joint's peak moment
  (the muscles cannot produce the motion; 5 % is the project's limit, the same as the reserve
  rows of ``runmuscles validate``). The joints whose motion is prescribed from measurement
  (:data:`PRESCRIBED_JOINTS`: shoulder, elbow, lumbar) are not the solve's doing: a large reserve
  there says the model lacks muscles at that joint, and marks those muscles unresolved in the
  stride instead (the stride itself is not refused for it);
* a loaded foot **slides**: a contact sphere carrying more than half of body weight moves
  fore-aft over the belt faster than :data:`MAX_STANCE_SLIP_M_S`. The limit is the transition
  velocity of the smooth friction law (``contact.toml``: 0.2 m/s, OpenSim Moco's 2D gait model
  after Serrancoli 2019). The law ``mu tanh(v / v_t)`` holds any traction only by creeping, so a
  foot that pushes hard (a climb, a fast push-off: a traction ratio near 0.6 needs 0.15 m/s)
  creeps below v_t without sliding; above v_t the law is past 76 % of mu and the foot skates
  (downhill walking strides that brake by sliding at 1-2 m/s). Where to cut is THIS PROJECT'S
  CHOICE, not a published limit;
* a coordinate **touches a bound** of the problem (``bounds_touched``): the stride is then shaped
  by the bound, not by the runner.

The facts come from the stride's provenance (``GaitCycle.provenance``: ``reserves``,
``stance_slip_m_s``, ``bounds_touched``); a fact the stride does not carry is not checked, and
the cell's record says which were checked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runmuscles.conventions import RESERVE_LIMIT

__all__ = [
    "MAX_RESERVE_SHARE",
    "MAX_STANCE_SLIP_M_S",
    "PRESCRIBED_JOINTS",
    "Realism",
    "check_realism",
    "thresholds",
]

#: Joints whose motion the predictive model prescribes (their reserves do not refuse a stride).
PRESCRIBED_JOINTS = frozenset({"shoulder", "elbow", "lumbar"})

#: Largest peak reserve moment as a share of the joint's peak net moment
#: (:data:`runmuscles.conventions.RESERVE_LIMIT`).
MAX_RESERVE_SHARE = RESERVE_LIMIT
#: Largest fore-aft speed of a loaded contact sphere, m/s: the friction law's transition velocity
#: (this project's choice of cut; see above; a test keeps it equal to ``contact.toml``).
MAX_STANCE_SLIP_M_S = 0.2


@dataclass(frozen=True)
class Realism:
    """The realism facts of one stride and the verdict: ``reasons`` empty means accepted."""

    peak_reserve_share: float
    peak_reserve_joint: str
    stance_slip_m_s: float
    bounds_touched: tuple[str, ...]
    checked: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "peak_reserve_share": _num(self.peak_reserve_share),
            "peak_reserve_joint": self.peak_reserve_joint or None,
            "stance_slip_m_s": _num(self.stance_slip_m_s),
            "bounds_touched": list(self.bounds_touched),
            "checked": list(self.checked),
            "refused_because": list(self.reasons),
        }


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def thresholds() -> dict[str, Any]:
    """The gate's limits, for an atlas's provenance."""
    return {
        "max_reserve_share": MAX_RESERVE_SHARE,
        "max_stance_slip_m_s": MAX_STANCE_SLIP_M_S,
        "max_stance_slip_source": "runmuscles project choice (not a published limit): the "
        "contact friction law's transition velocity",
        "bounds_touched": "refused when any",
        "reserves_not_gated": sorted(PRESCRIBED_JOINTS),
    }


def check_realism(provenance: Mapping[str, Any]) -> Realism:
    """The gate on a stride's provenance (see the module docstring)."""
    reasons: list[str] = []
    checked: list[str] = []
    share, joint = math.nan, ""
    reserves = provenance.get("reserves")
    if isinstance(reserves, Mapping) and reserves:
        checked.append("reserves")
        vals = {
            str(k): float(v)
            for k, v in reserves.items()
            if v is not None and str(k) not in PRESCRIBED_JOINTS
        }
        if vals:
            joint = max(vals, key=lambda k: vals[k])
            share = vals[joint]
            if not share <= MAX_RESERVE_SHARE:
                reasons.append(
                    f"reserve at the {joint} carries {share * 100:.1f} % of its peak moment "
                    f"(limit {MAX_RESERVE_SHARE * 100:.0f} %)"
                )
    slip = math.nan
    if provenance.get("stance_slip_m_s") is not None:
        checked.append("stance_slip")
        slip = float(provenance["stance_slip_m_s"])
        if not slip <= MAX_STANCE_SLIP_M_S:
            reasons.append(
                f"a loaded foot slides at {slip:.2f} m/s (limit {MAX_STANCE_SLIP_M_S:g} m/s, "
                "the friction law's transition velocity; this project's choice)"
            )
    touched: tuple[str, ...] = ()
    if provenance.get("bounds_touched") is not None:
        checked.append("bounds_touched")
        touched = tuple(str(b) for b in provenance["bounds_touched"])
        if touched:
            reasons.append(f"coordinates at a bound of the problem: {', '.join(touched)}")
    return Realism(share, joint, slip, touched, tuple(checked), tuple(reasons))
