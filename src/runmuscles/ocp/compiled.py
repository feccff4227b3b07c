"""The NLP's derivatives from one compiled mesh node, for IPOPT.

The gait NLP (:mod:`runmuscles.ocp.transcription`) repeats one node's physics at every mesh node,
coupled only through the trapezoidal defects and a few linear constraints. So its objective
gradient, constraint Jacobian and Lagrangian Hessian are sums of one node's derivatives, placed at
that node's variables. Here CasADi writes C for the derivatives of one node (about 3 MB of
source; gcc -O1 compiles it in about 30 s, once per model: the shared library is cached under
:func:`~runmuscles.conventions.cache_root`), and a CasADi graph maps it over the nodes and adds
the pieces into the NLP's sparse layout.

Per node ``j`` with variables ``v_j = [x_j; u_j; h_j]`` (scaled, as in the NLP) and the previous
node's step ``h_{j-1}``:

* defect ``k`` = linear part + ``d_self_k(v_k)`` + ``d_prev_{k+1}(v_{k+1}, h_k)``, where
  ``d_self_j = -(h_j / 2) xdot_j / x_scale`` and ``d_prev_j = -(h_{j-1} / 2) xdot_j / x_scale``;
* path residuals ``path_j(v_j)`` (nodes before the last), periodicity and the time-step chain
  (linear, taken from the transcription itself with the node physics set to zero);
* objective ``sum_j w_j cost_j(v_j) / (N speed)``;
* Lagrangian Hessian ``sum_j hess_[v_j, h_{j-1}] (lam_def_j . d_self_j + lam_def_{j-1} . d_prev_j
  + lam_path_j . path_j + lam_f w_j cost_j / (N speed))``: the linear parts add nothing.

Measured (2-core machine, 3.5 m/s level, against CasADi's expanded SX functions of the whole NLP):
the same values to rounding (relative 1e-11); per call the Hessian is about 7x faster and the
whole warm solve 1.6-1.9x faster, with the same iteration count up to rounding.

Without a C compiler (``$CC``, default ``gcc``), or with ``RUNMUSCLES_DERIVATIVES=sx``, the solver
uses the expanded SX functions of :func:`runmuscles.ocp.solve.derivatives` instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import casadi as ca
import numpy as np

from runmuscles.conventions import cache_root
from runmuscles.ocp.transcription import H_SCALE, Transcription, cost_weights, transcribe

__all__ = ["DERIVATIVES_ENV", "NodeDerivatives", "node_derivatives", "node_functions"]

#: ``compiled`` (default) or ``sx``: how the solver gets the NLP's derivatives.
DERIVATIVES_ENV = "RUNMUSCLES_DERIVATIVES"
#: gcc optimisation level (compiling took 26 s at -O1, 45 s at -O2 and 60 s at -O3 in a probe).
OPTIMISATION = "-O1"


@dataclass(frozen=True)
class NodeDerivatives:
    """The NLP's functions in the layout IPOPT expects (as :class:`~runmuscles.ocp.solve.
    Derivatives`), assembled from one compiled node: ``nlp(x, p) -> f, g``, ``grad_f``,
    ``jac_g``, ``hess_lag``; ``library`` is the shared library they call."""

    nlp: ca.Function
    grad_f: ca.Function
    jac_g: ca.Function
    hess_lag: ca.Function
    library: Path


def node_functions(tr: Transcription) -> dict[str, ca.Function]:
    """One node's value, gradient, Jacobian and Hessian functions (CasADi SX).

    Inputs: ``v`` (the node's scaled x, u, h), ``hp`` (the previous node's scaled step), ``p``
    (speed, grade), ``tau = [phi, span / N]`` (stride fraction and its rate times h), and for the
    Hessian the multipliers of this node's defect (``lam_s``), the previous defect (``lam_p``),
    the path residuals and the cost weight ``wc``."""
    m = tr.model
    nx, nu = m.nx, m.nu
    v = ca.SX.sym("v", nx + nu + 1)
    hp = ca.SX.sym("hp")
    p = ca.SX.sym("p", 2)
    tau = ca.SX.sym("tau", 2)
    n_path = m.f_path.size1_out(0)
    lam_s, lam_p = ca.SX.sym("lam_s", nx), ca.SX.sym("lam_p", nx)
    lam_path = ca.SX.sym("lam_path", n_path)
    wc = ca.SX.sym("wc")
    x_scale = ca.DM(m.x_scale)
    x = v[:nx] * x_scale
    u = v[nx : nx + nu] * ca.DM(m.u_scale)
    h = v[nx + nu] * H_SCALE
    t = ca.vertcat(tau[0], tau[1] / h)
    xdot = m.f_dot(x, u, p, t)
    path = ca.densify(m.f_path(x, u, p, t))
    cost = ca.densify(m.f_cost(x, u, p, t))
    d_self = ca.densify(-(h / 2) * xdot / x_scale)
    d_prev = ca.densify(-(hp * H_SCALE / 2) * xdot / x_scale)
    w = ca.vertcat(v, hp)
    lagrangian = ca.dot(lam_s, d_self) + ca.dot(lam_p, d_prev) + ca.dot(lam_path, path) + wc * cost
    hess, _ = ca.hessian(lagrangian, w)
    base = [v, hp, p, tau]
    return {
        "val": ca.Function("rm_node_val", base, [cost, d_self, d_prev, path]),
        "grad": ca.Function("rm_node_grad", [v, p, tau, wc], [cost, wc * ca.gradient(cost, v)]),
        "jac": ca.Function(
            "rm_node_jac",
            base,
            [
                d_self,
                d_prev,
                path,
                ca.jacobian(d_self, v),
                ca.jacobian(d_prev, w),
                ca.jacobian(path, v),
            ],
        ),
        "hess": ca.Function("rm_node_hess", [*base, lam_s, lam_p, lam_path, wc], [ca.triu(hess)]),
    }


def node_derivatives(tr: Transcription) -> NodeDerivatives | None:
    """The NLP's derivatives from the compiled node, or None where they cannot be had (no C
    compiler, a failed compile, or ``RUNMUSCLES_DERIVATIVES=sx``): the caller then uses the SX
    functions. Built once per transcription."""
    if os.environ.get(DERIVATIVES_ENV, "compiled").lower() == "sx":
        return None
    key = id(tr.nlp["x"])
    if key not in _BUILT:
        fns = node_functions(tr)
        library = _compile(fns)
        found = None
        if library is not None:
            external = {k: ca.external(f.name(), str(library)) for k, f in fns.items()}
            found = _assemble(tr, external, library)
        _BUILT[key] = (tr, found)
    return _BUILT[key][1]


#: id of the transcription's decision vector -> (transcription, its derivatives or None)
_BUILT: dict[int, tuple[Transcription, NodeDerivatives | None]] = {}


def _fall_back(message: str) -> None:
    """Say why the compiled derivatives are not used (Python shows it once per call site)."""
    warnings.warn(
        message + "; solving with CasADi's interpreted derivatives (slower)", stacklevel=3
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` where the platform has ``fcntl`` (atlas workers that start
    together compile once); elsewhere no lock (the library is still written atomically)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _compile(fns: dict[str, ca.Function]) -> Path | None:
    """C for the node functions, compiled into the cache (named by a digest of the source, the
    compiler flags and CasADi's version); None with a warning when that fails."""
    compiler = shutil.which(os.environ.get("CC", "gcc"))
    if compiler is None:
        _fall_back("no C compiler found ($CC or gcc)")
        return None
    with tempfile.TemporaryDirectory(prefix="runmuscles-cg-") as tmp:
        gen = ca.CodeGenerator("rm_node.c", {"with_header": False})
        for f in fns.values():
            gen.add(f)
        gen.generate(tmp + os.sep)
        source = Path(tmp, "rm_node.c").read_bytes()
        digest = hashlib.sha256(
            source + OPTIMISATION.encode() + ca.CasadiMeta.version().encode()
        ).hexdigest()[:20]
        folder = cache_root() / "compiled"
        library = folder / f"rm_node_{digest}.so"
        if library.exists():
            return library
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder / f"rm_node_{digest}.lock"):
            if library.exists():  # another process compiled it while this one waited
                return library
            c_file = Path(tmp, "rm_node.c")
            partial = folder / f".rm_node_{digest}.{os.getpid()}.so"
            cmd = [compiler, OPTIMISATION, "-fPIC", "-shared", str(c_file), "-o", str(partial)]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
            except (OSError, subprocess.TimeoutExpired) as exc:
                _fall_back(f"compiling the node derivatives failed ({exc})")
                return None
            if done.returncode != 0:
                _fall_back(f"compiling the node derivatives failed: {done.stderr[-500:]}")
                partial.unlink(missing_ok=True)
                return None
            os.replace(partial, library)
    return library


