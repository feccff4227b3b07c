"""The HTML report, body heat map and charts: well-formed SVG, the right regions, honest scales,
escaping, no external resources, atomic writes, stride plots from a synthetic GaitCycle."""

from __future__ import annotations

import itertools
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runmuscles.errors import InputError, UnknownNameError
from runmuscles.report import (
    SECTIONS,
    AdviceItem,
    GroupLoad,
    ProfileSegment,
    ReportData,
    SourceRef,
    TendonLoad,
    body_map_svg,
    body_view_svg,
    render_report,
    write_report,
)
from runmuscles.report.bodymap import BACK_GROUPS, FRONT_GROUPS, GROUP_IDS
from runmuscles.report.colour import LOAD_STOPS, grade_colour, load_colour, relative_luminance
from runmuscles.report.plots import profile_svg, work_bars_svg
from runmuscles.report.stride import activation_curves_svg, stick_figure_svg

# what the brief (issue 7) says is anatomically visible in each view
FRONT = {
    "abdominals",
    "deltoids",
    "biceps",
    "hip_flexors",
    "quadriceps",
    "tibialis_anterior",
    "foot",
}
BACK = {"back_extensors", "deltoids", "lats", "triceps", "gluteals", "hamstrings", "calves"}

# ----------------------------------------------------------------------------- synthetic data
T, TC, N = 0.72, 0.25, 145  # stride time, contact time (s), samples (every 5 ms)
MASS, SPEED = 70.0, 3.3


def _bump(phi: np.ndarray, centre: float, width: float) -> np.ndarray:
    """Periodic Gaussian bump over the stride fraction."""
    d = (phi - centre + 0.5) % 1.0 - 0.5
    return np.exp(-0.5 * (d / width) ** 2)


def synthetic_cycle() -> Any:
    """A running-like stride (right foot strike at t = 0, left half a stride later) with plausible
    shapes; the numbers are illustrative, not a simulation."""
    from runmuscles.cycle import GaitCycle

    t = np.linspace(0.0, T, N)
    q: dict[str, np.ndarray] = {
        "pelvis_tx": SPEED * t,
        "pelvis_ty": 0.90 + 0.03 * np.cos(4 * np.pi * t / T),
        "pelvis_tilt": -0.12 + 0 * t,
        "lumbar": 0.02 + 0 * t,
    }
    muscles: dict[str, dict[str, np.ndarray]] = {}
    grf = {}
    peaks = {  # muscle -> (centre, width) of its activation burst, fraction of its own stride
        "glut_max": (0.02, 0.06),
        "iliopsoas": (0.45, 0.08),
        "hamstrings": (0.85, 0.07),
        "rect_fem": (0.40, 0.08),
        "vasti": (0.06, 0.06),
        "gastroc": (0.15, 0.07),
        "soleus": (0.14, 0.08),
        "tib_ant": (0.75, 0.12),
        "toe_flexors": (0.2, 0.06),
        "delt_ant": (0.5, 0.1),
        "biceps": (0.5, 0.15),
        "triceps": (0.0, 0.15),
    }
    for side, lag in (("r", 0.0), ("l", 0.5)):
        phi = (t / T - lag) % 1.0
        q[f"hip_{side}"] = 0.15 + 0.45 * np.cos(2 * np.pi * phi)
        q[f"knee_{side}"] = 0.25 + 0.45 * _bump(phi, 0.15, 0.08) + 1.6 * _bump(phi, 0.68, 0.13)
        q[f"ankle_{side}"] = 0.15 * np.cos(2 * np.pi * (phi - 0.15)) - 0.05
        q[f"mtp_{side}"] = 0.3 * _bump(phi, 0.32, 0.05)
        q[f"shoulder_{side}"] = -0.5 * np.cos(2 * np.pi * phi)
        q[f"elbow_{side}"] = 1.4 + 0.2 * np.sin(2 * np.pi * phi)
        tt = phi * T
        fy = np.where(tt <= TC, MASS * 9.81 * T * np.pi / (4 * TC) * np.sin(np.pi * tt / TC), 0.0)
        grf[side] = {"fx": 0 * t, "fy": fy}
        for base, (c, w) in peaks.items():
            a = 0.05 + 0.9 * _bump(phi, c, w)
            muscles[f"{base}_{side}"] = _fields(a)
    for base, (c, w) in {"rect_abd": (0.25, 0.2), "erector_spinae": (0.0, 0.1)}.items():
        muscles[base] = _fields(0.05 + 0.4 * _bump(t / T, c, w) + 0.4 * _bump(t / T, c + 0.5, w))
    return GaitCycle.from_arrays(
        t,
        q=q,
        moments={k: 0 * t for k in q},
        grf=grf,
        muscles=muscles,
        condition={"speed_m_s": SPEED, "grade": 0.0, "mass_kg": MASS, "height_m": 1.75},
        provenance={"model": "synthetic test stride"},
    )


