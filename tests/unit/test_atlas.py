"""The atlas (format 2): grids per gait, content extraction, lookup (bilinear on non-uniform
grids, per gait, resolved flags, never clipped), netCDF with per-cell provenance, the format-1
file still read, and its use as load.ConditionTable and by the CLI.

Builds use the stand-in solve (deterministic formulas, NOT physiology) whose every number is
bilinear in speed and grade, so interpolation must reproduce it exactly: an independent truth for
the lookup."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from runmuscles.activity import Segment
from runmuscles.atlas import (
    Atlas,
    Condition,
    GaitGrid,
    Grid,
    InProcess,
    LegacyAtlas,
    build_atlas,
    record_from_cycle,
    shipped_grid,
    standin_solve,
)
from runmuscles.atlas.content import GROUP_VARS, SCALAR_VARS
from runmuscles.atlas.grid import bfs_order, parse_axis
from runmuscles.atlas.solvers import STANDIN_ARMS_RESOLVED_FROM
from runmuscles.cli import main
from runmuscles.conventions import DOFS
from runmuscles.cycle import GaitCycle
from runmuscles.errors import DataError, FileFormatError, InputError, OutOfRangeError
from runmuscles.load import GROUP_KEYS, SCALAR_KEYS, GaitView, lookup_checked, of_run
from runmuscles.units import G

#: running on a NON-uniform grade axis (2.5 % steps near level, 5 % beyond); walking on its own
RUN = GaitGrid("run", (3.0, 3.5, 4.0), (-0.10, -0.025, 0.0, 0.025, 0.10))
WALK = GaitGrid("walk", (1.0, 1.4, 1.8), (-0.10, 0.0, 0.20))
GRID = Grid((RUN, WALK))
SHIPPED_V1 = Path(__file__).resolve().parents[2] / "src" / "runmuscles" / "data" / "atlas.nc"


@pytest.fixture(scope="module")
def atlas_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("atlas") / "a.nc"
    build_atlas(GRID, executor=InProcess(), output=out, solve=standin_solve, command="test")
    return out


@pytest.fixture(scope="module")
def atlas(atlas_path: Path) -> Atlas:
    return Atlas.load(atlas_path)


def expected(v: float, g: float, gait: str = "run") -> dict[str, np.ndarray]:
    """What the stand-in gives at (v, g), the lookup's independent truth."""
    rec = standin_solve(Condition(v, g, gait=gait)).record
    return {**rec.group, **{k: np.array(x) for k, x in rec.scalar.items()}}


# ------------------------------------------------------------------ grid
def test_axes_parse_inclusive_ranges_pieces_and_percent() -> None:
    assert parse_axis("2:6:0.5", "speed").tolist() == [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]
    g = parse_axis("-30%:30%:5%", "grade")
    assert g.size == 13 and g[0] == -0.3 and g[6] == 0.0 and g[-1] == 0.3
    assert parse_axis("3,3.5,4", "speed").tolist() == [3, 3.5, 4]
    mixed = parse_axis(["-20%:-10%:5%", "-5%:5%:2.5%", "10%"], "grade")
    assert mixed.tolist() == [-0.2, -0.15, -0.1, -0.05, -0.025, 0.0, 0.025, 0.05, 0.1]
    for bad in ("2:6", "2:6:0.7", "6:2:0.5", "3", "a:b:c"):
        with pytest.raises(InputError):
            parse_axis(bad, "speed")


