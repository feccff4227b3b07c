"""Command line: ``runmuscles COMMAND ...`` (click).

Thin by design: each command lives in a module of this package that exposes ``COMMANDS``, the
click commands it defines; heavy libraries are imported inside the command functions so that
``runmuscles --help`` stays fast. Errors from :mod:`runmuscles.errors` become one line on stderr
and the error's exit code (listed in ``runmuscles --help``), never a traceback.

``python -m runmuscles`` and the ``runmuscles`` console script both call :func:`main`. In tests,
``click.testing.CliRunner().invoke(cli, [...])`` runs the same code.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from runmuscles import __version__
from runmuscles.cli import (
    activity,
    analyze,
    atlas,
    catalogue,
    history,
    inverse,
    model,
    serve,
    simulate,
)
from runmuscles.cli import validate as validate_cmd
from runmuscles.errors import RunmusclesError, UnknownNameError

__all__ = ["EXIT_CODES", "cli", "main"]

#: Exit codes and what they mean; printed by ``runmuscles --help``.
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success (also --help and --version)"),
    (1, "an unexpected failure: a bug, please report it with its traceback"),
    (2, "wrong usage or impossible input: an option, value or name, or a condition out of range"),
    (3, "a file that cannot be read (wrong format, damaged, empty, missing)"),
    (4, "a shipped data file or the muscle atlas is missing or invalid"),
    (
        5,
        "a solve did not converge (atlas build: some conditions failed or were not attempted, "
        "the rest are kept)",
    ),
    (6, "validate: a check against published data failed (the table says which)"),
    (130, "interrupted (Ctrl-C)"),
)

EXAMPLES = """\
examples:
  runmuscles muscles                     the running-muscle catalogue
  runmuscles muscle quads                one muscle group in full
  runmuscles warmup                      warm-up, strength and stretching routine
  runmuscles model --mass 60 --height 1.65   the runner model scaled to a person
  runmuscles activity run.fit            distance, climbing and steady segments of a run
  runmuscles simulate --speed 4 --grade 5%   predict a stride uphill (muscle-driven)
  runmuscles inverse RBDS001processed.txt --speed 3.5   muscle forces from measured motion
  runmuscles demo                        muscle load of a generated hilly example run
  runmuscles analyze run.fit             per-muscle load of your run, hills, advice
  runmuscles serve                       local web app on http://127.0.0.1:8000
  runmuscles import export.zip           a Strava or Garmin export into your history
  runmuscles explore --speed 4 --grade -10%  muscle picture of a stride, from the atlas
  runmuscles atlas build --workers 2     (re)build the muscle atlas, resumable
  runmuscles COMMAND --help              help and examples for one command"""

COMPLETION = """\
shell completion (bash; zsh and fish: replace bash_source by zsh_source or fish_source):
  eval "$(_RUNMUSCLES_COMPLETE=bash_source runmuscles)\""""


def _epilog() -> str:
    codes = "\n".join(f"  {code:<4d}{text}" for code, text in EXIT_CODES)
    # '\b' keeps click from re-wrapping a paragraph
    return f"\b\n{EXAMPLES}\n\n\b\nexit codes:\n{codes}\n\n\b\n{COMPLETION}"


def _one_line(exc: RunmusclesError) -> str:
    msg = str(exc)
    if isinstance(exc, UnknownNameError) and exc.suggestions:
        msg += f" (did you mean {' or '.join(exc.suggestions[:3])}?)"
    return msg


class RunmusclesGroup(click.Group):
    """Commands listed in the order they were added; library errors as one line and a code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RunmusclesError as exc:
            click.echo(f"runmuscles: error: {_one_line(exc)}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo("runmuscles: interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            _silence_stdout()
            raise click.exceptions.Exit(0) from None


def _silence_stdout() -> None:
    """The reader of our output went away (``runmuscles muscles | head``): stop writing quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError) as exc:  # not a real file (tests)
        if getattr(exc, "errno", None) not in (None, errno.EBADF):
            raise


@click.group(
    "runmuscles",
    cls=RunmusclesGroup,
    help="What muscles does running work? Biomechanics for any run.",
    epilog=_epilog(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "--version", prog_name="runmuscles", message="%(prog)s %(version)s"
)
def cli() -> None:
    """The ``runmuscles`` command group (see :data:`EXIT_CODES`)."""


_MODULES = (
    analyze,
    catalogue,
    simulate,
    model,
    activity,
    inverse,
    validate_cmd,
    serve,
    history,
    atlas,
)
for _module in _MODULES:
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    try:
        cli.main(args=None if argv is None else list(argv), prog_name="runmuscles")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
