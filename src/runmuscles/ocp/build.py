"""From a :class:`Problem` to a :class:`Solution`: build (cached), guess, solve, unpack.

Building the NLP of the full runner takes seconds, so transcriptions are cached per runner
(:meth:`Runner.fingerprint`: every parameter of body, contact and muscles, so a changed runner is
solved as changed), gait, goals and mesh; the condition (speed, grade) is an NLP parameter, so warm
starts across conditions reuse the same NLP.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import casadi as ca
import numpy as np

from runmuscles.errors import InputError
from runmuscles.model.prescribed import prescribed_motion
from runmuscles.ocp.continuation import predict_start, sensitivity
from runmuscles.ocp.guess import measured_guess, template_guess
from runmuscles.ocp.node import COST_TERMS, NodeLayout, build_node_model
from runmuscles.ocp.problem import Problem, WarmStart, bound_window
from runmuscles.ocp.solution import Solution
from runmuscles.ocp.solve import SolveResult, SolverOptions, solve_nlp
from runmuscles.ocp.transcription import Transcription, cost_weights, transcribe

__all__ = ["COLD_GUESSES", "get_transcription", "solve", "unpack_solution"]


_CACHE: OrderedDict[tuple[Any, ...], tuple[Transcription, NodeLayout]] = OrderedDict()
_CACHE_SIZE = 8


def get_transcription(problem: Problem) -> tuple[Transcription, NodeLayout]:
    """The NLP of ``problem`` (built once per runner, gait, goals and mesh)."""
    key = (
        problem.runner.fingerprint(),
        problem.gait,
        problem.goals,
        problem.n_intervals,
        tuple(problem.duration_bounds or ()),
        problem.half_stride,
    )
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    model, layout = build_node_model(problem.runner, problem.goals, prescribed_motion(problem.gait))
    assert problem.duration_bounds is not None
    built = transcribe(model, problem.n_intervals, problem.duration_bounds, problem.half_stride)
    _CACHE[key] = (built, layout)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built, layout


def _apply_bounds(tr: Transcription, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    lbx, ubx = tr.lbx.copy(), tr.ubx.copy()
    m, n = tr.model, tr.n_nodes
    for name, bound in problem.bounds.items():
        lo, hi, phi0, phi1 = bound_window(name, bound)
        if name in m.states:
            i, scale, base = m.states.index(name), m.x_scale, 0
            stride = m.nx
        elif name in m.controls:
            i, scale, base = m.controls.index(name), m.u_scale, m.nx * n
            stride = m.nu
        else:
            import difflib

            from runmuscles.errors import UnknownNameError

            close = tuple(difflib.get_close_matches(name, [*m.states, *m.controls], n=3))
            raise UnknownNameError(f"no state or control named {name!r}", close)
        nodes = np.nonzero((tr.phases >= phi0 - 1e-12) & (tr.phases <= phi1 + 1e-12))[0]
        idx = base + i + stride * nodes
        lbx[idx] = lo / scale[i]
        ubx[idx] = hi / scale[i]
    return lbx, ubx


#: Cold initial guesses by name, tried in the order of ``SolverOptions.cold_guesses``.
COLD_GUESSES = {"measured": measured_guess, "template": template_guess}


def _warm_multipliers(
    tr: Transcription, problem: Problem
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The warm start's multipliers when it carries ones that fit this NLP."""
    guess = problem.guess
    if isinstance(guess, Solution):
        guess = guess.warm_start()
    if not isinstance(guess, WarmStart) or guess.lam_g is None or guess.lam_x is None:
        return None, None
    lam_g, lam_x = np.asarray(guess.lam_g, float), np.asarray(guess.lam_x, float)
    if lam_g.size != tr.lbg.size or lam_x.size != tr.n_variables:
        return None, None
    return lam_g, lam_x


