"""Motion-capture readers: Fukuchi 2017 table, OpenSim .mot/.sto/.trc, C3D; .sto round trip."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runmuscles.conventions import DOFS
from runmuscles.errors import FileFormatError, InputError, OutOfRangeError, RunmusclesError
from runmuscles.io.fukuchi import read_fukuchi
from runmuscles.io.mocap import read_motion
from runmuscles.io.motion import GroundForce, Motion
from runmuscles.io.opensim import read_opensim, read_table, read_trc, write_sto
from runmuscles.units import DEG, G
from tests.conftest import shared_data

SPEEDS = (2.5, 3.5, 4.5)
NO_EZC3D = "ezc3d is not installed: pip install 'runmuscles[mocap]'"


def fukuchi_path() -> Path:
    return shared_data("fukuchi2017", "RBDS001processed.txt")


@pytest.fixture(scope="module")
def runs() -> dict[float, Motion]:
    return {s: read_fukuchi(fukuchi_path(), s) for s in SPEEDS}


def stance_end(m: Motion, side: str = "r") -> int:
    """Index of the first sample without vertical force after the foot strike."""
    return int(np.argmax(m.grf[side].fy <= 0))


# --- Fukuchi 2017 ---------------------------------------------------------------------------


@pytest.mark.parametrize("speed", SPEEDS)
def test_fukuchi_reads_each_speed(runs: dict[float, Motion], speed: float) -> None:
    m = runs[speed]
    assert m.n_frames == 101
    assert m.speed == speed
    assert m.body_mass == 62.0  # RBDSinfo.txt, subject 1
    for dof in ("hip_r", "knee_r", "ankle_r", "hip_l", "knee_l", "ankle_l"):
        assert set(m.coordinates) >= {dof} and set(m.moments) >= {dof}
        assert np.all(np.isfinite(m.coordinates[dof]))
    assert m.time[-1] == pytest.approx(m.metadata["stride_time_s"])
    # cadence 150-185 steps/min at 3 m/s (Lieberman 2015, SCIENCE.md); wider over 2.5-4.5 m/s
    cadence = 2 * 60 / m.duration
    assert 145 < cadence < 195
    assert m.metadata["stride_time_fit_r"] > 0.99


def test_fukuchi_cadence_rises_with_speed(runs: dict[float, Motion]) -> None:
    # stride frequency rises with speed (Dorn et al. 2012 J Exp Biol 215:1944)
    times = [runs[s].duration for s in SPEEDS]
    assert times[0] > times[1] > times[2]


@pytest.mark.parametrize("speed", SPEEDS)
@pytest.mark.parametrize("side", ["r", "l"])
def test_fukuchi_angles_physically_plausible(
    runs: dict[float, Motion], speed: float, side: str
) -> None:
    m = runs[speed]
    start = 0 if side == "r" else 50  # the left stride starts half a stride later
    roll = -start
    knee = np.roll(m.coordinates[f"knee_{side}"][:100], roll) / DEG
    ankle = np.roll(m.coordinates[f"ankle_{side}"][:100], roll) / DEG
    hip = np.roll(m.coordinates[f"hip_{side}"][:100], roll) / DEG
    fy = np.roll(m.grf[side].fy[:100], roll)
    off = int(np.argmax(fy <= 0))  # toe-off
    assert 0.28 < off / 100 < 0.45  # stance 30-37 % of stride (Gazendam & Hof 2007), jog longer
    # knee slightly flexed at strike, peak flexion in swing > 80 deg (Novacheck 1998)
    assert 0 < knee[0] < 30
    assert knee[off:].max() > 80
    assert knee.argmax() > off
    # forefoot striker (RBDSinfo RFSI = Forefoot): plantarflexed at strike; dorsiflexes in
    # stance; plantarflexed around toe-off
    assert ankle[0] < 0
    assert ankle[:off].max() > 10
    assert ankle[off - 5 : off + 10].min() < -15
    # hip flexed at strike, extended near toe-off, flexing forward in swing
    assert hip[0] > 20
    assert hip[off - 10 : off + 10].min() < 5
    assert hip[off:].max() > hip[0]


@pytest.mark.parametrize("speed", SPEEDS)
def test_fukuchi_grf_balance_laws(runs: dict[float, Motion], speed: float) -> None:
    m = runs[speed]
    assert m.body_mass is not None
    bw = m.body_mass * G
    fy = m.grf["r"].fy + m.grf["l"].fy
    fx = m.grf["r"].fx + m.grf["l"].fx
    # Newton (SCIENCE.md): mean vertical GRF over a stride = body weight (+-3 % steady running);
    # 5 % here because the table drops force below the plate threshold (NaN outside stance).
    mean_fy = np.trapezoid(fy, m.time) / m.duration / bw
    assert mean_fy == pytest.approx(1.0, abs=0.05)
    # steady treadmill speed: net fore-aft impulse ~ 0; braking first, propulsion later
    assert abs(np.trapezoid(fx, m.time) / m.duration / bw) < 0.02
    off = stance_end(m)
    fx_r = m.grf["r"].fx
    assert fx_r[: off // 3].min() < -0.1 * bw
    assert fx_r[2 * off // 3 : off].max() > 0.1 * bw
    assert m.grf["l"].fy[25] == 0 and m.grf["l"].fy[60] > bw  # left stance after mid-stride


def test_fukuchi_peak_vertical_grf_at_35() -> None:
    m = read_fukuchi(fukuchi_path(), 3.5)
    assert m.body_mass is not None
    # active peak 2.2-2.9 BW at 3.5 m/s (Keller 1996 Clin Biomech 11:253; SCIENCE.md)
    assert 2.2 < m.grf["r"].fy.max() / (m.body_mass * G) < 2.9


@pytest.mark.parametrize("speed", SPEEDS)
def test_fukuchi_moment_signs_by_power_identity(runs: dict[float, Motion], speed: float) -> None:
    """Joint power = moment x angular velocity holds only with the model's moment signs."""
    m = runs[speed]
    for side in "rl":
        for joint, r_min in (("knee", 0.99), ("ankle", 0.99), ("hip", 0.6)):
            angle = m.coordinates[f"{joint}_{side}"]
            product = m.moments[f"{joint}_{side}"] * np.gradient(angle, m.time)
            power = m.extra[f"power_{joint}_{side}"]
            assert np.corrcoef(product, power)[0, 1] > r_min, (joint, side)
            if joint != "hip":  # per-joint slope near 1: the fitted stride time fits each joint
                assert product @ power / (product @ product) == pytest.approx(1.0, abs=0.1)


