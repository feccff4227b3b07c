"""``runmuscles analyze`` on every real file in ../shared/data/activities (fixture table injected):
it works, or fails with one clear line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runmuscles.cli.analyze as cli_analyze
from runmuscles.cli import main
from tests.conftest import SHARED_DATA, shared_data
from tests.fixture_table import FixtureTable

ACTIVITIES = SHARED_DATA / "activities"
FILES = (
    sorted(
        p.relative_to(ACTIVITIES).as_posix()
        for p in ACTIVITIES.glob("*/*")
        if p.suffix.lower() in {".fit", ".gpx", ".tcx"}
    )
    if ACTIVITIES.is_dir()
    else []
)
#: files that must be refused (per MANIFEST.md): a cycling file is not a run
REFUSED = {"fit/fitparse_coros-pace-2-cycling-misaligned-fields.fit": "not running"}


def test_folder_present() -> None:
    shared_data("activities")
    assert len(FILES) >= 20


@pytest.mark.parametrize("rel", FILES)
def test_analyze_real_file(
    rel: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_analyze, "TABLE_FACTORY", FixtureTable)
    path: Path = ACTIVITIES / rel
    code = main(["analyze", str(path), "--json"])
    out, err = capsys.readouterr()
    if rel in REFUSED:
        assert code == 2 and REFUSED[rel] in err
    if code != 0:
        assert err.count("\n") == 1 and err.startswith("runmuscles: error: "), err
        assert path.name in err or "not running" in err, err
        return
    data = json.loads(out)
    muscles = data["muscles"]
    total = sum(m["concentric_work_j"] + m["eccentric_work_j"] for m in muscles)
    if total > 0:
        assert sum(m["share"] for m in muscles) == pytest.approx(1.0)
    moving = sum(s["distance_m"] for s in data["segments"])
    assert moving <= data["activity"]["distance_m"] + 1.0
    for s in data["segments"]:
        assert s["terrain"] in {"uphill", "flat", "downhill", "excluded"}


# --- with the shipped atlas (running and walking; nothing solved on demand in the default suite) --


@pytest.fixture(scope="module")
def atlas():  # type: ignore[no-untyped-def]
    from runmuscles.load import default_table

    return default_table()


@pytest.mark.parametrize("rel", [f for f in FILES if f not in REFUSED])
def test_real_atlas_findings_and_advice_never_name_unresolved_groups(rel: str, atlas) -> None:  # type: ignore[no-untyped-def]
    from runmuscles.errors import RunmusclesError
    from runmuscles.load import analyze_run

    try:
        report = analyze_run(ACTIVITIES / rel, None, table=atlas)
    except RunmusclesError:
        return
    unresolved = {g.group for g in report.load.muscles if not g.resolved}
    assert all(f.subject not in unresolved for f in report.findings)
    assert all(not set(i.groups) & unresolved for i in report.advice)
    assert len(report.advice) <= 3
    c = report.load.coverage
    assert c is not None and 0.0 <= c.computed_share <= 1.0
    if c.computed_share < 0.995 and c.computed_m > 0:
        assert "computed on" in report.headline


def test_hilly_fr645m_says_what_was_walked(atlas) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: 55 % of this run was dropped and the headline read 'gluteals 32 % less
    than flat'. Now the walked climbs are analysed as walking (an atlas with walking strides) or
    named as not computed, and the share computed is in the headline."""
    from runmuscles.load import analyze_run

    path = shared_data("activities", "fit", "runpandas_fr645m_hilly_run.fit")
    report = analyze_run(path, None, table=atlas)
    c = report.load.coverage
    assert c is not None and c.by_gait_m.get("walk", 0.0) > 1000
    if c.walking_in_table:
        assert c.walked_m == 0.0  # walking is computed as walking, or named below
        accounted = c.computed_m + c.not_solved_m + c.dropped_m
        assert accounted == pytest.approx(c.distance_m, rel=1e-6)
        if c.not_solved_m > 0:
            assert "not computed" in " ".join(report.load.warnings) + report.headline
    else:
        assert c.walked_m > 1000 and 0.5 < c.computed_share < 0.9
        assert "walked not computed: no walking strides in this atlas" in report.headline
    if c.computed_share < 0.995:
        assert "computed on" in report.headline
    assert report.load.terrain_distance_m["uphill"] > 0
