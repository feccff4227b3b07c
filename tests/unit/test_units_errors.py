from __future__ import annotations

import math

import pytest

from runmuscles.errors import InputError, RunmusclesError, UnknownNameError
from runmuscles.units import DEG, format_pace, parse_grade


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5%", 0.05), ("-10 %", -0.10), ("0.05", 0.05), ("+30%", 0.30), (".1", 0.1), (0.2, 0.2)],
)
def test_parse_grade(text: str | float, expected: float) -> None:
    assert parse_grade(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "5%%", "", "150%", "nan", "-2"])
def test_parse_grade_rejects(text: str) -> None:
    with pytest.raises(InputError, match="grade"):
        parse_grade(text)


def test_deg() -> None:
    assert pytest.approx(math.pi) == 180 * DEG


def test_pace() -> None:
    assert format_pace(1000 / 300) == "5:00 /km"
    assert format_pace(0.0) == "--:-- /km"


def test_error_tree() -> None:
    e = UnknownNameError("unknown group 'x'", ("hamstrings",))
    assert isinstance(e, InputError) and isinstance(e, RunmusclesError)
    assert str(e) == "unknown group 'x'"
    assert e.suggestions == ("hamstrings",)
