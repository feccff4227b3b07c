"""The build machinery with the stand-in solve (NOT physiology): continuation order, parallel
workers, resume after a kill, retry then recorded failure, the realism gate, strides written for
predict, Dask LocalCluster."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from runmuscles.atlas import (
    Atlas,
    Dask,
    GaitGrid,
    Grid,
    InProcess,
    LocalProcesses,
    build_atlas,
    standin_solve,
)
from runmuscles.atlas.build import BuildStatus
from runmuscles.errors import InputError, OutOfRangeError

SPEEDS, GRADES = "3:4:0.5", "-5%:5%:5%"  # 3 x 3, start (3.5, 0) in the middle
GRID = Grid.from_axes(SPEEDS, GRADES)
ROOT = Path(__file__).resolve().parents[2]


def _content(atlas: Atlas) -> dict[str, np.ndarray]:
    skip = {"solve_time_s", "warm_start_speed", "warm_start_grade", "attempts", "iterations",
            "cell_provenance"}  # fmt: skip
    return {str(k): v.values for k, v in atlas.ds.data_vars.items() if k not in skip}


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    out = tmp_path_factory.mktemp("serial") / "a.nc"
    build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve)
    return Atlas.load(out)


def _assert_same(a: Atlas, b: Atlas) -> None:
    ca, cb = _content(a), _content(b)
    assert ca.keys() == cb.keys()
    for k in ca:
        np.testing.assert_array_equal(ca[k], cb[k], err_msg=k)


def _assert_warm_chain(atlas: Atlas) -> None:
    ws, wg = atlas.ds["warm_start_speed"].values, atlas.ds["warm_start_grade"].values
    assert np.isnan(ws).sum() == 1  # one cold start, everything else continued
    for i, v in enumerate(atlas.speeds):
        for j, g in enumerate(atlas.grades):
            if not np.isnan(ws[i, j]):
                assert abs(ws[i, j] - v) <= 0.5 + 1e-9 and abs(wg[i, j] - g) <= 0.05 + 1e-9
                assert (ws[i, j], wg[i, j]) != (v, g)


def test_serial_build_order_and_progress(tmp_path: Path) -> None:
    seen: list[BuildStatus] = []
    rep = build_atlas(
        GRID, executor=InProcess(), output=tmp_path / "a.nc", solve=standin_solve,
        progress=seen.append,
    )  # fmt: skip
    assert rep.solved[0] == "run_v3.500000_g+0.000000" and len(rep.solved) == 9
    # each condition was warm-started from one solved earlier in the build
    atlas = Atlas.load(tmp_path / "a.nc")
    done: set[tuple[float, float]] = set()
    for key in rep.solved:
        v, g = (float(x) for x in key.removeprefix("run_v").split("_g"))
        i, j = list(atlas.speeds).index(v), list(atlas.grades).index(g)
        src = (atlas.ds["warm_start_speed"].values[i, j], atlas.ds["warm_start_grade"].values[i, j])
        assert np.isnan(src[0]) or (float(src[0]), float(src[1])) in done
        done.add((v, g))
    last = seen[-1]
    assert (last.total, last.done, last.failed, last.remaining) == (9, 9, 0, 0)


def test_two_local_workers_give_the_same_atlas(serial: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "a.nc"
    build_atlas(GRID, executor=LocalProcesses(2), output=out, solve=standin_solve)
    atlas = Atlas.load(out)
    _assert_same(serial, atlas)
    _assert_warm_chain(atlas)


def test_killed_build_resumes_without_recomputing(serial: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "a.nc"
    parts = Path(f"{out}.parts")
    code = textwrap.dedent(f"""
        import functools
        from runmuscles.atlas import Grid, InProcess, build_atlas, standin_solve
        build_atlas(Grid.from_axes({SPEEDS!r}, {GRADES!r}), executor=InProcess(),
                    output={str(out)!r}, solve=functools.partial(standin_solve, delay=0.4))
    """)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(list(parts.glob("*.done.pkl"))) < 3:
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert not out.exists()  # killed before the end
    before = {p.name: p.stat().st_mtime_ns for p in parts.glob("*.done.pkl")}
    assert 3 <= len(before) < 9
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve)
    solved_now = {f"{k}.done.pkl" for k in rep.solved}
    assert solved_now.isdisjoint(before)  # no finished condition computed twice
    assert solved_now | set(before) == {p.name for p in parts.glob("*.done.pkl")}
    assert len(solved_now) + len(before) == 9 and len(rep.reused) == len(before)
    for name, mtime in before.items():
        assert (parts / name).stat().st_mtime_ns == mtime
    _assert_same(serial, Atlas.load(out))


def test_a_killed_worker_is_replaced_and_nothing_is_lost(serial: Atlas, tmp_path: Path) -> None:
    marker = tmp_path / "crashed"
    solve = functools.partial(standin_solve, crash_once=(str(marker), (4.0, 0.0)))
    rep = build_atlas(GRID, executor=LocalProcesses(2), output=tmp_path / "a.nc", solve=solve)
    assert marker.exists()  # the worker did die
    assert rep.failed == {} and len(rep.solved) == 9
    atlas = Atlas.load(tmp_path / "a.nc")
    _assert_same(serial, atlas)
    assert atlas.ds["attempts"].values.max() == 1  # a dead worker is not a failed attempt


def test_wider_grid_reuses_the_parts(tmp_path: Path) -> None:
    out = tmp_path / "a.nc"
    build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve)
    wider = Grid.from_axes("3:4.5:0.5", GRADES)
    rep = build_atlas(wider, executor=InProcess(), output=out, solve=standin_solve)
    assert len(rep.reused) == 9 and len(rep.solved) == 3
    assert Atlas.load(out).speed_range == (3.0, 4.5)
    # a finer grid reuses the nodes it shares, and walking joins without touching running
    finer = Grid((GaitGrid("run", (3.0, 3.25, 3.5, 3.75, 4.0), (-0.05, 0.0, 0.05)),
                  GaitGrid("walk", (1.2, 1.4), (0.0, 0.05))))  # fmt: skip
    rep = build_atlas(finer, executor=InProcess(), output=out, solve=standin_solve)
    assert len(rep.reused) == 9 and len(rep.solved) == 6 + 4
    with pytest.raises(InputError, match="another build"):
        build_atlas(Grid.from_axes(SPEEDS, GRADES, mass=60), executor=InProcess(), output=out,
                    solve=standin_solve)  # fmt: skip


def test_failure_is_retried_from_another_neighbour(serial: Atlas, tmp_path: Path) -> None:
    # (4.0, +5 %) is first warm-started from its nearest solved neighbour in the serial build
    i, j = 2, 2
    src = (
        float(serial.ds["warm_start_speed"].values[i, j]),
        float(serial.ds["warm_start_grade"].values[i, j]),
    )
    flaky = functools.partial(standin_solve, fail_from=frozenset({((4.0, 0.05), src)}))
    rep = build_atlas(GRID, executor=InProcess(), output=tmp_path / "a.nc", solve=flaky)
    assert rep.failed == {}
    atlas = Atlas.load(tmp_path / "a.nc")
    assert atlas.ds["attempts"].values[i, j] == 2
    second = (atlas.ds["warm_start_speed"].values[i, j], atlas.ds["warm_start_grade"].values[i, j])
    assert second != src and not np.isnan(second[0])


def test_persistent_failure_is_recorded_and_lookup_near_it_refused(tmp_path: Path) -> None:
    bad = functools.partial(standin_solve, fail=frozenset({(4.0, 0.05)}))
    out = tmp_path / "a.nc"
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=bad)
    assert rep.failed == {"run_v4.000000_g+0.050000": "StandIn_Failure"}
    assert Path(f"{out}.parts/run_v4.000000_g+0.050000.failed.json").is_file()
    atlas = Atlas.load(out)
    (miss,) = atlas.missing()
    assert (miss["speed"], miss["grade"], miss["status"]) == (4.0, 0.05, "StandIn_Failure")
    assert "stand-in failure at running 4 m/s" in miss["message"]
    assert atlas.ds["attempts"].values[2, 2] == 2 and atlas.ds["cell_status"].values[2, 2] == 1
    prov = atlas.cell(4.0, 0.05)["cells"][0]["provenance"]
    assert prov["status"] == "StandIn_Failure" and len(prov["sources"]) == 2
    with pytest.raises(OutOfRangeError, match=r"4 m/s \+5% \(StandIn_Failure\).*--retry-failed"):
        atlas.lookup(np.array([3.5, 3.9]), np.array([0.0, 0.04]))
    atlas.lookup(np.array([3.4, 4.0, 3.9]), np.array([0.04, 0.0, -0.01]))  # away from it: fine
    # a re-run of the same problem does not solve it again from the same starts: it would fail
    # the same way (the failure record carries the problem's key)
    label = "running 4 m/s, grade +5 %"
    solved_again: list[float] = []

    def watch(s: BuildStatus) -> None:
        if s.last == label and s.last_time_s > 0:
            solved_again.append(s.last_time_s)

    # (it has three solved neighbours and was tried from two: the re-run tries the third once)
    rep2 = build_atlas(GRID, executor=InProcess(), output=out, solve=bad, progress=watch)
    assert len(rep2.reused) == 8 and rep2.failed == rep.failed and len(solved_again) == 1
    miss = Atlas.load(out).missing()[0]
    prov = Atlas.load(out).cell(4.0, 0.05)["cells"][0]["provenance"]
    assert miss["status"] == "StandIn_Failure" and len(set(prov["sources"])) == 3
    rep3 = build_atlas(GRID, executor=InProcess(), output=out, solve=bad, progress=watch)
    assert rep3.failed == rep.failed and len(solved_again) == 1  # every start tried: none
    # unless asked to: then it is tried again (and here fails again, deterministically)
    rep4 = build_atlas(
        GRID, executor=InProcess(), output=out, solve=bad, progress=watch, retry_failed=True
    )
    assert rep4.failed == rep.failed and len(solved_again) == 3
    # another problem (here: another solve function) is not bound by this one's failures
    other = functools.partial(standin_solve, fail=frozenset({(4.0, 0.06)}))
    rep5 = build_atlas(GRID, executor=InProcess(), output=tmp_path / "b.nc", solve=other)
    assert rep5.failed == {}


def test_a_failed_start_moves_the_cold_start(tmp_path: Path) -> None:
    bad = functools.partial(standin_solve, fail=frozenset({(3.5, 0.0)}))
    rep = build_atlas(GRID, executor=InProcess(), output=tmp_path / "a.nc", solve=bad)
    assert list(rep.failed) == ["run_v3.500000_g+0.000000"] and len(rep.solved) == 8
    atlas = Atlas.load(tmp_path / "a.nc")
    assert np.isnan(atlas.ds["warm_start_speed"].values).sum() == 2  # the new cold start + gap


def test_dask_local_cluster_builds_the_same_atlas(serial: Atlas, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="pip install 'runmuscles[cluster]'")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        rep = build_atlas(
            GRID, executor=Dask(client), output=tmp_path / "a.nc", solve=standin_solve
        )
    assert len(rep.solved) == 9
    atlas = Atlas.load(tmp_path / "a.nc")
    _assert_same(serial, atlas)
    _assert_warm_chain(atlas)
    assert "dask" in atlas.provenance["workers"]


def test_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("runmuscles.atlas.build.CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        build_atlas(GRID, executor=Dask("tcp://127.0.0.1:9"), output=tmp_path / "a.nc",
                    solve=standin_solve)  # fmt: skip


@pytest.mark.parametrize("tty", [True, False])
def test_cli_build_with_progress_bar(
    tty: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import runmuscles.atlas
    from runmuscles.cli import main

    real = runmuscles.atlas.build_atlas

    def standin_build(*args: object, **kw: object) -> object:
        kw["solve"] = standin_solve  # the CLI always uses the real solve: swap it for speed
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runmuscles.atlas, "build_atlas", standin_build)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    out = tmp_path / "a.nc"
    argv = ["atlas", "build", "--speeds", SPEEDS, "--grades=-5%:5%:5%", "--workers", "0"]
    assert main([*argv, "-o", str(out)]) == 0
    cap = capsys.readouterr()
    assert "9 conditions solved now" in cap.out and "budget" in cap.out
    assert tty or "done 9, failed 0, remaining 0" in cap.err
    assert Atlas.load(out).provenance["command"].startswith("runmuscles ")
    # --polish: the stand-in's smooth atlas has nothing that stands out
    assert main([*argv, "-o", str(out), "--polish"]) == 0
    assert (
        "polish: 0 cell(s) replaced by a better stride, 0 solve(s) tried" in capsys.readouterr().out
    )


def test_the_realism_gate_refuses_a_converged_but_unrealistic_stride(tmp_path: Path) -> None:
    # the stand-in converges at (4.0, +5 %) with a reserve carrying 8 % of the hip moment
    gate = functools.partial(standin_solve, unrealistic=frozenset({(4.0, 0.05)}))
    out = tmp_path / "a.nc"
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=gate)
    assert rep.failed == {"run_v4.000000_g+0.050000": "Refused_Realism"}
    atlas = Atlas.load(out)
    (miss,) = atlas.missing()
    assert miss["status"] == "Refused_Realism" and "reserve at the hip" in miss["message"]
    assert atlas.ds["cell_status"].values[2, 2] == 3  # refused, not merely failed
    assert atlas.ds["peak_reserve_share"].values[2, 2] == pytest.approx(0.08)
    cell = atlas.cell(4.0, 0.05)["cells"][0]
    assert cell["status"] == "refused" and cell["attempts"] == 2  # retried like a failure
    refused = cell["provenance"]["realism"]["refused_because"]
    assert refused == ["reserve at the hip carries 8.0 % of its peak moment (limit 5 %)"]
    with pytest.raises(OutOfRangeError, match="Refused_Realism"):
        atlas.lookup([3.9], [0.04])


def test_realism_facts_decide_alone() -> None:
    from runmuscles.atlas.realism import MAX_STANCE_SLIP_M_S, check_realism
    from runmuscles.model.runner import Runner

    ok = check_realism({"reserves": {"hip": 0.05, "knee": 0.0}, "stance_slip_m_s": 0.1,
                        "bounds_touched": []})  # fmt: skip
    assert ok.ok and ok.peak_reserve_joint == "hip"
    # the cut is the friction law's transition velocity (creep below it holds static friction)
    assert Runner().contact.transition_velocity == MAX_STANCE_SLIP_M_S
    assert check_realism({"stance_slip_m_s": 0.15}).ok  # the creep of a hard push-off
    slip = check_realism({"stance_slip_m_s": 0.25})
    assert not slip.ok and "slides at 0.25 m/s" in slip.reasons[0]
    assert "this project's choice" in slip.reasons[0] and slip.checked == ("stance_slip",)
    bound = check_realism({"bounds_touched": ["knee_r", "knee_l"]})
    assert bound.reasons == ("coordinates at a bound of the problem: knee_r, knee_l",)
    assert check_realism({}).ok and check_realism({}).checked == ()  # nothing to check
    nan = check_realism({"reserves": {"hip": float("nan")}})
    assert not nan.ok  # an unknown reserve share is not a pass


def test_the_build_writes_strides_for_predict_to_start_from(tmp_path: Path) -> None:
    from runmuscles.prediction import StrideStore

    grid = Grid.from_axes("3:4.5:0.5", "-10%:10%:5%")  # 4 x 5
    solve = functools.partial(standin_solve, warm_start_objects=True)
    rep = build_atlas(grid, executor=InProcess(), output=tmp_path / "a.nc", solve=solve,
                      strides=tmp_path / "strides")  # fmt: skip
    # border + both indices even: every border cell, and (2, 2) inside
    assert rep.strides_written == 4 * 5 - 2 * 3 + 1
    store = StrideStore(tmp_path / "strides", writable=False)
    entries = store.entries()
    assert len(entries) == rep.strides_written
    assert rep.strides_bytes == sum(e["file"].stat().st_size for e in entries)
    with np.load(entries[0]["file"]) as data:
        assert data["z"].dtype == np.float32

    class Standin:
        def fingerprint(self) -> str:
            return "standin"

    ws = store.nearest(Standin(), "run", 3.6, 0.01, 0)  # type: ignore[arg-type]
    # (3.5, 0) is inside with an odd speed index: no stride; (4.0, 0) is the nearest stored
    assert ws is not None and (ws.speed, ws.grade) == (4.0, 0.0)
    assert np.allclose(ws.z, [4.0, 0.0, ws.z[2]])
    none = build_atlas(grid, executor=InProcess(), output=tmp_path / "b.nc", solve=solve,
                       strides=tmp_path / "s2", stride_cells="none")  # fmt: skip
    assert none.strides_written == 0
    with pytest.raises(InputError, match="stride_cells"):
        build_atlas(grid, output=tmp_path / "c.nc", solve=solve, strides=tmp_path / "s3",
                    stride_cells="some")  # fmt: skip


def test_two_gaits_build_together_on_two_workers(tmp_path: Path) -> None:
    grid = Grid(
        (GaitGrid("run", (3.0, 3.5), (0.0, 0.05)), GaitGrid("walk", (1.2, 1.4), (0.0, 0.1)))
    )
    seen: list[BuildStatus] = []
    rep = build_atlas(grid, executor=LocalProcesses(2), output=tmp_path / "a.nc",
                      solve=standin_solve, progress=seen.append)  # fmt: skip
    assert len(rep.solved) == 8 and rep.failed == {}
    assert max(s.running for s in seen) == 2  # both seeds at once
    atlas = Atlas.load(tmp_path / "a.nc")
    assert atlas.gaits == ("run", "walk")
    for gait in atlas.gaits:
        assert np.isnan(atlas.table(gait).ds["warm_start_speed"].values).sum() == 1


def test_cli_build_from_a_grid_spec_with_walking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import runmuscles.atlas
    from runmuscles.cli import main

    real = runmuscles.atlas.build_atlas

    def standin_build(*args: object, **kw: object) -> object:
        kw["solve"] = standin_solve  # the CLI always uses the real solve: swap it for speed
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runmuscles.atlas, "build_atlas", standin_build)
    spec = tmp_path / "grid.toml"
    spec.write_text(
        '[run]\nspeeds_m_s = "3:3.5:0.5"\ngrades = ["0%", "5%"]\n'
        '[walk]\nspeeds_m_s = [1.2, 1.4]\ngrades = "-10%:10%:10%"\n'
    )
    out = tmp_path / "a.nc"
    argv = ["atlas", "build", "--grid", str(spec), "--workers", "0", "-o", str(out), "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["solved"] == 4 + 6 and data["atlas_bytes"] == out.stat().st_size
    assert data["size_budget_bytes"] == 20_000_000
    assert Atlas.load(out).ranges("walk") == ((1.2, 1.4), (-0.1, 0.1))
    spec.write_text("[run]\nspeeds_m_s = 3\n")
    assert main(["atlas", "build", "--grid", str(spec), "-o", str(out)]) == 2
    assert "lacks 'grades'" in capsys.readouterr().err


def test_when_every_cold_start_fails_the_gait_is_given_up_quickly(tmp_path: Path) -> None:
    everything = frozenset((v, g) for v in (3.0, 3.5, 4.0) for g in (-0.05, 0.0, 0.05))
    bad = functools.partial(standin_solve, fail=everything)
    seen: list[BuildStatus] = []
    with pytest.raises(InputError, match="no condition of the grid was solved"):
        build_atlas(GRID, executor=InProcess(), output=tmp_path / "a.nc", solve=bad,
                    progress=seen.append)  # fmt: skip
    parts = sorted(Path(f"{tmp_path / 'a.nc'}.parts").glob("*.failed.json"))
    assert len(parts) == 9
    import json

    statuses = [json.loads(p.read_text())["status"] for p in parts]
    assert statuses.count("StandIn_Failure") == 3  # three cold starts, not nine
    assert statuses.count("no_start") == 6


def test_prescribed_joints_do_not_refuse_a_stride() -> None:
    """A large reserve at a joint whose motion is prescribed (shoulder, elbow, lumbar) marks its
    muscles unresolved in the stride; it does not refuse the stride. A leg joint's does."""
    from runmuscles.atlas.realism import check_realism

    ok = check_realism({"reserves": {"hip": 0.01, "shoulder": 0.45}, "stance_slip_m_s": 0.05})
    assert ok.ok and ok.peak_reserve_joint == "hip"
    bad = check_realism({"reserves": {"knee": 0.08, "shoulder": 0.45}, "stance_slip_m_s": 0.05})
    assert not bad.ok and "knee" in bad.reasons[0]


