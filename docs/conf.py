"""Sphinx configuration: the API reference of runmuscles, built from its docstrings.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (needs the ``docs`` extra). Two pages
are written here before each build from the code itself, so they cannot go stale: the public API
table (from ``runmuscles.__all__``) and the command-line help (from the click commands).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import click
from click.testing import CliRunner

import runmuscles
from runmuscles.cli import cli

project = "runmuscles"
version = release = runmuscles.__version__
extensions = ["sphinx.ext.autodoc"]
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
html_theme = "alabaster"
exclude_patterns = ["_build"]
suppress_warnings = ["ref.python"]  # the same class re-exported by a package and its module

GENERATED = Path(__file__).parent / "_generated"


def _public_api() -> str:
    rows = []
    for name in runmuscles.__all__:
        if name == "__version__":
            continue
        obj = getattr(runmuscles, name)
        role = "class" if inspect.isclass(obj) else "func"
        target = f"{obj.__module__}.{obj.__qualname__}"
        summary = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
        rows.append(f"   * - :{role}:`rm.{name} <{target}>`\n     - {summary}")
    head = ".. list-table::\n   :header-rows: 1\n   :widths: 30 70\n\n"
    head += "   * - name\n     - what it is\n"
    return head + "\n".join(rows) + "\n"


def _cli_help() -> str:
    def walk(group: click.Group, path: list[str]) -> list[list[str]]:
        found: list[list[str]] = []
        for name, cmd in group.commands.items():
            found.append([*path, name])
            if isinstance(cmd, click.Group):
                found += walk(cmd, [*path, name])
        return found

    runner = CliRunner()
    parts = [runner.invoke(cli, ["--help"], terminal_width=100).stdout]
    for argv in walk(cli, []):
        out = runner.invoke(cli, [*argv, "--help"], terminal_width=100).stdout
        parts.append(f"$ runmuscles {' '.join(argv)} --help\n{out}")
    return "\n".join(parts)


GENERATED.mkdir(exist_ok=True)
(GENERATED / "public.rst").write_text(_public_api(), encoding="utf-8")
(GENERATED / "cli-help.txt").write_text(_cli_help(), encoding="utf-8")
