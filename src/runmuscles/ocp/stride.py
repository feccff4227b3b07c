"""From a half-stride :class:`~runmuscles.ocp.solution.Solution` to a full-stride
:class:`~runmuscles.cycle.GaitCycle`.

* The second half of the stride is the first with left and right swapped (the problem imposes
  that symmetry) and the forward position advanced by the half-stride distance.
* The arms and the lumbar spine follow the measured motion the problem prescribed; their muscles
  (deltoids, biceps, triceps, abdominals, back extensors) are resolved here by static
  optimisation (:mod:`runmuscles.ocp.static`) of the moments that holding and moving them need,
  the moments the solve computed from the whole-body dynamics.
* Joint contact loads at hip, knee and ankle: the net intersegmental force plus the pull of the
  muscles crossing the joint (:func:`joint_loads`).
* Reserves: per joint, the peak reserve moment as a share of the joint's peak net moment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from runmuscles import __version__
from runmuscles.conventions import PRESCRIBED_DOFS, RESERVE_LIMIT
from runmuscles.cycle import GaitCycle
from runmuscles.cycle.gaitcycle import crouch_note, stance_peak_deg
from runmuscles.model.prescribed import prescribed_motion
from runmuscles.model.runner import Runner
from runmuscles.ocp.node import damping_power, friction_power, mirror_name
from runmuscles.ocp.static import static_optimisation

__all__ = ["cycle_from_solution", "full_stride", "joint_loads", "reserve_shares"]

#: Joint -> the segment along which the muscles crossing it are taken to pull (approximation).
_LOAD_AXIS = {"hip": "femur", "knee": "tibia", "ankle": "tibia"}


def full_stride(solution: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Time (2N+1,) and every solved state and control over the full stride.

    The second half is the first with left and right swapped and ``pelvis_tx`` advanced by the
    half-stride distance.
    """
    t = solution.time
    half = solution.duration
    time = np.concatenate([t, half + t[1:]])
    series: dict[str, np.ndarray] = {}
    named = {**solution.states, **solution.controls}
    for name, values in named.items():
        kind, _, what = name.partition(":")
        twin = named[f"{kind}:{mirror_name(what)}"]
        second = twin[1:].copy()
        if name == "q:pelvis_tx":
            second = second + solution.speed * half
        series[name] = np.concatenate([values, second])
    return time, series


def _mirror_outputs(
    solution: Any, muscles: tuple[str, ...], dofs: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Outputs over the full stride, with per-muscle/DOF/side columns swapped in the second half."""
    out: dict[str, np.ndarray] = {}
    mus_perm = [muscles.index(mirror_name(m)) for m in muscles]
    dof_perm = [dofs.index(mirror_name(d)) for d in dofs]
    for name, arr in solution.outputs.items():
        if name in ("grf_r", "grf_l"):
            twin = solution.outputs["grf_l" if name == "grf_r" else "grf_r"]
            out[name] = np.vstack([arr, twin[1:]])
        elif arr.shape[1] == len(muscles):
            out[name] = np.vstack([arr, arr[1:, mus_perm]])
        elif arr.shape[1] == len(dofs):
            out[name] = np.vstack([arr, arr[1:, dof_perm]])
        else:
            out[name] = np.vstack([arr, arr[1:]])
    return out


def reserve_shares(
    reserve: np.ndarray, reserve_dofs: tuple[str, ...], moment: np.ndarray, dofs: tuple[str, ...]
) -> dict[str, float]:
    """Per joint (hip, knee, ankle, mtp, lumbar, both sides pooled): the peak absolute reserve as
    a share of the joint's peak absolute net moment over the stride."""
    shares: dict[str, float] = {}
    for j, dof in enumerate(reserve_dofs):
        joint = dof.removesuffix("_r").removesuffix("_l")
        peak_m = float(np.max(np.abs(moment[:, dofs.index(dof)])))
        share = float(np.max(np.abs(reserve[:, j]))) / max(peak_m, 1e-9)
        shares[joint] = max(shares.get(joint, 0.0), share)
    return shares


def _arm_muscles(
    runner: Runner,
    time: np.ndarray,
    q: dict[str, np.ndarray],
    qd: dict[str, np.ndarray],
    moments: dict[str, np.ndarray],
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float], list[str]]:
    """Series of the muscles crossing prescribed joints (arms, lumbar) from static optimisation
    of those joints' moments (minus the passive moments)."""
    arm = [m for m in runner.muscles if set(m.dofs) & set(PRESCRIBED_DOFS)]
    q16 = np.array([q[d] for d in runner.dofs])
    qd16 = np.array([qd[d] for d in runner.dofs])
    passive = np.asarray(runner.passive_moments(q16, qd16), dtype=float)
    tau = {d: moments[d] - passive[runner.dof_index[d]] for d in PRESCRIBED_DOFS}
    # reserves cost as much per 0.1 N m as a fully active muscle: the muscles, not the
    # reserves, carry these joints wherever they can
    so = static_optimisation(
        arm,
        {d: q[d] for d in PRESCRIBED_DOFS},
        {d: qd[d] for d in PRESCRIBED_DOFS},
        tau,
        reserve_optimal_moment=0.1,
    )
    out = so.series(arm)
    shares = {d.removesuffix("_r").removesuffix("_l"): 0.0 for d in PRESCRIBED_DOFS}
    for d, frac in so.reserve_peak_fraction().items():
        joint = d.removesuffix("_r").removesuffix("_l")
        shares[joint] = max(shares[joint], float(frac))
    return out, shares, list(so.warnings)


