"""Build the atlas: every condition of a per-gait speed x grade grid, by continuation, in parallel.

``build_atlas(grid, executor=LocalProcesses(2), output="atlas.nc")`` (CLI: ``runmuscles atlas
build``):

* **Continuation.** Per gait, the nodes nearest the seeds are solved cold; every other condition
  is submitted only once one of its (8-connected) neighbours of the same gait is solved, and is
  warm-started from the nearest solved neighbour (:mod:`runmuscles.atlas.grid`). Ready conditions
  go in breadth-first order from the seeds, so parallel workers still warm-start.
* **Where.** ``executor``: :class:`InProcess` (tests, debugging), :class:`LocalProcesses` (spawned
  processes, one solver thread each: ``OMP_NUM_THREADS`` and the BLAS thread counts set to 1), or
  :class:`Dask` (a ``tcp://host:8786`` scheduler address or a ``distributed.Client``;
  ``pip install runmuscles[cluster]``).
* **Resumable.** Each finished condition is written at once as a part file
  (:mod:`runmuscles.atlas.parts`); a re-run reuses them and solves only the rest. A killed local
  worker breaks the pool: it is restarted and the conditions in flight are resubmitted.
* **Rebuilt after a model change.** A part is reused only for the problem it was solved for
  (:func:`problem_key`: goals, bounds, runner parameters, realism gate). After a change, the same
  command solves every condition again, each first from its own previous solution (nearer than
  any neighbour), then by continuation as above.
* **Realism gate.** A converged stride that fails :func:`~runmuscles.atlas.realism.check_realism`
  (reserves, foot slip, bounds) is refused like a failed solve.
* **Failures.** A failed or refused condition is retried once from another solved neighbour (or
  cold when it has no other); if that fails too it is recorded with its status and why, and the
  atlas lists it as a missing cell. A re-run of the same problem tries it again only from a
  neighbour it was not tried from (``retry_failed=True``, CLI ``--retry-failed``: from any).
* **Polish** (``polish=True``, CLI ``--polish``). Continuation keeps a local optimum: a cell
  solved early (the seed above all) can stay on a worse branch than its neighbours, and the
  atlas then has a bump there (measured on the shipped atlas: the 3.5 m/s level stride's
  objective 0.944, its neighbours at 3.0 and 4.0 m/s 0.749 and 0.847; re-solved from either,
  0.795). After the grid is solved, every cell whose objective stands above the straight line
  between its two neighbours along speed or grade by more than :data:`POLISH_BUMP` of its own
  value (:func:`polish_candidates`) is solved again from each of those two neighbours, and the
  better stride replaces it when its objective is lower by more than :data:`POLISH_GAIN` and it
  passes the realism gate. Rounds repeat (at most :data:`POLISH_ROUNDS`) while cells improve.
  A replaced cell's provenance says so (``polished``: the objective before and the neighbour).
* **Strides.** With ``strides=FOLDER`` the solved strides of a subset of cells
  (``stride_cells``) are written there as a :class:`~runmuscles.prediction.StrideStore`, so
  that ``predict`` and on-demand solving start near them.

On a SLURM cluster, start a Dask cluster with dask-jobqueue and pass its scheduler address::

    from dask_jobqueue import SLURMCluster
    cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="04:00:00",
                           job_script_prologue=["export OMP_NUM_THREADS=1"])
    cluster.scale(jobs=32)
    print(cluster.scheduler_address)   # -> runmuscles atlas build ... --scheduler tcp://...

(or ``dask scheduler`` on the login node and ``dask worker tcp://HOST:8786 --nthreads 1`` in an
sbatch array). The command then runs on the login node; parts are written there.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runmuscles.atlas.grid import Condition, Grid, Node, bfs_order, neighbours, step_cost
from runmuscles.atlas.parts import PartStore, write_strides
from runmuscles.atlas.realism import check_realism, thresholds
from runmuscles.atlas.solvers import Outcome, SolveFn, predictive_solve
from runmuscles.errors import InputError, RunmusclesError

__all__ = [
    "STRIDE_CELLS",
    "BuildReport",
    "BuildStatus",
    "Dask",
    "Executor",
    "InProcess",
    "LocalProcesses",
    "build_atlas",
    "polish_candidates",
    "problem_key",
    "stride_subset",
]

#: Environment that keeps numerical libraries to one thread in each worker process.
ONE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
#: A local pool whose worker died is restarted at most this many times per build.
MAX_POOL_RESTARTS = 3
#: Attempts per condition and build (the first and one retry).
MAX_ATTEMPTS = 2
#: Cold starts per gait and build (the seeds included) before the rest of the gait is given up.
MAX_COLD_STARTS = 3
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT_S = 30.0
#: Which solved cells get their stride written to ``strides`` (see :func:`stride_subset`).
STRIDE_CELLS = ("all", "border+even", "none")
#: Status of a converged stride refused by the realism gate.
REFUSED = "Refused_Realism"
#: Polish: a cell is re-solved from its neighbours when its objective stands above the straight
#: line between its two neighbours along speed or grade by more than this share of its own
#: objective (this project's choice: the shipped atlas's smooth stretches stay within 1-2 %, its
#: worst bumps reached 15 %)
POLISH_BUMP = 0.03
#: ... and replaced when the new stride's objective is lower by more than this share
POLISH_GAIN = 0.005
#: Polish rounds at most (a replaced cell can make a neighbour stand out)
POLISH_ROUNDS = 6


def polish_candidates(
    grid: Grid, objective: dict[Node, float], threshold: float = POLISH_BUMP
) -> dict[Node, tuple[Node, Node]]:
    """Solved nodes whose objective stands above the straight line between their two solved
    neighbours along the speed or the grade axis (non-uniform spacing allowed) by more than
    ``threshold`` of its own value: node -> the two neighbours of the axis where it stands
    highest. Nodes at a grid edge are judged along the other axis only."""
    out: dict[Node, tuple[Node, Node]] = {}
    for n, o in objective.items():
        gait, i, j = n
        gg = grid.of(gait)
        margin, axis_pair = threshold * abs(o), None
        for values, k, (lo, hi) in (
            (gg.speeds, i, ((gait, i - 1, j), (gait, i + 1, j))),
            (gg.grades, j, ((gait, i, j - 1), (gait, i, j + 1))),
        ):
            if lo not in objective or hi not in objective:
                continue
            x0, x, x1 = values[k - 1], values[k], values[k + 1]
            line = objective[lo] + (objective[hi] - objective[lo]) * (x - x0) / (x1 - x0)
            if o - line > margin:
                margin, axis_pair = o - line, (lo, hi)
        if axis_pair is not None:
            out[n] = axis_pair
    return out


@dataclass(frozen=True)
class BuildStatus:
    """Progress of a build: counts of conditions, the last finished one and its time (s)."""

    total: int
    done: int
    failed: int
    running: int
    reused: int
    last: str = ""
    last_time_s: float = 0.0

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed


@dataclass
class BuildReport:
    """What a build did: output path, conditions (keys) solved now / reused from parts / failed
    or refused (key -> status) / not attempted (keys: a time limit), per solved-now condition
    its wall time s, the strides written and their size (bytes), and the build's wall time s."""

    output: Path
    solved: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_attempted: list[str] = field(default_factory=list)
    times_s: dict[str, float] = field(default_factory=dict)
    strides_written: int = 0
    strides_bytes: int = 0
    wall_s: float = 0.0
    #: cells replaced by the polish: key -> {"objective_before", "objective", "from"}
    polished: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: polish solves tried (each from one neighbour)
    polish_attempts: int = 0


