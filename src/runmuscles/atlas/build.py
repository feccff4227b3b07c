"""Build the atlas: every condition of a speed x grade grid, by continuation, in parallel.

``build_atlas(speeds, grades, ...)`` (CLI: ``runmuscles atlas build``):

* **Continuation.** The node nearest 3.5 m/s on the level is solved cold; every other condition is
  submitted only once one of its (8-connected) neighbours is solved, and is warm-started from the
  nearest solved neighbour (:mod:`runmuscles.atlas.grid`). Ready conditions go in breadth-first
  order from the start, so parallel workers still warm-start.
* **Parallel.** ``workers=N`` local processes (spawned; ``OMP_NUM_THREADS`` and the BLAS thread
  counts set to 1, one solver thread per process); ``workers=0`` solves in this process (tests,
  debugging). With ``scheduler`` (a ``tcp://host:8786`` address or a ``distributed.Client``) the
  conditions run on a Dask cluster (``pip install runmuscles[cluster]``).
* **Resumable.** Each finished condition is written at once as a part file
  (:mod:`runmuscles.atlas.parts`); a re-run reuses them and solves only the rest. A killed local
  worker breaks the pool: it is restarted and the conditions in flight are resubmitted.
* **Failures.** A failed condition is retried once from another solved neighbour (or cold when it
  has no other); if that fails too it is recorded with its status, and the atlas lists it as a
  missing cell. A re-run tries failed conditions again.

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

from runmuscles.atlas.grid import Condition, Grid, bfs_order, neighbours, step_cost
from runmuscles.atlas.parts import PartStore
from runmuscles.atlas.solvers import Outcome, SolveFn, predictive_solve
from runmuscles.errors import InputError, RunmusclesError

__all__ = ["BuildReport", "BuildStatus", "build_atlas"]

Node = tuple[int, int]
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
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT_S = 30.0


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
    """What a build did: output path, conditions solved now / reused from parts / failed (key ->
    status), per solved-now condition its wall time s, and the build's wall time s."""

    output: Path
    solved: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    times_s: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0


def _run_one(solve_fn: SolveFn, cond: Condition, guess: Any) -> tuple[bool, Any, float]:
    """Worker side: (True, Outcome, s) or (False, (status, message), s); never raises."""
    t0 = time.perf_counter()
    try:
        out = solve_fn(cond, guess)
        return True, out, time.perf_counter() - t0
    except Exception as exc:
        status = getattr(exc, "status", "") or type(exc).__name__
        return False, (status, f"{type(exc).__name__}: {exc}"), time.perf_counter() - t0


class _Serial:
    """In-process 'executor' (workers=0): runs at submit, returns a finished future."""

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
_NEUTRAL_KEYWORDS = ("delay", "max_iter", "crash_once")


def _solver_id(solve_fn: Any) -> str:
    """Name of the solve function and the keywords that define its results."""
    fn = solve_fn.func if isinstance(solve_fn, functools.partial) else solve_fn
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
    if isinstance(solve_fn, functools.partial):
        kw = {k: v for k, v in solve_fn.keywords.items() if k not in _NEUTRAL_KEYWORDS}
        if kw:
            name += f"({', '.join(f'{k}={v!r}' for k, v in sorted(kw.items()))})"
    return name


