"""Walking or running? The gait of a stretch of a recorded run, from its speed, grade and cadence.

The rule (:func:`classify`), in order:

1. Slower than :data:`SLOW_RUN_MIN_SPEED` (1.0 m/s): walking.
2. At or above :data:`RUN_SPEED` (2.2 m/s): running, whatever the cadence. People switch from
   walking to running near 2.0-2.1 m/s on the level and walking costs more than running above
   about 2.2 m/s (Hreljac 1993, Med Sci Sports Exerc 25:1158, "Preferred and energetically
   optimal gait transition speeds in human locomotion"), so steady walking that fast is rare.
3. With a recorded step cadence (dropouts left out, see :data:`MIN_VALID_CADENCE`): running at
   :data:`RUN_CADENCE` (140 steps/min) or more, walking below. Walking cadence is typically
   100-130 steps/min; running cadence is 150-185 steps/min at 3 m/s (Lieberman et al. 2015) and
   slow jogging stays above about 140. On the real files, uphill hiking at 1.4-1.9 m/s had
   110-139 steps/min and slow trail running at 1.6-2.0 m/s 140-160.
4. Without cadence: running at or above the preferred walk-run transition speed for the grade,
   :func:`transition_speed`. Uphill the transition comes at lower speeds than on the level
   (Minetti, Ardigo & Saibene 1994, Acta Physiol Scand 150:315); the values used are the
   preferred transition speeds that Brill & Kram 2021 (J Exp Biol 224:jeb233056) measured in
   trail and mountain runners at 0, 5, 10 and 15 degrees: 1.95, 1.78, 1.62 and 1.47 m/s
   (numbers as reported for that paper; verify against its table before relying on them further),
   linear in between, held beyond 15 degrees; downhill the level value.

The thresholds of steps 2 and 3 are this program's reading of those sources, not published
cut-offs.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "MAX_STEP_M",
    "MIN_VALID_CADENCE",
    "RUN_CADENCE",
    "RUN_SPEED",
    "SLOW_RUN_MIN_SPEED",
    "TRANSITION_GRADES",
    "TRANSITION_SPEEDS_M_S",
    "classify",
    "plausible_cadence",
    "transition_speed",
]

#: Slower than this a stretch is never running, m/s.
SLOW_RUN_MIN_SPEED = 1.0
#: At or above this speed a stretch is running whatever its cadence, m/s (rule 2).
RUN_SPEED = 2.2
#: Step cadence that separates running (at or above) from walking, steps/min (rule 3).
RUN_CADENCE = 140.0
#: Cadence samples below this (steps/min) while moving are sensor dropouts (a recorded 0 while the
#: runner moves): they are left out of cadence means and stride counts, never averaged in.
MIN_VALID_CADENCE = 40.0
#: Grades (rise/run) of 0, 5, 10 and 15 degrees and the preferred walk-run transition speeds
#: measured there, m/s (Brill & Kram 2021; see the module docstring).
TRANSITION_GRADES = tuple(math.tan(math.radians(a)) for a in (0.0, 5.0, 10.0, 15.0))
TRANSITION_SPEEDS_M_S = (1.95, 1.78, 1.62, 1.47)


#: Longest plausible step per gait, m: the fastest sprinters take steps of about 2.5-2.7 m at top
#: speed; a fast walk about 0.9 m (this program's bounds, generous). A cadence implying a longer
#: step is an artefact (a partial sample, a one-foot count) and is not used for strides.
MAX_STEP_M = {"run": 2.7, "walk": 1.2}


def plausible_cadence(speed: float, cadence: float, gait: str) -> bool:
    """True when ``cadence`` (steps/min) at ``speed`` (m/s) gives a step no longer than
    :data:`MAX_STEP_M` for the gait."""
    if not (math.isfinite(cadence) and cadence > 0):
        return False
    return speed * 60.0 / cadence <= MAX_STEP_M.get(gait, MAX_STEP_M["run"])


def transition_speed(grade: float) -> float:
    """Preferred walk-run transition speed at a grade (rise/run), m/s (rule 4)."""
    g = 0.0 if not math.isfinite(grade) else max(grade, 0.0)
    return float(np.interp(g, TRANSITION_GRADES, TRANSITION_SPEEDS_M_S))


def classify(speed: float, grade: float, cadence: float | None = None) -> tuple[str, str]:
    """``("run" | "walk", reason)`` for a stretch at ``speed`` m/s, ``grade`` (rise/run) and its
    mean valid step ``cadence`` (steps/min; None or NaN when not recorded)."""
    if not math.isfinite(speed) or speed < SLOW_RUN_MIN_SPEED:
        return "walk", f"slower than {SLOW_RUN_MIN_SPEED:.1f} m/s"
    if speed >= RUN_SPEED:
        return "run", f"at least {RUN_SPEED:.1f} m/s"
    if cadence is not None and math.isfinite(cadence) and cadence >= MIN_VALID_CADENCE:
        if cadence >= RUN_CADENCE:
            return "run", f"cadence {cadence:.0f} >= {RUN_CADENCE:.0f} steps/min"
        return "walk", f"cadence {cadence:.0f} < {RUN_CADENCE:.0f} steps/min"
    vt = transition_speed(grade)
    if speed >= vt:
        return "run", f"no cadence; {speed:.2f} m/s >= walk-run transition {vt:.2f} m/s"
    return "walk", f"no cadence; {speed:.2f} m/s < walk-run transition {vt:.2f} m/s"
