"""The runner: skeleton + foot contact (+ muscles), scaled to one person.

``Runner(mass=70.0, height=1.75)`` is immutable. Every method is a pure function of its
arguments and works on NumPy values and CasADi symbols alike, so direct collocation can use
:meth:`Runner.implicit_residual` as its dynamics constraint::

    M(q) qdd + h(q, qd, grade) - sum_p J_p(q)^T F_p(q, qd) - tau_passive(q, qd) - tau_applied = 0

Units: kg, m, s, rad, N, N m; forces and positions in the belt frame (x along the belt, y normal).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from runmuscles.conventions import BODY_HEIGHT_RANGE_M, BODY_MASS_RANGE_KG
from runmuscles.errors import InputError, OutOfRangeError, UnknownNameError
from runmuscles.model.backend import as_vector, ops_for
from runmuscles.model.contact import (
    CONTACT_SPHERES,
    ContactParams,
    load_contact_params,
    sphere_force,
)
from runmuscles.model.geometry import load_muscle_set, mtu_length, muscle_joint_moments
from runmuscles.model.muscle import PASSIVE_STRAIN_AT_ONE, equilibrium_tendon_force
from runmuscles.model.skeleton import DOFS, Segment, Skeleton, build_skeleton

__all__ = ["HEIGHT_RANGE", "MASS_RANGE", "Runner"]

#: Accepted body mass (kg) and stature (m): one home, runmuscles.conventions.
MASS_RANGE = BODY_MASS_RANGE_KG
HEIGHT_RANGE = BODY_HEIGHT_RANGE_M

Vec = tuple[Any, Any]


def _check(name: str, value: Any, unit: str, lo: float, hi: float, flag: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} {value!r} is not a number; give it in {unit}, e.g. {flag}"
        ) from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} {value!r} {unit} is impossible; give a positive number of {unit}")
    if not lo <= v <= hi:
        raise OutOfRangeError(
            f"{name} {v:g} {unit} is outside the model's range {lo:g}..{hi:g} {unit}; "
            f"check the unit ({unit}) and give a value in range, e.g. {flag}"
        )
    return v


@dataclass(frozen=True)
class Runner:
    """A runner of ``mass`` (kg, 20-250) and ``height`` (m, 1.0-2.5).

    Attributes: ``dofs`` (names, fixed order), ``dof_index`` (name -> index), ``segments``
    (name -> :class:`Segment`: mass kg, length m, com m, inertia kg m^2), ``total_mass`` (kg),
    ``skeleton``, ``contact`` (:class:`ContactParams`), ``contact_points`` (skeleton point
    names carrying a contact sphere), ``muscles`` (tuple, empty when no muscle set is attached).
    """

    mass: float = 70.0
    height: float = 1.75
    skeleton: Skeleton = field(init=False, repr=False, compare=False)
    contact: ContactParams = field(init=False, repr=False, compare=False)
    muscles: tuple[Any, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mass = _check("mass", self.mass, "kg", *MASS_RANGE, "--mass 70")
        height = _check("height", self.height, "m", *HEIGHT_RANGE, "--height 1.75")
        contact = load_contact_params()
        object.__setattr__(self, "mass", mass)
        object.__setattr__(self, "height", height)
        object.__setattr__(self, "contact", contact)
        object.__setattr__(self, "skeleton", build_skeleton(mass, height, contact.radii))
        object.__setattr__(self, "muscles", load_muscle_set(mass, height))

    def with_contact(self, **changes: Any) -> Runner:
        """A copy with some contact parameters changed (names of :class:`ContactParams` fields),
        e.g. ``runner.with_contact(transition_velocity=0.05)`` for stiffer-sticking friction."""
        import dataclasses

        try:
            contact = dataclasses.replace(self.contact, **changes)
        except TypeError as exc:
            fields = ", ".join(f.name for f in dataclasses.fields(ContactParams))
            raise InputError(
                f"unknown contact parameter in {sorted(changes)}; known: {fields}"
            ) from exc
        new = Runner(self.mass, self.height)
        object.__setattr__(new, "contact", contact)
        object.__setattr__(new, "skeleton", build_skeleton(self.mass, self.height, contact.radii))
        object.__setattr__(new, "muscles", self.muscles)
        return new

    def with_muscle(self, name: str, **changes: Any) -> Runner:
        """A copy with one base muscle's parameters changed on both sides, e.g.
        ``runner.with_muscle("soleus", max_isometric_force=4000.0)`` (``MuscleParams`` fields)."""
        import dataclasses

        bases = {m.base for m in self.muscles}
        if name not in bases:
            import difflib

            close = tuple(difflib.get_close_matches(name, sorted(bases), n=3))
            raise UnknownNameError(f"unknown muscle {name!r}", close)
        try:
            muscles = tuple(
                dataclasses.replace(m, **changes) if m.base == name else m for m in self.muscles
            )
        except TypeError as exc:
            fields = ", ".join(f.name for f in dataclasses.fields(self.muscles[0]))
            raise InputError(
                f"unknown muscle parameter in {sorted(changes)}; known: {fields}"
            ) from exc
        new = Runner(self.mass, self.height)
        object.__setattr__(new, "contact", self.contact)
        object.__setattr__(new, "skeleton", self.skeleton)
        object.__setattr__(new, "muscles", muscles)
        return new

    @property
    def label(self) -> str:
        """What results name as their model, e.g. "runmuscles 2D runner (16 DOF, 40 Hill-type
        muscles)"."""
        return f"runmuscles 2D runner ({len(self.dofs)} DOF, {len(self.muscles)} Hill-type muscles)"

    def fingerprint(self) -> str:
        """A digest of every parameter that shapes the dynamics (body, segments, contact,
        muscles): equal for equal runners, different when any parameter differs."""
        import hashlib

        text = repr((self.mass, self.height, self.skeleton, self.contact, self.muscles))
        # a muscle at the default passive strain (a field added after strides were shipped)
        # keeps the digest it had before the field existed
        text = text.replace(f", passive_strain={PASSIVE_STRAIN_AT_ONE!r}", "")
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- named access ----------------------------------------------------------------------
    @property
    def dofs(self) -> tuple[str, ...]:
        return DOFS

    @property
    def dof_index(self) -> Mapping[str, int]:
        return MappingProxyType({n: i for i, n in enumerate(DOFS)})

    def index(self, dof: str) -> int:
        """Index of a degree of freedom, with a helpful error for unknown names."""
        try:
            return DOFS.index(dof)
        except ValueError:
            import difflib

            close = tuple(difflib.get_close_matches(dof, DOFS, n=3))
            raise UnknownNameError(f"unknown degree of freedom {dof!r}", close) from None

    @property
    def segments(self) -> Mapping[str, Segment]:
        return MappingProxyType({s.name: s for s in self.skeleton.segments})

    @property
    def total_mass(self) -> float:
        return self.skeleton.total_mass

    @property
    def weight(self) -> float:
        """Body weight on level ground, N."""
        from runmuscles.units import G

        return self.total_mass * G

    def named(self, x: Any) -> dict[str, Any]:
        """A 16-vector (q, qd, tau, ...; NumPy or CasADi) as a dict DOF name -> entry."""
        x = as_vector(x, len(DOFS), "vector")
        return {name: x[i] for i, name in enumerate(DOFS)}

    @property
    def standing_hip_height(self) -> float:
        """pelvis_ty (m) at which, with all angles 0, the foot spheres just touch the belt."""
        zero = [0.0] * len(DOFS)
        y = self.skeleton.point_positions(zero, ("ball_r",))["ball_r"][1]
        return float(self.contact.radii["ball"] - y)

    @property
    def muscle_names(self) -> tuple[str, ...]:
        """Model muscle names in the order of ``muscles`` (e.g. "soleus_r")."""
        return tuple(m.name for m in self.muscles)

    def muscle(self, name: str) -> Any:
        """One muscle's parameters (``MuscleParams``) by name."""
        for m in self.muscles:
            if m.name == name:
                return m
        import difflib

        close = tuple(difflib.get_close_matches(name, self.muscle_names, n=3))
        raise UnknownNameError(f"unknown muscle {name!r}", close)

    def muscle_lengths(self, q: Any) -> dict[str, Any]:
        """Muscle-tendon unit length of every muscle at pose q (16-vector), m."""
        named = self.named(q)
        return {m.name: mtu_length(m, named) for m in self.muscles}

    def muscle_moments(self, q: Any, forces: Any) -> Any:
        """Generalised forces (16-vector, N m; pelvis entries 0) of muscle-tendon forces.

        forces: a vector in the order of ``muscles`` (NumPy or CasADi) or a mapping name -> N.
        """
        named = self.named(q)
        if not isinstance(forces, Mapping):
            n = len(self.muscles)
            vec = as_vector(forces, n, "muscle forces")
            forces = {m.name: vec[i] for i, m in enumerate(self.muscles)}
        moments = muscle_joint_moments(self.muscles, named, forces)
        ops = ops_for(q, *forces.values())
        return ops.stack([moments.get(d, 0.0) for d in DOFS])

    def relaxed_moments(self, q: Mapping[str, float]) -> dict[str, float]:
        """Joint moments (N m) of the relaxed runner held still in pose ``q`` (DOF name -> rad or
        m; others 0): the range-of-motion moments plus every muscle's passive force, its tendon
        in equilibrium with the relaxed fibre (activation 0). What a passive-stiffness test on a
        dynamometer measures, e.g. Riener & Edrich 1999 (J Biomech 32:539). NumPy only."""
        unknown = sorted(set(q) - set(DOFS))
        if unknown:
            import difflib

            close = tuple(difflib.get_close_matches(unknown[0], DOFS, n=3))
            raise UnknownNameError(f"unknown coordinate {unknown[0]!r}", close)
        qv = np.array([float(q.get(d, 0.0)) for d in DOFS])
        lengths = self.muscle_lengths(qv)
        forces = {
            m.name: float(equilibrium_tendon_force(m, 0.0, float(lengths[m.name])))
            * m.max_isometric_force
            for m in self.muscles
        }
        total = np.asarray(self.passive_moments(qv, np.zeros(len(DOFS))), float)
        total = total + np.asarray(self.muscle_moments(qv, forces), float)
        return {d: float(total[i]) for i, d in enumerate(DOFS)}

    @property
    def contact_points(self) -> tuple[str, ...]:
        return tuple(f"{s}_{side}" for side in ("r", "l") for s in CONTACT_SPHERES)

    # -- physics ---------------------------------------------------------------------------
    def contact_forces(self, q: Any, qd: Any) -> dict[str, Vec]:
        """Ground force (fx, fy) on each contact sphere (``contact_points``), N, belt frame."""
        q = as_vector(q, len(DOFS), "q")
        qd = as_vector(qd, len(DOFS), "qd")
        pos = self.skeleton.point_positions(q, self.contact_points)
        vel = self.skeleton.point_velocities(q, qd, self.contact_points)
        out = {}
        for name in self.contact_points:
            radius = self.contact.radii[name.rsplit("_", 1)[0]]
            out[name] = sphere_force(pos[name][1], vel[name][0], vel[name][1], radius, self.contact)
        return out

    def ground_reaction(self, q: Any, qd: Any) -> dict[str, Vec]:
        """Total ground reaction force (fx, fy) per side ("r", "l"), N, belt frame."""
        f = self.contact_forces(q, qd)
        return {
            side: (
                sum(f[f"{s}_{side}"][0] for s in CONTACT_SPHERES),
                sum(f[f"{s}_{side}"][1] for s in CONTACT_SPHERES),
            )
            for side in ("r", "l")
        }

    def passive_moments(self, q: Any, qd: Any) -> Any:
        """Joint range-of-motion moments + damping, N m (pelvis entries 0)."""
        return self.skeleton.passive_moments(q, qd)

    def implicit_residual(
        self, q: Any, qd: Any, qdd: Any, tau_applied: Any, grade: Any = 0.0
    ) -> Any:
        """M qdd + h - J^T F_contact - tau_passive - tau_applied (16-vector; zero on the dynamics).

        tau_applied: generalised forces from muscles/actuators/residuals (N for pelvis_tx/ty,
        N m otherwise). NumPy in -> NumPy out; any CasADi argument -> CasADi column.
        """
        tau_applied = as_vector(tau_applied, len(DOFS), "tau_applied")
        tau_needed = self.skeleton.inverse_dynamics(q, qd, qdd, self.contact_forces(q, qd), grade)
        return tau_needed - self.passive_moments(q, qd) - tau_applied

    def joint_reaction_forces(self, q: Any, qd: Any, qdd: Any, grade: Any = 0.0) -> dict[str, Vec]:
        """Net intersegmental force (fx, fy) per joint DOF name, N, belt frame, with contact.

        The force the proximal segment exerts on the distal one (muscle forces not included).
        """
        return self.skeleton.joint_reaction_forces(q, qd, qdd, self.contact_forces(q, qd), grade)

    def inverse_dynamics(self, q: Any, qd: Any, qdd: Any, grade: Any = 0.0) -> Any:
        """tau_applied that makes (q, qd, qdd) happen, given contact and passive moments."""
        zero = 0 * as_vector(qd, len(DOFS), "qd")
        return self.implicit_residual(q, qd, qdd, zero, grade)

    def forward_dynamics(self, q: Any, qd: Any, tau_applied: Any, grade: Any = 0.0) -> Any:
        """qdd from tau_applied, including contact and passive moments (single state)."""
        q = as_vector(q, len(DOFS), "q")
        qd = as_vector(qd, len(DOFS), "qd")
        tau = as_vector(tau_applied, len(DOFS), "tau_applied") + self.passive_moments(q, qd)
        return self.skeleton.forward_dynamics(q, qd, tau, self.contact_forces(q, qd), grade)

    # -- description -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: body, DOFs, segments, contact, muscles, sources."""
        return {
            "mass_kg": self.mass,
            "height_m": self.height,
            "total_mass_kg": self.total_mass,
            "dofs": list(DOFS),
            "segments": [s.to_dict() for s in self.skeleton.segments],
            "contact": self.contact.to_dict(),
            "muscles": [_muscle_dict(m) for m in self.muscles],
            "sources": [
                "de Leva P (1996) J Biomech 29:1223 (segment masses, centres of mass, inertias, "
                "lengths; male)",
                "Winter DA (2009) Biomechanics and Motor Control of Human Movement (ankle height)",
                "Anderson FC (1999) / Falisse A et al. (2019) J R Soc Interface 16:20190402 "
                "(joint range-of-motion moments)",
                "Sherman MA et al. (2011) Procedia IUTAM 2:241; Serrancoli G et al. (2019) IEEE "
                "TNSRE 27:1597; OpenSim Moco 2D_gait.osim (contact)",
                *sorted({src for m in self.muscles for src in m.sources}),
            ],
        }


def _muscle_dict(m: Any) -> dict[str, Any]:
    """JSON-ready description of one muscle (``MuscleParams`` of :mod:`runmuscles.model.muscle`)."""
    return {
        "name": m.name,
        "base": m.base,
        "group": m.group,
        "side": m.side,
        "max_isometric_force_N": m.max_isometric_force,
        "optimal_fiber_length_m": m.optimal_fiber_length,
        "tendon_slack_length_m": m.tendon_slack_length,
        "pennation_rad": m.pennation_angle,
        "compliant_tendon": m.compliant_tendon,
        "joints": list(m.dofs),
        "sources": list(m.sources),
    }
