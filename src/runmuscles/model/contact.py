"""Smooth foot-ground contact: Hunt-Crossley spheres on the belt plane, smooth Coulomb friction.

Each foot carries three spheres whose centres are skeleton points: ``heel_*`` (calcaneus),
``ball_*`` (under the metatarsal heads) and ``toe_*`` (toe tip, on the toe segment). The ground
is the belt surface y = 0 of the belt frame; slopes are handled by tilting gravity (see
:mod:`runmuscles.model.skeleton`), so the same law serves level and inclined running.

Per sphere of radius R whose centre is at height y moving at (vx, vy) (``params/contact.toml``)::

    d   = smoothmax(R - y, 0)                       indentation, m
    F_n = C d^(3/2) smoothmax(1 - 1.5 c vy, 0)       C = (4/3) k sqrt(R k), k = E^(2/3) / 2
    F_t = -F_n (mu tanh(vx / v_t) + mu_v vx)

with smoothmax(x, 0) = (x + sqrt(x^2 + eps^2)) / 2, so the force is smooth (C-infinity) and never
negative. Forces in N, belt frame. Works on NumPy values and CasADi symbols.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from runmuscles.model.backend import Ops, ops_for

__all__ = ["CONTACT_SPHERES", "ContactParams", "load_contact_params", "smooth_max0", "sphere_force"]

#: Sphere names; the skeleton point of sphere ``s`` on side ``x`` is ``f"{s}_{x}"``.
CONTACT_SPHERES: tuple[str, ...] = ("heel", "ball", "toe")


@dataclass(frozen=True)
class ContactParams:
    """Contact law parameters (see ``params/contact.toml`` for the sources).

    stiffness: plane-strain modulus E, N/m^2; dissipation c, s/m; friction mu (-); viscous
    friction mu_v, s/m; transition_velocity v_t, m/s; smooth_depth, m and smooth_rate (-) are
    numerical smoothing widths; radii: sphere name -> radius, m.
    """

    stiffness: float
    dissipation: float
    friction: float
    viscous_friction: float
    transition_velocity: float
    smooth_depth: float
    smooth_rate: float
    radii: Mapping[str, float]

    def hertz_constant(self, radius: float) -> float:
        """C in F = C d^(3/2), N/m^1.5, for a sphere of ``radius`` (m) on the plane."""
        k = 0.5 * self.stiffness ** (2.0 / 3.0)
        return 4.0 / 3.0 * k * (radius * k) ** 0.5

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": "smooth Hunt-Crossley sphere on plane + tanh Coulomb friction",
            "stiffness_N_per_m2": self.stiffness,
            "dissipation_s_per_m": self.dissipation,
            "friction": self.friction,
            "viscous_friction_s_per_m": self.viscous_friction,
            "transition_velocity_m_s": self.transition_velocity,
            "sphere_radii_m": dict(self.radii),
            "source": "Sherman 2011; Serrancoli 2019; OpenSim Moco 2D_gait.osim",
        }


def load_contact_params() -> ContactParams:
    """The cited default contact parameters."""
    text = resources.files("runmuscles.model").joinpath("params", "contact.toml").read_text("utf-8")
    d = tomllib.loads(text)
    return ContactParams(
        stiffness=float(d["stiffness"]),
        dissipation=float(d["dissipation"]),
        friction=float(d["friction"]),
        viscous_friction=float(d["viscous_friction"]),
        transition_velocity=float(d["transition_velocity"]),
        smooth_depth=float(d["smooth_depth"]),
        smooth_rate=float(d["smooth_rate"]),
        radii={name: float(s["radius"]) for name, s in d["spheres"].items()},
    )


def smooth_max0(x: Any, eps: float, ops: Ops) -> Any:
    """A smooth max(x, 0): (x + sqrt(x^2 + eps^2)) / 2 (error at most eps/2 at x = 0)."""
    return 0.5 * (x + ops.sqrt(x * x + eps * eps))


def sphere_force(y: Any, vx: Any, vy: Any, radius: float, params: ContactParams) -> tuple[Any, Any]:
    """Ground force (fx, fy) on a sphere with centre height y (m) and velocity (vx, vy) (m/s), N."""
    ops = ops_for(y, vx, vy)
    d = smooth_max0(radius - y, params.smooth_depth, ops)
    damping = smooth_max0(1.0 - 1.5 * params.dissipation * vy, params.smooth_rate, ops)
    fn = params.hertz_constant(radius) * d * ops.sqrt(d) * damping
    ft = -fn * (
        params.friction * ops.tanh(vx / params.transition_velocity) + params.viscous_friction * vx
    )
    return ft, fn
