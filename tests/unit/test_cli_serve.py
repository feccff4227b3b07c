"""``runmuscles serve``: options, defaults (loopback), refusals; the server itself is tested in
tests/web (real uvicorn on loopback)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from runmuscles.cli import cli, main


def test_defaults_bind_loopback() -> None:
    params = cli.commands["serve"].make_context("serve", []).params
    assert (params["host"], params["port"], params["db"], params["max_upload_mb"]) == (
        "127.0.0.1", 8000, None, 32.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["serve", "--port", "0"], "--port 0 is not a TCP port"),
        (["serve", "--port", "70000"], "not a TCP port"),
        (["serve", "--max-upload-mb", "-1"], "must be positive"),
        (["serve", "--db", "mysql://x@y/z"], "not supported"),
    ],
)
def test_bad_options_are_one_line_errors(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if "--db" in argv:
        pytest.importorskip("fastapi")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_missing_web_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "uvicorn missing" in result.stderr and "runmuscles[web]" in result.stderr


def test_help_lists_serve() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.stdout and "postgresql://" in result.stdout


def test_door_options_defaults() -> None:
    params = cli.commands["serve"].make_context("serve", []).params
    assert params["allowed_hosts"] == () and params["auth"] is None
    assert (params["workers"], params["queue"], params["max_import_mb"]) == (2, 8, 4096.0)


def test_hash_password_prints_a_hash_for_auth() -> None:
    pytest.importorskip("fastapi")
    from runmuscles.web.security import verify_password

    result = CliRunner().invoke(
        cli, ["serve", "--hash-password"], input="long secret\nlong secret\n"
    )
    assert result.exit_code == 0, result.output
    digest = result.stdout.strip().splitlines()[-1]
    assert digest.startswith("scrypt$") and verify_password("long secret", digest)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["serve", "--allowed-host", "http://evil/"], "not a host name"),
        (["serve", "--auth", "hunter2"], "not a password hash"),
        (["serve", "--workers", "0"], "--workers 0"),
        (["serve", "--max-import-mb", "0"], "must be positive"),
    ],
)
def test_bad_door_options_are_refused_before_serving(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    pytest.importorskip("fastapi")
    assert main([*argv, "--db", f"sqlite:///{tmp_path}/h.sqlite3"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
