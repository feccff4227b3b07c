"""Display names of the catalogue's muscle groups (read once)."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["group_labels"]


@lru_cache(maxsize=1)
def _labels() -> tuple[tuple[str, str], ...]:
    from runmuscles.anatomy import load_catalogue
    from runmuscles.errors import RunmusclesError

    try:
        return tuple((g.id, str(g.name)) for g in load_catalogue().groups)
    except RunmusclesError:
        return ()


def group_labels() -> dict[str, str]:
    """Group id -> display name ("quadriceps" -> "Quadriceps"); empty without a catalogue."""
    return dict(_labels())
