"""Interpolation error of the atlas against fresh predictive solves (slow: six real solves).

A 2 x 2 atlas (3.5 and 4.0 m/s x 0 and +5 %) is built with the product solve (strides written);
at the cell centre (3.75 m/s, +2.5 %) its bilinear lookup is compared with a fresh solve from the
same continuation (the interpolation-error harness, warm-started from the nearest stored stride)
and with a cold ``predict``. Tolerances (stated, not tuned to pass): stride time and cost of
transport within 10 %, the work (concentric + eccentric, all groups, both legs) within 15 %, the
work of the four largest groups within 25 % each, and every significant group's concentric and
eccentric work (harness) within 25 %; local optima of the solve alone move cost and cadence by about
10 % (../shared/SCIENCE.md section 4), which bounds how close an interpolation can be.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from runmuscles.atlas import (
    Atlas,
    Condition,
    Grid,
    LocalProcesses,
    Record,
    build_atlas,
    interpolation_error,
    predictive_solve,
    record_from_cycle,
)
from runmuscles.atlas.guesses import StrideGuesses
from runmuscles.model.runner import Runner
from runmuscles.prediction import predict

pytestmark = pytest.mark.slow


def test_lookup_between_nodes_matches_a_fresh_solve(tmp_path: Path) -> None:
    out = tmp_path / "atlas.nc"
    rep = build_atlas(Grid.from_axes("3.5:4:0.5", "0%:5%:5%"), executor=LocalProcesses(2),
                      output=out, strides=tmp_path / "strides", stride_cells="all")  # fmt: skip
    assert rep.failed == {}, rep.failed
    atlas = Atlas.load(out)
    v, g = 3.75, 0.025
    got = atlas.lookup(v, g)
    guesses = StrideGuesses([tmp_path / "strides"], Runner().fingerprint(), 50)
    solve = functools.partial(predictive_solve, n_intervals=50)
    table = interpolation_error(atlas, solve, [Condition(v, g)], guesses=guesses)
    assert not table.failed, table.failed
    print(table.to_markdown())  # the error table, for the note
    assert table.max_error < 0.25  # every significant group's work, as for the cold solve below
    rec = record_from_cycle(predict(Runner(), v, g, stores=[]))  # a cold solve
    assert rec.groups == atlas.groups

    def rel(a: float, b: float) -> float:
        return abs(a - b) / abs(b)

    assert rel(float(got["stride_time_s"][0]), rec.scalar["stride_time_s"]) < 0.10
    cot = rec.scalar["cost_of_transport_j_per_kg_m"]
    assert rel(float(got["cost_of_transport_j_per_kg_m"][0]), cot) < 0.10
    work_l = got["concentric_work_j"][0] + got["eccentric_work_j"][0]
    work_s = rec.group["concentric_work_j"] + rec.group["eccentric_work_j"]
    assert rel(float(work_l.sum()), float(work_s.sum())) < 0.15
    for k in np.argsort(work_s)[-4:]:
        assert rel(float(work_l[k]), float(work_s[k])) < 0.25, atlas.groups[k]


def test_body_mass_scaling_law_holds_for_the_model() -> None:
    """The atlas's scaling law (atlas.SCALING_LAW): at equal speed, grade and height, works,
    impulses and peak forces per kg of body mass stay the same. Checked on two runners, 60 and
    80 kg (both 1.75 m), at 3.5 m/s level: whole-body work per kg, cost of transport and the
    Achilles peak per kg within 15 %, and stride time within 10 %. (The model's muscles scale
    with muscle volume, Handsfield et al. 2014, not exactly with mass, so the law is
    approximate; 15 % is what the load analysis can accept next to GPS grade noise.)"""
    light = record_from_cycle(predict(Runner(mass=60.0), 3.5, 0.0, stores=[]))
    heavy = record_from_cycle(predict(Runner(mass=80.0), 3.5, 0.0, stores=[]))

    def per_kg(rec: Record, mass: float) -> dict[str, float]:
        work = float((rec.group["concentric_work_j"] + rec.group["eccentric_work_j"]).sum())
        return {"work": work / mass, "achilles": rec.scalar["achilles_peak_force_n"] / mass}

    a, b = per_kg(light, 60.0), per_kg(heavy, 80.0)
    for k in a:
        assert abs(a[k] - b[k]) / b[k] < 0.15, k
    cot = (
        light.scalar["cost_of_transport_j_per_kg_m"],
        heavy.scalar["cost_of_transport_j_per_kg_m"],
    )
    assert abs(cot[0] - cot[1]) / cot[1] < 0.15
    st = (light.scalar["stride_time_s"], heavy.scalar["stride_time_s"])
    assert abs(st[0] - st[1]) / st[1] < 0.10
