"""This week in Chromium: the first page of the navigation, the start page, and its links open the page
that acts on them with the country they are about."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e


def test_this_week_is_the_start_page_and_its_links_open_the_right_page(page: Page, app_url: str, screenshots):
    open_page(page, app_url)  # a new database: the start page sends you where the demo is offered
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, app_url)
    expect(page.get_by_role("heading", name="This week")).to_be_visible()
    first = page.get_by_test_id("stSidebarNavLink").first
    expect(first).to_contain_text("This week")
    page.screenshot(path=screenshots / "this_week.png", full_page=True)

    # Brazil is in its sales test: its gate numbers link to the Sales log, opened on Brazil.
    page.get_by_role("link", name=re.compile(r"^Brazil, Sales test: Qualified meetings held")).click()
    page.wait_for_url(re.compile(r"/sales_log\?country=BR$"))
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sales log")).to_be_visible()
    expect(page.get_by_role("combobox", name="Country", exact=True)).to_match_aria_snapshot(
        '- combobox "Country": Brazil (BR)'
    )

    open_page(page, app_url)
    holiday = page.get_by_role("link", name=re.compile(r"\(public holiday\)$")).first
    code = re.search(r"country=(\w\w)", holiday.get_attribute("href") or "")
    assert code, holiday.get_attribute("href")
    holiday.click()
    page.wait_for_url(re.compile(rf"/calendar\?country={code[1]}"))
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Local calendar")).to_be_visible()
