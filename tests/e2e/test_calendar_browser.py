"""A country marketer in the real app: plans a campaign, sees the conflict, downloads the .ics."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e


def next_christmas() -> date:
    today = date.today()
    christmas = date(today.year, 12, 25)
    return christmas if christmas > today + timedelta(days=1) else date(today.year + 1, 12, 25)


def set_date(page: Page, widget: str, day: date) -> None:
    """Streamlit's date input is three spin buttons: type each part."""
    box = page.locator(widget)
    for part, value in (("year", f"{day.year}"), ("month", f"{day.month:02}"), ("day", f"{day.day:02}")):
        spin = box.get_by_role("spinbutton", name=part, exact=False).first
        spin.click()
        spin.type(value)
    page.keyboard.press("Tab")
    wait_for_app(page)


def test_marketer_plans_a_campaign_sees_the_conflict_and_exports(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, f"{app_url}/campaigns?country=DE")
    christmas = next_christmas()
    page.locator(".st-key-campaign_name_DE input").fill("Weihnachts-Webinar")
    set_date(page, ".st-key-campaign_day_DE", christmas)
    page.get_by_role("button", name="Plan campaign").click()
    wait_for_app(page)
    expect(page.get_by_text("Planned 'Weihnachts-Webinar'")).to_be_visible()
    warning = page.get_by_test_id("stAlert").filter(
        has_text=re.compile(r"\d{4}-12-25: Christmas Day — people are off")
    )
    expect(warning).to_be_visible()
    page.screenshot(path=screenshots / "campaigns.png", full_page=True)

    open_page(page, f"{app_url}/calendar?country=DE")
    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.locator(".st-key-export_ics button").click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    summaries = {str(event["summary"]) for event in calendar.walk("VEVENT")}
    assert "Weihnachts-Webinar" in summaries
    assert any("Christmas" in summary for summary in summaries)
    page.get_by_role("tab", name="Month").click()
    page.screenshot(path=screenshots / "calendar.png", full_page=True)