def test_fukuchi_stance_moments_have_physical_signs(runs: dict[float, Motion]) -> None:
    m = runs[3.5]
    mid = stance_end(m) // 2
    assert m.moments["knee_r"][mid] < 0  # quadriceps: extensor moment (knee + = flexion)
    assert m.moments["ankle_r"][mid] < 0  # plantarflexors (ankle + = dorsiflexion)
    assert m.moments["hip_r"][0] < 0  # hip extensors at strike (hip + = flexion)


def test_fukuchi_options_and_errors(tmp_path: Path) -> None:
    path = fukuchi_path()
    m = read_fukuchi(path, 3.5, body_mass=31.0, stride_time=0.7)
    ref = read_fukuchi(path, 3.5)
    assert m.duration == pytest.approx(0.7)
    np.testing.assert_allclose(m.moments["knee_r"], ref.moments["knee_r"] / 2)
    with pytest.raises(OutOfRangeError, match=r"3\.0 m/s.*2\.5, 3\.5 or 4\.5"):
        read_fukuchi(path, 3.0)
    with pytest.raises(InputError, match="speed="):
        read_motion(path)
    assert read_motion(path, speed=4.5) == read_fukuchi(path, 4.5)
    lines = path.read_text().splitlines()
    labels = lines[0].split("\t")
    k = labels.index("RkneeMomZ35")
    labels[k] = "RkneeMomZ35x"
    broken = tmp_path / "RBDS001processed.txt"
    broken.write_text("\n".join(["\t".join(labels), *lines[1:]]))
    (tmp_path / "RBDSinfo.txt").write_text(shared_data("fukuchi2017", "RBDSinfo.txt").read_text())
    with pytest.raises(FileFormatError, match="RkneeMomZ35"):
        read_fukuchi(broken, 3.5)
    read_fukuchi(broken, 2.5)  # other speeds unaffected
    broken.write_text("\n".join([*lines[:50], lines[50][:40]]))
    with pytest.raises(FileFormatError, match="truncated"):
        read_fukuchi(broken, 3.5)
    (tmp_path / "RBDSinfo.txt").unlink()
    broken.write_text(path.read_text())
    with pytest.raises(InputError, match="body_mass="):
        read_fukuchi(broken, 3.5)


