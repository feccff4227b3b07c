"""The README's Python examples run as written (in a scratch folder with a real ``run.fit``)."""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

import runmuscles
from tests.conftest import ROOT, shared_data


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _solves(block: str) -> bool:
    return "rm.predict(" in block


def _run(code: str, namespace: dict[str, Any], folder: Path) -> str:
    out = io.StringIO()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return out.getvalue()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder holding ``run.fit``: a real watch recording from ../shared/data."""
    (tmp_path / "run.fit").symlink_to(
        shared_data("activities", "fit", "gc_fenix6x_trailrun_4077461142.fit")
    )
    return tmp_path


def test_readme_has_python_examples() -> None:
    blocks = _blocks()
    assert len(blocks) >= 2 and any(_solves(b) for b in blocks)
    assert all("import runmuscles as rm" in b for b in blocks if not _solves(b))


def test_readme_examples_without_a_solve(scratch: Path) -> None:
    namespace: dict[str, Any] = {}
    printed = "".join(_run(b, namespace, scratch) for b in _blocks() if not _solves(b))
    lines = printed.splitlines()
    assert lines[0].startswith("Quadriceps ")
    groups = set(runmuscles.load_catalogue().ids)
    top = [line.split()[0] for line in lines[1:4]]
    assert len(top) == 3 and set(top) <= groups, lines
    assert namespace["data"]["muscles"] and "flat run" in lines[4]


def test_predict_is_the_front_door() -> None:
    assert "predict" in runmuscles.__all__
    predict = runmuscles.predict  # type: ignore[attr-defined]
    assert callable(predict)
    params = list(inspect.signature(predict).parameters)
    assert params[:3] == ["runner", "speed", "grade"] and "gait" in params


@pytest.mark.slow
def test_readme_example_with_a_solve(tmp_path: Path) -> None:
    assert "predict" in runmuscles.__all__
    namespace: dict[str, Any] = {"rm": runmuscles}
    for block in _blocks():
        if _solves(block):
            _run(block, namespace, tmp_path)
    assert (tmp_path / "stride.nc").stat().st_size > 0
    assert namespace["cycle"].condition["speed_m_s"] == pytest.approx(3.5)
