"""Run history: profiles, analysed runs, weekly loads and whole-history imports.

* :class:`Store` (:mod:`runmuscles.store.db`): the database (SQLite file by default, PostgreSQL by
  URL), one transaction per write, duplicates refused (same bytes or same start time).
* :mod:`runmuscles.store.weekly`: weekly load per muscle group, concentric and eccentric, and the
  acute:chronic workload ratio (rolling and EWMA, from :mod:`runmuscles.load.acwr`).
* :mod:`runmuscles.store.analysis`: from a file's bytes to what is stored (the one path the web
  app and ``runmuscles import`` share).
* :mod:`runmuscles.store.archive` and :mod:`runmuscles.store.importer`: a Strava or Garmin export
  (or a folder) read safely and imported with a summary of what was skipped and why.
"""

from runmuscles.load.acwr import ZONES as ACWR_ZONES
from runmuscles.store.db import (
    DEFAULT_PROFILE,
    MAX_ID,
    Profile,
    Saved,
    Store,
    default_url,
    safe_filename,
)
from runmuscles.store.weekly import WeeklyLoad

__all__ = [
    "ACWR_ZONES",
    "DEFAULT_PROFILE",
    "MAX_ID",
    "Profile",
    "Saved",
    "Store",
    "WeeklyLoad",
    "default_url",
    "safe_filename",
]
