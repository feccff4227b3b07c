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

import numpy as np

from runmuscles.model.armswing import arm_swing
from runmuscles.ocp.goals import Goals
from runmuscles.ocp.guess import template_guess
from runmuscles.ocp.node import NodeLayout, build_node_model
from runmuscles.ocp.problem import Problem
from runmuscles.ocp.solution import Solution
from runmuscles.ocp.solve import SolverOptions, solve_nlp
from runmuscles.ocp.transcription import Transcription, transcribe

__all__ = ["get_transcription", "solve_problem"]


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
    model, layout = build_node_model(problem.runner, problem.goals, arm_swing(problem.gait))
    assert problem.duration_bounds is not None
    built = transcribe(model, problem.n_intervals, problem.duration_bounds, problem.half_stride)
    _CACHE[key] = (built, layout)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built, layout


def _apply_bounds(tr: Transcription, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    lbx, ubx = tr.lbx.copy(), tr.ubx.copy()
    m, n = tr.model, tr.n_nodes
    for name, (lo, hi) in problem.bounds.items():
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
        idx = base + i + stride * np.arange(n)
        lbx[idx] = lo / scale[i]
        ubx[idx] = hi / scale[i]
    return lbx, ubx


def _initial_point(
    tr: Transcription, layout: NodeLayout, problem: Problem
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Scaled initial point and, for a warm start at the very same condition, multipliers.

    A previous solution at another condition is used as it is (rescaling the forward motion
    to the new speed was tried: it makes the stance foot slide, a far larger violation than
    the periodicity gap it closes). Its multipliers are dropped: they belong to the old
    condition and mislead the first iterations (measured: more iterations with them).
    """
    guess = problem.guess
    if isinstance(guess, Solution) and guess.n_intervals == problem.n_intervals:
        if guess.speed == problem.speed and guess.grade == problem.grade:
            return guess.z.copy(), guess.lam_g, guess.lam_x
        return guess.z.copy(), None, None
    x, u, duration = template_guess(
        problem.runner, layout, problem.speed, problem.n_intervals, problem.gait
    )
    return tr.pack(x, u, duration), None, None


def solve_problem(
    problem: Problem,
    options: SolverOptions | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Solution:
    problem.validate()
    tr, layout = get_transcription(problem)
    z0, lam_g0, lam_x0 = _initial_point(tr, layout, problem)
    warm = problem.guess is not None
    opts = options or SolverOptions()
    if warm and not opts.warm_start:
        opts = replace(opts, warm_start=True)
    lbx, ubx = _apply_bounds(tr, problem)
    tr_b = tr if not problem.bounds else _with_bounds(tr, lbx, ubx)
    params = (problem.speed, problem.grade)
    done = 0
    t_wall = t_fun = 0.0

    def shifted(it: int, obj: float) -> None:
        if progress is not None:
            progress(done + it, obj)

    if opts.hessian == "auto" and not warm:
        # phase 1: limited-memory quasi-Newton from the template, robust far from the optimum
        first = solve_nlp(
            tr_b,
            z0,
            params,
            replace(opts, hessian="limited-memory", max_iter=opts.quasi_newton_iter),
            condition=problem.condition(),
            progress=shifted,
        )
        done, t_wall, t_fun = first.iterations, first.wall_time_s, first.function_time_s
        if not np.all(np.isfinite(first.z)):
            first.raise_for_status()
        if first.success:
            return unpack_solution(tr, problem, first, opts)
        z0, lam_g0, lam_x0 = first.z, first.lam_g, first.lam_x
        opts = replace(opts, warm_start=True)
    result = solve_nlp(
        tr_b,
        z0,
        params,
        opts,
        condition=problem.condition(),
        progress=shifted,
        lam_g0=lam_g0,
        lam_x0=lam_x0,
    )
    result = replace(
        result,
        iterations=result.iterations + done,
        wall_time_s=result.wall_time_s + t_wall,
        function_time_s=result.function_time_s + t_fun,
    )
    result.raise_for_status()
    return unpack_solution(tr, problem, result, opts)


def _with_bounds(tr: Transcription, lbx: np.ndarray, ubx: np.ndarray) -> Transcription:
    return replace(tr, lbx=lbx, ubx=ubx)


def unpack_solution(
    tr: Transcription, problem: Problem, result: Any, opts: SolverOptions
) -> Solution:
    x, u, duration = tr.unpack(result.z)
    m = tr.model
    n = tr.n_nodes
    time = np.linspace(0.0, duration, n)
    p = np.tile(np.array([[problem.speed], [problem.grade]]), (1, n))
    t = np.vstack([tr.phases, np.full(n, tr.phase_rate(duration))])
    outs = m.f_out.map(n)(x.T, u.T, p, t)
    outputs = {name: np.asarray(v).T for name, v in zip(m.output_names, outs, strict=True)}
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
    )
