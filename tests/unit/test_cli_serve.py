"""``runmuscles serve``: options, defaults (loopback), refusals; the server itself is tested in
tests/web (real uvicorn on loopback)."""

from __future__ import annotations

import pytest

from runmuscles.cli import build_parser, main


def test_defaults_bind_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db, args.max_upload_mb) == ("127.0.0.1", 8000, None, 32.0)


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


def test_help_lists_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "127.0.0.1" in out and "postgresql://" in out