def test_the_shipped_grid_covers_what_runners_do() -> None:
    grid = shipped_grid()
    run, walk = grid.of("run"), grid.of("walk")
    # runners run at 2-6.5 m/s; 1.5 m/s holds the slow jogs of the real files
    assert (run.speeds[0], run.speeds[1], run.speeds[-1]) == (1.5, 2.0, 6.5)
    assert (run.grades[0], run.grades[-1]) == (-0.3, 0.3)
    assert (walk.speeds[0], walk.speeds[-1]) == (0.8, 2.5)
    assert (walk.grades[0], walk.grades[-1]) == (-0.3, 0.4)
    # finer between -20 and +20 % than on the steep parts (non-uniform)
    steps = np.diff(run.grades)
    assert steps.min() == pytest.approx(0.05) and steps.max() == pytest.approx(0.1)
    from runmuscles.atlas.ondemand import MODEL_RANGE
    from runmuscles.ocp.problem import GRADE_RANGE, SPEED_RANGE, Gait

    for gait in ("run", "walk"):
        assert MODEL_RANGE[gait] == (SPEED_RANGE[Gait(gait)], GRADE_RANGE[Gait(gait)])
        gg = grid.of(gait)
        (vlo, vhi), (glo, ghi) = MODEL_RANGE[gait]
        assert vlo <= gg.speeds[0] and gg.speeds[-1] <= vhi
        assert glo <= gg.grades[0] and gg.grades[-1] <= ghi


def test_grid_spec_errors_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "g.toml"
    bad.write_text('[run]\nspeeds_m_s = "2:4:0.5"\n')
    with pytest.raises(InputError, match=r"\[run\] lacks 'grades'"):
        Grid.load(bad)
    bad.write_text("[sprint]\n")
    with pytest.raises(InputError, match="unknown sections"):
        Grid.load(bad)
    with pytest.raises(InputError, match="cannot read"):
        Grid.load(tmp_path / "none.toml")


def test_continuation_starts_at_the_seeds_and_goes_breadth_first_per_gait() -> None:
    grid = shipped_grid()
    starts = grid.starts()
    assert [grid.condition(n)[0:2] if False else (grid.condition(n).speed,
            grid.condition(n).grade, n[0]) for n in starts] == [
        (3.5, 0.0, "run"), (1.3, 0.0, "walk")]  # fmt: skip
    rank = bfs_order(grid)
    order = sorted(rank, key=rank.__getitem__)
    assert set(order[:2]) == set(starts)
    for gait in ("run", "walk"):
        s = next(n for n in starts if n[0] == gait)
        mine = [n for n in order if n[0] == gait]
        d = [abs(n[1] - s[1]) + abs(n[2] - s[2]) for n in mine]
        assert d == sorted(d)


def test_every_condition_is_warm_started_from_a_neighbour_of_its_gait(atlas: Atlas) -> None:
    for gait, gg in (("run", RUN), ("walk", WALK)):
        ds = atlas.table(gait).ds
        ws, wg = ds["warm_start_speed"].values, ds["warm_start_grade"].values
        cold = np.isnan(ws)
        assert cold.sum() == 1  # only the seed of the gait is cold
        i, j = np.argwhere(cold)[0]
        assert (gg.speeds[i], gg.grades[j]) == ((3.5, 0.0) if gait == "run" else (1.4, 0.0))
        sp, gr = np.asarray(gg.speeds), np.asarray(gg.grades)
        for a in range(sp.size):
            for b in range(gr.size):
                if cold[a, b]:
                    continue
                ia = int(np.flatnonzero(np.isclose(sp, ws[a, b]))[0])
                ib = int(np.flatnonzero(np.isclose(gr, wg[a, b]))[0])
                assert max(abs(ia - a), abs(ib - b)) == 1  # a grid neighbour


