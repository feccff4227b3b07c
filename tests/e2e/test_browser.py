"""End to end in headless Chromium (Debian ``chromium`` driven by Playwright; never
``playwright install``): upload a real FIT, see the heat map and the history, move a slider on
the explore page, delete the run; screenshots go to the test's tmp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from tests.conftest import shared_data
from tests.fixture_table import FixtureTable
from tests.web.servers import CHROMIUM, CHROMIUM_ARGS, FIX, live_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found; {FIX}")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    from runmuscles.web import create_app

    app = create_app(f"sqlite:///{tmp_path / 'h.sqlite3'}", FixtureTable())
    with live_server(app) as srv:
        yield srv
    app.state.store.close()


def test_upload_see_heat_map_explore_delete(browser: Any, server: Any, tmp_path: Path) -> None:
    fit = shared_data("activities", "fit", "runpandas_fr645m_hilly_run.fit")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # upload through the form
    page.goto(server.url + "/")
    page.set_input_files("#file", str(fit))
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/runs/*", timeout=60_000)
    regions = page.locator("svg [data-muscle]")
    assert regions.count() > 10
    ids = set(regions.evaluate_all("els => els.map(e => e.dataset.muscle)"))
    assert {"quadriceps", "hamstrings", "calves"} <= ids
    tips = " ".join(page.locator("svg [data-muscle='calves'] title").all_text_contents())
    assert "Calves" in tips and " J" in tips  # muscle name and its load on hover
    fills = {
        g: page.locator(f"svg [data-muscle='{g}']").first.get_attribute("fill")
        for g in ("quadriceps", "hamstrings", "calves")
    }
    assert len(set(fills.values())) == 3  # coloured by load, not one flat colour
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    page.locator("svg.bodymap").first.screenshot(path=str(tmp_path / "heatmap.png"))

    # a bad file: the message is shown on the page, nothing stored
    page.goto(server.url + "/")
    bad = tmp_path / "notes.fit"
    bad.write_text("this is not a run\n")
    page.set_input_files("#file", str(bad))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#upload-msg.err")
    assert "not a FIT, GPX or TCX" in page.locator("#upload-msg").inner_text()

    # the history lists the good run only
    page.goto(server.url + "/")
    assert page.locator("#runs tbody tr").count() == 1
    assert fit.name in page.locator("#runs").inner_text()

    # explore: move the slope slider, the numbers and colours change
    page.goto(server.url + "/explore")
    row = page.locator("tr[data-group='quadriceps']")
    before = row.locator(".ecc").inner_text()
    fill_before = page.locator("svg [data-muscle='quadriceps']").first.get_attribute("fill")
    page.locator("#grade").fill("0.08")
    page.wait_for_function(
        "b => document.querySelector(\"tr[data-group='quadriceps'] .ecc\").textContent !== b",
        arg=before,
        timeout=15_000,
    )
    after = row.locator(".ecc").inner_text()
    # fixture table at 3 m/s: eccentric quadriceps work 25 - 200 g J per stride
    assert float(before) == pytest.approx(25.0, abs=0.05)
    assert float(after) == pytest.approx(25.0 - 200 * 0.08, abs=0.05)
    assert page.locator("#grade-out").inner_text() == "8.0 %"
    fill_after = page.locator("svg [data-muscle='quadriceps']").first.get_attribute("fill")
    assert fill_after != fill_before
    page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)

    # delete from the list (confirm dialog accepted)
    page.goto(server.url + "/")
    page.on("dialog", lambda d: d.accept())
    page.click("button[data-delete]")
    page.wait_for_function("() => !document.querySelector('button[data-delete]')")
    import httpx

    assert httpx.get(server.url + "/api/runs").json() == []
    assert [e for e in errors if "422" not in e] == [], errors  # only the bad upload
    page.close()
    for shot in ("report.png", "heatmap.png", "explore.png"):
        assert (tmp_path / shot).stat().st_size > 10_000