def _fields(a: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "excitation": a,
        "activation": a,
        "force": 1000 * a,
        "fibre_length": 0.08 + 0 * a,
        "fibre_velocity": 0 * a,
        "mtu_velocity": 0 * a,
        "metabolic_rate": 20 * a,
    }


NAMES = {g: g.replace("_", " ").title() for g in GROUP_IDS}
WORK = {  # concentric, eccentric (J) over a 10 km run: illustrative
    "calves": (52000, 30000),
    "quadriceps": (18000, 41000),
    "gluteals": (21000, 9000),
    "hamstrings": (16000, 14000),
    "hip_flexors": (15000, 6000),
    "tibialis_anterior": (3000, 4200),
    "foot": (5000, 6500),
    "back_extensors": (2500, 2300),
    "abdominals": (1800, 1500),
    "deltoids": (1200, 1100),
    "biceps": (600, 500),
    "triceps": (500, 600),
}


def sample_data(cycle: Any = None, **overrides: Any) -> ReportData:
    groups = [
        GroupLoad(
            id=g,
            name=NAMES[g],
            concentric_j=c,
            eccentric_j=e,
            by_terrain={"uphill": 1.4 * c / 10, "flat": (c + e) / 10, "downhill": 1.3 * e / 10},
            vs_flat=(1.4 * c + 1.3 * e) / (c + e) - 0.2,
        )
        for g, (c, e) in WORK.items()
    ]
    segs, elev, d = [], 120.0, 0.0
    for k, grade in enumerate([0.0, 0.04, 0.08, 0.02, -0.03, -0.09, -0.05, 0.0, 0.01, -0.02]):
        length = 1000.0
        dom = "calves" if grade > 0.03 else "quadriceps" if grade < -0.03 else "gluteals"
        segs.append(
            ProfileSegment(d, d + length, elev, elev + grade * length, grade, dom, 3.2 + 0.02 * k)
        )
        d, elev = d + length, elev + grade * length
    kwargs: dict[str, Any] = {
        "title": "Morning run, 10.0 km",
        "summary": [("Distance", "10.0 km"), ("Time", "52:10"), ("Climb", "+140 m / -140 m")],
        "groups": groups,
        "segments": segs,
        "tendons": [
            TendonLoad(
                "achilles_tendon",
                "Achilles tendon",
                6.8,
                {"uphill": 900, "flat": 800, "downhill": 700},
            ),
            TendonLoad(
                "patellar_tendon",
                "Patellar tendon",
                4.1,
                {"uphill": 500, "flat": 560, "downhill": 760},
            ),
        ],
        "advice": [
            AdviceItem(
                "strength",
                "Calf raises",
                "Slow, full range.",
                "3 x 15, 3 per week",
                ("calves",),
                ("a",),
            ),
            AdviceItem(
                "stretch", "Hip flexor stretch", "Kneeling lunge.", "30 s x 3", ("hip_flexors",)
            ),
            AdviceItem(
                "warmup",
                "Easy running",
                "At least 5 minutes before stretching.",
                "5 min",
                (),
                ("b",),
            ),
        ],
        "sources": [
            SourceRef("a", "Author A (2020). A study. J Sport. https://example.org/a"),
            SourceRef("b", "Author B (2019). Guidelines. Publisher."),
        ],
        "warnings": ["Heart rate missing; effort estimated from pace."],
        "cycle": cycle,
        "cycle_label": "3.3 m/s, level",
        "footer": "runmuscles test",
    }
    kwargs.update(overrides)
    return ReportData(**kwargs)


