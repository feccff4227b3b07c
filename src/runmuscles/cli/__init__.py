"""Command line: ``runmuscles COMMAND ...``.

Thin by design: each command lives in its own module under ``runmuscles.cli`` that exposes
``register(subparsers)``; heavy libraries are imported inside the command handlers so that
``runmuscles --help`` stays fast. Errors from :mod:`runmuscles.errors` become one line on stderr and
the error's exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from runmuscles import __version__
from runmuscles.errors import RunmusclesError, UnknownNameError

__all__ = ["main"]

#: Command modules, in the order their commands appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "runmuscles.cli.analyze",
    "runmuscles.cli.catalogue",
    "runmuscles.cli.simulate",
    "runmuscles.cli.model",
    "runmuscles.cli.activity",
    "runmuscles.cli.inverse",
    "runmuscles.cli.validate",
    "runmuscles.cli.serve",
    "runmuscles.cli.atlas",
)

EPILOG = """\
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
  runmuscles explore --speed 4 --grade=-10%  muscle picture of a stride, from the atlas
  runmuscles atlas build --workers 2     (re)build the muscle atlas, resumable
  runmuscles COMMAND --help              help and examples for one command
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runmuscles",
        description="What muscles does running work? Biomechanics for any run.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"runmuscles {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


#: Options whose values may start with '-' (a downhill grade such as -10%).
SIGNED_OPTIONS = frozenset({"--grade", "--grades", "--speeds"})


def join_signed_values(argv: Sequence[str]) -> list[str]:
    """``--grade -10%`` -> ``--grade=-10%``: argparse would take ``-10%`` for an option."""
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        token = items[i]
        if token in SIGNED_OPTIONS and i + 1 < len(items) and items[i + 1].startswith("-"):
            out.append(f"{token}={items[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 success, 1 usage, 2+ see :mod:`runmuscles.errors`)."""
    parser = build_parser()
    args = parser.parse_args(join_signed_values(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "handler", None):
        parser.print_help()
        return 1
    try:
        return int(args.handler(args) or 0)
    except UnknownNameError as exc:
        msg = str(exc)
        if exc.suggestions:
            msg += f" (did you mean {' or '.join(exc.suggestions[:3])}?)"
        print(f"runmuscles: error: {msg}", file=sys.stderr)
        return exc.exit_code
    except RunmusclesError as exc:
        print(f"runmuscles: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("runmuscles: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