# --- OpenSim .sto/.mot/.trc ------------------------------------------------------------------


def test_sto_round_trip_fukuchi(tmp_path: Path, runs: dict[float, Motion]) -> None:
    m = runs[3.5]
    out = write_sto(m, tmp_path / "run.sto")
    back = read_opensim(out)
    assert back == m
    assert back.warnings == ()
    text = out.read_text()
    assert "knee_angle_r\t" in text and "inDegrees=no" in text


def _random_motion(rng: np.random.Generator, n: int = 7) -> Motion:
    return Motion(
        time=np.cumsum(rng.uniform(1e-3, 0.1, n)),
        coordinates={d: rng.normal(size=n) for d in DOFS},
        moments={d: rng.normal(scale=100, size=n) for d in DOFS},
        grf={
            "r": GroundForce(rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)),
            "l": GroundForce(rng.normal(size=n), rng.normal(size=n)),
        },
        extra={"hip_adduction_r": rng.normal(size=n)},
        body_mass=70.123456789,
        speed=3.3,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sto_round_trip_every_field(tmp_path: Path, seed: int) -> None:
    m = _random_motion(np.random.default_rng(seed))
    back = read_opensim(write_sto(m, tmp_path / "m.sto"))
    assert back == m
    assert back != Motion(time=m.time, coordinates=m.coordinates)


def test_sto_table_round_trip(tmp_path: Path) -> None:
    t = np.linspace(0, 1, 5)
    table = {"time": t, "a": np.sqrt(t) / 3, "b": -t * math.pi}
    parsed = read_table(write_sto(table, tmp_path / "t.sto"))
    assert parsed.labels == ["time", "a", "b"]
    np.testing.assert_array_equal(parsed.data, np.column_stack(list(table.values())))
    with pytest.raises(InputError, match="time"):
        write_sto({"a": t}, tmp_path / "x.sto")


MOT_DEG = """Coordinates
version=1
nRows=3
nColumns=9
inDegrees=yes

Units are S.I. units (second, meters, Newtons, ...)
Angles are in degrees.

endheader
time\tpelvis_tx\tpelvis_tilt\thip_flexion_r\tknee_angle_r\tankle_angle_r\tknee_angle_r_moment\
\thip_adduction_r\tlumbar_extension
0.00\t1.5\t-10\t30\t-60\t10\t-50\t5\t4
0.01\t1.6\t-10\t31\t-61\t11\t-51\t5\t4
0.02\t1.7\t-10\t32\t-62\t12\t-52\t5\t4
"""


def test_mot_in_degrees_converts(tmp_path: Path) -> None:
    path = tmp_path / "ik.mot"
    path.write_text(MOT_DEG)
    m = read_motion(path)
    np.testing.assert_allclose(m.coordinates["hip_r"], np.array([30, 31, 32]) * DEG)
    np.testing.assert_allclose(m.coordinates["knee_r"], np.array([60, 61, 62]) * DEG)  # flipped
    np.testing.assert_allclose(m.coordinates["ankle_r"], np.array([10, 11, 12]) * DEG)
    np.testing.assert_allclose(m.coordinates["pelvis_tilt"], -10 * DEG)
    np.testing.assert_allclose(m.coordinates["lumbar"], 4 * DEG)
    np.testing.assert_allclose(m.coordinates["pelvis_tx"], [1.5, 1.6, 1.7])  # metres unchanged
    np.testing.assert_allclose(m.moments["knee_r"], [50, 51, 52])  # N m, sign flipped only
    np.testing.assert_allclose(m.extra["hip_adduction_r"], 5)  # unmapped: raw
    assert m.warnings == ()


