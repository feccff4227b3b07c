"""``runmuscles inverse`` in-process: text, JSON contract, files, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runmuscles
from runmuscles.cli import main
from runmuscles.cycle import GaitCycle
from tests.conftest import shared_data


def test_inverse_json_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = shared_data("fukuchi2017", "RBDS001processed.txt")
    nc, sto = tmp_path / "c.nc", tmp_path / "c.sto"
    code = main(
        ["inverse", str(table), "--speed", "2.5", "--json", "-o", str(nc), "--sto", str(sto)]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["condition"]["speed_m_s"] == 2.5
    assert {m["name"] for m in out["muscles"]} >= {"soleus_r", "vasti_l"}
    back = GaitCycle.load(nc)
    assert back.to_json()["condition"] == out["condition"]
    assert sto.read_text().splitlines()[1] == "version=1"


def test_inverse_text(capsys: pytest.CaptureFixture[str]) -> None:
    table = shared_data("fukuchi2017", "RBDS001processed.txt")
    assert main(["inverse", str(table), "--speed", "4.5"]) == 0
    out = capsys.readouterr().out
    assert "soleus_r" in out and "mean vertical GRF" in out


def test_inverse_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    table = shared_data("fukuchi2017", "RBDS001processed.txt")
    assert main(["inverse", str(table)]) != 0  # a Fukuchi table needs --speed
    err = capsys.readouterr().err
    assert "speed" in err and "Traceback" not in err
    assert main(["inverse", "/no/such/file.mot", "--speed", "3"]) != 0
    assert "cannot be read" in capsys.readouterr().err


def test_public_name() -> None:
    from runmuscles.inverse import inverse

    assert runmuscles.motion_to_cycle is inverse
