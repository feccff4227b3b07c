"""Muscle metabolic energy rate: Umberger (2010), with no credit for negative work.

Sources: Umberger BR, Gerritsen KGM, Martin PE (2003) "A model of human muscle energy expenditure",
Comput Methods Biomech Biomed Engin 6:99-111; Umberger BR (2010) "Stance and swing phase costs in
human walking", J R Soc Interface 7:1329-1340. The model as published in 2010: lengthening heat
coefficient 0.3 alpha_S(ST), and mechanical work counted only while the fibres shorten, so
eccentric (negative) fibre work is never paid back as energy. As in Umberger et al. 2003 (p. 104)
the heat rate of every muscle is bounded below by 1 W per kg of muscle, so the total rate of a
muscle can never fall below that basal heat (OpenSim's Umberger2010 probe has the same floor).
The if/else switches are replaced by tanh steps (sharpness 10 per unit, the default of Falisse et
al. 2019 J R Soc Interface 16:20190402 for the smooth metabolic models used in optimal control)
and the floor by a smooth maximum, so that exact derivatives exist; ``A^0.6`` is smoothed near
``A = 0`` (:func:`activation_power`).

Per unit muscle mass (W/kg), with fast-twitch fraction f, activation-like factor A, normalised
fibre length l (l_opt), fibre velocity v in l_opt/s (shortening negative):

* activation-maintenance heat ``h_AM = (128 f + 25) A^0.6 S`` (times ``0.4 + 0.6 fl(l)`` when
  ``l > 1``);
* shortening heat ``h_S = -(alpha_ST v (1 - f) + alpha_FT v f) A^2 S`` for ``v <= 0`` (times fl(l)
  when ``l > 1``), lengthening heat ``h_L = alpha_L v A S`` for ``v > 0``; ``alpha_ST = 100 /
  v_max,ST``, ``alpha_FT = 153 / v_max,FT``, ``alpha_L = 0.3 alpha_ST``; v_max,FT = the muscle's
  v_max (10 l_opt/s), v_max,ST = v_max,FT / 2.5;
* heat ``h = max(h_AM + h_S/L, 1 W/kg)`` (Umberger et al. 2003, minimum heat rate);
* mechanical work rate ``w = max(0, -F_CE v_CE) / m`` (F_CE = a fl fv Fmax, the contractile force):
  positive work only (Umberger 2010);
* ``A = e`` when excitation e > activation a, else ``(e + a) / 2``; S = 1.5 (aerobic conditions).

Muscle mass = density * (Fmax / specific tension) * l_opt with specific tension 0.25 MPa and
density 1059.7 kg/m^3 (both as in Umberger et al. 2003). Whole-body basal metabolism is separate
(:func:`basal_rate`). All functions work on floats, NumPy arrays and CasADi symbols.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from runmuscles.model.backend import ops_for as lib
from runmuscles.model.muscle import MuscleParams, active_force_length, force_velocity

__all__ = [
    "ACTIVATION_SMOOTHING",
    "BASAL_RATE",
    "LENGTHENING_HEAT",
    "MIN_HEAT_RATE",
    "MUSCLE_DENSITY",
    "SPECIFIC_TENSION",
    "EnergyRate",
    "activation_power",
    "basal_rate",
    "muscle_mass",
    "umberger_rate",
]

#: Specific tension (Pa) used to derive muscle mass from Fmax (Umberger et al. 2003). It is a
#: constant of the heat model, not this runner's tissue stress: the Rajagopal 2016 leg forces were
#: made at 60 N/cm^2 (they reproduce Handsfield et al. 2014's MRI volumes within 1-3 % at that
#: stress, rectus femoris excepted), so the masses used here are 2.4x the measured volumes; but
#: with the measured masses the model's efficiency (work / energy) reaches 0.76 for the vasti
#: shortening at 0.3 m/s, past the 0.7 bound of test_metabolics and far above the 0.2-0.3 of
#: muscle (figure recalled, verify): the heat coefficients (W/kg) were set with this stress and
#: stay consistent only with it (measured in this project, then not used).
SPECIFIC_TENSION = 0.25e6
#: Muscle density (kg/m^3) (Umberger et al. 2003, after Mendez & Keys 1960).
MUSCLE_DENSITY = 1059.7
#: Whole-body basal metabolic rate (W/kg body mass): the basal term of Bhargava et al. 2004
#: J Biomech 37:81 (1.2 W/kg, also OpenSim's Bhargava2004 probe default).
BASAL_RATE = 1.2
#: Aerobic scaling factor S (Umberger et al. 2003: 1.5 for mostly aerobic conditions).
AEROBIC_FACTOR = 1.5
#: Ratio of fast- to slow-twitch maximum shortening velocity (Umberger et al. 2003).
_VMAX_FT_TO_ST = 2.5


class EnergyRate(NamedTuple):
    """Metabolic energy rate of one muscle, W (not per kg). ``total`` is the sum of the parts."""

    activation_maintenance: Any
    shortening_lengthening: Any
    mechanical_work: Any
    total: Any


def muscle_mass(muscle: MuscleParams) -> float:
    """Muscle mass (kg) = density * Fmax / specific tension * l_opt (Umberger et al. 2003)."""
    return (
        MUSCLE_DENSITY * muscle.max_isometric_force / SPECIFIC_TENSION * muscle.optimal_fiber_length
    )


def basal_rate(body_mass: float) -> float:
    """Whole-body basal metabolic rate, W (Bhargava et al. 2004: 1.2 W/kg)."""
    return BASAL_RATE * body_mass


def _step(m: Any, x: Any, sharpness: float) -> Any:
    """Smooth Heaviside step 0.5 (1 + tanh(sharpness x))."""
    return 0.5 + 0.5 * m.tanh(sharpness * x)


def _smooth_max(m: Any, x: Any, floor: float, width: float) -> Any:
    """max(x, floor), smoothed over ``width`` (exact when |x - floor| >> width)."""
    d = x - floor
    return floor + 0.5 * (d + m.sqrt(d * d + width * width))


#: Width of the smoothing of A^0.6 near A = 0 (:func:`activation_power`; this project's choice).
ACTIVATION_SMOOTHING = 0.02


def activation_power(a: Any, smoothing: float = ACTIVATION_SMOOTHING) -> Any:
    """Umberger's ``A^0.6`` as ``A (A^2 + d^2)^-0.2`` with ``d = smoothing`` (``a >= 0``).

    ``A^0.6`` rises with infinite slope and curvature at ``A = 0``, where most muscles sit between
    bursts. In the optimisation that cusp made the Lagrangian's Hessian strongly indefinite: at the
    3.5 m/s level optimum its most negative curvature (on the constraints' null space, scaled
    variables) was -2.4, all in single-node excitation changes of muscles near the floor, and
    IPOPT had to regularise every iteration. The smoothed form is linear at 0 (slope ``d^-0.4``),
    equals ``A^0.6 (1 + d^2/A^2)^-0.2``, so it is within 0.8 % of ``A^0.6`` for ``A >= 0.1`` and
    within 3 % for ``A >= 0.05`` at ``d = 0.02``; measured, the most negative curvature fell to
    -0.07. ``smoothing = 0`` gives ``A^0.6`` itself."""
    if smoothing == 0:
        return (a + 1e-12) ** 0.6
    return a * (a * a + smoothing * smoothing) ** -0.2


#: Minimum heat rate of a muscle, W per kg of muscle (Umberger et al. 2003, p. 104).
MIN_HEAT_RATE = 1.0
#: Lengthening heat coefficient as a fraction of alpha_S(ST) (Umberger 2010).
LENGTHENING_HEAT = 0.3


def umberger_rate(
    muscle: MuscleParams,
    excitation: Any,
    activation: Any,
    lm_n: Any,
    vm_n: Any,
    *,
    aerobic_factor: float = AEROBIC_FACTOR,
    sharpness_velocity: float = 10.0,
    sharpness_length: float = 10.0,
    sharpness_excitation: float = 10.0,
    heat_floor_width: float = 0.1,
    work_smoothing: float = 1.0,
    activation_smoothing: float = ACTIVATION_SMOOTHING,
) -> EnergyRate:
    """Smooth Umberger (2010) energy rate of one muscle, W (never below its basal heat).

    ``lm_n``: fibre length / l_opt; ``vm_n``: fibre velocity / v_max (shortening negative), as in
    :mod:`runmuscles.model.muscle`. The ``sharpness_*`` values set the tanh steps: velocity in
    1/(l_opt/s), length in 1/l_opt, excitation-activation in 1/1; ``heat_floor_width`` (W/kg) the
    smoothing of the minimum heat rate, ``work_smoothing`` (W) that of max(0, fibre power) and
    ``activation_smoothing`` that of A^0.6 (:func:`activation_power`).
    ``mechanical_work`` is the positive fibre power only;
    ``activation_maintenance + shortening_lengthening`` is the heat with its floor applied.
    """
    m = lib(excitation, activation, lm_n, vm_n)
    f = muscle.fast_twitch_fraction
    mass = muscle_mass(muscle)
    vmax_lopt = muscle.max_contraction_velocity / muscle.optimal_fiber_length  # l_opt/s
    v = vm_n * vmax_lopt  # fibre velocity in l_opt/s
    fl = active_force_length(lm_n)

    # A: excitation if rising, mean of excitation and activation if falling.
    rising = _step(m, excitation - activation, sharpness_excitation)
    a_factor = rising * excitation + (1.0 - rising) * 0.5 * (excitation + activation)
    long_fibre = _step(m, lm_n - 1.0, sharpness_length)
    shortening = _step(m, -v, sharpness_velocity)

    # A^0.6 and A^2 on a non-negative A (smooth abs keeps the derivative finite at 0).
    a_pos = m.sqrt(a_factor**2 + 1e-8) - 1e-4
    a_pow06 = activation_power(a_pos, activation_smoothing)

    h_am = (128.0 * f + 25.0) * a_pow06 * aerobic_factor
    h_am = h_am * (1.0 - long_fibre + long_fibre * (0.4 + 0.6 * fl))

    alpha_ft = 153.0 / vmax_lopt
    alpha_st = 100.0 / (vmax_lopt / _VMAX_FT_TO_ST)
    alpha_l = LENGTHENING_HEAT * alpha_st
    h_short = -(alpha_st * v * (1.0 - f) + alpha_ft * v * f) * a_pos**2 * aerobic_factor
    h_len = alpha_l * v * a_pos * aerobic_factor
    h_sl = (shortening * h_short + (1.0 - shortening) * h_len) * (
        1.0 - long_fibre + long_fibre * fl
    )
    heat = _smooth_max(m, h_am + h_sl, MIN_HEAT_RATE, heat_floor_width)

    f_ce = activation * fl * force_velocity(vm_n) * muscle.max_isometric_force  # N
    v_ce = vm_n * muscle.max_contraction_velocity  # m/s
    # positive work only (Umberger 2010), as a smooth max(0, P): never below zero
    work = _smooth_max(m, -f_ce * v_ce, 0.0, work_smoothing)

    h_am_w = h_am * mass
    h_sl_w = (heat - h_am) * mass  # the floor is booked as shortening/lengthening heat
    return EnergyRate(h_am_w, h_sl_w, work, heat * mass + work)
