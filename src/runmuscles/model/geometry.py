"""Muscle set of the runner and its geometry: muscle-tendon lengths and moment arms.

Parameters come from ``params/muscles.toml`` (every number cited there). Each muscle's moment arm
about each degree of freedom (DOF) it crosses is a polynomial of that DOF's angle,
``r(q) = c0 + c1 q + c2 q^2`` (m, q in rad), and its muscle-tendon (MTU) length is the exact
integral ``L(q) = L(0) - sum_j (c0 q_j + c1 q_j^2 / 2 + c2 q_j^3 / 3)``, so the moment arm is
exactly ``-dL/dq``. Signs follow the generalised coordinates (COMMON.md): a positive moment arm
means tendon tension drives the coordinate in its positive direction (knee + = flexion, so the
vasti have a negative knee moment arm). All functions accept floats, NumPy arrays or CasADi symbols
as joint angles.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

from runmuscles.conventions import BODY_HEIGHT_RANGE_M, BODY_MASS_RANGE_KG, GROUP_IDS
from runmuscles.errors import DataError, InputError, OutOfRangeError
from runmuscles.model.muscle import KT_DEFAULT, PASSIVE_STRAIN_AT_ONE, MuscleParams
from runmuscles.units import DEG

__all__ = [
    "GROUPS",
    "MUSCLE_BASES",
    "MuscleParams",
    "load_muscle_set",
    "moment_arms",
    "mtu_length",
    "mtu_lengths_and_moment_arms",
    "mtu_velocity",
    "muscle_joint_moments",
    "scale_factors",
    "tendon_forces",
]

#: Base names of the model muscles, in model order (COMMON.md).
MUSCLE_BASES: tuple[str, ...] = (
    "glut_max",
    "iliopsoas",
    "hamstrings",
    "bifemsh",
    "rect_fem",
    "vasti",
    "gastroc",
    "soleus",
    "tib_ant",
    "toe_flexors",
    "foot_intrinsics",
    "rect_abd",
    "erector_spinae",
    "delt_ant",
    "delt_post",
    "lat_dorsi",
    "teres_major",
    "biceps",
    "triceps",
    "tri_long",
)
GROUPS = GROUP_IDS
#: DOFs that exist once (no side suffix).
_UNPAIRED_DOFS = frozenset({"lumbar"})
_PAIRED_DOFS = frozenset({"hip", "knee", "ankle", "mtp", "shoulder", "elbow"})
#: Maximum contraction velocity in optimal fibre lengths per second (De Groote 2016; SCIENCE.md).
VMAX_PER_LOPT = 10.0
#: Handsfield et al. 2014 J Biomech 47:631: total lower-limb muscle volume (cm^3) =
#: 47 * mass (kg) * height (m) + 1285.
_HANDSFIELD_SLOPE = 47.0
_HANDSFIELD_INTERCEPT = 1285.0

_MASS_RANGE = BODY_MASS_RANGE_KG
_HEIGHT_RANGE = BODY_HEIGHT_RANGE_M


def _read_params() -> dict[str, Any]:
    text = (
        resources.files("runmuscles.model")
        .joinpath("params", "muscles.toml")
        .read_text(encoding="utf-8")
    )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - shipped file
        raise DataError(f"model/params/muscles.toml is not valid TOML: {exc}") from exc


def _poly_integral(coeffs: tuple[float, float, float], q: Any) -> Any:
    c0, c1, c2 = coeffs
    return q * (c0 + q * (c1 / 2.0 + q * (c2 / 3.0)))


def _poly(coeffs: tuple[float, float, float], q: Any) -> Any:
    c0, c1, c2 = coeffs
    return c0 + q * (c1 + q * c2)


def scale_factors(mass: float = 70.0, height: float = 1.75) -> tuple[float, float]:
    """Scale factors (force, length) from the reference body (75.16 kg, 1.80 m) to this body.

    Lengths (optimal fibre, tendon slack, MTU lengths, moment arms) scale with height. Muscle
    volume follows Handsfield et al. 2014 (J Biomech 47:631), V = 47 m h + 1285 cm^3, and
    Fmax = sigma V / l_opt, so the force factor is V(m, h) / V(m0, h0) * h0 / h.
    """
    _check_body(mass, height)
    ref = _read_params()["reference_body"]
    m0, h0 = float(ref["mass"]), float(ref["height"])

    def volume(m: float, h: float) -> float:
        return _HANDSFIELD_SLOPE * m * h + _HANDSFIELD_INTERCEPT

    return volume(mass, height) / volume(m0, h0) * h0 / height, height / h0


def _check_body(mass: float, height: float) -> None:
    if not (isinstance(mass, (int, float)) and math.isfinite(mass)):
        raise InputError(f"body mass {mass!r} is not a number; give kilograms, e.g. mass=70")
    if not (isinstance(height, (int, float)) and math.isfinite(height)):
        raise InputError(f"body height {height!r} is not a number; give metres, e.g. height=1.75")
    if not _MASS_RANGE[0] <= mass <= _MASS_RANGE[1]:
        raise OutOfRangeError(
            f"body mass {mass} kg is outside {_MASS_RANGE[0]:g}..{_MASS_RANGE[1]:g} kg; "
            "give the mass in kilograms"
        )
    if not _HEIGHT_RANGE[0] <= height <= _HEIGHT_RANGE[1]:
        raise OutOfRangeError(
            f"body height {height} m is outside {_HEIGHT_RANGE[0]:g}..{_HEIGHT_RANGE[1]:g} m; "
            "give the height in metres (1.75, not 175)"
        )


def _dof_name(dof: str, side: str) -> str:
    return dof if dof in _UNPAIRED_DOFS else f"{dof}_{side}"


def _build(base: str, entry: Mapping[str, Any], side: str) -> MuscleParams:
    try:
        group = str(entry["group"])
        fmax = float(entry["max_isometric_force"])
        l_opt = float(entry["optimal_fiber_length"])
        l_ts = float(entry["tendon_slack_length"])
        penn = float(entry["pennation_deg"]) * DEG
        arms: dict[str, tuple[float, float, float]] = {}
        for k, v in entry["moment_arm"].items():
            c = [float(x) for x in v]
            if len(c) != 3:
                raise DataError(f"muscles.toml: {base!r} moment arm for {k!r} needs 3 numbers")
            arms[str(k)] = (c[0], c[1], c[2])
        pose = {str(k): float(v) * DEG for k, v in entry["optimal_pose"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"muscles.toml: muscle {base!r} has a missing or bad field: {exc}") from exc
    if group not in GROUPS:
        raise DataError(f"muscles.toml: muscle {base!r} has unknown group {group!r}")
    if set(arms) != set(pose) or not arms:
        raise DataError(
            f"muscles.toml: {base!r} needs the same DOFs in moment_arm and optimal_pose"
        )
    for dof in arms:
        if dof not in _PAIRED_DOFS | _UNPAIRED_DOFS:
            raise DataError(f"muscles.toml: {base!r} moment arm for {dof!r} is not valid")
    if min(fmax, l_opt, l_ts) <= 0 or not 0 <= penn < 60 * DEG:
        raise DataError(f"muscles.toml: {base!r} has non-physical parameters")
    strain = float(entry.get("passive_strain", PASSIVE_STRAIN_AT_ONE))
    if not 0.2 <= strain <= 3.0:
        raise DataError(
            f"muscles.toml: {base!r} passive_strain {strain:g} is outside 0.2..3.0 (the fibre "
            "strain at which passive force reaches Fmax; 0.6 is the usual value)"
        )
    # MTU length at the optimal pose = l_ts + l_opt cos(alpha_opt); shift to the zero pose.
    at_pose = l_ts + l_opt * math.cos(penn)
    length_at_zero = at_pose + sum(_poly_integral(arms[d], pose[d]) for d in arms)
    dof_names = tuple(_dof_name(d, side) for d in arms)
    return MuscleParams(
        name=f"{base}_{side}",
        base=base,
        group=group,
        side=side,
        max_isometric_force=fmax,
        optimal_fiber_length=l_opt,
        tendon_slack_length=l_ts,
        pennation_angle=penn,
        max_contraction_velocity=VMAX_PER_LOPT * l_opt,
        tendon_stiffness=float(entry.get("tendon_stiffness", KT_DEFAULT)),
        compliant_tendon=bool(entry["compliant_tendon"]),
        dofs=dof_names,
        sources=tuple(str(s) for s in entry.get("sources", ())),
        fast_twitch_fraction=float(entry["fast_twitch_fraction"]),
        passive_strain=strain,
        moment_arm_polynomials=tuple(
            (name, arms[d]) for name, d in zip(dof_names, arms, strict=True)
        ),
        length_at_zero=length_at_zero,
    )


def load_muscle_set(mass: float = 70.0, height: float = 1.75) -> tuple[MuscleParams, ...]:
    """The 40 muscles of the runner (20 base muscles x right/left), scaled to this body.

    Order: for each base name in :data:`MUSCLE_BASES`, the right then the left muscle. Scaling
    (see :func:`scale_factors`): lengths and moment arms with height; Fmax with muscle volume
    (Handsfield et al. 2014) divided by fibre length. Raises ``OutOfRangeError`` for an impossible
    body (mass outside 20..250 kg, height outside 1.0..2.5 m).
    """
    f_force, f_len = scale_factors(mass, height)
    table = _read_params()["muscles"]
    missing = [b for b in MUSCLE_BASES if b not in table]
    if missing:
        raise DataError(f"muscles.toml lacks muscles {missing}")
    out: list[MuscleParams] = []
    for base in MUSCLE_BASES:
        for side in ("r", "l"):
            m = _build(base, table[base], side)
            out.append(
                replace(
                    m,
                    max_isometric_force=m.max_isometric_force * f_force,
                    optimal_fiber_length=m.optimal_fiber_length * f_len,
                    tendon_slack_length=m.tendon_slack_length * f_len,
                    max_contraction_velocity=m.max_contraction_velocity * f_len,
                    moment_arm_polynomials=tuple(
                        (d, (c[0] * f_len, c[1] * f_len, c[2] * f_len))
                        for d, c in m.moment_arm_polynomials
                    ),
                    length_at_zero=m.length_at_zero * f_len,
                )
            )
    return tuple(out)


def _angle(muscle: MuscleParams, q: Mapping[str, Any], dof: str) -> Any:
    try:
        return q[dof]
    except KeyError:
        raise InputError(
            f"joint angle {dof!r} is missing for muscle {muscle.name!r}; "
            f"give all of {', '.join(muscle.dofs)} (radians)"
        ) from None


def mtu_length(muscle: MuscleParams, q: Mapping[str, Any]) -> Any:
    """Muscle-tendon length (m) at joint angles ``q`` (DOF name -> rad)."""
    length: Any = muscle.length_at_zero
    for dof, coeffs in muscle.moment_arm_polynomials:
        length = length - _poly_integral(coeffs, _angle(muscle, q, dof))
    return length


def moment_arms(muscle: MuscleParams, q: Mapping[str, Any]) -> dict[str, Any]:
    """Moment arm (m) about each DOF crossed, exactly ``-d mtu_length / dq``."""
    return {
        dof: _poly(coeffs, _angle(muscle, q, dof)) for dof, coeffs in muscle.moment_arm_polynomials
    }


def mtu_velocity(muscle: MuscleParams, q: Mapping[str, Any], qdot: Mapping[str, Any]) -> Any:
    """Muscle-tendon lengthening velocity (m/s): ``-sum_j r_j(q) qdot_j`` (qdot in rad/s)."""
    velocity: Any = 0.0
    for dof, r in moment_arms(muscle, q).items():
        try:
            speed = qdot[dof]
        except KeyError:
            raise InputError(
                f"joint speed {dof!r} is missing for muscle {muscle.name!r}; "
                f"give all of {', '.join(muscle.dofs)} (rad/s)"
            ) from None
        velocity = velocity - r * speed
    return velocity


def mtu_lengths_and_moment_arms(
    muscles: Iterable[MuscleParams], q: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """MTU lengths (name -> m) and moment arms (name -> DOF -> m) of many muscles at once."""
    lengths: dict[str, Any] = {}
    arms: dict[str, dict[str, Any]] = {}
    for m in muscles:
        lengths[m.name] = mtu_length(m, q)
        arms[m.name] = moment_arms(m, q)
    return lengths, arms


def muscle_joint_moments(
    muscles: Iterable[MuscleParams], q: Mapping[str, Any], forces: Mapping[str, Any]
) -> dict[str, Any]:
    """Generalised forces (N m, COMMON.md signs) from tendon forces (muscle name -> N)."""
    total: dict[str, Any] = {}
    for m in muscles:
        if m.name not in forces:
            raise InputError(f"no force given for muscle {m.name!r}; give one per muscle (N)")
        for dof, r in moment_arms(m, q).items():
            total[dof] = total.get(dof, 0.0) + r * forces[m.name]
    return total


def tendon_forces(forces: Mapping[str, Any]) -> dict[str, Any]:
    """Achilles and patellar tendon forces (N) per side from muscle tendon forces (N).

    ``achilles_tendon_<side>`` = soleus + gastroc; ``patellar_tendon_<side>`` = vasti + rect_fem
    (the quadriceps force; the patellofemoral force ratio is taken as 1). Sides missing from
    ``forces`` are left out.
    """
    out: dict[str, Any] = {}
    for side in ("r", "l"):
        for tendon, parts in (
            ("achilles_tendon", ("soleus", "gastroc")),
            ("patellar_tendon", ("vasti", "rect_fem")),
        ):
            names = [f"{p}_{side}" for p in parts]
            if all(n in forces for n in names):
                out[f"{tendon}_{side}"] = forces[names[0]] + forces[names[1]]
    return out
