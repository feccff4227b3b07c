"""The running-muscle catalogue: groups, members, joints, phase roles, hills, exercises, sources.

The knowledge lives in the cited data file ``runmuscles/data/catalogue.toml``;
:func:`load_catalogue` reads it into typed, immutable objects and checks it strictly (unknown keys,
unknown or unused source keys, duplicate ids or names, exercises aimed at muscles the catalogue
lacks, empty fields), raising :class:`~runmuscles.errors.DataError` that names the entry.

>>> cat = load_catalogue()
>>> cat.find("vastus lateralis").id
'quadriceps'
>>> [g.id for g in cat.filter(terrain="uphill")][:2]
['hip_flexors', 'gluteals']
"""

from __future__ import annotations

from runmuscles.anatomy.catalogue import (
    FACES,
    KINDS,
    PHASES,
    REGIONS,
    TERRAINS,
    Catalogue,
    Dosage,
    Exercise,
    HillChange,
    JointAction,
    MuscleGroup,
    PhaseRole,
    Rehabilitation,
    Routine,
    Source,
    Statement,
    WarmUp,
    WarmUpStep,
    normalise_name,
)
from runmuscles.anatomy.loader import load_catalogue

__all__ = [
    "FACES",
    "KINDS",
    "PHASES",
    "REGIONS",
    "TERRAINS",
    "Catalogue",
    "Dosage",
    "Exercise",
    "HillChange",
    "JointAction",
    "MuscleGroup",
    "PhaseRole",
    "Rehabilitation",
    "Routine",
    "Source",
    "Statement",
    "WarmUp",
    "WarmUpStep",
    "load_catalogue",
    "normalise_name",
]
