"""Pick math functions for floats, NumPy arrays or CasADi symbols without importing CasADi eagerly.

Physics functions call :func:`lib` on their inputs and get a namespace whose ``exp``, ``log``,
``sqrt``, ``tanh``, ``asinh``, ``sinh``, ``sin``, ``cos`` work on that kind of value.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

__all__ = ["is_casadi", "lib"]

_NUMPY = types.SimpleNamespace(
    exp=np.exp,
    log=np.log,
    sqrt=np.sqrt,
    tanh=np.tanh,
    asinh=np.arcsinh,
    sinh=np.sinh,
    sin=np.sin,
    cos=np.cos,
)


def is_casadi(x: Any) -> bool:
    """True when ``x`` is a CasADi SX, MX or DM (checked without importing CasADi)."""
    return type(x).__module__.split(".")[0] == "casadi"


def lib(*values: Any) -> types.SimpleNamespace:
    """The math namespace for ``values``: CasADi if any value is a CasADi object, else NumPy."""
    if any(is_casadi(v) for v in values):
        import casadi as ca

        return types.SimpleNamespace(
            exp=ca.exp,
            log=ca.log,
            sqrt=ca.sqrt,
            tanh=ca.tanh,
            asinh=ca.asinh,
            sinh=ca.sinh,
            sin=ca.sin,
            cos=ca.cos,
        )
    return _NUMPY