# ------------------------------------------------------------------------------ executors
class Executor:
    """Where the conditions are solved (:class:`InProcess`, :class:`LocalProcesses`,
    :class:`Dask`)."""

    def _open(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class InProcess(Executor):
    """Solve every condition in this process, one after the other (tests, debugging)."""

    def _open(self) -> Any:
        return _Serial()

    def describe(self) -> str:
        return "in process"


@dataclass(frozen=True)
class LocalProcesses(Executor):
    """``workers`` spawned local processes, one solver thread each."""

    workers: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.workers, int) or self.workers < 1:
            raise InputError(f"LocalProcesses(workers={self.workers!r}): give 1 or more")

    def _open(self) -> Any:
        return _Local(self.workers)

    def describe(self) -> str:
        return f"{self.workers} local processes"


@dataclass(frozen=True)
class Dask(Executor):
    """A Dask cluster: a scheduler address (``tcp://host:8786``) or a ``distributed.Client``."""

    scheduler: Any

    def _open(self) -> Any:
        return _Dask(self.scheduler)

    def describe(self) -> str:
        return "dask"


def _run_one(solve_fn: SolveFn, cond: Condition, guess: Any) -> tuple[bool, Any, float]:
    """Worker side: (True, Outcome, s) or (False, (status, message, info), s); never raises."""
    t0 = time.perf_counter()
    try:
        out = solve_fn(cond, guess)
        return True, out, time.perf_counter() - t0
    except Exception as exc:
        status = getattr(exc, "status", "") or type(exc).__name__
        info = {"iterations": getattr(exc, "iterations", None)}
        return False, (status, f"{type(exc).__name__}: {exc}", info), time.perf_counter() - t0


