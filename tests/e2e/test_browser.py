"""Leadership's path through the real app in Chromium: demo data, a gate decision, the log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import Decision

pytestmark = pytest.mark.e2e
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_for_app(page: Page) -> None:
    """Wait until the script has finished, and fail on any exception the page shows."""
    page.wait_for_selector(IDLE, timeout=30_000)
    page.wait_for_timeout(300)  # let the last delta paint
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def test_leadership_records_a_decision_and_finds_it_in_the_log(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    expect(page.get_by_text("Loaded the demo: 8 countries.")).to_be_visible()

    # The world map is drawn from the topojson we serve ourselves: country shapes exist, no CDN.
    shapes = page.locator(".st-key-world_map .choroplethlocation")
    expect(shapes.first).to_be_attached(timeout=20_000)
    assert shapes.count() >= 8
    page.screenshot(path=screenshots / "portfolio.png", full_page=True)

    open_page(page, f"{app_url}/country?country=BR")
    expect(page.get_by_role("heading", name=re.compile("Brazil"))).to_be_visible()
    page.locator(".st-key-decision_outcome_BR").get_by_text(re.compile("^Extend")).click()
    page.locator(".st-key-decision_rationale_BR textarea").fill(
        "Pipeline building but slower: three more months."
    )
    page.get_by_role("button", name="Record decision").click()
    wait_for_app(page)
    expect(page.get_by_text("Recorded decision #1: Extend.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"#1 · .* Sales test: Extend 3 months"))).to_be_visible()
    page.screenshot(path=screenshots / "country.png", full_page=True)

    open_page(page, f"{app_url}/decisions")
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    page.screenshot(path=screenshots / "decisions.png", full_page=True)
    # The grid is a canvas: check the log's content through its CSV download.
    with page.expect_download() as download:
        page.locator(".st-key-decisions_csv button").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Pipeline building but slower: three more months." in csv_text
    assert "ceo@rollout.example" in csv_text

    open_page(page, f"{app_url}/playbook")
    expect(page.get_by_text("Market appetite", exact=False).first).to_be_visible()
    page.screenshot(path=screenshots / "playbook.png", full_page=True)


def test_a_stop_asks_first_naming_the_market_and_without_rationale_is_refused(
    page: Page, app_url: str, tmp_path
):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    open_page(page, f"{app_url}/country?country=GB")
    page.locator(".st-key-decision_outcome_GB").get_by_text("Stop — exit the market").click()
    page.get_by_role("button", name="Record decision").click()
    wait_for_app(page)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile("United Kingdom exits the rollout for good"))).to_be_visible()
    dialog.get_by_role("button", name="Stop United Kingdom").click()
    wait_for_app(page)
    expect(dialog.get_by_text(re.compile("rationale: required to stop"))).to_be_visible()
    dialog.get_by_role("button", name="Keep as is").click()
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    engine = get_engine(f"sqlite:///{tmp_path / 'e2e.db'}")  # the app's database (see app_url)
    with read_session(engine) as session:
        assert not session.exec(
            select(Decision).where(Decision.country_code == "GB", Decision.outcome == "stop")
        ).all()


def test_a_bookmarked_page_opened_first_still_runs_through_the_router(page: Page, app_url: str):
    open_page(page, f"{app_url}/decisions")  # the very first request of this server
    expect(page.get_by_text("Local mode: no sign-in is configured")).to_be_visible()
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Portfolio")).to_be_visible()
    expect(nav.get_by_text("decisions", exact=True)).to_have_count(0)  # no page list of file names
