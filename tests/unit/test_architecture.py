"""Architecture guards: one-way layer imports, cheap start-up (the public API: test_public_api)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import runmuscles

PKG = Path(runmuscles.__file__).resolve().parent

#: The layers of ../shared/DESIGN.md, first to last. A module may import only from its own layer
#: or earlier ones.
LAYERS: list[set[str]] = [
    {"errors", "units", "conventions"},
    {"anatomy"},
    {"io"},
    {"model"},
    {"ocp"},
    {"cycle", "predict", "inverse"},
    {"atlas"},
    {"activity", "load", "advice", "examples", "validate"},
    {"report", "store"},
    {"cli", "web"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _top(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "runmuscles" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    rel = path.relative_to(PKG.parent).with_suffix("")
    package = ".".join(rel.parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            found.append((node.lineno, mod))
    return found


def test_every_module_belongs_to_a_layer() -> None:
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in {"__init__.py", "__main__.py"}:
            continue
        top = rel.parts[0].removesuffix(".py")
        assert top in RANK, f"{rel}: add '{top}' to a layer in DESIGN.md and in LAYERS here"


def test_imports_go_one_way() -> None:
    bad = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in {"__init__.py", "__main__.py"}:
            continue
        own = RANK[rel.parts[0].removesuffix(".py")]
        for line, mod in _imports(path):
            top = _top(mod)
            if top is None or top in {"__init__", "__main__"}:
                continue
            if top not in RANK:
                continue
            if RANK[top] > own:
                bad.append(f"{rel}:{line} imports {mod} (a later layer)")
    assert not bad, "\n".join(bad)


def test_import_is_cheap() -> None:
    heavy = ["casadi", "xarray", "matplotlib", "dask", "fastapi", "scipy", "ray"]
    code = f"import sys, runmuscles; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import runmuscles pulled in: {out.stdout.strip()}"


def test_cli_help_is_cheap() -> None:
    heavy = ["casadi", "xarray", "matplotlib", "dask", "fastapi", "scipy", "ray", "numpy"]
    code = (
        "import sys; from runmuscles.cli import cli, main\n"
        "for argv in [['--help'], *([c, '--help'] for c in cli.commands), ['atlas', 'build', "
        "'--help'], ['atlas', 'info', '--help']]:\n"
        "    assert main(argv) == 0, argv\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "examples:" in out.stdout and "exit codes:" in out.stdout
    assert out.stderr.strip() == "", f"the CLI's help pulled in: {out.stderr.strip()}"
