"""``analyze_run``: the one pipeline from a file to load, findings and advice (fixture table)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import runmuscles as rm
from runmuscles.errors import InputError, OutOfRangeError
from runmuscles.examples import hilly_run
from runmuscles.load import Body, RunReport, analyze_run, as_body
from tests.conftest import shared_data
from tests.fixture_table import FixtureTable


def test_the_json_has_every_key_the_issue_asks_for() -> None:
    path = shared_data("activities", "fit", "fitdecode_fenix2_activity-small-fenix2-run.fit")
    report = analyze_run(path, Body(62, 1.68), table=FixtureTable())
    assert isinstance(report, RunReport)
    d = json.loads(json.dumps(report.to_dict()))
    assert isinstance(d["headline"], str) and d["headline"] == report.headline
    assert set(d["coverage"]) >= {
        "distance_km", "computed_km", "computed_share", "walked_km", "clipped_km", "dropped_km",
    }  # fmt: skip
    act = d["activity"]
    assert act["device_totals"] == {
        "distance_m": pytest.approx(9008.22), "ascent_m": 64.0, "descent_m": 61.0,
        "timer_time_s": pytest.approx(2832.0), "elapsed_time_s": pytest.approx(2832.0),
    }  # fmt: skip
    assert act["cleaning"]["altitude_spikes"] == 3
    assert {"gps_jumps", "impossible_records", "filter"} <= set(act["cleaning"])
    assert "Hampel" in act["cleaning"]["filter"]
    assert act["vs_device"]["descent_m"]["within_goal"]
    for m in d["muscles"]:
        assert set(m["vs_flat"]) == {"concentric", "eccentric"}
    for t in d["tendons"]:
        assert set(t["vs_flat"]) >= {"concentric", "eccentric"}
    assert isinstance(d["advice"], list) and 1 <= len(d["advice"]) <= 3
    assert all(i["why"] and i["sources"] for i in d["advice"])
    assert d["body"] == {"mass_kg": 62.0, "height_m": 1.68}
    assert d["pain"] == [] and d["history"] is None
    assert d["warmup"]["steps"] and d["sources"]


def test_body_forms_and_limits() -> None:
    assert as_body(None) == Body(70.0, 1.75)
    assert as_body((60, 1.6)) == as_body({"mass_kg": 60, "height_m": 1.6}) == Body(60, 1.6)

    class Profile:
        mass_kg, height_m = 80.0, 1.9

    assert as_body(Profile()) == Body(80.0, 1.9)
    with pytest.raises(OutOfRangeError, match="kilograms"):
        Body(700, 1.75)
    with pytest.raises(OutOfRangeError, match="metres"):
        Body(70, 175)
    with pytest.raises(InputError, match="not a body"):
        as_body("tall")
    # one home for the limits: the model's range (20-250 kg, 1.0-2.5 m)
    from runmuscles.conventions import BODY_MASS_RANGE_KG
    from runmuscles.model.runner import MASS_RANGE

    assert MASS_RANGE is BODY_MASS_RANGE_KG and BODY_MASS_RANGE_KG == (20.0, 250.0)
    Body(22, 1.2)  # a child is a body the model accepts


def test_an_activity_and_pain_go_through_the_same_pipeline() -> None:
    report = analyze_run(hilly_run(), None, pain=["patellar"], table=FixtureTable())
    assert report.pain == ("patellar_tendon",)
    assert report.advice[0].purpose == "rehabilitation"
    assert report.advice[0].exercise == "heavy_slow_squat"
    assert report.findings == report.load.findings and report.headline == report.load.headline
    assert "descents raised your quadriceps eccentric work" in report.headline
    plan = report.plan
    assert plan.items == report.advice and plan.to_dict()["warmup"]


def test_public_api_names_it() -> None:
    assert rm.analyze_run is analyze_run


def test_descents_costed_by_the_shipped_engine_are_not_braked_by_the_contact() -> None:
    """The shipped atlas records the contact's dissipation in every cell a run uses, so the
    descent caveat is measured, not quoted; its strides charge that dissipation, so on this run's
    descents the contact takes under the caveat's 20 % of the braking energy and there is no
    caveat. A table that is not the engine's (the fixture) never carries it."""
    import runmuscles.load.compute as compute
    from runmuscles.atlas import Atlas, OnDemandAtlas
    from runmuscles.load.pipeline import analyze_activity

    run = hilly_run()
    atlas = OnDemandAtlas(Atlas.load(), solving="no-solve")
    shipped = analyze_activity(run, table=atlas)
    assert shipped.terrain_distance_m.get("downhill", 0.0) > 0
    per_kg = compute._contact_j_per_kg(atlas, "run", 3.5, -0.06)
    assert per_kg is not None and 0.0 < per_kg < 2.0
    assert not any(w.startswith("descents (") for w in shipped.warnings)
    fixture = analyze_activity(run, table=FixtureTable())
    assert not any(w.startswith("descents (") for w in fixture.warnings)


@pytest.mark.parametrize(
    ("per_kg", "expect"),
    [(0.0, None), (None, "not recorded"), (100.0, "the contact absorbs")],
)
def test_the_descent_caveat_follows_the_cells_contact_record(
    monkeypatch: pytest.MonkeyPatch, per_kg: float | None, expect: str | None
) -> None:
    """No caveat where the cells record a contact that absorbs nothing; the old figures where
    they record nothing; the measured share where the contact absorbs much."""
    import runmuscles.load.compute as compute
    from runmuscles.atlas import Atlas, OnDemandAtlas
    from runmuscles.load.pipeline import analyze_activity

    monkeypatch.setattr(compute, "_contact_j_per_kg", lambda *a: per_kg)
    out = analyze_activity(hilly_run(), table=OnDemandAtlas(Atlas.load(), solving="no-solve"))
    caveats = [w for w in out.warnings if w.startswith("descents (")]
    if expect is None:
        assert caveats == []
    else:
        assert len(caveats) == 1 and expect in caveats[0]


def test_a_run_on_the_shipped_engine_is_told_its_strides_crouch() -> None:
    """The shipped strides bend the stance knee well past the measured runner's 42 deg (Fukuchi
    et al. 2017): every run costed by them says so, with the number read from the cells' own
    joint-angle and ground-force curves. The fixture table (no curves) never carries it."""
    import runmuscles.load.compute as compute
    from runmuscles.atlas import Atlas, OnDemandAtlas
    from runmuscles.load.pipeline import analyze_activity

    atlas = OnDemandAtlas(Atlas.load(), solving="no-solve")
    gt = atlas.table("run")
    i, j = gt.node(3.5, 0.0)
    knee = np.degrees(gt.ds["joint_angle"].isel(speed=i, grade=j).sel(dof="knee_r").values)
    fy = gt.ds["grf"].isel(speed=i, grade=j).sel(side="r", component="fy").values
    expected = float(knee[fy > 20.0].max())  # the contact threshold of GaitCycle
    assert compute._stance_knee_deg(atlas, "run", 3.5, 0.0) == pytest.approx(expected)
    assert expected > compute.CROUCH_LIMIT_DEG
    shipped = analyze_activity(hilly_run(), table=atlas)
    crouch = [w for w in shipped.warnings if "crouched knee" in w]
    assert len(crouch) == 1 and "Fukuchi" in crouch[0]
    fixture = analyze_activity(hilly_run(), table=FixtureTable())
    assert not any("crouched knee" in w for w in fixture.warnings)