# ------------------------------------------------------------------ lookup
@pytest.mark.parametrize("gait", ["run", "walk"])
def test_lookup_is_exact_at_nodes_and_bilinear_between(atlas: Atlas, gait: str) -> None:
    t = atlas.table(gait)
    rng = np.random.default_rng(1)
    (v0, v1), (g0, g1) = atlas.ranges(gait)
    vv, gg = np.meshgrid(t.speeds, t.grades)
    v = np.concatenate([vv.ravel(), rng.uniform(v0, v1, 40), [v0, v1]])
    g = np.concatenate([gg.ravel(), rng.uniform(g0, g1, 40), [g0, g1]])
    res = atlas.lookup(v, g, gait)
    assert set(GROUP_KEYS) <= set(res) and set(SCALAR_KEYS) <= set(res)
    for k in range(v.size):
        truth = expected(float(v[k]), float(g[k]), gait)
        for key in GROUP_VARS:
            assert res[key].shape == (v.size, len(atlas.groups))
            np.testing.assert_allclose(res[key][k], truth[key], rtol=1e-12)
        for key in SCALAR_VARS:
            assert res[key].shape == (v.size,)
            if key in ("stride_length_m", "cadence_steps_per_min"):
                continue
            np.testing.assert_allclose(res[key][k], truth[key], rtol=1e-12)
    np.testing.assert_allclose(res["stride_length_m"], v * res["stride_time_s"])
    np.testing.assert_allclose(res["cadence_steps_per_min"], 120 / res["stride_time_s"])


def test_resolved_flags_need_every_weighted_corner(atlas: Atlas) -> None:
    # the stand-in marks the arm groups unresolved below 3.25 m/s running, always walking
    arms = [atlas.groups.index(g) for g in ("deltoids", "lats", "biceps", "triceps")]
    legs = [i for i in range(len(atlas.groups)) if i not in arms]
    assert STANDIN_ARMS_RESOLVED_FROM == 3.25
    res = atlas.lookup([3.0, 3.2, 3.5, 3.7, 4.0], [0.0] * 5)["resolved"]
    assert res.shape == (5, 13) and set(np.unique(res)) <= {0.0, 1.0}
    # 3.0 unresolved; 3.2 interpolates 3.0 and 3.5: unresolved; at and above 3.5 resolved
    assert res[:, arms].tolist() == [[0] * 4, [0] * 4, [1] * 4, [1] * 4, [1] * 4]
    assert np.all(res[:, legs] == 1.0)
    walk = atlas.lookup([1.2], [0.05], "walk")["resolved"]
    assert np.all(walk[0, arms] == 0.0) and np.all(walk[0, legs] == 1.0)


def test_lookup_broadcasts_and_accepts_scalars(atlas: Atlas) -> None:
    one = atlas.lookup(3.25, 0.0)
    assert one["concentric_work_j"].shape == (1, 13)
    many = atlas.lookup(np.full(7, 3.25), 0.0)
    assert many["stride_time_s"].shape == (7,)
    np.testing.assert_allclose(many["stride_time_s"], one["stride_time_s"][0])


@pytest.mark.parametrize(
    ("v", "g", "gait"),
    [(2.9, 0.0, "run"), (4.01, 0.0, "run"), (3.5, 0.11, "run"), (1.2, 0.25, "walk")],
)
def test_outside_the_grid_is_refused_never_clipped(
    atlas: Atlas, v: float, g: float, gait: str
) -> None:
    what = "walking" if gait == "walk" else "running"
    with pytest.raises(OutOfRangeError, match=rf"{what} at .* outside the atlas.*simulate"):
        atlas.lookup(np.array([v]), np.array([g]), gait)
    assert atlas.prepare([v], [g], gait)[0].startswith(f"outside the atlas's {what} grid")


def test_gait_interface_of_the_condition_table(atlas: Atlas) -> None:
    assert atlas.gaits == ("run", "walk") and atlas.has("walk") and not atlas.has("swim")
    assert atlas.ranges("run") == ((3.0, 4.0), (-0.1, 0.1))
    assert atlas.ranges("walk") == ((1.0, 1.8), (-0.1, 0.2))
    assert atlas.speed_range == (3.0, 4.0) and atlas.grade_range == (-0.1, 0.1)
    assert atlas.mass_kg == 70.0 and atlas.height_m == 1.75
    assert atlas.groups[0] == "abdominals" and len(atlas.groups) == 13
    view = GaitView(atlas)
    assert view.gait_aware and view.gaits == ("run", "walk")
    out = lookup_checked(atlas, np.array([1.5]), np.array([0.1]), gait="walk")
    assert out["resolved"].shape == (1, 13)
    with pytest.raises(InputError, match="no 'swim' strides"):
        atlas.lookup([3.5], [0.0], "swim")


