"""The one exception tree of runmuscles.

Every error a user can cause or meet is one of these; the CLI turns them into one line of text
and a non-zero exit code (never a traceback)::

    RunmusclesError                 base class; ``exit_code`` says what the CLI returns
    ├── InputError                  a value or argument the user gave is impossible (exit 2)
    │   ├── UnknownNameError        an unknown name (carries close matches)
    │   └── OutOfRangeError         a condition outside what a table or model covers
    ├── FileFormatError             a file cannot be read, or only partly (exit 3)
    ├── DataError                   a shipped data/parameter file is invalid (a bug; exit 4)
    └── ConvergenceError            a solve failed; carries the solver status (exit 5)

Messages name the culprit and say what to do.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "DataError",
    "FileFormatError",
    "InputError",
    "OutOfRangeError",
    "RunmusclesError",
    "UnknownNameError",
]


class RunmusclesError(Exception):
    """Base class of every error runmuscles raises on purpose."""

    exit_code: int = 1


class InputError(RunmusclesError, ValueError):
    """A value or argument given by the user is impossible or malformed."""

    exit_code = 2


class UnknownNameError(InputError, KeyError):
    """A name (muscle, group, degree of freedom, ...) that is not known.

    ``suggestions`` holds close matches, best first.
    """

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class OutOfRangeError(InputError):
    """A condition (speed, grade, body size, ...) outside what is covered."""


class FileFormatError(RunmusclesError):
    """A file that cannot be read (wrong format, corrupt, truncated, empty)."""

    exit_code = 3


class DataError(RunmusclesError):
    """A data or parameter file shipped with runmuscles failed validation."""

    exit_code = 4


class ConvergenceError(RunmusclesError):
    """A numerical solve did not converge. ``status`` holds the solver's status string."""

    exit_code = 5

    def __init__(self, message: str, status: str = "") -> None:
        super().__init__(message)
        self.status = status
