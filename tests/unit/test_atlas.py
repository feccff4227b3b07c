"""The atlas: grid, content extraction, lookup (bilinear, vectorised, out of range), netCDF,
and its use as load.ConditionTable. Builds use the stand-in solve (NOT physiology) whose every
number is bilinear in speed and grade, so interpolation must reproduce it exactly."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from runmuscles.activity import Segment
from runmuscles.atlas import Atlas, Condition, build_atlas, record_from_cycle, standin_solve
from runmuscles.atlas.content import GROUP_VARS, SCALAR_VARS
from runmuscles.atlas.grid import Grid, bfs_order, parse_axis
from runmuscles.cli import main
from runmuscles.cycle import GaitCycle
from runmuscles.errors import DataError, InputError, OutOfRangeError
from runmuscles.load import GROUP_KEYS, SCALAR_KEYS, of_run
from runmuscles.units import G

SPEEDS, GRADES = "3:4:0.5", "-10%:10%:5%"


@pytest.fixture(scope="module")
def atlas_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("atlas") / "a.nc"
    build_atlas(SPEEDS, GRADES, workers=0, output=out, solve_fn=standin_solve, command="test")
    return out


@pytest.fixture(scope="module")
def atlas(atlas_path: Path) -> Atlas:
    return Atlas.load(atlas_path)


def expected(v: float, g: float) -> dict[str, np.ndarray]:
    """What the stand-in gives at (v, g), the lookup's independent truth."""
    rec = standin_solve(Condition(v, g)).record
    return {**rec.group, **{k: np.array(x) for k, x in rec.scalar.items()}}


# ------------------------------------------------------------------ grid
def test_axes_parse_inclusive_ranges_and_percent() -> None:
    assert parse_axis("2:6:0.5", "speed").tolist() == [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]
    g = parse_axis("-30%:30%:5%", "grade")
    assert g.size == 13 and g[0] == -0.3 and g[6] == 0.0 and g[-1] == 0.3
    assert parse_axis("3,3.5,4", "speed").tolist() == [3, 3.5, 4]
    for bad in ("2:6", "2:6:0.7", "6:2:0.5", "3", "a:b:c"):
        with pytest.raises(InputError):
            parse_axis(bad, "speed")


def test_continuation_starts_at_3_5_level_and_goes_breadth_first() -> None:
    grid = Grid.from_axes("2:6:0.5", "-30%:30%:5%", 70, 1.75)
    start = grid.start()
    assert (grid.speeds[start[0]], grid.grades[start[1]]) == (3.5, 0.0)
    rank = bfs_order(grid)
    order = sorted(rank, key=rank.__getitem__)
    assert order[0] == start
    # breadth first: grid (Manhattan) distance from the start never decreases along the order
    d = [abs(n[0] - start[0]) + abs(n[1] - start[1]) for n in order]
    assert d == sorted(d)


def test_every_condition_is_warm_started_from_a_neighbour_solved_before_it(
    atlas: Atlas,
) -> None:
    ds = atlas.ds
    ws, wg = ds["warm_start_speed"].values, ds["warm_start_grade"].values
    cold = np.isnan(ws)
    assert cold.sum() == 1 and cold[1, 2]  # only the start (3.5 m/s, 0 %) is cold
    dv, dg = 0.5, 0.05
    for i, v in enumerate(atlas.speeds):
        for j, g in enumerate(atlas.grades):
            if not cold[i, j]:
                assert 0 < max(abs(ws[i, j] - v) / dv, abs(wg[i, j] - g) / dg) <= 1 + 1e-9


