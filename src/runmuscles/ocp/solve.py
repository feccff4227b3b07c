"""Solve a transcribed gait NLP with IPOPT (MUMPS) and report the outcome as a value.

A solve never returns NaNs quietly: :func:`solve_nlp` returns a :class:`SolveResult` whose
``success`` says whether IPOPT reached an acceptable optimum; callers that need a solution call
:meth:`SolveResult.raise_for_status`, which raises :class:`~runmuscles.errors.ConvergenceError`
naming the condition, the IPOPT status and what to try.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import casadi as ca
import numpy as np

from runmuscles.errors import ConvergenceError
from runmuscles.ocp.compiled import DERIVATIVES_ENV, NodeDerivatives, node_derivatives
from runmuscles.ocp.transcription import Transcription

__all__ = [
    "Derivatives",
    "SolveResult",
    "SolverOptions",
    "build_solver",
    "derivatives",
    "solve_nlp",
]

#: IPOPT return statuses that count as a solution.
ACCEPTED = {"Solve_Succeeded", "Solved_To_Acceptable_Level"}

#: What to try, per IPOPT status.
ADVICE = {
    "Maximum_Iterations_Exceeded": "raise max_iter, or warm-start from a solved neighbouring "
    "condition (the atlas does this by continuation)",
    "Infeasible_Problem_Detected": "the condition may be beyond what the model can run; try a "
    "speed or grade nearer 3.5 m/s and 0 % and continue from there",
    "Restoration_Failed": "warm-start from a solved neighbouring condition or change the mesh size",
    "Maximum_CpuTime_Exceeded": "give the solve more time (max_wall_time) or warm-start it",
    "Invalid_Number_Detected": "the model produced NaN/inf at the initial guess; check the body "
    "size and the initial guess",
}


@dataclass(frozen=True)
class SolverOptions:
    """IPOPT settings, chosen by measurement on this problem (2-core machine, 3.5 m/s level):

    * exact Hessian throughout (CasADi's exact second derivatives): from the measured-kinematics
      guess a monotone barrier starting at mu = 0.1 converged in 407 iterations / 55 s, where 300
      limited-memory iterations then an exact polish took 988 / 153 s and ended higher;
    * warm starts: a small barrier parameter (1e-3) and little push from the bounds, no old
      multipliers (with them: 145-188 iterations instead of 165-180 plain);
    * MUMPS with a METIS ordering (5.4x faster than the default ordering in a probe) and no
      permuting scaling (MUMPS's automatic choice computes a weighted matching of the KKT matrix
      for every factorisation): measured over 15 warm neighbour solves, 0.16 instead of 0.21 s per
      iteration.
    """

    max_iter: int = 3000
    tol: float = 1e-4
    constr_viol_tol: float = 1e-5
    #: "auto": exact, with a monotone barrier from mu = 0.1 on a cold start; or "exact" /
    #: "limited-memory" throughout
    hessian: str = "auto"
    #: iterations of a limited-memory phase before the exact one on a cold start (0: none)
    quasi_newton_iter: int = 0
    max_wall_time: float = 1800.0
    print_level: int = 0
    warm_start: bool = False
    #: cold starts: the initial guesses tried, in order ("measured", "template"); the converged
    #: one with the lowest objective is kept
    cold_guesses: tuple[str, ...] = ("measured", "template")
    #: compute the solution's sensitivity to speed and grade, a first-order continuation predictor
    #: for neighbouring conditions. Off by default: measured here, the tangent is so curved that
    #: it moves a 0.25 m/s or 2.5 % neighbour's start further from feasibility than the
    #: neighbour's own point (constraint violation 22 vs 0.1) and the corrector then needs more
    #: iterations (398-500 vs 165-180), with or without damping of the KKT system.
    sensitivity: bool = False
    #: a warm start from another condition that carries its multipliers first moves along the
    #: solution's interior-point sensitivity (:func:`runmuscles.ocp.continuation.predict_start`);
    #: when that solve fails, the neighbour's own point is tried as before. Off by default:
    #: measured on bench_neighbours' 8 steps from the shipped 3.5 m/s stride, 609 iterations in
    #: all instead of 735 (3.75 m/s 68 instead of 151, 4.0 m/s 175 instead of 232; +5 % 80
    #: instead of 59), the median unchanged (61 and 58), but the speed steps end on a slightly
    #: worse optimum (3.75 m/s: objective 0.45 % higher, 4.90 instead of 4.84 J/kg/m)
    predictor: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def ipopt(self, with_multipliers: bool = False) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "max_iter": self.max_iter,
            "tol": self.tol,
            "constr_viol_tol": self.constr_viol_tol,
            "acceptable_tol": 10 * self.tol,
            "acceptable_constr_viol_tol": 10 * self.constr_viol_tol,
            "acceptable_iter": 15,
            "hessian_approximation": "exact" if self.hessian == "auto" else self.hessian,
            "linear_solver": "mumps",
            "mumps_pivot_order": 5,
            "mumps_permuting_scaling": 0,
            "max_wall_time": self.max_wall_time,
            "print_level": self.print_level,
            "sb": "yes",  # no IPOPT banner on stdout (it would break --json output)
            "nlp_scaling_method": "gradient-based",
            "mu_strategy": "adaptive",
        }
        if self.hessian == "limited-memory":
            opts["limited_memory_max_history"] = 30
        elif not self.warm_start:
            opts.update(mu_strategy="monotone", mu_init=0.1)
        if self.warm_start:
            # start near the guess: a small barrier parameter and little push from the bounds
            opts.update(mu_init=1e-3, bound_push=1e-6, bound_frac=1e-6)
            if with_multipliers:
                # the neighbour's multipliers too: start at a small barrier parameter, hardly
                # pushed from the bounds (measured 145 iterations for a 0.25 m/s step, 180
                # without multipliers; at the very same condition a few)
                opts.update(
                    warm_start_init_point="yes",
                    mu_strategy="monotone",
                    mu_init=1e-6,
                    warm_start_bound_push=1e-9,
                    warm_start_mult_bound_push=1e-9,
                    warm_start_slack_bound_push=1e-9,
                )
        opts.update(self.extra)
        return opts

    def to_dict(self) -> dict[str, Any]:
        return {"solver": "ipopt", "linear_solver": "mumps", **self.ipopt()}


@dataclass(frozen=True)
class SolveResult:
    """Raw outcome of one NLP solve."""

    z: np.ndarray
    objective: float
    status: str
    success: bool
    iterations: int
    wall_time_s: float
    function_time_s: float
    lam_g: np.ndarray
    lam_x: np.ndarray
    condition: str
    params: tuple[float, float] = (0.0, 0.0)

    def raise_for_status(self) -> None:
        if self.success and np.all(np.isfinite(self.z)):
            return
        advice = ADVICE.get(self.status, "warm-start from a solved neighbouring condition")
        raise ConvergenceError(
            f"the stride at {self.condition} did not converge (IPOPT: {self.status} after "
            f"{self.iterations} iterations); try: {advice}",
            status=self.status,
        )


class _Progress(ca.Callback):
    """IPOPT iteration callback forwarding (iteration, objective) to a Python function.

    One lives with each cached solver; ``fn`` (or None) is set for every solve."""

    def __init__(self, nx: int, ng: int, np_: int) -> None:
        ca.Callback.__init__(self)
        self.nx, self.ng, self.np_ = nx, ng, np_
        self.fn: Callable[[int, float], None] | None = None
        self.it = 0
        self.construct("progress", {})

    def get_n_in(self) -> int:
        return ca.nlpsol_n_out()

    def get_n_out(self) -> int:
        return 1

    def get_name_in(self, i: int) -> str:
        return ca.nlpsol_out(i)

    def get_name_out(self, i: int) -> str:
        return "ret"

    def get_sparsity_in(self, i: int) -> ca.Sparsity:
        n = ca.nlpsol_out(i)
        if n in ("f",):
            return ca.Sparsity.scalar()
        if n in ("x", "lam_x"):
            return ca.Sparsity.dense(self.nx)
        if n in ("g", "lam_g"):
            return ca.Sparsity.dense(self.ng)
        if n == "lam_p":
            return ca.Sparsity.dense(self.np_)
        return ca.Sparsity(0, 0)

    def eval(self, arg: Any) -> list[Any]:
        self.it += 1
        if self.fn is not None:
            self.fn(self.it, float(arg[ca.nlpsol_out().index("f")]))
        return [0]


@dataclass(frozen=True)
class Derivatives:
    """The NLP's functions and exact derivatives (CasADi SX, built once per transcription):
    ``nlp(x, p) -> f, g``; ``grad_f``, ``jac_g``, ``hess_lag`` in the layout IPOPT expects;
    ``grad_lag(x, p, lam_f, lam_g) -> f, g, grad_gamma_x, grad_gamma_p``."""

    nlp: ca.Function
    grad_f: ca.Function
    jac_g: ca.Function
    hess_lag: ca.Function
    grad_lag: ca.Function


_DERIVATIVES: dict[int, tuple[Transcription, Derivatives]] = {}
_SOLVERS: dict[tuple[int, str, str], tuple[Transcription, ca.Function, _Progress]] = {}


def derivatives(tr: Transcription) -> Derivatives:
    """The exact derivatives of ``tr`` (generated once: about 20 s for the runner on 2 cores;
    every solver of the same transcription then reuses them)."""
    key = id(tr.nlp["x"])
    if key in _DERIVATIVES:
        return _DERIVATIVES[key][1]
    # expand: the MX graph (mapped node functions) becomes one SX graph, whose sparse
    # derivatives CasADi colours and evaluates about 40x faster than the MX ones
    seed = ca.nlpsol(
        "gait_seed",
        "ipopt",
        tr.nlp,
        {"ipopt": {"print_level": 0, "sb": "yes"}, "print_time": False, "expand": True},
    )
    found = Derivatives(
        nlp=ca.Function(
            "nlp", [tr.nlp["x"], tr.nlp["p"]], [tr.nlp["f"], tr.nlp["g"]], ["x", "p"], ["f", "g"]
        ).expand(),
        grad_f=seed.get_function("nlp_grad_f"),
        jac_g=seed.get_function("nlp_jac_g"),
        hess_lag=seed.get_function("nlp_hess_l"),
        grad_lag=seed.get_function("nlp_grad"),
    )
    _DERIVATIVES[key] = (tr, found)
    return found


def build_solver(
    tr: Transcription,
    options: SolverOptions,
    progress: Callable[[int, float], None] | None = None,
    with_multipliers: bool = False,
) -> tuple[ca.Function, _Progress]:
    """An IPOPT solver of ``tr`` with these options (cached: built once per transcription and
    option set, from the shared :func:`derivatives`)."""
    ipopt = options.ipopt(with_multipliers)
    key = (id(tr.nlp["x"]), repr(sorted(ipopt.items())), os.environ.get(DERIVATIVES_ENV, ""))
    if key not in _SOLVERS:
        d: Derivatives | NodeDerivatives | None = node_derivatives(tr)
        if d is None:
            d = derivatives(tr)
        cb = _Progress(tr.n_variables, int(tr.lbg.size), 2)
        opts: dict[str, Any] = {
            "ipopt": ipopt,
            "print_time": False,
            "iteration_callback": cb,
            "grad_f": d.grad_f,
            "jac_g": d.jac_g,
        }
        if ipopt.get("hessian_approximation") == "exact":
            opts["hess_lag"] = d.hess_lag
        if isinstance(d, NodeDerivatives):
            # compiled functions carry no derivatives of their own: no Lagrangian gradient
            # (only the parameters' multipliers need it, and nothing here uses them)
            opts.update(no_nlp_grad=True, calc_lam_p=False)
        _SOLVERS[key] = (tr, ca.nlpsol("gait", "ipopt", d.nlp, opts), cb)
    _, solver, cb = _SOLVERS[key]
    cb.fn, cb.it = progress, 0
    return solver, cb


#: glibc ``mallopt`` settings (parameter number, value) applied once before the first solve:
#: MUMPS allocates and frees its factorisation workspace at every IPOPT iteration, and glibc's
#: defaults hand blocks of that size back to the kernel each time (``mmap``/``munmap``, then page
#: faults to touch them again). M_TRIM_THRESHOLD (-1): keep up to 512 MiB freed at the top of the
#: heap; M_TOP_PAD (-2): grow the heap 64 MiB at a time; M_MMAP_MAX (-4) = 0: large blocks come
#: from the heap too (glibc caps M_MMAP_THRESHOLD at 32 MiB, which was measured not to be enough).
#: Measured on a warm 3.75 m/s solve, 319 iterations, one thread, quiet 2-core machine: the
#: primal-dual solves took 36.1 s wall (5.9 s of it in the kernel) with glibc's defaults and
#: 24.8 s (0.06 s in the kernel) with freed memory kept; the iterates are the same.
MALLOC_SETTINGS = ((-1, 512 << 20), (-2, 64 << 20), (-4, 0))


@functools.cache
def keep_freed_memory() -> bool:
    """Apply :data:`MALLOC_SETTINGS` once (Linux with glibc; elsewhere nothing). True when they
    were all accepted."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): leave the allocator alone
        return False
    return all(mallopt(ctypes.c_int(k), ctypes.c_int(v)) == 1 for k, v in MALLOC_SETTINGS)


def solve_nlp(
    tr: Transcription,
    z0: np.ndarray,
    params: tuple[float, float],
    options: SolverOptions | None = None,
    condition: str = "",
    progress: Callable[[int, float], None] | None = None,
    lam_g0: np.ndarray | None = None,
    lam_x0: np.ndarray | None = None,
) -> SolveResult:
    """Solve ``tr`` from the scaled initial point ``z0`` at ``params = (speed, grade)``."""
    options = options or SolverOptions()
    keep_freed_memory()
    solver, _cb = build_solver(tr, options, progress, lam_g0 is not None)
    args: dict[str, Any] = {
        "x0": z0,
        "p": np.asarray(params, float),
        "lbx": tr.lbx,
        "ubx": tr.ubx,
        "lbg": tr.lbg,
        "ubg": tr.ubg,
    }
    if lam_g0 is not None:
        args["lam_g0"] = lam_g0
    if lam_x0 is not None:
        args["lam_x0"] = lam_x0
    t0 = time.perf_counter()
    sol = solver(**args)
    wall = time.perf_counter() - t0
    stats = solver.stats()
    status = str(stats.get("return_status", "unknown"))
    f_time = sum(
        float(v) for k, v in stats.items() if k.startswith("t_wall_nlp_") and isinstance(v, float)
    )
    z = np.asarray(sol["x"]).ravel()
    return SolveResult(
        z=z,
        objective=float(sol["f"]),
        status=status,
        success=status in ACCEPTED and bool(np.all(np.isfinite(z))),
        iterations=int(stats.get("iter_count", -1)),
        wall_time_s=wall,
        function_time_s=f_time,
        lam_g=np.asarray(sol["lam_g"]).ravel(),
        lam_x=np.asarray(sol["lam_x"]).ravel(),
        condition=condition,
        params=(float(params[0]), float(params[1])),
    )
