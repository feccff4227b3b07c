"""Architecture guards: one-way layer imports, cheap start-up (the public API: test_public_api)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import runmuscles

PKG = Path(runmuscles.__file__).resolve().parent

#: The layers of the design (README, Layout), first to last. A module may import only from its own
#: layer or earlier ones.
LAYERS: list[set[str]] = [
    {"errors", "units", "conventions"},
    {"anatomy"},
    {"io"},
    {"model"},
    {"cycle", "gait"},
    {"ocp"},
    {"prediction", "inverse"},
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


#: Inside each package, its modules in layers too, first to last (the package's ``__init__`` comes
#: after all of them: it is the package's front, which its own modules do not import).
SUBLAYERS: dict[str, list[set[str]]] = {
    "anatomy": [{"catalogue"}, {"loader"}],
    "io": [{"track", "clean", "motion", "xmlpull"},
           {"fit", "gpx", "tcx", "opensim", "c3d", "fukuchi"}, {"mocap"}],
    "model": [{"backend"}, {"skeleton", "muscle", "contact", "prescribed"},
              {"geometry", "metabolics"}, {"runner"}],
    "ocp": [{"transcription", "goals", "static", "inverse"}, {"compiled"},
            {"solve", "problem", "node"}, {"stride", "continuation"}, {"solution"}, {"guess"},
            {"build"}],
    "cycle": [{"dataset"}, {"gaitcycle"}],
    "load": [{"table", "body", "acwr"}, {"result"}, {"findings"}, {"compute"}, {"history"},
             {"pipeline"}],
    "atlas": [{"content", "grid", "realism"}, {"gaittable", "solvers"},
              {"assemble", "parts", "guesses"}, {"table"}, {"cache", "build", "harness"},
              {"ondemand"}],
    "report": [{"data", "colour", "svg", "figure", "axes", "cellplot"},
               {"bodymap", "stride", "runload", "plots", "compare"}, {"html"}],
    "store": [{"schema"}, {"weekly"}, {"db"}, {"analysis", "archive"}, {"importer"}],
    "cli": [{"options", "output"}, {"activity", "analyze", "atlas", "catalogue", "history",
            "inverse", "model", "serve", "simulate", "validate"}],
    "web": [{"explore", "labels", "security", "pool", "charts"}, {"deps"}, {"api"}, {"views"},
            {"app"}],
}  # fmt: skip

#: Upward imports inside a package that are known and waiting for their owner: "file -> module".
SUBLAYER_EXCEPTIONS: set[str] = set()


def _submodule_imports(path: Path) -> list[tuple[int, str]]:
    """Modules imported by ``path``, with ``from pkg import sub`` resolved to ``pkg.sub``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PKG.parent).with_suffix("")
    package = ".".join(rel.parts[:-1])
    found: list[tuple[int, str]] = []
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
            for alias in node.names:
                sub = PKG.parent / Path(*mod.split("."), alias.name)
                is_module = sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                found.append((node.lineno, f"{mod}.{alias.name}" if is_module else mod))
    return found


def test_every_submodule_belongs_to_a_sublayer() -> None:
    for pkg in sorted(p for p in PKG.iterdir() if p.is_dir() and any(p.glob("*.py"))):
        assert pkg.name in SUBLAYERS, f"{pkg.name}/: add its modules' layers to SUBLAYERS"
        listed = set().union(*SUBLAYERS[pkg.name])
        present = {f.stem for f in pkg.glob("*.py")} - {"__init__"}
        assert present == listed, f"{pkg.name}/: modules {present ^ listed} (add or remove them)"


def test_imports_go_one_way_inside_packages() -> None:
    bad, seen = [], set()
    for pkg, layers in SUBLAYERS.items():
        rank = {name: i for i, layer in enumerate(layers) for name in layer}
        rank["__init__"] = len(layers)
        for path in sorted((PKG / pkg).glob("*.py")):
            own = rank[path.stem]
            for line, mod in _submodule_imports(path):
                parts = mod.split(".")
                if parts[:2] != ["runmuscles", pkg]:
                    continue
                target = parts[2] if len(parts) > 2 else "__init__"
                if target == path.stem or rank[target] <= own:
                    continue
                key = f"{pkg}/{path.name} -> {mod}"
                if key in SUBLAYER_EXCEPTIONS:
                    seen.add(key)
                    continue
                bad.append(f"{pkg}/{path.name}:{line} imports {mod} (a later layer of {pkg}/)")
    assert not bad, "\n".join(bad)
    assert seen == SUBLAYER_EXCEPTIONS, f"fixed, remove: {SUBLAYER_EXCEPTIONS - seen}"


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


#: Pointers out of the installed package (to the repository's tests, ../shared, DESIGN.md or
#: SCIENCE.md, issue numbers) mean nothing to someone who installed runmuscles: cite the source
#: or say the fact instead. Files that still have them (owners other than the API work; remove
#: the entry with the pointer):
POINTERS_LEFT = {
    "model/params/muscles.toml",
    "model/muscle.py",
    "model/geometry.py",
    "inverse.py",
    "cycle/gaitcycle.py",
    "ocp/guess.py",
    "ocp/problem.py",
}


def test_no_pointers_out_of_the_installed_package() -> None:
    pattern = re.compile(r"SCIENCE\.md|DESIGN\.md|shared/|\btests/|\bissue #?\d+", re.IGNORECASE)
    found = set()
    for path in [*PKG.rglob("*.py"), *PKG.rglob("*.toml")]:
        rel = path.relative_to(PKG).as_posix()
        hits = [
            f"{rel}:{i}: {line.strip()}"
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)
        ]
        if hits:
            found.add(rel)
            assert rel in POINTERS_LEFT, "\n".join(hits)
    assert found == POINTERS_LEFT, f"fixed, remove from POINTERS_LEFT: {POINTERS_LEFT - found}"