def _warm_point(tr: Transcription, problem: Problem) -> np.ndarray | None:
    """The scaled initial point from a previous solution of the same NLP (same runner, gait and
    mesh), moved to the new condition along its sensitivity when it carries one (a first-order
    continuation predictor), else as it is. None for a cold start."""
    guess = problem.guess
    if guess is None:
        return None
    if isinstance(guess, Solution):
        guess = guess.warm_start()
    if not isinstance(guess, WarmStart):
        raise InputError(f"guess must be a Solution, a WarmStart or None, not {type(guess)}")
    # another body's stride is a fine starting point (the physics is this runner's); another
    # gait or mesh is not the same NLP
    fits = (
        np.size(guess.z) == tr.n_variables
        and guess.gait == problem.gait.value
        and guess.n_intervals == problem.n_intervals
    )
    if not fits:
        raise InputError(
            f"the warm start ({guess.source or 'a previous solution'}: {guess.gait}, "
            f"{guess.n_intervals} intervals) is for another gait or mesh than this problem "
            f"({problem.gait.value}, {problem.n_intervals} intervals); pass guess=None for a "
            "cold start"
        )
    z = np.asarray(guess.z, dtype=float).copy()
    dz = guess.dz_dp
    if dz is not None:
        step = np.array([problem.speed - guess.speed, problem.grade - guess.grade])
        z = z + np.asarray(dz) @ step
        z = np.clip(z, tr.lbx, tr.ubx)
    return z