class _Serial:
    """In-process 'executor': runs at submit, returns a finished future."""

    capacity = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        fut: cf.Future[Any] = cf.Future()
        fut.set_result(fn(*args))
        return fut

    def wait(self, futs: Sequence[Any]) -> list[Any]:
        return [f for f in futs if f.done()] or list(futs)[:1]

    def close(self, cancel: bool = False) -> None:
        pass


class _Local:
    """Spawned process pool with one solver thread per process."""

    def __init__(self, workers: int) -> None:
        import multiprocessing as mp

        self.capacity = workers
        self._ctx = mp.get_context("spawn")
        self.pool = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.capacity, mp_context=self._ctx)

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new()

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        return self.pool.submit(fn, *args)

    def wait(self, futs: Sequence[Any]) -> list[Any]:
        done, _ = cf.wait(futs, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class _Dask:
    """A Dask distributed client (address or Client); capacity = the cluster's threads."""

    def __init__(self, scheduler: Any) -> None:
        try:
            import distributed
        except ImportError:
            raise InputError(
                "--scheduler needs Dask distributed: pip install 'runmuscles[cluster]' "
                "(or dask[distributed])"
            ) from None
        self._distributed = distributed
        if isinstance(scheduler, str):
            try:
                self.client = distributed.Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
            except OSError as exc:
                raise InputError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}; check the address "
                    "(tcp://HOST:8786) and that `dask scheduler` is running"
                ) from None
            self._own = True
        else:
            self.client, self._own = scheduler, False
        self.capacity = max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def wait(self, futs: Sequence[Any]) -> list[Any]:
        done = self._distributed.wait(list(futs), return_when="FIRST_COMPLETED").done
        return list(done)

    def close(self, cancel: bool = False) -> None:
        if self._own:
            self.client.close()


@contextlib.contextmanager
def _one_thread_env() -> Iterator[None]:
    """Spawned workers inherit the parent's environment: one thread each while the pool lives."""
    old = {k: os.environ.get(k) for k in ONE_THREAD_ENV}
    os.environ.update(ONE_THREAD_ENV)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


#: solve_fn keywords that do not change the result (a re-run may change them and keep its parts)
_NEUTRAL_KEYWORDS = ("delay", "work_s", "max_iter", "crash_once", "warm_start_objects")


def _solver_id(solve_fn: Any) -> str:
    """Name of the solve function and the keywords that define its results."""
    fn = solve_fn.func if isinstance(solve_fn, functools.partial) else solve_fn
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
    if isinstance(solve_fn, functools.partial):
        kw = {k: v for k, v in solve_fn.keywords.items() if k not in _NEUTRAL_KEYWORDS}
        if kw:
            name += f"({', '.join(f'{k}={v!r}' for k, v in sorted(kw.items()))})"
    return name


def stride_subset(grid: Grid, which: str) -> set[Node]:
    """The cells whose strides a build writes: ``"all"``, ``"none"``, or ``"border+even"``:
    every cell on the border of its gait's grid (on-demand solving starts outward from there)
    and the interior cells whose speed and grade indices are both even (so every cell has a
    stored stride within one grid step)."""
    if which not in STRIDE_CELLS:
        raise InputError(f"stride_cells {which!r}: use one of {', '.join(STRIDE_CELLS)}")
    if which == "none":
        return set()
    out = set()
    for n in grid.nodes():
        gait, i, j = n
        ns, ng = grid.of(gait).shape
        border = i in (0, ns - 1) or j in (0, ng - 1)
        if which == "all" or border or (i % 2 == 0 and j % 2 == 0):
            out.add(n)
    return out


