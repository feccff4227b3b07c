"""The API reference (Sphinx, ``docs/``): a page per layer with every module, and it builds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import runmuscles
from tests.conftest import ROOT
from tests.unit.test_architecture import LAYERS, PKG, RANK

DOCS = ROOT / "docs"

#: Modules whose docstrings docutils still warns about (owners other than the API work: fix the
#: reST, e.g. a blank line before an indented block, then remove the entry).
DOCSTRING_WARNINGS_LEFT = {
    "io/track.py",
    "io/motion.py",
    "io/mocap.py",
    "ocp/transcription.py",
    "ocp/static.py",
    "cycle/gaitcycle.py",
}


def _automodules(page: Path) -> list[str]:
    return re.findall(r"^\.\. automodule:: (\S+)", page.read_text(encoding="utf-8"), flags=re.M)


def _package_modules() -> set[str]:
    found = set()
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found.add(".".join(parts))
    return found - {"runmuscles", "runmuscles.__main__"}


def test_one_page_per_layer_lists_every_module_once() -> None:
    pages = sorted((DOCS / "api").glob("*.rst"))
    assert len(pages) == len(LAYERS), [p.name for p in pages]
    seen: dict[str, str] = {}
    for i, page in enumerate(pages):
        for module in _automodules(page):
            assert module not in seen, f"{module} is on {seen.get(module)} and {page.name}"
            seen[module] = page.name
            layer = RANK[module.split(".")[1]]
            assert layer == i, f"{module} is on {page.name}; its layer is page {layer + 1}"
    assert set(seen) == _package_modules(), set(seen) ^ _package_modules()
    assert _automodules(DOCS / "index.rst") == ["runmuscles"]


def test_docs_build(tmp_path: Path) -> None:
    pytest.importorskip("sphinx", reason="the docs extra is not installed: pip install '.[docs]'")
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
         str(DOCS), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    problems = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    where = {m.group(1) for line in problems if (m := re.search(r"runmuscles/(\S+?\.py)", line))}
    own = [p for p in problems if not re.search(r"runmuscles/\S+\.py", p)]
    assert not own, "the docs pages themselves: " + "\n".join(own)
    assert where <= DOCSTRING_WARNINGS_LEFT, "\n".join(problems)
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in runmuscles.__all__:
        if name != "__version__":
            assert f"rm.{name}</span>" in index, name
    cli_page = (out / "api" / "11-cli-web.html").read_text(encoding="utf-8")
    assert "runmuscles simulate --help" in cli_page and "exit codes:" in cli_page
