"""Parametric sensitivity of a solved stride: how the optimum moves with speed and grade.

At a solution of ``min f(z; p) s.t. g(z; p) = 0, lb <= z <= ub`` (here ``p = [speed, grade]``),
differentiating the first-order optimality conditions with the active bounds held gives the
linear system (Fiacco 1976, "Sensitivity analysis for nonlinear programming using penalty
methods", Math Program 10:287; the standard parametric-NLP result used for continuation and
real-time iterations, e.g. Diehl, Bock & Schloeder 2005, SIAM J Control Optim 43:1714)::

    [ H_ff   J_f^T ] [ dz_f/dp ]     [ d(grad_z L)_f / dp ]
    [ J_f    0     ] [ dlam/dp ] = - [ dg / dp            ]

with ``L = f + lam^T g``, ``H`` its Hessian in ``z`` and ``J`` the constraint Jacobian, restricted
to the free variables ``f`` (variables at an active bound do not move). A neighbouring condition
then starts from ``z + dz/dp dp``: a first-order predictor that the interior-point corrector only
has to polish, instead of the neighbour's point as it is.
"""

from __future__ import annotations

from typing import Any

import casadi as ca
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from runmuscles.ocp.solve import derivatives
from runmuscles.ocp.transcription import Transcription

__all__ = ["sensitivity"]


def _csc(m: Any) -> sp.csc_matrix:
    m = ca.DM(m)
    rows, cols = m.sparsity().get_triplet()
    return sp.csc_matrix((np.asarray(m.nonzeros()), (rows, cols)), shape=m.shape)


def sensitivity(
    tr: Transcription,
    z: np.ndarray,
    lam_g: np.ndarray,
    lam_x: np.ndarray,
    params: tuple[float, float],
    active_tol: float = 1e-2,
    damping: float = 1e-9,
) -> np.ndarray:
    """dz/dp (n_variables, 2) of the scaled decision vector with respect to (speed, grade) at a
    solution ``z`` with multipliers ``lam_g``, ``lam_x`` (CasADi signs). Variables whose bound
    multiplier exceeds ``active_tol`` (or that sit on a bound) are held."""
    d = derivatives(tr)
    p0 = np.asarray(params, float)
    upper = _csc(d.hess_lag(z, p0, 1.0, lam_g))
    h = upper + upper.T - sp.diags(upper.diagonal())
    jac = _csc(d.jac_g(z, p0)[1])
    # d(grad_z L)/dp and dg/dp by central differences in the two parameters (exact enough for a
    # predictor; the corrector solve removes what is left)
    lzp = np.zeros((z.size, p0.size))
    gp = np.zeros((jac.shape[0], p0.size))
    for k in range(p0.size):
        step = np.zeros_like(p0)
        step[k] = 1e-5 * max(1.0, abs(p0[k]))
        plus = d.grad_lag(z, p0 + step, 1.0, lam_g)
        minus = d.grad_lag(z, p0 - step, 1.0, lam_g)
        lzp[:, k] = np.ravel(plus[2] - minus[2]) / (2 * step[k])
        gp[:, k] = np.ravel(plus[1] - minus[1]) / (2 * step[k])
    span = np.maximum(tr.ubx - tr.lbx, 1e-12)
    at_bound = (np.abs(z - tr.lbx) < 1e-8 * span) | (np.abs(tr.ubx - z) < 1e-8 * span)
    free = ~((np.abs(lam_x) > active_tol) | at_bound)
    idx = np.nonzero(free)[0]
    hff = h[idx][:, idx]
    jf = jac[:, idx]
    m = jac.shape[0]
    # a tiny primal regularisation keeps the factorisation well posed where H_ff is singular
    # along directions the constraints leave free but the objective does not see
    reg = sp.identity(idx.size, format="csc") * damping
    kkt = sp.bmat([[hff + reg, jf.T], [jf, -1e-12 * sp.identity(m)]], format="csc")
    rhs = -np.vstack([lzp[idx], gp])
    sol = spla.splu(kkt).solve(rhs)
    dz = np.zeros((z.size, 2))
    dz[idx] = sol[: idx.size]
    return dz