@pytest.fixture(scope="module")
def cycle() -> Any:
    return synthetic_cycle()


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


# ----------------------------------------------------------------------------- body map
@pytest.mark.parametrize(("view", "expected"), [("front", FRONT), ("back", BACK)])
def test_each_view_parses_and_shows_its_visible_groups(view: str, expected: set[str]) -> None:
    values = {g: 100.0 * (i + 1) for i, g in enumerate(GROUP_IDS)}
    root = ET.fromstring(body_view_svg(view, values, labels=NAMES))
    regions = [e for e in root.iter() if "data-muscle" in e.attrib]
    assert {e.get("data-muscle") for e in regions} == expected
    assert set(FRONT_GROUPS if view == "front" else BACK_GROUPS) == expected
    for gid in expected:  # bilateral groups drawn on both sides, the abdominals once in the middle
        sides = sorted(e.get("data-side") for e in regions if e.get("data-muscle") == gid)
        if gid == "abdominals":
            assert sides == ["mid"]
        else:  # as many shapes on the left as on the right
            assert sides.count("l") == sides.count("r") >= 1 and set(sides) == {"l", "r"}
    # the muscles a runner knows are drawn as muscles: quadriceps in three heads (vastus
    # lateralis, rectus femoris, vastus medialis), two hamstrings, two calf heads over the soleus
    heads = {"quadriceps": 3} if view == "front" else {"hamstrings": 2, "calves": 3, "gluteals": 2}
    for gid, n in heads.items():
        shapes = [e for e in regions if e.get("data-muscle") == gid and e.get("data-side") == "r"]
        assert len(shapes) == n and all(e.tag == "path" for e in shapes)
    for e in regions:  # hover title: name and the number
        tip = e.find("title")
        assert tip is not None and NAMES[e.get("data-muscle", "")] in (tip.text or "")
        assert f"{values[e.get('data-muscle', '')]:.0f} J" in (tip.text or "")


def test_combined_map_has_every_group_and_a_legend() -> None:
    root = ET.fromstring(body_map_svg({g: 10.0 for g in GROUP_IDS}, labels=NAMES))
    views = {v.get("data-view"): v for v in root.iter("g") if v.get("data-view")}
    assert set(views) == {"front", "back"}
    shown = {e.get("data-muscle") for e in root.iter() if e.get("data-muscle")}
    assert shown == set(GROUP_IDS)
    legend = [e for e in root.iter("rect") if e.get("data-fraction")]
    assert len(legend) >= 10
    fr = [float(e.get("data-fraction", "")) for e in legend]
    assert all(e.get("fill") == load_colour(f) for e, f in zip(legend, fr, strict=True))


def test_colours_get_darker_with_load() -> None:
    # the scale: WCAG luminance strictly decreasing from 0 to 1, so darker always means more
    lum = [relative_luminance(load_colour(x)) for x in np.linspace(0, 1, 201)]
    assert all(a > b for a, b in itertools.pairwise(lum))
    assert load_colour(0.0) == LOAD_STOPS[0] and load_colour(1.0) == LOAD_STOPS[-1]
    assert load_colour(-1.0) == LOAD_STOPS[0] and load_colour(2.0) == LOAD_STOPS[-1]
    # in the map: ordering of fills follows ordering of loads
    values = {
        g: float(v)
        for g, v in zip(GROUP_IDS, [5, 80, 20, 0, 60, 33, 99, 41, 7, 12, 70, 55, 26], strict=True)
    }
    root = ET.fromstring(body_map_svg(values))
    fills = {e.get("data-muscle"): e.get("fill", "") for e in root.iter() if e.get("data-muscle")}
    order = sorted(values, key=values.__getitem__)
    lums = [relative_luminance(fills[g]) for g in order]
    assert all(a > b for a, b in itertools.pairwise(lums))
    assert fills[order[-1]] == LOAD_STOPS[-1]  # the largest load gets the darkest colour


