"""The side-by-side benchmark against OpenSim Moco (benchmarks/bench_moco.py) runs or says why not.

The smoke run needs opensim (``pip install opensim``) and Moco's 2D gait model in
../shared/data/moco2d; it is marked slow. Everything that touches opensim runs in a child process:
opensim and casadi ship different builds of the same libcasadi, so the two cannot share a process
(and ``import opensim`` rewrites LD_LIBRARY_PATH). No test here looks at a time.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.conftest import ROOT, shared_data

BENCH = ROOT / "benchmarks" / "bench_moco.py"


def _bench() -> ModuleType:
    """The benchmark as a module (it imports neither opensim nor casadi at module level)."""
    spec = importlib.util.spec_from_file_location("bench_moco", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(code: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_outcome_figures_of_a_synthetic_stride() -> None:
    """Two half-sine footprints on a 0.7 s stride: 0-0.245 s (right), 0.35-0.595 s (left)."""
    bench = _bench()
    mass, peak_bw = 70.0, 2.5
    t = np.linspace(0.0, 0.7, 701)
    tc = 0.245

    def foot(start: float) -> np.ndarray:
        s = (t - start) / tc
        return np.where((s > 0) & (s < 1), peak_bw * mass * bench.G * np.sin(np.pi * s), 0.0)

    knee = 30.0 + 80.0 * np.sin(np.pi * t / 0.7) ** 2
    out = bench.outcome(t, foot(0.0), foot(0.35), knee, mass)
    assert out["cadence_steps_per_min"] == pytest.approx(120.0 / 0.7)
    assert out["peak_vertical_grf_bw"] == pytest.approx(peak_bw, rel=1e-4)
    # the 20 N contact threshold trims about 1 ms off each end of a 1,700 N half sine;
    # 0.005 is our tolerance for that and the 2,000-sample grid
    assert out["duty_factor"] == pytest.approx(tc / 0.7, abs=0.005)
    assert out["flight_fraction"] == pytest.approx(1.0 - 2.0 * tc / 0.7, abs=0.01)
    assert out["peak_knee_flexion_deg"] == pytest.approx(110.0, abs=0.01)


def test_skips_with_a_reason_when_opensim_is_missing() -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['opensim'] = None  # as if not installed\n"
        f"sys.argv = ['bench_moco.py', '--moco-only', '--smoke']\n"
        f"runpy.run_path({str(BENCH)!r}, run_name='__main__')\n"
    )
    res = _run(code)
    assert res.returncode == 0, res.stderr
    assert "SKIP Moco benchmark: opensim is not installed" in res.stdout
    assert "pip install opensim" in res.stdout


def test_skips_with_a_reason_when_the_model_is_missing(tmp_path: Path) -> None:
    code = (
        "import importlib.util, sys\n"
        "from pathlib import Path\n"
        f"spec = importlib.util.spec_from_file_location('b', {str(BENCH)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        f"m.shared_moco_dir = lambda: Path({str(tmp_path / 'moco2d')!r})\n"
        "sys.exit(m.main(['--moco-only', '--smoke']))\n"
    )
    res = _run(code)
    assert res.returncode == 0, res.stderr
    assert "SKIP Moco benchmark:" in res.stdout
    if importlib.util.find_spec("opensim") is not None:
        assert "2D_gait.osim" in res.stdout and "missing" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--moco-only", "--ours-only"], "exclude each other"),
        (["--speed", "20"], "not a running speed"),
        (["--max-iter", "0"], "--max-iter"),
        (["--json", "/nonexistent-folder/out.json"], "does not exist"),
    ],
)
def test_bad_options_are_refused_with_a_message(args: list[str], message: str) -> None:
    res = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.slow
def test_smoke_run_solves_both_sides(tmp_path: Path) -> None:
    if importlib.util.find_spec("opensim") is None:
        pytest.skip("opensim is not installed (pip install opensim brings Moco)")
    shared_data("moco2d", "2D_gait.osim")
    out = tmp_path / "bench.json"
    res = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert "SKIP" not in res.stdout
    assert "Moco / runmuscles, same run" in res.stdout
    data = json.loads(out.read_text())
    rows = {r["solver"].split()[0]: r for r in data["rows"]}
    assert set(rows) == {"OpenSim", "runmuscles"}
    moco = rows["OpenSim"]
    # 3 iterations cannot solve the problem: the row must say so, not claim success
    assert moco["status"] == "Maximum_Iterations_Exceeded" and moco["success"] is False
    assert moco["iterations"] == 3
    assert moco["settings"]["mesh_intervals"] == 5
    assert moco["solve_s"] > 0 and moco["cpu_s"] > 0
    # the half-stride time is bounded to 0.25-0.5 s, so any iterate has 120-240 steps/min
    assert 120.0 - 1e-6 <= moco["cadence_steps_per_min"] <= 240.0 + 1e-6
    assert math.isfinite(moco["peak_vertical_grf_bw"]) and moco["peak_vertical_grf_bw"] > 0
    ours = rows["runmuscles"]
    assert ours["iterations"] > 0 and ours["success"] is False
    assert data["ratios_moco_over_runmuscles"]["iterations"] == pytest.approx(
        moco["iterations"] / ours["iterations"]
    )