# ------------------------------------------------------------------ lookup
def test_lookup_is_exact_at_nodes_and_bilinear_between(atlas: Atlas) -> None:
    rng = np.random.default_rng(1)
    v = np.concatenate([atlas.speeds, rng.uniform(3, 4, 50), [3.0, 4.0]])
    g = np.concatenate([atlas.grades[: atlas.speeds.size], rng.uniform(-0.1, 0.1, 50), [-0.1, 0.1]])
    res = atlas.lookup(v, g)
    assert set(GROUP_KEYS) <= set(res) and set(SCALAR_KEYS) <= set(res)
    for k in range(v.size):
        truth = expected(float(v[k]), float(g[k]))
        for key in GROUP_VARS:
            assert res[key].shape == (v.size, len(atlas.groups))
            np.testing.assert_allclose(res[key][k], truth[key], rtol=1e-12)
        for key in SCALAR_VARS:
            assert res[key].shape == (v.size,)
            if key in ("stride_length_m", "cadence_steps_per_min"):
                continue
            np.testing.assert_allclose(res[key][k], truth[key], rtol=1e-12)
    # derived stride quantities stay consistent
    np.testing.assert_allclose(res["stride_length_m"], v * res["stride_time_s"])
    np.testing.assert_allclose(res["cadence_steps_per_min"], 120 / res["stride_time_s"])


def test_lookup_broadcasts_and_accepts_scalars(atlas: Atlas) -> None:
    one = atlas.lookup(3.25, 0.0)
    assert one["concentric_work_j"].shape == (1, 12)
    many = atlas.lookup(np.full(7, 3.25), 0.0)
    assert many["stride_time_s"].shape == (7,)
    np.testing.assert_allclose(many["stride_time_s"], one["stride_time_s"][0])


@pytest.mark.parametrize(("v", "g"), [(2.9, 0.0), (4.01, 0.0), (3.5, 0.11), (3.5, -0.2)])
def test_outside_the_grid_is_refused_with_the_fix(atlas: Atlas, v: float, g: float) -> None:
    with pytest.raises(
        OutOfRangeError, match=r"outside the atlas.*atlas build --speeds=.*simulate"
    ):
        atlas.lookup(np.array([3.5, v]), np.array([0.0, g]))


def test_protocol_properties(atlas: Atlas) -> None:
    assert atlas.speed_range == (3.0, 4.0)
    assert atlas.grade_range == (-0.1, 0.1)
    assert atlas.mass_kg == 70.0 and atlas.height_m == 1.75
    assert atlas.groups[0] == "abdominals" and len(atlas.groups) == 12


def test_netcdf_round_trip_with_provenance(atlas: Atlas, tmp_path: Path) -> None:
    again = Atlas.load(atlas.save(tmp_path / "copy.nc"))
    for var in atlas.ds.data_vars:
        np.testing.assert_array_equal(again.ds[var].values, atlas.ds[var].values)
    prov = again.provenance
    assert prov["command"] == "test" and prov["runmuscles_version"]
    assert "standin_solve" in prov["solve_fn"] and prov["date"].startswith("20")
    assert "STAND-IN" in prov["model"]["model"]
    assert "proportional to body mass" in again.ds.attrs["scaling_law"]
    assert again.missing() == []


def test_missing_default_atlas_and_bad_files_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNMUSCLES_ATLAS", str(tmp_path / "none.nc"))
    with pytest.raises(DataError, match="atlas build"):
        Atlas.load()
    (tmp_path / "x.nc").write_text("not netcdf")
    with pytest.raises(Exception, match="not a readable netCDF"):
        Atlas.load(tmp_path / "x.nc")


# ------------------------------------------------------------------ as load.ConditionTable
def test_atlas_drives_the_run_analysis(atlas: Atlas) -> None:
    segs = [
        Segment(0.0, 600.0, 3.2 * 600, 3.2, 0.04, 24.0, 0.0, None),
        Segment(600.0, 300.0, 3.8 * 300, 3.8, -0.06, 0.0, 18.0, 400.0),
    ]
    run = of_run(None, segs, atlas, mass=70.0, height=1.75)
    # hand computation for the quadriceps from the stand-in truth
    q = atlas.groups.index("quadriceps")
    e1, e2 = expected(3.2, 0.04), expected(3.8, -0.06)
    strides1 = 600.0 / float(e1["stride_time_s"])
    want = strides1 * e1["concentric_work_j"][q] + 400.0 * e2["concentric_work_j"][q]
    got = next(g for g in run.muscles if g.group == "quadriceps")
    assert got.concentric_work_j == pytest.approx(want, rel=1e-9)


