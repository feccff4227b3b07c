"""One set of math operations for NumPy values and CasADi symbols.

Physics in :mod:`runmuscles.model` is written once, on scalars (or NumPy arrays broadcasting
element-wise, e.g. a whole time series at once) and on CasADi ``SX``/``MX``/``DM`` expressions.
:func:`ops_for` picks the library from the arguments' types; CasADi is imported only when a CasADi
value is present, so NumPy users never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from runmuscles.errors import InputError

__all__ = ["Ops", "as_vector", "is_casadi", "ops_for"]


@dataclass(frozen=True)
class Ops:
    """Element-wise math and stacking for one backend (``name`` is "numpy" or "casadi")."""

    name: str
    sin: Callable[[Any], Any]
    cos: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    tanh: Callable[[Any], Any]
    log: Callable[[Any], Any]
    sinh: Callable[[Any], Any]
    asinh: Callable[[Any], Any]
    stack: Callable[[Sequence[Any]], Any]
    solve: Callable[[Any, Any], Any]


def is_casadi(x: Any) -> bool:
    """True for CasADi SX/MX/DM values (checked without importing CasADi)."""
    return type(x).__module__.split(".")[0] == "casadi"


def _np_stack(items: Sequence[Any]) -> np.ndarray:
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in items])
    return np.stack(arrays)


def _np_solve(a: Any, b: Any) -> np.ndarray:
    return np.linalg.solve(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


_NUMPY = Ops(
    "numpy",
    np.sin,
    np.cos,
    np.exp,
    np.sqrt,
    np.tanh,
    np.log,
    np.sinh,
    np.arcsinh,
    _np_stack,
    _np_solve,
)
_CASADI: Ops | None = None


def _casadi_ops() -> Ops:
    global _CASADI
    if _CASADI is None:
        import casadi as ca

        def stack(items: Sequence[Any]) -> Any:
            return ca.vertcat(*items)

        _CASADI = Ops(
            "casadi",
            ca.sin,
            ca.cos,
            ca.exp,
            ca.sqrt,
            ca.tanh,
            ca.log,
            ca.sinh,
            ca.asinh,
            stack,
            ca.solve,
        )
    return _CASADI


def _any_casadi(values: Iterable[Any]) -> bool:
    for v in values:
        if isinstance(v, dict):
            if _any_casadi(v.values()):
                return True
        elif isinstance(v, (list, tuple)):
            if _any_casadi(v):
                return True
        elif is_casadi(v):
            return True
    return False


def ops_for(*values: Any) -> Ops:
    """The backend for these arguments: CasADi if any of them (or nested in them) is CasADi."""
    return _casadi_ops() if _any_casadi(values) else _NUMPY


def as_vector(x: Any, n: int, name: str) -> Any:
    """Check that ``x`` is a length-``n`` vector (NumPy: shape (n,) or (n, N); CasADi: n x 1)."""
    if is_casadi(x):
        if x.shape != (n, 1):
            raise InputError(f"{name} must be a {n} x 1 CasADi column, got shape {x.shape}")
        return x
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0 or arr.shape[0] != n:
        raise InputError(
            f"{name} must have {n} entries (one per degree of freedom), got shape {arr.shape}"
        )
    return arr
