"""`runmuscles simulate` and `validate` refuse impossible input with one line, before any solve."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from runmuscles.cli import cli, main


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["simulate", "--speed", "-1"], 2, "speed -1 m/s must be a positive number"),
        (["simulate", "--speed", "20"], 2, "outside the run model's range"),
        (["simulate", "--grade", "60%"], 2, "grade +60 % is outside the run model's range"),
        (["simulate", "--mass", "0"], 2, "mass"),
        (["simulate", "--height", "4"], 2, "height"),
        (["simulate", "--nodes", "5"], 2, "n_intervals 5"),
        (["simulate", "--plot", "stride.txt"], 2, "--plot stride.txt: give a file name ending in"),
        (["simulate", "-o", "/no/such/dir/s.nc"], 2, "the folder /no/such/dir does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(
    argv: list[str], code: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert text in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_grade_that_is_not_a_number_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["simulate", "--grade", "steep"])
    assert result.exit_code == 2
    assert "Invalid value for '--grade'" in result.stderr
    assert "grade 'steep' is not a number" in result.stderr and "'5%'" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", ["simulate", "validate"])
def test_help_has_examples(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "examples:" in result.stdout and f"runmuscles {command}" in result.stdout


@pytest.mark.parametrize(
    ("argv", "name", "value"),
    [
        (["simulate", "--grade", "-10%"], "grade", -0.10),
        (["simulate", "--speed", "4", "--grade", "-0.05"], "grade", -0.05),
        (["explore", "--grade", "-10%"], "grade", -0.10),
        (["explore", "--grade=-3%"], "grade", -0.03),
    ],
)
def test_negative_grade_needs_no_equals_sign(argv: list[str], name: str, value: float) -> None:
    params = cli.commands[argv[0]].make_context(argv[0], argv[1:]).params
    assert params[name] == pytest.approx(value)


def test_negative_grade_range_needs_no_equals_sign() -> None:
    from runmuscles.cli.atlas import atlas

    argv = ["--grades", "-10%:10%:5%", "--speeds", "3,3.5"]
    params = atlas.commands["build"].make_context("build", argv).params
    assert params["grades"] == pytest.approx((-0.10, -0.05, 0.0, 0.05, 0.10))
    assert params["speeds"] == (3.0, 3.5)


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["--speeds", "2:6:0.3"], "STOP is not START plus a whole number of STEPs"),
        (["--grades", "-10%:steep:5%"], "grade 'steep' is not a number"),
        (["--speeds", "3"], "at least two finite values"),
    ],
)
def test_a_bad_grid_is_a_usage_error_before_any_work(argv: list[str], text: str) -> None:
    result = CliRunner().invoke(cli, ["atlas", "build", *argv])
    assert result.exit_code == 2 and text in result.stderr
    assert "Invalid value for '--" in result.stderr


def test_downhill_grade_reaches_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--grade", "-60%"]) == 2
    assert "grade -60 % is outside" in capsys.readouterr().err


def test_plot_without_matplotlib_is_refused_before_the_solve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    solved: list[str] = []
    monkeypatch.setattr(
        "runmuscles.cli.simulate.solve_with_progress", lambda *a, **k: solved.append("solve")
    )
    result = CliRunner().invoke(cli, ["simulate", "--plot", str(tmp_path / "s.png")])
    assert result.exit_code == 2 and not solved
    assert "pip install 'runmuscles[plot]'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_plot_and_output_are_written_after_the_solve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The CLI path after a solve, with a synthetic stride standing in for the solver."""
    pytest.importorskip("matplotlib", reason="the 'plot' extra is not installed")
    from tests.unit.test_report import synthetic_cycle

    cycle = synthetic_cycle()
    monkeypatch.setattr("runmuscles.cli.simulate.solve_with_progress", lambda *a, **k: cycle)
    png, nc = tmp_path / "s.png", tmp_path / "s.nc"
    result = CliRunner().invoke(cli, ["simulate", "--plot", str(png), "-o", str(nc)])
    assert result.exit_code == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert nc.stat().st_size > 0
    assert f"saved a picture of the stride to {png}" in result.stdout
