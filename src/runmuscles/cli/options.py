"""Options and value types that several commands share (``--json``, the body, a grade).

Each is a decorator, so a command lists its options in one place::

    @click.command()
    @speed_option()
    @grade_option()
    @body_options
    @json_option
    def simulate(speed: float, grade: float, mass: float, height: float, as_json: bool) -> None:
        ...

Values arrive in SI units (m/s, rise/run, kg, m); ``--grade -10%`` needs no ``=``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from runmuscles.errors import InputError

__all__ = [
    "GRADE",
    "GradeType",
    "body_options",
    "grade_option",
    "json_option",
    "speed_option",
]

F = TypeVar("F", bound=Callable[..., Any])


class GradeType(click.ParamType):
    """A grade written as a percentage (``5%``, ``-10%``) or a fraction (``0.05``) -> rise/run."""

    name = "grade"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        from runmuscles.units import parse_grade

        try:
            return parse_grade(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


#: The shared instance of :class:`GradeType`.
GRADE = GradeType()


def json_option(f: F) -> F:
    """``--json``: print one JSON object instead of text (for scripts)."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object instead of text."
    )(f)


def body_options(f: F) -> F:
    """``--mass KG`` and ``--height M``: the runner's body (70 kg, 1.75 m)."""
    f = click.option(
        "--height",
        type=float,
        default=1.75,
        show_default=True,
        metavar="M",
        help="Body height, m.",
    )(f)
    return click.option(
        "--mass", type=float, default=70.0, show_default=True, metavar="KG", help="Body mass, kg."
    )(f)


def speed_option(default: float = 3.5) -> Callable[[F], F]:
    """``--speed M/S``: running speed, m/s."""
    return click.option(
        "--speed",
        type=float,
        default=default,
        show_default=True,
        metavar="M/S",
        help="Running speed, m/s.",
    )


def grade_option(default: str = "0%") -> Callable[[F], F]:
    """``--grade GRADE``: slope as rise/run, written ``5%``, ``-10%`` or ``0.05``."""
    return click.option(
        "--grade",
        type=GRADE,
        default=default,
        show_default=True,
        metavar="GRADE",
        help="Slope: '5%', '-10%' (downhill) or a fraction such as 0.05.",
    )