def test_sto_version3_spaces_grf_and_rajagopal_knee(tmp_path: Path) -> None:
    path = tmp_path / "grf.sto"
    path.write_text(
        "DataRate=1000\nDataType=double\nversion=3\nOpenSimVersion=4.1\ninDegrees=no\n"
        "endheader\n"
        "time knee_angle_l R_ground_force_vx R_ground_force_vy R_ground_force_px "
        "ground_force_l_vx ground_force_l_vy ground_force_l_vz\n"
        "0.0 1.5 -100 1500 0.2 0 0 0\n0.001 1.4 -90 1600 0.21 0 0 1\n"
    )
    m = read_opensim(path)
    np.testing.assert_allclose(m.coordinates["knee_l"], [1.5, 1.4])  # flexion-positive file
    assert any("Rajagopal" in w for w in m.warnings)
    np.testing.assert_allclose(m.grf["r"].fx, [-100, -90])
    np.testing.assert_allclose(m.grf["r"].fy, [1500, 1600])
    assert m.grf["r"].cop_x is not None and m.grf["l"].cop_x is None
    np.testing.assert_allclose(m.extra["ground_force_l_vz"], [0, 1])
    path.write_text(path.read_text().replace("inDegrees=no", "inDegrees=no\nknee_flexion_sign=-1"))
    np.testing.assert_allclose(read_opensim(path).coordinates["knee_l"], [-1.5, -1.4])


def test_moco_state_paths(tmp_path: Path) -> None:
    path = tmp_path / "states.sto"
    path.write_text(
        "version=1\ninDegrees=no\nendheader\n"
        "time\t/jointset/knee_r/knee_angle_r/value\t/jointset/knee_r/knee_angle_r/speed\n"
        "0\t-1.2\t0.5\n0.01\t-1.1\t0.4\n"
    )
    m = read_opensim(path)
    np.testing.assert_allclose(m.coordinates["knee_r"], [1.2, 1.1])
    assert "/jointset/knee_r/knee_angle_r/speed" in m.extra


def test_unsided_grf_columns_warn(tmp_path: Path) -> None:
    path = tmp_path / "grf.mot"
    path.write_text(
        "name grf\ndatacolumns 5\ndatarows 2\nendheader\n"
        "time ground_force_vx ground_force_vy 1_ground_force_vx 1_ground_force_vy\n"
        "0 1 2 3 4\n1 1 2 3 4\n"
    )
    m = read_opensim(path)
    assert m.grf["r"].fy[0] == 2 and m.grf["l"].fx[0] == 3
    assert any("no foot" in w for w in m.warnings) and any("inDegrees" in w for w in m.warnings)


TRC = (
    "PathFileType\t4\t(X/Y/Z)\twalk.trc\n"
    "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\t"
    "OrigNumFrames\n"
    "100\t100\t3\t2\tmm\t100\t1\t3\n"
    "Frame#\tTime\tHEEL\t\t\tTOE\t\t\n"
    "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n"
    "\n"
    "1\t0.00\t100\t50\t10\t300\t20\t10\n"
    "2\t0.01\t110\t51\t10\t\t\t\n"
    "3\t0.02\t120\t52\t10\t320\t22\t10\n"
)


