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

from runmuscles.ocp.transcription import Transcription

__all__ = ["sensitivity"]

_FUNCTIONS: dict[int, tuple[Transcription, ca.Function]] = {}


def _functions(tr: Transcription) -> ca.Function:
    """(z, p, lam_g) -> (H, dgradL/dp, J, dg/dp), built once per transcription."""
    key = id(tr.nlp["x"])
    if key in _FUNCTIONS:
        return _FUNCTIONS[key][1]
    z, p, f, g = tr.nlp["x"], tr.nlp["p"], tr.nlp["f"], tr.nlp["g"]
    lam = ca.MX.sym("lam", g.shape[0])
    lagrangian = f + ca.dot(lam, g)
    grad = ca.gradient(lagrangian, z)
    fn = ca.Function(
        "kkt_sens",
        [z, p, lam],
        [ca.jacobian(grad, z), ca.jacobian(grad, p), ca.jacobian(g, z), ca.jacobian(g, p)],
    ).expand()
    _FUNCTIONS[key] = (tr, fn)
    return fn


def _csc(m: Any) -> sp.csc_matrix:
    sparsity = m.sparsity()
    rows, cols = sparsity.get_triplet()
    return sp.csc_matrix((np.asarray(m.nonzeros()), (rows, cols)), shape=m.shape)


def sensitivity(
    tr: Transcription,
    z: np.ndarray,
    lam_g: np.ndarray,
    lam_x: np.ndarray,
    params: tuple[float, float],
    active_tol: float = 1e-6,
) -> np.ndarray:
    """dz/dp (n_variables, 2) of the scaled decision vector with respect to (speed, grade) at a
    solution ``z`` with multipliers ``lam_g``, ``lam_x`` (CasADi signs). Variables whose bound
    multiplier exceeds ``active_tol`` (or that sit on a bound) are held."""
    fn = _functions(tr)
    h, lzp, jac, gp = fn(z, np.asarray(params, float), lam_g)
    h, jac = _csc(h), _csc(jac)
    lzp, gp = np.asarray(ca.DM(lzp).full()), np.asarray(ca.DM(gp).full())
    span = np.maximum(tr.ubx - tr.lbx, 1e-12)
    at_bound = (np.abs(z - tr.lbx) < 1e-8 * span) | (np.abs(tr.ubx - z) < 1e-8 * span)
    free = ~((np.abs(lam_x) > active_tol) | at_bound)
    idx = np.nonzero(free)[0]
    hff = h[idx][:, idx]
    jf = jac[:, idx]
    m = jac.shape[0]
    # a tiny primal regularisation keeps the factorisation well posed where H_ff is singular
    # along directions the constraints leave free but the objective does not see
    reg = sp.identity(idx.size, format="csc") * 1e-9
    kkt = sp.bmat([[hff + reg, jf.T], [jf, -1e-12 * sp.identity(m)]], format="csc")
    rhs = -np.vstack([lzp[idx], gp])
    sol = spla.splu(kkt).solve(rhs)
    dz = np.zeros((z.size, 2))
    dz[idx] = sol[: idx.size]
    return dz
