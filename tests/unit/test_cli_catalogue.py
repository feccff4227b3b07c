"""CLI: ``runmuscles muscles``, ``muscle NAME``, ``warmup`` (text, JSON, filters, errors, help)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from runmuscles.anatomy import load_catalogue
from runmuscles.cli import cli, main

CAT = load_catalogue()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_muscles_json_is_valid_with_sourced_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscles", "--json")
    assert code == 0
    data = json.loads(out)
    groups = data["groups"]
    assert len(groups) >= 11 and data["count"] == len(groups)
    assert [g["id"] for g in groups] == list(CAT.ids)
    for g in groups:
        assert g["sources"], g["id"]
        cited = {s["key"] for s in g["sources"]}
        assert set(g["summary"]["sources"]) <= cited
        assert all(s["citation"] and s["year"] for s in g["sources"])
        assert set(g["phases"]) == {"stance", "swing", "float"}
        assert set(g["hills"]) == {"uphill", "downhill"}
        for e in g["exercises"]:
            assert e["dosage"]["text"] and set(e["sources"]) <= cited


def test_muscles_table_lists_every_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscles")
    assert code == 0
    for gid in CAT.ids:
        assert f"\n{gid} " in out
    assert "front/back" in out and "active in" in out


@pytest.mark.parametrize("phase", ["stance", "swing", "float"])
def test_muscles_phase_filter(capsys: pytest.CaptureFixture[str], phase: str) -> None:
    code, out, _ = run(capsys, "muscles", "--phase", phase, "--json")
    data = json.loads(out)
    assert code == 0 and data["filters"] == {"phase": phase}
    assert data["groups"] and all(phase in g["active_in"] for g in data["groups"])
    assert len(data["groups"]) == len(CAT.filter(phase=phase))


def test_muscles_region_and_terrain_filters(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "muscles", "--region", "thigh")
    assert "quadriceps" in out and "hamstrings" in out and "calves" not in out
    _, out, _ = run(capsys, "muscles", "--terrain", "downhill")
    assert "quadriceps" in out and "downhill demand" in out and "eccentric" in out
    _, out, _ = run(capsys, "muscles", "--terrain", "uphill", "--json")
    ids = [g["id"] for g in json.loads(out)["groups"]]
    assert "gluteals" in ids and all(
        g["hills"]["uphill"]["demand"] == "higher" for g in json.loads(out)["groups"]
    )


def test_muscles_no_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscles", "--region", "arm", "--terrain", "uphill")
    assert code == 0 and "none match" in out


def test_bad_choice_is_a_clean_usage_error() -> None:
    result = CliRunner().invoke(cli, ["muscles", "--phase", "flight"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "'flight' is not one of 'stance', 'swing', 'float'" in result.stderr
    assert "runmuscles muscles --help" in result.stderr and "Traceback" not in result.stderr


def test_muscle_by_common_name_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscle", "quads")
    assert code == 0
    assert out.startswith("Quadriceps")
    parts = ["vastus lateralis", "Joints and actions", "Gait phases", "Hills", "downhill"]
    parts += ["Weaknesses and injury links", "Exercises", "dose:", "Sources", "[1] "]
    for part in parts:
        assert part in out, part
    assert "Hamner SR, Seth A, Delp SL (2010)" in out


def test_muscle_numbers_every_cited_source(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "muscle", "calves")
    body, sources = out.split("\nSources\n")
    marks = re.findall(r"\[([\d,]+)\]", body)
    cited = {int(n) for mark in marks for n in mark.split(",")}
    heads = [line for line in sources.splitlines() if line.startswith("  [")]
    listed = [int(line.split("]")[0].strip(" [")) for line in heads]
    assert listed == list(range(1, len(listed) + 1))
    assert cited == set(listed)


def test_muscle_by_member_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscle", "vastus lateralis", "--json")
    data = json.loads(out)
    assert code == 0 and data["id"] == "quadriceps"
    assert "vastus lateralis" in data["members"] and data["exercises"] and data["sources"]
    assert data["hills"]["downhill"]["contraction"] == "eccentric"


def test_tissue_without_exercises_prints_none(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "muscle", "knee_ligaments")
    assert code == 0 and "none in the catalogue" in out


def test_unknown_muscle_exits_nonzero_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "muscle", "hamstring")
    assert code == 2 and out == ""
    assert "did you mean hamstrings?" in err


def test_unknown_muscle_in_a_real_process_has_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "runmuscles", "muscle", "hamstring"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "did you mean hamstrings?" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_warmup_text_mentions_five_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "warmup")
    assert code == 0
    assert "at least 5 minutes of easy running before stretching" in out
    assert out.index("Easy running") < out.index("Kneeling hip-flexor stretch")
    assert "Nordic hamstring exercise" in out and "Sources" in out


def test_warmup_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "warmup", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["warmup"]["minimum_easy_running_s"] >= 300
    assert data["warmup"]["steps"][0]["duration_s"] >= 300
    keys = {s["key"] for s in data["sources"]}
    for ex in data["exercises"].values():
        assert set(ex["sources"]) <= keys and ex["dosage"]["text"]
    assert set(data["routine"]["strength"]) <= set(data["exercises"])


@pytest.mark.parametrize("command", ["muscles", "muscle", "warmup"])
def test_help_has_examples(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "examples:" in result.stdout and f"runmuscles {command}" in result.stdout
