"""`runmuscles simulate` and `validate` refuse impossible input with one line, before any solve."""

from __future__ import annotations

import pytest

from runmuscles.cli import main


@pytest.mark.parametrize(
    ("argv", "code", "text"),
    [
        (["simulate", "--speed", "-1"], 2, "speed -1 m/s must be a positive number"),
        (["simulate", "--speed", "20"], 2, "outside the running model's range"),
        (["simulate", "--grade", "steep"], 2, "grade 'steep' is not a number"),
        (["simulate", "--grade", "60%"], 2, "grade +60 % is outside the model's range"),
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


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("simulate", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:" in capsys.readouterr().out


def test_negative_grade_needs_no_equals_sign() -> None:
    from runmuscles.cli import join_signed_values

    assert join_signed_values(["explore", "--speed", "4", "--grade", "-10%"]) == [
        "explore", "--speed", "4", "--grade=-10%",
    ]  # fmt: skip
    assert join_signed_values(["atlas", "build", "--grades", "-30%:30%:5%"])[-1] == (
        "--grades=-30%:30%:5%"
    )
    assert join_signed_values(["simulate", "--grade", "5%"]) == ["simulate", "--grade", "5%"]


def test_downhill_grade_reaches_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--grade", "-60%"]) == 2
    assert "grade -60 % is outside" in capsys.readouterr().err
