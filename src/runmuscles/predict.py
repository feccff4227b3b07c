"""Predict a running stride: ``rm.predict(runner, speed=3.5, grade=0.05) -> GaitCycle``.

Builds the editable problem (:func:`runmuscles.ocp.problem.predictive`), solves it by direct
collocation, and turns the half-stride solution into a full stride (the second half is the mirror
image of the first, left and right swapped) as a :class:`~runmuscles.cycle.GaitCycle`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from runmuscles import __version__
from runmuscles.cycle import GaitCycle
from runmuscles.model.runner import Runner
from runmuscles.ocp.node import mirror_name
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solution import Solution
from runmuscles.ocp.solve import SolverOptions, solve

__all__ = ["cycle_from_solution", "full_stride", "predict"]


def predict(
    runner: Runner | None = None,
    speed: float = 3.5,
    grade: float = 0.0,
    *,
    guess: Solution | None = None,
    options: SolverOptions | None = None,
    progress: Callable[[int, float], None] | None = None,
    **problem_fields: Any,
) -> GaitCycle:
    """Predict one running stride of ``runner`` at ``speed`` (m/s) on ``grade`` (rise/run).

    Raises :class:`~runmuscles.errors.ConvergenceError` when the solve fails.
    """
    runner = runner or Runner()
    problem = predictive(runner, speed, grade, guess=guess, **problem_fields)
    solution = solve(problem, options, progress)
    return cycle_from_solution(runner, solution)


def full_stride(solution: Solution) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Time (2N+1,) and every named series over the full stride from the half-stride solution.

    Names: states and controls as in the solution, outputs as ``"out:NAME:i"``. The second half is
    the first with left and right swapped and ``pelvis_tx`` advanced by the half-stride distance.
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
    solution: Solution, muscles: tuple[str, ...], dofs: tuple[str, ...]
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


def cycle_from_solution(runner: Runner, solution: Solution) -> GaitCycle:
    """A :class:`GaitCycle` of the full stride from a half-stride predictive solution."""
    dofs = runner.dofs
    muscles = tuple(m.name for m in runner.muscles)
    time, series = full_stride(solution)
    outs = _mirror_outputs(solution, muscles, dofs)
    q = {d: series[f"q:{d}"] for d in dofs}
    qd = {d: series[f"qd:{d}"] for d in dofs}
    qdd = {d: series[f"qdd:{d}"] for d in dofs}
    moments = {d: outs["moment"][:, i] for i, d in enumerate(dofs)}
    grf = {s: {"fx": outs[f"grf_{s}"][:, 0], "fy": outs[f"grf_{s}"][:, 1]} for s in ("r", "l")}
    mus = {
        m: {
            "excitation": series[f"e:{m}"],
            "activation": series[f"a:{m}"],
            "force": outs["force"][:, i],
            "fibre_length": outs["fiber_length"][:, i],
            "fibre_velocity": outs["fiber_velocity"][:, i],
            "mtu_velocity": outs["mtu_velocity"][:, i],
            "metabolic_rate": outs["metabolic_rate"][:, i],
        }
        for i, m in enumerate(muscles)
    }
    reactions = joint_loads(runner, time, series, outs, solution.grade)
    provenance = {
        "model": "runmuscles 2D runner (16 DOF, 34 Hill-type muscles)",
        "runner": {"mass_kg": runner.mass, "height_m": runner.height},
        "parameter_sources": runner.to_dict().get("sources", []),
        "solver": {**solution.solver_info(), "options": solution.solver_options},
        "reserve_peak_nm": {
            d: float(np.max(np.abs(outs["reserve_moment"][:, i])))
            for i, d in enumerate(solution.meta.get("reserve_max_nm", {}))
        },
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
        },
        joint_reactions=reactions,
        provenance=provenance,
    )


#: Joint -> the segment along which the muscles crossing it are taken to pull (approximation).
_LOAD_AXIS = {"hip": "femur", "knee": "tibia", "ankle": "tibia"}


def joint_loads(
    runner: Runner,
    time: np.ndarray,
    series: dict[str, np.ndarray],
    outs: dict[str, np.ndarray],
    grade: float,
) -> dict[str, np.ndarray]:
    """Joint contact force magnitude (N) at hip, knee and ankle per side over the stride.

    The net intersegmental force of the skeleton (contact and inertia included) plus the pull of
    every muscle crossing the joint, taken along the long axis of the segment it runs beside
    (femur for the hip, tibia for knee and ankle): muscles compress joints, so the bone-on-bone
    load is much larger than the net force (the usual static estimate, e.g. Scott & Winter 1990,
    J Biomech 23:541, for the ankle and knee in running; an approximation in a planar model).
    """
    dofs = runner.dofs
    q = np.array([series[f"q:{d}"] for d in dofs])
    qd = np.array([series[f"qd:{d}"] for d in dofs])
    qdd = np.array([series[f"qdd:{d}"] for d in dofs])
    net = runner.joint_reaction_forces(q, qd, qdd, grade)
    frames = runner.skeleton.segment_frames(q)
    forces = outs["force"]
    out: dict[str, np.ndarray] = {}
    for side in ("r", "l"):
        for joint, seg in _LOAD_AXIS.items():
            dof = f"{joint}_{side}"
            angle = np.asarray(frames[f"{seg}_{side}"][2], float)
            # unit vector from the distal end of the segment up its axis
            ux, uy = -np.sin(angle), np.cos(angle)
            pull = np.zeros(len(time))
            for i, m in enumerate(runner.muscles):
                if dof in m.dofs:
                    pull = pull + forces[:, i]
            fx = np.asarray(net[dof][0], float) - pull * ux
            fy = np.asarray(net[dof][1], float) - pull * uy
            out[dof] = np.hypot(fx, fy)
    return out
