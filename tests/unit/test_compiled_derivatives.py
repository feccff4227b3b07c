"""The NLP's derivatives assembled from one compiled node equal CasADi's expanded SX derivatives of
the whole NLP, at the shipped 3.5 m/s stride and at a perturbed point; without a compiler the
solver falls back to the SX functions with a warning. About 50 s (the SX reference takes 20 s;
a fresh cache compiles the node once, about 30 s)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import casadi as ca
import numpy as np
import pytest

from runmuscles.model.runner import Runner
from runmuscles.ocp import compiled
from runmuscles.ocp.build import get_transcription
from runmuscles.ocp.problem import predictive
from runmuscles.ocp.solve import derivatives

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler (gcc)")


def _stride() -> tuple[np.ndarray, np.ndarray]:
    folder = Path(str(resources.files("runmuscles").joinpath("data", "strides")))
    data = np.load(next(folder.glob("run_3.500_+0.0000_*.npz")), allow_pickle=True)
    return np.asarray(data["z"], float), np.asarray(data["lam_g"], float)


def _outputs(d: object, z: np.ndarray, p: list[float], lam_g: np.ndarray) -> list[np.ndarray]:
    out = [*d.nlp(z, p), *d.grad_f(z, p), *d.jac_g(z, p), d.hess_lag(z, p, 0.7, lam_g)]  # type: ignore[attr-defined]
    return [ca.DM(o).full() for o in out]


def test_node_derivatives_equal_the_whole_nlps() -> None:
    tr, _ = get_transcription(predictive(Runner(), 3.5, 0.0))
    node = compiled.node_derivatives(tr)
    assert node is not None and node.library.exists()
    reference = derivatives(tr)
    z, lam_g = _stride()
    rng = np.random.default_rng(1)
    points = [
        (z, lam_g, [3.5, 0.0]),
        (
            z * (1 + 0.01 * rng.standard_normal(z.size)),
            lam_g * (1 + rng.random(lam_g.size)),
            [4.1, 0.07],
        ),
    ]
    for zz, ll, p in points:
        for want, got in zip(
            _outputs(reference, zz, p, ll), _outputs(node, zz, p, ll), strict=True
        ):
            assert want.shape == got.shape
            # two evaluation orders of the same expressions: rounding only (our tolerance)
            assert np.abs(got - want).max() <= 1e-12 * max(1.0, np.abs(want).max())
    # the same structure for IPOPT: the Jacobian's non-zeros exactly, the Hessian's up to a few
    # entries that the whole NLP's expansion finds to be zero (145 of 38,123)
    assert node.jac_g.sparsity_out(1) == reference.jac_g.sparsity_out(1)
    assert node.hess_lag.sparsity_out(0).nnz() <= 1.01 * reference.hess_lag.sparsity_out(0).nnz()


def test_no_compiler_means_the_sx_functions_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compiled.shutil, "which", lambda _name: None)
    with pytest.warns(UserWarning, match="no C compiler found"):
        assert compiled._compile({}) is None
    monkeypatch.setenv(compiled.DERIVATIVES_ENV, "sx")
    tr, _ = get_transcription(predictive(Runner(), 3.5, 0.0))
    assert compiled.node_derivatives(tr) is None
