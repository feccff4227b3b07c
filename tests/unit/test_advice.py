"""Advice: picks the most loaded groups and the weak links that hills aggravate, with sources."""

from __future__ import annotations

import json

import pytest

from runmuscles.activity import Segment
from runmuscles.advice import WEAK_LINKS, plan
from runmuscles.anatomy import load_catalogue
from runmuscles.load import RunLoad, of_run
from tests.fixture_table import FixtureTable


def seg(start: float, dur: float, v: float, g: float) -> Segment:
    return Segment(start, dur, v * dur, v, g, 0.0, 0.0, None)


def run_of(*grades: float) -> RunLoad:
    return of_run(
        None, [seg(600.0 * i, 600.0, 3.0, g) for i, g in enumerate(grades)], FixtureTable()
    )


@pytest.fixture(scope="module")
def cat():  # type: ignore[no-untyped-def]
    return load_catalogue()


def test_top_group_gets_a_strength_item_citing_its_share(cat) -> None:  # type: ignore[no-untyped-def]
    run = run_of(0.0, 0.0)
    top = run.top(1)[0]
    p = plan(run, cat)
    mine = [i for i in p.items if top.group in i.groups and "most_loaded" in i.topics]
    assert {i.kind for i in mine} == {"strength", "stretch"}
    assert all(f"{top.share:.0%}" in r for i in mine for r in i.reasons)
    for i in mine:  # each chosen exercise really targets the group in the catalogue
        assert top.group in cat.exercise(i.exercise).group_ids


def test_flat_run_has_no_hill_weak_links(cat) -> None:  # type: ignore[no-untyped-def]
    p = plan(run_of(0.0, 0.01), cat)
    topics = {t for i in p.items for t in i.topics}
    assert topics <= {"most_loaded"}


def test_downhill_run_targets_hamstrings_vs_quadriceps(cat) -> None:  # type: ignore[no-untyped-def]
    run = run_of(0.0, -0.08, -0.08)
    p = plan(run, cat)
    nordic = next(i for i in p.items if i.exercise == "nordic_hamstring")
    assert "hamstring_quadriceps_ratio" in nordic.topics
    assert "downhill" in nordic.reasons[-1] and "croisier2008" in nordic.sources
    assert any(i.exercise == "heavy_slow_squat" for i in p.items)  # patellar tendon
    assert not any("achilles_tendinopathy" in i.topics for i in p.items)


def test_uphill_run_targets_calves_and_achilles(cat) -> None:  # type: ignore[no-untyped-def]
    p = plan(run_of(0.0, 0.08, 0.08), cat)
    heel = next(i for i in p.items if i.exercise == "eccentric_heel_drop")
    assert "achilles_tendinopathy" in heel.topics and "alfredson1998" in heel.sources
    assert any("uphill" in r for r in heel.reasons)
    assert not any("hamstring_quadriceps_ratio" in i.topics for i in p.items)


def test_every_source_resolves_and_warmup_is_always_there(cat) -> None:  # type: ignore[no-untyped-def]
    for grades in [(0.0,), (0.08, -0.08), (-0.1, -0.1)]:
        p = plan(run_of(*grades), cat)
        assert p.warmup["minimum_easy_running_s"] >= 300  # ACSM: at least 5 min easy running
        cited = {s["key"] for s in p.sources}
        for i in p.items:
            assert i.sources and set(i.sources) <= set(cat.sources)
            assert set(i.sources) <= cited
            assert i.dosage
        json.dumps(p.to_dict())  # plain data


def test_weak_link_rules_match_the_catalogue(cat) -> None:  # type: ignore[no-untyped-def]
    for link in WEAK_LINKS:
        group = cat.group(link.group)
        assert any(w.topic == link.topic for w in group.weaknesses), link
        cat.exercise(link.exercise)
