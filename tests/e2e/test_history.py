"""End to end in headless Chromium (Debian ``chromium`` driven by Playwright; never
``playwright install``): a whole history imported from a Strava-shaped export built from the real
files, the weekly view over two years, a report's stride section (the shipped muscle atlas) and
its comparison with the last four weeks, and the locked doors as a browser meets them (a page on
another origin posting and framing, a rebound host name, a double click). Screenshots go to the
test's tmp folder."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from tests.fixture_table import FixtureTable
from tests.history_files import history, strava_zip
from tests.web.servers import CHROMIUM, CHROMIUM_ARGS, FIX, live_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found; {FIX}")
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield b
    finally:
        b.close()


def _app(tmp_path: Path, table: Any = None) -> Any:
    from runmuscles.web import create_app

    return create_app(f"sqlite:///{tmp_path / 'h.sqlite3'}", table or FixtureTable())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    app = _app(tmp_path)
    with live_server(app) as srv:
        srv.app = app
        yield srv
    app.state.store.close()


def _page(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


# ------------------------------------------------------------------------------------ import
def test_import_a_strava_export_with_progress_and_summary(
    browser: Any, server: Any, tmp_path: Path
) -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=3 * i) for i in range(12)]
    runs = history(days, names=("fr620.tcx", "tomtom.gpx"))
    export = tmp_path / "export_123.zip"
    export.write_bytes(strava_zip(runs, extra=[("again.gpx", runs[1][1], "Run")]))
    page, errors = _page(browser)
    page.goto(server.url + "/")
    page.set_input_files("#archive", str(export))
    page.click("#import button[type=submit]")
    page.wait_for_selector("#import-progress:not(.hidden)")
    page.wait_for_selector("#import-counts", timeout=120_000)
    counts = page.locator("#import-counts").inner_text()
    assert counts.startswith("12 imported, 1 already in the history, 0 skipped, 0 failed"), counts
    assert "1 x duplicate: same file" in page.locator("#import-reasons").inner_text()
    page.click("#import-summary summary")
    row = page.locator("#import-items tr[data-status=duplicate]")
    assert "appears earlier in this archive" in row.inner_text()
    bar = page.locator("#import-progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "13"
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
    page.click("#import-done")  # the link to the refreshed list
    page.wait_for_load_state()
    assert page.locator("#runs tbody tr").count() == 12
    assert errors == [], errors
    page.close()


# ------------------------------------------------------------------------ two years of weeks
def test_weekly_view_over_two_years(browser: Any, tmp_path: Path) -> None:
    from runmuscles.store.archive import open_archive
    from runmuscles.store.importer import import_archive

    app = _app(tmp_path)
    # two years of running, two runs a week, with a four-week break in the middle
    start = dt.date(2023, 1, 2)
    days = [
        start + dt.timedelta(days=d)
        for d in range(0, 730)
        if d % 7 in (0, 3) and not 360 <= d < 388
    ]
    zipped = tmp_path / "two-years.zip"
    zipped.write_bytes(strava_zip(history(days, names=("fr620.tcx", "tomtom.gpx"))))
    with open_archive(zipped) as arch:
        summary = import_archive(arch, app.state.store, FixtureTable(), "default")
    assert summary.count("imported") == len(days)
    with live_server(app) as srv:
        page, errors = _page(browser)
        page.goto(srv.url + "/history")
        # the default range is the span of the runs
        assert page.locator("#from").input_value() == days[0].isoformat()
        assert page.locator("#to").input_value() == days[-1].isoformat()
        chart = page.locator("svg.weekly")
        assert chart.get_attribute("data-weeks") == "105"
        widths = chart.locator("rect[data-week]").evaluate_all(
            "els => els.map(e => e.getBBox().width)"
        )
        assert len(widths) > 100 and min(widths) > 0  # no negative widths past 92 weeks
        yticks = chart.locator("text.ytick").all_text_contents()
        assert all(re.fullmatch(r"[0-9 \u2009.]+", t) for t in yticks), yticks
        assert not any("e+" in t or "e-" in t for t in yticks)
        title = chart.locator("text").first.text_content() or ""
        assert re.fullmatch(r"work per week, (kJ|MJ)", title), title
        xticks = chart.locator("text.xtick").all_text_contents()
        assert any("2023" in t for t in xticks) and any("2024" in t for t in xticks), xticks
        assert all(re.search(r"\b20\d\d\b", t) for t in xticks)  # every date label has its year
        boxes = chart.locator("text.xtick").evaluate_all(
            "els => els.map(e => { const b = e.getBBox(); return [b.x, b.x + b.width]; })"
        )
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes))  # no overlap
        # ratios exist after 28 days; concentric and eccentric are shown apart
        table = page.locator("#acwr")
        assert table.locator("tr[data-group]").count() == 3
        cells = table.locator("[data-acwr]").all_text_contents()
        assert all(re.fullmatch(r"\d+\.\d\d|-", c) for c in cells)
        assert page.locator("#acwr-wait").count() == 0
        assert page.locator("svg.acwr-chart path[data-kind=eccentric]").count() >= 1
        page.screenshot(path=str(tmp_path / "weekly-2y.png"), full_page=True)
        # the date control narrows the view; the first four weeks have no ratio yet
        page.fill("#from", "2023-01-02")
        page.fill("#to", "2023-01-22")
        page.select_option("#kind", "eccentric")
        page.click("#range button[type=submit]")
        page.wait_for_url(re.compile(r".*kind=eccentric.*"))
        assert page.locator("svg.weekly").get_attribute("data-weeks") == "3"
        assert page.locator("svg.weekly").get_attribute("data-kind") == "eccentric"
        assert "28 days of history" in page.locator("#acwr-wait").inner_text()
        assert set(page.locator("#acwr [data-acwr]").all_text_contents()) == {"-"}
        page.screenshot(path=str(tmp_path / "weekly-start.png"), full_page=True)
        assert errors == [], errors
        page.close()
    app.state.store.close()


# ---------------------------------------------------------------- stride and comparison
def test_report_stride_section_and_the_last_four_weeks(browser: Any, tmp_path: Path) -> None:
    from runmuscles.atlas import Atlas

    app = _app(tmp_path, Atlas.load())  # the shipped atlas: its cells carry stride curves
    days = [dt.date(2024, 5, 1) + dt.timedelta(days=3 * i) for i in range(9)]
    with live_server(app) as srv:
        import httpx

        ids = []
        for name, data in history(days, names=("tomtom.gpx", "fr620.tcx")):
            r = httpx.post(srv.url + "/api/runs", files={"file": (name, data)}, timeout=120)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        page, errors = _page(browser)
        page.goto(f"{srv.url}/runs/{ids[-1]}")
        stride = page.locator("#stride")
        assert "atlas cell" in stride.locator("#stride-what").inner_text()
        panels = stride.locator("svg.activation-curves g.panel")
        assert panels.count() == 13  # one per muscle group
        assert stride.locator("svg.activation-curves rect.stance").count() >= 13  # phases shaded
        quads = stride.locator("polyline[data-muscle=quadriceps]")
        assert quads.get_attribute("data-resolved") == "true"
        # every group the model does not resolve (at a bound, or flagged) is marked in its panel
        flat = stride.locator("polyline.activation[data-resolved=false]").count()
        assert stride.locator("text.unresolved").count() == flat
        stride.screenshot(path=str(tmp_path / "stride.png"))
        compare = page.locator("#compare")
        text = compare.inner_text()
        assert "8 runs from" in text and "km a week" in text
        load = httpx.get(f"{srv.url}/api/runs/{ids[-1]}").json()["load"]
        resolved = {m["group"] for m in load["muscles"] if m.get("resolved", True)}
        unresolved = {m["group"] for m in load["muscles"] if not m.get("resolved", True)}
        # every group is either resolved or flagged (an arm group doing under 1 % of the run's
        # work, or a muscle at its activation bound, is flagged; which ones depends on the
        # atlas), and the comparison lists the resolved ones only
        assert "calves" in resolved and not resolved & unresolved, sorted(resolved)
        assert len(resolved | unresolved) == 13
        rows = compare.locator("#compare-table tr[data-group]")
        assert set(rows.evaluate_all("els => els.map(e => e.dataset.group)")) == resolved
        assert compare.locator("#compare-findings li").count() >= 1
        compare.screenshot(path=str(tmp_path / "compare.png"))
        # the first run has nothing before it
        page.goto(f"{srv.url}/runs/{ids[0]}")
        assert "No runs in the 28 days before this one" in page.locator("#compare").inner_text()
        # the muscle map: front and back, muscles as shapes
        assert page.locator("svg.bodymap path[data-muscle=quadriceps]").count() == 6
        page.locator("svg.bodymap").screenshot(path=str(tmp_path / "bodymap.png"))
        # the self-contained download: no script, no external resource
        r = httpx.get(f"{srv.url}/runs/{ids[-1]}/report.html")
        assert r.status_code == 200 and "<script" not in r.text and "<link" not in r.text
        assert 'id="stride"' in r.text and "<style>" in r.text
        assert errors == [], errors
        page.close()
    app.state.store.close()


# ----------------------------------------------------------------------------- locked doors
_EVIL_PAGE = """<!DOCTYPE html><html><body><h1>cat pictures</h1>
<iframe id="frame" src="{target}/" width="600" height="400"></iframe>
<form id="f" method="post" action="{target}/api/runs" enctype="multipart/form-data">
<input name="file" value="not a file"></form>
<script>
(async () => {{
  const fd = new FormData();
  fd.append('file', new Blob([atob('{b64}')]), 'run.tcx');
  try {{ await fetch('{target}/api/runs', {{method: 'POST', body: fd, mode: 'no-cors'}}); }}
  catch (e) {{}}
  try {{ await fetch('{target}/api/profile', {{method: 'PUT', mode: 'no-cors',
    body: JSON.stringify({{mass_kg: 99, height_m: 1.9}})}}); }} catch (e) {{}}
  document.title = 'sent';
}})();
</script></body></html>"""


def test_a_page_on_another_origin_can_neither_post_nor_frame(
    browser: Any, server: Any, tmp_path: Path
) -> None:
    import base64

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    data = history([dt.date(2024, 2, 1)])[0][1]
    html = _EVIL_PAGE.format(target=server.url, b64=base64.b64encode(data).decode())
    evil = Starlette(routes=[Route("/", lambda request: HTMLResponse(html))])
    with live_server(evil) as other:
        page, _ = _page(browser)
        page.goto(other.url.replace("127.0.0.1", "localhost") + "/")  # another origin
        page.wait_for_function("document.title === 'sent'", timeout=30_000)
        page.wait_for_timeout(500)
        store = server.app.state.store
        assert store.count_runs() == 0  # the cross-origin fetch stored nothing
        assert store.profile().mass_kg == 70.0  # and changed no profile
        frame = page.frame_locator("#frame")
        assert frame.locator("h1:has-text('What did your run work?')").count() == 0  # not framed
        with page.expect_navigation() as nav:  # a plain cross-site form post, no script needed
            page.evaluate("document.getElementById('f').submit()")
        assert nav.value.status == 403
        assert "refused" in page.content() and store.count_runs() == 0
        page.close()
    # the same request from the app's own page goes through
    page, _ = _page(browser)
    page.goto(server.url + "/")
    status = page.evaluate(
        """async (b64) => {
             const fd = new FormData();
             fd.append('file', new Blob([atob(b64)]), 'run.tcx');
             return (await fetch('/api/runs', {method: 'POST', body: fd})).status; }""",
        base64.b64encode(data).decode(),
    )
    assert status == 201 and server.app.state.store.count_runs() == 1
    page.close()


def test_a_rebound_host_name_reads_nothing(playwright: Any, server: Any) -> None:
    """DNS rebinding: the browser resolves an attacker's name to 127.0.0.1 (simulated with
    --host-resolver-rules); the page on that name asks the app for the history."""
    rules = "--host-resolver-rules=MAP rebind.example 127.0.0.1"
    b = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, rules], headless=True
    )
    try:
        page = b.new_page()
        url = server.url.replace("127.0.0.1", "rebind.example")
        resp = page.goto(url + "/api/runs")
        assert resp.status == 400
        assert "does not answer to the host name" in page.content()
        resp = page.goto(url + "/")
        assert resp.status == 400
    finally:
        b.close()


def test_double_click_on_analyse_stores_one_run(browser: Any, server: Any, tmp_path: Path) -> None:
    run = tmp_path / "run.tcx"
    run.write_bytes(history([dt.date(2024, 2, 1)])[0][1])
    page, errors = _page(browser)
    page.goto(server.url + "/")
    page.set_input_files("#file", str(run))
    page.dblclick("#upload button[type=submit]")
    page.wait_for_url("**/runs/*", timeout=60_000)
    assert server.app.state.store.count_runs() == 1
    # uploading the same file again says so and links the stored run
    page.goto(server.url + "/")
    page.set_input_files("#file", str(run))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#duplicate-link")
    assert "already in your history" in page.locator("#upload-msg").inner_text()
    assert server.app.state.store.count_runs() == 1
    assert errors == [], errors
    page.close()
