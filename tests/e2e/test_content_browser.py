"""A marketer finds content by its title, publishes India's website in Hindi; the launch gate's criterion
flips to met."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e


def choose(page: Page, widget: str, option: str) -> None:
    page.locator(widget).click()
    page.get_by_role("option", name=option, exact=True).click()


def publish(page: Page, content: str) -> None:
    # Picking the piece and the locale reruns the page: the form then shows what is stored for them.
    choose(page, ".st-key-translation_content_IN", content)
    wait_for_app(page)
    choose(page, ".st-key-translation_locale_IN", "Hindi (India)")
    wait_for_app(page)
    choose(page, ".st-key-translation_status_IN", "Published")
    page.locator(".st-key-translation_link_IN input").fill("https://www.rollout.example/hi/site")
    page.get_by_role("button", name="Save translation").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved: Published in Hindi (India).")).to_be_visible()


def search(page: Page, widget: str, text: str) -> None:
    page.locator(f"{widget} input").fill(text)
    page.locator(f"{widget} input").press("Enter")
    wait_for_app(page)


def test_publishing_the_last_locale_flips_the_launch_criterion(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, f"{app_url}/country?country=IN")
    expect(page.get_by_text(re.compile(r"0/2 criteria met"))).to_be_visible()

    open_page(page, f"{app_url}/content?country=IN")
    expect(page.get_by_text("Page 1 of 1: rows 1–14 of 14.")).to_be_visible()
    search(page, ".st-key-catalogue_search", "mistakes")  # found under the webinar and ebook it comes from
    expect(page.get_by_text(re.compile(r"rows 1–3 of 3, each piece found under"))).to_be_visible()
    page.screenshot(path=screenshots / "content_catalogue_search.png", full_page=True)

    page.get_by_role("tab", name="Translations by market").click()
    wait_for_app(page)
    expect(page.locator(".st-key-content_parent")).to_have_count(0)  # only the chosen tab runs
    publish(page, "Website: home")
    # The page comes back where the marketer was, on the matrix: find the next piece by its title there.
    search(page, ".st-key-translations_IN_search", "pricing")
    expect(page.get_by_text("Page 1 of 1: rows 1–2 of 2.")).to_be_visible()
    publish(page, "Website: pricing page")
    page.screenshot(path=screenshots / "content.png", full_page=True)

    open_page(page, f"{app_url}/country?country=IN")
    expect(page.get_by_text(re.compile(r"1/2 criteria met"))).to_be_visible()
    page.screenshot(path=screenshots / "country_after_launch.png", full_page=True)