def test_curves_and_provenance_per_cell(atlas: Atlas) -> None:
    ds = atlas.table("run").ds
    assert ds["joint_angle"].dims == ("speed", "grade", "dof", "stride_fraction")
    assert tuple(ds["dof"].values) == DOFS
    assert ds["grf"].dims == ("speed", "grade", "side", "component", "stride_fraction")
    assert ds["activation"].dims == ("speed", "grade", "muscle", "stride_fraction")
    cell = atlas.cell(3.5, 0.025)
    assert cell["node"] and len(cell["cells"]) == 1
    c = cell["cells"][0]
    assert c["status"] == "solved" and c["peak_reserve_share"] == pytest.approx(0.01)
    prov = c["provenance"]
    assert prov["status"] == "StandIn_Succeeded" and prov["strike"] == "rearfoot"
    assert prov["realism"]["checked"] == ["reserves", "stance_slip", "bounds_touched"]
    assert prov["solver_options"] == {"solver": "stand-in"}
    seed = atlas.cell(3.5, 0.0)["cells"][0]
    assert seed["provenance"]["guess_kept"] == "standin" and seed["warm_start_speed"] is None
    between = atlas.cell(3.25, 0.01)
    assert not between["node"]
    assert sum(c["weight"] for c in between["cells"]) == pytest.approx(1.0)
    # interpolated curves at a condition are the weighted corners'
    at = atlas.at(3.25, 0.0)
    want = 0.5 * (ds["joint_angle"].sel(speed=3.0, grade=0.0) + ds["joint_angle"].sel(
        speed=3.5, grade=0.0))  # fmt: skip
    np.testing.assert_allclose(at["joint_angle"].values, want.values, rtol=1e-6)
    assert at["muscle_resolved"].dtype.kind in "iub"


def test_netcdf_round_trip_with_provenance(atlas: Atlas, tmp_path: Path) -> None:
    again = Atlas.load(atlas.save(tmp_path / "copy.nc"))
    assert again.gaits == ("run", "walk") and again.format_version == 2
    for gait in again.gaits:
        for var in atlas.table(gait).ds.data_vars:
            np.testing.assert_array_equal(
                again.table(gait).ds[var].values, atlas.table(gait).ds[var].values
            )
    prov = again.provenance
    assert prov["command"] == "test" and prov["runmuscles_version"]
    assert "standin_solve" in prov["solve_fn"] and prov["date"].startswith("20")
    assert prov["realism"]["max_reserve_share"] == 0.05
    assert prov["grid"]["walk"]["speeds_m_s"] == [1.0, 1.4, 1.8]
    assert "STAND-IN" in json.loads(again.table("run").ds.attrs["model"])["model"]
    assert "proportional to body mass" in again.scaling_law
    assert again.missing() == []


def test_the_format_1_file_is_still_read_as_running_only() -> None:
    if not SHIPPED_V1.is_file():
        pytest.skip("no format-1 atlas in this checkout")
    old = Atlas.load(SHIPPED_V1)
    if old.format_version != 1:
        pytest.skip("the shipped atlas is format 2 now")
    assert isinstance(old, LegacyAtlas) and old.gaits == ("run",)
    assert old.prepare is None  # the analysis clips at its edges, as it did
    out = old.lookup([3.5], [0.0])
    assert "resolved" not in out and out["concentric_work_j"].shape == (1, len(old.groups))
    assert old.info()["gaits"]["run"]["speeds_m_s"] == old.speeds.tolist()
    assert old.cell(3.5, 0.0)["cells"][0]["status"] == "solved"
    with pytest.raises(OutOfRangeError, match=r"format 1.*cannot be extended"):
        old.lookup([9.0], [0.0])