def test_a_time_limit_writes_what_is_solved_and_the_rerun_finishes(
    serial: Atlas, tmp_path: Path
) -> None:
    out = tmp_path / "a.nc"
    slow = functools.partial(standin_solve, delay=0.3)
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=slow, time_limit_s=0.5)
    assert 1 <= len(rep.solved) < 9 and not rep.failed
    assert len(rep.solved) + len(rep.not_attempted) == 9
    atlas = Atlas.load(out)
    missing = atlas.missing("run")
    assert len(missing) == len(rep.not_attempted)
    assert all("time limit" in m["message"] for m in missing), missing
    rep2 = build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve)
    assert len(rep2.reused) == len(rep.solved) and not rep2.not_attempted
    _assert_same(serial, Atlas.load(out))


def test_a_changed_problem_resolves_every_part_from_its_own_previous_solution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.nc"
    build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve)
    seen: list[tuple[tuple[float, float], object]] = []

    @functools.wraps(standin_solve)  # the same solver id: the parts folder stays this build's
    def recording(cond, guess=None):  # type: ignore[no-untyped-def]
        seen.append(((cond.speed, cond.grade), guess))
        return standin_solve(cond, guess)

    import runmuscles.atlas.build as build_mod

    # the same solve under another problem key: what a change of goals or bounds looks like
    monkeypatch.setattr(build_mod, "problem_key", lambda solve_fn, grid: "another-problem")
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=recording)
    assert rep.reused == [] and len(rep.solved) == 9
    assert len(seen) == 9  # each condition once, and none cold
    for (v, g), guess in seen:
        assert guess is not None and (guess["speed"], guess["grade"]) == (v, g)
    atlas = Atlas.load(out)
    np.testing.assert_array_equal(atlas.ds["warm_start_speed"].values[:, 0], atlas.speeds)
    assert (atlas.ds["attempts"].values == 1).all()
    # the same problem again: every part reused, nothing solved
    seen.clear()
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=recording)
    assert len(rep.reused) == 9 and seen == []


