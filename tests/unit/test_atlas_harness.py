"""The interpolation-error harness on the stand-in solve (NOT physiology). With a term
``c * v**2`` added, bilinear interpolation at the middle of a speed step ``h`` is off by exactly
``c * h**2 / 4`` times each value's factor: the harness must report that, row by row."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from runmuscles.atlas import (
    Atlas,
    Condition,
    GaitGrid,
    Grid,
    InProcess,
    build_atlas,
    interpolation_error,
    standin_solve,
)
from runmuscles.atlas.harness import SIGNIFICANT_SHARE, cell_centres

C = 0.02  # curvature of the stand-in (1 / (m/s)^2)


@pytest.fixture(scope="module")
def curved(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    out = tmp_path_factory.mktemp("curved") / "a.nc"
    grid = Grid((GaitGrid("run", (2.0, 3.0, 4.0, 5.0), (-0.1, 0.0, 0.1)),
                 GaitGrid("walk", (1.0, 1.5, 2.0), (0.0, 0.1, 0.2))))  # fmt: skip
    solve = functools.partial(standin_solve, curvature=C)
    build_atlas(grid, executor=InProcess(), output=out, solve=solve)
    return Atlas.load(out)


def test_cell_centres_spread_over_both_gaits(curved: Atlas) -> None:
    conds = cell_centres(curved, 10)
    assert len(conds) >= 10 and {c.gait for c in conds} == {"run", "walk"}
    for c in conds:
        t = curved.table(c.gait)
        assert c.speed not in t.speeds and c.grade not in t.grades  # off-grid


def test_the_error_table_matches_the_known_interpolation_error(curved: Atlas) -> None:
    solve = functools.partial(standin_solve, curvature=C)
    table = interpolation_error(curved, solve, n=12)
    assert len(table.conditions) >= 10 and not table.failed
    kinds = {r["kind"] for r in table.rows}
    assert kinds == {"concentric", "eccentric"}
    for r in table.rows:
        t = curved.table(r["gait"])
        i = int(np.searchsorted(t.speeds, r["speed_m_s"])) - 1
        h = float(t.speeds[i + 1] - t.speeds[i])
        v, g = r["speed_m_s"], r["grade"]
        base = 1.0 + 0.5 * v + 2.0 * g + 0.3 * v * g + C * v * v
        # the same factor multiplies the fresh value and the error: it cancels in the ratio
        assert r["rel_error"] == pytest.approx(C * h * h / 4 / base, rel=1e-9), r
        assert r["lookup_j"] > r["fresh_j"]  # a convex term is overestimated between nodes
    # the stand-in leaves the arms unresolved when walking: never significant there
    walk_arms = [r for r in table.rows if r["gait"] == "walk" and r["group"] == "biceps"]
    assert walk_arms and not any(r["significant"] for r in walk_arms)
    summary = table.summary()
    assert summary and all(s["max_abs_rel_error"] >= s["mean_abs_rel_error"] for s in summary)
    assert table.max_error == pytest.approx(max(abs(r["rel_error"]) for r in table.significant()))
    md = table.to_markdown()
    assert md.startswith("| gait | group | work |") and "quadriceps" in md
    assert table.to_dict()["significant_share"] == SIGNIFICANT_SHARE


def test_a_fresh_solve_that_fails_is_listed_not_compared(curved: Atlas) -> None:
    conds = [Condition(2.5, -0.05), Condition(3.5, 0.05)]
    bad = functools.partial(standin_solve, curvature=C, fail=frozenset({(3.5, 0.05)}))
    table = interpolation_error(curved, bad, conds)
    assert [c["speed_m_s"] for c in table.conditions] == [2.5]
    (f,) = table.failed
    assert f["speed_m_s"] == 3.5 and "StandIn_Failure" in f["why"]
    assert "not compared: run 3.5 m/s +5 %" in table.to_markdown()


def test_the_harness_command_line_parses_its_options(tmp_path: Path) -> None:
    from runmuscles.atlas.harness import main

    with pytest.raises(SystemExit):
        main(["--help"])


def test_two_workers_give_the_same_table(curved: Atlas) -> None:
    """The harness's conditions solved in two spawned processes: the same rows as in one."""
    solve = functools.partial(standin_solve, curvature=C)
    one = interpolation_error(curved, solve, n=4)
    two = interpolation_error(curved, solve, n=4, workers=2)
    assert one.rows == two.rows and len(one.rows) > 0


def test_tries_keep_the_lower_objective_of_two_corners(curved: Atlas) -> None:
    """With ``tries=2`` the fresh solve is the better of the two nearest corners' (what an atlas
    built with --polish keeps), not the first that converges."""
    from runmuscles.atlas.guesses import NodeGuesses

    cond = Condition(2.5, -0.05)
    t = curved.table("run")
    have = [(float(t.speeds[i]), float(t.grades[j])) for i, j, _ in t.weights(2.5, -0.05)]
    (first, _), (second, _) = NodeGuesses().candidates(cond, have)[:2]
    src = NodeGuesses().candidates(cond, have)[0][1]
    # from the nearest corner the stand-in lands on a worse optimum (objective x 1.2)
    stuck = functools.partial(
        standin_solve, curvature=C,
        high_from=frozenset({((2.5, -0.05), (src["speed"], src["grade"]))}),
    )  # fmt: skip
    one = interpolation_error(curved, stuck, [cond])
    two = interpolation_error(curved, stuck, [cond], tries=2)
    assert one.conditions[0]["warm_start"] == first
    assert two.conditions[0]["warm_start"] == second