def test_missing_default_atlas_and_bad_files_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNMUSCLES_ATLAS", str(tmp_path / "none.nc"))
    with pytest.raises(DataError, match="atlas build"):
        Atlas.load()
    (tmp_path / "x.nc").write_text("not netcdf")
    with pytest.raises(FileFormatError, match="not a readable netCDF"):
        Atlas.load(tmp_path / "x.nc")
    import xarray as xr

    xr.Dataset(attrs={"kind": "runmuscles.Atlas", "format_version": 9}).to_netcdf(
        tmp_path / "future.nc", engine="h5netcdf"
    )
    with pytest.raises(FileFormatError, match=r"format 9.*upgrade runmuscles"):
        Atlas.load(tmp_path / "future.nc")


# ------------------------------------------------------------------ as load.ConditionTable
def test_atlas_drives_the_run_analysis_with_both_gaits(atlas: Atlas) -> None:
    segs = [
        Segment(0.0, 600.0, 3.2 * 600, 3.2, 0.04, 24.0, 0.0, None, gait="run"),
        Segment(600.0, 300.0, 1.5 * 300, 1.5, 0.15, 67.5, 0.0, 200.0, gait="walk"),
        Segment(900.0, 300.0, 3.8 * 300, 3.8, -0.06, 0.0, 18.0, 400.0, gait="run"),
    ]
    run = of_run(None, segs, atlas, mass=70.0, height=1.75)
    q = atlas.groups.index("quadriceps")
    e1, e2 = expected(3.2, 0.04), expected(3.8, -0.06)
    w = expected(1.5, 0.15, "walk")
    strides1 = 600.0 / float(e1["stride_time_s"])
    want = (
        strides1 * e1["concentric_work_j"][q]
        + 200.0 * w["concentric_work_j"][q]
        + 400.0 * e2["concentric_work_j"][q]
    )
    got = next(g for g in run.muscles if g.group == "quadriceps")
    assert got.concentric_work_j == pytest.approx(want, rel=1e-9)
    assert run.coverage.computed_share == pytest.approx(1.0)
    assert run.coverage.walked_m == 0.0 and run.coverage.clipped_m == 0.0
    # the arms are unresolved in the walked segment (stand-in), so nothing is built on them
    delt = next(g for g in run.muscles if g.group == "deltoids")
    assert not delt.resolved and delt.vs_flat is None


def test_beyond_the_grid_nothing_is_clipped_the_kilometres_are_named(atlas: Atlas) -> None:
    segs = [
        Segment(0.0, 300.0, 3.5 * 300, 3.5, 0.0, 0.0, 0.0, None, gait="run", start_m=0.0),
        Segment(300.0, 200.0, 5.0 * 200, 5.0, 0.0, 0.0, 0.0, None, gait="run", start_m=1050.0),
        Segment(500.0, 100.0, 3.5 * 100, 3.5, 0.0, 0.0, 0.0, None, gait="run", start_m=2050.0),
    ]
    run = of_run(None, segs, atlas, mass=70.0, height=1.75)
    c = run.coverage
    assert c.clipped_m == 0.0 and c.not_solved_m == pytest.approx(1000.0)
    assert c.not_solved_km == (2, 3)
    assert any("km 2-3" in w and "not computed" in w and "outside" in w for w in run.warnings)
    assert "not computed (km 2-3)" in run.headline
    assert run.segments[1].terrain == "excluded" and "not computed" in run.segments[1].note
    assert run.kilometres[1].not_solved_m == pytest.approx(950.0)
    assert c.to_dict()["not_solved_kilometres"] == [2, 3]


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
    # curves: every coordinate of the cycle, and the ground force of both feet
    dofs = [str(d) for d in cycle.ds["dof"].values]
    assert rec.dofs == tuple(dofs) and rec.joint_angle.shape == (len(dofs), 51)
    rs = cycle.resample(51)
    k = dofs.index("knee_r")
    np.testing.assert_allclose(rec.joint_angle[k], rs.ds["q"].sel(dof="knee_r").values)
    np.testing.assert_allclose(rec.grf[0, 1], rs.ds["grf"].sel(side="r", component="fy").values)
    assert rec.resolved.tolist() == [cycle.resolved(m) for m in cycle.muscles]