def build_atlas(
    speeds: str | Sequence[float],
    grades: str | Sequence[float],
    mass: float = 70.0,
    height: float = 1.75,
    workers: int = 1,
    scheduler: Any = None,
    output: str | Path = "atlas.nc",
    solve_fn: SolveFn | None = None,
    progress: Callable[[BuildStatus], None] | None = None,
    *,
    command: str | None = None,
) -> BuildReport:
    """Solve every (speed, grade) of the grid and write the atlas netCDF to ``output``.

    ``speeds`` m/s and ``grades`` (rise/run) are sequences or strings such as ``"2:6:0.5"`` and
    ``"-30%:30%:5%"``; ``mass`` kg and ``height`` m are the body of the whole atlas (other body
    sizes: see the scaling law in :mod:`runmuscles.atlas`). ``solve_fn`` defaults to the predictive
    simulation (:func:`~runmuscles.atlas.solvers.predictive_solve`); ``progress`` gets a
    :class:`BuildStatus` after every event. Returns a :class:`BuildReport`.
    """
    t_start = time.perf_counter()
    grid = Grid.from_axes(speeds, grades, mass, height)  # type: ignore[arg-type]
    if solve_fn is None:
        from runmuscles.ocp.problem import GRADE_RANGE, SPEED_RANGE, Gait

        (vlo, vhi), (glo, ghi) = SPEED_RANGE[Gait.RUN], GRADE_RANGE[Gait.RUN]
        if (
            grid.speeds[0] < vlo
            or grid.speeds[-1] > vhi
            or grid.grades[0] < glo
            or (grid.grades[-1] > ghi)
        ):
            raise InputError(
                f"the grid {grid.speeds[0]:g}..{grid.speeds[-1]:g} m/s x "
                f"{grid.grades[0] * 100:+g}..{grid.grades[-1] * 100:+g} % leaves the running "
                f"model's range {vlo:g}..{vhi:g} m/s x {glo * 100:+g}..{ghi * 100:+g} %"
            )
        solve_fn = predictive_solve
    if workers < 0:
        raise InputError(f"--workers {workers}: give 0 (in this process) or more")
    output = Path(output)
    store = PartStore(output, grid.mass, grid.height, _solver_id(solve_fn))
    report = BuildReport(output=output)
    rank = bfs_order(grid)
    nodes = sorted(grid.nodes(), key=rank.__getitem__)
    guesses: dict[Node, Any] = {}
    info: dict[Node, dict[str, Any]] = {}
    for n in nodes:
        part = store.load_done(grid.condition(n))
        if part is not None:
            guesses[n], info[n] = part["guess"], part["info"]
            report.reused.append(grid.condition(n).key)
    tried: dict[Node, list[Node | None]] = {n: [] for n in nodes}
    errors: dict[Node, tuple[str, str]] = {}
    failed: set[Node] = set()
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
        st, msg = errors[n]
        report.failed[grid.condition(n).key] = st
        store.save_failed(
            grid.condition(n),
            {
                "status": st,
                "message": msg,
                "attempts": len(tried[n]),
                "sources": [None if s is None else grid.condition(s).key for s in tried[n]],
            },
        )

    def next_task() -> tuple[Node, Node | None] | None:
        todo = pending()
        for n in todo:
            src = source_for(n)
            if src is not False:
                return n, src  # type: ignore[return-value]
        if running:
            return None
        # stuck: nothing solved next to what is left
        for n in todo:
            if tried[n]:
                if tried[n][0] is not None and None not in tried[n]:
                    return n, None  # retry cold: no other neighbour was solved
                give_up(n)
                status(grid.condition(n).label())
        todo = pending()
        return (todo[0], None) if todo else None

    executor: Any
    if scheduler is not None:
        executor = _Dask(scheduler)
    elif workers == 0:
        executor = _Serial()
    else:
        executor = _Local(workers)
    restarts = 0
    status()
    try:
        with _one_thread_env():
            while True:
                while len(running) < executor.capacity:
                    task = next_task()
                    if task is None:
                        break
                    n, src = task
                    tried[n].append(src)
                    guess = None if src is None else guesses[src]
                    fut = executor.submit(_run_one, solve_fn, grid.condition(n), guess)
                    running[fut] = (n, src)
                    status()
                if not running:
                    break
                for fut in executor.wait(list(running)):
                    n, src = running.pop(fut)
                    cond = grid.condition(n)
                    try:
                        ok, value, wall = fut.result()
                    except cf.process.BrokenProcessPool:
                        # a worker died (killed, out of memory): restart the pool, resubmit
                        restarts += 1
                        if restarts > MAX_POOL_RESTARTS:
                            raise RunmusclesError(
                                f"worker processes died {restarts} times; finished conditions "
                                f"are saved in {store.folder}: re-run the same command"
                            ) from None
                        executor.restart()
                        redo = [n, *(m for m, _ in running.values())]
                        running.clear()
                        for m in redo:
                            tried[m].pop()
                        break
                    except Exception as exc:  # e.g. Dask's KilledWorker
                        ok, value, wall = False, (type(exc).__name__, str(exc)), 0.0
                    if ok:
                        out: Outcome = value
                        meta = {
                            "attempts": len(tried[n]),
                            "build_wall_time_s": wall,
                            "warm_start_from": None
                            if src is None
                            else [grid.speeds[src[0]], grid.grades[src[1]]],
                        }
                        store.save_done(cond, out, meta)
                        guesses[n], info[n] = out.guess, {**out.info, **meta}
                        report.solved.append(cond.key)
                        report.times_s[cond.key] = wall
                    else:
                        errors[n] = value
                        if len(tried[n]) >= MAX_ATTEMPTS:
                            give_up(n)
                    status(cond.label(), wall)
    except BaseException:
        executor.close(cancel=True)
        raise
    executor.close()
    from runmuscles.atlas.table import assemble

    provenance = {
        "command": command or " ".join(sys.argv),
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "solve_fn": _solver_id(solve_fn),
        "workers": workers if scheduler is None else f"dask: {executor.capacity} threads",
    }
    failures = {n: errors.get(n, ("not_attempted", "")) for n in nodes if n not in guesses}
    for n in list(failures):
        old = store.load_failed(grid.condition(n))
        if n not in errors and old:
            failures[n] = (str(old.get("status")), str(old.get("message")))
    assemble(grid, store, info, failures, provenance).save(output)
    report.wall_s = time.perf_counter() - t_start
    return report
