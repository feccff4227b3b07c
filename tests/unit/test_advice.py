"""Advice: two or three items chosen from this run (and its history, and what hurts), each with
why (this run's number) and catalogue sources; rehabilitation protocols only for pain."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from runmuscles.activity import Segment
from runmuscles.advice import MAX_ITEMS, advise, pain_conditions, parse_pain, plan
from runmuscles.anatomy import load_catalogue
from runmuscles.errors import UnknownNameError
from runmuscles.load import RunLoad, of_run
from runmuscles.load.history import History, PastRun
from tests.fixture_table import FixtureTable


def seg(start_m: float, dur: float, v: float, g: float) -> Segment:
    return Segment(0.0, dur, v * dur, v, g, 0.0, 0.0, None, start_m=start_m)


def run_of(*grades: float, v: float = 3.0) -> RunLoad:
    d = 600.0 * v
    return of_run(None, [seg(d * i, 600.0, v, g) for i, g in enumerate(grades)], FixtureTable())


@pytest.fixture(scope="module")
def cat():  # type: ignore[no-untyped-def]
    return load_catalogue()


def _number(text: str) -> bool:
    return re.search(r"\d", text) is not None


def test_a_hilly_run_gets_items_from_its_changes(cat) -> None:  # type: ignore[no-untyped-def]
    run = run_of(0.0, 0.08, -0.08, 0.0)
    a = advise(run, catalogue=cat)
    assert 2 <= len(a.items) <= MAX_ITEMS
    first = a.items[0]
    top = run.findings[0]
    assert first.topics == ("this_run",) and first.groups == (top.subject,)
    assert first.why.startswith(top.text) and _number(first.why)
    assert first.numbers["ratio"] == pytest.approx(top.ratio)
    assert top.subject in cat.exercise(first.exercise).group_ids
    for i in a.items:
        assert i.purpose == "prevention"  # a healthy runner: no rehabilitation protocol
        assert i.dosage == cat.exercise(i.exercise).dosage.text
        assert i.sources and set(i.sources) <= set(cat.sources)
        assert _number(i.why)
    assert len({i.exercise for i in a.items}) == len(a.items)


def test_rehabilitation_only_when_a_tendon_hurts(cat) -> None:  # type: ignore[no-untyped-def]
    run = run_of(0.0, 0.08, 0.08)
    healthy = advise(run, catalogue=cat)
    assert all(i.purpose == "prevention" for i in healthy.items)
    assert not any("twice a day" in i.dosage for i in healthy.items)  # 180 drops a day: never
    sore = advise(run, catalogue=cat, pain=["achilles"])
    heel = sore.items[0]
    assert heel.exercise == "eccentric_heel_drop" and heel.purpose == "rehabilitation"
    assert heel.dosage == cat.exercise("eccentric_heel_drop").rehabilitation.dosage.text
    assert "twice a day" in heel.dosage and "alfredson1998" in heel.sources
    assert heel.why.startswith("you said your achilles tendon hurts")
    t = run.tendon("achilles_tendon")
    assert f"{t.cycles:.0f} times per leg" in heel.why
    assert any("not a diagnosis" in r for r in heel.reasons)
    assert len(sore.items) <= MAX_ITEMS


def test_pain_names(cat) -> None:  # type: ignore[no-untyped-def]
    assert set(pain_conditions(cat)) == {"achilles_tendon", "patellar_tendon", "plantar_fascia"}
    assert parse_pain(["Achilles", "patellar_tendon", "plantar fascia"], cat) == (
        "achilles_tendon", "patellar_tendon", "plantar_fascia",
    )  # fmt: skip
    assert parse_pain(None, cat) == () and parse_pain("", cat) == ()
    with pytest.raises(UnknownNameError, match="no rehabilitation protocol for 'knee'"):
        parse_pain(["knee"], cat)


def test_a_flat_run_gets_the_most_loaded_groups_not_six_programmes(cat) -> None:  # type: ignore[no-untyped-def]
    run = run_of(0.0, 0.0)
    a = advise(run, catalogue=cat)
    assert len(a.items) == 2 and all(i.topics == ("most_loaded",) for i in a.items)
    top = run.top(1)[0]
    assert a.items[0].groups == (top.group,)
    assert f"{top.share * 100:.0f} % of this run's muscle work" in a.items[0].why


def test_history_spike_makes_an_item(cat) -> None:  # type: ignore[no-untyped-def]
    """Weekly flat runs, then two of this run's hilly runs in one week: the load that rose most
    against its weekly average (acute:chronic ratio >= 1.3) gets an item citing the ratio and
    Gabbett 2016."""
    run = run_of(0.0, -0.08, -0.08, 0.0)
    when = dt.datetime(2024, 6, 30, 8, 0)
    quiet = run_of(0.0, 0.0, 0.0, 0.0)
    past = [PastRun.from_load(quiet, when - dt.timedelta(days=d)) for d in (35, 28, 21, 14)]
    past.append(PastRun.from_load(run, when - dt.timedelta(days=3)))  # a second hilly run
    history = History(tuple(p for p in past if p is not None))
    cmp = history.compare(run, when)
    assert cmp.changes and cmp.changes[0].acwr is not None and cmp.changes[0].acwr >= 1.3
    a = advise(run, history=cmp, catalogue=cat)
    item = next(i for i in a.items if i.topics == ("recent_weeks",))
    top = cmp.changes[0]
    assert item.groups == (top.subject,)
    assert f"{top.acwr:.1f} times" in item.why and "gabbett2016" in item.sources
    assert item.numbers["acwr"] == pytest.approx(top.acwr)


def test_unresolved_groups_are_never_advised(cat) -> None:  # type: ignore[no-untyped-def]
    from tests.fixture_table import GaitFixtureTable

    d = 1000.0 / 3.5
    segs = [seg(0, d, 3.5, 0.0), seg(1000, d, 3.5, -0.08), seg(2000, d, 3.5, -0.08)]
    run = of_run(None, segs, GaitFixtureTable(unresolved=("quadriceps",)))
    a = advise(run, catalogue=cat)
    assert all("quadriceps" not in i.groups and "patellar_tendon" not in i.groups for i in a.items)


def test_plan_is_plain_data_with_sources_and_warmup(cat) -> None:  # type: ignore[no-untyped-def]
    p = plan(run_of(0.08, -0.08), cat)
    d = json.loads(json.dumps(p.to_dict()))
    assert d["warmup"]["minimum_easy_running_s"] >= 300  # ACSM: at least 5 min easy running
    cited = {s["key"] for s in d["sources"]}
    assert all(set(i["sources"]) <= cited for i in d["items"])
    assert any("gabbett2016" in n["sources"] for n in d["notes"])  # raise load gradually
    assert {"why", "purpose", "dosage", "sources", "numbers"} <= set(d["items"][0])
