"""Conditions beyond the shipped grid, solved on demand by continuation and cached (the stand-in
solve, NOT physiology: its numbers are bilinear in speed and grade, so a cell solved on demand
must look up exactly like the stand-in itself), and what the analysis says when they are not
solved (--no-solve, a failed solve, beyond the model, the web app's short wait)."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runmuscles.activity import Segment
from runmuscles.atlas import (
    Atlas,
    Condition,
    Grid,
    InProcess,
    OnDemandAtlas,
    build_atlas,
    standin_solve,
)
from runmuscles.atlas.cache import lattice_axis
from runmuscles.atlas.ondemand import OnDemandStatus, shutdown_background
from runmuscles.atlas.solvers import Outcome
from runmuscles.cli import main
from runmuscles.load import of_run


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    out = tmp_path_factory.mktemp("atlas") / "a.nc"
    build_atlas(
        Grid.from_axes("3:4:0.5", "-10%:10%:5%"), executor=InProcess(), output=out,
        solve=standin_solve,
    )  # fmt: skip
    return Atlas.load(out)


def logged_solve(condition: Condition, guess: Any = None, *, log: str = "", **kw: Any) -> Outcome:
    """The stand-in, writing one line per call to ``log`` (to count solves across processes)."""
    with open(log, "a", encoding="utf-8") as fh:
        src = None if guess is None else [guess["speed"], guess["grade"]]
        fh.write(json.dumps([condition.speed, condition.grade, src]) + "\n")
    return standin_solve(condition, guess, **kw)


def calls(log: Path) -> list[list[Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def truth(v: float, g: float, key: str = "concentric_work_j") -> np.ndarray:
    return standin_solve(Condition(v, g)).record.group[key]


def test_the_extension_lattice_continues_the_edge_spacing() -> None:
    assert lattice_axis([3.0, 3.5, 4.0], 1.5, 5.2).tolist() == [
        1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.2]  # fmt: skip
    g = lattice_axis([-0.1, -0.025, 0.0, 0.025, 0.1], -0.4, 0.4)
    assert g[0] == -0.4 and g[-1] == 0.4 and -0.175 in g.round(6) and 0.175 in g.round(6)


def test_a_condition_beyond_the_grid_is_solved_from_the_nearest_cell_and_cached(
    base: Atlas, tmp_path: Path
) -> None:
    log = tmp_path / "calls.jsonl"
    seen: list[OnDemandStatus] = []
    solve = functools.partial(logged_solve, log=str(log))
    table = OnDemandAtlas(base, solve=solve, cache=tmp_path / "cache", progress=seen.append)
    with pytest.raises(Exception, match="not solved yet"):
        table.lookup([4.3], [0.07])
    assert table.prepare([4.3, 3.5], [0.07, 0.0]) == ["", ""]
    # the cell [4.0, 4.5] x [5 %, 10 %]: two corners were in the atlas, two solved now, each
    # from its nearest solved cell (a continuation, never cold)
    done = calls(log)
    assert sorted((v, g) for v, g, _ in done) == [(4.5, 0.05), (4.5, 0.1)]
    for v, g, src in done:
        assert src is not None and abs(src[0] - v) <= 0.5 + 1e-9 and abs(src[1] - g) <= 0.05
    np.testing.assert_allclose(table.lookup([4.3], [0.07])["concentric_work_j"][0],
                               truth(4.3, 0.07), rtol=1e-12)  # fmt: skip
    assert seen[-1].total == 2 and seen[-1].done == 2 and "running 4.5 m/s" in seen[-1].last
    cell = table.cell(4.5, 0.1)["cells"][0]
    assert cell["provenance"]["source"] == "solved on demand on this machine"
    # a later table (a later analysis, the web app) reuses the cache: no solve
    again = OnDemandAtlas(base, solve=solve, cache=tmp_path / "cache")
    assert again.prepare([4.2], [0.09]) == [""] and len(calls(log)) == 2
    assert again.provenance["on_demand"]["cells"] == {"run": 2}


def test_far_beyond_the_grid_the_continuation_walks_out_cell_by_cell(
    base: Atlas, tmp_path: Path
) -> None:
    log = tmp_path / "calls.jsonl"
    table = OnDemandAtlas(base, solve=functools.partial(logged_solve, log=str(log)),
                          cache=tmp_path / "cache")  # fmt: skip
    assert table.prepare([6.1], [-0.27]) == [""]
    done = calls(log)
    solved = [(v, g) for v, g, _ in done]
    # the cell's corners, and the lattice nodes on the way out from the grid's corner (4, -10 %)
    assert {(6.0, -0.3), (6.0, -0.25), (6.5, -0.3), (6.5, -0.25)} <= set(solved)
    assert (4.5, -0.15) in solved and (5.0, -0.2) in solved and (5.5, -0.25) in solved
    assert len(solved) == 7
    # each started from a stride one lattice step away (0.5 m/s, 5 %) solved before it
    have = {(v, g) for v in (3.0, 3.5, 4.0) for g in (-0.1, -0.05, 0.0, 0.05, 0.1)}
    for v, g, src in done:
        assert src is not None and tuple(src) in have
        assert abs(src[0] - v) <= 0.5 + 1e-9 and abs(src[1] - g) <= 0.05 + 1e-9
        have.add((v, g))
    np.testing.assert_allclose(table.lookup([6.1], [-0.27])["eccentric_work_j"][0],
                               truth(6.1, -0.27, "eccentric_work_j"), rtol=1e-12)  # fmt: skip


def test_no_solve_the_model_range_and_failures_are_reasons_not_numbers(
    base: Atlas, tmp_path: Path
) -> None:
    off = OnDemandAtlas(base, solve=standin_solve, cache=tmp_path / "c", solving="no-solve")
    why = off.prepare([4.6, 9.0, 3.5], [0.0, 0.0, 0.0])
    grid = "the atlas's running grid (3..4 m/s, -10%..+10%)"
    assert why[0] == f"outside {grid}; not solved (--no-solve)"
    assert why[1] == "outside what the running model is built for (1.5..8 m/s, -40%..+40%)"
    assert why[2] == ""
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").rglob("*.npz"))
    bad = functools.partial(standin_solve, fail=frozenset({(4.5, 0.0)}))
    log = tmp_path / "calls.jsonl"
    table = OnDemandAtlas(base, solve=functools.partial(logged_solve, log=str(log),
                          fail=frozenset({(4.5, 0.0)})), cache=tmp_path / "c")  # fmt: skip
    (why,) = table.prepare([4.2], [0.0])
    assert "could not be solved (StandIn_Failure" in why and "4.5 m/s +0%" in why
    n = len(calls(log))
    assert n == 2  # retried once from the next nearest stride
    # remembered: a later analysis does not retry it
    assert OnDemandAtlas(base, solve=bad, cache=tmp_path / "c").prepare([4.2], [0.0]) == [why]
    assert len(calls(log)) == n


def test_an_unrealistic_stride_solved_on_demand_is_refused(base: Atlas, tmp_path: Path) -> None:
    gate = functools.partial(standin_solve, unrealistic=frozenset({(4.5, 0.05)}))
    table = OnDemandAtlas(base, solve=gate, cache=tmp_path / "c")
    (why,) = table.prepare([4.3], [0.02])
    assert "Refused_Realism" in why and "reserve at the hip" in why


def test_the_analysis_solves_on_demand_instead_of_clipping(base: Atlas, tmp_path: Path) -> None:
    segs = [
        Segment(0.0, 600.0, 3.5 * 600, 3.5, 0.0, 0.0, 0.0, None, gait="run", start_m=0.0),
        Segment(600.0, 200.0, 5.2 * 200, 5.2, 0.14, 145.6, 0.0, None, gait="run",
                start_m=2100.0),
    ]  # fmt: skip
    table = OnDemandAtlas(base, solve=standin_solve, cache=tmp_path / "c")
    run = of_run(None, segs, table, mass=70.0, height=1.75)
    c = run.coverage
    assert c.computed_share == pytest.approx(1.0) and c.clipped_m == 0.0 and c.not_solved_m == 0
    q = run.muscles[0].group and [g.group for g in run.muscles].index("quadriceps")
    st = standin_solve(Condition(5.2, 0.14)).record.scalar["stride_time_s"]
    st0 = standin_solve(Condition(3.5, 0.0)).record.scalar["stride_time_s"]
    want = 600 / st0 * truth(3.5, 0.0)[q] + 200 / st * truth(5.2, 0.14)[q]
    assert run.muscles[q].concentric_work_j == pytest.approx(want, rel=1e-9)
    # and the flat comparison at 5.2 m/s was solved too (the same segment on grade 0)
    flat = standin_solve(Condition(5.2, 0.0)).record
    fq = flat.group["concentric_work_j"][q] * 200 / st * st / flat.scalar["stride_time_s"]
    assert run.muscles[q].flat_concentric_work_j == pytest.approx(
        600 / st0 * truth(3.5, 0.0)[q] + fq, rel=1e-9
    )


def test_the_web_app_waits_briefly_then_says_it_is_being_solved(
    base: Atlas, tmp_path: Path
) -> None:
    slow = functools.partial(standin_solve, delay=0.5)
    try:
        table = OnDemandAtlas(base, solve=slow, cache=tmp_path / "c", solving="wait", wait_s=0.2)
        (why,) = table.prepare([4.3], [0.0])
        assert "being solved in the background (not ready after 0.2 s)" in why
        assert "analyse the run again in a few minutes" in why
        deadline = time.monotonic() + 120
        while (why := table.prepare([4.3], [0.0])[0]) != "":
            assert "being solved" in why and time.monotonic() < deadline
            time.sleep(0.3)
        np.testing.assert_allclose(table.lookup([4.3], [0.0])["concentric_work_j"][0],
                                   truth(4.3, 0.0), rtol=1e-12)  # fmt: skip
    finally:
        shutdown_background()


def test_a_format_1_atlas_is_not_extended() -> None:
    from runmuscles.atlas import on_demand_atlas
    from runmuscles.atlas.table import LegacyAtlas

    shipped = Path(__file__).resolve().parents[2] / "src" / "runmuscles" / "data" / "atlas.nc"
    old = Atlas.load(shipped)
    if not isinstance(old, LegacyAtlas):
        pytest.skip("the shipped atlas is format 2 now")
    assert on_demand_atlas(old) is old
    with pytest.raises(Exception, match="cannot be extended on demand"):
        OnDemandAtlas(old)


def test_the_environment_can_forbid_solving(base: Atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    from runmuscles.atlas import on_demand_atlas
    from runmuscles.atlas.ondemand import NO_SOLVE_ENV, Solving

    monkeypatch.setenv(NO_SOLVE_ENV, "1")
    assert on_demand_atlas(base, solving="solve").solving == Solving.NO_SOLVE  # type: ignore[union-attr]
    monkeypatch.setenv(NO_SOLVE_ENV, "0")
    assert on_demand_atlas(base, solving="solve").solving == Solving.SOLVE  # type: ignore[union-attr]


def test_cli_no_solve_names_the_kilometres_not_computed(
    base: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert base.path is not None
    monkeypatch.setenv("RUNMUSCLES_ATLAS", str(base.path))
    monkeypatch.setenv("RUNMUSCLES_CACHE", str(tmp_path / "cache"))
    assert main(["demo", "--no-solve"]) == 0
    out = capsys.readouterr().out
    assert "not computed (beyond the atlas, not solved)" in out and "km " in out
    assert "not solved (--no-solve)" in out
    # the cache stays empty: nothing was solved
    assert not list((tmp_path / "cache").rglob("*.npz"))


def test_explore_beyond_the_grid_solves_with_the_atlas_model_only(
    base: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a stand-in atlas cannot be extended by the real solver: the model differs, and it says so
    monkeypatch.setenv("RUNMUSCLES_CACHE", str(tmp_path / "cache"))
    assert base.path is not None
    assert main(["explore", "--speed", "4.6", "--atlas", str(base.path)]) != 0
    assert "the model changed since this atlas was built" in capsys.readouterr().err
