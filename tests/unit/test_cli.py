"""The command group itself: --version, documented exit codes, one way in, completion, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import runmuscles
from runmuscles import errors
from runmuscles.cli import EXIT_CODES, cli, main

RUNNER = CliRunner()


def test_version() -> None:
    result = RUNNER.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"runmuscles {runmuscles.__version__}\n"


def test_help_documents_every_exit_code_the_errors_use() -> None:
    help_text = RUNNER.invoke(cli, ["--help"]).stdout
    assert "exit codes:" in help_text
    documented = {code for code, _ in EXIT_CODES}
    for code, _ in EXIT_CODES:
        assert f"\n    {code:<4d}" in help_text, code
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert cls.exit_code in documented, f"{name}.exit_code {cls.exit_code} is not in the help"
    # the meaning printed for each error's code names that kind of error
    meaning = dict(EXIT_CODES)
    assert "input" in meaning[errors.InputError.exit_code]
    assert "file" in meaning[errors.FileFormatError.exit_code]
    assert "data file" in meaning[errors.DataError.exit_code]
    assert "converge" in meaning[errors.ConvergenceError.exit_code]


def test_commands_are_listed_in_a_reading_order() -> None:
    help_text = RUNNER.invoke(cli, ["--help"]).stdout
    order = [help_text.index(f"\n  {name} ") for name in cli.commands]
    assert order == sorted(order)
    assert list(cli.commands)[:2] == ["analyze", "demo"]


def test_no_command_is_a_usage_error_that_shows_the_help() -> None:
    result = RUNNER.invoke(cli, [])
    assert result.exit_code == 2
    assert "Commands:" in result.stderr
    result = RUNNER.invoke(cli, ["atlas"])
    assert result.exit_code == 2 and "build" in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = RUNNER.invoke(cli, ["simulat"])
    assert result.exit_code == 2
    assert "No such command 'simulat'" in result.stderr


def test_library_errors_become_one_line_and_their_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raised: list[errors.RunmusclesError] = [
        errors.InputError("speed -1 m/s must be positive"),
        errors.FileFormatError("run.fit cannot be read"),
        errors.DataError("atlas damaged"),
        errors.ConvergenceError("no convergence; try --max-iter 5000", status="max_iter"),
    ]
    for exc in raised:

        def boom(*args: object, _exc: Exception = exc) -> None:
            raise _exc

        monkeypatch.setattr("runmuscles.anatomy.load_catalogue", boom)
        result = RUNNER.invoke(cli, ["warmup"])
        assert result.exit_code == exc.exit_code, exc
        assert result.stderr == f"runmuscles: error: {exc}\n"


def test_interrupt_is_exit_130_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("runmuscles.anatomy.load_catalogue", interrupt)
    result = RUNNER.invoke(cli, ["warmup"])
    assert result.exit_code == 130
    assert result.stderr == "runmuscles: interrupted\n"


def test_main_returns_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["muscle", "no-such-muscle"]) == 2
    assert main(["muscles", "--phase", "flight"]) == 2
    capsys.readouterr()


def _console_script() -> Path:
    script = Path(sys.executable).with_name("runmuscles")
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable} (pip install -e . makes one)")
    return script


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["simulate", "--help"], ["muscle", "hamstring"], ["--version"], ["bogus"]],
)
def test_python_m_runmuscles_is_the_console_script(argv: list[str]) -> None:
    via_module = subprocess.run(
        [sys.executable, "-m", "runmuscles", *argv], capture_output=True, text=True, check=False
    )
    via_script = subprocess.run(
        [str(_console_script()), *argv], capture_output=True, text=True, check=False
    )
    assert (via_module.returncode, via_module.stdout, via_module.stderr) == (
        via_script.returncode, via_script.stdout, via_script.stderr,
    )  # fmt: skip


def test_broken_pipe_is_quiet() -> None:
    proc = subprocess.run(
        f"'{sys.executable}' -m runmuscles muscle quadriceps | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == "Quadriceps"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_shell_completion_completes_commands_and_choices() -> None:
    env = {
        "_RUNMUSCLES_COMPLETE": "bash_complete",
        "COMP_WORDS": "runmuscles mus",
        "COMP_CWORD": "1",
    }
    result = RUNNER.invoke(cli, [], env=env, prog_name="runmuscles")
    words = {line.split(",")[-1] for line in result.stdout.splitlines()}
    assert {"muscles", "muscle"} <= words and "simulate" not in words
    env["COMP_WORDS"], env["COMP_CWORD"] = "runmuscles muscles --phase s", "3"
    result = RUNNER.invoke(cli, [], env=env, prog_name="runmuscles")
    words = {line.split(",")[-1] for line in result.stdout.splitlines()}
    assert words == {"stance", "swing"}


def test_every_command_has_examples_and_a_short_help() -> None:
    def walk(group: click.Group, path: list[str]) -> list[list[str]]:
        found = []
        for name, cmd in group.commands.items():
            found.append([*path, name])
            if isinstance(cmd, click.Group):
                found += walk(cmd, [*path, name])
        return found

    for argv in walk(cli, []):
        result = RUNNER.invoke(cli, [*argv, "--help"])
        assert result.exit_code == 0, argv
        if argv != ["atlas", "info"]:
            assert "examples:" in result.stdout, argv
        cmd = cli
        for name in argv:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        assert cmd.short_help and len(cmd.short_help) <= 66, argv