def _check_model_range(grid: Grid) -> None:
    from runmuscles.ocp.problem import GRADE_RANGE, SPEED_RANGE, Gait

    for gg in grid.gaits:
        (vlo, vhi), (glo, ghi) = SPEED_RANGE[Gait(gg.gait)], GRADE_RANGE[Gait(gg.gait)]
        if gg.speeds[0] < vlo or gg.speeds[-1] > vhi or gg.grades[0] < glo or gg.grades[-1] > ghi:
            raise InputError(
                f"the {gg.gait} grid {gg.speeds[0]:g}..{gg.speeds[-1]:g} m/s x "
                f"{gg.grades[0] * 100:+g}..{gg.grades[-1] * 100:+g} % leaves the {gg.gait} "
                f"model's range {vlo:g}..{vhi:g} m/s x {glo * 100:+g}..{ghi * 100:+g} %"
            )


def build_atlas(
    grid: Grid | str | Path,
    *,
    executor: Executor | None = None,
    output: str | Path = "atlas.nc",
    solve: SolveFn | None = None,
    progress: Callable[[BuildStatus], None] | None = None,
    command: str | None = None,
    strides: str | Path | None = None,
    stride_cells: str = "border+even",
    time_limit_s: float | None = None,
    retry_failed: bool = False,
    polish: bool = False,
) -> BuildReport:
    """Solve every condition of ``grid`` and write the atlas netCDF to ``output``.

    ``grid``: a :class:`~runmuscles.atlas.grid.Grid`, a TOML grid spec file, or ``"shipped"``
    (:func:`~runmuscles.atlas.grid.shipped_grid`). ``executor``: where to solve (default
    ``LocalProcesses(1)``). ``solve`` defaults to the predictive simulation
    (:func:`~runmuscles.atlas.solvers.predictive_solve`); ``progress`` gets a
    :class:`BuildStatus` after every event; ``strides``: a folder for the solved strides of
    ``stride_cells`` (:func:`stride_subset`); ``time_limit_s``: submit no new condition after
    this many seconds, finish those in flight and write the atlas with the rest marked "not
    attempted" (re-running the same command continues from the saved parts). A saved part is
    reused only when it was solved for the same problem (:func:`problem_key`); a part of another
    problem (the goals, bounds or runner parameters changed since) is solved again, first from
    its own previous solution. A condition that
    a previous run of the same problem (:func:`problem_key`) failed or refused is tried again
    only from a neighbour it was not tried from (the same start would fail the same way), unless
    ``retry_failed``. ``polish``: after the grid is solved, re-solve the cells that stand out
    from their neighbours (module docstring, "Polish"). Returns a :class:`BuildReport`.
    """
    from runmuscles.atlas.grid import shipped_grid

    t_start = time.perf_counter()
    if isinstance(grid, str) and grid == "shipped":
        grid = shipped_grid()
    elif isinstance(grid, str | Path):
        grid = Grid.load(grid)
    if not isinstance(grid, Grid):
        raise InputError(f"grid must be a Grid, a grid spec file or 'shipped', not {grid!r}")
    executor = executor or LocalProcesses(1)
    if not isinstance(executor, Executor):
        raise InputError(
            f"executor {executor!r}: use InProcess(), LocalProcesses(workers) or Dask(address)"
        )
    if solve is None:
        _check_model_range(grid)
        solve = predictive_solve
    stride_nodes = stride_subset(grid, stride_cells) if strides is not None else set()
    output = Path(output)
    store = PartStore(output, grid.mass, grid.height, _solver_id(solve))
    report = BuildReport(output=output)
    rank = bfs_order(grid)
    nodes = sorted(grid.nodes(), key=rank.__getitem__)
    guesses: dict[Node, Any] = {}
    info: dict[Node, dict[str, Any]] = {}
    key = problem_key(solve, grid)
    # a part solved for another problem (changed goals, bounds or parameters) is not this
    # problem's answer, but its solution is the best start for the same condition
    previous: dict[Node, Any] = {}
    for n in nodes:
        part = store.load_done(grid.condition(n))
        if part is None:
            continue
        if part["info"].get("problem_key") == key:
            guesses[n], info[n] = part["guess"], part["info"]
            report.reused.append(grid.condition(n).key)
        else:
            previous[n] = part["guess"]
    tried: dict[Node, list[Node | None]] = {n: [] for n in nodes}
    errors: dict[Node, tuple[str, str, dict[str, Any]]] = {}
    failed: set[Node] = set()
    # conditions a previous run of this same problem already failed: their attempts count, so
    # they are tried again only from a neighbour not tried before (never the same start twice)
    prior: set[Node] = set()
    if not retry_failed:
        by_key = {grid.condition(n).key: n for n in nodes}
        for n in nodes:
            if n in guesses:
                continue
            old = store.load_failed(grid.condition(n))
            if not old or old.get("problem_key") != key:
                continue
            sources = [None if s is None else str(s) for s in old.get("sources", [])]
            if any(s is not None and s not in by_key for s in sources):
                continue  # a source outside this grid: try again
            tried[n] = [None if s is None else by_key[s] for s in sources]
            extra = {k: v for k, v in old.items() if k not in ("status", "message")}
            errors[n] = (str(old.get("status")), str(old.get("message")), extra)
            prior.add(n)
    running: dict[Any, tuple[Node, Node | None]] = {}

    def status(last: str = "", last_time: float = 0.0) -> None:
        if progress:
            progress(
                BuildStatus(
                    len(nodes),
                    len(guesses),
                    len(failed),
                    len(running),
                    len(report.reused),
                    last,
                    last_time,
                )
            )

    def source_for(n: Node) -> Node | bool | None:
        """Solved neighbour to start from (False: not ready)."""
        cands = [m for m in neighbours(grid, n) if m in guesses and m not in tried[n]]
        return min(cands, key=lambda m: (step_cost(grid, n, m), rank[m])) if cands else False

    def pending() -> list[Node]:
        busy = {n for n, _ in running.values()}
        return [n for n in nodes if n not in guesses and n not in failed and n not in busy]

    def give_up(n: Node) -> None:
        failed.add(n)
        st, msg, extra = errors[n]
        report.failed[grid.condition(n).key] = st
        store.save_failed(
            grid.condition(n),
            {
                "status": st,
                "message": msg,
                "attempts": len(tried[n]),
                "sources": [None if s is None else grid.condition(s).key for s in tried[n]],
                **extra,
                "problem_key": key,
            },
        )

    seeds = set(grid.starts())

    def out_of_time() -> bool:
        return time_limit_s is not None and time.perf_counter() - t_start > time_limit_s

    def next_task() -> tuple[Node, Node | None] | None:
        if out_of_time():
            return None
        todo = pending()
        for n in todo:
            if n in previous and n not in tried[n]:
                return n, n  # from its own solution of the previous problem
            if n in seeds and not tried[n]:
                return n, None  # a seed of a gait: cold
            src = source_for(n)
            if src is not False:
                return n, src  # type: ignore[return-value]
        if running:
            return None
        # stuck: nothing solved next to what is left
        for n in todo:
            if tried[n]:
                if tried[n][0] is not None and None not in tried[n] and n not in prior:
                    return n, None  # retry cold: no other neighbour was solved
                give_up(n)
                status(grid.condition(n).label())
        for n in pending():
            colds = sum(1 for m in tried if m[0] == n[0] and None in tried[m])
            if colds < MAX_COLD_STARTS:
                return n, None  # a new cold start where the continuation cannot reach
            # this gait's cold starts all failed: the rest cannot start (not solved cold one by
            # one, which would take hours and fail the same way)
            errors[n] = (
                "no_start",
                f"not attempted: the {MAX_COLD_STARTS} cold starts of the {n[0]} grid failed "
                "and no solved neighbour was left to continue from; see their failures",
                {},
            )
            give_up(n)
        return None

    impl = executor._open()
    restarts = 0

    def restart() -> None:
        """A dead worker broke the pool: a new pool; the conditions in flight are submitted
        again (a dead worker is not a failed attempt)."""
        nonlocal restarts
        restarts += 1
        if restarts > MAX_POOL_RESTARTS:
            raise RunmusclesError(
                f"worker processes died {restarts} times; finished conditions are saved in "
                f"{store.folder}: re-run the same command"
            )
        impl.restart()
        for m, _ in running.values():
            tried[m].pop()
        running.clear()

    def polish_rounds() -> None:
        """Re-solve the cells that stand out from their neighbours (module docstring)."""
        pairs: set[tuple[Node, Node]] = set()
        for _ in range(POLISH_ROUNDS):
            objective = {
                n: float(info[n]["objective"])
                for n in nodes
                if n in guesses and info[n].get("objective") is not None
            }
            tasks = [
                (n, m)
                for n, axis in polish_candidates(grid, objective).items()
                for m in axis
                if (n, m) not in pairs
            ]
            if not tasks or out_of_time():
                return
            pairs.update(tasks)
            start = {m: guesses[m] for _, m in tasks}
            best: dict[Node, tuple[float, Node, Outcome, dict[str, Any], float]] = {}
            queue = list(tasks)
            flight: dict[Any, tuple[Node, Node]] = {}
            while queue or flight:
                while queue and len(flight) < impl.capacity:
                    n, m = queue.pop(0)
                    try:
                        fut = impl.submit(_run_one, solve, grid.condition(n), start[m])
                    except cf.process.BrokenProcessPool:
                        restart()
                        continue
                    flight[fut] = (n, m)
                    report.polish_attempts += 1
                if not flight:
                    break
                for fut in impl.wait(list(flight)):
                    n, m = flight.pop(fut)
                    try:
                        ok, value, wall = fut.result()
                    except cf.process.BrokenProcessPool:
                        restart()
                        flight.clear()  # the pool is new: what was in flight is dropped
                        break
                    except Exception:  # e.g. Dask's KilledWorker: this attempt is lost
                        continue
                    status(f"polish {grid.condition(n).label()}", wall)
                    verdict = check_realism(value.info) if ok else None
                    if verdict is None or not verdict.ok:
                        continue
                    obj = float(value.info["objective"])
                    if obj < objective[n] * (1.0 - POLISH_GAIN) and (
                        n not in best or obj < best[n][0]
                    ):
                        best[n] = (obj, m, value, verdict.to_dict(), wall)
            for n, (obj, m, out, realism, wall) in best.items():
                cond, src = grid.condition(n), grid.condition(m)
                meta = {
                    "problem_key": key,
                    "attempts": info[n].get("attempts", 1),
                    "build_wall_time_s": wall,
                    "warm_start_from": [src.speed, src.grade],
                    "polished": {
                        "objective_before": objective[n],
                        "from": [src.speed, src.grade],
                    },
                }
                full = {**out.info, **meta, "realism": realism}
                store.save_done(cond, Outcome(out.record, out.guess, full), meta)
                guesses[n], info[n] = out.guess, full
                report.polished[cond.key] = {
                    "objective_before": objective[n],
                    "objective": obj,
                    "from": src.key,
                }
            if not best:
                return

    status()
    try:
        with _one_thread_env():
            while True:
                while len(running) < impl.capacity:
                    task = next_task()
                    if task is None:
                        break
                    n, src = task
                    tried[n].append(src)
                    guess = None if src is None else previous[n] if src == n else guesses[src]
                    try:
                        fut = impl.submit(_run_one, solve, grid.condition(n), guess)
                    except cf.process.BrokenProcessPool:
                        # a worker died since the last look: restart, resubmit what was running
                        tried[n].pop()
                        restart()
                        continue
                    running[fut] = (n, src)
                    status()
                if not running:
                    break
                for fut in impl.wait(list(running)):
                    n, src = running.pop(fut)
                    cond = grid.condition(n)
                    try:
                        ok, value, wall = fut.result()
                    except cf.process.BrokenProcessPool:
                        # a worker died (killed, out of memory): restart the pool, resubmit
                        tried[n].pop()
                        restart()
                        break
                    except Exception as exc:  # e.g. Dask's KilledWorker
                        ok, value, wall = False, (type(exc).__name__, str(exc), {}), 0.0
                    meta = {
                        "problem_key": key,
                        "attempts": len(tried[n]),
                        "build_wall_time_s": wall,
                        "warm_start_from": None
                        if src is None
                        else [grid.of(n[0]).speeds[src[1]], grid.of(n[0]).grades[src[2]]],
                    }
                    if ok:
                        out: Outcome = value
                        verdict = check_realism(out.info)
                        if not verdict.ok:
                            ok = False
                            value = (
                                REFUSED,
                                "refused by the realism gate: " + "; ".join(verdict.reasons),
                                {"realism": verdict.to_dict(), "solver": _facts(out.info), **meta},
                            )
                        else:
                            full = {**out.info, **meta, "realism": verdict.to_dict()}
                            store.save_done(cond, Outcome(out.record, out.guess, full), meta)
                            guesses[n], info[n] = out.guess, full
                            report.solved.append(cond.key)
                            report.times_s[cond.key] = wall
                    if not ok:
                        st, msg, extra = value
                        errors[n] = (st, msg, {**extra, **meta})
                        if len(tried[n]) >= MAX_ATTEMPTS or n in prior:
                            give_up(n)
                    status(cond.label(), wall)
            if polish:
                polish_rounds()
    except BaseException:
        impl.close(cancel=True)
        raise
    impl.close()
    if stride_nodes:
        report.strides_written, report.strides_bytes = write_strides(
            Path(strides),  # type: ignore[arg-type]
            [guesses[n] for n in nodes if n in guesses and n in stride_nodes],
            [info[n] for n in nodes if n in guesses and n in stride_nodes],
        )
    from runmuscles.atlas.table import assemble

    provenance = {
        "command": command or " ".join(sys.argv),
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "solve_fn": _solver_id(solve),
        "workers": executor.describe()
        if not isinstance(impl, _Dask)
        else f"dask: {impl.capacity} threads",
        "grid": grid.to_dict(),
        "realism": thresholds(),
        "strides": {
            "cells": stride_cells if strides is not None else "none",
            "written": report.strides_written,
            "bytes": report.strides_bytes,
        },
    }
    failures: dict[Node, dict[str, Any]] = {}
    for n in nodes:
        if n in guesses:
            continue
        if n in errors:
            st, msg, extra = errors[n]
            failures[n] = {
                "status": st,
                "message": msg,
                **extra,
                "attempts": len(tried[n]),
                "sources": [None if s is None else grid.condition(s).key for s in tried[n]],
            }
        else:
            old = store.load_failed(grid.condition(n))
            if old is not None and old.get("problem_key") != key:
                old = None  # another problem's failure says nothing about this one
            why = ""
            if old is None:
                report.not_attempted.append(grid.condition(n).key)
            if out_of_time():
                why = (
                    f"the build's time limit ({time_limit_s:.0f} s) was reached first; re-run "
                    "the same command to continue, or let on-demand solving fill it"
                )
            failures[n] = old or {"status": "not_attempted", "message": why}
    assemble(grid, store, info, failures, provenance).save(output)
    report.wall_s = time.perf_counter() - t_start
    return report