def _scatter(n_rows: int, n_cols: int, rows: np.ndarray, cols: np.ndarray) -> tuple[Any, Any]:
    """The sparsity holding every (row, col) given, and the 0/1 matrix that adds value k into
    the non-zero at (rows[k], cols[k]) (repeated positions are summed)."""
    sp, mapping = ca.Sparsity.triplet(n_rows, n_cols, rows.tolist(), cols.tolist(), True)
    k = len(rows)
    adder = ca.DM(ca.Sparsity.triplet(sp.nnz(), k, list(mapping), list(range(k))), 1.0)
    return sp, adder


def _positions(f: ca.Function, out: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(node, row, col) of every non-zero of output ``out`` of ``f`` mapped over ``n`` nodes, in
    the order of the mapped output's non-zeros."""
    r, c = (np.asarray(a, dtype=np.int64) for a in f.sparsity_out(out).get_triplet())
    return np.repeat(np.arange(n), len(r)), np.tile(r, n), np.tile(c, n)


def _assemble(tr: Transcription, node: dict[str, ca.Function], library: Path) -> NodeDerivatives:
    m = tr.model
    nx, nu = m.nx, m.nu
    nv = nx + nu + 1
    n, big_n = tr.n_nodes, tr.n_intervals
    n_path = m.f_path.size1_out(0)
    ng = int(tr.lbg.size)
    # z index of node j's local variable i; column nv: the previous node's step (none at node 0)
    index = np.zeros((n, nv + 1), dtype=np.int64)
    for j in range(n):
        index[j, :nx] = j * nx + np.arange(nx)
        index[j, nx : nx + nu] = nx * n + j * nu + np.arange(nu)
        index[j, nx + nu] = (nx + nu) * n + j
        index[j, nv] = (nx + nu) * n + j - 1
    mapped = {k: f.map(n, "serial") for k, f in node.items()}
    z = ca.MX.sym("x", tr.n_variables)
    p = ca.MX.sym("p", 2)
    lam_f = ca.MX.sym("lam_f")
    lam_g = ca.MX.sym("lam_g", ng)
    v_all = ca.reshape(z[index[:, :nv].T.ravel(order="F").tolist()], nv, n)
    h_prev = ca.horzcat(ca.MX(1, 1), ca.reshape(z[index[1:, nv].tolist()], 1, big_n))
    p_all = ca.repmat(p, 1, n)
    span = 0.5 if tr.half_stride else 1.0
    tau = ca.DM(np.vstack([tr.phases, np.full(n, span / big_n)]))
    w = ca.DM(cost_weights(big_n)).T / (big_n * p[0])

    # the linear parts: this transcription with the node physics set to zero
    def zero(f: ca.Function) -> ca.Function:
        args = [ca.SX.sym(f"a{i}", f.sparsity_in(i)) for i in range(f.n_in())]
        return ca.Function(f.name() + "_zero", args, [ca.SX(f.size1_out(0), f.size2_out(0))])

    lin = transcribe(
        replace(m, f_dot=zero(m.f_dot), f_path=zero(m.f_path), f_cost=zero(m.f_cost)),
        big_n,
        tr.duration_bounds,
        tr.half_stride,
    )
    # expanded before differentiation: an MX Jacobian keeps 5,465 stored zeros that reach MUMPS
    g_zero = ca.Function("g_zero", [lin.nlp["x"], lin.nlp["p"]], [lin.nlp["g"]]).expand()
    zs, ps = ca.SX.sym("z", tr.n_variables), ca.SX.sym("p", 2)
    gs = g_zero(zs, ps)
    g_lin = ca.Function("g_lin", [zs, ps], [gs, ca.jacobian(gs, zs)])
    g_lin_value, j_lin = g_lin(z, p)
    r_lin, c_lin = (np.asarray(a, dtype=np.int64) for a in g_lin.sparsity_out(1).get_triplet())

    # constraint rows of a node's d_self (defect j), d_prev (defect j-1) and path (j < N)
    def rows_of(block: int, node_i: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if block == 0:
            return np.minimum(node_i, big_n - 1) * nx + r, node_i < big_n
        if block == 1:
            return np.maximum(node_i - 1, 0) * nx + r, node_i >= 1
        return nx * big_n + np.minimum(node_i, big_n - 1) * n_path + r, node_i < big_n

    # g
    rows, keep = [], []
    for block, size in ((0, nx), (1, nx), (2, n_path)):
        r, k = rows_of(block, np.repeat(np.arange(n), size), np.tile(np.arange(size), n))
        rows.append(r)
        keep.append(k)
    kept = np.concatenate(keep)
    sp_g, add_g = _scatter(ng, 1, np.concatenate(rows)[kept], np.zeros(int(kept.sum()), int))

    def g_of(outs: list[Any]) -> Any:
        values = ca.vertcat(*[ca.vec(o) for o in outs])[np.flatnonzero(kept).tolist()]
        return g_lin_value + ca.densify(ca.MX(sp_g, ca.mtimes(add_g, values)))

    cost, d_self, d_prev, path = mapped["val"](v_all, h_prev, p_all, tau)
    objective = ca.mtimes(cost, ca.DM(cost_weights(big_n))) / (big_n * p[0])
    nlp = ca.Function(
        "nlp", [z, p], [objective, g_of([d_self, d_prev, path])], ["x", "p"], ["f", "g"]
    )

    # grad_f: the node gradients come weighted by w_j / (N speed)
    cost_g, grad = mapped["grad"](v_all, p_all, tau, w)
    node_i, r, _ = _positions(node["grad"], 1, n)
    sp, add = _scatter(tr.n_variables, 1, index[node_i, r], np.zeros(len(r), int))
    grad_f = ca.Function(
        "nlp_grad_f",
        [z, p],
        [
            ca.mtimes(cost_g, ca.DM(cost_weights(big_n))) / (big_n * p[0]),
            ca.MX(sp, ca.mtimes(add, grad.nz[:])),
        ],
        ["x", "p"],
        ["f", "grad_f_x"],
    )

    # jac_g
    outs = mapped["jac"](v_all, h_prev, p_all, tau)
    rows_j, cols_j, keep_j, values = [], [], [], []
    for block, out in ((0, 3), (1, 4), (2, 5)):
        node_i, r, c = _positions(node["jac"], out, n)
        rr, kk = rows_of(block, node_i, r)
        rows_j.append(rr)
        cols_j.append(index[node_i, c])
        keep_j.append(kk)
        values.append(outs[out].nz[:])
    rows_j.append(r_lin)
    cols_j.append(c_lin)
    keep_j.append(np.ones(len(r_lin), bool))
    values.append(j_lin.nz[:])
    kept_j = np.concatenate(keep_j)
    sp, add = _scatter(
        ng, tr.n_variables, np.concatenate(rows_j)[kept_j], np.concatenate(cols_j)[kept_j]
    )
    jac_values = ca.vertcat(*values)[np.flatnonzero(kept_j).tolist()]
    jac_g = ca.Function(
        "nlp_jac_g",
        [z, p],
        [g_of(list(outs[:3])), ca.MX(sp, ca.mtimes(add, jac_values))],
        ["x", "p"],
        ["g", "jac_g_x"],
    )

    # hess_lag
    lam_def = ca.reshape(lam_g[: nx * big_n], nx, big_n)
    lam_path = ca.reshape(lam_g[nx * big_n : (nx + n_path) * big_n], n_path, big_n)
    hess = mapped["hess"](
        v_all,
        h_prev,
        p_all,
        tau,
        ca.horzcat(lam_def, ca.MX(nx, 1)),
        ca.horzcat(ca.MX(nx, 1), lam_def),
        ca.horzcat(lam_path, ca.MX(n_path, 1)),
        lam_f * w,
    )
    node_i, r, c = _positions(node["hess"], 0, n)
    kept_h = ~(((r == nv) | (c == nv)) & (node_i == 0))  # node 0 has no previous step
    gr, gc = index[node_i, r][kept_h], index[node_i, c][kept_h]
    sp, add = _scatter(tr.n_variables, tr.n_variables, np.minimum(gr, gc), np.maximum(gr, gc))
    hess_lag = ca.Function(
        "nlp_hess_l",
        [z, p, lam_f, lam_g],
        [ca.MX(sp, ca.mtimes(add, hess.nz[np.flatnonzero(kept_h).tolist()]))],
        ["x", "p", "lam_f", "lam_g"],
        ["triu_hess_gamma_x_x"],
    )
    return NodeDerivatives(nlp, grad_f, jac_g, hess_lag, library)
