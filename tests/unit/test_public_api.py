"""The public API (``runmuscles.__all__``): written out, true to the modules, typed, documented;
and every docstring example in the package runs."""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import subprocess
import sys
import types
from pathlib import Path

import pytest

import runmuscles

PKG = Path(runmuscles.__file__).resolve().parent
INIT = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))


def _assigned(name: str) -> ast.expr:
    for node in INIT.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                assert node.value is not None
                return node.value
    raise AssertionError(f"runmuscles/__init__.py does not assign {name}")


def _type_checking_imports() -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:`` in ``__init__.py``."""
    found: dict[str, str] = {}
    for node in INIT.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module, ast.unparse(imp)
                for alias in imp.names:
                    assert alias.asname is None, f"{alias.name}: import it under its own name"
                    found[alias.name] = imp.module
    return found


def test_all_is_written_out_sorted_and_unique() -> None:
    node = _assigned("__all__")
    assert isinstance(node, ast.List), "__all__ must be a literal list, not computed"
    names = [elt.value for elt in node.elts if isinstance(elt, ast.Constant)]
    assert len(names) == len(node.elts), "__all__ holds only string literals"
    assert names == runmuscles.__all__
    assert names == sorted(names) and len(set(names)) == len(names)


def test_all_matches_the_lazy_table_and_the_typed_imports() -> None:
    lazy = runmuscles._LAZY
    assert set(runmuscles.__all__) == set(lazy) | {"__version__"}
    assert _type_checking_imports() == lazy, "the TYPE_CHECKING imports and _HOMES disagree"


@pytest.mark.parametrize("name", sorted(runmuscles._LAZY))
def test_each_name_is_what_its_module_exports(name: str) -> None:
    module = importlib.import_module(runmuscles._LAZY[name])
    assert name in module.__all__, f"{module.__name__}.__all__ lacks {name}"
    assert getattr(runmuscles, name) is getattr(module, name)


@pytest.mark.parametrize("name", sorted(runmuscles._LAZY))
def test_each_name_is_documented_and_typed(name: str) -> None:
    obj = getattr(runmuscles, name)
    assert inspect.getdoc(obj), f"{name} has no docstring"
    if inspect.isclass(obj):
        return
    sig = inspect.signature(obj)
    untyped = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"{name}: parameters without a type: {untyped}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    assert sig.return_annotation not in ("Any", "typing.Any"), f"{name} returns Any"


def test_no_public_name_is_also_a_module() -> None:
    """Importing ``runmuscles.X`` sets the attribute ``X`` of the package to that module, so a
    public name that is also a submodule's name is the module or the function by import order."""
    modules = {p.stem for p in PKG.glob("*.py")} | {p.name for p in PKG.iterdir() if p.is_dir()}
    assert not set(runmuscles.__all__) & modules


def test_nothing_public_outside_all() -> None:
    for name in runmuscles.__all__:  # load every lazy name
        getattr(runmuscles, name)
    public = {
        n
        for n in dir(runmuscles)
        if not n.startswith("_") and not isinstance(getattr(runmuscles, n), types.ModuleType)
    }
    # the module's own plumbing: the __future__ feature and the typing helpers
    assert public - set(runmuscles.__all__) == {"annotations", "TYPE_CHECKING", "Any"}


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'predictt'"):
        _ = runmuscles.predictt  # type: ignore[attr-defined]


def test_names_load_lazily() -> None:
    code = (
        "import sys, runmuscles as rm; assert 'runmuscles.load' not in sys.modules; "
        "rm.parse_grade('5%'); assert 'xarray' not in sys.modules; rm.RunLoad; "
        "assert 'runmuscles.load' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted(PKG.rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            rel = path.relative_to(PKG.parent).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found.append(".".join(parts))
    return found


def test_the_package_has_docstring_examples() -> None:
    assert {"runmuscles", "runmuscles.units", "runmuscles.conventions"} <= set(
        _modules_with_examples()
    )


@pytest.mark.parametrize("module_name", _modules_with_examples())
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{module_name}: '>>>' found but no example collected"
    assert result.failed == 0, f"{module_name}: {result.failed} docstring example(s) failed"