def problem_key(solve_fn: Any, grid: Grid) -> str:
    """What decides a condition's outcome, hashed: the solve function, the body size, the
    realism gate and, for the predictive solve, the runner's parameters, the goals, the
    coordinate bounds and the metabolic model's smoothing. A failure recorded under the same
    key would repeat from the same start."""
    import hashlib
    import json

    what: dict[str, Any] = {
        "solve": _solver_id(solve_fn),
        "body": [grid.mass, grid.height],
        "realism": thresholds(),
    }
    fn = solve_fn.func if isinstance(solve_fn, functools.partial) else solve_fn
    if fn is predictive_solve:
        from runmuscles.atlas.solvers import _runner
        from runmuscles.model.metabolics import umberger_rate
        from runmuscles.ocp.goals import Goals
        from runmuscles.ocp.node import Q_BOUNDS

        what["runner"] = _runner(grid.mass, grid.height).fingerprint()
        what["goals"] = Goals().to_dict()
        what["bounds"] = {k: [round(b, 9) for b in v] for k, v in sorted(Q_BOUNDS.items())}
        what["metabolics"] = umberger_rate.__kwdefaults__
    blob = json.dumps(what, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _facts(info: dict[str, Any]) -> dict[str, Any]:
    """The solver facts of an outcome worth keeping for a refused cell."""
    keys = ("status", "iterations", "objective", "wall_time_s", "guess_kept", "warm_start")
    return {k: info.get(k) for k in keys}
