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
