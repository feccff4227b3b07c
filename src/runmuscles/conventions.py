"""Names every layer shares: gaits, terrains, gait phases, the model's degrees of freedom, sides,
and muscle -> group ids.

The vocabularies are string enums, so ``Terrain.UPHILL == "uphill"`` and either spelling works as
a key or an argument::

    >>> from runmuscles.conventions import Gait, Terrain
    >>> [str(t) for t in Terrain]
    ['uphill', 'flat', 'downhill']
    >>> Gait("walk") is Gait.WALK
    True

Sign conventions (sagittal plane seen from the runner's right side, x forward, y up): angles are
counter-clockwise positive except the knee, whose + is flexion; so pelvis_tilt + = posterior tilt,
lumbar + = extension, hip + = flexion, ankle + = dorsiflexion, mtp + = toe extension, shoulder and
elbow + = flexion. Joint moments follow the same signs. pelvis_tx/pelvis_ty are metres.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

__all__ = [
    "ARM_GROUPS",
    "BODY_HEIGHT_RANGE_M",
    "BODY_MASS_RANGE_KG",
    "DOFS",
    "FLAT_GRADE",
    "GROUP_IDS",
    "MUSCLE_GROUPS",
    "PRESCRIBED_DOFS",
    "RESERVE_LIMIT",
    "SIDES",
    "TERRAINS",
    "TRANSLATIONS",
    "TRUNK_AND_ARM_GROUPS",
    "Gait",
    "Phase",
    "Terrain",
    "cache_root",
]

#: The bodies runmuscles accepts, kg and m (model, analysis and stored profiles alike): children
#: of about 20 kg to heavy adults, 1.0 to 2.5 m tall.
BODY_MASS_RANGE_KG: tuple[float, float] = (20.0, 250.0)
BODY_HEIGHT_RANGE_M: tuple[float, float] = (1.0, 2.5)


class Gait(StrEnum):
    """How the body moves: running has a flight phase, walking a double-support phase."""

    RUN = "run"
    WALK = "walk"


class Terrain(StrEnum):
    """The slope class of a stretch of a run, in the order reports list them."""

    UPHILL = "uphill"
    FLAT = "flat"
    DOWNHILL = "downhill"


#: The terrain classes as plain strings, in report order: uphill when the grade (rise/run) is at
#: least +FLAT_GRADE, downhill at or below -FLAT_GRADE, flat in between (GPS/barometric grade
#: noise over a segment is about 1 %).
TERRAINS: tuple[str, ...] = tuple(t.value for t in Terrain)
FLAT_GRADE = 0.02


class Phase(StrEnum):
    """Phases of one leg's stride: foot on the ground, leg swinging, both feet in the air."""

    STANCE = "stance"
    SWING = "swing"
    FLOAT = "float"


#: Generalised coordinates of the runner model, in model order.
DOFS: tuple[str, ...] = (
    "pelvis_tx", "pelvis_ty", "pelvis_tilt", "lumbar",
    "hip_r", "knee_r", "ankle_r", "mtp_r",
    "hip_l", "knee_l", "ankle_l", "mtp_l",
    "shoulder_r", "elbow_r", "shoulder_l", "elbow_l",
)  # fmt: skip

#: DOFs measured in metres (all others are angles in radians).
TRANSLATIONS: frozenset[str] = frozenset({"pelvis_tx", "pelvis_ty"})

SIDES: tuple[str, ...] = ("r", "l")

#: DOFs the predictive model prescribes from measured motion (arm swing and lumbar motion; a
#: sagittal model has no trunk rotation for the arms to balance), resolving their muscles after.
PRESCRIBED_DOFS: tuple[str, ...] = ("lumbar", "shoulder_r", "elbow_r", "shoulder_l", "elbow_l")

#: Model muscle base name -> catalogue group id (see runmuscles.anatomy for the groups).
MUSCLE_GROUPS: dict[str, str] = {
    "glut_max": "gluteals", "iliopsoas": "hip_flexors", "hamstrings": "hamstrings",
    "bifemsh": "hamstrings", "rect_fem": "quadriceps", "vasti": "quadriceps",
    "gastroc": "calves", "soleus": "calves", "tib_ant": "tibialis_anterior",
    "toe_flexors": "foot", "foot_intrinsics": "foot", "rect_abd": "abdominals",
    "erector_spinae": "back_extensors", "delt_ant": "deltoids", "delt_post": "deltoids",
    "lat_dorsi": "lats", "teres_major": "lats",
    "biceps": "biceps", "triceps": "triceps", "tri_long": "triceps",
}  # fmt: skip

#: Peak reserve moment as a share of the joint's peak moment above which the muscles are not
#: what carries the joint (this project's threshold): the atlas refuses such a stride,
#: ``validate`` fails its reserve row, and a stride's muscles at that joint are flagged.
RESERVE_LIMIT = 0.05

#: Groups of the arms (shoulder and elbow follow measured motion).
ARM_GROUPS: tuple[str, ...] = ("deltoids", "lats", "biceps", "triceps")
#: Groups of the trunk and arms (the rest work the legs); their joints follow measured motion.
TRUNK_AND_ARM_GROUPS: tuple[str, ...] = ("abdominals", "back_extensors", *ARM_GROUPS)

#: Catalogue ids of the muscle groups the model has muscles for.
GROUP_IDS: tuple[str, ...] = (
    "abdominals", "back_extensors", "deltoids", "lats", "biceps", "triceps", "hip_flexors",
    "gluteals", "quadriceps", "hamstrings", "calves", "tibialis_anterior", "foot",
)  # fmt: skip


def cache_root() -> Path:
    """Where runmuscles keeps what it computed for this user (solved strides and cells, compiled
    derivatives): ``$RUNMUSCLES_CACHE``, or the platform's user cache folder."""
    env = os.environ.get("RUNMUSCLES_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("runmuscles"))