# ------------------------------------------------------------------ content from a GaitCycle
def test_record_of_an_analytic_stride() -> None:
    from tests.unit.test_cycle import F0, GASTROC, PMET, T, _stride

    cycle = GaitCycle.from_arrays(**_stride())
    rec = record_from_cycle(cycle)
    calves = rec.groups.index("calves")
    assert rec.groups == ("calves",)
    # soleus_r + soleus_l = F0 at every instant, plus two gastrocs of GASTROC
    assert rec.group["impulse_ns"][calves] == pytest.approx((F0 + 2 * GASTROC) * T, rel=1e-6)
    # one leg: F0 (1 + sin)/2 + GASTROC peaks at F0 + GASTROC
    assert rec.group["peak_force_n"][calves] == pytest.approx(F0 + GASTROC, rel=1e-6)
    assert rec.group["metabolic_energy_j"][calves] == pytest.approx(2 * 3 * PMET * T, rel=1e-6)
    conc = sum(cycle.fibre_work(m)[0] for m in cycle.muscles)
    assert rec.group["concentric_work_j"][calves] == pytest.approx(conc)
    assert rec.scalar["achilles_peak_force_n"] == pytest.approx(F0 + GASTROC, rel=1e-6)
    assert rec.scalar["achilles_impulse_ns"] == pytest.approx((F0 + 2 * GASTROC) * T, rel=1e-6)
    assert np.isnan(rec.scalar["patellar_peak_force_n"])  # no quadriceps in this stride
    assert rec.scalar["knee_load_peak_bw"] == pytest.approx(8.0, rel=1e-6)
    assert rec.scalar["stride_time_s"] == pytest.approx(T)
    assert rec.activation.shape == (4, 51)
    i = rec.muscles.index("gastroc_r")
    np.testing.assert_allclose(rec.activation[i], 0.2)


# ------------------------------------------------------------------ CLI
def test_explore_json_has_the_simulate_keys(
    atlas_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["explore", "--speed", "3.7", "--grade=-3%", "--atlas", str(atlas_path), "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {"condition", "summary", "muscles", "groups", "tendons", "joint_loads"} <= set(data)
    truth = expected(3.7, -0.03)
    q = list(data["groups"]).index("quadriceps")
    assert data["groups"]["quadriceps"]["eccentric_work_j"] == pytest.approx(
        truth["eccentric_work_j"][q]
    )
    bw = 70.0 * G
    assert data["tendons"]["achilles_peak_force_bw"] == pytest.approx(
        float(truth["achilles_peak_force_n"]) / bw
    )
    m = data["muscles"][0]
    assert {"name", "group", "side", "mean_activation", "activation_by_phase"} <= set(m)


def test_explore_text_and_out_of_range(
    atlas_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explore", "--speed", "3.5", "--atlas", str(atlas_path)]) == 0
    assert "quadriceps" in capsys.readouterr().out
    assert main(["explore", "--speed", "6", "--atlas", str(atlas_path)]) == 2
    assert "outside the atlas" in capsys.readouterr().err
    assert main(["atlas", "info", str(atlas_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["speeds_m_s"] == [3.0, 3.5, 4.0] and info["missing"] == []


def test_build_refuses_a_grid_beyond_the_model(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="running model's range"):
        build_atlas("6:9:1", "0%:5%:5%", output=tmp_path / "a.nc")
    solve = functools.partial(standin_solve)
    with pytest.raises(InputError, match="workers"):
        build_atlas(SPEEDS, GRADES, workers=-1, output=tmp_path / "b.nc", solve_fn=solve)


def test_analysis_without_an_atlas_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RUNMUSCLES_ATLAS", str(tmp_path / "none.nc"))
    assert main(["demo"]) == 4
    err = capsys.readouterr().err
    assert "no muscle atlas" in err and "atlas build" in err and err.count("\n") == 1


def test_analysis_runs_on_a_built_atlas(
    atlas_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the shipped-atlas path end to end (stand-in numbers: this checks plumbing, not physiology)
    monkeypatch.setenv("RUNMUSCLES_ATLAS", str(atlas_path))
    code = main(["demo", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "quadriceps" in out.out