def cycle_from_solution(runner: Runner, solution: Any) -> GaitCycle:
    """A :class:`GaitCycle` of the full stride from a half-stride predictive solution (a
    :class:`~runmuscles.ocp.solution.Solution`; :meth:`Solution.cycle` calls this)."""
    dofs = runner.dofs
    solved_muscles = tuple(m for m in solution.muscles)
    time, series = full_stride(solution)
    outs = _mirror_outputs(solution, solved_muscles, dofs)
    stride = 2.0 * solution.duration
    phi = time / stride
    swing = prescribed_motion(solution.gait)
    arm_q = swing.angles(phi)
    arm_qd = {d: v / stride for d, v in swing.angles(phi, 1).items()}
    arm_qdd = {d: v / stride**2 for d, v in swing.angles(phi, 2).items()}

    def full(kind: str, arm: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {d: arm[d] if d in PRESCRIBED_DOFS else series[f"{kind}:{d}"] for d in dofs}

    q, qd, qdd = full("q", arm_q), full("qd", arm_qd), full("qdd", arm_qdd)
    moments = {d: outs["moment"][:, i] for i, d in enumerate(dofs)}
    grf = {s: {"fx": outs[f"grf_{s}"][:, 0], "fy": outs[f"grf_{s}"][:, 1]} for s in ("r", "l")}
    mus: dict[str, dict[str, np.ndarray]] = {
        m: {
            "excitation": series[f"e:{m}"],
            "activation": series[f"a:{m}"],
            "force": outs["force"][:, i],
            "fibre_length": outs["fiber_length"][:, i],
            "fibre_velocity": outs["fiber_velocity"][:, i],
            "mtu_velocity": outs["mtu_velocity"][:, i],
            "metabolic_rate": outs["metabolic_rate"][:, i],
        }
        for i, m in enumerate(solved_muscles)
    }
    arms, arm_shares, arm_warnings = _arm_muscles(runner, time, q, qd, moments)
    mus.update(arms)
    unresolved = {}
    for m in runner.muscles:
        joints = {d.removesuffix("_r").removesuffix("_l") for d in m.dofs}
        short = [j for j in joints if arm_shares.get(j, 0.0) > RESERVE_LIMIT]
        if m.name in arms and short:
            lacking = {
                "shoulder": "the pectoralis major, coracobrachialis and rotator cuff",
                "lumbar": "the obliques' and multifidus' share of trunk support",
            }
            unresolved[m.name] = (
                f"the {'/'.join(sorted(short))} moment needs a reserve of "
                f"{max(arm_shares[j] for j in short):.0%} of its peak: the model lacks muscles "
                f"there ({'; '.join(lacking.get(j, 'unknown') for j in sorted(short))})"
            )
    order = [m.name for m in runner.muscles]
    mus = {m: mus[m] for m in order}
    reserve_dofs = tuple(solution.meta.get("reserve_max_nm", {}))
    shares = reserve_shares(outs["reserve_moment"], reserve_dofs, outs["moment"], dofs)
    shares.update(arm_shares)
    forces = np.column_stack([mus[m]["force"] for m in order])
    reactions = joint_loads(runner, q, qd, qdd, forces, solution.grade)
    slip = stance_slip(runner, q, qd)
    sliding = contact_sliding(runner, q, qd, time)
    notes = list(arm_warnings)
    if sliding["sliding_braking_share"] > SLIDING_BRAKING_WARN:
        notes.append(
            f"{sliding['sliding_braking_share']:.0%} of the braking impulse comes from feet "
            f"sliding over the ground (up to {sliding['peak_slide_m_s']:.1f} m/s at touchdown), "
            "and the contact dissipates "
            f"{sliding['friction_work_j_per_kg'] + sliding['damping_work_j_per_kg']:.1f} J/kg "
            "per stride (friction and damping): the smooth contact lets a heel skid and stamp, "
            "which brakes at no muscular cost, so the peak braking force and the eccentric "
            "muscle work (downhill above all) are partly the contact model's"
        )
    crouch = crouch_note(stance_peak_deg(q["knee_r"], grf["r"]["fy"]))
    if solution.gait == "run" and crouch:
        notes.append(crouch)
    touched = bounds_touched(q)
    provenance: dict[str, Any] = {
        "model": runner.label,
        "runner": {"mass_kg": runner.mass, "height_m": runner.height},
        "parameter_sources": runner.to_dict().get("sources", []),
        "solver": {**solution.solver_info(), "options": solution.solver_options},
        "reserve_peak_nm": {
            d: float(np.max(np.abs(outs["reserve_moment"][:, i])))
            for i, d in enumerate(reserve_dofs)
        },
        "reserves": shares,
        "stance_slip_m_s": slip,
        "contact_sliding": sliding,
        "bounds_touched": touched,
        "prescribed_motion": swing.to_dict(),
        "prescribed": "arms and lumbar spine from measured motion; their muscles by static "
        "optimisation of the moments holding and moving them need",
        "warnings": notes,
        "runmuscles_version": __version__,
    }
    return GaitCycle.from_arrays(
        time,
        q=q,
        qd=qd,
        qdd=qdd,
        moments=moments,
        grf=grf,
        muscles=mus,
        condition={
            "speed_m_s": solution.speed,
            "grade": solution.grade,
            "mass_kg": runner.mass,
            "height_m": runner.height,
            "gait": solution.gait,
        },
        joint_reactions=reactions,
        provenance=provenance,
        unresolved=unresolved,
    )


#: A contact sphere counts as loaded (for slip) above this share of body weight.
SLIP_LOAD_BW = 0.5
#: A coordinate within this distance (rad; m for the pelvis) of a bound counts as touching it.
BOUND_MARGIN = 0.5 * np.pi / 180.0


def stance_slip(runner: Runner, q: dict[str, np.ndarray], qd: dict[str, np.ndarray]) -> float:
    """Peak fore-aft speed (m/s) of a contact sphere over the belt while it carries more than
    :data:`SLIP_LOAD_BW` body weights: a foot that skates instead of rolling shows here."""
    qa = np.array([q[d] for d in runner.dofs])
    qda = np.array([qd[d] for d in runner.dofs])
    forces = runner.contact_forces(qa, qda)
    vel = runner.skeleton.point_velocities(qa, qda, runner.contact_points)
    peak = 0.0
    for name in runner.contact_points:
        loaded = np.asarray(forces[name][1], float) > SLIP_LOAD_BW * runner.weight
        if loaded.any():
            peak = max(peak, float(np.max(np.abs(np.asarray(vel[name][0], float)[loaded]))))
    return peak


#: A contact sphere bears weight (for touchdown sliding) above this share of body weight.
SLIDE_LOAD_BW = 0.1
#: Above this share of the braking impulse coming from sliding spheres the stride carries a warning
#: (this project's threshold).
SLIDING_BRAKING_WARN = 0.2


def contact_sliding(
    runner: Runner, q: dict[str, np.ndarray], qd: dict[str, np.ndarray], time: np.ndarray
) -> dict[str, float]:
    """How much of the stride's ground contact is sliding rather than rolling.

    ``sliding_braking_share``: share of the braking impulse (time integral of the backward ground
    force) carried by contact spheres moving over the ground faster than the friction law's
    transition velocity (sliding, not the law's creep); ``peak_slide_m_s``: fastest such sphere
    while it carries more than :data:`SLIDE_LOAD_BW` body weights; ``friction_work_j_per_kg``:
    energy the contact friction dissipates per stride (sum of ``-F_t v``, never negative);
    ``damping_work_j_per_kg``: energy the Hunt-Crossley damping of the normal force dissipates
    per stride. A heel that skids or stamps brakes the runner at no muscular cost, so where these
    are large the braking force and the eccentric work at touchdown are partly the contact
    model's."""
    qa = np.array([q[d] for d in runner.dofs])
    qda = np.array([qd[d] for d in runner.dofs])
    forces = runner.contact_forces(qa, qda)
    vel = runner.skeleton.point_velocities(qa, qda, runner.contact_points)
    vt = runner.contact.transition_velocity
    time = np.asarray(time, float)
    brake = slide = peak = 0.0
    for name in runner.contact_points:
        fx = np.asarray(forces[name][0], float)
        fy = np.asarray(forces[name][1], float)
        vx = np.asarray(vel[name][0], float)
        back = np.maximum(-fx, 0.0)
        sliding = np.abs(vx) > vt
        brake += float(np.trapezoid(back, time))
        slide += float(np.trapezoid(np.where(sliding, back, 0.0), time))
        bearing = sliding & (fy > SLIDE_LOAD_BW * runner.weight)
        if bearing.any():
            peak = max(peak, float(np.abs(vx[bearing]).max()))
    return {
        "sliding_braking_share": slide / brake if brake > 0 else 0.0,
        "peak_slide_m_s": peak,
        "friction_work_j_per_kg": float(np.trapezoid(friction_power(runner, qa, qda), time))
        / runner.total_mass,
        "damping_work_j_per_kg": float(np.trapezoid(damping_power(runner, qa, qda), time))
        / runner.total_mass,
    }


def bounds_touched(q: dict[str, np.ndarray]) -> list[str]:
    """The solved coordinates that reach a bound of the problem (within :data:`BOUND_MARGIN`):
    a stride pressed against a bound is shaped by the bound, not by the runner."""
    from runmuscles.ocp.node import Q_BOUNDS

    out = []
    for dof, values in q.items():
        if dof in PRESCRIBED_DOFS or dof == "pelvis_tx":
            continue
        lo, hi = Q_BOUNDS.get(
            dof, Q_BOUNDS.get(dof.removesuffix("_r").removesuffix("_l"), (None, None))
        )
        if lo is None or hi is None:
            continue
        if float(np.min(values)) <= lo + BOUND_MARGIN or float(np.max(values)) >= hi - BOUND_MARGIN:
            out.append(dof)
    return out


def joint_loads(
    runner: Runner,
    q: dict[str, np.ndarray],
    qd: dict[str, np.ndarray],
    qdd: dict[str, np.ndarray],
    forces: np.ndarray,
    grade: float,
) -> dict[str, np.ndarray]:
    """Joint contact force magnitude (N) at hip, knee and ankle per side over the stride.

    The net intersegmental force of the skeleton (contact and inertia included) plus the pull of
    every muscle crossing the joint, taken along the long axis of the segment it runs beside
    (femur for the hip, tibia for knee and ankle): muscles compress joints, so the bone-on-bone
    load is much larger than the net force (the usual static estimate, e.g. Scott & Winter 1990,
    J Biomech 23:541, for the ankle and knee in running; an approximation in a planar model).
    ``forces``: (n, muscles) in the order of ``runner.muscles``.
    """
    dofs = runner.dofs
    qa = np.array([q[d] for d in dofs])
    qda = np.array([qd[d] for d in dofs])
    qdda = np.array([qdd[d] for d in dofs])
    net = runner.joint_reaction_forces(qa, qda, qdda, grade)
    frames = runner.skeleton.segment_frames(qa)
    out: dict[str, np.ndarray] = {}
    for side in ("r", "l"):
        for joint, seg in _LOAD_AXIS.items():
            dof = f"{joint}_{side}"
            angle = np.asarray(frames[f"{seg}_{side}"][2], float)
            # unit vector from the distal end of the segment up its axis
            ux, uy = -np.sin(angle), np.cos(angle)
            pull = np.zeros(qa.shape[1])
            for i, m in enumerate(runner.muscles):
                if dof in m.dofs:
                    pull = pull + forces[:, i]
            fx = np.asarray(net[dof][0], float) - pull * ux
            fy = np.asarray(net[dof][1], float) - pull * uy
            out[dof] = np.hypot(fx, fy)
    return out