def test_missing_values_are_grey_and_bad_values_are_refused() -> None:
    root = ET.fromstring(body_view_svg("back", {"calves": 3.0, "gluteals": None}))
    fills = {e.get("data-muscle"): e.get("fill") for e in root.iter() if e.get("data-muscle")}
    assert fills["gluteals"] == fills["hamstrings"] == "#dadada"
    with pytest.raises(UnknownNameError) as err:
        body_map_svg({"quadricep": 1.0})
    assert "quadriceps" in err.value.suggestions
    with pytest.raises(InputError, match="calves"):
        body_map_svg({"calves": -1.0})
    with pytest.raises(InputError, match="side"):
        body_view_svg("side", {})


def test_grade_colour_is_diverging() -> None:
    up, flat, down = (
        tuple(int(grade_colour(g)[i : i + 2], 16) for i in (1, 3, 5)) for g in (0.1, 0.0, -0.1)
    )
    assert up[0] > up[2] and down[2] > down[0] and flat[0] == flat[1] == flat[2]


# ----------------------------------------------------------------------------- charts
def test_work_bars_are_proportional() -> None:
    data = sample_data()
    root = ET.fromstring(work_bars_svg(data.groups))
    conc = {
        e.get("data-muscle"): float(e.get("width", ""))
        for e in root.iter("rect")
        if e.get("data-kind") == "concentric"
    }
    ecc = {
        e.get("data-muscle"): float(e.get("width", ""))
        for e in root.iter("rect")
        if e.get("data-kind") == "eccentric"
    }
    assert set(conc) == set(ecc) == set(WORK)
    ref = conc["calves"] / WORK["calves"][0]
    for g, (c, e) in WORK.items():
        assert conc[g] == pytest.approx(ref * c, abs=0.02)
        assert ecc[g] == pytest.approx(ref * e, abs=0.02)


def test_profile_colours_segments_by_grade_and_marks_dominant_groups() -> None:
    data = sample_data()
    root = ET.fromstring(profile_svg(data.segments))
    polys = [e for e in root.iter("polygon")]
    assert len(polys) == len(data.segments)
    for p, s in zip(polys, data.segments, strict=True):
        assert p.get("fill") == grade_colour(s.grade)
    strip = [e.get("data-muscle") for e in root.iter("rect") if e.get("data-muscle")]
    assert strip == [s.dominant for s in data.segments]


# ----------------------------------------------------------------------------- stride plots
def test_activation_curves_follow_the_cycle(cycle: Any) -> None:
    root = ET.fromstring(activation_curves_svg(cycle))
    lines = {e.get("data-muscle"): e for e in root.iter("polyline")}
    assert set(lines) == {str(g) for g in cycle.ds["muscle_group"].values}
    # stance shading of the right foot spans 0 .. TC/T of the stride within one sample
    panel = next(g for g in root.iter("g") if g.get("data-muscle") == "calves")
    frame = next(r for r in panel.iter("rect") if r.get("stroke"))
    x0, pw = float(frame.get("x", "")), float(frame.get("width", ""))
    stance = [r for r in panel.iter("rect") if r.get("class") == "stance"]
    start = min(float(r.get("x", "")) for r in stance)
    assert (start - x0) / pw == pytest.approx(0.0, abs=1 / N)
    first = min(stance, key=lambda r: float(r.get("x", "")))
    assert float(first.get("width", "")) / pw == pytest.approx(TC / T, abs=1.5 / (N - 1))
    # the calves curve peaks where soleus and gastrocnemius peak (about 14-15 % of the stride)
    pts = [tuple(map(float, p.split(","))) for p in lines["calves"].get("points", "").split()]
    x_peak = min(pts, key=lambda p: p[1])[0]
    assert (x_peak - x0) / pw == pytest.approx(0.145, abs=0.02)
    assert len(pts) == N


