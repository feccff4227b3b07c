"""Which stored stride ``predict`` starts from: the nearest, and of two at the same distance the
one solved to the lower objective (a stride in the user's cache must not shadow a better one
shipped for the same condition). Synthetic strides: nothing is solved."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import runmuscles as rm
from runmuscles.ocp.problem import WarmStart, predictive
from runmuscles.prediction import StrideStore, _nearest

RUNNER = rm.Runner()
PROBLEM = predictive(RUNNER, 3.5, 0.0)


def _store(folder: Path, *strides: tuple[float, float, float, float]) -> StrideStore:
    """A store holding (speed, grade, objective, marker) strides; z = [marker]."""
    store = StrideStore(folder)
    for v, g, obj, marker in strides:
        ws = WarmStart(
            z=np.array([marker]), speed=v, grade=g, gait="run",
            n_intervals=PROBLEM.n_intervals, runner_fingerprint=RUNNER.fingerprint(),
        )  # fmt: skip
        store.save_warm_start(ws, obj)
    return store


def test_the_lower_objective_wins_a_tie_across_stores(tmp_path: Path) -> None:
    cache = _store(tmp_path / "cache", (3.5, 0.0, 0.944, 1.0))
    shipped = _store(tmp_path / "shipped", (3.5, 0.0, 0.795, 2.0))
    found = _nearest([cache, shipped], PROBLEM)
    assert found is not None and found.z[0] == 2.0 and found.objective == np.float32(0.795)
    # the other way round: the cache's stride is the better one
    better_cache = _store(tmp_path / "cache2", (3.5, 0.0, 0.70, 3.0))
    assert _nearest([better_cache, shipped], PROBLEM).z[0] == 3.0  # type: ignore[union-attr]


def test_distance_comes_before_the_objective(tmp_path: Path) -> None:
    # a nearer stride wins even with a higher objective (objectives of different conditions
    # are not comparable), within a store and across stores
    one = _store(tmp_path / "one", (3.5, 0.0, 0.9, 1.0), (3.75, 0.0, 0.5, 2.0))
    assert one.nearest(RUNNER, "run", 3.5, 0.0, PROBLEM.n_intervals).z[0] == 1.0  # type: ignore[union-attr]
    far = _store(tmp_path / "far", (4.0, 0.0, 0.1, 3.0))
    assert _nearest([far, one], PROBLEM).z[0] == 1.0  # type: ignore[union-attr]


def test_a_stride_without_a_recorded_objective_loses_a_tie(tmp_path: Path) -> None:
    unknown = _store(tmp_path / "unknown", (3.5, 0.0, float("nan"), 1.0))
    known = _store(tmp_path / "known", (3.5, 0.0, 2.0, 2.0))
    found = _nearest([unknown, known], PROBLEM)
    assert found is not None and found.z[0] == 2.0
    # alone, it is still used
    only = _nearest([unknown], PROBLEM)
    assert only is not None and only.z[0] == 1.0 and only.objective is None
