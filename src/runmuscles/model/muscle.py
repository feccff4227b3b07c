"""Hill-type muscle-tendon units with the De Groote et al. (2016) curves.

Source of every curve and coefficient: De Groote F, Kinney AL, Rao AV, Fregly BJ (2016)
"Evaluation of direct collocation optimal control problem formulations for solving the muscle
redundancy problem", Ann Biomed Eng 44:2922-2936 (supplementary material, "Muscle model").

All functions are pure and work on floats, NumPy arrays and CasADi SX/MX alike.

Normalisations (dimensionless, written with a tilde in the paper):

* fibre length ``lm_n = l_M / l_opt``; fibre velocity ``vm_n = v_M / v_max`` with
  ``v_max = max_contraction_velocity`` (m/s), shortening NEGATIVE, so ``vm_n`` is in -1..1;
* tendon length ``lt_n = l_T / l_ts``; forces as fractions of ``max_isometric_force``.

Landmarks with the published coefficients (checked in tests/unit/test_muscle.py):
``active_force_length(1) = 0.99943`` (peak 1.00050 at ``lm_n = 1.0133``), ``force_velocity(0) =
1.00212``, ``force_velocity(-1) = 0.01084``, ``force_velocity(1) = 1.78948``,
``passive_force_length(1.6) = 1`` exactly, and with ``kT = 35`` the shifted tendon curve gives
1.0856 Fmax at 4.9 % strain (``lt_n = 1.049``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from runmuscles.model.backend import ops_for as lib

__all__ = [
    "ACTIVATION_SMOOTHING",
    "KPE",
    "KT_DEFAULT",
    "PASSIVE_SMOOTHING",
    "PASSIVE_STRAIN_AT_ONE",
    "TAU_ACTIVATION",
    "TAU_DEACTIVATION",
    "FiberState",
    "MuscleParams",
    "activation_rate",
    "active_force_length",
    "equilibrium_tendon_force",
    "fiber_from_tendon_force",
    "fiber_from_tendon_length",
    "force_velocity",
    "force_velocity_inverse",
    "implicit_residual_fiber_length",
    "implicit_residual_tendon_force",
    "passive_force_length",
    "rigid_tendon_force",
    "tendon_force_length",
    "tendon_length_from_force",
    "tendon_stiffness",
]

# --- De Groote 2016 coefficients (supplementary material, Eqs. S1-S5) ---------------------------

#: Active force-length: three Gaussian-like terms (b1i, b2i, b3i, b4i), i = 1..3.
_B_ACTIVE: tuple[tuple[float, float, float, float], ...] = (
    (0.814483478343008, 1.055033428970575, 0.162384573599574, 0.063303448465465),
    (0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188),
    (0.1, 1.0, 0.353553390593274, 0.0),
)
#: Passive force-length shape factor kPE and strain e0 at which passive force = Fmax.
KPE = 4.0
PASSIVE_STRAIN_AT_ONE = 0.6
#: Width of the smooth positive part of the passive curve (fraction of Fmax; project's choice).
PASSIVE_SMOOTHING = 1e-3
#: Force-velocity coefficients d1..d4.
_D1, _D2, _D3, _D4 = (
    -0.318323436899127,
    -8.149156043475250,
    -0.374121508647863,
    0.885644059915004,
)
#: Tendon force-length coefficients c1..c3 and default stiffness kT.
_C1, _C2, _C3 = 0.2, 0.995, 0.25
KT_DEFAULT = 35.0
#: Activation and deactivation time constants (s) and the tanh smoothing b of Eq. 1-2.
TAU_ACTIVATION = 0.015
TAU_DEACTIVATION = 0.060
ACTIVATION_SMOOTHING = 0.1


@dataclass(frozen=True)
class MuscleParams:
    """One muscle-tendon unit (SI units).

    ``name`` is the full model name (``"soleus_r"``), ``base`` the name without side, ``group`` the
    catalogue group id, ``side`` ``"r"``/``"l"``. Forces in N, lengths in m, pennation in rad,
    ``max_contraction_velocity`` in m/s (10 optimal fibre lengths per second), ``tendon_stiffness``
    the dimensionless kT of the tendon curve. ``dofs`` are the generalised coordinates crossed.
    ``fast_twitch_fraction`` (0..1) feeds the metabolic model; ``sources`` cites the numbers.
    ``passive_strain`` is the fibre strain e0 at which passive force reaches Fmax.
    Geometry (see :mod:`runmuscles.model.geometry`): ``moment_arm_polynomials`` holds, per DOF
    crossed, the coefficients (c0 m, c1 m/rad, c2 m/rad^2) of the moment arm
    ``r(q) = c0 + c1 q + c2 q^2``; ``length_at_zero`` is the MTU length (m) with all its DOFs at 0.
    """

    name: str
    base: str
    group: str
    side: str
    max_isometric_force: float
    optimal_fiber_length: float
    tendon_slack_length: float
    pennation_angle: float
    max_contraction_velocity: float
    tendon_stiffness: float
    compliant_tendon: bool
    dofs: tuple[str, ...]
    sources: tuple[str, ...] = ()
    fast_twitch_fraction: float = 0.5
    passive_strain: float = PASSIVE_STRAIN_AT_ONE
    moment_arm_polynomials: tuple[tuple[str, tuple[float, float, float]], ...] = ()
    length_at_zero: float = 0.0

    @property
    def fiber_height(self) -> float:
        """Constant fibre 'height' l_opt sin(alpha_opt) of the constant-thickness model, m."""
        return self.optimal_fiber_length * math.sin(self.pennation_angle)


class FiberState(NamedTuple):
    """Fibre state derived from the tendon: normalised length, velocity, cos(pennation)."""

    length: Any
    velocity: Any
    cos_pennation: Any


# --- curves --------------------------------------------------------------------------------------


def active_force_length(lm_n: Any) -> Any:
    """Active force-length multiplier (dimensionless) at normalised fibre length ``lm_n``."""
    m = lib(lm_n)
    total = 0.0 * lm_n
    for b1, b2, b3, b4 in _B_ACTIVE:
        total = total + b1 * m.exp(-0.5 * (lm_n - b2) ** 2 / (b3 + b4 * lm_n) ** 2)
    return total


def passive_force_length(
    lm_n: Any, kpe: float = KPE, strain_at_one: float = PASSIVE_STRAIN_AT_ONE
) -> Any:
    """Passive fibre force / Fmax: (exp(kPE (lm_n - 1)/e0) - 1) / (exp(kPE) - 1), never negative.

    As published the curve dips slightly below zero under optimal length (down to -0.019): a
    muscle would push, 180 N for the vasti of this model, which the optimiser could use. This
    project takes its smooth positive part, ``(f + sqrt(f^2 + w^2)) / 2`` with ``w`` =
    :data:`PASSIVE_SMOOTHING` (a modelling choice): 0.0005 at ``lm_n = 1``, 1.0000 at 1.6.
    """
    m = lib(lm_n)
    f = (m.exp(kpe * (lm_n - 1.0) / strain_at_one) - 1.0) / (math.exp(kpe) - 1.0)
    return 0.5 * (f + m.sqrt(f * f + PASSIVE_SMOOTHING**2))


def force_velocity(vm_n: Any) -> Any:
    """Force-velocity multiplier at normalised fibre velocity ``vm_n`` (shortening negative)."""
    m = lib(vm_n)
    x = _D2 * vm_n + _D3
    return _D1 * m.log(x + m.sqrt(x**2 + 1.0)) + _D4


def force_velocity_inverse(fv: Any) -> Any:
    """Normalised fibre velocity giving force-velocity multiplier ``fv`` (exact inverse)."""
    m = lib(fv)
    return (m.sinh((fv - _D4) / _D1) - _D3) / _D2


def tendon_force_length(lt_n: Any, kt: float = KT_DEFAULT) -> Any:
    """Tendon force / Fmax at normalised tendon length ``lt_n``.

    De Groote 2016: c1 exp(kT (lt_n - c2)) - c3, shifted by a constant so that the force is exactly
    zero at slack length (``lt_n = 1``); the published curve gives -0.0118 there with kT = 35.
    """
    m = lib(lt_n)
    return _C1 * m.exp(kt * (lt_n - _C2)) - _C1 * math.exp(kt * (1.0 - _C2))


def tendon_length_from_force(ft_n: Any, kt: float = KT_DEFAULT) -> Any:
    """Normalised tendon length at tendon force ``ft_n``; inverse of :func:`tendon_force_length`."""
    m = lib(ft_n)
    return _C2 + m.log((ft_n + _C1 * math.exp(kt * (1.0 - _C2))) / _C1) / kt


def tendon_stiffness(lt_n: Any, kt: float = KT_DEFAULT) -> Any:
    """d(tendon force / Fmax) / d(lt_n), dimensionless."""
    m = lib(lt_n)
    return _C1 * kt * m.exp(kt * (lt_n - _C2))


def activation_rate(
    excitation: Any,
    activation: Any,
    tau_act: float = TAU_ACTIVATION,
    tau_deact: float = TAU_DEACTIVATION,
    smoothing: float = ACTIVATION_SMOOTHING,
) -> Any:
    """First-order activation dynamics da/dt (1/s), De Groote 2016 Eqs. 1-2.

    ``f = 0.5 tanh(b (e - a))``; ``da/dt = [ (f + 0.5) / (tau_a (0.5 + 1.5 a))
    + (0.5 + 1.5 a) (0.5 - f) / tau_d ] (e - a)``. The published smoothing ``b = 0.1`` blends
    activation and deactivation time constants strongly; pass a larger ``smoothing`` (e.g. 10)
    for a sharper switch.
    """
    m = lib(excitation, activation)
    f = 0.5 * m.tanh(smoothing * (excitation - activation))
    scale = 0.5 + 1.5 * activation
    return ((f + 0.5) / (tau_act * scale) + scale * (0.5 - f) / tau_deact) * (
        excitation - activation
    )


# --- fibre kinematics (constant-thickness pennation) ---------------------------------------------


def fiber_from_tendon_length(muscle: MuscleParams, l_mt: Any, l_t: Any) -> tuple[Any, Any]:
    """Fibre length (m) and cos(pennation) from MTU length and tendon length (both m).

    Constant thickness: ``l_M sin(alpha) = l_opt sin(alpha_opt)``, ``l_M cos(alpha) = l_MT - l_T``.
    """
    m = lib(l_mt, l_t)
    along = l_mt - l_t
    l_m = m.sqrt(muscle.fiber_height**2 + along**2)
    return l_m, along / l_m


def fiber_from_tendon_force(
    muscle: MuscleParams, ft_n: Any, dft_n: Any, l_mt: Any, v_mt: Any
) -> FiberState:
    """Fibre state from normalised tendon force ``ft_n`` and its time derivative ``dft_n`` (1/s).

    ``l_mt`` (m) and ``v_mt`` (m/s, lengthening positive) come from the joint angles and speeds.
    Tendon: ``l_T = l_ts lt_n(ft_n)``, ``v_T = l_ts dft_n / (dfT/dlt_n)``; fibre velocity from
    ``v_M = cos(alpha) (v_MT - v_T)`` (exact derivative of the constant-thickness relation).
    """
    kt = muscle.tendon_stiffness
    lt_n = tendon_length_from_force(ft_n, kt)
    l_m, cos_a = fiber_from_tendon_length(muscle, l_mt, muscle.tendon_slack_length * lt_n)
    v_t = muscle.tendon_slack_length * dft_n / tendon_stiffness(lt_n, kt)
    v_m = cos_a * (v_mt - v_t)
    return FiberState(
        l_m / muscle.optimal_fiber_length, v_m / muscle.max_contraction_velocity, cos_a
    )


def _fiber_force_n(muscle: MuscleParams, activation: Any, lm_n: Any, vm_n: Any) -> Any:
    """Fibre force along the fibre / Fmax: a fl fv + fpe (the muscle's own passive strain)."""
    return activation * active_force_length(lm_n) * force_velocity(vm_n) + passive_force_length(
        lm_n, strain_at_one=muscle.passive_strain
    )


def implicit_residual_tendon_force(
    muscle: MuscleParams, activation: Any, ft_n: Any, dft_n: Any, l_mt: Any, v_mt: Any
) -> Any:
    """Equilibrium residual of the implicit formulation with tendon-force state (De Groote 2016).

    State: normalised tendon force ``ft_n``; control: its derivative ``dft_n`` (1/s). Returns
    ``ft_n - (a fl fv + fpe) cos(alpha)``, i.e. (tendon force - fibre force along the tendon)
    / Fmax, which the optimal control drives to zero.
    """
    lm_n, vm_n, cos_a = fiber_from_tendon_force(muscle, ft_n, dft_n, l_mt, v_mt)
    return ft_n - _fiber_force_n(muscle, activation, lm_n, vm_n) * cos_a


def implicit_residual_fiber_length(
    muscle: MuscleParams, activation: Any, lm_n: Any, vm_n: Any, l_mt: Any
) -> Any:
    """Equilibrium residual with normalised fibre length ``lm_n`` as state, ``vm_n`` as control.

    Tendon length follows from geometry (``l_T = l_MT - l_M cos(alpha)``); returns
    ``fT(l_T) - (a fl fv + fpe) cos(alpha)`` in units of Fmax. The state derivative is
    ``d(lm_n)/dt = vm_n v_max / l_opt``.
    """
    m = lib(activation, lm_n, vm_n, l_mt)
    l_m = lm_n * muscle.optimal_fiber_length
    along = m.sqrt(l_m**2 - muscle.fiber_height**2)
    cos_a = along / l_m
    ft_n = tendon_force_length((l_mt - along) / muscle.tendon_slack_length, muscle.tendon_stiffness)
    return ft_n - _fiber_force_n(muscle, activation, lm_n, vm_n) * cos_a


def rigid_tendon_force(muscle: MuscleParams, activation: Any, l_mt: Any, v_mt: Any) -> Any:
    """Explicit rigid-tendon model: tendon force (N) from activation, MTU length and velocity.

    ``l_T = l_ts``; ``v_M = cos(alpha) v_MT``; force = (a fl fv + fpe) cos(alpha) Fmax.
    """
    l_m, cos_a = fiber_from_tendon_length(muscle, l_mt, muscle.tendon_slack_length)
    lm_n = l_m / muscle.optimal_fiber_length
    vm_n = cos_a * v_mt / muscle.max_contraction_velocity
    return _fiber_force_n(muscle, activation, lm_n, vm_n) * cos_a * muscle.max_isometric_force


def equilibrium_tendon_force(
    muscle: MuscleParams,
    activation: float | np.ndarray,
    l_mt: float | np.ndarray,
    v_mt: float | np.ndarray = 0.0,
    iterations: int = 80,
) -> np.ndarray:
    """Normalised tendon force in quasi-static equilibrium (NumPy only), for guesses and checks.

    Solves ``implicit_residual_tendon_force(..., dft_n=0, ...) = 0``: the tendon length is held
    (v_T = 0) so the whole MTU velocity ``v_mt`` (m/s) goes to the fibre. Bisection on ``ft_n`` in
    [0, 3]; returns one root as an array (long compliant tendons can have several).
    """
    a, lmt, vmt = np.broadcast_arrays(
        np.asarray(activation, float), np.asarray(l_mt, float), np.asarray(v_mt, float)
    )
    lo = np.zeros(a.shape)
    hi = np.full(a.shape, 3.0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        r = implicit_residual_tendon_force(muscle, a, mid, 0.0, lmt, vmt)
        # residual grows with ft_n (longer tendon -> shorter fibre -> less fibre force)
        hi = np.where(r > 0, mid, hi)
        lo = np.where(r > 0, lo, mid)
    return 0.5 * (lo + hi)