# ------------------------------------------------------------------ CLI
def test_explore_json_has_the_simulate_keys_and_curves(
    atlas_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["explore", "--speed", "3.7", "--grade=-3%", "--atlas", str(atlas_path), "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"condition", "summary", "muscles", "groups", "tendons", "joint_loads"} <= set(data)
    assert data["condition"]["gait"] == "run"
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
    assert {"name", "group", "side", "mean_activation", "activation_by_phase", "resolved"} <= set(m)
    assert len(data["curves"]["joint_angle_rad"]["knee_r"]) == 51
    assert set(data["curves"]["grf_n"]) == {"fx_r", "fy_r", "fx_l", "fy_l"}


def test_explore_walking_text_and_out_of_range(
    atlas_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explore", "--speed", "1.2", "--grade", "5%", "--atlas", str(atlas_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Walking at 1.2 m/s") and "quadriceps" in out
    assert "deltoids (not resolved)" in out
    argv = ["explore", "--speed", "6", "--atlas", str(atlas_path), "--no-solve"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "not computed" in err and "outside the atlas's running grid" in err


def test_explore_plot_draws_the_cell(
    atlas_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "cell.png"
    assert main(["explore", "--speed", "3.5", "--atlas", str(atlas_path), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert main(["explore", "--atlas", str(atlas_path), "--plot", str(tmp_path / "x.gif")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err


def test_atlas_info_json_has_the_gaits_and_a_cell(
    atlas_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["atlas", "info", str(atlas_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["speeds_m_s"] == [3.0, 3.5, 4.0] and info["missing"] == []
    assert info["gaits"]["run"]["grades"] == [-0.1, -0.025, 0.0, 0.025, 0.1]
    assert info["gaits"]["walk"]["speeds_m_s"] == [1.0, 1.4, 1.8]
    argv = ["atlas", "info", str(atlas_path), "--cell", "1.4", "-10%", "--gait", "walk", "--json"]
    assert main(argv) == 0
    cell = json.loads(capsys.readouterr().out)
    assert cell["node"] and cell["cells"][0]["gait"] == "walk"
    assert cell["cells"][0]["provenance"]["iterations"] == 1
    assert main(["atlas", "info", str(atlas_path), "--cell", "3.5", "+2.5%"]) == 0
    out = capsys.readouterr().out
    assert "a cell of the atlas" in out and "continued from" in out and "peak reserve" in out


def test_build_refuses_a_grid_beyond_the_model(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="run model's range"):
        build_atlas(Grid.from_axes("6:9:1", "0%:5%:5%"), output=tmp_path / "a.nc")
    with pytest.raises(InputError, match="walk model's range"):
        build_atlas(Grid.from_axes("2:4:1", "0%:5%:5%", gait="walk"), output=tmp_path / "a.nc")
    with pytest.raises(InputError, match="executor"):
        build_atlas(GRID, executor=2, output=tmp_path / "b.nc", solve=standin_solve)  # type: ignore[arg-type]


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
    code = main(["demo", "--json", "--no-solve"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert "quadriceps" in out.out
    cov = data["coverage"]
    assert cov["clipped_km"] == 0.0
    # what lies beyond this small grid is named, never clipped
    assert cov["not_solved_km"] > 0 and cov["not_solved_kilometres"]
    assert any("not solved (--no-solve)" in w for w in data["warnings"])
