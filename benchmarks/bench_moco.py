"""Side-by-side benchmark: OpenSim Moco predictive running against runmuscles (issue 11, sec. 2).

Both problems are solved in the same run on the same machine, and the table gives the ratio
Moco / runmuscles for solve time and IPOPT iterations (iterations are the machine-independent
figure; times on a shared 2-core machine are noisy). Nothing here asserts a time.

Moco side: Moco's 2D gait model (``../shared/data/moco2d/2D_gait.osim``: 10 DOF, 18 rigid-tendon
DeGroote-Fregly muscles, a lumbar torque actuator, 2 smooth contact spheres per foot) and the
predictive problem of Moco's example2DWalking set up for running: half a stride with left/right
symmetry (``MocoPeriodicityGoal``: every coordinate value and speed except ``pelvis_tx`` paired with
its mirror, pelvis forward speed periodic, muscle activations paired right/left, lumbar control
periodic), ``MocoAverageSpeedGoal`` at the running speed, and ``MocoControlGoal`` (weight 10,
exponent 3) divided by the distance travelled. Solver: ``MocoCasADiSolver`` with Moco's defaults
(Hermite-Simpson collocation, explicit multibody dynamics, finite-difference derivatives, a
limited-memory Hessian, IPOPT + MUMPS, all cores) and the example's tolerances (1e-4 / 1e-4).
The example's walking bounds are widened for running (see ``RUNNING_BOUNDS``; a knee limit of -50
degrees forbids the 90-120 degree swing knee flexion of runners, ../shared/SCIENCE.md section 4).

Initial guess (both sides start cold from a kinematic template, not from a solved stride): for
Moco, the template built here by ``running_template`` - the stance foot's front contact sphere
fixed on the ground while the pelvis moves at the target speed, the heel rising over the ball late
in stance, the swing foot on an arc to the next foot strike, hip, knee and ankle by inverse
kinematics of the model itself (opensim), the body about 5 mm into the contact spheres, 10 %
muscle activation. runmuscles' own cold guess is its kinematic template (``runmuscles.ocp.guess``).

Outcome figures (cadence, peak vertical GRF in body weights, duty factor, peak knee flexion) are
computed by the same function for both solutions, over a full stride (the second half mirrored),
so the two can be compared for realism and not only for speed.

Each side runs in its own process (opensim and casadi cannot share one) and is stopped at
``--timeout`` (default 40 min); Moco is stopped cleanly after its current iteration, so its last
iterate is still reported. A side that stops unconverged has done less than a solve, so the
total-time and iteration ratios are then printed as bounds; the time per iteration is not.
Measured at 3.0 m/s on 2 shared cores (load average 4-6), runmuscles at 0e08dd7: runmuscles
938 iterations, 454 s (0.48 s/iteration); Moco 4.6 stopped at 40 min after 88 iterations,
unconverged (27 s/iteration, 56x runmuscles' per-iteration time; Moco's Jacobian is by finite
differences). Times on that machine are noisy; iteration counts and their ratio are not.

Run:        python benchmarks/bench_moco.py [--speed 3.0] [--max-iter N] [--json out.json]
One side:   --moco-only / --ours-only.        Quick check of the harness: --smoke.
Skips (exit 0, with the reason printed) when opensim or the shared model folder is missing.
Install Moco with the project's extra: pip install -e '.[moco]' (opensim 4.6 on PyPI).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: The environment before any opensim import: ``import opensim`` prepends its own folder to
#: LD_LIBRARY_PATH, which would make a child process load opensim's libcasadi for runmuscles.
_CLEAN_ENV = dict(os.environ)
G = 9.80665  # the model's gravity (m/s^2)
STANCE_N = 20.0  # vertical force above which a foot counts as in contact (as GaitCycle's default)

#: Coordinate bounds of the Moco running problem (degrees, metres for pelvis_tx/ty). Walking
#: example values in brackets where they were widened: pelvis_tilt [-20, -10], hip [-10, 60],
#: knee [-50, 0], ankle [-15, 25], lumbar [0, 20]. Knee and ankle are now the model's own ranges.
RUNNING_BOUNDS: dict[str, tuple[float, float]] = {
    "/jointset/groundPelvis/pelvis_tilt": (-30.0, 0.0),
    "/jointset/groundPelvis/pelvis_ty": (0.70, 1.20),
    "/jointset/hip_l/hip_flexion_l": (-30.0, 90.0),
    "/jointset/hip_r/hip_flexion_r": (-30.0, 90.0),
    "/jointset/knee_l/knee_angle_l": (-120.0, 0.0),
    "/jointset/knee_r/knee_angle_r": (-120.0, 0.0),
    "/jointset/ankle_l/ankle_angle_l": (-40.0, 30.0),
    "/jointset/ankle_r/ankle_angle_r": (-40.0, 30.0),
    "/jointset/lumbar/lumbar": (-10.0, 30.0),
}
#: Half-stride duration bounds (s): 120-240 steps/min.
DURATION_BOUNDS = (0.25, 0.50)
#: After the time limit, how long Moco may take to finish its current iteration and report.
STOP_GRACE_S = 180.0
CONTACT_NAMES = ("contactHeel", "contactFront")  # SmoothSphereHalfSpaceForce, + "_r" / "_l"


# ----------------------------------------------------------------------------------- utilities
def shared_moco_dir() -> Path:
    """``../shared/data/moco2d`` from the project root (also from a worktree one level deeper)."""
    candidate = ROOT.parent / "shared" / "data" / "moco2d"
    for up in ROOT.parents:
        if candidate.is_dir():
            break
        candidate = up / "shared" / "data" / "moco2d"
    return candidate


def skip_reason(need_moco: bool) -> str | None:
    """Why the Moco side cannot run here, or None."""
    if not need_moco:
        return None
    try:
        import opensim
    except ImportError as exc:
        return f"opensim is not installed ({exc}); install it with: pip install opensim"
    if not hasattr(opensim, "MocoStudy"):
        return f"this opensim ({getattr(opensim, '__version__', '?')}) has no Moco (MocoStudy)"
    model = shared_moco_dir() / "2D_gait.osim"
    if not model.is_file():
        return f"Moco's 2D gait model is missing: {model} (the ../shared/data/moco2d folder)"
    return None


def outcome(
    time_s: np.ndarray,
    fy_r: np.ndarray,
    fy_l: np.ndarray,
    knee_flexion_deg: np.ndarray,
    mass_kg: float,
) -> dict[str, float]:
    """Realism figures of one full stride (time from foot strike to the next, both feet's fy in N).

    Contact where a foot's vertical force exceeds ``STANCE_N`` (evaluated on a 2,000-sample linear
    interpolation, so both solvers' grids are judged the same way).
    """
    t = np.asarray(time_s, float)
    stride = float(t[-1] - t[0])
    fine = np.linspace(t[0], t[-1], 2001)
    r = np.interp(fine, t, fy_r) > STANCE_N
    lft = np.interp(fine, t, fy_l) > STANCE_N
    bw = mass_kg * G
    return {
        "stride_time_s": stride,
        "cadence_steps_per_min": 120.0 / stride,
        "peak_vertical_grf_bw": float(np.max(np.asarray(fy_r) + np.asarray(fy_l))) / bw,
        "duty_factor": float(0.5 * (r.mean() + lft.mean())),
        "flight_fraction": float((~r & ~lft).mean()),
        "peak_knee_flexion_deg": float(np.max(knee_flexion_deg)),
    }


# ------------------------------------------------------------------------------ Moco: guess
def _template_timing(speed: float) -> tuple[float, float]:
    """(half-stride s, contact time s) of the template: cadence about 150 + 6 v steps/min (the
    figure runmuscles' template uses; Lieberman 2015 reports about 170 at 3 m/s), duty factor
    0.33 (stance about a third of the stride at running speeds, Gazendam & Hof 2007: 30-37 %).
    Shape only: nothing holds the solution to these numbers."""
    half = 60.0 / (150.0 + 6.0 * speed)
    return half, 0.33 * 2.0 * half


class _LegKinematics:
    """Forward kinematics of the right leg of the opensim model: its front contact sphere."""

    def __init__(self, model_path: Path) -> None:
        import opensim as osim

        self.model = osim.Model(str(model_path))
        self.state = self.model.initSystem()
        cs = self.model.getCoordinateSet()
        self.pelvis = [cs.get(n) for n in ("pelvis_tilt", "pelvis_tx", "pelvis_ty")]
        self.leg = [cs.get(n) for n in ("hip_flexion_r", "knee_angle_r", "ankle_angle_r")]
        sphere = osim.ContactSphere.safeDownCast(self.model.getContactGeometrySet().get("front_r"))
        self.frame = sphere.getFrame()
        self.location = sphere.get_location()
        self.radius = float(sphere.getRadius())

    def front(self, tilt: float, y: float, leg: np.ndarray) -> np.ndarray:
        """(x, y) of the front sphere's centre with the pelvis at x = 0."""
        for c, v in zip(self.pelvis, (tilt, 0.0, y), strict=True):
            c.setValue(self.state, float(v), False)
        for c, v in zip(self.leg, leg, strict=True):
            c.setValue(self.state, float(v), False)
        self.model.realizePosition(self.state)
        p = self.frame.findStationLocationInGround(self.state, self.location)
        return np.array([p.get(0), p.get(1)])


def running_template(
    model_path: Path, speed: float, n: int
) -> tuple[dict[str, np.ndarray], float, float]:
    """A running half stride (kinematic template) at ``n`` evenly spaced times.

    The right foot strikes at t = 0. Its front contact sphere stays on the ground through stance
    (the foot flat, then the heel rising over it by up to 35 degrees), then follows an arc to the
    next foot strike while the ankle returns to its strike angle; hip, knee and ankle come from
    inverse kinematics of the model. The left leg is the right one half a stride later, so the
    template is symmetric. Returns ``({state path: values}, duration s, worst IK miss m)``.
    """
    from scipy.optimize import brentq, least_squares

    half, tc = _template_timing(speed)
    stride = 2.0 * half
    kin = _LegKinematics(model_path)
    ground_y = kin.radius - 0.005  # about body weight on the model's soft contact spheres
    tilt = -math.radians(12.0)
    lift = 0.08 + 0.04 * speed
    rise = math.radians(35.0)
    lo = np.radians([-30.0, -120.0, -40.0])
    hi = np.radians([90.0, 0.0, 30.0])
    # front sphere at strike, relative to the pelvis origin: the sphere passes under the pelvis
    # 40 % into stance (the hip sits about 7 cm behind the pelvis origin, the ankle about 13 cm
    # behind the sphere, so the ankle passes under the hip at about the same time)
    d_fs = 0.40 * speed * tc
    amp = 0.015

    def pelvis_y(t: float, y_mid: float) -> float:
        return y_mid + amp * (1.0 - math.cos(2.0 * math.pi * (t - 0.40 * tc) / half))

    def ik(y: float, x: float, yy: float, angle: float, foot: bool, start: np.ndarray) -> Any:
        def resid(v: np.ndarray) -> np.ndarray:
            p = kin.front(tilt, y, v)
            a = (tilt + v.sum()) if foot else v[2]
            return np.array([p[0] - x, p[1] - yy, 0.3 * (a - angle)])

        return least_squares(
            resid, np.clip(start, lo + 1e-6, hi - 1e-6), bounds=(lo, hi), xtol=1e-10, ftol=1e-12
        )

    def stance(tp: float, y_mid: float, start: np.ndarray) -> Any:
        s = tp / tc
        angle = -rise * max(0.0, (s - 0.45) / 0.55) ** 2
        return ik(pelvis_y(tp, y_mid), d_fs - speed * tp, ground_y, angle, True, start)

    bent = np.radians([20.0, -40.0, 15.0])
    y_mid = brentq(
        lambda y: float(stance(0.40 * tc, y, bent).x[1] + math.radians(45.0)),
        0.70,
        0.95,
        xtol=1e-4,
    )  # the knee flexed 45 degrees at midstance
    strike = stance(0.0, y_mid, bent).x
    toe_off = stance(tc, y_mid, bent).x
    phases = np.linspace(0.0, stride, 2 * n - 1)
    q = np.zeros((phases.size, 3))
    miss = 0.0
    start = strike
    for i, tp in enumerate(phases):
        if tp <= tc:
            res = stance(tp, y_mid, start)
        else:
            s = (tp - tc) / (stride - tc)
            smooth = s * s * (3.0 - 2.0 * s)
            x = d_fs - speed * tp + smooth * speed * stride
            yy = ground_y + lift * math.sin(math.pi * s) ** 0.7
            ankle = toe_off[2] + (strike[2] - toe_off[2]) * smooth
            # start on the flexed-knee branch (from a straight knee the solver stalls at its bound)
            bent_start = np.array([start[0], min(start[1], -math.radians(60.0)), start[2]])
            res = ik(pelvis_y(tp, y_mid), x, yy, ankle, False, bent_start)
        q[i] = start = res.x
        miss = max(miss, float(np.hypot(res.fun[0], res.fun[1])))
    t = phases[:n]
    joints = ("hip", "knee", "ankle")
    coords = ("hip_flexion", "knee_angle", "ankle_angle")
    values: dict[str, np.ndarray] = {
        "/jointset/groundPelvis/pelvis_tilt": np.full(n, tilt),
        "/jointset/groundPelvis/pelvis_tx": speed * t,
        "/jointset/groundPelvis/pelvis_ty": np.array([pelvis_y(x, y_mid) for x in t]),
        "/jointset/lumbar/lumbar": np.full(n, math.radians(5.0)),
    }
    for j, (joint, coord) in enumerate(zip(joints, coords, strict=True)):
        values[f"/jointset/{joint}_r/{coord}_r"] = q[:n, j]
        values[f"/jointset/{joint}_l/{coord}_l"] = q[n - 1 :, j]
    states: dict[str, np.ndarray] = {}
    for path, v in values.items():
        states[f"{path}/value"] = v
        states[f"{path}/speed"] = np.gradient(v, t)
    return states, half, miss


# ---------------------------------------------------------------------------- Moco: problem
def moco_study(
    model_path: Path,
    speed: float,
    n_mesh: int,
    max_iter: int,
    verbose: bool,
    sparsity: str = "none",
) -> tuple[Any, Any, Any]:
    """(study, solver, processed model) of the predictive running half stride."""
    import opensim as osim

    study = osim.MocoStudy()
    study.setName("predictive_running")
    problem = study.updProblem()
    processor = osim.ModelProcessor(str(model_path))
    problem.setModelProcessor(processor)
    model = processor.process()
    model.initSystem()

    sym = osim.MocoPeriodicityGoal("symmetry")
    problem.addGoal(sym)
    for coord in model.getComponentsList():
        if coord.getConcreteClassName() != "Coordinate":
            continue
        name = coord.getName()
        path = coord.getAbsolutePathString()
        for var in ("value", "speed"):
            sv = f"{path}/{var}"
            if name.endswith("_r"):
                sym.addStatePair(osim.MocoPeriodicityGoalPair(sv, sv.replace("_r/", "_l/")))
            elif name.endswith("_l"):
                sym.addStatePair(osim.MocoPeriodicityGoalPair(sv, sv.replace("_l/", "_r/")))
            elif not name.endswith("_tx"):
                sym.addStatePair(osim.MocoPeriodicityGoalPair(sv))
    sym.addStatePair(osim.MocoPeriodicityGoalPair("/jointset/groundPelvis/pelvis_tx/speed"))
    for comp in model.getComponentsList():
        if not comp.getConcreteClassName().endswith("Muscle"):
            continue
        act = f"{comp.getAbsolutePathString()}/activation"
        if comp.getName().endswith("_r"):
            sym.addStatePair(osim.MocoPeriodicityGoalPair(act, act[:-13] + "_l/activation"))
        elif comp.getName().endswith("_l"):
            sym.addStatePair(osim.MocoPeriodicityGoalPair(act, act[:-13] + "_r/activation"))
    sym.addControlPair(osim.MocoPeriodicityGoalPair("/lumbarAct"))

    speed_goal = osim.MocoAverageSpeedGoal("speed")
    speed_goal.set_desired_average_speed(speed)
    problem.addGoal(speed_goal)
    effort = osim.MocoControlGoal("effort", 10.0)
    effort.setExponent(3)
    effort.setDivideByDisplacement(True)
    problem.addGoal(effort)

    problem.setTimeBounds(osim.MocoInitialBounds(0.0), osim.MocoFinalBounds(*DURATION_BOUNDS))
    for path, (lo, hi) in RUNNING_BOUNDS.items():
        scale = 1.0 if path.endswith("pelvis_ty") else math.pi / 180.0
        problem.setStateInfo(f"{path}/value", [lo * scale, hi * scale])
    problem.setStateInfo("/jointset/groundPelvis/pelvis_tx/value", [0.0, 3.0])

    solver = study.initCasADiSolver()
    solver.set_num_mesh_intervals(n_mesh)
    solver.set_optim_solver("ipopt")
    solver.set_optim_convergence_tolerance(1e-4)
    solver.set_optim_constraint_tolerance(1e-4)
    solver.set_optim_max_iterations(max_iter)
    solver.set_optim_sparsity_detection(sparsity)
    solver.set_verbosity(2 if verbose else 0)
    if not verbose:
        solver.set_optim_ipopt_print_level(1)
    return study, solver, model


def moco_guess(solver: Any, model_path: Path, speed: float) -> tuple[float, float]:
    """Put the running template (coordinates, speeds, 10 % activation) in as the solver's guess;
    returns (the template's half-stride duration s, its worst inverse-kinematics miss m)."""
    import opensim as osim

    guess = solver.createGuess("bounds")
    n = guess.getNumTimes()
    states, half, miss = running_template(model_path, speed, n)
    guess.setTime(osim.Vector.createFromMat(np.linspace(0.0, half, n)))
    for name in list(guess.getStateNames()):
        if name in states:
            guess.setState(name, osim.Vector.createFromMat(states[name]))
        elif name.endswith("/activation"):
            guess.setState(name, osim.Vector(n, 0.1))
    for name in list(guess.getControlNames()):
        guess.setControl(name, osim.Vector(n, 0.0 if "lumbar" in name else 0.1))
    solver.setGuess(guess)
    return half, miss


def _table_column(table: Any, label: str) -> np.ndarray:
    col = table.getDependentColumn(label)
    return np.array([col[i] for i in range(table.getNumRows())])


def solve_moco(
    speed: float, n_mesh: int, max_iter: int, verbose: bool = False, sparsity: str = "none"
) -> dict[str, Any]:
    """Solve Moco's predictive running problem; return the benchmark row."""
    import opensim as osim

    osim.Logger.setLevelString("info" if verbose else "error")
    osim.Logger.removeFileSink()  # no opensim.log left behind
    model_path = shared_moco_dir() / "2D_gait.osim"
    t0 = time.perf_counter()
    study, solver, model = moco_study(model_path, speed, n_mesh, max_iter, verbose, sparsity)
    half_guess, miss = moco_guess(solver, model_path, speed)
    t_setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    sol = study.solve()
    t_solve = time.perf_counter() - t1
    success = bool(sol.success())
    if sol.isSealed():
        sol.unseal()
    row: dict[str, Any] = {
        "solver": f"OpenSim Moco {osim.__version__}",
        "status": str(sol.getStatus()),
        "success": success,
        "iterations": int(sol.getNumIterations()),
        "solve_s": t_solve,
        "solver_reported_s": float(sol.getSolverDuration()),
        "setup_s": t_setup,
        "objective": float(sol.getObjective()),
        "settings": {
            "model": str(model_path),
            "speed_m_s": speed,
            "mesh_intervals": n_mesh,
            "transcription": "hermite-simpson (Moco default)",
            "dynamics": "explicit (Moco default)",
            "derivatives": "finite differences, central (Moco default)",
            "sparsity_detection": sparsity + (" (Moco default)" if sparsity == "none" else ""),
            "hessian": "limited-memory (Moco default)",
            "parallel": os.environ.get("OPENSIM_MOCO_PARALLEL", "default (all cores)"),
            "tolerances": "convergence 1e-4, constraint 1e-4 (example2DWalking)",
            "max_iter": max_iter,
            "half_stride_bounds_s": list(DURATION_BOUNDS),
            "coordinate_bounds": {k: list(v) for k, v in RUNNING_BOUNDS.items()},
            "goals": "periodicity (L/R symmetric), average speed, control effort^3 / distance x10",
            "guess": (
                f"kinematic running template (half stride {half_guess:.3f} s, "
                f"inverse kinematics within {1000 * miss:.1f} mm)"
            ),
        },
    }
    try:
        row.update(_moco_outcome(osim, model, sol))
    except Exception as exc:  # a failed solve can still lack usable trajectories
        row["outcome_error"] = f"{type(exc).__name__}: {exc}"
    return row


def _moco_outcome(osim: Any, model: Any, sol: Any) -> dict[str, Any]:
    """Outcome figures of the Moco half stride, mirrored to a full stride."""
    paths = {
        c.getName(): c.getAbsolutePathString()
        for c in model.getComponentsList()
        if c.getConcreteClassName() == "SmoothSphereHalfSpaceForce"
    }
    right = osim.StdVectorString()
    left = osim.StdVectorString()
    for name in CONTACT_NAMES:
        right.append(paths[f"{name}_r"])
        left.append(paths[f"{name}_l"])
    model.initSystem()
    grf = osim.createExternalLoadsTableForGait(model, sol, right, left)
    labels = list(grf.getColumnLabels())
    fy = {}
    for side in ("r", "l"):
        label = next(lb for lb in labels if lb.endswith(f"_{side}_vy"))
        fy[side] = _table_column(grf, label)
    t = np.array([sol.getTime()[i] for i in range(sol.getNumTimes())])
    knee = {
        s: -np.degrees(np.array(sol.getStateMat(f"/jointset/knee_{s}/knee_angle_{s}/value")))
        for s in ("r", "l")
    }
    half = float(t[-1] - t[0])
    full_t = np.concatenate([t, half + t[1:]])
    fy_r = np.concatenate([fy["r"], fy["l"][1:]])
    fy_l = np.concatenate([fy["l"], fy["r"][1:]])
    knee_flex = np.concatenate([knee["r"], knee["l"][1:]])
    figures = outcome(full_t, fy_r, fy_l, knee_flex, float(model.getTotalMass(model.initSystem())))
    lo, hi = DURATION_BOUNDS
    figures["duration_at_bound"] = bool(min(half - lo, hi - half) < 1e-3)
    return figures


# ---------------------------------------------------------------------------- runmuscles side
def _predict_fn() -> Callable[..., Any]:
    """``rm.predict`` when the package exports it, else ``runmuscles.predict.predict``."""
    import runmuscles

    fn = getattr(runmuscles, "predict", None)
    if callable(fn):
        return fn
    from runmuscles.predict import predict

    return predict


def solve_ours(
    speed: float, max_iter: int | None, n_intervals: int | None = None
) -> dict[str, Any]:
    """Cold runmuscles solve at ``speed``, level; return the benchmark row."""
    import runmuscles
    from runmuscles.errors import ConvergenceError

    predict = _predict_fn()
    kwargs: dict[str, Any] = {}
    if max_iter is not None:
        try:
            from runmuscles.ocp.solve import SolverOptions

            fields = {f.name for f in dataclasses.fields(SolverOptions)}
            limits = {"max_iter": max_iter}
            if "quasi_newton_iter" in fields:  # the limited-memory phase counts too
                limits["quasi_newton_iter"] = min(max_iter, SolverOptions().quasi_newton_iter)
            kwargs["options"] = SolverOptions(**limits)
        except (ImportError, TypeError):
            print("note: runmuscles' SolverOptions changed; --max-iter ignored on its side")
    if n_intervals is not None:
        kwargs["n_intervals"] = n_intervals
    seen = {"iterations": 0}

    def progress(it: int, obj: float) -> None:
        seen["iterations"] = max(seen["iterations"], int(it))
        print(f"runmuscles iteration {it} objective {obj:.6g}", flush=True)

    params = inspect.signature(predict).parameters
    kwargs["progress"] = progress
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        dropped = sorted(k for k in kwargs if k not in params)
        for k in dropped:  # the engine's front door changed; keep to what it accepts
            del kwargs[k]
        if set(dropped) - {"progress"}:
            print(f"note: runmuscles' predict takes no {', '.join(dropped)}; ignored")
    row: dict[str, Any] = {"solver": f"runmuscles {runmuscles.__version__}"}
    t0 = time.perf_counter()
    try:
        cycle = predict(None, speed, 0.0, **kwargs)
    except ConvergenceError as exc:
        elapsed = time.perf_counter() - t0
        said = re.search(r"after (\d+) iterations", str(exc))
        row.update(
            status=exc.status or "ConvergenceError",
            success=False,
            iterations=int(said.group(1)) if said else seen["iterations"],
            solve_s=elapsed,
            total_s=elapsed,
            note=f"solve_s includes building the problem (no solver report on failure): {exc}",
        )
        return row
    elapsed = time.perf_counter() - t0
    info = dict(cycle.provenance.get("solver", {}))
    row.update(
        status=str(info.get("status", "?")),
        success=True,
        iterations=int(info.get("iterations", seen["iterations"])),
        solve_s=float(info.get("wall_time_s", elapsed)),
        total_s=elapsed,
        objective=info.get("objective"),
        settings={
            "speed_m_s": speed,
            "grade": 0.0,
            "guess": "cold (runmuscles kinematic template)",
            "options": info.get("options"),
            "nlp_variables": info.get("nlp_variables"),
        },
    )
    knee = np.degrees(np.asarray(cycle.ds["q"].sel(dof="knee_r").values, float))
    fy = {
        s: np.asarray(cycle.ds["grf"].sel(side=s, component="fy").values, float) for s in ("r", "l")
    }
    row.update(outcome(np.asarray(cycle.time, float), fy["r"], fy["l"], knee, cycle.mass))
    return row


# ----------------------------------------------------------------------------------- report
def _fmt(v: Any, spec: str) -> str:
    """``v`` formatted by ``spec`` ("7.2f"), or a dash of the same width when missing."""
    return "-".rjust(int(spec.split(".")[0])) if v is None else format(v, spec)


def print_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Print the comparison table; return the Moco / runmuscles ratios (when both ran).

    ``solve s`` is the solver's wall time (runmuscles: its reported solve time; Moco: the time in
    ``MocoStudy.solve``); ``cpu s`` is the CPU time of the whole child process (build, guess,
    solve, outcome), which a busy shared machine disturbs less than wall time.
    """
    head = (
        f"{'solver':18s} {'status':28s} {'iter':>5s} {'solve s':>8s} {'cpu s':>7s} "
        f"{'s/iter':>7s} {'cadence':>7s} {'vGRF BW':>7s} {'duty':>5s} {'knee':>5s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        it = r.get("iterations") or 0
        per = r["solve_s"] / it if it else None
        print(
            f"{r['solver'][:18]:18s} {r['status'][:28]:28s} {it:5d} {r['solve_s']:8.1f} "
            f"{_fmt(r.get('cpu_s'), '7.0f')} {_fmt(per, '7.2f')} "
            f"{_fmt(r.get('cadence_steps_per_min'), '7.0f')} "
            f"{_fmt(r.get('peak_vertical_grf_bw'), '7.2f')} {_fmt(r.get('duty_factor'), '5.2f')} "
            f"{_fmt(r.get('peak_knee_flexion_deg'), '5.0f')}"
        )
    print(
        "cadence: steps/min; vGRF: peak vertical ground force, body weights; duty: contact time /"
        " stride time; knee: peak knee flexion, degrees"
    )
    ratios: dict[str, Any] = {}
    moco = next((r for r in rows if r["solver"].startswith("OpenSim")), None)
    ours = next((r for r in rows if r["solver"].startswith("runmuscles")), None)
    if moco and ours and ours["solve_s"] > 0 and ours.get("iterations") and moco.get("iterations"):
        ratios = {
            "solve_time": moco["solve_s"] / ours["solve_s"],
            "iterations": moco["iterations"] / ours["iterations"],
            "time_per_iteration": (moco["solve_s"] / moco["iterations"])
            / (ours["solve_s"] / ours["iterations"]),
        }
        if moco.get("cpu_s") and ours.get("cpu_s"):
            ratios["cpu_time"] = moco["cpu_s"] / ours["cpu_s"]
        # a side that stopped unconverged has done less than a solve: its totals are bounds
        kind = {
            (True, True): "measured",
            (False, True): "lower bound (Moco stopped unconverged)",
            (True, False): "upper bound (runmuscles stopped unconverged)",
            (False, False): "neither side converged",
        }[(bool(moco.get("success")), bool(ours.get("success")))]
        ratios["totals"] = kind
        sign = {"measured": "", "lower": ">= ", "upper": "<= "}.get(kind.split()[0], "~")
        print(
            f"Moco / runmuscles, same run: solve time {sign}{ratios['solve_time']:.2f}x, "
            f"iterations {sign}{ratios['iterations']:.2f}x"
            + (f", process CPU {sign}{ratios['cpu_time']:.2f}x" if "cpu_time" in ratios else "")
            + f"; time per iteration {ratios['time_per_iteration']:.1f}x"
        )
        if kind != "measured":
            print(f"note: the totals ratios are a {kind}" if "bound" in kind else f"note: {kind}")
    for r in rows:
        if not r.get("success"):
            what = (
                "its figures describe the last iterate, not a solution"
                if "cadence_steps_per_min" in r
                else "no figures"
            )
            print(f"note: {r['solver']} did not converge ({r['status']}): {what}")
        if r.get("duration_at_bound"):
            lo, hi = DURATION_BOUNDS
            print(f"note: {r['solver']}: the half-stride time sits on its bound ({lo}-{hi} s)")
    return ratios


# ------------------------------------------------------------------------------ orchestration
#: An IPOPT iteration line ("  12  3.4e+00 ...", "12r ...") or runmuscles' progress line.
_ITER_LINE = re.compile(r"^\s*(\d+)r?\s+-?\d\.\d+e[+-]\d+\s|^runmuscles iteration (\d+)\b")


def _cpu_since(before: Any) -> float:
    """CPU seconds (user + system) used by child processes reaped since ``before``."""
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (now.ru_utime - before.ru_utime) + (now.ru_stime - before.ru_stime)


def run_side(side: str, args: argparse.Namespace, timeout_s: float | None) -> dict[str, Any]:
    """Solve one side in its own Python process; return its row.

    Each side runs alone: opensim and the casadi package bundle different builds of the same
    libcasadi.so.3.7, so the two cannot be imported into one process (either order fails with an
    undefined symbol). The child's output is echoed with --verbose, and its last iteration number
    is kept, so a run stopped at ``timeout_s`` still reports how far it got.
    """
    label = "OpenSim Moco" if side == "moco" else "runmuscles"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.json"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            side,
            "--worker-out",
            str(out),
            "--speed",
            str(args.speed),
            "--mesh",
            str(args.mesh),
        ]
        if args.max_iter is not None:
            cmd += ["--max-iter", str(args.max_iter)]
        if args.smoke:
            cmd.append("--smoke")
        cmd += ["--moco-sparsity", args.moco_sparsity]
        last = {"iteration": 0}
        tail: list[str] = []

        def pump(stream: Any) -> None:
            for line in stream:
                if args.verbose:
                    print(line, end="", flush=True)
                tail.append(line)
                del tail[:-40]
                m = _ITER_LINE.match(line)
                if m:
                    last["iteration"] = int(m.group(1) or m.group(2))

        t0 = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            cwd=tmp,  # Moco writes a stop-file (and opensim a log) in its folder
            env=_CLEAN_ENV,
        )
        reader = threading.Thread(target=pump, args=(proc.stdout,), daemon=True)
        reader.start()
        stopped = False
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            # Moco stops cleanly, after the current iteration, when its stop-file is deleted;
            # then the last iterate (and its figures) still comes back
            stop_files = list(Path(tmp).glob("delete_this_to_stop_optimization*"))
            for f in stop_files:
                f.unlink()
            stopped = True
            try:
                rc = proc.wait(timeout=STOP_GRACE_S if stop_files else 0.1)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                reader.join(timeout=10)
                return {
                    "cpu_s": _cpu_since(cpu0),
                    "solver": label,
                    "status": f"time limit ({timeout_s:.0f} s)",
                    "success": False,
                    "iterations": last["iteration"],
                    "solve_s": time.perf_counter() - t0,
                    "timed_out": True,
                }
        reader.join(timeout=10)
        elapsed = time.perf_counter() - t0
        cpu = _cpu_since(cpu0)
        if rc == 0 and out.is_file():
            row: dict[str, Any] = json.loads(out.read_text())
            row["process_s"] = elapsed
            row["cpu_s"] = cpu
            if stopped:
                row["timed_out"] = True
                row["solver_status"] = row["status"]
                row["status"] = f"time limit ({timeout_s:.0f} s)"
            return row
        return {
            "cpu_s": cpu,
            "solver": label,
            "status": f"process failed (exit {rc})",
            "success": False,
            "iterations": last["iteration"],
            "solve_s": elapsed,
            "log_tail": "".join(tail[-15:]),
        }


def worker(args: argparse.Namespace) -> int:
    """Child process: solve one side, write its row as JSON."""
    mesh, max_iter, ours_intervals = args.mesh, args.max_iter, None
    if args.smoke:
        mesh, max_iter, ours_intervals = 5, 3, 10
    if args.worker == "moco":
        row = solve_moco(args.speed, mesh, max_iter or 1000, True, args.moco_sparsity)
    else:
        row = solve_ours(args.speed, max_iter, ours_intervals)
    Path(args.worker_out).write_text(json.dumps(row, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--speed", type=float, default=3.0, help="running speed, m/s (default 3.0)")
    ap.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="IPOPT iteration limit for both (default: Moco 1000, runmuscles its own)",
    )
    ap.add_argument("--mesh", type=int, default=50, help="Moco mesh intervals (default 50)")
    ap.add_argument(
        "--moco-sparsity",
        choices=("none", "random", "initial-guess"),
        default="none",
        help="Moco's optim_sparsity_detection (default none = Moco's default: dense blocks)",
    )
    ap.add_argument("--moco-only", action="store_true", help="solve only the Moco problem")
    ap.add_argument("--ours-only", action="store_true", help="solve only the runmuscles stride")
    ap.add_argument(
        "--timeout",
        type=float,
        default=2400.0,
        help="stop either side after this many seconds (default 2400 = 40 min)",
    )
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="check the harness: 5 Moco mesh intervals, 3 iterations each side",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the rows to this file")
    ap.add_argument("--verbose", action="store_true", help="show the solvers' iteration logs")
    ap.add_argument("--worker", choices=("moco", "ours"), help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.moco_only and args.ours_only:
        ap.error("--moco-only and --ours-only exclude each other")
    if not (0.5 <= args.speed <= 8.0):
        ap.error(f"--speed {args.speed} m/s is not a running speed; use 0.5-8.0")
    if args.max_iter is not None and args.max_iter < 1:
        ap.error("--max-iter must be at least 1")
    if not (5 <= args.mesh <= 400):
        ap.error(f"--mesh {args.mesh}: use 5-400 mesh intervals")
    if args.timeout <= 0:
        ap.error("--timeout must be positive (seconds)")
    if args.json is not None and not args.json.parent.is_dir():
        ap.error(f"--json: folder {args.json.parent} does not exist")

    reason = skip_reason(not args.ours_only)
    if reason:
        print(f"SKIP Moco benchmark: {reason}")
        return 0
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{'/'.join(f'{x:.1f}' for x in load) if load else '?'}; python {platform.python_version()}"
    )
    mesh = 5 if args.smoke else args.mesh
    rows: list[dict[str, Any]] = []
    if not args.moco_only:
        print(f"runmuscles: cold predictive stride at {args.speed} m/s, level ...", flush=True)
        rows.append(run_side("ours", args, args.timeout))
    if not args.ours_only:
        print(
            f"Moco: predictive running half stride at {args.speed} m/s, {mesh} mesh intervals ...",
            flush=True,
        )
        rows.append(run_side("moco", args, args.timeout))
    print()
    ratios = print_table(rows)
    if args.json is not None:
        out = {
            "speed_m_s": args.speed,
            "smoke": args.smoke,
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_start": load,
                "load_average_end": os.getloadavg() if hasattr(os, "getloadavg") else None,
                "python": platform.python_version(),
            },
            "rows": rows,
            "ratios_moco_over_runmuscles": ratios,
        }
        args.json.write_text(json.dumps(out, indent=2, default=str))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
