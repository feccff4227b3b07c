"""A bounded pool for analyses: at most ``workers`` run at once, at most ``queue`` more wait;
beyond that a request is refused at once with 503 and ``Retry-After`` (:class:`Busy`).

A waiting upload holds its file in the multipart parser's spooled temporary file (on disk above
1 MB), not in memory: the bytes are read inside the worker. So memory grows with ``workers``, not
with the number of uploads in flight. Identical files submitted together (a double click) are
analysed once: the second waits for the first's result (:meth:`AnalysisPool.run` with ``key``).
An import job analyses its files one at a time through the same workers, so single uploads are
not starved by a long import.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["AnalysisPool", "Busy"]

T = TypeVar("T")


class Busy(Exception):
    """Every worker and queue place is taken; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AnalysisPool:
    """``workers`` threads with an admission limit of ``workers + queue`` requests."""

    def __init__(self, workers: int = 2, queue: int = 8) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("workers must be >= 1 and queue >= 0")
        self.workers = workers
        self.queue = queue
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="runmuscles-analysis")
        self._lock = threading.Lock()
        self._admitted = 0
        self._inflight: dict[str, Future[Any]] = {}
        self._mean_s = 2.0  # running mean of one analysis, s (for Retry-After)
        self.peak_admitted = 0

    @property
    def admitted(self) -> int:
        return self._admitted

    def retry_after(self) -> int:
        waves = math.ceil((self._admitted + 1) / self.workers)
        return int(min(120, max(1, round(waves * self._mean_s))))

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold one place for the duration of a request; :class:`Busy` when full."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                wait = self.retry_after()
                raise Busy(
                    wait,
                    f"the server is busy with {self._admitted} analyses ({self.workers} at a "
                    f"time); try again in {wait} s",
                )
            self._admitted += 1
            self.peak_admitted = max(self.peak_admitted, self._admitted)
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def _timed(self, fn: Callable[..., T], *args: Any) -> T:
        t0 = time.monotonic()
        try:
            return fn(*args)
        finally:
            dt = time.monotonic() - t0
            with self._lock:
                self._mean_s = 0.8 * self._mean_s + 0.2 * dt

    def submit(
        self, fn: Callable[..., T], *args: Any, key: str | None = None
    ) -> tuple[Future[T], bool]:
        """Run ``fn(*args)`` on a worker; with ``key``, join a running call with the same key.
        Returns the future and whether it was joined (True: someone else's call)."""
        with self._lock:
            if key is not None and key in self._inflight:
                return self._inflight[key], True
            fut = self._executor.submit(self._timed, fn, *args)
            if key is not None:
                self._inflight[key] = fut

                def done(_: Future[Any], k: str = key) -> None:
                    with self._lock:
                        self._inflight.pop(k, None)

                fut.add_done_callback(done)
        return fut, False

    async def run(self, fn: Callable[..., T], *args: Any, key: str | None = None) -> tuple[T, bool]:
        """Await ``fn(*args)`` on a worker; (result, joined) as in :meth:`submit`."""
        fut, joined = self.submit(fn, *args, key=key)
        return await asyncio.wrap_future(fut), joined

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