def test_stick_figure_frames_and_rigid_bones(cycle: Any) -> None:
    frames = 24
    root = ET.fromstring(stick_figure_svg(cycle, frames=frames))
    assert root.get("data-frames") == str(frames)
    anims = list(root.iter("animate"))
    assert anims and all(len(a.get("values", "").split(";")) == frames for a in anims)
    muscles = {
        p.get("data-muscle-line") for p in root.iter("polyline") if p.get("data-muscle-line")
    }
    assert {"soleus_r", "vasti_l", "rect_abd", "erector_spinae"} <= muscles
    # the right leg (hip, knee, ankle, ...): thigh and shank lengths on screen stay constant
    near = next(g for g in root.iter("g") if g.get("data-side") == "r")
    leg = next(b for b in near.iter("polyline") if len(b.get("points", "").split()) == 6)
    frames_pts = [
        [tuple(map(float, p.split(","))) for p in v.split()]
        for v in leg.find("animate").get("values", "").split(";")  # type: ignore[union-attr]
    ]
    thigh = [math.dist(f[0], f[1]) for f in frames_pts]
    shank = [math.dist(f[1], f[2]) for f in frames_pts]
    assert max(thigh) - min(thigh) < 0.3 and max(shank) - min(shank) < 0.3  # 0.1 px rounding
    # the periodic stride closes: last frame = first frame (within rounding)
    flat = [[c for xy in f for c in xy] for f in frames_pts]
    assert flat[-1] == pytest.approx(flat[0], abs=0.6)
    # muscles' colours follow activation: soleus darkest near 14 % of the stride
    sol = next(p for p in root.iter("polyline") if p.get("data-muscle-line") == "soleus_r")
    cols = next(a for a in sol.iter("animate") if a.get("attributeName") == "stroke")
    lum = [relative_luminance(c) for c in cols.get("values", "").split(";")]
    assert int(np.argmin(lum)) in (2, 3, 4)  # frame k is at k/(frames-1) of the stride
    with pytest.raises(InputError):
        stick_figure_svg(cycle, frames=1)