def _predicted_start(
    tr: Transcription,
    problem: Problem,
    z: np.ndarray,
    lam_g: np.ndarray | None,
    lam_x: np.ndarray | None,
    opts: SolverOptions,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The warm start moved to this problem's condition along its interior-point sensitivity
    (``opts.predictor``), or None: no multipliers, the same condition, or a guess that carries
    its own sensitivity (already applied by :func:`_warm_point`)."""
    guess = problem.guess
    if isinstance(guess, Solution):
        guess = guess.warm_start()
    if not opts.predictor or lam_g is None or lam_x is None or not isinstance(guess, WarmStart):
        return None
    if guess.dz_dp is not None:
        return None
    source = (guess.speed, guess.grade)
    target = (problem.speed, problem.grade)
    if np.allclose(source, target, rtol=0.0, atol=1e-12):
        return None
    try:
        return predict_start(tr, z, lam_g, lam_x, source, target)
    except (RuntimeError, ValueError, np.linalg.LinAlgError):  # a singular KKT matrix
        return None


def solve(
    problem: Problem,
    options: SolverOptions | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Solution:
    """Solve a :class:`~runmuscles.ocp.problem.Problem`: the one way to a predicted stride.

    From a warm start (``problem.guess`` a :class:`Solution` of the same gait and mesh) the exact-
    Hessian interior-point method starts at the guess moved along its sensitivity. From a cold
    start every guess of ``options.cold_guesses`` is tried (measured kinematics, then the
    kinematic template) and the converged one with the lowest objective is kept; the result
    lists what was tried. Raises :class:`~runmuscles.errors.ConvergenceError` when nothing
    converges. ``progress(iteration, objective)`` is called every iteration.
    """
    problem.validate()
    tr, layout = get_transcription(problem)
    opts = options or SolverOptions()
    lbx, ubx = _apply_bounds(tr, problem)
    tr_b = tr if not problem.bounds else replace(tr, lbx=lbx, ubx=ubx)
    params = (problem.speed, problem.grade)
    z_warm = _warm_point(tr_b, problem)
    if z_warm is not None:
        lam_g, lam_x = _warm_multipliers(tr_b, problem)
        start = _predicted_start(tr_b, problem, z_warm, lam_g, lam_x, opts)
        predictor = "none"
        first: SolveResult | None = None
        if start is not None:
            first = _attempt(
                tr_b, start[0], params, replace(opts, warm_start=True), problem, progress,
                start[1], lam_x,
            )  # fmt: skip
            predictor = "first-order (interior-point sensitivity)"
            if not first.success:
                predictor = f"first-order, failed ({first.status}); the neighbour's own point"
        if first is not None and first.success:
            result = first
        else:
            result = _attempt(
                tr_b, z_warm, params, replace(opts, warm_start=True), problem, progress, lam_g,
                lam_x,
            )  # fmt: skip
            if first is not None:  # the failed predicted attempt's work counts too
                result = replace(
                    result,
                    iterations=result.iterations + first.iterations,
                    wall_time_s=result.wall_time_s + first.wall_time_s,
                    function_time_s=result.function_time_s + first.function_time_s,
                )
        if not result.success and lam_g is not None:
            # the dual point can mislead far from its condition: the primal point alone
            result = _attempt(
                tr_b, z_warm, params, replace(opts, warm_start=True), problem, progress
            )
        result.raise_for_status()
        source = problem.guess.source if isinstance(problem.guess, WarmStart) else ""
        if isinstance(problem.guess, Solution):
            source = f"solution at {problem.guess.speed:g} m/s, {problem.guess.grade * 100:+g} %"
        warm = {
            "guess": f"warm start: {source or 'a previous solution'}",
            "status": result.status,
            "iterations": result.iterations,
            "objective": result.objective,
            "wall_time_s": result.wall_time_s,
            "kept": True,
            "predictor": predictor,
        }
        return _finish(tr, problem, result, opts, (warm,))
    tried: list[dict[str, Any]] = []
    best: SolveResult | None = None
    done = 0
    for name in opts.cold_guesses:
        if name not in COLD_GUESSES:
            raise InputError(f"unknown cold guess {name!r}; use {', '.join(COLD_GUESSES)}")
        x, u, duration = COLD_GUESSES[name](
            problem.runner, layout, problem.speed, problem.n_intervals, problem.gait
        )

        def shifted(it: int, obj: float, base: int = done) -> None:
            if progress is not None:
                progress(base + it, obj)

        result = _attempt(tr_b, tr.pack(x, u, duration), params, opts, problem, shifted)
        done += result.iterations
        tried.append(
            {
                "guess": name,
                "status": result.status,
                "iterations": result.iterations,
                "objective": result.objective if result.success else None,
                "wall_time_s": result.wall_time_s,
            }
        )
        if result.success and (best is None or result.objective < best.objective):
            best = result
    if best is None:
        last = replace(result, iterations=done)
        last.raise_for_status()
        raise AssertionError("unreachable")  # pragma: no cover
    for t in tried:
        t["kept"] = t["objective"] == best.objective and t["status"] == best.status
    return _finish(tr, problem, best, opts, tuple(tried))


def _attempt(
    tr: Transcription,
    z0: np.ndarray,
    params: tuple[float, float],
    opts: SolverOptions,
    problem: Problem,
    progress: Callable[[int, float], None] | None,
    lam_g0: np.ndarray | None = None,
    lam_x0: np.ndarray | None = None,
) -> SolveResult:
    """One solve from ``z0``: with ``hessian="auto"``, a cold start runs a limited-memory phase
    (robust far from the optimum) then an exact-Hessian phase; a warm start is exact only."""
    done, t_wall, t_fun = 0, 0.0, 0.0
    if opts.hessian == "auto" and not opts.warm_start and opts.quasi_newton_iter > 0:
        first = solve_nlp(
            tr,
            z0,
            params,
            replace(opts, hessian="limited-memory", max_iter=opts.quasi_newton_iter),
            condition=problem.condition(),
            progress=progress,
        )
        done, t_wall, t_fun = first.iterations, first.wall_time_s, first.function_time_s
        if first.success or not np.all(np.isfinite(first.z)):
            return first
        z0, lam_g0, lam_x0 = first.z, first.lam_g, first.lam_x
        opts = replace(opts, warm_start=True)

    def shifted(it: int, obj: float) -> None:
        if progress is not None:
            progress(done + it, obj)

    result = solve_nlp(
        tr,
        z0,
        params,
        opts,
        condition=problem.condition(),
        progress=shifted,
        lam_g0=lam_g0,
        lam_x0=lam_x0,
    )
    return replace(
        result,
        iterations=result.iterations + done,
        wall_time_s=result.wall_time_s + t_wall,
        function_time_s=result.function_time_s + t_fun,
    )


def _finish(
    tr: Transcription,
    problem: Problem,
    result: SolveResult,
    opts: SolverOptions,
    tried: tuple[dict[str, Any], ...],
) -> Solution:
    solution = unpack_solution(tr, problem, result, opts, tried)
    if opts.sensitivity:
        solution.meta["dz_dp"] = sensitivity(
            tr, result.z, result.lam_g, result.lam_x, result.params
        )
    return solution


def solution_at(problem: Problem, z: np.ndarray, lam_g: Any = None, lam_x: Any = None) -> Solution:
    """A stored NLP point (e.g. a shipped stride's ``z``) as a :class:`Solution` of ``problem``,
    nothing solved: its objective is the NLP's own objective evaluated there."""
    tr, _ = get_transcription(problem)
    params = [problem.speed, problem.grade]
    f = ca.Function("objective", [tr.nlp["x"], tr.nlp["p"]], [tr.nlp["f"]])
    result = SolveResult(
        z=np.asarray(z, float),
        objective=float(f(z, params)),
        status="evaluated",
        success=True,
        iterations=0,
        wall_time_s=0.0,
        function_time_s=0.0,
        lam_g=np.zeros(tr.lbg.size) if lam_g is None else np.asarray(lam_g, float),
        lam_x=np.zeros(tr.n_variables) if lam_x is None else np.asarray(lam_x, float),
        condition=problem.condition(),
        params=(problem.speed, problem.grade),
    )
    return unpack_solution(tr, problem, result, SolverOptions())


def unpack_solution(
    tr: Transcription,
    problem: Problem,
    result: Any,
    opts: SolverOptions,
    tried: tuple[dict[str, Any], ...] = (),
) -> Solution:
    x, u, duration = tr.unpack(result.z)
    m = tr.model
    n = tr.n_nodes
    time = np.linspace(0.0, duration, n)
    p = np.tile(np.array([[problem.speed], [problem.grade]]), (1, n))
    t = np.vstack([tr.phases, np.full(n, tr.phase_rate(duration))])
    outs = m.f_out.map(n)(x.T, u.T, p, t)
    outputs = {name: np.asarray(v).T for name, v in zip(m.output_names, outs, strict=True)}
    # the objective split by term, integrated exactly as transcribe() integrates the cost
    per_term = (
        cost_weights(tr.n_intervals) @ outputs["cost_terms"] / (tr.n_intervals * problem.speed)
    )
    terms = dict(zip(COST_TERMS, (float(v) for v in per_term), strict=True))
    return Solution(
        speed=problem.speed,
        grade=problem.grade,
        time=time,
        states={s: x[:, i] for i, s in enumerate(m.states)},
        controls={c: u[:, i] for i, c in enumerate(m.controls)},
        outputs=outputs,
        objective=result.objective,
        status=result.status,
        iterations=result.iterations,
        wall_time_s=result.wall_time_s,
        function_time_s=result.function_time_s,
        nlp_variables=tr.n_variables,
        nlp_constraints=int(tr.lbg.size),
        z=result.z,
        lam_g=result.lam_g,
        lam_x=result.lam_x,
        n_intervals=problem.n_intervals,
        gait=problem.gait.value,
        solver_options=opts.to_dict(),
        meta={"reserve_max_nm": m.meta.get("reserve_max_nm", {})},
        objective_terms=terms,
        runner=problem.runner,
        guesses=tried,
    )
