"""Planar (sagittal) multibody skeleton of a runner: 14 rigid segments, 16 degrees of freedom.

Seen from the runner's right side, x forward along the belt, y up (normal to the belt), angles
counter-clockwise positive except the knee (+ = flexion). Degrees of freedom, in this order::

    pelvis_tx pelvis_ty pelvis_tilt lumbar hip_r knee_r ankle_r mtp_r
    hip_l knee_l ankle_l mtp_l shoulder_r elbow_r shoulder_l elbow_l

The pelvis origin is the hip joint centre (both hips coincide in the sagittal plane), so
``pelvis_tx``/``pelvis_ty`` are the hip-centre position (m). Every segment frame has its origin
at the joint to its parent and is aligned with the world at q = 0 (standing upright, feet flat,
arms hanging). Tree::

    pelvis ─┬─ torso (trunk + head; lumbar) ─┬─ humerus_r ── forearm_r (+ hand)
            │                                 └─ humerus_l ── forearm_l
            ├─ femur_r ── tibia_r ── foot_r (calcaneus + metatarsals) ── toes_r
            └─ femur_l ── tibia_l ── foot_l ── toes_l

Segment parameters: de Leva 1996 (``params/de_leva_1996.toml``), scaled to body mass (masses,
total exact) and stature (lengths); inertias therefore scale with mass x stature^2.

Every dynamics function is pure and works on NumPy floats/arrays and on CasADi SX/MX alike
(:mod:`runmuscles.model.backend`). The treadmill grade tilts gravity in the belt frame:
g = G (-sin a, -cos a) with a = atan(grade); uphill grade pulls the runner backwards.
Units: m, kg, s, rad, N, N m.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from runmuscles.conventions import DOFS
from runmuscles.errors import DataError, InputError, UnknownNameError
from runmuscles.model.backend import Ops, as_vector, ops_for
from runmuscles.units import G

__all__ = [
    "DOFS",
    "JointLimit",
    "Segment",
    "Skeleton",
    "build_skeleton",
]

N_DOF = len(DOFS)
_DOF_INDEX = {name: i for i, name in enumerate(DOFS)}

Vec = tuple[Any, Any]


@dataclass(frozen=True)
class Segment:
    """One rigid segment. Coordinates are in the segment frame (origin at its proximal joint).

    mass (kg); length (m, de Leva definition); com (m, x, y); inertia (kg m^2, about the centre
    of mass, sagittal-plane axis); parent segment and the joint location in the parent frame (m);
    dof driving the joint and its sign (+1: segment angle = parent angle + q; -1 for the knee).
    """

    name: str
    mass: float
    length: float
    com: tuple[float, float]
    inertia: float
    parent: str | None
    joint: tuple[float, float]
    dof: str
    sign: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mass_kg": self.mass,
            "length_m": self.length,
            "com_m": list(self.com),
            "inertia_kg_m2": self.inertia,
            "parent": self.parent,
            "dof": self.dof,
        }


@dataclass(frozen=True)
class JointLimit:
    """Smooth range-of-motion moment (Anderson 1999 / Falisse 2019 double exponential).

    tau = sign * (k1 exp(k2 (sign q - upper)) + k3 exp(k4 (sign q - lower))), N m; lower/upper
    in the source convention (rad).
    """

    k: tuple[float, float, float, float]
    lower: float
    upper: float
    sign: int
    source: str

    def moment(self, q: Any, ops: Ops) -> Any:
        th = self.sign * q
        k1, k2, k3, k4 = self.k
        return self.sign * (
            k1 * ops.exp(k2 * (th - self.upper)) + k3 * ops.exp(k4 * (th - self.lower))
        )


def _rot(c: Any, s: Any, v: tuple[float, float] | Vec) -> Vec:
    return (c * v[0] - s * v[1], s * v[0] + c * v[1])


def _cross(a: Vec, b: Vec) -> Any:
    return a[0] * b[1] - a[1] * b[0]


@dataclass(frozen=True)
class _Kin:
    """Positions of all segment frames for one q (internal)."""

    cos: list[Any]
    sin: list[Any]
    origin: list[Vec]
    joint_vec: list[Vec]  # parent origin -> this origin, world frame
    com_vec: list[Vec]  # this origin -> centre of mass, world frame


@dataclass(frozen=True)
class Skeleton:
    """The scaled skeleton: segments in topological order, named points, joint limits.

    ``points`` maps a point name to (segment, (x, y) in that segment's frame, m). heel/ball/toe
    points are the centres of the foot contact spheres (``sphere_radii``, m).
    """

    mass: float
    height: float
    segments: tuple[Segment, ...]
    points: Mapping[str, tuple[str, tuple[float, float]]]
    limits: Mapping[str, JointLimit]
    damping: float
    sphere_radii: Mapping[str, float]

    # -- structure -------------------------------------------------------------------------
    @property
    def dofs(self) -> tuple[str, ...]:
        return DOFS

    @property
    def total_mass(self) -> float:
        return math.fsum(s.mass for s in self.segments)

    def segment(self, name: str) -> Segment:
        for s in self.segments:
            if s.name == name:
                return s
        raise UnknownNameError(
            f"unknown segment {name!r}; known: {', '.join(s.name for s in self.segments)}"
        )

    def _index(self) -> dict[str, int]:
        return {s.name: i for i, s in enumerate(self.segments)}

    def _chain(self, seg: str) -> list[int]:
        """Segment indices from ``seg`` up to the pelvis."""
        idx = self._index()
        out = []
        name: str | None = seg
        while name is not None:
            i = idx[name]
            out.append(i)
            name = self.segments[i].parent
        return out

    # -- kinematics ------------------------------------------------------------------------
    def _kin(self, q: Any, ops: Ops) -> _Kin:
        idx = self._index()
        phis: list[Any] = []
        cos: list[Any] = []
        sin: list[Any] = []
        origin: list[Vec] = []
        jvec: list[Vec] = []
        cvec: list[Vec] = []
        for seg in self.segments:
            k = _DOF_INDEX[seg.dof]
            if seg.parent is None:
                phi = q[k]
                o: Vec = (q[0], q[1])
                r: Vec = (0.0, 0.0)
            else:
                p = idx[seg.parent]
                phi = phis[p] + seg.sign * q[k]
                r = _rot(cos[p], sin[p], seg.joint)
                o = (origin[p][0] + r[0], origin[p][1] + r[1])
            c, s = ops.cos(phi), ops.sin(phi)
            phis.append(phi)
            cos.append(c)
            sin.append(s)
            origin.append(o)
            jvec.append(r)
            cvec.append(_rot(c, s, seg.com))
        return _Kin(cos, sin, origin, jvec, cvec)

    def _point_world(self, kin: _Kin, name: str) -> tuple[int, Vec]:
        try:
            seg, loc = self.points[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown point {name!r}; known: {', '.join(self.points)}"
            ) from None
        i = self._index()[seg]
        r = _rot(kin.cos[i], kin.sin[i], loc)
        return i, (kin.origin[i][0] + r[0], kin.origin[i][1] + r[1])

    def point_positions(self, q: Any, names: tuple[str, ...] | None = None) -> dict[str, Vec]:
        """World (belt-frame) positions (x, y) of named points, m."""
        q = as_vector(q, N_DOF, "q")
        kin = self._kin(q, ops_for(q))
        return {n: self._point_world(kin, n)[1] for n in (names or tuple(self.points))}

    def segment_frames(self, q: Any) -> dict[str, tuple[Any, Any, Any]]:
        """Per segment: (x, y, angle) of its frame origin (m) and absolute angle (rad, CCW)."""
        q = as_vector(q, N_DOF, "q")
        ops = ops_for(q)
        kin = self._kin(q, ops)
        out = {}
        for i, seg in enumerate(self.segments):
            angle = sum(
                self.segments[j].sign * q[_DOF_INDEX[self.segments[j].dof]]
                for j in self._chain(seg.name)
            )
            out[seg.name] = (kin.origin[i][0], kin.origin[i][1], angle)
        return out

    def center_of_mass(self, q: Any) -> Vec:
        """Whole-body centre of mass (x, y), m."""
        q = as_vector(q, N_DOF, "q")
        kin = self._kin(q, ops_for(q))
        mx = sum(
            s.mass * (kin.origin[i][0] + kin.com_vec[i][0]) for i, s in enumerate(self.segments)
        )
        my = sum(
            s.mass * (kin.origin[i][1] + kin.com_vec[i][1]) for i, s in enumerate(self.segments)
        )
        return (mx / self.total_mass, my / self.total_mass)

    def _jacobian_rows(self, kin: _Kin, seg_index: int, p: Vec) -> tuple[list[Any], list[Any]]:
        jx: list[Any] = [0.0] * N_DOF
        jy: list[Any] = [0.0] * N_DOF
        jx[0], jy[1] = 1.0, 1.0
        for j in self._chain(self.segments[seg_index].name):
            seg = self.segments[j]
            k = _DOF_INDEX[seg.dof]
            rx = p[0] - kin.origin[j][0]
            ry = p[1] - kin.origin[j][1]
            jx[k] = -seg.sign * ry
            jy[k] = seg.sign * rx
        return jx, jy

    def point_jacobian(self, q: Any, name: str) -> Any:
        """2 x 16 Jacobian of a named point's position (velocity = J qd), NumPy or CasADi."""
        q = as_vector(q, N_DOF, "q")
        ops = ops_for(q)
        kin = self._kin(q, ops)
        i, p = self._point_world(kin, name)
        jx, jy = self._jacobian_rows(kin, i, p)
        if ops.name == "casadi":
            import casadi as ca

            return ca.vertcat(ca.horzcat(*jx), ca.horzcat(*jy))
        return ops.stack([ops.stack(jx), ops.stack(jy)])

    def point_velocities(
        self, q: Any, qd: Any, names: tuple[str, ...] | None = None
    ) -> dict[str, Vec]:
        """Velocities (vx, vy) of named points in the belt frame, m/s."""
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        kin = self._kin(q, ops_for(q, qd))
        out = {}
        for n in names or tuple(self.points):
            i, p = self._point_world(kin, n)
            jx, jy = self._jacobian_rows(kin, i, p)
            out[n] = (
                sum(jx[k] * qd[k] for k in range(N_DOF) if not _is_zero(jx[k])),
                sum(jy[k] * qd[k] for k in range(N_DOF) if not _is_zero(jy[k])),
            )
        return out

    # -- dynamics --------------------------------------------------------------------------
    @staticmethod
    def gravity(grade: Any = 0.0) -> Vec:
        """Gravity (gx, gy) in the belt frame for a treadmill grade (rise/run), m/s^2."""
        ops = ops_for(grade)
        inv = 1.0 / ops.sqrt(1.0 + grade * grade)
        return (-G * grade * inv, -G * inv)

    def _rnea(
        self,
        kin: _Kin,
        qd: Any,
        qdd: Any,
        g: Vec,
        point_forces: Mapping[str, Vec] | None = None,
        joint_forces: list[Vec] | None = None,
    ) -> list[Any]:
        """Recursive Newton-Euler: generalised forces; fills ``joint_forces`` (parent on child)."""
        idx = self._index()
        n = len(self.segments)
        om: list[Any] = []
        al: list[Any] = []
        acc: list[Vec] = []
        for i, seg in enumerate(self.segments):
            k = _DOF_INDEX[seg.dof]
            if seg.parent is None:
                om.append(qd[k])
                al.append(qdd[k])
                acc.append((qdd[0], qdd[1]))
                continue
            p = idx[seg.parent]
            r = kin.joint_vec[i]
            w, a = om[p], al[p]
            acc.append((acc[p][0] - a * r[1] - w * w * r[0], acc[p][1] + a * r[0] - w * w * r[1]))
            om.append(w + seg.sign * qd[k])
            al.append(a + seg.sign * qdd[k])
        force: list[Vec] = [(0.0, 0.0)] * n
        moment: list[Any] = [0.0] * n
        for name, fxy in (point_forces or {}).items():  # external forces act on their segment
            i, pw = self._point_world(kin, name)
            r_ext = (pw[0] - kin.origin[i][0], pw[1] - kin.origin[i][1])
            force[i] = (force[i][0] - fxy[0], force[i][1] - fxy[1])
            moment[i] = moment[i] - _cross(r_ext, fxy)
        for i in range(n - 1, -1, -1):
            seg = self.segments[i]
            c = kin.com_vec[i]
            w, a = om[i], al[i]
            ac = (acc[i][0] - a * c[1] - w * w * c[0], acc[i][1] + a * c[0] - w * w * c[1])
            f = (seg.mass * (ac[0] - g[0]), seg.mass * (ac[1] - g[1]))
            fx, fy = force[i][0] + f[0], force[i][1] + f[1]
            mz = moment[i] + seg.inertia * a + _cross(c, f)
            force[i] = (fx, fy)
            moment[i] = mz
            if seg.parent is not None:
                p = idx[seg.parent]
                r = kin.joint_vec[i]
                force[p] = (force[p][0] + fx, force[p][1] + fy)
                moment[p] = moment[p] + mz + _cross(r, (fx, fy))
        tau: list[Any] = [0.0] * N_DOF
        for i, seg in enumerate(self.segments):
            tau[_DOF_INDEX[seg.dof]] = seg.sign * moment[i]
        tau[0], tau[1] = force[0][0], force[0][1]
        if joint_forces is not None:
            joint_forces.extend(force)
        return tau

    def inverse_dynamics(
        self,
        q: Any,
        qd: Any,
        qdd: Any,
        point_forces: Mapping[str, Vec] | None = None,
        grade: Any = 0.0,
    ) -> Any:
        """Generalised forces tau = M(q) qdd + h(q, qd, grade) - sum J_p^T F_p (O(n) Newton-Euler).

        point_forces: named point -> (fx, fy) in the belt frame, N. Returns a length-16 vector
        (NumPy array or CasADi column), N for pelvis_tx/ty, N m otherwise.
        """
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        qdd = as_vector(qdd, N_DOF, "qdd")
        ops = ops_for(q, qd, qdd, point_forces, grade)
        kin = self._kin(q, ops)
        tau = self._rnea(kin, qd, qdd, self.gravity(grade), point_forces)
        return ops.stack(tau)

    def joint_reaction_forces(
        self,
        q: Any,
        qd: Any,
        qdd: Any,
        point_forces: Mapping[str, Vec] | None = None,
        grade: Any = 0.0,
    ) -> dict[str, Vec]:
        """Net intersegmental force (fx, fy) at each joint, N, belt frame, keyed by the joint's
        DOF (``"hip_r"``, ``"knee_r"``, ``"ankle_r"``, ``"lumbar"``, ...): the force the proximal
        segment exerts on the distal one. Muscle forces are not included (add their lines of
        action for the bone-on-bone force). ``"pelvis_tilt"`` holds the residual base force.
        """
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        qdd = as_vector(qdd, N_DOF, "qdd")
        ops = ops_for(q, qd, qdd, point_forces, grade)
        forces: list[Vec] = []
        self._rnea(self._kin(q, ops), qd, qdd, self.gravity(grade), point_forces, forces)
        return {seg.dof: forces[i] for i, seg in enumerate(self.segments)}

    def bias(self, q: Any, qd: Any, grade: Any = 0.0) -> Any:
        """h(q, qd, grade): Coriolis, centrifugal and gravity generalised forces."""
        qd = as_vector(qd, N_DOF, "qd")
        return self.inverse_dynamics(q, qd, 0 * qd, None, grade)

    def mass_matrix(self, q: Any) -> Any:
        """M(q), 16 x 16, kg / kg m / kg m^2 (columns from Newton-Euler with unit accelerations)."""
        q = as_vector(q, N_DOF, "q")
        ops = ops_for(q)
        kin = self._kin(q, ops)
        zero = [0.0] * N_DOF
        cols = []
        for j in range(N_DOF):
            e = [0.0] * N_DOF
            e[j] = 1.0
            cols.append(self._rnea(kin, zero, e, (0.0, 0.0)))
        if ops.name == "casadi":
            import casadi as ca

            return ca.horzcat(*[ca.vertcat(*c) for c in cols])
        import numpy as np

        return np.stack([ops.stack(c) for c in cols], axis=1)

    def forward_dynamics(
        self,
        q: Any,
        qd: Any,
        tau: Any,
        point_forces: Mapping[str, Vec] | None = None,
        grade: Any = 0.0,
    ) -> Any:
        """qdd solving M qdd = tau - h + sum J^T F (single state; NumPy 1-D or CasADi)."""
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        tau = as_vector(tau, N_DOF, "tau")
        ops = ops_for(q, qd, tau, point_forces, grade)
        rhs = tau - self.inverse_dynamics(q, qd, 0 * qd, point_forces, grade)
        return ops.solve(self.mass_matrix(q), rhs)

    def passive_moments(self, q: Any, qd: Any) -> Any:
        """Range-of-motion limit moments plus joint damping (pelvis entries 0), N m."""
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        ops = ops_for(q, qd)
        out: list[Any] = [0.0] * N_DOF
        for k, dof in enumerate(DOFS[3:], start=3):
            lim = self.limits[dof.removesuffix("_r").removesuffix("_l")]
            out[k] = lim.moment(q[k], ops) - self.damping * qd[k]
        return ops.stack(out)

    # -- energy ----------------------------------------------------------------------------
    def kinetic_energy(self, q: Any, qd: Any) -> Any:
        """Kinetic energy, J (velocities relative to the belt frame)."""
        q = as_vector(q, N_DOF, "q")
        qd = as_vector(qd, N_DOF, "qd")
        kin = self._kin(q, ops_for(q, qd))
        idx = self._index()
        om: list[Any] = []
        vel: list[Vec] = []
        total: Any = 0.0
        for i, seg in enumerate(self.segments):
            k = _DOF_INDEX[seg.dof]
            if seg.parent is None:
                w: Any = qd[k]
                v: Vec = (qd[0], qd[1])
            else:
                p = idx[seg.parent]
                r = kin.joint_vec[i]
                v = (vel[p][0] - om[p] * r[1], vel[p][1] + om[p] * r[0])
                w = om[p] + seg.sign * qd[k]
            om.append(w)
            vel.append(v)
            c = kin.com_vec[i]
            vc = (v[0] - w * c[1], v[1] + w * c[0])
            total = total + 0.5 * seg.mass * (vc[0] ** 2 + vc[1] ** 2) + 0.5 * seg.inertia * w**2
        return total

    def potential_energy(self, q: Any, grade: Any = 0.0) -> Any:
        """Gravitational potential energy relative to the belt-frame origin, J."""
        gx, gy = self.gravity(grade)
        cx, cy = self.center_of_mass(q)
        return -self.total_mass * (gx * cx + gy * cy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mass_kg": self.mass,
            "height_m": self.height,
            "total_mass_kg": self.total_mass,
            "dofs": list(DOFS),
            "segments": [s.to_dict() for s in self.segments],
            "points": {n: {"segment": s, "local_m": list(p)} for n, (s, p) in self.points.items()},
        }


def _is_zero(x: Any) -> bool:
    return isinstance(x, float) and x == 0.0


# -- construction -------------------------------------------------------------------------------
def _load(name: str) -> dict[str, Any]:
    text = resources.files("runmuscles.model").joinpath("params", name).read_text("utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - shipped file
        raise DataError(f"parameter file {name} is not valid TOML: {exc}") from exc


def _composite(parts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Combine collinear parts (mass, y of com, inertia about own com) -> (mass, y, inertia)."""
    m = math.fsum(p[0] for p in parts)
    y = math.fsum(p[0] * p[1] for p in parts) / m
    inertia = math.fsum(p[2] + p[0] * (p[1] - y) ** 2 for p in parts)
    return m, y, inertia


DEFAULT_SPHERE_RADII = {"heel": 0.035, "ball": 0.015, "toe": 0.015}


def build_skeleton(
    mass: float = 70.0,
    height: float = 1.75,
    sphere_radii: Mapping[str, float] | None = None,
) -> Skeleton:
    """Scale de Leva 1996 to ``mass`` (kg) and ``height`` (m); total mass is exact."""
    if not (mass > 0 and height > 0 and math.isfinite(mass) and math.isfinite(height)):
        raise InputError(f"mass {mass!r} kg and height {height!r} m must be positive numbers")
    radii = dict(DEFAULT_SPHERE_RADII if sphere_radii is None else sphere_radii)
    data = _load("de_leva_1996.toml")
    ref = data["reference"]
    parts = data["parts"]
    frac_sum = math.fsum(p["mass_fraction"] for n, p in parts.items()) + math.fsum(
        parts[n]["mass_fraction"]
        for n in ("upper_arm", "forearm", "hand", "thigh", "shank", "foot")
    )
    if abs(frac_sum - 1.0) > 2e-3:
        raise DataError(f"de_leva_1996.toml: mass fractions sum to {frac_sum}, expected 1")
    s = height / ref["stature_m"]

    def part(name: str, top: float, downward: bool = True) -> tuple[float, float, float]:
        """(mass, y of com, inertia) of a vertical part whose first endpoint is at y=top."""
        p = parts[name]
        length = p["length_m"] * s
        m = mass * p["mass_fraction"] / frac_sum
        y = top - p["com_fraction"] * length if downward else top + p["com_fraction"] * length
        return m, y, m * (p["r_gyr"] * length) ** 2

    L = {n: p["length_m"] * s for n, p in parts.items()}
    segs: list[Segment] = []

    # pelvis: lower trunk OMPH-MIDH, origin at MIDH (hip centre), first endpoint OMPH on top
    m, y, inertia = part("lower_trunk", L["lower_trunk"])
    segs.append(
        Segment(
            "pelvis", m, L["lower_trunk"], (0.0, y), inertia, None, (0.0, 0.0), "pelvis_tilt", 1
        )
    )
    # torso: middle trunk + upper trunk + head stacked above the lumbar joint (OMPH)
    lm, lu, lh = L["middle_trunk"], L["upper_trunk"], L["head"]
    m, y, inertia = _composite(
        [part("middle_trunk", lm), part("upper_trunk", lm + lu), part("head", lm + lu + lh)]
    )
    segs.append(
        Segment(
            "torso",
            m,
            lm + lu + lh,
            (0.0, y),
            inertia,
            "pelvis",
            (0.0, L["lower_trunk"]),
            "lumbar",
            1,
        )
    )
    shoulder_y = lm + lu - data["landmarks"]["c7_to_shoulder_m"] * s

    fg = data["foot_geometry"]
    lf = L["foot"]
    ankle_h = fg["ankle_height_fraction_of_stature"] * height
    heel_x = fg["heel_x_fraction"] * lf
    mtp = (fg["mtp_x_fraction"] * lf, -ankle_h + fg["mtp_height_fraction"] * lf)
    toe_x = heel_x + lf
    m_foot = mass * parts["foot"]["mass_fraction"] / frac_sum
    m_toes = m_foot * fg["toes_mass_fraction_of_foot"]
    m_hind = m_foot - m_toes
    foot_com = (heel_x + parts["foot"]["com_fraction"] * lf, -0.5 * ankle_h)  # y: assumption
    l_toes = toe_x - mtp[0]
    toes_com_local = (0.5 * l_toes, -0.5 * (mtp[1] + ankle_h))
    toes_com = (mtp[0] + toes_com_local[0], mtp[1] + toes_com_local[1])
    i_toes = m_toes * (fg["toes_r_gyr"] * l_toes) ** 2
    hind_com = tuple((m_foot * foot_com[k] - m_toes * toes_com[k]) / m_hind for k in range(2))
    i_foot = m_foot * (parts["foot"]["r_gyr"] * lf) ** 2
    d_t = (toes_com[0] - foot_com[0]) ** 2 + (toes_com[1] - foot_com[1]) ** 2
    d_h = (hind_com[0] - foot_com[0]) ** 2 + (hind_com[1] - foot_com[1]) ** 2
    i_hind = i_foot - i_toes - m_toes * d_t - m_hind * d_h
    if i_hind <= 0:
        raise DataError("de_leva_1996.toml: foot split leaves no inertia for the hindfoot")

    points: dict[str, tuple[str, tuple[float, float]]] = {
        "hip": ("pelvis", (0.0, 0.0)),
        "lumbar": ("torso", (0.0, 0.0)),
        "head": ("torso", (0.0, lm + lu + lh)),
    }
    for side in ("r", "l"):
        m, y, inertia = part("thigh", 0.0)
        segs.append(
            Segment(
                f"femur_{side}",
                m,
                L["thigh"],
                (0.0, y),
                inertia,
                "pelvis",
                (0.0, 0.0),
                f"hip_{side}",
                1,
            )
        )
        m, y, inertia = part("shank", 0.0)
        segs.append(
            Segment(
                f"tibia_{side}",
                m,
                L["shank"],
                (0.0, y),
                inertia,
                f"femur_{side}",
                (0.0, -L["thigh"]),
                f"knee_{side}",
                -1,
            )
        )
        segs.append(
            Segment(
                f"foot_{side}",
                m_hind,
                lf,
                (hind_com[0], hind_com[1]),
                i_hind,
                f"tibia_{side}",
                (0.0, -L["shank"]),
                f"ankle_{side}",
                1,
            )
        )
        segs.append(
            Segment(
                f"toes_{side}",
                m_toes,
                l_toes,
                toes_com_local,
                i_toes,
                f"foot_{side}",
                mtp,
                f"mtp_{side}",
                1,
            )
        )
        rh, rb, rt = radii["heel"], radii["ball"], radii["toe"]
        points |= {
            f"hip_{side}": (f"femur_{side}", (0.0, 0.0)),
            f"knee_{side}": (f"tibia_{side}", (0.0, 0.0)),
            f"ankle_{side}": (f"foot_{side}", (0.0, 0.0)),
            f"mtp_{side}": (f"toes_{side}", (0.0, 0.0)),
            f"heel_{side}": (f"foot_{side}", (heel_x + rh, -ankle_h + rh)),
            f"ball_{side}": (f"foot_{side}", (mtp[0], -ankle_h + rb)),
            f"toe_{side}": (f"toes_{side}", (toe_x - mtp[0] - rt, -ankle_h - mtp[1] + rt)),
        }
    for side in ("r", "l"):
        m, y, inertia = part("upper_arm", 0.0)
        segs.append(
            Segment(
                f"humerus_{side}",
                m,
                L["upper_arm"],
                (0.0, y),
                inertia,
                "torso",
                (0.0, shoulder_y),
                f"shoulder_{side}",
                1,
            )
        )
        lfa = L["forearm"]
        m, y, inertia = _composite([part("forearm", 0.0), part("hand", -lfa)])
        segs.append(
            Segment(
                f"forearm_{side}",
                m,
                lfa + L["hand"],
                (0.0, y),
                inertia,
                f"humerus_{side}",
                (0.0, -L["upper_arm"]),
                f"elbow_{side}",
                1,
            )
        )
        points |= {
            f"shoulder_{side}": (f"humerus_{side}", (0.0, 0.0)),
            f"elbow_{side}": (f"forearm_{side}", (0.0, 0.0)),
            f"wrist_{side}": (f"forearm_{side}", (0.0, -lfa)),
        }

    lim_data = _load("falisse_2019_joint_limits.toml")
    limits = {
        name: JointLimit(tuple(j["k"]), j["lower"], j["upper"], j["source_sign"], j["source"])
        for name, j in lim_data["joints"].items()
    }
    return Skeleton(mass, height, tuple(segs), points, limits, lim_data["damping"], radii)