def test_another_problems_failure_is_not_reported_as_this_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.nc"
    bad = functools.partial(standin_solve, fail=frozenset({(4.0, 0.05)}))
    build_atlas(GRID, executor=InProcess(), output=out, solve=bad)
    assert Atlas.load(out).missing("run")[0]["status"] != "not_attempted"
    import runmuscles.atlas.build as build_mod

    # a changed model, stopped before it reached that condition: not attempted, not "failed"
    monkeypatch.setattr(build_mod, "problem_key", lambda solve_fn, grid: "another-problem")
    slow = functools.partial(bad, delay=0.3)  # one condition re-solved, then out of time
    rep = build_atlas(GRID, executor=InProcess(), output=out, solve=slow, time_limit_s=0.1)
    assert len(rep.solved) == 1
    missing = [m for m in Atlas.load(out).missing("run") if m["speed"] == 4.0]
    assert rep.not_attempted and all(m["status"] == "not_attempted" for m in missing), missing


def test_the_problem_key_follows_everything_that_shapes_the_predicted_stride(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a change of the metabolic model's smoothing or of a coordinate bound is another problem:
    # a build must not reuse the strides solved before it (the stale-results bug)
    import runmuscles.atlas.build as build_mod
    from runmuscles.atlas.solvers import predictive_solve
    from runmuscles.model import metabolics
    from runmuscles.ocp import node

    key = build_mod.problem_key(predictive_solve, GRID)
    assert build_mod.problem_key(predictive_solve, GRID) == key
    smoothing = dict(metabolics.umberger_rate.__kwdefaults__ or {})
    smoothing["activation_smoothing"] = 0.0
    monkeypatch.setattr(metabolics.umberger_rate, "__kwdefaults__", smoothing)
    assert build_mod.problem_key(predictive_solve, GRID) != key
    monkeypatch.undo()
    assert build_mod.problem_key(predictive_solve, GRID) == key
    monkeypatch.setitem(node.Q_BOUNDS, "pelvis_tilt", (-1.2, 0.5))
    assert build_mod.problem_key(predictive_solve, GRID) != key


def test_polish_candidates_find_a_bump_along_either_axis() -> None:
    from runmuscles.atlas.build import polish_candidates

    grid = Grid.from_axes("2:4:0.5", "-10%:10%:5%")  # 5 x 5
    gg = grid.of("run")
    # a smooth, convex objective (a bowl in speed and grade): no candidate
    obj = {
        ("run", i, j): 0.8 + 0.1 * (v - 3.0) ** 2 + 4.0 * g * g
        for i, v in enumerate(gg.speeds)
        for j, g in enumerate(gg.grades)
    }
    assert polish_candidates(grid, obj) == {}
    # one interior cell 10 % above the bowl: a candidate, judged along the axis where it
    # stands highest above the line between its neighbours
    bumped = dict(obj)
    bumped[("run", 2, 2)] *= 1.10
    assert polish_candidates(grid, bumped) == {
        ("run", 2, 2): (("run", 2, 1), ("run", 2, 3))  # the grade axis (the flatter line)
    }
    # 2 % is under the threshold (3 %, this project's choice); a missing neighbour (a failed
    # cell) leaves that axis out, and an edge cell is judged along the other axis only
    small = dict(obj)
    small[("run", 2, 2)] *= 1.02
    assert polish_candidates(grid, small) == {}
    edge = dict(obj)
    edge[("run", 0, 2)] *= 1.10
    del edge[("run", 0, 1)]
    assert polish_candidates(grid, edge) == {}
    edge[("run", 0, 1)] = obj[("run", 0, 1)]
    assert polish_candidates(grid, edge) == {("run", 0, 2): (("run", 0, 1), ("run", 0, 3))}
    # non-uniform spacing: the line is drawn through the actual speeds
    uneven = Grid.from_axes([2.0, 2.5, 4.0], [0.0, 0.05])
    line = {("run", i, 0): 0.5 * v for i, v in enumerate((2.0, 2.5, 4.0))}  # straight in speed
    assert polish_candidates(uneven, line) == {}
    line[("run", 1, 0)] *= 1.05  # 5 % above the line through the actual speeds
    assert polish_candidates(uneven, line) == {("run", 1, 0): (("run", 0, 0), ("run", 2, 0))}


def test_polish_replaces_a_cell_left_on_a_worse_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the stand-in's cold seed (3.5, 0) lands on a worse local optimum (objective x 1.2); its
    # neighbours, continued from it, do not
    stuck = functools.partial(standin_solve, high_from=frozenset({((3.5, 0.0), None)}))
    plain = build_atlas(GRID, executor=InProcess(), output=tmp_path / "a.nc", solve=stuck)
    assert plain.polished == {} and plain.polish_attempts == 0
    before = Atlas.load(tmp_path / "a.nc").ds["objective"].values[1, 1]
    rep = build_atlas(
        GRID, executor=InProcess(), output=tmp_path / "b.nc", solve=stuck, polish=True
    )
    assert list(rep.polished) == ["run_v3.500000_g+0.000000"]
    done = rep.polished["run_v3.500000_g+0.000000"]
    assert done["objective_before"] == pytest.approx(before)
    assert done["objective"] == pytest.approx(before / 1.2)
    assert done["from"] in ("run_v3.000000_g+0.000000", "run_v4.000000_g+0.000000")
    # tried from the two neighbours of the axis it stood out on; nothing else stood out after
    assert rep.polish_attempts == 2
    atlas = Atlas.load(tmp_path / "b.nc")
    assert atlas.ds["objective"].values[1, 1] == pytest.approx(before / 1.2)
    cell = atlas.cell(3.5, 0.0)["cells"][0]
    assert cell["provenance"]["polished"]["objective_before"] == pytest.approx(before)
    from runmuscles.cli import main

    assert main(["atlas", "info", str(tmp_path / "b.nc"), "--cell", "3.5", "0%"]) == 0
    shown = capsys.readouterr().out
    assert f"polished:             replaced a stride of objective {before:.4g}" in shown
    # the polished cell is saved as a part: a re-run reuses it and has nothing to polish
    again = build_atlas(
        GRID, executor=InProcess(), output=tmp_path / "b.nc", solve=stuck, polish=True
    )
    assert again.polished == {} and again.polish_attempts == 0 and len(again.reused) == 9