def test_trc_markers_in_metres(tmp_path: Path) -> None:
    path = tmp_path / "walk.trc"
    path.write_text(TRC)
    m = read_motion(path)
    np.testing.assert_allclose(m.markers["HEEL"][:, 0], [0.1, 0.11, 0.12])
    assert np.isnan(m.markers["TOE"][1]).all()
    np.testing.assert_allclose(m.markers["TOE"][2], [0.32, 0.022, 0.01])
    np.testing.assert_allclose(m.time, [0, 0.01, 0.02])
    path.write_text(TRC.replace("\tmm\t", "\tm\t"))
    assert read_trc(path).markers["HEEL"][0, 0] == 100
    path.write_text(TRC.replace("\tmm\t", "\tfurlongs\t"))
    with pytest.raises(FileFormatError, match="furlongs"):
        read_trc(path)
    path.write_text(TRC[: TRC.rindex("3\t0.02")])
    with pytest.raises(FileFormatError, match="truncated"):
        read_trc(path)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("time\tknee_angle_r\n0\t1\n", "endheader"),
        ("version=1\nendheader\n", "truncated"),
        ("endheader\nfoo\tbar\n0\t1\n", "'time'"),
        ("nRows=3\nendheader\ntime\ta\n0\t1\n1\t2\n", "truncated"),
        ("endheader\ntime\ta\n0\t1\n1\t2\n2\n", "truncated"),
        ("endheader\ntime\ta\n0\t1\n1\tabc\n", "not a number"),
        ("endheader\ntime\ta\n1\t1\n0\t2\n", "increasing"),
        ("endheader\ntime\ta\ta\n1\t1\t1\n", "duplicate"),
        ("endheader\ntime\tground_force_r_vx\n0\t1\n", "vy"),
        ("inDegrees=no\nendheader\ntime\tknee_r\tknee_angle_r\n0\t1\t1\n", "two columns"),
    ],
)
def test_bad_opensim_files(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.sto"
    path.write_text(text)
    with pytest.raises(FileFormatError, match=match) as info:
        read_opensim(path)
    assert "bad.sto" in str(info.value)


def test_unknown_and_missing_files(tmp_path: Path) -> None:
    garbage = tmp_path / "x.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FileFormatError, match=r"x\.bin"):
        read_motion(garbage)
    text = tmp_path / "notes.txt"
    text.write_text("hello\nworld\n")
    with pytest.raises(FileFormatError, match="supported"):
        read_motion(text)
    with pytest.raises(FileFormatError, match="cannot be read"):
        read_motion(tmp_path / "missing.mot")
    with pytest.raises(FileFormatError, match="cannot be read"):
        read_opensim(tmp_path / "missing.mot")


def test_motion_validates_and_is_immutable() -> None:
    m = Motion(time=[0.0, 1.0], coordinates={"knee_r": [0.1, 0.2]})
    with pytest.raises(ValueError, match="read-only"):
        m.coordinates["knee_r"][0] = 1.0
    with pytest.raises(TypeError):
        m.coordinates["hip_r"] = np.zeros(2)  # type: ignore[index]
    with pytest.raises(InputError, match="knee"):
        Motion(time=[0.0, 1.0], coordinates={"knee": [0.1, 0.2]})
    with pytest.raises(InputError, match="shape"):
        Motion(time=[0.0, 1.0], coordinates={"knee_r": [0.1]})
    with pytest.raises(InputError, match="increasing"):
        Motion(time=[1.0, 0.0])


# --- C3D --------------------------------------------------------------------------------------


def test_c3d_optotrak_markers() -> None:
    ezc3d = pytest.importorskip(
        "ezc3d", reason="ezc3d not installed: pip install 'runmuscles[mocap]'"
    )
    path = shared_data("activities", "mocap", "ezc3d_Optotrak.c3d")
    m = read_motion(path)
    raw = ezc3d.c3d(str(path))["data"]["points"]
    assert m.n_frames == 29 and len(m.markers) == 54  # MANIFEST.md: 54 markers, 29 frames, 30 Hz
    np.testing.assert_allclose(np.diff(m.time), 1 / 30)
    np.testing.assert_allclose(m.markers["Marker_1"], raw[:3, 0, :].T / 1000, rtol=1e-12)  # mm
    assert m.grf == {}


def _c3d_with_plate(path: Path) -> None:
    """A small synthetic C3D: one marker, one type-2 plate loaded with Fz = -700 N, Fx = 50 N."""
    import ezc3d

    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["POINT"]["LABELS"]["value"] = ["heel"]
    c["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    points = np.zeros((4, 1, 10))
    points[3] = 1
    points[0, 0] = np.arange(10) * 10.0
    c["data"]["points"] = points
    c["parameters"]["ANALOG"]["RATE"]["value"] = [200]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = ["Fx", "Fy", "Fz", "Mx", "My", "Mz"]
    c["parameters"]["ANALOG"]["UNITS"]["value"] = ["N", "N", "N", "Nmm", "Nmm", "Nmm"]
    analogs = np.zeros((1, 6, 20))
    analogs[0, 0], analogs[0, 2], analogs[0, 4] = 50.0, -700.0, 70000.0
    c["data"]["analogs"] = analogs
    fp = c["parameters"]["FORCE_PLATFORM"]
    fp["USED"]["value"] = np.array([1])
    fp["TYPE"]["value"] = np.array([2])
    fp["CHANNEL"]["value"] = np.arange(1, 7).reshape(6, 1)
    corners = np.array([[500, 300, 0], [-500, 300, 0], [-500, -300, 0], [500, -300, 0]], float)
    fp["CORNERS"]["value"] = corners.T.reshape(3, 4, 1)
    fp["ORIGIN"]["value"] = np.array([[0.0], [0.0], [-40.0]])
    c.write(str(path))


def test_c3d_force_plate(tmp_path: Path) -> None:
    ezc3d = pytest.importorskip(
        "ezc3d", reason="ezc3d not installed: pip install 'runmuscles[mocap]'"
    )
    from runmuscles.io.c3d import read_c3d

    path = tmp_path / "plate.c3d"
    _c3d_with_plate(path)
    m = read_c3d(path, sides=("r",))
    # the plate measured the runner pushing down (-700 N) and back: GRF on the runner is the
    # reaction, +700 N up and -50 N fore-aft
    np.testing.assert_allclose(m.grf["r"].fy, 700.0)
    np.testing.assert_allclose(m.grf["r"].fx, -50.0)
    cop = ezc3d.c3d(str(path), extract_forceplat_data=True)["data"]["platform"][0]
    assert m.grf["r"].cop_x is not None
    np.testing.assert_allclose(m.grf["r"].cop_x, cop["center_of_pressure"][0, ::2] / 1000)
    assert any("negated" in w for w in m.warnings)
    assert "plate1" in read_c3d(path).grf
    with pytest.raises(InputError, match="axis"):
        read_c3d(path, vertical="up")
    truncated = tmp_path / "cut.c3d"
    truncated.write_bytes(path.read_bytes()[:700])
    with pytest.raises(FileFormatError, match=r"cut\.c3d"):
        read_c3d(truncated)


def test_c3d_without_ezc3d_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from runmuscles.io.c3d import read_c3d

    monkeypatch.setitem(sys.modules, "ezc3d", None)
    with pytest.raises(FileFormatError, match=r"pip install 'runmuscles\[mocap\]'"):
        read_c3d("any.c3d")


# --- fuzz: text readers raise only runmuscles errors -------------------------------------------

_VALID_STO = MOT_DEG


def _check_only_runmuscles_errors(path: Path, data: bytes, reader: object) -> None:
    path.write_bytes(data)
    with contextlib.suppress(RunmusclesError):
        reader(path)  # type: ignore[operator]


_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(cut=st.integers(0, len(_VALID_STO)), junk=st.binary(max_size=40), pos=st.integers(0, 400))
def test_fuzz_opensim(tmp_path: Path, cut: int, junk: bytes, pos: int) -> None:
    base = _VALID_STO.encode()[:cut]
    data = base[:pos] + junk + base[pos:]
    _check_only_runmuscles_errors(tmp_path / "f.sto", data, read_opensim)
    _check_only_runmuscles_errors(tmp_path / "f.sto", data, read_motion)


@_FUZZ
@given(cut=st.integers(0, len(TRC)), junk=st.binary(max_size=40), pos=st.integers(0, 400))
def test_fuzz_trc(tmp_path: Path, cut: int, junk: bytes, pos: int) -> None:
    base = TRC.encode()[:cut]
    data = base[:pos] + junk + base[pos:]
    _check_only_runmuscles_errors(tmp_path / "f.trc", data, read_trc)
    _check_only_runmuscles_errors(tmp_path / "f.trc", data, read_motion)


@_FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_random_text(tmp_path: Path, text: str) -> None:
    for reader in (read_opensim, read_trc, read_motion):
        _check_only_runmuscles_errors(tmp_path / "r.txt", text.encode(), reader)
    _check_only_runmuscles_errors(
        tmp_path / "r.txt", ("PercGcycle\t" + text).encode(), lambda p: read_fukuchi(p, 3.5)
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 130_000), junk=st.binary(max_size=20))
def test_fuzz_fukuchi(tmp_path: Path, cut: int, junk: bytes) -> None:
    base = fukuchi_path().read_bytes()
    data = base[:cut] + junk + base[cut + len(junk) :]
    _check_only_runmuscles_errors(
        tmp_path / "RBDS001processed.txt", data, lambda p: read_fukuchi(p, 3.5, body_mass=62.0)
    )


def test_public_api() -> None:
    import runmuscles as rm

    assert rm.Motion is Motion and rm.read_motion is read_motion and rm.write_sto is write_sto