# ----------------------------------------------------------------------------- the page
def test_report_has_all_sections_and_no_external_resources(cycle: Any) -> None:
    page = render_report(sample_data(cycle))
    ids = re.findall(r'<section id="([a-z]+)"', page)
    assert ids == list(SECTIONS)
    for svg_el in _svgs(page):  # every inline SVG is well-formed XML
        assert svg_el.tag == "svg"
    for pattern in (
        r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""",
        r"url\(\s*['\"]?\s*(?:https?:)?//",
        r"@import",
        r"<link\b",
        r"<script[^>]*src",
    ):
        assert not re.search(pattern, page, flags=re.I), pattern
    # the only URLs are plain text inside the sources list
    outside = re.sub(r'<section id="sources".*?</section>', "", page, flags=re.S)
    assert "http://" not in outside and "https://" not in outside
    assert "https://example.org/a" in page and "<a " not in page
    assert "Heart rate missing" in page and "Calf raises" in page


def test_report_escapes_labels(cycle: Any) -> None:
    evil = '<script>alert("x")</script>'
    data = sample_data(
        None,
        title=evil,
        summary=[(evil, evil)],
        groups=[GroupLoad("calves", evil, 1.0, 2.0, note=evil)],
        advice=[AdviceItem("strength", evil, evil, evil, ("calves",))],
        sources=[SourceRef('"><img src=x onerror=alert(1)>', evil)],
        warnings=[evil],
        segments=[ProfileSegment(0, 100, 0, 1, 0.01, "calves")],
        tendons=[TendonLoad("achilles_tendon", evil, 2.0, note=evil)],
    )
    page = render_report(data)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    for svg_el in _svgs(page):
        assert svg_el.tag == "svg"


def test_sections_without_data_say_so() -> None:
    page = render_report(ReportData())
    assert re.findall(r'<section id="([a-z]+)"', page) == list(SECTIONS)
    assert page.count('class="empty"') == len(SECTIONS)  # every section, the summary too
    with pytest.raises(InputError):
        render_report({"groups": []})  # type: ignore[arg-type]


def test_report_data_validation() -> None:
    with pytest.raises(InputError, match="concentric_j"):
        GroupLoad("calves", "Calves", -1.0, 0.0)
    with pytest.raises(InputError, match="steep"):
        GroupLoad("calves", "Calves", 1.0, 0.0, by_terrain={"steep": 1.0})
    with pytest.raises(InputError, match="nan"):
        ProfileSegment(0, 100, float("nan"), 1, 0.0)
    with pytest.raises(InputError, match="end_m"):
        ProfileSegment(100, 100, 0, 1, 0.0)
    with pytest.raises(InputError, match="kind"):
        AdviceItem("yoga", "Sun salutation")
    with pytest.raises(InputError, match="not in sources"):
        ReportData(advice=[AdviceItem("strength", "x", sources=("zz",))])
    with pytest.raises(InputError, match="twice"):
        ReportData(groups=[GroupLoad("calves", "C", 1, 1), GroupLoad("calves", "C", 1, 1)])


def test_write_report_is_atomic(
    tmp_path: Path, cycle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.html"
    assert write_report(sample_data(), out) == out
    first = out.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>") and first.rstrip().endswith("</html>")
    assert oct(out.stat().st_mode & 0o777) == "0o644"

    # a failure while renaming leaves the old report intact and no temporary file behind
    def boom(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_report(sample_data(title="second"), out)
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    # a rendering failure never touches the file system
    with pytest.raises(InputError):
        write_report("not data", tmp_path / "other.html")  # type: ignore[arg-type]
    assert not (tmp_path / "other.html").exists()
    with pytest.raises(InputError, match="does not exist"):
        write_report(sample_data(), tmp_path / "missing" / "r.html")
    with pytest.raises(InputError, match="folder"):
        write_report(sample_data(), tmp_path)


# ----------------------------------------------------------------------------- from a RunLoad
@pytest.fixture(scope="module")
def run_load() -> Any:
    from runmuscles.examples import hilly_run
    from runmuscles.load import analyze_activity
    from tests.fixture_table import FixtureTable

    return analyze_activity(hilly_run(), 70.0, 1.75, FixtureTable())


def test_report_data_from_run_load_keeps_the_numbers(run_load: Any) -> None:
    from runmuscles.report import report_data

    data = report_data(run_load)
    assert [g.id for g in data.groups] == list(run_load.groups)
    for g in data.groups:
        src = run_load.group(g.id)
        assert (g.concentric_j, g.eccentric_j) == (src.concentric_work_j, src.eccentric_work_j)
        assert g.vs_flat == src.vs_flat
        for t, v in g.by_terrain.items():  # J per km of that terrain
            assert v == pytest.approx(src.by_terrain[t] / (run_load.terrain_distance_m[t] / 1000))
    # relative elevation: the sum of grade x distance; the example climbs 60 m and comes back
    segs = data.segments
    assert segs[-1].end_m == pytest.approx(sum(s.distance_m for s in run_load.segments))
    climb = max(s.elevation_end_m for s in segs) - segs[0].elevation_start_m
    assert climb == pytest.approx(60.0, abs=3.0)  # examples.hilly_run: 60 m climb
    assert segs[-1].elevation_end_m == pytest.approx(0.0, abs=3.0)
    for s in segs:  # the dominant group of a segment is the one with the most work there
        if s.dominant:
            assert s.dominant in run_load.groups
    # tendons in body weights, warm-up and sources from the plan
    for t in data.tendons:
        src = run_load.tendon(t.id)
        assert t.peak_bw == src.peak_force_bw
        # kN s per km on each terrain, the plan's unit: back to the impulse in N s
        total_kns = sum(v * run_load.terrain_distance_m[k] / 1000 for k, v in t.by_terrain.items())
        assert total_kns * 1000 == pytest.approx(src.impulse_ns)
        assert f"total impulse {src.impulse_ns / 1000:.0f} kN s" in t.note
    # two or three things to do (today's plan lists six), one per muscle group, and the warm-up
    items = [a for a in data.advice if a.kind != "warmup"]
    assert 2 <= len(items) <= 3
    groups = [g for a in items for g in a.groups]
    assert len(groups) == len(set(groups))
    assert [a.kind for a in data.advice].count("warmup") == 1
    assert data.sources and all(s.citation for s in data.sources)
    cited = {k for a in data.advice for k in a.sources}
    assert cited <= {s.key for s in data.sources}


def test_write_report_takes_a_run_load(run_load: Any, cycle: Any, tmp_path: Path) -> None:
    out = write_report(run_load, tmp_path / "run.html", cycle=cycle)
    page = out.read_text(encoding="utf-8")
    assert re.findall(r'<section id="([a-z]+)"', page) == list(SECTIONS)
    root = next(s for s in _svgs(page) if s.get("class") == "bodymap")
    values = {
        e.get("data-muscle"): e.get("data-value") for e in root.iter() if e.get("data-muscle")
    }
    for g in run_load.muscles:
        assert float(values[g.group] or "nan") == pytest.approx(g.work_j, rel=1e-5)
    assert "stick-figure" in page and "3.30 m/s" in page
    outside = re.sub(r'<section id="sources".*?</section>', "", page, flags=re.S)
    assert "http://" not in outside and "https://" not in outside
    with pytest.raises(InputError, match="RunLoad or its to_dict"):
        write_report(object(), tmp_path / "x.html")


def test_report_of_the_one_pipeline(tmp_path: Path) -> None:
    """``analyze_run``'s RunReport (and its JSON) draws the same report as its RunLoad."""
    import runmuscles as rm
    from runmuscles.examples import hilly_run
    from tests.fixture_table import FixtureTable

    report = rm.analyze_run(hilly_run(), table=FixtureTable())
    a = rm.report.report_data(report)
    b = rm.report.report_data(report.to_dict() | {"plan": report.plan.to_dict()})
    assert a == b
    assert [x.title for x in a.advice if x.kind != "warmup"] == [i.name for i in report.advice]
    page = write_report(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert report.headline[1:] in page


def test_a_group_the_atlas_does_not_resolve_is_drawn_as_unresolved() -> None:
    """The stride panel marks a group unresolved when the atlas cell says so, even when its
    activation varies (arm muscles resolved with a large shoulder reserve)."""
    from runmuscles.report.stride import activation_curves_svg, cycle_from_cell

    frac = [i / 10 for i in range(11)]
    wave = [0.2 + 0.1 * (i % 3) for i in range(11)]
    cell = {"stride_fraction": frac, "activation": {"deltoids": wave, "quadriceps": wave},
            "resolved": {"deltoids": False, "quadriceps": True}, "duty_factor": 0.35}  # fmt: skip
    svg = activation_curves_svg(cycle_from_cell(cell))
    assert 'data-muscle="deltoids"' in svg and svg.count('class="unresolved"') == 1
    import re

    lines = {m: re.search(rf'<polyline[^>]*data-muscle="{m}"[^>]*>', svg) for m in cell["resolved"]}
    assert lines["deltoids"] and 'data-resolved="false"' in lines["deltoids"].group(0)
    assert lines["quadriceps"] and 'data-resolved="true"' in lines["quadriceps"].group(0)
